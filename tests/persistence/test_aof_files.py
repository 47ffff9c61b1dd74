"""The AOF between real processes, moredis next to the reference Redis 7.4: the incr
file bytes for the same commands, the rewritten base in command form, each server
loading the other's AOF directory, BGREWRITEAOF replies and INFO, CONFIG SET
appendonly at runtime (the same files and manifests), automatic rewrites, module
types rewritten through aof_rewrite, write errors turning writes away with MISCONF."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from procs import ROOT, Proc, _wait_ready, free_port, start_moredis, start_reference
from rdb_dataset import commands, group_reads

from moredis.persistence.aofread import iter_commands
from moredis.persistence.manifest import Manifest

HELLOTYPE = str(ROOT / "examples" / "modules" / "hellotype.py")
EVENTS = str(Path(__file__).resolve().parent / "aofeventsmod.py")


@pytest.fixture
def procs():
    started: list[Proc] = []

    def track(p: Proc) -> Proc:
        started.append(p)
        return p

    yield track
    for p in started:
        p.stop()


def _dir(tmp_path: Path, name: str) -> Path:
    d = tmp_path / name
    d.mkdir()
    return d


def _aofdir(p: Proc) -> Path:
    return p.dir / "appendonlydir"


def _manifest(p: Proc) -> str:
    return (_aofdir(p) / "appendonly.aof.manifest").read_text()


def _files(p: Proc) -> list[str]:
    return sorted(os.listdir(_aofdir(p)))


def _wait(cond, timeout: float = 30.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def _info(c, field: str) -> bytes:
    for line in c.call("INFO", "persistence").split(b"\r\n"):
        if line.startswith(field.encode() + b":"):
            return line.split(b":", 1)[1]
    raise KeyError(field)


def _rewrite_done(c) -> bool:
    return _info(c, "aof_rewrite_in_progress") == b"0" and _info(c, "aof_rewrite_scheduled") == b"0"


def _state(c, dbs=(0, 1, 9)) -> list:
    """Keys, digests and TTLs of the listed databases."""
    out = []
    for db in dbs:
        c.call("SELECT", str(db))
        keys = sorted(c.call("KEYS", "*"))
        out.append((db, c.call("DEBUG", "DIGEST"), [(k, c.call("DEBUG", "DIGEST-VALUE", k),
                                                      c.call("PEXPIRETIME", k)) for k in keys]))
    c.call("SELECT", "0")
    return out


def _load(c, cmds) -> None:
    for cmd in cmds:
        r = c.call(*cmd)
        assert not isinstance(r, Exception), (cmd, r)


SEQUENCE = [
    ("SET", "s", "v"), ("APPEND", "s", "w"), ("INCR", "n"), ("INCRBYFLOAT", "f", "1.5"), ("GET", "s"),
    ("LPUSH", "l", "a", "b", "c"), ("RPOP", "l"), ("LMOVE", "l", "l2", "LEFT", "RIGHT"),
    ("SADD", "st", "x", "y"), ("SPOP", "st", "5"), ("HSET", "h", "f", "1"), ("HINCRBY", "h", "f", "2"),
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZPOPMIN", "z", "2"), ("ZINCRBY", "z", "1.5", "c"),
    ("XADD", "x", "1-1", "f", "v"), ("XTRIM", "x", "MAXLEN", "0"), ("SETRANGE", "s", "1", "ZZ"),
    ("DEL", "nosuch"), ("DEL", "s"), ("SELECT", "3"), ("SET", "k3", "v3"), ("SELECT", "0"),
    ("MULTI",), ("SET", "t1", "1"), ("SELECT", "5"), ("SET", "t5", "5"), ("INCR", "t5"), ("EXEC",),
    ("SET", "after", "tx"),
    ("EVAL", "redis.call('SET', KEYS[1], 'a'); redis.call('INCR', KEYS[2]); return 1", "2", "e1", "e2"),
    ("EVAL", "return redis.call('GET', KEYS[1])", "1", "e1"),
    ("FLUSHDB",), ("SET", "last", "1"),
    # commands whose replicated form differs from what they received
    ("XADD", "x", "1-1", "f", "v"), ("XADD", "x", "2-1", "f", "v"), ("XGROUP", "CREATE", "x", "g", "0"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "x", ">"), ("XCLAIM", "x", "g", "c2", "0", "1-1", "2-1"),
    ("XAUTOCLAIM", "x", "g", "c3", "0", "0-0", "COUNT", "10"), ("XACK", "x", "g", "1-1"),
    ("HSET", "h", "a", "1", "b", "2", "c", "3"), ("HPEXPIREAT", "h", "1000", "FIELDS", "2", "a", "b"),
    ("HSET", "h2", "a", "1"), ("HEXPIRE", "h2", "0", "FIELDS", "1", "a"),
    ("RPUSH", "l", "a", "b", "c", "d"), ("LMPOP", "1", "l", "LEFT", "COUNT", "2"),
    ("SET", "k", "v"), ("GETEX", "k", "PERSIST"), ("SET", "k", "v2", "GET"), ("EXPIRE", "k", "-1"),
    ("SADD", "s1", "a", "b", "c"), ("SADD", "s2", "b", "c", "d"), ("SINTERSTORE", "s3", "s1", "s2"),
    ("SORT", "s1", "ALPHA", "STORE", "sorted"), ("RENAME", "s3", "s4"), ("MOVE", "s4", "2"),
    ("COPY", "s1", "s5", "DB", "3"), ("SWAPDB", "0", "1"), ("SELECT", "1"), ("SET", "after", "swap"),
    ("FLUSHALL",), ("GEOADD", "geo", "13.361389", "38.115556", "Palermo"), ("PEXPIREAT", "geo", "1"),
    ("SET", "end", "1"),
]


def test_incr_file_matches_redis_byte_for_byte(tmp_path, procs):
    m = procs(start_moredis(_dir(tmp_path, "m"), "--appendonly", "yes"))
    r = procs(start_reference(_dir(tmp_path, "r"), "--appendonly", "yes"))
    cm, cr = m.client(), r.client()
    for cmd in SEQUENCE:
        assert cm.call(*cmd) == cr.call(*cmd), cmd
    mine = (_aofdir(m) / "appendonly.aof.1.incr.aof").read_bytes()
    theirs = (_aofdir(r) / "appendonly.aof.1.incr.aof").read_bytes()
    assert _mask_time(mine) == _mask_time(theirs)
    assert _files(m) == _files(r) and _manifest(m) == _manifest(r)


def _mask_time(data: bytes) -> bytes:
    """XCLAIM's TIME argument is the clock of the moment (the same width, milliseconds)."""
    import re

    return re.sub(rb"\$4\r\nTIME\r\n\$13\r\n\d{13}", b"$4\r\nTIME\r\n$13\r\n<now>", data)


