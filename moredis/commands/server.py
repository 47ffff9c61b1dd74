"""Server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, INFO, CONFIG,
SLOWLOG, LATENCY, MEMORY, MONITOR, SHUTDOWN (COMMAND and DEBUG live in introspection.py
and debug.py).
Neighbours: server/server.py (state), server/info.py (INFO text), server/config.py (the
registry CONFIG reads and writes), server/latency.py, server/memory.py.
"""

from __future__ import annotations

import time
from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.errors import RedisError
from moredis.numbers import string2ll
from moredis.server import latency as L
from moredis.server import memory as M
from moredis.server.info import all_commands


@command("dbsize")
def dbsize_command(c: Any, argv: list[bytes]) -> None:
    """DBSIZE"""
    c.w.integer(len(c.db.data))


def _flush_flag(argv: list[bytes]) -> None:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].upper() not in (b"ASYNC", b"SYNC")):
        raise RedisError(E.SYNTAX)


def flush_db(srv: Any, db: Any, events: bool = True, sync: bool = True) -> int:
    """emptyData for one db: touch every watched key, invalidate tracking, clear.
    Modules see FlushDB START before and END after (`events` False: the caller fires them)."""
    hooks = srv.module_hooks
    if events and hooks is not None:
        hooks.flushed(db.id, start=True, sync=sync)
    for key, clients in list(db.watched.items()):
        if key in db.data:
            for cl in clients:
                cl.dirty_cas = True
    if srv.tracking_table is not None:
        srv.tracking_table.invalidate_all()
    n = db.clear()
    if events and hooks is not None:
        hooks.flushed(db.id, sync=sync)
    return n


@command("flushdb")
def flushdb_command(c: Any, argv: list[bytes]) -> None:
    """FLUSHDB [ASYNC | SYNC]"""
    _flush_flag(argv)
    srv = c.srv
    srv.dirty += flush_db(srv, c.db, sync=len(argv) < 2 or argv[1].upper() != b"ASYNC")
    srv.dirty += 1
    c.w.ok()


@command("flushall")
def flushall_command(c: Any, argv: list[bytes]) -> None:
    """FLUSHALL [ASYNC | SYNC]: also saves an empty RDB when save points are set."""
    _flush_flag(argv)
    srv = c.srv
    sync = len(argv) < 2 or argv[1].upper() != b"ASYNC"
    hooks = srv.module_hooks
    if hooks is not None:
        hooks.flushed(-1, start=True, sync=sync)  # emptyData(-1): one START/END pair for all dbs
    for db in srv.dbs:
        srv.dirty += flush_db(srv, db, events=False)
    if hooks is not None:
        hooks.flushed(-1, sync=sync)
    srv.dirty += 1
    if srv.rdb is not None and srv.config["save"]:
        srv.rdb.save_after_flushall()
    c.w.ok()


# --- SWAPDB ---------------------------------------------------------------------------------

_SWAPPED = ("data", "expires", "access", "_heap", "avg_ttl", "expires_cursor", "subexpires")


def swap_databases(srv: Any, a: Any, b: Any) -> None:
    """db.c dbSwapDatabases: exchange the contents, keep each index's watchers and blocked
    clients (they belong to the number, so clients keep their SELECTed db). WATCHed keys
    that exist on either side are touched; keys clients block on that now exist are ready."""
    for x, y in ((a, b), (b, a)):
        for key, clients in x.watched.items():
            if key in x.data or key in y.data:
                for cl in clients:
                    cl.dirty_cas = True
    for name in _SWAPPED:
        va, vb = getattr(a, name, None), getattr(b, name, None)
        setattr(a, name, vb)
        setattr(b, name, va)
    if a.subexpires is not None or b.subexpires is not None:  # hashes with field TTLs
        from moredis.engine.types.hash import reindex

        for db in (a, b):
            if db.subexpires is not None:
                reindex(db)
    for db, other in ((a, b), (b, a)):
        for key in list(db.blocking):
            # ready keys wake their waiters; keys that vanished with the swap wake the
            # ones that must fail (XREADGROUP), as scanDatabaseForDeletedKeys does
            if key in db.data or key in other.data:
                srv.signal_key_ready(db, key)
    hooks = srv.module_hooks
    if hooks is not None and hasattr(hooks, "swapdb"):
        hooks.swapdb(a.id, b.id)


