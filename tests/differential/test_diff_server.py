"""Differential: the server administration commands against Redis 7.4 — CONFIG's names,
defaults, parsing and error texts, INFO's field names, SLOWLOG entries, the latency
monitor, MEMORY USAGE sizes, MONITOR lines, SWAPDB with WATCH, and the errors of every
subcommand. Values that depend on the process (times, ports, memory) are masked."""

from __future__ import annotations

import re
import time

from respclient import RawClient, parse_reply

# configs whose value legitimately differs between the session moredis and the reference:
# where each runs, how each was started, and loglevel (the embedded server is quieter)
LAUNCH_DEPENDENT = {"port", "dir", "pidfile", "logfile", "dbfilename", "daemonize", "loglevel"}

# INFO sections whose field names must match the reference's exactly
SECTIONS = ("server", "clients", "memory", "persistence", "stats", "replication", "cpu", "cluster", "keyspace")
# fields moredis adds, with the reason
EXTRA_FIELDS = {"moredis_version"}  # the brief asks for our own version next to redis_version


def _config_value(c, name: str) -> str:
    r = parse_reply(c.call("CONFIG", "GET", name))
    return (next(iter(r.values())) if isinstance(r, dict) else r[1]).decode()


def _restore(x, *pairs):
    for c in (x.mine, x.theirs):
        c.call("CONFIG", "SET", *pairs)


# --- CONFIG ------------------------------------------------------------------------------

def test_config_get_all_names_and_defaults(d):
    mine, theirs = (parse_reply(r) for r in d.both("CONFIG", "GET", "*"))
    a = dict(zip(mine[::2], mine[1::2], strict=True))
    b = dict(zip(theirs[::2], theirs[1::2], strict=True))
    # module configs (name.with.dot) are the modules' business
    names_a = {k for k in a if b"." not in k}
    names_b = {k for k in b if b"." not in k}
    assert names_a == names_b
    for k in sorted(names_a):
        if k.decode() in LAUNCH_DEPENDENT:
            continue
        assert a[k] == b[k], (k, a[k], b[k])


def test_config_get_patterns(d, d3):
    for x in (d, d3):
        x.check_sorted("CONFIG", "GET", "maxmemory*")
        x.check_sorted("CONFIG", "GET", "*ziplist*")
        x.check_sorted("CONFIG", "GET", "*max*entries*", "hz")
        x.check_sorted("CONFIG", "GET", "hash-max-ziplist-entries", "hash-max-listpack-entries")
        x.check("CONFIG", "GET", "MAXMEMORY")  # exact names answer as typed
        x.check("CONFIG", "GET", "maxmemory", "MAXMEMORY")
        x.check("CONFIG", "GET", "slave-read-only")
        x.check_sorted("CONFIG", "GET", "SLAVE-READ*")
        x.check("CONFIG", "GET", "key-load-delay")  # hidden: exact name only
        x.check("CONFIG", "GET", "*key-load*")
        x.check("CONFIG", "GET", "nosuch")
        x.check("CONFIG", "GET", "")
        x.check("CONFIG", "GET", "*[")
        x.check("CONFIG", "GET", "replicaof")
        x.check("CONFIG", "GET", "client-output-buffer-limit")
        x.check("CONFIG", "GET", "save")
        x.check("CONFIG", "GET", "notify-keyspace-events")
        x.check("CONFIG", "GET", "latency-tracking-info-percentiles")
        x.check("CONFIG", "GET")
        x.check("CONFIG")
        x.check("CONFIG", "FOO")
        x.check("CONFIG", "HELP", "x")


