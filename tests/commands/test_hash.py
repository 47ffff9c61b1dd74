"""Hash commands in-process (tests/harness.py) with an injected clock: field expiry,
lazy and active, its events, propagation and dirty counts, encodings, re-indexing
after RENAME, and INFO's subexpiry figure. Replies are checked against what Redis 7.4
answers (tests/differential/test_diff_hash.py compares them byte for byte)."""

import pytest
from harness import Err, Harness

from moredis.engine import notify as N
from moredis.engine.types.hash import Hash, field_expiry, track

T0 = 1_700_000_000_000


@pytest.fixture
def h():
    """A harness whose clock only moves when told, with events and propagation recorded."""
    x = Harness()
    srv = x.srv
    x.now = [T0]
    srv.mstime = lambda: x.now[0]
    x.events = []
    x.props = []
    srv.keyspace_listeners.append(lambda cls, ev, key, dbid: x.events.append((ev, key)))
    srv.module_notify_mask = N.ALL | N.NEW
    srv._recompute_notify_mask()
    srv.propagators.append(lambda dbid, argvs: x.props.extend(argvs))
    return x


def take(lst):
    out = list(lst)
    lst.clear()
    return out


def dirty(h, *args):
    before = h.srv.dirty
    reply = h(*args)
    return reply, h.srv.dirty - before


def test_hset_family_replies_and_dirty(h):
    assert dirty(h, "hset", "k", "a", "1", "b", "2") == (2, 2)
    assert dirty(h, "hset", "k", "a", "1", "b", "2") == (0, 2)  # every pair counts
    assert dirty(h, "hmset", "k", "c", "3") == (b"OK", 1)
    assert dirty(h, "hsetnx", "k", "a", "9") == (0, 0)
    assert dirty(h, "hsetnx", "k", "z", "9") == (1, 1)
    assert dirty(h, "hdel", "k", "a", "b", "nope") == (2, 2)
    assert dirty(h, "hdel", "k", "nope") == (0, 0)
    assert dirty(h, "hincrby", "k", "n", "5") == (5, 1)
    assert dirty(h, "hincrbyfloat", "k", "n", "0.5") == (b"5.5", 1)
    assert h("hmset", "k", "a") == Err("ERR wrong number of arguments for 'hmset' command")
    assert h("hset", "k", "a", "1", "b") == Err("ERR wrong number of arguments for 'hset' command")
    assert h("hgetall", "k") == {b"c": b"3", b"z": b"9", b"n": b"5.5"}
    assert take(h.events)[:2] == [("new", b"k"), ("hset", b"k")]


