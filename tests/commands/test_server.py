"""Server administration commands, moredis side: SWAPDB (watchers, blocked clients, TTLs),
MONITOR through a second connection, SHUTDOWN of a real server, SLOWLOG trimming, the
latency monitor and its graph, the per-command latency histograms (HdrHistogram
arithmetic checked against numbers Redis printed), MEMORY, TIME and LASTSAVE.
Byte-for-byte comparisons with Redis are in tests/differential/test_diff_server.py."""

from __future__ import annotations

import re
import socket
import time

import pytest
from harness import Err, Harness
from respclient import RawClient

from moredis.server import latency as L
from moredis.server import memory as M


@pytest.fixture
def h():
    return Harness()


# --- SWAPDB ---------------------------------------------------------------------------------

def test_swapdb_moves_contents_ttls_and_keeps_selection(h):
    h("set", "a", "1")
    h("pexpire", "a", 100000)
    h("select", "1")
    h("set", "b", "2")
    assert h("swapdb", "0", "1") == b"OK"
    assert h("get", "a") == b"1"  # this client stays on db 1, which now holds db 0's keys
    assert 0 < h("pttl", "a") <= 100000
    assert h("get", "b") is None
    h("select", "0")
    assert h("get", "b") == b"2"
    assert h("pttl", "b") == -1
    assert h.srv.dirty >= 3
    assert h("swapdb", "0", "16") == Err("ERR DB index is out of range")
    assert h("swapdb", "x", "0") == Err("ERR invalid first DB index")
    assert h("swapdb", "0", "x") == Err("ERR invalid second DB index")


def test_swapdb_moves_hash_field_expiry(h):
    clock = [1_700_000_000_000]
    h.srv.mstime = lambda: clock[0]
    h("hset", "h", "f", "v", "g", "w")
    h("hpexpire", "h", "100", "FIELDS", "1", "f")
    h("swapdb", "0", "1")
    assert h("info", "keyspace") == b"# Keyspace\r\ndb1:keys=1,expires=0,avg_ttl=0,subexpiry=1\r\n"
    clock[0] += 200
    h.srv.cron()  # active field expiry finds the hash in its new database
    assert h("info", "keyspace") == b"# Keyspace\r\ndb1:keys=1,expires=0,avg_ttl=0,subexpiry=0\r\n"
    h("select", "1")
    assert h("hgetall", "h") == {b"g": b"w"}


def test_swapdb_serves_blocked_clients(srv, r):
    """A client blocked on a key in db 1 is served when SWAPDB brings the key there."""
    waiter = RawClient(port=srv.port)
    waiter.call("SELECT", "1")
    waiter.sock.sendall(RawClient.encode(("BZPOPMIN", "z", "5")))
    time.sleep(0.1)
    r.zadd("z", {"m": 1})
    assert r.swapdb(0, 1)
    waiter.sock.settimeout(3)
    assert waiter.read() == [b"z", b"m", b"1"]
    waiter.close()
    r.execute_command("SELECT", "1")
    assert r.exists("z") == 0
    r.execute_command("FLUSHALL")


def test_swapdb_breaks_watch_on_either_side(srv, r):
    a = RawClient(port=srv.port)
    r.execute_command("SELECT", "1")
    r.set("w", "x")
    a.call("WATCH", "w")  # w does not exist in db 0: the key arriving counts as a change
    a.call("MULTI")
    a.call("PING")
    r.swapdb(0, 1)
    assert a.call("EXEC") is None
    a.close()
    r.execute_command("FLUSHALL")


# --- MONITOR --------------------------------------------------------------------------------

LINE = re.compile(r'^(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$')


def _read_until(c: RawClient, predicate, limit: float = 3.0) -> list:
    out = []
    end = time.time() + limit
    c.sock.settimeout(limit)
    while time.time() < end:
        msg = c.read()
        out.append(msg)
        if predicate(msg):
            break
    return out


