"""Differential: sorted-set commands answer byte for byte as Redis 7.4 does (RESP2 and
RESP3), including errors, edge numbers, encodings, digests and keyspace events; plus a
hypothesis run of random command sequences against both servers."""

from __future__ import annotations

import contextlib
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from string_helpers import keyevents

from moredis.engine.digest import object_digest


def _run(x, script: str) -> None:
    """One command per line, arguments split on spaces (quotes not needed here)."""
    for line in script.strip().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            args = line.split(" ")
            if line.endswith(" ~"):  # order not defined by Redis
                x.check_sorted(*args[:-1])
            else:
                x.check(*args)


def both(d, d3, script: str) -> None:
    for x in (d, d3):
        x.check("FLUSHALL")
        _run(x, script)


@contextlib.contextmanager
def zconf(srv, d, entries: int | None = None, value: int | None = None):
    """Set zset-max-listpack-* on both servers (moredis in-process), restoring after."""
    pairs = []
    if entries is not None:
        pairs.append(("zset-max-listpack-entries", str(entries)))
    if value is not None:
        pairs.append(("zset-max-listpack-value", str(value)))
    core = srv.core
    old = [(k, str(core.config[k])) for k, _ in pairs]
    for k, v in pairs:
        d.theirs.call("CONFIG", "SET", k, v)
    srv.call_in_loop(core.config.set_many, pairs)
    try:
        yield
    finally:
        for k, v in old:
            d.theirs.call("CONFIG", "SET", k, v)
        srv.call_in_loop(core.config.set_many, old)


def encoding_of(srv, key: bytes) -> bytes:
    """The encoding straight from the value (what OBJECT ENCODING answers)."""

    def get():
        v = srv.core.dbs[0].data.get(key)
        return None if v is None else v.encoding().encode()

    return srv.call_in_loop(get)


def check_encoding(d, srv, key: str) -> bytes:
    d.check("OBJECT", "ENCODING", key)
    return encoding_of(srv, key.encode())


def check_digest(d, srv, key: str) -> None:
    """DEBUG DIGEST-VALUE through both servers, and the digest function in-process."""
    theirs = d.check("DEBUG", "DIGEST-VALUE", key)

    def dig():
        db = srv.core.dbs[0]
        return object_digest(db, key.encode(), db.data[key.encode()]).hex().encode()

    assert theirs == b"*1\r\n+%b\r\n" % srv.call_in_loop(dig)


# --- ZADD / ZINCRBY -------------------------------------------------------------------------
def test_zadd_options_and_errors(d, d3):
    both(d, d3, """
ZADD z 1 a 2 b 3 c
ZADD z NX 5 a 4 d
ZADD z XX 6 a 7 e
ZADD z XX CH 6 a 8 b
ZADD z GT CH 1 a 10 b 11 f
ZADD z LT CH 100 a 0 b
ZADD z XX NX 1 a
ZADD z GT LT 1 a
ZADD z GT NX 1 a
ZADD z LT NX 1 a
ZADD z INCR 1 a 2 b
ZADD z INCR 1.5 a
ZADD z INCR NX 1 a
ZADD z INCR XX 1 nosuch
ZADD z INCR GT -1 a
ZADD z INCR LT -1 a
ZADD z INCR 0 a
ZADD z 1
ZADD z 1 a 2
ZADD z NX
ZADD z abc a
ZADD z 1 a nan b
ZADD z nan a
ZADD z inf a -inf b
ZADD z INCR -inf a
ZADD z INCR +inf b
ZADD z " 1" a
ZADD z "1 " a
ZADD z 1e400 a
ZADD z -1e400 a
ZADD z 1e-400 a
ZADD z 0e-400 a
ZADD z 1e-310 x
ZADD z 0x10 hex
ZADD z 0x1p-2 hex2
ZADD z 0x1.8p1 hex3
ZADD z .5 dot
ZADD z 5. dot2
ZADD z 1_0 us
ZADD z infinity inf2
ZADD z -Infinity inf3
ZADD z 1e 1e
ZADD z +7 plus
ZADD z 12345678901234567890 big
ZADD z 3.141592653589793 pi
ZADD z 0.1 tenth
ZADD z 1e20 e20
ZADD z 4611686018427387904 p62
ZADD z -0 negzero
ZRANGE z 0 -1 WITHSCORES
ZINCRBY z 1 a
ZINCRBY z 1 nosuch
ZINCRBY z abc a
ZINCRBY z nan a
ZINCRBY z 1e400 a
ZINCRBY newz 2.5 m
ZINCRBY z -inf inf2
ZINCRBY z +inf inf3
ZSCORE z inf2
ZSCORE z negzero
ZINCRBY z ch a
ZINCRBY z nx a
SET str v
ZADD str 1 a
ZADD str abc a
ZADD str XX NX 1 a
ZINCRBY str 1 a
ZADD newkey XX 1 a
ZADD newkey XX INCR 1 a
EXISTS newkey
ZADD newkey GT 1 a
ZADD newkey LT CH 0 b 5 a
ZRANGE newkey 0 -1 WITHSCORES
ZADD neg -0 a
ZSCORE neg a
ZADD neg INCR -0 b
ZADD neg 0 c
ZADD neg CH -0 c
ZRANGE neg 0 -1 WITHSCORES
""")


def test_zadd_reply_for_incr_on_new_negative_zero(d, d3):
    both(d, d3, """
ZADD k INCR -0 a
ZSCORE k a
ZADD k INCR -0 a
""")


# --- simple reads -----------------------------------------------------------------------------
def test_reads(d, d3):
    both(d, d3, """
ZADD z 1 a 2 b 3 c 3 d -5.5 e
ZCARD z
ZCARD nosuch
ZSCORE z e
ZSCORE z nosuch
ZSCORE nosuch a
ZMSCORE z a nosuch e
ZMSCORE nosuch a b
ZRANK z a
ZRANK z d
ZRANK z nosuch
ZRANK nosuch a
ZRANK z c WITHSCORE
ZRANK z c withscore
ZRANK z nosuch WITHSCORE
ZRANK nosuch a WITHSCORE
ZRANK z a WITHSCORES
ZRANK z a WITHSCORE extra
ZREVRANK z a
ZREVRANK z d WITHSCORE
ZREVRANK z zz WITHSCORE
ZREVRANK z a b c
ZCOUNT z -inf +inf
ZCOUNT z (1 3
ZCOUNT z 1 (3
ZCOUNT z (3 (3
ZCOUNT z 3 3
ZCOUNT z 5 1
ZCOUNT z a 1
ZCOUNT z 1 b
ZCOUNT z nan 1
ZCOUNT z "" 2
ZCOUNT z ( 2
ZCOUNT z (( 2
ZCOUNT z 1e400 +inf
ZCOUNT z -1e400 0
ZCOUNT z " 1" 3
ZCOUNT z "1 " 3
ZCOUNT nosuch 0 1
ZCOUNT nosuch a 1
SET str v
ZCARD str
ZSCORE str a
ZMSCORE str a
ZRANK str a
ZRANK str a WITHSCORE
ZCOUNT str 0 1
ZCOUNT str x 1
ZCARD
ZSCORE z
ZMSCORE z
""")


