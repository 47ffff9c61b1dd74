"""Stream commands in-process (harness, with an injected clock) and through redis-py:
automatic IDs, what is replicated (XADD rewrites, XREADGROUP/XCLAIM/XAUTOCLAIM as
XCLAIM ... FORCE JUSTID and XGROUP SETID), blocked XREAD/XREADGROUP served or failed by
later writes, deny-blocking, dirty counts, notifications, keyspace hits, idle and delivery
times, COPY/OBJECT/TYPE, WATCH and client-library round trips. Byte-exact replies against
Redis are in tests/differential/test_diff_stream.py."""

from __future__ import annotations

import time

import pytest
import redis
from harness import Err, Harness

from moredis.engine.types.stream import Stream

WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
NOGROUP_READ = Err("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option")
T0 = 1_700_000_000_000


@pytest.fixture
def h():
    """A harness with a settable clock (h.now[0]) whose propagated commands are in h.prop."""
    hs = Harness()
    hs.now = [T0]
    hs.srv.mstime = lambda: hs.now[0]
    hs.prop = []
    hs.srv.propagators.append(
        lambda dbid, argvs: hs.prop.extend([[a.decode("latin-1") for a in argv] for argv in argvs]))
    return hs


def value(h, key: str):
    return h.srv.dbs[0].data.get(key.encode())


def waiter(h, *cmd, resp: int = 2):
    """A client that sent `cmd` (expected to block)."""
    c = h.srv.internal_client(resp)
    h.srv.process_command(c, [a.encode() for a in cmd])
    return c


def test_harness_replies(h):
    assert h("xadd", "s", "1-1", "f", "v") == b"1-1"
    assert h("xadd", "s", "1-*", "f", "v", "g", "w") == b"1-2"
    assert h("xadd", "s", "1", "f", "v") == Err(
        "ERR The ID specified in XADD is equal or smaller than the target stream top item")
    assert h("xadd", "s", "0-0", "f", "v") == Err("ERR The ID specified in XADD must be greater than 0-0")
    assert h("xadd", "s", "1-1", "f") == Err("ERR wrong number of arguments for 'xadd' command")
    assert h("xrange", "s", "-", "+") == [[b"1-1", [b"f", b"v"]], [b"1-2", [b"f", b"v", b"g", b"w"]]]
    assert h("xrevrange", "s", "+", "-", "COUNT", "1") == [[b"1-2", [b"f", b"v", b"g", b"w"]]]
    assert h("xrange", "s", "(1-1", "+") == [[b"1-2", [b"f", b"v", b"g", b"w"]]]
    assert h("xrange", "s", "-", "+", "count", "0") is None
    assert h("xlen", "s") == 2
    assert h("xadd", "nope", "NOMKSTREAM", "*", "f", "v") is None
    assert h("exists", "nope") == 0
    h("set", "str", "x")
    assert h("xlen", "str") == WRONGTYPE
    assert h("xadd", "str", "*", "f", "v") == WRONGTYPE
    assert h("xsetid", "nope", "5") == Err("ERR no such key")
    assert h("type", "s") == b"stream"
    assert h("object", "encoding", "s") == b"stream"
    assert isinstance(value(h, "s"), Stream)
    assert h("xgroup", "help")[0] == b"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert h("xinfo", "nosuch") == Err("ERR unknown subcommand 'nosuch'. Try XINFO HELP.")


def test_automatic_ids_follow_the_clock(h):
    assert h("xadd", "s", "*", "f", "v") == b"%d-0" % T0
    assert h("xadd", "s", "*", "f", "v") == b"%d-1" % T0
    h.now[0] -= 5000  # the clock went back: the sequence keeps growing
    assert h("xadd", "s", "*", "f", "v") == b"%d-2" % T0
    h.now[0] = T0 + 1
    assert h("xadd", "s", "*", "f", "v") == b"%d-0" % (T0 + 1)
    assert h("xadd", "s", "%d-*" % (T0 + 1), "f", "v") == b"%d-1" % (T0 + 1)
    assert h("xadd", "s", "%d-*" % (T0 + 5), "f", "v") == b"%d-0" % (T0 + 5)
    # sequence exhausted within a millisecond: "*" moves to the next one
    assert h("xadd", "t", "%d-18446744073709551615" % (T0 + 10), "f", "v")
    assert h("xadd", "t", "*", "f", "v") == b"%d-0" % (T0 + 11)
    assert h("xadd", "t", "%d-*" % (T0 + 11), "f", "v") == b"%d-1" % (T0 + 11)
    assert h("xadd", "u", "18446744073709551615-18446744073709551615", "f", "v")
    assert h("xadd", "u", "*", "f", "v") == Err(
        "ERR The stream has exhausted the last possible ID, unable to add more items")
    assert h("xadd", "e", "0-*", "f", "v") == b"0-1"