def test_hexpire_replies_dirty_events_and_propagation(h):
    h("hset", "k", "a", "1", "b", "2", "c", "3")
    take(h.events)
    take(h.props)
    assert dirty(h, "hexpire", "k", "100", "FIELDS", "3", "a", "b", "nope") == ([1, 1, -2], 2)
    assert take(h.props) == [[b"HPEXPIREAT", b"k", b"%d" % (T0 + 100_000), b"FIELDS", b"3", b"a", b"b", b"nope"]]
    assert take(h.events) == [("hexpire", b"k")]
    assert dirty(h, "hexpire", "k", "100", "NX", "FIELDS", "1", "a") == ([0], 0)
    assert take(h.props) == [] and take(h.events) == []
    assert dirty(h, "hpexpire", "k", "50", "lt", "FIELDS", "1", "a") == ([1], 1)
    assert take(h.props) == [[b"HPEXPIREAT", b"k", b"%d" % (T0 + 50), b"lt", b"FIELDS", b"1", b"a"]]
    assert dirty(h, "hpexpireat", "k", str(T0 + 7), "FIELDS", "1", "b") == ([1], 1)
    assert take(h.props) == [[b"hpexpireat", b"k", b"%d" % (T0 + 7), b"FIELDS", b"1", b"b"]]
    assert h("hpexpiretime", "k", "FIELDS", "3", "a", "b", "c") == [T0 + 50, T0 + 7, -1]
    assert h("hpttl", "k", "FIELDS", "2", "a", "b") == [50, 7]
    assert h("httl", "k", "FIELDS", "2", "a", "b") == [1, 1]
    assert h("hexpiretime", "k", "FIELDS", "1", "b") == [(T0 + 7 + 999) // 1000]
    assert dirty(h, "hpersist", "k", "FIELDS", "3", "a", "b", "c") == ([1, 1, -1], 1)
    take(h.events)
    take(h.props)
    # a time already past deletes: replicated as HDELs, the event is hdel, then del
    assert dirty(h, "hexpireat", "k", "1", "FIELDS", "3", "a", "b", "nope") == ([2, 2, -2], 2)
    assert take(h.props) == [[b"HDEL", b"k", b"a"], [b"HDEL", b"k", b"b"]]
    assert take(h.events) == [("hdel", b"k")]
    assert h("hexpire", "k", "0", "FIELDS", "1", "c") == [2]
    assert take(h.events) == [("hdel", b"k"), ("del", b"k")]
    assert h("exists", "k") == 0


def test_lazy_expiry_on_reads(h):
    h("hset", "k", "a", "1", "b", "2", "c", "3")
    h("hpexpire", "k", "10", "FIELDS", "2", "a", "b")
    take(h.events)
    take(h.props)
    h.now[0] += 10
    assert h("hget", "k", "a") == b"1"  # alive through its own millisecond
    h.now[0] += 1
    assert h("hlen", "k") == 3
    assert h("hgetall", "k") == {b"c": b"3"}
    assert h("hscan", "k", "0") == [b"0", [b"c", b"3"]]
    assert h("httl", "k", "FIELDS", "2", "a", "c") == [-2, -1]
    assert h("hpersist", "k", "FIELDS", "1", "a") == [-2]
    assert h("hlen", "k") == 3 and take(h.events) == [] and take(h.props) == []
    assert h("hget", "k", "a") is None
    assert take(h.events) == [("hexpired", b"k")]
    assert take(h.props) == [[b"HDEL", b"k", b"a"]]
    assert h.srv.stat_expired_subkeys == 1
    assert h("hlen", "k") == 2
    assert h("hmget", "k", "b", "c") == [None, b"3"]
    assert take(h.events) == [("hexpired", b"k")]
    h("hpexpire", "k", "1", "FIELDS", "1", "c")
    h.now[0] += 2
    take(h.events)
    assert h("hexists", "k", "c") == 0
    assert take(h.events) == [("hexpired", b"k"), ("del", b"k")]
    assert h("exists", "k") == 0


def test_hmget_events_follow_redis(h):
    """hmgetCommand notifies once for the lot, and not at all when the only expired
    field emptied the hash (no 'hexpired', no 'del'), as Redis 7.4 does."""
    h("hset", "k", "a", "1")
    h("hpexpire", "k", "1", "FIELDS", "1", "a")
    h.now[0] += 2
    take(h.events)
    assert h("hmget", "k", "a", "x") == [None, None]
    assert take(h.events) == []
    assert h("exists", "k") == 0
    h("hset", "k", "a", "1", "b", "2")
    h("hpexpire", "k", "1", "FIELDS", "2", "a", "b")
    h.now[0] += 2
    take(h.events)
    assert h("hmget", "k", "a", "b", "c") == [None, None, None]
    assert take(h.events) == [("hexpired", b"k"), ("del", b"k")]


def test_writes_over_expired_fields(h):
    h("hset", "k", "a", "1")
    h("hpexpire", "k", "1", "FIELDS", "1", "a")
    h.now[0] += 2
    take(h.events)
    take(h.props)
    # HINCRBY: the expired field goes, the emptied hash with it, then a new hash
    assert h("hincrby", "k", "a", "5") == 5
    assert take(h.events) == [("hexpired", b"k"), ("del", b"k"), ("new", b"k"), ("hincrby", b"k")]
    assert take(h.props) == [[b"HDEL", b"k", b"a"], [b"hincrby", b"k", b"a", b"5"]]
    h("hpexpire", "k", "1", "FIELDS", "1", "a")
    h.now[0] += 2
    assert h("hset", "k", "a", "2") == 0  # an update: the field was still there
    assert h("httl", "k", "FIELDS", "1", "a") == [-1]
    h("hpexpire", "k", "1", "FIELDS", "1", "a")
    h.now[0] += 2
    assert h("hdel", "k", "a") == 1
    h("hset", "k", "a", "1", "b", "2")
    h("hpexpire", "k", "1", "FIELDS", "1", "a")
    h.now[0] += 2
    assert h("hsetnx", "k", "a", "7") == 1
    assert h("hgetall", "k") == {b"b": b"2", b"a": b"7"}
    take(h.props)
    assert h("hincrbyfloat", "k", "b", "1.5") == b"3.5"
    assert take(h.props) == [[b"HSET", b"k", b"b", b"3.5"]]


def test_hrandfield_removes_expired_first(h):
    h("hset", "k", "a", "1", "b", "2", "c", "3")
    h("hpexpire", "k", "1", "FIELDS", "2", "a", "b")
    h.now[0] += 2
    take(h.events)
    take(h.props)
    assert h("hrandfield", "k", "-3") == [b"c", b"c", b"c"]
    assert take(h.events) == [("hexpired", b"k")]
    assert sorted(take(h.props)) == [[b"HDEL", b"k", b"a"], [b"HDEL", b"k", b"b"]]
    assert h("hlen", "k") == 1
    h("hpexpire", "k", "1", "FIELDS", "1", "c")
    h.now[0] += 2
    assert h("hrandfield", "k") is None
    assert h("exists", "k") == 0


def test_active_expiry_from_the_cron(h):
    srv = h.srv
    h("hset", "k", "a", "1", "b", "2", "c", "3")
    h("hset", "k2", "a", "1")
    h("hpexpire", "k", "5", "FIELDS", "2", "a", "b")
    h("hpexpire", "k2", "5", "FIELDS", "1", "a")
    h("hpexpire", "k", "500", "FIELDS", "1", "c")
    assert len(srv.dbs[0].subexpires) == 2
    take(h.events)
    take(h.props)
    srv.cron()
    assert h("hlen", "k") == 3  # nothing due yet
    h.now[0] += 6
    srv.cron()
    assert h("hlen", "k") == 1 and h("exists", "k2") == 0
    assert sorted(take(h.events)) == [("del", b"k2"), ("hexpired", b"k"), ("hexpired", b"k2")]
    assert sorted(take(h.props)) == [[b"HDEL", b"k", b"a"], [b"HDEL", b"k", b"b"], [b"HDEL", b"k2", b"a"]]
    assert len(srv.dbs[0].subexpires) == 1
    h.now[0] += 1000
    srv.active_expire_enabled = False
    srv.cron()
    assert h("hlen", "k") == 1
    srv.active_expire_enabled = True
    srv.cron()
    assert h("exists", "k") == 0 and len(srv.dbs[0].subexpires) == 0
    assert srv.stat_expired_subkeys == 4


def test_subexpiry_follows_redis(h):
    """A hash stays indexed until its scheduled time even when its TTLs are gone (as
    db->hexpires does); deleting the key drops it at once."""
    srv = h.srv
    assert srv.dbs[0].subexpires is None
    h("hset", "k", "a", "1", "b", "2")
    h("hexpire", "k", "100", "FIELDS", "1", "a")
    sub = srv.dbs[0].subexpires
    assert len(sub) == 1
    h("hpersist", "k", "FIELDS", "1", "a")
    assert len(srv.dbs[0].subexpires) == 1
    h.now[0] += 100_001
    srv.cron()
    assert len(srv.dbs[0].subexpires) == 0
    h("hexpire", "k", "100", "FIELDS", "1", "a")
    assert len(srv.dbs[0].subexpires) == 1
    h("del", "k")
    assert len(srv.dbs[0].subexpires) == 0
    assert sub is srv.dbs[0].subexpires


def test_renamed_hash_is_reindexed(h):
    srv = h.srv
    h("hset", "k", "a", "1", "b", "2")
    h("hpexpire", "k", "5", "FIELDS", "1", "a")
    h("rename", "k", "k2")  # RENAME adopts the value under its new name (objects.adopted)
    h.now[0] += 6
    srv.cron()
    assert h("hlen", "k2") == 1
    # track() is the hook for code that moves hashes around (COPY, RESTORE, loading)
    h("hset", "c", "a", "1", "b", "2")
    h("hpexpire", "c", "5", "FIELDS", "1", "a")
    h("copy", "c", "c2")
    track(srv.dbs[0], b"c2", srv.dbs[0].data[b"c2"])
    track(srv.dbs[0], b"s", b"not a hash")
    h.now[0] += 6
    srv.cron()
    assert h("hlen", "c") == 1 and h("hlen", "c2") == 1


def test_key_ttl_is_lost_when_a_write_recreates_the_hash(h):
    h("hset", "k", "a", "1")
    h("pexpire", "k", "100000")
    h("hpexpire", "k", "1", "FIELDS", "1", "a")
    h.now[0] += 2
    assert h("hincrby", "k", "a", "1") == 1
    assert h("pttl", "k") == -1


def test_encoding_thresholds_come_from_the_config(h):
    h("config", "set", "hash-max-listpack-entries", "3")
    h("config", "set", "hash-max-listpack-value", "5")
    h("hset", "k", "a", "1", "b", "2", "c", "3")
    assert h("object", "encoding", "k") == b"listpack"
    h("hexpire", "k", "100", "FIELDS", "1", "c")
    assert h("object", "encoding", "k") == b"listpackex"
    assert h("hkeys", "k") == [b"c", b"a", b"b"]
    h("hset", "k", "d", "4")
    assert h("object", "encoding", "k") == b"hashtable"
    assert h("httl", "k", "FIELDS", "2", "c", "d") == [100, -1]
    h("hdel", "k", "a", "b", "d")
    assert h("object", "encoding", "k") == b"hashtable"
    assert type(h.srv.dbs[0].data[b"k"]) is Hash
    h("hset", "k2", "abcdef", "1")
    assert h("object", "encoding", "k2") == b"hashtable"


def test_hashtable_ttls_expire_in_time_order(h):
    srv = h.srv
    h("config", "set", "hash-max-listpack-entries", "1")
    args = []
    for i in range(50):
        args += ["f%d" % i, "v"]
    h("hset", "k", *args)
    for i in range(50):
        h("hpexpire", "k", str(10 + i), "FIELDS", "1", "f%d" % i)
    field_expiry(srv)  # created by the first HPEXPIRE
    for step in range(50):
        h.now[0] = T0 + 11 + step
        srv.cron()
        assert h("hlen", "k") == 49 - step
    assert h("exists", "k") == 0


def test_multi_exec_and_resp3_shapes():
    x = Harness(resp=3)
    x("hset", "k", "a", "1", "b", "2")
    assert x("hgetall", "k") == {b"a": b"1", b"b": b"2"}
    assert x.raw("hgetall", "k").kind == "map"
    assert x.raw("hrandfield", "k", "2", "withvalues").value[0].kind == "array"
    assert x.raw("hgetall", "nope").kind == "map"
    x2 = Harness(resp=2)
    x2("hset", "k", "a", "1")
    assert x2.raw("hgetall", "k").kind == "map"  # the writer flattens it on the wire
    assert x2("hrandfield", "k", "1", "withvalues") == [b"a", b"1"]


def test_reindex_after_keyspaces_are_swapped(h):
    """What SWAPDB needs: swap `subexpires` along with the data, then reindex both."""
    from moredis.engine.types.hash import reindex

    srv = h.srv
    h("hset", "k", "a", "1", "b", "2")
    h("hpexpire", "k", "5", "FIELDS", "1", "a")
    a, b = srv.dbs[0], srv.dbs[1]
    for name in ("data", "expires", "access", "subexpires"):
        va, vb = getattr(a, name), getattr(b, name)
        setattr(a, name, vb)
        setattr(b, name, va)
    reindex(a)
    reindex(b)
    assert len(b.subexpires) == 1 and len(a.subexpires) == 0
    h.now[0] += 6
    srv.cron()
    h("select", "1")
    assert h("hgetall", "k") == {b"b": b"2"} and h("hlen", "k") == 1
