"""The config registry: every redis.conf directive Redis 7.4 knows, typed and validated.

One table (`_TABLE`) lists name, kind, default, flags and bounds, read off Redis's
documented defaults. CONFIG GET/SET/REWRITE, the command line and config files all go
through `Config`. Setters that must reach running state register an `on_change` hook
(`Config.watch(name, fn)`); hot values are mirrored onto the server by those hooks.
Module configs (`<module>.<name>`) register here too at load time.
Neighbours: server/server.py (hooks), commands/server.py (CONFIG command), cli.py.
"""

from __future__ import annotations

import errno
import os
import re
import stat
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
    module: str | None = None
    hooks: list[Callable[[Any], None]] = field(default_factory=list)
    unsigned: bool = False  # C unsigned type: bounds compare the value as unsigned 64-bit
    check: Callable[[Any], None] | None = None  # extra validation (raises ConfigError)
    post: Callable[[Any], Any] | None = None  # value actually kept (Redis's apply clamps)
    enum_values: dict[str, int] | None = None  # enum names -> value (synonyms share one)
    bitflags: bool = False  # several enum names may be combined (space separated)


_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}
_ULL = 2**64 - 1


def memtoull(s: str) -> int | None:
    """util.c memtoull: digits then an optional unit (b, k=1000, kb=1024, m, mb, g, gb, any
    case); no sign, no spaces; empty digits count as 0. None when malformed or too big."""
    i = 0
    n = len(s)
    while i < n and "0" <= s[i] <= "9":
        i += 1
    mul = _UNITS.get(s[i:].lower())
    if mul is None or i >= 128:
        return None
    val = int(s[:i]) if i else 0
    if val > _ULL or val > _ULL // mul:
        return None
    return val * mul


def split_args(s: str) -> list[str]:
    """sdssplitlen(value, " "): how CONFIG SET splits a multi-argument value (an empty
    value gives no arguments; two spaces give an empty argument)."""
    return s.split(" ") if s else []


def strtoll_ok(s: str) -> int | None:
    """strtoll(s, &end, 10) with *end == 0 required: leading blanks and a sign allowed, the
    empty string is 0; None when something else follows the digits."""
    t = s.lstrip(" \t\n\r\f\v")
    if re.fullmatch(r"[+-]?\d+", t) is None:
        return 0 if s == "" else None
    v = int(t)
    return max(min(v, 2**63 - 1), -(2**63))


# --- special parsers ----------------------------------------------------------------

def _parse_save(s: str):
    """setConfigSaveOption: pairs of <seconds >= 1> <changes >= 0>, parsed by strtoll."""
    parts = split_args(s)
    if len(parts) == 1 and parts[0] == "":
        parts = []
    if len(parts) % 2:
        raise ConfigError("Invalid save parameters")
    vals = []
    for j, p in enumerate(parts):
        v = strtoll_ok(p)
        if v is None or (j % 2 == 0 and v < 1) or (j % 2 == 1 and v < 0):
            raise ConfigError("Invalid save parameters")
        vals.append(v)
    return [(vals[i], vals[i + 1]) for i in range(0, len(vals), 2)]


def _fmt_save(v) -> str:
    return " ".join(f"{a} {b}" for a, b in v)


_COBL_CLASSES = {"normal": "normal", "slave": "slave", "replica": "slave", "pubsub": "pubsub"}
_COBL_DEFAULT = {"normal": (0, 0, 0), "slave": (256 << 20, 64 << 20, 60), "pubsub": (32 << 20, 8 << 20, 60)}


def _parse_cobl(s: str, current: dict | None = None):
    """setConfigClientOutputBufferLimitOption: groups of <class> <hard> <soft> <seconds>,
    the three numbers read as memory values; all checked before any is applied."""
    parts = split_args(s)
    if len(parts) % 4:
        raise ConfigError("Wrong number of arguments in buffer limit configuration.")
    out = dict(current or _COBL_DEFAULT)
    for i in range(0, len(parts), 4):
        if parts[i].lower() not in _COBL_CLASSES:
            raise ConfigError("Invalid client class specified in buffer limit configuration.")
        vals = [memtoull(x) for x in parts[i + 1 : i + 4]]
        if any(v is None or v >= 1 << 63 for v in vals):
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
    for i in range(0, len(parts), 4):
        hard, soft, secs = (memtoull(x) for x in parts[i + 1 : i + 4])
        out[_COBL_CLASSES[parts[i].lower()]] = (hard, soft, secs)
    return out


def _fmt_cobl(v) -> str:
    return " ".join(f"{c} {v[c][0]} {v[c][1]} {v[c][2]}" for c in ("normal", "slave", "pubsub"))


