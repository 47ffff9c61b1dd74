"""Differential: the `bf` module's Count-Min Sketch (CMS.*), Top-K (TOPK.*) and t-digest
(TDIGEST.*) against the reference's RedisBloom 2.8.2, RESP2 and RESP3.

- Every command's replies and errors, quirks included (key checked before arguments,
  errors without ERR, TOPK.LIST's WITHCOUNT prefixes, k wrapping at 2**32, the short
  TOPK.INCRBY array after a bad increment).
- Random CMS sequences: every reply, then the counters byte for byte through DUMP.
- Random Top-K sequences with decay 1 (the only setting where RedisBloom draws no random
  number that matters), heavy on collisions: every expelled item, list, count and query,
  then the buckets and heap through DUMP.
- Random t-digest sequences: every quantile, cdf, rank, trimmed mean and INFO counter,
  bit for bit, and the centroids through DUMP.
- DUMP payloads identical (CMS, t-digest; Top-K but for the meaningless heap pointers),
  RESTORE across both servers, DEBUG RELOAD, TYPE/MEMORY USAGE/COPY/digest, COMMAND INFO,
  no keyspace events.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

import pytest
from respclient import parse_reply

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))


def run(d, cmds) -> None:
    for c in cmds:
        d.check(*c)


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def dd(request, d, d3):
    return d if request.param == 2 else d3


def _config_both(d, srv, name: str, value: str) -> str:
    old = parse_reply(d.theirs.call("CONFIG", "GET", name))[1].decode()

    async def set_it():
        srv.core.config.set_many([(name, value)])

    asyncio.run_coroutine_threadsafe(set_it(), srv.core.loop).result(5)
    assert d.theirs.call("CONFIG", "SET", name, value) == b"+OK\r\n"
    return old


# --- Count-Min Sketch ------------------------------------------------------------------------

CMS_CASES = [
    ("SET", "s", "x"),
    ("CMS.INITBYDIM", "c", "10", "5"),
    ("CMS.INITBYDIM", "c", "10", "5"),
    ("CMS.INITBYDIM", "s", "10", "5"),
    ("CMS.INITBYDIM", "c2", "0", "5"),
    ("CMS.INITBYDIM", "c2", "10", "0"),
    ("CMS.INITBYDIM", "c2", "-1", "5"),
    ("CMS.INITBYDIM", "c2", "x", "5"),
    ("CMS.INITBYDIM", "c2", "5", "x"),
    ("CMS.INITBYDIM", "c2", "x", "x"),
    ("CMS.INITBYDIM", "c2", "+5", "5"),
    ("CMS.INITBYDIM", "c2", " 5", "5"),
    ("CMS.INITBYDIM", "c2", "5.0", "5"),
    ("CMS.INITBYDIM", "c2", "9223372036854775807", "2"),
    ("CMS.INITBYDIM", "c2", "4294967296", "4294967296"),
    ("CMS.INITBYDIM", "c2", "9223372036854775808", "1"),
    ("CMS.INITBYDIM", "c2", "10"),
    ("CMS.INITBYDIM", "c2", "10", "5", "5"),
    ("CMS.INITBYDIM",),
    ("cms.initbydim", "c3", "3", "1"),
    ("CMS.INFO", "c3"),
    ("CMS.INITBYPROB", "p", "0.001", "0.01"),
    ("CMS.INFO", "p"),
    ("CMS.INITBYPROB", "p", "0.001", "0.01"),
    ("CMS.INITBYPROB", "p2", "0", "0.5"),
    ("CMS.INITBYPROB", "p2", "1", "0.5"),
    ("CMS.INITBYPROB", "p2", "-0.5", "0.5"),
    ("CMS.INITBYPROB", "p2", "0.5", "0"),
    ("CMS.INITBYPROB", "p2", "0.5", "1"),
    ("CMS.INITBYPROB", "p2", "x", "0.5"),
    ("CMS.INITBYPROB", "p2", "0.5", "x"),
    ("CMS.INITBYPROB", "p2", "inf", "0.5"),
    ("CMS.INITBYPROB", "p2", "0.5", "nan"),
    ("CMS.INITBYPROB", "p2", "1e-300", "0.5"),
    ("CMS.INITBYPROB", "p2", "0.7", "1e-300"),
    ("CMS.INITBYPROB", "p3", "0x0.1p0", "0.5"),
    ("CMS.INFO", "p3"),
    ("CMS.INITBYPROB", "p4", "0.7", "1e-40"),
    ("CMS.INFO", "p4"),
    ("CMS.INCRBY", "c", "a", "1", "b", "2"),
    ("CMS.INCRBY", "c", "a", "1", "b"),
    ("CMS.INCRBY", "c", "a"),
    ("CMS.INCRBY", "c"),
    ("CMS.INCRBY", "c", "a", "-1"),
    ("CMS.INCRBY", "c", "a", "x"),
    ("CMS.INCRBY", "c", "a", "1", "b", "x"),
    ("CMS.INCRBY", "c", "a", "x", "b", "-1"),
    ("CMS.INCRBY", "c", "a", "1.5"),
    ("CMS.INCRBY", "c", "a", "9223372036854775808"),
    ("CMS.INCRBY", "nokey", "a", "1"),
    ("CMS.INCRBY", "nokey", "a", "x"),
    ("CMS.INCRBY", "s", "a", "1"),
    ("CMS.QUERY", "c", "a", "b", "zz", ""),
    ("CMS.QUERY", "c"),
    ("CMS.QUERY", "nokey", "a"),
    ("CMS.QUERY", "s", "a"),
    ("CMS.INFO", "c"),
    ("CMS.INFO", "nokey"),
    ("CMS.INFO", "s"),
    ("CMS.INFO", "c", "x"),
    ("CMS.INFO",),
    # saturation: a counter stops at 2**32-1 and the reply becomes an error
    ("CMS.INCRBY", "c", "a", "4294967295", "b", "1"),
    ("CMS.INCRBY", "c", "a", "0"),
    ("CMS.INCRBY", "c", "fresh", "4294967295"),
    ("CMS.INCRBY", "c", "other", "4294967296"),
    ("CMS.QUERY", "c", "a", "b", "fresh", "other"),
    ("CMS.INFO", "c"),
    # the total is a size_t: it wraps and prints as a long long
    ("CMS.INCRBY", "c", "y", "9223372036854775807", "y", "9223372036854775807"),
    ("CMS.INFO", "c"),
    ("CMS.INCRBY", "c", "y", "9223372036854775807"),
    ("CMS.INFO", "c"),
]

CMS_MERGE_CASES = [
    ("SET", "s", "x"),
    ("CMS.INITBYDIM", "m1", "10", "5"),
    ("CMS.INITBYDIM", "m2", "10", "5"),
    ("CMS.INITBYDIM", "m3", "10", "4"),
    ("CMS.INITBYDIM", "d", "10", "5"),
    ("CMS.INCRBY", "m1", "a", "3", "b", "1"),
    ("CMS.INCRBY", "m2", "a", "2", "c", "7"),
    ("CMS.MERGE", "d", "2", "m1", "m2"),
    ("CMS.QUERY", "d", "a", "b", "c", "q"),
    ("CMS.INFO", "d"),
    ("CMS.MERGE", "d", "2", "m1", "m2", "WEIGHTS", "2", "3"),
    ("CMS.QUERY", "d", "a", "b", "c"),
    ("CMS.INFO", "d"),
    ("CMS.MERGE", "d", "2", "m1", "m2", "weights", "1", "-1"),
    ("CMS.MERGE", "d", "2", "m1", "m1", "WeIgHtS", "2", "-1"),
    ("CMS.QUERY", "d", "a", "b", "c"),
    ("CMS.INFO", "d"),
    ("CMS.MERGE", "d", "1", "m1", "WEIGHTS", "0"),
    ("CMS.INFO", "d"),
    ("CMS.MERGE", "d", "1", "m1", "WEIGHTS", "-1"),
    ("CMS.MERGE", "d", "1", "d"),
    ("CMS.MERGE", "d", "3", "d", "d", "m1"),
    ("CMS.QUERY", "d", "a", "b", "c"),
    ("CMS.MERGE", "d", "1", "m3"),
    ("CMS.MERGE", "m3", "1", "d"),
    ("CMS.MERGE", "d", "2", "m3", "nokey"),
    ("CMS.MERGE", "d", "2", "nokey", "m3"),
    ("CMS.MERGE", "d", "2", "m1", "m2", "WEIGHTS", "1"),
    ("CMS.MERGE", "d", "2", "m1", "m2", "WEIGHTS", "1", "x"),
    ("CMS.MERGE", "d", "2", "m1", "m2", "WEIGHTS", "x", "1"),
    ("CMS.MERGE", "d", "2", "nokey", "m2", "WEIGHTS", "x", "1"),
    ("CMS.MERGE", "d", "2", "m1", "m2", "WEIGHTS", "1", "2", "3"),
    ("CMS.MERGE", "d", "2", "WEIGHTS", "m1", "1", "2"),
    ("CMS.MERGE", "d", "2", "m1", "WEIGHTS", "WEIGHTS", "1"),
    ("CMS.MERGE", "d", "1", "m1", "WEIGHTS"),
    ("CMS.MERGE", "d", "0", "m1"),
    ("CMS.MERGE", "d", "-1", "m1"),
    ("CMS.MERGE", "d", "x", "m1"),
    ("CMS.MERGE", "d", "3", "m1", "m2"),
    ("CMS.MERGE", "d", "1", "m1", "m2"),
    ("CMS.MERGE", "d", "99999999999999999", "m1"),
    ("CMS.MERGE", "nokey", "1", "m1"),
    ("CMS.MERGE", "nokey", "x", "m1"),
    ("CMS.MERGE", "s", "1", "m1"),
    ("CMS.MERGE", "d", "1", "s"),
    ("CMS.MERGE", "d", "2", "m1", "s"),
    ("CMS.MERGE", "d"),
    ("CMS.MERGE", "d", "1"),
    # weights large enough for the int64 checks to refuse
    ("CMS.MERGE", "d", "1", "m1", "WEIGHTS", "9223372036854775807"),
    ("CMS.MERGE", "d", "1", "m1", "WEIGHTS", "4294967296"),
    ("CMS.MERGE", "d", "1", "m1", "WEIGHTS", "1431655765"),
    ("CMS.MERGE", "d", "1", "m1", "WEIGHTS", "1431655766"),
    ("CMS.MERGE", "d", "2", "m1", "m2", "WEIGHTS", "9223372036854775807", "-9223372036854775807"),
    ("CMS.MERGE", "d", "2", "m1", "m1", "WEIGHTS", "4611686018427387904", "-4611686018427387904"),
    ("CMS.INFO", "d"),
    ("CMS.QUERY", "d", "a", "b", "c"),
    # saturated counters cannot be doubled
    ("CMS.INCRBY", "m2", "big", "4294967295"),
    ("CMS.MERGE", "d", "2", "m2", "m2"),
    ("CMS.MERGE", "d", "1", "m2"),
    ("CMS.QUERY", "d", "big"),
]


def test_cms_errors_and_replies(dd):
    run(dd, CMS_CASES)


def test_cms_merge(dd):
    run(dd, CMS_MERGE_CASES)


def test_cms_dimensions_from_probabilities(d):
    rnd = random.Random(11)
    errors = ["0.001", "0.01", "0.3", "0.7", "1e-5", "0.5", "0.9999", "0.0025"]
    probs = ["0.5", "0.25", "0.125", "0.0625", "0.03125", "0.1", "0.01", "0.001", "0.99999", "1e-10", "0.2"]
    probs += [repr(rnd.uniform(1e-6, 1)) for _ in range(20)]
    for i, (e, p) in enumerate([(e, p) for e in errors for p in probs]):
        d.check("CMS.INITBYPROB", f"k{i}", e, p)
        d.check("CMS.INFO", f"k{i}")


def test_cms_random_sequences(d, srv):
    """Random items and increments (saturating ones too), every reply, then the counters
    byte for byte in the DUMP payload."""
    old = _config_both(d, srv, "rdbcompression", "no")
    try:
        rnd = random.Random(5)
        for t in range(12):
            w, depth = rnd.randint(1, 60), rnd.randint(1, 9)
            key = f"r{t}"
            d.check("CMS.INITBYDIM", key, w, depth)
            for _ in range(30):
                pairs = []
                for _ in range(rnd.randint(1, 4)):
                    item = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 14)))
                    pairs += [item, rnd.choice([0, 1, 2, 7, 1000, 2**31, 2**32 - 1, 2**32, 2**40])]
                d.check("CMS.INCRBY", key, *pairs)
                d.check("CMS.QUERY", key, *pairs[::2])
            d.check("CMS.INFO", key)
            d.check("DUMP", key)
    finally:
        _config_both(d, srv, "rdbcompression", old)


# --- Top-K --------------------------------------------------------------------------------------

TOPK_CASES = [
    ("SET", "s", "x"),
    ("TOPK.RESERVE", "t", "3"),
    ("TOPK.INFO", "t"),
    ("TOPK.RESERVE", "t", "3"),
    ("TOPK.RESERVE", "t", "x"),
    ("TOPK.RESERVE", "s", "3"),
    ("TOPK.RESERVE", "t2", "0", "10", "4", "0.9"),
    ("TOPK.RESERVE", "t2", "-1"),
    ("TOPK.RESERVE", "t2", "x", "10", "4", "0.9"),
    ("TOPK.RESERVE", "t2", "3", "0", "4", "0.9"),
    ("TOPK.RESERVE", "t2", "3", "4294967296", "4", "0.9"),
    ("TOPK.RESERVE", "t2", "3", "x", "4", "0.9"),
    ("TOPK.RESERVE", "t2", "3", "10", "0", "0.9"),
    ("TOPK.RESERVE", "t2", "3", "10", "4294967296", "0.9"),
    ("TOPK.RESERVE", "t2", "3", "10", "x", "0.9"),
    ("TOPK.RESERVE", "t2", "3", "10", "4", "0"),
    ("TOPK.RESERVE", "t2", "3", "10", "4", "-0.5"),
    ("TOPK.RESERVE", "t2", "3", "10", "4", "1.0000001"),
    ("TOPK.RESERVE", "t2", "3", "10", "4", "x"),
    ("TOPK.RESERVE", "t2", "3", "10", "4", "nan"),
    ("TOPK.RESERVE", "t2", "3", "10", "4", "inf"),
    ("TOPK.RESERVE", "t2", "3", "10", "4"),
    ("TOPK.RESERVE", "t2", "3", "10"),
    ("TOPK.RESERVE", "t2", "3", "10", "4", "0.9", "x"),
    ("TOPK.RESERVE", "t2"),
    ("TOPK.RESERVE", "t2", "3", "10", "4", "1"),
    ("TOPK.INFO", "t2"),
    ("TOPK.RESERVE", "wrap", "4294967297", "10", "2", "0.5"),
    ("TOPK.INFO", "wrap"),
    ("TOPK.RESERVE", "tiny", "3", "10", "2", "1e-320"),
    ("TOPK.INFO", "tiny"),
    ("TOPK.RESERVE", "prec", "3", "10", "2", "0.123456789012345678"),
    ("TOPK.INFO", "prec"),
    ("TOPK.ADD", "t2", "a", "b", "", "a"),
    ("TOPK.ADD", "t2"),
    ("TOPK.ADD", "nokey", "a"),
    ("TOPK.ADD", "s", "a"),
    ("TOPK.LIST", "t2"),
    ("TOPK.LIST", "t2", "WITHCOUNT"),
    ("TOPK.LIST", "t2", "withcount"),
    ("TOPK.LIST", "t2", "with"),
    ("TOPK.LIST", "t2", "W"),
    ("TOPK.LIST", "t2", ""),
    ("TOPK.LIST", "t2", "withcountx"),
    ("TOPK.LIST", "t2", "count"),
    ("TOPK.LIST", "t2", "WITHCOUNT", "x"),
    ("TOPK.LIST", "nokey"),
    ("TOPK.LIST", "nokey", "x"),
    ("TOPK.LIST", "s"),
    ("TOPK.LIST",),
    ("TOPK.QUERY", "t2", "a", "b", "", "zz"),
    ("TOPK.QUERY", "t2"),
    ("TOPK.QUERY", "nokey", "a"),
    ("TOPK.QUERY", "s", "a"),
    ("TOPK.COUNT", "t2", "a", "b", "", "zz"),
    ("TOPK.COUNT", "t2"),
    ("TOPK.COUNT", "nokey", "a"),
    ("TOPK.COUNT", "s", "a"),
    ("TOPK.INCRBY", "t2", "x", "5", "y", "2"),
    ("TOPK.INCRBY", "t2", "x", "0"),
    ("TOPK.INCRBY", "t2", "new", "0"),
    ("TOPK.INCRBY", "t2", "x", "100000"),
    ("TOPK.INCRBY", "t2", "x", "100001"),
    ("TOPK.INCRBY", "t2", "x", "-1"),
    ("TOPK.INCRBY", "t2", "x", "z"),
    ("TOPK.INCRBY", "t2", "x", "1.5"),
    ("TOPK.INCRBY", "t2", "x", "4294967296"),
    ("TOPK.INCRBY", "t2", "x", "1", "y"),
    ("TOPK.INCRBY", "t2", "x"),
    ("TOPK.INCRBY", "nokey", "x", "1"),
    ("TOPK.INCRBY", "s", "x", "1"),
    ("TOPK.LIST", "t2", "WITHCOUNT"),
    ("TOPK.QUERY", "t2", "new", "x", "y"),
    ("TOPK.COUNT", "t2", "new", "x", "y"),
    ("TOPK.INFO", "nokey"),
    ("TOPK.INFO", "s"),
    ("TOPK.INFO", "t2", "x"),
]


def test_topk_errors_and_replies(dd):
    run(dd, TOPK_CASES)


def test_topk_items_are_c_strings(dd):
    """Heap items are kept and answered as C strings: TOPK.LIST and expelled items stop at
    a NUL byte, while TOPK.QUERY compares whole items."""
    run(dd, [
        ("TOPK.RESERVE", "n", "2", "50", "3", "1"),
        ("TOPK.ADD", "n", b"a\x00b", b"x\x00"),
        ("TOPK.LIST", "n", "WITHCOUNT"),
        ("TOPK.QUERY", "n", b"a\x00b", b"a", b"a\x00c"),
        ("TOPK.COUNT", "n", b"a\x00b", b"a"),
        ("TOPK.ADD", "n", "q", "r"),
        ("TOPK.ADD", "n", "q", "r"),
        ("TOPK.LIST", "n", "WITHCOUNT"),
    ])


def test_topk_incrby_short_array(d, d3):
    """A bad increment ends TOPK.INCRBY with its error in place but the array keeps the
    length announced for every pair: the reply comes out short, and the next reply fills
    it (a protocol quirk of RedisBloom reproduced byte for byte)."""
    for dx in (d, d3):
        got = []
        for client in (dx.mine, dx.theirs):
            client.call("DEL", "sa")
            assert client.call("TOPK.RESERVE", "sa", "3", "50", "3", "1") == b"+OK\r\n"
            client.send("TOPK.INCRBY", "sa", "a", "2", "b", "-1", "c", "3")
            client.send("PING")
            got.append(client.read())  # the PONG completes the short array
            got.append(client.call("TOPK.LIST", "sa", "WITHCOUNT"))
        assert got[:2] == got[2:]
        assert got[0].startswith(b"*3\r\n") and b"\r\n-TopK: increment" in got[0] and got[0].endswith(b"+PONG\r\n")


def test_topk_random_sequences(d, srv):
    """decay 1: a decay trial always succeeds, so RedisBloom's results do not depend on its
    random generator. Small widths force collisions, takeovers and heap churn."""
    rnd = random.Random(8)
    for t in range(25):
        k, w, depth = rnd.randint(1, 7), rnd.randint(1, 9), rnd.randint(1, 5)
        key = f"t{t}"
        d.check("TOPK.RESERVE", key, k, w, depth, 1)
        pool = [bytes([97 + i]) * rnd.randint(1, 3) for i in range(rnd.randint(2, 14))]
        for _ in range(40):
            if rnd.random() < 0.5:
                d.check("TOPK.ADD", key, *[rnd.choice(pool) for _ in range(rnd.randint(1, 4))])
            else:
                pairs = []
                for _ in range(rnd.randint(1, 3)):
                    pairs += [rnd.choice(pool), rnd.choice([0, 1, 2, 3, 9, 40, 1000, 100000])]
                d.check("TOPK.INCRBY", key, *pairs)
            d.check("TOPK.LIST", key, "WITHCOUNT")
        d.check("TOPK.COUNT", key, *pool)
        d.check("TOPK.QUERY", key, *pool)
        assert _topk_state(d.mine, key) == _topk_state(d.theirs, key)


def _decode_payload(payload: bytes) -> list:
    """The opcode-tagged values of a module DUMP payload."""
    from moredis.persistence import rdbio

    rd = rdbio.Reader(payload[:-10])
    assert rd.byte() == 7
    out: list = [rd.length()]
    while True:
        op = rd.length()
        if op == rdbio.MOD_EOF:
            return out
        if op == rdbio.MOD_UINT:
            out.append(rd.length())
        elif op == rdbio.MOD_DOUBLE:
            out.append(rd.binary_double())
        elif op == rdbio.MOD_STRING:
            out.append(rd.string())
        else:
            raise AssertionError(f"unexpected opcode {op}")


def _topk_state(client, key: str) -> list:
    """A Top-K DUMP with the heap slots' item pointers blanked (they are addresses)."""
    import struct

    vals = _decode_payload(parse_reply(client.call("DUMP", key)))
    heap = bytearray(vals[6])
    for off in range(0, len(heap), 24):
        ptr = struct.unpack_from("<Q", heap, off + 8)[0]
        struct.pack_into("<Q", heap, off + 8, 1 if ptr else 0)
    vals[6] = bytes(heap)
    return vals


