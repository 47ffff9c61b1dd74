"""Count-Min Sketch of the `bf` module, laid out the way RedisBloom 2.8 lays it out.

A sketch is `depth` rows of `width` 32-bit counters (one numpy uint32 array, row after
row, the same bytes RedisBloom saves). Row i counts an item in cell
MurmurHash2(item, seed=i) % width. Counters saturate at 2**32-1 instead of wrapping, as
cms.c CMS_IncrBy does, and an increment whose smallest counter ends saturated is what
CMS.INCRBY reports as an overflow. The total `counter` is a size_t: it wraps at 2**64.

Also here: MurmurHash2 for several seeds at once (`murmur2_seeds`), shared with topk.py.
Neighbours: topk.py, tdigest.py, commands_sketch.py (the CMS.* commands), sketches.py
(type registration, persistence callbacks). No server imports here.
"""

from __future__ import annotations

import math
import struct

import numpy as np

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF
CELL_MAX = 0xFFFFFFFF
INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)
_M = 0x5BD1E995

_iter_u32 = struct.Struct("<I").iter_unpack
_from = int.from_bytes

# --- MurmurHash2 (Austin Appleby's 32-bit hash, the CMS_HASH / TOPK_HASH of RedisBloom) -----


def _mixed_blocks(data: bytes) -> list[int]:
    """The 4-byte blocks after their seed-independent mixing (k *= m; k ^= k >> 24; k *= m)."""
    end = len(data) & ~3
    out = []
    for (k,) in _iter_u32(data[:end]):
        k = (k * _M) & MASK32
        out.append(((k ^ (k >> 24)) * _M) & MASK32)
    return out


def murmur2(data: bytes, seed: int) -> int:
    """MurmurHash2 of `data` with a 32-bit seed (little-endian blocks, unsigned tail bytes)."""
    n = len(data)
    h = (seed ^ n) & MASK32
    for k in _mixed_blocks(data):
        h = ((h * _M) & MASK32) ^ k
    if n & 3:
        h = ((h ^ _from(data[n & ~3:], "little")) * _M) & MASK32
    h = ((h ^ (h >> 13)) * _M) & MASK32
    return h ^ (h >> 15)


def seed_lanes(nseeds: int, extra_seed: int = -1) -> tuple:
    """What `murmur2_lanes` needs to hash for seeds 0..nseeds-1 (then `extra_seed` if >= 0)
    at once: each seed gets a 64-bit lane of one Python integer, wide enough for a 32-bit
    state times the 32-bit multiplier, so one big-integer operation steps every seed."""
    seeds = [*range(nseeds), extra_seed] if extra_seed >= 0 else list(range(nseeds))
    n = len(seeds)
    ones = sum(1 << (64 * i) for i in range(n))
    start = sum(s << (64 * i) for i, s in enumerate(seeds))
    return ones, ones * MASK32, start, struct.Struct("<%dQ" % n).unpack, 8 * n


def murmur2_lanes(data: bytes, lanes: tuple) -> tuple[int, ...]:
    """MurmurHash2 of `data` for every seed of `lanes` (see seed_lanes): the block mixing
    does not depend on the seed and is done once; the state update runs on all lanes."""
    ones, masks, start, unpack, nbytes = lanes
    n = len(data)
    h = start ^ ((n & MASK32) * ones)
    end = n & ~3
    if end:
        for (k,) in _iter_u32(data[:end]):
            k = (k * _M) & MASK32
            h = ((h * _M) & masks) ^ ((((k ^ (k >> 24)) * _M) & MASK32) * ones)
    if n & 3:
        h = ((h ^ (_from(data[end:], "little") * ones)) * _M) & masks
    h ^= (h >> 13) & masks
    h = (h * _M) & masks
    h ^= (h >> 15) & masks
    return unpack(h.to_bytes(nbytes, "little"))


_LANES: dict[tuple[int, int], tuple] = {}


def murmur2_seeds(data: bytes, nseeds: int, extra_seed: int = -1) -> list[int]:
    """MurmurHash2 of `data` for seeds 0..nseeds-1 (then `extra_seed` if >= 0)."""
    lanes = _LANES.get((nseeds, extra_seed))
    if lanes is None:
        lanes = _LANES[(nseeds, extra_seed)] = seed_lanes(nseeds, extra_seed)
    return list(murmur2_lanes(data, lanes))


# --- dimensions ---------------------------------------------------------------------------------


def dim_from_prob(error: float, prob: float) -> tuple[int, int]:
    """CMS_DimFromProb: width = ceil(2 / error) in double precision, depth =
    ceil(log10f(prob) / log10f(0.5)) in single precision. Values a size_t cannot hold come
    back as 0 (what the x86 conversion leaves), so the caller's range check refuses them."""
    w = math.ceil(2 / error) if 2 / error < 1.8446744073709552e19 else 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.float32(np.log10(np.float32(prob))) / np.float32(np.log10(np.float32(0.5)))
    r = float(np.ceil(ratio))
    d = int(r) if math.isfinite(r) and 0 <= r < 1.8446744073709552e19 else 0
    return w, d


