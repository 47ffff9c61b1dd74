"""Number parsing and printing exactly as Redis does it (util.c, fpconv).

Redis is strict where Python is lenient: `int(b" 1")` works but string2ll refuses
it; Python prints `3.0` where Redis prints `3`. Everything a client can see goes
through these functions. Neighbours: errors.py for the texts, protocol/writer.py
for the RESP double reply.
"""

from __future__ import annotations

import functools
import math
import struct
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any

from moredis.errors import NOT_FLOAT, NOT_INTEGER, RedisError

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)
ULLONG_MAX = (1 << 64) - 1


# canonical spellings of 0..99: hot paths (numkeys of EVALSHA/FCALL) look a count up here
# before parsing it with string2ll
SMALL_LL = {b"%d" % i: i for i in range(100)}


def string2ll(b: bytes) -> int | None:
    """util.c string2ll: canonical base-10 signed 64-bit integers only, else None."""
    try:
        n = int(b)
    except (ValueError, TypeError):
        return None
    if b"%d" % n != b or n > LLONG_MAX or n < LLONG_MIN:
        return None
    return n


def parse_int(b: bytes, err: str = NOT_INTEGER) -> int:
    """getLongLongFromObjectOrReply: the integer or a RedisError with `err`."""
    try:
        n = int(b)
    except (ValueError, TypeError):
        raise RedisError(err) from None
    if b"%d" % n != b or n > LLONG_MAX or n < LLONG_MIN:
        raise RedisError(err)
    return n


def parse_uint(b: bytes, err: str = NOT_INTEGER) -> int:
    """A non-negative integer (getPositiveLongFromObjectOrReply words errors by caller)."""
    n = parse_int(b, err)
    if n < 0:
        raise RedisError(err)
    return n


def _strtod_ok(b: bytes) -> bool:
    # strtod accepts what float() accepts minus surrounding spaces and '_' separators.
    return bool(b) and not b[:1].isspace() and not b[-1:].isspace() and b"_" not in b


def string2d(b: bytes) -> float | None:
    """util.c string2d: a double via strtod, refusing spaces, trailing garbage and NaN."""
    if not _strtod_ok(b):
        return None
    try:
        f = float(b)
    except ValueError:
        try:
            f = _hexfloat(b)
        except ValueError:
            return None
    if f != f:
        return None
    if f in (math.inf, -math.inf) or f == 0.0:
        # strtod's ERANGE: an overflow to infinity or an underflow to zero is refused
        # (a literal "inf"/"infinity" or a real zero are fine)
        low = b.lower().lstrip(b"+-")
        if f != 0.0 and not low.startswith(b"inf"):
            return None
        if f == 0.0 and any(48 < ch <= 57 for ch in low.split(b"e")[0].split(b"p")[0].replace(b"x", b"")):
            return None
    return f


def _hexfloat(b: bytes) -> float:
    s = b.decode("ascii")
    body = s.lstrip("+-")
    if not body[:2].lower() == "0x":
        raise ValueError(s)
    return float.fromhex(s)


def parse_float(b: bytes, err: str = NOT_FLOAT) -> float:
    f = string2d(b)
    if f is None:
        raise RedisError(err)
    return f


# --- printing doubles ----------------------------------------------------------------

_M64 = (1 << 64) - 1


def _cached_powers() -> list[tuple[int, int]]:
    """fpconv's powers_ten table: 10**k for k = -348, -340 ... 340 as correctly rounded
    64-bit fractions with a binary exponent."""
    out = []
    for k in range(-348, 341, 8):
        num, den = (10**k, 1) if k >= 0 else (1, 10 ** (-k))
        e = num.bit_length() - den.bit_length() - 64
        while True:
            # frac = num / (den * 2**e) must land in [2**63, 2**64)
            if e >= 0:
                q, r, d = divmod(num, den << e) + (den << e,)
            else:
                q, r, d = divmod(num << -e, den) + (den,)
            if q >= 1 << 64:
                e += 1
            elif q < 1 << 63:
                e -= 1
            else:
                break
        if 2 * r >= d:
            q += 1
        out.append((q, e))
    return out


