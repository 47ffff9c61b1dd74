"""List commands in-process (harness) and through redis-py: propagation rewrites,
blocked clients served by later writes, deny-blocking, dirty counts, notifications,
encodings, expiry, WATCH and client-library round trips. Byte-exact replies against
Redis are in tests/differential/test_diff_list.py."""

from __future__ import annotations

import time

import pytest
import redis
from harness import Err, Harness

from moredis.engine.types.list import ListpackList, QuicklistList


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
    assert h("rpush", "l", "a", "b", "c") == 3
    assert h("lpush", "l", "z") == 4
    assert h("lrange", "l", "0", "-1") == [b"z", b"a", b"b", b"c"]
    assert h("lpop", "l", "2") == [b"z", b"a"]
    assert h("rpop", "l") == b"c"
    assert h("lpop", "l", "0") == []
    assert h("lpop", "l", "-1") == Err("ERR value is out of range, must be positive")
    assert h("lpop", "l", "1", "2") == Err("ERR wrong number of arguments for 'lpop' command")
    assert h("lset", "nokey", "0", "x") == Err("ERR no such key")
    assert h("lset", "l", "5", "x") == Err("ERR index out of range")
    assert h("linsert", "l", "before", "nope", "x") == -1
    assert h("lpos", "l", "b", "rank", "0") == Err(
        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
        "or use negative to start from the end of the list")
    assert h("lmpop", "0", "l", "left") == Err("ERR numkeys should be greater than 0")
    assert h("blpop", "l", "-1") == Err("ERR timeout is negative")
    assert h("blpop", "l", "inf") == Err("ERR timeout is out of range")
    h("set", "s", "x")
    assert h("llen", "s") == Err("WRONGTYPE Operation against a key holding the wrong kind of value")
    assert isinstance(value(h, "l"), ListpackList)


def test_propagation_of_pops_and_moves(h):
    h("rpush", "l", "1", "2", "3", "4", "5", "6", "7", "8")
    h("lpop", "l")
    h("blpop", "nosuch", "l", "0")
    h("brpop", "l", "0")
    h("lmpop", "1", "l", "LEFT", "COUNT", "2")
    h("blmpop", "0", "1", "l", "RIGHT", "COUNT", "100")  # only 3 left: replicated as 3
    h("lmpop", "1", "l", "LEFT")  # nothing popped: nothing propagated
    h("rpush", "a", "x", "y")
    h("blmove", "a", "b", "left", "RIGHT", "0")
    h("brpoplpush", "a", "b", "0")
    h("lmove", "b", "b", "LEFT", "LEFT")
    h("ltrim", "b", "0", "-1")  # removes nothing: not replicated
    h("lrem", "b", "0", "nope")
    h("linsert", "b", "BEFORE", "nope", "x")
    h("lpop", "nosuch")
    assert h.prop == [
        ["rpush", "l", "1", "2", "3", "4", "5", "6", "7", "8"],
        ["lpop", "l"],
        ["LPOP", "l"],
        ["RPOP", "l"],
        ["LPOP", "l", "2"],
        ["RPOP", "l", "3"],
        ["rpush", "a", "x", "y"],
        ["LMOVE", "a", "b", "left", "RIGHT"],
        ["RPOPLPUSH", "a", "b"],
        ["lmove", "b", "b", "LEFT", "LEFT"],
    ]


def test_blocked_client_served_after_the_write(h):
    """A blocked BLPOP runs again once RPUSH creates the key, and is replicated as the
    LPOP it became (after the RPUSH)."""
    srv = h.srv
    waiter = srv.internal_client(2)
    srv.process_command(waiter, [b"BLPOP", b"k1", b"k2", b"0"])
    assert waiter.blocked is not None
    assert waiter.w.replies == []
    assert h("rpush", "k2", "a", "b") == 2
    assert waiter.blocked is None
    assert waiter.w.take().to_python() == [b"k2", b"a"]
    assert h("lrange", "k2", "0", "-1") == [b"b"]
    assert h.prop == [["rpush", "k2", "a", "b"], ["LPOP", "k2"]]
    # BLMOVE waits on its source; the destination is created by the move
    srv.process_command(waiter, [b"BLMOVE", b"src", b"dst", b"RIGHT", b"LEFT", b"0"])
    assert waiter.blocked is not None
    h("rpush", "src", "1", "2")
    assert waiter.w.take().to_python() == b"2"
    assert h("lrange", "dst", "0", "-1") == [b"2"]
    assert h.prop[-1] == ["LMOVE", "src", "dst", "RIGHT", "LEFT"]
    # BLMPOP waiting on two keys, woken by the second
    srv.process_command(waiter, [b"BLMPOP", b"0", b"2", b"x", b"y", b"RIGHT", b"COUNT", b"5"])
    h("rpush", "y", "1", "2")
    assert waiter.w.take().to_python() == [b"y", [b"2", b"1"]]
    assert h("exists", "y") == 0
    assert h.prop[-1] == ["RPOP", "y", "2"]


