"""INFO: the text report, section by section, with Redis 7.4's field names and order.

`gen_info(srv, args)` follows server.c genRedisInfoString: no argument means the default
sections; `all` adds commandstats and latencystats, and `everything` also the sections
modules contribute (as does naming `modules`, a module or one of its sections). Section
names are case-insensitive and the output order is always Redis's, whatever the order
asked. Values come from the server's state
(srv.stat_*, the clients, the databases, each Command's counters); what moredis does
not have (forks, jemalloc, io threads ...) reports the value Redis shows when it is idle.

Other subsystems extend the report without this file knowing them:
- `srv.rdb`, `srv.aof`, `srv.replication`: an optional `info_fields()` returning
  [(name, value)] that overrides same-named fields of persistence / replication and
  appends the others (loading_*, aof_* ...);
- `srv.modules.info_lines()`: the `module:name=...` lines of the Modules section;
- `srv.info_providers`: callables `fn(requested: set[str] | None) -> [(title, [lines])]`
  giving module-defined sections; `requested` is None when every section is wanted.
Neighbours: commands/server.py (INFO), server/memory.py, server/latency.py.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import platform
import resource
import sys
import time
from typing import Any

from moredis.server import latency as L
from moredis.server import memory as M
from moredis.version import REDIS_VERSION, __version__

DEFAULT = ("server", "clients", "memory", "persistence", "stats", "replication", "cpu",
           "module_list", "errorstats", "cluster", "keyspace")
ORDER = ("server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules",
         "commandstats", "errorstats", "latencystats", "cluster", "keyspace")
TITLES = {"server": "Server", "clients": "Clients", "memory": "Memory", "persistence": "Persistence",
          "stats": "Stats", "replication": "Replication", "cpu": "CPU", "modules": "Modules",
          "commandstats": "Commandstats", "errorstats": "Errorstats", "latencystats": "Latencystats",
          "cluster": "Cluster", "keyspace": "Keyspace"}

Fields = list[tuple[str, Any]]


def parse_sections(args: list[str]) -> tuple[set[str], bool, bool]:
    """genInfoSectionDict: (named sections, all, everything)."""
    if not args:
        return set(DEFAULT), False, False
    names: set[str] = set()
    everything = all_ = False
    for a in args:
        low = a.lower()
        if low == "default":
            names.update(DEFAULT)
        elif low == "all":
            all_ = True
        elif low == "everything":
            everything = all_ = True
        else:
            names.add(low)
    return names, all_, everything


def gen_info(srv: Any, args: list[str]) -> str:
    names, all_, everything = parse_sections(args)
    parts: list[str] = []
    for sec in ORDER:
        wanted = all_ or sec in names or (sec == "modules" and "module_list" in names)
        if not wanted:
            continue
        lines = SECTIONS[sec](srv)
        parts.append(_render(TITLES[sec], lines))
    named_core = sum(1 for n in names if n in TITLES or n == "module_list")
    if everything or "modules" in names or named_core < len(names) or (all_ and names):
        requested = None if (everything or "modules" in names) else names
        for title, lines in _module_sections(srv, requested):
            parts.append(_render(title, lines))
    return "\r\n".join(parts)


def _render(title: str, lines: Any) -> str:
    out = [f"# {title}\r\n"]
    for item in lines:
        if isinstance(item, tuple):
            out.append(f"{item[0]}:{item[1]}\r\n")
        else:
            out.append(f"{item}\r\n")
    return "".join(out)


def _module_sections(srv: Any, requested: set[str] | None) -> list[tuple[str, list]]:
    out: list[tuple[str, list]] = []
    for fn in list(getattr(srv, "info_providers", ())):
        try:
            out.extend(fn(requested))
        except Exception as e:  # a module's INFO callback must not break INFO
            srv.log.warning(f"INFO provider failed: {e!r}")
    return out


def _merge(fields: Fields, extra: Any) -> Fields:
    """Apply an owner's info_fields(): same names replaced in place, new names appended."""
    if extra is None:
        return fields
    fn = getattr(extra, "info_fields", None)
    if fn is None:
        return fields
    more = fn()
    index = {k: i for i, (k, _) in enumerate(fields)}
    for k, v in more:
        if k in index:
            fields[index[k]] = (k, v)
        else:
            fields.append((k, v))
    return fields


# --- sections ---------------------------------------------------------------------------

def _os_name() -> str:
    u = os.uname()
    return f"{u.sysname} {u.release} {u.machine}"


def _compiler() -> str:
    comp = platform.python_compiler()
    if comp.startswith("GCC "):
        return comp.split()[1]
    return "0.0.0"


