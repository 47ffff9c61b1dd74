"""Sorted-set commands in-process (harness) and through redis-py: propagation rewrites,
blocked clients served by later writes, transactions, WATCH, notifications, encodings
and client-library round trips. Byte-exact replies against Redis are in
tests/differential/test_diff_sorted_set.py."""

from __future__ import annotations

import pytest
import redis
from harness import Err, Harness

from moredis.engine.types.zset import ZSet


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
    assert h("zadd", "z", "1", "a", "2", "b") == 2
    assert h("zscore", "z", "a") == 1.0  # captured as a double; RESP2 sends it as text
    assert h("zrange", "z", "0", "-1", "withscores") == [b"a", b"1", b"b", b"2"]  # RESP2: text
    assert h("zadd", "z", "xx", "nx", "1", "a") == Err("ERR XX and NX options at the same time are not compatible")
    assert h("zadd", "z", "incr", "1", "a", "1", "b") == Err("ERR INCR option supports a single increment-element pair")
    assert h("zadd", "z", "inf", "a") == 0
    assert h("zincrby", "z", "-inf", "a") == Err("ERR resulting score is not a number (NaN)")
    assert h("zunionstore", "d", "0", "z") == Err("ERR at least 1 input key is needed for 'zunionstore' command")
    assert h("zinter", "0", "z") == Err("ERR at least 1 input key is needed for 'zinter' command")
    assert h("zrangebyscore", "z", "x", "1") == Err("ERR min or max is not a float")
    assert h("zrangebylex", "z", "x", "+") == Err("ERR min or max not valid string range item")
    assert isinstance(value(h, "z"), ZSet)


