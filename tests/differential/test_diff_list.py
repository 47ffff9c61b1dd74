"""Differential: list commands answer byte for byte as Redis 7.4 does (RESP2 and RESP3),
with the same errors, encodings (including the quicklist node layout that decides when a
list turns back into a listpack), digests and keyspace events; plus hypothesis runs of
random command sequences against both servers."""

from __future__ import annotations

import contextlib
import itertools
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from string_helpers import keyevents

from moredis.engine.digest import object_digest

SCRIPT = """
RPUSH l a b c 1 2 3
LPUSH l x
LRANGE l 0 -1
LRANGE l -100 100
LRANGE l 5 2
LRANGE l -2 -1
LRANGE l -1 -2
LRANGE l a 1
LRANGE l 0 9223372036854775808
LRANGE l 0 9223372036854775807
LRANGE l -9223372036854775808 2
LRANGE nokey a b
LRANGE nokey 0 1
LINDEX l 0
LINDEX l -1
LINDEX l 100
LINDEX l -100
LINDEX l x
LINDEX nokey x
LINDEX l 9223372036854775807
LINDEX l -9223372036854775808
LINDEX l 01
LSET nokey x v
LSET l x v
LSET l 100 v
LSET l -8 v
LSET l -7 first
LSET l 6 last
LSET l 4294967296 first
LSET l 4294967295 last
LSET l 2147483648 x
LSET l -2147483649 x
LSET l -4294967296 first
LSET l 9223372036854775807 last
LSET l -9223372036854775808 first
LRANGE l 0 -1
LINSERT l middle a v
LINSERT nokey middle a v
LINSERT nokey before a v
LINSERT l BEFORE a A
LINSERT l after 3 Z
LINSERT l AfTeR notthere Z
LINSERT l before 1 01
LRANGE l 0 -1
LLEN l
LLEN nokey
SET s str
LLEN s
LPUSH s x
RPUSH s x y
LPUSHX s x
RPUSHX s x
LPOP s
RPOP s
LPOP s 0
LPOP s -1
LRANGE s 0 1
LRANGE s x 1
LINDEX s 0
LINDEX s x
LSET s 0 x
LSET s x x
LINSERT s before a b
LINSERT s middle a b
LREM s 0 a
LREM s x a
LTRIM s 0 1
LTRIM s x 1
LPOS s a
LPOS s a RANK 0
LMOVE s l left left
LMOVE l s left left
LMOVE nokey s left left
LMOVE l s up left
RPOPLPUSH s l
RPOPLPUSH l s
RPOPLPUSH nokey s
LMPOP 2 nokey s left
LMPOP 2 l s left
LMPOP 2 s l left
BLPOP s 0
BLPOP nokey2 s 0
BLMPOP 0 1 s left
BLMOVE s d left right 0
BRPOPLPUSH s d 0
BLMOVE l s left right 0
BRPOPLPUSH l s 0
LPUSHX nokey a
RPUSHX nokey a b
EXISTS nokey
LPUSHX l a b
RPUSHX l y z
LPOP l
RPOP l
LPOP l 2
RPOP l 2
LPOP l 0
LPOP l abc
LPOP l 1.5
LPOP l 9223372036854775808
LPOP l 9223372036854775807
LPOP l
RPOP l 100
EXISTS l
LPOP l 0
RPUSH l 1 2 3 2 1 2 x 2
LPOS l 2
LPOS l 2 RANK 2
LPOS l 2 RANK -1
LPOS l 2 RANK -2 COUNT 2
LPOS l 2 COUNT 0
LPOS l 2 COUNT 0 MAXLEN 3
LPOS l 2 RANK -1 COUNT 0 MAXLEN 3
LPOS l 2 RANK 10
LPOS l 2 RANK 10 COUNT 0
LPOS l 2 MAXLEN 1
LPOS l 2 MAXLEN 0
LPOS l 2 RANK x
LPOS l 2 RANK
LPOS l 2 FOO 1
LPOS l 2 COUNT 1 COUNT 2
LPOS l 2 rank 2 count 2 maxlen 100
LPOS l 2 RANK 9223372036854775807
LPOS l 2 RANK -9223372036854775807
LPOS l 2 RANK -9223372036854775808
LPOS l 2 COUNT -1
LPOS l 2 MAXLEN x
LPOS l nothere COUNT 3
LPOS l nothere
LPOS nokey 2 RANK 0
LPOS nokey 2 COUNT x
LPOS nokey 2 COUNT 1
LREM l 1 2
LRANGE l 0 -1
LREM l -1 2
LRANGE l 0 -1
LREM l 0 2
LRANGE l 0 -1
LREM l 0 nothere
LREM nokey 0 x
LREM l 9223372036854775808 x
LREM l -9223372036854775808 1
LREM l -9223372036854775807 1
LRANGE l 0 -1
LTRIM l 1 -1
LRANGE l 0 -1
LTRIM l 5 1
EXISTS l
LTRIM nokey 0 1
LTRIM nokey 0 x
RPUSH l a b c d e
LTRIM l -2 -1
LRANGE l 0 -1
LTRIM l 0 100
LTRIM l -100 0
LRANGE l 0 -1
RPUSH l b c
LMOVE l l left right
LMOVE l l right left
LRANGE l 0 -1
LMOVE l d right left
LMOVE d l LEFT RIGHT
LMOVE l nokey2 RIGHT LEFT
LRANGE nokey2 0 -1
LMPOP 1 nokey2 RIGHT COUNT 10
LMPOP 1 nokey2 RIGHT
RPUSH m 1 2 3
LMPOP 3 nokey nokey2 m RIGHT COUNT 2
LMPOP 3 nokey nokey2 m left count 20
LMPOP 1 m left count
LMPOP 1 m left count 1 extra
LMPOP 1 m left count 0
LMPOP 1 m left count x
LMPOP 9223372036854775807 m left
LMPOP 0 m left
LMPOP -1 m left
LMPOP x m left
LMPOP 2 m left
LMPOP 1 m middle
LMPOP 1
RPUSH b 1
BLPOP b 0
RPUSH b 1 2 3
BRPOP nokey b 0
BLMPOP 0 2 nokey b right COUNT 5
BLMPOP 0 0 b left
BLMPOP x 0 b left
BLMPOP x 1 b left
BLMPOP -1 1 b left
BLMPOP 0 1 b middle
BLMPOP 0 1 b left COUNT -3
BLMPOP 0 1 b left COUNT 1 COUNT 1
RPUSH b 1 2
BLMOVE b c right left 0
BLMOVE b c right left x
BLMOVE b c up left x
BLMOVE b c left up x
BRPOPLPUSH b c 0
BRPOPLPUSH b c -1
BRPOPLPUSH b c x
BLPOP b -1
BLPOP b x
BLPOP b inf
BLPOP b 1e400
BLPOP b -inf
BLPOP b 9223372036854775
BLPOP b nan
BLPOP b 1e5000
BRPOP b ""
LPOP
LPUSH l
RPUSHX l
BLPOP b
LMOVE a b left
LINSERT l before a
LPOS l
LREM l 1
LSET l 1
LTRIM l 1
LINDEX l
LRANGE l 1
LLEN
BLMOVE a b left right
BRPOPLPUSH a b
BLMPOP 0 1
LMPOP 1 a
"""


