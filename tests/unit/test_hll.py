"""engine/hll.py without a server: hashing, register packing, the sparse editor (against
a literal byte-pointer walk), decoding paths against each other, the estimator, and
values captured from Redis 7.4 as fixed facts."""

from __future__ import annotations

import random

import numpy as np
import pytest

from moredis.engine import hll

HDR_SPARSE = b"HYLL\x01\x00\x00\x00" + bytes(7) + b"\x80"
HDR_DENSE = b"HYLL\x00\x00\x00\x00" + bytes(7) + b"\x80"


def dense_of(regs) -> bytes:
    bits = 0
    for i, v in enumerate(regs):
        bits |= v << (6 * i)
    return HDR_DENSE + bits.to_bytes(hll.DENSE_BYTES, "little")


# --- a literal walk over the bytes, the way the C code moves its pointers -----------------

def _span_at(b: bytearray, p: int) -> tuple[int, int]:
    """(span, opcode length) at byte p; a missing XZERO second byte reads as 0."""
    x = b[p]
    if x & 0xC0 == 0:
        return (x & 63) + 1, 1
    if x & 0x80:
        return (x & 3) + 1, 1
    nxt = b[p + 1] if p + 1 < len(b) else 0
    return (((x & 63) << 8) | nxt) + 1, 2


def naive_sparse_set(buf: bytearray, index: int, count: int, max_bytes: int) -> tuple[int, bytearray]:
    """hllSparseSet on a whole value with byte offsets; returns (result, new value)."""
    b = bytearray(buf)

    def promote():
        regs = naive_registers(b)
        if regs is None:
            return -1, bytearray(buf)
        if count > regs[index]:
            regs[index] = count
        out = bytearray(b[:16])
        out[4] = 0
        return 1, out + dense_of(regs)[16:]

    if count > 32:
        return promote()
    p = 16
    end = len(b)
    first = 0
    prev = None
    span = 0
    oplen = 1
    while p < end:
        span, oplen = _span_at(b, p)
        if index <= first + span - 1:
            break
        prev = p
        p += oplen
        first += span
    if span == 0 or p >= end:
        return -1, b
    x = b[p]
    is_zero = x & 0xC0 == 0
    is_xzero = x & 0xC0 == 0x40
    is_val = bool(x & 0x80)
    changed = False
    if is_val:
        if ((x >> 2) & 31) + 1 >= count:
            return 0, b
        if span == 1:
            b[p] = 0x80 | ((count - 1) << 2)
            changed = True
    if not changed and is_zero and span == 1:
        b[p] = 0x80 | ((count - 1) << 2)
        changed = True
    if not changed:
        seq = bytearray()
        last = first + span - 1

        def zeros(n):
            if n > 64:
                seq.extend(((n - 1) >> 8 | 0x40, (n - 1) & 0xFF))
            else:
                seq.append(n - 1)

        if is_zero or is_xzero:
            if index != first:
                zeros(index - first)
            seq.append(0x80 | ((count - 1) << 2))
            if index != last:
                zeros(last - index)
        else:
            v = (x >> 2) & 31
            if index != first:
                seq.append(0x80 | (v << 2) | (index - first - 1))
            seq.append(0x80 | ((count - 1) << 2))
            if index != last:
                seq.append(0x80 | (v << 2) | (last - index - 1))
        oldlen = 2 if is_xzero else 1
        delta = len(seq) - oldlen
        if delta > 0 and len(b) + delta > max_bytes:
            return promote()
        tail = b[p + oldlen:] if p + oldlen <= end else bytearray()
        newlen = len(b) + delta
        b = (b[:p] + seq + tail)[:newlen]
    # merge adjacent VALs from prev, at most 5 steps
    p = prev if prev is not None else 16
    scan = 5
    while p < len(b) and scan:
        scan -= 1
        x = b[p]
        if x & 0xC0 == 0x40:
            p += 2
            continue
        if x & 0xC0 == 0:
            p += 1
            continue
        if p + 1 < len(b) and b[p + 1] & 0x80:
            v1, v2 = (x >> 2) & 31, (b[p + 1] >> 2) & 31
            n = (x & 3) + (b[p + 1] & 3) + 2
            if v1 == v2 and n <= 4:
                b[p + 1] = 0x80 | (v1 << 2) | (n - 1)
                del b[p]
                continue
        p += 1
    b[15] |= 0x80
    return 1, b


