"""Redis's glob matching (util.c stringmatchlen), for KEYS, SCAN MATCH, PSUBSCRIBE,
CONFIG GET and ACL patterns.

fnmatch differs from Redis (no backslash escapes, `[!x]` instead of `[^x]`), so patterns
are translated to anchored regular expressions with Redis's rules and cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CACHE: dict[tuple[bytes, bool], Callable[[bytes], bool]] = {}


def _translate(p: bytes) -> bytes:
    out = bytearray()
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == 0x2A:  # *
            while i + 1 < n and p[i + 1] == 0x2A:
                i += 1
            out += b".*"
        elif c == 0x3F:  # ?
            out += b"."
        elif c == 0x5C and i + 1 < n:  # backslash escape
            i += 1
            out += re.escape(p[i : i + 1])
        elif c == 0x5B:  # [
            i += 1
            neg = i < n and p[i] == 0x5E
            if neg:
                i += 1
            items: list[bytes] = []
            while i < n and p[i] != 0x5D:
                if p[i] == 0x5C and i + 1 < n:
                    i += 1
                    items.append(re.escape(p[i : i + 1]))
                elif i + 2 < n and p[i + 1] == 0x2D and p[i + 2] != 0x5D:
                    a, b = p[i], p[i + 2]
                    if a > b:
                        a, b = b, a
                    items.append(b"\\x%02x-\\x%02x" % (a, b))
                    i += 2
                else:
                    items.append(re.escape(p[i : i + 1]))
                i += 1
            body = b"".join(items)
            if not body:
                out += b"[^\\x00-\\xff]" if not neg else b"[\\x00-\\xff]"
            else:
                out += b"[" + (b"^" if neg else b"") + body + b"]"
        else:
            out += re.escape(p[i : i + 1])
        i += 1
    return bytes(out)


def compile_glob(pattern: bytes, nocase: bool = False) -> Callable[[bytes], bool]:
    """A predicate telling whether a byte string matches `pattern` as Redis would."""
    key = (pattern, nocase)
    f = _CACHE.get(key)
    if f is not None:
        return f
    if pattern == b"*":
        def f(s: bytes) -> bool:
            return True
    elif not any(ch in pattern for ch in b"*?[\\"):
        if nocase:
            low = pattern.lower()

            def f(s: bytes) -> bool:
                return s.lower() == low
        else:
            def f(s: bytes) -> bool:
                return s == pattern
    else:
        rx = re.compile(_translate(pattern) + rb"\Z", re.DOTALL | (re.IGNORECASE if nocase else 0))
        m = rx.match

        def f(s: bytes) -> bool:
            return m(s) is not None
    if len(_CACHE) > 1024:
        _CACHE.clear()
    _CACHE[key] = f
    return f


def glob_match(pattern: bytes, s: bytes, nocase: bool = False) -> bool:
    return compile_glob(pattern, nocase)(s)