def _parse_notify(s: str) -> int:
    f = N.flags_from_string(s)
    if f is None:
        raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    return f


def _fmt_notify(v: int) -> str:
    """keyspaceEventsFlagsToString as CONFIG GET shows it: Redis 7.4 never prints 'n'."""
    return N.flags_to_string(v & ~N.NEW)


_HOST_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
_AUX_INVALID = set("!#$%&()*+;<>?@[]^{|}~")


def _check_hostname(v: str) -> None:
    """isValidAnnouncedHostname."""
    if len(v.encode("utf-8", "surrogateescape")) >= 256:
        raise ConfigError("Hostnames must be less than 256 characters")
    if any(ch not in _HOST_CHARS for ch in v):
        raise ConfigError("Hostnames may only contain alphanumeric characters, hyphens or dots")


def _check_nodename(v: str) -> None:
    """isValidAuxString: anything but a few punctuation characters."""
    if any(ch in _AUX_INVALID for ch in v):
        raise ConfigError("Announced human node name contained invalid character")


def _check_locale(v: str) -> None:
    """setlocale(LC_COLLATE, v) must succeed (it changes the process's collation, as in Redis)."""
    import locale

    try:
        locale.setlocale(locale.LC_COLLATE, v)
    except locale.Error:
        raise ConfigError("Invalid locale name") from None


_TITLE_VARS = {"title": "", "listen-addr": "*:6379", "server-mode": "", "port": "6379",
               "tls-port": "0", "unixsocket": "", "config-file": ""}


def expand_title_template(t: str, values: dict[str, str]) -> str | None:
    """sdstemplate + trim: {name} variables, '{{' for a literal brace; None if malformed."""
    out = []
    i = 0
    n = len(t)
    while i < n:
        j = t.find("{", i)
        if j < 0:
            out.append(t[i:])
            break
        out.append(t[i:j])
        j += 1
        if j >= n:
            return None
        if t[j] == "{":
            out.append("{")
            i = j + 1
            continue
        k = t.find("}", j)
        if k < 0:
            return None
        name = t[j:k]
        if name not in values:
            return None
        out.append(values[name])
        i = k + 1
    return "".join(out).strip(" ")


def _check_title(v: str) -> None:
    """validateProcTitleTemplate: known variables only, and not empty once expanded."""
    res = expand_title_template(v, _TITLE_VARS)
    if not res:
        raise ConfigError("template format is invalid or contains unknown variables")


def _parse_bind(s: str):
    parts = s.split()
    if len(parts) > 16:
        raise ConfigError("Too many bind addresses specified.")
    return parts