SET_ERRORS = [
    ("nosuch", "1"),
    ("maxmemory", "abc"), ("maxmemory", "-1"), ("maxmemory", "1.5"), ("maxmemory", " 5"),
    ("maxmemory-clients", "101%"), ("maxmemory-clients", "-1%"), ("maxmemory-clients", "x%"),
    ("maxmemory-clients", "9223372036854775808"), ("maxmemory-clients", "-5"),
    ("hz", "-1"), ("hz", "2147483648"), ("hz", "9223372036854775808"), ("hz", "abc"),
    ("timeout", "+5"), ("timeout", "-1"), ("repl-backlog-ttl", "-1"), ("repl-backlog-size", "-1"),
    ("slowlog-max-len", "-1"), ("maxclients", "0"), ("maxclients", "4294967296"),
    ("client-query-buffer-limit", "1000"), ("proto-max-bulk-len", "1"), ("list-max-listpack-size", "x"),
    ("appendonly", "maybe"), ("SLAVE-READ-ONLY", "maybe"), ("activerehashing", "1"),
    ("appendfsync", "sometimes"), ("maxmemory-policy", "lru"), ("loglevel", ""),
    ("shutdown-on-sigterm", "save nosave"), ("shutdown-on-sigterm", "foo"), ("shutdown-on-sigint", ""),
    ("save", "1 2 3"), ("save", "0 1"), ("save", "abc 1"), ("save", "10 -1"),
    ("client-output-buffer-limit", "foo 1 2 3"), ("client-output-buffer-limit", "normal 1 2"),
    ("client-output-buffer-limit", "normal -1 2 3"), ("client-output-buffer-limit", "master 1 2 3"),
    ("notify-keyspace-events", "q"), ("oom-score-adj-values", "1 2"), ("oom-score-adj-values", "a b c"),
    ("oom-score-adj-values", "0 0 2001"), ("latency-tracking-info-percentiles", "101"),
    ("latency-tracking-info-percentiles", "50 x"), ("proc-title-template", "{title}"),
    ("proc-title-template", "{nope}"), ("proc-title-template", "{title"),
    ("cluster-announce-hostname", "a_b"), ("cluster-announce-human-nodename", "a+b"),
    ("locale-collate", "xx_YY"),
    ("daemonize", "no"), ("databases", "4"), ("unixsocket", "/tmp/x"), ("replicaof", ""),
    ("socket-mark-id", "1"), ("dir", "/tmp"), ("dbfilename", "x.rdb"), ("enable-debug-command", "no"),
]


def test_config_set_errors(d, d3):
    for x in (d, d3):
        for name, value in SET_ERRORS:
            x.check("CONFIG", "SET", name, value)
        x.check("CONFIG", "SET", "hz")
        x.check("CONFIG", "SET", "hz", "5", "maxmemory")
        x.check("CONFIG", "SET", "hz", "5", "HZ", "6")  # duplicate
        x.check("CONFIG", "SET", "daemonize", "no", "nosuch", "1")  # first problem wins
        x.check("CONFIG", "SET", "nosuch", "1", "daemonize", "no")
        x.check("CONFIG", "SET", "maxmemory", "abc", "nosuch", "1")
        x.check("CONFIG", "SET", "hz", "5", "maxmemory", "abc")  # rolled back
        x.check("CONFIG", "GET", "hz")


SET_VALUES = [
    ("hz", "600"), ("hz", "0"), ("hz", "33"),
    ("maxmemory", "1kb"), ("maxmemory", "1K"), ("maxmemory", "2gb"), ("maxmemory", "9223372036854775808"),
    ("maxmemory", ""), ("maxmemory", "kb"), ("maxmemory", "007"),
    ("maxmemory-clients", "10%"), ("maxmemory-clients", "0%"), ("maxmemory-clients", "5mb"),
    ("hash-max-listpack-value", "1k"), ("repl-backlog-size", "100"), ("repl-backlog-ttl", "4294967296"),
    ("oom-score-adj", "relative"), ("oom-score-adj", "ABSOLUTE"),
    ("shutdown-on-sigterm", "nosave force now"), ("shutdown-on-sigterm", "default save"),
    ("save", "5 "), ("save", "100 5 200 6"), ("save", "+5 0"),
    ("client-output-buffer-limit", "normal 1kb 2mb 3 pubsub 1 2 3"),
    ("client-output-buffer-limit", "NORMAL 1 2 3 replica 4 5 6"),
    ("notify-keyspace-events", "KEA"), ("notify-keyspace-events", "Kg$lshzxetmdn"),
    ("notify-keyspace-events", "Ex"), ("notify-keyspace-events", ""),
    ("oom-score-adj-values", "-2000 +5 2000"), ("latency-tracking-info-percentiles", "1e2 50.5 0"),
    ("latency-tracking-info-percentiles", ""), ("proc-title-template", "x {title} {port}"),
    ("cluster-announce-human-nodename", "a b.c_d"), ("slowlog-max-len", "1000"),
    ("list-max-ziplist-size", "-3"), ("appendfsync", "ALWAYS"),
]


