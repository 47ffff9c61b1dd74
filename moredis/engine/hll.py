"""HyperLogLog sketches kept in Redis's own string layout (hyperloglog.c), so a value
written here is byte-identical to Redis's after the same commands and the other way round.

Layout: "HYLL", an encoding byte (0 dense, 1 sparse), 3 unused bytes, the cached
cardinality as 8 little-endian bytes whose top bit marks it stale, then the registers.
Dense: 16384 registers of 6 bits packed as one little-endian bit stream (4 registers per
3 bytes). Sparse: opcodes ZERO 00xxxxxx (1-64 zero registers), XZERO 01xxxxxx xxxxxxxx
(1-16384 zero registers) and VAL 1vvvvvxx (1-4 registers of value 1-32).

Everything here works on plain bytes/bytearray buffers and numpy arrays of registers;
the command side (commands/hyperloglog.py) does the keyspace, replies and errors. The
sparse editor reproduces hllSparseSet step by step (its splits and its 5-opcode merge
window), because the sparse bytes depend on the order registers were set in.
"""

from __future__ import annotations

import math
import random
import re
import struct
from bisect import bisect_right
from collections.abc import Sequence

from moredis.util.lazy import numpy as np

P = 14
Q = 64 - P
REGISTERS = 1 << P
P_MASK = REGISTERS - 1
REGISTER_MAX = 63
HDR_SIZE = 16
DENSE_BYTES = REGISTERS * 6 // 8
DENSE_SIZE = HDR_SIZE + DENSE_BYTES
DENSE = 0
SPARSE = 1
MAGIC = b"HYLL"
SPARSE_VAL_MAX_VALUE = 32
SPARSE_VAL_MAX_LEN = 4
SPARSE_ZERO_MAX_LEN = 64
ALPHA_INF = 0.721347520444481703680  # 1 / (2 ln 2)
SEED = 0xADC83B19
CARD_STALE = 0x80  # set in byte 15 (the card's most significant byte) when the cache is stale

# createHLLObject: a sparse sketch whose registers are one XZERO run of 16384 zeros
EMPTY = MAGIC + bytes((SPARSE, 0, 0, 0)) + bytes(8) + bytes((0x40 | ((REGISTERS - 1) >> 8), (REGISTERS - 1) & 0xFF))

_M = 0xC6A4A7935BD1E995
_U64 = (1 << 64) - 1
_NP_M = np.uint64(_M)
_VECTOR_MIN = 48  # batches at least this big are hashed / applied with numpy
_VECTOR_WIDTH = 248  # elements shorter than this are hashed in the numpy batch
_NUMPY_PARSE_MIN = 200  # sparse bodies at least this long are decoded with numpy
_LONG_BLOCKS = 1 << 12  # elements over this many 8-byte blocks are hashed in chunks


# --- hashing (MurmurHash64A, little-endian reads) -------------------------------------------

def murmurhash64a(data: bytes, seed: int = SEED) -> int:
    n = len(data)
    h = (seed ^ (n * _M)) & _U64
    nb = n >> 3
    if nb > _LONG_BLOCKS:  # a long element: blocks mixed by numpy a chunk at a time
        for off in range(0, nb, _LONG_BLOCKS):
            ks = np.frombuffer(data, dtype="<u8", count=min(_LONG_BLOCKS, nb - off), offset=off << 3) * _NP_M
            ks ^= ks >> np.uint64(47)
            ks *= _NP_M
            for k in ks.tolist():
                h = ((h ^ k) * _M) & _U64
    elif nb:
        for k in struct.unpack_from("<%dQ" % nb, data):
            k = (k * _M) & _U64
            k ^= k >> 47
            h ^= (k * _M) & _U64
            h = (h * _M) & _U64
    if n & 7:
        h = ((h ^ int.from_bytes(data[nb << 3:], "little")) * _M) & _U64
    h ^= h >> 47
    h = (h * _M) & _U64
    return h ^ (h >> 47)


