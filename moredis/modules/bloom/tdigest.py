"""The merging t-digest of the `bf` module (the t-digest-c library RedisBloom 2.8 embeds).

Centroids are (mean, weight) pairs in two Python lists: the first `merged_nodes` are the
merged, sorted centroids, the `unmerged_nodes` after them the buffer of values added since
the last compression. Capacity is 6 * compression + 10 nodes; when merged + unmerged
reaches capacity - 1 the next add compresses first: the nodes are sorted by mean (with the
library's own quicksort, whose order of equal means decides which centroids merge), then
swept left to right, merging a node into the current centroid while the merged weight
stays under the k-size bound compression / (2 pi W log W) measured at both ends. Every
query but MIN/MAX compresses first, as the library does, so TDIGEST.INFO's node counts
and "Total compressions" follow the same history as the reference's.

Quirks kept from that library version: with a total weight of 1 a compression sorts but
merges nothing (a digest holding a single value answers NaN to quantiles and ranks), and
the C divisions by zero (NaN, +-inf) are reproduced instead of raising.

Neighbours: cms.py, topk.py, commands_sketch.py (TDIGEST.*), sketches.py (type and
persistence). No server imports here.
"""

from __future__ import annotations

import math

import numpy as np

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)
SIZE_MAX = (1 << 64) - 1
NAN = math.nan
INF = math.inf
MM_PI = 3.14159265358979323846
DEFAULT_COMPRESSION = 100

OK = 0
EDOM = 33
_isnan = math.isnan


