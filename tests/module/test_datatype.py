"""Module data types (datatype.c / datatype2.c scenarios): the value API, strings made
by rdb_save, ModuleTypeReplaceValue, and the keyspace commands on module values (TYPE,
SCAN TYPE, COPY, RENAME, MEMORY USAGE, DEBUG DIGEST[-VALUE], DEL), with the numbers Redis
7.4.1 gives for a C type with the same callbacks."""

from __future__ import annotations

import pytest
import redis


@pytest.fixture(scope="module")
def srv(modserver):
    return modserver("datatype")


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    for name in ("free", "unlink", "copy", "mem"):
        c.execute_command("datatype2.calls", name)
    return c


def get(r, key):
    return r.execute_command("datatype.get", key)


def test_set_get(r):
    r.execute_command("datatype.set", "dtkey", 100, "stringval")
    assert get(r, "dtkey") == [100, b"stringval"]
    assert get(r, "nokey") is None


def test_save_to_string_and_load(r):
    r.execute_command("datatype.set", "dtkey", -1111, "MyString")
    encoded = r.execute_command("datatype.dump", "dtkey")
    assert r.execute_command("datatype.restore", "dtkeycopy", encoded, 4) == 4
    assert get(r, "dtkeycopy") == [-1111, b"MyString"]
    with pytest.raises(redis.ResponseError, match="Invalid"):
        r.execute_command("datatype.restore", "dtkeycopy", encoded[:-1], 4)  # truncated


def test_replace_value(r):
    r.execute_command("datatype.set", "key-a", 1, "AAA")
    r.execute_command("datatype.set", "key-b", 2, "BBB")
    assert r.execute_command("datatype.swap", "key-a", "key-b") == b"OK"
    assert get(r, "key-a") == [2, b"BBB"]
    assert get(r, "key-b") == [1, b"AAA"]
    r.set("key-b", "RedisString")
    with pytest.raises(redis.ResponseError, match="failed"):
        r.execute_command("datatype.swap", "key-a", "key-b")
    with pytest.raises(redis.ResponseError, match="failed"):
        r.execute_command("datatype.replace", "key-b")  # not a module value: nothing replaced
    assert r.get("key-b") == b"RedisString"


def test_copy(r):
    r.execute_command("datatype.set", "answer-to-universe", 42, "AAA")
    with pytest.raises(redis.ResponseError, match="module key failed to copy"):
        r.copy("answer-to-universe", "answer2")
    assert r.exists("answer2") == 0
    r.execute_command("datatype.set", "sourcekey", 1234, "AAA")
    assert r.copy("sourcekey", "targetkey")
    assert get(r, "targetkey") == [1234, b"AAA/sourcekey/targetkey"]
    assert get(r, "sourcekey") == [1234, b"AAA"]


def test_copy2_sees_both_keys_and_dbs(r):
    r.execute_command("datatype2.set", "src", 5, "x")
    assert r.copy("src", "dst", destination_db=3)
    assert r.execute_command("datatype2.calls", "copy") == [b"(b'src', 0, b'dst', 3)"]
    r.execute_command("SELECT", 3)
    assert get(r, "dst") == [5, b"x"]
    r.execute_command("SELECT", 0)


def test_copy_without_callback_is_refused(srv):
    r = srv.client()
    r.flushall()
    # the datatype2 type has copy2; a value whose type has no copy callback is refused
    mt = srv.core.modules.find_type_by_name("test___dt")
    saved = mt.methods.copy
    mt.methods.copy = None
    try:
        r.execute_command("datatype.set", "k", 1, "a")
        with pytest.raises(redis.ResponseError, match="not supported for this module key"):
            r.copy("k", "k2")
    finally:
        mt.methods.copy = saved


