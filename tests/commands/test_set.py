"""Set commands in-process (harness) and through redis-py: what SPOP replicates, dirty
counts, keyspace events, keyspace hits and misses, encodings following the config,
expiry, WATCH, SSCAN over big sets, big sets staying fast, client-library round trips.
Byte-exact replies against Redis are in tests/differential/test_diff_set.py."""

from __future__ import annotations

import time

import pytest
import redis
from harness import Err, Harness

from moredis.engine.types.set import HASHTABLE, INTSET, LISTPACK, Set

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


@pytest.fixture
def h():
    """A harness whose propagated commands are recorded in h.prop."""
    hs = Harness()
    hs.prop = []
    hs.srv.propagators.append(lambda dbid, argvs: hs.prop.append([list(a) for a in argvs]))
    return hs


def value(h, key: str) -> Set | None:
    return h.srv.dbs[0].data.get(key.encode())


def test_harness_replies(h):
    assert h("sadd", "s", "3", "1", "2", "1") == 3
    assert h("smembers", "s") == [b"1", b"2", b"3"]
    assert h("sadd", "l", "b", "a") == 2
    assert h("smembers", "l") == [b"b", b"a"]
    assert h("sismember", "s", "1") == 1 and h("sismember", "s", "01") == 0
    assert h("smismember", "s", "1", "9", "3") == [1, 0, 1]
    assert h("scard", "s") == 3 and h("scard", "nokey") == 0
    assert h("srem", "s", "1", "1", "9") == 1
    assert h("smove", "s", "l", "2") == 1
    assert h("smembers", "l") == [b"b", b"a", b"2"]
    assert h("sinter", "s", "l") == []
    assert h("sunion", "s", "l") == [b"3", b"b", b"a", b"2"]
    assert h("sdiff", "l", "s") == [b"b", b"a", b"2"]
    assert h("sintercard", "2", "l", "l", "limit", "2") == 2
    assert h("srandmember", "nokey") is None and h("spop", "nokey") is None
    assert h("srandmember", "nokey", "-3") == [] and h("spop", "nokey", "3") == []
    assert h("spop", "s", "-1") == Err("ERR value is out of range, must be positive")
    assert h("srandmember", "s", "1", "2") == Err("ERR syntax error")
    assert h("sintercard", "0", "s") == Err("ERR numkeys should be greater than 0")
    assert h("sintercard", "2", "s") == Err("ERR Number of keys can't be greater than number of args")
    assert h("sscan", "l", "0", "novalues") == Err("ERR NOVALUES option can only be used in HSCAN")
    h("set", "str", "x")
    for cmd in (("sadd", "str", "a"), ("srem", "str", "a"), ("scard", "str"), ("smembers", "str"),
                ("sismember", "str", "a"), ("spop", "str"), ("srandmember", "str", "2"),
                ("sinter", "l", "str"), ("sunionstore", "d", "l", "str"), ("smove", "l", "str", "a"),
                ("sscan", "str", "0")):
        assert h(*cmd) == Err(WRONGTYPE), cmd
    assert h("smove", "nokey", "str", "a") == 0  # no source: no type check of the destination


def test_resp3_shapes():
    h3 = Harness(resp=3)
    h3("sadd", "s", "1", "2")
    assert h3.raw("smembers", "s").kind == "set"
    assert h3.raw("smembers", "nokey").kind == "set"
    assert h3.raw("sinter", "s", "nokey").kind == "set"
    assert h3.raw("sunion", "s").kind == "set"
    assert h3.raw("spop", "s", "0").kind == "set"
    assert h3.raw("srandmember", "s", "2").kind == "array"
    assert h3.raw("srandmember", "nokey").kind == "null"
    assert h3.raw("smismember", "s", "1").kind == "array"
    assert h3.raw("sscan", "s", "0").kind == "array"


