"""The config registry: every redis.conf directive Redis 7.4 knows, typed and validated.

One table (`_TABLE`) lists name, kind, default, flags and bounds, read off Redis's
documented defaults. CONFIG GET/SET/REWRITE, the command line and config files all go
through `Config`. Setters that must reach running state register an `on_change` hook
(`Config.watch(name, fn)`); hot values are mirrored onto the server by those hooks.
Module configs (`<module>.<name>`) register here too at load time.
Neighbours: server/server.py (hooks), commands/server.py (CONFIG command), cli.py.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moredis.engine import notify as N
from moredis.errors import RedisError

IMMUTABLE = 1
SENSITIVE = 2
PROTECTED = 4
HIDDEN = 8
DENY_LOADING = 16
MULTI_ARG = 32
VOLATILE = 64

YES_NO = {"yes": True, "no": False}


class ConfigError(Exception):
    """A value refused by a setter; the text follows CONFIG SET's ' - ' separator."""


@dataclass
class ConfigDef:
    name: str
    kind: str  # bool int memory enum string special percent-memory
    default: Any
    flags: int = 0
    lo: int | None = None
    hi: int | None = None
    enum: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    parse: Callable[[str], Any] | None = None  # special kinds
    fmt: Callable[[Any], str] | None = None
    clamp: bool = False
    module: str | None = None
    hooks: list[Callable[[Any], None]] = field(default_factory=list)


