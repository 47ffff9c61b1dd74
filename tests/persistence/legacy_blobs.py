"""Builders for the legacy blobs old RDB files hold (ziplist, zipmap), written from the
formats' descriptions, for tests that check moredis and Redis load them alike."""

from __future__ import annotations

import struct


def _zl_encode(e: bytes | int) -> bytes:
    if isinstance(e, int):
        v = e
        if 0 <= v <= 12:
            return bytes([0xF1 + v])
        if -128 <= v <= 127:
            return b"\xfe" + struct.pack("<b", v)
        if -32768 <= v <= 32767:
            return b"\xc0" + struct.pack("<h", v)
        if -(1 << 23) <= v < (1 << 23):
            return b"\xf0" + (v & 0xFFFFFF).to_bytes(3, "little")
        if -(1 << 31) <= v < (1 << 31):
            return b"\xd0" + struct.pack("<i", v)
        return b"\xe0" + struct.pack("<q", v)
    n = len(e)
    if n <= 63:
        return bytes([n]) + e
    if n <= 16383:
        return bytes([0x40 | (n >> 8), n & 0xFF]) + e
    return b"\x80" + n.to_bytes(4, "big") + e


def ziplist(items: list[bytes | int]) -> bytes:
    body = bytearray()
    prev = 0
    tail = 10
    for it in items:
        tail = 10 + len(body)
        pl = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)
        entry = pl + _zl_encode(it)
        body += entry
        prev = len(entry)
    total = 10 + len(body) + 1
    return struct.pack("<IIH", total, tail, len(items)) + bytes(body) + b"\xff"


def zipmap(pairs: list[tuple[bytes, bytes]], free: int = 0) -> bytes:
    def ln(n: int) -> bytes:
        return bytes([n]) if n < 254 else b"\xfe" + struct.pack("<I", n)

    out = bytearray([len(pairs) if len(pairs) < 254 else 254])
    for k, v in pairs:
        out += ln(len(k)) + k + ln(len(v)) + bytes([free]) + v + b"\0" * free
    out.append(0xFF)
    return bytes(out)
