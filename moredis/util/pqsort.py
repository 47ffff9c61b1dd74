"""Partial quicksort with Redis's exact element movements (pqsort.c: NetBSD's qsort,
Bentley-McIlroy three-way partitioning, restricted to a range of output positions).

Redis uses it where only a window of the sorted output is needed: SORT ... BY ... LIMIT
and GEOSEARCH/GEORADIUS ... COUNT. It is not stable, so when elements compare equal the
order Redis replies depends on these exact swaps; callers with no ties can sort normally.
Neighbours: commands/sort.py, commands/geo.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Cmp = Callable[[Any, Any], int]


def _med3(a: list, i: int, j: int, k: int, cmp: Cmp) -> int:
    if cmp(a[i], a[j]) < 0:
        if cmp(a[j], a[k]) < 0:
            return j
        return k if cmp(a[i], a[k]) < 0 else i
    if cmp(a[j], a[k]) > 0:
        return j
    return i if cmp(a[i], a[k]) < 0 else k


def _vecswap(a: list, i: int, j: int, n: int) -> None:
    for t in range(n):
        a[i + t], a[j + t] = a[j + t], a[i + t]


def pqsort(a: list, cmp: Cmp, lrange: int, rrange: int) -> None:
    """Sort `a` in place enough that positions lrange..rrange (inclusive) hold what a
    full sort would put there, moving elements exactly as Redis's pqsort does."""
    _pqsort(a, 0, len(a), cmp, lrange, rrange)


def _outside(base: int, r: int, lrange: int, rrange: int) -> bool:
    """The wanted window lies entirely before or entirely after a[base:base + r]."""
    return (lrange < base and rrange < base) or (lrange >= base + r and rrange >= base + r)


def _pqsort(a: list, base: int, n: int, cmp: Cmp, lrange: int, rrange: int) -> None:
    while True:
        if n < 7:  # insertion sort
            for m in range(base + 1, base + n):
                p = m
                while p > base and cmp(a[p - 1], a[p]) > 0:
                    a[p], a[p - 1] = a[p - 1], a[p]
                    p -= 1
            return
        pm = base + n // 2
        if n > 7:
            pl = base
            pn = base + n - 1
            if n > 40:
                d = n // 8
                pl = _med3(a, pl, pl + d, pl + 2 * d, cmp)
                pm = _med3(a, pm - d, pm, pm + d, cmp)
                pn = _med3(a, pn - 2 * d, pn - d, pn, cmp)
            pm = _med3(a, pl, pm, pn, cmp)
        a[base], a[pm] = a[pm], a[base]
        pa = pb = base + 1
        pc = pd = base + n - 1
        while True:
            while pb <= pc:
                r = cmp(a[pb], a[base])
                if r > 0:
                    break
                if r == 0:
                    a[pa], a[pb] = a[pb], a[pa]
                    pa += 1
                pb += 1
            while pb <= pc:
                r = cmp(a[pc], a[base])
                if r < 0:
                    break
                if r == 0:
                    a[pc], a[pd] = a[pd], a[pc]
                    pd -= 1
                pc -= 1
            if pb > pc:
                break
            a[pb], a[pc] = a[pc], a[pb]
            pb += 1
            pc -= 1
        pn = base + n
        r = min(pa - base, pb - pa)
        _vecswap(a, base, pb - r, r)
        r = min(pd - pc, pn - pd - 1)
        _vecswap(a, pb, pn - r, r)
        r = pb - pa
        if r > 1 and not _outside(base, r, lrange, rrange):
            _pqsort(a, base, r, cmp, lrange, rrange)
        r = pd - pc
        if r <= 1:
            return
        base = pn - r
        n = r
        if _outside(base, r, lrange, rrange):
            return