def _run(x, script: str) -> None:
    for line in script.strip().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            x.check(*[a if a != '""' else "" for a in line.split(" ")])


def test_commands_errors_and_edges(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        _run(x, SCRIPT)


def test_binary_and_big_elements(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("RPUSH", "l", b"\x00\r\n", "", b"\xff" * 100, "x" * 70000)
        x.check("LRANGE", "l", "0", "-1")
        x.check("LPOS", "l", "")
        x.check("LINSERT", "l", "AFTER", "", b"\x00")
        x.check("LREM", "l", "0", b"\x00")
        x.check("LINDEX", "l", "-1")
        x.check("OBJECT", "ENCODING", "l")
        # replies mixing short and long elements (the writer packs short ones together)
        x.check("RPUSH", "m", "a" * 255, "b" * 256, "", "c" * 254)
        x.check("LRANGE", "m", "0", "-1")
        x.check("LRANGE", "m", "2", "3")
        x.check("RPUSH", "n", *[str(i) for i in range(300)])
        x.check("LRANGE", "n", "0", "-1")
        x.check("LPOP", "n", "260")
        x.check("LMPOP", "2", "m", "n", "RIGHT", "COUNT", "3")


@contextlib.contextmanager
def list_fill(d, fill: int):
    """list-max-listpack-size on both servers, restored afterwards."""
    d.check("CONFIG", "SET", "list-max-listpack-size", str(fill))
    try:
        yield
    finally:
        d.check("CONFIG", "SET", "list-max-listpack-size", "-2")


def _layout_ref(d, key: str):
    enc = d.theirs.call("OBJECT", "ENCODING", key)
    if enc == b"$-1\r\n":
        return None
    if b"quicklist" not in enc:
        return ("listpack",)
    info = d.theirs.call("DEBUG", "OBJECT", key).decode()
    m = re.search(r"ql_nodes:(\d+) .*ql_uncompressed_size:(\d+)", info)
    return ("quicklist", int(m.group(1)), int(m.group(2)))


def _layout_mine(srv, key: str):
    def get():
        v = srv.core.dbs[0].data.get(key.encode())
        if v is None:
            return None
        if v.encoding() == "listpack":
            return ("listpack",)
        n, _, _, _, size = v.debug_info()
        return ("quicklist", n, size)

    return srv.call_in_loop(get)


def check_layout(d, srv, key: str) -> None:
    theirs = _layout_ref(d, key)
    mine = _layout_mine(srv, key)
    assert mine == theirs, f"layout of {key}: moredis {mine} != reference {theirs}"


def test_encoding_conversions_both_ways(d, srv):
    d.check("FLUSHALL")
    # default -2: 8 KB listpacks; pushing past converts, popping well under half converts back
    d.check("RPUSH", "l", *["x" * 50] * 150)
    d.check("OBJECT", "ENCODING", "l")
    d.check("RPUSH", "l", *["x" * 50] * 10)
    d.check("OBJECT", "ENCODING", "l")
    check_layout(d, srv, "l")
    for _ in range(40):
        d.check("RPOP", "l")
        d.check("OBJECT", "ENCODING", "l")
    d.check("LPOP", "l", "60")
    d.check("OBJECT", "ENCODING", "l")
    check_layout(d, srv, "l")
    d.check("LTRIM", "l", "0", "20")
    d.check("OBJECT", "ENCODING", "l")
    # one element bigger than the limit: a plain node, never converted back while it stays
    d.check("RPUSH", "big", "y" * 9000)
    d.check("OBJECT", "ENCODING", "big")
    d.check("RPUSH", "big", "a")
    d.check("RPOP", "big")
    d.check("OBJECT", "ENCODING", "big")
    check_layout(d, srv, "big")
    d.check("LPOP", "big")
    d.check("OBJECT", "ENCODING", "big")
    # LSET and LINSERT check the growth before looking at the index or the pivot
    d.check("RPUSH", "s", "a", "b")
    d.check("LSET", "s", "10", "z" * 9000)
    d.check("OBJECT", "ENCODING", "s")
    d.check("RPUSH", "t", "a", "b")
    d.check("LINSERT", "t", "BEFORE", "nope", "z" * 9000)
    d.check("OBJECT", "ENCODING", "t")
    d.check("RPUSH", "u", "a", "b")
    d.check("LSET", "u", "0", "z" * 9000)
    d.check("LSET", "u", "0", "a")
    d.check("OBJECT", "ENCODING", "u")
    check_layout(d, srv, "u")
    # RPOPLPUSH onto itself near the limit (an integer shrinks in a listpack)
    d.check("RPUSH", "self", *["w" * 60] * 124, "1234567890123")
    d.check("OBJECT", "ENCODING", "self")
    d.check("RPOPLPUSH", "self", "self")
    d.check("OBJECT", "ENCODING", "self")
    check_layout(d, srv, "self")
    # an integer moved out of a quicklist adds no bytes to the growth check
    for src in ("qsrc", "lsrc"):
        d.check("DEL", "dst")
        d.check("RPUSH", "dst", *["a" * 62] * 127, "b" * 51)
        d.check("RPUSH", src, *(["x" * 50] * 200 if src == "qsrc" else []), "12345")
        d.check("LMOVE", src, "dst", "RIGHT", "RIGHT")
        d.check("OBJECT", "ENCODING", "dst")


@pytest.mark.parametrize("fill", [-1, -5, 0, 1, 2, 5, 128, 100000])
def test_encodings_under_other_fills(d, srv, fill):
    d.check("FLUSHALL")
    with list_fill(d, fill):
        d.check("RPUSH", "a", "1")
        d.check("OBJECT", "ENCODING", "a")
        d.check("RPUSH", "a", "2", "3", "4", "5")
        d.check("OBJECT", "ENCODING", "a")
        d.check("RPUSH", "a", *[str(i) for i in range(200)])
        d.check("OBJECT", "ENCODING", "a")
        check_layout(d, srv, "a")
        d.check("LTRIM", "a", "0", "1")
        d.check("OBJECT", "ENCODING", "a")
        d.check("LPUSH", "b", *["v" * 100] * 50)
        d.check("OBJECT", "ENCODING", "b")
        check_layout(d, srv, "b")
        d.check("LREM", "b", "-45", "v" * 100)
        d.check("OBJECT", "ENCODING", "b")
    # a quicklist keeps the fill it was made with; conversions use the current setting
    with list_fill(d, 4):
        d.check("RPUSH", "c", "1", "2", "3", "4", "5", "6", "7", "8", "9")
        check_layout(d, srv, "c")
    with list_fill(d, 100):
        d.check("RPUSH", "c", "10", "11", "12")
        check_layout(d, srv, "c")
        d.check("LTRIM", "c", "0", "3")
        d.check("OBJECT", "ENCODING", "c")


def _random_layout_run(d, srv, seed: int, steps: int) -> None:
    rnd = random.Random(seed)

    def elem():
        k = rnd.random()
        if k < 0.3:
            return str(rnd.choice([0, 1, 127, 128, -5000, 40000, 2**31, 2**40, -1]))
        if k < 0.85:
            return "x" * rnd.randint(0, 70)
        if k < 0.97:
            return "y" * rnd.randint(100, 3000)
        return "z" * rnd.randint(4000, 9000)

    def items():
        got = d.mine.call("LRANGE", "l", "0", "-1")
        return re.findall(rb"\$\d+\r\n([^\r]*)\r\n", got) or [b"x"]

    for _ in range(steps):
        n = int(d.mine.call("LLEN", "l")[1:-2])
        r = rnd.random()
        if r < 0.4:
            cmd = [rnd.choice(["LPUSH", "RPUSH"]), "l", *[elem() for _ in range(rnd.randint(1, 4))]]
        elif r < 0.52:
            cmd = [rnd.choice(["LPOP", "RPOP"]), "l", str(rnd.randint(1, 5))]
        elif r < 0.62:
            cmd = ["LSET", "l", str(rnd.randint(-n - 1, n)), elem()]
        elif r < 0.74:
            cmd = ["LINSERT", "l", rnd.choice(["BEFORE", "AFTER"]), rnd.choice(items()), elem()]
        elif r < 0.82:
            cmd = ["LREM", "l", str(rnd.randint(-2, 2)), rnd.choice(items())]
        elif r < 0.88:
            cmd = ["LTRIM", "l", str(rnd.randint(0, 3)), str(rnd.randint(-4, -1))]
        else:
            cmd = ["LMOVE", "l", "l", rnd.choice(["LEFT", "RIGHT"]), rnd.choice(["LEFT", "RIGHT"])]
        d.check(*cmd)
        check_layout(d, srv, "l")
    d.check("LRANGE", "l", "0", "-1")


@pytest.mark.parametrize("fill", [-2, -1, 1, 3])
def test_node_layout_follows_quicklist(d, srv, fill):
    """Inserts, splits, merges, plain nodes: DEBUG OBJECT's node count and byte total
    match after every step, so encodings stay right as lists shrink."""
    d.check("FLUSHALL")
    with list_fill(d, fill):
        _random_layout_run(d, srv, fill + 100, 150)


@pytest.mark.slow
@pytest.mark.parametrize("fill", [-3, -2, -1, 1, 2, 5, 16])
def test_node_layout_follows_quicklist_long(d, srv, fill):
    d.check("FLUSHALL")
    with list_fill(d, fill):
        _random_layout_run(d, srv, fill, 2000)


def check_digest(d, srv, key: str) -> None:
    def dig():
        db = srv.core.dbs[0]
        return object_digest(db, key.encode(), db.data[key.encode()]).hex().encode()

    mine = srv.call_in_loop(dig)
    theirs = d.theirs.call("DEBUG", "DIGEST-VALUE", key)
    assert theirs == b"*1\r\n+%b\r\n" % mine, f"digest of {key}: {mine!r} vs {theirs!r}"


def test_digests_match_redis(d, srv):
    d.check("FLUSHALL")
    d.check("RPUSH", "small", "a", "1", "-5", "", "bcd", "9999999999", "01", "-0")
    check_digest(d, srv, "small")
    d.check("RPUSH", "big", *[str(i) for i in range(3000)])
    d.check("OBJECT", "ENCODING", "big")
    check_digest(d, srv, "big")
    d.check("PEXPIRE", "big", "100000")
    check_digest(d, srv, "big")


# --- notifications --------------------------------------------------------------------------
def test_keyspace_events(d, srv):
    d.check("FLUSHALL")
    script = [
        ("RPUSH", "l", "a", "b"), ("LPUSH", "l", "c"), ("LPUSHX", "nokey", "a"), ("RPUSHX", "l", "d"),
        ("LPOP", "l"), ("RPOP", "l", "1"), ("LPOP", "l", "0"), ("LSET", "l", "0", "x"), ("LSET", "l", "9", "x"),
        ("LINSERT", "l", "BEFORE", "x", "y"), ("LINSERT", "l", "BEFORE", "nope", "y"), ("LREM", "l", "0", "nope"),
        ("LREM", "l", "1", "y"), ("LTRIM", "l", "0", "-1"), ("RPUSH", "l", "z"), ("LMOVE", "l", "m", "LEFT", "RIGHT"),
        ("RPOPLPUSH", "l", "l"), ("RPOPLPUSH", "l", "m"), ("RPOPLPUSH", "nokey", "m"), ("LMPOP", "1", "m", "LEFT"),
        ("BLPOP", "m", "0"), ("RPUSH", "n", "1", "2", "3"), ("BLMPOP", "0", "1", "n", "RIGHT", "COUNT", "2"),
        ("BRPOP", "n", "0"), ("RPUSH", "o", "1", "2"), ("LTRIM", "o", "5", "6"), ("RPUSH", "o", "1"),
        ("LREM", "o", "0", "1"), ("RPUSH", "o", "1"), ("BLMOVE", "o", "o", "LEFT", "LEFT", "0"),
        ("BLMOVE", "o", "p", "LEFT", "LEFT", "0"), ("SET", "s", "x"), ("LPUSH", "s", "x"),
        ("LTRIM", "nokey", "0", "1"),
    ]
    d.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        mine = keyevents(srv.port, script)
        theirs = keyevents(d.theirs.sock.getpeername()[1], script)
    finally:
        d.check("CONFIG", "SET", "notify-keyspace-events", "")
    assert mine == theirs
    # LMOVE announces the push on the destination before the pop on the source
    pairs = list(itertools.pairwise(mine))
    assert ((b"rpush", b"m"), (b"lpop", b"l")) in pairs


# --- random command sequences ---------------------------------------------------------------
ELEMS = ["a", "b", "c", "", "1", "-2", "10", "aa", "x" * 40, "0"]
KEYS = ["k1", "k2", "k3", "str"]
INDEXES = ["0", "1", "-1", "2", "-3", "10", "-100", "x", "9223372036854775807"]
SIDES = ["LEFT", "RIGHT", "left", "up"]


def _commands() -> st.SearchStrategy:
    e = st.sampled_from(ELEMS)
    k = st.sampled_from(KEYS)
    i = st.sampled_from(INDEXES)
    side = st.sampled_from(SIDES)
    keys = st.lists(k, min_size=1, max_size=3)
    return st.one_of(
        st.builds(lambda n, k_, es: [n, k_, *es], st.sampled_from(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]), k,
                  st.lists(e, min_size=1, max_size=4)),
        st.builds(lambda n, k_, c_: [n, k_, *c_], st.sampled_from(["LPOP", "RPOP"]), k,
                  st.sampled_from([[], ["0"], ["1"], ["3"], ["-1"], ["x"]])),
        st.builds(lambda k_: ["LLEN", k_], k),
        st.builds(lambda k_, a, b: ["LRANGE", k_, a, b], k, i, i),
        st.builds(lambda k_, a: ["LINDEX", k_, a], k, i),
        st.builds(lambda k_, a, e_: ["LSET", k_, a, e_], k, i, e),
        st.builds(lambda k_, w, p, e_: ["LINSERT", k_, w, p, e_], k, st.sampled_from(["BEFORE", "AFTER", "x"]), e, e),
        st.builds(lambda k_, c_, e_: ["LREM", k_, c_, e_], k, st.sampled_from(["0", "1", "-1", "2", "-2", "x"]), e),
        st.builds(lambda k_, a, b: ["LTRIM", k_, a, b], k, i, i),
        st.builds(lambda k_, e_, o: ["LPOS", k_, e_, *o], k, e,
                  st.lists(st.sampled_from(["RANK", "COUNT", "MAXLEN", "1", "-1", "2", "0"]), max_size=4)),
        st.builds(lambda a, b, s1, s2: ["LMOVE", a, b, s1, s2], k, k, side, side),
        st.builds(lambda a, b: ["RPOPLPUSH", a, b], k, k),
        st.builds(lambda a, b, s1, s2: ["BLMOVE", a, b, s1, s2, "0.01"], k, k, side, side),
        st.builds(lambda ks, n: [n, *ks, "0.01"], keys, st.sampled_from(["BLPOP", "BRPOP"])),
        st.builds(lambda ks, s_, c_: ["LMPOP", str(len(ks)), *ks, s_, *c_], keys, side,
                  st.sampled_from([[], ["COUNT", "2"], ["COUNT", "0"]])),
        st.builds(lambda ks, s_: ["BLMPOP", "0.01", str(len(ks)), *ks, s_, "COUNT", "5"], keys, side),
        st.builds(lambda e_: ["SET", "str", e_], e),
        st.builds(lambda k_: ["DEL", k_], k),
    )


def _dataset(client) -> bytes:
    return b"".join(client.call("LRANGE", k, "0", "-1") for k in KEYS[:3])


def _sequence_test(d, srv, cmds) -> None:
    d.check("FLUSHALL")
    for cmd in cmds:
        d.check(*cmd)
    assert _dataset(d.mine) == _dataset(d.theirs)
    for k in KEYS[:3]:
        if d.theirs.call("EXISTS", k) == b":1\r\n":
            d.check("OBJECT", "ENCODING", k)
            check_digest(d, srv, k)


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=1, max_size=30))
def test_random_sequences(d, srv, cmds):
    _sequence_test(d, srv, cmds)


