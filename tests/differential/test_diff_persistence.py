"""Differential: DUMP and RESTORE against Redis 7.4 (RESP2 and RESP3).

- Payloads: with rdbcompression off, DUMP answers byte for byte as Redis for every
  deterministic encoding (everything but hashtable-encoded sets and hashes, whose order
  Redis does not define); with compression on, payloads are equivalent (LZF output may
  differ, both are valid).
- Cross restores: each server's payload of every key of tests/persistence/rdb_dataset.py
  is RESTOREd into both servers, which must then hold the same value (type, encoding,
  digest, contents, TTLs of keys and hash fields, stream metadata and PELs).
- RESTORE's options and errors, in Redis's order of checks; bad payloads (flipped bits,
  wrong version, truncated, valid checksum around garbage) refused the same way.
- SAVE/BGSAVE argument errors (the saves themselves are in tests/persistence, on
  servers with their own directory)."""

from __future__ import annotations

import contextlib
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "persistence"))
from rdb_dataset import FAR_MS, commands, group_reads
from respclient import parse_reply

from moredis.persistence.crc64 import crc64


def _both_config(d, srv, name, value):
    import asyncio

    async def set_it():
        srv.core.config.set_many([(name, value)])

    asyncio.run_coroutine_threadsafe(set_it(), srv.core.loop).result(5)
    assert d.theirs.call("CONFIG", "SET", name, value) == b"+OK\r\n"


@contextlib.contextmanager
def configured(d, srv, **kv):
    names = {k.replace("_", "-"): str(v) for k, v in kv.items()}
    old = {n: parse_reply(d.theirs.call("CONFIG", "GET", n))[1].decode() for n in names}
    try:
        for n, v in names.items():
            _both_config(d, srv, n, v)
        yield
    finally:
        for n, v in old.items():
            _both_config(d, srv, n, v)


def _payload(body: bytes, version: int = 12) -> bytes:
    p = body + bytes([version & 0xFF, version >> 8])
    return p + crc64(0, p).to_bytes(8, "little")


def _build(d):
    d.check("FLUSHALL")
    for c in commands():
        d.check(*c)


def _keys(d) -> list[bytes]:
    return sorted(parse_reply(d.mine.call("KEYS", "*")))


UNORDERED = {b"hashtable"}
# A listpack-ex hash whose last field TTL went away (HPERSIST) keeps, in Redis, its old
# registration time in the global field-expiry index, and DUMP writes it as the
# (informational, ignored on load) minimum TTL; moredis forgets it and writes 0.
STALE_MIN_TTL = {b"hash:lpex-persisted"}
TIMED = {b"stream:groups"}  # a consumer's seen time is 'now' on each server


def _compare_value(d, key: bytes) -> None:
    """Everything a client can see of `key` is the same on both servers."""
    t = d.check("TYPE", key)
    enc = parse_reply(d.check("OBJECT", "ENCODING", key))
    d.check("DEBUG", "DIGEST-VALUE", key)
    d.check("PTTL", key)
    if t == b"+string\r\n":
        d.check("GET", key)
    elif t == b"+list\r\n":
        d.check("LRANGE", key, "0", "-1")
    elif t == b"+set\r\n":
        d.check("SCARD", key)
        if enc in UNORDERED:
            d.check_sorted("SMEMBERS", key)
        else:
            d.check("SMEMBERS", key)
    elif t == b"+zset\r\n":
        d.check("ZRANGE", key, "0", "-1", "WITHSCORES")
    elif t == b"+hash\r\n":
        fields = parse_reply(d.mine.call("HKEYS", key))
        if enc in UNORDERED:
            d.check_sorted("HGETALL", key)
        else:
            d.check("HGETALL", key)
        d.check("HPEXPIRETIME", key, "FIELDS", str(len(fields)), *sorted(fields))
    elif t == b"+stream\r\n":
        d.check("XINFO", "STREAM", key, "FULL")
        d.check("XRANGE", key, "-", "+")
    if enc not in UNORDERED and not key.endswith(tuple(STALE_MIN_TTL)):
        d.check("DUMP", key)


