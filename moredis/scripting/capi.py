"""Helpers for library functions written in Python and called from Lua as C functions
are: Lua type names and number coercion for argument errors (lauxlib's wording), and
raising an error at the caller's position (luaL_error's "user_script:1: " prefix).
Neighbours: luabit.py, luastruct.py, luacjson.py, luamsgpack.py, lua.py.
"""

from __future__ import annotations

import math
import re
from typing import Any

from lupa.lua51 import lua_type

from moredis.numbers import LLONG_MAX, LLONG_MIN

MISSING = object()  # an argument that was not given ("no value")
_NUM = re.compile(rb"\s*[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)\s*\Z", re.I)
_HEX = re.compile(rb"\s*[-+]?0[xX][0-9a-fA-F]+\s*\Z")


def tname(v: Any) -> str:
    if v is MISSING:
        return "no value"
    if v is None:
        return "nil"
    t = type(v)
    if t is bool:
        return "boolean"
    if t is bytes:
        return "string"
    if t is int or t is float:
        return "number"
    return (lua_type(v) or "userdata")


def tonumber(v: Any) -> float | int | None:
    """lua_tonumber: numbers, and strings that read as numbers (luaO_str2d)."""
    t = type(v)
    if t is int or t is float:
        return v
    if t is bytes:
        if _NUM.match(v):
            return float(v)
        if _HEX.match(v):
            s = v.strip()
            neg = s.startswith(b"-")
            n = int(s.lstrip(b"+-"), 16)
            return float(-n if neg else n)
    return None


class Failer:
    """Raises Lua errors the way lauxlib words them, from inside a Python "C function"."""

    __slots__ = ("eng",)

    def __init__(self, eng: Any) -> None:
        self.eng = eng

    def error(self, msg: str | bytes) -> None:
        if isinstance(msg, str):
            msg = msg.encode()
        self.eng.raise_at(msg)

    def arg(self, n: int, extra: str) -> None:
        """luaL_argerror: the function is named as its caller called it; a method call
        does not count self, and a bad self is said so."""
        name, method = self.eng.callee()
        if isinstance(name, bytes):
            name = name.decode("utf-8", "surrogateescape")
        if method:
            n -= 1
            if n == 0:
                self.error("calling '%s' on bad self (%s)" % (name, extra))
        self.error("bad argument #%d to '%s' (%s)" % (n, name, extra))

    def number(self, args: tuple, i: int) -> float | int:
        v = args[i] if i < len(args) else MISSING
        n = tonumber(v) if v is not MISSING else None
        if n is None:
            self.arg(i + 1, "number expected, got " + tname(v))
        return n  # type: ignore[return-value]

    def string(self, args: tuple, i: int) -> bytes:
        v = args[i] if i < len(args) else MISSING
        if type(v) is bytes:
            return v
        if type(v) in (int, float):
            return lua_number_str(v)
        self.arg(i + 1, "string expected, got " + tname(v))
        return b""


def to_ll(v: Any) -> int:
    """(long long) of a Lua number, as the C cast on x86-64 does (out of range or NaN:
    LLONG_MIN)."""
    if type(v) is int:
        return v if LLONG_MIN <= v <= LLONG_MAX else LLONG_MIN
    if v != v or v >= 9.223372036854775807e18 or v < -9.223372036854775808e18:
        return LLONG_MIN
    return int(v)


def to_int(v: Any) -> int:
    """luaL_checkint on x86-64: the number becomes a 64-bit lua_Integer first, then a C
    int keeps its low 32 bits (so 1/0 gives 0)."""
    return ((to_ll(v) + 2**31) & 0xFFFFFFFF) - 2**31


def lua_number_str(v: float | int) -> bytes:
    """Lua 5.1's number to string conversion ("%.14g")."""
    if type(v) is int and abs(v) < 10**14:
        return b"%d" % v
    if v != v:  # glibc prints the sign of a NaN (0/0 is -nan on x86)
        return b"-nan" if math.copysign(1.0, v) < 0 else b"nan"
    return (b"%.14g" % v)
