"""The sorted set value (t_zset.c's data side): members with double scores, ordered by
(score, member bytes).

Two representations, matching Redis's two encodings so OBJECT ENCODING answers alike:
- "listpack": `zsl` is a plain Python list of (score, member) tuples kept sorted with
  bisect; cheap in memory for the many small sets, O(n) inserts like a listpack.
- "skiplist": `zsl` is a sortedcontainers.SortedList of the same tuples: O(log n) insert,
  delete, rank and range, as Redis's skiplist.
Both keep `scores`, a dict member -> score, for O(1) ZSCORE/membership. The float object
is shared by the dict and the tuple.

A listpack stores integral scores as integers (t_zset.c zzlInsertAt uses double2ll), so
-0.0 comes back as 0 there; a skiplist keeps -0.0. `insert` reproduces that.

The API is what the sorted-set and geo commands need: insert / set_score / remove,
score lookup, rank, index spans by score and by lex range, slicing by index, pops.
Encoding decisions (thresholds from zset-max-listpack-*) are made by the callers, which
know the configuration; this module only converts when told.
Neighbours: commands/sorted_set.py (the commands), engine/objects.py (registration).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator

from sortedcontainers import SortedList

from moredis.engine.digest import mix_digest, xor_digest
from moredis.engine.objects import OBJ_ZSET, register_type
from moredis.numbers import fpconv_dtoa

_INF = math.inf
_nextafter = math.nextafter

# lex range bound kinds (zslParseLexRangeItem: "-" and "+" are the open ends)
LEX_NEG = 0
LEX_VAL = 1
LEX_POS = 2


class ZSet:
    __slots__ = ("scores", "zsl")

    def __init__(self, skiplist: bool = False) -> None:
        self.scores: dict[bytes, float] = {}
        self.zsl: list | SortedList = SortedList() if skiplist else []

    def __len__(self) -> int:
        return len(self.scores)

    def __repr__(self) -> str:
        return f"<ZSet {self.encoding()} {list(self.zsl)!r}>"

    # --- encoding ------------------------------------------------------------------
    def encoding(self) -> str:
        return "listpack" if type(self.zsl) is list else "skiplist"

    def is_listpack(self) -> bool:
        return type(self.zsl) is list

    def to_skiplist(self) -> None:
        """zsetConvert to OBJ_ENCODING_SKIPLIST (never undone by deletions)."""
        if type(self.zsl) is list:
            self.zsl = SortedList(self.zsl)

    def to_listpack(self) -> None:
        """zsetConvert to OBJ_ENCODING_LISTPACK; -0 scores become 0 as in a listpack."""
        if type(self.zsl) is list:
            return
        items = list(self.zsl)
        if any(s == 0.0 and math.copysign(1.0, s) < 0 for s, _ in items):
            items = [(0.0, m) if s == 0.0 else (s, m) for s, m in items]
            scores = self.scores
            for s, m in items:
                scores[m] = s
        self.zsl = items

    # --- single members --------------------------------------------------------------
    def score(self, member: bytes) -> float | None:
        return self.scores.get(member)

    def insert(self, member: bytes, score: float) -> None:
        """Add a member that is not present yet."""
        zsl = self.zsl
        if type(zsl) is list:
            if score == 0.0:
                score = 0.0
            insort(zsl, (score, member))
        else:
            zsl.add((score, member))
        self.scores[member] = score

    def set_score(self, member: bytes, old: float, new: float) -> None:
        """Move a present member from score `old` to `new` (they differ)."""
        zsl = self.zsl
        if type(zsl) is list:
            if new == 0.0:
                new = 0.0
            del zsl[bisect_left(zsl, (old, member))]
            insort(zsl, (new, member))
        else:
            zsl.remove((old, member))
            zsl.add((new, member))
        self.scores[member] = new

    def remove(self, member: bytes) -> bool:
        s = self.scores.pop(member, None)
        if s is None:
            return False
        zsl = self.zsl
        if type(zsl) is list:
            del zsl[bisect_left(zsl, (s, member))]
        else:
            zsl.remove((s, member))
        return True

    def rank(self, member: bytes) -> int | None:
        """0-based rank in ascending order, or None."""
        s = self.scores.get(member)
        if s is None:
            return None
        zsl = self.zsl
        if type(zsl) is list:
            return bisect_left(zsl, (s, member))
        return zsl.bisect_left((s, member))

    # --- ranges ----------------------------------------------------------------------
    def _bisect(self, key: tuple) -> int:
        zsl = self.zsl
        if type(zsl) is list:
            return bisect_left(zsl, key)
        return zsl.bisect_left(key)

    def _first_above(self, x: float) -> int:
        """Index of the first element whose score is > x."""
        if x == _INF:
            return len(self.scores)
        return self._bisect((_nextafter(x, _INF),))

    def score_span(self, lo: float, loex: bool, hi: float, hiex: bool) -> tuple[int, int]:
        """[start, end) indexes of the elements within the score range (zslParseRange
        semantics: `loex`/`hiex` exclusive ends). end <= start means empty."""
        start = self._first_above(lo) if loex else self._bisect((lo,))
        end = self._bisect((hi,)) if hiex else self._first_above(hi)
        return start, end

    def count_in_score_range(self, lo: float, loex: bool, hi: float, hiex: bool) -> int:
        start, end = self.score_span(lo, loex, hi, hiex)
        return end - start if end > start else 0

    def lex_span(self, lo: tuple, hi: tuple, rev: bool = False, precheck: bool = True) -> tuple[int, int]:
        """[start, end) indexes of a lex range (bounds are (kind, value, exclusive)).

        Lex ranges are meant for sets whose scores are all equal; then this is two
        bisections. With mixed scores Redis's answer follows its scan of the ordered
        elements (zzlFirstInLexRange / zzlLastInLexRange): the run starting at the first
        element >= min going forward (or the last <= max going backward), after checking
        that the last element is >= min and the first <= max; `precheck=False` skips
        that check, as zslDeleteRangeByLex does (whose skiplist walk is then only
        reproduced when no node is taller than one level, Redis's usual shape)."""
        zsl = self.zsl
        n = len(zsl)
        if n == 0 or lex_range_empty(lo, hi):
            return 0, 0
        first_s = zsl[0][0]
        last_s = zsl[-1][0]
        if first_s == last_s:
            s = first_s
            if lo[0] == LEX_NEG:
                start = 0
            elif lo[0] == LEX_POS:
                return 0, 0
            else:
                k = (s, lo[1])
                if type(zsl) is list:
                    start = bisect_right(zsl, k) if lo[2] else bisect_left(zsl, k)
                else:
                    start = zsl.bisect_right(k) if lo[2] else zsl.bisect_left(k)
            if hi[0] == LEX_POS:
                end = n
            elif hi[0] == LEX_NEG:
                return 0, 0
            else:
                k = (s, hi[1])
                if type(zsl) is list:
                    end = bisect_left(zsl, k) if hi[2] else bisect_right(zsl, k)
                else:
                    end = zsl.bisect_left(k) if hi[2] else zsl.bisect_right(k)
            return (start, end) if end > start else (0, 0)
        # mixed scores: the listpack scan (zzlIsInLexRange first checks both ends)
        if precheck and (not lex_gte_min(zsl[-1][1], lo) or not lex_lte_max(zsl[0][1], hi)):
            return 0, 0
        if not rev:
            i = 0
            while i < n and not lex_gte_min(zsl[i][1], lo):
                i += 1
            j = i
            while j < n and lex_lte_max(zsl[j][1], hi):
                j += 1
            return i, j
        j = n - 1
        while j >= 0 and not lex_lte_max(zsl[j][1], hi):
            j -= 1
        i = j
        while i >= 0 and lex_gte_min(zsl[i][1], lo):
            i -= 1
        return i + 1, j + 1

    def slice(self, start: int, end: int) -> list[tuple[float, bytes]]:
        """Elements [start, end) in ascending order."""
        return self.zsl[start:end]

    def rev_slice(self, start: int, end: int) -> list[tuple[float, bytes]]:
        """Elements [start, end) in descending order."""
        zsl = self.zsl
        if type(zsl) is list:
            out = zsl[start:end]
            out.reverse()
            return out
        return list(zsl.islice(start, end, reverse=True))

    def delete_span(self, start: int, end: int) -> list[tuple[float, bytes]]:
        """Remove and return elements [start, end)."""
        zsl = self.zsl
        gone = zsl[start:end]
        del zsl[start:end]
        scores = self.scores
        for _, m in gone:
            del scores[m]
        return gone

    def pop(self, count: int, from_max: bool) -> list[tuple[float, bytes]]:
        """Remove up to `count` lowest (or highest) elements, in the order popped."""
        zsl = self.zsl
        n = len(zsl)
        if count == 1 and n:
            t = zsl.pop(-1 if from_max else 0)
            del self.scores[t[1]]
            return [t]
        if count > n:
            count = n
        if from_max:
            gone = self.rev_slice(n - count, n)
            del zsl[n - count:]
        else:
            gone = zsl[:count]
            del zsl[:count]
        scores = self.scores
        for _, m in gone:
            del scores[m]
        return gone

    def __iter__(self) -> Iterator[tuple[float, bytes]]:
        """(score, member) in ascending order."""
        return iter(self.zsl)

    def items(self) -> Iterator[tuple[bytes, float]]:
        """(member, score) in ascending order (RDB, AOF rewrite, DUMP)."""
        for s, m in self.zsl:
            yield m, s

    def copy(self) -> ZSet:
        z = ZSet.__new__(ZSet)
        z.scores = dict(self.scores)
        zsl = self.zsl
        z.zsl = list(zsl) if type(zsl) is list else SortedList(zsl)
        return z


def from_sorted(items: list[tuple[float, bytes]], max_entries: int, max_value: int) -> ZSet:
    """A new zset holding `items` (ascending, distinct members), encoded as Redis encodes
    a freshly stored result (zsetConvertToListpackIfNeeded / ZRANGESTORE) and, with the
    same rule, a zset loaded from an RDB file."""
    z = ZSet.__new__(ZSet)
    if len(items) <= max_entries and all(len(m) <= max_value for _, m in items):
        z.zsl = [(0.0, m) if s == 0.0 else (s, m) for s, m in items]
    else:
        z.zsl = SortedList(items)
    z.scores = {m: s for s, m in z.zsl}
    return z


# --- lex bounds -------------------------------------------------------------------------
def lex_gte_min(m: bytes, lo: tuple) -> bool:
    k = lo[0]
    if k == LEX_NEG:
        return True
    if k == LEX_POS:
        return False
    return m > lo[1] or (m == lo[1] and not lo[2])


def lex_lte_max(m: bytes, hi: tuple) -> bool:
    k = hi[0]
    if k == LEX_POS:
        return True
    if k == LEX_NEG:
        return False
    return m < hi[1] or (m == hi[1] and not hi[2])


def lex_range_empty(lo: tuple, hi: tuple) -> bool:
    """zslIsInLexRange's first test: min above max, or equal with an exclusive end
    ("-" and "+" count as exclusive)."""
    if lo[0] == hi[0] and lo[0] != LEX_VAL:
        return True
    if lo[0] == LEX_POS or hi[0] == LEX_NEG:
        return True
    if lo[0] == LEX_NEG or hi[0] == LEX_POS:
        return False
    a, b = lo[1], hi[1]
    return a > b or (a == b and (lo[2] or hi[2]))


# --- hooks for engine/objects.py ----------------------------------------------------------
def score_digest_text(s: float) -> bytes:
    """fpconv_dtoa as debug.c prints zset scores in digests (specials spelled out)."""
    if s == 0.0:
        return b"-0" if math.copysign(1.0, s) < 0 else b"0"
    if s == _INF:
        return b"inf"
    if s == -_INF:
        return b"-inf"
    return fpconv_dtoa(s).encode()


def _digest(z: ZSet, d: bytearray) -> None:
    """xorObjectDigest for OBJ_ZSET: order-independent XOR of per-member digests."""
    for s, m in z.zsl:
        e = bytearray(20)
        mix_digest(e, m)
        mix_digest(e, score_digest_text(s))
        xor_digest(d, bytes(e))


def _memory(z: ZSet, samples: int) -> int:
    """A rough MEMORY USAGE estimate in the spirit of objectComputeSize."""
    n = len(z.scores)
    if n == 0:
        return 16
    zsl = z.zsl
    if type(zsl) is list:
        return 16 + 7 + sum(len(m) + 11 for _, m in zsl)
    k = min(n, samples) if samples > 0 else n
    it = iter(zsl)
    sampled = 0
    for _ in range(k):
        sampled += len(next(it)[1])
    avg = sampled / k
    return 16 + 64 + int(n * (avg + 16 + 24 + 32 + 16))


register_type(ZSet, OBJ_ZSET, copier=ZSet.copy, digest=_digest, memory=_memory)
