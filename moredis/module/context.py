"""RedisModuleCtx: the context every module callback receives.

One `Ctx` is made per command call (and per callback: events, timers, notifications,
on_load). It carries the calling client, the module, the keys opened during the call
(closed automatically at the end, as AutoMemory would), the commands the call asked to
replicate, and the postponed-length stack of replies. Methods follow the C names:
`RedisModule_ReplyWithLongLong(ctx, n)` is `ctx.reply_with_long_long(n)`.

Families live in mixins next to this file so that each stays readable:
replies (reply.py), RM_Call (call.py); keys are in key.py. This file holds the context
itself, replication, keyspace helpers, notifications, logging and misc.
Neighbours: server/modules.py (loading, registries), module/__init__.py (public names).
"""

from __future__ import annotations

import time
from typing import Any

from moredis.engine import notify as N
from moredis.errors import RedisError
from moredis.module import constants as K
from moredis.module.acl import AclMixin
from moredis.module.call import CallMixin
from moredis.module.commandinfo import PositionsMixin
from moredis.module.ctx_keys import KeysCtxMixin
from moredis.module.ctx_more import MoreMixin
from moredis.module.key import Key
from moredis.module.reply import ReplyMixin
from moredis.version import REDIS_VERSION_NUM

_LEVELS = {"debug": 0, "verbose": 1, "notice": 2, "warning": 3}