_POWERS = _cached_powers()
_TENS = [10**i for i in range(19, -1, -1)]


def _grisu2(d: float) -> tuple[str, int]:
    """fpconv.c grisu2: the digits and decimal exponent Redis prints (not always the
    shortest: Grisu2 gives up on a few values where Python's repr finds fewer digits)."""
    bits = struct.unpack("<Q", struct.pack("<d", d))[0]
    frac = bits & 0x000FFFFFFFFFFFFF
    exp = (bits & 0x7FF0000000000000) >> 52
    if exp:
        frac += 0x0010000000000000
        exp -= 1075
    else:
        exp = -1074
    # boundaries (get_normalized_boundaries)
    uf, ue = (frac << 1) + 1, exp - 1
    while not uf & (0x0010000000000000 << 1):
        uf <<= 1
        ue -= 1
    uf <<= 10
    ue -= 10
    ls = 2 if frac == 0x0010000000000000 else 1
    lf, le = (frac << ls) - 1, exp - ls
    lf <<= le - ue
    le = ue
    # normalize w
    wf, we = frac, exp
    while not wf & 0x0010000000000000:
        wf <<= 1
        we -= 1
    wf <<= 11
    we -= 11
    # cached power
    approx = int(-(ue + 87) * 0.30102999566398114)
    idx = (approx + 348) // 8 if approx + 348 >= 0 else -((-(approx + 348)) // 8)
    while True:
        cur = ue + _POWERS[idx][1] + 64
        if cur < -60:
            idx += 1
        elif cur > -32:
            idx -= 1
        else:
            break
    k = -348 + idx * 8
    cf, ce = _POWERS[idx]

    def mul(af: int, ae: int) -> tuple[int, int]:
        lo = 0xFFFFFFFF
        ah_bl = (af >> 32) * (cf & lo)
        al_bh = (af & lo) * (cf >> 32)
        al_bl = (af & lo) * (cf & lo)
        ah_bh = (af >> 32) * (cf >> 32)
        tmp = (ah_bl & lo) + (al_bh & lo) + (al_bl >> 32) + (1 << 31)
        return (ah_bh + (ah_bl >> 32) + (al_bh >> 32) + (tmp >> 32)) & _M64, ae + ce + 64

    wf, we = mul(wf, we)
    uf, ue = mul(uf, ue)
    lf, le = mul(lf, le)
    lf += 1
    uf -= 1
    K = -k
    # generate_digits
    wfrac = (uf - wf) & _M64
    delta = (uf - lf) & _M64
    one_e = ue
    one_f = 1 << -one_e
    part1 = uf >> -one_e
    part2 = uf & (one_f - 1)
    digits: list[int] = []
    kappa = 10
    di = 10
    while kappa > 0:
        div = _TENS[di]
        digit = part1 // div
        if digit or digits:
            digits.append(digit)
        part1 -= digit * div
        kappa -= 1
        tmp = (part1 << -one_e) + part2
        if tmp <= delta:
            K += kappa
            _round_digit(digits, delta, tmp, (div << -one_e) & _M64, wfrac)
            return "".join(map(str, digits)), K
        di += 1
    ui = 18
    while True:
        part2 = (part2 * 10) & _M64
        delta = (delta * 10) & _M64
        kappa -= 1
        digit = part2 >> -one_e
        if digit or digits:
            digits.append(digit)
        part2 &= one_f - 1
        if part2 < delta:
            K += kappa
            _round_digit(digits, delta, part2, one_f, (wfrac * _TENS[ui]) & _M64)
            return "".join(map(str, digits)), K
        ui -= 1


def _round_digit(digits: list[int], delta: int, rem: int, kappa: int, frac: int) -> None:
    while rem < frac and delta - rem >= kappa and (rem + kappa < frac or frac - rem > rem + kappa - frac):
        digits[-1] -= 1
        rem += kappa


