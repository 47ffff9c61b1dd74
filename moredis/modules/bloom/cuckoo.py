"""The cuckoo filter of the `bf` module, laid out the way RedisBloom lays it out.

Items are reduced to a 64-bit MurmurHash64A (seed 0); the 8-bit fingerprint is
hash % 255 + 1 (0 marks an empty slot), the first bucket is hash % buckets and the
alternate one (index ^ fp * 0x5bd1e995) % buckets. A filter is a list of sub-filters,
each `buckets * bucket_size` fingerprint bytes in one bytearray; when the newest cannot
take an item after MAXITERATIONS evictions a sub-filter `expansion` times larger is
added. Deletion, counting, compaction and the SCANDUMP chunks follow RedisBloom's
cuckoo.c/cf.c so the bytes match the reference's.

Neighbours: bloom.py (MurmurHash64A), commands_cf.py (the commands), __init__.py.
"""

from __future__ import annotations

import struct

from moredis.modules.bloom.bloom import CHUNK_MAX, MASK64, murmur64a

ALT_MUL = 0x5BD1E995
MAX_EXPANSIONS = 32  # CFMaxExpansions

INSERTED = 1
EXISTS = 0
NOSPACE = -1

_HDR = struct.Struct("<QQQQHHH")  # items, buckets, deletes, filters, bucket size, max iterations, expansion


def cuckoo_hash(item: bytes) -> int:
    return murmur64a(item, 0)


def next_pow2(n: int) -> int:
    """getNextN2 on a uint64 (0 stays 0)."""
    n = (n - 1) & MASK64
    n |= n >> 1
    n |= n >> 2
    n |= n >> 4
    n |= n >> 8
    n |= n >> 16
    n |= n >> 32
    return (n + 1) & MASK64


class SubCF:
    """One sub-filter: `buckets` buckets of `bucket_size` one-byte fingerprints."""

    __slots__ = ("buckets", "data")

    def __init__(self, buckets: int, bucket_size: int, data: bytearray | None = None) -> None:
        self.buckets = buckets
        self.data = data if data is not None else bytearray(buckets * bucket_size)


