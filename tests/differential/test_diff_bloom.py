"""Differential: the `bf` module's Bloom (BF.*) and cuckoo (CF.*) filters against the
reference's RedisBloom 2.8.2 (RESP2 and RESP3).

- Every command's replies and errors, argument parsing quirks included (options found
  anywhere in argv, options told apart by their first letters, error texts without
  "ERR").
- Random sequences of adds, lookups, deletions and compactions, then the filters' bytes
  through SCANDUMP: the bit arrays and fingerprint tables are identical to RedisBloom's.
- SCANDUMP/LOADCHUNK round trips between the two servers (both directions), DUMP
  payloads byte for byte (rdbcompression off) and cross RESTOREs, DEBUG RELOAD.
- What RedisBloom 2.8.2 does not do, we do not either: no keyspace events, no COPY,
  no DEBUG DIGEST contribution.
"""

from __future__ import annotations

import random
import struct

import pytest
from respclient import parse_reply


def run(d, cmds) -> None:
    for c in cmds:
        d.check(*c)


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def dd(request, d, d3):
    return d if request.param == 2 else d3


# --- Bloom --------------------------------------------------------------------------------------

BF_ERRORS = [
    ("SET", "s", "x"),
    ("BF.RESERVE", "r1", "0.01", "100"),
    ("BF.RESERVE", "r1", "0.01", "100"),
    ("BF.RESERVE", "s", "0.01", "100"),
    ("BF.RESERVE", "r2", "abc", "100"),
    ("BF.RESERVE", "r2", "0", "100"),
    ("BF.RESERVE", "r2", "1", "100"),
    ("BF.RESERVE", "r2", "-1", "100"),
    ("BF.RESERVE", "r2", "inf", "100"),
    ("BF.RESERVE", "r2", "nan", "100"),
    ("BF.RESERVE", "r2", "0.01", "0"),
    ("BF.RESERVE", "r2", "0.01", "-5"),
    ("BF.RESERVE", "r2", "0.01", "abc"),
    ("BF.RESERVE", "r2", "0.01", "99999999999999999999"),
    ("BF.RESERVE", "r2", "abc", "abc"),
    ("BF.RESERVE", "r2", "5", "abc"),
    ("BF.RESERVE", "r2", "0.01", "100", "NONSCALING", "EXPANSION", "2"),
    ("BF.RESERVE", "r2", "0.01", "100", "EXPANSION", "3", "NONSCALING"),
    ("BF.RESERVE", "r2", "0.01", "100", "NONSCALING", "EXPANSION"),
    ("BF.RESERVE", "r2", "0.01", "100", "EXPANSION"),
    ("BF.RESERVE", "r2", "0.01", "100", "EXPANSION", "0"),
    ("BF.RESERVE", "r2", "0.01", "100", "EXPANSION", "-1"),
    ("BF.RESERVE", "r2", "0.01", "100", "EXPANSION", "abc"),
    ("BF.RESERVE", "r2", "0.01", "100", "EXPANSION", "0", "NONSCALING"),
    ("BF.RESERVE", "r2"),
    ("BF.RESERVE", "r2", "0.01"),
    ("BF.RESERVE", "r3", "0.01", "100", "a", "b", "c", "d"),
    ("BF.RESERVE", "r3", "0.01", "100", "EXPANSION", "4", "EXPANSION", "5"),
    ("BF.RESERVE", "r4", "0.01", "100", "foo"),
    ("BF.RESERVE", "r5", "0.01", "100", "NONSCALING", "NONSCALING"),
    ("BF.RESERVE", "r6", "0.01", "100", "expansion", "7"),
    ("BF.RESERVE", "expansion", "0.01", "100"),
    ("BF.RESERVE", "nonscaling", "0.01", "100"),
    ("BF.RESERVE", "r7", "1e-300", "100"),
    ("BF.RESERVE", "r8", "0.999", "1"),
    ("BF.RESERVE", "r9", "0.01", "100", "EXPANSION", "4294967297"),
    ("BF.INFO", "r9"),
    ("BF.INFO", "r8"),
    ("BF.DEBUG", "r7"),
    ("BF.DEBUG", "r8"),
    ("BF.INFO", "nonscaling"),
    ("BF.INFO", "r6"),
    ("BF.ADD", "s", "a"),
    ("BF.MADD", "s", "a"),
    ("BF.INSERT", "s", "ITEMS", "a"),
    ("BF.EXISTS", "s", "a"),
    ("BF.MEXISTS", "s", "a", "b"),
    ("BF.CARD", "s"),
    ("BF.INFO", "s"),
    ("BF.DEBUG", "s"),
    ("BF.SCANDUMP", "s", "0"),
    ("BF.SCANDUMP", "s", "abc"),
    ("BF.LOADCHUNK", "s", "1", "x"),
    ("BF.LOADCHUNK", "s", "abc", "x"),
    ("BF.ADD",),
    ("BF.ADD", "k"),
    ("BF.ADD", "k", "a", "b"),
    ("BF.MADD", "k"),
    ("BF.EXISTS", "k"),
    ("BF.EXISTS", "k", "a", "b"),
    ("BF.MEXISTS", "k"),
    ("BF.CARD",),
    ("BF.CARD", "a", "b"),
    ("BF.INFO",),
    ("BF.INFO", "k", "a", "b"),
    ("BF.DEBUG",),
    ("BF.DEBUG", "k", "x"),
    ("BF.SCANDUMP", "k"),
    ("BF.SCANDUMP", "k", "0", "1"),
    ("BF.LOADCHUNK", "k", "1"),
    ("BF.INFO", "nokey"),
    ("BF.INFO", "nokey", "capacity"),
    ("BF.DEBUG", "nokey"),
    ("BF.SCANDUMP", "nokey", "0"),
    ("BF.SCANDUMP", "nokey", "abc"),
    ("BF.CARD", "nokey"),
    ("BF.EXISTS", "nokey", "a"),
    ("BF.MEXISTS", "nokey", "a", "b"),
]

