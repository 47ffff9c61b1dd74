"""Redis's glob matching (util.c stringmatchlen), for KEYS, SCAN MATCH, PSUBSCRIBE,
CONFIG GET and ACL patterns.

fnmatch differs from Redis (no backslash escapes, `[!x]` instead of `[^x]`), and a
translation to one regular expression with `.*` for every star backtracks
exponentially on patterns such as `a*a*a*a*b`. So a pattern is parsed once, the way
stringmatchlen walks it, into stars and single-byte matchers; the pieces between stars
become fixed-length segments (plain bytes, or a small regex of byte classes), and a
subject is matched by anchoring the first and last segments and finding the middle
ones leftmost, which is exact for globs and linear-ish in the subject length.

Redis quirks reproduced (checked against Redis 7.4):
- a non-empty pattern never matches the empty string (not even `*`);
- `[a-]` is the range a..']' and the class goes on after it; an unterminated `[abc`
  is a class ending at the end of the pattern; `[` alone matches nothing, `[^` anything;
- range bounds compare as signed chars (`[a-\\xff]` is -1..97), swapped when reversed,
  and with nocase lowercased after the swap; an escaped byte inside a class compares
  case-sensitively even with nocase, one outside a class does not;
- more than 1000 stars followed by more pattern never match (the nesting guard of
  stringmatchlen_impl).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CACHE: dict[tuple[bytes, bool], Callable[[bytes], bool]] = {}
MAX_NESTING = 1000

_STAR = None  # token marking a run of stars; other tokens are frozensets of byte values
_ALL = frozenset(range(256))


def _lower(c: int) -> int:
    return c + 32 if 65 <= c <= 90 else c


def _signed(c: int) -> int:
    return c - 256 if c >= 128 else c


def _literal(c: int, nocase: bool) -> frozenset[int]:
    if nocase and 65 <= _lower(c) - 32 <= 90:
        return frozenset((_lower(c), _lower(c) - 32))
    return frozenset((c,))


def parse(p: bytes, nocase: bool = False) -> list[frozenset[int] | None]:
    """The pattern as stringmatchlen reads it: None for a star run, else the set of
    bytes one subject byte must be in."""
    out: list[frozenset[int] | None] = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == 0x2A:  # *
            while i + 1 < n and p[i + 1] == 0x2A:
                i += 1
            out.append(_STAR)
        elif c == 0x3F:  # ?
            out.append(_ALL)
        elif c == 0x5B:  # [
            i += 1
            neg = i < n and p[i] == 0x5E
            if neg:
                i += 1
            members: set[int] = set()
            while True:
                if n - i >= 2 and p[i] == 0x5C:  # escaped byte, compared exactly
                    i += 1
                    members.add(p[i])
                elif i < n and p[i] == 0x5D:
                    break
                elif i >= n:  # unterminated: the class ends with the pattern
                    i -= 1
                    break
                elif n - i >= 3 and p[i + 1] == 0x2D:  # range, signed bounds
                    lo, hi = _signed(p[i]), _signed(p[i + 2])
                    if lo > hi:
                        lo, hi = hi, lo
                    if nocase:
                        lo, hi = _lower(lo) if lo >= 0 else lo, _lower(hi) if hi >= 0 else hi
                        members.update(x for x in range(256) if lo <= _signed(_lower(x)) <= hi)
                    else:
                        members.update(x for x in range(256) if lo <= _signed(x) <= hi)
                    i += 2
                else:
                    members |= _literal(p[i], nocase)
                i += 1
            out.append(_ALL - members if neg else frozenset(members))
        else:
            if c == 0x5C and n - i >= 2:  # escape outside a class
                i += 1
                c = p[i]
            out.append(_literal(c, nocase))
        i += 1
    return out


def _class_regex(s: frozenset[int]) -> bytes:
    if s == _ALL:
        return b"."
    if not s:
        return b"(?!)"
    if len(s) == 1:
        return re.escape(bytes(s))
    return b"[" + b"".join(b"\\x%02x" % x for x in sorted(s)) + b"]"


class _Segment:
    """A fixed-length run of byte matchers between stars."""

    __slots__ = ("lit", "n", "rx")

    def __init__(self, toks: list[frozenset[int]]) -> None:
        self.n = len(toks)
        if all(len(t) == 1 for t in toks):
            self.lit: bytes | None = bytes(next(iter(t)) for t in toks)
            self.rx = None
        else:
            self.lit = None
            self.rx = re.compile(b"".join(_class_regex(t) for t in toks), re.DOTALL)

    def at(self, s: bytes, pos: int) -> bool:
        if self.lit is not None:
            return s.startswith(self.lit, pos)
        return self.rx.match(s, pos) is not None

    def find(self, s: bytes, pos: int, end: int) -> int:
        """Leftmost start >= pos of a match lying within s[:end], or -1."""
        if self.lit is not None:
            return s.find(self.lit, pos, end)
        m = self.rx.search(s, pos, end)
        return m.start() if m is not None else -1


def _build(pattern: bytes, nocase: bool) -> Callable[[bytes], bool]:
    toks = parse(pattern, nocase)
    if not toks:
        return lambda s: not s
    # split on stars: segs[0] before the first star ... segs[-1] after the last one
    segs: list[list[frozenset[int]]] = [[]]
    for t in toks:
        if t is _STAR:
            segs.append([])
        else:
            segs[-1].append(t)
    nstars = len(segs) - 1
    if nstars - (1 if not segs[-1] else 0) > MAX_NESTING:
        return lambda s: False
    if nstars == 0:
        seg = _Segment(segs[0])
        size = seg.n
        if seg.lit is not None:
            lit = seg.lit
            return lambda s: s == lit
        m = seg.rx.match
        return lambda s: len(s) == size and m(s) is not None
    head = _Segment(segs[0])
    tail = _Segment(segs[-1])
    mids = [_Segment(x) for x in segs[1:-1] if x]
    minlen = head.n + tail.n + sum(x.n for x in mids)
    if not mids and head.lit is not None and tail.lit is not None:
        hl, tl = head.lit, tail.lit
        if not tl:
            return lambda s: bool(s) and s.startswith(hl)
        return lambda s: bool(s) and len(s) >= minlen and s.startswith(hl) and s.endswith(tl)

    def match(s: bytes) -> bool:
        n = len(s)
        if not s or n < minlen or not head.at(s, 0):
            return False
        end = n - tail.n
        if not tail.at(s, end):
            return False
        pos = head.n
        for seg in mids:
            k = seg.find(s, pos, end)
            if k < 0:
                return False
            pos = k + seg.n
        return True

    return match


def compile_glob(pattern: bytes, nocase: bool = False) -> Callable[[bytes], bool]:
    """A predicate telling whether a byte string matches `pattern` as Redis would."""
    key = (pattern, nocase)
    f = _CACHE.get(key)
    if f is not None:
        return f
    f = _build(pattern, nocase)
    if len(_CACHE) > 1024:
        _CACHE.clear()
    _CACHE[key] = f
    return f


def glob_match(pattern: bytes, s: bytes, nocase: bool = False) -> bool:
    return compile_glob(pattern, nocase)(s)
