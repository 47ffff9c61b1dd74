"""Unit tests for moredis/modules/bloom/tdigest.py (no server): accuracy against exact
quantiles, ranks and trimmed means on several distributions and compressions; the
compression schedule (capacity, when the buffer merges, what INFO counts); the C
arithmetic helpers; the library's quicksort order for tied means; the single-value and
save/load quirks; weight overflow."""

from __future__ import annotations

import bisect
import math
import random

import pytest

from moredis.modules.bloom.tdigest import (
    EDOM,
    LLONG_MIN,
    OK,
    TDigest,
    _td_qsort,
    c_div,
    c_round,
    cap_from_compression,
    half_round_down,
    sort_nodes,
    to_long_long,
)

QS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999]


def _data(kind: str, n: int, rnd: random.Random) -> list[float]:
    if kind == "uniform":
        return [rnd.uniform(0, 1000) for _ in range(n)]
    if kind == "normal":
        return [rnd.gauss(0, 1) for _ in range(n)]
    if kind == "lognormal":
        return [rnd.lognormvariate(0, 1.5) for _ in range(n)]
    if kind == "sorted":
        return sorted(rnd.uniform(0, 1) for _ in range(n))
    return [float(rnd.randint(0, 50)) for _ in range(n)]  # "ints": heavy ties


def _rank_error(data_sorted: list[float], value: float, q: float) -> float:
    """How far, in quantile terms, an estimate lands from the quantile asked for."""
    n = len(data_sorted)
    lo = bisect.bisect_left(data_sorted, value) / n
    hi = bisect.bisect_right(data_sorted, value) / n
    if lo <= q <= hi:
        return 0.0
    return min(abs(q - lo), abs(q - hi))


@pytest.mark.parametrize("kind", ["uniform", "normal", "lognormal", "sorted", "ints"])
@pytest.mark.parametrize("compression", [50, 100, 500])
def test_quantile_accuracy(kind, compression):
    """The estimate of quantile q is the value of a true quantile within a few thousandths
    of q (at compression 100: max rank error ~0.002 in the middle, far less in the tails)."""
    rnd = random.Random(f"{kind}-{compression}")
    data = _data(kind, 50000, rnd)
    td = TDigest.create(compression)
    for i in range(0, len(data), 700):
        assert td.add_values(data[i:i + 700]) == OK
    srt = sorted(data)
    got = td.quantiles(QS)
    if kind == "ints":
        # 51 values each holding 2% of the data: estimates interpolate between neighbours
        for q, v in zip(QS, got, strict=True):
            assert abs(v - srt[min(len(srt) - 1, int(q * len(srt)))]) <= (2.0 if compression < 100 else 1.0)
        return
    errs = [_rank_error(srt, v, q) for q, v in zip(QS, got, strict=True)]
    bound = 2.0 / compression
    assert max(errs) <= bound, (kind, compression, errs)
    for q, e in zip(QS, errs, strict=True):
        if q < 0.01 or q > 0.99:
            assert e <= bound / 2  # the k-size bound keeps the tails sharp
    assert td.quantile(0) == srt[0] and td.quantile(1) == srt[-1]


@pytest.mark.parametrize("kind", ["uniform", "lognormal", "ints"])
def test_cdf_and_rank_accuracy(kind):
    rnd = random.Random(5)
    data = _data(kind, 30000, rnd)
    td = TDigest.create(100)
    td.add_values(data)
    srt = sorted(data)
    n = len(srt)
    probes = [srt[int(p * (n - 1))] for p in (0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999)]
    for x in probes:
        lo = bisect.bisect_left(srt, x) / n
        hi = bisect.bisect_right(srt, x) / n
        c = td.cdf(x)
        assert lo - 0.01 <= c <= hi + 0.01, (x, c, lo, hi)
    ranks = td.ranks(probes, False)
    revs = td.ranks(probes, True)
    for x, r, rv in zip(probes, ranks, revs, strict=True):
        assert bisect.bisect_left(srt, x) - 0.01 * n <= r <= bisect.bisect_right(srt, x) + 0.01 * n
        assert abs((r + rv) - n) <= 0.01 * n + 1


def test_trimmed_mean_accuracy():
    rnd = random.Random(6)
    data = _data("lognormal", 40000, rnd)
    td = TDigest.create(100)
    td.add_values(data)
    srt = sorted(data)
    n = len(srt)
    # whole centroids are kept or cut by weight: a few percent off where centroids are big
    for lo, hi, rel in ((0.1, 0.9, 0.01), (0.0, 1.0, 1e-12), (0.25, 0.75, 0.05), (0.0, 0.5, 0.05),
                        (0.01, 0.99, 0.005)):
        exact = sum(srt[int(lo * n):int(hi * n)]) / (int(hi * n) - int(lo * n))
        assert td.trimmed_mean(lo, hi) == pytest.approx(exact, rel=rel)


def test_capacity_and_compression_schedule():
    assert cap_from_compression(100) == 610 and cap_from_compression(1) == 16
    td = TDigest.create(100)
    assert td.cap == 610 and td.mem_usage() == 8 + 610 * 16
    td.add_values([float(i) for i in range(608)])
    assert (td.merged_nodes, td.unmerged_nodes, td.total_compressions) == (0, 608, 0)
    td.add_values([608.0])  # 609 = capacity - 1 nodes: the next add compresses first
    assert td.total_compressions == 0
    td.add_values([609.0])
    assert td.total_compressions == 1 and td.unmerged_nodes == 1
    assert td.merged_nodes + td.unmerged_nodes < 610
    assert td.size() == 610
    td.quantile(0.5)  # queries compress
    assert td.unmerged_nodes == 0 and td.total_compressions == 2