@command("swapdb")
def swapdb_command(c: Any, argv: list[bytes]) -> None:
    """SWAPDB index1 index2"""
    srv = c.srv
    if srv.config["cluster-enabled"]:
        raise RedisError("ERR SWAPDB is not allowed in cluster mode")
    i = string2ll(argv[1])
    if i is None:
        raise RedisError("ERR invalid first DB index")
    j = string2ll(argv[2])
    if j is None:
        raise RedisError("ERR invalid second DB index")
    n = len(srv.dbs)
    if i < 0 or i >= n or j < 0 or j >= n:
        raise RedisError(E.INVALID_DB)
    if i != j:
        swap_databases(srv, srv.dbs[i], srv.dbs[j])
    srv.dirty += 1
    c.w.ok()


# --- TIME, LASTSAVE ---------------------------------------------------------------------------

@command("time")
def time_command(c: Any, argv: list[bytes]) -> None:
    """TIME: [seconds, microseconds] as bulk strings."""
    us = time.time_ns() // 1000
    c.w.array(2)
    c.w.bulk(b"%d" % (us // 1_000_000))
    c.w.bulk(b"%d" % (us % 1_000_000))


@command("lastsave")
def lastsave_command(c: Any, argv: list[bytes]) -> None:
    """LASTSAVE"""
    c.w.integer(c.srv.lastsave)


# --- INFO -------------------------------------------------------------------------------------

@command("info")
def info_command(c: Any, argv: list[bytes]) -> None:
    """INFO [section [section ...]]: a verbatim string under RESP3."""
    from moredis.server.info import gen_info

    text = gen_info(c.srv, [a.decode("utf-8", "replace") for a in argv[1:]])
    c.w.verbatim(text.encode("utf-8", "surrogateescape"))


# --- CONFIG -----------------------------------------------------------------------------------

@command("config|help")
def config_help_command(c: Any, argv: list[bytes]) -> None:
    """CONFIG HELP"""
    c.w.help([
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Settings whose names match the glob <pattern>, with their values (several patterns allowed).",
        "SET <directive> <value>",
        "    Change <directive> to <value>; several pairs change together or not at all.",
        "RESETSTAT",
        "    Zero the statistics that INFO shows.",
        "REWRITE",
        "    Write the running configuration back into the config file.",
        "HELP",
        "    This text.",
    ])


@command("config|get")
def config_get_command(c: Any, argv: list[bytes]) -> None:
    """CONFIG GET parameter [parameter ...]: exact names answer as typed; globs match names
    and aliases (hidden configs only by exact name)."""
    pairs = c.srv.config.get([a.decode("utf-8", "surrogateescape") for a in argv[2:]])
    w = c.w
    w.map(len(pairs))
    for name, value in pairs:
        w.bulk(name.encode("utf-8", "surrogateescape"))
        w.bulk(value.encode("utf-8", "surrogateescape"))


@command("config|set")
def config_set_command(c: Any, argv: list[bytes]) -> None:
    """CONFIG SET parameter value [parameter value ...]: all or nothing."""
    if len(argv) % 2:
        raise RedisError(E.SYNTAX)
    srv = c.srv
    pairs = [(argv[i].decode("utf-8", "surrogateescape"), argv[i + 1].decode("utf-8", "surrogateescape"))
             for i in range(2, len(argv), 2)]
    srv.config.set_many(pairs, loading=srv.loading, client=c)
    if srv.module_hooks is not None:
        srv.module_hooks.config_changed([name.lower() for name, _ in pairs])
    c.w.ok()


@command("config|resetstat")
def config_resetstat_command(c: Any, argv: list[bytes]) -> None:
    """CONFIG RESETSTAT: INFO counters, command and error stats, latency histograms, and
    the server's peak memory; the slow log and the latency monitor are kept."""
    srv = c.srv
    srv.reset_stats()
    for name, value in list(vars(srv).items()):  # counters other subsystems added (stat_*)
        if name.startswith("stat_") and type(value) is int:
            setattr(srv, name, 0)
    for cmd in all_commands(srv):
        cmd.latency_hist = None
    srv.peak_reset = True
    srv.stat_peak_memory = M.rss_bytes()
    c.w.ok()


@command("config|rewrite")
def config_rewrite_command(c: Any, argv: list[bytes]) -> None:
    """CONFIG REWRITE"""
    srv = c.srv
    path = getattr(srv, "config_file", None)
    if not path:
        raise RedisError("ERR The server is running without a config file")
    from moredis.server.config import rewrite_config

    try:
        rewrite_config(srv, path)
    except OSError as e:
        srv.log.warning(f"CONFIG REWRITE failed: {e.strerror}")
        raise RedisError(f"ERR Rewriting config file: {e.strerror}") from None
    srv.log.notice("CONFIG REWRITE executed with success.")
    c.w.ok()


# --- SLOWLOG ----------------------------------------------------------------------------------

@command("slowlog|help")
def slowlog_help_command(c: Any, argv: list[bytes]) -> None:
    """SLOWLOG HELP"""
    c.w.help([
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    The <count> newest entries of the slow log (10 when omitted, -1 for all).",
        "    Each entry holds:",
        "    its id, the unix time it ran, its duration in microseconds, its arguments,",
        "    the client's address and the client's name",
        "LEN",
        "    How many entries the slow log holds.",
        "RESET",
        "    Empty the slow log.",
        "HELP",
        "    This text.",
    ])


@command("slowlog|get")
def slowlog_get_command(c: Any, argv: list[bytes]) -> None:
    """SLOWLOG GET [count]: newest first; -1 means every entry."""
    if len(argv) > 3:
        raise RedisError("ERR unknown subcommand or wrong number of arguments for '%s'. Try SLOWLOG HELP."
                         % argv[1][:128].decode("utf-8", "replace"))
    count = 10
    if len(argv) == 3:
        n = string2ll(argv[2])
        if n is None or n < -1:
            raise RedisError("ERR count should be greater than or equal to -1")
        count = n
    log = c.srv.slowlog
    if count == -1 or count > len(log):
        count = len(log)
    w = c.w
    w.array(count)
    for i in range(count):
        e = log[i]
        w.array(6)
        w.integer(e.id)
        w.integer(e.time)
        w.integer(e.duration)
        w.array(len(e.argv))
        for a in e.argv:
            w.bulk(a)
        w.bulk(e.addr.encode())
        w.bulk(e.name)


@command("slowlog|len")
def slowlog_len_command(c: Any, argv: list[bytes]) -> None:
    """SLOWLOG LEN"""
    c.w.integer(len(c.srv.slowlog))


@command("slowlog|reset")
def slowlog_reset_command(c: Any, argv: list[bytes]) -> None:
    """SLOWLOG RESET: the ids keep counting up."""
    c.srv.slowlog.clear()
    c.w.ok()


# --- LATENCY ----------------------------------------------------------------------------------

@command("latency|help")
def latency_help_command(c: Any, argv: list[bytes]) -> None:
    """LATENCY HELP"""
    c.w.help([
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    A readable analysis of the recorded latency events.",
        "GRAPH <event>",
        "    The samples of <event> drawn as a text chart.",
        "HISTORY <event>",
        "    The samples of <event> as [unix time, milliseconds] pairs.",
        "LATEST",
        "    The newest sample and the worst one of every event.",
        "RESET [<event> ...]",
        "    Forget the samples of the given events",
        "    (of every event when none is named).",
        "HISTOGRAM [COMMAND ...]",
        "    Cumulative latency distribution of the named commands, in power-of-two buckets.",
        "    Every command that has one when none is named.",
        "HELP",
        "    This text.",
    ])


@command("latency|latest")
def latency_latest_command(c: Any, argv: list[bytes]) -> None:
    """LATENCY LATEST: [event, time, latest ms, all-time max ms] per event."""
    events = c.srv.latency_events
    w = c.w
    w.array(len(events))
    for name, ts in events.items():
        t, ms = ts[-1] if ts else (0, 0)
        w.array(4)
        w.bulk(name.encode())
        w.integer(t)
        w.integer(ms)
        w.integer(ts.max)


@command("latency|history")
def latency_history_command(c: Any, argv: list[bytes]) -> None:
    """LATENCY HISTORY event"""
    ts = c.srv.latency_events.get(argv[2].decode("utf-8", "surrogateescape"))
    w = c.w
    if ts is None:
        w.array(0)
        return
    w.array(len(ts))
    for t, ms in ts:
        w.array(2)
        w.integer(t)
        w.integer(ms)


@command("latency|graph")
def latency_graph_command(c: Any, argv: list[bytes]) -> None:
    """LATENCY GRAPH event"""
    name = argv[2].decode("utf-8", "surrogateescape")
    ts = c.srv.latency_events.get(name)
    if ts is None:
        raise RedisError(f"ERR No samples available for event '{name}'")
    c.w.verbatim(L.graph(name, ts).encode("utf-8", "surrogateescape"))


@command("latency|doctor")
def latency_doctor_command(c: Any, argv: list[bytes]) -> None:
    """LATENCY DOCTOR"""
    c.w.verbatim(L.doctor(c.srv).encode())


@command("latency|reset")
def latency_reset_command(c: Any, argv: list[bytes]) -> None:
    """LATENCY RESET [event ...]: how many event series were dropped."""
    events = c.srv.latency_events
    if len(argv) == 2:
        n = len(events)
        events.clear()
    else:
        n = 0
        for a in argv[2:]:
            if events.pop(a.decode("utf-8", "surrogateescape"), None) is not None:
                n += 1
    c.w.integer(n)


def find_command(srv: Any, name: bytes) -> Any:
    """lookupCommandBySds: "get", or "config|get" for a subcommand."""
    parts = name.lower().split(b"|")
    if len(parts) > 2:
        return None
    cmd = srv.table.get(parts[0])
    if cmd is None or len(parts) == 1:
        return cmd
    if not cmd.subcommands:
        return None
    return cmd.subcommands.get(parts[1])


def _histogram_entry(w: Any, cmd: Any) -> None:
    hist = L.as_dict(cmd.latency_hist)
    buckets = L.cumulative_buckets(hist)
    w.bulk(cmd.fullname.encode())
    w.map(2)
    w.bulk(b"calls")
    w.integer(sum(hist.values()))
    w.bulk(b"histogram_usec")
    w.map(len(buckets))
    for us, n in buckets:
        w.integer(us)
        w.integer(n)


@command("latency|histogram")
def latency_histogram_command(c: Any, argv: list[bytes]) -> None:
    """LATENCY HISTOGRAM [command ...]: names may repeat, and then so do the entries."""
    srv = c.srv
    if len(argv) == 2:
        cmds = [cmd for cmd in all_commands(srv) if cmd.latency_hist]
    else:
        cmds = []
        for a in argv[2:]:
            cmd = find_command(srv, a)
            if cmd is None:
                continue
            if cmd.latency_hist:
                cmds.append(cmd)
            if cmd.subcommands:  # a container stands for its subcommands
                cmds.extend(sub for sub in cmd.subcommands.values() if sub.latency_hist)
    w = c.w
    w.map(len(cmds))
    for cmd in cmds:
        _histogram_entry(w, cmd)


# --- MEMORY -----------------------------------------------------------------------------------

@command("memory|help")
def memory_help_command(c: Any, argv: list[bytes]) -> None:
    """MEMORY HELP"""
    c.w.help([
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    A readable report on possible memory problems.",
        "MALLOC-STATS",
        "    The allocator's own statistics, as text.",
        "PURGE",
        "    Ask the allocator to hand unused memory back to the system.",
        "STATS",
        "    How the server's memory is spent.",
        "USAGE <key> [SAMPLES <count>]",
        "    Bytes taken by <key> and its value. Big values are estimated from <count>",
        "    sampled elements (5 when omitted, 0 to look at every element).",
        "HELP",
        "    This text.",
    ])


@command("memory|usage")
def memory_usage_command(c: Any, argv: list[bytes]) -> None:
    """MEMORY USAGE key [SAMPLES count]"""
    samples = 5
    i = 3
    n = len(argv)
    while i < n:
        if argv[i].upper() == b"SAMPLES" and i + 1 < n:
            v = string2ll(argv[i + 1])
            if v is None:
                raise RedisError(E.NOT_INTEGER)
            if v < 0:
                raise RedisError(E.SYNTAX)
            samples = v  # 0: every element
            i += 2
        else:
            raise RedisError(E.SYNTAX)
    key = argv[2]
    v = c.db.data.get(key)  # dbFind: no expiry check, no stats, no LRU touch
    if v is None:
        c.w.null()
        return
    c.w.integer(M.key_usage(key, v, samples))


@command("memory|stats")
def memory_stats_command(c: Any, argv: list[bytes]) -> None:
    """MEMORY STATS"""
    fields = M.memory_stats(c.srv)
    w = c.w
    w.map(len(fields))
    for name, v in fields:
        w.bulk(name.encode())
        _reply_value(w, v)


def _reply_value(w: Any, v: Any) -> None:
    if isinstance(v, list):
        w.map(len(v))
        for k, x in v:
            w.bulk(k.encode())
            _reply_value(w, x)
    elif isinstance(v, float):
        w.double(v)
    else:
        w.integer(v)


@command("memory|doctor")
def memory_doctor_command(c: Any, argv: list[bytes]) -> None:
    """MEMORY DOCTOR"""
    c.w.verbatim(M.doctor(c.srv).encode())


@command("memory|malloc-stats")
def memory_malloc_stats_command(c: Any, argv: list[bytes]) -> None:
    """MEMORY MALLOC-STATS"""
    c.w.verbatim(M.malloc_stats(c.srv).encode())


@command("memory|purge")
def memory_purge_command(c: Any, argv: list[bytes]) -> None:
    """MEMORY PURGE: a full garbage collection, then malloc_trim."""
    M.purge()
    c.w.ok()


# --- MONITOR, SHUTDOWN ------------------------------------------------------------------------

@command("monitor")
def monitor_command(c: Any, argv: list[bytes]) -> None:
    """MONITOR: a second MONITOR (or one from a replica) is ignored without a reply."""
    if c.deny_blocking and not c.in_script:
        raise RedisError("ERR MONITOR isn't allowed for DENY BLOCKING client")
    if c.is_replica or c.is_monitor:
        return
    srv = c.srv
    c.is_monitor = True
    srv.monitors.append(c)
    srv._recompute_guard()
    c.w.ok()


@command("shutdown")
def shutdown_command(c: Any, argv: list[bytes]) -> None:
    """SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: on success nothing is replied, the
    connection closes with the server."""
    save: bool | None = None
    now = force = abort = False
    flags = 0
    for a in argv[1:]:
        opt = a.lower()
        if opt == b"nosave":
            if save is True:
                flags |= 8
            save = False
            flags |= 1
        elif opt == b"save":
            if save is False:
                flags |= 8
            save = True
            flags |= 1
        elif opt == b"now":
            now = True
            flags |= 2
        elif opt == b"force":
            force = True
            flags |= 4
        elif opt == b"abort":
            abort = True
        else:
            raise RedisError(E.SYNTAX)
    if (abort and flags) or flags & 8:
        raise RedisError(E.SYNTAX)
    srv = c.srv
    if abort:
        raise RedisError("ERR No shutdown in progress.")
    if not now and c.deny_blocking:
        raise RedisError("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client")
    if srv.loading:
        save = False
    err = srv.prepare_shutdown(save=save, now=now, force=force)
    if err is not None:
        raise RedisError(err)
    c.close_after_reply = True
    c.closing = True
    srv.request_stop()
