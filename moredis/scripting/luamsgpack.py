"""lua-cmsgpack 0.4.0 as Redis ships it: cmsgpack.pack / unpack / unpack_one / unpack_limit.

Integral numbers take the smallest integer encoding, others float32 when exact else
float64; strings fixstr/str8/16/32; a table whose keys are 1..n is an array (the empty
table too), any other a map (lua_next order); nesting past 16 levels packs nil.
"""

from __future__ import annotations

import struct as _st
from typing import Any

from lupa.lua51 import lua_type

from moredis.scripting.capi import Failer

MAX_NESTING = 16


def _int(v: int) -> bytes:
    if v >= 0:
        if v < 128:
            return bytes((v,))
        if v < 256:
            return b"\xcc" + bytes((v,))
        if v < 65536:
            return b"\xcd" + v.to_bytes(2, "big")
        if v < 1 << 32:
            return b"\xce" + v.to_bytes(4, "big")
        return b"\xcf" + v.to_bytes(8, "big")
    if v >= -32:
        return bytes((v & 0xFF,))
    if v >= -128:
        return b"\xd0" + v.to_bytes(1, "big", signed=True)
    if v >= -32768:
        return b"\xd1" + v.to_bytes(2, "big", signed=True)
    if v >= -(1 << 31):
        return b"\xd2" + v.to_bytes(4, "big", signed=True)
    return b"\xd3" + v.to_bytes(8, "big", signed=True)


def _pack(v: Any, out: list, level: int) -> None:
    t = type(v)
    if t is bytes:
        n = len(v)
        if n < 32:
            out.append(bytes((0xA0 | n,)))
        elif n < 256:
            out.append(b"\xd9" + bytes((n,)))
        elif n < 65536:
            out.append(b"\xda" + n.to_bytes(2, "big"))
        else:
            out.append(b"\xdb" + n.to_bytes(4, "big"))
        out.append(v)
    elif t is bool:
        out.append(b"\xc3" if v else b"\xc2")
    elif t is int or t is float:
        if -(2**63) <= v < 2**63 and v == int(v):  # IS_INT64_EQUIVALENT (false for NaN and the infinities)
            out.append(_int(int(v)))
        else:  # float32 when (float)v == v: the infinities yes, NaN no
            try:
                f32 = _st.unpack("<f", _st.pack("<f", v))[0]
            except OverflowError:  # beyond float's range: not exact
                f32 = None
            if f32 == v:
                out.append(b"\xca" + _st.pack(">f", v))
            else:
                out.append(b"\xcb" + _st.pack(">d", v))
    elif lua_type(v) == "table" and level < MAX_NESTING:
        items = list(v.items())
        n = len(items)
        is_array = all(type(k) in (int, float) and k >= 1 and k == int(k) for k, _ in items) and \
            (max((int(k) for k, _ in items), default=0) == n)
        if is_array:
            out.append(bytes((0x90 | n,)) if n < 16 else b"\xdc" + n.to_bytes(2, "big") if n < 65536
                       else b"\xdd" + n.to_bytes(4, "big"))
            for i in range(1, n + 1):
                _pack(v[i], out, level + 1)
        else:
            out.append(bytes((0x80 | n,)) if n < 16 else b"\xde" + n.to_bytes(2, "big") if n < 65536
                       else b"\xdf" + n.to_bytes(4, "big"))
            for k, x in items:
                _pack(k, out, level + 1)
                _pack(x, out, level + 1)
    else:
        out.append(b"\xc0")


class _Short(Exception):
    pass


class _Bad(Exception):
    pass


