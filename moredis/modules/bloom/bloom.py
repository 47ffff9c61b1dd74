"""The scalable Bloom filter of the `bf` module, laid out the way RedisBloom lays it out.

A filter is a chain of links (`Link`): each link is a plain Bloom filter sized for its
`entries` at its `error` rate; when the newest link holds `entries` items the chain adds
a link `growth` times larger with half the error rate (RedisBloom's sb.c), unless the
chain is NONSCALING. Bits live in one bytearray per link; an item's k positions come from
two 64-bit MurmurHash64A values (a, b) as (a + i*b) mod bits, so the bit arrays, the
SCANDUMP header and chunks, and the RDB payload are the same bytes RedisBloom produces.

Neighbours: cuckoo.py (the other filter of the module), commands_bf.py (the commands),
__init__.py (type registration, persistence callbacks). No server imports here.
"""

from __future__ import annotations

import math
import struct

MASK64 = 0xFFFFFFFFFFFFFFFF
MASK32 = 0xFFFFFFFF
_M64 = 0xC6A4A7935BD1E995
_M32 = 0x5BD1E995

# bloom.h options, stored in the chain and in its dumps
OPT_NOROUND = 1
OPT_ENTS_IS_BITS = 2
OPT_FORCE64 = 4
OPT_NO_SCALING = 8
OPT_ALL = OPT_NOROUND | OPT_ENTS_IS_BITS | OPT_FORCE64 | OPT_NO_SCALING

LN2 = 0.693147180559945
LN2_SQUARED = 0.480453013918201
TIGHTENING = 0.5

# SBChain_Add results besides 1 (added) and 0 (probably present)
ADD_ERR = -1
ADD_FULL = -2

CHUNK_MAX = 16 * 1024 * 1024  # the largest SCANDUMP chunk (MAX_SCANDUMP_SIZE)

_iter_q = struct.Struct("<Q").iter_unpack
_iter_i = struct.Struct("<I").iter_unpack
_from = int.from_bytes

# --- hashing -------------------------------------------------------------------------------


def murmur64a(data: bytes, seed: int) -> int:
    """MurmurHash64A (Austin Appleby's 64-bit MurmurHash2), little-endian blocks."""
    n = len(data)
    h = (seed ^ (n * _M64)) & MASK64
    end = n & ~7
    if end:
        for (k,) in _iter_q(data[:end]):
            k = (k * _M64) & MASK64
            k = ((k ^ (k >> 47)) * _M64) & MASK64
            h = ((h ^ k) * _M64) & MASK64
    if n & 7:
        h = ((h ^ _from(data[end:], "little")) * _M64) & MASK64
    h = ((h ^ (h >> 47)) * _M64) & MASK64
    return h ^ (h >> 47)


def hash64(data: bytes) -> tuple[int, int]:
    """bloom_calc_hash64: a = MurmurHash64A(seed M), b = MurmurHash64A(seed a). The mixed
    blocks do not depend on the seed, so they are computed once for both chains; items of
    up to 15 bytes (the usual case) take a loop-free path."""
    n = len(data)
    nm = n * _M64
    if n < 16:
        rest = n & 7
        if n >= 8:
            k = (_from(data[:8], "little") * _M64) & MASK64
            k = ((k ^ (k >> 47)) * _M64) & MASK64
            h = (((_M64 ^ nm) & MASK64 ^ k) * _M64) & MASK64
            tail = _from(data[8:], "little") if rest else 0
        else:
            k = -1
            h = (_M64 ^ nm) & MASK64
            tail = _from(data, "little") if rest else 0
        if rest:
            h = ((h ^ tail) * _M64) & MASK64
        h = ((h ^ (h >> 47)) * _M64) & MASK64
        a = h ^ (h >> 47)
        h = (a ^ nm) & MASK64
        if k >= 0:
            h = ((h ^ k) * _M64) & MASK64
        if rest:
            h = ((h ^ tail) * _M64) & MASK64
        h = ((h ^ (h >> 47)) * _M64) & MASK64
        return a, h ^ (h >> 47)
    end = n & ~7
    ks = []
    for (k,) in _iter_q(data[:end]):
        k = (k * _M64) & MASK64
        ks.append(((k ^ (k >> 47)) * _M64) & MASK64)
    tail = _from(data[end:], "little") if n & 7 else -1
    h = (_M64 ^ nm) & MASK64
    for k in ks:
        h = ((h ^ k) * _M64) & MASK64
    if tail >= 0:
        h = ((h ^ tail) * _M64) & MASK64
    h = ((h ^ (h >> 47)) * _M64) & MASK64
    a = h ^ (h >> 47)
    h = (a ^ nm) & MASK64
    for k in ks:
        h = ((h ^ k) * _M64) & MASK64
    if tail >= 0:
        h = ((h ^ tail) * _M64) & MASK64
    h = ((h ^ (h >> 47)) * _M64) & MASK64
    return a, h ^ (h >> 47)


