"""RDB files between real processes: moredis writes, Redis 7.4 loads (and its
redis-check-rdb approves), Redis writes, moredis loads; both compared key by key and
with DEBUG DIGEST. Also: SAVE/BGSAVE/save points/SHUTDOWN/FLUSHALL writing files,
refused files (bad signature, newer version, truncated, flipped bits, unknown module
type) stopping the start-up, kill -9 during BGSAVE leaving the previous file intact."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from procs import Proc, check_rdb, start_moredis, start_reference
from rdb_dataset import FAR_MS, commands, group_reads

MODULE = str(Path(__file__).resolve().parent / "rdbtestmod.py")


def _load_dataset(c, with_groups: bool = True) -> None:
    for cmd in commands() + (group_reads() if with_groups else []):
        r = c.call(*cmd)
        assert not isinstance(r, Exception), (cmd, r)


def _keys(c) -> list[bytes]:
    return sorted(c.call("KEYS", "*"))


def compare(a, b, dbs=(0, 1, 9)) -> int:
    """Every key of every listed db looks the same on both servers. Returns the count."""
    n = 0
    for db in dbs:
        assert a.call("SELECT", str(db)) == b.call("SELECT", str(db))
        keys = _keys(a)
        assert keys == _keys(b), f"db {db}"
        assert a.call("DEBUG", "DIGEST") == b.call("DEBUG", "DIGEST"), f"db {db}"
        for k in keys:
            n += 1
            for cmd in (("TYPE", k), ("OBJECT", "ENCODING", k), ("DEBUG", "DIGEST-VALUE", k), ("PEXPIRETIME", k)):
                assert a.call(*cmd) == b.call(*cmd), (cmd, a.call(*cmd), b.call(*cmd))
            t = a.call("TYPE", k)
            if t == b"hash":
                fields = sorted(a.call("HKEYS", k))
                cmd = ("HPEXPIRETIME", k, "FIELDS", str(len(fields)), *fields)
                assert a.call(*cmd) == b.call(*cmd), k
                if a.call("OBJECT", "ENCODING", k) != b"hashtable":
                    assert a.call("HGETALL", k) == b.call("HGETALL", k), k
            elif t == b"stream":
                assert a.call("XINFO", "STREAM", k, "FULL") == b.call("XINFO", "STREAM", k, "FULL"), k
            elif t == b"list":
                assert a.call("LRANGE", k, "0", "-1") == b.call("LRANGE", k, "0", "-1"), k
            elif t == b"zset":
                assert a.call("ZRANGE", k, "0", "-1", "WITHSCORES") == b.call("ZRANGE", k, "0", "-1", "WITHSCORES")
    a.call("SELECT", "0")
    b.call("SELECT", "0")
    return n


@pytest.fixture
def procs():
    started: list[Proc] = []

    def track(p: Proc) -> Proc:
        started.append(p)
        return p

    yield track
    for p in started:
        p.stop()


def test_moredis_file_loads_in_redis(tmp_path, procs):
    m = procs(start_moredis(tmp_path))
    mc = m.client()
    _load_dataset(mc)
    mc.call("SET", "gone", "x", "PX", "300")
    assert mc.call("SAVE") == b"OK"
    time.sleep(0.4)  # "gone" expires while on disk: Redis drops it when loading
    f = tmp_path / "dump.rdb"
    assert f.read_bytes()[:9] == b"REDIS0012"
    chk = check_rdb(f)
    assert "RDB looks OK" in chk.stdout, chk.stdout[-3000:]
    r = procs(start_reference(tmp_path))
    rc = r.client()
    m.stop()  # compare what each server loads from the file (strings re-encode on loading)
    m = procs(start_moredis(tmp_path))
    assert compare(m.client(), rc) > 40
    info = rc.call("INFO", "persistence").decode()
    assert "rdb_last_load_keys_expired:1" in info
    assert "Loading RDB produced by version 7.4.1" in r.log_text()


def test_redis_file_loads_in_moredis(tmp_path, procs):
    r = procs(start_reference(tmp_path))
    rc = r.client()
    _load_dataset(rc)
    rc.call("SET", "gone", "x", "PX", "300")
    assert rc.call("SAVE") == b"OK"
    time.sleep(0.4)
    m = procs(start_moredis(tmp_path))
    mc = m.client()
    r.stop()
    r = procs(start_reference(tmp_path))
    rc = r.client()
    assert compare(mc, rc) > 40
    info = mc.call("INFO", "persistence").decode()
    assert "rdb_last_load_keys_expired:1" in info and "rdb_last_load_keys_loaded:" in info
    log = m.log_text()
    assert "Loading RDB produced by version 7.4.1" in log
    assert "DB loaded from disk:" in log
    assert "Done loading RDB, keys loaded:" in log


def test_round_trip_without_compression_and_checksum(tmp_path, procs):
    """rdbcompression no / rdbchecksum no: plain strings and a zero checksum, which
    loaders accept without checking."""
    m = procs(start_moredis(tmp_path, "--rdbcompression", "no", "--rdbchecksum", "no"))
    mc = m.client()
    _load_dataset(mc, with_groups=False)
    assert mc.call("SAVE") == b"OK"
    data = (tmp_path / "dump.rdb").read_bytes()
    assert data[-8:] == b"\0" * 8
    assert b"abcabcabc" * 40 in data  # stored verbatim
    r = procs(start_reference(tmp_path))
    assert "checksum disabled" in r.log_text()
    m.stop()
    m2 = procs(start_moredis(tmp_path))
    assert compare(m2.client(), r.client()) > 40
    assert "RDB file was saved with checksum disabled: no check performed." in m2.log_text()


def test_maxmemory_policy_writes_idle_and_freq(tmp_path, procs):
    for policy, op in (("allkeys-lru", b"\xf8"), ("allkeys-lfu", b"\xf9")):
        d = tmp_path / policy
        d.mkdir()
        m = procs(start_moredis(d, "--maxmemory-policy", policy))
        c = m.client()
        c.call("SET", "k", "v")
        assert c.call("SAVE") == b"OK"
        data = (d / "dump.rdb").read_bytes()
        assert op + (b"\x00" if policy.endswith("lru") else b"") in data
        r = procs(start_reference(d, "--maxmemory-policy", policy))
        assert r.client().call("GET", "k") == b"v"


def test_module_values_and_aux_survive_a_restart(tmp_path, procs):
    m = procs(start_moredis(tmp_path, "--loadmodule", MODULE))
    c = m.client()
    assert c.call("rdbtype.set", "mk", "18446744073709551615", "-5", "text" * 10, "1.5", "0.25") == b"OK"
    assert c.call("rdbtype.set", "mk2", "7", "9223372036854775807", "", "-0.5", "2") == b"OK"
    before = c.call("DEBUG", "DIGEST")
    assert c.call("SAVE") == b"OK"
    m.stop()
    m2 = procs(start_moredis(tmp_path, "--loadmodule", MODULE))
    c2 = m2.client()
    assert c2.call("rdbtype.get", "mk") == [-1, -5, b"text" * 10, b"1.5", b"0.25"]  # u64 max as a long long
    assert c2.call("rdbtype.get", "mk2")[:3] == [7, 9223372036854775807, b""]
    assert c2.call("TYPE", "mk") == b"rdbtest01"
    assert c2.call("DEBUG", "DIGEST") == before
    assert c2.call("rdbtype.aux") == [[1, 1, b"aux-1"], [2, 2, b"aux-2"]]
    m2.stop()
    # without the module the file cannot be loaded: the server refuses to start
    bad = start_moredis(tmp_path, expect_fail=True)
    assert bad.proc.returncode != 0
    assert "no matching module" in bad.log_text()


def test_unknown_module_type_stops_redis_too(tmp_path, procs):
    m = procs(start_moredis(tmp_path, "--loadmodule", MODULE))
    c = m.client()
    c.call("rdbtype.set", "mk", "1", "2", "x", "1", "1")
    c.call("SAVE")
    m.stop()
    r = start_reference(tmp_path, expect_fail=True)
    assert r.proc.returncode != 0
    assert "rdbtest01" in r.log_text()


@pytest.mark.parametrize("damage", ["signature", "version", "truncated", "flipped", "crc", "trailing-cut"])
def test_damaged_files_stop_the_start(tmp_path, procs, damage):
    r = procs(start_reference(tmp_path))
    rc = r.client()
    _load_dataset(rc, with_groups=False)
    rc.call("SAVE")
    r.stop()
    f = tmp_path / "dump.rdb"
    data = bytearray(f.read_bytes())
    if damage == "signature":
        data[:5] = b"RODIS"
        msg = "Wrong signature trying to load DB from file"
    elif damage == "version":
        data[5:9] = b"0013"
        msg = "Can't handle RDB format version 13"
    elif damage == "truncated":
        data = data[: len(data) // 2]
        msg = "Short read"
    elif damage == "flipped":
        data[len(data) // 2] ^= 0x01
        msg = ""
    elif damage == "crc":
        data[-1] ^= 0xFF
        msg = "Wrong RDB checksum"
    else:
        data = data[:-4]
        msg = "Short read"
    f.write_bytes(bytes(data))
    m = start_moredis(tmp_path, expect_fail=True)
    assert m.proc.returncode != 0
    log = m.log_text()
    assert msg in log, log[-2000:]
    assert "Fatal error loading the DB" in log
    assert "Ready to accept connections" not in log


def test_save_bgsave_lastsave_info(tmp_path, procs):
    m = procs(start_moredis(tmp_path))
    c = m.client()
    c.call("SET", "a", "1")
    t0 = c.call("LASTSAVE")
    assert b"rdb_changes_since_last_save:1" in c.call("INFO", "persistence")
    time.sleep(1.1)
    assert c.call("SAVE") == b"OK"
    assert c.call("LASTSAVE") > t0
    info = c.call("INFO", "persistence").decode()
    assert "rdb_changes_since_last_save:0" in info and "rdb_saves:1" in info
    c.call("SET", "b", "2")
    assert c.call("BGSAVE") == b"Background saving started"
    for _ in range(100):
        info = c.call("INFO", "persistence").decode()
        if "rdb_bgsave_in_progress:0" in info and "rdb_last_bgsave_time_sec:-1" not in info:
            break
        time.sleep(0.05)
    assert "rdb_last_bgsave_status:ok" in info and "rdb_saves:2" in info
    assert "rdb_changes_since_last_save:0" in info
    log = m.log_text()
    assert "Background saving started by pid" in log and "Background saving terminated with success" in log
    assert not [p for p in os.listdir(tmp_path) if p.startswith("temp-")]
    r = procs(start_reference(tmp_path))
    assert r.client().call("MGET", "a", "b") == [b"1", b"2"]


def test_bgsave_in_progress_and_kill_leaves_old_file(tmp_path, procs):
    m = procs(start_moredis(tmp_path))
    c = m.client()
    c.call("SET", "old", "value")
    assert c.call("SAVE") == b"OK"
    good = (tmp_path / "dump.rdb").read_bytes()
    c.call("DEBUG", "POPULATE", "300")
    c.call("CONFIG", "SET", "rdb-key-save-delay", "20000")  # 20 ms a key: a slow child
    assert c.call("BGSAVE") == b"Background saving started"
    assert str(c.call("BGSAVE")) .find("Background save already in progress") >= 0
    assert str(c.call("SAVE")).find("Background save already in progress") >= 0
    assert c.call("PING") == b"PONG"  # the parent keeps serving
    assert "rdb_bgsave_in_progress:1" in c.call("INFO", "persistence").decode()
    pid = int(m.log_text().split("Background saving started by pid ")[1].split()[0])
    os.kill(pid, 9)
    for _ in range(100):
        if "rdb_bgsave_in_progress:0" in c.call("INFO", "persistence").decode():
            break
        time.sleep(0.05)
    info = c.call("INFO", "persistence").decode()
    assert "rdb_last_bgsave_status:err" in info
    assert "Background saving terminated by signal 9" in m.log_text()
    assert (tmp_path / "dump.rdb").read_bytes() == good
    assert not [p for p in os.listdir(tmp_path) if p.startswith("temp-")]
    # kill -9 of the server itself in the middle of a BGSAVE: the old file still loads
    assert c.call("BGSAVE") == b"Background saving started"
    time.sleep(0.2)
    m.kill9()
    time.sleep(0.5)
    m2 = procs(start_moredis(tmp_path))
    c2 = m2.client()
    assert c2.call("KEYS", "*") == [b"old"]


def test_save_points_trigger_a_bgsave(tmp_path, procs):
    m = procs(start_moredis(tmp_path, "--save", "1 2"))
    c = m.client()
    c.call("SET", "a", "1")
    time.sleep(1.5)
    assert not (tmp_path / "dump.rdb").exists()  # one change only
    c.call("SET", "b", "2")
    for _ in range(60):
        if (tmp_path / "dump.rdb").exists() and "rdb_bgsave_in_progress:0" in c.call("INFO", "persistence").decode():
            break
        time.sleep(0.1)
    assert (tmp_path / "dump.rdb").exists()
    assert "2 changes in 1 seconds. Saving..." in m.log_text()


def test_shutdown_save_nosave_and_flushall(tmp_path, procs):
    m = procs(start_moredis(tmp_path))
    c = m.client()
    c.call("SET", "k", "v")
    c.sock.sendall(c.encode(("SHUTDOWN", "NOSAVE")))
    assert m.wait(20) == 0
    assert not (tmp_path / "dump.rdb").exists()
    m = procs(start_moredis(tmp_path))
    c = m.client()
    c.call("SET", "k", "v")
    c.sock.sendall(c.encode(("SHUTDOWN", "SAVE")))
    assert m.wait(20) == 0
    assert (tmp_path / "dump.rdb").exists()
    m = procs(start_moredis(tmp_path, "--save", "3600 1"))
    c = m.client()
    assert c.call("GET", "k") == b"v"
    c.call("SET", "k2", "v")
    assert c.call("FLUSHALL") == b"OK"  # with save points: an empty file at once
    assert "rdb_changes_since_last_save:1" in c.call("INFO", "persistence").decode()
    m.stop()
    m = procs(start_moredis(tmp_path))
    assert m.client().call("DBSIZE") == 0
    # SIGTERM with save points configured saves
    m = procs(start_moredis(tmp_path, "--save", "3600 1"))
    c = m.client()
    c.call("SET", "x", "y")
    m.proc.send_signal(15)
    assert m.wait(20) == 0
    m = procs(start_moredis(tmp_path))
    assert m.client().call("GET", "x") == b"y"


def test_dbfilename_and_dir(tmp_path, procs):
    other = tmp_path / "elsewhere"
    other.mkdir()
    m = procs(start_moredis(tmp_path, "--dbfilename", "mine.rdb", "--enable-protected-configs", "yes"))
    c = m.client()
    c.call("SET", "k", "v")
    assert c.call("SAVE") == b"OK"
    assert (tmp_path / "mine.rdb").exists()
    assert c.call("CONFIG", "SET", "dir", str(other)) == b"OK"
    assert c.call("SAVE") == b"OK"
    assert (other / "mine.rdb").exists()
    shutil.rmtree(other)
    assert str(c.call("SAVE")) == "ERR"  # shared.err
    assert "rdb_last_bgsave_status:ok" in c.call("INFO", "persistence").decode()
    assert c.call("BGSAVE") == b"Background saving started"
    for _ in range(100):
        info = c.call("INFO", "persistence").decode()
        if "rdb_bgsave_in_progress:0" in info:
            break
        time.sleep(0.05)
    assert "rdb_last_bgsave_status:err" in info
    assert "Failed opening the temp RDB file temp-" in m.log_text()
    assert "Background saving error" in m.log_text()


def test_far_ttls_and_already_expired_field_ttls(tmp_path, procs):
    m = procs(start_moredis(tmp_path))
    c = m.client()
    c.call("HSET", "h", "a", "1", "b", "2")
    c.call("HPEXPIRE", "h", "200", "FIELDS", "1", "a")
    c.call("SET", "k", "v", "PXAT", str(FAR_MS))
    c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    assert c.call("SAVE") == b"OK"
    m.stop()
    time.sleep(0.3)
    r = procs(start_reference(tmp_path))
    m2 = procs(start_moredis(tmp_path))
    a, b = m2.client(), r.client()
    for cmd in (("HGETALL", "h"), ("HLEN", "h"), ("PEXPIRETIME", "k"), ("HTTL", "h", "FIELDS", "2", "a", "b")):
        assert a.call(*cmd) == b.call(*cmd), cmd


def test_check_rdb_command(tmp_path, procs):
    import subprocess
    import sys

    from procs import ROOT

    r = procs(start_reference(tmp_path))
    rc = r.client()
    _load_dataset(rc)
    rc.call("SAVE")
    f = tmp_path / "dump.rdb"
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def run(path):
        return subprocess.run([sys.executable, "-m", "moredis", "check-rdb", str(path)], capture_output=True,
                              text=True, env=env, timeout=120)

    mine = run(f)
    theirs = check_rdb(f)
    assert mine.returncode == 0 and "\\o/ RDB looks OK! \\o/" in mine.stdout
    for line in theirs.stdout.splitlines():
        if line.startswith("[info]") or "AUX FIELD" in line or "Selecting DB" in line:
            assert line in mine.stdout, line
    bad = tmp_path / "bad.rdb"
    bad.write_bytes(f.read_bytes()[:-100])
    out = run(bad)
    assert out.returncode == 1 and "--- RDB ERROR DETECTED ---" in out.stdout
    assert run(tmp_path / "missing.rdb").returncode == 1
