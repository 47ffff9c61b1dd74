"""Differential: the bitmap commands answer byte for byte as Redis 7.4 does (RESP2 and
RESP3), errors, notifications and random command sequences included."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from string_helpers import configured, keyspace_events, make_wrongtype


@pytest.fixture
def events(srv, ref, d):
    yield from keyspace_events(srv, ref, d)


def test_setbit_getbit(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("GETBIT", "b", "0")
        x.check("GETBIT", "b", "100")
        x.check("SETBIT", "b", "7", "1")
        x.check("SETBIT", "b", "7", "1")
        x.check("SETBIT", "b", "7", "0")
        x.check("SETBIT", "b", "0", "1")
        x.check("SETBIT", "b", "100", "0")
        x.check("GET", "b")
        x.check("GETBIT", "b", "0")
        x.check("GETBIT", "b", "7")
        x.check("GETBIT", "b", "1000")
        for bad in ("-1", "x", "1.5", "4294967296", "9223372036854775807", "", "+1", "#1"):
            x.check("SETBIT", "b", bad, "1")
            x.check("GETBIT", "b", bad)
        x.check("SETBIT", "b", "4294967295", "x")
        for bad in ("2", "-1", "x", "", "1.0", "01"):
            x.check("SETBIT", "b", "1", bad)
        x.check("SETBIT", "b", "x", "2")
        x.check("SET", "n", "123")
        x.check("GETBIT", "n", "2")
        x.check("GETBIT", "n", "3")
        x.check("INCR", "n")
        x.check("GETBIT", "n", "23")
        x.check("GETBIT", "n", "24")
        x.check("SETBIT", "n", "6", "1")
        x.check("GET", "n")
        x.check("SETBIT", "b", "1")
        x.check("GETBIT", "b")


def test_bitcount(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("BITCOUNT", "nope")
        x.check("BITCOUNT", "nope", "0", "-1")
        x.check("BITCOUNT", "nope", "0")
        x.check("BITCOUNT", "nope", "0", "-1", "BIT")
        x.check("BITCOUNT", "nope", "x", "-1")
        x.check("SET", "s", "foobar\x00\xff\x80\x01")
        x.check("SET", "e", "")
        x.check("SET", "n", "-1234567")
        x.check("INCR", "n")
        for key in ("s", "e", "n"):
            x.check("BITCOUNT", key)
            for start, end in [(0, -1), (0, 0), (1, 1), (-1, -1), (-2, -1), (5, 30), (-100, 100), (-5, -10),
                               (3, 2), (-1, -100), (0, -100), (100, 200), (-9223372036854775808, 9223372036854775807)]:
                x.check("BITCOUNT", key, str(start), str(end))
                x.check("BITCOUNT", key, str(start), str(end), "BYTE")
                x.check("BITCOUNT", key, str(start), str(end), "BIT")
            for start, end in [(1, 13), (5, 30), (7, 8), (0, 7), (9, 9), (-9, -1), (-80, -3), (13, 1)]:
                x.check("BITCOUNT", key, str(start), str(end), "bit")
        x.check("BITCOUNT", "s", "0")
        x.check("BITCOUNT", "s", "0", "1", "BITS")
        x.check("BITCOUNT", "s", "0", "1", "BIT", "x")
        x.check("BITCOUNT", "s", "a", "1")
        x.check("BITCOUNT", "s", "0", "b")
        x.check("BITCOUNT", "s", "0", "b", "BAD")
        x.check("BITCOUNT")


def test_bitpos(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("BITPOS", "nope", "0")
        x.check("BITPOS", "nope", "1")
        x.check("BITPOS", "nope", "1", "5", "10", "BIT")
        x.check("BITPOS", "nope", "2")
        x.check("BITPOS", "nope", "x")
        x.check("BITPOS", "nope", "1", "x")
        x.check("MSET", "ones", "\xff\xff\xff", "zeros", "\x00\x00\x00", "mix", "\x00\xff\xf0\x0f\x00",
                "e", "", "one", "\x80")
        x.check("SET", "n", "90")
        x.check("INCR", "n")
        for key in ("ones", "zeros", "mix", "e", "one", "n"):
            for bit in ("0", "1"):
                x.check("BITPOS", key, bit)
                for start in ("0", "1", "2", "-1", "-2", "-100", "100", "3"):
                    x.check("BITPOS", key, bit, start)
                    for end in ("0", "1", "2", "-1", "-3", "-100", "100"):
                        x.check("BITPOS", key, bit, start, end)
                        x.check("BITPOS", key, bit, start, end, "BYTE")
                for start, end in [(0, -1), (1, 6), (7, 9), (3, 3), (8, 15), (5, 20), (-7, -1), (-13, -9), (20, 5),
                                   (9, 100), (0, 39), (12, 19), (15, 16), (-1, -1), (2, 2)]:
                    x.check("BITPOS", key, bit, str(start), str(end), "BIT")
        x.check("BITPOS", "mix", "1", "0", "-1", "BITS")
        x.check("BITPOS", "mix", "1", "0", "x", "BIT")
        x.check("BITPOS", "mix", "1", "x", "-1", "BAD")
        x.check("BITPOS", "mix", "1", "0", "-1", "BIT", "x")
        x.check("BITPOS", "mix", "1", "0", "x", "BAD")
        x.check("BITPOS", "mix")


def test_bitop(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("MSET", "a", "foobar", "b", "abcdef", "c", "\xff", "e", "")
        x.check("SET", "n", "12")
        x.check("INCR", "n")
        for op in ("AND", "or", "Xor"):
            x.check("BITOP", op, "dest", "a", "b")
            x.check("GET", "dest")
            x.check("BITOP", op, "dest", "a", "c", "nope")
            x.check("GET", "dest")
            x.check("BITOP", op, "dest", "c")
            x.check("GET", "dest")
            x.check("BITOP", op, "dest", "n", "a")
            x.check("GET", "dest")
            x.check("BITOP", op, "dest", "a", "a", "a")
            x.check("GET", "dest")
        x.check("BITOP", "NOT", "dest", "a")
        x.check("GET", "dest")
        x.check("BITOP", "not", "dest", "n")
        x.check("GET", "dest")
        x.check("BITOP", "NOT", "dest", "a", "b")
        x.check("BITOP", "NOT", "dest", "nope")
        x.check("EXISTS", "dest")
        x.check("SET", "dest", "x")
        x.check("BITOP", "AND", "dest", "e", "nope")
        x.check("EXISTS", "dest")
        x.check("BITOP", "AND", "dest", "nope")
        x.check("BITOP", "DIFF", "dest", "a", "b")
        x.check("BITOP", "ANDX", "dest", "a")
        x.check("BITOP", "AND", "a", "a", "b")
        x.check("GET", "a")
        x.check("BITOP", "AND", "dest")
        x.check("BITOP", "NOT", "dest")


def test_bitfield(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("BITFIELD", "bf")
        x.check("BITFIELD", "bf", "GET", "u8", "0")
        x.check("EXISTS", "bf")
        x.check("BITFIELD", "bf", "SET", "i8", "0", "-100", "GET", "u8", "0", "GET", "i8", "0")
        x.check("BITFIELD", "bf", "INCRBY", "i8", "0", "-100")
        x.check("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "-100", "INCRBY", "u8", "0", "1000")
        x.check("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "-100", "INCRBY", "u4", "0", "1",
                "INCRBY", "u4", "4", "100", "GET", "u8", "0")
        x.check("BITFIELD", "bf", "overflow", "wrap", "incrby", "u2", "1", "7", "get", "u8", "0")
        x.check("BITFIELD", "bf", "SET", "u8", "#1", "255", "SET", "u8", "#2", "-1", "GET", "u16", "#1")
        x.check("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u8", "#1", "-1", "SET", "u8", "#2", "256",
                "SET", "i8", "#3", "200", "SET", "i8", "#4", "-200", "GET", "u32", "8")
        x.check("BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "u8", "#1", "-1", "SET", "i8", "#3", "127",
                "SET", "i8", "#3", "128", "GET", "i8", "#3")
        x.check("BITFIELD", "bf", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1",
                "GET", "i64", "0", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1",
                "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "9223372036854775807",
                "OVERFLOW", "FAIL", "INCRBY", "i64", "0", "1", "GET", "u63", "0", "GET", "u63", "1")
        x.check("BITFIELD", "bf", "SET", "u63", "3", "9223372036854775807", "INCRBY", "u63", "3", "1",
                "OVERFLOW", "SAT", "INCRBY", "u63", "3", "-1", "INCRBY", "u63", "3", "-9223372036854775808",
                "GET", "u63", "3", "GET", "i1", "3", "GET", "u1", "100", "GET", "i64", "65")
        x.check("BITFIELD", "bf", "SET", "i5", "3", "-16", "INCRBY", "i5", "3", "-1", "GET", "i5", "3",
                "INCRBY", "u3", "13", "-9", "GET", "u3", "13")
        x.check("GET", "bf")
        x.check("SET", "n", "123")
        x.check("BITFIELD", "n", "GET", "u8", "0", "GET", "u24", "0", "GET", "i4", "20")
        x.check("INCR", "n")
        x.check("BITFIELD", "n", "GET", "u8", "0", "INCRBY", "u8", "0", "1")
        x.check("GET", "n")
        x.check("BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "1000")
        x.check("GET", "new")
        x.check("BITFIELD", "new2", "SET", "u8", "0", "0", "GET", "u8", "0")
        x.check("GET", "new2")


def test_bitfield_errors(srv, d, d3):
    make_wrongtype(srv, d, "w")
    for x in (d, d3):
        x.check("SET", "bf", "abc")
        for args in [("GET", "u64", "0"), ("GET", "i65", "0"), ("GET", "u0", "0"), ("GET", "U8", "0"),
                     ("GET", "I8", "0"), ("GET", "8", "0"), ("GET", "u", "0"), ("GET", "u-1", "0"),
                     ("GET", "u08", "0"), ("GET", "u8", "-1"), ("GET", "u8", "x"), ("GET", "u8", "#-1"),
                     ("GET", "u8", "##1"), ("GET", "u8", "#"), ("GET", "u8", "4294967296"),
                     ("GET", "u8", "4294967295"), ("GET", "u8", "#536870911"), ("GET", "u8", "#536870912"),
                     ("GET", "i64", "#1152921504606846976"), ("GET", "i64", "#-9223372036854775808"),
                     ("GET", "u8"), ("SET", "u8", "0"), ("INCRBY", "u8", "0"), ("SET", "u8", "0", "x"),
                     ("INCRBY", "u8", "0", "1.5"), ("SET", "u8", "0", "9223372036854775808"),
                     ("OVERFLOW", "BAD"), ("OVERFLOW",), ("OVERFLOW", "sat"), ("FOO",), ("GET",),
                     ("GET", "u8", "0", "SET", "u99", "0", "1"), ("SET", "u8", "0", "1", "GET", "u8", "x"),
                     ("OVERFLOW", "FAIL", "GET", "u8", "0", "OVERFLOW", "x")]:
            x.check("BITFIELD", "bf", *args)
            x.check("BITFIELD_RO", "bf", *args)
            x.check("BITFIELD", "w", *args)
        x.check("BITFIELD_RO", "bf", "SET", "u8", "0", "1")
        x.check("BITFIELD_RO", "bf", "INCRBY", "u8", "0", "1")
        x.check("BITFIELD_RO", "bf", "OVERFLOW", "FAIL", "GET", "u8", "0")
        x.check("BITFIELD_RO", "bf", "get", "u8", "0", "get", "i4", "4")
        x.check("BITFIELD_RO", "nope", "GET", "u8", "0")
        x.check("BITFIELD_RO", "w", "GET", "u8", "0")
        x.check("BITFIELD_RO", "w", "SET", "u8", "0", "1")
        x.check("BITFIELD_RO", "w")
        x.check("BITFIELD", "w")
        x.check("BITFIELD")
        x.check("BITFIELD_RO")
        x.check("GET", "bf")
        # the other bitmap commands against a non-string
        x.check("SETBIT", "w", "0", "1")
        x.check("SETBIT", "w", "x", "1")
        x.check("GETBIT", "w", "0")
        x.check("GETBIT", "w", "x")
        x.check("BITCOUNT", "w")
        x.check("BITCOUNT", "w", "0", "1")
        x.check("BITCOUNT", "w", "0")
        x.check("BITCOUNT", "w", "x", "1")
        x.check("BITPOS", "w", "1")
        x.check("BITPOS", "w", "2")
        x.check("BITPOS", "w", "1", "0", "1", "BIT")
        x.check("BITOP", "AND", "dest", "bf", "w")
        x.check("BITOP", "AND", "w", "bf")
        x.check("BITOP", "NOT", "dest", "w")
        x.check("EXISTS", "dest")


def test_options_compare_as_c_strings(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("SET", "k", "vw")
        x.check("BITCOUNT", "k", "0", "1", "bit\x00x")
        x.check("BITPOS", "k", "1", "0", "1", "byte\x00")
        x.check("BITOP", "and\x00x", "d", "k")
        x.check("BITOP", "not\x00", "d", "k")
        x.check("BITFIELD", "k", "get\x00x", "u8\x00x", "0")
        x.check("BITFIELD", "k", "overflow\x00", "sat\x00", "incrby", "u8", "0", "1")
        x.check("BITFIELD", "k", "get", "u8", "0\x00")
        x.check("BITFIELD", "k", "get", "u\x008", "0")
        x.check("BITFIELD", "k", "get", "i8", "#1\x00")
        x.check("SETBIT", "b", "1\x00", "1")
        x.check("SETBIT", "b", "1", "1\x00")
        x.check("GET", "k")


def test_bit_offset_limit_follows_proto_max_bulk_len(srv, d):
    d.check("SETBIT", "b", "4294967295", "0")
    d.check("STRLEN", "b")
    d.check("DEL", "b")
    with configured(srv, d, "proto-max-bulk-len", "2mb", "512mb"):
        d.check("SETBIT", "b", "16777216", "1")
        d.check("GETBIT", "b", "16777216")
        d.check("GETBIT", "b", "16777215")
        d.check("SETBIT", "b", "16777215", "1")
        d.check("BITFIELD", "b", "GET", "u8", "#2097151", "GET", "u8", "#2097152")
        d.check("BITCOUNT", "b")


def test_bitmap_notifications(events):
    ev = events
    ev.check("SETBIT", "b", "7", "1", expect=["setbit"])
    ev.check("SETBIT", "b", "7", "1", expect=[])
    ev.check("SETBIT", "b", "6", "0", expect=[])
    ev.check("SETBIT", "b", "100", "0", expect=["setbit"])
    ev.check("SET", "s", "abc", expect=["set"])
    ev.check("SETBIT", "s", "1", "1", expect=[])
    ev.check("BITOP", "AND", "d", "b", "s", expect=["set"])
    ev.check("BITOP", "AND", "d", "nope", expect=["del"])
    ev.check("BITOP", "AND", "d", "nope", expect=[])
    ev.check("BITFIELD", "s", "GET", "u8", "0", expect=[])
    ev.check("BITFIELD", "s", "SET", "u8", "0", "97", expect=[])
    ev.check("BITFIELD", "s", "SET", "u8", "0", "98", expect=["setbit"])
    ev.check("BITFIELD", "s", "INCRBY", "u8", "0", "0", expect=[])
    ev.check("BITFIELD", "s", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000", expect=[])
    ev.check("BITFIELD", "s", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000", "INCRBY", "u8", "0", "1",
             expect=["setbit"])
    ev.check("BITFIELD", "s", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "1000", expect=["setbit"])
    ev.check("BITFIELD", "s", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "1000", expect=[])
    ev.check("BITFIELD", "s", "SET", "u8", "100", "0", expect=["setbit"])
    ev.check("BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000", expect=[])
    ev.check("BITFIELD_RO", "s", "GET", "u8", "0", expect=[])


def test_object_encoding_after_bit_writes(d):
    d.check("SET", "s", "123")
    d.check("OBJECT", "ENCODING", "s")
    d.check("SETBIT", "s", "1", "0")
    d.check("OBJECT", "ENCODING", "s")
    d.check("BITFIELD", "n", "SET", "u8", "0", "1")
    d.check("OBJECT", "ENCODING", "n")
    d.check("SET", "a", "x")
    d.check("BITFIELD", "a", "GET", "u8", "0")
    d.check("OBJECT", "ENCODING", "a")
    d.check("BITOP", "OR", "o", "a")
    d.check("OBJECT", "ENCODING", "o")
    d.check("SETRANGE", "r", "0", "x")
    d.check("OBJECT", "ENCODING", "r")
    d.check("APPEND", "p", "12")
    d.check("OBJECT", "ENCODING", "p")
    d.check("APPEND", "p", "3")
    d.check("OBJECT", "ENCODING", "p")
    d.check("APPEND", "q", "abc")
    d.check("OBJECT", "ENCODING", "q")
    d.check("GETSET", "q", "77")
    d.check("OBJECT", "ENCODING", "q")
    d.check("INCR", "q")
    d.check("OBJECT", "ENCODING", "q")
    d.check("MSET", "m", "x" * 44, "m2", "x" * 45)
    d.check("OBJECT", "ENCODING", "m")
    d.check("OBJECT", "ENCODING", "m2")


# --- random sequences ---------------------------------------------------------------------------

KEYS = ["a", "b", "c"]
key = st.sampled_from(KEYS)
offset = st.sampled_from(["0", "1", "3", "7", "8", "13", "31", "63", "64", "100", "#1", "#3", "-1"])
bitrange = st.sampled_from(["0", "1", "2", "-1", "-2", "5", "-10", "20", "100"])
ftype = st.sampled_from(["u1", "u3", "u8", "u16", "u63", "i1", "i5", "i8", "i32", "i64"])
fval = st.sampled_from(["0", "1", "-1", "7", "100", "-100", "255", "256", "9223372036854775807",
                        "-9223372036854775808"])
sval = st.sampled_from(["", "abc", "\x00\xff", "\xff\xff\xff", "12", "foobar", "\x80\x01\x00\x10"])
field_op = st.one_of(
    st.tuples(st.just("GET"), ftype, offset),
    st.tuples(st.sampled_from(["SET", "INCRBY"]), ftype, offset, fval),
    st.tuples(st.just("OVERFLOW"), st.sampled_from(["WRAP", "SAT", "FAIL"])),
)

bitmap_cmd = st.one_of(
    st.tuples(st.just("SET"), key, sval),
    st.tuples(st.just("INCR"), key),
    st.tuples(st.just("APPEND"), key, sval),
    st.tuples(st.just("SETBIT"), key, offset, st.sampled_from(["0", "1"])),
    st.tuples(st.just("GETBIT"), key, offset),
    st.tuples(st.just("BITCOUNT"), key),
    st.tuples(st.just("BITCOUNT"), key, bitrange, bitrange, st.sampled_from(["BIT", "BYTE"])),
    st.tuples(st.just("BITPOS"), key, st.sampled_from(["0", "1"])),
    st.tuples(st.just("BITPOS"), key, st.sampled_from(["0", "1"]), bitrange),
    st.tuples(st.just("BITPOS"), key, st.sampled_from(["0", "1"]), bitrange, bitrange,
              st.sampled_from(["BIT", "BYTE"])),
    st.tuples(st.just("BITOP"), st.sampled_from(["AND", "OR", "XOR"]), key, key, key),
    st.tuples(st.just("BITOP"), st.just("NOT"), key, key),
    st.lists(field_op, max_size=4).map(lambda ops: ("BITFIELD", "a", *[x for op in ops for x in op])),
    st.lists(field_op, max_size=3).map(lambda ops: ("BITFIELD_RO", "b", *[x for op in ops for x in op])),
    st.tuples(st.just("GET"), key),
    # string commands that reshape the same values
    st.tuples(st.just("SETRANGE"), key, st.sampled_from(["0", "2", "9"]), sval),
    st.tuples(st.just("GETRANGE"), key, bitrange, bitrange),
    st.tuples(st.just("INCRBYFLOAT"), key, st.sampled_from(["1", "-2.5", "0x10"])),
    st.tuples(st.just("LCS"), key, key, st.sampled_from(["LEN", "IDX"])),
    st.tuples(st.just("GETDEL"), key),
    st.tuples(st.just("LPUSH"), key, st.just("x")),  # a key of another type
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(bitmap_cmd, min_size=1, max_size=30))
def test_random_bitmap_sequences(d, cmds):
    d.check("FLUSHALL")
    for cmd in cmds:
        d.check(*cmd)
    for k in KEYS:
        d.check("GET", k)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(bitmap_cmd, min_size=1, max_size=60))
def test_random_bitmap_sequences_long(d3, cmds):
    d3.check("FLUSHALL")
    for cmd in cmds:
        d3.check(*cmd)
    for k in KEYS:
        d3.check("GET", k)
