"""util/glob.py against Redis's stringmatchlen; every expectation here was checked
against Redis 7.4 (KEYS for case-sensitive cases, CONFIG GET for nocase ones)."""

import pytest

from moredis.util.glob import compile_glob, glob_match, parse

CASES = [
    # pattern, subject, match
    (b"h?llo", b"hello", True),
    (b"h?llo", b"hllo", False),
    (b"h*llo", b"hllo", True),
    (b"h*llo", b"heeeello", True),
    (b"h[ae]llo", b"hallo", True),
    (b"h[ae]llo", b"hillo", False),
    (b"h[^e]llo", b"hallo", True),
    (b"h[^e]llo", b"hello", False),
    (b"h[a-b]llo", b"hbllo", True),
    (b"h[b-a]llo", b"hbllo", True),  # reversed range is swapped
    (b"a*", b"a", True),
    (b"*", b"", False),  # a non-empty pattern never matches the empty string
    (b"**", b"", False),
    (b"", b"", True),
    (b"", b"a", False),
    (b"a", b"", False),
    (b"[a-]", b"]", True),  # range a..']' (0x5d..0x61)
    (b"[a-]", b"^", True),
    (b"[a-]", b"-", False),
    (b"[a-]", b"a", True),
    (b"[]-a]", b"]", False),  # ']' first closes an empty class
    (b"[]", b"]", False),
    (b"[^]", b"x", True),
    (b"[^]", b"]", True),
    (b"[", b"[", False),  # a lone '[' matches nothing
    (b"[^", b"q", True),  # unterminated: any byte
    (b"[abc", b"b", True),  # unterminated class ends with the pattern
    (b"[abc", b"bc", False),
    (b"x[ab", b"xa", True),
    (b"\\*", b"*", True),
    (b"\\*", b"a", False),
    (b"\\", b"\\", True),  # trailing backslash is literal
    (b"a\\", b"a\\", True),
    (b"[\\]]", b"]", True),
    (b"[\\", b"\\", True),
    (b"[a\\-z]", b"-", True),
    (b"[a\\-z]", b"b", False),
    (b"[a-\xff]", b"\xff", True),  # signed bounds: -1..97
    (b"[a-\xff]", b"b", False),
    (b"[a-\xff]", b"\x01", True),
    (b"[a-\xff]", b"\x80", False),
    (b"*a*b", b"aab", True),
    (b"*a*b", b"ba", False),
    (b"a*b*c", b"abbbc", True),
    (b"a*b*c", b"acb", False),
    (b"*[0-9]?", b"x12", True),
    (b"*[0-9]?", b"x1", False),
    (b"*[0-9]?", b"1", False),
    (b"?*?", b"ab", True),
    (b"?*?", b"a", False),
    (b"user:*:name", b"user:42:name", True),
    (b"user:*:name", b"user::name", True),
    (b"user:*:name", b"user:name", False),
]


@pytest.mark.parametrize(("pattern", "subject", "expected"), CASES)
def test_stringmatchlen_cases(pattern, subject, expected):
    assert glob_match(pattern, subject) is expected


NOCASE = [
    (b"MAXMEMOR?", b"maxmemory", True),
    (b"[M]axmemory", b"maxmemory", True),
    (b"\\Maxmemor*", b"maxmemory", True),  # an escape outside a class folds case
    (b"[\\M]axmemory", b"maxmemory", False),  # inside a class it does not
    (b"[A-Z]axmemory", b"maxmemory", True),
    (b"[Z-a]axmemory", b"maxmemory", False),  # bounds lowered after the swap: z..a, empty
    (b"[z-A]axmemory", b"maxmemory", True),  # swapped to A..z, lowered to a..z
    (b"[^m]axmemory", b"maxmemory", False),
]


@pytest.mark.parametrize(("pattern", "subject", "expected"), NOCASE)
def test_nocase(pattern, subject, expected):
    assert glob_match(pattern, subject, nocase=True) is expected


def test_nesting_guard_of_1000_stars():
    s = b"a" * 1200
    assert glob_match(b"*a" * 1000, s)
    assert not glob_match(b"*a" * 1001, s)
    assert glob_match(b"a*" * 1001, s)  # the last star ends the pattern: no recursion
    assert not glob_match(b"a*" * 1001 + b"a", s)


def test_many_stars_do_not_backtrack_exponentially():
    import time

    t = time.perf_counter()
    assert not glob_match(b"*a*a*a*a*a*a*a*a*b", b"a" * 20000)
    assert not glob_match(b"*[ab]*[ab]*[ab]*[ab]*c", b"ab" * 10000)
    assert time.perf_counter() - t < 1.0


def test_parse_tokens():
    star, x = parse(b"*x")
    assert star is None and x == frozenset(b"x")
    (cls,) = parse(b"[^a]")
    assert b"a"[0] not in cls and len(cls) == 255


def test_compiled_patterns_are_cached():
    assert compile_glob(b"foo*") is compile_glob(b"foo*")
    assert compile_glob(b"foo*") is not compile_glob(b"foo*", True)
