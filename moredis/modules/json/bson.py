"""FORMAT BSON for JSON.SET/JSON.MERGE: the value is a BSON document whose first element
becomes the JSON value, converted to relaxed Extended JSON as the bson crate does it
({"$oid": ...}, {"$date": "RFC 3339"}, {"$binary": {...}} ...); an empty document is
null. Errors use the bson crate's words for the malformed inputs seen in practice.
Neighbours: document.py (the JSON values), commands.py.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import struct
from typing import Any


class BsonError(Exception):
    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


_EOF = "failed to fill whole buffer"


class _Reader:
    __slots__ = ("b", "end", "i")

    def __init__(self, b: bytes, i: int, end: int) -> None:
        self.b = b
        self.i = i
        self.end = end

    def take(self, n: int) -> bytes:
        if self.i + n > self.end:
            raise BsonError(_EOF)
        out = self.b[self.i:self.i + n]
        self.i += n
        return out

    def i32(self) -> int:
        return struct.unpack("<i", self.take(4))[0]

    def cstring(self) -> str:
        j = self.b.find(b"\x00", self.i, self.end)
        if j < 0:
            raise BsonError("unexpected end of file")
        s = self.b[self.i:j]
        self.i = j + 1
        return s.decode("utf-8", "replace")

    def string(self) -> str:
        n = self.i32()
        if n < 1:
            raise BsonError(f"invalid length {n}, expected UTF-8 string must have at least 1 byte")
        if self.i + n > self.end:
            raise BsonError("unexpected end of file")
        raw = self.take(n)
        if raw[-1] != 0:
            raise BsonError("string was not null-terminated")
        return raw[:-1].decode("utf-8", "replace")


def _document(r: _Reader, as_array: bool = False) -> Any:
    start = r.i
    n = r.i32()
    if n < 5:
        raise BsonError(f"invalid length {n}, expected document length must be at least 5")
    end = start + n
    if end > r.end:
        raise BsonError(_EOF)
    inner = _Reader(r.b, r.i, end)
    items: list[tuple[str, Any]] = []
    while True:
        t = inner.take(1)[0]
        if t == 0:
            if inner.i != end:
                raise BsonError(f"got null byte but still have length {end - inner.i} remaining")
            break
        key = inner.cstring()
        items.append((key, _element(inner, t)))
    r.i = end
    if as_array:
        return [v for _k, v in items]
    return dict(items)


def _rfc3339(ms: int) -> str:
    t = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(milliseconds=ms)
    frac = f"{ms % 1000:03d}".rstrip("0")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def _decimal128(raw: bytes) -> str:
    """IEEE 754-2008 decimal128 (binary integer significand) as the decimal spec prints it."""
    n = int.from_bytes(raw, "little")
    sign = n >> 127
    if (n >> 122) & 0x1F == 0x1F:
        return "NaN"
    if (n >> 122) & 0x1F == 0x1E:
        return "-Infinity" if sign else "Infinity"
    if (n >> 125) & 3 == 3:  # the large-coefficient form: never canonical, reads as 0
        exp = ((n >> 111) & 0x3FFF) - 6176
        coef = 0
    else:
        exp = ((n >> 113) & 0x3FFF) - 6176
        coef = n & ((1 << 113) - 1)
        if coef > 10**34 - 1:
            coef = 0
    return str(decimal.Decimal((sign, tuple(int(c) for c in str(coef)), exp)))


def _element(r: _Reader, t: int) -> Any:
    if t == 0x01:
        v = struct.unpack("<d", r.take(8))[0]
        if v != v:
            return {"$numberDouble": "NaN"}
        if v in (float("inf"), float("-inf")):
            return {"$numberDouble": "Infinity" if v > 0 else "-Infinity"}
        return v
    if t == 0x02:
        return r.string()
    if t == 0x03:
        return _document(r)
    if t == 0x04:
        return _document(r, True)
    if t == 0x05:
        n = r.i32()
        sub = r.take(1)[0]
        data = r.take(n)
        return {"$binary": {"base64": base64.b64encode(data).decode(), "subType": f"{sub:02x}"}}
    if t == 0x06:
        return {"$undefined": True}
    if t == 0x07:
        return {"$oid": r.take(12).hex()}
    if t == 0x08:
        b = r.take(1)[0]
        if b > 1:
            raise BsonError(f"invalid value: integer `{b}`, expected boolean must be stored as 0 or 1")
        return bool(b)
    if t == 0x09:
        ms = struct.unpack("<q", r.take(8))[0]
        if 0 <= ms < 253402300800000:  # up to year 9999: the relaxed form
            return {"$date": _rfc3339(ms)}
        return {"$date": {"$numberLong": str(ms)}}
    if t == 0x0A:
        return None
    if t == 0x0B:
        pattern = r.cstring()
        options = "".join(sorted(r.cstring()))
        return {"$regularExpression": {"pattern": pattern, "options": options}}
    if t == 0x0C:
        ns = r.string()
        oid = r.take(12).hex()
        return {"$dbPointer": {"$ref": ns, "$id": {"$oid": oid}}}
    if t == 0x0D:
        return {"$code": r.string()}
    if t == 0x0E:
        return {"$symbol": r.string()}
    if t == 0x0F:
        r.i32()
        code = r.string()
        return {"$code": code, "$scope": _document(r)}
    if t == 0x10:
        return r.i32()
    if t == 0x11:
        inc, ts = struct.unpack("<II", r.take(8))
        return {"$timestamp": {"t": ts, "i": inc}}
    if t == 0x12:
        return struct.unpack("<q", r.take(8))[0]
    if t == 0x13:
        return {"$numberDecimal": _decimal128(r.take(16))}
    if t == 0xFF:
        return {"$minKey": 1}
    if t == 0x7F:
        return {"$maxKey": 1}
    raise BsonError(f"invalid element type: {t}")


def first_value(data: bytes) -> Any:
    """The JSON value of the document's first element (None for an empty document)."""
    if len(data) < 4:
        raise BsonError(_EOF)
    r = _Reader(data, 0, len(data))
    n = struct.unpack("<i", data[:4])[0]
    if n >= 5 and n > len(data):
        raise BsonError(_EOF)
    doc = _document(r)
    return next(iter(doc.values()), None)
