"""Unit tests for moredis/modules/bloom/bloom.py (no server): hashing, link sizing as
RedisBloom's bloom_init, scaling, the SCANDUMP header/chunks and LOADCHUNK checks, and
the measured false-positive rate against the requested error rate."""

from __future__ import annotations

import math
import random
import struct

import pytest

from moredis.modules.bloom.bloom import (
    ADD_ERR,
    ADD_FULL,
    OPT_ENTS_IS_BITS,
    OPT_FORCE64,
    OPT_NO_SCALING,
    OPT_NOROUND,
    SBChain,
    hash32,
    hash64,
    murmur2,
    murmur64a,
    new_link,
)

STD = OPT_FORCE64 | OPT_NOROUND  # what BF.RESERVE / BF.ADD create


def test_murmur64a_vectors():
    # fixed values of MurmurHash64A; the differential tests check the resulting bit
    # arrays against RedisBloom's
    assert murmur64a(b"", 0) == 0
    assert murmur64a(b"hello", 0) == murmur64a(bytearray(b"hello"), 0)
    assert murmur64a(b"a", 0) != murmur64a(b"a", 1)
    assert murmur64a(b"12345678", 0) != murmur64a(b"12345679", 0)
    assert 0 <= murmur64a(b"x" * 100, 0xC6A4A7935BD1E995) < 1 << 64


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 31, 64, 1000])
def test_hash64_is_two_chained_murmurs(n):
    rnd = random.Random(n)
    for _ in range(10):
        data = bytes(rnd.randrange(256) for _ in range(n))
        a = murmur64a(data, 0xC6A4A7935BD1E995)
        assert hash64(data) == (a, murmur64a(data, a))


def test_murmur2_vectors():
    assert murmur2(b"", 0) == 0
    a, b = hash32(b"abc")
    assert a == murmur2(b"abc", 0x9747B28C) and b == murmur2(b"abc", a)
    assert a < 1 << 32 and b < 1 << 32


def test_link_sizing_like_bloom_init():
    ln = new_link(100, 0.005, STD)
    assert (ln.bytes, ln.bits, ln.hashes, ln.entries) == (144, 1152, 8, 100)
    assert ln.bpe == pytest.approx(-math.log(0.005) / math.log(2) ** 2, rel=1e-12)
    tiny = new_link(1, 0.999, STD)  # fewer than one bit per entry still gets one word
    assert (tiny.bytes, tiny.bits, tiny.hashes) == (8, 64, 1)
    # power-of-two rounding (no NOROUND): the spare bits become extra capacity
    p2 = new_link(100, 0.01, OPT_FORCE64)
    assert p2.n2 == 10 and p2.bits == 1024 and p2.entries == 106
    bits = new_link(12, 0.01, OPT_FORCE64 | OPT_ENTS_IS_BITS)
    assert bits.bits == 4096 and bits.entries == int(4096 / bits.bpe)
    assert new_link(0, 0.01, STD) is None
    assert new_link(10, 0.0, STD) is None
    assert new_link(10, 1.0, STD) is None
    assert new_link(65, 0.01, OPT_ENTS_IS_BITS) is None


def test_chain_scales_with_tightened_error():
    sb = SBChain.create(3, 0.1, STD, 2)
    added = [sb.add(b"i%d" % i) for i in range(40)]
    assert added.count(1) == sb.size
    assert [(ln.entries, ln.error) for ln in sb.filters] == [(3, 0.05), (6, 0.025), (12, 0.0125), (24, 0.00625)]
    assert sb.capacity() == 45
    assert sb.mem_usage() == 32 + 64 * 4 + sum(ln.bytes for ln in sb.filters)
    assert all(sb.check(b"i%d" % i) for i in range(40))  # no false negatives
    assert sb.debug_lines()[0] == b"size:%d" % sb.size


def test_nonscaling_fills_up():
    sb = SBChain.create(2, 0.5, STD | OPT_NO_SCALING, 2)
    assert sb.filters[0].error == 0.5  # no tightening for a filter that never grows
    results = [sb.add(b"%d" % i) for i in range(10)]
    assert ADD_FULL in results
    assert sb.size == 2 and len(sb.filters) == 1