def memtoull(s: str) -> int | None:
    """util.c memtoull: "1k"=1000, "1kb"=1024 ... case-insensitive; None if malformed."""
    m = re.fullmatch(r"(-?\d+)([kKmMgG][bB]?|[bB])?", s)
    if not m:
        return None
    n = int(m.group(1))
    unit = (m.group(2) or "b").lower()
    mul = {"b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}[unit]
    return n * mul


# --- special parsers ----------------------------------------------------------------

def _parse_save(s: str):
    parts = s.split()
    if len(parts) % 2:
        raise ConfigError("Invalid save parameters")
    out = []
    for i in range(0, len(parts), 2):
        try:
            secs, changes = int(parts[i]), int(parts[i + 1])
        except ValueError:
            raise ConfigError("Invalid save parameters") from None
        if secs < 1 or changes < 0:
            raise ConfigError("Invalid save parameters")
        out.append((secs, changes))
    return out


def _fmt_save(v) -> str:
    return " ".join(f"{a} {b}" for a, b in v)


_COBL_CLASSES = {"normal": "normal", "slave": "slave", "replica": "slave", "pubsub": "pubsub"}


def _parse_cobl(s: str, current: dict | None = None):
    parts = s.split()
    if len(parts) % 4:
        raise ConfigError("Wrong number of arguments in buffer limit configuration.")
    out = dict(current or {"normal": (0, 0, 0), "slave": (256 << 20, 64 << 20, 60),
                           "pubsub": (32 << 20, 8 << 20, 60)})
    for i in range(0, len(parts), 4):
        cls = _COBL_CLASSES.get(parts[i].lower())
        hard, soft = memtoull(parts[i + 1]), memtoull(parts[i + 2])
        try:
            secs = int(parts[i + 3])
        except ValueError:
            secs = -1
        if cls is None or hard is None or soft is None or secs < 0 or hard < 0 or soft < 0:
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
        out[cls] = (hard, soft, secs)
    return out


def _fmt_cobl(v) -> str:
    return " ".join(f"{c} {v[c][0]} {v[c][1]} {v[c][2]}" for c in ("normal", "slave", "pubsub"))


def _parse_notify(s: str) -> int:
    f = N.flags_from_string(s)
    if f is None:
        raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    return f


def _parse_bind(s: str):
    parts = s.split()
    if len(parts) > 16:
        raise ConfigError("Too many bind addresses specified.")
    return parts


def _parse_oom_values(s: str):
    parts = s.split()
    if len(parts) != 3:
        raise ConfigError("Invalid oom-score-adj-values")
    try:
        vals = [int(p) for p in parts]
    except ValueError:
        raise ConfigError("Invalid oom-score-adj-values") from None
    if any(v < -2000 or v > 2000 for v in vals):
        raise ConfigError("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
    return vals


def _parse_percentiles(s: str):
    out = []
    for p in s.split():
        try:
            f = float(p)
        except ValueError:
            raise ConfigError("latency-tracking-info-percentiles should be a list of doubles") from None
        if f < 0 or f > 100:
            raise ConfigError("latency-tracking-info-percentiles should be between 0 and 100")
        out.append(f)
    return out


def _fmt_percentiles(v) -> str:
    return " ".join(("%f" % x).rstrip("0").rstrip(".") for x in v)


def _parse_replicaof(s: str):
    parts = s.split()
    if not parts or (len(parts) == 2 and parts[0].lower() == "no" and parts[1].lower() == "one"):
        return None
    if len(parts) != 2:
        raise ConfigError("wrong number of arguments")
    try:
        return (parts[0], int(parts[1]))
    except ValueError:
        raise ConfigError("Invalid master port") from None


def _fmt_replicaof(v) -> str:
    return "" if v is None else f"{v[0]} {v[1]}"


def _parse_octal(s: str) -> int:
    try:
        return int(s, 8)
    except ValueError:
        raise ConfigError("argument couldn't be parsed into an integer") from None


def _fmt_octal(v) -> str:
    return "%o" % v


def _parse_dir(s: str) -> str:
    if s:
        try:
            os.chdir(s)
        except OSError as e:
            raise ConfigError(e.strerror or str(e)) from None
    return os.getcwd()


_EVICT = ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
          "allkeys-lfu", "allkeys-random", "noeviction")
_LOGLEVELS = ("debug", "verbose", "notice", "warning", "nothing")
_I = 2**31 - 1
_LL = 2**63 - 1


def _defs() -> list[ConfigDef]:
    D = ConfigDef
    S = "special"
    return [
        # booleans -----------------------------------------------------------------
        D("activedefrag", "bool", False),
        D("activerehashing", "bool", True),
        D("always-show-logo", "bool", False, IMMUTABLE),
        D("aof-load-truncated", "bool", True),
        D("aof-rewrite-incremental-fsync", "bool", True),
        D("aof-timestamp-enabled", "bool", False),
        D("aof-use-rdb-preamble", "bool", True),
        D("appendonly", "bool", False, DENY_LOADING),
        D("cluster-allow-pubsubshard-when-down", "bool", True),
        D("cluster-allow-reads-when-down", "bool", False),
        D("cluster-allow-replica-migration", "bool", True),
        D("cluster-enabled", "bool", False, IMMUTABLE),
        D("cluster-replica-no-failover", "bool", False, aliases=("cluster-slave-no-failover",)),
        D("cluster-require-full-coverage", "bool", True),
        D("crash-log-enabled", "bool", True),
        D("crash-memcheck-enabled", "bool", True),
        D("daemonize", "bool", False, IMMUTABLE),
        D("disable-thp", "bool", True, IMMUTABLE),
        D("dynamic-hz", "bool", True),
        D("hide-user-data-from-log", "bool", False),
        D("io-threads-do-reads", "bool", False, IMMUTABLE),
        D("jemalloc-bg-thread", "bool", True),
        D("latency-tracking", "bool", True),
        D("lazyfree-lazy-eviction", "bool", False),
        D("lazyfree-lazy-expire", "bool", False),
        D("lazyfree-lazy-server-del", "bool", False),
        D("lazyfree-lazy-user-del", "bool", False),
        D("lazyfree-lazy-user-flush", "bool", False),
        D("no-appendfsync-on-rewrite", "bool", False),
        D("protected-mode", "bool", True),
        D("rdb-del-sync-files", "bool", False),
        D("rdb-save-incremental-fsync", "bool", True),
        D("rdbchecksum", "bool", True, IMMUTABLE),
        D("rdbcompression", "bool", True),
        D("repl-disable-tcp-nodelay", "bool", False),
        D("repl-diskless-sync", "bool", True),
        D("replica-announced", "bool", True),
        D("replica-ignore-disk-write-errors", "bool", False),
        D("replica-ignore-maxmemory", "bool", True, aliases=("slave-ignore-maxmemory",)),
        D("replica-lazy-flush", "bool", False, aliases=("slave-lazy-flush",)),
        D("replica-read-only", "bool", True, aliases=("slave-read-only",)),
        D("replica-serve-stale-data", "bool", True, aliases=("slave-serve-stale-data",)),
        D("set-proc-title", "bool", True, IMMUTABLE),
        D("stop-writes-on-bgsave-error", "bool", True),
        D("syslog-enabled", "bool", False, IMMUTABLE),
        D("tls-auth-clients", "enum", "yes", enum=("no", "yes", "optional")),
        D("tls-cluster", "bool", False),
        D("tls-prefer-server-ciphers", "bool", False),
        D("tls-replication", "bool", False),
        D("tls-session-caching", "bool", True),
        # integers ------------------------------------------------------------------
        D("acllog-max-len", "int", 128, lo=0, hi=_LL),
        D("active-defrag-cycle-max", "int", 25, lo=1, hi=99),
        D("active-defrag-cycle-min", "int", 1, lo=1, hi=99),
        D("active-defrag-ignore-bytes", "memory", 100 << 20, lo=1, hi=_LL),
        D("active-defrag-max-scan-fields", "int", 1000, lo=1, hi=_LL),
        D("active-defrag-threshold-lower", "int", 10, lo=0, hi=1000),
        D("active-defrag-threshold-upper", "int", 100, lo=0, hi=1000),
        D("active-expire-effort", "int", 1, lo=1, hi=10),
        D("auto-aof-rewrite-min-size", "memory", 64 << 20, lo=0, hi=_LL),
        D("auto-aof-rewrite-percentage", "int", 100, lo=0, hi=_I),
        D("busy-reply-threshold", "int", 5000, lo=0, hi=_LL, aliases=("lua-time-limit",)),
        D("client-query-buffer-limit", "memory", 1 << 30, lo=1024 * 1024, hi=_LL),
        D("cluster-announce-bus-port", "int", 0, lo=0, hi=65535),
        D("cluster-announce-port", "int", 0, lo=0, hi=65535),
        D("cluster-announce-tls-port", "int", 0, lo=0, hi=65535),
        D("cluster-link-sendbuf-limit", "memory", 0, lo=0, hi=_LL),
        D("cluster-migration-barrier", "int", 1, lo=0, hi=_I),
        D("cluster-node-timeout", "int", 15000, lo=0, hi=_LL),
        D("cluster-port", "int", 0, IMMUTABLE, lo=0, hi=65535),
        D("cluster-replica-validity-factor", "int", 10, lo=0, hi=_I, aliases=("cluster-slave-validity-factor",)),
        D("databases", "int", 16, IMMUTABLE, lo=1, hi=_I),
        D("hash-max-listpack-entries", "int", 512, lo=0, hi=_LL, aliases=("hash-max-ziplist-entries",)),
        D("hash-max-listpack-value", "int", 64, lo=0, hi=_LL, aliases=("hash-max-ziplist-value",)),
        D("hll-sparse-max-bytes", "memory", 3000, lo=0, hi=_LL),
        D("hz", "int", 10, lo=0, hi=_I, clamp=True),
        D("io-threads", "int", 1, IMMUTABLE, lo=1, hi=128),
        D("latency-monitor-threshold", "int", 0, lo=0, hi=_LL),
        D("lfu-decay-time", "int", 1, lo=0, hi=_I),
        D("lfu-log-factor", "int", 10, lo=0, hi=_I),
        D("list-compress-depth", "int", 0, lo=0, hi=_I),
        D("list-max-listpack-size", "int", -2, lo=-(2**31), hi=_I, aliases=("list-max-ziplist-size",)),
        D("max-new-connections-per-cycle", "int", 10, lo=1, hi=1000),
        D("max-new-tls-connections-per-cycle", "int", 1, lo=1, hi=1000),
        D("maxclients", "int", 10000, lo=1, hi=2**32 - 1),
        D("maxmemory", "memory", 0, lo=0, hi=_LL),
        D("maxmemory-clients", "percent-memory", 0, lo=0, hi=_LL),
        D("maxmemory-eviction-tenacity", "int", 10, lo=0, hi=100),
        D("maxmemory-samples", "int", 5, lo=1, hi=64),
        D("min-replicas-max-lag", "int", 10, lo=0, hi=_I, aliases=("min-slaves-max-lag",)),
        D("min-replicas-to-write", "int", 0, lo=0, hi=_I, aliases=("min-slaves-to-write",)),
        D("port", "int", 6379, lo=0, hi=65535),
        D("proto-max-bulk-len", "memory", 512 << 20, lo=1024 * 1024, hi=_LL),
        D("repl-backlog-size", "memory", 1 << 20, lo=1, hi=_LL),
        D("repl-backlog-ttl", "int", 3600, lo=0, hi=_I),
        D("repl-diskless-sync-delay", "int", 5, lo=0, hi=_I),
        D("repl-diskless-sync-max-replicas", "int", 0, lo=0, hi=_I),
        D("repl-ping-replica-period", "int", 10, lo=1, hi=_I, aliases=("repl-ping-slave-period",)),
        D("repl-timeout", "int", 60, lo=1, hi=_I),
        D("replica-announce-port", "int", 0, lo=0, hi=65535, aliases=("slave-announce-port",)),
        D("replica-priority", "int", 100, lo=0, hi=_I, aliases=("slave-priority",)),
        D("set-max-intset-entries", "int", 512, lo=0, hi=_LL),
        D("set-max-listpack-entries", "int", 128, lo=0, hi=_LL),
        D("set-max-listpack-value", "int", 64, lo=0, hi=_LL),
        D("shutdown-timeout", "int", 10, lo=0, hi=_I),
        D("slowlog-log-slower-than", "int", 10000, lo=-1, hi=_LL),
        D("slowlog-max-len", "int", 128, lo=0, hi=_LL),
        D("socket-mark-id", "int", 0, lo=0, hi=2**32 - 1),
        D("stream-node-max-bytes", "memory", 4096, lo=0, hi=_LL),
        D("stream-node-max-entries", "int", 100, lo=0, hi=_LL),
        D("tcp-backlog", "int", 511, IMMUTABLE, lo=0, hi=_I),
        D("tcp-keepalive", "int", 300, lo=0, hi=_I),
        D("timeout", "int", 0, lo=0, hi=_I),
        D("tls-port", "int", 0, lo=0, hi=65535),
        D("tls-session-cache-size", "int", 20480, lo=0, hi=_I),
        D("tls-session-cache-timeout", "int", 300, lo=0, hi=_I),
        D("tracking-table-max-keys", "int", 1000000, lo=0, hi=_LL),
        D("zset-max-listpack-entries", "int", 128, lo=0, hi=_LL, aliases=("zset-max-ziplist-entries",)),
        D("zset-max-listpack-value", "int", 64, lo=0, hi=_LL, aliases=("zset-max-ziplist-value",)),
        D("unixsocketperm", S, 0, IMMUTABLE, parse=_parse_octal, fmt=_fmt_octal),
        # enums ---------------------------------------------------------------------
        D("acl-pubsub-default", "enum", "resetchannels", enum=("allchannels", "resetchannels")),
        D("appendfsync", "enum", "everysec", enum=("always", "everysec", "no")),
        D("cluster-preferred-endpoint-type", "enum", "ip", enum=("ip", "hostname", "unknown-endpoint")),
        D("enable-debug-command", "enum", "no", IMMUTABLE, enum=("no", "yes", "local")),
        D("enable-module-command", "enum", "no", IMMUTABLE, enum=("no", "yes", "local")),
        D("enable-protected-configs", "enum", "no", IMMUTABLE, enum=("no", "yes", "local")),
        D("loglevel", "enum", "notice", enum=_LOGLEVELS),
        D("maxmemory-policy", "enum", "noeviction", enum=_EVICT),
        D("oom-score-adj", "enum", "no", enum=("no", "yes", "relative", "absolute")),
        D("propagation-error-behavior", "enum", "ignore", enum=("ignore", "panic", "panic-on-replicas")),
        D("repl-diskless-load", "enum", "disabled", enum=("disabled", "on-empty-db", "swapdb")),
        D("sanitize-dump-payload", "enum", "no", enum=("no", "yes", "clients")),
        D("shutdown-on-sigint", "string", "default"),
        D("shutdown-on-sigterm", "string", "default"),
        D("supervised", "enum", "no", IMMUTABLE, enum=("upstart", "systemd", "auto", "no")),
        D("syslog-facility", "enum", "local0", IMMUTABLE, enum=("user", "local0", "local1", "local2", "local3",
                                                               "local4", "local5", "local6", "local7")),
        # strings -------------------------------------------------------------------
        D("aclfile", "string", "", IMMUTABLE),
        D("aof-rewrite-cpulist", "string", "", IMMUTABLE, aliases=("aof_rewrite_cpulist",)),
        D("appenddirname", "string", "appendonlydir", IMMUTABLE),
        D("appendfilename", "string", "appendonly.aof", IMMUTABLE),
        D("bgsave-cpulist", "string", "", IMMUTABLE, aliases=("bgsave_cpulist",)),
        D("bind-source-addr", "string", ""),
        D("bio-cpulist", "string", "", IMMUTABLE, aliases=("bio_cpulist",)),
        D("cluster-announce-hostname", "string", ""),
        D("cluster-announce-human-nodename", "string", ""),
        D("cluster-announce-ip", "string", ""),
        D("cluster-config-file", "string", "nodes.conf", IMMUTABLE),
        D("dbfilename", "string", "dump.rdb", PROTECTED),
        D("ignore-warnings", "string", ""),
        D("locale-collate", "string", ""),
        D("logfile", "string", "", IMMUTABLE),
        D("masterauth", "string", "", SENSITIVE),
        D("masteruser", "string", ""),
        D("pidfile", "string", "", IMMUTABLE),
        D("proc-title-template", "string", "{title} {listen-addr} {server-mode}"),
        D("replica-announce-ip", "string", "", aliases=("slave-announce-ip",)),
        D("requirepass", "string", "", SENSITIVE),
        D("server-cpulist", "string", "", IMMUTABLE, aliases=("server_cpulist",)),
        D("syslog-ident", "string", "redis", IMMUTABLE),
        D("tls-ca-cert-dir", "string", ""),
        D("tls-ca-cert-file", "string", ""),
        D("tls-cert-file", "string", ""),
        D("tls-ciphers", "string", ""),
        D("tls-ciphersuites", "string", ""),
        D("tls-client-cert-file", "string", ""),
        D("tls-client-key-file", "string", ""),
        D("tls-client-key-file-pass", "string", "", SENSITIVE),
        D("tls-dh-params-file", "string", ""),
        D("tls-key-file", "string", ""),
        D("tls-key-file-pass", "string", "", SENSITIVE),
        D("tls-protocols", "string", ""),
        D("unixsocket", "string", "", IMMUTABLE),
        # specials ------------------------------------------------------------------
        D("bind", S, ["*", "-::*"], MULTI_ARG, parse=_parse_bind, fmt=" ".join),
        D("client-output-buffer-limit", S, _parse_cobl(""), MULTI_ARG, parse=_parse_cobl, fmt=_fmt_cobl),
        D("dir", S, "", PROTECTED | DENY_LOADING, parse=_parse_dir, fmt=str),
        D("latency-tracking-info-percentiles", S, [50.0, 99.0, 99.9], MULTI_ARG,
          parse=_parse_percentiles, fmt=_fmt_percentiles),
        D("notify-keyspace-events", S, 0, parse=_parse_notify, fmt=N.flags_to_string),
        D("oom-score-adj-values", S, [0, 200, 800], MULTI_ARG, parse=_parse_oom_values,
          fmt=lambda v: " ".join(map(str, v))),
        D("replicaof", S, None, IMMUTABLE | HIDDEN, parse=_parse_replicaof, fmt=_fmt_replicaof,
          aliases=("slaveof",)),
        D("save", S, [(3600, 1), (300, 100), (60, 10000)], MULTI_ARG, parse=_parse_save, fmt=_fmt_save),
    ]


class Config:
    """Typed config values by canonical name; aliases resolve to their canonical entry."""

    def __init__(self) -> None:
        self.defs: dict[str, ConfigDef] = {}
        self.alias: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        for d in _defs():
            self.register(d)
        self.values["dir"] = os.getcwd()
        self.protected_allowed = False
        self._save_from_file = False

    def register(self, d: ConfigDef) -> None:
        self.defs[d.name] = d
        self.values[d.name] = d.default
        for a in d.aliases:
            self.alias[a] = d.name

    def unregister(self, name: str) -> None:
        d = self.defs.pop(name, None)
        self.values.pop(name, None)
        if d is not None:
            for a in d.aliases:
                self.alias.pop(a, None)

    def resolve(self, name: str) -> ConfigDef | None:
        name = name.lower()
        d = self.defs.get(name)
        if d is None and name in self.alias:
            d = self.defs[self.alias[name]]
        return d

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def watch(self, name: str, fn: Callable[[Any], None]) -> None:
        self.defs[name].hooks.append(fn)

    # --- parsing and formatting ---------------------------------------------------------
    def parse(self, d: ConfigDef, raw: str) -> Any:
        k = d.kind
        if k == "bool":
            v = YES_NO.get(raw.lower())
            if v is None:
                raise ConfigError("argument must be 'yes' or 'no'")
            return v
        if k in ("int", "memory", "percent-memory"):
            if k == "percent-memory" and raw.endswith("%"):
                try:
                    pct = int(raw[:-1])
                except ValueError:
                    raise ConfigError("argument must be a memory or percent value") from None
                if pct > 100:
                    raise ConfigError("percentage argument must be less or equal to 100")
                if pct < 0:
                    raise ConfigError("argument must be a memory or percent value")
                return -pct
            if k == "int":
                if not re.fullmatch(r"-?\d+", raw):
                    raise ConfigError("argument couldn't be parsed into an integer")
                v = int(raw)
            else:
                v = memtoull(raw)
                if v is None:
                    raise ConfigError("argument must be a memory value" if k == "memory"
                                      else "argument must be a memory or percent value")
            if d.clamp and d.name == "hz":
                return max(1, min(500, v))
            if (d.lo is not None and v < d.lo) or (d.hi is not None and v > d.hi):
                raise ConfigError(f"argument must be between {d.lo} and {d.hi} inclusive")
            return v
        if k == "enum":
            low = raw.lower()
            if low not in d.enum:
                raise ConfigError("argument(s) must be one of the following: " + ", ".join(d.enum))
            return low
        if k == "string":
            return raw
        assert d.parse is not None
        return d.parse(raw)

    def format(self, d: ConfigDef, v: Any) -> str:
        k = d.kind
        if k == "bool":
            return "yes" if v else "no"
        if k == "percent-memory":
            return f"{-v}%" if v < 0 else str(v)
        if k in ("int", "memory"):
            return str(v)
        if k in ("enum", "string"):
            return v
        assert d.fmt is not None
        return d.fmt(v)

    def get_formatted(self, name: str) -> str:
        d = self.defs[name]
        return self.format(d, self.values[name])

    # --- operations ------------------------------------------------------------------
    def set_from_file(self, name: str, args: list[str]) -> None:
        """A directive from redis.conf or the command line (immutable ones included)."""
        d = self.resolve(name)
        if d is None:
            raise ConfigError("Bad directive or wrong number of arguments")
        raw = " ".join(args)
        if not (d.flags & MULTI_ARG) and len(args) != 1 and d.name not in ("replicaof", "save"):
            raise ConfigError("Bad directive or wrong number of arguments")
        if d.name == "save":
            # the first save line of a file replaces the defaults; later ones add points
            base = self.values["save"] if self._save_from_file else []
            self._save_from_file = True
            self._apply(d, [] if raw.strip() == "" else base + self.parse(d, raw))
            return
        self._apply(d, self.parse(d, raw))

    def set_many(self, pairs: list[tuple[str, str]], loading: bool = False) -> None:
        """CONFIG SET: validate every pair first, then apply all; roll back on a hook failure."""
        parsed: list[tuple[ConfigDef, Any, str]] = []
        seen: set[str] = set()
        for name, raw in pairs:
            d = self.resolve(name)
            if d is None or (d.flags & HIDDEN and d.name == "replicaof"):
                raise RedisError(f"ERR Unknown option or number of arguments for CONFIG SET - '{name}'")
            if d.name in seen:
                raise RedisError(f"ERR CONFIG SET failed (possibly related to argument '{name}') - duplicate parameter")
            seen.add(d.name)
            if d.flags & IMMUTABLE:
                raise RedisError(
                    f"ERR CONFIG SET failed (possibly related to argument '{name}') - can't set immutable config")
            if d.flags & PROTECTED and not self.protected_allowed:
                raise RedisError(
                    f"ERR CONFIG SET failed (possibly related to argument '{name}') - can't set protected config")
            if d.flags & DENY_LOADING and loading:
                raise RedisError(
                    f"ERR CONFIG SET failed (possibly related to argument '{name}') - can't set config while loading")
            try:
                v = self.parse(d, raw) if d.name != "client-output-buffer-limit" else _parse_cobl(
                    raw, self.values[d.name])
            except ConfigError as e:
                raise RedisError(f"ERR CONFIG SET failed (possibly related to argument '{name}') - {e}") from None
            parsed.append((d, v, name))
        old = [(d, self.values[d.name]) for d, _, _ in parsed]
        done: list[tuple[ConfigDef, Any]] = []
        for (d, v, name), (_, prev) in zip(parsed, old, strict=True):
            try:
                self._apply(d, v)
                done.append((d, prev))
            except ConfigError as e:
                for dd, pv in reversed(done):
                    try:
                        self._apply(dd, pv)
                    except ConfigError:
                        pass
                self.values[d.name] = prev
                raise RedisError(f"ERR CONFIG SET failed (possibly related to argument '{name}') - {e}") from None

    def _apply(self, d: ConfigDef, v: Any) -> None:
        prev = self.values[d.name]
        self.values[d.name] = v
        try:
            for h in d.hooks:
                h(v)
        except ConfigError:
            self.values[d.name] = prev
            raise

    def get(self, patterns: list[str]) -> list[tuple[str, str]]:
        """CONFIG GET: every name or alias matching any pattern, each once."""
        out: dict[str, str] = {}
        for pat in patterns:
            p = pat.lower()
            has_glob = any(ch in p for ch in "*?[")
            if not has_glob:
                d = self.resolve(p)
                if d is not None and p not in out:
                    out[p] = self.format(d, self.values[d.name])
                continue
            for name, d in self.defs.items():
                if fnmatch.fnmatchcase(name, p) and name not in out:
                    out[name] = self.format(d, self.values[name])
            for a, name in self.alias.items():
                if fnmatch.fnmatchcase(a, p) and a not in out:
                    out[a] = self.format(self.defs[name], self.values[name])
        return list(out.items())

    def rewrite(self, path: str) -> None:
        """CONFIG REWRITE: keep the file's lines, update changed directives, append new ones."""
        lines: list[str] = []
        try:
            with open(path) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            pass
        except OSError as e:
            raise RedisError(f"ERR Rewriting config file: {e.strerror}") from None
        wanted: dict[str, list[str]] = {}
        for name, d in self.defs.items():
            if d.flags & HIDDEN and name != "replicaof":
                continue
            v = self.values[name]
            if name == "dir":
                continue
            if v == d.default and name != "save":
                continue
            if name == "save":
                if v == d.default:
                    continue
                wanted[name] = [f"save {a} {b}" for a, b in v] or ['save ""']
                continue
            if name == "replicaof":
                if v is not None:
                    wanted[name] = [f"replicaof {v[0]} {v[1]}"]
                continue
            text = self.format(d, v)
            wanted[name] = [f"{name} {_quote(text)}"]
        out: list[str] = []
        seen: set[str] = set()
        marker = "# Generated by CONFIG REWRITE"
        for line in lines:
            if line.strip() == marker:
                continue
            words = line.split()
            if not words or line.lstrip().startswith("#"):
                out.append(line)
                continue
            d = self.resolve(words[0])
            if d is None:
                out.append(line)
                continue
            if d.name in seen:
                continue
            seen.add(d.name)
            out.extend(wanted.get(d.name, []))
        extra = [ln for n, v in wanted.items() if n not in seen for ln in v]
        if extra:
            if out and out[-1] != "":
                out.append("")
            out.append(marker)
            out.extend(extra)
        tmp = f"{path}.tmp-{os.getpid()}"
        try:
            with open(tmp, "w") as f:
                f.write("\n".join(out) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as e:
            raise RedisError(f"ERR Rewriting config file: {e.strerror}") from None


def _quote(s: str) -> str:
    if s == "" or any(ch in s for ch in " \"'\t\r\n\\"):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
    return s


def parse_config_file_text(text: str) -> list[tuple[str, list[str], int]]:
    """Split redis.conf text into (directive, args, line number); quotes as sdssplitargs."""
    from moredis.protocol.parser import split_args

    out = []
    for no, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        args = split_args(s.encode())
        if args is None:
            raise ConfigError(f"Unbalanced quotes in configuration line at line {no}")
        if not args:
            continue
        out.append((args[0].decode().lower(), [a.decode("utf-8", "surrogateescape") for a in args[1:]], no))
    return out