def test_spop_propagates_srem_or_del(h):
    h("sadd", "s", "a", "b", "c")
    member = h("spop", "s")
    assert h.prop[-1] == [[b"SREM", b"s", member]]
    h("sadd", "p", *[f"m{i}" for i in range(20)])
    popped = h("spop", "p", "3")  # few popped: drawn one by one (a listpack keeps its order)
    assert h.prop[-1] == [[b"SREM", b"p", *popped]]
    popped = h("spop", "p", "15")  # few kept: the survivors are drawn instead
    assert h.prop[-1] == [[b"SREM", b"p", *popped]] and h("scard", "p") == 2
    n = len(h.prop)
    assert h("spop", "p", "0") == [] and h("spop", "nokey", "5") == [] and h("spop", "nokey") is None
    assert len(h.prop) == n
    h("spop", "p", "2")
    assert h.prop[-1] == [[b"DEL", b"p"]]
    h("config", "set", "lazyfree-lazy-server-del", "yes")
    h("sadd", "q", "1", "2")
    h("spop", "q", "5")
    assert h.prop[-1] == [[b"UNLINK", b"q"]]
    h("config", "set", "lazyfree-lazy-server-del", "no")
    h("spop", "s", "1")
    h("spop", "s", "1")
    assert h.prop[-1] == [[b"DEL", b"s"]]


def test_spop_with_a_big_count_replicates_in_batches_of_1024(h):
    h("sadd", "h", *[f"m{i}" for i in range(3000)])
    popped = h("spop", "h", "2100")
    batches = h.prop[-1]
    assert [len(b) - 2 for b in batches] == [1024, 1024, 52]
    assert all(b[:2] == [b"SREM", b"h"] for b in batches)
    assert [m for b in batches for m in b[2:]] == popped
    assert h("scard", "h") == 900 and not set(popped) & set(h("smembers", "h"))
    popped = h("spop", "h", "850")  # kept few: the survivors become a listpack
    assert sum(len(b) - 2 for b in h.prop[-1]) == 850
    assert h("object", "encoding", "h") == b"listpack" and h("scard", "h") == 50


def test_other_writes_propagate_as_received(h):
    h("sadd", "s", "a", "b")
    assert h.prop[-1] == [[b"sadd", b"s", b"a", b"b"]]
    n = len(h.prop)
    h("sadd", "s", "a")  # nothing changed: nothing propagated
    h("srem", "s", "zz")
    h("smove", "s", "s", "a")
    h("smove", "nokey", "d", "a")
    h("sinterstore", "d", "s", "nokey")  # d did not exist: no change
    assert len(h.prop) == n
    h("smove", "s", "d", "a")
    h("sunionstore", "u", "s", "d")
    assert h.prop[-2:] == [[[b"smove", b"s", b"d", b"a"]], [[b"sunionstore", b"u", b"s", b"d"]]]


def test_dirty_counts_and_notifications(h):
    events = []
    srv = h.srv
    srv.keyspace_listeners.append(lambda cls, event, key, dbid: events.append((event, key)))
    srv.module_notify_mask = -1
    srv._recompute_notify_mask()
    d0 = srv.dirty
    h("sadd", "s", "a", "b", "c", "a")      # 3
    h("sadd", "s", "a")                     # 0
    h("srem", "s", "a", "zz")               # 1
    h("smove", "s", "t", "b")               # 2 (removed, added)
    h("sadd", "t", "c")
    h("smove", "s", "t", "c")               # 1 (t had c) and s is gone
    h("spop", "t")                          # 1
    h("sadd", "u", "1", "2", "3")           # 3
    h("spop", "u", "2")                     # 2
    h("spop", "u", "5")                     # 1 (all that was left)
    h("sadd", "a", "1", "2")                # 2
    h("sinterstore", "d", "a", "a")         # 1
    h("sinterstore", "d", "a", "nokey")     # 1 (d deleted)
    h("sunionstore", "d", "a")              # 1
    h("sdiffstore", "d", "a", "a")          # 1 (d deleted)
    h("sdiffstore", "d", "a", "a")          # 0
    assert srv.dirty - d0 == 3 + 1 + 2 + 1 + 1 + 1 + 3 + 2 + 1 + 2 + 1 + 1 + 1 + 1
    evs = [e for e in events if e[0] not in ("new", "keymiss")]
    assert evs[:6] == [("sadd", b"s"), ("srem", b"s"), ("srem", b"s"), ("sadd", b"t"), ("sadd", b"t"),
                       ("srem", b"s")]
    assert evs[6] == ("del", b"s")  # the emptied source goes before anything about t
    assert evs[7:] == [
        ("spop", b"t"), ("sadd", b"u"), ("spop", b"u"), ("spop", b"u"), ("del", b"u"), ("sadd", b"a"),
        ("sinterstore", b"d"), ("del", b"d"), ("sunionstore", b"d"), ("del", b"d")]
    assert h("exists", "t") == 1  # t kept one member after its SPOP


