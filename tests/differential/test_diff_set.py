"""Differential: set commands answer byte for byte as Redis 7.4 does (RESP2 and RESP3),
with the same errors, encodings and conversions (also for computed and popped sets),
member orders (intsets ascending, listpacks in insertion order; only a hashtable's order
is left free), digests, keyspace events, keyspace hit/miss counts and replication
stream; SPOP/SRANDMEMBER are compared by the properties Redis guarantees for each of its
code paths; plus hypothesis runs of random command sequences against both servers."""

from __future__ import annotations

import random
import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from respclient import parse_reply
from string_helpers import ReplicationStream, configured, keyspace_events

from moredis.engine.digest import object_digest

SCRIPT = """
SADD s 3 1 2 1
SADD l b a c
SADD s
SMEMBERS s
SMEMBERS l
SMEMBERS nokey
OBJECT ENCODING s
OBJECT ENCODING l
SADD m 1 2 3
SADD m 3 1 2 x
SMEMBERS m
SREM m 1 y
SMEMBERS m
SREM m 2 3 x
EXISTS m
SREM m 1
SREM nokey a
SREM s
SET str v
SADD str a
SREM str a
SMEMBERS str
SCARD str
SCARD s
SCARD nokey
SCARD s extra
SISMEMBER s 1
SISMEMBER s 01
SISMEMBER s -0
SISMEMBER s +1
SISMEMBER l a
SISMEMBER str 1
SISMEMBER nokey 1
SISMEMBER s
SMISMEMBER s 1 2 zz 01
SMISMEMBER nokey 1 2
SMISMEMBER str 1
SMISMEMBER s
SMOVE s l 1
SMOVE s l 1
SMOVE nokey str a
SMOVE s str 2
SMOVE s str nope
SMOVE str s 2
SMOVE s s 2
SMOVE s s nope
SMOVE s newkey 2
OBJECT ENCODING newkey
SMOVE l newkey b
OBJECT ENCODING newkey
SMEMBERS newkey
SMEMBERS l
SMOVE l l2 a
SMOVE l l2 c
EXISTS l
SMOVE l2 s a
SMEMBERS s
OBJECT ENCODING s
SMOVE s
SINTER s l2
SINTER s nokey
SINTER nokey s
SINTER s str
SINTER nokey str
SINTER str nokey
SINTER s s
SINTER
SINTERSTORE d s l2
SINTERSTORE d s newkey
EXISTS d
SINTERSTORE d s newkey
SINTERSTORE s2 s s
SMEMBERS s2
SINTERSTORE str s nokey
EXISTS str
SET str v
SINTERSTORE d str s
SINTERSTORE d
SINTERCARD 2 s s2
SINTERCARD 2 s s2 LIMIT 1
SINTERCARD 2 s s2 limit 0
SINTERCARD 2 s s2 LIMIT 100
SINTERCARD 2 s nokey
SINTERCARD 2 s str
SINTERCARD 1 s LIMIT 1 LIMIT 2
SINTERCARD 1 s LIMIT
SINTERCARD 1 s FOO 1
SINTERCARD 1 s LIMIT -1
SINTERCARD 1 s LIMIT x
SINTERCARD 0 s
SINTERCARD -1 s
SINTERCARD x s
SINTERCARD 3 s s2
SINTERCARD 9223372036854775808 s
SINTERCARD 1
SUNION s l2 newkey nokey
SUNION nokey
SUNION s str
SUNION nokey str
SUNIONSTORE u s l2 newkey nokey
SMEMBERS u
OBJECT ENCODING u
SUNIONSTORE u nokey
EXISTS u
SUNIONSTORE u s newkey
SDIFF u s
SDIFF s s
SDIFF s nokey s
SDIFF nokey s
SDIFF s str
SDIFF str s
SDIFFSTORE dd u s
SMEMBERS dd
OBJECT ENCODING dd
SDIFFSTORE dd nokey u
EXISTS dd
SSCAN u 0
SSCAN u 0 MATCH *a*
SSCAN u 0 match 2 COUNT 1
SSCAN u 0 COUNT 1
SSCAN u 0 NOVALUES
SSCAN u 0 COUNT 0
SSCAN u 0 COUNT -1
SSCAN u 0 COUNT x
SSCAN u 0 MATCH
SSCAN u 0 TYPE string
SSCAN u 0 foo
SSCAN u x
SSCAN u -1
SSCAN u 18446744073709551616
SSCAN u 18446744073709551615
SSCAN nokey 0 blah
SSCAN nokey x
SSCAN str 0
SRANDMEMBER nokey
SRANDMEMBER nokey 3
SRANDMEMBER nokey -3
SRANDMEMBER nokey 0
SRANDMEMBER nokey x
SRANDMEMBER str
SRANDMEMBER str 3
SRANDMEMBER str x
SRANDMEMBER u 1 2
SRANDMEMBER u 100
SRANDMEMBER u 0
SRANDMEMBER u -9223372036854775808
SRANDMEMBER u -9223372036854775809
SRANDMEMBER u 9223372036854775807
SRANDMEMBER u 9223372036854775808
SRANDMEMBER u 1.5
SADD one x
SRANDMEMBER one
SRANDMEMBER one -4
SRANDMEMBER one 1
SPOP nokey
SPOP nokey 3
SPOP nokey 0
SPOP nokey -1
SPOP str
SPOP str 3
SPOP str x
SPOP u 0
SPOP u -1
SPOP u x
SPOP u 1.5
SPOP u 9223372036854775808
SPOP u 1 2
SPOP one
EXISTS one
SPOP u 100
EXISTS u
SADD u a
SPOP u 9223372036854775807
SADD
SREM s
SPOP
SRANDMEMBER
SMEMBERS
SSCAN s
SUNION
SDIFF
SDIFFSTORE d
SUNIONSTORE d
"""


