"""Unit tests for moredis/modules/bloom/topk.py (no server): RedisBloom's heap moves (equal
counts swap, so the expelled items follow), decay-1 takeover arithmetic, the law of the
decay trials (one by one and in geometric jumps), C-string items, the saved layout and
what loading leaves (empty items as NULL, no decay table), and HeavyKeeper's recall of
heavy hitters in a Zipf stream."""

from __future__ import annotations

import random
import statistics
import struct

import pytest

from moredis.modules.bloom.cms import murmur2
from moredis.modules.bloom.topk import GA, NULL_ITEM, TopK, c_string, reply_item


def test_equal_counts_swap_down_the_heap():
    """The reference's sequence: k=2, a b c each once -> c expels a (heapifyDown moves a
    bucket below a child of equal count)."""
    t = TopK(2, 4, 2, 0.9)
    assert t.add(b"a") is None
    assert t.heap_items() == [None, b"a"]  # the empty root swapped below a
    assert t.add(b"b") is None
    assert t.heap_items() == [b"a", b"b"]
    assert t.add(b"c") == b"a"
    assert t.heap_items() == [b"b", b"c"]
    assert t.list() == [(b"b", 1), (b"c", 1)]  # stable by count: heap order kept
    assert t.hfp.tolist() == [murmur2(b"b", GA), murmur2(b"c", GA)]


def test_decay_one_takeover_arithmetic():
    t = TopK(1, 1, 1, 1.0)
    assert t.add(b"A", 3) is None
    assert t.count(b"A") == 3
    assert t.add(b"B", 2) is None  # 3 - 2: A keeps the bucket
    assert t.counts.tolist() == [1]
    # TopK_Count of an item in the heap only counts buckets not below the heap minimum (3)
    assert t.count(b"A") == 0 and t.count(b"B") == 0
    assert t.add(b"B", 5) == b"A"  # the first unit empties it, the 5 units left... minus none
    assert t.count(b"B") == 5 and t.query(b"B") and not t.query(b"A")
    assert t.add(b"C", 9) == b"B"  # 5 units to empty it: C takes it with 9 - 5 + 1
    assert t.count(b"C") == 5


def test_counts_wrap_like_uint32():
    t = TopK(1, 1, 1, 1.0)
    for _ in range(42950):
        t.add(b"x", 100000)
    assert t.counts.tolist() == [(42950 * 100000) & 0xFFFFFFFF]
    assert t.hcount.tolist() == [42949 * 100000]  # the wrapped estimate fell below the heap's count
    assert t.count(b"x") == 0


def test_zero_increment_claims_an_empty_bucket():
    t = TopK(2, 8, 1, 0.9)
    assert t.add(b"z", 0) is None
    assert t.query(b"z")  # the heap minimum was 0 too
    assert t.list() == []  # TOPK.LIST stops at the first zero count


def _simulate_per_trial(c: int, incr: int, p_of, rnd: random.Random) -> tuple[int, int]:
    local = incr
    while local > 0:
        if rnd.random() < p_of(c):
            c -= 1
            if c == 0:
                return 0, local
        local -= 1
    return c, 0


@pytest.mark.parametrize(("decay", "count", "incr"), [(0.9, 5, 30), (0.8, 3, 12), (0.99, 40, 200)])
def test_decay_trials_follow_the_reference_law(decay, count, incr):
    """_decay_bucket (geometric jumps between successes) against the plain one-trial-at-a-
    time Bernoulli process of TopK_Add: the same mean outcome within sampling error."""
    t = TopK(1, 1, 1, decay)
    rnd = random.Random(7)
    n = 4000
    mine = [t._decay_bucket(count, incr) for _ in range(n)]
    ref = [_simulate_per_trial(count, incr, t._decay_of, rnd) for _ in range(n)]
    for idx in (0, 1):
        a = [x[idx] for x in mine]
        b = [x[idx] for x in ref]
        sd = (statistics.pstdev(a) + statistics.pstdev(b)) / 2 or 1.0
        assert abs(statistics.mean(a) - statistics.mean(b)) < 5 * sd / n**0.5
    took_a = sum(1 for x in mine if x[1]) / n
    took_b = sum(1 for x in ref if x[1]) / n
    assert abs(took_a - took_b) < 0.05