def test_monitor_shows_other_clients_and_itself(srv):
    mon = RawClient(port=srv.port)
    assert mon.call("MONITOR") == b"OK"
    other = RawClient(port=srv.port)
    other.call("SELECT", "5")
    other.call("SET", "k\x00", "v\n\"x\"")
    other.call("AUTH", "nope")
    other.call("CONFIG", "GET", "hz")  # admin commands are not shown
    other.call("NOSUCHCOMMAND")  # nor rejected ones
    mon.sock.sendall(RawClient.encode(("MONITOR",)))  # already a monitor: no reply at all
    mon.sock.sendall(RawClient.encode(("ECHO", "me")))
    msgs = _read_until(mon, lambda m: isinstance(m, bytes) and m.endswith(b'"me"'))
    lines = [m.decode() for m in msgs if m not in (b"me",)]
    parsed = [LINE.match(x) for x in lines]
    assert all(parsed), lines
    assert [p.group(5) for p in parsed] == ['"SELECT" "5"', '"SET" "k\\x00" "v\\n\\"x\\""',
                                           '"AUTH" "(redacted)"', '"ECHO" "me"']
    assert parsed[1].group(3) == "5"
    assert parsed[1].group(4) == "127.0.0.1:%d" % other.sock.getsockname()[1]
    assert abs(int(parsed[0].group(1)) - time.time()) < 5
    assert b"me" in msgs  # ECHO's own reply came before its MONITOR line
    assert msgs.index(b"me") < len(msgs) - 1
    assert mon.call("RESET") == b"RESET"  # RESET leaves monitor mode
    other.call("PING")
    assert mon.call("PING") == b"PONG"
    mon.close()
    other.close()
    assert not srv.core.monitors


def test_monitor_client_disconnect_unregisters(srv):
    mon = RawClient(port=srv.port)
    mon.call("MONITOR")
    assert len(srv.core.monitors) == 1 and srv.core.guard
    mon.close()
    for _ in range(50):
        if not srv.core.monitors:
            break
        time.sleep(0.02)
    assert not srv.core.monitors


# --- SHUTDOWN -------------------------------------------------------------------------------

def test_shutdown_closes_without_reply(fresh_server):
    c = RawClient(port=fresh_server.port)
    assert str(c.call("SHUTDOWN", "ABORT")) == "ERR No shutdown in progress."
    c.sock.sendall(RawClient.encode(("SHUTDOWN", "NOSAVE", "NOW")))
    c.sock.settimeout(5)
    assert c.sock.recv(100) == b""  # closed, nothing written
    c.close()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", fresh_server.port), timeout=0.2).close()
        except OSError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("server still accepting connections after SHUTDOWN")


def test_shutdown_argument_errors(h):
    assert h("shutdown", "abort") == Err("ERR No shutdown in progress.")
    assert h("shutdown", "abort", "now") == Err("ERR syntax error")
    assert h("shutdown", "save", "nosave") == Err("ERR syntax error")
    assert h("shutdown", "bogus") == Err("ERR syntax error")
    assert h("multi") == b"OK"
    assert h("shutdown") == Err("ERR Command not allowed inside a transaction")


# --- SLOWLOG --------------------------------------------------------------------------------

def test_slowlog_entries_and_trimming(h):
    h("config", "set", "slowlog-log-slower-than", "0")
    h("slowlog", "reset")
    h("set", "k", "x" * 200)
    h("mset", *[f"a{i}" for i in range(40)])
    entries = h("slowlog", "get", "-1")
    assert [e[3][0] for e in entries][:2] == [b"mset", b"set"]
    mset = entries[0][3]
    assert len(mset) == 32 and mset[31] == b"... (10 more arguments)" and mset[30] == b"a29"
    assert entries[1][3][2] == b"x" * 128 + b"... (72 more bytes)"
    assert entries[0][0] > entries[1][0]  # ids grow
    last_id = entries[0][0]
    assert h("slowlog", "reset") == b"OK"
    h("ping")
    first = h("slowlog", "get")
    assert first[-1][0] > last_id  # ids keep counting after a reset
    h("config", "set", "slowlog-max-len", "1")
    assert h("slowlog", "len") == 1
    h("config", "set", "slowlog-log-slower-than", "-1")
    h("ping")
    assert h("slowlog", "len") == 1
    assert h("slowlog", "get", "x") == Err("ERR count should be greater than or equal to -1")