def _run(x, script: str) -> None:
    for line in script.strip().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            x.check(*shlex.split(line))


def test_commands_errors_and_edges(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        _run(x, SCRIPT)


def test_binary_and_big_members(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("SADD", "s", b"\x00\r\n", "", b"\xff" * 100, "x" * 70000, "1")
        x.check("SCARD", "s")
        x.check("OBJECT", "ENCODING", "s")
        x.check("SISMEMBER", "s", "")
        x.check("SISMEMBER", "s", b"\x00\r\n")
        x.check("SREM", "s", b"\x00\r\n")
        x.check("SADD", "b", "", b"\x00")
        x.check("SMEMBERS", "b")
        x.check("SSCAN", "b", "0", "MATCH", b"\x00")


# --- order-aware comparison ----------------------------------------------------------------
def _sorted(v):
    if isinstance(v, list):
        return sorted((_sorted(x) for x in v), key=repr)
    return v


def _ref_encoding(d, key: str) -> bytes | None:
    enc = d.theirs.call("OBJECT", "ENCODING", key)
    return parse_reply(enc) if enc.startswith(b"$") else None


def check_members(d, key: str, unordered: bool = False) -> None:
    """Same encoding, and the same members in the same order unless a hashtable (or
    `unordered`: a set made by walking a hashtable, whose order is free)."""
    enc = d.check("OBJECT", "ENCODING", key)
    if b"hashtable" in enc or unordered:
        d.check_sorted("SMEMBERS", key)
    else:
        d.check("SMEMBERS", key)


def check_result(d, *args, unordered: bool) -> bytes:
    """Byte-equal, or (when `unordered`) equal up to the order of array elements."""
    mine, theirs = d.both(*args)
    if mine != theirs:
        assert unordered and _sorted(parse_reply(mine)) == _sorted(parse_reply(theirs)), (
            f"{args!r}: moredis {mine[:400]!r} != reference {theirs[:400]!r}")
    return theirs


def _ints(a: int, b: int) -> list[str]:
    return [str(i) for i in range(a, b)]


def _strs(a: int, b: int, p: str = "m") -> list[str]:
    return [f"{p}{i}" for i in range(a, b)]


CREATIONS = {
    "i511": [_ints(0, 511)], "i512": [_ints(0, 512)], "i513": [_ints(0, 513)], "i600": [_ints(0, 600)],
    "s127": [_strs(0, 127)], "s128": [_strs(0, 128)], "s129": [_strs(0, 129)],
    "mix1": [["1", *_strs(0, 127)]], "mix2": [["1", *_strs(0, 128)]], "mix3": [["1", *_strs(0, 600)]],
    "mix4": [["a", *_ints(0, 300)]],
    "lp": [["a", "b", "c"], ["a"] * 129], "lp2": [["a", "b", "c"], ["a"] * 128],
    "is": [["1", "2", "3"], ["1"] * 513], "is2": [["1", "2", "3"], ["1"] * 512],
    "is3": [_ints(0, 127), ["x"]], "is4": [_ints(0, 128), ["x"]], "is5": [_ints(0, 512), ["512"]],
    "big": [["1", "x" * 64]], "big2": [["1", "x" * 65]], "big3": [["a", "x" * 65]], "big4": [["x" * 65]],
    "n1": [["-9223372036854775808", "9223372036854775807", "01", "-0", "+1", " 1"]],
    "n2": [["-9223372036854775808", "9223372036854775807"], ["9223372036854775808"]],
    "back": [["a"], ["3", "1"], ["2"]],  # a listpack whose integers are not sorted
    "dup": [["1", "1", "2", "2", "a", "a"]],
}


def _create(d) -> None:
    for key, batches in CREATIONS.items():
        for members in batches:
            d.check("SADD", key, *members)
        check_members(d, key)
    d.check("SREM", "back", "a")
    check_members(d, "back")


def test_encodings_and_conversions(d):
    d.check("FLUSHALL")
    _create(d)


def test_conversions_under_other_limits(d, srv):
    d.check("FLUSHALL")
    with configured(srv, d, "set-max-listpack-value", "3", "64"):
        for key, first in (("w", ["1000", "5"]), ("w2", ["100", "-5"]), ("w3", ["-100", "5"]), ("w4", ["-10", "5"])):
            d.check("SADD", key, *first)
            d.check("SADD", key, "ab")
            check_members(d, key)
        d.check("SADD", "w5", "abcd")
        check_members(d, "w5")
    with configured(srv, d, "set-max-intset-entries", "0", "512"):
        d.check("SADD", "z0", "1")
        check_members(d, "z0")
    with configured(srv, d, "set-max-listpack-entries", "0", "128"):
        for key, members in (("z1", ["a"]), ("z2", ["1"])):
            d.check("SADD", key, *members)
            check_members(d, key)
        d.check("SADD", "z2", "a")
        check_members(d, "z2")
    with configured(srv, d, "set-max-intset-entries", "3", "512"):
        d.check("SADD", "z3", "1", "2", "3")
        check_members(d, "z3")
        d.check("SADD", "z3", "4")
        check_members(d, "z3")
        d.check("SADD", "z4", "1", "2", "3", "4")
        check_members(d, "z4")
        d.check("SADD", "z5", "3", "2")
        d.check("SMOVE", "z4", "z5", "1")
        d.check("SMOVE", "z4", "z5", "4")
        check_members(d, "z5")


STORE_INPUTS = ["a b", "b a", "b c", "c b", "a c", "a", "b", "c", "i600 a", "s129 b", "s129 mix3", "mix3 s129",
                "i600 i513", "i513 i600", "mix4 i600", "i600 mix4", "mix3 mix4", "lp a", "a lp", "back", "back a",
                "a back", "back back", "lp2 back", "i511 s127", "s127 i511", "e", "e e", "nokey a", "a nokey",
                "f f1 f2 f3 f4 f5 f6 f7 f8 f9", "f f1", "f f1 nokey f2 f3 f4 f5 f6 f7 f8 f9 nokey"]


def test_store_results_encodings_and_orders(d):
    """A computed set's encoding and order follow the inputs' encodings and orders, and
    SDIFF's algorithm choice (a removed string may leave a listpack behind)."""
    d.check("FLUSHALL")
    _create(d)
    d.check("SADD", "a", "1", "2", "3", "4", "5")
    d.check("SADD", "b", "3", "4", "5", "6", "x")
    d.check("SADD", "c", "5", "4", "3", "y", "z")
    d.check("SADD", "e", "z", "1", "2")
    d.check("SADD", "f", "1", "2", "a")
    for i in range(1, 10):
        d.check("SADD", f"f{i}", "a" if i == 1 else f"q{i}")
    for cmd in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
        for keys in STORE_INPUTS:
            ks = keys.split()
            from_ht = any(_ref_encoding(d, k) == b"hashtable" for k in ks)
            d.check(cmd, "dst", *ks)
            if d.theirs.call("EXISTS", "dst") == b":1\r\n":
                check_members(d, "dst", from_ht)
    for cmd in ("SINTER", "SUNION", "SDIFF"):
        for keys in STORE_INPUTS:
            ks = keys.split()
            unordered = any(_ref_encoding(d, k) == b"hashtable" for k in ks)
            reply = check_result(d, cmd, *ks, unordered=unordered or len(parse_reply(d.theirs.call(cmd, *ks))) > 128)
            assert reply[:1] == b"*"
    for keys in STORE_INPUTS:
        ks = keys.split()
        for limit in ("0", "1", "3"):
            d.check("SINTERCARD", str(len(ks)), *ks, "LIMIT", limit)


def test_digests_match_redis(d, srv):
    d.check("FLUSHALL")
    _create(d)

    def digests():
        db = srv.core.dbs[0]
        return {k: object_digest(db, k, v).hex().encode() for k, v in db.data.items()}

    d.check("PEXPIRE", "mix2", "100000")
    mine = srv.call_in_loop(digests)
    assert len(mine) == len(CREATIONS)
    for key, dig in mine.items():
        theirs = d.theirs.call("DEBUG", "DIGEST-VALUE", key)
        assert theirs == b"*1\r\n+%b\r\n" % dig, key
    d.check("DEBUG", "DIGEST")


def test_memory_usage(d, srv):
    """objectComputeSize for sets: intset and listpack allocations, dict buckets and
    entries (SAMPLES 0 walks every member, so the hashtable's order does not matter). The
    hashtables are made presized, as no rehash may be half done: Redis then counts both
    tables."""
    d.check("FLUSHALL")
    cases = {
        "i3": ["1", "2", "3"], "i100": _ints(0, 100), "ibig": ["1", str(1 << 40)], "i32": ["70000", "5"],
        "ineg": ["-5", "-40000"], "l2": ["a", "b"], "lint": ["a", *_ints(0, 120)],
        "lmix": ["a", "1", "127", "128", "4095", "4096", "-4096", "-4097", "32767", "32768", "8388607",
                 "8388608", str(1 << 31), str(1 << 40), "-3", "x" * 63, "y" * 64, "", "-0", "01"],
        "h130": _strs(0, 130), "h129": _strs(0, 129), "hints": _ints(0, 600), "hmix": ["z" * 120, "a", *_strs(0, 140)],
    }
    for key, members in cases.items():
        d.check("SADD", key, *members)
    with configured(srv, d, "set-max-listpack-value", "5000", "64"):
        d.check("SADD", "lbig", "a", "q" * 100, "r" * 4000)
    for key in [*cases, "lbig"]:
        enc = d.check("OBJECT", "ENCODING", key)
        d.check("MEMORY", "USAGE", key, "SAMPLES", "0")
        if b"hashtable" not in enc or key in ("h130", "h129", "hints"):
            d.check("MEMORY", "USAGE", key)


# --- SPOP and SRANDMEMBER: the properties of each of Redis's code paths -----------------------------
SHAPES = {
    "intset": _ints(0, 40),
    "listpack": _strs(0, 40),
    "mixed": ["7", "a", "3", *_strs(0, 30)],
    "hashtable": _strs(0, 300),
    "ht_ints": _ints(0, 600),
}


def _observe(c, key: str, cmd: list[str], members: list[bytes]) -> dict:
    reply = parse_reply(c.call(*cmd))
    out = {"type": type(reply).__name__}
    if isinstance(reply, list):
        out["len"] = len(reply)
        out["distinct"] = len(set(reply)) == len(reply)
        out["subset"] = set(reply) <= set(members)
        pos = {m: i for i, m in enumerate(members)}
        out["in_order"] = [pos[x] for x in reply] == sorted(pos[x] for x in reply) if out["subset"] else None
        left = c.call("SMEMBERS", key)
        left_members = parse_reply(left) if left.startswith(b"*") else []
        out["left"] = len(left_members)
        out["left_in_order"] = [pos[x] for x in left_members] == sorted(pos[x] for x in left_members)
        out["disjoint"] = not set(reply) & set(left_members)
        out["encoding"] = parse_reply(c.call("OBJECT", "ENCODING", key)) if left_members else None
    elif isinstance(reply, bytes):
        out["member"] = reply in set(members)
    return out


@pytest.mark.parametrize("shape", list(SHAPES))
def test_spop_and_srandmember_paths(d, shape):
    """Counts that take each path: a listpack answers distinct picks in its own order and
    SPOP keeps the survivors' order; intsets and hashtables pick in random order; a
    hashtable that keeps few members becomes a listpack (in the order it drew them);
    duplicates only with negative counts. Both servers must show the same properties
    on every path."""
    members = SHAPES[shape]
    listpack = shape in ("listpack", "mixed")
    d.check("FLUSHALL")
    d.check("SADD", "k", *members)
    size = len(members)
    for cmd in (["SRANDMEMBER", "k"], ["SRANDMEMBER", "k", "1"], ["SRANDMEMBER", "k", "2"],
                ["SRANDMEMBER", "k", str(size // 2)], ["SRANDMEMBER", "k", str(size - 1)],
                ["SRANDMEMBER", "k", str(size)], ["SRANDMEMBER", "k", "-5"],
                ["SRANDMEMBER", "k", str(-3 * size)]):
        order = [parse_reply(c.call("SMEMBERS", "k")) for c in (d.mine, d.theirs)]
        got = [_observe(c, "k", cmd, o) for c, o in zip((d.mine, d.theirs), order, strict=True)]
        for g in got:
            if cmd[-1].startswith("-"):  # repeats allowed: distinctness and order are chance
                g.pop("distinct", None)
                g.pop("in_order", None)
            elif not listpack and cmd[-1] != str(size):  # picks in random order
                g.pop("in_order", None)
        assert got[0] == got[1], (cmd, got)
    for count in (1, 3, size // 3, size - size // 6, size - 2):
        d.check("DEL", "k")
        d.check("SADD", "k", *members)
        order = [parse_reply(c.call("SMEMBERS", "k")) for c in (d.mine, d.theirs)]
        cmd = ["SPOP", "k", str(count)]
        got = [_observe(c, "k", cmd, o) for c, o in zip((d.mine, d.theirs), order, strict=True)]
        for g in got:
            if not listpack:
                g.pop("in_order", None)  # popped in random order, or in a hashtable's order
            if shape in ("hashtable", "ht_ints"):
                g.pop("left_in_order")  # survivors in the order they were drawn
        assert got[0] == got[1], (cmd, got)
    d.check("DEL", "k")
    d.check("SADD", "k", *members)
    for c in (d.mine, d.theirs):
        assert _observe(c, "k", ["SPOP", "k"], [m.encode() for m in members])["member"]
    d.check("DEL", "k")
    d.check("SADD", "k", *members)
    check_result(d, "SPOP", "k", str(size), unordered=shape in ("hashtable", "ht_ints"))
    d.check("EXISTS", "k")


def test_spop_everything_answers_in_union_order(d):
    """SPOP with count >= size answers as SUNION of the set would: a listpack whose
    integers were not added in order comes back with them sorted first."""
    d.check("FLUSHALL")
    d.check("SADD", "k", "a")
    d.check("SADD", "k", "30", "4", "b", "1")
    d.check("SREM", "k", "a")
    d.check("SMEMBERS", "k")
    d.check("SUNION", "k")
    d.check("SPOP", "k", "10")
    d.check("SADD", "j", "z", "5", "y")
    d.check("SPOP", "j", "3")


# --- notifications, statistics, replication ---------------------------------------------------------------
@pytest.fixture
def events(srv, ref, d):
    yield from keyspace_events(srv, ref, d)


def test_keyspace_events(d, events):
    d.check("FLUSHALL")
    events.take()
    ev = events.check
    ev("SADD", "s", "a", "b", "c", expect=["sadd"])
    ev("SADD", "s", "a", expect=[])
    ev("SREM", "s", "x", expect=[])
    ev("SREM", "s", "a", expect=["srem"])
    ev("SMOVE", "s", "t", "b", expect=["srem", "sadd"])
    ev("SADD", "t", "c")
    ev("SMOVE", "s", "t", "c", expect=["srem", "del"])
    ev("SMOVE", "t", "t", "c", expect=[])
    ev("SMOVE", "nokey", "t", "c", expect=[])
    ev("SADD", "one", "x")
    ev("SPOP", "one", expect=["spop", "del"])
    ev("SADD", "u", "1", "2", "3")
    ev("SPOP", "u", "0", expect=[])
    ev("SPOP", "u", "3", expect=["spop", "del"])
    ev("SADD", "a", "1", "2")
    ev("SADD", "b", "2", "3")
    ev("SINTERSTORE", "d", "a", "b", expect=["sinterstore"])
    ev("SUNIONSTORE", "d", "a", "b", expect=["sunionstore"])
    ev("SDIFFSTORE", "d", "a", "b", expect=["sdiffstore"])
    ev("SDIFFSTORE", "d", "a", "a", expect=["del"])
    ev("SDIFFSTORE", "d", "a", "a", expect=[])
    ev("SINTERSTORE", "d", "a", "nokey", expect=[])
    ev("SET", "d", "x")
    ev("SINTERSTORE", "d", "a", "nokey", expect=["del"])
    ev("SREM", "a", "1", "2", "3", expect=["srem", "del"])
    ev("SADD", "t", "1")
    ev("SINTER", "t", "b", expect=[])
    ev("SADD", "o", "1")
    ev("SRANDMEMBER", "o", expect=[])
    ev("SINTERCARD", "1", "t", expect=[])


def _hits_misses(c) -> tuple[int, int]:
    info = parse_reply(c.call("INFO", "stats"))
    fields = dict(line.split(b":", 1) for line in info.split(b"\r\n") if b":" in line)
    return int(fields[b"keyspace_hits"]), int(fields[b"keyspace_misses"])


def test_keyspace_hit_and_miss_counting(d):
    d.check("FLUSHALL")
    d.check("SADD", "s", "a", "b")
    d.check("SADD", "t", "b")
    d.check("SET", "str", "x")
    before = [_hits_misses(c) for c in (d.mine, d.theirs)]
    for args in (("SISMEMBER", "s", "a"), ("SISMEMBER", "nokey", "a"), ("SMISMEMBER", "s", "a", "b"),
                 ("SCARD", "nokey"), ("SMEMBERS", "s"), ("SRANDMEMBER", "nokey"), ("SRANDMEMBER", "s", "x"),
                 ("SRANDMEMBER", "t", "2"), ("SINTER", "s", "nokey", "t"), ("SINTER", "nokey", "str", "s"),
                 ("SUNION", "s", "t", "nokey"), ("SDIFF", "s", "str", "t"), ("SINTERCARD", "2", "s", "t"),
                 ("SINTERSTORE", "d", "s", "t"), ("SUNIONSTORE", "d", "nokey"), ("SDIFFSTORE", "d", "s", "t"),
                 ("SSCAN", "s", "0"), ("SSCAN", "nokey", "0"), ("SPOP", "nokey"), ("SREM", "s", "zz"),
                 ("SMOVE", "s", "t", "a"), ("SADD", "s", "q"), ("SPOP", "t", "0"), ("SADD", "p", "1", "2"),
                 ("SPOP", "p", "5")):
        d.check(*args)
    after = [_hits_misses(c) for c in (d.mine, d.theirs)]
    mine = (after[0][0] - before[0][0], after[0][1] - before[0][1])
    theirs = (after[1][0] - before[1][0], after[1][1] - before[1][1])
    assert mine == theirs


def test_replication_stream(srv):
    """What moredis replicates equals what a private reference streams to a replica
    (SYNC). SPOP's popped members are random, so they are compared with its reply."""
    import subprocess
    import time
    from pathlib import Path

    from respclient import RawBytesClient

    script = Path(__file__).resolve().parents[2] / "tools" / "reference-redis"
    sock = __import__("socket").socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    if subprocess.run([str(script), "start", str(port)], capture_output=True, timeout=300).returncode != 0:
        pytest.skip("private reference server could not start")
    got: list[list[bytes]] = []

    def record(dbid, argvs):
        got.extend(list(a) for a in argvs)

    mine = RawBytesClient(port=srv.port)
    srv.call_in_loop(srv.core.propagators.append, record)
    try:
        for _ in range(100):
            try:
                ref = RawBytesClient(port=port)
                break
            except OSError:
                time.sleep(0.05)
        stream = ReplicationStream(port)
        mine.call("SELECT", "9")
        mine.call("FLUSHDB")
        ref.call("SELECT", "9")
        popped: dict[int, tuple[bytes, bytes]] = {}
        cmds = [("SADD", "s", "a", "b", "c"), ("SADD", "s", "a"), ("SREM", "s", "zz"), ("SREM", "s", "a"),
                ("SMOVE", "s", "t", "b"), ("SMOVE", "s", "s", "c"), ("SADD", "one", "x"), ("SPOP", "one"),
                ("SADD", "lp", *_strs(0, 20)), ("SPOP", "lp", "3"), ("SPOP", "lp", "15"), ("SPOP", "lp", "1"),
                ("SADD", "h", *_strs(0, 2000)), ("SPOP", "h", "1500"), ("SPOP", "h"), ("SPOP", "h", "0"),
                ("SPOP", "nokey", "3"), ("SINTERSTORE", "d", "t", "nokey"), ("SUNIONSTORE", "d", "t", "s"),
                ("SINTERSTORE", "d", "t", "nokey"), ("SDIFFSTORE", "d", "t", "t"), ("SUNIONSTORE", "d", "t"),
                ("SDIFFSTORE", "e", "d", "nokey")]
        for i, cmd in enumerate(cmds):
            a, b = mine.call(*cmd), ref.call(*cmd)
            if cmd[0] == "SPOP" and len(cmd) == 3 and cmd[1] != "nokey" and cmd[2] != "0":
                popped[i] = (a, b)
                assert len(parse_reply(a)) == len(parse_reply(b))
            elif cmd[0] == "SPOP" and cmd[1] == "h":
                popped[i] = (a, b)
            else:
                assert a == b, cmd
        mine.call("SET", "--end--", "x")
        ref.call("SET", "--end--", "x")
        theirs = stream.commands(b"--end--")
        got = [a for a in got if a[:2] != [b"SET", b"--end--"] and a[0].upper() not in (b"SELECT", b"FLUSHDB")]
        theirs = [a for a in theirs if a[0] not in (b"MULTI", b"EXEC")]

        def shape(argvs):
            return [(a[0].upper(), a[1], len(a)) for a in argvs]

        assert shape(got) == shape(theirs)
        for a, b in zip(got, theirs, strict=True):
            if a[0].upper() != b"SREM" or a[1] not in (b"lp", b"h", b"one"):
                assert a == b
        mine_srem = [m for a in got if a[0].upper() == b"SREM" and a[1] in (b"lp", b"h") for m in a[2:]]
        mine_popped = [m for a, _ in popped.values()
                       for m in (parse_reply(a) if a.startswith(b"*") else [parse_reply(a)])]
        assert sorted(mine_srem) == sorted(mine_popped)
        stream.close()
        ref.close()
    finally:
        srv.call_in_loop(srv.core.propagators.remove, record)
        mine.call("FLUSHDB")
        mine.close()
        subprocess.run([str(script), "stop", str(port)], capture_output=True, timeout=60)


# --- random command sequences ---------------------------------------------------------------------
KEYS = ["s1", "s2", "s3", "str"]
ELEMS = ["1", "2", "3", "-1", "0", "100", "77777", "9223372036854775807", "-9223372036854775808",
         "9223372036854775808", "01", "-0", "a", "b", "c", "d", "e", "", "xxxxxxxxx", "y" * 70]
SMALL = {"set-max-intset-entries": "6", "set-max-listpack-entries": "4", "set-max-listpack-value": "8"}
DEFAULT = {"set-max-intset-entries": "512", "set-max-listpack-entries": "128", "set-max-listpack-value": "64"}


def _commands() -> st.SearchStrategy:
    e = st.sampled_from(ELEMS)
    k = st.sampled_from(KEYS)
    elems = st.lists(e, min_size=1, max_size=5)
    keys = st.lists(k, min_size=1, max_size=3)
    count = st.sampled_from(["0", "1", "2", "3", "5", "100", "-1", "-3", "x"])
    return st.one_of(
        st.builds(lambda k_, es: ["SADD", k_, *es], k, elems),
        st.builds(lambda k_, es: ["SADD", k_, *es], k, st.lists(e, min_size=5, max_size=12)),
        st.builds(lambda k_, es: ["SREM", k_, *es], k, st.lists(e, min_size=1, max_size=3)),
        st.builds(lambda a, b, e_: ["SMOVE", a, b, e_], k, k, e),
        st.builds(lambda k_, e_: ["SISMEMBER", k_, e_], k, e),
        st.builds(lambda k_, es: ["SMISMEMBER", k_, *es], k, elems),
        st.builds(lambda k_: ["SCARD", k_], k),
        st.builds(lambda k_: ["SMEMBERS", k_], k),
        st.builds(lambda k_, c_: ["SRANDMEMBER", k_, *c_], k, st.one_of(st.just([]), count.map(lambda x: [x]))),
        st.builds(lambda k_, c_: ["SPOP", k_, *c_], k, st.one_of(st.just([]), count.map(lambda x: [x]))),
        st.builds(lambda n, ks: [n, *ks], st.sampled_from(["SINTER", "SUNION", "SDIFF"]), keys),
        st.builds(lambda n, dst, ks: [n, dst, *ks], st.sampled_from(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]),
                  k, keys),
        st.builds(lambda ks, lim: ["SINTERCARD", str(len(ks)), *ks, *lim], keys,
                  st.sampled_from([[], ["LIMIT", "0"], ["LIMIT", "1"], ["LIMIT", "2"]])),
        st.builds(lambda k_, m: ["SSCAN", k_, "0", "COUNT", "1000", *m], k,
                  st.sampled_from([[], ["MATCH", "*"], ["MATCH", "[0-9]*"], ["MATCH", "?"]])),
        st.builds(lambda e_: ["SET", "str", e_], e),
        st.builds(lambda k_: ["DEL", k_], k),
    )


class _Runner:
    """Runs commands on both servers. Where Redis's order is free (a hashtable, or a set
    built by walking one: `tainted` keys) replies are compared without order."""

    def __init__(self, d, limits: dict) -> None:
        self.d = d
        self.lp_entries = int(limits["set-max-listpack-entries"])
        self.lp_value = int(limits["set-max-listpack-value"])
        self.intset = int(limits["set-max-intset-entries"])
        self.tainted: set[str] = set()

    def order_free(self, keys) -> bool:
        return any(k in self.tainted or _ref_encoding(self.d, k) == b"hashtable" for k in keys)

    def may_be_hashtable(self, reply: bytes) -> bool:
        v = parse_reply(reply)
        if isinstance(v, list) and v and isinstance(v[-1], list):
            v = v[-1]  # SSCAN
        if not isinstance(v, list):
            return False
        return len(v) > min(self.lp_entries, self.intset) or any(len(x) > self.lp_value for x in v)

    def run(self, cmd: list[str]) -> None:
        d = self.d
        name = cmd[0]
        if name in ("SRANDMEMBER", "SPOP"):
            self.random_pick(cmd)
        else:
            keys = [k for k in cmd[1:] if k in KEYS]
            free_before = self.order_free(keys)
            mine, theirs = d.both(*cmd)
            if mine != theirs:
                unordered = free_before or self.order_free(keys) or self.may_be_hashtable(theirs)
                assert unordered and _sorted(parse_reply(mine)) == _sorted(parse_reply(theirs)), (
                    f"{cmd!r}: moredis {mine!r} != reference {theirs!r}")
            if name.endswith("STORE"):
                if free_before:
                    self.tainted.add(cmd[1])
                else:
                    self.tainted.discard(cmd[1])
        for k in list(self.tainted):
            if d.theirs.call("TYPE", k) != b"+set\r\n":
                self.tainted.discard(k)

    def random_pick(self, cmd: list[str]) -> None:
        """Exact where Redis's answer is determined; else the same shape on a scratch
        copy, so both datasets stay equal."""
        d = self.d
        key = cmd[1]
        card = parse_reply(d.theirs.call("SCARD", key))
        count = cmd[2] if len(cmd) > 2 else None
        n = int(count) if count is not None and count.lstrip("-").isdigit() else None
        determined = (not isinstance(card, int) or card <= 1 or (count is not None and (n is None or n == 0))
                      or (n is not None and n >= card) or (cmd[0] == "SPOP" and n is not None and n < 0))
        if determined:
            free = self.order_free([key])
            mine, theirs = d.both(*cmd)
            if mine != theirs:
                unordered = free or self.may_be_hashtable(theirs) or (
                    cmd[0] == "SRANDMEMBER" and n is not None and n < 0)
                assert unordered and _sorted(parse_reply(mine)) == _sorted(parse_reply(theirs)), (cmd, mine, theirs)
            return
        d.check("SUNIONSTORE", "__tmp", key)
        members = set(parse_reply(d.theirs.call("SMEMBERS", key)))
        replies = [parse_reply(c.call(cmd[0], "__tmp", *cmd[2:])) for c in (d.mine, d.theirs)]
        for r in replies:
            picked = r if isinstance(r, list) else [r]
            assert set(picked) <= members, (cmd, r)
        assert type(replies[0]) is type(replies[1])
        if isinstance(replies[0], list):
            assert len(replies[0]) == len(replies[1])
            if cmd[0] == "SPOP" or (n is not None and n > 0):
                assert all(len(set(r)) == len(r) for r in replies)
        if cmd[0] == "SPOP":
            d.check("SCARD", "__tmp")
            d.check("OBJECT", "ENCODING", "__tmp")
        d.check("DEL", "__tmp")


def _sequence_test(d, srv, cmds, limits=DEFAULT) -> None:
    d.check("FLUSHALL")
    runner = _Runner(d, limits)
    for cmd in cmds:
        runner.run(cmd)
    d.check("DEBUG", "DIGEST")
    for k in KEYS[:3]:
        if d.theirs.call("TYPE", k) == b"+set\r\n":
            check_members(d, k, k in runner.tainted)
        else:
            d.check("TYPE", k)


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=1, max_size=30))
def test_random_sequences(d, srv, cmds):
    _sequence_test(d, srv, cmds)


def _with_limits(srv, d, limits: dict):
    import contextlib

    stack = contextlib.ExitStack()
    for name, value in limits.items():
        stack.enter_context(configured(srv, d, name, value, DEFAULT[name]))
    return stack


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=1, max_size=30))
def test_random_sequences_small_limits(d, srv, cmds):
    """Limits of a few entries and bytes, so conversions happen all the time."""
    with _with_limits(srv, d, SMALL):
        _sequence_test(d, srv, cmds, SMALL)


