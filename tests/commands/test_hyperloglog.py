"""HyperLogLog commands in-process (harness) and through redis-py: replies and errors,
what they replicate, dirty counts, notifications, how the value is held, expiry, WATCH,
the sparse limit, and that big batches stay fast. Byte-exact comparisons with Redis are
in tests/differential/test_diff_hyperloglog.py."""

from __future__ import annotations

import time

import pytest
import redis
from harness import Err, Harness

from moredis.engine import hll

NOT_HLL = Err("WRONGTYPE Key is not a valid HyperLogLog string value.")
CORRUPT = Err("INVALIDOBJ Corrupted HLL object detected")


@pytest.fixture
def h():
    """A harness whose propagated commands are recorded in h.prop."""
    hs = Harness()
    hs.prop = []
    hs.srv.propagators.append(
        lambda dbid, argvs: hs.prop.extend([[a.decode("latin-1") for a in argv] for argv in argvs]))
    return hs


def value(h, key: str):
    return h.srv.dbs[0].data.get(key.encode())


def test_harness_replies(h):
    assert h("pfadd", "h") == 1
    assert h("pfadd", "h") == 0
    assert h("pfadd", "h", "a", "b", "c") == 1
    assert h("pfadd", "h", "c", "a") == 0
    assert h("pfcount", "h") == 3
    assert h("pfcount", "nokey") == 0
    assert h("pfcount", "h", "nokey") == 3
    assert h("pfadd", "g", "c", "d") == 1
    assert h("pfcount", "h", "g") == 4
    assert h("pfmerge", "m", "h", "g") == b"OK"
    assert h("pfcount", "m") == 4
    assert h("pfmerge", "empty") == b"OK"
    assert h("pfcount", "empty") == 0
    assert h("pfdebug", "encoding", "m") == b"sparse"
    assert h("pfdebug", "decode", "h") == b"Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"
    assert h("pfdebug", "todense", "m") == 1
    assert h("pfdebug", "todense", "m") == 0
    assert h("pfdebug", "encoding", "m") == b"dense"
    assert h("pfdebug", "decode", "m") == Err("ERR HLL encoding is not sparse")
    regs = h("pfdebug", "getreg", "h")
    assert len(regs) == 16384 and (regs[8436], regs[12711], regs[15780]) == (1, 2, 1) and sum(regs) == 4
    assert h("pfdebug", "encoding", "h") == b"dense"
    assert h("pfdebug", "nope", "h") == Err("ERR Unknown PFDEBUG subcommand 'nope'")
    assert h("pfdebug", "getreg", "nokey") == Err("ERR The specified key does not exist")
    assert h("pfselftest") == b"OK"
    assert h("pfadd") == Err("ERR wrong number of arguments for 'pfadd' command")
    assert h("pfdebug", "getreg") == Err("ERR wrong number of arguments for 'pfdebug' command")


def test_type_errors(h):
    h("rpush", "l", "x")
    h("set", "s", "hello")
    h("set", "n", "12345678901234567890123")
    h("incr", "i")
    for key in ("s", "n", "i"):
        assert h("pfadd", key, "a") == NOT_HLL
        assert h("pfcount", key) == NOT_HLL
        assert h("pfmerge", "d", key) == NOT_HLL
    assert h("pfadd", "l", "a") == Err("WRONGTYPE Operation against a key holding the wrong kind of value")
    assert h("pfcount", "nokey", "l") == Err("WRONGTYPE Operation against a key holding the wrong kind of value")
    assert h("exists", "d") == 0
    h("set", "c", b"HYLL\x01" + bytes(10) + b"\x80\x7f\xfe")  # one register short, no cached count
    assert h("pfcount", "c") == CORRUPT
    assert h("pfcount", "c", "nokey") == CORRUPT
    assert h("pfmerge", "d", "c") == CORRUPT
    assert h("pfdebug", "todense", "c") == CORRUPT
    assert h("pfdebug", "decode", "c") == b"Z:16383"


def test_propagation_and_dirty(h):
    srv = h.srv
    d0 = srv.dirty
    h("pfadd", "h", "a", "b", "c", "a")  # creation + 3 registers
    assert srv.dirty - d0 == 4
    h("pfadd", "h", "a")
    h("pfcount", "h")  # recount: writes the cache
    h("pfcount", "h")  # cached
    h("pfcount", "h", "nokey")  # merged on the fly, nothing written
    h("pfmerge", "m", "h")
    h("pfdebug", "encoding", "m")
    h("pfdebug", "todense", "m")
    h("pfdebug", "todense", "m")
    h("pfdebug", "getreg", "h")
    h("pfadd", "s")
    h("set", "x", "y")
    h("pfadd", "x", "a")  # error: nothing
    assert h.prop == [["pfadd", "h", "a", "b", "c", "a"], ["pfcount", "h"], ["pfmerge", "m", "h"],
                      ["pfdebug", "todense", "m"], ["pfdebug", "getreg", "h"], ["pfadd", "s"], ["set", "x", "y"]]
    assert srv.dirty - d0 == 4 + 1 + 1 + 1 + 1 + 1 + 1