def test_slowlog_redacts_secrets(h):
    h("config", "set", "slowlog-log-slower-than", "0")
    h("auth", "a", "b")
    h("config", "set", "masterauth", "secret", "hz", "11")
    got = [e[3] for e in h("slowlog", "get", "3")]
    assert [b"config", b"set", b"masterauth", b"(redacted)", b"hz", b"11"] in got
    assert [b"auth", b"(redacted)", b"(redacted)"] in got


# --- latency monitor --------------------------------------------------------------------------

def test_latency_events_recorded_by_call(h):
    srv = h.srv
    h("config", "set", "latency-monitor-threshold", "1")
    assert srv.latency_threshold_us == 1000
    cmd = srv.table[b"ping"]
    real = cmd.handler
    cmd.handler = lambda c, argv: (time.sleep(0.003), real(c, argv))
    try:
        h("ping")
    finally:
        cmd.handler = real
    latest = h("latency", "latest")
    assert [e[0] for e in latest] == [b"fast-command"]  # PING is a fast command
    assert latest[0][2] >= 3 and latest[0][3] >= 3
    assert len(h("latency", "history", "fast-command")) == 1
    assert h("latency", "reset", "fast-command", "nosuch") == 1
    h("config", "set", "latency-monitor-threshold", "0")
    assert srv.latency_threshold_us > 1 << 60


def test_latency_with_debug_sleep(srv, r):
    r.execute_command("DEBUG", "SLEEP", "0")
    try:
        r.execute_command("LATENCY", "RESET")
        r.config_set("latency-monitor-threshold", 5)
        r.execute_command("DEBUG", "SLEEP", "0.02")
        latest = r.execute_command("LATENCY", "LATEST")
        assert [e[0] for e in latest] == [b"command"]
        assert latest[0][2] >= 20
    finally:
        r.config_set("latency-monitor-threshold", 0)
        r.execute_command("LATENCY", "RESET")


def test_latency_sample_rules():
    srv = Harness().srv
    L.add_sample(srv, "x", 5)
    L.add_sample(srv, "x", 9)  # same second: raises the sample
    L.add_sample(srv, "x", 3)
    ts = srv.latency_events["x"]
    assert [s[1] for s in ts] == [9] and ts.max == 9
    ts[-1][0] -= 1
    L.add_sample(srv, "x", 4)
    assert [s[1] for s in ts] == [9, 4] and ts.max == 9
    for i in range(200):
        ts.append([i, 1])
    assert len(ts) == L.TS_LEN


def test_latency_graph_matches_redis_layout():
    ts = L.LatencySeries()
    ts.append([int(time.time()), 50])
    ts.max = 50
    # what Redis 7.4 answered for one 50 ms sample taken this second
    assert L.graph("command", ts) == ("command - high 50 ms, low 50 ms (all time high 50 ms)\n" + "-" * 80 + "\n"
                                      " \n \n \n_\n \n0\ns\n")
    # five samples one second apart, as Redis 7.4 drew them
    now = int(time.time())
    ts2 = L.LatencySeries()
    for ago, ms in ((5, 30), (4, 10), (3, 20), (2, 45), (1, 5)):
        ts2.append([now - ago, ms])
    ts2.max = 45
    assert L.graph("command", ts2) == (
        "command - high 45 ms, low 5 ms (all time high 45 ms)\n" + "-" * 80 + "\n"
        "   # \no  | \n| o| \n|o||_\n     \n54321\nsssss\n")


def test_latency_doctor_texts(h):
    assert "off" in h("latency", "doctor").decode()
    h("config", "set", "latency-monitor-threshold", "5")
    L.add_sample(h.srv, "command", 12)
    text = h("latency", "doctor").decode()
    assert "command: 1 spikes" in text and "Worst ever 12ms" in text


# --- command latency histograms (checked against what Redis printed) ----------------------------