def naive_registers(b) -> list[int] | None:
    """hllSparseToDense's walk."""
    regs = [0] * 16384
    i = 0
    p = 16
    while p < len(b):
        span, oplen = _span_at(b, p)
        if b[p] & 0x80:
            if i + span > 16384:
                break
            for _ in range(span):
                regs[i] = ((b[p] >> 2) & 31) + 1
                i += 1
        else:
            i += span
        p += oplen
    return regs if i == 16384 else None


# --- hashing ------------------------------------------------------------------------------

def test_hash_positions_match_redis():
    # PFADD h a b c on Redis 7.4, then PFDEBUG DECODE h: "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"
    got = sorted(hll.pat_len(e) for e in (b"a", b"b", b"c"))
    assert got == [(8436, 1), (12711, 2), (15780, 1)]


def test_vector_hash_equals_scalar():
    rng = random.Random(5)
    elems = [bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 7, 8, 9, 15, 16, 17, 40, 100])))
             for _ in range(500)]
    idx, cnt = hll.hash_elements(elems)
    assert list(zip(idx, cnt, strict=True)) == [hll.pat_len(e) for e in elems]
    mixed = elems[:100] + [b"L" * 300, b"M" * 247, b"N" * 248] + elems[100:]  # long ones hashed apart
    idx, cnt = hll.hash_elements(mixed)
    assert list(zip(idx, cnt, strict=True)) == [hll.pat_len(e) for e in mixed]
    vals = np.array([rng.getrandbits(64) for _ in range(200)], dtype=np.uint64)
    vi, vc = hll.hash_u64(vals)
    want = [hll.pat_len(int(v).to_bytes(8, "little")) for v in vals]
    assert list(zip(vi.tolist(), vc.tolist(), strict=True)) == want


def test_long_elements_hash_in_chunks(monkeypatch):
    data = bytes(random.Random(4).getrandbits(8) for _ in range(3 * 8 * 5 + 3))
    want = hll.murmurhash64a(data)
    monkeypatch.setattr(hll, "_LONG_BLOCKS", 4)
    assert hll.murmurhash64a(data) == want
    assert hll.murmurhash64a(data[:40]) == hll.murmurhash64a(bytes(data[:40]))


def test_count_is_trailing_zeros_plus_one():
    assert all(1 <= hll.pat_len(b"%d" % i)[1] <= hll.Q + 1 for i in range(2000))
    assert hll.murmurhash64a(b"") == hll.murmurhash64a(b"", hll.SEED)
    assert hll.murmurhash64a(b"abc") != hll.murmurhash64a(b"abc", 0)


# --- dense registers ------------------------------------------------------------------------

def test_dense_pack_unpack_and_scalar_access():
    rng = np.random.default_rng(1)
    regs = rng.integers(0, 64, 16384, dtype=np.uint8)
    buf = bytearray(dense_of(regs.tolist()))
    assert bytes(buf[16:]) == hll.pack_registers(regs)
    assert np.array_equal(hll.dense_registers(buf), regs)
    assert [hll.dense_get(buf, i) for i in range(0, 16384, 7)] == regs[::7].tolist()
    other = rng.integers(0, 64, 16384, dtype=np.uint8)
    for i, v in enumerate(other.tolist()):
        hll.dense_set(buf, i, v)
    assert np.array_equal(hll.dense_registers(buf), other)
    assert len(buf) == hll.DENSE_SIZE


