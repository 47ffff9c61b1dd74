"""Generic keyspace commands, moredis side: expiry with an injected clock, propagation,
WATCH and tracking signals, SCAN completeness under concurrent writes, replica rules,
LRU/LFU introspection. Byte-for-byte comparisons with Redis are in
tests/differential/test_diff_generic.py."""

import random

import pytest
from harness import Err, Harness, to_value

from moredis.server.config import Config
from moredis.server.server import RedisServer

T0 = 1_700_000_000_000  # the injected clock starts here (ms)


class Clock:
    def __init__(self, t=T0):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture
def h():
    """A harness whose server reads an injected clock, and records what it propagates."""
    x = Harness()
    x.clock = Clock()
    x.srv.mstime = x.clock
    x.propagated = []
    x.srv.propagators.append(lambda dbid, argvs: x.propagated.extend((dbid, a) for a in argvs))
    return x


def as_client(h, client, *args):
    argv = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    h.srv.process_command(client, argv)
    return to_value(client.w.take())


# --- expiry with the injected clock --------------------------------------------------------
def test_ttl_rounding_and_countdown(h):
    h("set", "k", "v")
    assert h("expire", "k", 10) == 1
    assert h("pexpiretime", "k") == T0 + 10_000
    assert h("expiretime", "k") == T0 // 1000 + 10
    h.clock.t += 4_400
    assert h("ttl", "k") == 6  # 5.6 s rounds to 6
    assert h("pttl", "k") == 5_600
    h.clock.t += 200
    assert h("ttl", "k") == 5  # 5.4 s rounds to 5
    h.clock.t = T0 + 9_999
    assert h("pttl", "k") == 1
    h.clock.t = T0 + 10_000  # keyIsExpired is now > when: alive through its own ms
    assert h("pttl", "k") == 0
    assert h("ttl", "k") == 0
    assert h("keys", "*") == [b"k"]
    h.clock.t = T0 + 10_001  # expired on access
    assert h("pttl", "k") == -2
    assert h("exists", "k") == 0
    assert h.srv.stat_expiredkeys == 1