def murmur2(data: bytes, seed: int) -> int:
    """MurmurHash2, 32-bit (the hash of filters created without FORCE64)."""
    n = len(data)
    h = (seed ^ n) & MASK32
    end = n & ~3
    if end:
        for (k,) in _iter_i(data[:end]):
            k = (k * _M32) & MASK32
            k = ((k ^ (k >> 24)) * _M32) & MASK32
            h = ((h * _M32) & MASK32) ^ k
    if n & 3:
        h = ((h ^ _from(data[end:], "little")) * _M32) & MASK32
    h = ((h ^ (h >> 13)) * _M32) & MASK32
    return h ^ (h >> 15)


def hash32(data: bytes) -> tuple[int, int]:
    """bloom_calc_hash: two 32-bit MurmurHash2 values, the second seeded with the first."""
    a = murmur2(data, 0x9747B28C)
    return a, murmur2(data, a)


# --- one link --------------------------------------------------------------------------------


def calc_bpe(error: float) -> float:
    """Bits per entry for an error rate: -ln(error) / ln(2)^2."""
    return abs(-(math.log(error) / LN2_SQUARED))


class Link:
    """One Bloom filter of the chain (struct bloom plus the link's item count)."""

    __slots__ = ("bf", "bits", "bpe", "bytes", "entries", "error", "hashes", "mod", "n2", "size")

    def __init__(self) -> None:
        self.bf = bytearray()
        self.bits = 0
        self.bpe = 0.0
        self.bytes = 0
        self.entries = 0
        self.error = 0.0
        self.hashes = 0
        self.n2 = 0
        self.size = 0
        self.mod = 1

    def fix_mod(self) -> None:
        """The modulus positions are taken by: 2**n2 for power-of-two filters, else bits
        (the shift wraps at 64 as the C shift does on x86)."""
        self.mod = (1 << (self.n2 & 63)) if self.n2 > 0 else (self.bits or 1)

    def check(self, a: int, b: int) -> bool:
        bf = self.bf
        mod = self.mod
        x = a
        for _ in range(self.hashes):
            p = x % mod
            if not bf[p >> 3] & (1 << (p & 7)):
                return False
            x = (x + b) & MASK64
        return True

    def set(self, a: int, b: int) -> None:
        bf = self.bf
        mod = self.mod
        x = a
        for _ in range(self.hashes):
            p = x % mod
            bf[p >> 3] |= 1 << (p & 7)
            x = (x + b) & MASK64

    def validate(self) -> bool:
        """bloom_validate_integrity (a shift by n2 >= 64 wraps as on x86, as in the C)."""
        return not (self.error <= 0 or self.error >= 1.0
                    or (self.n2 != 0 and self.bits < (1 << (self.n2 & 63))) or self.bits == 0
                    or self.bits != self.bytes * 8 or self.hashes != math.ceil(LN2 * self.bpe))


