"""engine/bitops.py on plain bytes, against slow obvious implementations."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moredis.engine import bitops


def bits_of(buf: bytes) -> list[int]:
    return [(b >> (7 - i)) & 1 for b in buf for i in range(8)]


def naive_table(a: bytes, b: bytes) -> list[list[int]]:
    t = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            t[i][j] = t[i - 1][j - 1] + 1 if a[i - 1] == b[j - 1] else max(t[i - 1][j], t[i][j - 1])
    return t


def naive_lcs(a: bytes, b: bytes, minmatchlen: int = 0):
    """The walk back through the full table, tie going to j."""
    t = naive_table(a, b)
    i, j = len(a), len(b)
    out = []
    ranges = []
    cur = None  # [astart, aend, bstart, bend]
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:
            out.append(a[i - 1])
            if cur is None:
                cur = [i - 1, i - 1, j - 1, j - 1]
            else:
                cur[0] -= 1
                cur[2] -= 1
            i -= 1
            j -= 1
            done = cur[0] == 0 or cur[2] == 0
        else:
            if t[i - 1][j] > t[i][j - 1]:
                i -= 1
            else:
                j -= 1
            done = cur is not None
        if done:
            n = cur[1] - cur[0] + 1
            if minmatchlen == 0 or n >= minmatchlen:
                ranges.append((cur[0], cur[1], cur[2], cur[3], n))
            cur = None
    return bytes(reversed(out)), ranges, t[len(a)][len(b)]


small = st.binary(max_size=24).map(lambda b: bytes(x % 4 + 97 for x in b))


@settings(max_examples=300, deadline=None)
@given(small, small)
def test_lcs_rows_give_the_dp_table(a, b):
    rows = bitops.lcs_rows(a, b)
    t = naive_table(a, b)
    for i in range(len(a) + 1):
        for j in range(len(b) + 1):
            assert j - (rows[i] & ((1 << j) - 1)).bit_count() == t[i][j]


@settings(max_examples=300, deadline=None)
@given(small, small, st.integers(0, 4))
def test_lcs_walk_matches_naive(a, b, mml):
    assert bitops.lcs(a, b, mml) == naive_lcs(a, b, mml)
    assert bitops.lcs_length(a, b) == naive_table(a, b)[len(a)][len(b)]


def test_lcs_examples():
    assert bitops.lcs(b"ohmytext", b"mynewtext") == (
        b"mytext", [(4, 7, 5, 8, 4), (2, 3, 0, 1, 2)], 6)
    assert bitops.lcs(b"", b"abc") == (b"", [], 0)
    assert bitops.lcs(b"abc", b"") == (b"", [], 0)
    assert bitops.lcs_length(b"x" * 3000, b"x" * 2000) == 2000


def test_popcount_and_first_bit():
    assert bitops.popcount(b"") == 0
    assert bitops.popcount(b"\xff\x01\x00") == 9
    assert bitops.popcount(b"\xff\x01\x00", 1, 2) == 1
    assert bitops.first_bit(b"\x00\x00\x10", 1) == 19
    assert bitops.first_bit(b"\x00\x00", 1) == -1
    assert bitops.first_bit(b"\xff\xff", 0) == 16
    assert bitops.first_bit(b"\xff\xfe", 0) == 15
    assert bitops.first_bit(b"", 0) == 0
    assert bitops.first_bit(b"", 1) == -1


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=12), st.integers(-120, 120), st.integers(-120, 120), st.booleans())
def test_bitcount_ranges(buf, start, end, isbit):
    bits = bits_of(buf)
    total = len(bits) if isbit else len(buf)
    if start < 0 and end < 0 and start > end:
        expect = 0
    else:
        s = max(start + total if start < 0 else start, 0)
        e = min(max(end + total if end < 0 else end, 0), total - 1)
        if s > e:
            expect = 0
        elif isbit:
            expect = sum(bits[s:e + 1])
        else:
            expect = sum(bits[s * 8:(e + 1) * 8])
    assert bitops.bitcount(buf, start, end, isbit) == expect


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=10), st.integers(0, 1), st.integers(-90, 90), st.integers(-90, 90))
def test_bitpos_bit_ranges(buf, bit, start, end):
    """With an explicit BIT range the answer is the first matching bit inside it, or -1."""
    bits = bits_of(buf)
    total = len(bits)
    s = max(start + total if start < 0 else start, 0)
    e = min(max(end + total if end < 0 else end, 0), total - 1)
    expect = next((i for i in range(s, e + 1) if bits[i] == bit), -1)
    assert bitops.bitpos(buf, bit, start, end, True) == expect


@pytest.mark.parametrize("n", [1, 65535, 65536, 65537, 200000])
def test_scans_across_chunks(n):
    for fill, bit in ((0, 1), (255, 0)):
        buf = bytearray([fill]) * n
        assert bitops.first_bit(buf, bit) == (-1 if bit else n * 8)
        for pos in {0, n - 1, n // 2, min(65536, n - 1)}:
            b2 = bytearray(buf)
            b2[pos] ^= 0x10
            assert bitops.first_bit(b2, bit) == pos * 8 + 3
            assert bitops.popcount(b2) == (n * 8 - 1 if fill else 1)
            assert bitops.bitcount(b2, 0, -1, True) == bitops.popcount(b2)
            assert bitops.bitcount(b2, pos * 8 + 3, pos * 8 + 3, True) == (0 if fill else 1)


def test_bitpos_open_end_looks_past_the_string_for_zero():
    assert bitops.bitpos(b"\xff\xff", 0) == 16
    assert bitops.bitpos(b"\xff\xff", 0, 0) == 16
    assert bitops.bitpos(b"\xff\xff", 0, 0, -1) == -1
    assert bitops.bitpos(b"\xff\xff", 1, 1) == 8
    assert bitops.bitpos(b"\x00\x0f", 1, 2) == -1


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=4), st.sampled_from(["and", "or", "xor"]))
def test_bitop(srcs, op):
    n = max(len(s) for s in srcs)
    padded = [s + bytes(n - len(s)) for s in srcs]
    out = bytearray(padded[0])
    for s in padded[1:]:
        for i in range(n):
            out[i] = out[i] & s[i] if op == "and" else out[i] | s[i] if op == "or" else out[i] ^ s[i]
    assert bitops.bitop(op, srcs) == bytes(out)
    assert bitops.bitop("not", [srcs[0]]) == bytes(x ^ 0xFF for x in srcs[0])


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=13, max_size=16), st.integers(0, 40), st.integers(1, 64),
       st.integers(-(1 << 63), (1 << 63) - 1))
def test_bitfield_fields(buf, offset, bits, value):
    ba = bytearray(buf)
    bitops.set_field(ba, offset, bits, value)
    low = value & ((1 << bits) - 1)
    assert bitops.get_unsigned(ba, offset, bits) == low
    assert bitops.get_signed(ba, offset, bits) == (low - (1 << bits) if low >> (bits - 1) else low)
    # the bits around the field are untouched
    before, after = bits_of(buf), bits_of(ba)
    assert before[:offset] == after[:offset]
    assert before[offset + bits:] == after[offset + bits:]
    assert "".join(map(str, after[offset:offset + bits])) == format(low, "0%db" % bits)


def test_bitfield_reads_past_the_end_as_zero():
    assert bitops.get_unsigned(b"\xff", 4, 8) == 0xF0
    assert bitops.get_signed(b"", 100, 64) == 0


@pytest.mark.parametrize("bits", [1, 2, 7, 8, 63, 64])
def test_signed_overflow(bits):
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    rnd = random.Random(bits)
    for _ in range(400):
        v = rnd.randint(lo, hi)
        inc = rnd.choice([rnd.randint(-4, 4), rnd.randint(-(1 << 63), (1 << 63) - 1), hi - v, hi - v + 1, lo - v - 1])
        inc = max(min(inc, (1 << 63) - 1), -(1 << 63))
        s = v + inc
        ovf, wrapped = bitops.signed_overflow(v, inc, bits, "wrap")
        assert ovf == (1 if s > hi else -1 if s < lo else 0)
        w = s & ((1 << bits) - 1)
        assert wrapped == (w - (1 << bits) if w >> (bits - 1) else w)
        assert bitops.signed_overflow(v, inc, bits, "sat")[1] == min(max(s, lo), hi)


@pytest.mark.parametrize("bits", [1, 8, 63])
def test_unsigned_overflow(bits):
    hi = (1 << bits) - 1
    rnd = random.Random(bits)
    for _ in range(400):
        v = rnd.randint(0, hi)
        inc = rnd.choice([rnd.randint(-4, 4), rnd.randint(-(1 << 63), (1 << 63) - 1), hi - v + 1, -v - 1])
        inc = max(min(inc, (1 << 63) - 1), -(1 << 63))
        s = v + inc
        ovf, wrapped = bitops.unsigned_overflow(v, inc, bits, "wrap")
        assert ovf == (1 if s > hi else -1 if s < 0 else 0)
        assert wrapped == s & hi
        assert bitops.unsigned_overflow(v, inc, bits, "sat")[1] == min(max(s, 0), hi)


def test_unsigned_set_of_a_negative_saturates_to_the_maximum():
    """A negative SET value is a huge uint64 in Redis, so SAT picks the maximum."""
    assert bitops.unsigned_overflow(-1, 0, 8, "sat") == (1, 255)
    assert bitops.unsigned_overflow(-1, 0, 8, "wrap") == (1, 255)
    assert bitops.unsigned_overflow(-256, 0, 8, "wrap") == (1, 0)