def cap_from_compression(compression: float) -> int:
    """cap_from_compression: 6 * (size_t)compression + 10, or 0 when it cannot be allocated."""
    try:
        c = int(compression)
    except (OverflowError, ValueError):
        return 0
    c &= SIZE_MAX
    if c > (SIZE_MAX // 8 // 6) - 10:
        return 0
    return 6 * c + 10


def c_div(a: float, b: float) -> float:
    """a / b with IEEE semantics (C does not raise on a zero divisor)."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return NAN
        neg = (a < 0) != (math.copysign(1.0, b) < 0)
        return -INF if neg else INF


def c_round(x: float) -> float:
    """C round(): halves away from zero."""
    if x != x or x in (INF, -INF):
        return x
    t = float(math.trunc(x))
    if abs(x - t) >= 0.5:
        t += math.copysign(1.0, x)
    return t


def half_round_down(f: float) -> float:
    """rm_tdigest.c _halfRoundDown: a fraction of exactly one half rounds toward zero."""
    frac, ip = math.modf(f)
    if abs(frac) <= 0.5:
        return ip
    return ip + 1.0 if ip >= 0.0 else ip - 1.0


def to_long_long(x: float) -> int:
    """(long long)x on x86-64: truncation; NaN and out-of-range values give LLONG_MIN."""
    if x != x or not -9.223372036854775808e18 <= x < 9.223372036854775808e18:
        return LLONG_MIN
    return int(x)


def _weighted_average(x1: float, w1: float, x2: float, w2: float) -> float:
    if not x1 <= x2:
        x1, w1, x2, w2 = x2, w2, x1, w1
    x = c_div(x1 * w1 + x2 * w2, w1 + w2)
    m = x if x < x2 else x2  # __td_min(x, x2)
    return x1 if x1 > m else m  # __td_max(x1, ...)


def _td_qsort(means: list[float], weights: list[int], start: int, end: int) -> None:
    """t-digest-c td_qsort: quicksort with the middle element as pivot and a Lomuto
    partition, moving weights with their means. Only needed when equal means carry
    different centroids: otherwise any sort gives the same sequence."""
    stack = [(start, end)]
    while stack:
        start, end = stack.pop()
        if start >= end:
            continue
        if end - start == 1:
            if means[start] > means[end]:
                means[start], means[end] = means[end], means[start]
                weights[start], weights[end] = weights[end], weights[start]
            continue
        p = (end + start) // 2
        pivot = means[p]
        means[p], means[end] = means[end], means[p]
        weights[p], weights[end] = weights[end], weights[p]
        i = start - 1
        for j in range(start, end):
            if means[j] < pivot:
                i += 1
                means[i], means[j] = means[j], means[i]
                weights[i], weights[j] = weights[j], weights[i]
        i += 1
        means[i], means[end] = means[end], means[i]
        weights[i], weights[end] = weights[end], weights[i]
        if i > start:
            stack.append((start, i - 1))
        stack.append((i + 1, end))


def sort_nodes(means: list[float], weights: list[int]) -> tuple[list[float], list[int]]:
    """The nodes in td_qsort's order: numpy's sort when the order among equal means cannot
    show (equal means with equal bits and weights, no NaN), the C quicksort otherwise."""
    n = len(means)
    if n < 2:
        return means, weights
    m = np.array(means, dtype=np.float64)
    order = np.argsort(m, kind="stable")
    sm = m[order]
    eq = sm[1:] == sm[:-1]
    if eq.any() or np.isnan(sm).any():
        w = np.array(weights, dtype=object)[order]
        idx = np.nonzero(eq)[0]
        bits = sm.view(np.int64)
        if np.isnan(sm).any() or not (bits[idx] == bits[idx + 1]).all() or \
                any(w[i] != w[i + 1] for i in idx.tolist()):
            ms, ws = list(means), list(weights)
            _td_qsort(ms, ws, 0, n - 1)
            return ms, ws
        return sm.tolist(), w.tolist()
    return sm.tolist(), [weights[i] for i in order.tolist()]


class TDigest:
    """td_histogram_t."""

    __slots__ = ("cap", "compression", "max", "means", "merged_nodes", "merged_weight", "min",
                 "total_compressions", "unmerged_nodes", "unmerged_weight", "weights")

    def __init__(self, compression: float = DEFAULT_COMPRESSION, cap: int | None = None) -> None:
        self.compression = float(compression)
        self.cap = cap_from_compression(compression) if cap is None else cap
        self.means: list[float] = []
        self.weights: list[int] = []
        self.reset()

    @classmethod
    def create(cls, compression: float) -> TDigest | None:
        """td_init: None when the capacity cannot be had (non-positive or absurd)."""
        if not compression >= 1:
            return None
        cap = cap_from_compression(compression)
        if cap < 1 or cap > 0x7FFFFFFF:  # cap is a C int
            return None
        return cls(compression, cap)

    def reset(self) -> None:
        """td_reset (the node arrays keep their contents in C; nothing reads them back)."""
        self.min = 1.7976931348623157e308
        self.max = -self.min
        self.merged_nodes = 0
        self.merged_weight = 0
        self.unmerged_nodes = 0
        self.unmerged_weight = 0
        self.total_compressions = 0
        self.means = []
        self.weights = []

    def size(self) -> int:
        """td_size: all the weight, merged or not."""
        return self.merged_weight + self.unmerged_weight

    # --- adding ------------------------------------------------------------------------------
    def add(self, mean: float, weight: int) -> int:
        """td_add: OK, or EDOM when full or when a weight total would leave the long long range."""
        if self.merged_nodes + self.unmerged_nodes >= self.cap - 1:
            if self.compress() != OK:
                return EDOM
        if self.merged_nodes + self.unmerged_nodes >= self.cap:
            return EDOM
        uw = self.unmerged_weight
        if weight >= 0 and uw > LLONG_MAX - weight:
            return EDOM
        uw += weight
        mw = self.merged_weight
        if mw >= 0 and uw > LLONG_MAX - mw:
            return EDOM
        if mean < self.min:
            self.min = mean
        if mean > self.max:
            self.max = mean
        self.means.append(mean)
        self.weights.append(weight)
        self.unmerged_nodes += 1
        self.unmerged_weight = uw
        return OK

    def add_one(self, v: float) -> int:
        """td_add(v, 1), the TDIGEST.ADD hot path: an append while the buffer has room."""
        if self.merged_nodes + self.unmerged_nodes >= self.cap - 1 or self.unmerged_weight >= LLONG_MAX // 2 \
                or self.merged_weight >= LLONG_MAX // 2:
            return self.add(v, 1)
        if v < self.min:
            self.min = v
        if v > self.max:
            self.max = v
        self.means.append(v)
        self.weights.append(1)
        self.unmerged_nodes += 1
        self.unmerged_weight += 1
        return OK

    def add_values(self, values: list[float]) -> int:
        """td_add(value, 1) for each value in turn (the TDIGEST.ADD loop): the buffer is
        filled in slices between compressions."""
        i = 0
        n = len(values)
        means = self.means
        weights = self.weights
        while i < n:
            used = self.merged_nodes + self.unmerged_nodes
            room = self.cap - 1 - used
            if room <= 0 or self.merged_weight + self.unmerged_weight > LLONG_MAX - n:
                if self.add(values[i], 1) != OK:
                    return EDOM
                means = self.means
                weights = self.weights
                i += 1
                continue
            chunk = values[i:i + room]
            lo = min(chunk)
            hi = max(chunk)
            if lo < self.min:
                self.min = lo
            if hi > self.max:
                self.max = hi
            means.extend(chunk)
            weights.extend([1] * len(chunk))
            self.unmerged_nodes += len(chunk)
            self.unmerged_weight += len(chunk)
            i += len(chunk)
        return OK

    # --- compression -------------------------------------------------------------------------
    def compress(self) -> int:
        """td_compress."""
        if self.unmerged_nodes == 0:
            return OK
        n = self.merged_nodes + self.unmerged_nodes
        means, weights = sort_nodes(self.means[:n], self.weights[:n])
        self.means = means
        self.weights = weights
        total = float(self.merged_weight) + float(self.unmerged_weight)
        if total == INF:
            return EDOM
        if total <= 1:
            return OK  # this library version leaves a lone node unmerged
        normalizer = self.compression / (2 * MM_PI * total * math.log(total))
        cur = 0
        so_far = 0.0
        mc = means[0]
        wc = weights[0]
        for i in range(1, n):
            wi = weights[i]
            proposed = float(wc) + float(wi)
            z = proposed * normalizer
            q0 = so_far / total
            q2 = (so_far + proposed) / total
            if z <= q0 * (1 - q0) and z <= q2 * (1 - q2):
                wc += wi
                mc += c_div((means[i] - mc) * wi, wc)
            else:
                means[cur] = mc
                weights[cur] = wc
                so_far += wc
                cur += 1
                mc = means[i]
                wc = wi
        means[cur] = mc
        weights[cur] = wc
        del means[cur + 1:]
        del weights[cur + 1:]
        self.merged_nodes = cur + 1
        self.merged_weight = to_long_long(total)
        self.unmerged_nodes = 0
        self.unmerged_weight = 0
        self.total_compressions += 1
        return OK

    def merge_into(self, into: TDigest) -> int:
        """td_merge(into, self): both compressed first, then every node of self added."""
        if into.compress() != OK or self.compress() != OK:
            return EDOM
        n = self.merged_nodes + self.unmerged_nodes
        for m, w in zip(self.means[:n], self.weights[:n], strict=True):
            if into.add(m, w) != OK:
                return EDOM
        return OK

    # --- queries -------------------------------------------------------------------------------
    def cdf(self, val: float) -> float:
        """td_cdf."""
        self.compress()
        n = self.merged_nodes
        if n == 0:
            return NAN
        lo = self.min
        hi = self.max
        if val < lo:
            return 0.0
        if val > hi:
            return 1.0
        means = self.means
        weights = self.weights
        if n == 1:
            width = hi - lo
            if val - lo <= width:
                return 0.5
            return c_div(val - lo, width)
        mw = float(self.merged_weight)
        left_mean = means[0]
        if val < left_mean:
            width = left_mean - lo
            if width > 0:
                if val == lo:
                    return c_div(0.5, mw)
                return c_div(1 + (val - lo) / width * (float(weights[0]) / 2 - 1), mw)
            return 0.0
        right_mean = means[n - 1]
        if val > right_mean:
            width = hi - right_mean
            if width > 0:
                if val == hi:
                    return 1 - c_div(0.5, mw)
                return 1 - c_div(1 + (hi - val) / width * (float(weights[n - 1]) / 2 - 1), mw)
            return 1.0
        so_far = 0.0
        it = 0
        while it < n - 1:
            m = means[it]
            if m == val:
                dw = 0.0
                while it < n and means[it] == val:
                    dw += float(weights[it])
                    it += 1
                return c_div(so_far + dw / 2, mw)
            m_next = means[it + 1]
            if m <= val < m_next:
                w = float(weights[it])
                w_next = float(weights[it + 1])
                if m_next - m > 0:
                    left_x = right_x = 0.0
                    if w == 1:
                        if w_next == 1:
                            return c_div(so_far + 1, mw)
                        left_x = 0.5
                    elif w_next == 1:
                        right_x = 0.5
                    dw = (w + w_next) / 2
                    base = so_far + w / 2 + left_x
                    return c_div(base + (dw - left_x - right_x) * (val - m) / (m_next - m), mw)
                return c_div(so_far + (w + w_next) / 2, mw)
            so_far += float(weights[it])
            it += 1
        return 1 - c_div(0.5, mw)

    def _to_index(self, index: float, left_w: float, n: int, state: list) -> float:
        """td_internal_iterate_centroids_to_index; state = [weight so far, node position]
        carries on from one quantile to the next within a TDIGEST.QUANTILE run."""
        means = self.means
        weights = self.weights
        if left_w > 1 and index < left_w / 2:
            return self.min + c_div(index - 1, left_w / 2 - 1) * (means[0] - self.min)
        if index > float(self.merged_weight - 1):
            return self.max
        mw = float(self.merged_weight)
        right_w = float(weights[n - 1])
        right_mean = means[n - 1]
        if right_w > 1 and mw - index <= right_w / 2:
            return self.max - c_div(mw - index - 1, right_w / 2 - 1) * (self.max - right_mean)
        so_far, i = state
        while i < n - 1:
            w = float(weights[i])
            w_next = float(weights[i + 1])
            dw = (w + w_next) / 2
            if so_far + dw > index:
                state[0] = so_far
                state[1] = i
                left_unit = 0.0
                if w == 1:
                    if index - so_far < 0.5:
                        return means[i]
                    left_unit = 0.5
                right_unit = 0.0
                if w_next == 1:
                    if so_far + dw - index <= 0.5:
                        return means[i + 1]
                    right_unit = 0.5
                z1 = index - so_far - left_unit
                z2 = so_far + dw - index - right_unit
                return _weighted_average(means[i], z2, means[i + 1], z1)
            so_far += dw
            i += 1
        state[0] = so_far
        state[1] = i
        z1 = index - mw - right_w / 2.0
        z2 = right_w / 2 - z1
        return _weighted_average(right_mean, z1, self.max, z2)

    def quantile(self, q: float) -> float:
        """td_quantile (one value; below index 1 it is the minimum)."""
        self.compress()
        n = self.merged_nodes
        if q < 0.0 or q > 1.0 or n == 0:
            return NAN
        if n == 1:
            return self.means[0]
        index = q * float(self.merged_weight)
        if index < 1:
            return self.min
        left_w = float(self.weights[0])
        return self._to_index(index, left_w, n, [left_w / 2, 0])

    def quantiles(self, qs: list[float]) -> list[float]:
        """td_quantiles: nondecreasing quantiles answered in one walk over the centroids."""
        self.compress()
        n = self.merged_nodes
        if n == 0:
            return [NAN] * len(qs)
        if n == 1:
            m = self.means[0]
            return [NAN if q < 0.0 or q > 1.0 else m for q in qs]
        left_w = float(self.weights[0])
        state = [left_w / 2, 0]
        mw = float(self.merged_weight)
        return [self._to_index(q * mw, left_w, n, state) for q in qs]

    def trimmed_mean(self, low: float, high: float) -> float:
        """td_trimmed_mean: the mean of the weight between the two cut quantiles."""
        self.compress()
        n = self.merged_nodes
        if n == 0 or low < 0.0 or low > 1.0 or high < 0.0 or high > 1.0:
            return NAN
        if n == 1:
            return self.means[0]
        mw = float(self.merged_weight)
        left = math.floor(mw * low)
        right = math.ceil(mw * high)
        done = 0.0
        total = 0.0
        count = 0.0
        means = self.means
        weights = self.weights
        for i in range(n):
            w = float(weights[i])
            add = w
            skip = left - done
            skip = 0 if skip < 0 else skip
            add -= skip if skip < add else add
            keep = right - done
            keep = 0 if keep < 0 else keep
            add = keep if keep < add else add
            done += w
            total += means[i] * add
            count += add
            if done >= right:
                break
        return c_div(total, count)

    def ranks(self, vals: list[float], reverse: bool) -> list[int]:
        """rm_tdigest.c _TDigest_Rank: -2 on an empty digest, -1 / n outside [min, max], else
        the cdf scaled to counts (half-down rounding for RANK, C round for REVRANK); NaN
        becomes LLONG_MIN as the long long conversion leaves it."""
        size = float(self.size())
        lo = self.min
        hi = self.max
        out = []
        for v in vals:
            if size == 0:
                r = -2.0
            elif v < lo:
                r = size if reverse else -1.0
            elif v > hi:
                r = -1.0 if reverse else size
            else:
                x = self.cdf(v) * size
                if reverse:
                    r = c_round(size - c_round(x))
                else:
                    r = half_round_down(x)
            out.append(to_long_long(r))
        return out

    def by_ranks(self, ranks: list[int], reverse: bool) -> list[float]:
        """rm_tdigest.c _TDigest_ByRank: rank 0 is the min (max), ranks from the size on are
        +inf (-inf), the rest the quantile rank / size (counted from the top for REVRANK)."""
        size = float(self.size())
        out = []
        for r in ranks:
            rank = float(r)
            if size == 0:
                out.append(NAN)
            elif rank == 0:
                out.append(self.max if reverse else self.min)
            elif rank >= size:
                out.append(-INF if reverse else INF)
            else:
                out.append(self.quantile((size - rank - 1 if reverse else rank) / size))
        return out

    # --- persistence and sizes ------------------------------------------------------------------
    def mem_usage(self) -> int:
        """TDigestMemUsage: a pointer and two arrays of cap 8-byte slots."""
        return 8 + 2 * self.cap * 8

    def saved_nodes(self) -> tuple[list[float], list[float]]:
        """The merged means and weights as TDigestRdbSave writes them (weights as doubles)."""
        n = self.merged_nodes
        return self.means[:n], [float(w) for w in self.weights[:n]]

    @classmethod
    def from_saved(cls, compression: float, lo: float, hi: float, cap: int, merged: int, unmerged: int,
                   compressions: int, merged_weight: float, unmerged_weight: float, means: list[float],
                   weights: list[float]) -> TDigest | None:
        """TDigestRdbLoad: nodes past the merged ones read back as zeros (only merged nodes
        are saved, and saving compresses first)."""
        room = cap_from_compression(compression)
        if room < 1 or merged < 0 or unmerged < 0 or merged + unmerged > room or len(means) != merged \
                or len(weights) != merged:
            return None
        t = cls(compression, cap)
        t.min = lo
        t.max = hi
        t.merged_nodes = merged
        t.unmerged_nodes = unmerged
        t.total_compressions = compressions
        t.merged_weight = to_long_long(merged_weight)
        t.unmerged_weight = to_long_long(unmerged_weight)
        t.means = list(means) + [0.0] * unmerged
        t.weights = [to_long_long(w) for w in weights] + [0] * unmerged
        return t

    def copy(self) -> TDigest:
        t = TDigest.__new__(TDigest)
        for name in TDigest.__slots__:
            setattr(t, name, getattr(self, name))
        t.means = list(self.means)
        t.weights = list(self.weights)
        return t