def test_score_grammar(d):
    """string2d for scores and weights, strtod for range ends: every spelling against Redis."""
    d.check("ZADD", "z", "0", "zero", "1", "one", "16", "hex")
    for t in ["0x", "0x1p", "0X1P+3", "-0x10", "0x.8", "0x1.", "1e5000", "-1e5000", "0123", "00", "+.5", "-.5e-1",
              "1e+5", "1E5", "INF", "-Inf", "+infinity", "nan(1)", "NaN", ".e1", "e1", "1..2", "--1", "+-1",
              "1e-320", "2e-324", "0.0e-999", "4.9e-324", "1.7976931348623157e308", "1.8e308", "\x00", "1\x00"]:
        t = t.encode().decode("unicode_escape")
        d.check("ZADD", "z", t, "m")
        d.check("ZINCRBY", "z", t, "m")
        d.check("ZUNION", "1", "z", "WEIGHTS", t, "WITHSCORES")
        d.check("ZCOUNT", "z", t, "+inf")
        d.check("ZCOUNT", "z", "(" + t, "+inf")
        d.check("ZRANGEBYSCORE", "z", "-inf", t, "WITHSCORES")


def test_range_value_parsing_quirks(d):
    d.check("ZADD", "z", "0", "zero", "1", "one")
    for lo in ["", " ", "  1", "\t1", "1\x00junk", "(\x001", "(", "(  ", "+inf", "-INF", "0x1", "1e1", ".", "-",
               "1.", "infinity", "nan", "(nan", "inf ", "1_0"]:
        d.check("ZCOUNT", "z", lo, "10")
        d.check("ZRANGEBYSCORE", "z", lo, "+inf")
    for item in ["-\x00", "+\x00x", "-x", "[", "(", "[\x00", "a", ""]:
        d.check("ZLEXCOUNT", "z", item, "+")
        d.check("ZRANGEBYLEX", "z", "-", item)


# --- the ZRANGE family ------------------------------------------------------------------------
RANGE_SCRIPT = """
ZADD z 1 a 2 b 3 c 4 d 5 e 5 f 6 g
ZRANGE z 0 -1
ZRANGE z 0 -1 WITHSCORES
ZRANGE z 2 4 withscores
ZRANGE z -3 -1
ZRANGE z -100 100
ZRANGE z 5 2
ZRANGE z 7 10
ZRANGE z 0 -8
ZRANGE z 0 -9
ZRANGE z -1 -2
ZRANGE z 0 0
ZRANGE z a 1
ZRANGE z 1 1.5
ZRANGE z 0 9223372036854775807
ZRANGE z -9223372036854775808 1
ZRANGE z 0 -1 REV
ZRANGE z 0 2 REV WITHSCORES
ZRANGE z 0 -1 LIMIT 0 2
ZRANGE z 0 -1 LIMIT 0 -1
ZRANGE z 0 -1 LIMIT 1 -1
ZRANGE z 0 -1 LIMIT 0
ZRANGE z 0 -1 LIMIT a b
ZRANGE z 0 -1 FOO
ZRANGE z 0 -1 REV REV
ZRANGE z 0 -1 BYSCORE BYLEX
ZRANGE z (1 5 BYSCORE
ZRANGE z (1 (5 BYSCORE WITHSCORES
ZRANGE z 5 (1 BYSCORE REV
ZRANGE z 5 (1 BYSCORE REV WITHSCORES LIMIT 1 2
ZRANGE z -inf +inf BYSCORE LIMIT 2 3
ZRANGE z -inf +inf BYSCORE LIMIT 2 0
ZRANGE z -inf +inf BYSCORE LIMIT -1 3
ZRANGE z -inf +inf BYSCORE LIMIT 7 3
ZRANGE z -inf +inf BYSCORE LIMIT 6 3
ZRANGE z -inf +inf BYSCORE LIMIT 0 -5
ZRANGE z -inf +inf BYSCORE LIMIT -2 3
ZRANGE z -inf +inf BYSCORE LIMIT -7 3
ZRANGE z -inf +inf BYSCORE LIMIT -8 3
ZRANGE z 2 5 BYSCORE LIMIT -3 -1
ZRANGE z 5 2 BYSCORE REV LIMIT -1 3
ZRANGE z 5 2 BYSCORE REV LIMIT -2 -1
ZRANGE z 5 2 BYSCORE REV LIMIT -5 -1
ZRANGE z 5 2 BYSCORE REV LIMIT -6 1
ZRANGE z (2 (2 BYSCORE LIMIT -1 1
ZRANGE z - + BYLEX LIMIT -1 3
ZRANGE z [b [d BYLEX LIMIT -1 3
ZRANGE z [d [b BYLEX REV LIMIT -1 3
ZRANGE z [d [b BYLEX REV LIMIT -3 3
ZRANGESTORE dst z 2 5 BYSCORE LIMIT -3 -1
ZRANGE dst 0 -1 WITHSCORES
ZRANGEBYSCORE z -inf +inf LIMIT -1 1
ZREVRANGEBYSCORE z +inf -inf LIMIT -1 1
ZREVRANGEBYLEX z + - LIMIT -2 5
ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2
ZRANGE z 1 x BYSCORE
ZRANGE z - + BYLEX
ZRANGE z - + BYLEX WITHSCORES
ZRANGE z [b (e BYLEX
ZRANGE z (e [b BYLEX REV
ZRANGE z b e BYLEX
ZRANGE z - + BYLEX LIMIT 1 2
ZRANGE z + - BYLEX REV LIMIT 1 2
ZRANGE nosuch 0 -1
ZRANGE nosuch 0 -1 WITHSCORES
ZRANGE nosuch a b
ZRANGE nosuch (1 5 BYSCORE
ZRANGE nosuch x y BYSCORE
ZREVRANGE z 0 -1
ZREVRANGE z 0 2 WITHSCORES
ZREVRANGE z -2 -1 withscores
ZREVRANGE z 0 -1 LIMIT 0 1
ZREVRANGE z 0 -1 REV
ZREVRANGE z 0 -1 BYSCORE
ZRANGEBYSCORE z -inf +inf
ZRANGEBYSCORE z 2 5 WITHSCORES
ZRANGEBYSCORE z (2 5 LIMIT 1 2
ZRANGEBYSCORE z (2 5 LIMIT 1 2 WITHSCORES
ZRANGEBYSCORE z 5 2
ZRANGEBYSCORE z 2 5 REV
ZRANGEBYSCORE z 2 5 BYSCORE
ZRANGEBYSCORE z 2 5 LIMIT 1
ZREVRANGEBYSCORE z +inf -inf
ZREVRANGEBYSCORE z 5 (2 WITHSCORES
ZREVRANGEBYSCORE z 5 2 LIMIT 1 1
ZREVRANGEBYSCORE z 2 5
ZRANGEBYLEX z - +
ZRANGEBYLEX z [c +
ZRANGEBYLEX z (c [f
ZRANGEBYLEX z - + LIMIT 2 2
ZRANGEBYLEX z - + WITHSCORES
ZRANGEBYLEX z c f
ZREVRANGEBYLEX z + -
ZREVRANGEBYLEX z [f (c
ZREVRANGEBYLEX z + - LIMIT 1 3
SET str v
ZRANGE str 0 -1
ZRANGE str a b
ZRANGE str (1 a BYSCORE
ZRANGEBYSCORE str 0 1
ZRANGEBYLEX str - +
ZREVRANGE str 0 -1
ZRANGESTORE dst z 0 -1
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z 1 3 REV
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z (2 +inf BYSCORE LIMIT 1 2
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z +inf (2 BYSCORE REV LIMIT 1 2
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z [b [e BYLEX
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z 0 -1 WITHSCORES
ZRANGESTORE dst z 5 1
EXISTS dst
ZRANGESTORE dst z 0 1
ZRANGESTORE dst nosuch 0 -1
EXISTS dst
ZRANGESTORE str z 0 1
ZRANGE str 0 -1
ZRANGESTORE z2 str 0 1
ZRANGESTORE z z 0 1
ZRANGE z 0 -1 WITHSCORES
"""


