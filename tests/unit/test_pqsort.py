"""util/pqsort.py: the partial quicksort puts in positions lo..hi what a full sort puts
there, whatever the input; its order of equal elements is checked against Redis in
tests/differential (GEOSEARCH ... COUNT and SORT ... BY ... LIMIT with ties)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from moredis.util.pqsort import pqsort


def cmp(a, b):
    return (a > b) - (a < b)


@pytest.mark.parametrize("n", [0, 1, 2, 6, 7, 8, 40, 41, 100, 500])
def test_window_matches_a_full_sort(n):
    rng = random.Random(n)
    for _ in range(30):
        a = [rng.randint(0, n) for _ in range(n)]
        want = sorted(a)
        if n == 0:
            pqsort(a, cmp, 0, -1)
            assert a == []
            continue
        lo = rng.randrange(n)
        hi = rng.randrange(lo, n)
        b = list(a)
        pqsort(b, cmp, lo, hi)
        assert Counter(b) == Counter(a)  # a permutation
        assert b[lo : hi + 1] == want[lo : hi + 1]


def test_full_range_sorts_everything():
    rng = random.Random(1)
    a = [rng.random() for _ in range(300)]
    b = list(a)
    pqsort(b, cmp, 0, len(b) - 1)
    assert b == sorted(a)


def test_descending_comparator():
    a = list(range(50))
    random.Random(2).shuffle(a)
    pqsort(a, lambda x, y: -cmp(x, y), 0, 9)
    assert a[:10] == list(range(49, 39, -1))


def test_equal_keys_are_not_kept_in_input_order():
    """Unlike glibc's qsort (a stable merge sort), equal elements move: callers with ties
    must use pqsort, not a stable sort, to answer as Redis does."""
    items = [(k % 3, i) for i, k in enumerate(range(60))]
    out = list(items)
    pqsort(out, lambda x, y: cmp(x[0], y[0]), 0, 19)
    assert [k for k, _ in out[:20]] == [0] * 20
    assert [i for _, i in out[:20]] != sorted(i for k, i in items if k == 0)[:20]