def test_add_one_and_add_values_agree():
    rnd = random.Random(8)
    vals = [rnd.gauss(0, 3) for _ in range(3000)]
    a, b = TDigest.create(20), TDigest.create(20)
    for v in vals:
        a.add_one(v)
    b.add_values(vals)
    for x in (a, b):
        x.compress()
    assert a.means == b.means and a.weights == b.weights
    assert (a.min, a.max, a.total_compressions) == (b.min, b.max, b.total_compressions)


def test_single_value_is_never_merged():
    """t-digest-c of RedisBloom 2.8: with a total weight of 1 compression merges nothing."""
    td = TDigest.create(100)
    td.add_values([5.0])
    assert math.isnan(td.quantile(0.5)) and math.isnan(td.cdf(5.0))
    assert td.ranks([5.0, 4.0, 6.0], False) == [LLONG_MIN, -1, 1]
    assert td.ranks([5.0, 4.0, 6.0], True) == [LLONG_MIN, 1, -1]
    assert td.by_ranks([0, 1], False) == [5.0, math.inf]
    assert (td.merged_nodes, td.unmerged_nodes) == (0, 1)


def test_empty_digest_answers():
    td = TDigest.create(100)
    assert math.isnan(td.quantile(0.3)) and all(math.isnan(x) for x in td.quantiles([0.1, 0.2]))
    assert td.ranks([1.0], False) == [-2]
    assert all(math.isnan(x) for x in td.by_ranks([0, 3], True))
    assert math.isnan(td.trimmed_mean(0.1, 0.9))


def test_c_helpers():
    assert math.isnan(c_div(0.0, 0.0)) and c_div(1.0, 0.0) == math.inf and c_div(-1.0, 0.0) == -math.inf
    assert c_div(1.0, -0.0) == -math.inf
    assert c_round(2.5) == 3.0 and c_round(-2.5) == -3.0 and c_round(0.49999999999999994) == 0.0
    assert half_round_down(2.5) == 2.0 and half_round_down(2.51) == 3.0 and half_round_down(-2.5) == -2.0
    assert math.isnan(half_round_down(math.nan))
    assert to_long_long(math.nan) == LLONG_MIN and to_long_long(1e19) == LLONG_MIN and to_long_long(-3.7) == -3


def test_sort_order_of_tied_means_is_the_quicksorts():
    """Equal means with different weights: the fast path must give way to the library's
    quicksort, whose order decides which centroid absorbs which."""
    rnd = random.Random(9)
    for _ in range(300):
        n = rnd.randint(2, 60)
        means = [float(rnd.choice([1, 2, 3, 2.5, -0.0, 0.0])) for _ in range(n)]
        weights = [rnd.randint(1, 4) for _ in range(n)]
        ms, ws = list(means), list(weights)
        _td_qsort(ms, ws, 0, n - 1)
        got = sort_nodes(means, weights)
        assert [repr(x) for x in got[0]] == [repr(x) for x in ms] and got[1] == ws
    for _ in range(100):  # distinct means: numpy's sort is taken and agrees
        means = [rnd.random() for _ in range(50)]
        weights = [rnd.randint(1, 9) for _ in range(50)]
        ms, ws = list(means), list(weights)
        _td_qsort(ms, ws, 0, 49)
        assert sort_nodes(means, weights) == (ms, ws)


def test_merge_and_weight_overflow():
    a = TDigest.create(10)
    a.add_values([float(i) for i in range(100)])
    into = TDigest.create(10)
    assert a.merge_into(into) == OK
    assert into.size() == 100 and into.min == 0.0 and into.max == 99.0
    big = TDigest.create(10)
    for _ in range(64):
        big.add(1.0, 1 << 57)
    assert big.add(1.0, 1 << 62) == EDOM


def test_save_load_round_trip():
    td = TDigest.create(30)
    td.add_values([float(i % 17) for i in range(1000)])
    td.compress()
    means, weights = td.saved_nodes()
    back = TDigest.from_saved(td.compression, td.min, td.max, td.cap, td.merged_nodes, 0, td.total_compressions,
                              float(td.merged_weight), 0.0, means, weights)
    assert back is not None
    assert back.quantiles(QS) == td.quantiles(QS)
    # a lone value is saved without its node: it reads back as a node (0.0, 0)
    one = TDigest.create(30)
    one.add_values([7.0])
    one.compress()
    m, w = one.saved_nodes()
    back = TDigest.from_saved(30.0, 7.0, 7.0, one.cap, 0, 1, 0, 0.0, 1.0, m, w)
    assert back.means == [0.0] and back.weights == [0] and back.size() == 1
    assert TDigest.from_saved(-1.0, 0, 0, 16, 0, 0, 0, 0.0, 0.0, [], []) is None
    assert TDigest.from_saved(1.0, 0, 0, 16, 20, 0, 0, 0.0, 0.0, [0.0] * 20, [1.0] * 20) is None