def test_hdr_percentiles_match_redis():
    assert L.percentiles_line({1: 1}, [50.0, 99.0, 99.9]) == "p50=1.003,p99=1.003,p99.9=1.003"
    assert L.percentiles_line({0: 3}, [50.0]) == "p50=0.001"
    assert L.percentiles_line({16: 1}, [50.0]) == "p50=16.063"
    assert L.percentiles_line({75: 1}, [50.0]) == "p50=75.263"
    assert L.percentiles_line({448: 1}, [99.9]) == "p99.9=448.511"
    assert L.percentiles_line({0: 98, 1: 1, 5: 1}, [50.0, 99.0, 99.9, 0.0]) == \
        "p50=0.001,p99=1.003,p99.9=5.023,p0=0.001"
    assert L.percentiles_line({1: 1}, [12.5]) == "p12.5=1.003"
    assert L.percentiles_line({70: 1}, [0.0, 50.0, 100.0]) == "p0=69.632,p50=70.143,p100=70.143"
    assert L.percentiles_line({1: 1, 2: 2}, [0.0, 50.0, 100.0]) == "p0=1.000,p50=2.007,p100=2.007"


def test_hdr_buckets_match_redis():
    assert L.cumulative_buckets({0: 1}) == [(1, 1)]
    assert L.cumulative_buckets({3: 1}) == [(4, 1)]
    assert L.cumulative_buckets({60: 1}) == [(66, 1)]
    assert L.cumulative_buckets({100: 1}) == [(132, 1)]
    assert L.cumulative_buckets({1000: 1}) == [(1056, 1)]
    assert L.cumulative_buckets({1: 2, 3: 1, 20: 4}) == [(1, 2), (4, 3), (33, 7)]


def test_latencystats_follow_calls(h):
    for _ in range(4):
        h("set", "a", "b")
    info = h("info", "latencystats").decode()
    line = [x for x in info.split("\r\n") if x.startswith("latency_percentiles_usec_set:")]
    assert len(line) == 1
    assert re.fullmatch(r"latency_percentiles_usec_set:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}", line[0])
    hist = h("latency", "histogram", "set")
    assert hist[b"set"][b"calls"] == 4
    h("config", "set", "latency-tracking", "no")
    h("set", "a", "b")
    assert h("latency", "histogram", "set")[b"set"][b"calls"] == 4
    h("config", "set", "latency-tracking", "yes")
    h("config", "resetstat")
    assert h("latency", "histogram", "set") == {}
    assert "latency_percentiles_usec_set" not in h("info", "latencystats").decode()


# --- MEMORY ---------------------------------------------------------------------------------

def test_memory_usage_strings_like_redis(h):
    # numbers Redis 7.4 (jemalloc, 8-byte quantum) answered for these keys and values
    cases = [("mu:k", "v", 56), ("mu:k", "12345", 48), ("mu:k", "a" * 20, 72), ("mu:k", "a" * 44, 96),
             ("mu:k", "a" * 45, 104), ("mu:k", "a" * 100, 160), ("mu:k", "a" * 1000, 1072),
             ("mu:ab", "1", 48), ("mu:abcd", "1", 56), ("mu:" + "k" * 30, "1", 80), ("mu:" + "k" * 35, "v", 96)]
    for key, value, size in cases:
        h("set", key, value)
        assert h("memory", "usage", key) == size, (key, value)
    h("set", "n", "5")
    h("append", "n", "x")
    assert h("memory", "usage", "n") == 56  # raw "5x": 24, key "n": 8, dict entry: 24
    assert h("memory", "usage", "nokey") is None
    assert h("memory", "usage", "n", "samples", "-1") == Err("ERR syntax error")


def test_memory_usage_other_types(h):
    class Thing(list):
        pass

    h.srv.dbs[0].data[b"t"] = Thing([b"x" * 10] * 100)
    got = h("memory", "usage", "t")
    assert got > 100 * 10
    assert h("memory", "usage", "t", "samples", "0") == got  # uniform elements: same estimate


def test_memory_stats_and_doctor(h):
    h("set", "k", "v")
    stats = h("memory", "stats")
    assert stats[b"keys.count"] == 1
    assert set(stats[b"db.0"]) == {b"overhead.hashtable.main", b"overhead.hashtable.expires"}
    assert stats[b"total.allocated"] >= stats[b"startup.allocated"] > 0
    assert isinstance(h.raw("memory", "stats").value[stats_index(h)].value, float)
    assert h("memory", "doctor").endswith(b"\n")
    assert h("memory", "malloc-stats").startswith(b"moredis allocator statistics")
    assert h("memory", "purge") == b"OK"


