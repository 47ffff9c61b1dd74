"""LZF, the compressor RDB uses for strings (liblzf's format).

Decompression is exact (any valid LZF stream). Compression emits valid LZF with a
hash-chained matcher like liblzf's; output need not be byte-identical to Redis's.
"""

from __future__ import annotations

MAX_LIT = 1 << 5
MAX_OFF = 1 << 13
MAX_REF = (1 << 8) + (1 << 3)


class LZFError(ValueError):
    pass


def decompress(data: bytes, out_len: int) -> bytes:
    out = bytearray()
    ip = 0
    n = len(data)
    while ip < n:
        ctrl = data[ip]
        ip += 1
        if ctrl < 32:
            ctrl += 1
            if ip + ctrl > n:
                raise LZFError("literal run past the end of the input")
            out += data[ip : ip + ctrl]
            ip += ctrl
        else:
            length = ctrl >> 5
            ref = len(out) - ((ctrl & 0x1F) << 8) - 1
            if length == 7:
                if ip >= n:
                    raise LZFError("truncated back reference")
                length += data[ip]
                ip += 1
            if ip >= n:
                raise LZFError("truncated back reference")
            ref -= data[ip]
            ip += 1
            length += 2
            if ref < 0:
                raise LZFError("back reference before the start of the output")
            if ref + length <= len(out):
                out += out[ref : ref + length]
            else:
                for i in range(length):
                    out.append(out[ref + i])
        if len(out) > out_len:
            raise LZFError("output longer than announced")
    if len(out) != out_len:
        raise LZFError("output length mismatch")
    return bytes(out)


def compress(data: bytes) -> bytes | None:
    """LZF-compress `data`; None when the result would not be smaller (as lzf_compress
    returning 0 with an output buffer of len-1 bytes)."""
    n = len(data)
    if n < 4:
        return None
    out = bytearray()
    table: dict[bytes, int] = {}
    lit_start = 0
    ip = 0
    limit = n - 2

    def flush_literals(end: int) -> None:
        s = lit_start
        while s < end:
            run = min(MAX_LIT, end - s)
            out.append(run - 1)
            out.extend(data[s : s + run])
            s += run

    while ip < limit:
        key = data[ip : ip + 3]
        ref = table.get(key)
        table[key] = ip
        if ref is not None and ip - ref - 1 < MAX_OFF:
            off = ip - ref - 1
            maxlen = min(MAX_REF, n - ip)
            length = 3
            while length < maxlen and data[ref + length] == data[ip + length]:
                length += 1
            flush_literals(ip)
            ln = length - 2
            if ln < 7:
                out.append((ln << 5) | (off >> 8))
            else:
                out.append((7 << 5) | (off >> 8))
                out.append(ln - 7)
            out.append(off & 0xFF)
            ip += length
            lit_start = ip
            if len(out) >= n - 1:
                return None
        else:
            ip += 1
    flush_literals(n)
    if len(out) >= n - 1:
        return None
    return bytes(out)