@pytest.mark.slow
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=1, max_size=60), small=st.booleans())
def test_random_sequences_long(d, srv, cmds, small):
    limits = SMALL if small else DEFAULT
    with _with_limits(srv, d, limits):
        _sequence_test(d, srv, cmds, limits)


def test_random_big_sets(d, srv):
    """Bigger sets through every encoding, a fixed seed: adds, removes and algebra."""
    rng = random.Random(17)
    d.check("FLUSHALL")
    runner = _Runner(d, DEFAULT)
    pool = [str(i) for i in range(700)] + [f"m{i}" for i in range(300)]
    for _ in range(60):
        k = rng.choice(KEYS[:3])
        r = rng.random()
        if r < 0.35:
            cmd = ["SADD", k, *rng.sample(pool[:700] if rng.random() < 0.6 else pool, rng.randint(1, 200))]
        elif r < 0.55:
            cmd = ["SREM", k, *rng.sample(pool, rng.randint(1, 150))]
        elif r < 0.85:
            cmd = [rng.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), k, *rng.sample(KEYS[:3], 2)]
        else:
            cmd = [rng.choice(["SINTER", "SUNION", "SDIFF"]), *rng.sample(KEYS[:3], rng.randint(1, 3))]
        runner.run(cmd)
        if d.theirs.call("EXISTS", k) == b":1\r\n":
            check_members(d, k, k in runner.tainted)
    d.check("DEBUG", "DIGEST")