BF_INSERT = [
    ("SET", "s", "x"),
    ("BF.INSERT", "k"),
    ("BF.INSERT", "k", "ITEMS"),
    ("BF.INSERT", "k", "a"),
    ("BF.INSERT", "k", "CAPACITY"),
    ("BF.INSERT", "k", "CAPACITY", "10"),
    ("BF.INSERT", "k", "CAPACITY", "10", "ITEMS"),
    ("BF.INSERT", "k", "CAPACITY", "abc", "ITEMS", "a"),
    ("BF.INSERT", "k", "CAPACITY", "0", "ITEMS", "a"),
    ("BF.INSERT", "k", "CAPACITY", "-1", "ITEMS", "a"),
    ("BF.INSERT", "k", "ERROR", "abc", "ITEMS", "a"),
    ("BF.INSERT", "k", "ERROR", "0", "ITEMS", "a"),
    ("BF.INSERT", "k", "ERROR", "1", "ITEMS", "a"),
    ("BF.INSERT", "k", "ERROR", "inf", "ITEMS", "a"),
    ("BF.INSERT", "k", "ERROR", "nan", "ITEMS", "a"),
    ("BF.INSERT", "k", "ERROR"),
    ("BF.INSERT", "k", "EXPANSION", "abc", "ITEMS", "a"),
    ("BF.INSERT", "k", "EXPANSION", "0", "ITEMS", "a"),
    ("BF.INSERT", "k", "EXPANSION", "-3", "ITEMS", "a"),
    ("BF.INSERT", "k", "FOO", "ITEMS", "a"),
    ("BF.INSERT", "k", "xyz", "1", "ITEMS", "a"),
    ("BF.INSERT", "k", "NOCREATE", "ITEMS", "a"),
    ("BF.INSERT", "k", "ITEMS", "a", "b", "a"),
    ("BF.INSERT", "k", "NONSCALING", "EXPANSION", "3", "ITEMS", "a"),
    ("BF.INSERT", "k", "NOCREATE", "CAPACITY", "10", "ITEMS", "a", "c"),
    ("BF.INSERT", "s", "ITEMS", "a"),
    ("BF.INSERT", "s", "NOCREATE", "ITEMS", "a"),
    ("BF.INSERT", "k2", "e", "0.1", "c", "50", "nonscaling", "items", "a", "b"),
    ("BF.INSERT", "k3", "ERR", "0.1", "CAPAC", "50", "NX", "items", "a", "b"),
    ("BF.INFO", "k3"),
    ("BF.INSERT", "k4", "EXPANSION", "5", "ITEMS", "a"),
    ("BF.INFO", "k4"),
    ("BF.INSERT", "k5", "ITEMS", "a", "ERROR", "0.5"),
    ("BF.INSERT", "k6", "ERROR", "0.01", "ERROR", "0.5", "CAPACITY", "10", "ITEMS", "a"),
    ("BF.DEBUG", "k6"),
    ("BF.INSERT", "k7", "I", "a"),
    ("BF.INSERT", "k8", "ERROR", "1e-320", "ITEMS", "a"),
    ("BF.DEBUG", "k8"),
    ("BF.INSERT", "k9", "EXPANSION", "4294967297", "ITEMS", "a"),
    ("BF.INFO", "k9"),
    ("BF.INSERT", "k10", "NOCREATE", "NONSCALING", "ITEMS", "a"),
    ("BF.INSERT", "", "ITEMS", ""),
    ("BF.EXISTS", "", ""),
]


def test_bf_errors_and_replies(dd):
    run(dd, BF_ERRORS)


def test_bf_insert_options(dd):
    run(dd, BF_INSERT)


def test_bf_basic_replies(dd):
    run(dd, [
        ("BF.ADD", "k", "a"), ("BF.ADD", "k", "a"), ("BF.ADD", "k", ""),
        ("BF.MADD", "k", "a", "b", "a", "c"), ("BF.EXISTS", "k", "a"), ("BF.EXISTS", "k", "zz"),
        ("BF.MEXISTS", "k", "a", "zz", "b", ""), ("BF.CARD", "k"), ("BF.INFO", "k"),
        ("BF.INFO", "k", "capacity"), ("BF.INFO", "k", "SIZE"), ("BF.INFO", "k", "Filters"),
        ("BF.INFO", "k", "items"), ("BF.INFO", "k", "expansion"), ("BF.INFO", "k", "foo"),
        ("BF.INFO", "k", "capacityx"), ("BF.DEBUG", "k"), ("BF.SCANDUMP", "k", "0"),
        ("BF.SCANDUMP", "k", "1"), ("BF.SCANDUMP", "k", "100"), ("BF.SCANDUMP", "k", "144"),
        ("BF.SCANDUMP", "k", "145"), ("BF.SCANDUMP", "k", "-1"), ("BF.SCANDUMP", "k", "99999"),
        ("BF.RESERVE", "ns", "0.5", "2", "NONSCALING"), ("BF.MADD", "ns", "a", "b", "c", "d", "e"),
        ("BF.ADD", "ns", "h"), ("BF.INSERT", "ns", "ITEMS", "x", "y"), ("BF.INFO", "ns"),
        ("BF.INFO", "ns", "expansion"), ("BF.DEBUG", "ns"), ("BF.CARD", "ns"),
        ("TYPE", "k"), ("OBJECT", "ENCODING", "k"), ("MEMORY", "USAGE", "k"), ("MEMORY", "USAGE", "ns"),
        ("EXISTS", "k"), ("DEL", "k"), ("BF.EXISTS", "k", "a"),
    ])