def test_type_scan_encoding_and_wrong_type(r):
    r.execute_command("datatype.set", "m1", 1, "a")
    r.execute_command("datatype2.set", "m2", 2, "b")
    r.set("s", "x")
    assert r.type("m1") == b"test___dt"
    assert r.type("m2") == b"dtv2type1"
    assert r.scan(0, _type="test___dt") == (0, [b"m1"])
    assert r.scan(0, _type="dtv2type1") == (0, [b"m2"])
    assert r.object("encoding", "m1") == b"raw"
    for cmd in (("GET", "m1"), ("STRLEN", "m1"), ("LLEN", "m1"), ("HGET", "m1", "f")):
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            r.execute_command(*cmd)
    r.rename("m1", "z")
    assert r.type("z") == b"test___dt" and get(r, "z") == [1, b"a"]


def test_memory_usage(r):
    # mem_usage answers 1000 + intval; the key's sds and dict entry are added (Redis 7.4.1: 1037, 1061)
    r.execute_command("datatype.set", "a", 5, "x")
    assert r.memory_usage("a") == 1037
    r.execute_command("datatype.set", "abcdefghijklmnopqrstuvwxyz", 5, "x")
    assert r.memory_usage("abcdefghijklmnopqrstuvwxyz") == 1061
    r.execute_command("datatype2.set", "b", 7, "x")  # mem_usage2 gets the sample size
    assert r.memory_usage("b") == 2007 + 32 and r.memory_usage("b", samples=3) == 2039
    assert r.execute_command("datatype2.calls", "mem") == [b"5", b"3"]


def test_digests(r):
    # the same digest callback in a C type gives these digests on Redis 7.4.1
    r.execute_command("datatype.set", "a", 5, "x")
    assert r.execute_command("DEBUG", "DIGEST-VALUE", "a") == [b"f2e28e0b009634b330537b097b863470c9ad08d5"]
    assert r.execute_command("DEBUG", "DIGEST") == b"8e30b35b79f8d1a0a38cfd391661a67e8bf00a8a"
    r.pexpireat("a", 99999999999999)
    assert r.execute_command("DEBUG", "DIGEST") == b"b85f12b26dfa9d614dc7fd66b6e1f29993b60411"
    r.execute_command("datatype.set", "b", 9, "y")
    assert r.execute_command("DEBUG", "DIGEST") == b"49f1cd20a443a940504921bd7dfdf4533bde98f4"
    assert r.execute_command("DEBUG", "DIGEST-VALUE", "b", "a") == [
        b"6a9f88489450117645a9e72f66748fb395279f86", b"146770f4dcafdee7f14590f13eecfbebd3034956"]


def test_delete_calls_unlink_and_free(r):
    r.execute_command("datatype2.set", "k", 7, "x")
    r.delete("k")
    assert r.execute_command("datatype2.calls", "unlink") == [b"(b'k', 0)"]
    assert r.execute_command("datatype2.calls", "free") == [b"7"]
    r.execute_command("datatype2.set", "k", 8, "x")
    r.execute_command("datatype2.set", "k", 9, "x")  # the old value is replaced: freed
    assert r.execute_command("datatype2.calls", "free") == [b"8"]


# DUMP payloads of the same values saved by C types on Redis 7.4.1
REDIS_DUMPS = {
    ("1", "5"): "0781a6ba1b7adca9d4000205000c00f6114904bb7ddcb8",
    ("2", "-7"): "0781a6ba1b7adca9d8030281fffffffffffffff9000c00cce5628b181fd5f2",
    ("6", "0"): "0781a6ba1b7adca9e80202412c0281ffffffffffffffff05c07b050b68656c6c6f20776f726c6404000000000000f83f"
                "030000204005c30e16043078632e63e004000364702d37050005c0fb000c0077ac3d3f6c95cb4c",
}


@pytest.mark.parametrize("typ,value", list(REDIS_DUMPS))
def test_dump_payload_matches_redis(modserver, typ, value):
    r = modserver("dumptypes").client()
    r.execute_command("t.set", "k", typ, value)
    assert r.dump("k").hex() == REDIS_DUMPS[(typ, value)]
    r.restore("k2", 0, bytes.fromhex(REDIS_DUMPS[(typ, value)]))  # and Redis's payload loads back
    got = r.execute_command("t.get", "k2")
    if typ == "6":
        assert got.startswith(b"(300, -1, b'123', b'hello world', 1.5, 2.5, ") and got.endswith(b"b'', b'-5')")
    else:
        assert got == value.encode()