def test_range_family(d, d3):
    both(d, d3, RANGE_SCRIPT)


def test_range_family_skiplist(d, d3, srv):
    with zconf(srv, d, entries=1):
        both(d, d3, RANGE_SCRIPT)


def test_lex_ranges(d, d3):
    both(d, d3, """
ZADD z 0 a 0 aa 0 ab 0 b 0 ba 0 c 0 "" 0 zz
ZRANGEBYLEX z - +
ZRANGEBYLEX z [a [b
ZRANGEBYLEX z (a (b
ZRANGEBYLEX z [aa [aa
ZRANGEBYLEX z (aa [aa
ZRANGEBYLEX z [aa (aa
ZRANGEBYLEX z [b [a
ZRANGEBYLEX z - -
ZRANGEBYLEX z + +
ZRANGEBYLEX z + -
ZRANGEBYLEX z [ [a
ZRANGEBYLEX z ( +
ZRANGEBYLEX z [zzz +
ZRANGEBYLEX z - (a
ZRANGEBYLEX z [-- +
ZRANGEBYLEX z a +
ZRANGEBYLEX z [a b
ZRANGEBYLEX z -- +
ZRANGEBYLEX z - ++
ZLEXCOUNT z - +
ZLEXCOUNT z [a (b
ZLEXCOUNT z (b +
ZLEXCOUNT z + -
ZLEXCOUNT z x +
ZLEXCOUNT nosuch - +
ZLEXCOUNT nosuch x +
ZREVRANGEBYLEX z + -
ZREVRANGEBYLEX z [b [a
ZREVRANGEBYLEX z [a [b
ZREVRANGEBYLEX z (b - LIMIT 1 2
ZREMRANGEBYLEX z [aa (b
ZRANGE z 0 -1
ZREMRANGEBYLEX z x +
ZREMRANGEBYLEX z + -
ZREMRANGEBYLEX nosuch - +
ZREMRANGEBYLEX z - +
EXISTS z
ZADD mixed 1 b 2 a 3 c 4 d 0 e
ZRANGEBYLEX mixed - +
ZRANGEBYLEX mixed [a +
ZRANGEBYLEX mixed [b +
ZRANGEBYLEX mixed [c +
ZRANGEBYLEX mixed - [c
ZRANGEBYLEX mixed [b [c
ZREVRANGEBYLEX mixed + [a
ZREVRANGEBYLEX mixed [c -
ZREVRANGEBYLEX mixed [d [b
ZLEXCOUNT mixed [a +
ZLEXCOUNT mixed [b [d
ZREMRANGEBYLEX mixed [b [c
ZRANGE mixed 0 -1
""")


# --- ZREMRANGEBY* ---------------------------------------------------------------------------
def test_zremrange(d, d3):
    both(d, d3, """
ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
ZREMRANGEBYRANK z 0 0
ZREMRANGEBYRANK z -1 -1
ZREMRANGEBYRANK z 5 1
ZREMRANGEBYRANK z 10 20
ZREMRANGEBYRANK z a 1
ZRANGE z 0 -1
ZREMRANGEBYSCORE z (2 4
ZREMRANGEBYSCORE z 5 4
ZREMRANGEBYSCORE z x 4
ZRANGE z 0 -1 WITHSCORES
ZREMRANGEBYSCORE z -inf +inf
EXISTS z
ZREMRANGEBYRANK nosuch 0 -1
ZREMRANGEBYSCORE nosuch 0 1
ZREMRANGEBYSCORE nosuch x 1
ZREMRANGEBYRANK nosuch x 1
SET str v
ZREMRANGEBYRANK str 0 -1
ZREMRANGEBYSCORE str 0 1
ZREMRANGEBYLEX str - +
ZREMRANGEBYRANK str x 1
ZADD z 1 a 2 b 3 c
ZREMRANGEBYRANK z 0 -1
EXISTS z
ZREM z a
ZADD z 1 a 2 b 3 c
ZREM z a a nosuch
ZREM z b c d
EXISTS z
ZREM str a
ZREM nosuch a
""")