def test_blocked_clients_served_in_arrival_order(h):
    srv = h.srv
    w1, w2, w3 = (srv.internal_client(2) for _ in range(3))
    srv.process_command(w1, [b"BRPOP", b"k", b"0"])
    srv.process_command(w2, [b"BLPOP", b"k", b"0"])
    srv.process_command(w3, [b"BLPOP", b"k", b"0"])
    h("rpush", "k", "a", "b")
    assert w1.w.take().to_python() == [b"k", b"b"]
    assert w2.w.take().to_python() == [b"k", b"a"]
    assert w3.blocked is not None and w3.w.replies == []
    h("lpush", "k", "c")
    assert w3.w.take().to_python() == [b"k", b"c"]


def test_blocked_client_ignores_other_types(h):
    srv = h.srv
    waiter = srv.internal_client(2)
    srv.process_command(waiter, [b"BLPOP", b"k", b"0"])
    h("set", "k", "str")
    h("zadd", "k2", "1", "a")
    assert waiter.blocked is not None and waiter.w.replies == []
    h("del", "k")
    h("rpush", "k", "v")
    assert waiter.w.take().to_python() == [b"k", b"v"]


def test_blocked_move_to_a_wrong_type_destination(h):
    srv = h.srv
    waiter = srv.internal_client(2)
    h("set", "dst", "str")
    srv.process_command(waiter, [b"BLMOVE", b"src", b"dst", b"LEFT", b"LEFT", b"0"])
    h("rpush", "src", "a")
    assert waiter.w.take().to_python() == "WRONGTYPE Operation against a key holding the wrong kind of value"
    assert waiter.blocked is None
    assert h("lrange", "src", "0", "-1") == [b"a"]


def test_deny_blocking_answers_the_timeout_reply(h):
    c = h.srv.internal_client(3)
    c.deny_blocking = True
    for cmd, kind in (([b"BLPOP", b"k", b"0"], "null_array"), ([b"BRPOP", b"k", b"j", b"1"], "null_array"),
                      ([b"BLMPOP", b"0", b"1", b"k", b"LEFT"], "null_array"),
                      ([b"BLMOVE", b"k", b"d", b"LEFT", b"LEFT", b"0"], "null"),
                      ([b"BRPOPLPUSH", b"k", b"d", b"0"], "null")):
        h.srv.process_command(c, cmd)
        assert c.w.take().kind == kind, cmd
        assert c.blocked is None


def test_dirty_counts_and_notifications(h):
    events = []
    srv = h.srv
    srv.keyspace_listeners.append(lambda cls, event, key, dbid: events.append((event, key)))
    srv.module_notify_mask = -1
    srv._recompute_notify_mask()
    d0 = srv.dirty
    h("rpush", "l", "a", "b", "c", "a")     # 4
    h("lpop", "l", "2")                     # 2
    h("lset", "l", "0", "x")                # 1
    h("linsert", "l", "after", "x", "y")    # 1
    h("lrem", "l", "0", "a")                # 1
    h("ltrim", "l", "1", "-1")              # 1
    h("lmove", "l", "m", "left", "right")   # 1
    h("lpushx", "nokey", "v")               # 0
    assert srv.dirty - d0 == 4 + 2 + 1 + 1 + 1 + 1 + 1
    assert [e for e in events if e[0] != "new"] == [
        ("rpush", b"l"), ("lpop", b"l"), ("lset", b"l"), ("linsert", b"l"), ("lrem", b"l"), ("ltrim", b"l"),
        ("rpush", b"m"), ("lpop", b"l"), ("del", b"l")]


