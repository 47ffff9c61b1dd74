"""Memory figures for INFO memory, MEMORY STATS/USAGE/DOCTOR and maxmemory (zmalloc.c's role).

Python has no allocator accounting per key, so `used_memory` is the process RSS read
from /proc (cached for a tenth of a second) and everything below it is an estimate:
- strings are sized as Redis 7.4 sizes them (robj, embstr/raw sds headers, the key's sds
  and its dict entry, rounded to jemalloc's size classes), so MEMORY USAGE of a string
  key answers the same number as Redis;
- other types use the estimator their module registered (engine/objects.MEMORY,
  `fn(value, samples) -> bytes` of the value, samples 0 meaning every element), else a
  sampled generic estimate;
- the per-database overhead is the size of the Python dicts that hold the keyspace.
Neighbours: commands/server.py (MEMORY), server/info.py (INFO memory), server.py (OOM).
"""

from __future__ import annotations

import gc
import itertools
import os
import resource
import struct
import sys
import time
from typing import Any

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_cache = [0.0, 0]


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except OSError:  # pragma: no cover - non-Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def used_memory(srv: Any = None) -> int:
    now = time.monotonic()
    if now - _cache[0] > 0.1:
        _cache[0] = now
        _cache[1] = rss_bytes()
        if srv is not None and _cache[1] > srv.stat_peak_memory:
            srv.stat_peak_memory = _cache[1]
    return _cache[1]


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_memory(srv: Any) -> int:
    """used_memory_peak: the highest used_memory seen (the process's peak RSS before any
    CONFIG RESETSTAT, which restarts the peak from the current figure)."""
    used = used_memory(srv)
    peak = srv.stat_peak_memory
    if not getattr(srv, "peak_reset", False):
        peak = max(peak, peak_rss())
    return max(peak, used)


def startup_memory(srv: Any) -> int:
    return getattr(srv, "used_memory_startup", 0) or 0


def total_system_memory() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * _PAGE
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 0


def human(n: int) -> str:
    """bytesToHuman: 1023B, 1.00K, 15.93M ..."""
    if n < 1024:
        return f"{n}B"
    for unit, div in (("K", 1024), ("M", 1024**2), ("G", 1024**3), ("T", 1024**4), ("P", 1024**5)):
        if n < div * 1024:
            return "%.2f%s" % (n / div, unit)
    return f"{n}B"


# --- per-key sizes (object.c objectComputeSize for strings) ---------------------------------

def jemalloc_size(n: int) -> int:
    """The jemalloc size class holding n bytes (Redis builds it with an 8-byte quantum)."""
    if n <= 8:
        return 8
    if n <= 64:
        return (n + 7) & ~7
    shift = (n - 1).bit_length() - 3
    step = 1 << shift
    return (n + step - 1) & ~(step - 1)


def sds_header(length: int) -> int:
    if length < 32:
        return 1
    if length < 256:
        return 3
    if length < 65536:
        return 5
    if length < 1 << 32:
        return 9
    return 17


ROBJ = 16
DICT_ENTRY = 24


def _int_encodable(v: bytes) -> bool:
    if not v or len(v) > 20:
        return False
    try:
        n = int(v)
    except ValueError:
        return False
    return b"%d" % n == v and -(1 << 63) <= n < (1 << 63)


def string_size(v: Any) -> int:
    """objectComputeSize of a string: int, embstr or raw encoding."""
    t = type(v)
    if t is int:
        return ROBJ if -(1 << 63) <= v < (1 << 63) else ROBJ + jemalloc_size(3 + len(str(v)) + 1)
    if t is bytes:
        n = len(v)
        if n <= 20 and _int_encodable(v):
            return ROBJ
        if n <= 44:
            return jemalloc_size(ROBJ + 3 + n + 1)
        return ROBJ + jemalloc_size(sds_header(n) + n + 1)
    n = len(v)  # bytearray: raw, grown through sdsMakeRoomFor (never the 1-byte header)
    return ROBJ + jemalloc_size(max(3, sds_header(n)) + n + 1)


