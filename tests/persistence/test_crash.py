"""Crash safety with real processes: kill -9 under a write load (appendfsync always,
everysec and no alike: the AOF is written before a reply leaves, so a killed process
loses nothing it acknowledged), kill -9 during BGREWRITEAOF and BGSAVE leaving loadable
files, damaged AOF files refused or repaired the same way Redis 7.4 refuses or repairs
them, and the loader fuzzed with random damage (never a crash, a hang or a silent
half-load)."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
from procs import Proc, start_moredis, start_reference
from respclient import RawClient

from moredis.persistence.check_aof import check_files

ARGS = ("--appendonly", "yes")


@pytest.fixture
def procs():
    started: list[Proc] = []

    def track(p: Proc) -> Proc:
        started.append(p)
        return p

    yield track
    for p in started:
        p.stop()


class Writer(threading.Thread):
    """One connection writing until the server dies: SET w<id>:<n>, INCR counters, a
    list and a two-command transaction; it remembers what was acknowledged."""

    def __init__(self, port: int, wid: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.wid = wid
        self.acked = 0  # every step acknowledged in full
        self.sent = 0
        self.stop = False

    def run(self) -> None:
        try:
            c = RawClient(port=self.port, timeout=10)
        except OSError:
            return
        w = self.wid
        try:
            while not self.stop:
                n = self.sent + 1
                self.sent = n
                if c.call("SET", f"w{w}:{n}", f"v{n}") != b"OK":
                    return
                if not isinstance(c.call("INCR", f"ctr{w}"), int):
                    return
                if not isinstance(c.call("RPUSH", f"list{w}", str(n)), int):
                    return
                if n % 5 == 0:
                    c.call("MULTI")
                    c.call("INCR", f"tx{w}")
                    c.call("INCR", f"tx{w}")
                    if c.call("EXEC") != [n // 5 * 2 - 1, n // 5 * 2]:
                        return
                self.acked = n
        except Exception:  # the server was killed
            return


def _check_acknowledged(c: RawClient, writers: list[Writer]) -> int:
    total = 0
    for w in writers:
        i = w.wid
        ctr = int(c.call("GET", f"ctr{i}") or 0)
        assert w.acked <= ctr <= w.sent, (i, w.acked, ctr, w.sent)
        for n in range(1, w.acked + 1):
            assert c.call("GET", f"w{i}:{n}") == f"v{n}".encode(), (i, n)
        assert c.call("LRANGE", f"list{i}", "0", "-1")[: w.acked] == [str(n).encode() for n in range(1, w.acked + 1)]
        tx = int(c.call("GET", f"tx{i}") or 0)
        assert tx % 2 == 0 and tx >= w.acked // 5 * 2  # a transaction is all or nothing
        total += w.acked
    return total


def _load_and_kill(p: Proc, nwriters: int, seconds: float) -> list[Writer]:
    writers = [Writer(p.port, i) for i in range(nwriters)]
    for w in writers:
        w.start()
    time.sleep(seconds)
    p.kill9()  # mid-flight: some commands were sent and never answered
    for w in writers:
        w.stop = True
        w.join(10)
    return writers


@pytest.mark.parametrize("policy", ["always", "everysec", "no"])
def test_kill9_under_write_load_loses_no_acknowledged_write(tmp_path, procs, policy):
    p = procs(start_moredis(tmp_path, *ARGS, "--appendfsync", policy))
    writers = _load_and_kill(p, 4, 1.5)
    p2 = procs(start_moredis(tmp_path, *ARGS, "--appendfsync", policy))
    assert _check_acknowledged(p2.client(), writers) > 0


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["always", "everysec"])
def test_repeated_kill9_cycles_with_rewrites(tmp_path, procs, policy):
    """Several kill/restart cycles, a rewrite running now and then, the same writers' keys
    growing across cycles: everything acknowledged in any cycle is there at the end."""
    done: list[Writer] = []
    for cycle in range(6):
        p = procs(start_moredis(tmp_path, *ARGS, "--appendfsync", policy, "--auto-aof-rewrite-min-size", "64kb",
                                "--auto-aof-rewrite-percentage", "50"))
        c = p.client()
        _check_acknowledged(c, done)
        writers = [Writer(p.port, cycle * 10 + i) for i in range(3)]
        for w in writers:
            w.start()
        time.sleep(random.uniform(0.5, 2.0))
        if cycle % 2:
            c.call("BGREWRITEAOF")
            time.sleep(random.uniform(0.0, 0.3))
        p.kill9()
        for w in writers:
            w.stop = True
            w.join(10)
        done += writers
        _kill_children(p)
    p = procs(start_moredis(tmp_path, *ARGS))
    assert _check_acknowledged(p.client(), done) > 0


def _child_pids(p: Proc) -> list[int]:
    """The fork children this server process started (the log is shared by the restarts of
    a test: only the lines of this pid count, so no stale pid is ever signalled)."""
    me = str(p.proc.pid)
    pat = re.compile(r"^(\d+):M .*(?:rewriting|saving) started by pid (\d+)$")
    return [int(m.group(2)) for m in map(pat.match, p.log_text().splitlines()) if m and m.group(1) == me]


def _kill_children(p: Proc) -> None:
    for pid in _child_pids(p):
        try:  # a fork child has the server's command line, --dir included: never another process
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if str(p.dir).encode() not in f.read():
                    continue
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _info(c, field: str) -> bytes:
    for line in c.call("INFO", "persistence").split(b"\r\n"):
        if line.startswith(field.encode() + b":"):
            return line.split(b":", 1)[1]
    raise KeyError(field)


@pytest.mark.parametrize("what", ["BGREWRITEAOF", "BGSAVE"])
def test_kill9_during_a_background_child_leaves_loadable_files(tmp_path, procs, what):
    p = procs(start_moredis(tmp_path, *ARGS, "--rdb-key-save-delay", "20000"))
    c = p.client()
    for i in range(200):
        c.call("SET", f"before:{i}", str(i))
    assert c.call(what).startswith(b"Background")
    assert _info(c, "aof_rewrite_in_progress" if what == "BGREWRITEAOF" else "rdb_bgsave_in_progress") == b"1"
    for i in range(100):
        c.call("SET", f"during:{i}", str(i))  # a new incr file takes these (BGREWRITEAOF)
    p.kill9()
    _kill_children(p)
    p2 = procs(start_moredis(tmp_path, *ARGS))
    c2 = p2.client()
    assert c2.call("DBSIZE") == 300
    assert c2.call("GET", "before:199") == b"199" and c2.call("GET", "during:99") == b"99"
    if what == "BGREWRITEAOF":  # the old base and both incr files, as the manifest said
        m = (tmp_path / "appendonlydir" / "appendonly.aof.manifest").read_text()
        assert m == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                     "file appendonly.aof.1.incr.aof seq 1 type i\n"
                     "file appendonly.aof.2.incr.aof seq 2 type i\n")


# --- damaged files: refused or repaired as Redis does ------------------------------------------

def _damage(d: Path, how: str) -> None:
    a = d / "appendonlydir"
    base = a / "appendonly.aof.1.base.rdb"
    incr = a / "appendonly.aof.1.incr.aof"
    if how == "base-truncated":
        base.write_bytes(base.read_bytes()[:-20])
    elif how == "base-bitflip":
        b = bytearray(base.read_bytes())
        b[len(b) // 2] ^= 0x10
        base.write_bytes(bytes(b))
    elif how == "base-version":
        b = base.read_bytes()
        base.write_bytes(b"REDIS0099" + b[9:])
    elif how in ("incr-torn", "incr-torn-strict"):
        incr.write_bytes(incr.read_bytes()[:-7])
    elif how == "incr-torn-multi":
        tail = b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n1\r\n*1\r\n$4\r\nEX"
        incr.write_bytes(incr.read_bytes() + tail)
    elif how == "incr-format":
        b = bytearray(incr.read_bytes())
        i = b.index(b"*3\r\n$3\r\nSET", 20)
        b[i] = ord("+")
        incr.write_bytes(bytes(b))
    elif how == "incr-unknown":
        incr.write_bytes(incr.read_bytes() + b"*1\r\n$6\r\nNOSUCH\r\n" + b"*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n1\r\n")
    elif how == "manifest":
        (a / "appendonly.aof.manifest").write_text("file appendonly.aof.1.base.rdb seq 1 type q\n")
    elif how == "missing-incr":
        incr.unlink()


DAMAGES = ["base-truncated", "base-bitflip", "base-version", "incr-torn", "incr-torn-strict", "incr-torn-multi",
           "incr-format", "incr-unknown", "manifest", "missing-incr"]


def _prepare(d: Path, start) -> None:
    p = start(d, *ARGS)
    c = p.client()
    for i in range(30):
        c.call("SET", f"k{i}", "v" * (i + 1))
        c.call("RPUSH", "l", str(i))
    c.call("SET", "last", "1")
    p.kill9()


@pytest.mark.parametrize("how", DAMAGES)
def test_damaged_aof_like_redis(tmp_path, procs, how):
    """Both servers get the same files (written by each), damaged the same way: both
    refuse to start, or both start with the same keys."""
    outcomes = []
    for start in (start_moredis, start_reference):
        d = tmp_path / start.__name__
        d.mkdir()
        _prepare(d, start)
        shutil.copytree(d / "appendonlydir", d / "pristine")
        _damage(d, how)
        extra = ("--aof-load-truncated", "no") if how == "incr-torn-strict" else ()
        p = start(d, *ARGS, *extra, expect_fail=True, timeout=15) if _fails(how) else procs(start(d, *ARGS, *extra))
        if _fails(how):
            assert p.proc.returncode not in (None, 0), start.__name__
            outcomes.append(("refused", _refusal_line(p.log_text(), how)))
        else:
            c = p.client()
            outcomes.append(("started", sorted(c.call("KEYS", "*")), c.call("LLEN", "l")))
    assert outcomes[0] == outcomes[1], outcomes


def _fails(how: str) -> bool:
    return how not in ("incr-torn", "incr-torn-multi")


def _refusal_line(log: str, how: str) -> str:
    """The line that says why, present in both servers' logs."""
    want = {
        "base-truncated": "Short read or OOM loading DB. Unrecoverable error, aborting now.",
        "base-bitflip": "Wrong RDB checksum expected: (",
        "base-version": "Can't handle RDB format version 99",
        "incr-torn-strict": "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof",
        "incr-format": "Bad file format reading the append only file appendonly.aof.1.incr.aof",
        "incr-unknown": "Unknown command 'NOSUCH' reading the append only file appendonly.aof.1.incr.aof",
        "manifest": "Unknown AOF file type",
        "missing-incr": "Unable to obtain the AOF file appendonly.aof.1.incr.aof length",
    }[how]
    assert want in log, log[-3000:]
    return want