def pat_len(ele: bytes) -> tuple[int, int]:
    """hllPatLen: (register index, run length) of an element: the low P bits of the hash
    pick the register, the position of the first 1 bit above them (1-based, at most Q+1)
    is the value."""
    h = murmurhash64a(ele)
    rest = (h >> P) | (1 << Q)
    return h & P_MASK, (rest & -rest).bit_length()


def _murmur_matrix(mat: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """MurmurHash64A of many elements at once: row i of `mat` (uint64 words) holds element
    i zero-padded with at least one spare word; `lens` their byte lengths."""
    n = len(lens)
    h = np.uint64(SEED) ^ (lens.astype(np.uint64) * _NP_M)
    nblocks = lens >> 3
    for j in range(int(nblocks.max()) if n else 0):
        k = mat[:, j] * _NP_M
        k ^= k >> np.uint64(47)
        k *= _NP_M
        mixed = (h ^ k) * _NP_M
        h = np.where(nblocks > j, mixed, h)
    tail = mat[np.arange(n), nblocks]
    h = np.where((lens & 7) != 0, (h ^ tail) * _NP_M, h)
    h ^= h >> np.uint64(47)
    h *= _NP_M
    h ^= h >> np.uint64(47)
    return h


def _index_count(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = (h & np.uint64(P_MASK)).astype(np.int64)
    rest = (h >> np.uint64(P)) | np.uint64(1 << Q)
    low = rest & (~rest + np.uint64(1))
    cnt = np.frexp(low.astype(np.float64))[1].astype(np.int64)  # log2(low) + 1, exact
    return idx, cnt


def hash_elements(elems: Sequence[bytes]) -> tuple[list[int], list[int]]:
    """(indexes, counts) of every element, in order; numpy for big batches of short
    elements."""
    n = len(elems)
    if n >= _VECTOR_MIN:
        lens = np.fromiter(map(len, elems), dtype=np.int64, count=n)
        if int(lens.max()) < _VECTOR_WIDTH:
            return _hash_short(elems, lens)
        short = np.flatnonzero(lens < _VECTOR_WIDTH)
        if len(short) >= _VECTOR_MIN:  # the long ones one by one, the rest at once
            idxs, cnts = _hash_short([elems[i] for i in short.tolist()], lens[short])
            out_i = [0] * n
            out_c = [0] * n
            for j, i in enumerate(short.tolist()):
                out_i[i] = idxs[j]
                out_c[i] = cnts[j]
            for i in np.flatnonzero(lens >= _VECTOR_WIDTH).tolist():
                out_i[i], out_c[i] = pat_len(elems[i])
            return out_i, out_c
    idxs = []
    cnts = []
    for e in elems:
        i, c = pat_len(e)
        idxs.append(i)
        cnts.append(c)
    return idxs, cnts


def _hash_short(elems: Sequence[bytes], lens: np.ndarray) -> tuple[list[int], list[int]]:
    width = ((int(lens.max()) >> 3) + 1) << 3
    raw = b"".join([bytes(e).ljust(width, b"\0") for e in elems])
    mat = np.frombuffer(raw, dtype="<u8").reshape(len(elems), width >> 3)
    idx, cnt = _index_count(_murmur_matrix(mat, lens))
    return idx.tolist(), cnt.tolist()


def hash_u64(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indexes, counts) of 8-byte little-endian elements (PFSELFTEST's)."""
    mat = np.zeros((len(values), 2), dtype=np.uint64)
    mat[:, 0] = values
    return _index_count(_murmur_matrix(mat, np.full(len(values), 8, dtype=np.int64)))


# --- the value as a whole -------------------------------------------------------------------

def is_hll(v: object) -> bool:
    """isHLLObjectOrReply for a string value: header, known encoding, exact dense size."""
    t = type(v)
    if t is not bytes and t is not bytearray:
        return False  # an int-encoded string is never a HyperLogLog
    n = len(v)
    if n < HDR_SIZE or v[:4] != MAGIC:
        return False
    enc = v[4]
    return enc == SPARSE or (enc == DENSE and n == DENSE_SIZE)


# --- dense registers ------------------------------------------------------------------------

def dense_get(buf, i: int) -> int:
    bit = i * 6
    pos = HDR_SIZE + (bit >> 3)
    fb = bit & 7
    v = buf[pos] >> fb
    if fb > 2:
        v |= buf[pos + 1] << (8 - fb)
    return v & 63


def dense_set(buf: bytearray, i: int, val: int) -> None:
    bit = i * 6
    pos = HDR_SIZE + (bit >> 3)
    fb = bit & 7
    buf[pos] = ((buf[pos] & ~(63 << fb)) | (val << fb)) & 0xFF
    if fb > 2:
        fb8 = 8 - fb
        buf[pos + 1] = (buf[pos + 1] & ~(63 >> fb8)) | (val >> fb8)


def dense_registers(buf) -> np.ndarray:
    """The 16384 registers of a dense value, one byte each."""
    a = np.frombuffer(buf, dtype=np.uint8, count=DENSE_BYTES, offset=HDR_SIZE).reshape(-1, 3).astype(np.uint32)
    w = a[:, 0] | (a[:, 1] << 8) | (a[:, 2] << 16)
    out = np.empty((len(w), 4), dtype=np.uint8)
    out[:, 0] = w & 63
    out[:, 1] = (w >> 6) & 63
    out[:, 2] = (w >> 12) & 63
    out[:, 3] = w >> 18
    return out.reshape(REGISTERS)


def pack_registers(regs: np.ndarray) -> bytes:
    """hllDenseCompress: registers (each at most 63) as the dense bit stream."""
    r = regs.reshape(-1, 4).astype(np.uint32)
    w = r[:, 0] | (r[:, 1] << 6) | (r[:, 2] << 12) | (r[:, 3] << 18)
    out = np.empty((len(w), 3), dtype=np.uint8)
    out[:, 0] = w & 0xFF
    out[:, 1] = (w >> 8) & 0xFF
    out[:, 2] = w >> 16
    return out.tobytes()


def _dense_apply(buf: bytearray, idx: Sequence[int], cnt: Sequence[int], count_updates: bool = True) -> int:
    """hllDenseSet for each (index, count) in order; how many calls raised a register."""
    n = len(idx)
    if n < _VECTOR_MIN:
        updated = 0
        for i, c in zip(idx, cnt, strict=True):
            if c > dense_get(buf, i):
                dense_set(buf, i, c)
                updated += 1
        return updated
    regs = dense_registers(buf)
    ia = np.asarray(idx, dtype=np.int64)
    ca = np.asarray(cnt, dtype=np.int64)
    if not count_updates:
        new = regs.copy()
        np.maximum.at(new, ia, ca.astype(np.uint8))
        if not np.array_equal(new, regs):
            buf[HDR_SIZE:] = pack_registers(new)
        return 0
    # A call updates when its count beats the register as it stands then: the initial
    # value and every earlier count for that register. Sorted by register (stably),
    # register*64+value keys make one running maximum serve every register at once.
    order = np.argsort(ia, kind="stable")
    si = ia[order]
    key = si * 64 + ca[order]
    base = si * 64 + regs[si]
    running = np.maximum.accumulate(np.maximum(key, base))
    before = base.copy()
    np.maximum(before[1:], running[:-1], out=before[1:])
    updated = int(np.count_nonzero(key > before))
    if updated:
        last = np.empty(len(si), dtype=bool)
        last[:-1] = si[1:] != si[:-1]
        last[-1] = True
        new = regs.copy()
        new[si[last]] = running[last] - si[last] * 64
        buf[HDR_SIZE:] = pack_registers(new)
    return updated


# --- sparse decoding --------------------------------------------------------------------------

_XZERO = re.compile(rb"[\x40-\x7f](?:.|\Z)", re.S)
_SPAN1 = np.array([b + 1 if b < 0x40 else (b & 3) + 1 if b >= 0x80 else 0 for b in range(256)], dtype=np.int64)
_VAL1 = np.array([((b >> 2) & 31) + 1 if b >= 0x80 else 0 for b in range(256)], dtype=np.int64)
_XZ_FIRST = 0x40  # marks, in the decoded byte map, an XZERO's first byte ...
_XZ_SECOND = 0x41  # ... and its second (no one-byte opcode lies in 0x40-0x7f)


def _decode(buf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per byte of a sparse body: the span of the opcode starting there (0 on an XZERO's
    second byte), its value (0 for zero runs) and a map where XZERO bytes read 0x40/0x41.

    Only XZERO makes the opcode boundaries sequential; a regex walks the body left to
    right the way the opcode reader does (a match consumes an XZERO and its second
    byte), so the rest is table lookups. An XZERO cut short by the end of the string
    reads its missing byte as 0, as Redis reads the string's terminator."""
    body = bytes(buf[HDR_SIZE:])
    n = len(body)
    marked = np.frombuffer(_XZERO.sub(b"\x40\x41", body), dtype=np.uint8, count=n)
    span = _SPAN1[marked]
    val = _VAL1[marked]
    xs = np.flatnonzero(marked == _XZ_FIRST)
    if len(xs):
        a = np.frombuffer(body + b"\0", dtype=np.uint8)
        span[xs] = (((a[xs].astype(np.int64) & 63) << 8) | a[xs + 1]) + 1
    return span, val, marked


def _ops_py(buf) -> list[tuple[int, int, int]]:
    """(span, value, opcode length) of every opcode of a short sparse body."""
    out = []
    p = HDR_SIZE
    end = len(buf)
    while p < end:
        b = buf[p]
        if b < 0x40:
            out.append((b + 1, 0, 1))
            p += 1
        elif b >= 0x80:
            out.append(((b & 3) + 1, ((b >> 2) & 31) + 1, 1))
            p += 1
        else:
            out.append(((((b & 63) << 8) | (buf[p + 1] if p + 1 < end else 0)) + 1, 0, 2))
            p += 2
    return out


def sparse_histogram(buf) -> tuple[list[int], int]:
    """hllSparseRegHisto: (histogram of register values, registers covered); the sketch
    is corrupt unless exactly 16384 are covered."""
    if len(buf) - HDR_SIZE >= _NUMPY_PARSE_MIN:
        span, val, _ = _decode(buf)
        hist = np.bincount(val, weights=span, minlength=64).astype(np.int64).tolist()
        return hist, int(span.sum())
    hist = [0] * 64
    total = 0
    for span, v, _ in _ops_py(buf):
        hist[v] += span
        total += span
    return hist, total


_RUNS = [[bytes((v,)) * n for n in range(SPARSE_VAL_MAX_LEN + 1)] for v in range(SPARSE_VAL_MAX_VALUE + 1)]


def sparse_registers(buf) -> np.ndarray | None:
    """The registers of a sparse value, or None when corrupt, as hllMerge and
    hllSparseToDense read it: zero runs are counted blindly, a VAL run that would pass
    register 16383 stops the walk, and the walk must end exactly at 16384."""
    if len(buf) - HDR_SIZE >= _NUMPY_PARSE_MIN:
        span, val, _ = _decode(buf)
        if int(span.sum()) == REGISTERS:  # then no run can pass the end
            return np.repeat(val.astype(np.uint8), span)
    out = bytearray(REGISTERS)
    i = 0
    for span, v, _ in _ops_py(buf):
        if v:
            if i + span > REGISTERS:
                break
            out[i:i + span] = _RUNS[v][span]
        i += span
    if i != REGISTERS:
        return None
    return np.frombuffer(out, dtype=np.uint8)


def merge_into(regs: np.ndarray, buf) -> bool:
    """hllMerge: regs = max(regs, the value's registers); False when it is corrupt."""
    r = dense_registers(buf) if buf[4] == DENSE else sparse_registers(buf)
    if r is None:
        return False
    np.maximum(regs, r, out=regs)
    return True


def to_dense(buf: bytearray) -> bool:
    """hllSparseToDense in place: the header (magic, unused bytes, cached cardinality and
    its stale bit) is kept, the encoding byte becomes dense. False when corrupt."""
    if buf[4] == DENSE:
        return True
    regs = sparse_registers(buf)
    if regs is None:
        return False
    buf[HDR_SIZE:] = pack_registers(regs)
    buf[4] = DENSE
    return True


def decode_text(buf) -> bytes:
    """PFDEBUG DECODE: the sparse opcodes as "z:len", "Z:len" and "v:value,len"."""
    parts = []
    for span, v, oplen in _ops_py(buf):
        if v:
            parts.append(b"v:%d,%d" % (v, span))
        elif oplen == 2:
            parts.append(b"Z:%d" % span)
        else:
            parts.append(b"z:%d" % span)
    return b" ".join(parts)


# --- sparse updates ---------------------------------------------------------------------------

def _zero_run(seq: list[int], starts: list[int], first: int, n: int) -> None:
    """A run of n zero registers: ZERO when it fits in 64, XZERO otherwise."""
    if n > SPARSE_ZERO_MAX_LEN:
        seq += (0x40 | ((n - 1) >> 8), (n - 1) & 0xFF)
        starts += (first, first)
    else:
        seq.append(n - 1)
        starts.append(first)


class SparseEditor:
    """hllSparseSet over a sparse body, for one update or many in a row.

    `ops` holds the body's bytes and `starts`, for each byte, the first register its
    opcode covers (an XZERO's second byte repeats its opcode's), so the opcode holding a
    register is a bisection away and splits and merges are slice edits (index=False
    leaves `starts` to the caller). When an update needs the dense encoding, `dense`
    becomes the converted value and the editor is done.
    """

    __slots__ = ("dense", "hdr", "max_bytes", "ops", "starts")

    def __init__(self, buf, max_bytes: int, index: bool = True) -> None:
        self.hdr = bytearray(buf[:HDR_SIZE])
        self.ops = bytearray(buf[HDR_SIZE:])
        self.max_bytes = max_bytes
        self.dense: bytearray | None = None
        self.starts: list[int] | None = None
        if not index:
            return
        ops = self.ops
        n = len(ops)
        if n >= _NUMPY_PARSE_MIN:
            span, _val, marked = _decode(buf)
            first = np.cumsum(span) - span
            second = np.flatnonzero(marked == _XZ_SECOND)
            first[second] = first[second - 1]
            self.starts = first.tolist()
            return
        starts = []
        first = 0
        p = 0
        while p < n:
            b = ops[p]
            if b < 0x40:
                starts.append(first)
                first += b + 1
                p += 1
            elif b >= 0x80:
                starts.append(first)
                first += (b & 3) + 1
                p += 1
            elif p + 1 < n:
                starts += (first, first)
                first += (((b & 63) << 8) | ops[p + 1]) + 1
                p += 2
            else:
                starts.append(first)
                first += ((b & 63) << 8) + 1
                p += 2
        self.starts = starts

    def value(self) -> bytes:
        """The sparse value as it stands (header included)."""
        return bytes(self.hdr) + self.ops

    def set(self, index: int, count: int) -> int:
        """hllSparseSet: 1 when the register grew, 0 when not, -1 when the value is
        corrupt (the register is not covered, or promotion found it broken)."""
        if count > SPARSE_VAL_MAX_VALUE:
            return self.promote(index, count)
        ops = self.ops
        starts = self.starts
        k = bisect_right(starts, index) - 1
        if k < 0:
            return -1
        if k and starts[k - 1] == starts[k]:
            k -= 1  # the second byte of an XZERO
        b = ops[k]
        if b < 0x40:
            span = b + 1
        elif b >= 0x80:
            span = (b & 3) + 1
        else:
            span = (((b & 63) << 8) | (ops[k + 1] if k + 1 < len(ops) else 0)) + 1
        first = starts[k]
        if index > first + span - 1:
            return -1  # ran off the end: fewer than index+1 registers described
        prev = k - 1  # the opcode before: where the merge pass starts
        if prev > 0 and starts[prev - 1] == starts[prev]:
            prev -= 1
        if b >= 0x80:
            if ((b >> 2) & 31) + 1 >= count:
                return 0
            if span == 1:
                ops[k] = 0x80 | ((count - 1) << 2)
                self._merge(prev)
                return 1
        elif b < 0x40 and span == 1:
            ops[k] = 0x80 | ((count - 1) << 2)
            self._merge(prev)
            return 1
        # general case: split the run around the register
        last = first + span - 1
        seq: list[int] = []
        sst: list[int] = []
        if b < 0x80:
            if index != first:
                _zero_run(seq, sst, first, index - first)
            seq.append(0x80 | ((count - 1) << 2))
            sst.append(index)
            if index != last:
                _zero_run(seq, sst, index + 1, last - index)
        else:
            cur = b & 0xFC
            if index != first:
                seq.append(cur | (index - first - 1))
                sst.append(first)
            seq.append(0x80 | ((count - 1) << 2))
            sst.append(index)
            if index != last:
                seq.append(cur | (last - index - 1))
                sst.append(index + 1)
        n = len(ops)
        xzero = 0x40 <= b < 0x80
        oldlen = 2 if xzero else 1
        delta = len(seq) - oldlen
        if delta > 0 and HDR_SIZE + n + delta > self.max_bytes:
            return self.promote(index, count)
        if xzero and k + 1 >= n:
            # an XZERO missing its second byte: Redis copies the whole sequence but the
            # string only grows by the computed delta, so the last byte falls off
            ops[k:] = seq[:-1]
            starts[k:] = sst[:-1]
        else:
            ops[k:k + oldlen] = seq
            starts[k:k + oldlen] = sst
        self._merge(prev)
        return 1

    def _merge(self, prev: int) -> None:
        """Step 4 of hllSparseSet: from the opcode before the one changed, look at up to
        5 opcodes and fuse adjacent VALs of equal value whose lengths add up to <= 4.
        Also marks the cached cardinality stale, as hllSparseSet does on update."""
        ops = self.ops
        starts = self.starts
        p = prev if prev >= 0 else 0
        end = len(ops)
        scan = 5
        while p < end and scan:
            scan -= 1
            b = ops[p]
            if b < 0x80:
                p += 2 if b >= 0x40 else 1
                continue
            if p + 1 < end:
                b2 = ops[p + 1]
                if b2 >= 0x80 and not (b ^ b2) & 0x7C:
                    n = (b & 3) + (b2 & 3) + 2
                    if n <= SPARSE_VAL_MAX_LEN:
                        ops[p] = (b & 0xFC) | (n - 1)
                        del ops[p + 1]
                        del starts[p + 1]
                        end -= 1
                        continue
            p += 1
        self.hdr[15] |= CARD_STALE

    def promote(self, index: int, count: int) -> int:
        """The promote path of hllSparseSet: convert to dense, then set the register."""
        dense = bytearray(self.value())
        if not to_dense(dense):
            return -1
        if count > dense_get(dense, index):
            dense_set(dense, index, count)
        self.dense = dense
        return 1


# Opcode indexes (SparseEditor.starts) of the last few sparse values edited, so a run of
# single-element PFADDs to the same keys does not decode whole bodies every time. An
# entry serves only while its value still holds the exact body it was built from, so
# writes by other commands (SETRANGE, APPEND, SET ...) cannot make it lie; it is taken
# out while in use and put back after a successful store.
_INDEX_CACHE: dict[int, tuple[bytearray, bytes, list[int]]] = {}
_INDEX_CACHE_SIZE = 8
_INDEX_CACHE_MIN = 40  # bodies shorter than this are quicker to decode again


def _editor(buf: bytearray, max_bytes: int) -> SparseEditor:
    hit = _INDEX_CACHE.pop(id(buf), None)
    if hit is not None and hit[0] is buf and hit[1] == buf[HDR_SIZE:]:
        ed = SparseEditor(buf, max_bytes, index=False)
        ed.starts = hit[2]
        return ed
    return SparseEditor(buf, max_bytes)


def _store(buf: bytearray, ed: SparseEditor) -> None:
    """Write the editor's value into buf (in place) and remember its index."""
    if ed.dense is not None:
        buf[:] = ed.dense
        _INDEX_CACHE.pop(id(buf), None)
        return
    body = bytes(ed.ops)
    buf[:] = ed.hdr + body
    if len(body) >= _INDEX_CACHE_MIN and ed.starts is not None:
        cache = _INDEX_CACHE
        if len(cache) >= _INDEX_CACHE_SIZE:
            del cache[next(iter(cache))]
        cache[id(buf)] = (buf, body, ed.starts)


def sparse_set(buf: bytearray, index: int, count: int, max_bytes: int) -> int:
    """hllSparseSet of one register, in place (buf may turn dense); see SparseEditor."""
    if count > SPARSE_VAL_MAX_VALUE:
        ed = SparseEditor(buf, max_bytes, index=False)
        r = ed.promote(index, count)
    else:
        ed = _editor(buf, max_bytes)
        r = ed.set(index, count)
    if r >= 0:
        _store(buf, ed)
    return r


def add_hashed(buf: bytearray, idx: Sequence[int], cnt: Sequence[int], max_bytes: int) -> tuple[int, bool]:
    """hllAdd for each (index, count) in order, changing buf in place (it may turn dense).
    Returns (how many calls changed a register, False when the value proved corrupt —
    the changes made before that are kept, as in Redis)."""
    if buf[4] == DENSE:
        return _dense_apply(buf, idx, cnt), True
    n = len(idx)
    if n == 1:
        r = sparse_set(buf, idx[0], cnt[0], max_bytes)
        return max(r, 0), r >= 0
    ed = _editor(buf, max_bytes)
    updated = 0
    j = 0
    while j < n:
        r = ed.set(idx[j], cnt[j])
        j += 1
        if r > 0:
            updated += 1
            if ed.dense is not None:
                break
        elif r < 0:
            _store(buf, ed)
            return updated, False
    _store(buf, ed)
    if j < n and ed.dense is not None:
        updated += _dense_apply(buf, idx[j:], cnt[j:])
    return updated, True


def add_elements(buf: bytearray, elems: Sequence[bytes], max_bytes: int) -> tuple[int, bool]:
    """PFADD's loop: hash every element and add it (see add_hashed)."""
    if len(elems) == 1:
        i, c = pat_len(elems[0])
        if buf[4] == DENSE:
            if c > dense_get(buf, i):
                dense_set(buf, i, c)
                return 1, True
            return 0, True
        r = sparse_set(buf, i, c, max_bytes)
        return max(r, 0), r >= 0
    idx, cnt = hash_elements(elems)
    return add_hashed(buf, idx, cnt, max_bytes)


def set_registers(buf: bytearray, regs: np.ndarray, max_bytes: int) -> None:
    """PFMERGE into a sparse value: hllSparseSet for every non-zero register in index
    order (hllDenseSet once a set turned the value dense), in place."""
    nz = np.flatnonzero(regs)
    idx = nz.tolist()
    vals = regs[nz].tolist()
    ed = _editor(buf, max_bytes)
    for j in range(len(idx)):
        ed.set(idx[j], vals[j])
        if ed.dense is not None:
            _store(buf, ed)
            rest = nz[j + 1:]
            if len(rest):
                cur = dense_registers(buf)
                cur[rest] = np.maximum(cur[rest], regs[rest])
                buf[HDR_SIZE:] = pack_registers(cur)
            return
    _store(buf, ed)


# --- counting -------------------------------------------------------------------------------

def _tau(x: float) -> float:
    if x == 0.0 or x == 1.0:
        return 0.0
    y = 1.0
    z = 1 - x
    while True:
        x = math.sqrt(x)
        zp = z
        y *= 0.5
        z -= (1 - x) ** 2 * y
        if zp == z:
            return z / 3


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        zp = z
        z += x * y
        y += y
        if zp == z:
            return z


def estimate(hist: Sequence[int]) -> int:
    """hllCount's estimator (Ertl's improved raw estimator with the tau/sigma
    corrections), as the uint64 Redis computes: llroundl overflowing (an infinite or
    too large estimate, from registers that no real hash produces) gives 2**63."""
    m = float(REGISTERS)
    z = m * _tau((m - hist[Q + 1]) / m)
    for j in range(Q, 0, -1):
        z += hist[j]
        z *= 0.5
    z += m * _sigma(hist[0] / m)
    if z == 0.0:
        return 1 << 63
    e = ALPHA_INF * m * m / z
    if e != e or e >= 9223372036854775808.0:
        return 1 << 63
    r = math.floor(e)
    if e - r >= 0.5:
        r += 1
    return r


def histogram(regs: np.ndarray) -> list[int]:
    return np.bincount(regs, minlength=64).tolist()


def count(buf) -> int | None:
    """hllCount of one value (dense or sparse); None when a sparse body is corrupt."""
    if buf[4] == DENSE:
        return estimate(histogram(dense_registers(buf)))
    hist, total = sparse_histogram(buf)
    if total != REGISTERS:
        return None
    return estimate(hist)


def as_signed(card: int) -> int:
    """The uint64 cardinality as addReplyLongLong sends it."""
    return card - (1 << 64) if card >= 1 << 63 else card


# --- PFSELFTEST -----------------------------------------------------------------------------

TEST_CYCLES = 1000
_SCALAR_CYCLES = 2  # cycles that go through dense_set/dense_get one register at a time


def selftest(max_bytes: int, rng: random.Random | None = None, elements: int = 10_000_000) -> str | None:
    """pfselftestCommand's checks; the error text of the first failure, or None.

    1. Register access: random values written and read back, both one register at a
       time (dense_set/dense_get) and through the bulk pack/unpack used for merges.
    2. Estimation error: the same pseudo-random 8-byte elements go into a dense sketch
       and into one that starts sparse; at 1, 10, ... `elements` both must agree, the
       sparse one must still be sparse while small, and the error must stay within
       6 standard errors (1 at cardinality 10)."""
    rng = rng or random.Random()
    nprng = np.random.default_rng(rng.getrandbits(64))
    buf = bytearray(DENSE_SIZE)
    for cycle in range(TEST_CYCLES):
        vals = nprng.integers(0, REGISTER_MAX + 1, REGISTERS, dtype=np.uint8)
        if cycle < _SCALAR_CYCLES:
            for i, v in enumerate(vals.tolist()):
                dense_set(buf, i, v)
            got = np.fromiter((dense_get(buf, i) for i in range(REGISTERS)), dtype=np.uint8, count=REGISTERS)
            if np.array_equal(got, vals):
                got = dense_registers(buf)
        else:
            buf[HDR_SIZE:] = pack_registers(vals)
            got = dense_registers(buf)
        bad = np.flatnonzero(got != vals)
        if len(bad):
            i = int(bad[0])
            return "TESTFAILED Register %d should be %d but is %d" % (i, vals[i], got[i])

    dense = bytearray(DENSE_SIZE)  # header all zero: the dense encoding
    sparse = bytearray(EMPTY)
    relerr = 1.04 / math.sqrt(REGISTERS)
    seed = np.uint64(rng.getrandbits(64))
    j = 1
    checkpoint = 1
    chunk = 1 << 20
    while checkpoint <= elements:
        while j <= checkpoint:
            hi = min(checkpoint, j + chunk - 1)
            idx, cnt = hash_u64(np.arange(j, hi + 1, dtype=np.uint64) ^ seed)
            _dense_apply(dense, idx, cnt, count_updates=False)
            if sparse[4] == SPARSE:
                add_hashed(sparse, idx.tolist(), cnt.tolist(), max_bytes)
            else:
                _dense_apply(sparse, idx, cnt, count_updates=False)
            j = hi + 1
        if checkpoint < max_bytes // 2 and sparse[4] != SPARSE:
            return "TESTFAILED sparse encoding not used"
        card = count(dense)
        if card != count(sparse):
            return "TESTFAILED dense/sparse disagree"
        maxerr = 1 if checkpoint == 10 else math.ceil(relerr * 6 * checkpoint)
        abserr = abs(checkpoint - card)
        if abserr > maxerr:
            return "TESTFAILED Too big error. card:%d abserr:%d" % (checkpoint, abserr)
        checkpoint *= 10
    return None