def test_keyspace_hits_and_misses(h):
    srv = h.srv
    h("sadd", "s", "a")
    h("set", "str", "x")
    hits, misses = srv.stat_keyspace_hits, srv.stat_keyspace_misses
    h("sismember", "s", "a")
    h("scard", "nokey")
    h("sinter", "s", "nokey", "s")              # 2 hits, 1 miss
    h("sunion", "nokey", "str", "s")            # miss, hit, then WRONGTYPE stops the lookups
    h("srandmember", "s", "x")                  # a bad count answers before the lookup
    h("sintercard", "2", "s", "nokey")
    assert (srv.stat_keyspace_hits - hits, srv.stat_keyspace_misses - misses) == (1 + 2 + 1 + 1, 1 + 1 + 1 + 1)
    h("spop", "nokey")  # write lookups count neither
    h("srem", "s", "zz")
    h("smove", "s", "t", "a")
    assert (srv.stat_keyspace_hits - hits, srv.stat_keyspace_misses - misses) == (5, 4)


def test_encodings_track_the_config(h):
    h("config", "set", "set-max-intset-entries", "4")
    h("sadd", "i", "1", "2", "3", "4")
    assert value(h, "i").enc == INTSET
    h("sadd", "i", "5")
    assert value(h, "i").enc == HASHTABLE
    h("config", "set", "set-max-listpack-entries", "2")
    h("sadd", "l", "a", "b")
    assert value(h, "l").enc == LISTPACK
    h("sadd", "l", "c")
    assert h("object", "encoding", "l") == b"hashtable"
    h("config", "set", "set-max-listpack-value", "3")
    h("sadd", "v", "abc")
    h("sadd", "v", "abcd")
    assert h("object", "encoding", "v") == b"hashtable"
    h("config", "set", "set-max-listpack-entries", "128")
    h("sadd", "w", "1", "2")
    h("sadd", "w", "abcd")  # too long for a listpack: the intset becomes a hashtable
    assert h("object", "encoding", "w") == b"hashtable"


def test_expired_set_is_gone(h):
    now = [1_000_000]
    h.srv.mstime = lambda: now[0]
    h("sadd", "s", "a")
    h("sadd", "d", "x")
    h.srv.dbs[0].set_expire(b"s", now[0] + 100)
    h.srv.dbs[0].set_expire(b"d", now[0] + 100)
    assert h("scard", "s") == 1
    assert h("sunionstore", "d", "s") == 1
    assert h.srv.dbs[0].get_expire(b"d") == -1  # the stored result has no TTL
    now[0] += 101
    assert h("scard", "s") == 0 and h("smembers", "s") == []
    assert h("sadd", "s", "b") == 1 and h("smembers", "s") == [b"b"]
    assert h.srv.dbs[0].get_expire(b"s") == -1


