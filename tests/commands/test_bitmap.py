"""Bitmap commands in-process (harness) and through redis-py: storage, propagation,
dirty counting. Byte-exact replies are checked against Redis in
tests/differential/test_diff_bitmap.py."""

from __future__ import annotations

import pytest
from harness import Err, Harness


@pytest.fixture
def h():
    hs = Harness()
    hs.prop = []
    hs.srv.propagators.append(
        lambda dbid, argvs: hs.prop.extend([[a.decode("latin-1") for a in argv] for argv in argvs]))
    return hs


def data(h):
    return h.srv.dbs[0].data


def test_setbit_grows_a_bytearray_in_place(h):
    assert h("setbit", "b", "0", "1") == 0
    ba = data(h)[b"b"]
    assert ba == bytearray(b"\x80")
    assert h("setbit", "b", "17", "1") == 0
    assert data(h)[b"b"] is ba
    assert ba == bytearray(b"\x80\x00\x40")
    assert h("getbit", "b", "17") == 1
    assert h("getbit", "b", "1") == 0


def test_bit_writes_turn_values_raw(h):
    for v in (b"abc", 616263):
        data(h)[b"k"] = v
        h("setbit", "k", "1", "0")
        assert type(data(h)[b"k"]) is bytearray
    data(h)[b"k"] = 7
    h("bitfield", "k", "INCRBY", "u8", "0", "1")
    assert data(h)[b"k"] == bytearray(b"8")
    h("bitop", "or", "d", "k")
    assert type(data(h)[b"d"]) is bytearray


def test_unchanged_bits_are_not_replicated(h):
    h("setbit", "b", "7", "1")
    h("setbit", "b", "7", "1")
    h("setbit", "b", "6", "0")
    h("setbit", "b", "20", "0")
    h("bitfield", "b", "SET", "u8", "0", "1")
    h("bitfield", "b", "SET", "u8", "0", "2")
    h("bitfield", "b", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000")
    h("bitfield", "b", "GET", "u8", "0")
    h("bitfield_ro", "b", "GET", "u8", "0")
    h("bitop", "not", "n", "missing")
    h("bitop", "not", "n", "b")
    h("bitop", "and", "n", "missing")
    assert h.prop == [
        ["setbit", "b", "7", "1"],
        ["setbit", "b", "20", "0"],
        ["bitfield", "b", "SET", "u8", "0", "2"],
        ["bitop", "not", "n", "b"],
        ["bitop", "and", "n", "missing"],
    ]


def test_bitfield_counts_one_change_per_write(h):
    before = h.srv.dirty
    h("bitfield", "b", "SET", "u8", "0", "0", "SET", "u8", "8", "0", "GET", "u8", "0")
    assert h.srv.dirty - before == 2  # the string was created: each write counts
    before = h.srv.dirty
    h("bitfield", "b", "SET", "u8", "0", "0", "SET", "u8", "8", "3", "INCRBY", "i4", "0", "1")
    assert h.srv.dirty - before == 2


def test_bitfield_reads_past_the_end_and_int_values(h):
    assert h("bitfield", "nope", "GET", "i64", "1000", "GET", "u1", "#7") == [0, 0]
    assert "nope" not in [k.decode() for k in data(h)]
    h("incrby", "n", "5")
    assert h("bitfield_ro", "n", "GET", "u8", "0", "GET", "u8", "8") == [ord("5"), 0]
    assert data(h)[b"n"] == 5


def test_bitfield_hash_offsets_wrap_like_c(h):
    """#n is multiplied by the width in a C long long: overflow wraps, and may even land
    on a valid offset (here 2**62 * 64 wraps to 0)."""
    assert h("bitfield", "k", "GET", "i64", "#4611686018427387904") == [0]
    assert h("bitfield", "k", "GET", "i64", "#144115188075855872") == Err(
        "ERR bit offset is not an integer or out of range")


def test_bitop_not_and_lengths(h):
    h("set", "a", b"\x0f\xf0")
    h("set", "b", b"\xff")
    assert h("bitop", "not", "d", "a") == 2
    assert h("get", "d") == b"\xf0\x0f"
    assert h("bitop", "xor", "d", "a", "b", "missing") == 2
    assert h("get", "d") == b"\xf0\xf0"
    assert h("bitop", "and", "d", "a", "b") == 2
    assert h("get", "d") == b"\x0f\x00"
    assert h("bitop", "or", "d", "missing") == 0
    assert h("exists", "d") == 0


def test_bitcount_bitpos_big_string(h):
    h("setbit", "b", str(8 * 100000 + 3), "1")
    assert h("bitcount", "b") == 1
    assert h("bitpos", "b", "1") == 800003
    assert h("bitpos", "b", "0", "100000") == 800000
    assert h("bitpos", "b", "1", "-1", "-1") == 800003
    assert h("bitcount", "b", "800000", "800003", "BIT") == 1
    assert h("bitcount", "b", "800004", "-1", "BIT") == 0


def test_resp3_bitfield_nulls():
    h3 = Harness(resp=3)
    node = h3.raw("bitfield", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5", "GET", "u2", "0")
    assert [x.kind for x in node.value] == ["null", "integer"]


def test_through_redis_py(r, r3):
    assert r.setbit("b", 9, 1) == 0
    assert r.getbit("b", 9) == 1
    assert r.bitcount("b") == 1
    assert r.bitcount("b", 0, 0) == 0
    assert r.bitpos("b", 1) == 9
    assert r.bitop("NOT", "n", "b") == 2
    assert r.get("n") == b"\xff\xbf"
    bf = r.bitfield("f")
    assert bf.set("u8", 0, 200).incrby("u8", 0, 100).overflow("FAIL").incrby("u8", 0, 250).execute() == [0, 44, None]
    assert r3.bitfield_ro("f", "u8", 0, items=[("i8", 0)]) == [44, 44]