def test_dump_is_byte_identical_without_compression(srv, d):
    _build(d)
    with configured(d, srv, rdbcompression="no"):
        for db in ("0", "1", "9"):
            d.check("SELECT", db)
            for key in _keys(d):
                enc = parse_reply(d.check("OBJECT", "ENCODING", key))
                if enc not in UNORDERED and key not in STALE_MIN_TTL and key not in TIMED:
                    d.check("DUMP", key)
        d.check("SELECT", "0")


def test_cross_restore_every_encoding(srv, d):
    """Redis's payloads load in moredis as Redis loads them, and the other way round."""
    _build(d)
    for c in group_reads():
        d.both(*c)
    with configured(d, srv, rdbcompression="no"):
        for key in _keys(d):
            theirs = parse_reply(d.theirs.call("DUMP", key))
            mine = parse_reply(d.mine.call("DUMP", key))
            assert isinstance(theirs, bytes) and isinstance(mine, bytes)
            for tag, p in ((b"from-ref:", theirs), (b"from-moredis:", mine)):
                d.check("RESTORE", tag + key, "0", p)
                _compare_value(d, tag + key)


def test_cross_restore_with_compression(srv, d):
    _build(d)
    for key in _keys(d):
        theirs = parse_reply(d.theirs.call("DUMP", key))
        mine = parse_reply(d.mine.call("DUMP", key))
        for tag, p in ((b"r:", theirs), (b"m:", mine)):
            d.check("RESTORE", tag + key, "0", p, "REPLACE")
            d.check("DEBUG", "DIGEST-VALUE", tag + key)
            d.check("OBJECT", "ENCODING", tag + key)
    d.check("DEBUG", "DIGEST")


def test_restore_follows_encoding_limits(srv, d):
    """A payload is re-encoded by the loading server's limits, as rdbLoadObject does."""
    _build(d)
    payloads = {k: parse_reply(d.theirs.call("DUMP", k)) for k in
                (b"set:lp", b"set:i16", b"zset:lp", b"hash:lp", b"hash:lpex", b"list:lp", b"set:ht",
                 b"zset:sl", b"hash:meta")}
    with configured(d, srv, set_max_listpack_entries=2, set_max_intset_entries=2, zset_max_listpack_entries=2,
                    hash_max_listpack_entries=2, list_max_listpack_size=2):
        for k, p in payloads.items():
            d.check("RESTORE", b"small:" + k, "0", p)
            _compare_value(d, b"small:" + k)
    with configured(d, srv, set_max_listpack_entries=1000, set_max_intset_entries=1000,
                    zset_max_listpack_entries=1000, zset_max_listpack_value=1000,
                    hash_max_listpack_entries=1000, hash_max_listpack_value=1000):
        for k, p in payloads.items():
            d.check("RESTORE", b"large:" + k, "0", p)
            d.check("OBJECT", "ENCODING", b"large:" + k)
            d.check("DEBUG", "DIGEST-VALUE", b"large:" + k)


