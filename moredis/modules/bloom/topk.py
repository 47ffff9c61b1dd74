"""Top-K of the `bf` module: RedisBloom 2.8's HeavyKeeper with a min-heap of k items.

Buckets: `depth` rows of `width` (fingerprint, count) pairs, uint32 each, in two numpy
arrays. An item's fingerprint is MurmurHash2(item, 1919) and its bucket in row i is
MurmurHash2(item, i) % width. Adding an item with an increment, per row (topk.c TopK_Add):
an empty bucket takes the item; a bucket with the item's fingerprint grows (wrapping at
2**32 like counter_t); any other bucket decays: each unit of the increment removes one
from its count with probability decay**count, and the unit that empties it hands the
bucket to the item with the units left. The item's estimate is the largest count among
its buckets; when that reaches the heap's minimum the item is updated in the heap or
replaces the heap's root (the expelled item is returned), then sifted down with topk.c
heapifyDown's exact moves (equal counts do swap), so expelled items and TOPK.LIST order
are the reference's for the same input whenever no decay draw happens.

A sketch loaded from RDB (RESTORE, DEBUG RELOAD, start-up) has its decay table left at
zeros by RedisBloom's loader, so it never decays again; that is kept.

Randomness: RedisBloom draws rand()/RAND_MAX for each decay trial, from a C library
generator seeded at server start, so its draws cannot be reproduced. Here the same
Bernoulli(decay**count) trials come from Python's `random`, in runs drawn as geometric
jumps when the increment is large; the distribution is the same. With decay 1 every trial
succeeds (up to the 2**-31 chance rand() hits RAND_MAX) and both are deterministic.

Neighbours: cms.py (MurmurHash2), commands_sketch.py (TOPK.*), sketches.py (type and
persistence). No server imports here.
"""

from __future__ import annotations

import math
import random

import numpy as np

from moredis.modules.bloom.cms import murmur2_lanes, seed_lanes

MASK32 = 0xFFFFFFFF
GA = 1919  # the fingerprint's seed
DECAY_TABLE = 256  # TOPK_DECAY_LOOKUP_TABLE
# HeapBucket as saved: fp, itemlen, item pointer, count, padding (24 bytes)
_HEAP_DTYPE = np.dtype([("fp", "<u4"), ("itemlen", "<u4"), ("ptr", "<u8"), ("count", "<u4"), ("pad", "<u4")])
_FAKE_PTR = 0x5EED0000  # a non-null "pointer" for heap slots holding an item (never read back)
SIZEOF_TOPK = 2088  # sizeof(TopK): k, width, depth, decay, two pointers, the 256-double table

_random = random.random
_log = math.log
_log1p = math.log1p


def c_string(item: bytes) -> bytes:
    """What a C string reader sees of an item: up to its first NUL."""
    i = item.find(b"\0")
    return item if i < 0 else item[:i]


class _NullItem(bytes):
    """A heap slot reloaded from an empty saved item: RedisBloom keeps a NULL item pointer
    with the empty string's fingerprint and length, so the slot still matches the empty
    item (memcmp of zero bytes) while TOPK.LIST and TOPK.ADD answer null for it."""


NULL_ITEM = _NullItem(b"")


def reply_item(item: bytes | None) -> bytes | None:
    """An item as the replies show it: None for no item, else its C string."""
    if item is None or type(item) is _NullItem:
        return None
    return c_string(item)