def _draw(rng: random.Random, steps: int) -> list[list[str]]:
    """A long seeded sequence mixing every command (hypothesis favours short ones)."""
    cmds = []
    for _ in range(steps):
        k = rng.choice(KEYS)
        ks = rng.sample(KEYS, rng.randint(1, 3))
        r = rng.randrange(12)
        if r < 4:
            cmds.append(["SADD", k, *rng.choices(ELEMS, k=rng.randint(1, 8))])
        elif r == 4:
            cmds.append(["SREM", k, *rng.choices(ELEMS, k=rng.randint(1, 4))])
        elif r == 5:
            cmds.append(["SMOVE", k, rng.choice(KEYS), rng.choice(ELEMS)])
        elif r == 6:
            cmds.append([rng.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), k, *ks])
        elif r == 7:
            cmds.append([rng.choice(["SINTER", "SUNION", "SDIFF"]), *ks])
        elif r == 8:
            cmds.append(["SPOP", k, *rng.choice([[], ["1"], ["2"], ["4"], ["50"]])])
        elif r == 9:
            cmds.append(["SRANDMEMBER", k, *rng.choice([[], ["2"], ["-2"], ["50"]])])
        elif r == 10:
            cmds.append(rng.choice([["SMEMBERS", k], ["SCARD", k], ["SISMEMBER", k, rng.choice(ELEMS)],
                                    ["SINTERCARD", str(len(ks)), *ks, "LIMIT", "2"]]))
        else:
            cmds.append(rng.choice([["DEL", k], ["SET", "str", "v"], ["SSCAN", k, "0", "COUNT", "1000"]]))
    return cmds


@pytest.mark.parametrize("limits", [SMALL, DEFAULT], ids=["small", "default"])
def test_random_long_runs(d, srv, limits):
    rng = random.Random(2024)
    with _with_limits(srv, d, limits):
        for _ in range(4):
            _sequence_test(d, srv, _draw(rng, 80), limits)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(8))
def test_random_long_runs_many(d, srv, seed):
    rng = random.Random(seed)
    limits = SMALL if seed % 2 else DEFAULT
    with _with_limits(srv, d, limits):
        for _ in range(10):
            _sequence_test(d, srv, _draw(rng, 200), limits)