def test_topk_decay_statistics(d):
    """With decay < 1 the draws differ from the reference's, but not their law: a heavy
    item keeps its place and its count against a stream of singletons on both servers."""
    for client in (d.mine, d.theirs):
        client.call("TOPK.RESERVE", "h", "3", "20", "4", "0.9")
        for i in range(30):
            client.call("TOPK.INCRBY", "h", "heavy", "50", f"light{i}", "1")
        lst = parse_reply(client.call("TOPK.LIST", "h", "WITHCOUNT"))
        assert lst[0] == b"heavy" and lst[1] == 1500
        assert parse_reply(client.call("TOPK.QUERY", "h", "heavy")) == [1]


# --- t-digest ------------------------------------------------------------------------------------

TD_CASES = [
    ("SET", "s", "x"),
    ("TDIGEST.CREATE", "td"),
    ("TDIGEST.CREATE", "td"),
    ("TDIGEST.CREATE", "s"),
    ("TDIGEST.CREATE", "td2", "COMPRESSION", "50"),
    ("TDIGEST.CREATE", "td3", "compression", "0"),
    ("TDIGEST.CREATE", "td3", "COMPRESSION", "-1"),
    ("TDIGEST.CREATE", "td3", "COMPRESSION", "x"),
    ("TDIGEST.CREATE", "td3", "COMPRESSION", "1.5"),
    ("TDIGEST.CREATE", "td3", "COMPRESSION"),
    ("TDIGEST.CREATE", "td3", "foo", "10"),
    ("TDIGEST.CREATE", "td3", "10", "COMPRESSION"),
    ("TDIGEST.CREATE", "td3", "10", "compression"),
    ("TDIGEST.CREATE", "td3", "COMPRESSION", "10", "x"),
    ("TDIGEST.CREATE",),
    ("TDIGEST.CREATE", "td4", "COMPRESSION", "1"),
    ("TDIGEST.INFO", "td4"),
    ("TDIGEST.INFO", "td"),
    ("TDIGEST.INFO", "td2"),
    ("TDIGEST.INFO", "nokey"),
    ("TDIGEST.INFO", "s"),
    ("TDIGEST.INFO", "td", "x"),
    # empty digest
    ("TDIGEST.MIN", "td"),
    ("TDIGEST.MAX", "td"),
    ("TDIGEST.QUANTILE", "td", "0.5", "0.1"),
    ("TDIGEST.CDF", "td", "1", "2"),
    ("TDIGEST.RANK", "td", "1", "2"),
    ("TDIGEST.REVRANK", "td", "1", "2"),
    ("TDIGEST.BYRANK", "td", "0", "2"),
    ("TDIGEST.BYREVRANK", "td", "0", "2"),
    ("TDIGEST.TRIMMED_MEAN", "td", "0.1", "0.9"),
    # one value: never merged by this t-digest version, so most answers are NaN
    ("TDIGEST.ADD", "td4", "5"),
    ("TDIGEST.QUANTILE", "td4", "0.5"),
    ("TDIGEST.CDF", "td4", "5", "4", "6"),
    ("TDIGEST.RANK", "td4", "5", "4", "6"),
    ("TDIGEST.REVRANK", "td4", "5", "4", "6"),
    ("TDIGEST.BYRANK", "td4", "0", "1", "2"),
    ("TDIGEST.BYREVRANK", "td4", "0", "1", "2"),
    ("TDIGEST.TRIMMED_MEAN", "td4", "0", "1"),
    ("TDIGEST.MIN", "td4"),
    ("TDIGEST.MAX", "td4"),
    ("TDIGEST.INFO", "td4"),
    # ten values
    ("TDIGEST.ADD", "td", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"),
    ("TDIGEST.INFO", "td"),
    ("TDIGEST.MIN", "td"),
    ("TDIGEST.MAX", "td"),
    ("TDIGEST.INFO", "td"),
    ("TDIGEST.QUANTILE", "td", "0.5", "0.1", "0", "1", "0.99", "0.25", "0.3"),
    ("TDIGEST.INFO", "td"),
    ("TDIGEST.CDF", "td", "1", "2", "0", "11", "5.5", "10", "-0"),
    ("TDIGEST.RANK", "td", "1", "2", "0", "11", "5.5", "10", "1.5", "2.5"),
    ("TDIGEST.REVRANK", "td", "1", "2", "0", "11", "5.5", "10", "1.5", "2.5"),
    ("TDIGEST.BYRANK", "td", "0", "1", "9", "10", "11", "5"),
    ("TDIGEST.BYREVRANK", "td", "0", "1", "9", "10", "11", "5"),
    ("TDIGEST.TRIMMED_MEAN", "td", "0.1", "0.9"),
    ("TDIGEST.TRIMMED_MEAN", "td", "0", "1"),
    ("TDIGEST.TRIMMED_MEAN", "td", "0.33", "0.34"),
    # argument errors
    ("TDIGEST.ADD", "td", "x"),
    ("TDIGEST.ADD", "td", "nan"),
    ("TDIGEST.ADD", "td", "inf"),
    ("TDIGEST.ADD", "td", "-inf"),
    ("TDIGEST.ADD", "td", "1", "x"),
    ("TDIGEST.ADD", "td", "inf", "x"),
    ("TDIGEST.ADD", "td"),
    ("TDIGEST.ADD", "nokey", "1"),
    ("TDIGEST.ADD", "s", "1"),
    ("TDIGEST.ADD", "td", "1e308", "-1e308", "0x1p-1074", "-0"),
    ("TDIGEST.INFO", "td"),
    ("TDIGEST.QUANTILE", "td", "x"),
    ("TDIGEST.QUANTILE", "td", "1.5"),
    ("TDIGEST.QUANTILE", "td", "-0.1"),
    ("TDIGEST.QUANTILE", "td", "nan"),
    ("TDIGEST.QUANTILE", "td", "0.5", "x"),
    ("TDIGEST.QUANTILE", "td"),
    ("TDIGEST.QUANTILE", "nokey", "0.5"),
    ("TDIGEST.QUANTILE", "s", "0.5"),
    ("TDIGEST.CDF", "td", "x"),
    ("TDIGEST.CDF", "td", "nan"),
    ("TDIGEST.CDF", "td", "inf", "-inf"),
    ("TDIGEST.CDF", "td"),
    ("TDIGEST.CDF", "nokey", "1"),
    ("TDIGEST.RANK", "td", "nan"),
    ("TDIGEST.RANK", "td", "x"),
    ("TDIGEST.RANK", "td", "inf", "-inf"),
    ("TDIGEST.REVRANK", "td", "inf", "-inf"),
    ("TDIGEST.RANK", "td"),
    ("TDIGEST.RANK", "s", "1"),
    ("TDIGEST.BYRANK", "td", "x"),
    ("TDIGEST.BYRANK", "td", "1.5"),
    ("TDIGEST.BYRANK", "td", "-1"),
    ("TDIGEST.BYRANK", "td", "1", "-1"),
    ("TDIGEST.BYREVRANK", "td", "9223372036854775807"),
    ("TDIGEST.BYRANK", "td"),
    ("TDIGEST.BYRANK", "nokey", "1"),
    ("TDIGEST.TRIMMED_MEAN", "td", "x", "1"),
    ("TDIGEST.TRIMMED_MEAN", "td", "0", "x"),
    ("TDIGEST.TRIMMED_MEAN", "td", "x", "x"),
    ("TDIGEST.TRIMMED_MEAN", "td", "0.5", "0.5"),
    ("TDIGEST.TRIMMED_MEAN", "td", "-1", "0.5"),
    ("TDIGEST.TRIMMED_MEAN", "td", "0.5", "0.1"),
    ("TDIGEST.TRIMMED_MEAN", "td", "0.5", "2"),
    ("TDIGEST.TRIMMED_MEAN", "td", "0.5"),
    ("TDIGEST.TRIMMED_MEAN", "nokey", "0", "1"),
    ("TDIGEST.MIN", "td", "x"),
    ("TDIGEST.MIN", "nokey"),
    ("TDIGEST.MAX", "s"),
    ("TDIGEST.RESET", "td"),
    ("TDIGEST.INFO", "td"),
    ("TDIGEST.MIN", "td"),
    ("TDIGEST.RESET", "nokey"),
    ("TDIGEST.RESET", "s"),
    ("TDIGEST.RESET", "td", "x"),
    ("TDIGEST.ADD", "td", "3", "1", "2"),
    ("TDIGEST.QUANTILE", "td", "0", "0.5", "1"),
    ("TDIGEST.INFO", "td"),
]

TD_MERGE_CASES = [
    ("SET", "s", "x"),
    ("TDIGEST.CREATE", "a", "COMPRESSION", "50"),
    ("TDIGEST.CREATE", "b", "COMPRESSION", "200"),
    ("TDIGEST.CREATE", "one"),
    ("TDIGEST.ADD", "a", "1", "2", "3"),
    ("TDIGEST.ADD", "b", "10", "20"),
    ("TDIGEST.ADD", "one", "7"),
    ("TDIGEST.MERGE", "d", "2", "a", "b"),
    ("TDIGEST.INFO", "d"),
    ("TDIGEST.MERGE", "d", "1", "a"),
    ("TDIGEST.INFO", "d"),
    ("TDIGEST.QUANTILE", "d", "0", "0.5", "1"),
    ("TDIGEST.MERGE", "d", "1", "a", "OVERRIDE"),
    ("TDIGEST.INFO", "d"),
    ("TDIGEST.MERGE", "d", "1", "a", "COMPRESSION", "10"),
    ("TDIGEST.INFO", "d"),
    ("TDIGEST.MERGE", "d", "1", "a", "compression", "10", "override"),
    ("TDIGEST.INFO", "d"),
    ("TDIGEST.MERGE", "d", "2", "a", "one"),
    ("TDIGEST.INFO", "d"),
    ("TDIGEST.INFO", "one"),
    ("TDIGEST.MERGE", "e", "1", "a", "COMPRESSION"),
    ("TDIGEST.MERGE", "e", "1", "a", "COMPRESSION", "x"),
    ("TDIGEST.MERGE", "e", "1", "a", "COMPRESSION", "0"),
    ("TDIGEST.MERGE", "e", "1", "a", "foo"),
    ("TDIGEST.MERGE", "e", "1", "a", "OVERRIDE", "foo"),
    ("TDIGEST.MERGE", "e", "1", "a", "foo", "OVERRIDE"),
    ("TDIGEST.MERGE", "e", "0", "a"),
    ("TDIGEST.MERGE", "e", "-1", "a"),
    ("TDIGEST.MERGE", "e", "x", "a"),
    ("TDIGEST.MERGE", "e", "3", "a", "b"),
    ("TDIGEST.MERGE", "e", "2", "a", "nokey"),
    ("TDIGEST.MERGE", "new", "2", "a", "new"),
    ("TDIGEST.MERGE", "e", "2", "a", "e"),
    ("TDIGEST.INFO", "e"),
    ("TDIGEST.MERGE", "a", "2", "a", "a"),
    ("TDIGEST.INFO", "a"),
    ("TDIGEST.MERGE", "s", "1", "a"),
    ("TDIGEST.MERGE", "s", "x", "a"),
    ("TDIGEST.MERGE", "e", "1", "s"),
    ("TDIGEST.MERGE", "e", "1", "a", "b"),
    ("TDIGEST.MERGE", "e"),
    ("TDIGEST.MERGE", "e", "1"),
    ("TDIGEST.MERGE", "e", "1", "a", "COMPRESSION", "5", "COMPRESSION", "7"),
    ("TDIGEST.INFO", "e"),
    ("TDIGEST.MERGE", "e", "1", "a", "OVERRIDE", "OVERRIDE"),
    ("TDIGEST.INFO", "e"),
    ("TDIGEST.MERGE", "f", "1", "a", "COMPRESSION", "7", "OVERRIDE", "9"),
    ("TDIGEST.INFO", "f"),
    ("TDIGEST.MERGE", "g", "1", "a", "COMPRESSION", "OVERRIDE"),
    ("TDIGEST.QUANTILE", "e", "0", "0.3", "0.7", "1"),
    ("TDIGEST.CDF", "e", "1", "2", "3"),
    # the destination gets a new value: its TTL goes with the old one
    ("EXPIRE", "e", "1000"),
    ("TDIGEST.ADD", "e", "4"),
    ("TTL", "e"),
    ("TDIGEST.MERGE", "e", "1", "b"),
    ("TTL", "e"),
]


def test_tdigest_errors_and_replies(dd):
    run(dd, TD_CASES)


def test_tdigest_merge(dd):
    run(dd, TD_MERGE_CASES)


def test_tdigest_merge_weight_overflow(d):
    """Merging a digest into itself doubles its weights: after 63 rounds the long long
    totals would overflow and the merge fails (with what was merged so far dropped)."""
    d.check("TDIGEST.CREATE", "w", "COMPRESSION", "5")
    d.check("TDIGEST.ADD", "w", *[str(i) for i in range(30)])
    for _ in range(64):
        d.check("TDIGEST.MERGE", "w", "2", "w", "w")
        d.check("TDIGEST.INFO", "w")
    d.check("TDIGEST.QUANTILE", "w", "0.1", "0.5", "0.9")
    d.check("TDIGEST.ADD", "w", "1")


def _td_queries(d, key: str, rnd: random.Random, lo: float, hi: float) -> None:
    qs = sorted(rnd.random() for _ in range(4)) + [0, 1, 0.5, 0.001, 0.999]
    d.check("TDIGEST.QUANTILE", key, *[repr(q) for q in qs])
    xs = [repr(rnd.uniform(lo, hi)) for _ in range(4)]
    d.check("TDIGEST.CDF", key, *xs)
    d.check("TDIGEST.RANK", key, *xs)
    d.check("TDIGEST.REVRANK", key, *xs)
    d.check("TDIGEST.BYRANK", key, 0, 1, 2, 5, 10, 100, 1000, 10**6)
    d.check("TDIGEST.BYREVRANK", key, 0, 1, 2, 5, 10, 100, 1000, 10**6)
    a, b = sorted((rnd.random(), rnd.random()))
    if a < b:
        d.check("TDIGEST.TRIMMED_MEAN", key, repr(a), repr(b))


@pytest.mark.parametrize("kind", ["gauss", "ints", "few", "exp"])
def test_tdigest_random_sequences(d, srv, kind):
    """Random data (continuous, integers, a handful of repeated values whose ties exercise
    the quicksort's order, skewed), small and large compressions: every reply bit for bit
    and the centroids through DUMP."""
    old = _config_both(d, srv, "rdbcompression", "no")
    try:
        rnd = random.Random(hash(kind) & 0xFFFF)
        for t in range(6):
            comp = rnd.choice([1, 3, 10, 50, 100, 500])
            key = f"{kind}{t}"
            d.check("TDIGEST.CREATE", key, "COMPRESSION", comp)
            for _ in range(rnd.randint(3, 25)):
                n = rnd.randint(1, 60)
                if kind == "gauss":
                    vals = [repr(round(rnd.gauss(0, 100), 4)) for _ in range(n)]
                elif kind == "ints":
                    vals = [str(rnd.randint(-40, 40)) for _ in range(n)]
                elif kind == "few":
                    vals = [rnd.choice(["1", "2", "3", "-0", "0"]) for _ in range(n)]
                else:
                    vals = [repr(rnd.expovariate(0.01)) for _ in range(n)]
                d.check("TDIGEST.ADD", key, *vals)
                if rnd.random() < 0.3:
                    _td_queries(d, key, rnd, -100, 300)
                d.check("TDIGEST.INFO", key)
            _td_queries(d, key, rnd, -100, 300)
            d.check("DUMP", key)
            d.check("TDIGEST.INFO", key)
    finally:
        _config_both(d, srv, "rdbcompression", old)


def test_tdigest_merges_random(d):
    rnd = random.Random(21)
    for i in range(4):
        d.check("TDIGEST.CREATE", f"s{i}", "COMPRESSION", rnd.choice([5, 20, 100]))
        d.check("TDIGEST.ADD", f"s{i}", *[repr(rnd.gauss(i * 10, 5)) for _ in range(rnd.randint(1, 300))])
    for _ in range(10):
        keys = rnd.sample(["s0", "s1", "s2", "s3", "dst"], rnd.randint(1, 3))
        if "dst" in keys and rnd.random() < 0.5:
            keys.remove("dst")
        opts = rnd.choice([[], ["OVERRIDE"], ["COMPRESSION", str(rnd.randint(1, 200))]])
        d.check("TDIGEST.MERGE", "dst", len(keys), *keys, *opts)
        d.check("TDIGEST.INFO", "dst")
        _td_queries(d, "dst", rnd, -10, 50)


def test_tdigest_accuracy_against_reference(d):
    """Quantiles of 20,000 values from three distributions, estimated by both servers from
    the same data, against the exact ones: our answers are the reference's to the bit, and
    their error is the reference's error."""
    rnd = random.Random(99)
    qs = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999]
    for name, gen in (("uniform", lambda: rnd.uniform(0, 1000)), ("normal", lambda: rnd.gauss(0, 1)),
                      ("lognormal", lambda: rnd.lognormvariate(0, 1.5))):
        data = [gen() for _ in range(20000)]
        key = f"acc-{name}"
        d.check("TDIGEST.CREATE", key)
        for i in range(0, len(data), 500):
            d.check("TDIGEST.ADD", key, *[repr(v) for v in data[i:i + 500]])
        got = d.check("TDIGEST.QUANTILE", key, *[repr(q) for q in qs])
        est = [float(x) for x in parse_reply(got)]
        exact = sorted(data)
        span = exact[-1] - exact[0]
        for q, e in zip(qs, est, strict=True):
            true = exact[min(len(exact) - 1, int(q * len(exact)))]
            assert abs(e - true) / span < 0.01, (name, q, e, true)


