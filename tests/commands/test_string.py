"""String commands in-process (harness) and through redis-py: value representations,
propagation rewrites, the expiry clock, limits. Byte-exact replies are checked against
Redis in tests/differential/test_diff_string.py."""

from __future__ import annotations

import copy

import pytest
from harness import Err, Harness

from moredis.engine.objects import encoding


class NotAString:
    pass


@pytest.fixture
def h():
    """A harness whose propagated commands are recorded in h.prop."""
    hs = Harness()
    hs.prop = []
    hs.srv.propagators.append(
        lambda dbid, argvs: hs.prop.extend([[a.decode("latin-1") for a in argv] for argv in argvs]))
    return hs


def data(h):
    return h.srv.dbs[0].data


def test_propagation_rewrites(h):
    h.srv.mstime = lambda: 1_000_000
    h("set", "get", "v", "GET")
    h("set", "k", "v", "get", "PXAT", "99999999999999", "GET")
    h("set", "k", "v", "GET", "EX", "100")
    h("setex", "k", "100", "v")
    h("psetex", "k", "5000", "v")
    h("setnx", "k", "1")
    h("setnx", "n", "1")
    h("getset", "k", "v2")
    h("getdel", "k")
    h("getdel", "k")
    h("set", "k", "1")
    h("getex", "k")
    h("getex", "k", "EX", "100")
    h("getex", "k", "PXAT", "99999999999999")
    h("getex", "k", "PERSIST")
    h("getex", "k", "PERSIST")
    h("getex", "k", "EXAT", "1")
    h("incrbyfloat", "f", "1.5")
    h("incrbyfloat", "f", "1e-3")
    h("msetnx", "a", "1", "b", "2")
    h("msetnx", "a", "1")
    h("append", "a", "x")
    h("setrange", "a", "0", "")
    h("setrange", "a", "0", "y")
    h("incr", "c")
    h("decrby", "c", "5")
    assert h.prop == [
        ["set", "get", "v"],
        ["set", "k", "v", "get", "PXAT", "99999999999999", "GET"],
        ["SET", "k", "v", "PXAT", "1100000"],
        ["SET", "k", "v", "PXAT", "1100000"],
        ["SET", "k", "v", "PXAT", "1005000"],
        ["setnx", "n", "1"],
        ["SET", "k", "v2"],
        ["DEL", "k"],
        ["set", "k", "1"],
        ["PEXPIREAT", "k", "1100000"],
        ["PEXPIREAT", "k", "99999999999999"],
        ["PERSIST", "k"],
        ["DEL", "k"],
        ["SET", "f", "1.5", "KEEPTTL"],
        ["SET", "f", "1.501", "KEEPTTL"],
        ["msetnx", "a", "1", "b", "2"],
        ["append", "a", "x"],
        ["setrange", "a", "0", "y"],
        ["incr", "c"],
        ["decrby", "c", "5"],
    ]


def test_getex_past_time_replicates_unlink_under_lazyfree(h):
    h.srv.config.set_many([("lazyfree-lazy-expire", "yes")])
    h("set", "k", "v")
    assert h("getex", "k", "PXAT", "1") == b"v"
    assert h.prop[-1] == ["UNLINK", "k"]
    assert h("exists", "k") == 0


def test_expiry_follows_the_injected_clock(h):
    now = [1_000_000]
    h.srv.mstime = lambda: now[0]
    assert h("setex", "k", "10", "v") == b"OK"
    assert h("psetex", "p", "1500", "v") == b"OK"
    assert h("set", "s", "v", "PX", "1000", "GET") is None
    assert h("getex", "s", "PX", "3000") == b"v"
    now[0] += 1500
    assert h("get", "p") == b"v"  # alive through its expire millisecond
    now[0] += 1
    assert h("get", "p") is None
    assert h("get", "s") == b"v"
    assert h("get", "k") == b"v"
    now[0] += 8500
    assert h("get", "k") is None
    assert h("mget", "k", "p", "s") == [None, None, None]
    assert h("setnx", "k", "again") == 1