def _unpack(s: bytes, i: int, out: list) -> int:
    """One object at s[i:] into the flat form (1 value, 2 array n, 3 map n, 5 nil)."""
    n = len(s)

    def need(k: int) -> None:
        if i + k > n:
            raise _Short

    need(1)
    c = s[i]
    i += 1
    if c < 0x80:
        out += (1, c)
        return i
    if c >= 0xE0:
        out += (1, c - 256)
        return i
    if 0xA0 <= c <= 0xBF or c in (0xD9, 0xDA, 0xDB, 0xC4, 0xC5, 0xC6):
        if 0xA0 <= c <= 0xBF:
            ln = c & 31
        else:
            w = {0xD9: 1, 0xC4: 1, 0xDA: 2, 0xC5: 2, 0xDB: 4, 0xC6: 4}[c]
            need(w)
            ln = int.from_bytes(s[i:i + w], "big")
            i += w
        need(ln)
        out += (1, s[i:i + ln])
        return i + ln
    if 0x90 <= c <= 0x9F or c in (0xDC, 0xDD):
        if c <= 0x9F:
            cnt = c & 15
        else:
            w = 2 if c == 0xDC else 4
            need(w)
            cnt = int.from_bytes(s[i:i + w], "big")
            i += w
        out += (2, cnt)
        for _ in range(cnt):
            i = _unpack(s, i, out)
        return i
    if 0x80 <= c <= 0x8F or c in (0xDE, 0xDF):
        if c <= 0x8F:
            cnt = c & 15
        else:
            w = 2 if c == 0xDE else 4
            need(w)
            cnt = int.from_bytes(s[i:i + w], "big")
            i += w
        out += (3, cnt)
        for _ in range(2 * cnt):
            i = _unpack(s, i, out)
        return i
    if c == 0xC0:
        out.append(5)  # nil (prelude.py build)
        return i
    if c in (0xC2, 0xC3):
        out += (1, c == 0xC3)
        return i
    fixed = {0xCC: (1, "B"), 0xCD: (2, "H"), 0xCE: (4, "I"), 0xCF: (8, "Q"), 0xD0: (1, "b"), 0xD1: (2, "h"),
             0xD2: (4, "i"), 0xD3: (8, "q"), 0xCA: (4, "f"), 0xCB: (8, "d")}
    if c in fixed:
        w, code = fixed[c]
        need(w)
        v = _st.unpack(">" + code, s[i:i + w])[0]
        out += (1, float(v) if code in "Qq" and abs(v) >= 2**53 else v)
        return i + w
    raise _Bad


def build(eng: Any) -> dict[bytes, Any]:
    def pack(*args: Any) -> bytes:
        if not args:
            Failer(eng).arg(0, "MessagePack pack needs input.")
        out: list = []
        for a in args:
            _pack(a, out, 0)
        return b"".join(out)

    def decode_all(f: Failer, s: bytes, start: int, limit: int) -> tuple[int, list]:
        vals = []
        i = start
        try:
            while i < len(s) and (limit <= 0 or len(vals) < limit):
                flat: list = []
                i = _unpack(s, i, flat)
                vals.append(flat[1] if len(flat) == 2 and flat[0] == 1 else
                            None if flat == [5] else eng.build(eng.table_from(flat)))
        except _Short:
            f.error("Missing bytes in input.")
        except _Bad:
            f.error("Bad data format in input.")
        return i, vals

    def unpack(*args: Any) -> tuple:
        f = Failer(eng)
        s = f.string(args, 0)
        _, vals = decode_all(f, s, 0, 0)
        return tuple(vals)

    def unpack_limit(*args: Any) -> tuple:
        f = Failer(eng)
        s = f.string(args, 0)
        limit = int(f.number(args, 1))
        off = int(f.number(args, 2)) if len(args) > 2 and args[2] is not None else 0
        if off < 0 or off > len(s):
            f.arg(3, "Offset exceeds input length")
        i, vals = decode_all(f, s, off, limit)
        return (i if i < len(s) else -1, *vals)

    def unpack_one(*args: Any) -> tuple:
        f = Failer(eng)
        s = f.string(args, 0)
        off = int(f.number(args, 1)) if len(args) > 1 and args[1] is not None else 0
        if off < 0 or off > len(s):
            f.arg(2, "Offset exceeds input length")
        i, vals = decode_all(f, s, off, 1)
        return (i if i < len(s) else -1, *vals)

    return {
        b"pack": pack, b"unpack": unpack, b"unpack_one": unpack_one, b"unpack_limit": unpack_limit,
        b"_NAME": b"cmsgpack", b"_VERSION": b"lua-cmsgpack 0.4.0",
        b"_COPYRIGHT": b"Copyright (C) 2012, Salvatore Sanfilippo",
        b"_DESCRIPTION": b"MessagePack C implementation for Lua",
    }


def msgpack_op(*args: Any) -> Any:  # kept for the bridge list
    return None