def new_link(entries: int, error: float, options: int) -> Link | None:
    """bloom_init: None where RedisBloom refuses the parameters."""
    if entries < 1 or not error > 0 or error >= 1.0:
        return None
    ln = Link()
    ln.error = error
    ln.entries = entries
    bpe = ln.bpe = calc_bpe(error)
    if options & OPT_ENTS_IS_BITS:
        if entries > 64:
            return None
        ln.n2 = entries
        bits = 1 << entries
        ln.entries = int(bits / bpe)
    elif options & OPT_NOROUND:
        bits = int(entries * bpe)
        if bits == 0:
            bits = 1
        ln.n2 = 0
    else:
        prod = entries * bpe
        if prod == 0 or math.isinf(prod):
            return None
        bn2 = math.frexp(prod)[1] - 1  # logb
        if bn2 > 63:
            return None
        ln.n2 = bn2 + 1
        bits = 1 << ln.n2
        bitdiff = int(bits - prod) & MASK64
        ln.entries += int(bitdiff / bpe)
    nbytes = ((bits // 64) + 1) * 8 if bits % 64 else bits // 8
    ln.bytes = nbytes
    ln.bits = nbytes * 8
    ln.hashes = math.ceil(LN2 * bpe)
    ln.bf = bytearray(nbytes)
    ln.fix_mod()
    return ln


def _zero_link() -> Link:
    """What SBChain_AddLink leaves behind when bloom_init refuses a link (growth 0): an
    empty link with no hash functions, which answers "present" for everything."""
    ln = Link()
    ln.bits = 0
    ln.mod = 1
    return ln


# --- the chain ---------------------------------------------------------------------------------

_HDR = struct.Struct("<QIII")  # size, nfilters, options, growth
_LINK = struct.Struct("<QQQddIQB")  # bytes, bits, size, error, bpe, hashes, entries, n2


class SBChain:
    """A scalable Bloom filter (RedisBloom's SBChain)."""

    __slots__ = ("filters", "growth", "options", "size")

    def __init__(self) -> None:
        self.filters: list[Link] = []
        self.size = 0
        self.options = 0
        self.growth = 2

    @classmethod
    def create(cls, capacity: int, error: float, options: int, growth: int) -> SBChain | None:
        """SB_NewChain: the first link gets half the error rate unless NONSCALING."""
        if capacity <= 0 or not 0 < error < 1:
            return None
        sb = cls()
        sb.growth = growth & MASK32
        sb.options = options
        tight = 1.0 if options & OPT_NO_SCALING else TIGHTENING
        ln = new_link(capacity, error * tight, options)
        if ln is None:
            return None
        sb.filters.append(ln)
        return sb

    def _hash(self, item: bytes) -> tuple[int, int]:
        return hash64(item) if self.options & OPT_FORCE64 else hash32(item)

    def add(self, item: bytes) -> int:
        """SBChain_Add: 1 added, 0 probably present, ADD_FULL, ADD_ERR."""
        a, b = hash64(item) if self.options & OPT_FORCE64 else hash32(item)
        filters = self.filters
        for i in range(len(filters) - 1, -1, -1):
            if filters[i].check(a, b):
                return 0
        cur = filters[-1]
        if cur.size >= cur.entries:
            if self.options & OPT_NO_SCALING:
                return ADD_FULL
            ln = new_link((cur.entries * self.growth) & MASK64, cur.error * TIGHTENING, self.options)
            if ln is None:
                filters.append(_zero_link())
                return ADD_ERR
            filters.append(ln)
            cur = ln
        cur.set(a, b)
        cur.size += 1
        self.size += 1
        return 1

    def check(self, item: bytes) -> bool:
        a, b = hash64(item) if self.options & OPT_FORCE64 else hash32(item)
        filters = self.filters
        if len(filters) == 1:
            return filters[0].check(a, b)
        return any(ln.check(a, b) for ln in reversed(filters))

    # --- figures ---------------------------------------------------------------------------
    def capacity(self) -> int:
        return sum(ln.entries for ln in self.filters)

    def mem_usage(self) -> int:
        """BFMemUsage: sizeof(SBChain) + sizeof(SBLink) per link + the bit arrays."""
        return 32 + 64 * len(self.filters) + sum(ln.bytes for ln in self.filters)

    def debug_lines(self) -> list[bytes]:
        out = [b"size:%d" % self.size]
        width = 64 if self.options & OPT_FORCE64 else 32
        for ln in self.filters:
            bits = ln.bits if ln.bits else 1 << ln.n2
            out.append(b"bytes:%d bits:%d hashes:%d hashwidth:%d capacity:%d size:%d ratio:%s" % (
                ln.bytes, bits, ln.hashes, width, ln.entries, ln.size, (b"%g" % ln.error)))
        return out

    # --- SCANDUMP / LOADCHUNK ----------------------------------------------------------------
    def header(self) -> bytes:
        """SBChain_GetEncodedHeader: the packed chain header and one record per link."""
        parts = [_HDR.pack(self.size & MASK64, len(self.filters) & MASK32, self.options & MASK32,
                           self.growth & MASK32)]
        for ln in self.filters:
            parts.append(_LINK.pack(ln.bytes, ln.bits, ln.size, ln.error, ln.bpe, ln.hashes & MASK32,
                                    ln.entries & MASK64, ln.n2 & 0xFF))
        return b"".join(parts)

    def _link_at(self, it: int) -> tuple[Link, int] | None:
        """getLinkPos: the link holding byte `it - 1` of the concatenated bit arrays."""
        if it < 1:
            return None
        it -= 1
        seek = 0
        for ln in self.filters:
            if seek + ln.bytes > it:
                return ln, it - seek
            seek += ln.bytes
        return None

    def chunk(self, it: int, limit: int = CHUNK_MAX) -> tuple[int, bytes]:
        """SBChain_GetEncodedChunk: (next iterator, bytes); (0, b"") when done."""
        found = self._link_at(it)
        if found is None:
            return 0, b""
        ln, off = found
        n = min(limit, ln.bytes - off)
        return it + n, bytes(ln.bf[off:off + n])

    @classmethod
    def from_header(cls, buf: bytes) -> SBChain | None:
        """SB_NewChainFromHeader: None for anything RedisBloom calls "received bad data"."""
        if len(buf) < _HDR.size:
            return None
        size, nfilters, options, growth = _HDR.unpack_from(buf)
        if nfilters == 0 or len(buf) != _HDR.size + _LINK.size * nfilters:
            return None
        sb = cls()
        sb.size = size
        sb.options = options
        sb.growth = growth
        total = 0
        for i in range(nfilters):
            nbytes, bits, lsize, error, bpe, hashes, entries, n2 = _LINK.unpack_from(buf, _HDR.size + i * _LINK.size)
            ln = Link()
            ln.bytes, ln.bits, ln.size, ln.error, ln.bpe = nbytes, bits, lsize, error, bpe
            ln.hashes, ln.entries, ln.n2 = hashes, entries, n2
            if not ln.validate():
                return None
            ln.bf = bytearray(nbytes)
            ln.fix_mod()
            sb.filters.append(ln)
            total += lsize
        if options & ~OPT_ALL or total != size:
            return None
        return sb

    def load_chunk(self, it: int, buf: bytes) -> str | None:
        """SBChain_LoadEncodedChunk: None on success, else the error text."""
        n = len(buf)
        if it <= 0 or it < n:
            return "ERR received bad data"
        found = self._link_at(it - n)
        if found is None:
            return "ERR invalid offset - no link found"
        ln, off = found
        if n > ln.bytes - off:
            return "ERR invalid chunk - Too big for current filter"
        ln.bf[off:off + n] = buf
        return None

    # --- persistence ------------------------------------------------------------------------
    def copy(self) -> SBChain:
        sb = SBChain()
        sb.size, sb.options, sb.growth = self.size, self.options, self.growth
        for ln in self.filters:
            n = Link()
            for f in Link.__slots__:
                setattr(n, f, getattr(ln, f))
            n.bf = bytearray(ln.bf)
            sb.filters.append(n)
        return sb