def test_values_in_every_representation(h):
    """bytes, bytearray and int values answer the same everywhere."""
    for v in (b"12345", bytearray(b"12345"), 12345):
        data(h)[b"k"] = v = copy.copy(v)
        assert h("get", "k") == b"12345"
        assert h("strlen", "k") == 5
        assert h("getrange", "k", "1", "-2") == b"234"
        assert h("substr", "k", "-2", "-1") == b"45"
        assert h("mget", "k") == [b"12345"]
        assert h("lcs", "k", "k") == b"12345"
        assert h("getbit", "k", "2") == 1
        assert h("bitcount", "k") == 17
        assert h("bitpos", "k", "1", "1") == 10
        assert h("bitfield_ro", "k", "GET", "u8", "0") == [ord("1")]
        assert h("getex", "k") == b"12345"
        assert h("incrbyfloat", "k", "0.5") == b"12345.5"
        data(h)[b"k"] = copy.copy(v)
        assert h("incrby", "k", "5") == 12350
        data(h)[b"k"] = copy.copy(v)
        assert h("append", "k", "6") == 6
        assert type(data(h)[b"k"]) is bytearray
        data(h)[b"k"] = copy.copy(v)
        assert h("setrange", "k", "0", "9") == 5
        assert h("get", "k") == b"92345"
        data(h)[b"k"] = copy.copy(v)
        assert h("getdel", "k") == b"12345"


def test_what_each_command_stores(h):
    h("set", "s", "123")
    assert type(data(h)[b"s"]) is bytes and encoding(data(h)[b"s"]) == "int"
    h("incr", "s")
    assert data(h)[b"s"] == 124
    h("append", "s", "0")
    assert data(h)[b"s"] == bytearray(b"1240") and encoding(data(h)[b"s"]) == "raw"
    h("append", "new", "abc")
    assert type(data(h)[b"new"]) is bytes and encoding(data(h)[b"new"]) == "embstr"
    h("setrange", "r", "2", "x")
    assert data(h)[b"r"] == bytearray(b"\x00\x00x")
    h("incrbyfloat", "f", "2.5")
    assert data(h)[b"f"] == b"2.5"


def test_append_and_setrange_grow_in_place(h):
    h("set", "k", "a")
    h("append", "k", "b")
    ba = data(h)[b"k"]
    for _ in range(100):
        h("append", "k", "xyz")
    h("setrange", "k", "400", "end")
    h("setrange", "k", "0", "Z")
    assert data(h)[b"k"] is ba
    assert h("strlen", "k") == 403
    assert h("getrange", "k", "0", "4") == b"Zbxyz"


def test_replies_do_not_alias_the_stored_bytearray(h):
    h("append", "k", "abc")
    h("append", "k", "def")
    got = h.raw("get", "k")
    h("setrange", "k", "0", "XYZ")
    h("append", "k", "!")
    assert got.value == b"abcdef"


def test_wrong_type_everywhere(h):
    data(h)[b"w"] = NotAString()
    wrong = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
    for cmd in [("get", "w"), ("getdel", "w"), ("getex", "w"), ("getset", "w", "v"), ("strlen", "w"),
                ("getrange", "w", "0", "1"), ("substr", "w", "0", "1"), ("append", "w", "x"),
                ("setrange", "w", "0", "x"), ("setrange", "w", "0", ""), ("incr", "w"), ("decr", "w"),
                ("incrby", "w", "1"), ("decrby", "w", "1"), ("incrbyfloat", "w", "1"),
                ("set", "w", "v", "GET"), ("setbit", "w", "1", "1"), ("getbit", "w", "1"),
                ("bitcount", "w"), ("bitpos", "w", "1"), ("bitop", "and", "d", "w"),
                ("bitfield", "w", "get", "u8", "0"), ("bitfield", "w", "set", "u8", "0", "1"),
                ("bitfield_ro", "w", "get", "u8", "0")]:
        assert h(*cmd) == wrong, cmd
    assert h("lcs", "w", "w") == Err("ERR The specified keys must contain string values")
    assert h("mget", "w") == [None]
    assert h("msetnx", "w", "v") == 0
    assert h("setnx", "w", "v") == 0
    assert isinstance(data(h)[b"w"], NotAString)
    assert h("set", "w", "v") == b"OK"