def test_decay_of_large_counts_uses_the_table_powers():
    t = TopK(1, 1, 1, 0.9)
    assert t._decay_of(10) == pytest.approx(0.9**10)
    assert t._decay_of(300) == pytest.approx(0.9**300, rel=1e-9)
    assert TopK(1, 1, 1, 1.0)._decay_of(100000) == 1.0


def test_items_answer_as_c_strings():
    assert c_string(b"a\x00b") == b"a"
    assert c_string(b"abc") == b"abc"
    assert reply_item(None) is None and reply_item(NULL_ITEM) is None
    t = TopK(1, 8, 2, 1.0)
    t.add(b"a\x00b")
    assert t.list() == [(b"a", 1)]
    assert t.query(b"a\x00b") and not t.query(b"a")
    assert t.add(b"q", 5) == b"a\x00b"


def test_saved_layout():
    t = TopK(3, 4, 2, 0.5)
    t.add(b"x", 4)
    t.add(b"", 2)
    data = t.data_bytes()
    assert len(data) == 4 * 2 * 8
    pairs = struct.unpack("<16I", data)
    assert list(pairs[0::2]) == t.fps.tolist() and list(pairs[1::2]) == t.counts.tolist()
    heap = t.heap_bytes()
    assert len(heap) == 3 * 24
    slots = list(struct.iter_unpack("<IIQII", heap))
    heap_state = zip(t.heap_items(), t.hcount.tolist(), t.hfp.tolist(), strict=True)
    for (fp, itemlen, ptr, count, pad), (item, c, f) in zip(slots, heap_state, strict=True):
        assert (fp, count, pad) == (f, c, 0)
        assert (ptr != 0) == (item is not None)
        assert itemlen == (len(item) if item is not None else 0)
    assert sorted(t.saved_items()) == sorted([b"\x00", b"x\x00", b"\x00"])


def test_loading_keeps_reference_quirks():
    t = TopK(3, 4, 2, 0.5)
    t.add(b"x", 4)
    t.add(b"", 2)
    back = TopK.from_saved(3, 4, 2, 0.5, t.data_bytes(), t.heap_bytes(), t.saved_items())
    assert back is not None
    # the empty item comes back as a NULL item: listed as null, still found by its bytes
    assert (None, 2) in back.list()
    assert back.query(b"") and back.query(b"x")
    # the decay table is not rebuilt: a loaded sketch never decays
    assert back.table == [0.0] * len(back.table)
    assert back.decay == 0.5
    for _ in range(100):
        back.add(b"other")
    assert back.count(b"x") == 4
    assert TopK.from_saved(3, 4, 2, 0.5, t.data_bytes()[:-1], t.heap_bytes(), t.saved_items()) is None


def test_huge_k_reserves_address_space_only():
    """RedisBloom callocs the heap; so does this (k slots of counts and fingerprints are
    lazily zeroed arrays, items live in a dict), and listing looks at used slots only."""
    t = TopK(1 << 26, 8, 2, 0.9)
    t.add(b"a", 3)
    t.add(b"b", 5)
    assert t.list() == [(b"b", 5), (b"a", 3)]
    assert t.query(b"a") and not t.query(b"c")


def test_mem_usage_and_copy():
    t = TopK(10, 100, 5, 0.9)
    assert t.mem_usage() == 2088 + 100 * 5 * 8 + 10 * 24
    t.add(b"a")
    u = t.copy()
    u.add(b"a")
    assert t.count(b"a") == 1 and u.count(b"a") == 2


def test_heavy_hitters_found_in_a_zipf_stream():
    """HeavyKeeper with RedisBloom's defaults per key size: the true top 10 of a Zipf
    stream of 60,000 items over 3,000 values are (almost all) in the list."""
    rnd = random.Random(4)
    t = TopK(10, 200, 5, 0.9)
    weights = [1 / (i + 1) ** 1.1 for i in range(3000)]
    stream = rnd.choices(range(3000), weights, k=60000)
    truth: dict[int, int] = {}
    for i in stream:
        truth[i] = truth.get(i, 0) + 1
        t.add(b"v%d" % i)
    top = {b"v%d" % i for i, _ in sorted(truth.items(), key=lambda kv: -kv[1])[:10]}
    listed = {item for item, _ in t.list()}
    assert len(top & listed) >= 9
    for item, count in t.list()[:3]:
        assert count <= truth[int(item[1:])]  # HeavyKeeper does not overestimate