class TopK:
    __slots__ = (
        "cmv",
        "counts",
        "decay",
        "depth",
        "fmv",
        "fps",
        "harr",
        "hcount",
        "hfarr",
        "hfp",
        "hitem",
        "k",
        "lanes",
        "pos",
        "table",
        "width",
    )

    def __init__(self, k: int, width: int, depth: int, decay: float) -> None:
        self.k = k
        self.width = width
        self.depth = depth
        self.decay = decay
        # np.zeros is a calloc: like RedisBloom's, a big sketch reserves address space only
        self.fps = np.zeros(width * depth, dtype=np.uint32)
        self.counts = np.zeros(width * depth, dtype=np.uint32)
        self.fmv = memoryview(self.fps)
        self.cmv = memoryview(self.counts)
        # the heap: counts and fingerprints in (lazily zeroed) arrays, the items of the
        # occupied slots in a dict, and item -> slot for checkExistInHeap without its scan
        self.harr = np.zeros(k, dtype=np.uint32)
        self.hfarr = np.zeros(k, dtype=np.uint32)
        self.hcount = memoryview(self.harr)
        self.hfp = memoryview(self.hfarr)
        self.hitem: dict[int, bytes] = {}
        self.pos: dict[bytes, int] = {}
        self.table = [decay**i for i in range(DECAY_TABLE)]
        self.lanes = seed_lanes(depth, GA)  # the rows' seeds, then the fingerprint's

    # --- decay ------------------------------------------------------------------------------
    def _decay_of(self, count: int) -> float:
        """The chance that one unit of a foreign increment decrements `count` (the lookup
        table, then pow of its last entry for larger counts, as TopK_Add computes it)."""
        t = self.table
        if count < DECAY_TABLE:
            return t[count]
        return math.pow(t[DECAY_TABLE - 1], count // (DECAY_TABLE - 1)) * t[count % (DECAY_TABLE - 1)]

    def _decay_bucket(self, c: int, incr: int) -> tuple[int, int]:
        """Run `incr` decay trials on a foreign bucket of count c: (count, units left when it
        emptied, or 0 if it kept its owner). Trials are drawn one by one for small
        increments and as geometric jumps between successes for large ones."""
        local = incr
        while local > 0:
            p = self._decay_of(c)
            if p >= 1.0:
                if local >= c:  # every trial succeeds: the bucket empties at unit number c
                    return 0, local - c + 1
                return c - local, 0
            if p <= 0.0:
                return c, 0
            if local <= 4:
                if _random() < p:
                    c -= 1
                    if c == 0:
                        return 0, local
                local -= 1
                continue
            # failed trials before the next success: geometric(p), by inversion
            u = 1.0 - _random()
            fails = _log(u) / _log1p(-p) if u < 1.0 else 0.0
            if fails >= local:
                return c, 0
            local -= int(fails)
            c -= 1
            if c == 0:
                return 0, local
            local -= 1
        return c, 0

    # --- the sketch -----------------------------------------------------------------------------
    def add(self, item: bytes, incr: int = 1) -> bytes | None:
        """TopK_Add: count `incr` more of `item`; the item expelled from the heap, or None
        (also when the root it replaced was an empty slot)."""
        *hs, fp = murmur2_lanes(item, self.lanes)
        fmv = self.fmv
        cmv = self.cmv
        table = self.table
        w = self.width
        base = 0
        top = 0
        for h in hs:
            loc = h % w + base
            base += w
            c = cmv[loc]
            if c == 0:
                fmv[loc] = fp
                cmv[loc] = incr
                if incr > top:
                    top = incr
            elif fmv[loc] == fp:
                c = (c + incr) & MASK32
                cmv[loc] = c
                if c > top:
                    top = c
            elif incr == 1:  # TOPK.ADD: one decay trial, inlined
                p = table[c] if c < DECAY_TABLE else self._decay_of(c)
                if _random() < p:
                    if c == 1:
                        fmv[loc] = fp
                        if top < 1:
                            top = 1
                    else:
                        cmv[loc] = c - 1
            elif incr:
                c, left = self._decay_bucket(c, incr)
                if left:
                    fmv[loc] = fp
                    cmv[loc] = left
                    if left > top:
                        top = left
                else:
                    cmv[loc] = c
        hcount = self.hcount
        if top < hcount[0]:
            return None
        i = self.pos.get(item)
        if i is not None:
            hcount[i] = top  # not the max of the two: the item may have decayed
            self._heapify_down(i)
            return None
        hitem = self.hitem
        expelled = hitem.get(0)
        if expelled is not None:
            self.pos.pop(expelled, None)
        hcount[0] = top
        self.hfp[0] = fp
        hitem[0] = item
        self.pos[item] = 0
        self._heapify_down(0)
        return expelled

    def _heapify_down(self, start: int) -> None:
        """topk.c heapifyDown, move for move: a child with a count not larger than the moving
        bucket's takes its place (so equal counts swap)."""
        n = self.k
        cnt = self.hcount
        if n < 2 or (n - 2) // 2 < start:
            return
        child = 2 * start + 1
        if child + 1 < n and cnt[child] > cnt[child + 1]:
            child += 1
        if cnt[child] > cnt[start]:
            return
        fps = self.hfp
        items = self.hitem
        pos = self.pos
        top_c, top_f, top_i = cnt[start], fps[start], items.get(start)
        while True:
            cnt[start] = cnt[child]
            fps[start] = fps[child]
            it = items.get(child)
            if it is None:
                items.pop(start, None)
            else:
                items[start] = it
                pos[it] = start
            start = child
            if (n - 2) // 2 < child:
                break
            child = 2 * child + 1
            if child + 1 < n and cnt[child] > cnt[child + 1]:
                child += 1
            if not cnt[child] < top_c:
                break
        cnt[start] = top_c
        fps[start] = top_f
        if top_i is None:
            items.pop(start, None)
        else:
            items[start] = top_i
            pos[top_i] = start

    def query(self, item: bytes) -> bool:
        """TopK_Query: is the item in the heap."""
        return item in self.pos

    def count(self, item: bytes) -> int:
        """TopK_Count: the largest count among the item's buckets that carry its fingerprint
        (only those not below the heap's minimum when the item is in the heap)."""
        *hs, fp = murmur2_lanes(item, self.lanes)
        heap_min = self.hcount[0]
        in_heap = item in self.pos
        fmv = self.fmv
        cmv = self.cmv
        w = self.width
        base = 0
        res = 0
        for h in hs:
            loc = h % w + base
            base += w
            if fmv[loc] == fp:
                c = cmv[loc]
                if (not in_heap or c >= heap_min) and c > res:
                    res = c
        return res

    def list(self) -> list[tuple[bytes | None, int]]:
        """TopK_List and the TOPK.LIST loop: the heap sorted by count, largest first (glibc's
        qsort is a stable merge sort here), up to the first zero count; items as C strings
        (None for a counted slot without item: an empty item does not survive RDB)."""
        counts = self.harr
        used = np.flatnonzero(counts)  # zero counts sort last and end the listing
        order = used[np.argsort(-counts[used].astype(np.int64), kind="stable")]
        get = self.hitem.get
        return [(reply_item(get(i)), int(counts[i])) for i in order.tolist()]

    def heap_items(self) -> list[bytes | None]:
        """The item of every heap slot, in heap order (None for an empty slot)."""
        return [self.hitem.get(i) for i in range(self.k)]

    # --- persistence and sizes ------------------------------------------------------------------
    def data_bytes(self) -> bytes:
        """The buckets as TopKRdbSave writes them: (fp, count) uint32 pairs."""
        pairs = np.empty(self.width * self.depth * 2, dtype="<u4")
        pairs[0::2] = self.fps
        pairs[1::2] = self.counts
        return pairs.tobytes()

    def heap_bytes(self) -> bytes:
        """The heap array as TopKRdbSave writes it (the item pointers are meaningless)."""
        arr = np.zeros(self.k, dtype=_HEAP_DTYPE)
        arr["fp"] = self.hfarr
        arr["count"] = self.harr
        for slot, it in self.hitem.items():
            if type(it) is not _NullItem:
                arr["itemlen"][slot] = len(it) & MASK32
                arr["ptr"][slot] = _FAKE_PTR
        return arr.tobytes()

    def saved_items(self) -> list[bytes]:
        """The heap items as saved: C strings with their NUL, a lone NUL for an empty slot."""
        get = self.hitem.get
        out = []
        for i in range(self.k):
            it = get(i)
            out.append((c_string(it) if it is not None else b"") + b"\0")
        return out

    @classmethod
    def from_saved(cls, k: int, width: int, depth: int, decay: float, data: bytes, heap: bytes,
                   items: list[bytes]) -> TopK | None:
        if k < 1 or width < 1 or depth < 1 or len(data) != width * depth * 8 or len(heap) != k * 24 \
                or len(items) != k:
            return None
        t = cls(k, width, depth, decay)
        # TopKRdbLoad does not rebuild the decay lookup table: it stays zeroed, so a loaded
        # sketch never decays a foreign bucket again
        t.table = [0.0] * DECAY_TABLE
        pairs = np.frombuffer(data, dtype="<u4")
        t.fps[:] = pairs[0::2]
        t.counts[:] = pairs[1::2]
        slots = np.frombuffer(heap, dtype=_HEAP_DTYPE)
        t.hfarr[:] = slots["fp"]
        t.harr[:] = slots["count"]
        itemlens = slots["itemlen"]
        for i, raw in enumerate(items):
            if len(raw) > 1:  # TopKRdbLoad: a one-byte string is an empty slot
                it = raw[:-1] if raw.endswith(b"\0") else raw
                t.hitem[i] = it
                t.pos.setdefault(it, i)
            elif itemlens[i] == 0 and t.harr[i] > 0:
                t.hitem[i] = NULL_ITEM
                t.pos.setdefault(NULL_ITEM, i)
        return t

    def mem_usage(self) -> int:
        """TopKMemUsage: the struct, 8 bytes per bucket, 24 per heap slot."""
        return SIZEOF_TOPK + self.width * self.depth * 8 + self.k * 24

    def copy(self) -> TopK:
        t = TopK.__new__(TopK)
        t.k, t.width, t.depth, t.decay = self.k, self.width, self.depth, self.decay
        t.fps = self.fps.copy()
        t.counts = self.counts.copy()
        t.fmv = memoryview(t.fps)
        t.cmv = memoryview(t.counts)
        t.harr = self.harr.copy()
        t.hfarr = self.hfarr.copy()
        t.hcount = memoryview(t.harr)
        t.hfp = memoryview(t.hfarr)
        t.hitem = dict(self.hitem)
        t.pos = dict(self.pos)
        t.table = self.table
        t.lanes = self.lanes
        return t