def test_bf_scaling(dd):
    """Links added as RedisBloom adds them: capacity times EXPANSION, error halved."""
    cmds = []
    for i, (err, cap, exp) in enumerate([("0.1", "3", None), ("0.01", "10", "1"), ("0.05", "7", "3"),
                                         ("0.2", "2", "5"), ("0.001", "20", "2")]):
        key = f"g{i}"
        cmds.append(("BF.RESERVE", key, err, cap) + (("EXPANSION", exp) if exp else ()))
        cmds.append(("BF.MADD", key, *[f"i{j}" for j in range(60)]))
        cmds += [("BF.INFO", key), ("BF.DEBUG", key), ("BF.CARD", key), ("BF.MEXISTS", key, "i1", "i59", "x"),
                 ("MEMORY", "USAGE", key)]
    run(dd, cmds)


def test_bf_zero_growth_link(dd):
    """EXPANSION 2**32 is a uint32 growth of 0: the second link cannot be built; RedisBloom
    keeps an empty link that then claims every item."""
    run(dd, [
        ("BF.RESERVE", "z", "0.01", "2", "EXPANSION", "4294967296"),
        ("BF.MADD", "z", "a", "b", "c", "d", "e"),
        ("BF.ADD", "z", "f"), ("BF.INFO", "z"), ("BF.DEBUG", "z"), ("BF.CARD", "z"),
        ("BF.SCANDUMP", "z", "0"), ("BF.EXISTS", "z", "anything"),
        ("BF.INSERT", "z2", "CAPACITY", "2", "EXPANSION", "4294967296", "ITEMS", "a", "b", "c", "d"),
        ("BF.INSERT", "z3", "CAPACITY", "2", "EXPANSION", "4294967296", "NONSCALING", "ITEMS", "a", "b", "c", "d"),
    ])


def _chunks(client, cmd: str, key: str) -> list:
    """Every (iterator, data) pair of a SCANDUMP walk."""
    out = []
    it = 0
    while True:
        r = parse_reply(client.call(cmd, key, str(it)))
        out.append(r)
        if r[0] == 0:
            return out
        it = r[0]


def test_bf_random_bits_identical(d):
    rnd = random.Random(5)
    items = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 40))) for _ in range(300)]
    for key, args in (("a", ()), ("b", ("0.001", "50")), ("c", ("0.2", "10", "EXPANSION", "3")),
                      ("e", ("0.05", "500", "NONSCALING"))):
        if args:
            d.check("BF.RESERVE", key, *args)
        for i in range(0, len(items), 7):
            d.check("BF.MADD", key, *items[i:i + 7])
        for it in items[:50]:
            d.check("BF.EXISTS", key, it)
        d.check("BF.MEXISTS", key, *[bytes([x]) * 3 for x in range(60)])
        assert _chunks(d.mine, "BF.SCANDUMP", key) == _chunks(d.theirs, "BF.SCANDUMP", key)
        d.check("BF.INFO", key)


def test_bf_32bit_hash_filters(d):
    """A header without FORCE64 (as old RedisBloom wrote) makes a 32-bit MurmurHash2 filter."""
    d.check("BF.RESERVE", "src", "0.01", "100")
    hdr = parse_reply(d.theirs.call("BF.SCANDUMP", "src", "0"))[1]
    for opts in (1, 0):  # NOROUND only, then power-of-two rounding
        b = bytearray(hdr)
        b[12:16] = struct.pack("<I", opts)
        if opts == 0:
            # a power-of-two filter of 2**11 bits: bytes, bits, n2
            b[20:28] = struct.pack("<Q", 256)
            b[28:36] = struct.pack("<Q", 2048)
            b[72] = 11
        key = f"h{opts}"
        d.check("BF.LOADCHUNK", key, "1", bytes(b))
        d.check("BF.MADD", key, *[f"item{j}" for j in range(80)])
        d.check("BF.MEXISTS", key, *[f"item{j}" for j in range(0, 160, 3)])
        d.check("BF.DEBUG", key)
        assert _chunks(d.mine, "BF.SCANDUMP", key) == _chunks(d.theirs, "BF.SCANDUMP", key)


def _loadchunks(client, key: str, chunks: list, cmd: str) -> None:
    pos = 1
    for it, data in chunks:
        if it == 0:
            break
        assert client.call(cmd, key, str(it if pos > 1 else 1), data) == b"+OK\r\n"
        pos = it


