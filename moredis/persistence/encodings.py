"""Redis's compact blob formats, as they appear inside RDB files and DUMP payloads:
listpack (listpack.c: written and read), intset (intset.c: written and read), and the
legacy ziplist (ziplist.c) and zipmap (zipmap.c) that old files still hold (read only).

Decoders validate what they walk (header sizes, entry bounds, back-lengths, the end
marker) and raise EncodingError on anything malformed, so a corrupt payload is refused
rather than half understood. Elements come back as bytes; integers stored as integers
are returned as their decimal text, the form every moredis value type keeps.
Neighbours: rdb.py (the value encoders/decoders using these blobs).
"""

from __future__ import annotations

import struct

LP_HDR_SIZE = 6
LP_EOF = 0xFF
LP_HDR_NUMELE_UNKNOWN = 0xFFFF

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1

_pack_h = struct.Struct("<h").pack
_pack_i = struct.Struct("<i").pack
_pack_q = struct.Struct("<q").pack
_unpack_h = struct.Struct("<h").unpack_from
_unpack_i = struct.Struct("<i").unpack_from
_unpack_q = struct.Struct("<q").unpack_from
_unpack_I = struct.Struct("<I").unpack_from
_unpack_H = struct.Struct("<H").unpack_from


class EncodingError(ValueError):
    """A malformed listpack, ziplist, intset or zipmap blob."""


def str_to_int64(s: bytes) -> int | None:
    """string2ll's strict rules (lpStringToInt64): canonical decimal in int64, else None."""
    n = len(s)
    if not n or n > 20:
        return None
    c = s[0]
    if not (48 <= c <= 57 or c == 45):
        return None
    try:
        v = int(s)
    except ValueError:
        return None
    if b"%d" % v != s or v < _I64_MIN or v > _I64_MAX:
        return None
    return v


# --- listpack ---------------------------------------------------------------------------------

def _backlen(out: bytearray, n: int) -> None:
    """lpEncodeBacklen: the entry length, 7 bits a byte, readable from the right."""
    if n <= 127:
        out.append(n)
    elif n < 16383:
        out.append(n >> 7)
        out.append((n & 127) | 128)
    elif n < 2097151:
        out.append(n >> 14)
        out.append(((n >> 7) & 127) | 128)
        out.append((n & 127) | 128)
    elif n < 268435455:
        out.append(n >> 21)
        out.append(((n >> 14) & 127) | 128)
        out.append(((n >> 7) & 127) | 128)
        out.append((n & 127) | 128)
    else:
        out.append(n >> 28)
        out.append(((n >> 21) & 127) | 128)
        out.append(((n >> 14) & 127) | 128)
        out.append(((n >> 7) & 127) | 128)
        out.append((n & 127) | 128)


def lp_append_int(out: bytearray, v: int) -> None:
    """One integer entry with the smallest encoding (lpEncodeIntegerGetType)."""
    if 0 <= v <= 127:
        out.append(v)
        out.append(1)
    elif -4096 <= v <= 4095:
        if v < 0:
            v += 1 << 13
        out.append(0xC0 | (v >> 8))
        out.append(v & 0xFF)
        out.append(2)
    elif -32768 <= v <= 32767:
        out.append(0xF1)
        out += _pack_h(v)
        out.append(3)
    elif -8388608 <= v <= 8388607:
        out.append(0xF2)
        out += (v & 0xFFFFFF).to_bytes(3, "little")
        out.append(4)
    elif -2147483648 <= v <= 2147483647:
        out.append(0xF3)
        out += _pack_i(v)
        out.append(5)
    else:
        out.append(0xF4)
        out += _pack_q(v)
        out.append(9)


def lp_append(out: bytearray, s: bytes) -> None:
    """lpAppend of a string: stored as an integer when it is a canonical int64."""
    n = len(s)
    if n <= 20 and n:
        c = s[0]
        if 48 <= c <= 57 or c == 45:
            v = str_to_int64(s)
            if v is not None:
                lp_append_int(out, v)
                return
    if n < 64:
        out.append(0x80 | n)
        out += s
        out.append(n + 1)
    elif n < 4096:
        out.append(0xE0 | (n >> 8))
        out.append(n & 0xFF)
        out += s
        _backlen(out, n + 2)
    else:
        out.append(0xF0)
        out += n.to_bytes(4, "little")
        out += s
        _backlen(out, n + 5)


def lp_build(items: list, count: int | None = None) -> bytes:
    """A listpack holding `items` (bytes are strings or integers by content; Python
    ints are integer entries)."""
    body = bytearray(LP_HDR_SIZE)
    app = lp_append
    appi = lp_append_int
    for x in items:
        if type(x) is int:
            appi(body, x)
        else:
            app(body, x)
    body.append(LP_EOF)
    n = len(items) if count is None else count
    body[0:4] = len(body).to_bytes(4, "little")
    body[4:6] = (n if n < LP_HDR_NUMELE_UNKNOWN else LP_HDR_NUMELE_UNKNOWN).to_bytes(2, "little")
    return bytes(body)