# --- set operations ---------------------------------------------------------------------
SETOP_SCRIPT = """
ZADD a 1 x 2 y 3 z
ZADD b 10 y 20 z 30 w
ZADD c 100 z
SET str v
ZUNION 2 a b
ZUNION 2 a b WITHSCORES
ZUNION 3 a b c WITHSCORES
ZUNION 2 a b WEIGHTS 2 3 WITHSCORES
ZUNION 2 a b WEIGHTS 2 WITHSCORES
ZUNION 2 a b WEIGHTS 2 x WITHSCORES
ZUNION 2 a b AGGREGATE MIN WITHSCORES
ZUNION 2 a b AGGREGATE max WITHSCORES
ZUNION 2 a b AGGREGATE avg
ZUNION 2 a b AGGREGATE
ZUNION 2 a b WITHSCORES WITHSCORES
ZUNION 2 a nosuch WITHSCORES
ZUNION 1 nosuch
ZUNION 0 a
ZUNION -1 a
ZUNION abc a
ZUNION 3 a b
ZUNION 2 a str
ZUNION 2 str a BADOPT
ZUNION 2 a b BADOPT
ZINTER 2 a b WITHSCORES
ZINTER 3 a b c WITHSCORES
ZINTER 2 a b AGGREGATE MAX WITHSCORES
ZINTER 2 a b WEIGHTS 1 -1 AGGREGATE MIN WITHSCORES
ZINTER 2 a a WITHSCORES
ZINTER 2 a nosuch
ZINTER 0 a
ZINTER 2 str a
ZDIFF 2 a b
ZDIFF 2 a b WITHSCORES
ZDIFF 3 b a c WITHSCORES
ZDIFF 1 a WITHSCORES
ZDIFF 2 a a
ZDIFF 2 nosuch a
ZDIFF 2 a b WEIGHTS 1 2
ZDIFF 2 a b AGGREGATE SUM
ZDIFF 0 a
ZDIFF 2 a str
ZINTERCARD 2 a b
ZINTERCARD 3 a b c
ZINTERCARD 2 a b LIMIT 1
ZINTERCARD 2 a b LIMIT 0
ZINTERCARD 2 a b LIMIT -1
ZINTERCARD 2 a b LIMIT x
ZINTERCARD 2 a b WITHSCORES
ZINTERCARD 0 a
ZINTERCARD 1 nosuch
ZINTERCARD 2 a str
ZUNIONSTORE dst 2 a b
ZRANGE dst 0 -1 WITHSCORES
EXPIRE dst 100
ZUNIONSTORE dst 2 a b
TTL dst
EXPIRE dst 100
ZRANGESTORE dst a 0 0
TTL dst
EXPIRE a 100
ZADD a 5 x
ZPOPMIN a
ZREM a nosuch
TTL a
ZUNIONSTORE dst 2 a b WEIGHTS 1 2 AGGREGATE MAX
ZRANGE dst 0 -1 WITHSCORES
ZUNIONSTORE dst 2 a b WITHSCORES
ZUNIONSTORE dst 0 a
ZUNIONSTORE dst 1 nosuch
EXISTS dst
ZINTERSTORE dst 2 a b
ZRANGE dst 0 -1 WITHSCORES
ZINTERSTORE dst 2 a c
EXISTS dst
ZINTERSTORE dst 0 a
ZINTERSTORE dst -5 a
ZINTERSTORE dst x a
ZDIFFSTORE dst 2 a b
ZRANGE dst 0 -1 WITHSCORES
ZDIFFSTORE dst 2 a a
EXISTS dst
ZDIFFSTORE dst 0 a
ZDIFFSTORE dst 2 a b WEIGHTS 1 1
ZUNIONSTORE str 1 a
ZRANGE str 0 -1
ZUNIONSTORE a 2 a b
ZRANGE a 0 -1 WITHSCORES
ZINTERSTORE dst 2 a str
ZUNIONSTORE dst 2 a
ZUNIONSTORE dst 1 a WEIGHTS
"""


def test_set_operations(d, d3):
    both(d, d3, SETOP_SCRIPT)


def make_set(x, key: str, members: list[str]) -> None:
    x.check("SADD", key, *members)


SET_INPUT_SCRIPT = """
ZUNION 2 a s WITHSCORES
ZUNION 3 s a b WEIGHTS 2 1 1 WITHSCORES
ZUNION 2 s s WITHSCORES
ZUNION 2 s nums AGGREGATE MAX WITHSCORES
ZINTER 2 a s WITHSCORES
ZINTER 2 s s WEIGHTS 2 3 WITHSCORES
ZINTER 2 nums nums WITHSCORES
ZDIFF 2 a s WITHSCORES
ZDIFF 2 s a WITHSCORES
ZDIFF 2 nums s
ZINTERCARD 2 a s
ZINTERCARD 2 s s LIMIT 1
ZUNIONSTORE dst 2 a s
ZRANGE dst 0 -1 WITHSCORES
ZINTERSTORE dst 3 s a s WEIGHTS 1 2 3
ZRANGE dst 0 -1 WITHSCORES
ZDIFFSTORE dst 2 s b
ZRANGE dst 0 -1 WITHSCORES
ZUNIONSTORE dst 1 nums
ZRANGE dst 0 -1 WITHSCORES
ZUNIONSTORE dst 2 nums s WEIGHTS 0 -1
ZRANGE dst 0 -1 WITHSCORES
ZADD s 1 x
ZRANGE s 0 -1
ZSCORE s x
"""


def test_sets_as_inputs(d, d3, srv):
    for entries in (128, 1):
        with zconf(srv, d, entries=entries):
            for x in (d, d3):
                x.check("FLUSHALL")
                x.check("ZADD", "a", "1", "x", "2", "y", "3", "z")
                x.check("ZADD", "b", "10", "y", "20", "z", "30", "w")
                make_set(x, "s", ["x", "w", "q"])
                make_set(x, "nums", ["3", "1", "-2", "10"])
                _run(x, SET_INPUT_SCRIPT)
                check_encoding(x, srv, "dst")


def test_set_operations_skiplist(d, d3, srv):
    with zconf(srv, d, entries=2):
        both(d, d3, SETOP_SCRIPT)