class Ctx(ReplyMixin, CallMixin, MoreMixin, PositionsMixin, KeysCtxMixin, AclMixin):
    """RedisModuleCtx. `client` is the client the context acts for (the caller of a
    command, or an internal client for callbacks); `module` the module it belongs to."""

    # No __slots__: a context is made for every module command call, and class-level
    # defaults leave __init__ four assignments instead of twenty (measured ~0.3 us/call).
    keys: list | None = None
    keys_result: list | None = None
    replicated: list | None = None
    errno = 0
    _deferred: list | None = None
    flags = 0
    blocked_client: Any = None
    blocked_reply = False
    blocked_timeout = False
    ready_key: bytes | None = None
    user: Any = None
    thread_safe = False
    onload = False
    cmd_name: str | None = None
    _nested_notify = False
    next_yield = 0.0

    def __init__(self, srv: Any, module: Any, client: Any, argv: list[bytes] | None = None) -> None:
        self.srv = srv
        self.module = module
        self.client = client
        self.argv = argv

    # --- lifecycle -------------------------------------------------------------------
    def _close_keys(self) -> None:
        keys = self.keys
        self.keys = None  # closing below must not edit the list being walked
        if keys:
            for k in reversed(keys):
                k.close()

    def _finish(self) -> None:
        """End of the call: close keys, close postponed replies left open."""
        self._close_keys()
        if self.next_yield:
            from moredis.module.blocking import end_yield

            end_yield(self)
        if self._deferred:
            # a postponed length never set: Redis would assert; answer with what we have
            from moredis.module.reply import _set_length

            for slot, kind in reversed(self._deferred):
                _set_length(self.client.w, kind, slot, 0)
            self._deferred = None

    # --- module attributes (F1) ------------------------------------------------------
    def init(self, name: str, ver: int, apiver: int = K.APIVER_1) -> int:
        """RedisModule_Init: name the module (only in on_load)."""
        return self.srv.modules.set_attribs(self, name, ver, apiver)

    set_module_attribs = init

    def is_module_name_busy(self, name: str) -> bool:
        return self.srv.modules.get(name) is not None

    def set_module_options(self, options: int) -> None:
        self.module.options = options

    @staticmethod
    def get_module_options_all() -> int:
        return K._OPTIONS_ALL

    def get_context_flags(self) -> int:
        """RedisModule_GetContextFlags."""
        srv = self.srv
        c = self.client
        f = 0
        if c is not None:
            if c.in_script or srv.in_script:
                f |= K.CTX_FLAGS_LUA
            if c.multi is not None or (c.deny_blocking and c.conn is not None and not c.in_script):
                f |= K.CTX_FLAGS_MULTI  # EXEC runs its commands with deny_blocking set
            if c.dirty_cas:
                f |= K.CTX_FLAGS_MULTI_DIRTY
            if c.is_master:
                f |= K.CTX_FLAGS_REPLICATED
            if c.deny_blocking:
                f |= K.CTX_FLAGS_DENY_BLOCKING
            if c.resp == 3:
                f |= K.CTX_FLAGS_RESP3
        if srv.config["cluster-enabled"]:
            f |= K.CTX_FLAGS_CLUSTER
        if (srv.aof is not None and getattr(srv.aof, "enabled", False)) or srv.config["appendonly"]:
            f |= K.CTX_FLAGS_AOF
        if srv.config["save"]:
            f |= K.CTX_FLAGS_RDB
        if srv.maxmemory:
            f |= K.CTX_FLAGS_MAXMEMORY
            if srv.config["maxmemory-policy"] != "noeviction":
                f |= K.CTX_FLAGS_EVICT
            from moredis.server.memory import used_memory

            used = used_memory(srv)
            if used > srv.maxmemory:
                f |= K.CTX_FLAGS_OOM
            if used > srv.maxmemory * 0.75:
                f |= K.CTX_FLAGS_OOM_WARNING
        if srv.loading:
            f |= K.CTX_FLAGS_LOADING
        if srv.is_replica:
            f |= K.CTX_FLAGS_SLAVE
            if srv.config["replica-read-only"]:
                f |= K.CTX_FLAGS_READONLY
            st = getattr(getattr(srv, "replication", None), "link_state", "")
            f |= {"connect": K.CTX_FLAGS_REPLICA_IS_CONNECTING, "connecting": K.CTX_FLAGS_REPLICA_IS_CONNECTING,
                  "transfer": K.CTX_FLAGS_REPLICA_IS_TRANSFERRING,
                  "connected": K.CTX_FLAGS_REPLICA_IS_ONLINE}.get(st, K.CTX_FLAGS_REPLICA_IS_STALE)
        else:
            f |= K.CTX_FLAGS_MASTER
        if getattr(srv, "child_pid", 0):
            f |= K.CTX_FLAGS_ACTIVE_CHILD
        if getattr(srv, "is_child", False):
            f |= K.CTX_FLAGS_IS_CHILD
        if not getattr(srv, "started", True):
            f |= K.CTX_FLAGS_SERVER_STARTUP
        return f

    @staticmethod
    def get_context_flags_all() -> int:
        return K._CTX_FLAGS_NEXT - 1

    @staticmethod
    def get_server_version() -> int:
        return REDIS_VERSION_NUM

    @staticmethod
    def get_type_method_version() -> int:
        return K.TYPE_METHOD_VERSION

    def get_selected_db(self) -> int:
        return self.client.db.id

    def select_db(self, dbid: int) -> int:
        """RedisModule_SelectDb: ERR for an index out of range."""
        if not 0 <= dbid < len(self.srv.dbs):
            return K.ERR
        self.client.db = self.srv.dbs[dbid]
        return K.OK

    def get_current_command_name(self) -> str | None:
        c = self.client
        return c.cmd.fullname if c is not None and c.cmd is not None else None

    def yield_(self, flags: int = K.YIELD_FLAG_NONE, busy_reply: str | None = None) -> None:
        """RedisModule_Yield: during a long command, once busy-reply-threshold has passed,
        serve other clients (with YIELD_FLAG_CLIENTS): they get `-BUSY <busy_reply>`
        (or "BUSY Redis is busy running a module command.") unless their command is
        allow-busy. At most hz times a second."""
        from moredis.module.blocking import module_yield

        module_yield(self, flags, busy_reply)

    # --- keys (F4) -------------------------------------------------------------------
    def open_key(self, name: bytes, mode: int = K.READ) -> Any:
        """RedisModule_OpenKey: a Key, or None when opened READ-only and missing."""
        return Key.open(self, name, mode)

    @staticmethod
    def get_open_key_modes_all() -> int:
        return K._OPEN_KEY_ALL

    def key_exists(self, name: bytes) -> bool:
        """RedisModule_KeyExists: no side effects on LRU, stats or notifications."""
        return self.client.db.peek(name) is not None

    def db_size(self) -> int:
        return len(self.client.db.data)

    def random_key(self) -> bytes | None:
        return self.client.db.random_key()

    def reset_dataset(self, restart_aof: bool = True, is_async: bool = False) -> None:
        """RedisModule_ResetDataset: FLUSHALL."""
        from moredis.commands.server import flush_db

        for db in self.srv.dbs:
            self.srv.dirty += flush_db(self.srv, db)

    def signal_modified_key(self, name: bytes) -> int:
        self.client.db.signal_modified(name)
        return K.OK

    # --- replication (F13) --------------------------------------------------------------
    def replicate(self, cmdname: str | bytes, fmt: str = "", *args: Any) -> int:
        """RedisModule_Replicate: propagate this command in the current execution unit
        (MULTI/EXEC wrapped with the unit's other effects). Only the A and R modifiers
        count; ERR for a bad format."""
        from moredis.module.call import F_NO_AOF, F_NO_REPLICAS, parse_format
        from moredis.module.propagation import TO_ALL, TO_AOF, TO_REPLICAS

        parsed = parse_format(fmt, args)
        if parsed is None:
            return K.ERR
        argv, flags = parsed
        name = cmdname.encode() if isinstance(cmdname, str) else cmdname
        target = TO_ALL
        if flags & F_NO_AOF:
            target &= ~TO_AOF
        if flags & F_NO_REPLICAS:
            target &= ~TO_REPLICAS
        self.srv.modules.prop.also_propagate(self.client.db.id, [[name, *argv]], target)
        self.srv.dirty += 1  # as RM_Replicate: a replicated effect is a change to save
        return K.OK

    def replicate_verbatim(self) -> int:
        """RedisModule_ReplicateVerbatim: replicate the command exactly as received."""
        if self.argv is None:
            return K.ERR
        self.srv.modules.prop.also_propagate(self.client.db.id, [list(self.argv)])
        self.srv.dirty += 1  # as RM_ReplicateVerbatim
        return K.OK

    def avoid_replica_traffic(self) -> bool:
        return bool(getattr(self.srv, "replica_traffic_paused", False))

    # --- notifications (F25) ---------------------------------------------------------
    def notify_keyspace_event(self, cls: int, event: str, key: bytes) -> int:
        """RedisModule_NotifyKeyspaceEvent."""
        self.srv.notify(cls, event, key, self.client.db.id)
        return K.OK

    def subscribe_to_keyspace_events(self, types: int, callback: Any) -> int:
        return self.srv.modules.subscribe_keyspace(self.module, types, callback)

    def add_post_notification_job(self, fn: Any, data: Any = None, free_data: Any = None) -> int:
        return self.srv.modules.add_post_job(self.module, fn, data, free_data)

    def get_notify_keyspace_events(self) -> int:
        return self.srv.notify_flags

    @staticmethod
    def get_keyspace_notification_flags_all() -> int:
        return K._NOTIFY_NEXT - 1

    # --- server events (F24) -----------------------------------------------------------
    def subscribe_to_server_event(self, event: int, callback: Any) -> int:
        """RedisModule_SubscribeToServerEvent: callback(ctx, event, subevent, data); None
        unsubscribes. ERR for an unknown event."""
        return self.srv.modules.subscribe_event(self.module, event, callback)

    @staticmethod
    def is_sub_event_supported(event: int, subevent: int) -> bool:
        return is_sub_event_supported(event, subevent)

    # --- commands (F14) -------------------------------------------------------------------
    def create_command(self, name: str, fn: Any, strflags: str = "", firstkey: int = 0,
                       lastkey: int = 0, keystep: int = 0) -> int:
        """RedisModule_CreateCommand."""
        return self.srv.modules.create_command(self, name, fn, strflags, firstkey, lastkey, keystep)

    def get_command(self, name: str) -> Any:
        """RedisModule_GetCommand: a handle on one of this module's commands ("name" or
        "parent|sub"), for set_command_info / set_command_acl_categories / subcommands."""
        return self.srv.modules.get_module_command(self.module, name)

    def create_subcommand(self, parent: Any, name: str, fn: Any, strflags: str = "", firstkey: int = 0,
                          lastkey: int = 0, keystep: int = 0) -> int:
        """RedisModule_CreateSubcommand: `parent` is a handle from get_command (or its name)."""
        if isinstance(parent, str):
            parent = self.get_command(parent)
        if parent is None:
            return K.ERR
        return parent.create_subcommand(name, fn, strflags, firstkey, lastkey, keystep)

    def add_acl_category(self, name: str) -> int:
        return self.srv.modules.add_acl_category(self, name)

    # --- data types (F26) ---------------------------------------------------------------
    def create_data_type(self, name: str, encver: int, methods: Any) -> Any:
        """RedisModule_CreateDataType: only during on_load; None on invalid name/encver."""
        return self.srv.modules.create_data_type(self, name, encver, methods)

    # --- configs (F34) --------------------------------------------------------------------
    def register_bool_config(self, name: str, default: bool, flags: int, getfn: Any, setfn: Any,
                             applyfn: Any = None, privdata: Any = None) -> int:
        from moredis.module.configs import register

        return register(self, "bool", name, default, flags, getfn, setfn, applyfn, privdata)

    def register_numeric_config(self, name: str, default: int, flags: int, min: int, max: int,
                                getfn: Any, setfn: Any, applyfn: Any = None, privdata: Any = None) -> int:
        from moredis.module.configs import register

        return register(self, "numeric", name, default, flags, getfn, setfn, applyfn, privdata, lo=min, hi=max)

    def register_string_config(self, name: str, default: bytes | str | None, flags: int, getfn: Any,
                               setfn: Any, applyfn: Any = None, privdata: Any = None) -> int:
        from moredis.module.configs import register

        return register(self, "string", name, default, flags, getfn, setfn, applyfn, privdata)

    def register_enum_config(self, name: str, default: int, flags: int, enum_values: list[str],
                             int_values: list[int], getfn: Any, setfn: Any, applyfn: Any = None,
                             privdata: Any = None) -> int:
        from moredis.module.configs import register

        return register(self, "enum", name, default, flags, getfn, setfn, applyfn, privdata,
                        enum=(list(enum_values), list(int_values)))

    def load_configs(self) -> int:
        from moredis.module.configs import load_configs

        return load_configs(self)

    # --- info (F33) ---------------------------------------------------------------------
    def register_info_func(self, cb: Any) -> int:
        self.module.info_func = cb
        return K.OK

    def get_server_info(self, section: str | None = None) -> Any:
        from moredis.module.info import ServerInfo

        return ServerInfo.collect(self.srv, section)

    # --- logging (F40) -------------------------------------------------------------------
    def log(self, level: str, fmt: str, *args: Any) -> None:
        """RedisModule_Log: '<module> message' at the given level."""
        msg = fmt % args if args else fmt
        lvl = _LEVELS.get(level, 2)
        name = self.module.name if self.module is not None else "module"
        self.srv.log.log(lvl, f"<{name}> {msg}")

    def log_io_error(self, level: str, fmt: str, *args: Any) -> None:
        self.log(level, fmt, *args)

    def latency_add_sample(self, event: str, latency_ms: int) -> None:
        from moredis.server.latency import add_sample_if_needed

        add_sample_if_needed(self.srv, event, latency_ms)

    # --- pub/sub (F18) ------------------------------------------------------------------
    def publish_message(self, channel: bytes, message: bytes) -> int:
        return self.srv.pubsub.publish(channel, message)

    def publish_message_shard(self, channel: bytes, message: bytes) -> int:
        return self.srv.pubsub.publish(channel, message, shard=True)

    # --- client info (F17) ----------------------------------------------------------------
    def get_client_id(self) -> int:
        c = self.client
        if c is None or (c.conn is None and getattr(c, "is_fake", False)):
            return 0
        return c.id

    # --- misc ---------------------------------------------------------------------------
    def get_used_memory_ratio(self) -> float:
        from moredis.server.memory import used_memory

        if not self.srv.maxmemory:
            return 0.0
        return used_memory(self.srv) / self.srv.maxmemory

    def __repr__(self) -> str:
        name = self.module.name if self.module is not None else "?"
        return f"<Ctx module={name} client={getattr(self.client, 'id', None)}>"


def error(msg: str) -> RedisError:
    """An error reply raised from module code (`raise rm.error("ERR ...")`)."""
    return RedisError(msg)


def is_sub_event_supported(event: int, subevent: int) -> bool:
    """RedisModule_IsSubEventSupported: within the `_..._NEXT` bounds of the event."""
    n = K.SUBEVENT_COUNTS.get(event)
    return n is not None and subevent < n


# --- time and random helpers (F22, F41) ---------------------------------------------------

def milliseconds() -> int:
    return time.time_ns() // 1_000_000


def microseconds() -> int:
    return time.time_ns() // 1000


def monotonic_microseconds() -> int:
    return time.monotonic_ns() // 1000


def cached_microseconds() -> int:
    return time.time_ns() // 1000


def get_random_bytes(n: int) -> bytes:
    import os

    return os.urandom(n)


def get_random_hex_chars(n: int) -> str:
    import secrets

    return "".join(secrets.choice("0123456789abcdef") for _ in range(n))


_ = N  # notification classes are re-exported through constants