def test_dense_apply_counts_sequential_updates():
    rng = random.Random(3)
    for n in (10, 60, 3000):
        base = bytearray(dense_of([rng.randrange(0, 8) for _ in range(16384)]))
        idx = [rng.randrange(0, 64) for _ in range(n)]  # many repeats
        cnt = [rng.randrange(1, 12) for _ in range(n)]
        slow = bytearray(base)
        want = 0
        for i, c in zip(idx, cnt, strict=True):
            if c > hll.dense_get(slow, i):
                hll.dense_set(slow, i, c)
                want += 1
        fast = bytearray(base)
        assert hll._dense_apply(fast, idx, cnt) == want
        assert fast == slow


# --- sparse ---------------------------------------------------------------------------------

def test_empty_value_is_redis_createhllobject():
    empty = hll.EMPTY
    assert empty == b"HYLL\x01\x00\x00\x00" + bytes(8) + b"\x7f\xff"
    assert hll.decode_text(hll.EMPTY) == b"Z:16384"
    assert hll.count(hll.EMPTY) == 0


def test_sparse_bytes_match_redis():
    # PFADD h a b c on a new key: GET h from Redis 7.4
    buf = bytearray(hll.EMPTY)
    assert hll.add_elements(buf, [b"a", b"b", b"c"], 3000) == (3, True)
    assert bytes(buf) == HDR_SPARSE + b"`\xf3\x80P\xb1\x84K\xfb\x80BZ"
    assert hll.count(buf) == 3


def random_ops(rng: random.Random, n: int) -> list[tuple[int, int]]:
    hot = [rng.randrange(16384) for _ in range(rng.randint(1, 40))]
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            i = rng.choice(hot) + rng.randint(-5, 5)
        else:
            i = rng.randrange(16384)
        out.append((min(max(i, 0), 16383), rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 8, 20, 32, 33])))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_sparse_editor_matches_pointer_walk(seed):
    rng = random.Random(seed)
    max_bytes = rng.choice([3000, 300, 60, 18])
    ops = random_ops(rng, 400)
    slow = bytearray(hll.EMPTY)
    single = bytearray(hll.EMPTY)
    for j, (i, c) in enumerate(ops):
        if slow[4] == 1:
            r, slow = naive_sparse_set(slow, i, c, max_bytes)
        else:
            r = 1 if c > hll.dense_get(slow, i) else 0
            if r:
                hll.dense_set(slow, i, c)
        # one register at a time through the public single-update path
        changed, ok = hll.add_hashed(single, [i], [c], max_bytes)
        assert ok and changed == r, (j, i, c)
        assert single == slow, j
    batch = bytearray(hll.EMPTY)
    changed, ok = hll.add_hashed(batch, [i for i, _ in ops], [c for _, c in ops], max_bytes)
    assert ok
    assert batch == slow


@pytest.mark.parametrize("seed", range(40))
def test_corrupt_sparse_bodies_behave_like_the_pointer_walk(seed):
    rng = random.Random(1000 + seed)
    body = b"".join(rng.choice([b"\x7f", b"\x40", b"\x80", b"\x00", b"\x7f\xff", b"\x41\x7f"])
                    for _ in range(rng.randint(0, 8)))
    if rng.random() < 0.5:
        body = b"\x7f\xfe" + body
    if seed % 3 == 0:  # long enough for the numpy decoder
        body = b"\x84\x00" * 150 + body
    start = HDR_SPARSE + bytes(body)
    for _ in range(5):
        i = rng.randrange(16384)
        c = rng.choice([1, 3, 32, 40])
        want_r, want = naive_sparse_set(bytearray(start), i, c, 3000)
        got = bytearray(start)
        r = hll.sparse_set(got, i, c, 3000)
        assert r == want_r
        if r >= 0:
            assert got == want
        ed = hll.SparseEditor(start, 3000)
        assert ed.set(i, c) == want_r
        if want_r >= 0:
            assert (ed.dense if ed.dense is not None else bytearray(ed.value())) == want
    regs = hll.sparse_registers(start)
    want_regs = naive_registers(start)
    assert (regs is None and want_regs is None) or regs.tolist() == want_regs