class CuckooFilter:
    __slots__ = ("bucket_size", "deletes", "expansion", "filters", "items", "max_iterations", "num_buckets")

    def __init__(self) -> None:
        self.num_buckets = 0
        self.items = 0
        self.deletes = 0
        self.bucket_size = 2
        self.max_iterations = 20
        self.expansion = 1
        self.filters: list[SubCF] = []

    @classmethod
    def create(cls, capacity: int, bucket_size: int = 2, max_iterations: int = 20,
               expansion: int = 1) -> CuckooFilter:
        """CuckooFilter_Init."""
        cf = cls()
        cf.expansion = next_pow2(expansion) & 0xFFFF
        cf.bucket_size = bucket_size
        cf.max_iterations = max_iterations
        cf.num_buckets = next_pow2(capacity // bucket_size) or 1
        cf._grow()
        return cf

    def _grow(self) -> None:
        growth = self.expansion ** len(self.filters)
        self.filters.append(SubCF(self.num_buckets * growth, self.bucket_size))

    # --- lookups ------------------------------------------------------------------------------
    def _find(self, fp: int, h1: int, h2: int) -> bool:
        bs = self.bucket_size
        for f in self.filters:
            data = f.data
            nb = f.buckets
            i = (h1 % nb) * bs
            if data.find(fp, i, i + bs) >= 0:
                return True
            i = (h2 % nb) * bs
            if data.find(fp, i, i + bs) >= 0:
                return True
        return False

    def check(self, h: int) -> bool:
        fp = h % 255 + 1
        return self._find(fp, h, h ^ (fp * ALT_MUL))

    def count(self, h: int) -> int:
        """CuckooFilter_Count: matches in both candidate buckets of every sub-filter (a
        bucket that is both candidates counts twice, as in RedisBloom)."""
        fp = h % 255 + 1
        h2 = h ^ (fp * ALT_MUL)
        bs = self.bucket_size
        n = 0
        for f in self.filters:
            data = f.data
            i = (h % f.buckets) * bs
            n += data[i:i + bs].count(fp)
            i = (h2 % f.buckets) * bs
            n += data[i:i + bs].count(fp)
        return n

    # --- insertion -----------------------------------------------------------------------------
    @staticmethod
    def _free_slot(f: SubCF, bs: int, h1: int, h2: int) -> int:
        data = f.data
        i = (h1 % f.buckets) * bs
        j = data.find(0, i, i + bs)
        if j >= 0:
            return j
        i = (h2 % f.buckets) * bs
        return data.find(0, i, i + bs)

    def insert(self, h: int) -> int:
        fp = h % 255 + 1
        return self._insert_fp(fp, h, h ^ (fp * ALT_MUL))

    def insert_unique(self, h: int) -> int:
        fp = h % 255 + 1
        h2 = h ^ (fp * ALT_MUL)
        if self._find(fp, h, h2):
            return EXISTS
        return self._insert_fp(fp, h, h2)

    def _insert_fp(self, fp: int, h1: int, h2: int) -> int:
        """CuckooFilter_InsertFP: a free slot in any sub-filter (newest first), else evict
        in the newest, else grow (unless EXPANSION 0) and try again."""
        bs = self.bucket_size
        while True:
            for f in reversed(self.filters):
                j = self._free_slot(f, bs, h1, h2)
                if j >= 0:
                    f.data[j] = fp
                    self.items += 1
                    return INSERTED
            if self._ko_insert(self.filters[-1], fp, h1):
                self.items += 1
                return INSERTED
            if self.expansion == 0:
                return NOSPACE
            self._grow()

    def _ko_insert(self, f: SubCF, fp: int, h1: int) -> bool:
        """Filter_KOInsert: kick fingerprints along their alternate buckets; on failure
        walk the same path back so the filter is left as it was."""
        nb = f.buckets
        bs = self.bucket_size
        data = f.data
        victim = 0
        ii = h1 % nb
        for _ in range(self.max_iterations):
            pos = ii * bs + victim
            data[pos], fp = fp, data[pos]
            ii = ((ii ^ (fp * ALT_MUL)) & MASK64) % nb
            start = ii * bs
            j = data.find(0, start, start + bs)
            if j >= 0:
                data[j] = fp
                return True
            victim = (victim + 1) % bs
        for _ in range(self.max_iterations):
            victim = (victim + bs - 1) % bs
            ii = ((ii ^ (fp * ALT_MUL)) & MASK64) % nb
            pos = ii * bs + victim
            data[pos], fp = fp, data[pos]
        return False

    # --- deletion and compaction -----------------------------------------------------------------
    def delete(self, h: int) -> bool:
        fp = h % 255 + 1
        h2 = h ^ (fp * ALT_MUL)
        bs = self.bucket_size
        for f in reversed(self.filters):
            data = f.data
            for hh in (h, h2):
                i = (hh % f.buckets) * bs
                j = data.find(fp, i, i + bs)
                if j >= 0:
                    data[j] = 0
                    self.items -= 1
                    self.deletes += 1
                    if len(self.filters) > 1 and self.deletes > self.items * 0.10:
                        self.compact(False)
                    return True
        return False

    def _compact_single(self, fx: int) -> bool:
        """CuckooFilter_CompactSingle: move what fits into older sub-filters; drop the
        sub-filter when it is the newest and everything moved."""
        cur = self.filters[fx]
        data = cur.data
        bs = self.bucket_size
        ok = True
        for b in range(cur.buckets):
            base = b * bs
            for s in range(bs):
                fp = data[base + s]
                if not fp:
                    continue
                h2 = b ^ (fp * ALT_MUL)
                for older in self.filters[:fx]:
                    j = self._free_slot(older, bs, b, h2)
                    if j >= 0:
                        older.data[j] = fp
                        data[base + s] = 0
                        break
                else:
                    ok = False
        if ok and fx == len(self.filters) - 1:
            self.filters.pop()
        return ok

    def compact(self, cont: bool) -> None:
        for ii in range(len(self.filters), 1, -1):
            if ii - 1 >= len(self.filters):
                continue
            if not self._compact_single(ii - 1) and not cont:
                break
        self.deletes = 0

    # --- figures -------------------------------------------------------------------------------
    def mem_usage(self) -> int:
        """sizeof(CuckooFilter) + sizeof(SubCF) per sub-filter + the fingerprints."""
        return 40 + 16 * len(self.filters) + sum(f.buckets * self.bucket_size for f in self.filters)

    def debug_line(self) -> bytes:
        return b"bktsize:%d buckets:%d items:%d deletes:%d filters:%d max_iterations:%d expansion:%d" % (
            self.bucket_size, self.num_buckets, self.items, self.deletes, len(self.filters),
            self.max_iterations, self.expansion)

    # --- SCANDUMP / LOADCHUNK ----------------------------------------------------------------------
    def header(self) -> bytes:
        return _HDR.pack(self.items & MASK64, self.num_buckets & MASK64, self.deletes & MASK64,
                         len(self.filters), self.bucket_size & 0xFFFF, self.max_iterations & 0xFFFF,
                         self.expansion & 0xFFFF)

    def chunk(self, pos: int, limit: int = CHUNK_MAX) -> tuple[int, bytes] | None:
        """CF_GetEncodedChunk: (next position, bytes), None when every sub-filter was sent.
        A sub-filter that fits the limit is sent whole, wherever `pos` points inside it."""
        offset = pos - 1
        bs = self.bucket_size
        for f in self.filters:
            size = bs * f.buckets
            if offset < size:
                if size <= limit:
                    return pos + size, bytes(f.data)
                n = min(limit, size - offset)
                return pos + n, bytes(f.data[offset:offset + n])
            offset -= size
        return None

    @classmethod
    def from_header(cls, buf: bytes) -> CuckooFilter | None:
        """CFHeader_Load: None for a header RedisBloom refuses."""
        items, nb, deletes, nfilters, bs, maxit, exp = _HDR.unpack(buf)
        if nb == 0 or nb & (nb - 1) or nfilters == 0 or bs == 0 or bs > 255 or maxit == 0:
            return None
        cf = cls()
        cf.items, cf.num_buckets, cf.deletes = items, nb, deletes
        cf.bucket_size, cf.max_iterations, cf.expansion = bs, maxit, exp
        for i in range(nfilters):
            cf.filters.append(SubCF(nb * exp ** i, bs))
        return cf

    def load_chunk(self, pos: int, buf: bytes) -> bool:
        """CF_LoadEncodedChunk: False when the chunk does not fall inside one sub-filter."""
        n = len(buf)
        if n == 0:
            return False
        offset = pos - n - 1
        if offset < 0:
            return False
        bs = self.bucket_size
        for f in self.filters:
            size = bs * f.buckets
            if offset < size:
                if offset + n > size:
                    return False
                f.data[offset:offset + n] = buf
                return True
            offset -= size
        return False

    def copy(self) -> CuckooFilter:
        cf = CuckooFilter()
        cf.num_buckets, cf.items, cf.deletes = self.num_buckets, self.items, self.deletes
        cf.bucket_size, cf.max_iterations, cf.expansion = self.bucket_size, self.max_iterations, self.expansion
        cf.filters = [SubCF(f.buckets, self.bucket_size, bytearray(f.data)) for f in self.filters]
        return cf
