"""CONFIG, moredis side: the registry's parsing rules (memory units, percentages, unsigned
bounds, clamps, enum synonyms and bit flags, multi-argument values), atomic multi-pair
SET with rollback of the running state, RESETSTAT, and REWRITE — as unit tests of the
file rewriting (the layouts Redis 7.4 produced for the same files) and on a real
`python -m moredis <file>` process. Byte-for-byte comparisons with Redis are in
tests/differential/test_diff_server.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import Err, Harness
from respclient import RawClient

from moredis.cli import parse_command_line
from moredis.engine import notify as N
from moredis.server.config import Config, ConfigError, format_memory, memtoull, repr_string, rewrite_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def h():
    return Harness()


def _get(h, name):
    return h("config", "get", name)


# --- GET --------------------------------------------------------------------------------------

def test_get_exact_glob_alias_hidden(h):
    assert _get(h, "MAXMEMORY") == {b"MAXMEMORY": b"0"}
    assert h("config", "get", "maxmemory", "MAXMEMORY", "maxmem*").keys() >= {b"maxmemory"}
    assert len(h("config", "get", "maxmemory", "MAXMEMORY")) == 1
    assert _get(h, "slave-read-only") == {b"slave-read-only": b"yes"}
    assert set(_get(h, "*ziplist*")) == {b"hash-max-ziplist-entries", b"hash-max-ziplist-value",
                                         b"zset-max-ziplist-entries", b"zset-max-ziplist-value",
                                         b"list-max-ziplist-size"}
    assert _get(h, "key-load-delay") == {b"key-load-delay": b"0"}
    assert _get(h, "*load-delay*") == {}
    assert _get(h, "") == {}
    names = h("config", "get", "*")
    assert len(names) == 202 and b"replicaof" in names and b"watchdog-period" not in names


# --- SET: parsing -----------------------------------------------------------------------------

def test_memtoull_rules():
    assert [memtoull(x) for x in ("", "kb", "1", "1k", "1KB", "2gb", "2G", "007")] == \
        [0, 0, 1, 1000, 1024, 2 << 30, 2 * 10**9, 7]
    assert [memtoull(x) for x in ("-1", "1.5", " 5", "5 ", "1tb", "18446744073709551616")] == [None] * 6
    assert memtoull("18446744073709551615") == 2**64 - 1
    assert [format_memory(n) for n in (0, 1, 1024, 3 << 20, 5 << 30, 1025)] == ["0", "1", "1kb", "3mb", "5gb", "1025"]
    assert repr_string('a b"c\\\n\x01') == '"a b\\"c\\\\\\n\\x01"'


def test_numbers_units_bounds_and_clamps(h):
    srv = h.srv
    assert h("config", "set", "maxmemory", "2mb") == b"OK"
    assert srv.maxmemory == 2 << 20 and srv.guard
    assert h("config", "set", "maxmemory", "9223372036854775808") == b"OK"  # unsigned 64-bit
    assert _get(h, "maxmemory") == {b"maxmemory": b"9223372036854775808"}
    h("config", "set", "maxmemory", "0")
    assert not srv.guard
    assert h("config", "set", "maxmemory-clients", "10%") == b"OK"
    assert _get(h, "maxmemory-clients") == {b"maxmemory-clients": b"10%"}
    assert h("config", "set", "maxmemory-clients", "101%") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
        "percentage argument must be less or equal to 100")
    assert h("config", "set", "hz", "600") == b"OK"
    assert _get(h, "hz") == {b"hz": b"500"} and srv.hz == 500
    assert h("config", "set", "hz", "0") == b"OK"
    assert srv.hz == 1
    assert h("config", "set", "hz", "-1") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'hz') - "
        "argument must be between 0 and 2147483647 inclusive")
    assert h("config", "set", "repl-backlog-size", "1") == b"OK"
    assert _get(h, "repl-backlog-size") == {b"repl-backlog-size": b"16384"}
    assert h("config", "set", "timeout", "9223372036854775808") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer")
    assert h("config", "set", "slowlog-max-len", "-1") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - "
        "argument must be between 0 and 9223372036854775807 inclusive")
    assert h("config", "set", "hash-max-listpack-value", "1k") == b"OK"  # a memory config
    assert _get(h, "hash-max-ziplist-value") == {b"hash-max-ziplist-value": b"1000"}


def test_enums_flags_and_lists(h):
    assert h("config", "set", "oom-score-adj", "relative") == b"OK"
    assert _get(h, "oom-score-adj") == {b"oom-score-adj": b"yes"}  # a synonym of yes
    assert h("config", "set", "appendfsync", "x") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - "
        "argument(s) must be one of the following: everysec, always, no")
    assert h("config", "set", "shutdown-on-sigterm", "NOW nosave force") == b"OK"
    assert _get(h, "shutdown-on-sigterm") == {b"shutdown-on-sigterm": b"nosave now force"}
    assert h("config", "set", "shutdown-on-sigterm", "default") == b"OK"
    assert h("config", "set", "shutdown-on-sigterm", "save nosave") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigterm') - "
        "shutdown options SAVE and NOSAVE can't be used simultaneously")
    assert h("config", "set", "save", "5 ") == b"OK"  # "" after the space is strtoll's 0
    assert _get(h, "save") == {b"save": b"5 0"}
    assert h("config", "set", "save", "") == b"OK"
    assert _get(h, "save") == {b"save": b""}
    assert h("config", "set", "client-output-buffer-limit", "pubsub 1kb 2mb 3") == b"OK"
    assert _get(h, "client-output-buffer-limit") == {
        b"client-output-buffer-limit": b"normal 0 0 0 slave 268435456 67108864 60 pubsub 1024 2097152 3"}
    assert h("config", "set", "oom-score-adj-values", "1  2") == b"OK"  # two spaces: an empty 0
    assert _get(h, "oom-score-adj-values") == {b"oom-score-adj-values": b"1 0 2"}
    assert h("config", "set", "latency-tracking-info-percentiles", "1e2 50.5") == b"OK"
    assert _get(h, "latency-tracking-info-percentiles") == {b"latency-tracking-info-percentiles": b"100 50.5"}
    assert h("config", "set", "proc-title-template", "{title}") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - "
        "template format is invalid or contains unknown variables")


def test_notify_keyspace_events_hides_n(h):
    assert h("config", "set", "notify-keyspace-events", "KEAn") == b"OK"
    assert _get(h, "notify-keyspace-events") == {b"notify-keyspace-events": b"AKE"}
    assert h.srv.notify_flags & N.NEW  # still active, only not shown (as in Redis 7.4)


# --- SET: atomicity -------------------------------------------------------------------------

def test_set_is_all_or_nothing(h):
    srv = h.srv
    assert h("config", "set", "hz", "42", "slowlog-log-slower-than", "7", "maxmemory", "oops") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")
    assert srv.hz == 10 and srv.slowlog_threshold_us == 10000
    # a value refused while being applied (not parsed) rolls back the ones applied before it
    assert h("config", "set", "hz", "42", "locale-collate", "no_SUCH.locale") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'locale-collate') - Invalid locale name")
    assert srv.hz == 10 and _get(h, "hz") == {b"hz": b"10"}
    assert h("config", "set", "hz", "42", "slowlog-log-slower-than", "7") == b"OK"
    assert srv.hz == 42 and srv.slowlog_threshold_us == 7
    assert h("config", "set", "hz", "1", "HZ", "2") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter")
    assert h("config", "set", "hz", "1", "nosuch", "2") == Err(
        "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")
    assert h("config", "set", "hz", "1", "daemonize", "yes") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config")
    assert h("config", "set", "dir", "/") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config")
    assert h("config", "set", "hz", "1", "maxmemory") == Err("ERR syntax error")
    srv.loading = True
    try:
        assert h("config", "set", "appendonly", "yes") == Err("LOADING Redis is loading the dataset in memory")
    finally:
        srv.loading = False


def test_protected_configs_local_mode():
    cfg = Config()
    cfg.values["enable-protected-configs"] = "local"

    class C:
        addr = "127.0.0.1:5000"
        unix = False

    class Remote(C):
        addr = "10.0.0.1:5000"

    cfg.set_many([("dbfilename", "x.rdb")], client=C())
    assert cfg["dbfilename"] == "x.rdb"
    with pytest.raises(Exception, match="can't set protected config"):
        cfg.set_many([("dbfilename", "y.rdb")], client=Remote())


# --- RESETSTAT ------------------------------------------------------------------------------

def test_resetstat(h):
    h("set", "a", "1")
    h("get", "a")
    h("get", "nope")
    h("nosuchcommand")
    h("config", "set", "slowlog-log-slower-than", "0")
    h("ping")
    srv = h.srv
    assert srv.stat_numcommands and srv.stat_keyspace_hits and srv.errorstats
    slowlog_len = len(srv.slowlog)
    assert h("config", "resetstat") == b"OK"
    assert srv.stat_keyspace_hits == srv.stat_keyspace_misses == 0
    assert srv.errorstats == {}
    lines = h("info", "commandstats").decode().splitlines()
    assert len(lines) == 2 and lines[1].startswith("cmdstat_config|resetstat:calls=1,usec=")
    assert lines[1].endswith(",rejected_calls=0,failed_calls=0")
    assert len(srv.slowlog) >= slowlog_len  # the slow log is not a statistic
    assert "errorstat_" not in h("info", "errorstats").decode()


# --- REWRITE ----------------------------------------------------------------------------------

def test_rewrite_without_config_file(h):
    assert h("config", "rewrite") == Err("ERR The server is running without a config file")


def _startup(path: Path) -> Config:
    return parse_command_line([str(path)]).config


def test_rewrite_layout_like_redis(tmp_path):
    """The same file and changes Redis 7.4 was given, and the lines it wrote back."""
    conf = tmp_path / "r.conf"
    conf.write_text("# my config\nport 7777\nbind 127.0.0.1\n\nsave 900 1\nsave 300 10\nmaxmemory 1000000\n"
                    "hz 20\nhz 30\nrename-command lastsave LS\n# trailing comment\n")
    cfg = _startup(conf)
    cfg.set_many([("maxmemory", "100mb"), ("hz", "10"), ("requirepass", 'a b"c'), ("save", "100 5")])
    rewrite_config(None, str(conf), cfg)
    lines = conf.read_text().split("\n")
    assert lines[:13] == ["# my config", "port 7777", "bind 127.0.0.1", "", "save 100 5", "",
                          "maxmemory 100mb", "hz 10", "", "rename-command lastsave LS", "# trailing comment",
                          "", "# Generated by CONFIG REWRITE"]
    added = lines[13:]
    assert added[-1] == ""
    assert set(added[:-1]) == {'requirepass "a b\\"c"', "latency-tracking-info-percentiles 50 99 99.9",
                               f"dir {repr_string(os.getcwd())}"}
    # a second rewrite with everything back at defaults: lines in the file stay, at their values
    cfg.set_many([("save", ""), ("maxmemory", "0"), ("notify-keyspace-events", "")])
    rewrite_config(None, str(conf), cfg)
    text = conf.read_text()
    assert 'save ""\n' in text and "maxmemory 0\n" in text and "notify-keyspace-events" not in text
    assert text.count("# Generated by CONFIG REWRITE") == 1


def test_rewrite_multi_line_options_like_redis(tmp_path):
    conf = tmp_path / "s.conf"
    conf.write_text('port 7777\nsave ""\nappendonly no\nclient-output-buffer-limit pubsub 32mb 8mb 60\n'
                    "slave-read-only yes\n")
    cfg = _startup(conf)
    cfg.set_many([("client-output-buffer-limit", "normal 1mb 2mb 3"), ("slave-read-only", "no"),
                  ("bind", "127.0.0.1 -::1"), ("notify-keyspace-events", "Ex"), ("maxmemory-clients", "5%"),
                  ("shutdown-on-sigterm", "save now"), ("ignore-warnings", "x y")])
    rewrite_config(None, str(conf), cfg)
    lines = conf.read_text().split("\n")
    # each class line reuses the old line first (Redis's quirk), the alias becomes the real name
    assert lines[:5] == ["port 7777", 'save ""', "appendonly no", "client-output-buffer-limit normal 1mb 2mb 3",
                         "replica-read-only no"]
    assert set(lines[7:-1]) == {"bind 127.0.0.1 -::1", 'notify-keyspace-events "xE"', "maxmemory-clients 5%",
                                "shutdown-on-sigterm save now", 'ignore-warnings "x y"',
                                "latency-tracking-info-percentiles 50 99 99.9", f"dir {repr_string(os.getcwd())}"}
    assert lines[5:7] == ["", "# Generated by CONFIG REWRITE"]
    again = _startup(conf)
    for name in ("client-output-buffer-limit", "replica-read-only", "bind", "notify-keyspace-events",
                 "maxmemory-clients", "shutdown-on-sigterm", "ignore-warnings"):
        assert again.get_formatted(name) == cfg.get_formatted(name), name


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_rewrite_on_a_real_server(tmp_path):
    port = _free_port()
    conf = tmp_path / "moredis.conf"
    conf.write_text("# kept\nbind 127.0.0.1\nhz 20\nsave \"\"\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "moredis", str(conf), "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        c = None
        for _ in range(150):
            try:
                c = RawClient(port=port)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"moredis exited: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        assert c is not None
        assert c.call("CONFIG", "SET", "hz", "15", "maxmemory", "2mb", "notify-keyspace-events", "KEA") == b"OK"
        assert c.call("CONFIG", "REWRITE") == b"OK"
        text = conf.read_text()
        assert text.startswith('# kept\nbind 127.0.0.1\nhz 15\nsave ""\n\n# Generated by CONFIG REWRITE\n')
        assert "maxmemory 2mb\n" in text and 'notify-keyspace-events "AKE"\n' in text
        assert f"port {port}\n" in text and f"dir {repr_string(str(tmp_path))}\n" in text
        info = c.call("INFO", "server").decode()
        assert f"config_file:{conf}" in info
        c.sock.sendall(RawClient.encode(("SHUTDOWN", "NOSAVE")))
        c.sock.settimeout(10)
        assert c.sock.recv(10) == b""
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    again = _startup(conf)
    assert again["hz"] == 15 and again["maxmemory"] == 2 << 20 and again["port"] == port
    assert again.get_formatted("notify-keyspace-events") == "AKE"


def test_rewrite_error_is_reported(h, tmp_path):
    h.srv.config_file = str(tmp_path / "missing-dir" / "x.conf")
    assert h("config", "rewrite") == Err("ERR Rewriting config file: No such file or directory")


def test_from_file_errors():
    cfg = Config()
    with pytest.raises(ConfigError):
        cfg.set_from_file("hz", ["1", "2"])
    with pytest.raises(ConfigError, match="argument must be a memory value"):
        cfg.set_from_file("maxmemory", ["-1"])


def test_sigterm_follows_shutdown_on_sigterm(tmp_path):
    """SIGTERM stops the server; with shutdown-on-sigterm it passes the configured flags."""
    import signal

    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "moredis", "--port", str(port), "--bind", "127.0.0.1",
                             "--shutdown-on-sigterm", "nosave", "now", "--save", ""], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            try:
                c = RawClient(port=port)
                break
            except OSError:
                time.sleep(0.1)
        assert c.call("CONFIG", "GET", "shutdown-on-sigterm") == [b"shutdown-on-sigterm", b"nosave now"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert b"Received SIGTERM scheduling shutdown" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_dir_changes_directory_and_rolls_back(tmp_path):
    cfg = Config()
    cfg.values["enable-protected-configs"] = "yes"
    here = os.getcwd()
    try:
        cfg.set_many([("dir", str(tmp_path))])
        assert os.getcwd() == str(tmp_path) and cfg.get_formatted("dir") == str(tmp_path)
        with pytest.raises(Exception, match="argument must be a memory value"):
            cfg.set_many([("dir", here), ("maxmemory", "x")])
        assert os.getcwd() == str(tmp_path)
        (tmp_path / "f").write_text("")
        with pytest.raises(Exception, match="Not a directory"):
            cfg.set_many([("dir", str(tmp_path / "f"))])
        with pytest.raises(Exception, match="No such file or directory"):
            cfg.set_many([("dir", "")])
    finally:
        os.chdir(here)


def test_embedded_dir_checks_without_changing_directory(tmp_path):
    """An embedded server shares the caller's process: `dir` is checked with chdir's
    error texts but the working directory stays the caller's."""
    cfg = Config()
    cfg.chdir = False
    cfg.values["enable-protected-configs"] = "yes"
    here = os.getcwd()
    cfg.set_many([("dir", str(tmp_path))])
    assert os.getcwd() == here and cfg.get_formatted("dir") == str(tmp_path)
    (tmp_path / "f").write_text("")
    with pytest.raises(Exception, match="Not a directory"):
        cfg.set_many([("dir", str(tmp_path / "f"))])
    with pytest.raises(Exception, match="No such file or directory"):
        cfg.set_many([("dir", str(tmp_path / "missing"))])
    assert cfg.get_formatted("dir") == str(tmp_path)


def test_embedded_server_keeps_its_files_out_of_the_working_directory(tmp_path, monkeypatch):
    import redis

    import moredis

    monkeypatch.chdir(tmp_path)
    with moredis.Server() as srv:
        r = redis.Redis(port=srv.port)
        r.set("k", "v")
        assert r.save()
        files_dir = r.config_get("dir")["dir"]
        assert os.path.exists(os.path.join(files_dir, "dump.rdb"))
        assert r.execute_command("DEBUG", "RELOAD") == b"OK" and r.get("k") == b"v"
        r.close()
    assert os.getcwd() == str(tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert not os.path.exists(files_dir)