def test_sscan_walks_a_big_set_completely_while_it_changes(h):
    members = [f"m{i}" for i in range(2000)]
    h("sadd", "s", *members)
    cursor = b"0"
    seen = []
    rounds = 0
    while True:
        cursor, batch = h("sscan", "s", cursor, "COUNT", "100")
        seen.extend(batch)
        rounds += 1
        if rounds == 3:
            h("srem", "s", "m1999", "m1998")
            h("sadd", "s", "new")
        if cursor == b"0":
            break
    assert 15 <= rounds <= 25
    got = set(seen)
    assert got >= {m.encode() for m in members[:1998]}
    assert b"m1999" not in got or b"m1999" in seen[:300]
    cursor, batch = h("sscan", "s", "0", "MATCH", "m1?", "COUNT", "5000")
    assert cursor == b"0" and sorted(batch) == [b"m1%d" % i for i in range(10)]
    h("sadd", "small", "b", "a", "c")
    assert h("sscan", "small", "0", "COUNT", "1") == [b"0", [b"b", b"a", b"c"]]
    assert h("sscan", "small", "0", "MATCH", "[ab]") == [b"0", [b"b", b"a"]]


def test_big_sets_stay_fast(h):
    n = 100_000
    for i in range(0, n, 1000):
        h("sadd", "s", *[f"m{j}" for j in range(i, i + 1000)])
    h("sadd", "t", *[f"m{j}" for j in range(0, n, 2)])
    t = time.perf_counter()
    for _ in range(2000):
        h("spop", "s")
        h("srandmember", "s")
    h("srandmember", "s", "100")
    h("srandmember", "s", "-100")
    assert len(h("spop", "s", "100")) == 100
    assert h("sintercard", "2", "s", "t", "LIMIT", "10") == 10
    assert time.perf_counter() - t < 3.0
    assert h("scard", "s") == n - 2100


def test_transactions_and_watch(r):
    r.sadd("w", "x")
    other = redis.Redis(port=r.connection_pool.connection_kwargs["port"])
    with r.pipeline() as p:
        p.watch("w")
        other.sadd("w", "x")  # no change: the watch holds
        other.srem("w", "nope")
        p.multi()
        p.scard("w")
        assert p.execute() == [1]
    with r.pipeline() as p:
        p.watch("w")
        other.sadd("w", "y")
        p.multi()
        p.scard("w")
        with pytest.raises(redis.WatchError):
            p.execute()
    with r.pipeline() as p:
        p.watch("d")
        other.sinterstore("d", ["w", "nokey"])  # d did not exist: not touched
        p.multi()
        p.exists("d")
        assert p.execute() == [0]
    with r.pipeline() as p:
        p.watch("w")
        other.spop("w")
        p.multi()
        p.scard("w")
        with pytest.raises(redis.WatchError):
            p.execute()
    other.close()


def test_redis_py_round_trips(r, r3):
    for c in (r, r3):
        c.delete("s", "t", "d")
        assert c.sadd("s", 1, 2, 3) == 3
        assert c.smembers("s") == {b"1", b"2", b"3"}
        assert c.sadd("t", 3, "x") == 2
        assert c.sinter("s", "t") == {b"3"}
        assert c.sunion("s", "t") == {b"1", b"2", b"3", b"x"}
        assert c.sdiff("s", "t") == {b"1", b"2"}
        assert c.sintercard(2, ["s", "t"]) == 1
        assert c.sinterstore("d", ["s", "t"]) == 1
        assert c.smismember("s", [1, 5]) == [1, 0]
        assert c.sismember("s", 1) == 1
        assert c.srandmember("s") in {b"1", b"2", b"3"}
        assert len(c.srandmember("s", -5)) == 5
        assert c.smove("s", "t", 1) is True
        assert sorted(c.spop("s", 5)) == [b"2", b"3"]
        assert c.exists("s") == 0
        assert c.sscan("t") == (0, [b"3", b"x", b"1"])
