"""Roberto Ierusalimschy's struct library as Redis ships it: struct.pack / unpack / size.

Format: '<' '>' '=' endianness, '!n' alignment, 'x' padding, b/B h/H l/L T i/I[n]
integers, f/d floats, 's' zero-terminated string, 'c[n]' fixed string (c0: all of it
when packing, the previous number's length when unpacking), spaces ignored.
"""

from __future__ import annotations

import math
import struct as _st
from typing import Any

from moredis.scripting.capi import Failer, to_ll

MAXINTSIZE = 32
NATIVE_ALIGN = 8
_MASK64 = (1 << 64) - 1
_FLT_MAX = 3.4028234663852886e38
_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "l": 8, "L": 8, "T": 8, "f": 4, "d": 8, "x": 1}


class _Fmt:
    def __init__(self, f: Failer, fmt: bytes) -> None:
        self.f = f
        self.fmt = fmt
        self.i = 0
        self.little = True
        self.align = 1

    def items(self):
        fmt = self.fmt
        while self.i < len(fmt):
            opt = chr(fmt[self.i])
            self.i += 1
            if opt == " ":
                continue
            if opt in "<>=!":
                if opt == "<":
                    self.little = True
                elif opt == ">":
                    self.little = False
                elif opt == "=":
                    self.little = True
                else:
                    a = self.num(NATIVE_ALIGN)
                    if a <= 0 or a & (a - 1):
                        self.f.error("alignment %d is not a power of 2" % a)
                    self.align = a
                continue
            if opt in _SIZES:
                size = _SIZES[opt]
            elif opt in "iI":
                size = self.num(4)
                if size > MAXINTSIZE:
                    self.f.error("integral size %d is larger than limit of %d" % (size, MAXINTSIZE))
            elif opt == "c":
                size = self.num(1)
            elif opt == "s":
                size = 0
            else:
                self.f.arg(1, "invalid format option '%s'" % opt)
            yield opt, size

    def num(self, default: int) -> int:
        fmt = self.fmt
        if self.i >= len(fmt) or not 48 <= fmt[self.i] <= 57:
            return default
        a = 0
        while self.i < len(fmt) and 48 <= fmt[self.i] <= 57:
            a = a * 10 + fmt[self.i] - 48
            self.i += 1
        return a

    def pad(self, length: int, opt: str, size: int) -> int:
        if size <= 1 or opt == "c":
            return 0
        size = min(size, self.align)  # (an odd size pads oddly, as gettoalign computes it)
        return (size - (length & (size - 1))) & (size - 1)


def c_uint64(n: float | int) -> int:
    """putinteger's (Uinttype) of a Lua number as x86-64 code computes it: positives
    directly (2^64 and more, and +inf, give 0), negatives and NaN through long long."""
    if n >= 0:
        return int(n) if n < 2**64 else 0
    return to_ll(n) & _MASK64


def build(eng: Any) -> dict[bytes, Any]:
    def pack(*args: Any) -> bytes:
        f = Failer(eng)
        fmt = _Fmt(f, f.string(args, 0))
        args += (None,)  # b_pack pushes a nil after its arguments: a missing one reads as nil
        out = bytearray()
        arg = 1
        for opt, size in fmt.items():
            out += b"\0" * fmt.pad(len(out), opt, size)
            if opt == "x":
                out += b"\0"
            elif opt in "bBhHlLTiI":
                v = c_uint64(f.number(args, arg))
                arg += 1
                if size < 8:
                    v &= (1 << (8 * size)) - 1
                b = v.to_bytes(max(size, 8), "little")[:size]  # past 8 bytes: zeros, not the sign
                out += b if fmt.little else b[::-1]
            elif opt in "fd":
                n = f.number(args, arg)
                arg += 1
                if opt == "f" and n == n and abs(n) > _FLT_MAX:  # (float) of a larger double: an infinity
                    n = math.copysign(math.inf, n)
                out += _st.pack(("<" if fmt.little else ">") + opt, n)
            elif opt == "c":
                s = f.string(args, arg)
                if size == 0:
                    size = len(s)
                if len(s) < size:
                    f.arg(arg + 2, "string too short")  # (b_pack has already moved past the argument)
                arg += 1
                out += s[:size]
            elif opt == "s":
                s = f.string(args, arg)
                arg += 1
                out += s + b"\0"
        return bytes(out)

    def unpack(*args: Any) -> tuple:
        f = Failer(eng)
        fmt = _Fmt(f, f.string(args, 0))
        data = f.string(args, 1)
        pos = int(f.number(args, 2)) - 1 if len(args) > 2 and args[2] is not None else 0
        if pos < 0:
            f.arg(3, "offset must be 1 or greater")
        res: list = []
        ld = len(data)
        for opt, size in fmt.items():
            pos += fmt.pad(pos, opt, size)
            if pos + size > ld and opt != "s":
                f.arg(2, "data string too short")
            if opt == "x":
                pos += 1
            elif opt in "bBhHlLTiI":
                b = data[pos:pos + size]
                v = int.from_bytes(b, "little" if fmt.little else "big", signed=opt.islower())
                res.append(float(v) if abs(v) >= 2**53 else v)
                pos += size
            elif opt in "fd":
                res.append(_st.unpack(("<" if fmt.little else ">") + opt, data[pos:pos + size])[0])
                pos += size
            elif opt == "c":
                if size == 0:
                    if not res or type(res[-1]) not in (int, float):
                        f.error("format 'c0' needs a previous size")
                    size = int(res.pop())
                    if pos + size > ld:
                        f.arg(2, "data string too short")
                res.append(data[pos:pos + size])
                pos += size
            elif opt == "s":
                e = data.find(b"\0", pos)
                if e < 0:
                    f.error("unfinished string in data")
                res.append(data[pos:e])
                pos = e + 1
        res.append(pos + 1)
        return tuple(res)

    def size(*args: Any) -> int:
        f = Failer(eng)
        fmt = _Fmt(f, f.string(args, 0))
        total = 0
        for opt, sz in fmt.items():
            if opt == "s" or (opt == "c" and sz == 0):
                f.arg(1, "options 'c0' - 's' have undefined sizes")
            total += fmt.pad(total, opt, sz) + sz
        return total

    return {b"pack": pack, b"unpack": unpack, b"size": size}


def struct_op(*args: Any) -> Any:  # kept for the bridge list
    return None