def test_bf_scandump_loadchunk_cross(d):
    d.check("BF.RESERVE", "src", "0.01", "20", "EXPANSION", "3")
    d.check("BF.MADD", "src", *[f"x{i}" for i in range(200)])
    mine = _chunks(d.mine, "BF.SCANDUMP", "src")
    theirs = _chunks(d.theirs, "BF.SCANDUMP", "src")
    assert mine == theirs
    # ours into theirs and theirs into ours
    for client, chunks in ((d.theirs, mine), (d.mine, theirs)):
        client.call("BF.LOADCHUNK", "dst", "1", chunks[0][1])
        for it, data in chunks[1:-1]:
            assert client.call("BF.LOADCHUNK", "dst", str(it), data) == b"+OK\r\n"
    for cmd in (("BF.INFO", "dst"), ("BF.DEBUG", "dst"), ("BF.MEXISTS", "dst", "x1", "x199", "nope"),
                ("BF.CARD", "dst")):
        d.check(*cmd)
    assert _chunks(d.mine, "BF.SCANDUMP", "dst") == _chunks(d.theirs, "BF.SCANDUMP", "dst")


def test_bf_loadchunk_errors(dd):
    d = dd
    d.check("BF.MADD", "g", "a", "b")
    hdr = parse_reply(d.theirs.call("BF.SCANDUMP", "g", "0"))[1]
    chunk = parse_reply(d.theirs.call("BF.SCANDUMP", "g", "1"))[1]
    assert len(hdr) == 73 and len(chunk) == 144

    def patched(off, raw):
        b = bytearray(hdr)
        b[off:off + len(raw)] = raw
        return bytes(b)

    run(d, [
        ("BF.LOADCHUNK", "n1", "1", hdr), ("BF.LOADCHUNK", "n1", "1", hdr), ("BF.LOADCHUNK", "n1", "145", chunk),
        ("BF.EXISTS", "n1", "a"), ("BF.LOADCHUNK", "n1", "146", chunk), ("BF.LOADCHUNK", "n1", "144", chunk),
        ("BF.LOADCHUNK", "n1", "145", chunk + b"x"), ("BF.LOADCHUNK", "n1", "0", chunk),
        ("BF.LOADCHUNK", "n1", "-5", chunk), ("BF.LOADCHUNK", "n1", "abc", chunk), ("BF.LOADCHUNK", "n1", "10", b""),
        ("BF.LOADCHUNK", "n1", "300", b"abc"), ("BF.LOADCHUNK", "n1", "50", b"abc"),
        ("BF.LOADCHUNK", "n2", "145", chunk), ("BF.LOADCHUNK", "n2", "1", b"short"),
        ("BF.LOADCHUNK", "n2", "1", hdr[:-1]), ("BF.LOADCHUNK", "n2", "1", hdr + b"x"),
        ("BF.LOADCHUNK", "n2", "2", hdr),
        ("BF.LOADCHUNK", "n2", "1", b"\x00" * 73), ("BF.LOADCHUNK", "n2", "1", patched(8, b"\x00\x00\x00\x00")),
        ("BF.LOADCHUNK", "n2", "1", patched(12, b"\x10\x00\x00\x00")),
        ("BF.LOADCHUNK", "n2", "1", patched(0, b"\x09")), ("BF.LOADCHUNK", "n2", "1", patched(60, b"\x09")),
        ("BF.LOADCHUNK", "n2", "1", patched(20, b"\x91")), ("BF.LOADCHUNK", "n2", "1", patched(28, b"\x81")),
        ("BF.LOADCHUNK", "n2", "1", patched(44, struct.pack("<d", 1.5))),
        ("BF.LOADCHUNK", "n2", "1", patched(72, b"\x40")),
        ("BF.LOADCHUNK", "n3", "1", patched(12, b"\x04")), ("BF.DEBUG", "n3"),
        ("BF.LOADCHUNK", "n4", "1", patched(12, b"\x0d")), ("BF.INFO", "n4"),
        ("BF.LOADCHUNK", "n1", "1", b"\x00" * 73), ("BF.LOADCHUNK", "g", "1", hdr),
        ("BF.SCANDUMP", "n1", "1"), ("BF.SCANDUMP", "n1", "100"), ("BF.SCANDUMP", "n1", "145"),
    ])


# --- cuckoo -------------------------------------------------------------------------------------