@pytest.mark.slow
@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=1, max_size=60))
def test_random_sequences_long(d, srv, cmds):
    _sequence_test(d, srv, cmds)


def test_random_sequences_tiny_listpacks(d, srv):
    """Random sequences with a 3-entry limit, so conversions happen all the time."""
    rng = random.Random(99)
    with list_fill(d, 3):
        for _ in range(12):
            _sequence_test(d, srv, _draw(rng))


def _draw(rng: random.Random) -> list[list[str]]:
    cmds = []
    for _ in range(rng.randint(5, 40)):
        k = rng.choice(KEYS[:3])
        e = rng.choice(ELEMS)
        kind = rng.randrange(8)
        if kind < 3:
            cmds.append([rng.choice(["LPUSH", "RPUSH"]), k, e, rng.choice(ELEMS)])
        elif kind == 3:
            cmds.append([rng.choice(["LPOP", "RPOP"]), k, rng.choice(["1", "2"])])
        elif kind == 4:
            cmds.append(["LINSERT", k, rng.choice(["BEFORE", "AFTER"]), e, rng.choice(ELEMS)])
        elif kind == 5:
            cmds.append(["LREM", k, rng.choice(["0", "1", "-1"]), e])
        elif kind == 6:
            cmds.append(["LMOVE", k, rng.choice(KEYS[:3]), rng.choice(SIDES[:2]), rng.choice(SIDES[:2])])
        else:
            cmds.append(["LTRIM", k, "0", rng.choice(["1", "-2", "3"])])
    return cmds
