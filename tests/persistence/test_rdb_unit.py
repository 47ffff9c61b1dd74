"""In-process tests of the RDB layers: the blob formats (listpack, intset, ziplist,
zipmap), LZF, the CRC64, writing and loading whole datasets, DEBUG RELOAD's entry
point, RESTORE's side effects, module values."""

from __future__ import annotations

import io
import os
import random
import struct
from pathlib import Path

import pytest
from harness import Err, Harness
from legacy_blobs import ziplist, zipmap
from rdb_dataset import FAR_MS, commands, group_reads

from moredis.engine.types.list import lp_entry_size
from moredis.persistence import crcfast, lzf, rdb
from moredis.persistence import encodings as enc
from moredis.persistence.crc64 import crc64
from moredis.persistence.rdbio import RdbError

MODULE = str(Path(__file__).resolve().parent / "rdbtestmod.py")


# --- listpack -----------------------------------------------------------------------------------
INTS = [0, 1, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, 32768, -32768, -32769, 8388607, 8388608,
        -8388608, -8388609, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, -(2**63)]
STRINGS = [b"", b"a", b"x" * 63, b"x" * 64, b"y" * 4095, b"y" * 4096, b"01", b"-0", b"+1", b" 1", b"1 ",
           b"18446744073709551616", b"-9223372036854775809", b"1e3", b"\x00\xff"]


def test_listpack_round_trip_and_sizes():
    items = [b"%d" % i for i in INTS] + STRINGS
    blob = enc.lp_build(items)
    assert enc.lp_decode(blob) == items
    # every element takes the bytes list.py accounts for it (the listpack layout facts)
    assert len(blob) == 7 + sum(map(lp_entry_size, items))
    assert enc.lp_decode_raw(enc.lp_build([b"12", b"ab"])) == [12, b"ab"]


def test_listpack_bytes_match_redis():
    # ZADD z 1 a 2.5 b -0 c, as Redis 7.4 DUMPs its listpack
    want = bytes.fromhex("1900000006008163020001816102010181620283322e3504ff")
    assert enc.lp_build([b"c", 0, b"a", 1, b"b", b"2.5"]) == want
    # HSET h f v n 1
    assert enc.lp_build([b"f", b"v", b"n", b"1"]) == bytes.fromhex("120000000400816602817602816e020101ff")


@pytest.mark.parametrize("damage", ["size", "eof", "backlen", "count", "truncated", "encoding"])
def test_listpack_damage_is_refused(damage):
    blob = bytearray(enc.lp_build([b"hello", b"12", b"x" * 100]))
    if damage == "size":
        blob[0] += 1
    elif damage == "eof":
        blob[-1] = 0
    elif damage == "backlen":
        blob[6 + 1 + 5] = 9
    elif damage == "count":
        blob[4] = 7
    elif damage == "truncated":
        blob = blob[:20] + b"\xff"
        blob[0:4] = struct.pack("<I", len(blob))
    else:
        blob[6] = 0xF7
    with pytest.raises(enc.EncodingError):
        enc.lp_decode(bytes(blob))


def test_listpack_unknown_count_is_counted():
    blob = bytearray(enc.lp_build([b"a"] * 3))
    blob[4:6] = b"\xff\xff"
    assert enc.lp_decode(bytes(blob)) == [b"a"] * 3
    many = enc.lp_build([b"1"] * 70000)
    assert many[4:6] == b"\xff\xff" and len(enc.lp_decode(many)) == 70000


# --- intset, ziplist, zipmap ----------------------------------------------------------------------
def test_intset():
    for vals, width in (([1, 2, -3], 2), ([70000, -5], 4), ([2**40, 1], 8)):
        vals = sorted(vals)
        blob = enc.intset_build(vals)
        assert struct.unpack_from("<II", blob) == (width, len(vals))
        assert enc.intset_decode(blob) == vals
    for bad in (b"\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x01\x00",  # unsorted
                b"\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x05\x00",  # duplicate
                b"\x03\x00\x00\x00\x01\x00\x00\x00\x05\x00\x00",  # bad width
                b"\x02\x00\x00\x00\x03\x00\x00\x00\x05\x00",  # short
                b"\x02\x00\x00\x00\x00\x00\x00\x00"):  # empty
        with pytest.raises(enc.EncodingError):
            enc.intset_decode(bad)