def _normalized(data: bytes) -> list:
    """The commands of a base file with the order Redis does not define taken out."""
    out = []
    for argv, _ in iter_commands(data):
        name = argv[0]
        if name == b"SADD":
            out += [(name, argv[1], x) for x in argv[2:]]
        elif name == b"HMSET":
            out += [(name, argv[1], argv[i], argv[i + 1]) for i in range(2, len(argv), 2)]
        elif name == b"ZADD":
            out += [(name, argv[1], argv[i], argv[i + 1]) for i in range(2, len(argv), 2)]
        elif name == b"XCLAIM":
            out.append(tuple(argv[:7]) + (b"<time>",) + tuple(argv[8:]))
        else:
            out.append(tuple(argv))
    return sorted(out)


def test_rewritten_base_in_command_form_matches_redis(tmp_path, procs):
    args = ("--appendonly", "yes", "--aof-use-rdb-preamble", "no")
    m = procs(start_moredis(_dir(tmp_path, "m"), *args))
    r = procs(start_reference(_dir(tmp_path, "r"), *args))
    cm, cr = m.client(), r.client()
    for c in (cm, cr):
        _load(c, commands() + group_reads())
        assert c.call("BGREWRITEAOF") == b"Background append only file rewriting started"
    for c in (cm, cr):
        _wait(lambda c=c: _rewrite_done(c) and _info(c, "aof_rewrites") == b"1")
    assert _manifest(m) == _manifest(r) == ("file appendonly.aof.2.base.aof seq 2 type b\n"
                                            "file appendonly.aof.2.incr.aof seq 2 type i\n")
    mine = (_aofdir(m) / "appendonly.aof.2.base.aof").read_bytes()
    theirs = (_aofdir(r) / "appendonly.aof.2.base.aof").read_bytes()
    assert _normalized(mine) == _normalized(theirs)


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_each_server_loads_the_others_aof(tmp_path, procs, preamble):
    args = ("--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
    m = procs(start_moredis(_dir(tmp_path, "m"), *args))
    r = procs(start_reference(_dir(tmp_path, "r"), *args))
    cm, cr = m.client(), r.client()
    for c in (cm, cr):
        _load(c, commands()[: len(commands()) // 2])
        assert c.call("BGREWRITEAOF") == b"Background append only file rewriting started"
    for c in (cm, cr):
        _wait(lambda c=c: _rewrite_done(c) and _info(c, "aof_rewrites") == b"1")
        _load(c, commands()[len(commands()) // 2:] + group_reads())  # these go to the incr file
    want = _state(cr)
    assert _state(cm) == want
    for p in (m, r):
        p.kill9()
    # swap: Redis reads what moredis wrote and the other way round
    shutil.copytree(_aofdir(m), tmp_path / "r2" / "appendonlydir")
    shutil.copytree(_aofdir(r), tmp_path / "m2" / "appendonlydir")
    r2 = procs(start_reference(tmp_path / "r2", *args))
    m2 = procs(start_moredis(tmp_path / "m2", *args))
    assert _state(r2.client()) == want
    assert _state(m2.client()) == want


def test_bgrewriteaof_replies_and_info_like_redis(tmp_path, procs):
    args = ("--appendonly", "yes", "--rdb-key-save-delay", "100000")
    m = procs(start_moredis(_dir(tmp_path, "m"), *args))
    r = procs(start_reference(_dir(tmp_path, "r"), *args))
    cm, cr = m.client(), r.client()
    for c in (cm, cr):
        for i in range(20):
            c.call("SET", f"k{i}", "v")
    for cmd in [("BGREWRITEAOF",), ("BGREWRITEAOF",), ("BGSAVE",)]:
        got, want = cm.call(*cmd), cr.call(*cmd)
        assert type(got) is type(want) and str(got) == str(want), (cmd, got, want)
    for c in (cm, cr):
        assert _info(c, "aof_rewrite_in_progress") == b"1"
        assert int(_info(c, "aof_current_rewrite_time_sec")) >= 0
        c.call("CONFIG", "SET", "rdb-key-save-delay", "0")
    # the running child keeps its delay: kill it by turning the AOF off, as Redis does
    for c in (cm, cr):
        assert c.call("CONFIG", "SET", "appendonly", "no") == b"OK"
        assert _info(c, "aof_rewrite_in_progress") == b"0"
        assert c.call("BGSAVE") == b"Background saving started"
        assert c.call("BGREWRITEAOF") == b"Background append only file rewriting scheduled"
        assert _info(c, "aof_rewrite_scheduled") == b"1"
    for c in (cm, cr):
        _wait(lambda c=c: _rewrite_done(c) and _info(c, "rdb_bgsave_in_progress") == b"0")
    names = [ln.split(b":")[0] for ln in cm.call("INFO", "persistence").split(b"\r\n") if b":" in ln]
    want = [ln.split(b":")[0] for ln in cr.call("INFO", "persistence").split(b"\r\n") if b":" in ln]
    assert names == want
    for f in ("aof_enabled", "aof_rewrites", "aof_last_bgrewrite_status", "aof_rewrite_scheduled"):
        assert _info(cm, f) == _info(cr, f), f
    assert _files(m) == _files(r) and _manifest(m) == _manifest(r)
    assert "Background append only file rewriting started by pid" in m.log_text()
    assert "Killing running AOF rewrite child" in m.log_text()


def test_config_set_appendonly_at_runtime_like_redis(tmp_path, procs):
    m = procs(start_moredis(_dir(tmp_path, "m")))
    r = procs(start_reference(_dir(tmp_path, "r")))
    steps = [
        [("SET", "a", "1"), ("CONFIG", "SET", "appendonly", "yes")],
        [("SET", "b", "2"), ("BGREWRITEAOF",)],
        [("CONFIG", "SET", "appendonly", "no"), ("SET", "c", "3"), ("BGREWRITEAOF",)],
        [("CONFIG", "SET", "appendonly", "yes")],
        [("SET", "d", "4")],
    ]
    cm, cr = m.client(), r.client()
    for batch in steps:
        for cmd in batch:
            assert cm.call(*cmd) == cr.call(*cmd), cmd
        for c in (cm, cr):
            _wait(lambda c=c: _rewrite_done(c))
        time.sleep(0.3)  # history files go in the background
        assert _files(m) == _files(r), batch
        assert _manifest(m) == _manifest(r), batch
    assert _info(cm, "aof_enabled") == b"1"
    for p in (m, r):
        p.kill9()
    m2 = procs(start_moredis(m.dir, "--appendonly", "yes"))
    assert sorted(m2.client().call("KEYS", "*")) == [b"a", b"b", b"c", b"d"]
    log = m.log_text()
    for line in ("Creating AOF incr file temp-appendonly.aof.incr on background rewrite",
                 "Successfully renamed the temporary AOF incr file temp-appendonly.aof.incr into "
                 "appendonly.aof.1.incr.aof", "Removing the history file appendonly.aof.1.incr.aof in the background"):
        assert line in log, line


def test_appendonly_start_ignores_dump_rdb_like_redis(tmp_path, procs):
    for start in (start_moredis, start_reference):
        d = _dir(tmp_path, start.__name__)
        p = procs(start(d))
        c = p.client()
        c.call("SET", "k", "v")
        assert c.call("SAVE") == b"OK"
        p.kill9()
        p2 = procs(start(d, "--appendonly", "yes"))
        assert p2.client().call("DBSIZE") == 0, start.__name__


def test_automatic_rewrite_on_growth(tmp_path, procs):
    m = procs(start_moredis(_dir(tmp_path, "m"), "--appendonly", "yes", "--auto-aof-rewrite-min-size", "1kb",
                            "--auto-aof-rewrite-percentage", "100"))
    c = m.client()
    for i in range(50):
        c.call("SET", f"key:{i}", "x" * 100)
    _wait(lambda: _info(c, "aof_rewrites") == b"1" and _rewrite_done(c))
    assert "Starting automatic rewriting of AOF on" in m.log_text()
    assert int(_info(c, "aof_base_size")) > 0
    assert int(_info(c, "aof_current_size")) >= int(_info(c, "aof_base_size"))


def test_module_type_goes_through_aof_rewrite(tmp_path, procs):
    args = ("--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--loadmodule", HELLOTYPE)
    m = procs(start_moredis(_dir(tmp_path, "m"), *args))
    c = m.client()
    for v in (5, -3, 12):
        assert isinstance(c.call("HELLOTYPE.INSERT", "ht", str(v)), int)
    assert c.call("BGREWRITEAOF") == b"Background append only file rewriting started"
    _wait(lambda: _rewrite_done(c) and _info(c, "aof_rewrites") == b"1")
    base = (_aofdir(m) / "appendonly.aof.2.base.aof").read_bytes()
    emitted = [argv for argv, _ in iter_commands(base) if argv[0].upper().startswith(b"HELLOTYPE")]
    assert emitted and all(a[1] == b"ht" for a in emitted)
    m.kill9()
    m2 = procs(start_moredis(m.dir, *args))
    assert m2.client().call("HELLOTYPE.RANGE", "ht", "0", "10") == [-3, 5, 12]


def test_shutdown_fsyncs_and_says_so(tmp_path, procs):
    m = procs(start_moredis(_dir(tmp_path, "m"), "--appendonly", "yes", "--appendfsync", "no"))
    c = m.client()
    c.call("SET", "k", "v")
    try:
        c.call("SHUTDOWN")
    except Exception:
        pass
    m.wait(20)
    assert "Calling fsync() on the AOF file." in m.log_text()
    m2 = procs(start_moredis(m.dir, "--appendonly", "yes"))
    assert m2.client().call("GET", "k") == b"v"


def _start_limited(directory: Path, fsize: int, *args: str) -> Proc:
    """moredis with RLIMIT_FSIZE: writes past `fsize` bytes fail with EFBIG."""
    port = free_port()
    log = directory / "moredis.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "moredis", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
           "--logfile", str(log), "--moredis-builtin-modules", "no", "--save", "", *args]

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    proc = subprocess.Popen(cmd, cwd=str(directory), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, preexec_fn=limit)
    p = Proc("moredis", directory, proc, port, log)
    assert _wait_ready(proc, port, log), p.log_text()
    return p


def test_write_errors_turn_writes_away_with_misconf(tmp_path, procs):
    m = procs(_start_limited(_dir(tmp_path, "m"), 64 * 1024, "--appendonly", "yes"))
    c = m.client()
    assert c.call("SET", "small", "v") == b"OK"
    assert c.call("SET", "big", "x" * 100_000) == b"OK"  # the reply was ready before the write failed
    r = c.call("SET", "other", "v")
    # a short write is cut back and reported as ENOSPC, as flushAppendOnlyFile does
    assert isinstance(r, Exception) and str(r) == "MISCONF Errors writing to the AOF file: No space left on device"
    assert _info(c, "aof_last_write_status") == b"err"
    assert c.call("GET", "small") == b"v"  # reads still work
    assert "Short write while writing to the AOF file: (nwritten=" in m.log_text()
    aof = _aofdir(m) / "appendonly.aof.1.incr.aof"
    assert [a for a, _ in iter_commands(aof.read_bytes())][-1] == [b"SET", b"small", b"v"]  # the torn part removed
    assert c.call("CONFIG", "SET", "appendonly", "no") == b"OK"
    assert c.call("SET", "other", "v") == b"OK"


def test_check_aof_accepts_what_moredis_writes(tmp_path, procs):
    m = procs(start_moredis(_dir(tmp_path, "m"), "--appendonly", "yes"))
    c = m.client()
    _load(c, commands()[:40])
    c.call("BGREWRITEAOF")
    _wait(lambda: _rewrite_done(c) and _info(c, "aof_rewrites") == b"1")
    _load(c, commands()[40:80])
    from procs import reference_bin

    rb = reference_bin()
    if rb is None:
        pytest.skip("reference redis-check-aof unavailable")
    bindir, env = rb
    out = subprocess.run([os.path.join(bindir, "redis-check-aof"), str(_aofdir(m) / "appendonly.aof.manifest")],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stdout
    assert "All AOF files and manifest are valid" in out.stdout
    assert Manifest.read(str(_aofdir(m) / "appendonly.aof.manifest")).base.name.endswith(".base.rdb")


def test_module_events_of_aof_creation_loading_and_rewrite(tmp_path, procs):
    import moredis.module as rm

    d = _dir(tmp_path, "m")
    rec = tmp_path / "events.txt"
    args = ("--appendonly", "yes", "--loadmodule", EVENTS, str(rec))
    m = procs(start_moredis(d, *args))
    c = m.client()
    c.call("SET", "k", "v")
    lines = [ln.split() for ln in rec.read_text().splitlines()]
    me = str(m.proc.pid)
    assert [ev[1:] for ev in lines] == [["persistence", str(rm.SUBEVENT_PERSISTENCE_SYNC_AOF_START)],
                                        ["persistence", str(rm.SUBEVENT_PERSISTENCE_ENDED)]]
    assert {ev[0] for ev in lines} == {me}
    rec.write_text("")
    assert c.call("BGREWRITEAOF") == b"Background append only file rewriting started"
    _wait(lambda: _rewrite_done(c) and _info(c, "aof_rewrites") == b"1")
    lines = [ln.split() for ln in rec.read_text().splitlines()]
    parent = [ev[1:] for ev in lines if ev[0] == me]
    child = [ev[1:] for ev in lines if ev[0] != me]
    assert parent == [["fork-child", str(rm.SUBEVENT_FORK_CHILD_BORN)],
                      ["fork-child", str(rm.SUBEVENT_FORK_CHILD_DIED)]]
    assert child == [["persistence", str(rm.SUBEVENT_PERSISTENCE_AOF_START)],
                     ["persistence", str(rm.SUBEVENT_PERSISTENCE_ENDED)]]
    m.kill9()
    rec.write_text("")
    m2 = procs(start_moredis(d, *args))
    assert m2.client().call("GET", "k") == b"v"
    names = [ln.split()[1:] for ln in rec.read_text().splitlines()]
    assert names[0] == ["loading", str(rm.SUBEVENT_LOADING_AOF_START)]
    assert names[-1] == ["loading", str(rm.SUBEVENT_LOADING_ENDED)]
    assert all(n[0] in ("loading", "loading-progress") for n in names)


def test_writes_nobody_replies_to_reach_the_file(tmp_path, procs):
    """Active expiry deletes a key from the cron: its DEL is written at the end of that loop
    iteration although no reply goes out."""
    m = procs(start_moredis(_dir(tmp_path, "m"), "--appendonly", "yes"))
    c = m.client()
    c.call("SET", "k", "v", "PX", "50")
    incr = _aofdir(m) / "appendonly.aof.1.incr.aof"
    _wait(lambda: [b"DEL", b"k"] in [a for a, _ in iter_commands(incr.read_bytes())], timeout=10)


def test_shutdown_waits_for_the_first_base_like_redis(tmp_path, procs):
    m = procs(start_moredis(_dir(tmp_path, "m"), "--rdb-key-save-delay", "200000"))
    r = procs(start_reference(_dir(tmp_path, "r"), "--rdb-key-save-delay", "200000"))
    for p in (m, r):
        c = p.client()
        for i in range(10):
            c.call("SET", f"k{i}", "v")
        assert c.call("CONFIG", "SET", "appendonly", "yes") == b"OK"
        err = c.call("SHUTDOWN")
        assert isinstance(err, Exception) and str(err) == "ERR Errors trying to SHUTDOWN. Check logs.", p.kind
        assert "Writing initial AOF, can't exit." in p.log_text()
        try:
            c.call("SHUTDOWN", "FORCE")
        except Exception:
            pass
        p.wait(20)
        assert "Writing initial AOF. Exit anyway." in p.log_text()


def test_blocked_client_and_script_select_written_like_redis(tmp_path, procs):
    import threading

    m = procs(start_moredis(_dir(tmp_path, "m"), "--appendonly", "yes"))
    r = procs(start_reference(_dir(tmp_path, "r"), "--appendonly", "yes"))
    for p in (m, r):
        a, b = p.client(), p.client()
        got: list = []
        t = threading.Thread(target=lambda a=a, got=got: got.append(a.call("BLMOVE", "src", "dst", "LEFT", "RIGHT",
                                                                             "5")))
        t.start()
        _wait(lambda b=b: b"blmove" in b.call("CLIENT", "LIST"))
        assert b.call("MULTI") == b"OK"
        b.call("RPUSH", "src", "x", "y")
        b.call("EVAL", "redis.call('SET','k','1') redis.call('SET','k2','2')", "0")
        assert b.call("EXEC") == [2, None]
        t.join(10)
        assert got == [b"x"]
        b.call("EVAL", "redis.call('SELECT', '3') redis.call('SET','k3','3')", "0")
        b.call("SET", "k0", "after script")
    mine = (_aofdir(m) / "appendonly.aof.1.incr.aof").read_bytes()
    assert mine.endswith(b"after script\r\n")  # moredis writes the AOF before replying
    theirs = _aofdir(r) / "appendonly.aof.1.incr.aof"
    # Redis under everysec may postpone its write while a background fsync runs (up to 2 s)
    _wait(lambda: theirs.read_bytes().endswith(b"after script\r\n"), timeout=10)
    assert mine == theirs.read_bytes()