def test_index_cache_follows_the_value():
    hll._INDEX_CACHE.clear()
    rng = random.Random(8)
    buf = bytearray(hll.EMPTY)
    hll.add_elements(buf, [b"p%d" % i for i in range(400)], 100000)
    for i, c in random_ops(rng, 300):
        c = min(c, 32)  # stays sparse
        want_r, want = naive_sparse_set(buf, i, c, 100000)
        assert hll.sparse_set(buf, i, c, 100000) == want_r
        assert buf == want
        hit = hll._INDEX_CACHE.get(id(buf))
        assert hit is not None and hit[0] is buf and hit[1] == buf[16:]
        assert hit[2] == hll.SparseEditor(buf, 100000).starts
    # changed behind its back (same length): the entry is not used
    buf[20] ^= 0x01
    want_r, want = naive_sparse_set(buf, 3, 7, 100000)
    assert hll.sparse_set(buf, 3, 7, 100000) == want_r and buf == want
    assert hll.sparse_set(buf, 3, 40, 100000) == 1 and buf[4] == hll.DENSE
    assert id(buf) not in hll._INDEX_CACHE
    others = [bytearray(buf) for _ in range(20)]
    for b in others:
        b[:] = want
        hll.sparse_set(b, 5, 9, 100000)
    assert len(hll._INDEX_CACHE) == hll._INDEX_CACHE_SIZE


def test_numpy_and_python_decoders_agree(monkeypatch):
    rng = random.Random(9)
    for _ in range(60):
        n = rng.choice([0, 1, 5, 150, 199, 200, 201, 600])
        weights = [rng.random() for _ in range(3)]
        body = bytes(rng.choices([rng.randrange(0, 64), rng.randrange(64, 128), rng.randrange(128, 256)],
                                 weights=weights)[0] for _ in range(n))
        buf = HDR_SPARSE + body
        span, val, _ = hll._decode(buf)
        ops = hll._ops_py(buf)
        assert int(span.sum()) == sum(s for s, _, _ in ops)
        hist = np.bincount(val, weights=span, minlength=64).astype(np.int64).tolist()
        want = [0] * 64
        for s, v, _ in ops:
            want[v] += s
        assert hist == want
        ed = hll.SparseEditor(buf, 10**6)
        regs = hll.sparse_registers(buf)
        with monkeypatch.context() as m:
            m.setattr(hll, "_NUMPY_PARSE_MIN", 10**9)
            ed_py = hll.SparseEditor(buf, 10**6)
            regs_py = hll.sparse_registers(buf)
        assert ed.starts == ed_py.starts
        assert (regs is None) == (regs_py is None)
        if regs is not None:
            assert np.array_equal(regs, regs_py)


def test_sparse_values_in_valid_sketch():
    rng = random.Random(2)
    buf = bytearray(hll.EMPTY)
    elems = [b"e%d" % rng.getrandbits(30) for _ in range(700)]
    hll.add_elements(buf, elems, 100000)
    assert buf[4] == hll.SPARSE
    regs = hll.sparse_registers(buf)
    want = [0] * 16384
    for e in elems:
        i, c = hll.pat_len(e)
        want[i] = max(want[i], c)
    assert regs.tolist() == want
    assert hll.count(buf) == hll.estimate(np.bincount(np.array(want), minlength=64).tolist())
    dense = bytearray(buf)
    assert hll.to_dense(dense) and dense[4] == hll.DENSE and dense[:4] == b"HYLL" and dense[5:16] == buf[5:16]
    assert hll.dense_registers(dense).tolist() == want


def test_promotion_by_size_and_by_value():
    buf = bytearray(hll.EMPTY)
    assert hll.sparse_set(buf, 5, 33, 3000) == 1  # a value above 32 forces the dense form
    assert buf[4] == hll.DENSE and hll.dense_get(buf, 5) == 33
    buf = bytearray(hll.EMPTY)
    hll.add_hashed(buf, [10, 20], [1, 1], 20)  # 18 bytes now; any growth passes 20
    assert buf[4] == hll.DENSE