def _parse_oom_values(s: str):
    """setConfigOomScoreAdjValuesOption: exactly three strtoll values in [-2000, 2000]."""
    parts = split_args(s)
    if len(parts) != 3:
        raise ConfigError("wrong number of arguments")
    vals = []
    for p in parts:
        v = strtoll_ok(p)
        if v is None or v < -2000 or v > 2000:
            raise ConfigError("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
        vals.append(v)
    return vals


def _parse_percentiles(s: str):
    """setConfigLatencyTrackingInfoPercentilesOutputOption: doubles in [0, 100]."""
    from moredis.numbers import string2d

    out = []
    for p in split_args(s):
        f = string2d(p.encode())
        if f is None:
            raise ConfigError("Invalid latency-tracking-info-percentiles parameters")
        if f > 100.0 or f < 0.0:
            raise ConfigError("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
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


def _parse_dir(s: str) -> str:
    """setConfigDirOption checks chdir(s) would work; the chdir itself is _chdir (a hook, so
    that a CONFIG SET rolled back goes back to the old directory)."""
    import errno

    if not os.path.exists(s):
        raise ConfigError(os.strerror(errno.ENOENT))
    if not os.path.isdir(s):
        raise ConfigError(os.strerror(errno.ENOTDIR))
    if not os.access(s, os.X_OK):
        raise ConfigError(os.strerror(errno.EACCES))
    return os.path.abspath(s)


def _chdir(path: str) -> None:
    try:
        os.chdir(path)
    except OSError as e:
        raise ConfigError(e.strerror or str(e)) from None


def _check_dir(path: str) -> None:
    """What chdir would refuse, with its strerror texts, without changing directory."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise ConfigError(e.strerror or str(e)) from None
    if not stat.S_ISDIR(st.st_mode):
        raise ConfigError(os.strerror(errno.ENOTDIR))
    if not os.access(path, os.X_OK):
        raise ConfigError(os.strerror(errno.EACCES))


_EVICT = ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
          "allkeys-lfu", "allkeys-random", "noeviction")
_LOGLEVELS = ("debug", "verbose", "notice", "warning", "nothing")
_I = 2**31 - 1
_L = _LL = 2**63 - 1
_SHUTDOWN_FLAGS = ("default", "save", "nosave", "now", "force")
_SHUTDOWN_VALUES = {"default": 0, "save": 1, "nosave": 2, "now": 4, "force": 8}


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
        D("tls-cluster", "bool", False),
        D("tls-prefer-server-ciphers", "bool", False),
        D("tls-replication", "bool", False),
        D("tls-session-caching", "bool", True),
        # numbers (config.c: C type -> unsigned, MEMORY_CONFIG -> "memory") -----------
        D("acllog-max-len", "int", 128, lo=0, hi=_L, unsigned=True),
        D("active-defrag-cycle-max", "int", 25, lo=1, hi=99),
        D("active-defrag-cycle-min", "int", 1, lo=1, hi=99),
        D("active-defrag-ignore-bytes", "memory", 100 << 20, lo=1, hi=_LL, unsigned=True),
        D("active-defrag-max-scan-fields", "int", 1000, lo=1, hi=_L, unsigned=True),
        D("active-defrag-threshold-lower", "int", 10, lo=0, hi=1000),
        D("active-defrag-threshold-upper", "int", 100, lo=0, hi=1000),
        D("active-expire-effort", "int", 1, lo=1, hi=10),
        D("auto-aof-rewrite-min-size", "memory", 64 << 20, lo=0, hi=_LL),
        D("auto-aof-rewrite-percentage", "int", 100, lo=0, hi=_I),
        D("busy-reply-threshold", "int", 5000, lo=0, hi=_L, aliases=("lua-time-limit",)),
        D("client-query-buffer-limit", "memory", 1 << 30, lo=1024 * 1024, hi=_L, unsigned=True),
        D("cluster-announce-bus-port", "int", 0, lo=0, hi=65535),
        D("cluster-announce-port", "int", 0, lo=0, hi=65535),
        D("cluster-announce-tls-port", "int", 0, lo=0, hi=65535),
        D("cluster-link-sendbuf-limit", "memory", 0, lo=0, hi=_ULL, unsigned=True),
        D("cluster-migration-barrier", "int", 1, lo=0, hi=_I),
        D("cluster-node-timeout", "int", 15000, lo=0, hi=_LL),
        D("cluster-ping-interval", "int", 0, HIDDEN, lo=0, hi=_LL),
        D("cluster-port", "int", 0, IMMUTABLE, lo=0, hi=65535),
        D("cluster-replica-validity-factor", "int", 10, lo=0, hi=_I, aliases=("cluster-slave-validity-factor",)),
        D("databases", "int", 16, IMMUTABLE, lo=1, hi=_I),
        D("hash-max-listpack-entries", "int", 512, lo=0, hi=_L, unsigned=True,
          aliases=("hash-max-ziplist-entries",)),
        D("hash-max-listpack-value", "memory", 64, lo=0, hi=_L, unsigned=True, aliases=("hash-max-ziplist-value",)),
        D("hll-sparse-max-bytes", "memory", 3000, lo=0, hi=_L, unsigned=True),
        D("hz", "int", 10, lo=0, hi=_I, post=lambda v: max(1, min(500, v))),
        D("io-threads", "int", 1, IMMUTABLE, lo=1, hi=128),
        D("key-load-delay", "int", 0, HIDDEN, lo=-(2**31), hi=_I),
        D("latency-monitor-threshold", "int", 0, lo=0, hi=_LL),
        D("lfu-decay-time", "int", 1, lo=0, hi=_I),
        D("lfu-log-factor", "int", 10, lo=0, hi=_I),
        D("list-compress-depth", "int", 0, lo=0, hi=_I),
        D("list-max-listpack-size", "int", -2, lo=-(2**31), hi=_I, aliases=("list-max-ziplist-size",)),
        D("loading-process-events-interval-bytes", "int", 2 << 20, HIDDEN, lo=1024, hi=_I),
        D("max-new-connections-per-cycle", "int", 10, lo=1, hi=1000, unsigned=True),
        D("max-new-tls-connections-per-cycle", "int", 1, lo=1, hi=1000, unsigned=True),
        D("maxclients", "int", 10000, lo=1, hi=2**32 - 1, unsigned=True),
        D("maxmemory", "memory", 0, lo=0, hi=_ULL, unsigned=True),
        D("maxmemory-clients", "percent-memory", 0, lo=-100, hi=_LL),
        D("maxmemory-eviction-tenacity", "int", 10, lo=0, hi=100),
        D("maxmemory-samples", "int", 5, lo=1, hi=64),
        D("min-replicas-max-lag", "int", 10, lo=0, hi=_I, aliases=("min-slaves-max-lag",)),
        D("min-replicas-to-write", "int", 0, lo=0, hi=_I, aliases=("min-slaves-to-write",)),
        D("port", "int", 6379, lo=0, hi=65535),
        D("proto-max-bulk-len", "memory", 512 << 20, lo=1024 * 1024, hi=_L),
        D("rdb-key-save-delay", "int", 0, HIDDEN, lo=-(2**31), hi=_I),
        D("repl-backlog-size", "memory", 1 << 20, lo=1, hi=_LL, post=lambda v: max(v, 16 * 1024)),
        D("repl-backlog-ttl", "int", 3600, lo=0, hi=_L),
        D("repl-diskless-sync-delay", "int", 5, lo=0, hi=_I),
        D("repl-diskless-sync-max-replicas", "int", 0, lo=0, hi=_I),
        D("repl-ping-replica-period", "int", 10, lo=1, hi=_I, aliases=("repl-ping-slave-period",)),
        D("repl-timeout", "int", 60, lo=1, hi=_I),
        D("replica-announce-port", "int", 0, lo=0, hi=65535, aliases=("slave-announce-port",)),
        D("replica-priority", "int", 100, lo=0, hi=_I, aliases=("slave-priority",)),
        D("set-max-intset-entries", "int", 512, lo=0, hi=_L, unsigned=True),
        D("set-max-listpack-entries", "int", 128, lo=0, hi=_L, unsigned=True),
        D("set-max-listpack-value", "int", 64, lo=0, hi=_L, unsigned=True),
        D("shutdown-timeout", "int", 10, lo=0, hi=_I),
        D("slowlog-log-slower-than", "int", 10000, lo=-1, hi=_LL),
        D("slowlog-max-len", "int", 128, lo=0, hi=_L, unsigned=True),
        D("socket-mark-id", "int", 0, IMMUTABLE, lo=0, hi=2**32 - 1, unsigned=True),
        D("stream-node-max-bytes", "memory", 4096, lo=0, hi=_L, unsigned=True),
        D("stream-node-max-entries", "int", 100, lo=0, hi=_LL),
        D("tcp-backlog", "int", 511, IMMUTABLE, lo=0, hi=_I),
        D("tcp-keepalive", "int", 300, lo=0, hi=_I),
        D("timeout", "int", 0, lo=0, hi=_I),
        D("tls-port", "int", 0, lo=0, hi=65535),
        D("tls-session-cache-size", "int", 20480, lo=0, hi=_I),
        D("tls-session-cache-timeout", "int", 300, lo=0, hi=_L),
        D("tracking-table-max-keys", "int", 1000000, lo=0, hi=_L, unsigned=True),
        D("watchdog-period", "int", 0, HIDDEN, lo=0, hi=_I),
        D("zset-max-listpack-entries", "int", 128, lo=0, hi=_L, unsigned=True,
          aliases=("zset-max-ziplist-entries",)),
        D("zset-max-listpack-value", "memory", 64, lo=0, hi=_L, unsigned=True, aliases=("zset-max-ziplist-value",)),
        D("unixsocketperm", "octal", 0, IMMUTABLE, lo=0, hi=0o777, unsigned=True),
        # enums (names in config.c's table order; synonyms share a value) -----------
        D("acl-pubsub-default", "enum", "resetchannels", enum=("allchannels", "resetchannels")),
        D("appendfsync", "enum", "everysec", enum=("everysec", "always", "no")),
        D("cluster-preferred-endpoint-type", "enum", "ip", enum=("ip", "hostname", "unknown-endpoint")),
        D("enable-debug-command", "enum", "no", IMMUTABLE, enum=("no", "yes", "local")),
        D("enable-module-command", "enum", "no", IMMUTABLE, enum=("no", "yes", "local")),
        D("enable-protected-configs", "enum", "no", IMMUTABLE, enum=("no", "yes", "local")),
        D("loglevel", "enum", "notice", enum=_LOGLEVELS),
        D("maxmemory-policy", "enum", "noeviction", enum=_EVICT),
        D("oom-score-adj", "enum", "no", enum=("no", "yes", "relative", "absolute"),
          enum_values={"no": 0, "yes": 1, "relative": 1, "absolute": 2}),
        D("propagation-error-behavior", "enum", "ignore", enum=("ignore", "panic", "panic-on-replicas")),
        D("repl-diskless-load", "enum", "disabled", enum=("disabled", "on-empty-db", "swapdb")),
        D("sanitize-dump-payload", "enum", "no", enum=("no", "yes", "clients")),
        D("shutdown-on-sigint", "enum", "default", MULTI_ARG, enum=_SHUTDOWN_FLAGS,
          enum_values=_SHUTDOWN_VALUES, bitflags=True),
        D("shutdown-on-sigterm", "enum", "default", MULTI_ARG, enum=_SHUTDOWN_FLAGS,
          enum_values=_SHUTDOWN_VALUES, bitflags=True),
        D("supervised", "enum", "no", IMMUTABLE, enum=("upstart", "systemd", "auto", "no")),
        D("syslog-facility", "enum", "local0", IMMUTABLE, enum=("user", "local0", "local1", "local2", "local3",
                                                               "local4", "local5", "local6", "local7")),
        D("tls-auth-clients", "enum", "yes", enum=("no", "yes", "optional")),
        # strings -------------------------------------------------------------------
        D("aclfile", "string", "", IMMUTABLE),
        D("aof-rewrite-cpulist", "string", "", IMMUTABLE, aliases=("aof_rewrite_cpulist",)),
        D("appenddirname", "string", "appendonlydir", IMMUTABLE),
        D("appendfilename", "string", "appendonly.aof", IMMUTABLE),
        D("bgsave-cpulist", "string", "", IMMUTABLE, aliases=("bgsave_cpulist",)),
        D("bind-source-addr", "string", ""),
        D("bio-cpulist", "string", "", IMMUTABLE, aliases=("bio_cpulist",)),
        D("cluster-announce-hostname", "string", "", check=_check_hostname),
        D("cluster-announce-human-nodename", "string", "", check=_check_nodename),
        D("cluster-announce-ip", "string", ""),
        D("cluster-config-file", "string", "nodes.conf", IMMUTABLE),
        D("dbfilename", "string", "dump.rdb", PROTECTED),
        D("ignore-warnings", "string", ""),
        D("locale-collate", "string", "", check=_check_locale),
        D("logfile", "string", "", IMMUTABLE),
        D("masterauth", "string", "", SENSITIVE),
        D("masteruser", "string", ""),
        D("pidfile", "string", "", IMMUTABLE),
        D("proc-title-template", "string", "{title} {listen-addr} {server-mode}", check=_check_title),
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
        D("notify-keyspace-events", S, 0, parse=_parse_notify, fmt=_fmt_notify),
        D("oom-score-adj-values", S, [0, 200, 800], MULTI_ARG, parse=_parse_oom_values,
          fmt=lambda v: " ".join(map(str, v))),
        D("replicaof", S, None, IMMUTABLE, parse=_parse_replicaof, fmt=_fmt_replicaof,
          aliases=("slaveof",)),
        D("save", S, [(3600, 1), (300, 100), (60, 10000)], MULTI_ARG, parse=_parse_save, fmt=_fmt_save),
    ]


def _enum_name(d: ConfigDef, total: int) -> str:
    """configEnumGetName: the name of an exact value, else the names of its bits."""
    values = d.enum_values or {name: i for i, name in enumerate(d.enum)}
    for name in d.enum:
        if values[name] == total:
            return name
    names = []
    left = total
    for name in d.enum:
        bit = values[name]
        if bit and bit & left == bit:
            names.append(name)
            left &= ~bit
    return " ".join(names) if names and not left else "unknown"


def _parse_number(d: ConfigDef, raw: str) -> int:
    """numericParseString + numericBoundaryCheck: a memory value (memtoull, may exceed
    LLONG_MAX), a percentage (stored negative), a plain string2ll integer or an octal
    one; then the bounds, compared as unsigned for unsigned C types."""
    from moredis.numbers import string2ll

    k = d.kind
    v: int | None = None
    if k == "octal":
        try:
            v = int(raw, 8) if raw.strip() == raw and raw else None
        except ValueError:
            v = None
    if k in ("memory", "percent-memory"):
        u = memtoull(raw)
        if u is not None:
            v = u - (1 << 64) if u >= 1 << 63 else u
    if v is None and k == "percent-memory" and len(raw) > 1 and raw.endswith("%"):
        n = string2ll(raw[:-1].encode("utf-8", "surrogateescape"))
        if n is not None and n >= 0:
            v = -n
    if v is None and k == "int":
        v = string2ll(raw.encode("utf-8", "surrogateescape"))
    if v is None:
        if k == "percent-memory":
            raise ConfigError("argument must be a memory or percent value")
        if k == "memory":
            raise ConfigError("argument must be a memory value")
        raise ConfigError("argument couldn't be parsed into an integer")
    lo = d.lo if d.lo is not None else -(1 << 63)
    hi = d.hi if d.hi is not None else (1 << 63) - 1
    if d.unsigned:
        u = v & _ULL
        if u > hi or u < lo:
            if k == "octal":
                raise ConfigError(f"argument must be between {lo:o} and {hi:o} inclusive")
            raise ConfigError(f"argument must be between {lo} and {hi} inclusive")
        return u
    if k == "percent-memory" and v < 0:
        if v < lo:
            raise ConfigError(f"percentage argument must be less or equal to {-lo}")
        return v
    if v > hi or v < lo:
        raise ConfigError(f"argument must be between {lo} and {hi} inclusive")
    return v


class Config:
    """Typed config values by canonical name; aliases resolve to their canonical entry."""

    def __init__(self) -> None:
        self.defs: dict[str, ConfigDef] = {}
        self.alias: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        for d in _defs():
            self.register(d)
        self.values["dir"] = os.getcwd()
        # Redis chdirs into `dir`; an embedded server (moredis.Server) shares its process
        # with the caller, so it only checks the directory and builds paths from it
        self.chdir = True
        self.defs["dir"].hooks.append(self._dir_hook)
        self.protected_allowed = False
        self._save_from_file = False

    def _dir_hook(self, path: str) -> None:
        if self.chdir:
            _chdir(path)
        else:
            _check_dir(path)

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
    def parse(self, d: ConfigDef, raw: str, runtime: bool = False) -> Any:
        """The typed value of `raw`, or ConfigError with Redis's text (config.c *ConfigSet)."""
        k = d.kind
        if k == "bool":
            v = YES_NO.get(raw.lower())
            if v is None:
                raise ConfigError("argument must be 'yes' or 'no'")
        elif k in ("int", "memory", "percent-memory", "octal"):
            v = _parse_number(d, raw)
        elif k == "enum":
            v = self._parse_enum(d, raw)
        elif k == "string":
            v = raw
        else:
            assert d.parse is not None
            v = d.parse(raw)
        if d.check is not None:
            d.check(v)
        if d.post is not None:
            v = d.post(v)
        return v

    @staticmethod
    def _parse_enum(d: ConfigDef, raw: str) -> str:
        """enumConfigSet: one name (several for bit-flag enums), kept as its canonical
        spelling (the first name with the same value)."""
        values = d.enum_values or {name: i for i, name in enumerate(d.enum)}
        words = split_args(raw) if d.bitflags else [raw]
        total = 0
        for w in words:
            v = values.get(w.lower())
            if v is None:
                words = []
                break
            total |= v
        if not words:
            raise ConfigError("argument(s) must be one of the following: " + ", ".join(d.enum))
        if d.bitflags and total & 1 and total & 2:  # isValidShutdownOnSig*
            raise ConfigError("shutdown options SAVE and NOSAVE can't be used simultaneously")
        return _enum_name(d, total)

    def format(self, d: ConfigDef, v: Any) -> str:
        k = d.kind
        if k == "bool":
            return "yes" if v else "no"
        if k == "percent-memory":
            return f"{-v}%" if v < 0 else str(v)
        if k in ("int", "memory"):
            return str(v)
        if k == "octal":
            return "%o" % v
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

    def set_many(self, pairs: list[tuple[str, str]], loading: bool = False, client: Any = None) -> None:
        """CONFIG SET (config.c configSetCommand): check every pair (unknown, immutable,
        protected, loading, duplicate: the first problem wins, except that an unknown name
        is only reported if nothing went wrong before it), then set them in order and roll
        all back if one is refused. A refused value names the config as Redis spells it
        (lowercase; an alias keeps its own name)."""
        parsed: list[tuple[ConfigDef, str, str]] = []
        seen: dict[str, ConfigDef] = {}
        unknown: str | None = None
        problem: tuple[str, str] | None = None
        deny_loading = False
        for name, raw in pairs:
            d = self.resolve(name)
            if d is None:
                if unknown is None and problem is None and not deny_loading:
                    unknown = name
                continue
            if unknown is not None or problem is not None or deny_loading:
                continue
            if d.flags & IMMUTABLE:
                problem = (name, "can't set immutable config")
                continue
            if d.flags & PROTECTED and not self._protected_ok(client):
                problem = (name, "can't set protected config")
                continue
            if d.flags & DENY_LOADING and loading:
                deny_loading = True
                continue
            spelled = name.lower()
            if spelled in seen:
                problem = (name, "duplicate parameter")
                continue
            seen[spelled] = d
            parsed.append((d, raw, spelled if spelled in self.alias else d.name))
        if deny_loading:
            raise RedisError("LOADING Redis is loading the dataset in memory")
        if unknown is not None:
            raise RedisError(f"ERR Unknown option or number of arguments for CONFIG SET - '{unknown}'")
        if problem is not None:
            raise RedisError(f"ERR CONFIG SET failed (possibly related to argument '{problem[0]}') - {problem[1]}")
        backup = [(d, self.values[d.name]) for d, _, _ in parsed]
        for i, (d, raw, spelled) in enumerate(parsed):
            try:
                if d.name == "client-output-buffer-limit":
                    v = _parse_cobl(raw, self.values[d.name])
                else:
                    v = self.parse(d, raw, runtime=True)
                self._apply(d, v)
            except ConfigError as e:
                for dd, pv in reversed(backup[: i + 1]):
                    try:
                        self._apply(dd, pv)
                    except ConfigError:
                        self.values[dd.name] = pv
                msg = str(e)
                tail = f" - {msg}" if msg else ""
                raise RedisError(f"ERR CONFIG SET failed (possibly related to argument '{spelled}'){tail}") from None

    def _protected_ok(self, client: Any) -> bool:
        """allowProtectedAction: enable-protected-configs yes, or local for loopback clients."""
        mode = self.values.get("enable-protected-configs", "no")
        if self.protected_allowed or mode == "yes":
            return True
        if mode == "local" and client is not None:
            addr = getattr(client, "addr", "")
            return bool(getattr(client, "unix", False)) or addr.startswith("127.") or addr.startswith("::1")
        return False

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
        """CONFIG GET (config.c configGetCommand): a pattern without glob characters is an
        exact, case-insensitive lookup answered under the name as typed (hidden configs
        included); a glob matches canonical names and aliases, never hidden ones. Each name
        appears once."""
        from moredis.util.glob import glob_match

        out: dict[str, tuple[str, str]] = {}  # lowercased name -> (name as replied, value)
        for pat in patterns:
            if not any(ch in pat for ch in "*?["):
                low = pat.lower()
                if low in out:
                    continue
                d = self.resolve(low)
                if d is not None:
                    out[low] = (pat, self.format(d, self.values[d.name]))
                continue
            bpat = pat.encode("utf-8", "surrogateescape")
            for name, d in self.defs.items():
                if d.flags & HIDDEN or name in out:
                    continue
                if glob_match(bpat, name.encode(), True):
                    out[name] = (name, self.format(d, self.values[name]))
            for a, name in self.alias.items():
                if a in out or self.defs[name].flags & HIDDEN:
                    continue
                if glob_match(bpat, a.encode(), True):
                    out[a] = (a, self.format(self.defs[name], self.values[name]))
        return list(out.values())

    def rewrite(self, path: str) -> None:
        """CONFIG REWRITE without a server (tests): see rewrite_config."""
        rewrite_config(None, path, self)


# --- CONFIG REWRITE (config.c rewriteConfig) ---------------------------------------------------
SIGNATURE = "# Generated by CONFIG REWRITE"
_GB, _MB, _KB = 1024**3, 1024**2, 1024


def format_memory(n: int) -> str:
    """rewriteConfigFormatMemory: the largest of gb/mb/kb that divides exactly."""
    if n and n % _GB == 0:
        return f"{n // _GB}gb"
    if n and n % _MB == 0:
        return f"{n // _MB}mb"
    if n and n % _KB == 0:
        return f"{n // _KB}kb"
    return str(n)


def repr_string(s: str) -> str:
    """sdscatrepr: double quotes, C escapes, \\xHH for other unprintable bytes."""
    out = ['"']
    for b in s.encode("utf-8", "surrogateescape"):
        ch = chr(b)
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\a":
            out.append("\\a")
        elif ch == "\b":
            out.append("\\b")
        elif 32 <= b < 127:
            out.append(ch)
        else:
            out.append("\\x%02x" % b)
    out.append('"')
    return "".join(out)


def _option_lines(cfg: Config, d: ConfigDef) -> list[tuple[str, bool]] | None:
    """The lines one option rewrites to, each with its `force` flag (write it even when the
    old file does not mention it). None: the option must vanish from the file."""
    v = cfg.values[d.name]
    name = d.name
    changed = v != d.default
    k = d.kind
    if name == "save":
        if not v:
            return [('save ""', True)]
        return [(f"save {a} {b}", True) for a, b in v]
    if name == "latency-tracking-info-percentiles":
        return [(f"{name} {_fmt_percentiles(v)}" if v else f'{name} ""', True)]
    if name == "dir":
        return [(f"dir {repr_string(os.getcwd() if cfg.chdir else os.path.abspath(v))}", True)]
    if name == "replicaof":
        return None if v is None else [(f"replicaof {v[0]} {v[1]}", True)]
    if name == "client-output-buffer-limit":
        base = _parse_cobl("")
        return [(f"{name} {cls} {format_memory(v[cls][0])} {format_memory(v[cls][1])} {v[cls][2]}",
                 v[cls] != base[cls]) for cls in ("normal", "slave", "pubsub")]
    if name == "notify-keyspace-events":
        return [(f"{name} {repr_string(N.flags_to_string(v))}", v != 0)]
    if name == "bind":
        return [(f"bind {' '.join(v)}" if v else 'bind ""', changed)]
    if name == "unixsocketperm":
        return [(f"{name} {v:o}", changed)]
    if k == "bool":
        return [(f"{name} {'yes' if v else 'no'}", changed)]
    if k == "memory":
        return [(f"{name} {format_memory(v)}", changed)]
    if k == "percent-memory":
        return [(f"{name} {-v}%" if v < 0 else f"{name} {format_memory(v)}", changed)]
    if k == "int":
        return [(f"{name} {v}", changed)]
    if k == "string":
        if v == "" and d.default == "":
            return [(f"{name} {repr_string(v)}", False)]
        return [(f"{name} {repr_string(v)}", changed)]
    if getattr(d, "module_string", False):  # a module's string config (module/configs.py): quoted
        return [(f"{name} {repr_string(cfg.format(d, v))}", changed)]
    return [(f"{name} {cfg.format(d, v)}", changed)]


def _user_lines(srv: Any) -> list[str] | None:
    """The `user` directives (acl.c ACLDescribeUser) unless an ACL file holds them."""
    if srv is None:
        return None
    acl = srv.acl
    fn = getattr(acl, "config_lines", None)
    if fn is not None:
        return list(fn())
    if srv.config["aclfile"]:
        return None
    out = []
    for u in acl.users.values():
        parts = ["user", u.name, "on" if u.enabled else "off"]
        if u.nopass:
            parts.append("nopass")
        parts.append("sanitize-payload")
        parts.extend("#" + h for h in sorted(u.passwords))
        if u.unrestricted or (u.key_patterns == [b"*"] and u.allowed_commands is None):
            parts += ["~*", "&*", "+@all"]
        else:
            parts += ["~" + p.decode("utf-8", "replace") for p in u.key_patterns]
            parts += ["&" + p.decode("utf-8", "replace") for p in u.channel_patterns]
            parts.append("-@all" if not u.allowed_commands else
                         " ".join(["-@all"] + ["+" + c for c in sorted(u.allowed_commands)]))
        out.append(" ".join(parts))
    return out


def rewrite_config(srv: Any, path: str, cfg: Config | None = None) -> None:
    """Rewrite `path` the way Redis does: every line of the old file is kept except the
    directives we know, which are replaced in place by their current value (an option the
    file mentions is written even at its default); extra lines of a directive become
    empty, runs of empty lines shrink to one, and options the file lacks are appended
    (only when not at their default, or always for save, dir, users and the latency
    percentiles) after a blank line and the '# Generated by CONFIG REWRITE' signature.
    Raises OSError on failure."""
    cfg = cfg if cfg is not None else srv.config
    lines: list[str] = []
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            old = f.read().splitlines()
    except FileNotFoundError:
        old = []
    where: dict[str, list[int]] = {}
    needs_signature = True
    for line in old:
        s = line.strip()
        if not s or s.startswith("#"):
            if s == SIGNATURE:
                needs_signature = False
            lines.append(line)
            continue
        try:
            args = parse_config_file_text(s)
        except ConfigError:
            args = []
        lines.append(line)
        if not args:
            continue
        opt = args[0][0]
        d = cfg.resolve(opt)
        if d is not None:
            opt = d.name
        where.setdefault(opt, []).append(len(lines) - 1)
    processed: set[str] = set()
    appended = False

    def put(option: str, line: str, force: bool) -> None:
        nonlocal needs_signature, appended
        processed.add(option)
        slots = where.get(option)
        if slots:
            lines[slots.pop(0)] = line
            return
        if not force:
            return
        if not appended:
            lines.append("")
            appended = True
        if needs_signature:
            lines.append(SIGNATURE)
            needs_signature = False
        lines.append(line)

    for d in cfg.defs.values():
        out = _option_lines(cfg, d)
        processed.add(d.name)
        for line, force in out or ():
            put(d.name, line, force)
    users = _user_lines(srv)
    if users is not None:
        processed.add("user")
        for line in users:
            put("user", line, True)
    mods = getattr(srv, "modules", None) if srv is not None else None
    mod_lines = getattr(mods, "config_lines", None) if mods is not None else None
    if mod_lines is not None:
        processed.add("loadmodule")
        for line in mod_lines():
            put("loadmodule", line, True)
    for opt, slots in where.items():
        if opt in processed:
            for i in slots:
                lines[i] = ""
    text = []
    was_empty = False
    for line in lines:
        if line == "":
            if was_empty:
                continue
            was_empty = True
        else:
            was_empty = False
        text.append(line + "\n")
    content = "".join(text)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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