def _lp_entries(blob: bytes, want_ints: bool) -> list:
    n = len(blob)
    if n < LP_HDR_SIZE + 1:
        raise EncodingError("listpack shorter than its header")
    total = _unpack_I(blob, 0)[0]
    if total != n:
        raise EncodingError("listpack size header mismatch")
    if blob[-1] != LP_EOF:
        raise EncodingError("listpack without its end marker")
    numele = _unpack_H(blob, 4)[0]
    out: list = []
    app = out.append
    p = LP_HDR_SIZE
    end = n - 1
    while p < end:
        start = p
        b = blob[p]
        if b < 0x80:  # 7-bit uint
            v: bytes | int = b if want_ints else b"%d" % b
            p += 1
        elif b < 0xC0:  # 6-bit string
            ln = b & 0x3F
            p += 1
            v = blob[p:p + ln]
            p += ln
        elif b < 0xE0:  # 13-bit int
            if p + 1 >= end:
                raise EncodingError("truncated listpack entry")
            iv = ((b & 0x1F) << 8) | blob[p + 1]
            if iv >= 1 << 12:
                iv -= 1 << 13
            v = iv if want_ints else b"%d" % iv
            p += 2
        elif b < 0xF0:  # 12-bit string
            if p + 1 >= end:
                raise EncodingError("truncated listpack entry")
            ln = ((b & 0x0F) << 8) | blob[p + 1]
            p += 2
            v = blob[p:p + ln]
            p += ln
        elif b == 0xF0:  # 32-bit string
            if p + 5 > end:
                raise EncodingError("truncated listpack entry")
            ln = _unpack_I(blob, p + 1)[0]
            p += 5
            v = blob[p:p + ln]
            p += ln
        elif b == 0xF1:
            if p + 3 > end:
                raise EncodingError("truncated listpack entry")
            iv = _unpack_h(blob, p + 1)[0]
            v = iv if want_ints else b"%d" % iv
            p += 3
        elif b == 0xF2:
            if p + 4 > end:
                raise EncodingError("truncated listpack entry")
            iv = int.from_bytes(blob[p + 1:p + 4], "little", signed=True)
            v = iv if want_ints else b"%d" % iv
            p += 4
        elif b == 0xF3:
            if p + 5 > end:
                raise EncodingError("truncated listpack entry")
            iv = _unpack_i(blob, p + 1)[0]
            v = iv if want_ints else b"%d" % iv
            p += 5
        elif b == 0xF4:
            if p + 9 > end:
                raise EncodingError("truncated listpack entry")
            iv = _unpack_q(blob, p + 1)[0]
            v = iv if want_ints else b"%d" % iv
            p += 9
        else:
            raise EncodingError("invalid listpack entry encoding")
        if p > end:
            raise EncodingError("listpack entry past the end")
        enc_len = p - start
        # the back-length must encode enc_len exactly
        if enc_len <= 127:
            if p >= end or blob[p] != enc_len:
                raise EncodingError("bad listpack back-length")
            p += 1
        else:
            bl = bytearray()
            _backlen(bl, enc_len)
            k = len(bl)
            if blob[p:p + k] != bl or p + k > end:
                raise EncodingError("bad listpack back-length")
            p += k
        app(v)
    if p != end:
        raise EncodingError("listpack entries overrun the end marker")
    if numele != LP_HDR_NUMELE_UNKNOWN and numele != len(out):
        raise EncodingError("listpack element count mismatch")
    return out


def lp_decode(blob: bytes) -> list[bytes]:
    """Every element of a listpack, as bytes."""
    return _lp_entries(blob, False)


def lp_decode_raw(blob: bytes) -> list:
    """Every element: Python ints for integer entries, bytes for strings."""
    return _lp_entries(blob, True)


def lp_header_ok(blob: bytes) -> bool:
    """lpValidateIntegrity's shallow check: size header and end marker."""
    return len(blob) >= LP_HDR_SIZE + 1 and _unpack_I(blob, 0)[0] == len(blob) and blob[-1] == LP_EOF


# --- intset -----------------------------------------------------------------------------------

def intset_build(values: list[int] | object) -> bytes:
    """An intset blob of sorted distinct int64 values: encoding, length, LE integers."""
    vals = list(values)  # type: ignore[call-overload]
    lo = vals[0] if vals else 0
    hi = vals[-1] if vals else 0
    if lo >= -32768 and hi <= 32767:
        enc, fmt = 2, "h"
    elif lo >= -2147483648 and hi <= 2147483647:
        enc, fmt = 4, "i"
    else:
        enc, fmt = 8, "q"
    return struct.pack("<II%d%s" % (len(vals), fmt), enc, len(vals), *vals)


