"""SORT and SORT_RO in-process (tests/harness.py): propagation, dirty counts and events
of STORE, the script rule for sets, the cluster-mode and ACL restrictions on BY/GET,
hash-field expiry reached through a pattern, and the helpers (strtod scoring, slots,
collation). Byte-exact replies against Redis are in tests/differential/test_diff_sort.py."""

from __future__ import annotations

import math

import pytest
from harness import Err, Harness

from moredis.acl.users import User
from moredis.commands import sort as S
from moredis.engine import notify as N

T0 = 1_700_000_000_000


@pytest.fixture
def h():
    """A harness with a settable clock, recording propagation and keyspace events."""
    x = Harness()
    srv = x.srv
    x.now = [T0]
    srv.mstime = lambda: x.now[0]
    x.props = []
    x.events = []
    srv.propagators.append(lambda dbid, argvs: x.props.extend(
        [[a.decode("latin-1") for a in argv] for argv in argvs]))
    srv.keyspace_listeners.append(lambda cls, ev, key, dbid: x.events.append((ev, key)))
    srv.module_notify_mask = N.ALL
    srv._recompute_notify_mask()
    return x


def dirty(h, *args):
    before = h.srv.dirty
    reply = h(*args)
    return reply, h.srv.dirty - before


def take(lst):
    out = list(lst)
    lst.clear()
    return out


def test_store_dirty_events_and_propagation(h):
    h("rpush", "l", "3", "1", "2")
    take(h.props)
    take(h.events)
    assert dirty(h, "sort", "l") == ([b"1", b"2", b"3"], 0)
    assert dirty(h, "sort", "l", "store", "d") == (3, 3)
    assert dirty(h, "sort", "l", "get", "#", "get", "x_*", "store", "d") == (6, 6)
    assert h("lrange", "d", "0", "-1") == [b"1", b"", b"2", b"", b"3", b""]
    assert dirty(h, "sort", "l", "limit", "0", "0", "store", "d") == (0, 1)
    assert dirty(h, "sort", "l", "limit", "0", "0", "store", "d") == (0, 0)
    assert take(h.events) == [("sortstore", b"d"), ("sortstore", b"d"), ("del", b"d")]
    assert take(h.props) == [["sort", "l", "store", "d"], ["sort", "l", "get", "#", "get", "x_*", "store", "d"],
                             ["sort", "l", "limit", "0", "0", "store", "d"]]
    # a bad score fails the command before anything is stored
    h("rpush", "bad", "1", "x")
    assert dirty(h, "sort", "bad", "store", "d") == (Err(S.SCORE_ERROR), 0)
    assert h("exists", "d") == 0
    # the destination is replaced whatever it held, and loses its TTL
    h("set", "d", "x", "ex", "100")
    h("sort", "l", "store", "d")
    assert (h("type", "d"), h("ttl", "d")) == (b"list", -1)


def test_store_encoding_follows_the_list_config(h):
    h("rpush", "l", *("%03d" % i + "x" * 60 for i in range(200)))
    h("sort", "l", "alpha", "limit", "0", "100", "store", "d")
    assert h("object", "encoding", "d") == b"listpack"
    h("sort", "l", "alpha", "store", "d")
    assert h("object", "encoding", "d") == b"quicklist"
    h("config", "set", "list-max-listpack-size", "5")
    h("sort", "l", "alpha", "limit", "0", "5", "store", "d")
    assert h("object", "encoding", "d") == b"listpack"
    h("sort", "l", "alpha", "limit", "0", "6", "store", "d")
    assert h("object", "encoding", "d") == b"quicklist"


def test_sets_without_order_are_sorted_in_scripts(h):
    """BY nosort keeps a set's own order, except when storing or in a script, where the
    result must not depend on it (ALPHA order)."""
    h("sadd", "s", "b", "c", "a")
    assert h("sort", "s", "by", "nosort") == [b"b", b"c", b"a"]
    h.client.in_script = True
    try:
        assert h("sort", "s", "by", "nosort") == [b"a", b"b", b"c"]
        assert h("sort", "s", "by", "nosort", "desc") == [b"c", b"b", b"a"]
    finally:
        h.client.in_script = False
    h("sort", "s", "by", "nosort", "store", "d")
    assert h("lrange", "d", "0", "-1") == [b"a", b"b", b"c"]