def test_relative_expire_uses_the_command_time(h):
    h("set", "k", "v")
    h("pexpire", "k", 1234)
    assert h("pexpiretime", "k") == T0 + 1234
    h("expireat", "k", T0 // 1000 + 50)
    assert h("pexpiretime", "k") == T0 + 50_000
    h("pexpireat", "k", T0 + 7)
    assert h("pexpiretime", "k") == T0 + 7
    assert h("pexpire", "k", 9223372036854775807 - T0) == 1
    assert h("pexpire", "k", 9223372036854775807 - T0 + 1) == Err(
        "ERR invalid expire time in 'pexpire' command")


def test_expire_at_now_deletes_with_del_event(h):
    h("set", "k", "v")
    assert h("pexpireat", "k", T0) == 1  # when <= now: deleted right away
    assert h("exists", "k") == 0
    assert h.srv.stat_expiredkeys == 0  # a deletion, not an expiry
    h("set", "k", "v")
    assert h("pexpireat", "k", T0 + 1) == 1
    assert h("exists", "k") == 1


def test_keys_hides_expired_keys_without_deleting_them(h):
    h("set", "a", "1")
    h("set", "b", "1")
    h("pexpire", "b", 100)
    h.clock.t += 101
    assert h("keys", "*") == [b"a"]
    assert h("keys", "b") == []
    assert b"b" in h.srv.dbs[0].data  # still there: KEYS does not expire
    assert h.srv.stat_expiredkeys == 0


def test_scan_expires_the_keys_it_would_return(h):
    h("set", "x1", "1")
    h("set", "x2", "1")
    h("set", "y1", "1")
    h("pexpire", "x2", 10)
    h("pexpire", "y1", 10)
    h.clock.t += 11
    assert h("scan", 0, "match", "x*") == [b"0", [b"x1"]]
    data = h.srv.dbs[0].data
    assert b"x2" not in data  # matched and expired: deleted
    assert b"y1" in data  # filtered out by MATCH first: left alone
    assert h.srv.stat_expiredkeys == 1
    assert h.propagated[-1] == (0, [b"DEL", b"x2"])


def test_scan_type_filter_is_case_insensitive(h):
    h("set", "s", "1")
    assert h("scan", 0, "type", "StRiNg") == [b"0", [b"s"]]
    assert h("scan", 0, "type", "string\x00junk") == [b"0", [b"s"]]  # a C string ends at NUL
    assert h("scan", 0, "type", "hash") == [b"0", []]


def test_randomkey_skips_and_deletes_expired_keys(h):
    for i in range(20):
        h("set", "v%d" % i, "1")
        h("pexpire", "v%d" % i, 5)
    h("set", "live", "1")
    h.clock.t += 6
    assert h("randomkey") == b"live"
    h("del", "live")
    assert h("randomkey") is None
    assert len(h.srv.dbs[0].data) == 0


def test_randomkey_gives_up_on_a_replica_with_only_expired_keys(h):
    h("set", "a", "1")
    h("pexpire", "a", 5)
    h.clock.t += 6
    h.srv.is_replica = True
    assert h("randomkey") == b"a"  # 100 tries, then a logically expired name
    assert b"a" in h.srv.dbs[0].data


def test_del_of_an_expired_key_counts_zero(h):
    h("set", "k", "v")
    h("pexpire", "k", 1)
    h.clock.t += 2
    assert h("del", "k") == 0
    assert h.srv.stat_expiredkeys == 1
    assert h.propagated[-1] == (0, [b"DEL", b"k"])


def test_rename_move_copy_keep_the_absolute_ttl(h):
    h("set", "k", "v")
    h("pexpire", "k", 500)
    h.clock.t += 100
    assert h("rename", "k", "r") == b"OK"
    assert h("pttl", "r") == 400
    assert h("copy", "r", "c") == 1
    assert h("pexpiretime", "c") == T0 + 500
    assert h("move", "c", 2) == 1
    h("select", 2)
    assert h("pexpiretime", "c") == T0 + 500
    h.clock.t = T0 + 501
    assert h("exists", "c") == 0  # the moved key expires in its new database
    h("select", 0)
    assert h("exists", "r") == 0


def test_replica_keeps_keys_set_to_expire_in_the_past(h):
    h("set", "k", "v")
    h.srv.is_replica = True
    assert h("expire", "k", -1) == 1  # checkAlreadyExpired is false on replicas
    assert b"k" in h.srv.dbs[0].data
    assert h("exists", "k") == 0  # but it is logically expired
    assert h("ttl", "k") == -2


# --- propagation -----------------------------------------------------------------------------
def test_expire_family_propagates_as_pexpireat(h):
    h("set", "k", "v")
    h.propagated.clear()
    h("expire", "k", 100)
    h("pexpire", "k", 500_000, "gt")
    h("expireat", "k", T0 // 1000 + 200, "XX", "LT")
    h("pexpireat", "k", T0 + 300_000)
    h("expire", "k", 100, "NX")  # fails NX: nothing is propagated
    assert [a for _, a in h.propagated] == [
        [b"PEXPIREAT", b"k", b"%d" % (T0 + 100_000)],
        [b"PEXPIREAT", b"k", b"%d" % (T0 + 500_000), b"gt"],
        [b"PEXPIREAT", b"k", b"%d" % (T0 + 200_000), b"XX", b"LT"],
        [b"pexpireat", b"k", b"%d" % (T0 + 300_000)],
    ]


def test_expire_in_the_past_propagates_del_or_unlink(h):
    h("set", "k", "v")
    h.propagated.clear()
    h("expire", "k", 0)
    assert h.propagated == [(0, [b"DEL", b"k"])]
    h.srv.config.set_many([("lazyfree-lazy-expire", "yes")])
    h("set", "k", "v")
    h.propagated.clear()
    h("pexpireat", "k", 1)
    assert h.propagated == [(0, [b"UNLINK", b"k"])]


def test_failed_writes_propagate_nothing(h):
    h("set", "k", "v")
    h.propagated.clear()
    for args in (("del", "nope"), ("rename", "k", "k"), ("renamenx", "k", "k"), ("move", "nope", 1),
                 ("copy", "nope", "x"), ("persist", "k"), ("expire", "nope", 1), ("touch", "k")):
        h(*args)
    assert h.propagated == []
    h("rename", "k", "r")
    h("move", "r", 1)
    assert [a for _, a in h.propagated] == [[b"rename", b"k", b"r"], [b"move", b"r", b"1"]]


# --- WATCH and client-side tracking signals --------------------------------------------------
@pytest.mark.parametrize(("setup", "cmd", "watched"), [
    ([("set", "a", "1")], ("del", "a"), "a"),
    ([("set", "a", "1")], ("unlink", "a"), "a"),
    ([("set", "a", "1")], ("rename", "a", "b"), "a"),
    ([("set", "a", "1")], ("rename", "a", "b"), "b"),
    ([("set", "a", "1")], ("renamenx", "a", "b"), "b"),
    ([("set", "a", "1")], ("move", "a", 1), "a"),
    ([("set", "a", "1")], ("copy", "a", "b"), "b"),
    ([("set", "a", "1")], ("expire", "a", 100), "a"),
    ([("set", "a", "1")], ("expire", "a", -1), "a"),
    ([("set", "a", "1"), ("expire", "a", 100)], ("persist", "a"), "a"),
])
def test_writes_break_watch(h, setup, cmd, watched):
    other = h.srv.internal_client(2)
    for args in setup:
        h(*args)
    assert as_client(h, other, "watch", watched) == b"OK"
    assert as_client(h, other, "multi") == b"OK"
    as_client(h, other, "ping")
    h(*cmd)
    assert as_client(h, other, "exec") is None


def test_move_breaks_watch_in_the_target_db(h):
    other = h.srv.internal_client(2)
    h("set", "a", "1")
    as_client(h, other, "select", 1)
    as_client(h, other, "watch", "a")
    as_client(h, other, "multi")
    h("move", "a", 1)
    assert as_client(h, other, "exec") is None


@pytest.mark.parametrize("cmd", [("rename", "a", "a"), ("persist", "a"), ("expire", "a", 10, "XX"),
                                 ("touch", "a"), ("type", "a"), ("copy", "a", "b", "db", 1),
                                 ("object", "encoding", "a"), ("ttl", "a"), ("keys", "*"), ("scan", 0)])
def test_no_op_and_reads_keep_watch(h, cmd):
    other = h.srv.internal_client(2)
    h("set", "a", "1")
    as_client(h, other, "watch", "a")
    as_client(h, other, "multi")
    as_client(h, other, "ping")
    h(*cmd)
    assert as_client(h, other, "exec") == [b"PONG"]


# --- LRU / LFU, OBJECT ----------------------------------------------------------------------
def test_idletime_follows_the_lru_clock(h):
    srv = h.srv
    srv.lru_clock = 1000
    h("set", "k", "x" * 50)
    srv.lru_clock = 1030
    assert h("object", "idletime", "k") == 30
    assert h("ttl", "k") == -1  # TTL does not touch
    assert h("type", "k") == b"string"  # neither does TYPE
    assert h("object", "idletime", "k") == 30
    h("rename", "k", "r")  # the lookup touches; the clock moves with the value
    srv.lru_clock = 1040
    assert h("object", "idletime", "r") == 10
    srv.lru_clock = 1050
    h("copy", "r", "c")  # a copy is a new object; the source is read (touched)
    srv.lru_clock = 1055
    assert h("object", "idletime", "c") == 5
    assert h("object", "idletime", "r") == 5
    assert h("touch", "r", "nope") == 1
    assert h("object", "idletime", "r") == 0


def test_object_freq_under_lfu_and_idletime_refused(h):
    h.srv.config.set_many([("maxmemory-policy", "allkeys-lfu")])
    h("set", "k", "v")
    assert h("object", "freq", "k") == 5
    h("get", "k")
    assert h("object", "freq", "k") == 6
    assert h("object", "idletime", "k").startswith("ERR An LFU maxmemory policy is selected")
    h.srv.config.set_many([("maxmemory-policy", "noeviction")])
    assert h("object", "freq", "k").startswith("ERR An LFU maxmemory policy is not selected")


def test_refcount_of_shared_integers(h):
    h("set", "small", "42")
    h("set", "big", "10000")
    h("incr", "ctr")
    assert h("object", "refcount", "small") == 2147483647
    assert h("object", "refcount", "ctr") == 2147483647
    assert h("object", "refcount", "big") == 1
    h.srv.config.set_many([("maxmemory", "100mb"), ("maxmemory-policy", "allkeys-lru")])
    assert h("object", "refcount", "small") == 1  # no shared integers with LRU/LFU eviction


def test_object_help_lists_every_subcommand(h):
    lines = h("object", "help")
    assert lines[0].startswith(b"OBJECT <subcommand>")
    names = [x.split()[0] for x in lines[1:] if not x.startswith(b" ")]
    assert names == [b"ENCODING", b"FREQ", b"IDLETIME", b"REFCOUNT", b"HELP"]
    assert h.raw("object", "help").value[1].kind == "simple"


def test_cluster_mode_refuses_move_and_cross_db_copy():
    cfg = Config()
    cfg.set_from_file("cluster-enabled", ["yes"])
    x = Harness()
    x.srv = RedisServer(cfg)
    x.client = x.srv.internal_client(2)
    x("set", "k", "v")
    assert x("move", "k", 1) == Err("ERR MOVE is not allowed in cluster mode")
    assert x("copy", "k", "k2", "db", 1) == Err(
        "ERR Copying to another database is not allowed in cluster mode")
    assert x("copy", "k", "k2", "db", 0) == 1


# --- SCAN through the network --------------------------------------------------------------
def test_scan_returns_every_key_present_throughout_under_concurrent_writes(r):
    rnd = random.Random(3)
    stable = {b"stable:%d" % i for i in range(400)}
    for k in stable:
        r.set(k, "v")
    churn = [b"churn:%d" % i for i in range(400)]
    for k in churn:
        r.set(k, "v")
    seen = set()
    cursor = 0
    n = 0
    writer = r.client()  # another connection doing writes between the batches
    while True:
        cursor, keys = r.scan(cursor, count=9)
        seen.update(keys)
        for _ in range(5):
            n += 1
            writer.set(b"new:%d" % n, "v")
            writer.delete(rnd.choice(churn))
        if cursor == 0:
            break
    assert stable <= seen
    assert all(k.startswith((b"stable:", b"churn:", b"new:")) for k in seen)
    writer.close()


def test_scan_iter_through_redis_py_sees_every_key(r3):
    keys = {b"k:%d" % i for i in range(250)}
    for k in keys:
        r3.set(k, "1")
    r3.set("other", "1")
    assert set(r3.scan_iter(match="k:*", count=20)) == keys
    assert set(r3.scan_iter(_type="STRING", count=1000)) == keys | {b"other"}


def test_many_abandoned_scans_do_not_break_a_running_one(r):
    for i in range(100):
        r.set("k%d" % i, "1")
    cursor, seen = r.scan(0, count=10)
    seen = set(seen)
    for _ in range(100):  # clients that only ever look at the first page
        r.scan(0, count=5)
    while cursor:
        cursor, keys = r.scan(cursor, count=10)
        seen.update(keys)
    assert len(seen) == 100  # evicted snapshot: restarted at its position, still complete here


@pytest.mark.parametrize("how", ["rename", "copy", "move"])
def test_a_key_arriving_by_rename_copy_or_move_wakes_blocked_clients(r, srv, how):
    """dbAdd signals readiness: BLPOP on the target gets the list that arrives."""
    import threading
    import time

    got = []
    blocker = r.client()
    t = threading.Thread(target=lambda: got.append(blocker.blpop("dst", 5)))
    t.start()
    time.sleep(0.2)
    if how == "move":
        r.execute_command("SELECT", 1)
        r.rpush("dst", "x")
        r.execute_command("MOVE", "dst", 0)
        r.execute_command("SELECT", 0)
    else:
        r.rpush("src", "x")
        r.execute_command(how.upper(), "src", "dst")
    t.join(6)
    assert got == [(b"dst", b"x")]


def test_active_expiry_uses_the_same_boundary(h):
    h("set", "k", "v")
    h("pexpire", "k", 10)
    db = h.srv.dbs[0]
    assert db.active_expire(T0 + 10, 100) == 0  # activeExpireCycleTryExpire: now > when
    assert db.active_expire(T0 + 11, 100) == 1
    assert h("exists", "k") == 0
