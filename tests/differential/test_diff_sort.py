"""Differential: SORT and SORT_RO answer byte for byte as Redis 7.4 does (RESP2 and
RESP3): numeric parsing (strtod's grammar, NUL bytes, ERANGE), ALPHA (strcoll up to a
NUL, binary when storing), BY/GET patterns with hash fields, LIMIT arithmetic, the
no-sort paths of lists, sets and sorted sets, ties under BY ... LIMIT (partial
quicksort), STORE encodings and events, lookup statistics, COMMAND GETKEYS; plus
hypothesis runs of random data and SORT commands against both servers."""

from __future__ import annotations

import random
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from string_helpers import keyevents


def _run(x, script: str) -> None:
    for line in script.strip().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            x.check(*line.split(" "))
            if line.startswith("SORT"):
                clear_errno(x)


def clear_errno(x) -> None:
    """Redis's SORT reads errno after strtod without clearing it first, so an ERANGE left
    by an earlier SORT (nothing in between resetting errno) fails a later one: a ZADD
    (string2d clears errno) between commands keeps each SORT on its own data. moredis
    does not reproduce that leak."""
    x.check("ZADD", "__errno__", "XX", "0", "x")


def both(d, d3, script: str) -> None:
    for x in (d, d3):
        x.check("FLUSHALL")
        clear_errno(x)
        _run(x, script)


BASICS = """
RPUSH l 3 1 2 10 -5 1.5 0x10 inf
SORT l
SORT l DESC
SORT l ASC
SORT l ASC DESC
SORT l DESC ASC
SORT l ALPHA
SORT l ALPHA DESC
SORT l LIMIT 1 3
SORT l LIMIT -1 3
SORT l LIMIT 5 100
SORT l LIMIT 8 1
SORT l LIMIT 100 1
SORT l LIMIT 0 0
SORT l LIMIT 0 -5
SORT l LIMIT 2 -1
SORT l LIMIT x 1
SORT l LIMIT 1 x
SORT l LIMIT 1
SORT l LIMIT 0 9223372036854775807
SORT l LIMIT 0 9223372036854775808
SORT l LIMIT -9223372036854775808 2
SORT l LIMIT 9223372036854775807 9223372036854775807
SORT l BY nosort
SORT l BY nosort DESC
SORT l BY nosort LIMIT 2 3
SORT l BY nosort DESC LIMIT 2 3
SORT l BY nosort DESC LIMIT 7 3
SORT l BY nosort LIMIT 8 3
SORT l BY nosort LIMIT 0 0
SORT l BY nosort ALPHA DESC
SORT l BY #
MSET w_3 30 w_1 10 w_2 20 w_10 5 w_-5 100 w_1.5 x
SORT l BY w_*
SORT l BY w_* DESC
SORT l BY w_* LIMIT 1 2
SORT l BY w_* ALPHA
SORT l BY w_* ALPHA DESC LIMIT 0 4
SORT l BY w_* GET # GET w_*
SORT l BY w_* GET # GET w_* GET nosuch GET
SORT l GET w_*
SORT l GET
SORT l BY
SORT l BY nosort BY w_*
SORT l BY w_* BY nosort
HSET h_3 f 3 g a
HSET h_1 f 100 g b
HSET h_2 f -3 g c
SORT l BY h_*->f
SORT l BY h_*->f GET h_*->g GET # GET h_*->
SORT l BY h_*->g ALPHA
SORT l BY h_*->
SORT l BY w_*->f
SORT l GET w_*->f GET h_*
SORT l STORE dst
LRANGE dst 0 -1
OBJECT ENCODING dst
SORT l BY w_* GET h_*->g STORE dst
LRANGE dst 0 -1
SORT l LIMIT 0 0 STORE dst
EXISTS dst
SORT l STORE
SORT nokey
SORT nokey BY nosort DESC LIMIT 1 1
SORT nokey STORE dst2
EXISTS dst2
SORT_RO l
SORT_RO l STORE dst
SORT_RO l BY w_* GET # LIMIT 0 2
SORT_RO l BY nosort DESC LIMIT 1 2
SET s x
SORT s
SORT_RO s
SORT s FOO
SORT l FOO
HSET hh a b
SORT hh
RPUSH bad 1 2 abc
SORT bad
SORT bad ALPHA
SORT bad DESC LIMIT 0 1
SORT bad STORE dst3
EXISTS dst3
SORT bad BY nosort
SORT bad BY w_*
ZADD z 3 a 1 b 2 c 0 d
SORT z ALPHA
OBJECT ENCODING z
ZADD z2 3 c 1 b 2 a
SORT_RO z2 ALPHA
OBJECT ENCODING z2
SORT z BY nosort
SORT z BY nosort DESC
SORT z BY nosort LIMIT 1 2
SORT z BY nosort DESC LIMIT 1 2
SORT z BY nosort DESC LIMIT 1 10
SORT z BY nosort LIMIT 10 2
SORT z BY nosort LIMIT -1 -1 DESC
SORT z BY nosort GET # GET w_*
SORT z ALPHA STORE zs
LRANGE zs 0 -1
ZADD zn 1 10 2 9 3 8.5 4 -1
SORT zn
SORT zn DESC LIMIT 1 2
RPUSH nums 5 4 3 2 1 5 4 3
SORT nums
SORT nums DESC LIMIT 1 3
RPUSH strs b a c B A 10 9 ab
SORT strs ALPHA
SORT strs ALPHA DESC
SORT strs ALPHA STORE q
LRANGE q 0 -1
SORT strs ALPHA LIMIT 2 3
SORT strs
SADD st 5 3 1 2 4
SORT st
SORT st DESC LIMIT 1 2
SORT st ALPHA
SORT st BY nosort
SORT st BY nosort DESC LIMIT 1 2
SORT st BY nosort STORE d
LRANGE d 0 -1
SADD st2 b a c 10 2
SORT st2 ALPHA
SORT st2 BY nosort
SORT st2 BY nosort STORE d
LRANGE d 0 -1
SORT st2
SORT st2 BY w_* ALPHA
"""


