"""The JSON document model of the ReJSON module: parsing, printing, typing, memory.

A document is plain Python: dict (insertion order kept), list, str, int (an i64 or a
u64, as serde_json keeps them), float (f64), bool and None. `Doc` holds the root (which
may be a scalar) plus the few container capacities that differ from the growth rule, so
JSON.DEBUG MEMORY can report what RedisJSON's ijson values would occupy.

Parsing follows serde_json as RedisJSON 2.8 uses it: orjson does the common case. Number
literals serde_json reads otherwise (it rounds with a fast, not always correctly rounded
algorithm; -0 and integers beyond i64/u64 become doubles) are rewritten so that orjson
reads them as serde_json does; deep nesting, text after the value, numbers out of range
and anything orjson refuses go to the exact parser below (serde_json's rules, written
here), which also gives serde_json's error texts and positions.
Printing: compact output is orjson's (the same ryu float format and escapes as
serde_json); INDENT/NEWLINE/SPACE output follows RedisJSON's formatter.
Neighbours: path.py (JSONPath), commands.py (the commands).
"""

from __future__ import annotations

import re
import sys
from typing import Any

import orjson

MAX_DEPTH = 128  # serde_json's recursion limit, as RedisJSON parses user input

_loads = orjson.loads
_orjson_dumps = orjson.dumps
# serde_json prints 1e20 where newer orjson releases print 1e+20: drop the '+' of
# exponents, outside strings only (a string is consumed whole by the first branch)
_EXP_PLUS = re.compile(rb'"(?:[^"\\]|\\.)*"|e\+')


def _fix_exp(m: Any) -> bytes:
    s = m.group(0)
    return s if s[0] == 34 else b"e"


def _dumps(v: Any) -> bytes:
    out = _orjson_dumps(v)
    if b"e+" in out:
        out = _EXP_PLUS.sub(_fix_exp, out)
    return out
_OrjsonError = orjson.JSONDecodeError