def test_propagation_of_xadd_and_trims(h):
    h("config", "set", "stream-node-max-entries", "2")
    h("xadd", "s", "1", "f", "v")
    h("xadd", "s", "*", "f", "v")
    h("xadd", "s", "%d-*" % T0, "f", "v")
    h("xadd", "s", "maxlen", "~", "1", "%d-5" % T0, "f", "v")
    h("xadd", "s", "MINID", "~", "0", "LIMIT", "5", "*", "f", "v")
    h("xadd", "s", "maxlen", "=", "3", "*", "f", "v")
    h("xtrim", "s", "maxlen", "~", "100")  # nothing trimmed: nothing replicated
    h("xtrim", "s", "maxlen", "~", "0")
    h("xdel", "s", "12345")  # nothing deleted
    assert h.prop == [  # nodes of 2: [1, T0-0] [T0-1, T0-5] [T0-6, T0-7]
        ["xadd", "s", "1", "f", "v"],
        ["xadd", "s", "%d-0" % T0, "f", "v"],
        ["xadd", "s", "%d-1" % T0, "f", "v"],
        ["xadd", "s", "maxlen", "=", "2", "%d-5" % T0, "f", "v"],
        ["xadd", "s", "MINID", "=", "%d-1" % T0, "LIMIT", "5", "%d-6" % T0, "f", "v"],
        ["xadd", "s", "maxlen", "=", "3", "%d-7" % T0, "f", "v"],
        ["xtrim", "s", "maxlen", "=", "0"],
    ]


def test_propagation_of_group_reads_and_claims(h):
    for i in range(1, 5):
        h("xadd", "s", str(i), "f", str(i))
    h("xgroup", "create", "s", "g", "0")
    h.prop.clear()
    h("xreadgroup", "group", "g", "alice", "count", "2", "streams", "s", ">")
    t = str(T0)
    assert h.prop == [
        ["XCLAIM", "s", "g", "alice", "0", "1-0", "TIME", t, "RETRYCOUNT", "1", "FORCE", "JUSTID", "LASTID", "1-0"],
        ["XCLAIM", "s", "g", "alice", "0", "2-0", "TIME", t, "RETRYCOUNT", "1", "FORCE", "JUSTID", "LASTID", "2-0"],
        ["XGROUP", "SETID", "s", "g", "2-0", "ENTRIESREAD", "2"],
    ]
    h.prop.clear()
    h("xreadgroup", "group", "g", "alice", "streams", "s", "0")  # history: not replicated
    h("xreadgroup", "group", "g", "bob", "streams", "s", "0")  # new consumer, history: not replicated
    h("xreadgroup", "group", "g", "carol", "NOACK", "count", "1", "streams", "s", ">")
    assert h.prop == [["XGROUP", "CREATECONSUMER", "s", "g", "carol"],
                      ["XGROUP", "SETID", "s", "g", "3-0", "ENTRIESREAD", "3"]]
    h.prop.clear()
    h.now[0] += 1000
    assert h("xclaim", "s", "g", "dave", "500", "1", "2-0", "RETRYCOUNT", "7") == [
        [b"1-0", [b"f", b"1"]], [b"2-0", [b"f", b"2"]]]
    h("xdel", "s", "1")
    h("xclaim", "s", "g", "erin", "0", "1-0", "2")  # 1-0 was deleted: its NACK goes
    h("xclaim", "s", "g", "erin", "99999", "2", "LASTID", "9")  # nothing claimed, last ID moved
    t2 = str(T0 + 1000)
    assert h.prop == [
        ["XCLAIM", "s", "g", "dave", "0", "1", "TIME", t2, "RETRYCOUNT", "7", "FORCE", "JUSTID", "LASTID", "3-0"],
        ["XCLAIM", "s", "g", "dave", "0", "2-0", "TIME", t2, "RETRYCOUNT", "7", "FORCE", "JUSTID", "LASTID", "3-0"],
        ["xdel", "s", "1"],
        ["XCLAIM", "s", "g", "dave", "0", "1-0", "TIME", t2, "RETRYCOUNT", "7", "FORCE", "JUSTID", "LASTID", "3-0"],
        ["XCLAIM", "s", "g", "erin", "0", "2", "TIME", t2, "RETRYCOUNT", "8", "FORCE", "JUSTID", "LASTID", "3-0"],
        ["XGROUP", "SETID", "s", "g", "9-0", "ENTRIESREAD", "3"],
    ]
    h.prop.clear()
    h("xautoclaim", "s", "g", "frank", "0", "0", "JUSTID")
    h("xgroup", "create", "s", "g2", "$")
    h("xgroup", "createconsumer", "s", "g2", "x")
    h("xgroup", "createconsumer", "s", "g2", "x")  # exists: not replicated
    h("xack", "s", "g", "2")
    h("xack", "s", "g", "2")
    assert h.prop == [
        ["XCLAIM", "s", "g", "frank", "0", "2-0", "TIME", t2, "RETRYCOUNT", "8", "FORCE", "JUSTID", "LASTID", "9-0"],
        ["xgroup", "create", "s", "g2", "$"],
        ["xgroup", "createconsumer", "s", "g2", "x"],
        ["xack", "s", "g", "2"],
    ]