def test_commands_errors_and_edges(d, d3):
    both(d, d3, BASICS)


NUMBERS = [b"4.9e-324", b"2.2250738585072014e-308", b"2.225073858507201e-308", b"1e-320", b"0e-500",
           b"0.0e999999", b"1e308", b"1.8e308", b" ", b"nan", b"-nan", b"  -0x1p3", b"+.5", b".", b"1e", b"1e+",
           b"infinity", b"-INFINITY", b"InFx", b"0x", b"0x.8p1", b"1.5e-5 ", b"\t2", b"5_0", b"0X1P-1074",
           b"0x1p-1075", b"", b"\x00", b"1\x00abc", b"\x00zz", b"  7", b"\v\f3", b"0x1P+1024", b"-0", b"+0",
           b"12345678901234567890123", b"9223372036854775807", b"-9223372036854775808", b"1e-5", b"0x1.8",
           b"1.7976931348623157e308", b"1.7976931348623159e308", b"00012", b"1,5", b"\xff"]


@pytest.mark.parametrize("value", NUMBERS)
def test_numeric_weights(d, value):
    """Each value alone and with neighbours, as an element and as a BY weight."""
    d.check("FLUSHALL")
    clear_errno(d)
    d.check("RPUSH", "one", value)
    d.check("SORT", "one")
    clear_errno(d)
    d.check("RPUSH", "mix", b"3", value, b"-1", b"2")
    d.check("SORT", "mix")
    clear_errno(d)
    d.check("SORT", "mix", "DESC")
    clear_errno(d)
    d.check("SET", b"w_x", value)
    d.check("RPUSH", "byl", b"x", b"y", b"z")
    d.check("MSET", b"w_y", b"1", b"w_z", b"-1")
    d.check("SORT", "byl", "BY", "w_*")
    clear_errno(d)
    d.check("SORT", "byl", "BY", "w_*", "GET", "w_*", "STORE", "out")
    clear_errno(d)
    d.check("EXISTS", "out")