class JsonError(Exception):
    """A parse error with serde_json's text ("expected value at line 1 column 1")."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


# --- the exact parser (serde_json's grammar, positions and messages) -----------------------

_POW10 = [float("1e%d" % i) for i in range(309)]
_U64_MAX = (1 << 64) - 1
_I64_MIN = -(1 << 63)
_I32_MAX = (1 << 31) - 1
_WS = b" \n\t\r"
_NL = b"\n"
_HEX = {c: int(chr(c), 16) for c in b"0123456789abcdefABCDEF"}
_ESCAPES = {0x22: '"', 0x5C: "\\", 0x2F: "/", 0x62: "\b", 0x66: "\f", 0x6E: "\n", 0x72: "\r", 0x74: "\t"}
_PLAIN_RUN = re.compile(rb'[^"\\\x00-\x1f]*')


def f64_from_parts(positive: bool, significand: int, exponent: int) -> float | None:
    """serde_json's f64 assembly without float_roundtrip: one multiply or divide by a
    power of ten (not always correctly rounded). None for an infinite result."""
    f = float(significand)
    while True:
        if abs(exponent) <= 308:
            if exponent >= 0:
                f *= _POW10[exponent]
                if f == float("inf"):
                    return None
            else:
                f /= _POW10[-exponent]
            break
        if f == 0.0:
            break
        if exponent >= 0:
            return None
        f /= 1e308
        exponent += 308
    return f if positive else -f


class _Parser:
    """serde_json::Deserializer over a str (StrRead), building Python values."""

    __slots__ = ("b", "depth", "i", "limit", "n")

    def __init__(self, b: bytes, limit: bool) -> None:
        self.b = b
        self.n = len(b)
        self.i = 0
        self.depth = MAX_DEPTH
        self.limit = limit

    # positions: error() is at the current index, peek_error() one byte further
    def _pos(self, i: int) -> str:
        b = self.b[:i]
        nl = b.rfind(_NL)
        return f"line {b.count(_NL) + 1} column {i - nl - 1}"

    def error(self, msg: str) -> JsonError:
        return JsonError(f"{msg} at {self._pos(self.i)}")

    def peek_error(self, msg: str) -> JsonError:
        return JsonError(f"{msg} at {self._pos(min(self.n, self.i + 1))}")

    def ws(self) -> int:
        """parse_whitespace: the next non-blank byte (not consumed), -1 at the end."""
        b, i, n = self.b, self.i, self.n
        while i < n and b[i] in _WS:
            i += 1
        self.i = i
        return b[i] if i < n else -1

    def peek(self) -> int:
        return self.b[self.i] if self.i < self.n else -1

    def value(self) -> Any:
        c = self.ws()
        if c < 0:
            raise self.peek_error("EOF while parsing a value")
        if c == 0x22:
            self.i += 1
            return self.string()
        if c == 0x7B:
            return self.obj()
        if c == 0x5B:
            return self.arr()
        if c == 0x2D:
            self.i += 1
            return self.number(False)
        if 0x30 <= c <= 0x39:
            return self.number(True)
        if c == 0x6E:
            self.i += 1
            self.ident(b"ull")
            return None
        if c == 0x74:
            self.i += 1
            self.ident(b"rue")
            return True
        if c == 0x66:
            self.i += 1
            self.ident(b"alse")
            return False
        raise self.peek_error("expected value")

    def ident(self, rest: bytes) -> None:
        for ch in rest:
            if self.i >= self.n:
                raise self.error("EOF while parsing a value")
            got = self.b[self.i]
            self.i += 1
            if got != ch:
                raise self.error("expected ident")

    def _enter(self) -> None:
        if self.limit:
            self.depth -= 1
            if self.depth == 0:
                raise self.peek_error("recursion limit exceeded")

    def arr(self) -> list:
        self._enter()
        self.i += 1
        out: list = []
        first = True
        while True:
            c = self.ws()
            if c == 0x5D:
                break
            if c == 0x2C and not first:
                self.i += 1
                c = self.ws()
            elif c >= 0:
                if not first:
                    raise self.peek_error("expected `,` or `]`")
                first = False
            else:
                raise self.peek_error("EOF while parsing a list")
            if c == 0x5D:
                raise self.peek_error("trailing comma")
            if c < 0:
                raise self.peek_error("EOF while parsing a value")
            out.append(self.value())
        if self.limit:
            self.depth += 1
        self.i += 1  # end_seq: the ']' seen above
        return out

    def obj(self) -> dict:
        self._enter()
        self.i += 1
        out: dict = {}
        first = True
        while True:
            c = self.ws()
            if c == 0x7D:
                break
            if c == 0x2C and not first:
                self.i += 1
                c = self.ws()
            elif c >= 0:
                if not first:
                    raise self.peek_error("expected `,` or `}`")
                first = False
            else:
                raise self.peek_error("EOF while parsing an object")
            if c == 0x22:
                self.i += 1
                key = self.string()
            elif c == 0x7D:
                raise self.peek_error("trailing comma")
            elif c < 0:
                raise self.peek_error("EOF while parsing a value")
            else:
                raise self.peek_error("key must be a string")
            c = self.ws()
            if c == 0x3A:
                self.i += 1
            elif c >= 0:
                raise self.peek_error("expected `:`")
            else:
                raise self.peek_error("EOF while parsing an object")
            out[key] = self.value()
        if self.limit:
            self.depth += 1
        self.i += 1
        return out

    def string(self) -> str:
        b, n = self.b, self.n
        parts: list[str] = []
        while True:
            m = _PLAIN_RUN.match(b, self.i)
            j = m.end()
            if j > self.i:
                parts.append(b[self.i:j].decode("utf-8"))
            self.i = j
            if j >= n:
                raise self.error("EOF while parsing a string")
            c = b[j]
            if c == 0x22:
                self.i = j + 1
                return "".join(parts)
            if c == 0x5C:
                self.i = j + 1
                parts.append(self.escape())
            else:
                self.i = j + 1
                raise self.error("control character (\\u0000-\\u001F) found while parsing a string")

    def _next_or_eof(self) -> int:
        if self.i >= self.n:
            raise self.error("EOF while parsing a string")
        c = self.b[self.i]
        self.i += 1
        return c

    def _hex4(self) -> int:
        if self.i + 4 > self.n:
            self.i = self.n
            raise self.error("EOF while parsing a string")
        v = 0
        for _ in range(4):
            d = _HEX.get(self.b[self.i])
            self.i += 1
            if d is None:
                raise self.error("invalid escape")
            v = (v << 4) | d
        return v

    def escape(self) -> str:
        c = self._next_or_eof()
        s = _ESCAPES.get(c)
        if s is not None:
            return s
        if c != 0x75:
            raise self.error("invalid escape")
        n1 = self._hex4()
        if 0xDC00 <= n1 <= 0xDFFF:
            raise self.error("lone leading surrogate in hex escape")
        if 0xD800 <= n1 <= 0xDBFF:
            if self._next_or_eof() != 0x5C or self._next_or_eof() != 0x75:
                raise self.error("unexpected end of hex escape")
            n2 = self._hex4()
            if not 0xDC00 <= n2 <= 0xDFFF:
                raise self.error("lone leading surrogate in hex escape")
            return chr((((n1 - 0xD800) << 10) | (n2 - 0xDC00)) + 0x10000)
        return chr(n1)

    # numbers ------------------------------------------------------------------------------
    def _digit(self) -> int:
        c = self.peek()
        return c - 0x30 if 0x30 <= c <= 0x39 else -1

    def number(self, positive: bool) -> int | float:
        if self.i >= self.n:
            raise self.error("EOF while parsing a value")
        c = self.b[self.i]
        self.i += 1
        if c == 0x30:
            if self._digit() >= 0:
                raise self.peek_error("invalid number")
            return self._after_int(positive, 0)
        if not 0x31 <= c <= 0x39:
            raise self.error("invalid number")
        sig = c - 0x30
        while True:
            d = self._digit()
            if d < 0:
                return self._after_int(positive, sig)
            if sig >= _U64_MAX // 10 and (sig > _U64_MAX // 10 or d > _U64_MAX % 10):
                return self._long_integer(positive, sig)
            self.i += 1
            sig = sig * 10 + d

    def _after_int(self, positive: bool, sig: int) -> int | float:
        c = self.peek()
        if c == 0x2E:
            return self._decimal(positive, sig, 0)
        if c in (0x65, 0x45):
            return self._exponent(positive, sig, 0)
        if positive:
            return sig
        if sig == 0 or sig > 1 << 63:
            return -float(sig)
        return -sig

    def _long_integer(self, positive: bool, sig: int) -> float:
        exp = 0
        while True:
            c = self.peek()
            if 0x30 <= c <= 0x39:
                self.i += 1
                exp += 1
            elif c == 0x2E:
                return self._decimal(positive, sig, exp)
            elif c in (0x65, 0x45):
                return self._exponent(positive, sig, exp)
            else:
                return self._parts(positive, sig, exp)

    def _decimal(self, positive: bool, sig: int, exp_before: int) -> float:
        self.i += 1
        after = 0
        while True:
            d = self._digit()
            if d < 0:
                break
            if sig >= _U64_MAX // 10 and (sig > _U64_MAX // 10 or d > _U64_MAX % 10):
                while self._digit() >= 0:
                    self.i += 1
                c = self.peek()
                if c in (0x65, 0x45):
                    return self._exponent(positive, sig, exp_before + after)
                return self._parts(positive, sig, exp_before + after)
            self.i += 1
            sig = sig * 10 + d
            after -= 1
        if after == 0:
            if self.i < self.n:
                raise self.peek_error("invalid number")
            raise self.peek_error("EOF while parsing a value")
        c = self.peek()
        if c in (0x65, 0x45):
            return self._exponent(positive, sig, exp_before + after)
        return self._parts(positive, sig, exp_before + after)

    def _exponent(self, positive: bool, sig: int, start: int) -> float:
        self.i += 1
        c = self.peek()
        pos_exp = True
        if c == 0x2B:
            self.i += 1
        elif c == 0x2D:
            self.i += 1
            pos_exp = False
        if self.i >= self.n:
            raise self.error("EOF while parsing a value")
        c = self.b[self.i]
        self.i += 1
        if not 0x30 <= c <= 0x39:
            raise self.error("invalid number")
        exp = c - 0x30
        while True:
            d = self._digit()
            if d < 0:
                break
            self.i += 1
            if exp >= _I32_MAX // 10 and (exp > _I32_MAX // 10 or d > _I32_MAX % 10):
                if sig != 0 and pos_exp:
                    raise self.error("number out of range")
                while self._digit() >= 0:
                    self.i += 1
                return 0.0 if positive else -0.0
            exp = exp * 10 + d
        final = start + exp if pos_exp else start - exp
        return self._parts(positive, sig, max(-(1 << 31), min(_I32_MAX, final)))

    def _parts(self, positive: bool, sig: int, exp: int) -> float:
        f = f64_from_parts(positive, sig, exp)
        if f is None:
            raise self.error("number out of range")
        return f


def parse_exact(data: bytes, limit: bool = True, strict_end: bool = False) -> Any:
    """serde_json's reading of `data` (which must be valid UTF-8). Text after the value is
    ignored as RedisJSON's Deserializer::deserialize does, unless `strict_end`
    (serde_json::from_str) refuses it."""
    p = _Parser(data, limit)
    if limit:
        v = p.value()
    else:  # documents loaded from RDB have no depth limit: give the parser room
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 3 * data.count(b"[") + 3 * data.count(b"{") + 1000))
        try:
            v = p.value()
        finally:
            sys.setrecursionlimit(old)
    if strict_end and p.ws() >= 0:
        raise p.peek_error("trailing characters")
    return v


# --- the fast path -----------------------------------------------------------------------

# A one-pass byte map finds what orjson could read otherwise than serde_json: long digit
# runs (16+ significant digits, huge integers), exponents, "-0", and deep nesting.
_MAP = bytearray(b"x" * 256)
for _c in b"0123456789.":
    _MAP[_c] = 0x44  # D
for _c in b"eE":
    _MAP[_c] = 0x45  # E
for _c in b"[{":
    _MAP[_c] = 0x42  # B
_MAP = bytes(_MAP)
_LONG_RUN = b"D" * 17
_NEG_ZERO = re.compile(rb"-0(?![.0-9eE])").search
_NUM_OR_STR = re.compile(rb'"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?')
_NUM_PARTS = re.compile(rb"(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([-+]?[0-9]+))?\Z")


class _OutOfRange(Exception):
    pass


def _serde_number(tok: bytes) -> bytes | None:
    """The literal that orjson reads as serde_json reads `tok` (None: `tok` is fine)."""
    m = _NUM_PARTS.match(tok)
    if m is None:  # pragma: no cover - the tokenizer only finds numbers here
        raise _OutOfRange
    neg, ip, fp, ep = m.groups()
    if fp is None and ep is None:
        n = int(ip)
        if n > _U64_MAX:  # serde_json's long-integer reading (not correctly rounded)
            return repr(parse_exact(tok)).encode()
        if neg:
            if n == 0:
                return b"-0.0"
            return repr(-float(n)).encode() if n > 1 << 63 else None  # below i64: a double
        return None
    digits = ip + (fp or b"")
    if len(digits) > 19 or int(digits) > _U64_MAX or (ep is not None and len(ep.lstrip(b"+-")) > 9):
        try:  # serde_json's overflow handling: the exact parser decides
            exact = parse_exact(tok)
        except JsonError:
            raise _OutOfRange from None
    else:
        exact = f64_from_parts(not neg, int(digits), int(ep or 0) - len(fp or b""))
        if exact is None:
            raise _OutOfRange
    correct = float(tok)
    if exact == correct and (exact != 0.0 or str(exact) == str(correct)):
        return None
    return repr(exact).encode()


def _renumber(m: re.Match) -> bytes:
    tok = m.group()
    if tok[0] == 0x22:
        return tok
    alt = _serde_number(tok)
    return tok if alt is None else alt


def _serde_text(data: bytes) -> bytes | None:
    """`data` (valid JSON) with the numbers serde_json reads differently rewritten so
    that orjson reads them the same way; None when only the exact parser can tell
    (a number serde_json finds out of range)."""
    try:
        text = _NUM_OR_STR.sub(_renumber, data)
    except _OutOfRange:
        return None
    return data if text == data else text


def _too_deep(v: Any) -> bool:
    stack = [(v, 1)]
    while stack:
        x, d = stack.pop()
        if d >= MAX_DEPTH:
            return True
        if type(x) is dict:
            stack.extend((c, d + 1) for c in x.values() if type(c) in (dict, list))
        else:
            stack.extend((c, d + 1) for c in x if type(c) in (dict, list))
    return False


def _load_checked(data: bytes, v: Any, limit: bool, strict: bool) -> Any:
    """v is orjson's reading of data: fix what serde_json reads otherwise."""
    t = data.translate(_MAP)
    if _LONG_RUN in t or b"DE" in t or (b"-0" in data and _NEG_ZERO(data) is not None):
        text = _serde_text(data)
        if text is None:
            return parse_exact(data, limit, strict)
        if text is not data:
            v = _loads(text)
    if limit and (type(v) is dict or type(v) is list) and t.count(b"B") >= MAX_DEPTH and _too_deep(v):
        return parse_exact(data, limit, strict)
    return v