def test_blocked_xread_served_after_xadd(h):
    w1 = waiter(h, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    w2 = waiter(h, "XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "other", "s", "0", "$", resp=3)
    assert w1.blocked is not None and w2.blocked is not None
    h("lpush", "s", "x")  # not a stream: nobody wakes
    assert w1.blocked is not None
    h("del", "s")
    h("multi")
    h("xadd", "s", "5", "a", "1")
    h("xadd", "s", "6", "b", "2")
    h("exec")
    assert w1.w.take().to_python() == [[b"s", [[b"5-0", [b"a", b"1"]], [b"6-0", [b"b", b"2"]]]]]
    r = w2.w.take()
    assert r.kind == "map" and r.to_python() == {b"s": [[b"5-0", [b"a", b"1"]]]}
    # '$' is fixed to the last ID when blocking: entries added later are served
    w3 = waiter(h, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    assert w3.blocked.argv[-1] == b"6-0"
    h("xadd", "s", "7", "c", "3")
    assert w3.w.take().to_python() == [[b"s", [[b"7-0", [b"c", b"3"]]]]]
    # added then deleted before the waiter runs: it keeps waiting
    w4 = waiter(h, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    h("multi")
    h("xadd", "s", "8", "d", "4")
    h("xdel", "s", "8")
    h("exec")
    assert w4.blocked is not None
    h("xadd", "s", "9", "e", "5")
    assert w4.w.take().to_python() == [[b"s", [[b"9-0", [b"e", b"5"]]]]]


def test_blocked_xreadgroup_in_arrival_order_and_replicated(h):
    h("xgroup", "create", "s", "g", "$", "MKSTREAM")
    ws = [waiter(h, "XREADGROUP", "GROUP", "g", name, "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">")
          for name in ("c1", "c2", "c3")]
    h.prop.clear()
    h("multi")
    h("xadd", "s", "1", "a", "1")
    h("xadd", "s", "2", "b", "2")
    h("exec")
    assert ws[0].w.take().to_python() == [[b"s", [[b"1-0", [b"a", b"1"]]]]]
    assert ws[1].w.take().to_python() == [[b"s", [[b"2-0", [b"b", b"2"]]]]]
    assert ws[2].blocked is not None and ws[2].w.replies == []
    claims = [p for p in h.prop if p[0] == "XCLAIM"]
    assert [(p[3], p[5]) for p in claims] == [("c1", "1-0"), ("c2", "2-0")]
    assert h("xpending", "s", "g") == [2, b"1-0", b"2-0", [[b"c1", b"1"], [b"c2", b"1"]]]


@pytest.mark.parametrize("action, error", [
    (("del", "s"), NOGROUP_READ),
    (("set", "s", "x", "XX"), WRONGTYPE),
    (("xgroup", "destroy", "s", "g"), NOGROUP_READ),
    (("flushdb",), NOGROUP_READ),
    (("flushall",), NOGROUP_READ),
    (("rename", "s", "s2"), NOGROUP_READ),
    (("unlink", "s"), NOGROUP_READ),
])
def test_blocked_xreadgroup_fails_when_the_stream_or_group_goes(h, action, error):
    h("xgroup", "create", "s", "g", "$", "MKSTREAM")
    w = waiter(h, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    h("xgroup", "create", "s", "other", "$")
    h("xgroup", "destroy", "s", "other")  # another group going wakes it, it waits again
    assert w.blocked is not None
    h(*action)
    assert w.blocked is None
    assert w.w.take().to_python() == error


def test_blocked_xreadgroup_fails_when_the_stream_expires(h):
    h("xgroup", "create", "s", "g", "$", "MKSTREAM")
    h("pexpire", "s", "100")
    w = waiter(h, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    h.now[0] += 200
    h.srv.cron()  # active expiry
    assert w.w.take().to_python() == NOGROUP_READ


def test_blocked_xread_keeps_waiting_when_the_stream_goes(h):
    h("xadd", "s", "1", "f", "v")
    w = waiter(h, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    h("del", "s")
    h("xadd", "s", "1", "f", "v")  # not above the ID it waits for
    h("set", "s", "x")
    assert w.blocked is not None and w.w.replies == []
    h("del", "s")
    h("xadd", "s", "2", "f", "v")
    assert w.w.take().to_python() == [[b"s", [[b"2-0", [b"f", b"v"]]]]]


def test_deny_blocking_answers_the_timeout_reply(h):
    h("xgroup", "create", "s", "g", "$", "MKSTREAM")
    for resp, kind in ((2, "null_array"), (3, "null_array")):
        c = h.srv.internal_client(resp)
        c.deny_blocking = True
        for cmd in ([b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"],
                    [b"XREADGROUP", b"GROUP", b"g", b"c", b"BLOCK", b"10", b"STREAMS", b"s", b">"]):
            h.srv.process_command(c, cmd)
            assert c.w.take().kind == kind
            assert c.blocked is None


def test_dirty_counts_and_notifications(h):
    events = []
    srv = h.srv
    srv.keyspace_listeners.append(lambda cls, event, key, dbid: events.append((event, key)))
    srv.module_notify_mask = -1
    srv._recompute_notify_mask()
    d0 = srv.dirty
    h("xadd", "s", "1", "f", "v")                          # 1
    h("xadd", "s", "maxlen", "1", "2", "f", "v")           # 1 (the trim is not counted)
    h("xadd", "s", "3", "f", "v")                          # 1
    h("xdel", "s", "3", "99")                              # 1
    h("xtrim", "s", "maxlen", "0")                         # 1
    h("xtrim", "s", "maxlen", "0")                         # 0
    h("xgroup", "create", "s", "g", "0")                   # 1
    h("xadd", "s", "5", "f", "v")                          # 1
    h("xreadgroup", "group", "g", "c", "streams", "s", ">")  # 1 consumer + 1 read
    h("xack", "s", "g", "5", "5")                          # 1
    h("xgroup", "setid", "s", "g", "0")                    # 1
    h("xgroup", "createconsumer", "s", "g", "d")           # 1
    h("xgroup", "delconsumer", "s", "g", "d")              # 1
    h("xsetid", "s", "10")                                 # 1
    h("xgroup", "destroy", "s", "g")                       # 1
    h("xgroup", "destroy", "s", "g")                       # 0
    assert srv.dirty - d0 == 15
    assert [e for e in events if e[0] != "new"] == [
        ("xadd", b"s"), ("xadd", b"s"), ("xtrim", b"s"), ("xadd", b"s"), ("xdel", b"s"), ("xtrim", b"s"),
        ("xgroup-create", b"s"), ("xadd", b"s"), ("xgroup-createconsumer", b"s"), ("xgroup-setid", b"s"),
        ("xgroup-createconsumer", b"s"), ("xgroup-delconsumer", b"s"), ("xsetid", b"s"), ("xgroup-destroy", b"s")]
    assert ("new", b"s") in events
    assert h("exists", "s") == 1  # streams stay when emptied


def test_keyspace_hits_and_misses(h):
    srv = h.srv
    h("xadd", "s", "1", "f", "v")
    h("xgroup", "create", "s", "g", "0")
    hits, misses = srv.stat_keyspace_hits, srv.stat_keyspace_misses
    h("xrange", "s", "-", "+")
    h("xlen", "nokey")
    h("xread", "streams", "s", "nokey", "0", "0")  # each key is looked up twice
    h("xpending", "s", "g")
    h("xack", "s", "g", "1")
    h("xinfo", "stream", "s")
    assert (srv.stat_keyspace_hits - hits, srv.stat_keyspace_misses - misses) == (6, 3)
    h("xadd", "s", "2", "f", "v")  # write lookups count neither
    h("xdel", "nokey", "1")
    h("xtrim", "s", "maxlen", "5")
    h("xgroup", "setid", "s", "g", "0")
    assert (srv.stat_keyspace_hits - hits, srv.stat_keyspace_misses - misses) == (6, 3)


def test_idle_and_delivery_times(h):
    for i in range(1, 4):
        h("xadd", "s", str(i), "f", "v")
    h("xgroup", "create", "s", "g", "0")
    h("xreadgroup", "group", "g", "alice", "streams", "s", ">")
    h.now[0] += 300
    assert h("xpending", "s", "g", "-", "+", "10") == [[b"1-0", b"alice", 300, 1], [b"2-0", b"alice", 300, 1],
                                                    [b"3-0", b"alice", 300, 1]]
    assert h("xpending", "s", "g", "IDLE", "301", "-", "+", "10") == []
    assert h("xclaim", "s", "g", "bob", "301", "1") == []  # not idle enough
    assert h("xclaim", "s", "g", "bob", "300", "1", "IDLE", "50", "JUSTID") == [b"1-0"]
    assert h("xclaim", "s", "g", "bob", "0", "2", "TIME", str(T0 + 200)) == [[b"2-0", [b"f", b"v"]]]
    assert h("xclaim", "s", "g", "bob", "0", "3", "TIME", str(T0 + 10**6), "RETRYCOUNT", "9") == [
        [b"3-0", [b"f", b"v"]]]  # a future time counts as now
    assert h("xpending", "s", "g", "-", "+", "10") == [[b"1-0", b"bob", 50, 1], [b"2-0", b"bob", 100, 2],
                                                    [b"3-0", b"bob", 0, 9]]
    h.now[0] += 1000
    assert h("xautoclaim", "s", "g", "carol", "1060", "0") == [b"0-0", [[b"2-0", [b"f", b"v"]]], []]
    assert h("xinfo", "consumers", "s", "g") == [
        {b"name": b"alice", b"pending": 0, b"idle": 1300, b"inactive": 1300},
        {b"name": b"bob", b"pending": 2, b"idle": 1000, b"inactive": 1000},
        {b"name": b"carol", b"pending": 1, b"idle": 0, b"inactive": 0}]
    h("xgroup", "createconsumer", "s", "g", "dave")
    h.now[0] += 5
    info = h("xinfo", "stream", "s", "full")
    g = info[b"groups"][0]
    assert g[b"pending"][0] == [b"1-0", b"bob", T0 + 250, 1]
    dave = g[b"consumers"][-1]
    assert dave == {b"name": b"dave", b"seen-time": T0 + 1300, b"active-time": -1, b"pel-count": 0,
                    b"pending": []}
    assert h("xinfo", "consumers", "s", "g")[-1][b"inactive"] == -1


def test_copy_keeps_groups_and_is_independent(h):
    h("xadd", "s", "1", "f", "v")
    h("xadd", "s", "2", "f", "v")
    h("xgroup", "create", "s", "g", "0")
    h("xreadgroup", "group", "g", "c", "count", "1", "streams", "s", ">")
    assert h("copy", "s", "t") == 1
    assert h("xinfo", "stream", "t", "full") == h("xinfo", "stream", "s", "full")
    h("xack", "t", "g", "1")
    h("xadd", "t", "3", "f", "v")
    assert h("xpending", "s", "g")[0] == 1
    assert h("xlen", "s") == 2
    assert h("debug", "digest-value", "s") != h("debug", "digest-value", "t")


def test_entries_are_packed_into_nodes(h):
    h("config", "set", "stream-node-max-entries", "10")
    for i in range(1, 26):
        h("xadd", "s", str(i), "f", "v")
    s = value(h, "s")
    assert [len(n.ids) for n in s.nodes] == [10, 10, 5]
    assert h("xtrim", "s", "maxlen", "~", "12") == 10
    assert h("xtrim", "s", "minid", "~", "25") == 10  # the last node is never empty-able by ~
    assert h("xlen", "s") == 5
    assert h("xtrim", "s", "minid", "23") == 2
    assert [n.live for n in s.nodes] == [3]


def test_big_stream_operations_stay_fast(h):
    n = 50_000
    for i in range(1, n + 1):
        h("xadd", "s", str(i), "f", "v")
    t = time.perf_counter()
    assert h("xrange", "s", "25000", "+", "COUNT", "2") == [[b"25000-0", [b"f", b"v"]], [b"25001-0", [b"f", b"v"]]]
    assert h("xrevrange", "s", "+", "-", "COUNT", "1") == [[b"%d-0" % n, [b"f", b"v"]]]
    for i in range(1, 2000, 2):
        h("xdel", "s", str(i))
    h("xgroup", "create", "s", "g", "0")
    for _ in range(100):
        h("xreadgroup", "group", "g", "c", "count", "10", "streams", "s", ">")
    assert h("xpending", "s", "g")[0] == 1000
    assert h("xautoclaim", "s", "g", "d", "0", "0", "COUNT", "5", "JUSTID")[1] == [b"2-0", b"4-0", b"6-0", b"8-0",
                                                                                  b"10-0"]
    assert h("xinfo", "stream", "s")[b"length"] == n - 1000
    assert time.perf_counter() - t < 3.0


def test_transactions_and_watch(r):
    r.xadd("s", {"f": "v"}, id="1")
    p = r.pipeline(transaction=True)
    p.xread({"s": "$"}, block=0)
    p.xadd("s", {"f": "w"}, id="2")
    p.xlen("s")
    res = p.execute()
    assert not res[0] and res[1:] == [b"2-0", 2]  # blocking is denied inside MULTI
    other = redis.Redis(port=r.connection_pool.connection_kwargs["port"])
    with r.pipeline() as p:
        p.watch("s")
        other.xadd("s", {"f": "x"}, id="3")
        p.multi()
        p.xlen("s")
        with pytest.raises(redis.WatchError):
            p.execute()
    with r.pipeline() as p:
        p.watch("s")
        other.xadd("s", {"f": "x"}, id="4", nomkstream=True, maxlen=100)
        p.multi()
        p.xlen("s")
        with pytest.raises(redis.WatchError):
            p.execute()
    other.close()


def test_redis_py_round_trips(r, r3):
    for c in (r, r3):
        c.delete("s")
        assert c.xadd("s", {"a": "1"}, id="1-0") == b"1-0"
        assert c.xadd("s", {"b": "2"}, id="2-0", maxlen=10, approximate=True) == b"2-0"
        assert c.xrange("s") == [(b"1-0", {b"a": b"1"}), (b"2-0", {b"b": b"2"})]
        assert c.xrevrange("s", count=1) == [(b"2-0", {b"b": b"2"})]
        assert c.xgroup_create("s", "g", id="0") is True
        got = c.xreadgroup("g", "alice", {"s": ">"}, count=1)
        assert got in ([[b"s", [(b"1-0", {b"a": b"1"})]]], {b"s": [[(b"1-0", {b"a": b"1"})]]})
        assert c.xpending("s", "g")["pending"] == 1
        pend = c.xpending_range("s", "g", "-", "+", 10)
        assert [(p["message_id"], p["consumer"], p["times_delivered"]) for p in pend] == [(b"1-0", b"alice", 1)]
        assert c.xclaim("s", "g", "bob", 0, ["1-0"], justid=True) == [b"1-0"]
        assert c.xautoclaim("s", "g", "carol", 0, "0-0", justid=True) == [b"1-0"]
        assert c.xack("s", "g", "1-0") == 1
        info = c.xinfo_stream("s")
        assert info["length"] == 2 and info["groups"] == 1
        assert [g["name"] for g in c.xinfo_groups("s")] == [b"g"]
        assert {x["name"] for x in c.xinfo_consumers("s", "g")} == {b"alice", b"bob", b"carol"}
        assert c.xtrim("s", maxlen=1) == 0  # "~" by default: whole nodes only
        assert c.xtrim("s", maxlen=1, approximate=False) == 1
        assert c.xdel("s", "2-0") == 1
        assert c.xlen("s") == 0
        assert not c.xread({"s": "0"}, block=50)  # the timeout null
