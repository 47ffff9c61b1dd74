"""The ZSet value on its own: both representations behave alike, ranges and spans follow
Redis's rules, conversions keep everything (but -0 in a listpack), digests are
order-independent. No server involved."""

from __future__ import annotations

import math
import random

import pytest

from moredis.engine.digest import object_digest
from moredis.engine.objects import OBJ_ZSET, copy_value, encoding, type_code, type_name
from moredis.engine.types.zset import (
    LEX_NEG,
    LEX_POS,
    LEX_VAL,
    ZSet,
    from_sorted,
    lex_range_empty,
    score_digest_text,
)


def make(pairs, skiplist=False) -> ZSet:
    z = ZSet(skiplist)
    for s, m in pairs:
        z.insert(m, s)
    return z


PAIRS = [(1.0, b"a"), (2.0, b"b"), (2.0, b"c"), (3.5, b"d"), (-1.0, b"e"), (math.inf, b"f"), (2.0, b"ab")]


@pytest.fixture(params=[False, True], ids=["listpack", "skiplist"])
def z(request) -> ZSet:
    return make(PAIRS, request.param)


def test_registered_as_zset(z):
    assert type_code(z) == OBJ_ZSET
    assert type_name(z) == "zset"
    assert encoding(z) in ("listpack", "skiplist")


def test_order_is_score_then_member_bytes(z):
    assert [m for _, m in z] == [b"e", b"a", b"ab", b"b", b"c", b"d", b"f"]
    assert next(iter(z.items())) == (b"e", -1.0)
    assert len(z) == 7


def test_rank_score_update_remove(z):
    assert z.rank(b"e") == 0 and z.rank(b"f") == 6 and z.rank(b"nope") is None
    assert z.score(b"d") == 3.5 and z.score(b"nope") is None
    z.set_score(b"e", -1.0, 10.0)
    assert z.rank(b"e") == 5 and z.score(b"e") == 10.0
    assert z.remove(b"e") and not z.remove(b"e")
    assert z.rank(b"f") == 5
    assert [m for _, m in z] == [b"a", b"ab", b"b", b"c", b"d", b"f"]


def test_score_spans(z):
    def members(lo, loex, hi, hiex):
        s, e = z.score_span(lo, loex, hi, hiex)
        return [m for _, m in z.slice(s, e)] if e > s else []

    assert members(2.0, False, 2.0, False) == [b"ab", b"b", b"c"]
    assert members(2.0, True, 3.5, False) == [b"d"]
    assert members(2.0, False, 3.5, True) == [b"ab", b"b", b"c"]
    assert members(-math.inf, False, math.inf, False) == [m for _, m in z]
    assert members(-math.inf, False, math.inf, True) == [b"e", b"a", b"ab", b"b", b"c", b"d"]
    assert members(math.inf, True, math.inf, False) == []
    assert members(5.0, False, 1.0, False) == []
    assert z.count_in_score_range(1.0, False, 2.0, False) == 4
    assert z.count_in_score_range(3.0, False, 1.0, False) == 0


def test_lex_spans_on_equal_scores():
    for sk in (False, True):
        z = make([(0.0, m) for m in (b"a", b"aa", b"b", b"c", b"")], sk)

        def members(lo, hi, rev=False, z=z):
            s, e = z.lex_span(lo, hi, rev)
            return [m for _, m in z.slice(s, e)]

        neg, pos = (LEX_NEG, b"", True), (LEX_POS, b"", True)
        assert members(neg, pos) == [b"", b"a", b"aa", b"b", b"c"]
        assert members((LEX_VAL, b"a", False), (LEX_VAL, b"b", True)) == [b"a", b"aa"]
        assert members((LEX_VAL, b"a", True), pos) == [b"aa", b"b", b"c"]
        assert members((LEX_VAL, b"aa", True), (LEX_VAL, b"aa", False)) == []
        assert members(pos, neg) == [] and members(neg, neg) == [] and members(pos, pos) == []
        assert members(neg, pos, rev=True) == members(neg, pos)


def test_lex_spans_on_mixed_scores_follow_the_scan():
    # order by score: b(1) a(2) c(3) d(4) e(0 first) -> e b a c d
    z = make([(1.0, b"b"), (2.0, b"a"), (3.0, b"c"), (4.0, b"d"), (0.0, b"e")])
    inc = (lambda v: (LEX_VAL, v, False))  # noqa: E731
    pos = (LEX_POS, b"", True)
    neg = (LEX_NEG, b"", True)
    # forward: first element >= min is e itself, then run while <= max
    assert z.lex_span(inc(b"a"), pos) == (0, 5)
    assert z.lex_span(neg, inc(b"c")) == (0, 0)  # e > c: the run is empty
    # reverse: from the end, first element <= max, then run while >= min
    assert z.lex_span(inc(b"c"), inc(b"e"), rev=True) == (3, 5)
    assert z.lex_span(inc(b"c"), inc(b"e")) == (0, 5)
    # the first element must be <= max
    assert z.lex_span(inc(b"b"), inc(b"d"), rev=True) == (0, 0)
    # the last element must be >= min (zzlIsInLexRange)
    assert z.lex_span(inc(b"e"), pos) == (0, 0)