def test_ziplist_decoding():
    items = [b"a", b"m" * 100, b"B" * 20000, 0, 12, 13, -5, 1000, 100000, 10**9, 10**15, b""]
    blob = ziplist(items)
    assert enc.ziplist_decode(blob) == [x if isinstance(x, bytes) else b"%d" % x for x in items]
    bad = bytearray(blob)
    bad[4] ^= 1  # zltail
    with pytest.raises(enc.EncodingError):
        enc.ziplist_decode(bytes(bad))
    bad = bytearray(blob)
    bad[10 + 3] = 9  # second entry's prevlen
    with pytest.raises(enc.EncodingError):
        enc.ziplist_decode(bytes(bad))


def test_zipmap_decoding():
    pairs = [(b"f", b"v"), (b"k" * 300, b"x" * 300)]
    assert enc.zipmap_decode(zipmap(pairs, free=3)) == [b"f", b"v", b"k" * 300, b"x" * 300]
    with pytest.raises(enc.EncodingError):
        enc.zipmap_decode(zipmap(pairs)[:-2] + b"\xff")


# --- LZF and CRC64 ----------------------------------------------------------------------------------
def test_lzf_round_trip_and_redis_blob():
    rnd = random.Random(7)
    for data in (b"x" * 100, b"abc" * 1000, bytes(rnd.randrange(256) for _ in range(3000)),
                 b"".join(b"key:%d," % i for i in range(2000))):
        c = lzf.compress(data)
        if c is not None:
            assert lzf.decompress(c, len(data)) == data
    # what Redis 7.4 stores for SET big "x"*100
    assert lzf.decompress(bytes.fromhex("017878e05700017878"), 100) == b"x" * 100
    with pytest.raises(lzf.LZFError):
        lzf.decompress(bytes.fromhex("017878e05700017878"), 99)
    with pytest.raises(lzf.LZFError):
        lzf.decompress(b"\x20\x05", 10)  # a back reference before the start


def test_crc64_fast_path_agrees():
    assert crcfast.crc64(0, b"123456789") == 0xE9C6D914C4B8D9CA
    rnd = random.Random(1)
    for n in (0, 5, 1 << 20, (1 << 20) + 12345, 3 << 20):
        data = rnd.randbytes(n)
        assert crcfast.crc64(0, data) == crc64(0, data)
        assert crcfast.crc64(77, data) == crc64(77, data)


# --- whole datasets ---------------------------------------------------------------------------------
def _build() -> Harness:
    h = Harness()
    for c in commands() + group_reads():
        r = h(*c)
        assert not isinstance(r, Err), (c, r)
    return h


def _snapshot(h: Harness, **kw) -> bytes:
    buf = io.BytesIO()
    rdb.write_rdb(h.srv, rdb.Sink(buf, True), **kw)
    return buf.getvalue()


def _digests(h: Harness) -> list:
    out = []
    for db in (0, 1, 9):
        h("select", db)
        keys = sorted(h("keys", "*"))
        # (a string's encoding is recomputed on loading: raw becomes embstr, as in Redis)
        out.append((h("debug", "digest"), [(k, h("type", k), h("pexpiretime", k), h("object", "encoding", k))
                                           for k in keys if h("type", k) != b"string"]))
    h("select", 0)
    return out


def test_write_then_load_in_process():
    h = _build()
    data = _snapshot(h)
    assert data[:9] == b"REDIS0012" and crc64(0, data[:-8]) == int.from_bytes(data[-8:], "little")
    h2 = Harness()
    st = rdb.load_rdb(h2.srv, data)
    assert st.keys_loaded == sum(len(db.data) for db in h.srv.dbs)
    assert st.aux[b"redis-ver"] == b"7.4.1" and st.aux[b"aof-base"] == b"0"
    assert _digests(h2) == _digests(h)
    assert h2("xinfo", "stream", "stream:groups", "full") == h("xinfo", "stream", "stream:groups", "full")
    assert h2("httl", "hash:meta", "fields", 2, "f1", "f2")[0] > 0
    assert _snapshot(h2, aof_base=True)[:9] == b"REDIS0012"


def test_a_bad_file_installs_nothing():
    h = _build()
    data = bytearray(_snapshot(h))
    data[len(data) - 100] ^= 0x55  # deep in the file: many keys were decoded already
    h2 = Harness()
    h2("set", "mine", "1")
    with pytest.raises(RdbError):
        rdb.load_rdb(h2.srv, bytes(data))
    assert h2("keys", "*") == [b"mine"] and h2("dbsize") == 1
    h2("select", 9)
    assert h2("dbsize") == 0