def loads(data: bytes, limit: bool = True) -> Any:
    """Parse user JSON as RedisJSON does; raises JsonError with serde_json's text, or
    UnicodeError for input that is not UTF-8."""
    try:
        v = _loads(data)
    except _OrjsonError:
        data.decode("utf-8")  # RedisJSON refuses non-UTF-8 before parsing
        return parse_exact(data, limit)
    return _load_checked(data, v, limit, False)


def loads_strict(data: bytes) -> Any:
    """serde_json::from_str: like loads, but text after the value is an error."""
    try:
        v = _loads(data)
    except _OrjsonError:
        data.decode("utf-8")
        return parse_exact(data, True, True)
    return _load_checked(data, v, True, True)


# --- printing ----------------------------------------------------------------------------

def dumps(v: Any) -> bytes:
    """Compact JSON as serde_json prints it."""
    try:
        return _dumps(v)
    except orjson.JSONEncodeError:  # nesting deeper than orjson's limit
        out: list[bytes] = []
        _write_deep(v, out)
        return b"".join(out)


def _write_deep(v: Any, out: list[bytes]) -> None:
    stack: list[Any] = [v]
    while stack:
        x = stack.pop()
        t = type(x)
        if t is bytes:
            out.append(x)
        elif t is dict:
            if not x:
                out.append(b"{}")
                continue
            out.append(b"{")
            items = list(x.items())
            stack.append(b"}")
            for j in range(len(items) - 1, -1, -1):
                k, c = items[j]
                stack.append(c)
                stack.append((b"," if j else b"") + _dumps(k) + b":")
        elif t is list:
            if not x:
                out.append(b"[]")
                continue
            out.append(b"[")
            stack.append(b"]")
            for j in range(len(x) - 1, -1, -1):
                stack.append(x[j])
                if j:
                    stack.append(b",")
        else:
            out.append(_dumps(x))