def test_config_set_then_get(d, d3):
    for x in (d, d3):
        for name, value in SET_VALUES:
            before = _config_value(x.theirs, name)
            x.check("CONFIG", "SET", name, value)
            x.check("CONFIG", "GET", name)
            x.check_sorted("CONFIG", "GET", name + "*")
            _restore(x, name, before)
        # several pairs at once; an alias and its canonical name are distinct parameters
        x.check("CONFIG", "SET", "hash-max-ziplist-entries", "5", "hash-max-listpack-entries", "6")
        x.check("CONFIG", "GET", "hash-max-listpack-entries")
        _restore(x, "hash-max-listpack-entries", "512")


# --- INFO ----------------------------------------------------------------------------------

def _info_fields(raw: bytes) -> dict[str, list[str]]:
    text = parse_reply(raw).decode()
    out: dict[str, list[str]] = {}
    cur = None
    for line in text.split("\r\n"):
        if line.startswith("# "):
            cur = line[2:].lower()
            out[cur] = []
        elif line and cur is not None:
            out[cur].append(line.split(":", 1)[0])
    return out


def test_info_field_names(d):
    for c in (d.mine, d.theirs):
        c.call("SET", "k", "v")
        c.call("SET", "t", "v", "EX", "100")
    mine = _info_fields(d.mine.call("INFO", "everything"))
    theirs = _info_fields(d.theirs.call("INFO", "everything"))
    for sec in SECTIONS:
        assert [f for f in mine[sec] if f not in EXTRA_FIELDS] == theirs[sec], sec
    assert "moredis_version" in mine["server"]
    core = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules",
            "commandstats", "errorstats", "latencystats", "cluster", "keyspace"]
    assert list(mine)[: len(core)] == core
    assert list(theirs)[: len(core)] == core


def test_info_section_selection(d, d3):
    for x in (d, d3):
        for args in (("server",), ("CLUSTER", "cpu"), ("default",), ("all",), ("keyspace", "server"),
                     ("commandstats",), ("foo",), ("cluster", "cluster")):
            a, b = (_info_fields(r) for r in x.both("INFO", *args))
            core = [s for s in b if not s.startswith("search") and s != "modules"]
            assert [s for s in a if s != "modules"][: len(core)] == core, args
        x.check("INFO", "cluster")
        x.check("INFO", "foo")


def test_info_stats_after_resetstat(d):
    """commandstats/errorstats count the same way: calls, rejected and failed calls."""
    script = [("SET", "k", "1"), ("GET", "k"), ("GET",), ("GETX",), ("INCR", "k"), ("LPUSH", "k", "x"),
              ("CONFIG", "GET", "hz"), ("CONFIG", "NOPE"), ("CONFIG", "SET", "hz"), ("SET", "k", "v", "XX", "NX")]
    for c in (d.mine, d.theirs):
        c.call("CONFIG", "RESETSTAT")
        for cmd in script:
            c.call(*cmd)

    def stats(c):
        text = parse_reply(c.call("INFO", "commandstats")).decode() + parse_reply(c.call("INFO", "errorstats")).decode()
        out = {}
        for line in text.split("\r\n"):
            if line.startswith("cmdstat_"):
                k, v = line.split(":", 1)
                f = dict(kv.split("=") for kv in v.split(","))
                out[k] = (f["calls"], f["rejected_calls"], f["failed_calls"])
            elif line.startswith("errorstat_"):
                k, v = line.split(":", 1)
                out[k] = v
        return out

    a, b = stats(d.mine), stats(d.theirs)
    b.pop("cmdstat_info", None)
    a.pop("cmdstat_info", None)
    assert a == b


# --- SLOWLOG ---------------------------------------------------------------------------------

def _slowlog_entries(raw: bytes):
    """SLOWLOG GET entries without id, time, duration and client address."""
    out = []
    for e in parse_reply(raw):
        assert isinstance(e[0], int) and isinstance(e[1], int) and isinstance(e[2], int)
        assert re.fullmatch(rb"[^ ]+:\d+", e[4])
        out.append((e[3], e[5]))
    return out