def _listeners(srv: Any) -> list[tuple[str, str]]:
    out = []
    i = 0
    if srv.port:
        binds = ",".join(f"bind={b}" for b in (srv.config["bind"] or ["*"]))
        out.append((f"listener{i}", f"name=tcp,{binds},port={srv.port}"))
        i += 1
    if srv.unixsocket_path:
        out.append((f"listener{i}", f"name=unix,bind={srv.unixsocket_path}"))
    return out


def server_section(srv: Any) -> Fields:
    now_us = time.time_ns() // 1000
    up = int(time.monotonic() - srv.start_monotonic)
    cfg = srv.config
    supervised = cfg["supervised"]
    exe = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else sys.executable
    f: Fields = [
        ("redis_version", REDIS_VERSION),
        ("moredis_version", __version__),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        ("redis_build_id", hashlib.sha1(f"moredis {__version__}".encode()).hexdigest()[:16]),
        ("redis_mode", "cluster" if cfg["cluster-enabled"] else "standalone"),
        ("os", _os_name()),
        ("arch_bits", 64 if sys.maxsize > 2**32 else 32),
        ("monotonic_clock", "POSIX clock_gettime"),
        ("multiplexing_api", "epoll" if sys.platform.startswith("linux") else "kqueue"),
        ("atomicvar_api", "c11-builtin"),
        ("gcc_version", _compiler()),
        ("process_id", os.getpid()),
        ("process_supervised", "no" if supervised in ("no", "auto") else supervised),
        ("run_id", srv.run_id),
        ("tcp_port", srv.port),
        ("server_time_usec", now_us),
        ("uptime_in_seconds", up),
        ("uptime_in_days", up // 86400),
        ("hz", srv.hz),
        ("configured_hz", cfg["hz"]),
        ("lru_clock", srv.lru_clock),
        ("executable", exe),
        ("config_file", getattr(srv, "config_file", None) or ""),
        ("io_threads_active", 0),
    ]
    f.extend(_listeners(srv))
    return f


def clients_section(srv: Any) -> Fields:
    clients = srv.clients.values()
    tracking = pubsub = watching = replicas = 0
    for c in clients:
        if c.tracking is not None:
            tracking += 1
        if c.channels or c.patterns or c.shard_channels:
            pubsub += 1
        if c.watched:
            watching += 1
        if c.is_replica:
            replicas += 1
    b = srv.blocking
    in_timeout = 0
    for c in clients:
        st = c.blocked
        if st is not None and st.timeout_at:
            in_timeout += 1
    watched_keys = blocking_keys = nokey = 0
    for db in srv.dbs:
        watched_keys += len(db.watched)
        blocking_keys += len(db.blocking)
        if b.count_nokey:
            for waiting in db.blocking.values():
                if any(c.blocked is not None and c.blocked.data == "nokey" for c in waiting):
                    nokey += 1
    return [
        ("connected_clients", len(srv.clients) - replicas),
        ("cluster_connections", 0),
        ("maxclients", srv.maxclients),
        ("client_recent_max_input_buffer", 0),
        ("client_recent_max_output_buffer", 0),
        ("blocked_clients", b.count - len(srv.paused_clients)),
        ("tracking_clients", tracking),
        ("pubsub_clients", pubsub),
        ("watching_clients", watching),
        ("clients_in_timeout_table", in_timeout),
        ("total_watched_keys", watched_keys),
        ("total_blocking_keys", blocking_keys),
        ("total_blocking_keys_on_nokey", nokey),
    ]


def memory_section(srv: Any) -> Fields:
    o = M.overhead(srv)
    used, rss, peak, startup = o["used"], o["rss"], o["peak"], o["startup"]
    system = M.total_system_memory()
    lua = M._scripting(srv, "lua_memory", 31744)
    vm_functions = M._scripting(srv, "functions_memory", 32768)
    scripts_eval = M._scripting(srv, "scripts_eval_memory", 0)
    functions = M._scripting(srv, "functions_caches", 192)
    maxmem = srv.config["maxmemory"]
    return [
        ("used_memory", used),
        ("used_memory_human", M.human(used)),
        ("used_memory_rss", rss),
        ("used_memory_rss_human", M.human(rss)),
        ("used_memory_peak", peak),
        ("used_memory_peak_human", M.human(peak)),
        ("used_memory_peak_perc", "%.2f%%" % o["peak_perc"]),
        ("used_memory_overhead", o["overhead"]),
        ("used_memory_startup", startup),
        ("used_memory_dataset", o["dataset"]),
        ("used_memory_dataset_perc", "%.2f%%" % o["dataset_perc"]),
        ("allocator_allocated", used),
        ("allocator_active", rss),
        ("allocator_resident", rss),
        ("allocator_muzzy", 0),
        ("total_system_memory", system),
        ("total_system_memory_human", M.human(system)),
        ("used_memory_lua", lua),
        ("used_memory_vm_eval", lua),
        ("used_memory_lua_human", M.human(lua)),
        ("used_memory_scripts_eval", scripts_eval),
        ("number_of_cached_scripts", M._scripting(srv, "cached_scripts", 0)),
        ("number_of_functions", M._scripting(srv, "functions", 0)),
        ("number_of_libraries", M._scripting(srv, "libraries", 0)),
        ("used_memory_vm_functions", vm_functions),
        ("used_memory_vm_total", lua + vm_functions),
        ("used_memory_vm_total_human", M.human(lua + vm_functions)),
        ("used_memory_functions", functions),
        ("used_memory_scripts", scripts_eval + functions),
        ("used_memory_scripts_human", M.human(scripts_eval + functions)),
        ("maxmemory", maxmem),
        ("maxmemory_human", M.human(maxmem)),
        ("maxmemory_policy", srv.config["maxmemory-policy"]),
        ("allocator_frag_ratio", "%.2f" % (rss / used if used else 0)),
        ("allocator_frag_bytes", rss - used),
        ("allocator_rss_ratio", "1.00"),
        ("allocator_rss_bytes", 0),
        ("rss_overhead_ratio", "1.00"),
        ("rss_overhead_bytes", 0),
        ("mem_fragmentation_ratio", "%.2f" % (rss / used if used else 0)),
        ("mem_fragmentation_bytes", rss - used),
        ("mem_not_counted_for_evict", o["aof_buffer"]),
        ("mem_replication_backlog", o["backlog"]),
        ("mem_total_replication_buffers", o["backlog"]),
        ("mem_clients_slaves", o["clients_slaves"]),
        ("mem_clients_normal", o["clients_normal"]),
        ("mem_cluster_links", 0),
        ("mem_aof_buffer", o["aof_buffer"]),
        ("mem_allocator", "libc"),
        ("mem_overhead_db_hashtable_rehashing", 0),
        ("active_defrag_running", 0),
        ("lazyfree_pending_objects", 0),
        ("lazyfreed_objects", getattr(srv, "stat_lazyfreed_objects", 0)),
    ]


def persistence_section(srv: Any) -> Fields:
    cfg = srv.config
    f: Fields = [
        ("loading", int(srv.loading)),
        ("async_loading", 0),
        ("current_cow_peak", 0),
        ("current_cow_size", 0),
        ("current_cow_size_age", 0),
        ("current_fork_perc", "0.00"),
        ("current_save_keys_processed", 0),
        ("current_save_keys_total", 0),
        ("rdb_changes_since_last_save", srv.dirty),
        ("rdb_bgsave_in_progress", 0),
        ("rdb_last_save_time", srv.lastsave),
        ("rdb_last_bgsave_status", srv.lastbgsave_status),
        ("rdb_last_bgsave_time_sec", -1),
        ("rdb_current_bgsave_time_sec", -1),
        ("rdb_saves", 0),
        ("rdb_last_cow_size", 0),
        ("rdb_last_load_keys_expired", 0),
        ("rdb_last_load_keys_loaded", 0),
        ("aof_enabled", int(bool(cfg["appendonly"]))),
        ("aof_rewrite_in_progress", 0),
        ("aof_rewrite_scheduled", 0),
        ("aof_last_rewrite_time_sec", -1),
        ("aof_current_rewrite_time_sec", -1),
        ("aof_last_bgrewrite_status", "ok"),
        ("aof_rewrites", 0),
        ("aof_rewrites_consecutive_failures", 0),
        ("aof_last_write_status", "ok"),
        ("aof_last_cow_size", 0),
        ("module_fork_in_progress", 0),
        ("module_fork_last_cow_size", 0),
    ]
    _merge(f, srv.rdb)
    _merge(f, srv.aof)
    return f


def _total_cmd_usec(srv: Any) -> int:
    total = 0
    for cmd in all_commands(srv):
        total += cmd.usec
    return total


def stats_section(srv: Any) -> Fields:
    samples = srv.ops_samples
    if samples:
        n = len(samples)
        ops = int(sum(s[0] for s in samples) / n)
        kin = sum(s[1] for s in samples) / n
        kout = sum(s[2] for s in samples) / n
    else:
        ops, kin, kout = 0, 0.0, 0.0
    ps = srv.pubsub
    tt = srv.tracking_table
    acl = srv.stat_acl_denied
    cmd_usec = _total_cmd_usec(srv)
    return [
        ("total_connections_received", srv.stat_numconnections),
        ("total_commands_processed", srv.stat_numcommands),
        ("instantaneous_ops_per_sec", ops),
        ("total_net_input_bytes", srv.stat_net_input_bytes),
        ("total_net_output_bytes", srv.stat_net_output_bytes),
        ("total_net_repl_input_bytes", getattr(srv, "stat_net_repl_input_bytes", 0)),
        ("total_net_repl_output_bytes", getattr(srv, "stat_net_repl_output_bytes", 0)),
        ("instantaneous_input_kbps", "%.2f" % kin),
        ("instantaneous_output_kbps", "%.2f" % kout),
        ("instantaneous_input_repl_kbps", "0.00"),
        ("instantaneous_output_repl_kbps", "0.00"),
        ("rejected_connections", srv.stat_rejected_conn),
        ("sync_full", getattr(srv, "stat_sync_full", 0)),
        ("sync_partial_ok", getattr(srv, "stat_sync_partial_ok", 0)),
        ("sync_partial_err", getattr(srv, "stat_sync_partial_err", 0)),
        ("expired_subkeys", getattr(srv, "stat_expired_subkeys", 0)),
        ("expired_keys", srv.stat_expiredkeys),
        ("expired_stale_perc", "0.00"),
        ("expired_time_cap_reached_count", 0),
        ("expire_cycle_cpu_milliseconds", getattr(srv, "stat_expire_cycle_ns", 0) // 1_000_000),
        ("evicted_keys", srv.stat_evictedkeys),
        ("evicted_clients", getattr(srv, "stat_evictedclients", 0)),
        ("evicted_scripts", getattr(srv, "stat_evictedscripts", 0)),
        ("total_eviction_exceeded_time", 0),
        ("current_eviction_exceeded_time", 0),
        ("keyspace_hits", srv.stat_keyspace_hits),
        ("keyspace_misses", srv.stat_keyspace_misses),
        ("pubsub_channels", len(ps.channels)),
        ("pubsub_patterns", len(ps.patterns)),
        ("pubsubshard_channels", len(ps.shard_channels)),
        ("latest_fork_usec", getattr(srv, "stat_fork_time", 0)),
        ("total_forks", getattr(srv, "stat_total_forks", 0)),
        ("migrate_cached_sockets", 0),
        ("slave_expires_tracked_keys", 0),
        ("active_defrag_hits", 0),
        ("active_defrag_misses", 0),
        ("active_defrag_key_hits", 0),
        ("active_defrag_key_misses", 0),
        ("total_active_defrag_time", 0),
        ("current_active_defrag_time", 0),
        ("tracking_total_keys", _tracking(tt, "total_keys")),
        ("tracking_total_items", _tracking(tt, "total_items")),
        ("tracking_total_prefixes", _tracking(tt, "total_prefixes")),
        ("unexpected_error_replies", srv.stat_unexpected_error_replies),
        ("total_error_replies", srv.stat_total_error_replies),
        ("dump_payload_sanitizations", getattr(srv, "stat_dump_payload_sanitizations", 0)),
        ("total_reads_processed", srv.stat_total_reads),
        ("total_writes_processed", srv.stat_total_writes),
        ("io_threaded_reads_processed", 0),
        ("io_threaded_writes_processed", 0),
        ("client_query_buffer_limit_disconnections", srv.stat_qbuf_limit_disconnections),
        ("client_output_buffer_limit_disconnections", srv.stat_obuf_limit_disconnections),
        ("reply_buffer_shrinks", 0),
        ("reply_buffer_expands", 0),
        ("eventloop_cycles", srv.stat_total_reads + srv.cron_loops),
        ("eventloop_duration_sum", cmd_usec),
        ("eventloop_duration_cmd_sum", cmd_usec),
        ("instantaneous_eventloop_cycles_per_sec", 0),
        ("instantaneous_eventloop_duration_usec", 0),
        ("acl_access_denied_auth", acl.get("auth", 0)),
        ("acl_access_denied_cmd", acl.get("cmd", 0)),
        ("acl_access_denied_key", acl.get("key", 0)),
        ("acl_access_denied_channel", acl.get("channel", 0)),
    ]


def _tracking(tt: Any, name: str) -> int:
    if tt is None:
        return 0
    v = getattr(tt, name, 0)
    if callable(v):
        v = v()
    return int(v or 0)


def replication_section(srv: Any) -> Fields:
    replid = getattr(srv, "replid", None)
    if replid is None:
        import random

        replid = srv.replid = "%040x" % random.getrandbits(160)
    f: Fields = [
        ("role", "slave" if srv.is_replica else "master"),
        ("connected_slaves", 0),
        ("master_failover_state", "no-failover"),
        ("master_replid", replid),
        ("master_replid2", "0" * 40),
        ("master_repl_offset", 0),
        ("second_repl_offset", -1),
        ("repl_backlog_active", 0),
        ("repl_backlog_size", srv.config["repl-backlog-size"]),
        ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]
    repl = getattr(srv, "replication", None)
    if repl is not None and hasattr(repl, "info_section"):
        return repl.info_section()
    return _merge(f, repl)


def cpu_section(srv: Any) -> Fields:
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        th = resource.getrusage(resource.RUSAGE_THREAD)  # the loop thread runs INFO
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not Linux
        th = me
    return [
        ("used_cpu_sys", "%f" % me.ru_stime),
        ("used_cpu_user", "%f" % me.ru_utime),
        ("used_cpu_sys_children", "%f" % ch.ru_stime),
        ("used_cpu_user_children", "%f" % ch.ru_utime),
        ("used_cpu_sys_main_thread", "%f" % th.ru_stime),
        ("used_cpu_user_main_thread", "%f" % th.ru_utime),
    ]


def modules_section(srv: Any) -> list:
    mods = getattr(srv, "modules", None)
    fn = getattr(mods, "info_lines", None) if mods is not None else None
    return list(fn()) if fn is not None else []


def all_commands(srv: Any) -> list[Any]:
    """Every command then its subcommands, each once, in table order (cached until the
    table changes size: module loads, renames)."""
    table = srv.table
    cached = getattr(srv, "_info_commands", None)
    if cached is not None and cached[0] == len(table):
        return cached[1]
    out = []
    seen: set[int] = set()
    for cmd in table.values():
        if id(cmd) in seen:
            continue
        seen.add(id(cmd))
        out.append(cmd)
        if cmd.subcommands:
            out.extend(cmd.subcommands.values())
    srv._info_commands = (len(table), out)
    return out


def commandstats_section(srv: Any) -> Fields:
    f: Fields = []
    for cmd in all_commands(srv):
        if not (cmd.calls or cmd.failed_calls or cmd.rejected_calls):
            continue
        per = cmd.usec / cmd.calls if cmd.calls else 0.0
        f.append((f"cmdstat_{cmd.fullname}",
                  "calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d"
                  % (cmd.calls, cmd.usec, per, cmd.rejected_calls, cmd.failed_calls)))
    return f


def errorstats_section(srv: Any) -> Fields:
    return [(f"errorstat_{code}", f"count={n}") for code, n in sorted(srv.errorstats.items())]


def latencystats_section(srv: Any) -> Fields:
    pcts = srv.config["latency-tracking-info-percentiles"]
    f: Fields = []
    for cmd in all_commands(srv):
        if cmd.latency_hist:
            f.append((f"latency_percentiles_usec_{cmd.fullname}",
                      L.percentiles_line(L.as_dict(cmd.latency_hist), pcts)))
    return f


def cluster_section(srv: Any) -> Fields:
    return [("cluster_enabled", int(bool(srv.config["cluster-enabled"])))]


def avg_ttl(db: Any, now_ms: int) -> int:
    """The average remaining TTL of volatile keys (Redis keeps a running estimate; this
    samples up to 1024 of them)."""
    exp = db.expires
    if not exp:
        return 0
    total = n = 0
    for when in itertools.islice(exp.values(), 1024):
        ttl = when - now_ms
        if ttl > 0:
            total += ttl
            n += 1
    return total // n if n else 0


def keyspace_section(srv: Any) -> Fields:
    f: Fields = []
    now = srv.mstime()
    for db in srv.dbs:
        keys = len(db.data)
        if not keys:
            continue
        sub = getattr(db, "subexpires", None)
        f.append((f"db{db.id}", "keys=%d,expires=%d,avg_ttl=%d,subexpiry=%d"
                  % (keys, len(db.expires), avg_ttl(db, now), len(sub) if sub else 0)))
    return f


SECTIONS = {
    "server": server_section, "clients": clients_section, "memory": memory_section,
    "persistence": persistence_section, "stats": stats_section,
    "replication": replication_section, "cpu": cpu_section, "modules": modules_section,
    "commandstats": commandstats_section, "errorstats": errorstats_section,
    "latencystats": latencystats_section, "cluster": cluster_section, "keyspace": keyspace_section,
}