def test_errno_leak_is_not_reproduced(d):
    """The one known difference, pinned down: Redis fails a SORT of clean data right
    after a SORT that hit ERANGE; moredis sorts it."""
    d.check("FLUSHALL")
    d.check("RPUSH", "l", "1", "")
    d.check("SET", "w_1", "1e400")
    d.check("SORT", "l", "BY", "w_*")
    mine, theirs = d.both("SORT", "l")
    assert mine == b"*2\r\n$0\r\n\r\n$1\r\n1\r\n"
    assert theirs == b"-ERR One or more scores can't be converted into double\r\n"
    clear_errno(d)
    d.check("SORT", "l")


def test_binary_elements_and_patterns(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        clear_errno(x)
        x.check("RPUSH", "n", b"1\x00abc", b"", b"\x00zz", b"  7", b"\t-2", b"3")
        for opts in ((), ("DESC",), ("ALPHA",), ("ALPHA", "DESC")):
            x.check("SORT", "n", *opts)
        x.check("SORT", "n", "ALPHA", "STORE", "o")
        x.check("LRANGE", "o", "0", "-1")
        x.check("RPUSH", "a", b"a\x00y", b"a\x00x", b"a", b"\xff", b"\xc3\xa9", b"z", b"\x80", b"Z", b"\x00", b"",
                b"a\x00")
        for opts in ((), ("DESC",), ("LIMIT", "1", "4"), ("STORE", "o2"), ("DESC", "STORE", "o2")):
            x.check("SORT", "a", "ALPHA", *opts)
            x.check("LRANGE", "o2", "0", "-1")
        x.check("MSET", "w_a", "1", b"w_a\x00y", "2")
        x.check("SORT", "a", "BY", "w_*", "ALPHA")
        x.check("SORT", "a", "BY", "w_*")
        x.check("SORT", "a", "BY", b"w_*\x00zz")
        x.check("SORT", "a", "BY", b"w_\x00*")
        x.check("SORT", "a", "GET", b"#\x00x")
        x.check("SORT", "a", "GET", b"w_*\x00", "ALPHA")
        x.check("SORT", "a", "alpha\x00x")
        x.check("HSET", "h_a", "f", "5", b"f\x00x", "9", "", "empty")
        x.check("SORT", "a", "BY", "h_*->f", "GET", "h_*->f", "GET", b"h_*->f\x00x", "GET", "h_*->",
                "GET", b"h_*->\x00", "ALPHA")
        for pat in ("h_*->f->g", "*->f", "h_**", "->f*", "h_*-", "h_*->f*", "#*"):
            x.check("SORT", "a", "GET", pat, "ALPHA")
        x.check("RPUSH", "w_z", "x")
        x.check("SORT", "a", "GET", "w_*", "ALPHA")
        x.check("SORT", "a", "BY", "w_*->f", "ALPHA")


def _ties_script() -> str:
    """BY weights with many equal values: with LIMIT Redis's partial quicksort decides
    the order of equal ones, without it glibc's stable merge sort does."""
    rng = random.Random(3)
    lines = []
    items = ["e%d" % i for i in range(60)]
    lines.append("RPUSH big " + " ".join(items))
    for e in items:
        if rng.random() < 0.8:
            lines.append(f"SET k_{e} {rng.choice(['a', 'b', 'c'])}")
    for lo, cnt in [(0, 1), (0, 5), (3, 10), (10, 40), (0, 59), (1, 59), (50, 20), (0, 7), (2, 6)]:
        for o in ("", " DESC"):
            lines.append(f"SORT big BY k_* ALPHA LIMIT {lo} {cnt}{o}")
            lines.append(f"SORT big BY k_* ALPHA{o}")
            lines.append(f"SORT big BY k_* LIMIT {lo} {cnt}{o}")
            lines.append(f"SORT big BY k_* ALPHA LIMIT {lo} {cnt}{o} GET # GET k_* STORE dd")
            lines.append("LRANGE dd 0 -1")
    lines.append("RPUSH dup b a b a c")
    lines.append("SORT dup ALPHA")
    lines.append("SORT dup BY q_* ALPHA LIMIT 1 2")
    lines.append("SORT dup BY q_* LIMIT 1 2")
    return "\n".join(lines)


def test_equal_weights(d, d3):
    both(d, d3, _ties_script())


def test_store_encodings_and_digests(d):
    d.check("FLUSHALL")
    rng = random.Random(4)
    d.check("RPUSH", "huge", *(str(rng.randint(0, 10 ** 6)) for _ in range(300)))
    for cnt in ("10", "128", "129", "300"):
        d.check("SORT", "huge", "LIMIT", "0", cnt, "STORE", "hs")
        d.check("OBJECT", "ENCODING", "hs")
        d.check("DEBUG", "DIGEST-VALUE", "hs")
    d.check("SORT", "huge", "GET", "#", "GET", "#", "STORE", "hs")
    d.check("OBJECT", "ENCODING", "hs")
    d.check("LRANGE", "hs", "0", "-1")
    d.check("CONFIG", "SET", "list-max-listpack-size", "4")
    try:
        d.check("SORT", "huge", "LIMIT", "0", "4", "STORE", "hs")
        d.check("OBJECT", "ENCODING", "hs")
        d.check("SORT", "huge", "LIMIT", "0", "5", "STORE", "hs")
        d.check("OBJECT", "ENCODING", "hs")
    finally:
        d.check("CONFIG", "SET", "list-max-listpack-size", "-2")
    d.check("SET", "hs", "x", "EX", "100")
    d.check("SORT", "huge", "LIMIT", "0", "3", "STORE", "hs")
    d.check("TTL", "hs")
    d.check("DEBUG", "DIGEST")


def test_sort_converts_sorted_sets_to_skiplist(d):
    d.check("FLUSHALL")
    d.check("ZADD", "z", "1", "a", "2", "b")
    d.check("OBJECT", "ENCODING", "z")
    d.check("SORT_RO", "z", "BY", "nosort")
    d.check("OBJECT", "ENCODING", "z")
    d.check("ZADD", "z2", "1", "a")
    d.check("SORT", "z2", "LIMIT", "0", "0")
    d.check("OBJECT", "ENCODING", "z2")


def test_hash_field_expiry_in_patterns(d):
    """A field whose TTL has passed reads as missing (and is deleted) when BY or GET
    reaches it, as any hash lookup."""
    d.check("FLUSHALL")
    d.check("RPUSH", "l", "a", "b", "c")
    for e, v in (("a", "3"), ("b", "1"), ("c", "2")):
        d.check("HSET", f"h_{e}", "f", v, "g", e * 2)
    d.check("HPEXPIRE", "h_b", "1", "FIELDS", "1", "f")
    d.check("HPEXPIRE", "h_c", "1", "FIELDS", "2", "f", "g")
    d.check("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        time.sleep(0.05)
        d.check("SORT", "l", "BY", "h_*->f", "GET", "#", "GET", "h_*->f", "GET", "h_*->g")
        d.check("HLEN", "h_b")
        d.check("EXISTS", "h_c")
    finally:
        d.check("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def _stats(client) -> tuple[int, int]:
    info = client.call("INFO", "stats").decode()
    hits = int(re.search(r"keyspace_hits:(\d+)", info).group(1))
    misses = int(re.search(r"keyspace_misses:(\d+)", info).group(1))
    return hits, misses


def test_pattern_lookups_count_hits_and_misses(d):
    d.check("FLUSHALL")
    d.check("RPUSH", "l", "a", "b", "c")
    d.check("MSET", "w_a", "1", "w_b", "2")
    d.check("HSET", "h_a", "f", "1")
    script = [("SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->f", "GET", "nostar"),
              ("SORT", "l", "BY", "nosort", "GET", "w_*"), ("SORT_RO", "nokey", "BY", "w_*"),
              ("SORT", "l", "BY", "w_*", "ALPHA", "STORE", "dst"), ("SORT", "l", "LIMIT", "0", "0", "GET", "w_*")]
    before = _stats(d.mine), _stats(d.theirs)
    for cmd in script:
        d.check(*cmd)
    after = _stats(d.mine), _stats(d.theirs)
    mine = (after[0][0] - before[0][0], after[0][1] - before[0][1])
    theirs = (after[1][0] - before[1][0], after[1][1] - before[1][1])
    assert mine == theirs


def test_keyspace_events(d):
    d.check("FLUSHALL")
    script = [
        ("RPUSH", "l", "3", "1", "2"), ("SORT", "l", "STORE", "d"), ("SORT", "l", "LIMIT", "0", "0", "STORE", "d"),
        ("SORT", "l", "LIMIT", "0", "0", "STORE", "d"), ("SORT", "nokey", "STORE", "d"),
        ("SORT", "l", "BY", "w_*", "GET", "missing_*", "STORE", "d2"), ("RPUSH", "bad", "x"),
        ("SORT", "bad", "STORE", "d2"), ("SORT", "l", "BY", "nosort", "STORE", "d2"),
        ("SORT_RO", "l", "BY", "w_*", "GET", "nothere_*"),
    ]
    d.check("CONFIG", "SET", "notify-keyspace-events", "KEAm")
    try:
        mine = keyevents(d.mine.sock.getpeername()[1], script)
        theirs = keyevents(d.theirs.sock.getpeername()[1], script)
    finally:
        d.check("CONFIG", "SET", "notify-keyspace-events", "")
    assert mine == theirs
    assert (b"sortstore", b"d") in mine and (b"keymiss", b"missing_1") in mine


GETKEYS = """
COMMAND GETKEYS SORT k
COMMAND GETKEYS SORT k STORE d
COMMAND GETKEYS SORT k STORE d STORE e
COMMAND GETKEYS SORT k LIMIT 0 1 STORE d GET x BY y
COMMAND GETKEYS SORT k GET store STORE
COMMAND GETKEYS SORT k store limit 1 2
COMMAND GETKEYS SORT k BY store STORE z
COMMAND GETKEYS SORT k LIMIT store x STORE y
COMMAND GETKEYS SORT k STORE STORE
COMMAND GETKEYSANDFLAGS SORT k STORE d
COMMAND GETKEYSANDFLAGS SORT k
COMMAND GETKEYSANDFLAGS SORT k BY x GET y
COMMAND GETKEYS SORT_RO k STORE d
COMMAND GETKEYSANDFLAGS SORT_RO k
"""


def test_command_getkeys(d):
    _run(d, GETKEYS)


# --- random data and SORT commands ------------------------------------------------------------
ELEMS = ["1", "2", "3", "10", "-1", "1.5", "a", "b", "B", "", "0x10", " 4", "inf", "x" * 20, "é", "07"]
WEIGHTS = ["1", "2", "2", "-3", "0.5", "abc", "", "1e400", "10"]


@st.composite
def _sort_command(draw):
    key = draw(st.sampled_from(["l", "s", "z", "nokey", "str"]))
    args = ["SORT", key]
    alpha = False
    by_alpha_tie: str | bool = False
    parts = draw(st.lists(st.sampled_from(["BY", "LIMIT", "GET", "ALPHA", "DESC", "ASC", "STORE"]), max_size=5))
    has_by = False
    for p in parts:
        if p == "BY":
            pat = draw(st.sampled_from(["w_*", "nosort", "h_*->f", "h_*->g", "nothere_*", "#"]))
            args += ["BY", pat]
            has_by = has_by or "*" in pat
        elif p == "LIMIT":
            args += ["LIMIT", draw(st.sampled_from(["0", "1", "3", "-1", "100"])),
                     draw(st.sampled_from(["0", "1", "2", "5", "-1", "100"]))]
        elif p == "GET":
            args += ["GET", draw(st.sampled_from(["#", "w_*", "h_*->f", "h_*->g", "nothere_*", "const"]))]
        elif p == "STORE":
            args += ["STORE", "dst"]
        else:
            args.append(p)
            alpha = alpha or p == "ALPHA"
    if alpha and has_by and key in ("s", "z"):
        # the initial order of a set / sorted set (hash order for a sorted set in
        # Redis, randomly seeded) decides among equal ALPHA weights: only the set of
        # elements can be compared, or only their number when LIMIT cuts
        by_alpha_tie = "len" if "LIMIT" in parts else "sorted"
    if draw(st.booleans()) and "STORE" not in parts:
        args[0] = "SORT_RO"
    return args, by_alpha_tie


@st.composite
def _scenario(draw):
    cmds: list[tuple[list[str], str | bool]] = []
    lst = draw(st.lists(st.sampled_from(ELEMS), max_size=12))
    if lst:
        cmds.append((["RPUSH", "l", *lst], False))
    members = draw(st.lists(st.sampled_from(ELEMS), max_size=10, unique=True))
    if members:
        cmds.append((["SADD", "s", *members], False))
        zargs = ["ZADD", "z"]
        for m in members:
            zargs += [draw(st.sampled_from(["1", "2", "0", "-1.5"])), m]
        cmds.append((zargs, False))
    for e in draw(st.lists(st.sampled_from(ELEMS), max_size=10, unique=True)):
        cmds.append((["SET", "w_" + e, draw(st.sampled_from(WEIGHTS))], False))
    for e in draw(st.lists(st.sampled_from(ELEMS), max_size=6, unique=True)):
        cmds.append((["HSET", "h_" + e, "f", draw(st.sampled_from(WEIGHTS)), "g", draw(st.sampled_from(ELEMS))],
                     False))
    cmds.append((["SET", "str", "v"], False))
    for c in draw(st.lists(_sort_command(), min_size=1, max_size=8)):
        cmds.append(c)
        if "STORE" in c[0]:
            cmds.append((["LRANGE", "dst", "0", "-1"], c[1]))
    return cmds


def _length(reply: bytes):
    import hiredis

    rd = hiredis.Reader()
    rd.feed(reply)
    v = rd.gets()
    return len(v) if isinstance(v, list) else v


def _scenario_test(x, cmds) -> None:
    x.check("FLUSHALL")
    clear_errno(x)
    tie = False
    dst_mode: str | bool = False  # how dst compares: as the last SORT ... STORE that stored it left it
    for cmd, unordered in cmds:
        if cmd[:2] == ["LRANGE", "dst"]:
            unordered = dst_mode  # (a STORE that failed, WRONGTYPE say, left the older content)
        elif "STORE" in cmd:
            reply = x.check(*cmd)  # the count stored (or the error) is the same whatever the order
            if not reply.startswith(b"-"):
                dst_mode = unordered
            clear_errno(x)
            continue
        if unordered == "sorted":
            tie = True
            x.check_sorted(*cmd)
        elif unordered == "len":
            tie = True
            mine, theirs = x.both(*cmd)
            assert _length(mine) == _length(theirs), (cmd, mine, theirs)
        else:
            x.check(*cmd)
        if cmd[0].startswith("SORT"):
            clear_errno(x)
    if not tie:
        x.check("DEBUG", "DIGEST")


@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=_scenario())
def test_random_sorts(d, cmds):
    _scenario_test(d, cmds)


@settings(max_examples=15, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=_scenario())
def test_random_sorts_resp3(d3, cmds):
    _scenario_test(d3, cmds)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=_scenario())
def test_random_sorts_long(d, cmds):
    _scenario_test(d, cmds)


def test_store_that_fails_keeps_an_unordered_dst(d):
    """Found by test_random_sorts_long: a SORT ... STORE whose order among equal ALPHA
    weights is Redis's hash order, then one that fails (WRONGTYPE): dst keeps the first
    result, whose order is not comparable, only its elements."""
    _scenario_test(d, [(["SADD", "s", "1", "2"], False), (["ZADD", "z", "1", "1", "1", "2"], False),
                       (["SET", "str", "v"], False),
                       (["SORT", "z", "BY", "w_*", "ALPHA", "STORE", "dst"], "sorted"),
                       (["LRANGE", "dst", "0", "-1"], "sorted"),
                       (["SORT", "str", "STORE", "dst"], False),
                       (["LRANGE", "dst", "0", "-1"], False)])