def test_set_operations_special_scores(d, d3):
    both(d, d3, """
ZADD p 1 m inf i -inf j 0 o
ZADD q -inf m inf i inf j -0 o
ZADD r 5 m 5 i 5 j 5 o
ZUNION 2 p q WITHSCORES
ZUNION 3 p q r WITHSCORES
ZUNION 3 r p q WITHSCORES
ZINTER 2 p q WITHSCORES
ZINTER 3 p q r WITHSCORES
ZUNION 2 p q WEIGHTS 0 1 WITHSCORES
ZUNION 2 p q WEIGHTS 0 0 AGGREGATE MIN WITHSCORES
ZINTER 2 p q WEIGHTS 0 1 AGGREGATE MIN WITHSCORES
ZINTER 2 p q WEIGHTS 0 1 AGGREGATE MAX WITHSCORES
ZINTER 2 p q WEIGHTS 1 0 WITHSCORES
ZUNION 2 p q WEIGHTS -1 -1 WITHSCORES
ZUNION 1 q WEIGHTS -1 WITHSCORES
ZUNION 2 p q WEIGHTS inf -inf WITHSCORES
ZUNION 2 p q WEIGHTS 1e400 1 WITHSCORES
ZUNION 2 p q WEIGHTS nan 1 WITHSCORES
ZUNION 2 p q WEIGHTS 0x10 1 WITHSCORES
ZUNIONSTORE u 1 q WEIGHTS -1
ZRANGE u 0 -1 WITHSCORES
ZINTERSTORE u 2 p q
ZRANGE u 0 -1 WITHSCORES
""")


# --- pops ------------------------------------------------------------------------------------
def test_pops(d, d3):
    both(d, d3, """
ZADD z 1 a 2 b 3 c 4 d 5 e
ZPOPMIN z
ZPOPMAX z
ZPOPMIN z 0
ZPOPMIN z 2
ZPOPMAX z 10
EXISTS z
ZPOPMIN z
ZPOPMIN z 3
ZPOPMAX nosuch
ZPOPMIN z -1
ZPOPMIN z abc
ZPOPMIN z 1 2
ZPOPMIN z 9223372036854775807
SET str v
ZPOPMIN str
ZPOPMAX str 0
ZPOPMIN str -1
ZADD z 1 a 2 b 3 c 4 d 5 e
ZMPOP 1 z MIN
ZMPOP 1 z max COUNT 2
ZMPOP 2 nosuch z MIN COUNT 10
ZMPOP 2 nosuch z MIN COUNT 10
ZMPOP 1 nosuch MIN
ZMPOP 1 z MIN COUNT 0
ZMPOP 1 z MIN COUNT -1
ZMPOP 1 z MIN COUNT x
ZMPOP 1 z MIN COUNT 1 COUNT 1
ZMPOP 1 z MIN COUNT
ZMPOP 1 z MID
ZMPOP 0 z MIN
ZMPOP -1 z MIN
ZMPOP x z MIN
ZMPOP 2 z MIN
ZMPOP 9223372036854775807 z MIN
ZMPOP 1 str MIN
ZADD z 1 a
ZMPOP 2 str z MIN
ZMPOP 2 z str MIN
ZADD z 1 a
BZPOPMIN str 0
BZPOPMIN z x
BZPOPMIN z -1
BZPOPMIN z 0
ZADD z 1 a 2 b
BZPOPMAX nosuch z 0
BZPOPMIN nosuch 0.01
BZMPOP 0.01 1 nosuch MIN
BZMPOP x 1 z MIN
BZMPOP -1 1 z MIN
BZMPOP x 0 z MIN
BZMPOP 0 1 str MIN
ZADD z 1 a 2 b 3 c
BZMPOP 0 2 nosuch z MAX COUNT 2
BZMPOP 0 1 z MAX COUNT 5
BZPOPMAX z 0.01
""")


def test_zrandmember(d, d3, srv):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("ZADD", "z", "1", "a", "2", "b", "3.5", "c")
        for args in [("ZRANDMEMBER", "nosuch"), ("ZRANDMEMBER", "nosuch", "5"), ("ZRANDMEMBER", "nosuch", "x"),
                     ("ZRANDMEMBER", "nosuch", "1", "bad"), ("ZRANDMEMBER", "z", "x"), ("ZRANDMEMBER", "z", "1.5"),
                     ("ZRANDMEMBER", "z", "0"), ("ZRANDMEMBER", "z", "0", "WITHSCORES"),
                     ("ZRANDMEMBER", "z", "1", "WITHSCORE"), ("ZRANDMEMBER", "z", "1", "WITHSCORES", "x"),
                     ("ZRANDMEMBER", "z", "-9223372036854775808"),
                     ("ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"),
                     ("ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"),
                     ("ZRANDMEMBER", "z", "9223372036854775807"),
                     ("ZRANDMEMBER", "z", "4611686018427387903", "WITHSCORES"),
                     ("ZRANDMEMBER", "z", "3", "WITHSCORES"), ("ZRANDMEMBER", "z", "10")]:
            x.check(*args)
        x.check("SET", "str", "v")
        x.check("ZRANDMEMBER", "str")
        x.check("ZRANDMEMBER", "str", "1")
    # random picks: the right shape, members and scores
    import hiredis

    def parse(b):
        rd = hiredis.Reader()
        rd.feed(b)
        return rd.gets()

    scores = {b"a": 1.0, b"b": 2.0, b"c": 3.5}
    for x, resp in ((d, 2), (d3, 3)):
        assert parse(x.mine.call("ZRANDMEMBER", "z")) in scores
        got = parse(x.mine.call("ZRANDMEMBER", "z", "2"))
        assert len(got) == 2 and len(set(got)) == 2 and set(got) <= set(scores)
        got = parse(x.mine.call("ZRANDMEMBER", "z", "-20"))
        assert len(got) == 20 and set(got) <= set(scores)
        got = parse(x.mine.call("ZRANDMEMBER", "z", "-7", "WITHSCORES"))
        pairs = [tuple(p) for p in got] if resp == 3 else list(zip(got[::2], got[1::2], strict=True))
        assert len(pairs) == 7
        for m, s in pairs:
            assert float(s) == scores[m]
        got = parse(x.mine.call("ZRANDMEMBER", "z", "2", "WITHSCORES"))
        assert len(got) == (2 if resp == 3 else 4)
    # a big (skiplist) set
    d.check("ZADD", "big", *[str(v) for i in range(300) for v in (i, f"m{i}")])
    got = parse(d.mine.call("ZRANDMEMBER", "big", "100"))
    assert len(set(got)) == 100
    got = parse(d.mine.call("ZRANDMEMBER", "big", "250"))
    assert len(set(got)) == 250
    d.check_sorted("ZRANDMEMBER", "big", "300")
    d.check_sorted("ZRANDMEMBER", "big", "1000")