def test_propagation_of_pops(h):
    h("zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e")
    h("zpopmin", "z")
    h("zpopmax", "z", "1")
    h("bzpopmin", "z", "0")
    h("bzpopmax", "nosuch", "z", "0")
    h("zmpop", "1", "z", "MIN", "COUNT", "5")
    h("zmpop", "1", "z", "MIN")  # nothing popped: nothing propagated
    h("zadd", "z", "1", "a", "2", "b", "3", "c")
    h("bzmpop", "0", "2", "nosuch", "z", "MAX", "COUNT", "2")
    h("zadd", "z", "1", "a")
    assert h.prop == [
        ["zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
        ["zpopmin", "z"],
        ["zpopmax", "z", "1"],
        ["ZPOPMIN", "z"],
        ["ZPOPMAX", "z"],
        ["ZPOPMIN", "z", "1"],
        ["zadd", "z", "1", "a", "2", "b", "3", "c"],
        ["ZPOPMAX", "z", "2"],
    ]  # the last ZADD changed nothing: not replicated


def test_blocked_client_served_after_the_write(h):
    """A blocked BZPOPMIN runs again once ZADD creates the key, and is replicated as the
    pop it became (after the ZADD)."""
    srv = h.srv
    waiter = srv.internal_client(2)
    srv.process_command(waiter, [b"BZPOPMIN", b"k", b"0"])
    assert waiter.blocked is not None
    assert waiter.w.replies == []
    assert h("zadd", "k", "2", "b", "1", "a") == 2
    assert waiter.blocked is None
    assert waiter.w.take().to_python() == [b"k", b"a", 1.0]
    assert h("zrange", "k", "0", "-1") == [b"b"]
    assert h.prop == [["zadd", "k", "2", "b", "1", "a"], ["ZPOPMIN", "k"]]
    # BZMPOP waiting on two keys, woken by the second
    srv.process_command(waiter, [b"BZMPOP", b"0", b"2", b"x", b"y", b"MAX", b"COUNT", b"5"])
    assert waiter.blocked is not None
    h("zadd", "y", "1", "a", "2", "b")
    assert waiter.w.take().to_python() == [b"y", [[b"b", 2.0], [b"a", 1.0]]]
    assert h("exists", "y") == 0
    assert h.prop[-1] == ["ZPOPMAX", "y", "2"]


def test_blocked_client_ignores_other_types(h):
    srv = h.srv
    waiter = srv.internal_client(2)
    srv.process_command(waiter, [b"BZPOPMAX", b"k", b"0"])
    h("set", "k", "str")
    assert waiter.blocked is not None and waiter.w.replies == []
    h("del", "k")
    h("zadd", "k", "5", "m")
    assert waiter.w.take().to_python() == [b"k", b"m", 5.0]


def test_deny_blocking_answers_the_timeout_reply(h):
    c = h.srv.internal_client(3)
    c.deny_blocking = True
    h.srv.process_command(c, [b"BZPOPMIN", b"k", b"0"])
    assert c.w.take().kind == "null_array"
    h.srv.process_command(c, [b"BZMPOP", b"0", b"1", b"k", b"MIN"])
    assert c.w.take().kind == "null_array"
    assert c.blocked is None


def test_transactions_and_watch(r):
    p = r.pipeline(transaction=True)
    p.zadd("z", {"a": 1})
    p.execute_command("BZPOPMIN", "nosuch", 0)
    p.zincrby("z", 2, "a")
    assert p.execute() == [1, None, 3.0]
    w = r.pipeline(transaction=True)
    w.watch("z")
    r.zadd("z", {"b": 1})
    w.multi()
    w.zcard("z")
    with pytest.raises(redis.WatchError):
        w.execute()
    w = r.pipeline(transaction=True)
    w.watch("z")
    r.zadd("z", {"b": 1})  # no change: the watch stays clean
    w.multi()
    w.zcard("z")
    assert w.execute() == [2]


def pairs(v):
    """redis-py gives (member, score) tuples on RESP2 and lists on RESP3."""
    return [tuple(x) for x in v]


def test_redis_py_round_trips(r, r3):
    for c in (r, r3):
        c.flushall()
        assert c.zadd("z", {"a": 1.5, "b": 2, "c": -3}) == 3
        assert pairs(c.zrange("z", 0, -1, withscores=True)) == [(b"c", -3.0), (b"a", 1.5), (b"b", 2.0)]
        assert pairs(c.zrevrange("z", 0, 0, withscores=True)) == [(b"b", 2.0)]
        assert c.zrangebyscore("z", "(1.5", "+inf") == [b"b"]
        assert c.zrank("z", "b") == 2 and c.zrevrank("z", "b") == 0
        assert c.zrank("z", "a", withscore=True) == [1, 1.5]
        assert c.zscore("z", "c") == -3.0
        assert c.zmscore("z", ["a", "x"]) == [1.5, None]
        assert c.zcount("z", 0, 5) == 2
        assert pairs(c.zpopmin("z", 1)) == [(b"c", -3.0)]
        assert pairs(c.zpopmax("z", 2)) == [(b"b", 2.0), (b"a", 1.5)]
        assert c.zadd("z", {"x": 1, "y": 2}) == 2
        assert tuple(c.bzpopmin("z", 1)) == (b"z", b"x", 1.0)
        assert c.zmpop(1, ["z"], max=True) == [b"z", [[b"y", 2.0 if c is r3 else b"2"]]]
        assert c.zadd("a", {"m": 1, "n": 2}) == 2
        assert c.zadd("b", {"n": 3, "o": 4}) == 2
        assert pairs(c.zunion(["a", "b"], withscores=True)) == [(b"m", 1.0), (b"o", 4.0), (b"n", 5.0)]
        assert pairs(c.zinter(["a", "b"], aggregate="MAX", withscores=True)) == [(b"n", 3.0)]
        assert c.zdiff(["a", "b"]) == [b"m"]
        assert c.zintercard(2, ["a", "b"]) == 1
        assert c.zunionstore("u", {"a": 2, "b": 1}) == 3
        assert pairs(c.zrange("u", 0, -1, withscores=True)) == [(b"m", 2.0), (b"o", 4.0), (b"n", 7.0)]
        assert c.zrangestore("s", "u", 1, 2) == 2
        assert sorted(c.zscan_iter("s")) == [(b"n", 7.0), (b"o", 4.0)]
        assert c.zrandmember("s") in (b"n", b"o")
        assert c.zremrangebyscore("u", "-inf", "(4") == 1
        assert c.zlexcount("u", "-", "+") == 2


def test_encodings_track_the_config(h):
    h.srv.config.set_many([("zset-max-listpack-entries", "2"), ("zset-max-listpack-value", "3")])
    h("zadd", "z", "1", "a", "2", "b")
    assert value(h, "z").encoding() == "listpack"
    h("zadd", "z", "3", "c")
    assert value(h, "z").encoding() == "skiplist"
    h("zadd", "y", "1", "abcd")
    assert value(h, "y").encoding() == "skiplist"
    h("zadd", "x", "1", "abc")
    assert value(h, "x").encoding() == "listpack"
    h("zrangestore", "d", "z", "0", "1")
    assert value(h, "d").encoding() == "listpack"
    h("zunionstore", "d", "2", "z", "x")
    assert value(h, "d").encoding() == "skiplist"


def test_notifications_and_dirty(h):
    events = []
    srv = h.srv
    srv.keyspace_listeners.append(lambda cls, event, key, dbid: events.append((event, key)))
    srv.module_notify_mask = -1
    srv._recompute_notify_mask()
    d0 = srv.dirty
    h("zadd", "z", "1", "a", "2", "b")
    h("zadd", "z", "1", "a")
    h("zrem", "z", "a", "b")
    h("zadd", "z", "1", "a")
    h("zincrby", "z", "1", "a")
    h("zremrangebyscore", "z", "0", "10")
    assert srv.dirty - d0 == 2 + 2 + 1 + 1 + 1
    assert [e for e in events if e[0] not in ("new",)] == [
        ("zadd", b"z"), ("zrem", b"z"), ("del", b"z"), ("zadd", b"z"), ("zincr", b"z"),
        ("zremrangebyscore", b"z"), ("del", b"z")]


def test_expired_key_is_gone_for_zset_commands(h):
    now = [1_000_000]
    h.srv.mstime = lambda: now[0]
    h("zadd", "z", "1", "a")
    h.srv.dbs[0].set_expire(b"z", now[0] + 100)
    assert h("zcard", "z") == 1
    now[0] += 101
    assert h("zcard", "z") == 0
    assert h("zadd", "z", "xx", "1", "a") == 0
    assert h("zrange", "z", "0", "-1") == []


def test_scan_of_big_set_survives_changes(h):
    h("zadd", "z", *[str(v) for i in range(300) for v in (i, f"m{i}")])
    seen = set()
    cursor = b"0"
    first = True
    while first or cursor != b"0":
        first = False
        cursor, items = h("zscan", "z", cursor, "count", "50")
        seen.update(items[::2])
        h("zrem", "z", "m299")  # deleted meanwhile: may or may not be returned
        h("zadd", "z", "1", "late")
    assert {b"m%d" % i for i in range(299)} <= seen