@pytest.mark.parametrize("seed", range(6))
def test_merge_into_sparse_sets_registers_in_order(seed):
    rng = random.Random(seed)
    max_bytes = rng.choice([3000, 200, 20000])
    dest = bytearray(hll.EMPTY)
    ops = [(i, min(c, 32)) for i, c in random_ops(rng, 50)]
    hll.add_hashed(dest, [i for i, _ in ops], [c for _, c in ops], 20000)
    assert dest[4] == hll.SPARSE
    regs = hll.sparse_registers(dest).copy()
    for i, c in random_ops(rng, rng.choice([10, 300, 2000])):
        regs[i] = max(regs[i], min(c, 32))
    want = bytearray(dest)
    for i in np.flatnonzero(regs).tolist():
        if want[4] == hll.SPARSE:
            _, want = naive_sparse_set(want, i, int(regs[i]), max_bytes)
        elif regs[i] > hll.dense_get(want, i):
            hll.dense_set(want, i, int(regs[i]))
    hll.set_registers(dest, regs, max_bytes)
    assert dest == want


def test_decode_text():
    buf = HDR_SPARSE + b"\x7f\xfd\x83"
    assert hll.decode_text(buf) == b"Z:16382 v:1,4"
    assert hll.decode_text(HDR_SPARSE + b"\x7f") == b"Z:16129"  # second byte read as 0
    assert hll.decode_text(HDR_SPARSE) == b""


def test_validity_checks():
    assert hll.is_hll(hll.EMPTY) and hll.is_hll(bytearray(hll.EMPTY))
    assert not hll.is_hll(123)
    assert not hll.is_hll(hll.EMPTY[:15])
    assert not hll.is_hll(b"HYLX" + hll.EMPTY[4:])
    assert not hll.is_hll(b"HYLL\x02" + hll.EMPTY[5:])
    assert not hll.is_hll(HDR_DENSE + bytes(100))
    assert hll.is_hll(HDR_DENSE + bytes(hll.DENSE_BYTES))
    assert hll.is_hll(HDR_SPARSE)  # a header alone passes the type check (counting fails)
    assert hll.count(HDR_SPARSE) is None
    assert hll.count(HDR_SPARSE + b"\x7f\xff\x80") is None  # one register too many
    assert hll.sparse_registers(HDR_SPARSE + b"\x7f\xff\x80") is not None  # merge stops at the end
    assert hll.sparse_registers(HDR_SPARSE + b"\x7f\xff\x00") is None


# --- estimator -------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "card"), [
    (0, 0), (51, 1 << 63), (63, 1 << 63), (40, 12994641697113596), (30, 12690079782337)])
def test_estimate_of_uniform_registers_matches_redis(value, card):
    """Dense sketches with every register equal, counted by Redis 7.4 (2**63 is llroundl
    overflowing, which PFCOUNT prints as -9223372036854775808)."""
    assert hll.count(dense_of([value] * 16384)) == card


def test_estimate_tracks_cardinality():
    buf = bytearray(hll.EMPTY)
    for n in (10, 100, 1000, 20000):
        hll.add_elements(buf, [b"k%d" % i for i in range(n)], 3000)
        est = hll.count(buf)
        assert abs(est - n) <= max(1, 0.05 * n), (n, est)
    assert hll.as_signed(1 << 63) == -(1 << 63)
    assert hll.as_signed(5) == 5


def test_selftest_passes_and_catches_breakage(monkeypatch):
    assert hll.selftest(3000, random.Random(1), elements=100_000) is None
    monkeypatch.setattr(hll, "dense_get", lambda buf, i: 0)
    assert hll.selftest(3000, random.Random(1), elements=10).startswith("TESTFAILED Register ")