def dumps_pretty(v: Any, indent: bytes, newline: bytes, space: bytes) -> bytes:
    """RedisJSON's formatter: `newline` + `indent` * depth before every element and before
    a non-empty container's closing bracket; `space` after each ':'."""
    out: list[bytes] = []
    colon = b":" + space
    # (value, depth) work items; bytes are emitted as they are
    stack: list[Any] = [(v, 0)]
    while stack:
        item = stack.pop()
        if type(item) is bytes:
            out.append(item)
            continue
        x, d = item
        t = type(x)
        if t is dict:
            if not x:
                out.append(b"{}")
                continue
            out.append(b"{")
            inner = newline + indent * (d + 1)
            stack.append(newline + indent * d + b"}")
            items = list(x.items())
            for j in range(len(items) - 1, -1, -1):
                k, c = items[j]
                stack.append((c, d + 1))
                stack.append((b"," if j else b"") + inner + _dumps(k) + colon)
        elif t is list:
            if not x:
                out.append(b"[]")
                continue
            out.append(b"[")
            inner = newline + indent * (d + 1)
            stack.append(newline + indent * d + b"]")
            for j in range(len(x) - 1, -1, -1):
                stack.append((x[j], d + 1))
                stack.append((b"," if j else b"") + inner)
        else:
            out.append(_dumps(x))
    return b"".join(out)


