"""Unit tests for moredis/modules/bloom/cms.py (no server): MurmurHash2 (scalar and the
all-seeds-at-once lanes), dimensions from probabilities as RedisBloom computes them,
saturating counters, the wrapping total, weighted merges and their overflow refusals,
the saved layout, and the sketch's error bound measured on a skewed stream."""

from __future__ import annotations

import random
import struct

import numpy as np
import pytest

from moredis.modules.bloom.cms import (
    CELL_MAX,
    CMSketch,
    dim_from_prob,
    murmur2,
    murmur2_lanes,
    murmur2_seeds,
    seed_lanes,
)


def test_murmur2_known_values():
    # fingerprints read off RedisBloom's Top-K heap (seed 1919) in a DUMP of the reference
    assert murmur2(b"a", 1919) == 0xF23CF517
    assert murmur2(b"b", 1919) == 0x2ADFED97
    assert murmur2(b"c", 1919) == 0xAEA5DE10
    assert murmur2(b"", 0) == 0


def test_murmur2_lanes_match_scalar():
    rnd = random.Random(1)
    for depth in (1, 2, 7, 20):
        for extra in (-1, 1919):
            lanes = seed_lanes(depth, extra)
            for _ in range(200):
                data = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 37)))
                seeds = [*range(depth), extra] if extra >= 0 else list(range(depth))
                assert list(murmur2_lanes(data, lanes)) == [murmur2(data, s) for s in seeds]
                assert murmur2_seeds(data, depth, extra) == [murmur2(data, s) for s in seeds]


@pytest.mark.parametrize(("error", "prob", "dims"), [
    # (width, depth) the reference's CMS.INITBYPROB gave
    (0.001, 0.01, (2000, 7)),
    (0.001, 0.25, (2000, 2)),
    (0.3, 0.125, (7, 3)),
    (1e-10, 0.5, (20000000000, 1)),
    (0.7, 0.99999, (3, 1)),
    (0.7, 1e-40, (3, 133)),
    (0.7, 1e-30, (3, 100)),
])
def test_dimensions_from_probabilities(error, prob, dims):
    assert dim_from_prob(error, prob) == dims


def test_dimensions_beyond_size_t_are_zero():
    assert dim_from_prob(1e-300, 0.5)[0] == 0
    assert dim_from_prob(0.5, 1e-300)[1] == 0  # log10f(0) is -inf: an infinite depth


def test_incrby_saturates_and_reports_the_smallest_cell():
    c = CMSketch(10, 3)
    assert c.incrby(b"a", 5) == 5
    assert c.incrby(b"a", CELL_MAX) == CELL_MAX  # saturated: CMS.INCRBY's overflow error
    assert c.query(b"a") == CELL_MAX
    assert c.incrby(b"b", 1 << 40) == CELL_MAX  # more than a cell holds at once
    assert c.incrby(b"fresh", 0) in (0, CELL_MAX)
    assert c.counter == 5 + CELL_MAX + (1 << 40)


def test_total_is_a_wrapping_size_t():
    c = CMSketch(4, 1)
    big = (1 << 63) - 1
    c.incrby(b"x", big)
    c.incrby(b"x", big)
    assert c.counter == (2 * big) % (1 << 64)
    assert c.signed_counter == -2
    c.incrby(b"x", 3)
    assert c.signed_counter == 1


def test_query_never_underestimates():
    rnd = random.Random(2)
    c = CMSketch(50, 4)
    truth: dict[bytes, int] = {}
    for _ in range(3000):
        item = b"%d" % rnd.randrange(400)
        n = rnd.randint(1, 5)
        truth[item] = truth.get(item, 0) + n
        c.incrby(item, n)
    assert all(c.query(k) >= v for k, v in truth.items())