# --- the sketch ---------------------------------------------------------------------------------


class CMSketch:
    """A Count-Min Sketch: `cells` (uint32, depth rows of width) and the running total."""

    __slots__ = ("cells", "counter", "depth", "lanes", "mv", "width")

    def __init__(self, width: int, depth: int, cells: np.ndarray | None = None, counter: int = 0) -> None:
        self.width = width
        self.depth = depth
        self.counter = counter
        # np.zeros is a calloc: a huge sketch costs address space, not memory, until used
        self.cells = np.zeros(width * depth, dtype=np.uint32) if cells is None else cells
        self.mv = memoryview(self.cells)  # scalar reads and writes without numpy's per-call cost
        self.lanes = seed_lanes(depth)

    # --- counting ---------------------------------------------------------------------------
    def incrby(self, item: bytes, value: int) -> int:
        """CMS_IncrBy: add `value` (0 <= value < 2**63) in every row, saturating each cell at
        2**32-1; the smallest updated cell (CELL_MAX means overflow)."""
        mv = self.mv
        w = self.width
        base = 0
        low = CELL_MAX
        for h in murmur2_lanes(item, self.lanes):
            loc = h % w + base
            c = mv[loc] + value
            if c > CELL_MAX:
                c = CELL_MAX
            mv[loc] = c
            if c < low:
                low = c
            base += w
        self.counter = (self.counter + value) & MASK64
        return low

    def query(self, item: bytes) -> int:
        """CMS_Query: the smallest of the item's cells."""
        mv = self.mv
        w = self.width
        base = 0
        low = CELL_MAX
        for h in murmur2_lanes(item, self.lanes):
            c = mv[h % w + base]
            if c < low:
                low = c
            base += w
        return low

    @property
    def signed_counter(self) -> int:
        """The total as CMS.INFO prints it (a size_t replied as a long long)."""
        c = self.counter
        return c - (1 << 64) if c > INT64_MAX else c

    # --- merging -----------------------------------------------------------------------------
    def merge_from(self, sources: list[CMSketch], weights: list[int]) -> bool:
        """CMS_Merge: this sketch becomes the weighted sum of `sources` (which may include
        itself). False, and nothing changed, when checkOverflow refuses: a product or partial
        sum leaving the int64 range, a cell outside [0, 2**32-1], or a negative total."""
        total = 0
        for s, w in zip(sources, weights, strict=True):
            m = s.counter * w
            if not INT64_MIN <= m <= INT64_MAX:
                return False
            total += m
            if not INT64_MIN <= total <= INT64_MAX:
                return False
        if total < 0:
            return False
        bound = 0
        for s, w in zip(sources, weights, strict=True):
            if s.cells.size:
                bound += int(s.cells.max()) * abs(w)
        if bound <= INT64_MAX:
            # no product nor partial sum can leave int64: exact in numpy
            acc = np.zeros(self.cells.size, dtype=np.int64)
            for s, w in zip(sources, weights, strict=True):
                acc += s.cells.astype(np.int64) * np.int64(w)
        else:
            got = _merge_exact(sources, weights)
            if got is None:
                return False
            acc = got
        if acc.size and (int(acc.min()) < 0 or int(acc.max()) > CELL_MAX):
            return False
        self.cells[:] = acc.astype(np.uint32)
        self.counter = total & MASK64
        return True

    # --- persistence and sizes ------------------------------------------------------------------
    def cells_bytes(self) -> bytes:
        """The counters as CMSRdbSave writes them: width*depth little-endian uint32."""
        return self.cells.astype("<u4", copy=False).tobytes()

    @classmethod
    def from_saved(cls, width: int, depth: int, counter: int, buf: bytes) -> CMSketch | None:
        if width < 1 or depth < 1 or len(buf) != width * depth * 4:
            return None
        cells = np.frombuffer(buf, dtype="<u4").astype(np.uint32)
        return cls(width, depth, cells, counter & MASK64)

    def mem_usage(self) -> int:
        """CMSMemUsage: a pointer plus 8 bytes per counter (it counts them as size_t)."""
        return 8 + self.width * self.depth * 8

    def copy(self) -> CMSketch:
        return CMSketch(self.width, self.depth, self.cells.copy(), self.counter)


def _merge_exact(sources: list[CMSketch], weights: list[int]) -> np.ndarray | None:
    """checkOverflow cell by cell with exact integers (only reached with weights large
    enough for int64 arithmetic to overflow)."""
    n = sources[0].cells.size
    acc = np.zeros(n, dtype=object)
    for s, w in zip(sources, weights, strict=True):
        prod = s.cells.astype(object) * w
        if n and (min(prod) < INT64_MIN or max(prod) > INT64_MAX):
            return None
        acc = acc + prod
        if n and (min(acc) < INT64_MIN or max(acc) > INT64_MAX):
            return None
    return acc.astype(np.int64)