def _generic_size(v: Any, samples: int) -> int:
    """Fallback for a type without an estimator: sizes of a sample of its elements."""
    size = ROBJ + sys.getsizeof(v)
    try:
        n = len(v)
        it = iter(v)
    except TypeError:
        return size
    if not n:
        return size
    k = n if samples <= 0 else min(n, samples)
    part = list(itertools.islice(it, k))
    if not part:
        return size
    elem = 0
    for x in part:
        elem += sys.getsizeof(x)
        if isinstance(v, dict):
            elem += sys.getsizeof(v[x])
    return size + elem * n // len(part)


def value_size(v: Any, samples: int) -> int:
    t = type(v)
    if t is bytes or t is bytearray or t is int:
        return string_size(v)
    from moredis.engine.objects import MEMORY

    fn = MEMORY.get(t)
    if fn is not None:
        return fn(v, samples)
    mv = getattr(v, "mem_usage", None)  # module values answer for themselves
    if callable(mv):
        try:
            return ROBJ + int(mv())
        except Exception:
            pass
    return _generic_size(v, samples)


def key_usage(key: bytes, v: Any, samples: int) -> int:
    """MEMORY USAGE: the value, the key's sds and its dict entry."""
    return value_size(v, samples) + jemalloc_size(sds_header(len(key)) + len(key) + 1) + DICT_ENTRY


# --- MEMORY STATS / INFO memory -----------------------------------------------------------

def _f32(x: float) -> float:
    """Redis keeps these ratios in C floats; printing them shows float precision."""
    return struct.unpack("f", struct.pack("f", x))[0]


def clients_memory(srv: Any) -> tuple[int, int]:
    """(normal clients, replicas): bytes waiting in their output buffers."""
    normal = replicas = 0
    for c in srv.clients.values():
        conn = c.conn
        t = getattr(conn, "transport", None)
        n = 0
        if t is not None:
            try:
                n = t.get_write_buffer_size()
            except Exception:
                n = 0
        if c.is_replica:
            replicas += n
        else:
            normal += n
    return normal, replicas


def db_overhead(db: Any) -> tuple[int, int]:
    """(main, expires) hashtable overhead of one database: its dicts' own sizes."""
    main = sys.getsizeof(db.data) + sys.getsizeof(db.access)
    exp = sys.getsizeof(db.expires) + 16 * len(db._heap)
    return main, exp


def overhead(srv: Any) -> dict[str, Any]:
    """getMemoryOverheadData: the figures INFO memory and MEMORY STATS share."""
    used = used_memory(srv)
    startup = startup_memory(srv)
    normal, replicas = clients_memory(srv)
    backlog = 0
    repl = getattr(srv, "replication", None)
    if repl is not None:
        backlog = int(getattr(repl, "backlog_memory", 0) or 0)
    aof_buf = 0
    if srv.aof is not None:
        aof_buf = int(getattr(srv.aof, "buffer_size", 0) or 0)
    dbs = []
    db_total = 0
    keys = 0
    for db in srv.dbs:
        n = len(db.data)
        if not n:
            continue
        keys += n
        main, exp = db_overhead(db)
        db_total += main + exp
        dbs.append((db.id, main, exp))
    total = startup + backlog + replicas + normal + aof_buf + db_total
    net = used - startup
    dataset = max(used - total, 0)
    peak = peak_memory(srv)
    rss = rss_bytes()
    return {
        "used": used, "peak": peak, "startup": startup, "backlog": backlog,
        "clients_slaves": replicas, "clients_normal": normal, "aof_buffer": aof_buf,
        "dbs": dbs, "overhead": total, "keys": keys,
        "bytes_per_key": net // keys if keys and net > 0 else 0,
        "dataset": dataset,
        "dataset_perc": dataset * 100.0 / net if net > 0 else 0.0,
        "peak_perc": used * 100.0 / peak if peak else 0.0,
        "rss": rss,
    }