def test_torn_tail_repaired_by_check_aof_fix(tmp_path, procs):
    _prepare(tmp_path, start_moredis)
    _damage(tmp_path, "incr-torn")
    manifest = str(tmp_path / "appendonlydir" / "appendonly.aof.manifest")
    code, out = check_files([manifest])
    assert code == 1 and "is not valid. Use the --fix option to try fixing it." in out
    code, out = check_files(["--fix", manifest], "y\n")
    assert code == 0 and "Successfully truncated AOF appendonly.aof.1.incr.aof" in out
    p = procs(start_moredis(tmp_path, *ARGS, "--aof-load-truncated", "no"))
    c = p.client()
    assert c.call("EXISTS", "k29") == 1 and c.call("LLEN", "l") == 30


# --- fuzzing the loader ---------------------------------------------------------------------------

def _corrupt(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    kind = rng.randrange(6)
    if kind == 0 and b:  # bit flips
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif kind == 1:  # truncation
        del b[rng.randrange(len(b) + 1):]
    elif kind == 2:  # garbage inserted
        i = rng.randrange(len(b) + 1)
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
    elif kind == 3 and b:  # a byte range deleted
        i = rng.randrange(len(b))
        del b[i:i + rng.randint(1, 30)]
    elif kind == 4:  # digits made huge or negative
        for m in list(re.finditer(rb"[*$]\d+", bytes(b)))[:3]:
            if rng.random() < 0.5:
                b[m.start() + 1:m.end()] = rng.choice([b"99999999999", b"-5", b"0", b"18446744073709551617"])
                break
    else:  # two halves swapped
        i = rng.randrange(len(b) + 1)
        b = b[i:] + b[:i]
    return bytes(b)


def _load_dir(d: Path) -> bytes | None:
    """Load the AOF in `d` into a fresh server: the dataset digest, None if refused."""
    from moredis.engine.digest import dataset_digest
    from moredis.server.admin import StartupError

    s = _fuzz_server(d)
    try:
        s.aof.load_at_startup()
    except StartupError:
        return None
    finally:
        s.aof.close()
    return dataset_digest(s.dbs)


def _fuzz(tmp_path: Path, cases: int, seed: int) -> None:
    src = tmp_path / "src"
    src.mkdir()
    srv = _fuzz_server(src)
    srv.aof.load_at_startup()
    c = srv.internal_client(2)
    for argv in (["SET", "a", "1"], ["RPUSH", "l", "x", "y"], ["MULTI"], ["INCR", "n"], ["HSET", "h", "f", "v"],
                 ["EXEC"], ["SELECT", "2"], ["ZADD", "z", "1", "m"], ["XADD", "s", "1-1", "f", "v"],
                 ["SET", "b", "x" * 300]):
        srv.process_command(c, [a.encode() for a in argv])
    srv.aof.write_buffer()
    srv.aof.close()
    pristine = {n: (src / "appendonlydir" / n).read_bytes() for n in os.listdir(src / "appendonlydir")}
    rng = random.Random(seed)
    refused = 0
    for case in range(cases):
        d = tmp_path / f"case{case}"
        (d / "appendonlydir").mkdir(parents=True)
        target = rng.choice(sorted(pristine))
        for n, data in pristine.items():
            (d / "appendonlydir" / n).write_bytes(_corrupt(rng, data) if n == target else data)
        t0 = time.monotonic()
        first = _load_dir(d)  # only StartupError may come out: anything else fails the test
        assert time.monotonic() - t0 < 10, f"case {case} (seed {seed}): the load took too long"
        if first is None:
            refused += 1
        else:
            # whatever was accepted (a torn tail cut away included) loads again the same way
            assert _load_dir(d) == first, f"case {case} (seed {seed}): a second load differs"
        code, _out = check_files([str(d / "appendonlydir" / "appendonly.aof.manifest")])
        assert code in (0, 1)
        shutil.rmtree(d)
    assert 0 < refused < cases  # the corruptions did bite, and not every one was fatal


def _fuzz_server(d: Path):
    from moredis.server.config import Config
    from moredis.server.server import RedisServer

    conf = Config()
    conf.values["dir"] = str(d)
    conf.values["save"] = []
    conf.values["appendonly"] = True
    s = RedisServer(conf)
    s.log.quiet = True
    return s


def test_loader_fuzz_quick(tmp_path):
    _fuzz(tmp_path, 150, seed=7)


@pytest.mark.slow
def test_loader_fuzz_long(tmp_path):
    _fuzz(tmp_path, 3000, seed=int(time.time()))