def test_duplicates_and_merge():
    h = Harness()
    h("set", "a", "1")
    data = _snapshot(h)
    h2 = Harness()
    h2("set", "a", "other")
    with pytest.raises(RdbError, match="duplicated key"):
        rdb.load_rdb(h2.srv, data)
    assert h2("get", "a") == b"other"
    rdb.load_rdb(h2.srv, data, allow_dup=True)
    assert h2("get", "a") == b"1"


def test_expired_keys_dropped_on_masters_kept_on_replicas():
    h = Harness()
    h("set", "old", "v", "px", "1")
    h("set", "new", "v")
    import time

    time.sleep(0.01)
    h.srv.active_expire_enabled = False
    data = _snapshot(h)
    h2 = Harness()
    st = rdb.load_rdb(h2.srv, data)
    assert (st.keys_loaded, st.keys_expired) == (1, 1)
    h3 = Harness()
    h3.srv.is_replica = True
    assert rdb.load_rdb(h3.srv, data).keys_loaded == 2


def test_empty_collections_are_skipped():
    body = bytearray(b"REDIS0012")
    body += b"\xfe\x00" + b"\x12" + b"\x01k" + b"\x00"  # an empty QUICKLIST_2
    body += b"\x00" + b"\x01s" + b"\x01v"
    body.append(0xFF)
    body += crc64(0, body).to_bytes(8, "little")
    h = Harness()
    st = rdb.load_rdb(h.srv, bytes(body))
    assert (st.keys_loaded, st.empty_skipped) == (1, 1) and h("get", "s") == b"v"


def test_header_errors():
    h = Harness()
    for data, msg in ((b"RODIS0012", "Wrong signature"), (b"REDIS0013\xff", "Can't handle RDB format version 13"),
                      (b"REDIS0000\xff", "version 0"), (b"REDIS", "Short read"), (b"REDISxxxx", "version 0")):
        with pytest.raises(RdbError, match=msg):
            rdb.load_rdb(h.srv, data)
    with pytest.raises(RdbError, match="databases"):
        rdb.load_rdb(h.srv, b"REDIS0012\xfe\x3f\xff" + b"\0" * 8)
    with pytest.raises(RdbError, match="Pre-release function"):
        rdb.load_rdb(h.srv, b"REDIS0012\xf6")
    # an old file without a checksum (version < 5) and EXPIRETIME in seconds
    old = b"REDIS0004\xfd" + struct.pack("<i", 2000000000) + b"\x00\x01k\x01v\xff"
    assert rdb.load_rdb(h.srv, old).keys_loaded == 1 and h("pexpiretime", "k") == 2000000000000


def test_debug_reload_entry_point(tmp_path):
    h = _build()
    h.srv.config.values["dir"] = str(tmp_path)
    before = _digests(h)
    h.srv.rdb.debug_reload()
    assert (tmp_path / "dump.rdb").exists() and _digests(h) == before
    h("set", "str:small", "changed")
    h.srv.rdb.debug_reload(save=False)  # NOSAVE: the file's value comes back
    assert h("get", "str:small") == b"hello"
    h("set", "str:small", "changed")
    h("set", "extra", "x")
    h.srv.rdb.debug_reload(merge=True, flush=False, save=False)
    assert h("get", "str:small") == b"hello" and h("get", "extra") == b"x"
    from moredis.errors import RedisError

    with pytest.raises(RedisError, match="Error trying to load the RDB dump"):
        h.srv.rdb.debug_reload(flush=False, save=False)  # duplicate keys without MERGE
    (tmp_path / "dump.rdb").write_bytes(b"garbage")
    with pytest.raises(RedisError, match="Error trying to load the RDB dump"):
        h.srv.rdb.debug_reload(save=False)


def test_restore_side_effects():
    h = Harness()
    events = []
    h.srv.notify = lambda cls, ev, key, dbid: events.append((ev, key))  # type: ignore[method-assign]
    h.srv.notify_mask = -1
    props = []
    h.srv.propagators.append(lambda dbid, argvs: props.extend(argvs))
    h("set", "src", "v")
    p = h("dump", "src")
    dirty = h.srv.dirty
    assert h("restore", "k", "5000", p) == b"OK"
    assert ("restore", b"k") in events and h.srv.dirty == dirty + 1
    cmd = props[-1]
    assert cmd[0] == b"restore" and cmd[-1] == b"ABSTTL" and int(cmd[2]) > FAR_MS // 10**6
    assert h("restore", "k", "1", p, "ABSTTL", "REPLACE") == b"OK"  # in the past: deleted
    assert props[-1] == [b"DEL", b"k"] and ("del", b"k") in events
    h("config", "set", "maxmemory-policy", "allkeys-lfu")
    for f in (0, 7, 200):
        h("restore", f"f{f}", "0", p, "FREQ", f)
        assert h("object", "freq", f"f{f}") == f
    h("restore", "plain", "0", p)
    assert h("object", "freq", "plain") == 5


