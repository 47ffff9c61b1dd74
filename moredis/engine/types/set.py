"""The set value (t_set.c's data side): distinct byte-string members, in one of Redis's
three encodings so OBJECT ENCODING and every reply order come out as Redis's do.

- INTSET: `m` is an `array('q')` kept sorted, as an intset is: 8 bytes a member, members
  come back in ascending order, binary search for membership.
- LISTPACK: `m` is a dict member -> None; dict order is the listpack order (appends at
  the end, deletions close the gap).
- HASHTABLE: `m` is a plain `set`; its order is as unspecified as Redis's dict order.
  Random members need random access, which a Python set lacks, so a hashtable keeps,
  only once SRANDMEMBER/SPOP asked for it, `pick`: a list holding every member exactly
  once plus `stale` entries that were removed since (skipped, and dropped, when drawn).
  Adding a member appends it (or drops `pick` when stale entries might hide a copy of
  it), so a uniform index into `pick` rejected on stale entries is a uniform member.

Conversions follow t_set.c: `add` converts at set-max-intset-entries,
set-max-listpack-entries and set-max-listpack-value (setTypeAddAux), `maybe_convert`
presizes for a batch (setTypeMaybeConvert), `to_intset` is maybeConvertToIntset. Nothing
converts back on shrinking. Callers pass the server's config values (a dict by name).
Neighbours: commands/set.py (the commands), engine/objects.py (registration),
commands/sorted_set.py (sets as ZUNION/ZINTER inputs: it iterates members as bytes).
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from moredis.engine.digest import xor_digest
from moredis.engine.objects import OBJ_SET, register_type

INTSET = 0
LISTPACK = 1
HASHTABLE = 2
_ENC_NAMES = ("intset", "listpack", "hashtable")
INTSET_HARD_MAX = 1 << 30  # t_set.c intsetMaxEntries caps set-max-intset-entries here
_LLONG_MIN = -(1 << 63)
_LLONG_MAX = (1 << 63) - 1
_randrange = random.randrange


def canonical_int(b: bytes) -> int | None:
    """util.c string2ll: the value of a canonical signed 64-bit decimal, else None.
    Decides what an intset can hold (no '+', no leading zeros, no '-0', no spaces)."""
    if not b or len(b) > 20:
        return None
    c0 = b[0]
    if c0 > 57 or (c0 < 48 and c0 != 45):  # neither a digit nor '-'
        return None
    try:
        n = int(b)
    except ValueError:
        return None
    if b"%d" % n != b or n < _LLONG_MIN or n > _LLONG_MAX:
        return None
    return n


def intset_max(vals: dict) -> int:
    n = vals["set-max-intset-entries"]
    return n if n < INTSET_HARD_MAX else INTSET_HARD_MAX


class Set:
    """See the module docstring for `enc`, `m`, `pick` and `stale`."""

    __slots__ = ("enc", "m", "pick", "stale")

    def __init__(self, enc: int = INTSET, m: Any = None) -> None:
        self.enc = enc
        if m is None:
            m = array("q") if enc == INTSET else ({} if enc == LISTPACK else set())
        self.m = m
        self.pick: list[bytes] | None = None
        self.stale = 0

    def __len__(self) -> int:
        return len(self.m)

    def __iter__(self) -> Iterator[bytes]:
        """Members as bytes, in the encoding's order (setTypeNext)."""
        if self.enc == INTSET:
            return (b"%d" % v for v in self.m)
        return iter(self.m)

    def __contains__(self, member: bytes) -> bool:
        if self.enc == INTSET:
            n = canonical_int(member)
            if n is None:
                return False
            m = self.m
            i = bisect_left(m, n)
            return i < len(m) and m[i] == n
        return member in self.m

    def __repr__(self) -> str:
        return f"<Set {self.encoding()} {self.members()!r}>"

    def encoding(self) -> str:
        return _ENC_NAMES[self.enc]

    def members(self) -> list[bytes]:
        if self.enc == INTSET:
            return [b"%d" % v for v in self.m]
        return list(self.m)

    def copy(self) -> Set:
        s = Set.__new__(Set)
        s.enc = self.enc
        m = self.m
        s.m = array("q", m) if self.enc == INTSET else m.copy()
        s.pick = None
        s.stale = 0
        return s

    # --- encodings -----------------------------------------------------------------------
    def to_hashtable(self) -> None:
        """setTypeConvert to OBJ_ENCODING_HT (never undone)."""
        enc = self.enc
        if enc == HASHTABLE:
            return
        self.m = {b"%d" % v for v in self.m} if enc == INTSET else set(self.m)
        self.enc = HASHTABLE
        self.pick = None
        self.stale = 0

    def to_listpack(self) -> None:
        """Intset to listpack: the integers in ascending order, then whatever follows."""
        if self.enc == INTSET:
            self.m = dict.fromkeys([b"%d" % v for v in self.m])
            self.enc = LISTPACK

    def to_intset(self) -> None:
        """The members, all canonical integers, as an intset."""
        if self.enc != INTSET:
            self.m = array("q", sorted(int(x) for x in self.m))
            self.enc = INTSET
            self.pick = None
            self.stale = 0

    def maybe_convert(self, size_hint: int, vals: dict) -> None:
        """setTypeMaybeConvert: a batch bigger than the encoding's entry limit makes a
        hashtable up front (an intset skips the listpack step)."""
        enc = self.enc
        if enc == LISTPACK:
            if size_hint > vals["set-max-listpack-entries"]:
                self.to_hashtable()
        elif enc == INTSET and size_hint > vals["set-max-intset-entries"]:
            self.to_hashtable()

    def maybe_to_intset(self, vals: dict) -> None:
        """maybeConvertToIntset (SINTERSTORE): only when every member is an integer."""
        if self.enc == INTSET or len(self.m) > intset_max(vals):
            return
        for x in self.m:
            if canonical_int(x) is None:
                return
        self.to_intset()

    # --- adding and removing -----------------------------------------------------------
    def add(self, b: bytes, vals: dict) -> bool:
        """setTypeAdd: True when `b` was not a member; converts as setTypeAddAux does."""
        enc = self.enc
        m = self.m
        if enc == HASHTABLE:
            if b in m:
                return False
            m.add(b)
            if self.pick is not None:
                self._pick_added(b)
            return True
        if enc == LISTPACK:
            if b in m:
                return False
            if len(m) < vals["set-max-listpack-entries"] and len(b) <= vals["set-max-listpack-value"]:
                m[b] = None
            else:
                self.to_hashtable()
                self.m.add(b)
            return True
        n = canonical_int(b)
        if n is not None:
            return self.add_int(n, vals)
        # a string joins an intset: a listpack if it and the integers fit, else a hashtable
        size = len(m)
        maxv = vals["set-max-listpack-value"]
        widest = max(len(b"%d" % m[0]), len(b"%d" % m[-1])) if size else 0
        if size < vals["set-max-listpack-entries"] and len(b) <= maxv and widest <= maxv:
            self.to_listpack()
            self.m[b] = None
        else:
            self.to_hashtable()
            self.m.add(b)
        return True

    def add_int(self, n: int, vals: dict) -> bool:
        """intsetAdd then maybeConvertIntset; the set must be an intset."""
        m = self.m
        i = bisect_left(m, n)
        if i < len(m) and m[i] == n:
            return False
        m.insert(i, n)
        if len(m) > intset_max(vals):
            self.to_hashtable()
        return True

    def add_many(self, items: Iterable[bytes], vals: dict) -> int:
        """`add` for each item in order; once a hashtable, the rest go in at once."""
        added = 0
        it = iter(items)
        for b in it:
            if self.enc == HASHTABLE and self.pick is None:
                m = self.m
                before = len(m)
                m.add(b)
                m.update(it)
                return added + len(m) - before
            if self.add(b, vals):
                added += 1
        return added

    def union_update(self, other: Set, vals: dict) -> int:
        """Add every member of `other`, in its order (SUNION's inner loop)."""
        if self.enc == INTSET and other.enc == INTSET:
            m = self.m
            before = len(m)
            merged = set(m)
            merged.update(other.m)
            if len(merged) == before:
                return 0
            self.m = array("q", sorted(merged))
            if len(merged) > intset_max(vals):
                self.to_hashtable()
            return len(merged) - before
        return self.add_many(iter(other), vals)

    def remove(self, b: bytes) -> bool:
        """setTypeRemove: True when `b` was a member."""
        enc = self.enc
        m = self.m
        if enc == HASHTABLE:
            if b not in m:
                return False
            m.remove(b)
            if self.pick is not None:
                self.stale += 1
                if self.stale > len(m):
                    self.pick = None
            return True
        if enc == LISTPACK:
            if b not in m:
                return False
            del m[b]
            return True
        n = canonical_int(b)
        if n is None:
            return False
        i = bisect_left(m, n)
        if i < len(m) and m[i] == n:
            del m[i]
            return True
        return False

    # --- random members ------------------------------------------------------------------
    def _pick_added(self, b: bytes) -> None:
        if self.stale:
            self.pick = None  # a stale entry may be this very member: start afresh later
        else:
            self.pick.append(b)  # type: ignore[union-attr]

    def _picks(self) -> list[bytes]:
        pick = self.pick
        if pick is None:
            pick = self.pick = list(self.m)
            self.stale = 0
        return pick

    def _draw(self) -> int:
        """A hashtable's uniformly drawn index into `pick` (stale entries dropped)."""
        pick = self._picks()
        m = self.m
        while True:
            i = _randrange(len(pick))
            if pick[i] in m:
                return i
            last = pick.pop()
            if i < len(pick):
                pick[i] = last
            self.stale -= 1

    def random_member(self) -> bytes:
        """setTypeRandomElement: a uniformly chosen member (the set is not empty)."""
        enc = self.enc
        m = self.m
        if enc == INTSET:
            return b"%d" % m[_randrange(len(m))]
        if enc == LISTPACK:
            return next(islice(m, _randrange(len(m)), None))
        i = self._draw()
        return self.pick[i]  # type: ignore[index]

    def pop_random(self) -> bytes:
        """setTypePopRandom: remove and return a uniformly chosen member."""
        enc = self.enc
        m = self.m
        if enc == INTSET:
            return b"%d" % m.pop(_randrange(len(m)))
        if enc == LISTPACK:
            b = next(islice(m, _randrange(len(m)), None))
            del m[b]
            return b
        i = self._draw()
        pick = self.pick
        b = pick[i]  # type: ignore[index]
        last = pick.pop()  # type: ignore[union-attr]
        if i < len(pick):  # type: ignore[arg-type]
            pick[i] = last  # type: ignore[index]
        m.remove(b)
        return b

    def random_sample(self, k: int) -> list[bytes]:
        """k distinct members (k < len), in random order; O(k) for big hashtables."""
        enc = self.enc
        if enc == INTSET:
            m = self.m
            return [b"%d" % m[i] for i in random.sample(range(len(m)), k)]
        if enc == LISTPACK:
            return random.sample(list(self.m), k)
        if self.stale:
            self.pick = None
        return random.sample(self._picks(), k)

    def random_in_order(self, k: int) -> list[bytes]:
        """k distinct members (k < len) in the set's own order, as the listpack samplers
        (lpRandomPairsUnique, lpNextRandom) return them."""
        members = self.members()
        return [members[i] for i in sorted(random.sample(range(len(members)), k))]

    def random_with_repeats(self, k: int) -> list[bytes]:
        """k independently drawn members (SRANDMEMBER with a negative count)."""
        enc = self.enc
        if enc == HASHTABLE:
            if self.stale:
                self.pick = None
            pick = self._picks()
        elif enc == INTSET:
            pick = self.members()
        else:
            pick = list(self.m)
        n = len(pick)
        if n == 1:
            return pick * k
        return [pick[_randrange(n)] for _ in range(k)]

    def keep_only(self, kept: list[bytes], vals: dict) -> None:
        """Replace the contents by `kept` (members of this set), as SPOP's "case 3"
        builds its new set: an intset stays one, a listpack keeps its order, a hashtable's
        survivors form a listpack in the order given (or a hashtable when too many)."""
        enc = self.enc
        if enc == INTSET:
            self.m = array("q", sorted(int(x) for x in kept))
            return
        if enc == LISTPACK:
            keep = set(kept)
            self.m = {x: None for x in self.m if x in keep}
            return
        new = Set(LISTPACK)
        new.add_many(kept, vals)
        self.enc = new.enc
        self.m = new.m
        self.pick = None
        self.stale = 0