def test_restore_options_and_errors(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("SET", "src", "value")
        x.check("RPUSH", "lst", "a", "b")
        p = parse_reply(x.theirs.call("DUMP", "src"))
        x.check("RESTORE", "k1", "0", p)
        x.check("GET", "k1")
        x.check("RESTORE", "k1", "0", p)  # BUSYKEY
        x.check("RESTORE", "lst", "abc", p)  # BUSYKEY comes before the TTL check
        x.check("RESTORE", "k2", "abc", p)
        x.check("RESTORE", "k2", "-1", p)
        x.check("RESTORE", "k2", "0", "garbage")
        x.check("RESTORE", "k2", "0", p, "BOGUS")
        x.check("RESTORE", "k2", "0", p, "IDLETIME")
        x.check("RESTORE", "k2", "0", p, "IDLETIME", "-1")
        x.check("RESTORE", "k2", "0", p, "IDLETIME", "x")
        x.check("RESTORE", "k2", "0", p, "FREQ", "256")
        x.check("RESTORE", "k2", "0", p, "FREQ", "-1")
        x.check("RESTORE", "k2", "0", p, "IDLETIME", "10", "FREQ", "5")
        x.check("RESTORE", "k2", "0", p, "FREQ", "5", "IDLETIME", "10")
        x.check("RESTORE", "k1", "-1", p, "REPLACE")
        x.check("RESTORE", "k1", "0", p, "REPLACE", "REPLACE", "ABSTTL")
        x.check("PTTL", "k1")
        x.check("RESTORE", "k3", str(FAR_MS), p, "ABSTTL")
        x.check("PEXPIRETIME", "k3")
        x.check("RESTORE", "k4", "1", p, "ABSTTL")  # already expired: nothing created
        x.check("EXISTS", "k4")
        x.check("RESTORE", "k1", "1", p, "ABSTTL", "REPLACE")  # expired with REPLACE: deleted
        x.check("EXISTS", "k1")
        x.check("RESTORE", "k5", "100000", p)
        ttl = [int(parse_reply(c.call("PTTL", "k5"))) for c in (x.mine, x.theirs)]
        assert all(99000 < t <= 100000 for t in ttl)
        x.check("RESTORE", "k6", "0", p, "IDLETIME", "1000")
        x.check("OBJECT", "IDLETIME", "k6")  # 7.4.1 ignores IDLETIME (dbAdd resets the clock)
        x.check("RESTORE", "k7")
        x.check("DUMP")
        x.check("DUMP", "nosuch")
        x.check("DUMP", "a", "b")


def test_restore_freq_under_lfu(srv, d):
    d.check("FLUSHALL")
    d.check("SET", "src", "v")
    p = parse_reply(d.theirs.call("DUMP", "src"))
    with configured(d, srv, maxmemory_policy="allkeys-lfu"):
        # the reference's modules read every restored key from their keyspace-event
        # handlers, an access that may raise a counter: only the saturated one is stable
        # (other values are checked in tests/persistence)
        d.check("RESTORE", "k", "0", p, "FREQ", "255")
        d.check("OBJECT", "FREQ", "k")


def test_bad_payloads(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("RPUSH", "l", *[f"e{i}" for i in range(50)])
        x.check("HSET", "h", "f", "v")
        for key in ("l", "h"):
            p = parse_reply(x.theirs.call("DUMP", key))
            x.check("RESTORE", "t", "0", p[:-1])
            x.check("RESTORE", "t", "0", p[:5])
            x.check("RESTORE", "t", "0", p[:9])
            x.check("RESTORE", "t", "0", b"")
            flipped = bytearray(p)
            flipped[3] ^= 0x10
            x.check("RESTORE", "t", "0", bytes(flipped))
            body = p[:-10]
            x.check("RESTORE", "t", "0", _payload(body, 13))  # a newer RDB version
            x.check("RESTORE", "t", "0", _payload(body, 11))  # an older one loads
            x.check("DEL", "t")
            x.check("RESTORE", "t", "0", _payload(body[:-3]))  # truncated value, valid CRC
            x.check("RESTORE", "t", "0", _payload(bytes([200]) + body[1:]))  # unknown type
            x.check("RESTORE", "t", "0", _payload(bytes([6]) + body[1:]))  # module pre-GA
            x.check("RESTORE", "t", "0", _payload(body + b"trailing"))  # extra bytes are ignored
            x.check("DEL", "t")
        x.check("RESTORE", "t", "0", _payload(b"\x12\x00"))  # empty list: bad data format
        x.check("RESTORE", "t", "0", _payload(b"\x02\x00"))  # empty set
        x.check("RESTORE", "t", "0", _payload(b"\x07\x81" + b"\xff" * 8))  # unknown module id
        x.check("RESTORE", "t", "0", _payload(b"\x00\xc3\x05\x0a\x00abc"))  # broken LZF
        x.check("RESTORE", "t", "0", _payload(b"\x00\xc4"))  # unknown string encoding
        x.check("RESTORE", "t", "0", _payload(b"\x0b\x04\x02\x00\x00\x00"))  # short intset
        x.check("RESTORE", "t", "0", _payload(b"\x03\x01\x01a\xfd"))  # NaN score
        x.check("EXISTS", "t")


def test_duplicates_refused_as_with_deep_sanitization(srv, d):
    """moredis always checks payloads deeply (a duplicate member cannot be represented);
    Redis refuses them the same way with sanitize-dump-payload yes."""
    with configured(d, srv, sanitize_dump_payload="yes"):
        d.check("RESTORE", "t", "0", _payload(b"\x02\x02\x01a\x01a"))  # duplicate set member
        d.check("RESTORE", "t", "0", _payload(b"\x04\x02\x01a\x01b\x01a\x01c"))  # duplicate field
        lp = bytes.fromhex("0d00000002008161028161 02ff".replace(" ", ""))
        d.check("RESTORE", "t", "0", _payload(b"\x14" + bytes([len(lp)]) + lp))  # listpack set
        d.check("EXISTS", "t")


def test_restore_events_and_digest(d):
    d.check("FLUSHALL")
    d.check("ZADD", "z", "1", "a", "2", "b")
    p = parse_reply(d.theirs.call("DUMP", "z"))
    d.check("RESTORE", "z2", "0", p)
    d.check("DEBUG", "DIGEST-VALUE", "z2")
    d.check("OBJECT", "ENCODING", "z2")
    d.check("DEBUG", "DIGEST")


def test_save_bgsave_argument_errors(d, d3):
    for x in (d, d3):
        x.check("SAVE", "x")
        x.check("BGSAVE", "foo")
        x.check("BGSAVE", "SCHEDULE", "x")
        x.check("MULTI")
        x.check("SAVE")  # no-multi: refused while queueing
        x.check("DISCARD")


@pytest.mark.parametrize("resp", [2, 3])
def test_dump_reply_types(srv, ref, resp):
    from respclient import RawBytesClient

    a = RawBytesClient(port=srv.port)
    b = RawBytesClient(port=ref.port)
    try:
        for c in (a, b):
            if resp == 3:
                c.call("HELLO", "3")
            c.call("FLUSHALL")
            c.call("SET", "k", "v")
        assert a.call("DUMP", "nosuch") == b.call("DUMP", "nosuch")
        assert a.call("DUMP", "k") == b.call("DUMP", "k")
    finally:
        a.close()
        b.close()


# --- legacy encodings (older RDB versions): Redis and moredis load them alike ---------------

def _rdb_str(s: bytes) -> bytes:
    from moredis.persistence.rdbio import save_string

    out = bytearray()
    save_string(out, s, False)
    return bytes(out)


def _rdb_len(n: int) -> bytes:
    from moredis.persistence.rdbio import save_len

    out = bytearray()
    save_len(out, n)
    return bytes(out)


def _legacy_payloads() -> dict[str, bytes]:
    from legacy_blobs import ziplist, zipmap

    big = b"B" * 20000
    mid = b"m" * 100
    zl_items = [b"a", mid, big, 0, 5, 12, 13, -5, 1000, 100000, 10**9, 10**15, -(10**15), b"007", b"-0"]
    p: dict[str, bytes] = {}
    p["list-ziplist"] = b"\x0a" + _rdb_str(ziplist(zl_items))
    p["list-ziplist-small"] = b"\x0a" + _rdb_str(ziplist([b"x", 1, b"y"]))
    p["quicklist-v1"] = (b"\x0e" + _rdb_len(2) + _rdb_str(ziplist([b"a", 1, b"b"]))
                         + _rdb_str(ziplist([b"c", 2, mid])))
    p["quicklist-v1-single"] = b"\x0e" + _rdb_len(1) + _rdb_str(ziplist([b"only", 7]))
    p["list-linked"] = b"\x01" + _rdb_len(3) + _rdb_str(b"one") + _rdb_str(b"2") + _rdb_str(big)
    p["hash-ziplist"] = b"\x0d" + _rdb_str(ziplist([b"f1", b"v1", b"f2", 2, 3, mid]))
    p["hash-zipmap"] = b"\x09" + _rdb_str(zipmap([(b"f", b"v"), (b"num", b"12"), (b"k2", b"v2")], free=2))
    p["hash-zipmap-long"] = b"\x09" + _rdb_str(zipmap([(b"f", b"x" * 300)]))
    # (sorted, as Redis writes them: Redis trusts the order it finds, moredis sorts)
    p["zset-ziplist"] = b"\x0c" + _rdb_str(ziplist([b"c", b"-inf", b"d", -3, b"a", 1, b"b", b"2.5"]))
    p["zset-text"] = (b"\x03" + _rdb_len(4) + _rdb_str(b"a") + b"\x031.5" + _rdb_str(b"b") + b"\xfe"
                      + _rdb_str(b"c") + b"\xff" + _rdb_str(b"d") + b"\x02-0")
    p["set-mixed"] = b"\x02" + _rdb_len(4) + b"".join(_rdb_str(x) for x in (b"3", b"1", b"abc", b"2"))
    p["set-ints"] = b"\x02" + _rdb_len(3) + b"".join(_rdb_str(x) for x in (b"30", b"-1", b"9999999999"))
    p["set-long"] = b"\x02" + _rdb_len(2) + _rdb_str(b"1") + _rdb_str(b"z" * 100)
    p["hash-plain"] = b"\x04" + _rdb_len(2) + _rdb_str(b"a") + _rdb_str(b"1") + _rdb_str(b"b") + _rdb_str(mid)
    p["hash-plain-small"] = b"\x04" + _rdb_len(1) + _rdb_str(b"a") + _rdb_str(b"1")
    far = FAR_MS
    p["hash-metadata-pre-ga"] = (b"\x16" + _rdb_len(3) + _rdb_len(0) + _rdb_str(b"a") + _rdb_str(b"1")
                                 + _rdb_len(far) + _rdb_str(b"b") + _rdb_str(b"2")
                                 + _rdb_len(far - 5) + _rdb_str(b"c") + _rdb_str(b"3"))
    from moredis.persistence.encodings import lp_build

    p["hash-lpex-pre-ga"] = b"\x17" + _rdb_str(lp_build([b"a", b"1", far, b"b", b"2", far + 7, b"c", b"3", 0]))
    return p


@pytest.mark.parametrize("version", [9, 10, 11, 12])
def test_legacy_encodings_load_alike(srv, d, version):
    d.check("FLUSHALL")
    with configured(d, srv, rdbcompression="no"):
        for name, body in _legacy_payloads().items():
            d.check("RESTORE", name, "0", _payload(body, version))
            _compare_value(d, name.encode())
    d.check("DEBUG", "DIGEST")


def _downgrade_stream(p: bytes, to: int) -> bytes:
    """A STREAM_LISTPACKS_3 payload rewritten in the v1 (15) or v2 (19) layout."""
    from moredis.persistence.rdbio import Reader

    rd = Reader(p[:-10])
    assert rd.byte() == 21
    out = bytearray([to])
    n = rd.length()
    out += _rdb_len(n)
    for _ in range(n):
        out += _rdb_str(rd.string())
        out += _rdb_str(rd.string())
    length = rd.length()
    last = (rd.length(), rd.length())
    first = (rd.length(), rd.length())
    maxdel = (rd.length(), rd.length())
    added = rd.length()
    out += _rdb_len(length) + _rdb_len(last[0]) + _rdb_len(last[1])
    if to == 19:
        out += _rdb_len(first[0]) + _rdb_len(first[1]) + _rdb_len(maxdel[0]) + _rdb_len(maxdel[1]) + _rdb_len(added)
    ng = rd.length()
    out += _rdb_len(ng)
    for _ in range(ng):
        out += _rdb_str(rd.string())
        out += _rdb_len(rd.length()) + _rdb_len(rd.length())
        er = rd.length()
        if to == 19:
            out += _rdb_len(er)
        npel = rd.length()
        out += _rdb_len(npel)
        for _ in range(npel):
            out += rd.read(16) + rd.read(8) + _rdb_len(rd.length())
        nc = rd.length()
        out += _rdb_len(nc)
        for _ in range(nc):
            out += _rdb_str(rd.string())
            out += rd.read(8)
            rd.read(8)  # active time: v3 only
            k = rd.length()
            out += _rdb_len(k)
            for _ in range(k):
                out += rd.read(16)
    return _payload(bytes(out), 9 if to == 15 else 10)


def test_older_stream_layouts_load_alike(srv, d):
    _build(d)
    for c in group_reads():
        d.both(*c)
    for key in (b"stream:small", b"stream:nodes", b"stream:groups", b"stream:empty"):
        p = parse_reply(d.theirs.call("DUMP", key))
        for to in (15, 19):
            name = b"v%d:" % to + key
            d.check("RESTORE", name, "0", _downgrade_stream(p, to))
            d.check("XINFO", "STREAM", name, "FULL")
            d.check("DEBUG", "DIGEST-VALUE", name)
            d.check("XINFO", "GROUPS", name)