def memory_stats(srv: Any) -> list[tuple[str, Any]]:
    """MEMORY STATS in Redis's field order; floats reply as doubles, nested dbs as maps."""
    o = overhead(srv)
    used, rss = o["used"], o["rss"]
    out: list[tuple[str, Any]] = [
        ("peak.allocated", o["peak"]),
        ("total.allocated", used),
        ("startup.allocated", o["startup"]),
        ("replication.backlog", o["backlog"]),
        ("clients.slaves", o["clients_slaves"]),
        ("clients.normal", o["clients_normal"]),
        ("cluster.links", 0),
        ("aof.buffer", o["aof_buffer"]),
        ("lua.caches", _scripting(srv, "lua_caches", 0)),
        ("functions.caches", _scripting(srv, "functions_caches", 0)),
    ]
    for dbid, main, exp in o["dbs"]:
        out.append((f"db.{dbid}", [("overhead.hashtable.main", main), ("overhead.hashtable.expires", exp)]))
    out += [
        ("overhead.db.hashtable.lut", 0),
        ("overhead.db.hashtable.rehashing", 0),
        ("overhead.total", o["overhead"]),
        ("db.dict.rehashing.count", 0),
        ("keys.count", o["keys"]),
        ("keys.bytes-per-key", o["bytes_per_key"]),
        ("dataset.bytes", o["dataset"]),
        ("dataset.percentage", _f32(o["dataset_perc"])),
        ("peak.percentage", _f32(o["peak_perc"])),
        ("allocator.allocated", used),
        ("allocator.active", rss),
        ("allocator.resident", rss),
        ("allocator.muzzy", 0),
        ("allocator-fragmentation.ratio", _f32(rss / used if used else 0.0)),
        ("allocator-fragmentation.bytes", rss - used),
        ("allocator-rss.ratio", _f32(1.0)),
        ("allocator-rss.bytes", 0),
        ("rss-overhead.ratio", _f32(1.0)),
        ("rss-overhead.bytes", 0),
        ("fragmentation", _f32(rss / used if used else 0.0)),
        ("fragmentation.bytes", rss - used),
    ]
    return out


def _scripting(srv: Any, name: str, default: int) -> int:
    s = getattr(srv, "scripting", None)
    v = getattr(s, name, None) if s is not None else None
    if callable(v):
        v = v()
    return int(v) if v is not None else default


def doctor(srv: Any) -> str:
    """MEMORY DOCTOR, in our own words, on the conditions memory.c's report looks at."""
    o = overhead(srv)
    used = o["used"]
    if used < 5 * 1024 * 1024:
        return ("This server holds almost no data, so there is nothing meaningful to diagnose "
                "yet. Ask again once it carries a real workload.\n")
    issues = []
    if o["peak"] > used * 1.5:
        issues.append(f"* Peak memory: the process once used {human(o['peak'])}, more than 150% of "
                      f"the {human(used)} it uses now. Memory freed since then may not have been "
                      "returned to the system; MEMORY PURGE can help.")
    nclients = sum(1 for c in srv.clients.values() if not c.is_replica)
    if nclients and o["clients_normal"] / nclients > 200 * 1024:
        issues.append("* Client output buffers: clients hold more than 200KB of pending replies each "
                      "on average; slow readers or very large replies (KEYS, big LRANGE) are likely. "
                      "See CLIENT LIST and client-output-buffer-limit.")
    if o["clients_slaves"] > 10 * 1024 * 1024:
        issues.append("* Replica buffers: more than 10MB is waiting to be sent to replicas.")
    if not issues:
        return "No memory problem was found on this server.\n"
    return "Memory issues found on this server:\n\n" + "\n\n".join(issues) + "\n"


def malloc_stats(srv: Any) -> str:
    """MEMORY MALLOC-STATS: what the Python runtime knows about its allocations."""
    counts = gc.get_count()
    lines = [
        f"moredis allocator statistics (Python {sys.version.split()[0]}, pymalloc over libc malloc)",
        f"allocated blocks: {sys.getallocatedblocks()}",
        f"resident set size: {rss_bytes()}",
        f"peak resident set size: {peak_rss()}",
        f"gc generation counts: {counts[0]} {counts[1]} {counts[2]}",
    ]
    return "\n".join(lines) + "\n"


def purge() -> None:
    """MEMORY PURGE: collect cycles, then let glibc return free pages (malloc_trim)."""
    gc.collect()
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass
