"""Hash key API (RedisModule_HashSet / HashGet): Redis's tests/unit/moduleapi/hash.tcl and
what Redis 7.4.1 answers with expired fields (checked with a C module loaded into the
reference server)."""

from __future__ import annotations

import errno
import time

import pytest
import redis


@pytest.fixture(scope="module")
def srv(modserver):
    return modserver("hash")


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    c.config_set("hash-max-listpack-entries", 128)
    c.config_set("hash-max-listpack-value", 64)
    yield c
    c.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1)


def hset(r, *args):
    return r.execute_command("hash.set", *args)


def test_hash_set(r):
    r.set("k", "mystring")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        hset(r, "k", "", "hello", "world")
    r.delete("k")
    assert hset(r, "k", "", "squirrel", "yes") == 0  # only updates and deletes count
    assert hset(r, "k", "a", "banana", "no", "sushi", "whynot") == 2  # COUNT_ALL: inserts too
    assert hset(r, "k", "n", "squirrel", "hoho", "what", "nothing") == 0
    assert hset(r, "k", "na", "squirrel", "hoho", "something", "nice") == 1
    assert hset(r, "k", "xa", "new", "stuff", "not", "inserted") == 0
    assert hset(r, "k", "x", "squirrel", "ofcourse") == 1
    assert hset(r, "k", "", "sushi", ":delete:", "none", ":delete:") == 1
    assert r.hgetall("k") == {b"squirrel": b"ofcourse", b"banana": b"no", b"what": b"nothing",
                              b"something": b"nice"}
    assert list(r.hgetall("k")) == [b"squirrel", b"banana", b"what", b"something"]  # listpack order kept


def setx(r, key, mode, flags, *pairs):
    return r.execute_command("hash.setx", key, mode, flags, *pairs)


def test_errno(r):
    assert setx(r, "h", "w", "", "a", "1", "b", "2") == [0, errno.ENOENT]  # inserts only: 0, ENOENT
    assert setx(r, "h", "w", "a", "a", "1", "c", "3") == [2, 0]
    assert setx(r, "h", "r", "", "a", "9") == [0, errno.EBADF]
    assert setx(r, "h", "w", "z", "a", "9") == [0, errno.EINVAL]
    assert setx(r, "h", "w", "c", "a", "9") == [1, 0]  # CFIELDS: field names as str
    assert r.hget("h", "a") == b"9"
    r.set("s", "x")
    assert setx(r, "s", "w", "", "a", "1") == [0, errno.ENOTSUP]
    with pytest.raises(redis.ResponseError, match="HashGet failed"):
        r.execute_command("hash.get", "s", "r", "", "a")
    assert r.execute_command("hash.get", "nokey", "w", "", "a", "b") == [None, None]
    assert r.execute_command("hash.get", "nokey", "w", "e", "a") == [0]


def test_empty_hash_never_stays(r):
    assert setx(r, "emp", "w", "", "a", ":delete:") == [0, errno.ENOENT]
    assert r.exists("emp") == 0
    assert setx(r, "emp", "w", "x", "a", "1") == [0, errno.ENOENT]
    assert r.exists("emp") == 0
    r.hset("h", "a", "1")
    assert setx(r, "h", "w", "", "a", ":delete:") == [1, 0]
    assert r.exists("h") == 0