# --- persistence and generic commands --------------------------------------------------------------


def _build(d) -> list[str]:
    d.check("CMS.INITBYDIM", "pc", "40", "4")
    d.check("CMS.INCRBY", "pc", "a", "3", "b", "5", "c", "4294967295")
    d.check("TOPK.RESERVE", "pt", "3", "8", "3", "1")
    d.check("TOPK.ADD", "pt", "a", "b", "c", "d", "a", "a", b"x\x00y", "")
    d.check("TOPK.INCRBY", "pt", "e", "50")
    d.check("TDIGEST.CREATE", "pd", "COMPRESSION", "20")
    d.check("TDIGEST.ADD", "pd", *[str(i * 1.5) for i in range(200)])
    d.check("TDIGEST.CREATE", "pe")
    d.check("TDIGEST.ADD", "pe", "42")
    return ["pc", "pt", "pd", "pe"]


def test_dump_payloads_identical(srv, d):
    """CMS and t-digest payloads are the reference's bytes; Top-K's too but for the heap
    slots' item pointers (memory addresses in RedisBloom)."""
    old = _config_both(d, srv, "rdbcompression", "no")
    try:
        keys = _build(d)
        for key in keys:
            if key == "pt":
                assert _topk_state(d.mine, key) == _topk_state(d.theirs, key)
            else:
                d.check("DUMP", key)
        # DUMP of a t-digest compresses it first, as TDigestRdbSave does
        d.check("TDIGEST.INFO", "pd")
    finally:
        _config_both(d, srv, "rdbcompression", old)