def test_zrandmember_whole_set_order(d, d3):
    """Asking for at least the whole set answers it highest score first, as Redis does."""
    both(d, d3, """
ZADD z 1 a 2 b 3 c
ZRANDMEMBER z 3
ZRANDMEMBER z 5 WITHSCORES
""")


# --- ZSCAN ----------------------------------------------------------------------------------
def test_zscan_small_and_errors(d, d3):
    both(d, d3, """
ZADD z 1 a 2 b 3.5 c 1e20 d -0 e
ZSCAN z 0
ZSCAN z 123
ZSCAN z 0 COUNT 1
ZSCAN z 0 MATCH [ab]*
ZSCAN z 0 MATCH * COUNT 100
ZSCAN z 0 COUNT 0
ZSCAN z 0 COUNT -1
ZSCAN z 0 COUNT x
ZSCAN z 0 NOVALUES
ZSCAN z 0 MATCH
ZSCAN z 0 TYPE zset
ZSCAN z x
ZSCAN z -1
ZSCAN nosuch 0
ZSCAN nosuch 0 BADOPT
ZSCAN nosuch x
SET str v
ZSCAN str 0
ZSCAN str x
""")


def test_zscan_options_compare_up_to_a_nul(d, d3):
    """Options are matched as strcasecmp sees them (ZSCAN shares SCAN's option parser)."""
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("ZADD", "z", "1", "a", "2", "b")
        x.check("ZSCAN", "z", "0", b"COUNT\x00x", "5")
        x.check("ZSCAN", "z", "0", b"match\x00", "a*")
        x.check("ZSCAN", "z", "0", b"NOVALUES\x00y")
        x.check("ZSCAN", "z", "0", b"COUNT\x00x")
        x.check("SADD", "s", "a", "b")
        x.check("SSCAN", "s", "0", b"count\x00", "5", b"MATCH\x00z", "*")


def scan_all(client, key: str) -> dict:
    """A full ZSCAN as a member -> score-text map (big sets come in hash order)."""
    import hiredis

    out = {}
    cursor = b"0"
    while True:
        rd = hiredis.Reader()
        rd.feed(client.call("ZSCAN", key, cursor))
        cursor, flat = rd.gets()
        for i in range(0, len(flat), 2):
            out[flat[i]] = flat[i + 1]
        if cursor == b"0":
            return out


def test_zscan_big_returns_everything(d, d3):
    import hiredis

    members = {f"m{i}".encode(): str(i * 1.5).encode().removesuffix(b".0") for i in range(400)}
    for x in (d, d3):
        x.check("FLUSHALL")
        args = []
        for m, s in members.items():
            args += [s, m]
        x.check("ZADD", "big", *args)
        x.check("ZSCAN", "nosuch", "0")
        seen = {}
        cursor = b"0"
        calls = 0
        while True:
            rd = hiredis.Reader()
            rd.feed(x.mine.call("ZSCAN", "big", cursor, "COUNT", "25"))
            cursor, flat = rd.gets()
            calls += 1
            for i in range(0, len(flat), 2):
                seen[flat[i]] = flat[i + 1]
            if cursor == b"0":
                break
        assert calls > 1
        assert seen == members
        rd = hiredis.Reader()
        rd.feed(x.mine.call("ZSCAN", "big", "0", "MATCH", "m1?", "COUNT", "1000"))
        cursor, flat = rd.gets()
        assert cursor == b"0" and sorted(flat[::2]) == sorted(m for m in members if len(m) == 3 and m[1:2] == b"1")


# --- encodings, digests --------------------------------------------------------------------
def test_encodings_follow_redis(d, srv):
    d.check("FLUSHALL")

    def pairs(n, prefix="m", width=1):
        out = []
        for i in range(n):
            out += [str(i), (prefix + str(i)).ljust(width, "x")]
        return out

    d.check("ZADD", "k1", *pairs(128))
    check_encoding(d, srv, "k1")
    d.check("ZADD", "k1", "1", "one-more")
    check_encoding(d, srv, "k1")
    d.check("ZREMRANGEBYRANK", "k1", "0", "-3")
    check_encoding(d, srv, "k1")  # never converted back
    d.check("ZADD", "k2", "1", "x" * 64)
    check_encoding(d, srv, "k2")
    d.check("ZADD", "k3", "1", "x" * 65)
    check_encoding(d, srv, "k3")
    d.check("ZADD", "k4", *(["1", "a"] * 129))  # 129 pairs, one member: created big
    check_encoding(d, srv, "k4")
    d.check("ZADD", "k5", "1", "a")
    d.check("ZADD", "k5", "XX", *(["1", "zz"] * 129))  # converted though nothing added
    check_encoding(d, srv, "k5")
    d.check("ZADD", "k6", "1", "a")
    d.check("ZADD", "k6", "XX", "1", "y" * 65)
    check_encoding(d, srv, "k6")
    d.check("ZINCRBY", "k7", "1", "y" * 65)
    check_encoding(d, srv, "k7")
    d.check("ZADD", "k8", "1", "a")
    d.check("ZADD", "k8", "2", "y" * 65)  # one pair: converted on insert
    check_encoding(d, srv, "k8")
    d.check("ZADD", "k9", "1", "a")
    with zconf(srv, d, entries=0):
        d.check("ZADD", "k9", "1", "a")  # nothing changes, yet zsetTypeMaybeConvert converts
        check_encoding(d, srv, "k9")
    d.check("ZADD", "big", *pairs(200))
    for args in (("d1", "big", "0", "9"), ("d2", "big", "0", "150"),
                 ("d3", "big", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "10"),
                 ("d4", "big", "0", "+inf", "BYSCORE"), ("d5", "big", "-", "+", "BYLEX", "LIMIT", "0", "5"),
                 ("d6", "k3", "0", "-1"), ("d7", "k1", "0", "-1")):
        d.check("ZRANGESTORE", *args)
        check_encoding(d, srv, args[0])
    d.check("ZUNIONSTORE", "u1", "1", "big")
    check_encoding(d, srv, "u1")
    d.check("ZINTERSTORE", "u2", "2", "big", "k5")
    check_encoding(d, srv, "u2")
    d.check("ZUNIONSTORE", "u3", "2", "k2", "k3")
    check_encoding(d, srv, "u3")
    d.check("ZDIFFSTORE", "u4", "2", "big", "k1")
    check_encoding(d, srv, "u4")
    d.check("ZADD", "mixed", "1", "a")
    d.check("SADD", "aset", "a", "b", "c")
    d.check("ZUNIONSTORE", "u5", "2", "mixed", "aset")
    check_encoding(d, srv, "u5")
    with zconf(srv, d, entries=0):
        d.check("ZADD", "e0", "1", "a")
        check_encoding(d, srv, "e0")
        d.check("ZUNIONSTORE", "e1", "1", "mixed")
        check_encoding(d, srv, "e1")
        d.check("ZRANGESTORE", "e2", "mixed", "0", "-1")
        check_encoding(d, srv, "e2")
    with zconf(srv, d, value=0):
        d.check("ZADD", "v0", "1", "a")
        check_encoding(d, srv, "v0")
        d.check("ZADD", "v1", "1", "")
        check_encoding(d, srv, "v1")
    with zconf(srv, d, entries=3):
        d.check("ZADD", "s3", "1", "a", "2", "b", "3", "c")
        check_encoding(d, srv, "s3")
        d.check("ZADD", "s3", "4", "d")
        check_encoding(d, srv, "s3")
        d.check("ZADD", "neg", "-0", "a", "1", "b", "2", "c", "3", "d")
        d.check("ZSCORE", "neg", "a")
        d.check("ZUNIONSTORE", "neg2", "1", "neg", "WEIGHTS", "-1")
        d.check("ZRANGE", "neg2", "0", "-1", "WITHSCORES")
        check_encoding(d, srv, "neg2")
        d.check("ZRANGESTORE", "neg3", "neg", "0", "1")
        d.check("ZRANGE", "neg3", "0", "-1", "WITHSCORES")
        assert scan_all(d.mine, "neg") == scan_all(d.theirs, "neg")
        d.check("ZUNION", "1", "neg", "WEIGHTS", "-1", "WITHSCORES")


