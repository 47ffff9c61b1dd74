"""LuaBitOp (the `bit` library Redis loads): 32-bit operations on Lua numbers.

Numbers become signed 32-bit integers the way LuaBitOp does it (adding 2^52+2^51 and
keeping the low word, so fractions round to nearest even and large values wrap).
"""

from __future__ import annotations

import struct
from typing import Any

from moredis.scripting.capi import Failer

_MAGIC = 6755399441055744.0  # 2^52 + 2^51


def tobit(x: float) -> int:
    """barg: the low 32 bits of x + 2^52+2^51, as LuaBitOp reads them (unsigned)."""
    return struct.unpack("<Q", struct.pack("<d", float(x) + _MAGIC))[0] & 0xFFFFFFFF


def _s(b: int) -> int:
    b &= 0xFFFFFFFF
    return b - (1 << 32) if b & 0x80000000 else b


def build(eng: Any) -> dict[bytes, Any]:
    f = Failer(eng)  # (it names the function as the caller called it)

    def one(fn: Any) -> Any:
        def op(*args: Any) -> int:
            return _s(fn(tobit(f.number(args, 0))))
        return op

    def fold(fn: Any) -> Any:
        def op(*args: Any) -> int:
            b = tobit(f.number(args, 0))
            for i in range(1, len(args)):
                b = fn(b, tobit(f.number(args, i)))
            return _s(b)
        return op

    def shift(fn: Any) -> Any:
        def op(*args: Any) -> int:
            b = tobit(f.number(args, 0))
            n = tobit(f.number(args, 1)) & 31
            return _s(fn(b, n))
        return op

    def tohex(*args: Any) -> bytes:
        b = tobit(f.number(args, 0))
        n = 8 if len(args) < 2 or args[1] is None else _s(tobit(f.number(args, 1)))
        upper = n < 0
        if upper:
            n = -n
        n = min(n, 8)
        s = ("%08X" if upper else "%08x") % b
        return s[8 - n:].encode() if n else b""

    def bswap(b: int) -> int:
        return int.from_bytes(b.to_bytes(4, "little"), "big")

    return {
        b"tobit": one(lambda b: b),
        b"bnot": one(lambda b: ~b),
        b"bswap": one(bswap),
        b"band": fold(lambda a, b: a & b),
        b"bor": fold(lambda a, b: a | b),
        b"bxor": fold(lambda a, b: a ^ b),
        b"lshift": shift(lambda b, n: b << n),
        b"rshift": shift(lambda b, n: b >> n),
        b"arshift": shift(lambda b, n: _s(b) >> n),
        b"rol": shift(lambda b, n: (b << n) | (b >> (32 - n))),
        b"ror": shift(lambda b, n: (b >> n) | (b << (32 - n))),
        b"tohex": tohex,
    }


def bit_op(*args: Any) -> Any:  # kept for the bridge list
    return None