def test_cross_restore(d):
    keys = _build(d)
    for key in keys:
        for client in (d.mine, d.theirs):
            payload = parse_reply(client.call("DUMP", key))
            d.check("RESTORE", f"{key}-copy", "0", payload, "REPLACE")
    for suffix in ("", "-copy"):
        d.check("CMS.QUERY", "pc" + suffix, "a", "b", "c", "zz")
        d.check("CMS.INFO", "pc" + suffix)
        d.check("TOPK.LIST", "pt" + suffix, "WITHCOUNT")
        d.check("TOPK.QUERY", "pt" + suffix, "a", "b", "x", "", "e")
        d.check("TOPK.COUNT", "pt" + suffix, "a", "b", "x", "e")
        d.check("TOPK.INFO", "pt" + suffix)
        d.check("TOPK.ADD", "pt" + suffix, "f", "g", "h")
        d.check("TDIGEST.INFO", "pd" + suffix)
        d.check("TDIGEST.QUANTILE", "pd" + suffix, "0.1", "0.5", "0.9")
        # a lone value is saved unmerged: only its count survives, its node reads back as 0
        d.check("TDIGEST.INFO", "pe" + suffix)
        d.check("TDIGEST.ADD", "pe" + suffix, "1", "2")
        d.check("TDIGEST.QUANTILE", "pe" + suffix, "0", "0.5", "1")
        d.check("TDIGEST.MIN", "pe" + suffix)


