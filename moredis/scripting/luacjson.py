"""lua-cjson 2.1.0 as Redis ships it: cjson.encode / cjson.decode and its settings.

Encoding walks the Lua table in lua_next order (as the C library does): a table whose
keys are all positive integers is an array (holes become null; an "excessively sparse"
one is refused), any other table an object, numbers print with "%.14g", "/" is escaped.
Decoding builds the value through the engine (tables are made in Lua, `cjson.null`
stands for null). Errors are worded as lua-cjson words them.
"""

from __future__ import annotations

import math
import re
from typing import Any

from lupa.lua51 import lua_type

from moredis.scripting.capi import MISSING, Failer, tname

NULL = type("CjsonNull", (), {"__slots__": (), "__repr__": lambda self: "userdata: (nil)"})()

_ESC = {i: "\\u%04x" % i for i in range(32)}
_ESC.update({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\", 47: "\\/", 127: "\\u007f"})
_ESC_B = {k: v.encode() for k, v in _ESC.items()}
_NEEDS = re.compile(rb'[\x00-\x1f"\\/\x7f]')


def _str(s: bytes) -> bytes:
    if _NEEDS.search(s) is None:
        return b'"' + s + b'"'
    return b'"' + b"".join(_ESC_B.get(c, bytes((c,))) for c in s) + b'"'


def _num(x: float) -> bytes:
    if type(x) is int and abs(x) < 10**14:
        return b"%d" % x
    return b"%.14g" % x


class Config:
    __slots__ = ("decode_max_depth", "encode_max_depth", "invalid_decode", "invalid_encode", "precision",
                 "sparse_convert", "sparse_ratio", "sparse_safe")

    def __init__(self) -> None:
        self.encode_max_depth = 1000
        self.decode_max_depth = 1000
        self.precision = 14
        self.sparse_convert = False
        self.sparse_ratio = 2
        self.sparse_safe = 10
        self.invalid_encode = False
        self.invalid_decode = True


def build(eng: Any) -> dict[bytes, Any]:
    cfg = Config()

    def encode(*args: Any) -> bytes:
        f = Failer(eng)
        if len(args) != 1:
            f.arg(1, "expected 1 argument")
        out: list[bytes] = []
        _encode(f, cfg, args[0], out, 0)
        return b"".join(out)

    def decode(*args: Any) -> Any:
        f = Failer(eng)
        if len(args) != 1:
            f.arg(1, "expected 1 argument")
        s = f.string(args, 0)
        flat: list = []
        _Decoder(f, cfg, s, flat).run()
        if len(flat) == 2 and flat[0] == 1:
            return flat[1]
        return eng.build(eng.table_from(flat))

    def setting(name: str, attr: str) -> Any:
        def op(*args: Any) -> Any:
            if args and args[0] is not None:
                v = args[0]
                if attr in ("encode_max_depth", "decode_max_depth", "precision"):
                    setattr(cfg, attr, int(v))
                else:
                    setattr(cfg, attr, bool(v) if not isinstance(v, bytes) else v in (b"on", b"true"))
            return getattr(cfg, attr)
        return op

    return {
        b"encode": encode, b"decode": decode, b"null": NULL, b"_NAME": b"cjson", b"_VERSION": b"2.1.0",
        b"encode_max_depth": setting("encode_max_depth", "encode_max_depth"),
        b"decode_max_depth": setting("decode_max_depth", "decode_max_depth"),
        b"encode_number_precision": setting("encode_number_precision", "precision"),
        b"encode_keep_buffer": setting("encode_keep_buffer", "sparse_convert"),
        b"encode_invalid_numbers": setting("encode_invalid_numbers", "invalid_encode"),
        b"decode_invalid_numbers": setting("decode_invalid_numbers", "invalid_decode"),
        b"encode_sparse_array": lambda *a: (cfg.sparse_convert, cfg.sparse_ratio, cfg.sparse_safe),
        b"new": lambda *a: None,
    }


def _encode(f: Failer, cfg: Config, v: Any, out: list, depth: int) -> None:
    t = type(v)
    if t is bytes:
        out.append(_str(v))
    elif t is int or t is float:
        if not cfg.invalid_encode and (math.isinf(v) or math.isnan(v)):
            f.error("Cannot serialise number: must not be NaN or Inf")
        out.append(_num(v))
    elif t is bool:
        out.append(b"true" if v else b"false")
    elif v is None or v is NULL:
        out.append(b"null")
    elif lua_type(v) == "table":
        depth += 1
        if depth > cfg.encode_max_depth:
            f.error("Cannot serialise, excessive nesting (%d)" % depth)
        items = list(v.items())
        mx = 0
        is_array = True
        for k, _ in items:
            if type(k) in (int, float) and k >= 1 and k == int(k):
                mx = max(mx, int(k))
            else:
                is_array = False
                break
        if is_array and mx > 0:
            if mx > len(items) * cfg.sparse_ratio and mx > cfg.sparse_safe and cfg.sparse_ratio > 0:
                if not cfg.sparse_convert:
                    f.error("Cannot serialise table: excessively sparse array")
                is_array = False
        if is_array and mx > 0:
            out.append(b"[")
            for i in range(1, mx + 1):
                if i > 1:
                    out.append(b",")
                _encode(f, cfg, v[i], out, depth)
            out.append(b"]")
            return
        out.append(b"{")
        first = True
        for k, x in items:
            if not first:
                out.append(b",")
            first = False
            if type(k) is bytes:
                out.append(_str(k))
            elif type(k) in (int, float):
                out.append(b'"' + _num(k) + b'"')
            else:
                f.error("Cannot serialise %s: table key must be a number or string" % tname(k))
            out.append(b":")
            _encode(f, cfg, x, out, depth)
        out.append(b"}")
    elif v is MISSING:
        out.append(b"null")
    else:
        f.error("Cannot serialise %s: type not supported" % tname(v))


_TOKEN_RE = re.compile(rb"[ \t\r\n]*")
# what strtod reads: decimal, hexadecimal (with a binary exponent), inf/infinity, nan/nan(...)
_NUM_RE = re.compile(rb"[-+]?(?:0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[-+]?\d+)?|(?:\d+\.?\d*|\.\d+)"
                     rb"(?:e[-+]?\d+)?|inf(?:inity)?|nan(?:\([0-9a-z_]*\))?)", re.I)
_INVALID_RE = re.compile(rb"\+|-?0[xX0-9]|-?(?:inf|nan)", re.I)  # json_is_invalid_number


def _strtod(txt: bytes) -> Any:
    """The double strtod makes of `txt` (an integer when whole, but never -0)."""
    low = txt.lower()
    if b"x" in low:
        neg = low.startswith(b"-")
        v = float.fromhex(low.lstrip(b"+-").decode())
        v = -v if neg else v
    elif b"nan" in low:
        v = -math.nan if low.startswith(b"-") else math.nan
    else:
        v = float(low)
    if -(2**63) < v < 2**63 and v == int(v) and (v or math.copysign(1.0, v) > 0):
        return int(v)
    return v


class _Decoder:
    """json_decode: a recursive descent parser emitting the flat form eng.build reads:
    1 value, 2 array n, 3 object n (key value ...), 4 null."""

    def __init__(self, f: Failer, cfg: Config, s: bytes, out: list) -> None:
        self.f = f
        self.cfg = cfg
        self.s = s
        self.i = 0
        self.out = out
        self.depth = 0

    def run(self) -> None:
        tok = self.token()
        self.value(tok, "value")
        tok = self.token()
        if tok[0] != "T_END":
            self.fail("the end", tok)

    def fail(self, exp: str, tok: tuple) -> None:
        found = tok[1] if tok[0] == "T_ERROR" else tok[0]
        self.f.error("Expected %s but found %s at character %d" % (exp, found, tok[2] + 1))

    def token(self) -> tuple:
        s = self.s
        i = _TOKEN_RE.match(s, self.i).end()
        self.i = i
        if i >= len(s):
            return ("T_END", None, i)
        c = s[i]
        simple = {123: "T_OBJ_BEGIN", 125: "T_OBJ_END", 91: "T_ARR_BEGIN", 93: "T_ARR_END", 44: "T_COMMA",
                  58: "T_COLON"}
        if c in simple:
            self.i = i + 1
            return (simple[c], None, i)
        if c == 34:
            return self.string(i)
        for word, kind, val in ((b"true", "T_BOOLEAN", True), (b"false", "T_BOOLEAN", False),
                                (b"null", "T_NULL", None)):
            if s.startswith(word, i):
                self.i = i + len(word)
                return (kind, val, i)
        # json_next_token: '-' or a digit starts a number (refused if invalid JSON and
        # decode_invalid_numbers is off); other text that is an invalid number (+, inf,
        # nan) is read as one only when they are allowed
        invalid = _INVALID_RE.match(s, i) is not None
        if c == 45 or 48 <= c <= 57:
            if invalid and not self.cfg.invalid_decode:
                return ("T_ERROR", "invalid number", i)
        elif not (invalid and self.cfg.invalid_decode):
            return ("T_ERROR", "invalid token", i)
        m = _NUM_RE.match(s, i)
        if m is None:  # strtod read nothing
            return ("T_ERROR", "invalid number", i)
        self.i = m.end()
        return ("T_NUMBER", _strtod(m.group()), i)

    def string(self, i: int) -> tuple:
        s = self.s
        j = i + 1
        out = bytearray()
        n = len(s)
        while True:
            if j >= n:
                return ("T_ERROR", "unexpected end of string", j)
            c = s[j]
            if c == 34:
                break
            if c == 92:
                if j + 1 >= n:
                    return ("T_ERROR", "unexpected end of string", j + 1)
                e = s[j + 1]
                m = {98: 8, 102: 12, 110: 10, 114: 13, 116: 9, 34: 34, 92: 92, 47: 47}
                if e in m:
                    out.append(m[e])
                    j += 2
                    continue
                if e == 117:
                    cp, j2 = self.unicode(j)
                    if cp is None:
                        return ("T_ERROR", "invalid unicode escape code", j)  # (at the backslash)
                    out += chr(cp).encode("utf-8", "surrogatepass")
                    j = j2
                    continue
                return ("T_ERROR", "invalid escape code", j)
            out.append(c)
            j += 1
        self.i = j + 1
        return ("T_STRING", bytes(out), i)

    def unicode(self, j: int) -> tuple:
        s = self.s
        h = s[j + 2 : j + 6]
        if len(h) < 4 or not re.fullmatch(rb"[0-9a-fA-F]{4}", h):
            return None, j
        cp = int(h, 16)
        j += 6
        if 0xD800 <= cp <= 0xDBFF:
            if s[j : j + 2] != b"\\u":
                return None, j
            h2 = s[j + 2 : j + 6]
            if not re.fullmatch(rb"[0-9a-fA-F]{4}", h2):
                return None, j
            lo = int(h2, 16)
            if not 0xDC00 <= lo <= 0xDFFF:
                return None, j
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
            j += 6
        elif 0xDC00 <= cp <= 0xDFFF:
            return None, j
        return cp, j

    def value(self, tok: tuple, exp: str) -> None:
        kind = tok[0]
        out = self.out
        if kind in ("T_STRING", "T_NUMBER", "T_BOOLEAN"):
            out += (1, tok[1])
        elif kind == "T_NULL":
            out.append(4)
        elif kind == "T_OBJ_BEGIN":
            self.nest(tok)
            out += (3, 0)
            slot = len(out) - 1
            cnt = 0
            t = self.token()
            if t[0] != "T_OBJ_END":
                while True:
                    if t[0] != "T_STRING":
                        self.fail("object key string", t)
                    out += (1, t[1])
                    t = self.token()
                    if t[0] != "T_COLON":
                        self.fail("colon", t)
                    self.value(self.token(), "value")
                    cnt += 1
                    t = self.token()
                    if t[0] == "T_OBJ_END":
                        break
                    if t[0] != "T_COMMA":
                        self.fail("comma or object end", t)
                    t = self.token()
            out[slot] = cnt
            self.depth -= 1
        elif kind == "T_ARR_BEGIN":
            self.nest(tok)
            out += (2, 0)
            slot = len(out) - 1
            cnt = 0
            t = self.token()
            if t[0] != "T_ARR_END":
                while True:
                    self.value(t, "value")
                    cnt += 1
                    t = self.token()
                    if t[0] == "T_ARR_END":
                        break
                    if t[0] != "T_COMMA":
                        self.fail("comma or array end", t)
                    t = self.token()
            out[slot] = cnt
            self.depth -= 1
        else:
            self.fail(exp, tok)

    def nest(self, tok: tuple) -> None:
        self.depth += 1
        if self.depth > self.cfg.decode_max_depth:
            self.f.error("Found too many nested data structures (%d) at character %d" % (self.depth, tok[2] + 1))


def cjson_op(*args: Any) -> Any:  # kept for the bridge list
    return None