def new_set(first: bytes, size_hint: int, vals: dict) -> Set:
    """setTypeCreate: an intset when the first member is an integer and the batch fits,
    else a listpack when the batch fits, else a hashtable."""
    if size_hint <= vals["set-max-intset-entries"] and canonical_int(first) is not None:
        return Set(INTSET)
    if size_hint <= vals["set-max-listpack-entries"]:
        return Set(LISTPACK)
    return Set(HASHTABLE)


def _digest(s: Set, d: bytearray) -> None:
    """xorObjectDigest for OBJ_SET: the XOR of each member's SHA1 (order-free)."""
    for b in s:
        xor_digest(d, b)


def _alloc(n: int) -> int:
    """The jemalloc size class holding n bytes (8-byte quantum, 4 classes a doubling)."""
    if n <= 8:
        return 8
    if n <= 64:
        return (n + 7) & ~7
    step = 1 << ((n - 1).bit_length() - 3)
    return (n + step - 1) & ~(step - 1)


def _lp_entry_size(x: bytes) -> int:
    """Bytes of one listpack entry: integers take their smallest integer encoding."""
    v = canonical_int(x)
    if v is not None:
        if 0 <= v < 128:
            return 2
        if -4096 <= v < 4096:
            return 3
        if -(1 << 15) <= v < 1 << 15:
            return 4
        if -(1 << 23) <= v < 1 << 23:
            return 5
        if -(1 << 31) <= v < 1 << 31:
            return 6
        return 10
    n = len(x)
    head = n + (1 if n < 64 else 2 if n < 4096 else 5)
    return head + (1 if head < 128 else 2 if head < 16384 else 3 if head < 2097152 else 4)