CF_ERRORS = [
    ("SET", "s", "x"),
    ("CF.RESERVE", "r1", "100"), ("CF.RESERVE", "r1", "100"), ("CF.RESERVE", "s", "100"),
    ("CF.RESERVE", "r2", "abc"), ("CF.RESERVE", "r2", "-1"), ("CF.RESERVE", "r2", "0"), ("CF.RESERVE", "r2", "3"),
    ("CF.RESERVE", "r2", "4"), ("CF.RESERVE", "r2b", "99999999999999999999"),
    ("CF.RESERVE", "r3", "100", "BUCKETSIZE"), ("CF.RESERVE", "r3", "100", "BUCKETSIZE", "0"),
    ("CF.RESERVE", "r3", "100", "BUCKETSIZE", "abc"), ("CF.RESERVE", "r3", "100", "BUCKETSIZE", "256"),
    ("CF.RESERVE", "r4", "100", "BUCKETSIZE", "255"), ("CF.RESERVE", "r5", "100", "MAXITERATIONS", "0"),
    ("CF.RESERVE", "r5", "100", "MAXITERATIONS", "abc"), ("CF.RESERVE", "r5", "100", "MAXITERATIONS", "65536"),
    ("CF.RESERVE", "r5", "100", "MAXITERATIONS", "65535"), ("CF.RESERVE", "r6", "100", "EXPANSION", "-1"),
    ("CF.RESERVE", "r6", "100", "EXPANSION", "abc"), ("CF.RESERVE", "r6", "100", "EXPANSION", "32769"),
    ("CF.RESERVE", "r6", "100", "EXPANSION", "32768"), ("CF.INFO", "r6"),
    ("CF.RESERVE", "r7", "100", "EXPANSION", "3"), ("CF.INFO", "r7"),
    ("CF.RESERVE", "r8", "100", "FOO", "3"), ("CF.RESERVE", "r8", "100", "FOO"),
    ("CF.RESERVE", "r9", "100", "BUCKETSIZE", "3", "BUCKETSIZE", "4"), ("CF.INFO", "r9"),
    ("CF.RESERVE", "r10", "1000", "bucketsize", "60"), ("CF.DEBUG", "r10"),
    ("CF.RESERVE", "r11"), ("CF.RESERVE", "r11", "5", "6"), ("CF.RESERVE", "bucketsize", "100"),
    ("CF.RESERVE", "r12", "200", "BUCKETSIZE", "100"), ("CF.RESERVE", "r13", "199", "BUCKETSIZE", "100"),
    ("CF.RESERVE", "r14", "100", "BUCKETSIZE", "0", "MAXITERATIONS", "0", "EXPANSION", "-1"),
    ("CF.RESERVE", "r14", "100", "EXPANSION", "-1", "BUCKETSIZE", "0"),
    ("CF.RESERVE", "r14", "100", "EXPANSION", "abc", "BUCKETSIZE", "0"),
    ("CF.RESERVE", "r14", "abc", "EXPANSION", "-1", "BUCKETSIZE", "0"),
    ("CF.RESERVE", "r14", "1", "MAXITERATIONS", "1", "BUCKETSIZE", "1"),
    ("CF.RESERVE", "r15", "4", "BUCKETSIZE", "1", "EXPANSION", "0"), ("CF.INFO", "r15"),
    ("CF.INSERT", "k"), ("CF.INSERT", "k", "ITEMS"), ("CF.INSERT", "k", "a", "b"), ("CF.INSERT", "k", "CAPACITY"),
    ("CF.INSERT", "k", "CAPACITY", "10"), ("CF.INSERT", "k", "CAPACITY", "abc", "ITEMS", "a"),
    ("CF.INSERT", "k", "CAPACITY", "3", "ITEMS", "a"), ("CF.INSERT", "k", "CAPACITY", "-3", "ITEMS", "a"),
    ("CF.INSERT", "k", "CAPACITY", "4", "ITEMS", "a"), ("CF.INFO", "k"), ("CF.INSERT", "k2", "FOO", "ITEMS", "a"),
    ("CF.INSERT", "k2", "NOCREATE", "ITEMS", "a"), ("CF.INSERT", "k2", "NX", "ITEMS", "a"),
    ("CF.INSERT", "k2", "CAPACITY", "100", "NOCREATE", "ITEMS", "a"),
    ("CF.INSERT", "k3", "c", "100", "i", "a", "b"), ("CF.INFO", "k3"),
    ("CF.INSERTNX", "k4", "CAPACITY", "3", "ITEMS", "a"), ("CF.INSERT", "k4", "x", "ITEMS", "a"),
    ("CF.INSERT", "k5", "ITEMS", "a", "CAPACITY", "5"), ("CF.INSERT", "k6", "CAPACITY", "2000", "ITEMS", "a"),
    ("CF.INFO", "k6"), ("CF.INSERT", "k8", "CAPACITY", "99999999999999999999", "ITEMS", "a"),
    ("CF.INSERT", "s", "ITEMS", "a"), ("CF.INSERTNX", "s", "ITEMS", "a"),
    ("CF.ADD",), ("CF.ADD", "k"), ("CF.ADD", "k", "a", "b"), ("CF.ADDNX", "k"), ("CF.EXISTS", "k"),
    ("CF.EXISTS", "k", "a", "b"), ("CF.MEXISTS", "k"), ("CF.COUNT", "k"), ("CF.COUNT", "k", "a", "b"),
    ("CF.DEL", "k"), ("CF.DEL", "k", "a", "b"), ("CF.COMPACT",), ("CF.COMPACT", "k", "a"), ("CF.SCANDUMP", "k"),
    ("CF.DEBUG",), ("CF.INFO",), ("CF.INFO", "k", "x"), ("CF.LOADCHUNK", "k", "1"),
    ("CF.ADD", "s", "x"), ("CF.ADDNX", "s", "x"), ("CF.EXISTS", "s", "x"), ("CF.MEXISTS", "s", "x"),
    ("CF.COUNT", "s", "x"), ("CF.DEL", "s", "x"), ("CF.COMPACT", "s"), ("CF.INFO", "s"), ("CF.DEBUG", "s"),
    ("CF.SCANDUMP", "s", "0"), ("CF.LOADCHUNK", "s", "1", "x"), ("CF.LOADCHUNK", "s", "5", "x"),
    ("CF.EXISTS", "nokey", "a"), ("CF.MEXISTS", "nokey", "a", "b"), ("CF.COUNT", "nokey", "a"),
    ("CF.DEL", "nokey", "a"), ("CF.COMPACT", "nokey"), ("CF.INFO", "nokey"), ("CF.DEBUG", "nokey"),
    ("CF.SCANDUMP", "nokey", "0"), ("CF.SCANDUMP", "nokey", "abc"), ("CF.SCANDUMP", "k", "-1"),
    ("CF.SCANDUMP", "k", "abc"),
    ("BF.ADD", "k", "x"), ("BF.EXISTS", "k", "x"), ("CF.ADD", "r1", "x"), ("CF.EXISTS", "g", "x"),
]