def test_debug_reload(d):
    keys = _build(d)
    assert d.mine.call("DEBUG", "RELOAD") == b"+OK\r\n"
    assert d.theirs.call("DEBUG", "RELOAD") == b"+OK\r\n"
    assert _topk_state(d.mine, "pt") == _topk_state(d.theirs, "pt")
    for key in keys:
        d.check("TYPE", key)
    d.check("CMS.QUERY", "pc", "a", "b", "c")
    d.check("TOPK.LIST", "pt", "WITHCOUNT")
    d.check("TDIGEST.INFO", "pd")
    d.check("TDIGEST.INFO", "pe")
    d.check("TDIGEST.QUANTILE", "pd", "0.1", "0.5")


def test_generic_behaviour(dd):
    d = dd
    _build(d)
    run(d, [
        ("TYPE", "pc"), ("TYPE", "pt"), ("TYPE", "pd"),
        ("OBJECT", "ENCODING", "pc"), ("OBJECT", "ENCODING", "pt"), ("OBJECT", "ENCODING", "pd"),
        ("MEMORY", "USAGE", "pc"), ("MEMORY", "USAGE", "pt"), ("MEMORY", "USAGE", "pd"), ("MEMORY", "USAGE", "pe"),
        ("DEBUG", "DIGEST-VALUE", "pc", "pt", "pd"),
        ("COPY", "pc", "pc2"), ("COPY", "pt", "pt2"), ("COPY", "pd", "pd2"), ("EXISTS", "pc2", "pt2", "pd2"),
        ("RENAME", "pc", "pcr"), ("CMS.QUERY", "pcr", "a"), ("EXPIRE", "pt", "100"), ("TOPK.ADD", "pt", "zz"),
        ("TTL", "pt"), ("DEL", "pcr", "pt"), ("CMS.INFO", "pcr"),
        ("CMS.INITBYDIM", "m", "10", "100"), ("MEMORY", "USAGE", "m"),
        ("TOPK.RESERVE", "tm", "50", "100", "5", "0.5"), ("MEMORY", "USAGE", "tm"),
        ("TDIGEST.CREATE", "dm", "COMPRESSION", "7"), ("MEMORY", "USAGE", "dm"),
    ])


