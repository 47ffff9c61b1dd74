"""Small parsing helpers shared by several command groups."""

from __future__ import annotations

import math
import re
import time
from decimal import Decimal
from typing import Any

from moredis import errors as E
from moredis.errors import RedisError
from moredis.numbers import LLONG_MAX, SMALL_LL, parse_int, string2d, string2ll
from moredis.util.glob import compile_glob

NOVALUES_NOT_HSCAN = "ERR NOVALUES option can only be used in HSCAN"
TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range"
TIMEOUT_NEGATIVE = "ERR timeout is negative"
TIMEOUT_OUT_OF_RANGE = "ERR timeout is out of range"
_INF = float("inf")
_LDBL_MAX = Decimal("1.18973149535723176502e4932")  # x86 80-bit long double limits
_LDBL_TRUE_MIN = Decimal("3.64519953188247460253e-4951")


def parse_timeout_seconds(b: bytes) -> int:
    """getTimeoutFromObjectOrReply (UNIT_SECONDS): decimal seconds -> ms (0 = forever).

    Redis reads a long double and rounds the milliseconds up (ceill): "0.0001" waits
    1 ms, "-0.0001" rounds to 0 and waits forever, "inf" or 1e400 are out of range."""
    f = _string2ld(b)
    ms = f * 1000.0
    if ms > LLONG_MAX:
        raise RedisError(TIMEOUT_OUT_OF_RANGE)
    if ms == -_INF:
        raise RedisError(TIMEOUT_NEGATIVE)
    t = math.ceil(ms)
    if t < 0:
        raise RedisError(TIMEOUT_NEGATIVE)
    if t > LLONG_MAX - time.time_ns() // 1_000_000:
        raise RedisError(TIMEOUT_OUT_OF_RANGE)
    return t


def _string2ld(b: bytes) -> float:
    """util.c string2ld as far as a timeout can tell: strtod's grammar with the range of
    an x86 long double. Numbers a double cannot hold come back as +-inf (too big) or
    +-5e-324 (too small but not zero)."""
    f = string2d(b)
    if f is not None and f not in (_INF, -_INF) and f != 0.0:
        return f
    body = b.lstrip(b"+-").lower()
    if f is not None and (body in (b"inf", b"infinity") or body[:2] == b"0x"):
        return f
    if f is None and (not b or b[:1].isspace() or b[-1:].isspace() or b"_" in b or body[:2] == b"0x"):
        raise RedisError(TIMEOUT_NOT_FLOAT)
    try:
        dv = Decimal(b.decode("ascii"))
    except (ArithmeticError, ValueError):
        raise RedisError(TIMEOUT_NOT_FLOAT) from None
    if not dv.is_finite():
        raise RedisError(TIMEOUT_NOT_FLOAT)
    if dv == 0:
        return 0.0
    a = abs(dv)
    if a > _LDBL_MAX or a < _LDBL_TRUE_MIN:
        raise RedisError(TIMEOUT_NOT_FLOAT)  # strtold's ERANGE
    if a >= 1:
        return _INF if dv > 0 else -_INF
    return 5e-324 if dv > 0 else -5e-324


def parse_timeout_ms(b: bytes) -> int:
    """getTimeoutFromObjectOrReply (UNIT_MILLISECONDS): an integer number of ms."""
    from moredis.numbers import string2ll

    n = string2ll(b)
    if n is None:
        raise RedisError("ERR timeout is not an integer or out of range")
    if n < 0:
        raise RedisError(TIMEOUT_NEGATIVE)
    return n


def cstr(b: bytes) -> bytes:
    """What C sees of an argument used as a string: the bytes up to the first NUL."""
    i = b.find(0)
    return b if i < 0 else b[:i]


def cstr_lower(b: bytes) -> bytes:
    """An argument as strcasecmp compares it: up to the first NUL, lowercased."""
    i = b.find(0)
    return (b if i < 0 else b[:i]).lower()


def parse_scan_options(argv: list[bytes], i: int, *, keyspace: bool = False,
                       hash_novalues: bool = False) -> tuple[int, Any, str | None, bool]:
    """scanGenericCommand's options from argv[i:], shared by SCAN, SSCAN, HSCAN and ZSCAN:
    (COUNT, a matcher or None for no/"*" pattern, the TYPE name or None, NOVALUES).
    TYPE is an option of SCAN only (`keyspace`), NOVALUES of HSCAN only (`hash_novalues`)."""
    count = 10
    match = None
    want = None
    novalues = False
    n = len(argv)
    while i < n:
        opt = cstr_lower(argv[i])
        pair = n - i >= 2
        if opt == b"count" and pair:
            count = parse_int(argv[i + 1])
            if count < 1:
                raise RedisError(E.SYNTAX)
            i += 2
        elif opt == b"match" and pair:
            pat = argv[i + 1]
            match = None if pat == b"*" else compile_glob(pat)
            i += 2
        elif opt == b"type" and keyspace and pair:
            want = cstr(argv[i + 1]).decode("latin-1").lower()
            i += 2
        elif opt == b"novalues":
            if not hash_novalues:
                raise RedisError(NOVALUES_NOT_HSCAN)
            novalues = True
            i += 1
        else:
            raise RedisError(E.SYNTAX)
    return count, match, want, novalues


_ATOI = re.compile(rb"\s*([+-]?\d+)")


def c_atoi(b: bytes) -> int:
    """C atoi: optional spaces and sign, then digits; anything else stops (0 if none);
    kept within int's range."""
    m = _ATOI.match(b)
    if m is None:
        return 0
    n = int(m.group(1))
    return max(-(1 << 31), min(n, (1 << 31) - 1))


def numkeys_positions(argv: list[bytes], at: int) -> list[int]:
    """COMMAND GETKEYS for `numkeys key [key ...]` with numkeys (read with atoi, as the
    getkeys procs do) at argv[at]: the keys right after it, none when it is out of range."""
    num = c_atoi(argv[at]) if len(argv) > at else 0
    if num < 1 or num > len(argv) - at - 1:
        return []
    return list(range(at + 1, at + 1 + num))


def script_numkeys(argv: list[bytes], not_a_number: str) -> int:
    """numkeys of EVAL*/FCALL* (argv[2]): the count, or Redis's error (`not_a_number`
    when it is not an integer; EVAL and FCALL word that one differently)."""
    n = SMALL_LL.get(argv[2])
    if n is None:
        n = string2ll(argv[2])
        if n is None:
            raise RedisError(not_a_number)
    if n > len(argv) - 3:
        raise RedisError("ERR Number of keys can't be greater than number of args")
    if n < 0:
        raise RedisError("ERR Number of keys can't be negative")
    return n