def test_cluster_mode_restricts_patterns(h):
    h("rpush", "{t}l", "2", "1")
    h("set", "{t}w_1", "5")
    h.srv.config.values["cluster-enabled"] = True
    assert h("sort", "{t}l", "by", "w_*") == Err(
        "ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.")
    assert h("sort", "{t}l", "get", "w_*") == Err(
        "ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.")
    # patterns whose keys all hash to the sorted key's slot are fine, as are # and nosort
    assert h("sort", "{t}l", "by", "{t}w_*", "get", "#", "get", "{t}w_*") == [b"2", None, b"1", b"5"]
    assert h("sort", "{t}l", "by", "nosort") == [b"2", b"1"]


def test_acl_key_restriction_on_patterns(h):
    h("rpush", "l", "2", "1")
    u = User("limited")
    u.enabled = True
    u.key_patterns = [b"l"]
    h.client.user = u
    assert h("sort", "l", "by", "w_*") == Err("ERR BY option of SORT denied due to insufficient ACL permissions.")
    assert h("sort", "l", "get", "#") == Err("ERR GET option of SORT denied due to insufficient ACL permissions.")
    assert h("sort", "l", "by", "nosort") == [b"2", b"1"]
    u.key_patterns = [b"*"]
    assert h("sort", "l", "by", "w_*", "get", "#") == [b"1", b"2"]


def test_expired_hash_fields_read_as_missing(h):
    h("rpush", "l", "a", "b")
    h("hset", "h_a", "f", "2")
    h("hset", "h_b", "f", "1", "g", "x")
    h("hpexpire", "h_b", "10", "fields", "1", "f")
    take(h.events)
    assert h("sort", "l", "by", "h_*->f", "get", "h_*->f") == [b"1", b"2"]
    h.now[0] += 20
    assert h("sort", "l", "by", "h_*->f", "get", "h_*->f") == [None, b"2"]
    assert take(h.events) == [("hexpired", b"h_b")]
    assert h("hgetall", "h_b") == {b"g": b"x"}


def test_sort_leaves_sorted_sets_skiplist_encoded(h):
    h("zadd", "z", "1", "a", "2", "b")
    assert h("object", "encoding", "z") == b"listpack"
    assert h("sort_ro", "z", "alpha", "desc") == [b"b", b"a"]
    assert h("object", "encoding", "z") == b"skiplist"


@pytest.mark.parametrize(("text", "value", "ok"), [
    (b"12", 12.0, True), (b"", 0.0, True), (b"\x00x", 0.0, True), (b"1\x00x", 1.0, True), (b"  -3", -3.0, True),
    (b"3 ", 3.0, False), (b" ", 0.0, False), (b"0x10", 16.0, True), (b"-0X1P3", -8.0, True), (b"inf", math.inf, True),
    (b"-Infinity", -math.inf, True), (b"1e400", math.inf, False), (b"0x1p1024", math.inf, False),
    (b"-0x1p1024", -math.inf, False), (b"1e-400", 0.0, False), (b"4.9e-324", 5e-324, False),
    (b"0x1p-1074", 5e-324, True), (b"0e-999", 0.0, True), (b"1e", 1.0, False), (b"1_0", 1.0, False),
])
def test_sort_score(text, value, ok):
    v, good = S.sort_score(text)
    assert good is ok
    assert v == value


def test_sort_score_nan_is_an_error():
    v, good = S.sort_score(b"nan")
    assert not good and v != v


def test_slots():
    assert S.key_slot(b"somekey") == 11058
    assert S.key_slot(b"foo{hash_tag}") == 2515
    assert S.key_slot(b"x{}y") == S.key_slot(b"x{}y") and S.key_slot(b"{}") != S.key_slot(b"")
    assert S.pattern_slot(b"{hash_tag}*") == 2515
    assert S.pattern_slot(b"w_*") == -1
    assert S.pattern_slot(b"a\\{b}*") == -1
    assert S.pattern_slot(b"a{}*") == -1
    assert S.pattern_slot(b"fixed") == S.key_slot(b"fixed")


def test_collation_in_the_c_locale():
    key = S.collate_key()
    assert key(b"ab\x00zz") == b"ab"
    assert S._strxfrm(b"b\x00a") == b"b"
    assert sorted([b"b", b"a\x00z", b"a"], key=key) == [b"a\x00z", b"a", b"b"]