_MODE_SETUP = [("CMS.INITBYDIM", "c", 10, 2), ("CMS.INITBYDIM", "c2", 10, 2), ("TOPK.RESERVE", "t", 2),
               ("TDIGEST.CREATE", "d"), ("TDIGEST.ADD", "d", 1, 2), ("TDIGEST.CREATE", "d2"), ("SET", "s", "x")]
_MODE_CMDS = [
    ("CMS.INITBYDIM", "{k}", 10, 2), ("CMS.INITBYPROB", "{k}", "0.1", "0.1"), ("CMS.INCRBY", "{k}", "a", 1),
    ("CMS.QUERY", "{k}", "a"), ("CMS.MERGE", "{k}", 1, "c2"), ("CMS.MERGE", "c2", 1, "{k}"), ("CMS.INFO", "{k}"),
    ("TOPK.RESERVE", "{k}", 2), ("TOPK.ADD", "{k}", "a"), ("TOPK.INCRBY", "{k}", "a", 1), ("TOPK.QUERY", "{k}", "a"),
    ("TOPK.COUNT", "{k}", "a"), ("TOPK.LIST", "{k}"), ("TOPK.INFO", "{k}"),
    ("TDIGEST.CREATE", "{k}"), ("TDIGEST.ADD", "{k}", 1), ("TDIGEST.RESET", "{k}"), ("TDIGEST.MERGE", "{k}", 1, "d2"),
    ("TDIGEST.MERGE", "d2", 1, "{k}"), ("TDIGEST.MIN", "{k}"), ("TDIGEST.MAX", "{k}"),
    ("TDIGEST.QUANTILE", "{k}", "0.5"), ("TDIGEST.CDF", "{k}", 1), ("TDIGEST.RANK", "{k}", 1),
    ("TDIGEST.REVRANK", "{k}", 1), ("TDIGEST.BYRANK", "{k}", 1), ("TDIGEST.BYREVRANK", "{k}", 1),
    ("TDIGEST.TRIMMED_MEAN", "{k}", "0.1", "0.9"), ("TDIGEST.INFO", "{k}"),
]