def test_keyspace_hits_and_misses(h):
    srv = h.srv
    h("rpush", "l", "a")
    hits, misses = srv.stat_keyspace_hits, srv.stat_keyspace_misses
    h("lrange", "l", "0", "-1")
    h("lindex", "nokey", "0")
    h("llen", "l")
    h("lpos", "nokey", "a")
    assert (srv.stat_keyspace_hits - hits, srv.stat_keyspace_misses - misses) == (2, 2)
    h("lpop", "nokey")  # write lookups count neither
    h("rpush", "l", "b")
    assert (srv.stat_keyspace_hits - hits, srv.stat_keyspace_misses - misses) == (2, 2)


def test_encodings_track_the_config(h):
    h("config", "set", "list-max-listpack-size", "3")
    h("rpush", "l", "a", "b", "c")
    assert h("object", "encoding", "l") == b"listpack"
    h("rpush", "l", "d")
    assert isinstance(value(h, "l"), QuicklistList)
    assert [n[0] for n in value(h, "l").nodes] == [3, 1]
    h("rpop", "l")
    assert h("object", "encoding", "l") == b"quicklist"  # one node, but 3 > 3 // 2
    h("rpop", "l", "2")
    assert h("object", "encoding", "l") == b"listpack"
    h("config", "set", "list-max-listpack-size", "-2")
    h("rpush", "big", *["x" * 100] * 100)
    assert h("object", "encoding", "big") == b"quicklist"
    h("ltrim", "big", "0", "9")
    assert h("object", "encoding", "big") == b"listpack"


def test_expired_list_is_gone(h):
    now = [1_000_000]
    h.srv.mstime = lambda: now[0]
    h("rpush", "l", "a")
    h.srv.dbs[0].set_expire(b"l", now[0] + 100)
    assert h("llen", "l") == 1
    now[0] += 101
    assert h("llen", "l") == 0
    assert h("rpushx", "l", "a") == 0
    assert h("rpush", "l", "b") == 1
    assert h.srv.dbs[0].get_expire(b"l") == -1


def test_big_list_operations_stay_fast(h):
    n = 200_000
    for i in range(0, n, 1000):
        h("rpush", "l", *[str(j) for j in range(i, i + 1000)])
    t = time.perf_counter()
    assert h("lindex", "l", str(n // 2)) == str(n // 2).encode()
    assert h("lrange", "l", "-3", "-1") == [b"199997", b"199998", b"199999"]
    assert h("lset", "l", "-2", "x") == b"OK"
    for _ in range(1000):
        h("lpush", "l", "v")
        h("rpop", "l")
    assert time.perf_counter() - t < 2.0
    assert h("llen", "l") == n
    assert h("ltrim", "l", "0", "9") == b"OK"
    assert h("object", "encoding", "l") == b"listpack"


def test_transactions_and_watch(r):
    r.rpush("l", "a")
    p = r.pipeline(transaction=True)
    p.blpop(["nokey"], 0)
    p.brpoplpush("nokey", "d", 0)
    p.lpop("l")
    assert p.execute() == [None, None, b"a"]
    r.rpush("w", "x")
    other = redis.Redis(port=r.connection_pool.connection_kwargs["port"])
    with r.pipeline() as p:
        p.watch("w")
        other.lpush("w", "y")
        p.multi()
        p.llen("w")
        with pytest.raises(redis.WatchError):
            p.execute()
    with r.pipeline() as p:
        p.watch("w")
        other.lpush("w2", "y")
        p.multi()
        p.llen("w")
        assert p.execute() == [2]
    other.close()


def test_redis_py_round_trips(r, r3):
    for c in (r, r3):
        c.delete("l")
        assert c.rpush("l", 1, 2, 3, 2) == 4
        assert c.lpos("l", 2, count=0) == [1, 3]
        assert c.lpos("l", 2, rank=-1) == 3
        assert c.lmpop(1, "l", direction="RIGHT", count=2) == [b"l", [b"2", b"3"]]
        assert c.blmpop(0.1, 1, "nokey", direction="LEFT") is None
        assert c.blpop(["nokey"], timeout=0.05) is None
        assert c.brpoplpush("nokey", "d", 0.05) is None
        assert c.lmove("l", "l2", "LEFT", "RIGHT") == b"1"
        assert c.linsert("l", "before", "2", "x") == 2
        assert c.lrange("l", 0, -1) == [b"x", b"2"]