def test_cf_errors_and_replies(dd):
    run(dd, CF_ERRORS)


def test_cf_basic_replies(dd):
    run(dd, [
        ("CF.ADD", "c", "a"), ("CF.ADD", "c", "a"), ("CF.ADDNX", "c", "a"), ("CF.ADDNX", "c", "b"),
        ("CF.INSERT", "c", "ITEMS", "a", "b", "x"), ("CF.INSERTNX", "c", "ITEMS", "a", "b", "y"),
        ("CF.EXISTS", "c", "a"), ("CF.EXISTS", "c", "q"), ("CF.MEXISTS", "c", "a", "q", ""),
        ("CF.COUNT", "c", "a"), ("CF.COUNT", "c", "q"), ("CF.DEL", "c", "a"), ("CF.DEL", "c", "q"),
        ("CF.COUNT", "c", "a"), ("CF.COMPACT", "c"), ("CF.DEBUG", "c"), ("CF.INFO", "c"),
        ("CF.SCANDUMP", "c", "0"), ("CF.SCANDUMP", "c", "1"), ("CF.SCANDUMP", "c", "2"),
        ("CF.SCANDUMP", "c", "1025"), ("CF.RESERVE", "e", "100"), ("CF.SCANDUMP", "e", "0"),
        ("CF.SCANDUMP", "e", "1"), ("TYPE", "c"), ("OBJECT", "ENCODING", "c"), ("MEMORY", "USAGE", "c"),
        ("CF.ADDNX", "n", "z"), ("CF.INSERTNX", "n2", "ITEMS", "z", "z"), ("CF.DEBUG", "n2"),
    ])


def test_cf_full_filters(dd):
    """EXPANSION 0 filters fill up: CF.ADD errors, the array forms answer -1 (false under
    RESP3 for CF.INSERT)."""
    run(dd, [
        ("CF.RESERVE", "f", "4", "BUCKETSIZE", "1", "EXPANSION", "0"),
        ("CF.INSERT", "f", "ITEMS", *"abcdefghij"), ("CF.INSERTNX", "f", "ITEMS", *"abcdefghijklm"),
        ("CF.ADD", "f", "zz"), ("CF.ADDNX", "f", "zz2"), ("CF.ADDNX", "f", "a"), ("CF.INFO", "f"),
        ("CF.SCANDUMP", "f", "1"),
    ])


def test_cf_max_expansions(dd):
    """32 sub-filters is the limit, checked before the items are tried."""
    cmds = [("CF.RESERVE", "m", "2", "BUCKETSIZE", "1", "MAXITERATIONS", "1")]
    cmds += [("CF.INSERT", "m", "ITEMS", *[f"v{i}-{j}" for j in range(4)]) for i in range(12)]
    cmds += [("CF.INFO", "m"), ("CF.ADD", "m", "last"), ("CF.INSERT", "m", "ITEMS", "a"), ("CF.COUNT", "m", "v1-1"),
             ("CF.MEXISTS", "m", "v1-1", "v11-3", "no")]
    run(dd, cmds)


def test_cf_random_bytes_identical(d):
    """Adds, NX adds, deletes (with their automatic compaction), counts and COMPACT over
    growing filters: same replies and the same fingerprint tables."""
    rnd = random.Random(11)
    pool = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 24))) for _ in range(400)]
    configs = [("c1", ("64", "BUCKETSIZE", "2", "EXPANSION", "2", "MAXITERATIONS", "5")),
               ("c2", ("32", "BUCKETSIZE", "4", "EXPANSION", "1")),
               ("c3", ("16", "BUCKETSIZE", "1", "EXPANSION", "4", "MAXITERATIONS", "50")),
               ("c4", ("100", "BUCKETSIZE", "3", "EXPANSION", "3"))]
    for key, args in configs:
        d.check("CF.RESERVE", key, *args)
        for _ in range(350):
            op = rnd.random()
            x = pool[rnd.randrange(len(pool))]
            if op < 0.5:
                d.check("CF.ADD", key, x)
            elif op < 0.65:
                d.check("CF.ADDNX", key, x)
            elif op < 0.7:
                d.check("CF.INSERT", key, "ITEMS", *rnd.sample(pool, 5))
            elif op < 0.85:
                d.check("CF.DEL", key, x)
            elif op < 0.95:
                d.check("CF.COUNT", key, x)
            elif op < 0.98:
                d.check("CF.EXISTS", key, x)
            else:
                d.check("CF.COMPACT", key)
        d.check("CF.INFO", key)
        assert _chunks(d.mine, "CF.SCANDUMP", key) == _chunks(d.theirs, "CF.SCANDUMP", key)
        d.check("CF.COMPACT", key)
        d.check("CF.DEBUG", key)
        assert _chunks(d.mine, "CF.SCANDUMP", key) == _chunks(d.theirs, "CF.SCANDUMP", key)