def intset_decode(blob: bytes) -> list[int]:
    """intsetValidateIntegrity (deep) then the values."""
    if len(blob) < 8:
        raise EncodingError("intset shorter than its header")
    enc, count = struct.unpack_from("<II", blob, 0)
    if enc not in (2, 4, 8):
        raise EncodingError("invalid intset encoding")
    if 8 + count * enc != len(blob):
        raise EncodingError("intset size mismatch")
    if count == 0:
        raise EncodingError("empty intset")
    fmt = {2: "h", 4: "i", 8: "q"}[enc]
    vals = list(struct.unpack_from("<%d%s" % (count, fmt), blob, 8))
    prev = None
    for v in vals:
        if prev is not None and v <= prev:
            raise EncodingError("intset not sorted or with duplicates")
        prev = v
    return vals


# --- ziplist (read only) --------------------------------------------------------------------

def ziplist_decode(blob: bytes) -> list[bytes]:
    """Every element of a ziplist (ziplistValidateIntegrity deep + ziplistGet)."""
    n = len(blob)
    if n < 11:
        raise EncodingError("ziplist shorter than its header")
    zlbytes, zltail, zllen = struct.unpack_from("<IIH", blob, 0)
    if zlbytes != n or blob[-1] != 0xFF:
        raise EncodingError("ziplist size header mismatch")
    if zltail > n - 1:
        raise EncodingError("ziplist tail offset out of range")
    out: list[bytes] = []
    p = 10
    end = n - 1
    prev_len = 0
    last = -1
    while p < end:
        start = p
        b = blob[p]
        if b < 254:
            plen = b
            p += 1
        elif b == 254:
            if p + 5 > end:
                raise EncodingError("truncated ziplist entry")
            plen = _unpack_I(blob, p + 1)[0]
            p += 5
        else:
            raise EncodingError("bad ziplist prevlen")
        if plen != prev_len:
            raise EncodingError("ziplist prevlen mismatch")
        if p >= end:
            raise EncodingError("truncated ziplist entry")
        e = blob[p]
        t = e >> 6
        if t == 0:
            ln = e & 0x3F
            p += 1
            v = blob[p:p + ln]
            p += ln
        elif t == 1:
            if p + 2 > end:
                raise EncodingError("truncated ziplist entry")
            ln = ((e & 0x3F) << 8) | blob[p + 1]
            p += 2
            v = blob[p:p + ln]
            p += ln
        elif e == 0x80:
            if p + 5 > end:
                raise EncodingError("truncated ziplist entry")
            ln = int.from_bytes(blob[p + 1:p + 5], "big")
            p += 5
            v = blob[p:p + ln]
            p += ln
        elif e == 0xC0:
            v = b"%d" % _unpack_h(blob, p + 1)[0]
            p += 3
        elif e == 0xD0:
            v = b"%d" % _unpack_i(blob, p + 1)[0]
            p += 5
        elif e == 0xE0:
            v = b"%d" % _unpack_q(blob, p + 1)[0]
            p += 9
        elif e == 0xF0:
            v = b"%d" % int.from_bytes(blob[p + 1:p + 4], "little", signed=True)
            p += 4
        elif e == 0xFE:
            v = b"%d" % struct.unpack_from("<b", blob, p + 1)[0]
            p += 2
        elif 0xF1 <= e <= 0xFD:
            v = b"%d" % ((e & 0x0F) - 1)
            p += 1
        else:
            raise EncodingError("bad ziplist entry encoding")
        if p > end:
            raise EncodingError("ziplist entry past the end")
        prev_len = p - start
        last = start
        out.append(v)
    if p != end:
        raise EncodingError("ziplist entries overrun the end marker")
    if out and last != zltail:
        raise EncodingError("ziplist tail offset mismatch")
    if zllen != 0xFFFF and zllen != len(out):
        raise EncodingError("ziplist length mismatch")
    return out


# --- zipmap (read only) -----------------------------------------------------------------------

def zipmap_decode(blob: bytes) -> list[bytes]:
    """zipmapValidateIntegrity + zipmapNext: field, value, field, value ..."""
    n = len(blob)
    if n < 2 or blob[-1] != 0xFF:
        raise EncodingError("zipmap without its end marker")
    p = 1
    out: list[bytes] = []

    def length(p: int) -> tuple[int, int]:
        if p >= n - 1:
            raise EncodingError("truncated zipmap entry")
        b = blob[p]
        if b < 254:
            return b, p + 1
        if b == 254:
            if p + 5 > n - 1:
                raise EncodingError("truncated zipmap entry")
            return _unpack_I(blob, p + 1)[0], p + 5
        raise EncodingError("bad zipmap length")

    while p < n - 1:
        klen, p = length(p)
        key = blob[p:p + klen]
        p += klen
        vlen, p = length(p)
        if p >= n - 1:
            raise EncodingError("truncated zipmap entry")
        free = blob[p]
        p += 1
        val = blob[p:p + vlen]
        p += vlen + free
        if p > n - 1:
            raise EncodingError("zipmap entry past the end")
        out.append(key)
        out.append(val)
    if p != n - 1:
        raise EncodingError("zipmap entries overrun the end marker")
    count = blob[0]
    if count < 254 and count != len(out) // 2:
        raise EncodingError("zipmap length mismatch")
    return out