def _sds_size(n: int) -> int:
    hdr = 1 if n < 32 else 3 if n < 256 else 5 if n < 65536 else 9
    return _alloc(hdr + n + 1)


def _memory(s: Set, samples: int) -> int:
    """MEMORY USAGE as objectComputeSize counts a set: the object, plus the intset or
    listpack allocation, or the dict's buckets and a sampled average entry (a 24-byte
    dictEntry and the member's sds). An intset's width follows its current extremes
    (Redis never narrows one after removals); a hashtable's bucket count is the
    power of two a steady-state dict has."""
    m = s.m
    n = len(m)
    if s.enc == INTSET:
        width = 2
        if n:
            lo, hi = m[0], m[-1]
            if lo < -(1 << 31) or hi >= 1 << 31:
                width = 8
            elif lo < -(1 << 15) or hi >= 1 << 15:
                width = 4
        return 16 + _alloc(8 + width * n)
    if s.enc == LISTPACK:
        return 16 + _alloc(6 + sum(_lp_entry_size(x) for x in m) + 1)
    buckets = 4
    while buckets < n:
        buckets <<= 1
    size = 16 + 56 + 8 * buckets
    if not n:
        return size
    k = n if samples <= 0 else min(n, samples)
    part = 0
    for x in islice(m, k):
        part += 24 + _sds_size(len(x))
    return size + int(part / k * n)


register_type(Set, OBJ_SET, copier=Set.copy, digest=_digest, memory=_memory)