def test_string_size_limit_and_master_exemption(h):
    h.srv.config.set_many([("proto-max-bulk-len", "1mb")])
    too_long = Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert h("setrange", "k", str(1 << 20), "x") == too_long
    assert h("setrange", "k", str((1 << 20) - 1), "x") == 1 << 20
    assert h("append", "k", "y") == too_long
    assert h("setbit", "b", str(8 << 20), "1") == Err("ERR bit offset is not an integer or out of range")
    h.client.is_master = True  # what the master sends is applied whatever the limit
    assert h("append", "k", "y") == (1 << 20) + 1
    assert h("setbit", "b", str(8 << 20), "1") == 0


def test_lcs_memory_limit(h):
    h.srv.config.set_many([("proto-max-bulk-len", "1mb")])
    h("set", "a", "x" * 600)
    h("set", "b", "y" * 600)
    assert h("lcs", "a", "b") == Err(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    h("set", "b", "x" * 400)
    assert h("lcs", "a", "b", "LEN") == 400


def test_lcs_resp3_map():
    h3 = Harness(resp=3)
    h3("mset", "a", "ohmytext", "b", "mynewtext")
    node = h3.raw("lcs", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")
    assert node.kind == "map"
    assert h3("lcs", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN") == {
        b"matches": [[[4, 7], [5, 8], 4]], b"len": 6}


def test_incrbyfloat_long_double(h):
    h("set", "f", "10.5")
    assert h("incrbyfloat", "f", "0.1") == b"10.6"
    h("set", "f", "0.1")
    assert h("incrbyfloat", "f", "0.2") == b"0.3"
    assert h("incrbyfloat", "f", "-0.3") == b"0"
    h("set", "f", "9223372036854775807")
    assert h("incrbyfloat", "f", "1") == b"9223372036854775808"
    assert h("incrbyfloat", "f", "inf") == Err("ERR increment would produce NaN or Infinity")
    assert h("incrbyfloat", "f", "1e5000") == Err("ERR value is not a valid float")
    assert h("incrbyfloat", "f", "1e-5000") == Err("ERR value is not a valid float")
    assert h("incrbyfloat", "g", "0e-5000") == b"0"
    assert h("incrbyfloat", "g", "0x1.8p1") == b"3"


def test_through_redis_py(r, r3):
    r.set("k", "v")
    assert r.getex("k", ex=100) == b"v"
    assert r.getdel("k") == b"v"
    assert r.setnx("k", "1") is True
    assert r.incrbyfloat("k", 0.5) == 1.5
    assert r.append("k", "0") == 4
    assert r.setrange("k", 1, "x") == 4
    assert r.getrange("k", 0, -1) == b"1x50"
    assert r.strlen("k") == 4
    assert r.msetnx({"a": "1", "b": "2"}) is True
    assert r.msetnx({"a": "1", "c": "2"}) is False
    assert r.lcs("a", "b") == b""
    assert r3.lcs("a", "a", idx=True, withmatchlen=True) == {b"matches": [[[0, 0], [0, 0], 1]], b"len": 1}
    assert r3.getset("a", "x") == b"1"


def test_writes_touch_the_key(h):
    """SET, APPEND, INCR ... look the key up for writing, which resets its idle time."""
    for cmd in [("set", "k", "v"), ("set", "k", "v", "XX"), ("append", "k", "x"), ("setrange", "k", "0", "y"),
                ("setbit", "k", "0", "1"), ("incrbyfloat", "k", "1"), ("incr", "k"), ("mset", "k", "1"),
                ("getset", "k", "2"), ("get", "k"), ("strlen", "k"), ("bitop", "or", "k", "k")]:
        h("set", "k", "1")
        h.srv.lru_clock += 100
        assert h("object", "idletime", "k") == 100
        h(*cmd)
        assert h("object", "idletime", "k") == 0, cmd