def fpconv_dtoa(x: float) -> str:
    """fpconv_dtoa as Redis's fpconv emits it (emit_digits): plain, decimal or d.ddde±x."""
    neg = x < 0
    digits, k = _grisu2(abs(x))
    nd = len(digits)
    exp = abs(k + nd - 1)
    sign = "-" if neg else ""
    if k >= 0 and exp < nd + 7:
        return sign + digits + "0" * k
    if k < 0 and (k > -7 or exp < 4):
        offset = nd + k
        if offset <= 0:
            return sign + "0." + "0" * (-offset) + digits
        return sign + digits[:offset] + "." + digits[offset:]
    nd = min(nd, 18 - neg)
    out = digits[0]
    if nd > 1:
        out += "." + digits[1:nd]
    esign = "-" if k + nd - 1 < 0 else "+"
    return sign + out + "e" + esign + str(exp)


def d2string(x: float) -> bytes:
    """util.c d2string: how Redis prints a double in replies (scores, RESP3 doubles)."""
    if x != x:
        return b"nan"
    if x == math.inf:
        return b"inf"
    if x == -math.inf:
        return b"-inf"
    if x == 0:
        return b"-0" if math.copysign(1.0, x) < 0 else b"0"
    if -4611686018427387903.0 <= x <= 4611686018427387903.0:
        i = int(x)
        if i == x:
            return b"%d" % i
    return _dtoa_cached(x)


@functools.lru_cache(maxsize=8192)
def _dtoa_cached(x: float) -> bytes:
    """fpconv_dtoa is big-integer arithmetic in Python (microseconds); replies print the
    same scores again and again (ZRANGE WITHSCORES), so recent results are kept.
    Only non-zero finite values get here, so 0.0 and -0.0 never share an entry."""
    return fpconv_dtoa(x).encode()


def g17(x: float) -> bytes:
    """printf("%.17g"): used where Redis formats doubles that way (digests, some replies)."""
    return b"%.17g" % x


# --- long doubles (INCRBYFLOAT, HINCRBYFLOAT) ------------------------------------------

class _LongDouble:
    """numpy's 80-bit extended precision (Redis's long double on x86-64), imported on
    first use: most servers never run INCRBYFLOAT."""

    np: Any = None
    LD: Any = float
    EXT = False

    @classmethod
    def load(cls) -> None:
        if cls.np is None:
            import numpy

            cls.np = numpy
            cls.LD = numpy.longdouble
            cls.EXT = numpy.finfo(numpy.longdouble).nmant >= 63


def parse_long_double(b: bytes, err: str = NOT_FLOAT):
    """util.c string2ld: a long double, refusing spaces, NaN and garbage."""
    if not _strtod_ok(b) or len(b) > 5120:
        raise RedisError(err)
    _LongDouble.load()
    ld = _LongDouble.LD
    try:
        float(b)  # syntax check with strtod's grammar (minus hex)
    except ValueError:
        try:
            return ld(_hexfloat(b))
        except ValueError:
            raise RedisError(err) from None
    v = ld(b.decode("ascii")) if _LongDouble.EXT else float(b)
    if v != v:
        raise RedisError(err)
    return v


def ld_is_finite(v) -> bool:
    _LongDouble.load()
    return bool(_LongDouble.np.isfinite(v))


def ld2string_human(v) -> bytes:
    """util.c ld2string in LD_STR_HUMAN mode: "%.17Lf" with trailing zeros removed."""
    if v == 0:
        return b"0"
    frac = Fraction(*v.as_integer_ratio()) if hasattr(v, "as_integer_ratio") else Fraction(v)
    with localcontext() as ctx:
        ctx.prec = 6000
        d = Decimal(frac.numerator) / Decimal(frac.denominator)
        s = format(d.quantize(Decimal(1).scaleb(-17), rounding=ROUND_HALF_EVEN), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s == "-0":
        s = "0"
    return s.encode()


def ld_add(a, b):
    _LongDouble.load()
    ld = _LongDouble.LD
    return ld(a) + ld(b) if _LongDouble.EXT else float(a) + float(b)