def test_bgsave_in_exec_is_scheduled(tmp_path):
    h = Harness()
    h.srv.config.values["dir"] = str(tmp_path)
    h("set", "k", "v")
    h("multi")
    h("bgsave")
    assert h("exec") == [b"Background saving scheduled"]
    assert h.srv.rdb.scheduled
    h.srv.rdb.cron()  # starts it
    assert h.srv.rdb.child_pid > 0
    for _ in range(200):
        h.srv.rdb.cron()
        if h.srv.rdb.child_pid < 0:
            break
        import time

        time.sleep(0.02)
    assert h.srv.lastbgsave_status == "ok" and (tmp_path / "dump.rdb").exists()


def test_module_values_dump_restore_and_save(tmp_path):
    h = Harness()
    h.srv.modules.load(MODULE, [])
    assert h("rdbtype.set", "m", "5", "-6", "txt", "2.5", "0.5") == b"OK"
    p = h("dump", "m")
    assert p[0] == rdb.T_MODULE_2
    assert h("restore", "m2", "0", p) == b"OK"
    assert h("rdbtype.get", "m2") == [5, -6, b"txt", 2.5, 0.5]
    data = _snapshot(h)
    h2 = Harness()
    h2.srv.modules.load(MODULE, [])
    rdb.load_rdb(h2.srv, data)
    assert h2("rdbtype.get", "m") == [5, -6, b"txt", 2.5, 0.5]
    h3 = Harness()
    with pytest.raises(RdbError, match="no matching module"):
        rdb.load_rdb(h3.srv, data)
    assert h3("restore", "x", "0", p) == Err("ERR Bad data format")


def test_serialized_length():
    assert rdb.serialized_length(b"hello") == 6
    assert rdb.serialized_length(12) == 2
    h = Harness()
    h("rpush", "l", "a", "b")
    assert rdb.serialized_length(h.srv.dbs[0].data[b"l"]) > 10


def test_info_fields(tmp_path):
    h = Harness()
    h.srv.config.values["dir"] = str(tmp_path)
    assert h("save") == b"OK"
    text = h("info", "persistence").decode()
    for field in ("rdb_bgsave_in_progress:0", "rdb_saves:1", "rdb_last_bgsave_time_sec:-1",
                  "rdb_last_load_keys_loaded:0", "rdb_last_bgsave_status:ok"):
        assert field in text, field
    h.srv.loading = True
    h.srv.rdb.loading_total = 1000
    h.srv.rdb.loading_loaded = 250
    text = h("info", "persistence").decode()
    assert "loading:1" in text and "loading_loaded_perc:25.00" in text and "loading_total_bytes:1000" in text
    h.srv.loading = False
    assert os.path.exists(tmp_path / "dump.rdb")


def test_failed_bgsave_stops_writes(tmp_path):
    """stop-writes-on-bgsave-error: with save points set and the last BGSAVE failed,
    writes and PING get MISCONF (reads and PUBLISH do not) until a save succeeds."""
    import time

    from moredis.persistence.manager import MISCONF

    h = Harness()
    h.srv.config.values["dir"] = str(tmp_path / "missing")
    assert h("config", "set", "save", "3600 1") == b"OK"
    h("set", "k", "v")
    assert h("bgsave") == b"Background saving started"
    for _ in range(200):
        h.srv.rdb.cron()
        if h.srv.rdb.child_pid < 0:
            break
        time.sleep(0.02)
    assert h.srv.lastbgsave_status == "err"
    assert h("set", "k", "w") == Err(MISCONF)
    assert h("ping") == Err(MISCONF)
    assert h("get", "k") == b"v"
    assert h("publish", "c", "m") == 0
    h("multi")
    assert h("set", "a", "b") == Err(MISCONF)
    assert h("exec") == Err("EXECABORT Transaction discarded because of previous errors.")
    assert h("config", "set", "stop-writes-on-bgsave-error", "no") == b"OK"
    assert h("set", "k", "w") == b"OK"
    assert h("config", "set", "stop-writes-on-bgsave-error", "yes") == b"OK"
    assert h("del", "k") == Err(MISCONF)
    h.srv.config.values["dir"] = str(tmp_path)
    assert h("save") == b"OK"  # a good save lifts it
    assert h("del", "k") == 1