def test_slowlog_everything_logged(d, d3):
    for x in (d, d3):
        try:
            for c in (x.mine, x.theirs):
                c.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
                c.call("SLOWLOG", "RESET")
                c.call("SET", "k", "v" * 300)
                c.call("MSET", *[f"a{i}" for i in range(40)])
                c.call("CLIENT", "SETNAME", "tester")
                c.call("AUTH", "secret")
                c.call("CONFIG", "SET", "masterauth", "pw", "hz", "10")
                c.call("PING")
            mine, theirs = x.both("SLOWLOG", "GET", "-1")
            assert _slowlog_entries(mine) == _slowlog_entries(theirs)
            mine, theirs = x.both("SLOWLOG", "GET", "2")
            assert _slowlog_entries(mine) == _slowlog_entries(theirs)
            x.check("SLOWLOG", "LEN")
            x.check("SLOWLOG", "GET", "0")
            x.check("CONFIG", "SET", "slowlog-max-len", "2")
            x.check("SLOWLOG", "LEN")
            x.check("SLOWLOG", "RESET")
        finally:
            _restore(x, "slowlog-log-slower-than", "10000", "slowlog-max-len", "128", "masterauth", "")
            for c in (x.mine, x.theirs):
                c.call("CLIENT", "SETNAME", "")
        x.check("SLOWLOG", "GET", "x")
        x.check("SLOWLOG", "GET", "-2")
        x.check("SLOWLOG", "GET", "1", "2")
        x.check("SLOWLOG", "get", "1", "2")
        x.check("SLOWLOG", "LEN", "1")
        x.check("SLOWLOG", "RESET", "1")
        x.check("SLOWLOG", "FOO")
        x.check("SLOWLOG")


# --- LATENCY ---------------------------------------------------------------------------------

def test_latency_monitor_with_debug_sleep(d):
    try:
        for c in (d.mine, d.theirs):
            c.call("LATENCY", "RESET")
            c.call("CONFIG", "SET", "latency-monitor-threshold", "40")  # well above scheduling noise
            c.call("DEBUG", "SLEEP", "0.06")
            c.call("DEBUG", "SLEEP", "0.045")  # usually the same second: then only one sample
            c.call("PING")
        a, b = (parse_reply(r) for r in d.both("LATENCY", "LATEST"))
        assert [(e[0], len(e)) for e in a] == [(e[0], len(e)) for e in b] == [(b"command", 4)]
        assert a[0][2] >= 45 and a[0][3] >= 60
        a, b = (parse_reply(r) for r in d.both("LATENCY", "HISTORY", "command"))
        assert 1 <= len(a) <= 2 and 1 <= len(b) <= 2  # 2 when the sleeps straddle a second
        graph = parse_reply(d.mine.call("LATENCY", "GRAPH", "command")).decode()
        assert graph.startswith("command - high ")
        d.check("LATENCY", "RESET", "command", "nosuch")
        d.check("LATENCY", "LATEST")
    finally:
        _restore(d, "latency-monitor-threshold", "0")


def test_latency_errors_and_empty(d, d3):
    for x in (d, d3):
        x.check("LATENCY", "RESET")
        x.check("LATENCY", "LATEST")
        x.check("LATENCY", "HISTORY", "nosuch")
        x.check("LATENCY", "GRAPH", "nosuch")
        x.check("LATENCY", "RESET", "a", "b")
        x.check("LATENCY", "HISTOGRAM", "nosuch")
        x.check("LATENCY", "LATEST", "x")
        x.check("LATENCY", "HISTORY")
        x.check("LATENCY", "FOO")
        x.check("LATENCY")


def test_latency_histogram_counts(d, d3):
    for x in (d, d3):
        for c in (x.mine, x.theirs):
            c.call("CONFIG", "RESETSTAT")
            for _ in range(3):
                c.call("SET", "k", "v")
            c.call("CONFIG", "GET", "hz")
        # a container stands for its subcommands (in the reference's hash order: sorted here)
        for args in (("SET",), ("set", "set", "nosuch"), ("config|get",), ("CONFIG|GET", "set"), ("config",)):
            a, b = (parse_reply(r) for r in x.both("LATENCY", "HISTOGRAM", *args))
            if isinstance(a, list):  # RESP2: flat name, [calls, n, histogram_usec, [...]]
                a = [(a[i], a[i + 1][:2]) for i in range(0, len(a), 2)]
                b = [(b[i], b[i + 1][:2]) for i in range(0, len(b), 2)]
            else:
                a = [(k, v[b"calls"]) for k, v in a.items()]
                b = [(k, v[b"calls"]) for k, v in b.items()]
            assert sorted(a) == sorted(b), args


