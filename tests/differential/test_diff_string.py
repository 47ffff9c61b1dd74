"""Differential: the string group answers byte for byte as Redis 7.4 does (RESP2 and
RESP3), errors, notifications and random command sequences included."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from respclient import RawBytesClient
from string_helpers import Events, ReplicationStream, configured, keyspace_events, make_wrongtype


@pytest.fixture
def events(srv, ref, d):
    yield from keyspace_events(srv, ref, d)


# --- GET / SET family ---------------------------------------------------------------------------

def test_set_options(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("SET", "k", "v", "GET")
        x.check("SET", "k", "v2", "NX", "GET")
        x.check("SET", "k", "v3", "XX", "GET")
        x.check("SET", "missing", "v", "XX", "GET")
        x.check("SET", "k", "v", "nx", "get", "get")
        x.check("SET", "k", "v", "EX", "10", "EX", "20")
        x.check("SET", "k", "v", "PX", "100000", "KEEPTTL")
        x.check("SET", "k", "v", "KEEPTTL")
        x.check("SET", "k", "v", "EXAT", "99999999999")
        x.check("SET", "k", "v", "PXAT", "9999999999999")
        x.check("SET", "k", "v", "EX")
        x.check("SET", "k", "v", "EX", "1.5")
        x.check("SET", "k", "v", "EX", "-1")
        x.check("SET", "k", "v", "PX", "0")
        x.check("SET", "k", "v", "PX", "9223372036854775807")
        x.check("SET", "k", "v", "EXAT", "9223372036854775")
        x.check("SET", "k", "v", "EXAT", "9223372036854776")
        x.check("SET", "k", "v", "PXAT", "-9223372036854775808")
        x.check("SET", "k", "v", "PERSIST")
        x.check("SET", "k", "v", "GET", "GET", "XX", "NX")
        x.check("SET", "k")
        x.check("GET", "k")


def test_options_compare_as_c_strings(d, d3):
    """Option names are compared up to a NUL byte (strcasecmp); numbers use every byte."""
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("SET", "k", "v", "nx\x00zz")
        x.check("SET", "k", "v", "XX\x00", "GET\x00x")
        x.check("SET", "k", "v", "keepttl\x00a")
        x.check("SET", "k", "v", "EX\x00", "100")
        x.check("SET", "k", "v", "EX", "100\x00")
        x.check("SET", "k", "v", "\x00NX")
        x.check("GETEX", "k", "persist\x00x")
        x.check("GETEX", "k", "px\x00", "1000")
        x.check("INCRBYFLOAT", "f", "1.5\x00abc")
        x.check("INCRBYFLOAT", "f", "inf\x00")
        x.check("INCRBYFLOAT", "f", "\x001")
        x.check("SET", "g", "2.5\x00x")
        x.check("INCRBYFLOAT", "g", "1")
        x.check("INCRBY", "f", "1\x00")
        x.check("GETRANGE", "k", "0\x00", "1")
        x.check("LCS", "k", "k", "len\x00x")
        x.check("LCS", "k", "k", "idx\x00", "minmatchlen\x00", "1", "withmatchlen\x00a")


def test_set_get_on_wrong_type(srv, d, d3):
    make_wrongtype(srv, d, "w")
    for x in (d, d3):
        x.check("SET", "w", "v", "GET")
        x.check("SET", "w", "v", "NX", "GET")
        x.check("SET", "w", "v", "EX", "0", "GET")
        x.check("GET", "w")
        x.check("GETSET", "w", "v")
        x.check("GETDEL", "w")
        x.check("GETEX", "w", "PERSIST")
        x.check("GETEX", "w", "EX", "bad")
        x.check("MGET", "w", "nope", "w")
        x.check("STRLEN", "w")
        x.check("APPEND", "w", "x")
        x.check("SETRANGE", "w", "0", "x")
        x.check("SETRANGE", "w", "0", "")
        x.check("SETRANGE", "w", "-1", "x")
        x.check("GETRANGE", "w", "0", "1")
        x.check("GETRANGE", "w", "a", "1")
        x.check("SUBSTR", "w", "0", "1")
        x.check("INCR", "w")
        x.check("DECRBY", "w", "2")
        x.check("INCRBYFLOAT", "w", "1")
        x.check("INCRBYFLOAT", "w", "x")
        x.check("LCS", "w", "nope")
        x.check("LCS", "nope", "w", "BADOPT")
        x.check("SETNX", "w", "v")
        x.check("MSETNX", "w", "v")
    # a plain SET replaces whatever was there
    d.check("SET", "w", "v")
    d.check("GET", "w")


def test_setnx_setex_psetex(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("SETNX", "k", "1")
        x.check("SETNX", "k", "2")
        x.check("GET", "k")
        x.check("SETEX", "k", "100", "v")
        x.check("GET", "k")
        x.check("SETEX", "k", "0", "v")
        x.check("SETEX", "k", "-5", "v")
        x.check("SETEX", "k", "x", "v")
        x.check("SETEX", "k", "9223372036854775807", "v")
        x.check("SETEX", "k", "9223372036854775", "v")
        x.check("PSETEX", "k", "100000", "v")
        x.check("PSETEX", "k", "0", "v")
        x.check("PSETEX", "k", "1.5", "v")
        x.check("PSETEX", "k", "9223372036854775807", "v")
        x.check("SETEX", "k", "10")
        x.check("SETNX", "k")


def test_ttl_after_set_family(d):
    d.check("SETEX", "a", "100", "v")
    d.check("TTL", "a")
    d.check("PSETEX", "b", "100000", "v")
    d.check("TTL", "b")
    d.check("SETNX", "c", "v")
    d.check("TTL", "c")
    d.check("SET", "a", "w", "KEEPTTL")
    d.check("TTL", "a")
    d.check("SET", "a", "w", "GET")
    d.check("TTL", "a")
    d.check("SETEX", "a", "100", "v")
    d.check("GETSET", "a", "x")
    d.check("TTL", "a")
    d.check("SETEX", "a", "100", "v")
    d.check("MSET", "a", "1")
    d.check("TTL", "a")
    d.check("SETEX", "a", "100", "5")
    d.check("INCR", "a")
    d.check("TTL", "a")
    d.check("INCRBYFLOAT", "a", "1.5")
    d.check("TTL", "a")
    d.check("APPEND", "a", "x")
    d.check("SETRANGE", "a", "0", "y")
    d.check("SETBIT", "a", "100", "1")
    d.check("TTL", "a")


def test_getdel_getset(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("GETDEL", "k")
        x.check("SET", "k", "v")
        x.check("GETDEL", "k")
        x.check("GETDEL", "k")
        x.check("EXISTS", "k")
        x.check("INCR", "n")
        x.check("GETDEL", "n")
        x.check("GETSET", "k", "1")
        x.check("GETSET", "k", "2")
        x.check("INCR", "k")
        x.check("GETSET", "k", "")
        x.check("GET", "k")
        x.check("GETDEL", "k", "x")
        x.check("GETSET", "k")


def test_getex(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("GETEX", "nope")
        x.check("GETEX", "nope", "EX", "-1")
        x.check("GETEX", "nope", "EX", "bad")
        x.check("GETEX", "nope", "BAD")
        x.check("SET", "k", "v")
        x.check("GETEX", "k")
        x.check("GETEX", "k", "EX", "100")
        x.check("GETEX", "k", "PX", "100000")
        x.check("GETEX", "k", "EXAT", "99999999999")
        x.check("GETEX", "k", "PXAT", "99999999999000")
        x.check("GETEX", "k", "PERSIST")
        x.check("GETEX", "k", "PERSIST", "PERSIST")
        x.check("GETEX", "k", "EX", "0")
        x.check("GETEX", "k", "EX", "-10")
        x.check("GETEX", "k", "EX", "1.5")
        x.check("GETEX", "k", "EX", "9223372036854775807")
        x.check("GETEX", "k", "PX", "9223372036854775807")
        x.check("GETEX", "k", "EX", "10", "PX", "10")
        x.check("GETEX", "k", "EX", "10", "PERSIST")
        x.check("GETEX", "k", "PERSIST", "EX", "10")
        x.check("GETEX", "k", "EX")
        x.check("GETEX", "k", "KEEPTTL")
        x.check("GETEX", "k", "NX")
        x.check("GETEX", "k", "GET")
        x.check("GETEX", "k", "EX", "10", "EX", "20")
        x.check("INCR", "n")
        x.check("GETEX", "n", "EX", "100")
        x.check("GETEX", "k", "EXAT", "1")
        x.check("EXISTS", "k")
        x.check("SET", "k", "v")
        x.check("GETEX", "k", "PXAT", "1")
        x.check("GET", "k")
        x.check("GETEX")


def test_getex_ttl(d):
    d.check("SET", "k", "v")
    d.check("GETEX", "k", "EX", "100")
    d.check("TTL", "k")
    d.check("GETEX", "k")
    d.check("TTL", "k")
    d.check("GETEX", "k", "PERSIST")
    d.check("TTL", "k")
    d.check("GETEX", "k", "EXAT", "99999999999")
    d.check("TTL", "k")


def test_mset_msetnx_mget(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("MSET", "a", "1", "b", "2", "a", "3")
        x.check("MGET", "a", "b", "c")
        x.check("MSETNX", "c", "1", "d", "2")
        x.check("MSETNX", "d", "1", "e", "2")
        x.check("MGET", "c", "d", "e")
        x.check("MSETNX", "f", "1", "f", "2")
        x.check("GET", "f")
        x.check("MSETNX", "g", "1", "h")
        x.check("MSETNX", "g")
        x.check("MSET", "g")
        x.check("MSET")
        x.check("MGET")
        x.check("INCR", "n")
        x.check("MGET", "n", "n")


# --- APPEND / SETRANGE / GETRANGE / STRLEN ------------------------------------------------------

def test_append_strlen(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("STRLEN", "k")
        x.check("APPEND", "k", "")
        x.check("EXISTS", "k")
        x.check("STRLEN", "k")
        x.check("APPEND", "k", "abc")
        x.check("APPEND", "k", "")
        x.check("APPEND", "k", "\x00\xff")
        x.check("GET", "k")
        x.check("STRLEN", "k")
        x.check("SET", "n", "-12")
        x.check("INCR", "n")
        x.check("STRLEN", "n")
        x.check("APPEND", "n", "5")
        x.check("GET", "n")
        x.check("INCR", "n")
        x.check("APPEND", "n", "x")
        x.check("INCR", "n")
        x.check("APPEND", "k")
        x.check("STRLEN")


def test_append_many_is_linear(d):
    chunk = "x" * 1000
    for _ in range(300):
        d.check("APPEND", "big", chunk)
    d.check("STRLEN", "big")
    d.check("GETRANGE", "big", "299990", "-1")


def test_setrange(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("SETRANGE", "k", "0", "")
        x.check("SETRANGE", "k", "5", "")
        x.check("EXISTS", "k")
        x.check("SETRANGE", "k", "3", "abc")
        x.check("GET", "k")
        x.check("SETRANGE", "k", "1", "Z")
        x.check("SETRANGE", "k", "100", "")
        x.check("SETRANGE", "k", "-1", "x")
        x.check("SETRANGE", "k", "-1", "")
        x.check("SETRANGE", "k", "x", "x")
        x.check("SETRANGE", "k", "1.0", "x")
        x.check("SETRANGE", "k", "9223372036854775808", "x")
        x.check("SETRANGE", "k", "8", "tail")
        x.check("GET", "k")
        x.check("SET", "n", "12345")
        x.check("SETRANGE", "n", "1", "9")
        x.check("GET", "n")
        x.check("INCR", "n")
        x.check("SETRANGE", "n", "0", "")
        x.check("SETRANGE", "n", "6", "x")
        x.check("GET", "n")
        x.check("SETRANGE", "k", "536870912", "x")
        x.check("SETRANGE", "k", "536870911", "xy")
        x.check("SETRANGE", "k", "9223372036854775807", "x")
        x.check("SETRANGE", "nope", "536870912", "x")
        x.check("SETRANGE", "nope", "536870912", "")
        x.check("SETRANGE", "k", "1")


def test_getrange(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("GETRANGE", "nope", "0", "-1")
        x.check("GETRANGE", "nope", "a", "-1")
        x.check("SET", "k", "Hello World")
        x.check("SET", "e", "")
        x.check("SET", "n", "-123456")
        x.check("INCR", "n")
        for key in ("k", "e", "n"):
            for start, end in [(0, -1), (0, 3), (-3, -1), (5, 3), (-1, -5), (-5, -1), (-100, 5), (-100, -100),
                               (3, 100), (100, 200), (0, 0), (-1, -1), (11, 11), (10, 10), (-12, -12),
                               (-9223372036854775808, 9223372036854775807), (9223372036854775807, -1),
                               (-1, -9223372036854775808), (0, -100), (-2, 0)]:
                x.check("GETRANGE", key, str(start), str(end))
                x.check("SUBSTR", key, str(start), str(end))
        x.check("GETRANGE", "k", "0", "1.5")
        x.check("GETRANGE", "k", "9223372036854775808", "1")
        x.check("GETRANGE", "k", "0")
        x.check("SUBSTR", "k", "0", "1", "2")


def test_string_size_limit(srv, d):
    with configured(srv, d, "proto-max-bulk-len", "1mb", "512mb"):
        d.check("SETRANGE", "k", "1048576", "x")
        d.check("SETRANGE", "k", "1048575", "xy")
        d.check("SETRANGE", "k", "1048575", "x")
        d.check("STRLEN", "k")
        d.check("APPEND", "k", "y")
        d.check("APPEND", "k", "")
        d.check("SETRANGE", "k", "0", "abc")
        d.check("SETRANGE", "k", "1048570", "abcdefgh")
        d.check("SET", "s", "abc")
        d.check("APPEND", "s", "x" * 100)
        d.check("SETBIT", "b", "8388608", "1")
        d.check("SETBIT", "b", "8388607", "1")
        d.check("GETBIT", "b", "8388608")
        d.check("BITFIELD", "b", "SET", "u8", "8388608", "1")
        d.check("BITFIELD", "b", "SET", "u8", "8388600", "1")
        d.check("STRLEN", "b")
        d.check("LCS", "k", "s", "LEN")
        d.check("LCS", "s", "s")
        d.check("LCS", "k", "b", "LEN")


# --- counters -----------------------------------------------------------------------------------

def test_incr_decr(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("INCR", "n")
        x.check("DECR", "n")
        x.check("DECR", "n")
        x.check("INCRBY", "n", "-9223372036854775807")
        x.check("DECR", "n")
        x.check("DECR", "n")
        x.check("DECRBY", "n", "1")
        x.check("INCRBY", "n", "9223372036854775807")
        x.check("INCRBY", "n", "9223372036854775807")
        x.check("INCRBY", "n", "1")
        x.check("DECRBY", "n", "-1")
        x.check("DECRBY", "n", "9223372036854775807")
        x.check("DECRBY", "n", "-9223372036854775808")
        x.check("INCRBY", "n", "9223372036854775808")
        x.check("INCRBY", "n", "")
        x.check("INCRBY", "n", " 1")
        x.check("INCRBY", "n", "+1")
        x.check("INCRBY", "n", "01")
        x.check("INCRBY", "n", "-0")
        for v in ("10", "-10", "0", " 1", "1 ", "01", "+1", "1.0", "", "abc", "9223372036854775807",
                  "-9223372036854775808", "9223372036854775808", "1e3", "0x10", "-0"):
            x.check("SET", "s", v)
            x.check("INCR", "s")
            x.check("GET", "s")
        x.check("APPEND", "a", "41")
        x.check("INCR", "a")
        x.check("INCR")
        x.check("INCRBY", "a")


@pytest.mark.parametrize("start,incr", [
    ("10.5", "0.1"), ("0", "1"), ("5", "1"), ("1", "-1"), ("3.0e3", "1.5e-2"), ("0.1", "0.2"),
    ("-1.5", "1.5"), ("1e100", "1"), ("5", "0x10"), ("5", "0x1p-3"), ("5", "1e4931"), ("5", "1e-4940"),
    ("5", ".5"), ("5", "5."), ("5", "+1"), ("9223372036854775807", "1"), ("-9223372036854775808", "-1"),
    ("1.7976931348623157e308", "1.7976931348623157e308"), ("1", "1e-20"), ("1", "1e-17"),
    ("1", "-0.99999999999999999"), ("0.00001", "0"), ("5", "-0"), ("123456789.123456789", "0.000000001"),
    ("0", "0x1.00000000000001p0"), ("0", "0x1.000000000000001p0"), ("0", "0X.8P1"), ("0", "0x1p-16445"),
    ("0", "0x1p-16446"), ("0", "0x1p16384"), ("0", "0x1.p1"), ("0", "0x1p"), ("0", "-0x10"), ("0", "0x.p1"),
    ("0", "0x10000000000000001"), ("0", "0x1.fffffffffffffffffp0"), ("0x1.8p1", "0"), ("1e-4950", "1e-4950"),
])
def test_incrbyfloat_values(d, start, incr):
    d.check("SET", "f", start)
    d.check("INCRBYFLOAT", "f", incr)
    d.check("GET", "f")
    d.check("INCRBYFLOAT", "f", incr)


def test_incrbyfloat_errors(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("INCRBYFLOAT", "f", "1.5")
        for bad in ("inf", "-inf", "Infinity", "+INF", "nan", "-nan", "NaN", "1e5000", "-1e5000", "1e-5000",
                    "0x1p-20000", " 1", "1 ", "", "abc", "1,5", "1_0", "1e", "0x", "--1", "1" * 5120,
                    "0." + "0" * 5000 + "1"):
            x.check("INCRBYFLOAT", "f", bad)
        x.check("GET", "f")
        for stored in ("abc", "", " 1", "1e5000", "inf", "1.5.5", "0x10"):
            x.check("SET", "g", stored)
            x.check("INCRBYFLOAT", "g", "1")
        x.check("SET", "g", "1e4932")
        x.check("INCRBYFLOAT", "g", "1e4932")
        x.check("SET", "g", "1.18e4932")
        x.check("INCRBYFLOAT", "g", "1e4931")
        x.check("INCRBYFLOAT", "g")


# --- LCS ----------------------------------------------------------------------------------------

LCS_OPTS = [(), ("LEN",), ("IDX",), ("IDX", "WITHMATCHLEN"), ("IDX", "MINMATCHLEN", "4"),
            ("IDX", "MINMATCHLEN", "2", "WITHMATCHLEN"), ("WITHMATCHLEN",), ("MINMATCHLEN", "3"),
            ("idx", "minmatchlen", "-5", "withmatchlen"), ("LEN", "MINMATCHLEN", "1")]


def test_lcs(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("MSET", "a", "ohmytext", "b", "mynewtext", "e", "", "s1", "ABCBDAB", "s2", "BDCABA",
                "r1", "aaaaaaaaaaab", "r2", "abababababa")
        x.check("INCRBY", "n", "1234512345")
        x.check("SET", "m", "99123451234599")
        pairs = [("a", "b"), ("b", "a"), ("a", "a"), ("a", "e"), ("e", "e"), ("nope", "a"), ("nope", "nope2"),
                 ("s1", "s2"), ("s2", "s1"), ("r1", "r2"), ("r2", "r1"), ("n", "m"), ("m", "n")]
        for k1, k2 in pairs:
            for opts in LCS_OPTS:
                x.check("LCS", k1, k2, *opts)
        x.check("LCS", "a", "b", "LEN", "IDX")
        x.check("LCS", "a", "b", "IDX", "LEN")
        x.check("LCS", "a", "b", "MINMATCHLEN")
        x.check("LCS", "a", "b", "MINMATCHLEN", "x")
        x.check("LCS", "a", "b", "MINMATCHLEN", "x", "LEN", "IDX")
        x.check("LCS", "a", "b", "LEN", "IDX", "BAD")
        x.check("LCS", "a", "b", "BAD")
        x.check("LCS", "a")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=40).map(lambda b: bytes(x % 3 + 97 for x in b)),
       st.binary(max_size=40).map(lambda b: bytes(x % 3 + 97 for x in b)),
       st.sampled_from(LCS_OPTS))
def test_lcs_random(d, a, b, opts):
    d.check("MSET", "x", a, "y", b)
    d.check("LCS", "x", "y", *opts)


# --- notifications ------------------------------------------------------------------------------

def test_string_notifications(events):
    ev = events
    ev.check("SET", "k", "v", expect=["set"])
    ev.check("SET", "k", "v2", "EX", "100", expect=["set", "expire"])
    ev.check("SET", "k", "v2", "NX", expect=[])
    ev.check("SETNX", "n", "1", expect=["set"])
    ev.check("SETEX", "k", "100", "v", expect=["set", "expire"])
    ev.check("PSETEX", "k", "100000", "v", expect=["set", "expire"])
    ev.check("GETSET", "k", "v", expect=["set"])
    ev.check("MSET", "a", "1", "b", "2", expect=["set", "set"])
    ev.check("MSETNX", "a", "1", "c", "2", expect=[])
    ev.check("MSETNX", "c", "1", "d", "2", expect=["set", "set"])
    ev.check("INCR", "n", expect=["incrby"])
    ev.check("DECRBY", "n", "5", expect=["incrby"])
    ev.check("INCRBYFLOAT", "n", "1.5", expect=["incrbyfloat"])
    ev.check("INCRBYFLOAT", "n", "inf", expect=[])
    ev.check("APPEND", "n", "x", expect=["append"])
    ev.check("APPEND", "fresh", "x", expect=["append"])
    ev.check("APPEND", "fresh", "", expect=["append"])
    ev.check("SETRANGE", "fresh", "0", "", expect=[])
    ev.check("SETRANGE", "fresh", "5", "y", expect=["setrange"])
    ev.check("SETRANGE", "new2", "5", "y", expect=["setrange"])
    ev.check("GETDEL", "new2", expect=["del"])
    ev.check("GETDEL", "new2", expect=[])
    ev.check("GETEX", "fresh", expect=[])
    ev.check("GETEX", "fresh", "EX", "100", expect=["expire"])
    ev.check("GETEX", "fresh", "PERSIST", expect=["persist"])
    ev.check("GETEX", "fresh", "PERSIST", expect=[])
    ev.check("GETEX", "fresh", "PXAT", "1", expect=["del"])
    ev.check("GET", "missing", expect=[])
    ev.check("SET", "past", "v", "EXAT", "1", expect=None)
    ev.check("GET", "past", expect=None)
    ev.check("SET", "past", "v", "PXAT", "1", "GET", expect=None)
    ev.check("SETEX", "past", "1", "v", expect=["expired", "set", "expire"])
    ev.check("GETEX", "past", "EXAT", "2", expect=["del"])
    ev.check("LCS", "a", "b", expect=[])


def test_keymiss_notifications(srv, ref, d):
    with configured(srv, d, "notify-keyspace-events", "Km", ""):
        ev = Events(srv, ref, d)
        try:
            ev.check("GET", "nope")
            ev.check("MGET", "nope", "nope2")
            ev.check("STRLEN", "nope")
            ev.check("GETRANGE", "nope", "0", "1")
            ev.check("GETEX", "nope")
            ev.check("GETDEL", "nope")
            ev.check("SET", "nope", "v", "GET")
            ev.check("INCR", "nope")
            ev.check("APPEND", "nope2", "x")
            ev.check("LCS", "nope3", "nope4")
        finally:
            ev.close()


# --- random sequences ---------------------------------------------------------------------------

KEYS = ["a", "b", "c"]
key = st.sampled_from(KEYS)
val = st.sampled_from(["", "0", "1", "-1", "10", "9223372036854775807", "abc", "hello world", "1.5", "\x00\xff",
                       "12345678901234567890", "-9223372036854775808", "x" * 50, " 3"])
small_int = st.sampled_from(["0", "1", "-1", "2", "-2", "3", "7", "100", "-100", "9223372036854775807",
                             "-9223372036854775808", "x"])
float_arg = st.sampled_from(["0", "1", "-1", "1.5", "-0.25", "1e3", "0.1", "3.0e-5", "x", "inf"])

string_cmd = st.one_of(
    st.tuples(st.just("GET"), key),
    st.tuples(st.just("SET"), key, val),
    st.tuples(st.just("SET"), key, val, st.sampled_from(["NX", "XX", "GET", "KEEPTTL"])),
    st.tuples(st.just("SETNX"), key, val),
    st.tuples(st.just("GETSET"), key, val),
    st.tuples(st.just("GETDEL"), key),
    st.tuples(st.just("GETEX"), key, st.sampled_from(["PERSIST", "EX", "PX"]), st.sampled_from(["100", "-1"])),
    st.tuples(st.just("MGET"), key, key),
    st.tuples(st.just("MSET"), key, val, key, val),
    st.tuples(st.just("MSETNX"), key, val, key, val),
    st.tuples(st.just("APPEND"), key, val),
    st.tuples(st.just("STRLEN"), key),
    st.tuples(st.sampled_from(["GETRANGE", "SUBSTR"]), key, small_int, small_int),
    st.tuples(st.just("SETRANGE"), key, st.sampled_from(["0", "1", "3", "10", "-1"]), val),
    st.tuples(st.sampled_from(["INCR", "DECR"]), key),
    st.tuples(st.sampled_from(["INCRBY", "DECRBY"]), key, small_int),
    st.tuples(st.just("INCRBYFLOAT"), key, float_arg),
    st.tuples(st.just("LCS"), key, key, st.sampled_from(["LEN", "IDX", "WITHMATCHLEN"])),
    st.tuples(st.just("EXISTS"), key),
    st.tuples(st.just("LPUSH"), key, st.just("x")),  # a key of another type
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(string_cmd, min_size=1, max_size=30))
def test_random_string_sequences(d, cmds):
    d.check("FLUSHALL")
    for cmd in cmds:
        d.check(*cmd)
    for k in KEYS:
        d.check("GET", k)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(string_cmd, min_size=1, max_size=60))
def test_random_string_sequences_long(d3, cmds):
    d3.check("FLUSHALL")
    for cmd in cmds:
        d3.check(*cmd)
    for k in KEYS:
        d3.check("GET", k)


# --- encodings ----------------------------------------------------------------------------------

def test_object_encoding_of_string_values(d):
    for cmd in [("SET", "k", "123"), ("SET", "k", "-9223372036854775808"), ("SET", "k", "9223372036854775808"),
                ("SET", "k", "01"), ("SET", "k", "x" * 44), ("SET", "k", "x" * 45), ("SET", "k", ""),
                ("SETNX", "k2", "5"), ("GETSET", "k", "7"), ("MSET", "k", "abc"), ("SETEX", "k", "100", "12"),
                ("INCR", "k"), ("APPEND", "k", ""), ("SET", "k", "1"), ("INCRBYFLOAT", "k", "0.5"),
                ("SET", "k", "5"), ("SETRANGE", "k", "0", ""), ("SETRANGE", "k", "0", "6"),
                ("DEL", "k"), ("APPEND", "k", "42"), ("APPEND", "k", "x"), ("DEL", "k"), ("SETRANGE", "k", "0", "1"),
                ("SET", "k", "123456789012345678901")]:
        d.check(*cmd)
        d.check("OBJECT", "ENCODING", cmd[1])


@pytest.mark.xfail(strict=True, reason="an integral INCRBYFLOAT result is stored as bytes, which moredis "
                   "reports as int; Redis keeps it embstr")
def test_object_encoding_after_integral_incrbyfloat(d):
    d.check("SET", "k", "5")
    d.check("INCRBYFLOAT", "k", "1")
    d.check("OBJECT", "ENCODING", "k")


# --- keyspace hit/miss counting -----------------------------------------------------------------

def _hits_misses(c) -> tuple[int, int]:
    info = c.call("INFO", "stats")
    assert info.startswith(b"$"), info
    fields = dict(line.split(b":", 1) for line in info.split(b"\r\n") if b":" in line)
    return int(fields[b"keyspace_hits"]), int(fields[b"keyspace_misses"])


STAT_CMDS = [
    ("GET", "s"), ("GET", "nope"), ("MGET", "s", "nope", "n"), ("STRLEN", "s"), ("STRLEN", "nope"),
    ("GETRANGE", "s", "0", "1"), ("SUBSTR", "nope", "0", "1"), ("GETEX", "s"), ("GETEX", "nope", "PERSIST"),
    ("GETSET", "g", "1"), ("GETSET", "g", "2"), ("GETDEL", "g"), ("GETDEL", "g"), ("SET", "s", "v", "GET"),
    ("SET", "x", "v", "NX"), ("SET", "x", "v", "XX"), ("SETNX", "x", "1"), ("SETEX", "x", "100", "v"),
    ("MSET", "x", "1", "y", "2"), ("MSETNX", "x", "1", "z", "2"), ("MSETNX", "q", "1", "r", "2"),
    ("APPEND", "x", "1"), ("APPEND", "new", "1"), ("SETRANGE", "x", "0", "a"), ("SETRANGE", "x", "0", ""),
    ("INCR", "n"), ("DECRBY", "n2", "1"), ("INCRBYFLOAT", "n", "1"), ("LCS", "s", "nope"), ("LCS", "s", "s"),
    ("SETBIT", "b", "1", "1"), ("GETBIT", "b", "1"), ("GETBIT", "nope", "1"), ("BITCOUNT", "b"),
    ("BITCOUNT", "nope", "0", "1"), ("BITPOS", "b", "1"), ("BITPOS", "nope", "0"), ("BITOP", "AND", "d", "b", "nope"),
    ("BITOP", "NOT", "d", "nope"), ("BITFIELD", "b", "GET", "u8", "0"), ("BITFIELD", "nope", "GET", "u8", "0"),
    ("BITFIELD", "b", "SET", "u8", "0", "1"), ("BITFIELD_RO", "b", "GET", "u8", "0"),
    ("BITFIELD_RO", "nope", "GET", "u8", "0"),
]


def test_keyspace_hit_and_miss_counting(d):
    d.check("SET", "s", "hello")
    d.check("SET", "n", "5")
    for args in STAT_CMDS:
        before = [_hits_misses(c) for c in (d.mine, d.theirs)]
        d.check(*args)
        after = [_hits_misses(c) for c in (d.mine, d.theirs)]
        mine = (after[0][0] - before[0][0], after[0][1] - before[0][1])
        theirs = (after[1][0] - before[1][0], after[1][1] - before[1][1])
        assert mine == theirs, args


# --- propagation --------------------------------------------------------------------------------

PROPAGATED = [
    ("SET", "get", "v", "GET"), ("SET", "k", "v", "GET", "EX", "100"),
    ("SET", "k", "v", "get", "PXAT", "99999999999999"),
    ("SET", "k", "v", "KEEPTTL", "XX"), ("SET", "k", "v", "NX"), ("SETEX", "k", "100", "v"),
    ("PSETEX", "k", "100000", "v"), ("SETNX", "k", "1"), ("SETNX", "n", "1"), ("GETSET", "k", "v2"),
    ("GETDEL", "k"), ("GETDEL", "k"), ("SET", "k", "1"), ("GETEX", "k"), ("GETEX", "k", "EX", "100"),
    ("GETEX", "k", "PXAT", "99999999999999"), ("GETEX", "k", "PERSIST"), ("GETEX", "k", "PERSIST"),
    ("GETEX", "k", "EXAT", "1"), ("INCRBYFLOAT", "f", "1.5"), ("INCRBYFLOAT", "f", "0x10"),
    ("MSET", "a", "1", "b", "2"), ("MSETNX", "a", "1", "c", "2"), ("MSETNX", "c", "1", "d", "2"),
    ("APPEND", "a", "x"), ("SETRANGE", "a", "0", ""), ("SETRANGE", "a", "0", "y"), ("INCR", "i"),
    ("DECRBY", "i", "5"), ("INCRBY", "i", "x"), ("SETBIT", "b", "0", "0"), ("SETBIT", "b", "0", "1"),
    ("SETBIT", "b", "0", "1"), ("BITFIELD", "b", "SET", "u8", "0", "128"), ("BITFIELD", "b", "GET", "u8", "0"),
    ("BITFIELD", "b", "SET", "u8", "0", "1", "SET", "u8", "8", "0"),
    ("BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000"), ("BITOP", "AND", "e", "nope"),
    ("SET", "e", "x"), ("BITOP", "AND", "e", "nope"), ("BITOP", "OR", "e", "b"), ("LCS", "a", "b"),
]


def _free_port() -> int:
    sk = socket.socket()
    sk.bind(("127.0.0.1", 0))
    port = sk.getsockname()[1]
    sk.close()
    return port


def _connect(port: int) -> RawBytesClient:
    for _ in range(100):
        try:
            return RawBytesClient(port=port)
        except OSError:
            time.sleep(0.05)
    raise ConnectionError(f"no server on port {port}")


def test_propagation_matches_the_replication_stream(srv):
    """Each command runs on moredis (its propagators record what it replicates) and on a
    private reference read through SYNC; relative expiries become absolute times, which
    must agree within a few seconds."""
    script = Path(__file__).resolve().parents[2] / "tools" / "reference-redis"
    port = _free_port()
    if subprocess.run([str(script), "start", str(port)], capture_output=True, timeout=300).returncode != 0:
        pytest.skip("private reference server could not start")
    got: list[list[bytes]] = []

    def record(dbid, argvs):
        got.extend(list(a) for a in argvs)

    mine = RawBytesClient(port=srv.port)
    srv.call_in_loop(srv.core.propagators.append, record)
    try:
        ref = _connect(port)
        stream = ReplicationStream(port)
        mine.call("SELECT", "9")
        mine.call("FLUSHDB")
        for cmd in PROPAGATED:
            assert mine.call(*cmd) == ref.call(*cmd), cmd
        mine.call("SET", "--end--", "x")
        ref.call("SET", "--end--", "x")
        theirs = stream.commands(b"--end--")
        got = [a for a in got if a[:2] != [b"SET", b"--end--"] and a[0].upper() not in (b"SELECT", b"FLUSHDB")]
        assert len(got) == len(theirs) > 25, (got, theirs)
        for a, b in zip(got, theirs, strict=True):
            assert len(a) == len(b), (a, b)
            for x, y in zip(a, b, strict=True):
                if x != y and x.isdigit() and y.isdigit() and int(x) > 10**12:
                    assert abs(int(x) - int(y)) < 5000, (a, b)
                else:
                    assert x == y, (a, b)
        stream.close()
        ref.close()
    finally:
        srv.call_in_loop(srv.core.propagators.remove, record)
        mine.call("FLUSHDB")
        mine.close()
        subprocess.run([str(script), "stop", str(port)], capture_output=True, timeout=60)


def test_inside_multi(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("MULTI")
        for cmd in [("SET", "a", "ohmytext", "GET"), ("MSET", "b", "mynewtext"),
                    ("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
                    ("INCRBYFLOAT", "f", "1.5"), ("GETEX", "f", "PERSIST"), ("BITFIELD", "bf", "OVERFLOW", "FAIL",
                    "INCRBY", "u2", "0", "5", "GET", "u2", "0"), ("APPEND", "a", "!"), ("GETDEL", "a"),
                    ("SETRANGE", "a", "-1", "x"), ("MSET", "a")]:
            x.check(*cmd)
        x.check("EXEC")
