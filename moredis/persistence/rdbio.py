"""RDB primitive encodings (rdb.c): lengths, strings (int-encoded, LZF), binary doubles
and floats, plus the module-value opcodes. Shared by the RDB writer/reader, DUMP/RESTORE
and the module type IO (module/datatype.py).
"""

from __future__ import annotations

import struct

from moredis.persistence import lzf

RDB_6BITLEN = 0
RDB_14BITLEN = 1
RDB_32BITLEN = 0x80
RDB_64BITLEN = 0x81
RDB_ENCVAL = 3
RDB_ENC_INT8 = 0
RDB_ENC_INT16 = 1
RDB_ENC_INT32 = 2
RDB_ENC_LZF = 3

# module value opcodes (RDB_MODULE_OPCODE_*)
MOD_EOF = 0
MOD_SINT = 1
MOD_UINT = 2
MOD_FLOAT = 3
MOD_DOUBLE = 4
MOD_STRING = 5


class RdbError(ValueError):
    """Malformed RDB data."""


def save_len(out: bytearray, n: int) -> None:
    if n < 1 << 6:
        out.append(n)
    elif n < 1 << 14:
        out.append(0x40 | (n >> 8))
        out.append(n & 0xFF)
    elif n <= 0xFFFFFFFF:
        out.append(RDB_32BITLEN)
        out += n.to_bytes(4, "big")
    else:
        out.append(RDB_64BITLEN)
        out += n.to_bytes(8, "big")


def _try_int(s: bytes) -> int | None:
    """string2ll for strings of at most 11 bytes (rdbTryIntegerEncoding's candidates)."""
    if not s or len(s) > 11:
        return None
    c = s[0]
    if not (48 <= c <= 57 or c == 45):  # neither a digit nor '-': no int() attempt
        return None
    try:
        n = int(s)
    except ValueError:
        return None
    return n if b"%d" % n == s else None


_pack_b = struct.Struct("<b").pack
_pack_h = struct.Struct("<h").pack
_pack_i = struct.Struct("<i").pack


def save_string(out: bytearray, s: bytes, compress: bool = True) -> None:
    """rdbSaveRawString: integer encodings when the text is a small integer, LZF when
    compression is on, the string is longer than 20 bytes and it shrinks by at least 4
    bytes (lzf_compress into a buffer of len-4, as rdbSaveLzfStringObject)."""
    n = len(s)
    if n <= 11 and n:
        c = s[0]
        if 48 <= c <= 57 or c == 45:
            v = _try_int(s)
            if v is not None:
                if -(1 << 7) <= v < 1 << 7:
                    out.append(0xC0 | RDB_ENC_INT8)
                    out += _pack_b(v)
                    return
                if -(1 << 15) <= v < 1 << 15:
                    out.append(0xC0 | RDB_ENC_INT16)
                    out += _pack_h(v)
                    return
                if -(1 << 31) <= v < 1 << 31:
                    out.append(0xC0 | RDB_ENC_INT32)
                    out += _pack_i(v)
                    return
    elif compress and n > 20:
        c = lzf.compress(s)
        if c is not None and len(c) <= n - 4:
            out.append(0xC0 | RDB_ENC_LZF)
            save_len(out, len(c))
            save_len(out, n)
            out += c
            return
    if n < 64:
        out.append(n)
    else:
        save_len(out, n)
    out += s


def save_int_as_string(out: bytearray, v: int) -> None:
    """rdbSaveLongLongAsStringObject."""
    if -(1 << 31) <= v < 1 << 31:
        save_string(out, b"%d" % v)
    else:
        s = b"%d" % v
        save_len(out, len(s))
        out += s


class Reader:
    """A cursor over RDB bytes with the primitive loaders."""

    __slots__ = ("buf", "pos")

    def __init__(self, buf: bytes, pos: int = 0) -> None:
        self.buf = buf
        self.pos = pos

    def read(self, n: int) -> bytes:
        p = self.pos
        if p + n > len(self.buf) or n < 0:
            raise RdbError("unexpected end of data")
        self.pos = p + n
        return self.buf[p : p + n]

    def byte(self) -> int:
        p = self.pos
        if p >= len(self.buf):
            raise RdbError("unexpected end of data")
        self.pos = p + 1
        return self.buf[p]

    def load_len(self) -> tuple[int, bool]:
        """rdbLoadLenByRef: (length, is_encoded)."""
        b = self.byte()
        t = b >> 6
        if t == RDB_ENCVAL:
            return b & 0x3F, True
        if t == RDB_6BITLEN:
            return b & 0x3F, False
        if t == RDB_14BITLEN:
            return ((b & 0x3F) << 8) | self.byte(), False
        if b == RDB_32BITLEN:
            return int.from_bytes(self.read(4), "big"), False
        if b == RDB_64BITLEN:
            return int.from_bytes(self.read(8), "big"), False
        raise RdbError(f"unknown length encoding {b}")

    def length(self) -> int:
        buf = self.buf
        p = self.pos
        if p < len(buf):
            b = buf[p]
            if b < 0x40:  # the common 6-bit length
                self.pos = p + 1
                return b
        n, enc = self.load_len()
        if enc:
            raise RdbError("encoded value where a length was expected")
        return n

    def string(self) -> bytes:
        """rdbGenericLoadStringObject: raw, integer-encoded or LZF strings."""
        buf = self.buf
        p = self.pos
        if p < len(buf):
            b = buf[p]
            if b < 0x40:  # a raw string with a 6-bit length
                e = p + 1 + b
                if e > len(buf):
                    raise RdbError("unexpected end of data")
                self.pos = e
                return buf[p + 1 : e]
        n, enc = self.load_len()
        if enc:
            if n == RDB_ENC_INT8:
                return b"%d" % struct.unpack("<b", self.read(1))[0]
            if n == RDB_ENC_INT16:
                return b"%d" % struct.unpack("<h", self.read(2))[0]
            if n == RDB_ENC_INT32:
                return b"%d" % struct.unpack("<i", self.read(4))[0]
            if n == RDB_ENC_LZF:
                clen = self.length()
                ulen = self.length()
                try:
                    return lzf.decompress(self.read(clen), ulen)
                except lzf.LZFError as e:
                    raise RdbError(f"invalid LZF data: {e}") from None
            raise RdbError(f"unknown string encoding {n}")
        return self.read(n)

    def binary_double(self) -> float:
        return struct.unpack("<d", self.read(8))[0]

    def binary_float(self) -> float:
        return struct.unpack("<f", self.read(4))[0]

    def at_end(self) -> bool:
        return self.pos >= len(self.buf)