# --- MEMORY ----------------------------------------------------------------------------------

def test_memory_usage_strings(d, d3):
    values = ["v", "12345", "1234567890123456789", "12345678901234567890", "a" * 20, "a" * 44, "a" * 45,
              "a" * 100, "a" * 1000, "-1", "0", "3.14"]
    keys = ["k", "ab", "abcde", "abcdefg", "k" * 31, "k" * 32, "k" * 300]
    for x in (d, d3):
        for k in keys:
            for v in values:
                x.check("SET", k, v)
                x.check("MEMORY", "USAGE", k)
        x.check("SET", "n", "5")
        x.check("APPEND", "n", "x")
        x.check("MEMORY", "USAGE", "n")
        x.check("MEMORY", "USAGE", "n", "SAMPLES", "0")
        x.check("MEMORY", "USAGE", "nokey")
        x.check("MEMORY", "USAGE", "nokey", "SAMPLES", "x")
        x.check("MEMORY", "USAGE", "n", "SAMPLES")
        x.check("MEMORY", "USAGE", "n", "SAMPLES", "-1")
        x.check("MEMORY", "USAGE", "n", "FOO", "1")
        x.check("MEMORY", "USAGE")
        x.check("MEMORY", "PURGE")
        x.check("MEMORY", "STATS", "x")
        x.check("MEMORY", "DOCTOR", "x")
        x.check("MEMORY", "MALLOC-STATS", "x")
        x.check("MEMORY", "FOO")
        x.check("MEMORY")


def test_memory_stats_fields(d, d3):
    for x in (d, d3):
        for c in (x.mine, x.theirs):
            c.call("SET", "k", "v")
            c.call("SELECT", "3")
            c.call("SET", "k", "v")
            c.call("SELECT", "0")
        a, b = (parse_reply(r) for r in x.both("MEMORY", "STATS"))
        if isinstance(a, dict):
            ka, kb = list(a), list(b)
            assert set(a[b"db.3"]) == set(b[b"db.3"])
            assert isinstance(a[b"dataset.percentage"], float)
        else:
            ka, kb = a[::2], b[::2]
        assert ka == kb


# --- MONITOR ---------------------------------------------------------------------------------

def _monitor_lines(port: int, commands) -> list[str]:
    mon = RawClient(port=port)
    assert mon.call("MONITOR") == b"OK"
    other = RawClient(port=port)
    for cmd in commands:
        other.call(*cmd)
    mon.sock.sendall(RawClient.encode(("PING",)))
    lines = []
    deadline = time.time() + 5
    while time.time() < deadline:
        msg = mon.read()
        if msg == b"PONG":
            continue
        text = msg.decode("latin-1")
        lines.append(re.sub(r"^\d+\.\d{6} \[(\d+) [^\]]+\]", r"T [\1 ADDR]", text))
        if text.endswith('"PING"'):
            break
    mon.close()
    other.close()
    return lines


def test_monitor_lines(d):
    commands = [("SET", "k", 'a b"c\x01\n'), ("AUTH", "x"), ("AUTH", "u", "p"),
                ("HELLO", "2", "AUTH", "u", "p"), ("SELECT", "2"), ("GET", "x"), ("CONFIG", "GET", "hz"),
                ("GETX",), ("GET",), ("MULTI",), ("SET", "a", "1"), ("EXEC",), ("SELECT", "0")]
    mine = _monitor_lines(d.mine.sock.getpeername()[1], commands)
    theirs = _monitor_lines(d.theirs.sock.getpeername()[1], commands)
    assert mine == theirs
    assert mine[0] == 'T [0 ADDR] "SET" "k" "a b\\"c\\x01\\n"'


# --- SWAPDB / TIME / LASTSAVE / SHUTDOWN --------------------------------------------------------

def test_swapdb(d, d3):
    for x in (d, d3):
        x.check("SET", "a", "1")
        x.check("SWAPDB", "0", "1")
        x.check("GET", "a")
        x.check("SELECT", "1")
        x.check("GET", "a")
        x.check("SWAPDB", "1", "1")
        x.check("SWAPDB", "0", "1")
        x.check("GET", "a")
        x.check("SELECT", "0")
        x.check("GET", "a")
        for args in (("a", "1"), ("0", "a"), ("-1", "0"), ("0", "16"), ("1.5", "0"), ("0",), ("0", "1", "2")):
            x.check("SWAPDB", *args)
        x.check("HSET", "hh", "f", "v", "g", "w")
        x.check("HEXPIRE", "hh", "100", "FIELDS", "1", "f")
        x.check("SWAPDB", "0", "2")
        x.check("INFO", "keyspace")  # subexpiry moves with the hash
        x.check("FLUSHALL")