# --- types -------------------------------------------------------------------------------

def type_name(v: Any) -> bytes:
    """JSON.TYPE's names: integers and floats are told apart."""
    t = type(v)
    if t is dict:
        return b"object"
    if t is list:
        return b"array"
    if t is str:
        return b"string"
    if t is bool:
        return b"boolean"
    if t is int:
        return b"integer"
    if t is float:
        return b"number"
    return b"null"


def clone(v: Any) -> Any:
    """A deep copy (RedisJSON clones a value it stores more than once): through orjson,
    which reads back exactly what it wrote, or step by step for very deep values."""
    t = type(v)
    if t is not dict and t is not list:
        return v
    try:
        return _loads(_dumps(v))
    except (orjson.JSONEncodeError, _OrjsonError):
        pass
    top: Any = {} if t is dict else []
    stack = [(v, top)]
    while stack:
        src, dst = stack.pop()
        if type(src) is dict:
            for k, c in src.items():
                tc = type(c)
                if tc is dict or tc is list:
                    n: Any = {} if tc is dict else []
                    stack.append((c, n))
                    dst[k] = n
                else:
                    dst[k] = c
        else:
            for c in src:
                tc = type(c)
                if tc is dict or tc is list:
                    n = {} if tc is dict else []
                    stack.append((c, n))
                    dst.append(n)
                else:
                    dst.append(c)
    return top