def test_digests_match_redis(d, srv):
    d.check("FLUSHALL")
    d.check("ZADD", "small", "1", "a", "2.5", "b", "-0", "c", "1e20", "d", "inf", "e", "-inf", "f", "0.1", "g",
            "12345", "h", "1e-5", "i", "123456789012345678", "j")
    check_digest(d, srv, "small")
    d.check("ZADD", "big", *[str(v) for i in range(200) for v in (i / 7, f"m{i}")])
    check_digest(d, srv, "big")
    with zconf(srv, d, entries=0):
        d.check("ZADD", "negz", "-0", "a", "3.25", "b")
        check_digest(d, srv, "negz")


# --- notifications --------------------------------------------------------------------------
def test_keyspace_events(d, srv):
    d.check("FLUSHALL")
    old = srv.core.config.get_formatted("notify-keyspace-events")
    d.theirs.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
    srv.call_in_loop(srv.core.config.set_many, [("notify-keyspace-events", "KEA")])
    script = [
        ("ZADD", "z", "1", "a", "2", "b"), ("ZADD", "z", "1", "a"), ("ZADD", "z", "INCR", "0", "a"),
        ("ZADD", "z", "XX", "5", "nosuch"), ("ZINCRBY", "z", "1", "a"), ("ZPOPMIN", "z", "5"),
        ("ZADD", "z", "1", "a"), ("ZREM", "z", "a"), ("ZREM", "z", "a"),
        ("ZADD", "z", "1", "a", "2", "b"), ("ZREMRANGEBYRANK", "z", "0", "0"), ("ZREMRANGEBYSCORE", "z", "0", "5"),
        ("ZADD", "z", "0", "a", "0", "b"), ("ZREMRANGEBYLEX", "z", "-", "+"), ("ZREMRANGEBYLEX", "z", "-", "+"),
        ("ZADD", "z", "1", "a", "2", "b"), ("ZUNIONSTORE", "d", "1", "z"), ("ZUNIONSTORE", "d", "1", "nosuch"),
        ("ZUNIONSTORE", "d", "1", "nosuch"), ("ZINTERSTORE", "d", "2", "z", "z"), ("ZDIFFSTORE", "d", "1", "z"),
        ("ZRANGESTORE", "d", "z", "0", "-1"), ("ZRANGESTORE", "d", "nosuch", "0", "-1"),
        ("ZPOPMAX", "z"), ("BZPOPMAX", "z", "0"), ("ZADD", "z", "1", "a", "2", "b"),
        ("ZMPOP", "1", "z", "MIN", "COUNT", "1"), ("BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"),
        ("SET", "s", "1"), ("ZUNIONSTORE", "s", "1", "nosuch"),
    ]
    try:
        mine = keyevents(srv.port, script)
        theirs = keyevents(d.theirs.sock.getpeername()[1], script)
    finally:
        d.theirs.call("CONFIG", "SET", "notify-keyspace-events", "")
        srv.call_in_loop(srv.core.config.set_many, [("notify-keyspace-events", old)])
    assert mine == theirs
    assert (b"zpopmin", b"z") in mine


# --- random command sequences ---------------------------------------------------------------
MEMBERS = ["a", "b", "c", "d", "e", "aa", "ab", "", "zz", "m1"]
KEYS = ["k1", "k2", "k3", "str", "set"]
SCORES = ["0", "1", "-1", "2.5", "-0", "inf", "-inf", "+inf", "3", "1e3", "0.5", "x", "nan", "(1", "7"]
RANGE_ENDS = ["-inf", "+inf", "0", "1", "(1", "2.5", "(3", "x", "-1", "(-inf"]
LEX_ENDS = ["-", "+", "[a", "(a", "[b", "(ab", "[zz", "a", "[", "("]
RANKS = ["0", "1", "-1", "2", "-3", "10", "-100", "x"]