def test_zero_growth_leaves_an_empty_link():
    sb = SBChain.create(2, 0.01, STD, 1 << 32)  # growth is a uint32: 0
    assert sb.growth == 0
    assert [sb.add(x) for x in (b"a", b"b", b"c", b"d")] == [1, 1, ADD_ERR, 0]
    assert len(sb.filters) == 2 and sb.filters[1].hashes == 0
    assert sb.check(b"never added")


def test_header_round_trip_and_chunks():
    sb = SBChain.create(50, 0.01, STD, 3)
    for i in range(400):
        sb.add(b"k%d" % i)
    hdr = sb.header()
    assert len(hdr) == 20 + 53 * len(sb.filters)
    size, nfilters, options, growth = struct.unpack_from("<QIII", hdr)
    assert (size, nfilters, options, growth) == (sb.size, len(sb.filters), STD, 3)
    copy = SBChain.from_header(hdr)
    it = 1
    while True:
        nxt, data = sb.chunk(it, limit=37)  # small chunks cross link boundaries
        if nxt == 0:
            assert data == b""
            break
        assert 0 < len(data) <= 37
        assert copy.load_chunk(nxt, data) is None
        it = nxt
    assert all(copy.check(b"k%d" % i) for i in range(400))
    assert copy.header() == hdr
    assert [bytes(a.bf) for a in copy.filters] == [bytes(b.bf) for b in sb.filters]


def test_from_header_refuses_bad_data():
    sb = SBChain.create(100, 0.01, STD, 2)
    sb.add(b"x")
    hdr = sb.header()

    def patched(off, raw):
        b = bytearray(hdr)
        b[off:off + len(raw)] = raw
        return bytes(b)

    assert SBChain.from_header(hdr) is not None
    for bad in (hdr[:-1], hdr + b"\0", b"", patched(8, b"\0\0\0\0"), patched(12, b"\x10"), patched(0, b"\x09"),
                patched(60, b"\x09"), patched(20, b"\x91"), patched(44, struct.pack("<d", 0.0))):
        assert SBChain.from_header(bad) is None
    assert SBChain.from_header(patched(12, b"\x04")) is not None  # options without NOROUND load


def test_load_chunk_errors():
    sb = SBChain.create(100, 0.01, STD, 2)
    assert sb.load_chunk(0, b"x") == "ERR received bad data"
    assert sb.load_chunk(3, b"abcd") == "ERR received bad data"
    assert sb.load_chunk(146, b"x" * 144) == "ERR invalid chunk - Too big for current filter"
    assert sb.load_chunk(1000, b"x") == "ERR invalid offset - no link found"
    assert sb.load_chunk(10, b"") is None
    assert sb.load_chunk(145, b"\xff" * 144) is None
    assert sb.check(b"anything")


def test_copy_is_deep():
    sb = SBChain.create(10, 0.01, STD, 2)
    sb.add(b"a")
    c = sb.copy()
    c.add(b"b")
    assert not sb.check(b"b") and c.check(b"a") and c.size == 2 and sb.size == 1


def _fp_rate(sb: SBChain, n_queries: int, seed: int) -> float:
    rnd = random.Random(seed)
    hits = sum(sb.check(b"q%d-%d" % (seed, rnd.getrandbits(48))) for _ in range(n_queries))
    return hits / n_queries


@pytest.mark.parametrize(("error", "capacity", "fill", "nonscaling"), [
    (0.1, 2000, 1.0, True),
    (0.01, 5000, 1.0, True),
    (0.001, 5000, 1.0, True),
    (0.05, 1000, 4.0, False),  # scaled to 4x its first link: tightening keeps the sum below
    (0.01, 1000, 6.0, False),
])
def test_false_positive_rate_within_requested(error, capacity, fill, nonscaling):
    """Filled to capacity (or scaled past it), lookups of items never added must come out
    positive at most at the requested rate, allowing a 4-sigma binomial margin."""
    opts = STD | (OPT_NO_SCALING if nonscaling else 0)
    sb = SBChain.create(capacity, error, opts, 2)
    n = int(capacity * fill)
    for i in range(n):
        assert sb.add(b"member-%d" % i) in (0, 1)
    queries = 40000
    rate = _fp_rate(sb, queries, seed=int(error * 1e4) + n)
    margin = 4 * math.sqrt(error * (1 - error) / queries)
    assert rate <= error + margin, f"fp rate {rate:.5f} above {error} (+{margin:.5f})"
    assert all(sb.check(b"member-%d" % i) for i in range(0, n, 7))