def test_cf_scandump_loadchunk_cross(d):
    d.check("CF.RESERVE", "g", "8", "EXPANSION", "2", "BUCKETSIZE", "2")
    for i in range(30):
        d.check("CF.ADD", "g", f"i{i}")
    mine = _chunks(d.mine, "CF.SCANDUMP", "g")
    theirs = _chunks(d.theirs, "CF.SCANDUMP", "g")
    assert mine == theirs and len(mine) == 5
    for client, chunks in ((d.theirs, mine), (d.mine, theirs)):
        assert client.call("CF.LOADCHUNK", "n1", "1", chunks[0][1]) == b"+OK\r\n"
        for it, data in chunks[1:-1]:
            assert client.call("CF.LOADCHUNK", "n1", str(it), data) == b"+OK\r\n"
    for cmd in (("CF.INFO", "n1"), ("CF.COUNT", "n1", "i1"), ("CF.MEXISTS", "n1", "i0", "i29", "zz")):
        d.check(*cmd)
    hdr = mine[0][1]
    run(d, [
        ("CF.SCANDUMP", "g", "2"), ("CF.SCANDUMP", "g", "17"), ("CF.SCANDUMP", "g", "100"),
        ("CF.LOADCHUNK", "n1", "1", hdr), ("CF.LOADCHUNK", "n2", "1", hdr[:-1]), ("CF.LOADCHUNK", "n2", "0", hdr),
        ("CF.LOADCHUNK", "n2", "abc", hdr), ("CF.LOADCHUNK", "n2", "-1", hdr), ("CF.LOADCHUNK", "n2", "5", hdr),
        ("CF.LOADCHUNK", "n1", "5", b""), ("CF.LOADCHUNK", "n1", "5", b"abcdefgh"),
        ("CF.LOADCHUNK", "n1", "1000", b"abcdefgh"), ("CF.LOADCHUNK", "n1", "-7", b"abcdefgh"),
        ("CF.LOADCHUNK", "n1", "3", b"abcdefgh"), ("CF.LOADCHUNK", "n1", "9", b"abcdefgh"),
        ("CF.LOADCHUNK", "n1", "10", b"abcdefgh"), ("CF.LOADCHUNK", "n1", "8", b"1234"),
        ("CF.LOADCHUNK", "n1", "4", b"1234"), ("CF.LOADCHUNK", "n1", "20", b"1234"), ("CF.COUNT", "n1", "i1"),
    ])


def test_cf_loadchunk_header_checks(dd):
    def hdr(items=0, nb=4, dels=0, nf=1, bs=2, mi=20, ex=1):
        return struct.pack("<QQQQHHH", items, nb, dels, nf, bs, mi, ex)

    run(dd, [
        ("CF.LOADCHUNK", "a1", "1", hdr()), ("CF.INFO", "a1"), ("CF.LOADCHUNK", "a2", "1", hdr(mi=0)),
        ("CF.LOADCHUNK", "a3", "1", hdr(ex=0, nf=2)), ("CF.INFO", "a3"), ("CF.LOADCHUNK", "a4", "1", hdr(nf=33)),
        ("CF.ADD", "a4", "x"), ("CF.LOADCHUNK", "a5", "1", hdr(bs=256)), ("CF.LOADCHUNK", "a5b", "1", hdr(bs=255)),
        ("CF.LOADCHUNK", "a6", "1", hdr(nb=0)), ("CF.LOADCHUNK", "a6b", "1", hdr(nb=3)),
        ("CF.LOADCHUNK", "a7", "1", hdr(ex=3, nf=3)), ("CF.INFO", "a7"), ("CF.LOADCHUNK", "a8", "1", hdr(nf=0)),
        ("CF.LOADCHUNK", "a9", "1", hdr(dels=5, items=2)), ("CF.DEBUG", "a9"), ("CF.SCANDUMP", "a9", "0"),
        ("CF.LOADCHUNK", "a10", "1", hdr(items=255)), ("CF.SCANDUMP", "a10", "1"),
        ("CF.LOADCHUNK", "a11", "1", b"\x00" * 38),
    ])


# --- persistence and generic behaviour ------------------------------------------------------------

def _config_both(d, srv, name: str, value: str) -> str:
    import asyncio

    old = parse_reply(d.theirs.call("CONFIG", "GET", name))[1].decode()

    async def set_it():
        srv.core.config.set_many([(name, value)])

    asyncio.run_coroutine_threadsafe(set_it(), srv.core.loop).result(5)
    assert d.theirs.call("CONFIG", "SET", name, value) == b"+OK\r\n"
    return old


def _build_filters(d) -> list[str]:
    d.check("BF.MADD", "b1", *[f"e{i}" for i in range(150)])
    d.check("BF.RESERVE", "b2", "0.001", "10", "NONSCALING")
    d.check("BF.MADD", "b2", "x", "y")
    d.check("CF.RESERVE", "c1", "16", "BUCKETSIZE", "3", "EXPANSION", "2")
    for i in range(40):
        d.check("CF.ADD", "c1", f"f{i}")
    d.check("CF.DEL", "c1", "f3")
    d.check("CF.ADD", "c2", "one")
    return ["b1", "b2", "c1", "c2"]