def test_swapdb_breaks_watch(ref_server, srv):
    for port in (srv.port, ref_server.port):
        a, b = RawClient(port=port), RawClient(port=port)
        a.call("FLUSHALL")
        b.call("SELECT", "1")
        b.call("SET", "w", "x")
        assert a.call("WATCH", "w") == b"OK"  # w missing in db 0, present in db 1
        a.call("MULTI")
        a.call("GET", "w")
        assert b.call("SWAPDB", "0", "1") == b"OK"
        assert a.call("EXEC") is None, port
        assert a.call("WATCH", "nowhere") == b"OK"
        a.call("MULTI")
        a.call("PING")
        b.call("SWAPDB", "0", "1")
        assert a.call("EXEC") == [b"PONG"], port  # a key on neither side stays untouched
        a.call("FLUSHALL")
        a.close()
        b.close()


def test_time_lastsave_shutdown_errors(d, d3):
    for x in (d, d3):
        a, b = (parse_reply(r) for r in x.both("TIME"))
        assert len(a) == len(b) == 2 and all(isinstance(v, bytes) for v in a + b)
        assert abs(int(a[0]) - int(b[0])) < 5
        mine, theirs = x.both("LASTSAVE")
        assert mine[:1] == theirs[:1] == b":"
        x.check("TIME", "x")
        x.check("LASTSAVE", "x")
        for args in (("foo",), ("abort",), ("abort", "now"), ("save", "nosave"), ("now", "now", "abort"),
                     ("NOSAVE", "save")):
            x.check("SHUTDOWN", *args)
        x.check("MULTI")
        x.check("SHUTDOWN")
        x.check("EXEC")


def test_info_is_verbatim_in_resp3(d3):
    assert d3.check("INFO", "cluster") == b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n"


def test_blocked_commands_count_once(srv, ref_server):
    """A command that blocks counts once, when it is served, times out or is unblocked:
    commandstats calls/failed_calls, the latency histogram and the slow log agree."""
    seen = []
    for port in (srv.port, ref_server.port):
        a, b = RawClient(port=port), RawClient(port=port)
        b.call("FLUSHALL")
        b.call("CONFIG", "RESETSTAT")
        b.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
        b.call("SLOWLOG", "RESET")
        try:
            a.sock.sendall(RawClient.encode(("BLPOP", "l", "5")))
            time.sleep(0.1)
            b.call("RPUSH", "l", "x")
            assert a.read() == [b"l", b"x"]
            assert a.call("BLPOP", "l2", "0.05") is None
            cid = a.call("CLIENT", "ID")
            a.sock.sendall(RawClient.encode(("BLPOP", "l3", "0")))
            time.sleep(0.1)
            b.call("CLIENT", "UNBLOCK", str(cid), "ERROR")
            assert str(a.read()).startswith("UNBLOCKED")
            line = [x for x in b.call("INFO", "commandstats").decode().split("\r\n") if "blpop" in x]
            fields = dict(kv.split("=") for kv in line[0].split(":", 1)[1].split(","))
            stats = (fields["calls"], fields["rejected_calls"], fields["failed_calls"])
            log = [e[3] if e[3][:2] != [b"CLIENT", b"UNBLOCK"] else e[3][:2]  # ids differ
                   for e in b.call("SLOWLOG", "GET", "20")][1:]  # the INFO call first
            hist = b.call("LATENCY", "HISTOGRAM", "blpop")[1][:2]
            seen.append((stats, log, hist))
        finally:
            b.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")
            b.call("FLUSHALL")
            a.close()
            b.close()
    assert seen[0] == seen[1]
    assert seen[0][0] == ("3", "0", "1") and seen[0][2] == [b"calls", 3]
    assert [x for x in seen[0][1] if x[0] == b"BLPOP"] == [[b"BLPOP", b"l3", b"0"], [b"BLPOP", b"l2", b"0.05"],
                                                          [b"BLPOP", b"l", b"5"]]