def _hits_misses(client) -> tuple[int, int]:
    info = parse_reply(client.call("INFO", "stats")).decode()
    d = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(d["keyspace_hits"]), int(d["keyspace_misses"])


def test_key_access_modes(d):
    """How each command opens its keys, seen from outside: keyspace hits and misses (read
    opens count them) and whether a WATCH on the key breaks (write opens signal the key
    when closed, even when the command fails). CMS.INCRBY opens for reading only in
    RedisBloom 2.8.2: it counts a hit and leaves a WATCH intact."""
    got = {}
    for name, client in (("mine", d.mine), ("theirs", d.theirs)):
        rows = []
        for cmd in _MODE_CMDS:
            own = {"CMS": "c", "TOPK": "t", "TDIGEST": "d"}[cmd[0].split(".")[0]]
            for key in (own, "nokey", "s"):
                client.call("FLUSHALL")
                for c in _MODE_SETUP:
                    client.call(*c)
                argv = [a.format(k=key) if isinstance(a, str) else a for a in cmd]
                client.call("WATCH", key)
                before = _hits_misses(client)
                client.call(*argv)
                after = _hits_misses(client)
                client.call("MULTI")
                client.call("PING")
                broken = client.call("EXEC") == b"*-1\r\n"
                rows.append((" ".join(map(str, argv)), after[0] - before[0], after[1] - before[1], broken))
        got[name] = rows
    assert got["mine"] == got["theirs"]