def stats_index(h):
    names = h.raw("memory", "stats").value[::2]
    return [n.value for n in names].index(b"dataset.percentage") * 2 + 1


def test_memory_helpers():
    assert [M.jemalloc_size(n) for n in (1, 8, 9, 21, 40, 64, 65, 104, 1006, 1025)] == \
        [8, 8, 16, 24, 40, 64, 80, 112, 1024, 1280]
    assert M.human(1023) == "1023B" and M.human(1024) == "1.00K" and M.human(16703488) == "15.93M"


# --- TIME / LASTSAVE ------------------------------------------------------------------------

def test_time_and_lastsave(h):
    sec, usec = h("time")
    assert abs(int(sec) - time.time()) < 5 and 0 <= int(usec) < 1_000_000
    assert h("lastsave") == h.srv.lastsave


# --- CONFIG SET port / bind on a running server ---------------------------------------------

def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _connect(port: int) -> RawClient | None:
    for _ in range(50):
        try:
            return RawClient(port=port)
        except OSError:
            time.sleep(0.02)
    return None


def test_config_set_port_and_bind_reopen_listeners(fresh_server):
    old = fresh_server.port
    c = RawClient(port=old)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    assert str(c.call("CONFIG", "SET", "port", str(busy.getsockname()[1]))) == (
        "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. "
        "Check server logs.")
    busy.close()
    assert str(c.call("CONFIG", "SET", "bind", "192.0.2.1")) == (
        "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.")
    assert c.call("CONFIG", "GET", "bind") == [b"bind", b"127.0.0.1"]
    assert RawClient(port=old).call("PING") == b"PONG"  # still served after the refusals
    new = _free_port()
    assert c.call("CONFIG", "SET", "port", str(new)) == b"OK"
    d = _connect(new)
    assert d is not None and d.call("PING") == b"PONG"
    with pytest.raises(OSError):
        RawClient(port=old, timeout=1)
    assert f"tcp_port:{new}" in c.call("INFO", "server").decode()
    assert c.call("CONFIG", "SET", "bind", "127.0.0.1 -192.0.2.1") == b"OK"  # '-': optional address
    assert _connect(new).call("PING") == b"PONG"
    assert c.call("PING") == b"PONG"  # open connections survive
    d.close()
    c.close()


def test_config_set_port_zero_closes_tcp(fresh_server):
    c = RawClient(port=fresh_server.port)
    new = _free_port()
    assert c.call("CONFIG", "SET", "port", str(new)) == b"OK"
    assert c.call("CONFIG", "SET", "port", "0") == b"OK"
    assert "tcp_port:0" in c.call("INFO", "server").decode()
    assert "listener0" not in c.call("INFO", "server").decode()
    with pytest.raises(OSError):
        RawClient(port=new, timeout=1)
    assert c.call("PING") == b"PONG"
    c.close()


def test_expire_cycle_latency_event_and_cpu_stat(h):
    clock = [1_700_000_000_000]
    h.srv.mstime = lambda: clock[0]
    for i in range(3000):
        h("set", f"k{i}", "v", "px", "5")
    clock[0] += 10
    h("config", "set", "latency-monitor-threshold", "1")
    h.srv.cron()
    assert h("dbsize") < 3000
    assert h.srv.stat_expire_cycle_ns > 0
    assert b"expire-cycle" in [e[0] for e in h("latency", "latest")]


def test_monitor_shows_a_blocked_command_once(srv):
    mon = RawClient(port=srv.port)
    mon.call("MONITOR")
    a, b = RawClient(port=srv.port), RawClient(port=srv.port)
    a.sock.sendall(RawClient.encode(("BZPOPMIN", "mz", "5")))
    time.sleep(0.1)
    b.call("ZADD", "mz", "1", "m")
    assert a.read() == [b"mz", b"m", b"1"]
    b.call("PING")
    lines = [m.decode() for m in _read_until(mon, lambda m: m.endswith(b'"PING"'))]
    assert [x.split("] ", 1)[1] for x in lines] == ['"BZPOPMIN" "mz" "5"', '"ZADD" "mz" "1" "m"', '"PING"']
    for c in (mon, a, b):
        c.close()
