"""Differential: the hash commands, field expiration included, answer byte for byte as
Redis 7.4 does (RESP2 and RESP3), with the same encodings, listpack order, keyspace
events and digests."""

import asyncio
import contextlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from respclient import RawClient, parse_reply

FAR = 4102444800  # 2100-01-01 in seconds: absolute times keep replies timing-free
FAR_MS = FAR * 1000


def on_loop(srv, fn):
    """Run fn() on moredis's own loop (the keyspace belongs to that thread)."""
    async def run():
        return fn()

    return asyncio.run_coroutine_threadsafe(run(), srv.core.loop).result(5)


def set_config(d, srv, name, value):
    on_loop(srv, lambda: srv.core.config.set_many([(name, value)]))
    assert d.theirs.call("CONFIG", "SET", name, value) == b"+OK\r\n"


@contextlib.contextmanager
def configured(d, srv, **kv):
    names = {k.replace("_", "-"): str(v) for k, v in kv.items()}
    old = {n: parse_reply(d.theirs.call("CONFIG", "GET", n))[1].decode() for n in names}
    try:
        for n, v in names.items():
            set_config(d, srv, n, v)
        yield
    finally:
        for n, v in old.items():
            set_config(d, srv, n, v)


@contextlib.contextmanager
def no_active_expire(d, srv):
    """Lazy expiry only, on both servers, so replies do not race the cron."""
    on_loop(srv, lambda: setattr(srv.core, "active_expire_enabled", False))
    assert d.theirs.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"+OK\r\n"
    try:
        yield
    finally:
        on_loop(srv, lambda: setattr(srv.core, "active_expire_enabled", True))
        d.theirs.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def _sub(port):
    c = RawClient(port=port)
    c.call("PSUBSCRIBE", "__key*__:*")
    return c


def _events(c):
    c.sock.sendall(RawClient.encode(("PING", "done")))
    out = []
    while True:
        m = c.read()
        if m[0] in (b"pong", "pong"):
            return out
        out.append((m[2], m[3]))


@contextlib.contextmanager
def events(d, srv, flags="KEA"):
    """Yield a function returning (moredis events, reference events) so far."""
    set_config(d, srv, "notify-keyspace-events", flags)
    subs = (_sub(d.mine.sock.getpeername()[1]), _sub(d.theirs.sock.getpeername()[1]))
    try:
        yield lambda: tuple(_events(s) for s in subs)
    finally:
        for s in subs:
            s.close()
        set_config(d, srv, "notify-keyspace-events", "")