def test_get_and_exists(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert r.execute_command("hash.get", "h", "r", "", "a", "zz", "b") == [b"1", None, b"2"]
    assert r.execute_command("hash.get", "h", "r", "e", "a", "zz") == [1, 0]


def test_conversion_to_hashtable(r):
    r.config_set("hash-max-listpack-value", 8)
    assert hset(r, "h", "a", "f", "short") == 1
    assert r.object("encoding", "h") == b"listpack"
    hset(r, "h", "a", "g", "x" * 9)
    assert r.object("encoding", "h") == b"hashtable"
    r.config_set("hash-max-listpack-entries", 2)
    hset(r, "h2", "a", "f1", "1", "f2", "2")
    assert r.object("encoding", "h2") == b"listpack"
    hset(r, "h2", "a", "f3", "3")
    assert r.object("encoding", "h2") == b"hashtable"


def _expired(r, key, *fields_values, expire=("f1",)):
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
    r.hset(key, mapping=dict(zip(fields_values[::2], fields_values[1::2], strict=True)))
    r.execute_command("HPEXPIRE", key, 1, "FIELDS", len(expire), *expire)
    time.sleep(0.01)


def test_nx_over_expired_field(r, srv):
    _expired(r, "H1", "f1", "v1")
    _expired(r, "H2", "f1", "v1", "f2", "v2")
    before = r.info("stats")["expired_subkeys"]
    r.config_set("notify-keyspace-events", "KEA")
    p = srv.client().pubsub()
    p.psubscribe("__keyevent@0__:*")
    p.get_message(timeout=1)
    # NX sees no field: the expired one is removed first (lazily, 'hexpired') and it is an insert
    assert hset(r, "H1", "n", "f1", "xx") == 0
    assert r.hgetall("H1") == {b"f1": b"xx"}
    assert r.execute_command("HTTL", "H1", "FIELDS", 1, "f1") == [-1]
    assert hset(r, "H2", "n", "f1", "yy") == 0
    assert r.hgetall("H2") == {b"f1": b"yy", b"f2": b"v2"}
    events = []
    while (m := p.get_message(timeout=0.2)) is not None:
        events.append((m["channel"], m["data"]))
    assert events == [(b"__keyevent@0__:hexpired", b"H1"), (b"__keyevent@0__:hexpired", b"H2")]
    assert r.info("stats")["expired_subkeys"] == before + 2
    p.close()
    r.config_set("notify-keyspace-events", "")


def test_xx_over_expired_field(r):
    _expired(r, "H1", "f1", "v1")
    _expired(r, "H2", "f1", "v1", "f2", "v2")
    assert hset(r, "H1", "x", "f1", "xx") == 0
    assert r.hgetall("H1") == {}
    assert r.hlen("H1") == 1  # the expired field was not removed
    assert hset(r, "H2", "x", "f1", "yy") == 0
    assert r.hgetall("H2") == {b"f2": b"v2"}
    assert r.hlen("H2") == 2


def test_plain_set_over_expired_field_counts_as_update(r):
    _expired(r, "H", "f1", "v1", "f2", "v2")
    assert hset(r, "H", "", "f1", "new") == 1
    assert r.hgetall("H") == {b"f2": b"v2", b"f1": b"new"}
    assert r.execute_command("HTTL", "H", "FIELDS", 1, "f1") == [-1]


def test_get_and_scan_hide_expired_fields(r):
    _expired(r, "H", "f1", "v1", "f2", "v2", "f3", "v3", expire=("f1", "f2"))
    assert r.execute_command("hash.get", "H", "r", "", "f1", "f3") == [None, b"v3"]
    assert r.execute_command("hash.get", "H", "r", "e", "f1", "f3") == [0, 1]
    assert r.hlen("H") == 3  # still there: RM_HashGet does not expire fields lazily
    assert r.execute_command("hash.scan", "H", "r") == [b"f3", b"v3"]
    # OPEN_KEY_ACCESS_EXPIRED (a later Redis flag) shows the expired fields
    assert r.execute_command("hash.get", "H", "rE", "", "f1", "f3") == [b"v1", b"v3"]
    assert sorted(r.execute_command("hash.scan", "H", "rE")) == [b"f1", b"f2", b"f3", b"v1", b"v2", b"v3"]
    assert r.hexists("H", "f1") == 0


def test_scan_hashtable_hides_expired_fields(r):
    r.config_set("hash-max-listpack-entries", 2)
    _expired(r, "H", "f1", "v1", "f2", "v2", "f3", "v3", expire=("f1",))
    assert r.object("encoding", "H") == b"hashtable"
    got = r.execute_command("hash.scan", "H", "r")
    assert sorted(zip(got[::2], got[1::2], strict=True)) == [(b"f2", b"v2"), (b"f3", b"v3")]
