"""INFO, moredis side: which sections each argument selects and in what order, the reply
type per protocol, and field values that follow the server's state (keyspace, stats,
clients, commandstats/errorstats/latencystats, persistence, extension hooks).
Field names are compared with Redis in tests/differential/test_diff_server.py."""

from __future__ import annotations

import re

import pytest
from harness import Harness
from respclient import RawBytesClient, RawClient

from moredis.version import REDIS_VERSION, __version__

DEFAULT = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
           "Errorstats", "Cluster", "Keyspace"]
ALL = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
       "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"]


@pytest.fixture
def h():
    return Harness()


def sections(text: bytes) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    cur = None
    for line in text.decode().split("\r\n"):
        if line.startswith("# "):
            cur = line[2:]
            out[cur] = {}
        elif line:
            k, _, v = line.partition(":")
            out[cur][k] = v
    return out


def test_section_selection_and_order(h):
    assert list(sections(h("info"))) == DEFAULT
    assert list(sections(h("info", "default"))) == DEFAULT
    assert list(sections(h("info", "all"))) == ALL
    assert list(sections(h("info", "everything"))) == ALL
    assert list(sections(h("info", "KEYSPACE", "server", "Cpu"))) == ["Server", "CPU", "Keyspace"]
    assert list(sections(h("info", "commandstats", "default"))) == DEFAULT[:8] + ["Commandstats"] + DEFAULT[8:]
    assert list(sections(h("info", "cluster", "cluster"))) == ["Cluster"]
    assert list(sections(h("info", "modules"))) == ["Modules"]
    assert h("info", "nosuch") == b""
    text = h("info", "cpu", "cluster")
    assert text.startswith(b"# CPU\r\n") and b"\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n" in text
    assert text.endswith(b"cluster_enabled:0\r\n")


def test_reply_types(srv):
    for resp, head in ((2, b"$"), (3, b"=")):
        c = RawBytesClient(port=srv.port)
        if resp == 3:
            c.call("HELLO", "3")
        raw = c.call("INFO", "cluster")
        c.close()
        assert raw[:1] == head
        if resp == 3:
            assert raw == b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n"


def test_server_section(srv):
    c = RawClient(port=srv.port)
    s = sections(c.call("INFO", "server"))["Server"]
    c.close()
    keys = list(s)
    assert keys[:2] == ["redis_version", "moredis_version"]
    assert s["redis_version"] == REDIS_VERSION and s["moredis_version"] == __version__
    assert s["tcp_port"] == str(srv.port)
    assert s["run_id"] == srv.core.run_id and len(s["run_id"]) == 40
    assert s["process_id"] == str(srv.core.pid)
    assert s["listener0"] == f"name=tcp,bind=127.0.0.1,port={srv.port}"
    assert s["redis_mode"] == "standalone" and s["configured_hz"] == "10"
    assert int(s["uptime_in_days"]) == int(s["uptime_in_seconds"]) // 86400


def test_keyspace_and_persistence_follow_writes(h):
    h.srv.dirty = 0
    h("set", "a", "1")
    h("set", "b", "2")
    h("pexpire", "b", 500000)
    h("select", "3")
    h("set", "c", "3")
    info = sections(h("info", "keyspace", "persistence"))
    ks = info["Keyspace"]
    assert list(ks) == ["db0", "db3"]
    m = re.fullmatch(r"keys=2,expires=1,avg_ttl=(\d+),subexpiry=0", ks["db0"])
    assert m and 490000 < int(m.group(1)) <= 500000
    assert ks["db3"] == "keys=1,expires=0,avg_ttl=0,subexpiry=0"
    assert info["Persistence"]["rdb_changes_since_last_save"] == "4"
    assert info["Persistence"]["rdb_last_save_time"] == str(h.srv.lastsave)
    assert info["Persistence"]["aof_enabled"] == "0"


def test_stats_follow_commands(h):
    before = sections(h("info", "stats"))["Stats"]
    h("set", "k", "v")
    h("get", "k")
    h("get", "missing")
    h("nosuchcommand")
    after = sections(h("info", "stats"))["Stats"]
    assert int(after["keyspace_hits"]) == int(before["keyspace_hits"]) + 1
    assert int(after["keyspace_misses"]) == int(before["keyspace_misses"]) + 1
    assert int(after["total_commands_processed"]) == int(before["total_commands_processed"]) + 4
    assert int(after["total_error_replies"]) == int(before["total_error_replies"]) + 1


def test_command_error_and_latency_stats(h):
    h("set", "k", "v")
    h("set", "k")  # arity: rejected
    h("incr", "k")  # failed
    h("config", "nope")  # unknown subcommand: no command's stats
    info = sections(h("info", "commandstats", "errorstats", "latencystats"))
    cs = info["Commandstats"]
    assert re.fullmatch(r"calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0", cs["cmdstat_set"])
    assert re.fullmatch(r"calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1", cs["cmdstat_incr"])
    assert "cmdstat_config" not in cs
    assert info["Errorstats"] == {"errorstat_ERR": "count=3"}
    lat = info["Latencystats"]
    assert set(lat) == {"latency_percentiles_usec_set", "latency_percentiles_usec_incr"}
    h("config", "set", "latency-tracking-info-percentiles", "25 100")
    lat = sections(h("info", "latencystats"))["Latencystats"]
    assert re.fullmatch(r"p25=\d+\.\d{3},p100=\d+\.\d{3}", lat["latency_percentiles_usec_set"])


def test_clients_section(srv):
    a, b = RawClient(port=srv.port), RawClient(port=srv.port)
    b.call("WATCH", "x", "y")
    b.call("SUBSCRIBE", "ch")
    s = sections(a.call("INFO", "clients"))["Clients"]
    assert int(s["connected_clients"]) >= 2
    assert int(s["watching_clients"]) >= 1 and int(s["total_watched_keys"]) >= 2
    assert int(s["pubsub_clients"]) >= 1
    assert s["maxclients"] == "10000"
    a.close()
    b.close()


def test_memory_and_cpu_sections(h):
    info = sections(h("info", "memory", "cpu"))
    mem = info["Memory"]
    assert int(mem["used_memory"]) > 0 and mem["used_memory_human"].endswith(("K", "M", "G"))
    assert mem["maxmemory"] == "0" and mem["maxmemory_policy"] == "noeviction"
    assert re.fullmatch(r"\d+\.\d\d%", mem["used_memory_peak_perc"])
    assert int(mem["used_memory_peak"]) >= int(mem["used_memory"])
    assert all(re.fullmatch(r"\d+\.\d{6}", v) for v in info["CPU"].values())


def test_extension_hooks(h):
    srv = h.srv

    class Rdb:
        def info_fields(self):
            return [("rdb_saves", 7), ("rdb_extra", "x")]

    srv.rdb = Rdb()
    srv.info_providers.append(lambda requested: [("mymod_stats", ["mymod_count:3"])]
                              if requested is None or "mymod" in requested or "mymod_stats" in requested else [])
    p = sections(h("info", "persistence"))["Persistence"]
    assert p["rdb_saves"] == "7" and list(p)[-1] == "rdb_extra"
    assert "mymod_stats" not in sections(h("info"))
    assert "mymod_stats" not in sections(h("info", "all"))
    assert sections(h("info", "everything"))["mymod_stats"] == {"mymod_count": "3"}
    assert list(sections(h("info", "mymod"))) == ["mymod_stats"]
    assert list(sections(h("info", "modules")))[-1] == "mymod_stats"
