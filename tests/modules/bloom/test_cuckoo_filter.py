"""Unit tests for moredis/modules/bloom/cuckoo.py (no server): sizing, fingerprints and
bucket choice, insertion with evictions and growth, deletion, counting, compaction,
SCANDUMP chunks and header checks, and the false-positive rate."""

from __future__ import annotations

import random
import struct

import pytest

from moredis.modules.bloom.cuckoo import (
    ALT_MUL,
    EXISTS,
    INSERTED,
    NOSPACE,
    CuckooFilter,
    cuckoo_hash,
    next_pow2,
)


def h(x: bytes) -> int:
    return cuckoo_hash(x)


def test_next_pow2():
    assert [next_pow2(n) for n in (0, 1, 2, 3, 5, 512, 513, 1 << 40)] == [0, 1, 2, 4, 8, 512, 1024, 1 << 40]


def test_sizing_like_cuckoo_init():
    cf = CuckooFilter.create(1024)
    assert (cf.num_buckets, cf.bucket_size, cf.max_iterations, cf.expansion) == (512, 2, 20, 1)
    assert cf.mem_usage() == 1080  # CF.INFO's Size for the default filter
    assert CuckooFilter.create(100, 3, 20, 3).num_buckets == 64
    assert CuckooFilter.create(100, 3, 20, 3).expansion == 4
    assert CuckooFilter.create(4, 1, 20, 0).expansion == 0
    assert CuckooFilter.create(1, 2).num_buckets == 1


def test_fingerprint_and_alternate_bucket_are_symmetric():
    cf = CuckooFilter.create(64, 2)
    nb = cf.filters[0].buckets
    for i in range(200):
        hv = h(b"%d" % i)
        fp = hv % 255 + 1
        assert 1 <= fp <= 255
        i1 = hv % nb
        i2 = (hv ^ (fp * ALT_MUL)) % nb
        assert (i2 ^ (fp * ALT_MUL)) % nb == i1


def test_insert_check_count_delete():
    cf = CuckooFilter.create(1024)
    assert cf.insert(h(b"a")) == INSERTED
    assert cf.insert(h(b"a")) == INSERTED  # duplicates are separate entries
    assert cf.insert_unique(h(b"a")) == EXISTS
    assert cf.count(h(b"a")) == 2
    assert cf.check(h(b"a")) and not cf.check(h(b"zzz"))
    assert cf.delete(h(b"a")) and cf.count(h(b"a")) == 1
    assert cf.delete(h(b"a")) and not cf.delete(h(b"a"))
    assert (cf.items, cf.deletes) == (0, 2)


def test_growth_and_no_false_negatives():
    cf = CuckooFilter.create(16, 2, 5, 2)
    items = [b"item-%d" % i for i in range(300)]
    for x in items:
        assert cf.insert(h(x)) == INSERTED
    assert len(cf.filters) > 1
    assert [f.buckets for f in cf.filters] == [8 * 2 ** i for i in range(len(cf.filters))]
    assert all(cf.check(h(x)) for x in items)
    assert cf.items == 300


def test_expansion_zero_fills_up_and_eviction_rolls_back():
    cf = CuckooFilter.create(4, 1, 20, 0)
    results = [cf.insert(h(b"%d" % i)) for i in range(20)]
    assert NOSPACE in results
    before = bytes(cf.filters[0].data)
    assert cf.insert(h(b"one more")) == NOSPACE
    assert bytes(cf.filters[0].data) == before  # the failed kick-out path was undone
    assert cf.items == results.count(INSERTED) == sum(1 for b in before if b)


def test_delete_compacts_and_compact_frees_the_newest():
    cf = CuckooFilter.create(8, 2, 5, 1)
    items = [b"v%d" % i for i in range(60)]
    for x in items:
        cf.insert(h(x))
    grown = len(cf.filters)
    assert grown > 1
    for x in items[:50]:
        assert cf.delete(h(x))
    assert cf.deletes <= cf.items * 0.10 + 1  # deletes trigger CuckooFilter_Compact(false)
    cf.compact(True)
    assert cf.deletes == 0 and len(cf.filters) < grown
    assert all(cf.check(h(x)) for x in items[50:])


def test_header_round_trip_and_chunks():
    cf = CuckooFilter.create(8, 2, 20, 2)
    for i in range(30):
        cf.insert(h(b"i%d" % i))
    hdr = cf.header()
    assert len(hdr) == 38
    assert struct.unpack("<QQQQHHH", hdr) == (30, 4, 0, len(cf.filters), 2, 20, 2)
    copy = CuckooFilter.from_header(hdr)
    pos = 1
    sent = []
    while (got := cf.chunk(pos)) is not None:
        pos, data = got
        sent.append(len(data))
        assert copy.load_chunk(pos, data)
    assert sent == [f.buckets * 2 for f in cf.filters]  # a sub-filter under the limit goes whole
    assert [bytes(f.data) for f in copy.filters] == [bytes(f.data) for f in cf.filters]
    # above the limit a sub-filter is cut in pieces
    pieces = []
    pos = 1
    while (got := cf.chunk(pos, limit=5)) is not None:
        pos, data = got
        pieces.append(len(data))
    assert sum(pieces) == sum(sent) and max(pieces) <= 8


@pytest.mark.parametrize("kw", [dict(nb=0), dict(nb=3), dict(nf=0), dict(bs=0), dict(bs=256), dict(mi=0)])
def test_from_header_refuses(kw):
    fields = dict(items=0, nb=4, dels=0, nf=1, bs=2, mi=20, ex=1) | kw
    buf = struct.pack("<QQQQHHH", *fields.values())
    assert CuckooFilter.from_header(buf) is None


def test_load_chunk_bounds():
    cf = CuckooFilter.from_header(struct.pack("<QQQQHHH", 0, 4, 0, 1, 2, 20, 1))
    assert cf.load_chunk(9, b"12345678")
    assert not cf.load_chunk(10, b"12345678")
    assert cf.load_chunk(5, b"1234")
    assert not cf.load_chunk(4, b"1234")
    assert not cf.load_chunk(5, b"")
    assert not cf.load_chunk(1000, b"12")


def test_copy_is_deep():
    cf = CuckooFilter.create(64)
    cf.insert(h(b"a"))
    c = cf.copy()
    c.insert(h(b"b"))
    assert not cf.check(h(b"b")) and c.check(h(b"a"))


@pytest.mark.parametrize("bucket_size", [1, 2, 4])
def test_false_positive_rate(bucket_size):
    """About 2 * bucket_size / 255 per sub-filter at most (two buckets probed)."""
    cf = CuckooFilter.create(4096, bucket_size, 20, 1)
    for i in range(3000):
        cf.insert(h(b"m%d" % i))
    rnd = random.Random(bucket_size)
    q = 20000
    fp = sum(cf.check(h(b"q%d" % rnd.getrandbits(48))) for _ in range(q)) / q
    bound = 2 * bucket_size * len(cf.filters) / 255
    assert fp <= bound * 1.15, (fp, bound)
