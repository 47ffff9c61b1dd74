"""CRC-64 (crc64.py's, Redis's) for large buffers such as whole RDB files.

crc64.py walks the bytes one table lookup per 8 bytes; for megabytes this module cuts
the buffer into many equal chunks whose CRCs numpy computes side by side, one byte
column at a time, then joins the chunk CRCs with the "advance over n zero bytes"
operator: CRC with initial value 0 and no final xor is linear over GF(2), so
crc(A||B) = shift_n(crc(A)) ^ crc(B) with n = len(B), shift_n a 64x64 bit matrix
(the crc64_combine idea), applied pairwise in a tree.
Neighbours: crc64.py (the reference loop), rdb.py (files).
"""

from __future__ import annotations

from moredis.persistence.crc64 import crc64 as crc64_loop

_BIG = 1 << 20  # below this crc64.py's loop is as fast as the numpy set-up


def _table() -> list[int]:
    return [crc64_loop(0, bytes([i])) for i in range(256)]


_TABLE = _table()


# --- GF(2) matrices: a matrix is 64 column ints; column i is the image of bit i ----------
def _mat_apply(m: list[int], v: int) -> int:
    r = 0
    i = 0
    while v:
        if v & 1:
            r ^= m[i]
        v >>= 1
        i += 1
    return r


def _mat_mul(a: list[int], b: list[int]) -> list[int]:
    return [_mat_apply(a, col) for col in b]


_ZERO_BYTE = [crc64_loop(1 << i, b"\0") for i in range(64)]
_SHIFT_CACHE: dict[int, list[int]] = {}


def shift_matrix(n: int) -> list[int]:
    """The matrix advancing a CRC register over n zero bytes (square and multiply)."""
    m = _SHIFT_CACHE.get(n)
    if m is not None:
        return m
    result: list[int] | None = None
    sq = _ZERO_BYTE
    k = n
    while k:
        if k & 1:
            result = sq if result is None else _mat_mul(sq, result)
        k >>= 1
        if k:
            sq = _mat_mul(sq, sq)
    if result is None:
        result = [1 << i for i in range(64)]
    if len(_SHIFT_CACHE) < 64:
        _SHIFT_CACHE[n] = result
    return result


def combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC of A||B from crc(A), crc(B) and len(B)."""
    if len2 == 0:
        return crc1
    return _mat_apply(shift_matrix(len2), crc1) ^ crc2


def _crc_numpy(data: bytes | bytearray | memoryview) -> int:
    import numpy as np

    n = len(data)
    chunks = 1
    while chunks < 4096 and n // (chunks * 2) >= 1024:
        chunks *= 2
    clen = n // chunks
    body = chunks * clen
    arr = np.frombuffer(data, dtype=np.uint8, count=body).reshape(chunks, clen)
    cols = np.ascontiguousarray(arr.T)
    table = np.array(_TABLE, dtype=np.uint64)
    crc = np.zeros(chunks, dtype=np.uint64)
    eight = np.uint64(8)
    ff = np.uint64(0xFF)
    for j in range(clen):
        crc = table[(crc ^ cols[j]) & ff] ^ (crc >> eight)
    seg = clen
    one = np.uint64(1)
    while len(crc) > 1:
        m = shift_matrix(seg)
        left = crc[0::2]
        acc = np.zeros_like(left)
        for i in range(64):
            acc ^= ((left >> np.uint64(i)) & one) * np.uint64(m[i])
        crc = acc ^ crc[1::2]
        seg *= 2
    value = int(crc[0])
    if body < n:
        value = crc64_loop(value, memoryview(data)[body:])
    return value


def crc64(crc: int, data: bytes | bytearray | memoryview) -> int:
    """Continue `crc` over `data`, as crc64.crc64 does."""
    n = len(data)
    if n < _BIG:
        return crc64_loop(crc, data)
    part = _crc_numpy(data)
    return combine(crc, part, n) if crc else part