def test_error_bound_holds_on_a_zipf_stream():
    """CMS.INITBYPROB error e, probability d: an estimate exceeds the truth by more than
    e * N with probability at most d (RedisBloom sizes width as 2/e, which is generous)."""
    rnd = random.Random(3)
    error, prob = 0.01, 0.01
    w, d = dim_from_prob(error, prob)
    c = CMSketch(w, d)
    truth: dict[bytes, int] = {}
    weights = [1 / (i + 1) for i in range(5000)]
    items = rnd.choices(range(5000), weights, k=50000)
    for i in items:
        key = b"item-%d" % i
        truth[key] = truth.get(key, 0) + 1
        c.incrby(key, 1)
    total = len(items)
    over = sum(1 for k, v in truth.items() if c.query(k) - v > error * total)
    assert over / len(truth) <= prob
    for k in [b"item-%d" % i for i in range(5000, 5100)]:  # never added
        assert c.query(k) <= error * total


def test_merge_weighted_sum_and_self():
    a, b = CMSketch(20, 3), CMSketch(20, 3)
    a.incrby(b"x", 3)
    b.incrby(b"x", 2)
    b.incrby(b"y", 7)
    d = CMSketch(20, 3)
    assert d.merge_from([a, b], [2, 3])
    assert d.query(b"x") >= 12 and d.query(b"y") >= 21
    assert d.counter == 2 * 3 + 3 * 9
    assert d.merge_from([d, d, a], [1, 1, -2])  # the destination may be a source
    assert d.query(b"x") >= 18
    assert d.counter == 2 * 33 - 6


@pytest.mark.parametrize("weights", [[-1], [1 << 62], [(1 << 63) - 1], [1 << 32]])
def test_merge_refusals_change_nothing(weights):
    a = CMSketch(8, 2)
    a.incrby(b"x", 3)
    d = CMSketch(8, 2)
    d.incrby(b"keep", 1)
    before = d.cells.copy(), d.counter
    assert not d.merge_from([a] * len(weights), weights)
    assert (d.cells == before[0]).all() and d.counter == before[1]


def test_merge_exact_path_with_huge_cancelling_weights():
    """Weights whose products leave int64 take the exact (Python integer) path: a product
    out of range is refused even if the sum would fit, as __builtin_mul_overflow does."""
    a = CMSketch(8, 2)
    a.incrby(b"x", 2)
    d = CMSketch(8, 2)
    assert not d.merge_from([a, a], [(1 << 62), -(1 << 62)])
    a2 = CMSketch(8, 2)
    a2.incrby(b"x", 1)
    assert d.merge_from([a2, a2], [(1 << 62), -(1 << 62)])  # 2**62 fits: the sum is 0
    assert d.query(b"x") == 0 and d.counter == 0


def test_merge_refuses_a_cell_past_32_bits():
    a = CMSketch(8, 2)
    a.incrby(b"x", CELL_MAX)
    d = CMSketch(8, 2)
    assert d.merge_from([a], [1])
    assert not d.merge_from([a, a], [1, 1])


def test_saved_layout_round_trip():
    c = CMSketch(6, 3)
    c.incrby(b"a", 9)
    c.incrby(b"b", CELL_MAX)
    buf = c.cells_bytes()
    assert len(buf) == 6 * 3 * 4
    assert list(struct.unpack("<18I", buf)) == c.cells.tolist()
    back = CMSketch.from_saved(6, 3, c.counter, buf)
    assert back is not None and (back.cells == c.cells).all() and back.counter == c.counter
    assert back.query(b"a") == c.query(b"a")
    assert CMSketch.from_saved(6, 3, 0, buf[:-1]) is None
    assert CMSketch.from_saved(0, 3, 0, b"") is None


def test_mem_usage_and_copy():
    c = CMSketch(100, 5)
    assert c.mem_usage() == 8 + 100 * 5 * 8  # CMSMemUsage counts 8 bytes a counter
    c.incrby(b"a", 1)
    d = c.copy()
    d.incrby(b"a", 1)
    assert c.query(b"a") == 1 and d.query(b"a") == 2


def test_huge_sketch_is_only_address_space():
    c = CMSketch(1 << 28, 1)  # a gigabyte of counters, untouched (calloc)
    assert c.incrby(b"a", 1) == 1
    assert isinstance(c.cells, np.ndarray)