def test_dump_payloads_identical(srv, d):
    old = _config_both(d, srv, "rdbcompression", "no")
    try:
        for key in _build_filters(d):
            d.check("DUMP", key)
    finally:
        _config_both(d, srv, "rdbcompression", old)


def test_cross_restore(d):
    keys = _build_filters(d)
    for key in keys:
        for client in (d.mine, d.theirs):
            payload = parse_reply(client.call("DUMP", key))
            d.check("RESTORE", f"{key}-copy", "0", payload, "REPLACE")
            d.check("BF.DEBUG" if key[0] == "b" else "CF.DEBUG", f"{key}-copy")
            cmd = "BF.SCANDUMP" if key[0] == "b" else "CF.SCANDUMP"
            assert _chunks(d.mine, cmd, f"{key}-copy") == _chunks(d.theirs, cmd, key)
    d.check("BF.MEXISTS", "b1-copy", "e0", "e149", "zz")
    d.check("CF.COUNT", "c1-copy", "f3")


def test_restore_of_old_or_unknown_encodings_refused(d):
    keys = _build_filters(d)
    payload = bytearray(parse_reply(d.theirs.call("DUMP", keys[0])))
    # encver 5 (one above RedisBloom 2.8's) in the module type id: the value cannot load
    tid = struct.unpack(">Q", bytes(payload[2:10]))[0]
    payload[2:10] = struct.pack(">Q", (tid & ~1023) | 5)
    import moredis.persistence.crc64 as crc
    body = bytes(payload[:-8])
    fixed = body + crc.crc64(0, body).to_bytes(8, "little")
    mine, theirs = d.both("RESTORE", "bad", "0", fixed)
    assert mine.startswith(b"-") and theirs.startswith(b"-")


def test_generic_behaviour(dd):
    d = dd
    _build_filters(d)
    run(d, [
        ("TYPE", "b1"), ("TYPE", "c1"), ("OBJECT", "ENCODING", "b1"), ("OBJECT", "ENCODING", "c1"),
        ("MEMORY", "USAGE", "b1"), ("MEMORY", "USAGE", "b2"), ("MEMORY", "USAGE", "c1"), ("MEMORY", "USAGE", "c2"),
        ("DEBUG", "DIGEST-VALUE", "b1", "c1", "b2"), ("COPY", "b1", "b1c"), ("COPY", "c1", "c1c"),
        ("EXISTS", "b1c", "c1c"), ("RENAME", "b1", "b1r"), ("BF.CARD", "b1r"), ("EXPIRE", "c1", "100"),
        ("TTL", "c1"), ("CF.ADD", "c1", "new"), ("TTL", "c1"), ("DEL", "b1r", "c1"), ("BF.CARD", "b1r"),
    ])


def test_debug_reload_keeps_filters(d):
    keys = _build_filters(d)
    before = {k: (_chunks(d.mine, "BF.SCANDUMP" if k[0] == "b" else "CF.SCANDUMP", k)) for k in keys}
    assert d.mine.call("DEBUG", "RELOAD") == b"+OK\r\n"
    for k in keys:
        cmd = "BF.SCANDUMP" if k[0] == "b" else "CF.SCANDUMP"
        assert _chunks(d.mine, cmd, k) == before[k] == _chunks(d.theirs, cmd, k)
    d.check("BF.INFO", "b1")
    d.check("CF.INFO", "c1")


@pytest.mark.parametrize("name", ["bf.reserve", "bf.add", "bf.madd", "bf.insert", "bf.exists", "bf.mexists",
                                  "bf.card", "bf.info", "bf.debug", "bf.scandump", "bf.loadchunk", "cf.reserve",
                                  "cf.add", "cf.addnx", "cf.insert", "cf.insertnx", "cf.exists", "cf.mexists",
                                  "cf.del", "cf.count", "cf.compact", "cf.info", "cf.debug", "cf.scandump",
                                  "cf.loadchunk"])
def test_command_info(d, name):
    d.check("COMMAND", "INFO", name)
    d.check("COMMAND", "GETKEYS", name, "key", "a", "b")


def test_no_keyspace_events(d):
    """RedisBloom 2.8.2 raises no keyspace notifications for its commands."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    from respclient import RawClient

    got = {}
    for name, client in (("mine", d.mine), ("theirs", d.theirs)):
        port = client.sock.getpeername()[1]
        client.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
        sub = RawClient(port=port)
        sub.call("PSUBSCRIBE", "__key*")
        sub.sock.settimeout(0.3)
        try:
            for c in (("BF.RESERVE", "b", "0.01", "10"), ("BF.ADD", "b", "x"), ("BF.MADD", "b", "y"),
                      ("BF.INSERT", "b2", "ITEMS", "a"), ("CF.RESERVE", "c", "10"), ("CF.ADD", "c", "x"),
                      ("CF.ADDNX", "c", "y"), ("CF.INSERT", "c", "ITEMS", "z"), ("CF.DEL", "c", "x"),
                      ("CF.COMPACT", "c"), ("SET", "marker", "1")):
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