def values_equal(a: Any, b: Any) -> bool:
    """JSON equality as ARRINDEX uses it: integers and floats are different types."""
    ta, tb = type(a), type(b)
    if ta is not tb:
        return False
    if ta is dict:
        if len(a) != len(b):
            return False
        return all(k in b and values_equal(x, b[k]) for k, x in a.items())
    if ta is list:
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


# --- memory (ijson's layout, as JSON.DEBUG MEMORY reports it) -----------------------------

def default_capacity(n: int) -> int:
    """ijson grows a container to max(2 * capacity, needed, 4) on each push."""
    if n == 0:
        return 0
    return max(4, 1 << (n - 1).bit_length())


class Doc:
    """A JSON key's value: the root, and capacities of containers that no longer follow
    the growth rule (after pops, trims, clears, inserts, or cloned from another value).
    `caps` maps id(container) to (container, capacity); the container reference keeps
    the id stable; entries for containers gone from the document are pruned lazily."""

    __slots__ = ("caps", "root")

    def __init__(self, root: Any) -> None:
        self.root = root
        self.caps: dict[int, tuple[Any, int]] | None = None

    def capacity(self, c: Any) -> int:
        caps = self.caps
        if caps:
            e = caps.get(id(c))
            if e is not None and e[0] is c:
                return e[1]
        return default_capacity(len(c))

    def set_capacity(self, c: Any, cap: int) -> None:
        if cap == default_capacity(len(c)):
            if self.caps:
                self.caps.pop(id(c), None)
            return
        if self.caps is None:
            self.caps = {}
        self.caps[id(c)] = (c, cap)
        if len(self.caps) > 256:
            self.prune()

    def grow(self, c: Any, old_len: int, added: int) -> None:
        """Account for `added` pushes onto c (which had old_len items): each push needs
        room for one more, as IArray::push / IObject::insert reserve."""
        caps = self.caps
        if not caps or id(c) not in caps:
            return  # following the rule before, following it after
        cap = self.capacity_before(c, old_len)
        n = old_len
        for _ in range(added):
            n += 1
            if n > cap:
                cap = max(cap * 2, n, 4)
        self.set_capacity(c, cap)

    def capacity_before(self, c: Any, old_len: int) -> int:
        caps = self.caps
        if caps:
            e = caps.get(id(c))
            if e is not None and e[0] is c:
                return e[1]
        return default_capacity(old_len)

    def reserve(self, c: Any, old_len: int, additional: int) -> None:
        """IArray::reserve(additional) then the pushes (ARRINSERT)."""
        cap = self.capacity_before(c, old_len)
        need = old_len + additional
        if cap < need:
            cap = max(cap * 2, need, 4)
        self.set_capacity(c, cap)

    def touch(self, c: Any) -> None:
        """IObject::entry reserves room for one more key before it looks the key up, so
        every write through an object grows a full one."""
        n = len(c)
        caps = self.caps
        e = caps.get(id(c)) if caps else None
        if e is None or e[0] is not c:
            if n < 4 or n & (n - 1):
                return  # the growth rule leaves room
            cap = n
        else:
            cap = e[1]
        if cap < n + 1:
            self.set_capacity(c, max(cap * 2, n + 1, 4))

    def keep(self, c: Any, old_len: int) -> None:
        """c shrank (pop, trim, clear, delete): its allocation stays."""
        self.set_capacity(c, self.capacity_before(c, old_len))

    def cloned(self, v: Any) -> None:
        """v is a fresh deep clone: ijson clones containers with capacity == length."""
        stack = [v]
        while stack:
            x = stack.pop()
            t = type(x)
            if t is dict:
                self.set_capacity(x, len(x))
                stack.extend(c for c in x.values() if type(c) in (dict, list))
            elif t is list:
                self.set_capacity(x, len(x))
                stack.extend(c for c in x if type(c) in (dict, list))

    def prune(self) -> None:
        caps = self.caps
        if not caps:
            return
        live: set[int] = set()
        stack = [self.root]
        while stack:
            x = stack.pop()
            t = type(x)
            if t is dict:
                live.add(id(x))
                stack.extend(c for c in x.values() if type(c) in (dict, list))
            elif t is list:
                live.add(id(x))
                stack.extend(c for c in x if type(c) in (dict, list))
        self.caps = {k: e for k, e in caps.items() if k in live} or None

    def memory(self, v: Any) -> int:
        """ijson's get_memory_occupied for v (a value inside this document)."""
        total = 0
        stack = [v]
        cap_of = self.capacity
        while stack:
            x = stack.pop()
            total += 8
            t = type(x)
            if t is str:
                total += len(x.encode("utf-8")) if not x.isascii() else len(x)
            elif t is int:
                if not -128 <= x <= 383:
                    total += 4 if -8388608 < x <= 8388607 else 16
            elif t is float:
                total += 16
            elif t is list:
                cap = cap_of(x)
                if cap:
                    total += 8 * (cap + 2)
                    stack.extend(x)
            elif t is dict:
                cap = cap_of(x)
                if cap:
                    total += 8 * (cap * 3 + 2)
                    for k, c in x.items():
                        total += len(k.encode("utf-8")) if not k.isascii() else len(k)
                        stack.append(c)
        return total