def test_basic_commands(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("HSET", "h", "a", "1", "b", "2", "a", "3")
        x.check("HSET", "h", "c", "")
        x.check("HGETALL", "h")
        x.check("HMSET", "h", "d", "4", "e", "5")
        x.check("HSETNX", "h", "a", "x")
        x.check("HSETNX", "h", "f", "6")
        x.check("HGET", "h", "a")
        x.check("HGET", "h", "zz")
        x.check("HGET", "nokey", "a")
        x.check("HMGET", "h", "a", "zz", "c", "f")
        x.check("HMGET", "nokey", "a", "b")
        x.check("HLEN", "h")
        x.check("HLEN", "nokey")
        x.check("HSTRLEN", "h", "a")
        x.check("HSTRLEN", "h", "c")
        x.check("HSTRLEN", "h", "zz")
        x.check("HSTRLEN", "nokey", "zz")
        x.check("HEXISTS", "h", "a")
        x.check("HEXISTS", "h", "zz")
        x.check("HEXISTS", "nokey", "zz")
        x.check("HKEYS", "h")
        x.check("HVALS", "h")
        x.check("HKEYS", "nokey")
        x.check("HVALS", "nokey")
        x.check("HGETALL", "nokey")
        x.check("HDEL", "h", "a", "zz", "a", "b")
        x.check("HDEL", "h", "zz")
        x.check("HDEL", "nokey", "zz")
        x.check("HGETALL", "h")
        x.check("HDEL", "h", "c", "d", "e", "f", "g")
        x.check("EXISTS", "h")
        x.check("HSET", b"\x00\xff", b"f\x00", b"v\r\n")
        x.check("HGETALL", b"\x00\xff")
        x.check("TYPE", b"\x00\xff")


def test_wrong_type_and_arity(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("SET", "s", "v")
        for args in (("HGET", "s", "a"), ("HSET", "s", "a", "1"), ("HSETNX", "s", "a", "1"),
                     ("HMSET", "s", "a", "1"), ("HMGET", "s", "a"), ("HDEL", "s", "a"), ("HLEN", "s"),
                     ("HSTRLEN", "s", "a"), ("HEXISTS", "s", "a"), ("HKEYS", "s"), ("HVALS", "s"),
                     ("HGETALL", "s"), ("HINCRBY", "s", "a", "1"), ("HINCRBY", "s", "a", "x"),
                     ("HINCRBYFLOAT", "s", "a", "1"), ("HINCRBYFLOAT", "s", "a", "x"),
                     ("HRANDFIELD", "s"), ("HRANDFIELD", "s", "x"), ("HRANDFIELD", "s", "0"),
                     ("HRANDFIELD", "s", "1", "WITHVALUES"), ("HSCAN", "s", "0"), ("HSCAN", "s", "x"),
                     ("HSCAN", "s", "0", "BAD"), ("HEXPIRE", "s", "10", "FIELDS", "1", "a"),
                     ("HEXPIRE", "s", "x", "FIELDS", "0", "a"), ("HPERSIST", "s", "FIELDX", "1", "a"),
                     ("HTTL", "s", "FIELDS", "2", "a"), ("HPEXPIRETIME", "s", "FIELDS", "1", "a")):
            x.check(*args)
        for args in (("HSET", "h"), ("HSET", "h", "a"), ("HSET", "h", "a", "1", "b"), ("HMSET", "h", "a"),
                     ("HMSET", "h", "a", "1", "b"), ("HSETNX", "h", "a"), ("HSETNX", "h", "a", "1", "b"),
                     ("HGET", "h"), ("HMGET", "h"), ("HDEL", "h"), ("HLEN",), ("HKEYS", "h", "x"),
                     ("HINCRBY", "h", "a"), ("HINCRBYFLOAT", "h", "a", "1", "2"), ("HRANDFIELD",),
                     ("HSCAN", "h"), ("HEXPIRE", "h", "10", "FIELDS", "1"), ("HTTL", "h", "FIELDS", "1"),
                     ("HPERSIST", "h", "FIELDS"), ("HSTRLEN", "h"), ("HEXISTS", "h")):
            x.check(*args)
        x.check("EXISTS", "h")


def test_hincrby_and_hincrbyfloat(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("HSET", "h", "a", "1", "b", "x", "c", "1.5", "d", " 1", "e", "9223372036854775807",
                "f", "1e400", "g", "0x10", "i", "inf", "j", "01", "k", "-0", "l", "1e-400")
        for f in "abcdefgijklz":
            x.check("HINCRBY", "h", f, "1")
        for f in "abcdefgijklz":
            x.check("HINCRBYFLOAT", "h", f, "1")
        for incr in ("x", "", " 1", "1.0", "9223372036854775808", "-9223372036854775809"):
            x.check("HINCRBY", "h", "a", incr)
        x.check("HINCRBY", "h", "a", "9223372036854775807")
        x.check("HINCRBY", "h", "a", "-9223372036854775808")
        x.check("HINCRBY", "h", "m", "-9223372036854775808")
        x.check("HINCRBY", "h", "m", "-1")
        for incr in ("inf", "-inf", "nan", "", " 1", "x", "1e400", "0x1p3", "1e308", "5.0e3",
                     "0.1", "-0", "1e-400", "1" * 5200):
            x.check("HINCRBYFLOAT", "h", "q", incr)
        x.check("HINCRBYFLOAT", "h", "q", "1e308")
        x.check("HINCRBYFLOAT", "h", "r", "1.0e1")
        x.check("HINCRBYFLOAT", "h", "r", "-10")
        x.check("HINCRBYFLOAT", "nokey2", "r", "nan")
        x.check("EXISTS", "nokey2")
        x.check("OBJECT", "ENCODING", "h")  # the 401-digit sum made it a hashtable
        x.check_sorted("HGETALL", "h")


def test_encodings_and_listpack_order(d, srv):
    d.check("FLUSHALL")
    with configured(d, srv, hash_max_listpack_entries=2, hash_max_listpack_value=4):
        cases = [
            [("HSET", "h", "a", "1", "a", "2", "a", "3")],  # 3 pairs > 2: converted up front
            [("HSET", "h", "a", "1", "b", "2")],
            [("HSET", "h", "a", "1", "b", "2"), ("HSET", "h", "c", "1")],
            [("HSET", "h", "a", "1", "b", "2", "c", "3"), ("HDEL", "h", "c", "b")],
            [("HSET", "h", "a", "12345")],
            [("HSET", "h", "abcde", "1")],
            [("HSET", "h", "abcd", "1234")],
            [("HINCRBY", "h", "abcde", "1")],
            [("HINCRBY", "h", "a", "12345")],
            [("HINCRBYFLOAT", "h", "a", "1.2345")],
            [("HSETNX", "h", "a", "12345")],
            [("HSETNX", "h", "abcde", "1")],
            [("HSET", "h", "a", "1"), ("HSETNX", "h", "a", "12345")],
            [("HSET", "h", "a", "1"), ("HSET", "h", "b", "1", "a", "12345")],
            [("HSET", "h", "a", "1"), ("HEXPIRE", "h", "100", "FIELDS", "1", "a")],
            [("HSET", "h", "a", "1"), ("HEXPIRE", "h", "100", "FIELDS", "1", "a"), ("HSET", "h", "b", "1")],
            [("HSET", "h", "a", "1"), ("HEXPIRE", "h", "100", "FIELDS", "1", "a"),
             ("HSET", "h", "b", "1", "c", "1")],
            [("HSET", "h", "a", "1", "b", "1", "c", "1"), ("HEXPIRE", "h", "100", "FIELDS", "1", "a")],
            [("HSET", "h", "a", "1"), ("HPEXPIREAT", "h", str(FAR_MS), "FIELDS", "1", "a"),
             ("HPERSIST", "h", "FIELDS", "1", "a")],
            [("HSET", "h", "a", "1"), ("HEXPIRE", "h", "100", "XX", "FIELDS", "1", "a")],
            [("HSET", "h", "a", "1"), ("HEXPIRE", "h", "100", "FIELDS", "1", "zz")],
            [("HSET", "h", "a", "1"), ("HPERSIST", "h", "FIELDS", "1", "a")],
            [("HSET", "h", "a", "1"), ("HEXPIRE", "h", "100", "FIELDS", "1", "a"), ("HSET", "h", "a", "12345")],
        ]
        for case in cases:
            d.check("DEL", "h")
            for args in case:
                d.check(*args)
            if d.check("OBJECT", "ENCODING", "h") == b"$9\r\nhashtable\r\n":
                d.check_sorted("HGETALL", "h")  # a hashtable has no defined order
            else:
                d.check("HGETALL", "h")
    d.check("DEL", "h", "h2", "h3", "h4")
    for key in ("h", "h2", "h3", "h4"):
        d.check("HSET", key, "a", "1", "b", "2", "c", "3")
    with configured(d, srv, hash_max_listpack_entries=1):  # a lowered limit bites on any write
        for args in (("HSET", "h", "a", "5"), ("HINCRBY", "h2", "a", "1"), ("HEXPIRE", "h3", "100", "FIELDS", "1", "a"),
                     ("HSET", "h3", "a", "1"), ("HSETNX", "h4", "a", "1"), ("HDEL", "h4", "a")):
            d.check(*args)
            d.check("OBJECT", "ENCODING", args[1])
    with configured(d, srv, hash_max_listpack_entries=0):
        d.check("DEL", "h")
        d.check("HSET", "h", "a", "1")
        d.check("OBJECT", "ENCODING", "h")
    with configured(d, srv, hash_max_listpack_value=0):
        d.check("DEL", "h", "h2")
        d.check("HSET", "h", "a", "1")
        d.check("OBJECT", "ENCODING", "h")
        d.check("HSET", "h2", "", "")
        d.check("OBJECT", "ENCODING", "h2")
    d.check("DEL", "h")
    for i in range(513):
        d.check("HSET", "h", "f%d" % i, "v")
        if i in (0, 511, 512):
            d.check("OBJECT", "ENCODING", "h")


def test_listpack_ex_order(d, d3):
    """In a listpack with TTLs the fields are kept sorted by time, TTL-less ones last."""
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5")
        steps = [
            ("HPEXPIREAT", "h", FAR_MS + 100, "FIELDS", "1", "c"),
            ("HPEXPIREAT", "h", FAR_MS + 50, "FIELDS", "1", "a"),
            ("HPEXPIREAT", "h", FAR_MS + 200, "FIELDS", "1", "e"),
            ("HPEXPIREAT", "h", FAR_MS + 100, "FIELDS", "1", "b"),  # ties go before
            ("HPEXPIREAT", "h", FAR_MS + 100, "FIELDS", "1", "c"),  # same time: moves anyway
            ("HPERSIST", "h", "FIELDS", "1", "a"),  # to the end
            ("HSET", "h", "f", "6"),
            ("HSET", "h", "d", "7"),  # no TTL: in place
            ("HSET", "h", "c", "7"),  # loses its TTL: to the end
            ("HINCRBY", "h", "e", "1"),  # keeps TTL and place
            ("HPEXPIREAT", "h", FAR_MS + 10, "FIELDS", "3", "x", "f", "d"),
            ("HPEXPIREAT", "h", FAR_MS + 100, "GT", "FIELDS", "2", "f", "a"),
            ("HPEXPIREAT", "h", FAR_MS + 300, "LT", "FIELDS", "2", "a", "e"),
            ("HPEXPIREAT", "h", FAR_MS + 5, "NX", "FIELDS", "2", "a", "e"),
        ]
        for args in steps:
            x.check(*args)
            x.check("HKEYS", "h")
        x.check("HGETALL", "h")
        x.check("HSCAN", "h", "0")
        x.check("HRANDFIELD", "h", "100", "WITHVALUES")
        x.check("HPEXPIRETIME", "h", "FIELDS", "7", "a", "b", "c", "d", "e", "f", "nope")
        x.check("HEXPIRETIME", "h", "FIELDS", "3", "a", "e", "c")


def test_hexpire_family_replies_and_errors(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("HSET", "h", "a", "1", "b", "2", "c", "3")
        x.check("SET", "s", "v")
        for cmd in ("HEXPIRE", "HPEXPIRE", "HEXPIREAT", "HPEXPIREAT"):
            for t in ("9223372036854775807", "9223372036854775", "-1", "-9223372036854775808", "x", "1.5",
                      "70368744177", "70368744178", "70368744177663", "70368744177664"):
                x.check(cmd, "h", t, "XX", "FIELDS", "1", "zz")
            x.check(cmd, "h", "100", "FIELDS", "0", "a")
            x.check(cmd, "h", "100", "FIELDS", "-1", "a")
            x.check(cmd, "h", "100", "FIELDS", "abc", "a")
            x.check(cmd, "h", "100", "FIELDS", "01", "a")
            x.check(cmd, "h", "100", "FIELDS", "2", "a")
            x.check(cmd, "h", "100", "FIELDS", "1", "a", "b")
            x.check(cmd, "h", "100", "XFIELDS", "1", "a")
            x.check(cmd, "h", "100", "NX", "XX", "FIELDS", "1", "a")
            x.check(cmd, "h", "100", "FIELDS", "1", "a", "NX")
            x.check(cmd, "h", "100", b"nx\x00junk", b"fields\x00", "1", "zz")
            x.check(cmd, "nokey", "100", "FIELDS", "2", "a", "b")
            x.check(cmd, "nokey", "-1", "FIELDS", "2", "a", "b")
            x.check(cmd, "nokey", "100", "FIELDS", "2", "a")
            x.check(cmd, "s", "x", "FOO", "0")
        x.check("HPEXPIREAT", "h", str(FAR_MS), "FIELDS", "3", "a", "zz", "a")
        for cond in ("NX", "XX", "GT", "LT", "nx", "gT"):
            for when in (FAR_MS - 1, FAR_MS, FAR_MS + 1):
                x.check("HPEXPIREAT", "h", str(when), cond, "FIELDS", "3", "a", "b", "zz")
                x.check("HPEXPIRETIME", "h", "FIELDS", "3", "a", "b", "zz")
        for cmd in ("HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME", "HPERSIST"):
            x.check(cmd, "nokey", "FIELDS", "2", "a", "b")
            x.check(cmd, "nokey", "FIELDX", "1", "a")
            x.check(cmd, "nokey", "FIELDS", "2", "a")
            x.check(cmd, "nokey", "FIELDS", "0", "a")
            x.check(cmd, "h", "FIELDS", "x", "a")
            x.check(cmd, "h", "FIELDS", "-1", "a")
            x.check(cmd, "h", "FIELDS", "1", "a", "b")
            x.check(cmd, "h", b"fields\x00x", "1", "c")
            x.check(cmd, "h", "FIELDS", "3", "c", "zz", "c")
        x.check("HEXPIREAT", "h", str(FAR), "FIELDS", "1", "a")
        x.check("HEXPIRETIME", "h", "FIELDS", "2", "a", "b")
        x.check("HPEXPIREAT", "h", str(FAR_MS + 999), "FIELDS", "1", "a")
        x.check("HEXPIRETIME", "h", "FIELDS", "1", "a")
        x.check("HPEXPIREAT", "h", str(FAR_MS + 1), "FIELDS", "1", "a")
        x.check("HEXPIRETIME", "h", "FIELDS", "1", "a")
        x.check("HPERSIST", "h", "FIELDS", "3", "a", "b", "zz")
        x.check("HPERSIST", "h", "FIELDS", "3", "a", "b", "zz")
        x.check("HTTL", "h", "FIELDS", "2", "a", "zz")
        # times already past delete the fields (2), after the condition is checked
        x.check("HEXPIRE", "h", "0", "GT", "FIELDS", "1", "a")
        x.check("HEXPIRE", "h", "0", "NX", "FIELDS", "2", "a", "zz")
        x.check("HGETALL", "h")
        x.check("HPEXPIREAT", "h", "1", "FIELDS", "3", "b", "b", "c")
        x.check("EXISTS", "h")
        x.check("OBJECT", "ENCODING", "h")


def test_ttl_rounding(d):
    """HTTL rounds up; compared with a tolerance, the clocks of the two servers differ."""
    d.check("FLUSHALL")
    d.check("HSET", "h", "a", "1", "b", "2", "c", "3")
    for f, ms in (("a", "1500"), ("b", "1499"), ("c", "500")):
        d.check("HPEXPIRE", "h", ms, "FIELDS", "1", f)
    mine, theirs = (parse_reply(r) for r in d.both("HTTL", "h", "FIELDS", "4", "a", "b", "c", "zz"))
    assert mine == theirs == [2, 2, 1, -2]
    mine, theirs = (parse_reply(r) for r in d.both("HPTTL", "h", "FIELDS", "2", "a", "zz"))
    assert 1400 < mine[0] <= 1500 and 1400 < theirs[0] <= 1500 and mine[1] == theirs[1] == -2


def test_hrandfield(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("HSET", "h", "a", "1", "b", "2", "c", "3")
        x.check("HSET", "one", "x", "1")
        for args in (("0",), ("0", "WITHVALUES"), ("3",), ("5", "WITHVALUES"), ("-3", "WITHVALUE"),
                     ("1", "WITHVALUES", "x"), ("-9223372036854775808",), ("-9223372036854775807", "WITHVALUES"),
                     ("-4611686018427387904", "WITHVALUES"), ("4611686018427387904", "WITHVALUES"),
                     ("x",), ("1.0",), ("5", b"withvalues\x00x")):
            x.check("HRANDFIELD", "h", *args)
        for args in ((), ("5",), ("-5",), ("5", "WITHVALUES"), ("0",), ("-9223372036854775808",)):
            x.check("HRANDFIELD", "nokey", *args)
        for args in ((), ("1",), ("-4",), ("-4", "WITHVALUES"), ("1", "WITHVALUES"), ("2", "WITHVALUES"),
                     ("1", b"withvalues\x00x")):
            x.check("HRANDFIELD", "one", *args)


def _randfield_shape(x, key, count, withvalues, hashdict):
    args = ("HRANDFIELD", key, str(count)) + (("WITHVALUES",) if withvalues else ())
    replies = [parse_reply(r) for r in x.both(*args)]
    for rep in replies:
        n = abs(count) if count < 0 else min(count, len(hashdict))
        if withvalues and x.resp == 3:
            assert len(rep) == n and all(hashdict[f] == v for f, v in rep)
            fields = [f for f, _ in rep]
        elif withvalues:
            assert len(rep) == 2 * n
            fields = rep[::2]
            assert all(hashdict[f] == v for f, v in zip(fields, rep[1::2], strict=True))
        else:
            assert len(rep) == n
            fields = rep
        assert set(fields) <= set(hashdict)
        if count > 0:
            assert len(set(fields)) == n


@pytest.mark.parametrize("size", [5, 200, 1000])
def test_hrandfield_random_shapes(d, d3, size):
    for x in (d, d3):
        x.check("FLUSHALL")
        h = {b"f%d" % i: b"v%d" % i for i in range(size)}
        args = []
        for f, v in h.items():
            args += [f, v]
        x.check("HSET", "h", *args)
        for count in (1, 2, size - 1, size, size + 1, -1, -3, -(2 * size), size // 3, size // 2):
            for wv in (False, True):
                _randfield_shape(x, "h", count, wv, h)
        mine, theirs = (parse_reply(r) for r in x.both("HRANDFIELD", "h"))
        assert mine in h and theirs in h


def test_hscan(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("HSET", "h", "a", "1", "b", "2", "c", "3", "ab", "4")
        for args in (("0",), ("0", "NOVALUES"), ("0", "MATCH", "a*"), ("0", "MATCH", "a*", "NOVALUES"),
                     ("0", "COUNT", "1"), ("0", "COUNT", "0"), ("0", "COUNT", "-1"), ("0", "COUNT", "x"),
                     ("0", "COUNT"), ("0", "MATCH"), ("0", "FOO"), ("0", "TYPE", "string"), ("-1",),
                     ("18446744073709551615",), ("18446744073709551616",), ("1",), ("+0",), (" 0",), ("x",),
                     ("0", "MATCH", "a", "MATCH", "b"), ("0", "NOVALUES", "NOVALUES"),
                     ("0", "COUNT", "9223372036854775807"), ("0", b"count\x00", "5", b"novalues\x00z")):
            x.check("HSCAN", "h", *args)
        for args in (("0",), ("0", "FOO"), ("0", "COUNT", "0"), ("x",)):
            x.check("HSCAN", "nokey", *args)


def test_hscan_hashtable_full_iteration(d):
    d.check("FLUSHALL")
    args = []
    for i in range(700):
        args += ["f%d" % i, "v%d" % i]
    d.check("HSET", "h", *args)
    for c in (d.mine, d.theirs):
        seen = {}
        cursor = b"0"
        while True:
            cursor, items = parse_reply(c.call("HSCAN", "h", cursor, "COUNT", "50"))
            for i in range(0, len(items), 2):
                seen[items[i]] = items[i + 1]
            if cursor == b"0":
                break
        assert len(seen) == 700 and seen[b"f7"] == b"v7"
        cursor = b"0"
        fields = set()
        while True:
            cursor, items = parse_reply(c.call("HSCAN", "h", cursor, "MATCH", "f1*", "NOVALUES"))
            fields.update(items)
            if cursor == b"0":
                break
        assert fields == {b"f%d" % i for i in range(700) if str(i).startswith("1")}


def test_lazy_field_expiry(d, d3, srv):
    """Expired fields are never returned; reading one removes it, HGETALL/HSCAN only
    skip them, HLEN counts them until removed, HRANDFIELD removes them all first."""
    probes = [("HGETALL", "h"), ("HKEYS", "h"), ("HVALS", "h"), ("HSCAN", "h", "0"),
              ("HLEN", "h"), ("HRANDFIELD", "h", "-5"), ("HRANDFIELD", "h", "5"),
              ("HRANDFIELD", "h", "1", "WITHVALUES"), ("HRANDFIELD", "h"), ("HEXISTS", "h", "a"),
              ("HSTRLEN", "h", "a"), ("HGET", "h", "b"), ("HMGET", "h", "a", "b", "c", "d"),
              ("HINCRBY", "h", "a", "5"), ("HINCRBYFLOAT", "h", "a", "1.5"), ("HSETNX", "h", "a", "5"),
              ("HSET", "h", "a", "7"), ("HDEL", "h", "a", "b"), ("HTTL", "h", "FIELDS", "2", "a", "c"),
              ("HPERSIST", "h", "FIELDS", "2", "a", "c"), ("HEXPIRE", "h", "100", "FIELDS", "1", "a"),
              ("HEXPIRE", "h", "100", "NX", "FIELDS", "1", "a"), ("HEXPIRE", "h", "0", "FIELDS", "1", "a"),
              ("HINCRBY", "h", "a", "x"), ("COPY", "h", "h2"), ("OBJECT", "ENCODING", "h")]
    with no_active_expire(d, srv):
        for x in (d, d3):
            for fields in (("a", "b"), ("a", "b", "c")):
                for probe in probes:
                    x.check("DEL", "h", "h2")
                    x.check("HSET", "h", "a", "1", "b", "2", "c", "3")
                    x.check("HPEXPIRE", "h", "1", "FIELDS", str(len(fields)), *fields)
                    time.sleep(0.003)
                    x.check(*probe)
                    x.check("HLEN", "h")
                    x.check("HGETALL", "h")
                    x.check("EXISTS", "h")
                    x.check("HLEN", "h2")


def test_lazy_expiry_events(d, srv):
    cases = [("HGET", "h", "a"), ("HMGET", "h", "a", "b", "c"), ("HMGET", "h", "c", "a"),
             ("HMGET", "h", "zz"), ("HRANDFIELD", "h"), ("HRANDFIELD", "h", "-2"), ("HEXISTS", "h", "a"),
             ("HSTRLEN", "h", "c"), ("HINCRBY", "h", "a", "1"), ("HINCRBYFLOAT", "h", "b", "1"),
             ("HSETNX", "h", "a", "1"), ("HSET", "h", "a", "2"), ("HDEL", "h", "a", "b", "c"),
             ("HEXPIRE", "h", "0", "FIELDS", "2", "a", "c"), ("HEXPIRE", "h", "10", "FIELDS", "2", "a", "c"),
             ("HPERSIST", "h", "FIELDS", "1", "a"), ("HGETALL", "h"), ("HSCAN", "h", "0")]
    with no_active_expire(d, srv), events(d, srv) as got:
        d.check("FLUSHALL")
        for probe in cases:
            for fields in (("a",), ("a", "b"), ("a", "b", "c")):
                for key_fields in (("a", "1"), ("a", "1", "b", "2", "c", "3")):
                    d.check("DEL", "h")
                    d.check("HSET", "h", *key_fields)
                    d.check("HPEXPIRE", "h", "1", "FIELDS", str(len(fields)), *fields)
                    time.sleep(0.003)
                    if probe[0] == "HRANDFIELD":
                        d.both(*probe)  # which field comes back is random
                    else:
                        d.check(*probe)
                    d.check("EXISTS", "h")
        mine, theirs = got()
        assert mine == theirs
        assert (b"__keyevent@0__:hexpired", b"h") in mine


def test_keyspace_events(d, srv):
    script = [
        ("HSET", "h", "a", "1", "b", "2"), ("HSET", "h", "a", "1"), ("HMSET", "h", "c", "3"),
        ("HSETNX", "h", "a", "1"), ("HSETNX", "h", "d", "1"), ("HDEL", "h", "zz"), ("HDEL", "h", "d", "zz"),
        ("HINCRBY", "h", "n", "1"), ("HINCRBY", "h", "a", "x"), ("HINCRBYFLOAT", "h", "f", "1.5"),
        ("HEXPIRE", "h", "100", "FIELDS", "2", "a", "zz"), ("HEXPIRE", "h", "100", "NX", "FIELDS", "1", "a"),
        ("HPEXPIREAT", "h", str(FAR_MS), "FIELDS", "1", "b"), ("HPERSIST", "h", "FIELDS", "2", "a", "b"),
        ("HPERSIST", "h", "FIELDS", "1", "a"), ("HEXPIRE", "h", "0", "FIELDS", "2", "a", "zz"),
        ("HEXPIRE", "h", "0", "GT", "FIELDS", "1", "b"), ("HGET", "h", "b"), ("HRANDFIELD", "h"),
        ("HDEL", "h", "b", "c", "n", "f"), ("HSET", "h2", "x", "1"), ("HPEXPIREAT", "h2", "1", "FIELDS", "1", "x"),
        ("HSET", "h3", "x", "1"), ("HDEL", "h3", "x", "y"),
    ]
    with events(d, srv, "KEA") as got:
        d.check("FLUSHALL")
        for args in script:
            if args[0] == "HRANDFIELD":
                d.both(*args)  # a random field: only its events are compared
            else:
                d.check(*args)
        mine, theirs = got()
        assert mine == theirs
        assert (b"__keyevent@0__:hpersist", b"h") in mine


def test_active_field_expiry(d, srv):
    with events(d, srv, "Eh") as got:
        d.check("FLUSHALL")
        d.check("HSET", "h", "a", "1", "b", "2", "c", "3")
        d.check("HSET", "h2", "a", "1", "b", "2")
        d.check("HPEXPIRE", "h", "20", "FIELDS", "2", "a", "b")
        d.check("HPEXPIRE", "h2", "20", "FIELDS", "2", "a", "b")
        deadline = time.time() + 5
        while time.time() < deadline:
            time.sleep(0.05)
            if (d.mine.call("EXISTS", "h2"), d.theirs.call("EXISTS", "h2")) == (0, 0):
                break
        d.check("HLEN", "h")  # removed by the cron, not by a read
        d.check("EXISTS", "h2")
        mine, theirs = got()
        assert sorted(mine) == sorted(theirs)
        assert (b"__keyevent@0__:hexpired", b"h") in mine


def test_digests_match_redis(d, srv):
    """Our digest function against the reference's DEBUG DIGEST-VALUE."""
    from moredis.engine.digest import object_digest

    d.check("FLUSHALL")
    script = [
        ("HSET", "lp", "a", "1", "b", "2", "n", "12345"),
        ("HSET", "lpex", "a", "1", "b", "2"), ("HPEXPIREAT", "lpex", str(FAR_MS), "FIELDS", "1", "a"),
        ("HSET", "lpex2", "a", "1"), ("HPEXPIREAT", "lpex2", str(FAR_MS), "FIELDS", "1", "a"),
        ("HPERSIST", "lpex2", "FIELDS", "1", "a"),
        ("HSET", "ht", "big", "x" * 100, "c", "3"), ("HEXPIREAT", "ht", str(FAR), "FIELDS", "1", "c"),
        ("HSET", "vol", "a", "1"), ("EXPIREAT", "vol", str(FAR)),
    ]
    for args in script:
        d.check(*args)
    for key in (b"lp", b"lpex", b"lpex2", b"ht", b"vol"):
        theirs = parse_reply(d.theirs.call("DEBUG", "DIGEST-VALUE", key))[0]

        def mine(key=key):
            db = srv.core.dbs[0]
            return object_digest(db, key, db.data[key]).hex().encode()

        assert on_loop(srv, mine) == theirs, key


def _dataset(c):
    """Every key read back, field TTLs and encodings included."""
    out = {}

    def call(*args):
        return parse_reply(c.call(*args))

    for key in call("KEYS", "*"):
        if call("TYPE", key) != b"hash":
            out[key] = call("GET", key)
            continue
        fields = call("HKEYS", key)
        times = call("HPEXPIRETIME", key, "FIELDS", str(len(fields)), *fields) if fields else []
        out[key] = (call("HGETALL", key) if call("OBJECT", "ENCODING", key) != b"hashtable"
                    else sorted(call("HGETALL", key)), call("OBJECT", "ENCODING", key),
                    sorted(zip(fields, times, strict=True)), call("HLEN", key))
    return out


_FIELDS = st.sampled_from(["a", "b", "c", "d", "e", "123", "x" * 70])
_VALUES = st.sampled_from(["1", "-5", "0", "1.5", "abc", "", "9223372036854775807", "y" * 70, "1e3"])
_KEYS = st.sampled_from(["h1", "h2", "s"])
_WHEN = st.sampled_from([str(FAR_MS), str(FAR_MS + 1), str(FAR_MS - 1000), "1", "0", "-1", str(FAR_MS + 5)])


def _commands():
    f = _FIELDS
    return st.one_of(
        st.tuples(st.just("HSET"), _KEYS, f, _VALUES),
        st.tuples(st.just("HSET"), _KEYS, f, _VALUES, f, _VALUES),
        st.tuples(st.just("HMSET"), _KEYS, f, _VALUES),
        st.tuples(st.just("HSETNX"), _KEYS, f, _VALUES),
        st.tuples(st.just("HGET"), _KEYS, f),
        st.tuples(st.just("HMGET"), _KEYS, f, f),
        st.tuples(st.just("HDEL"), _KEYS, f, f),
        st.tuples(st.sampled_from(["HLEN", "HKEYS", "HVALS", "HGETALL"]), _KEYS),
        st.tuples(st.sampled_from(["HSTRLEN", "HEXISTS"]), _KEYS, f),
        st.tuples(st.just("HINCRBY"), _KEYS, f, st.sampled_from(["1", "-3", "x", "9223372036854775807"])),
        st.tuples(st.just("HINCRBYFLOAT"), _KEYS, f, st.sampled_from(["1.5", "-2", "x", "1e308", "inf"])),
        st.tuples(st.just("HPEXPIREAT"), _KEYS, _WHEN, st.sampled_from(["", "NX", "XX", "GT", "LT"]),
                  st.just("FIELDS"), st.just("2"), f, f),
        st.tuples(st.sampled_from(["HPERSIST", "HPEXPIRETIME", "HEXPIRETIME"]), _KEYS, st.just("FIELDS"),
                  st.just("2"), f, f),
        st.tuples(st.just("HRANDFIELD"), _KEYS, st.sampled_from(["3", "100", "-2", "0"]),
                  st.sampled_from(["WITHVALUES", "x"])),
        st.tuples(st.just("HSCAN"), _KEYS, st.just("0"), st.sampled_from(["NOVALUES", "MATCH"]),
                  st.sampled_from(["1", "*"])),
        st.tuples(st.just("SET"), _KEYS, _VALUES),
        st.tuples(st.just("DEL"), _KEYS),
    )


def _unordered(v):
    if isinstance(v, Exception):  # hiredis error objects do not compare equal
        return ("error", str(v))
    if isinstance(v, list) and len(v) == 2 and isinstance(v[1], list):  # HSCAN
        return [v[0], sorted(v[1])]
    return sorted(v, key=repr) if isinstance(v, list) else v


def _run_sequence(d, cmds):
    d.check("FLUSHALL")
    for args in cmds:
        args = tuple(a for a in args if a != "")
        if args[0] == "HRANDFIELD" and args[2] in ("-2", "3"):
            d.both(*args)  # random picks: compared through the final dataset only
            continue
        if args[0] == "HSCAN" and args[3] == "NOVALUES":
            args = args[:4]
        if args[0] in ("HGETALL", "HKEYS", "HVALS", "HSCAN", "HRANDFIELD") and \
                parse_reply(d.theirs.call("OBJECT", "ENCODING", args[1])) == b"hashtable":
            mine, theirs = (parse_reply(r) for r in d.both(*args))
            assert _unordered(mine) == _unordered(theirs), args  # a hashtable has no order
            continue
        d.check(*args)
    assert _dataset(d.mine) == _dataset(d.theirs)
    d.check("DEBUG", "DIGEST")


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=5, max_size=40))
def test_random_hash_sequences(d, srv, cmds):
    with configured(d, srv, hash_max_listpack_entries=4):
        _run_sequence(d, cmds)


@pytest.mark.slow
@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=5, max_size=120))
def test_random_hash_sequences_long(d, srv, cmds):
    with configured(d, srv, hash_max_listpack_entries=4):
        _run_sequence(d, cmds)