def _commands() -> st.SearchStrategy:
    m = st.sampled_from(MEMBERS)
    k = st.sampled_from(KEYS)
    s = st.sampled_from(SCORES)
    r = st.sampled_from(RANKS)
    re_ = st.sampled_from(RANGE_ENDS)
    le = st.sampled_from(LEX_ENDS)
    zopt = st.lists(st.sampled_from(["NX", "XX", "GT", "LT", "CH", "INCR"]), max_size=2)
    nkeys = st.lists(k, min_size=1, max_size=3)
    limit = st.sampled_from([[], ["LIMIT", "0", "2"], ["LIMIT", "1", "-1"], ["LIMIT", "-1", "1"]])
    ws = st.sampled_from([[], ["WITHSCORES"]])
    agg = st.sampled_from([[], ["AGGREGATE", "MIN"], ["AGGREGATE", "MAX"], ["AGGREGATE", "SUM"]])

    def setop(name, store, lst, a, w_):
        base = [name] + (["dst"] if store else []) + [str(len(lst))] + lst + a
        if not store and name != "ZINTERCARD":
            base += w_
        return base

    return st.one_of(
        st.builds(lambda k_, o, pairs: ["ZADD", k_, *o, *[x for p in pairs for x in p]],
                  k, zopt, st.lists(st.tuples(s, m), min_size=1, max_size=3)),
        st.builds(lambda k_, s_, m_: ["ZINCRBY", k_, s_, m_], k, s, m),
        st.builds(lambda k_, ms: ["ZREM", k_, *ms], k, st.lists(m, min_size=1, max_size=3)),
        st.builds(lambda k_: ["ZCARD", k_], k),
        st.builds(lambda k_, m_: ["ZSCORE", k_, m_], k, m),
        st.builds(lambda k_, m_, w_: ["ZRANK", k_, m_, *w_], k, m, st.sampled_from([[], ["WITHSCORE"]])),
        st.builds(lambda k_, m_: ["ZREVRANK", k_, m_], k, m),
        st.builds(lambda k_, a, b: ["ZCOUNT", k_, a, b], k, re_, re_),
        st.builds(lambda k_, a, b: ["ZLEXCOUNT", k_, a, b], k, le, le),
        st.builds(lambda k_, a, b, w_: ["ZRANGE", k_, a, b, *w_], k, r, r, ws),
        st.builds(lambda k_, a, b, w_, l_, rv: ["ZRANGE", k_, a, b, "BYSCORE", *rv, *l_, *w_], k, re_, re_, ws, limit,
                  st.sampled_from([[], ["REV"]])),
        st.builds(lambda k_, a, b, l_, rv: ["ZRANGE", k_, a, b, "BYLEX", *rv, *l_], k, le, le, limit,
                  st.sampled_from([[], ["REV"]])),
        st.builds(lambda k_, a, b, w_: ["ZREVRANGEBYSCORE", k_, a, b, *w_], k, re_, re_, ws),
        st.builds(lambda k_, a, b: ["ZREVRANGEBYLEX", k_, a, b], k, le, le),
        st.builds(lambda k_, k2, a, b: ["ZRANGESTORE", k_, k2, a, b], k, k, r, r),
        st.builds(lambda k_, a, b: ["ZREMRANGEBYRANK", k_, a, b], k, r, r),
        st.builds(lambda k_, a, b: ["ZREMRANGEBYSCORE", k_, a, b], k, re_, re_),
        st.builds(lambda k_, a, b: ["ZREMRANGEBYLEX", k_, a, b], k, le, le),
        st.builds(lambda n, store, lst, a, w_: setop(n, store, lst, a if n != "ZDIFF" else [], w_),
                  st.sampled_from(["ZUNION", "ZINTER", "ZDIFF"]), st.booleans(), nkeys, agg, ws),
        st.builds(lambda lst: ["ZINTERCARD", str(len(lst)), *lst], nkeys),
        st.builds(lambda n, k_, c_: [n, k_, *c_], st.sampled_from(["ZPOPMIN", "ZPOPMAX"]), k,
                  st.sampled_from([[], ["0"], ["1"], ["2"], ["-1"]])),
        st.builds(lambda lst, wh, c_: ["ZMPOP", str(len(lst)), *lst, wh, *c_], nkeys, st.sampled_from(["MIN", "MAX"]),
                  st.sampled_from([[], ["COUNT", "2"]])),
        st.builds(lambda k_: ["ZMSCORE", k_, "a", "b", "zz"], k),
        st.builds(lambda k_: ["ZRANDMEMBER", k_, "100", "WITHSCORES"], k),
        st.builds(lambda k_, m_: ["SADD", "set", m_] if k_ == "set" else ["SET", "str", m_],
                  st.sampled_from(["set", "str"]), m),
        st.builds(lambda k_: ["DEL", k_], k),
    )


def _dataset(client) -> bytes:
    """Everything in the zset keys, read back in order."""
    out = []
    for k in KEYS[:3]:
        out.append(client.call("ZRANGE", k, "0", "-1", "WITHSCORES"))
    return b"".join(out)


def _sequence_test(d, srv, cmds) -> None:
    d.check("FLUSHALL")
    for cmd in cmds:
        d.check(*cmd)
    assert _dataset(d.mine) == _dataset(d.theirs)
    d.check("DEBUG", "DIGEST")
    for k in KEYS[:3]:
        if d.theirs.call("EXISTS", k) == b":1\r\n":
            check_encoding(d, srv, k)
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


def test_random_sequences_small_listpack_limits(d, srv):
    """Random sequences with tiny thresholds, so conversions happen all the time."""
    rng = random.Random(1234)
    with zconf(srv, d, entries=3, value=1):
        for _ in range(15):
            _sequence_test(d, srv, _manual(rng))


def _manual(rng: random.Random) -> list[list[str]]:
    """Hand-rolled random sequence (hypothesis is not needed to draw one)."""
    cmds = []
    for _ in range(rng.randint(5, 40)):
        k = rng.choice(KEYS[:3])
        m = rng.choice(MEMBERS)
        s = rng.choice(SCORES[:12])
        kind = rng.randrange(10)
        if kind < 4:
            cmds.append(["ZADD", k, *rng.sample(["NX", "XX", "GT", "LT", "CH"], rng.randint(0, 1)), s, m, "1", m + "x"])
        elif kind == 4:
            cmds.append(["ZREM", k, m])
        elif kind == 5:
            cmds.append(["ZUNIONSTORE", rng.choice(KEYS[:3]), "2", k, rng.choice(KEYS[:3])])
        elif kind == 6:
            cmds.append(["ZRANGESTORE", rng.choice(KEYS[:3]), k, "0", rng.choice(["1", "-1", "3"])])
        elif kind == 7:
            cmds.append(["ZPOPMIN", k, rng.choice(["1", "2"])])
        elif kind == 8:
            cmds.append(["ZRANGE", k, "0", "-1", "WITHSCORES"])
        else:
            cmds.append(["ZREMRANGEBYRANK", k, "0", "0"])
    return cmds