def test_notifications(h):
    events = []
    srv = h.srv
    srv.keyspace_listeners.append(lambda cls, event, key, dbid: events.append((event, key)))
    srv.module_notify_mask = -1
    srv._recompute_notify_mask()
    h("pfadd", "h", "a")
    h("pfadd", "h", "a")
    h("pfcount", "h")
    h("pfmerge", "m", "h")
    h("pfmerge", "m")
    h("pfdebug", "todense", "m")
    assert [e for e in events if e[0] not in ("new", "keymiss")] == [
        ("pfadd", b"h"), ("pfadd", b"m"), ("pfadd", b"m")]


def test_value_is_a_string_owned_by_the_key(h):
    h("pfadd", "h", "a")
    assert type(value(h, "h")) is bytearray
    assert h("type", "h") == b"string"
    assert h("object", "encoding", "h") == b"raw"
    h("set", "e", hll.EMPTY)
    assert h("object", "encoding", "e") == b"embstr"
    assert h("pfcount", "e") == 0  # counting unshares the value, as dbUnshareStringValue
    assert h("object", "encoding", "e") == b"raw"
    h("copy", "h", "h2")
    h("pfadd", "h2", "b")
    assert h("pfcount", "h") == 1 and h("pfcount", "h2") == 2
    n = len(value(h, "h"))
    assert h("append", "h", "x") == n + 1
    assert h("pfcount", "h") == 1  # the cached count still answers ...
    assert h("pfcount", "h", "nokey") == CORRUPT  # ... but "x" reads as an XZERO of 14337 registers


def test_expiry_and_ttl(h):
    now = [1_000_000]
    h.srv.mstime = lambda: now[0]
    h("pfadd", "h", "a")
    h.srv.dbs[0].set_expire(b"h", now[0] + 100)
    h("pfadd", "h", "b")
    h("pfmerge", "h", "h")
    h("pfcount", "h")
    assert h.srv.dbs[0].get_expire(b"h") == now[0] + 100
    now[0] += 101
    assert h("pfcount", "h") == 0
    assert h("pfadd", "h", "c") == 1
    assert h("pfcount", "h") == 1
    assert h.srv.dbs[0].get_expire(b"h") == -1


def test_sparse_limit_config(h):
    h("config", "set", "hll-sparse-max-bytes", "100")
    h("pfadd", "h", *[f"e{i}" for i in range(30)])
    assert h("pfdebug", "encoding", "h") == b"dense"
    h("config", "set", "hll-sparse-max-bytes", "3000")
    h("pfadd", "g", *[f"e{i}" for i in range(30)])
    assert h("pfdebug", "encoding", "g") == b"sparse"
    assert h("pfcount", "g") == h("pfcount", "h") == 30
    assert value(h, "h")[16:] != value(h, "g")[16:]
    h("pfdebug", "todense", "g")
    assert value(h, "h")[16:] == value(h, "g")[16:]


def test_big_batches_stay_fast(h):
    t = time.perf_counter()
    for i in range(0, 100_000, 10_000):
        assert h("pfadd", "big", *[b"x%d" % j for j in range(i, i + 10_000)]) == 1
    assert abs(h("pfcount", "big") - 100_000) < 2000
    for k in range(8):
        h("pfadd", f"k{k}", *[b"%d-%d" % (k, j) for j in range(3000)])
    for _ in range(20):
        h("pfcount", *[f"k{k}" for k in range(8)])
        h("pfmerge", "all", *[f"k{k}" for k in range(8)])
    assert abs(h("pfcount", "all") - 24_000) < 1000
    for i in range(2000):
        h("pfadd", "one", b"o%d" % i)
    assert abs(h("pfcount", "one") - 2000) < 50
    assert time.perf_counter() - t < 10


def test_watch_and_multi(r):
    r.pfadd("w", "a")
    with r.pipeline() as p:
        p.watch("w")
        assert p.pfcount("w") == 1  # a recount writes the cached value: WATCH breaks
        p.multi()
        p.ping()
        with pytest.raises(redis.WatchError):
            p.execute()
    with r.pipeline() as p:
        p.watch("w")
        assert p.pfcount("w") == 1  # cached now: nothing written
        p.multi()
        p.pfadd("w", "b")
        p.pfcount("w")
        assert p.execute() == [1, 2]


def test_redis_py_round_trips(r, r3):
    for c in (r, r3):
        c.delete("a", "b", "c")
        assert c.pfadd("a", "x", "y", "z") == 1
        assert c.pfadd("b", "z", "w") == 1
        assert c.pfcount("a") == 3
        assert c.pfcount("a", "b") == 4
        assert c.pfmerge("c", "a", "b") is True
        assert c.pfcount("c") == 4
        assert c.get("c").startswith(b"HYLL\x01")
        assert c.execute_command("PFSELFTEST") in (b"OK", "OK", True)