def test_lex_range_empty_rules():
    v = lambda b, ex=False: (LEX_VAL, b, ex)  # noqa: E731
    neg, pos = (LEX_NEG, b"", True), (LEX_POS, b"", True)
    assert lex_range_empty(neg, neg) and lex_range_empty(pos, pos) and lex_range_empty(pos, neg)
    assert not lex_range_empty(neg, pos)
    assert lex_range_empty(v(b"b"), v(b"a"))
    assert lex_range_empty(v(b"a", True), v(b"a")) and not lex_range_empty(v(b"a"), v(b"a"))
    assert lex_range_empty(v(b"a"), neg) and lex_range_empty(pos, v(b"a"))


def test_slices_deletes_and_pops(z):
    assert z.rev_slice(0, 3) == [(2.0, b"ab"), (1.0, b"a"), (-1.0, b"e")]
    gone = z.delete_span(1, 3)
    assert gone == [(1.0, b"a"), (2.0, b"ab")]
    assert z.score(b"a") is None and len(z) == 5
    assert z.pop(1, False) == [(-1.0, b"e")]
    assert z.pop(2, True) == [(math.inf, b"f"), (3.5, b"d")]
    assert z.pop(10, False) == [(2.0, b"b"), (2.0, b"c")]
    assert len(z) == 0 and z.pop(1, True) == []


def test_conversions_and_negative_zero():
    z = ZSet()
    z.insert(b"n", -0.0)
    assert math.copysign(1, z.score(b"n")) == 1  # a listpack keeps integers: -0 is 0
    s = ZSet(skiplist=True)
    s.insert(b"n", -0.0)
    s.insert(b"m", 1.0)
    assert math.copysign(1, s.score(b"n")) == -1
    s.to_listpack()
    assert s.encoding() == "listpack" and math.copysign(1, s.score(b"n")) == 1
    assert [m for _, m in s] == [b"n", b"m"]
    s.to_skiplist()
    assert s.encoding() == "skiplist" and s.rank(b"m") == 1
    z2 = from_sorted([(-0.0, b"a"), (1.0, b"b")], 128, 64)
    assert z2.encoding() == "listpack" and math.copysign(1, z2.score(b"a")) == 1
    assert from_sorted([(1.0, b"a"), (2.0, b"b")], 1, 64).encoding() == "skiplist"
    assert from_sorted([(1.0, b"abc")], 128, 2).encoding() == "skiplist"


def test_copy_is_independent(z):
    c = copy_value(z)
    c.insert(b"new", 0.0)
    c.remove(b"a")
    assert z.score(b"new") is None and z.score(b"a") == 1.0
    assert c.encoding() == z.encoding()


def test_digest_text_and_order_independence():
    assert score_digest_text(1.0) == b"1"
    assert score_digest_text(-0.0) == b"-0"
    assert score_digest_text(math.inf) == b"inf" and score_digest_text(-math.inf) == b"-inf"
    assert score_digest_text(0.1) == b"0.1"
    assert score_digest_text(1e20) == b"1e+20"

    class DB:
        @staticmethod
        def get_expire(key):
            return -1

    a = make(PAIRS)
    b = make(list(reversed(PAIRS)), skiplist=True)
    assert object_digest(DB, b"k", a) == object_digest(DB, b"k", b)
    b.set_score(b"a", 1.0, 1.5)
    assert object_digest(DB, b"k", a) != object_digest(DB, b"k", b)


def test_random_against_a_model():
    rng = random.Random(7)
    for sk in (False, True):
        z = ZSet(sk)
        model: dict[bytes, float] = {}
        for _ in range(3000):
            m = b"m%d" % rng.randrange(60)
            op = rng.randrange(4)
            if op < 2:
                s = float(rng.randrange(-5, 5))
                cur = z.score(m)
                if cur is None:
                    z.insert(m, s)
                elif cur != s:
                    z.set_score(m, cur, s)
                model[m] = s
            elif op == 2:
                assert z.remove(m) == (model.pop(m, None) is not None)
            else:
                lo = float(rng.randrange(-6, 6))
                s, e = z.score_span(lo, False, lo + 2, True)
                got = [x for _, x in z.slice(s, e)] if e > s else []
                want = [x for x, v in sorted(model.items(), key=lambda t: (t[1], t[0])) if lo <= v < lo + 2]
                assert got == want
        assert list(z) == sorted((v, k) for k, v in model.items())
        assert all(z.rank(k) == i for i, (_, k) in enumerate(sorted((v, k) for k, v in model.items())))