def test_watch_is_broken_by_write_opens(d):
    """Write commands open their key for writing even when they fail, and closing such a
    key signals it modified: a failed TOPK.ADD on a missing key still breaks a WATCH."""
    run(d, [
        ("WATCH", "w1"), ("TOPK.ADD", "w1", "a"), ("MULTI",), ("PING",), ("EXEC",),
        ("WATCH", "w2"), ("CMS.QUERY", "w2", "a"), ("MULTI",), ("PING",), ("EXEC",),
        ("WATCH", "w3"), ("TDIGEST.ADD", "w3", "1"), ("MULTI",), ("PING",), ("EXEC",),
    ])


@pytest.mark.parametrize("name", [
    "cms.initbydim", "cms.initbyprob", "cms.incrby", "cms.query", "cms.merge", "cms.info", "topk.reserve",
    "topk.add", "topk.incrby", "topk.query", "topk.count", "topk.list", "topk.info", "tdigest.create",
    "tdigest.add", "tdigest.reset", "tdigest.merge", "tdigest.min", "tdigest.max", "tdigest.quantile",
    "tdigest.cdf", "tdigest.rank", "tdigest.revrank", "tdigest.byrank", "tdigest.byrevrank",
    "tdigest.trimmed_mean", "tdigest.info"])
def test_command_info(d, name):
    d.check("COMMAND", "INFO", name)
    d.check("COMMAND", "GETKEYS", name, "key", "a", "b")
    # COMMAND DOCS: the reference's fields, plus a summary in our own words
    mine, theirs = (parse_reply(x) for x in d.both("COMMAND", "DOCS", name))
    doc = dict(zip(mine[1][::2], mine[1][1::2], strict=True))
    assert doc.pop(b"summary")
    assert [mine[0], [x for kv in doc.items() for x in kv]] == theirs


def test_no_keyspace_events(d):
    """RedisBloom 2.8.2 raises no keyspace notifications for these commands."""
    from respclient import RawClient

    got = {}
    for name, client in (("mine", d.mine), ("theirs", d.theirs)):
        port = client.sock.getpeername()[1]
        client.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
        sub = RawClient(port=port)
        sub.call("PSUBSCRIBE", "__key*")
        sub.sock.settimeout(0.3)
        try:
            for c in (("CMS.INITBYDIM", "c", "10", "2"), ("CMS.INITBYPROB", "c2", "0.1", "0.1"),
                      ("CMS.INCRBY", "c", "a", "1"), ("CMS.MERGE", "c", "1", "c"), ("TOPK.RESERVE", "t", "2"),
                      ("TOPK.ADD", "t", "a"), ("TOPK.INCRBY", "t", "b", "3"), ("TDIGEST.CREATE", "d"),
                      ("TDIGEST.ADD", "d", "1", "2"), ("TDIGEST.MERGE", "d2", "1", "d"), ("TDIGEST.RESET", "d"),
                      ("SET", "marker", "1")):
                client.call(*c)
            events = []
            while True:
                try:
                    events.append(sub.read())
                except TimeoutError:
                    break
            got[name] = events
        finally:
            client.call("CONFIG", "SET", "notify-keyspace-events", "")
            sub.close()
    assert got["mine"] == got["theirs"]
    assert [e[2] for e in got["mine"]] == [b"__keyspace@0__:marker", b"__keyevent@0__:set"]


def test_topk_loaded_sketch_never_decays(d):
    """TopKRdbLoad leaves the decay lookup table zeroed: after RESTORE a foreign item can
    hammer a bucket forever without taking it (deterministic on both servers)."""
    d.check("TOPK.RESERVE", "nd", "1", "1", "1", "0.5")
    d.check("TOPK.INCRBY", "nd", "A", "3")
    for client in (d.mine, d.theirs):
        assert client.call("RESTORE", "nd2", "0", parse_reply(client.call("DUMP", "nd"))) == b"+OK\r\n"
    for _ in range(50):
        d.check("TOPK.ADD", "nd2", "B")
    d.check("TOPK.INCRBY", "nd2", "B", "100000")
    d.check("TOPK.LIST", "nd2", "WITHCOUNT")
    d.check("TOPK.COUNT", "nd2", "A", "B")
    d.check("TOPK.INFO", "nd2")
