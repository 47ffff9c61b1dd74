"""The server: state shared by every client, the command gate, and the cron.

`RedisServer.process_command` is the one gate every request passes (server.c
processCommand): lookup, arity, auth, ACL, OOM, replica read-only, MULTI queueing,
pub/sub context, then `call` (server.c call), which runs the handler and does the
bookkeeping: stats, slowlog, propagation, keyspace notifications already queued, and
waking clients blocked on keys made ready. Module commands take the same path.
Neighbours: connection.py (network side), client.py, blocking.py, pubsub.py, config.py,
engine/keyspace.py (the databases), commands/registry.py (the table).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
import traceback
from collections import deque
from typing import Any

from moredis import errors as E
from moredis.acl.users import ACL
from moredis.commands import registry as R
from moredis.engine import notify as N
from moredis.engine.keyspace import Database
from moredis.errors import RedisError
from moredis.server.blocking import Blocking
from moredis.server.client import Client
from moredis.server.config import Config, ConfigError
from moredis.server.latency import add_sample as add_latency_sample
from moredis.server.latency import record_slow as record_latency_slow
from moredis.server.listeners import bind_changed, port_changed
from moredis.server.log import Logger
from moredis.server.memory import rss_bytes
from moredis.server.pubsub import PubSub
from moredis.version import REDIS_VERSION, __version__

LRU_CLOCK_MAX = (1 << 24) - 1


def _mstime() -> int:
    return time.time_ns() // 1_000_000


_perf_ns = time.perf_counter_ns


class SlowlogEntry:
    __slots__ = ("addr", "argv", "duration", "id", "name", "time")

    def __init__(self, eid: int, t: int, dur: int, argv: list[bytes], addr: str, name: bytes) -> None:
        self.id = eid
        self.time = t
        self.duration = dur
        self.argv = argv
        self.addr = addr
        self.name = name


class RedisServer:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.log = Logger()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.mstime = _mstime  # injectable clock (tests replace it)
        self.start_time = time.time()
        self.start_monotonic = time.monotonic()
        self.run_id = "%040x" % random.getrandbits(160)
        self.pid = os.getpid()
        self.acl = ACL(self)
        self.auth_required = False
        ndb = self.config["databases"]
        self.dbs = [Database(i, self) for i in range(ndb)]
        self.table: dict[bytes, R.Command] = R.build_table()
        for name, cmd in list(self.table.items()):
            self.table[name.upper()] = cmd
        self.clients: dict[int, Client] = {}
        self.next_client_id = 1
        self.pubsub = PubSub()
        self.blocking = Blocking(self)
        self.pending_flush: list[Client] = []
        self.write_queue: list[Any] = []  # connections whose replies go out at the end of the loop round
        self.monitors: list[Client] = []
        self.current_client: Client | None = None
        self.executing_client: Client | None = None
        self.in_script = False
        self.script_busy: Any = None  # scripting/core.py while a script is past busy-reply-threshold
        self.is_replica = False
        self.loading = False
        self.no_touch = False
        self.on_delete = None  # hook(db, key, value) for module unlink callbacks
        self.tracking_table: Any = None
        self.tracking_reader: Client | None = None  # tracking client whose reads call() remembers
        self.dirty = 0
        self.lastsave = int(time.time())
        self.lastbgsave_status = "ok"
        self.lru_clock = (int(time.time())) & LRU_CLOCK_MAX
        self.lfu = False
        # stats (INFO stats)
        self.stat_numcommands = 0
        self.stat_numconnections = 0
        self.stat_rejected_conn = 0
        self.stat_expiredkeys = 0
        self.stat_expired_subkeys = 0  # hash fields (engine/types/hash.py)
        self.stat_evictedkeys = 0
        self.stat_keyspace_hits = 0
        self.stat_keyspace_misses = 0
        self.stat_net_input_bytes = 0
        self.stat_net_output_bytes = 0
        self.stat_total_error_replies = 0
        self.stat_unexpected_error_replies = 0
        self.stat_total_reads = 0
        self.stat_total_writes = 0
        self.stat_qbuf_limit_disconnections = 0
        self.stat_obuf_limit_disconnections = 0
        self.stat_acl_denied = {"auth": 0, "cmd": 0, "key": 0, "channel": 0}
        self.stat_peak_memory = 0
        self.errorstats: dict[str, int] = {}
        self.ops_samples: deque = deque(maxlen=16)
        self._ops_last = (time.monotonic(), 0, 0, 0)
        self.slowlog: deque[SlowlogEntry] = deque()
        self.slowlog_next_id = 0
        self.latency_events: dict[str, deque] = {}
        self.paused_until = 0.0
        self.pause_kind: str | None = None  # None, "write", "all"
        self.paused_clients: list[Client] = []
        self.active_expire_enabled = True
        self.pause_cron = False  # DEBUG PAUSE-CRON: skip the cron's work while set
        self.expire_paused_flag = False
        self.shutdown_asap = False
        self.propagators: list[Any] = []  # AOF, replicas: callables(dbid, argvs)
        self.prop_override: list[list[bytes]] | None = None
        self.listeners: list[Any] = []
        self.port = 0
        self.unixsocket_path = ""
        self.module_hooks: Any = None
        self.notify_flags = 0
        self.notify_mask = 0
        self.module_notify_mask = 0
        self.keyspace_listeners: list[Any] = []
        self.cron_loops = 0
        self.hz = 10
        self._cron_handle: Any = None
        self._stopped: asyncio.Event | None = None
        self.slowlog_threshold_us = 10000
        self.stat_threshold_us = 10000  # min of the slowlog and latency-monitor thresholds
        self.tail_pending = False  # after-command work queued (see call)
        self.latency_tracking = True  # mirrors of latency-tracking / latency-monitor-threshold
        self.latency_threshold_us = 1 << 62
        self.stat_expire_cycle_ns = 0
        self.reprocessing = False  # a blocked command running again (not shown to MONITOR)
        self.used_memory_startup = rss_bytes()
        self.slowlog_max = 128
        self.guard = False
        self.proto_max_bulk_len = 512 << 20
        self.qbuf_limit = 1 << 30
        self.maxclients = 10000
        self.timeout = 0
        self.maxmemory = 0
        self.aof = None
        self.disk_write_error: str | None = None  # MISCONF while a failed BGSAVE stops writes
        self.rdb = None
        self.info_providers: list[Any] = []
        self.command_filters: list[Any] | None = None  # module command filters (module/filters.py)
        self.key_event_hook: Any = None  # modules subscribed to the Key server event
        self.gil: Any = None  # the server lock, once a module asks for thread-safe contexts
        self.loop_thread: Any = None
        self.preload_hooks: list[Any] = []  # run on the loop before the listeners open
        self.unixtime = time.time()  # cached wall clock, refreshed by the cron
        self.obuf_normal_limited = False
        self.bind_explicit = False
        self.ephemeral_port = False
        self.cron_hooks: list[Any] = []  # called every cron tick (AOF fsync, save points ...)
        self.startup_hooks: list[Any] = []
        self._wire_config()
        from moredis.module.info import provider as module_info_provider
        from moredis.server.modules import ModuleManager

        self.modules = ModuleManager(self)
        self.module_hooks = self.modules
        self.info_providers.append(module_info_provider(self))
        from moredis.persistence.manager import RdbManager

        self.rdb = RdbManager(self)  # SAVE/BGSAVE, save points, loading dump.rdb at start
        from moredis.persistence.aof import AofManager

        self.before_reply: Any = None  # called by connections just before writing replies (the AOF, when on)
        self.aof = AofManager(self)  # appendonly: the multi-part AOF, BGREWRITEAOF, loading it at start

    # --- configuration hooks -----------------------------------------------------------
    def _wire_config(self) -> None:
        cfg = self.config
        hooks = {
            "notify-keyspace-events": self._set_notify,
            "requirepass": self._set_requirepass,
            "slowlog-log-slower-than": self._set_slowlog_threshold,
            "slowlog-max-len": self._set_slowlog_max,
            "proto-max-bulk-len": lambda v: setattr(self, "proto_max_bulk_len", v),
            "client-query-buffer-limit": lambda v: setattr(self, "qbuf_limit", v),
            "maxclients": lambda v: setattr(self, "maxclients", v),
            "timeout": lambda v: setattr(self, "timeout", v),
            "maxmemory": self._set_maxmemory,
            "maxmemory-policy": self._set_policy,
            "hz": self._set_hz,
            "loglevel": lambda v: self.log.configure(level=v),
            "port": lambda v: port_changed(self, v),
            "bind": lambda v: bind_changed(self, v),
            "latency-tracking": lambda v: setattr(self, "latency_tracking", v),
            "latency-monitor-threshold": self._set_latency_threshold,
        }
        for name, fn in hooks.items():
            cfg.watch(name, fn)
            fn(cfg[name])

    def _set_slowlog_threshold(self, v: int) -> None:
        self.slowlog_threshold_us = v
        self._recompute_stat_threshold()

    def _set_latency_threshold(self, v: int) -> None:
        self.latency_threshold_us = v * 1000 if v else 1 << 62
        self._recompute_stat_threshold()

    def _set_notify(self, v: int) -> None:
        self.notify_flags = v
        self._recompute_notify_mask()

    def _recompute_notify_mask(self) -> None:
        # a class is live when configured (with K or E) or when a module listens to it
        cfg = self.notify_flags if self.notify_flags & (N.KEYSPACE | N.KEYEVENT) else 0
        self.notify_mask = cfg | self.module_notify_mask

    def _set_requirepass(self, v: str) -> None:
        self.acl.set_requirepass(v)
        self.auth_required = self.acl.auth_required()

    def _set_slowlog_max(self, v: int) -> None:
        self.slowlog_max = v
        while len(self.slowlog) > v:
            self.slowlog.pop()

    def _set_maxmemory(self, v: int) -> None:
        self.maxmemory = v
        self._recompute_guard()

    def _set_policy(self, v: str) -> None:
        self.lfu = v.endswith("lfu")

    def _set_hz(self, v: int) -> None:
        self.hz = max(1, min(500, v))

    def _recompute_guard(self) -> None:
        self.guard = bool(
            self.pause_kind or self.loading or self.maxmemory or self.monitors
            or (self.is_replica and self.config["replica-read-only"])
            or self.script_busy is not None
            or self.disk_write_error is not None
        )

    # --- clock helpers -------------------------------------------------------------------
    def lru_touch(self, old: int | None) -> int:
        if self.lfu:
            return self.lfu_touch(old)
        return self.lru_clock

    def lru_new(self) -> int:
        if self.lfu:
            return (self._lfu_minutes() << 8) | 5  # LFU_INIT_VAL
        return self.lru_clock

    def _lfu_minutes(self) -> int:
        return (int(time.time()) // 60) & 0xFFFF

    def lfu_touch(self, old: int | None) -> int:
        """evict.c updateLFU: decay by elapsed periods, then a logarithmic increment."""
        if old is None:
            return self.lru_new()
        counter = self.lfu_decay(old)
        if counter < 255:
            r = random.random()
            base = max(counter - 5, 0)
            p = 1.0 / (base * self.config["lfu-log-factor"] + 1)
            if r < p:
                counter += 1
        return (self._lfu_minutes() << 8) | counter

    def lfu_decay(self, word: int) -> int:
        ldt = word >> 8
        counter = word & 255
        now = self._lfu_minutes()
        elapsed = now - ldt if now >= ldt else 65535 - ldt + now
        period = self.config["lfu-decay-time"]
        periods = elapsed // period if period else 0
        return 0 if periods > counter else counter - periods

    def idle_seconds(self, word: int | None) -> int:
        if word is None:
            return 0
        now = self.lru_clock
        if now >= word:
            return now - word
        return LRU_CLOCK_MAX - word + now

    def expire_paused(self) -> bool:
        return self.expire_paused_flag or self.pause_kind is not None

    # --- clients ---------------------------------------------------------------------
    def new_client(self, conn: Any = None, writer: Any = None) -> Client:
        cid = self.next_client_id
        self.next_client_id += 1
        c = Client(self, cid, conn, writer)
        if conn is not None:
            self.clients[cid] = c
        return c

    def internal_client(self, resp: int = 3) -> Client:
        """A connection-less client whose replies are captured (scripts, modules, tests)."""
        from moredis.protocol.writer import CaptureWriter

        c = self.new_client(None, CaptureWriter(resp, self.record_error))
        c.authenticated = True
        c.refresh_guard()
        return c

    def free_client(self, c: Client) -> None:
        """freeClient's bookkeeping: unwatch, unsubscribe, unblock, forget."""
        if c.blocked is not None:
            self.blocking.unblock(c)
        self.unwatch_all(c)
        self.pubsub.drop_client(c)
        if c.is_monitor:
            c.is_monitor = False
            if c in self.monitors:
                self.monitors.remove(c)
            self._recompute_guard()
        if c.tracking is not None and self.tracking_table is not None:
            self.tracking_table.disable(c)
        if c in self.paused_clients:
            self.paused_clients.remove(c)
        self.clients.pop(c.id, None)
        self.acl.client_freed(c)  # a module's user-changed callback fires once
        if self.module_hooks is not None:
            self.module_hooks.client_closed(c)

    def unwatch_all(self, c: Client) -> None:
        for db, key in c.watched:
            lst = db.watched.get(key)
            if lst is not None:
                try:
                    lst.remove(c)
                except ValueError:
                    pass
                if not lst:
                    del db.watched[key]
        c.watched = []
        c.dirty_cas = False
        c.user_data.pop("watch_alive", None)

    def record_error(self, msg: str) -> None:
        """Error reply bookkeeping for INFO errorstats (afterErrorReply): the code is the
        text before a space among the first 31 characters, else ERR ("x" counts as ERR)."""
        self.stat_total_error_replies += 1
        sp = msg.find(" ", 0, 31)
        code = msg[:sp] if sp >= 0 else "ERR"
        if len(self.errorstats) >= 128 and code not in self.errorstats:
            code = "ERRORSTATS_DISABLED"
            return
        self.errorstats[code] = self.errorstats.get(code, 0) + 1

    def queue_write(self, conn: Any) -> None:
        """Reply at the end of this event-loop round, as Redis's beforeSleep does
        (handleClientsWithPendingWrites): every client served in the round is written
        after all of them were read, so a peer woken by the first write finds the
        others' replies already there. Measured: +50% throughput with pipelining."""
        q = self.write_queue
        if not q:
            if self.loop is None:
                conn.flush()
                return
            self.loop.call_soon(self.flush_writes)
        q.append(conn)

    def flush_writes(self) -> None:
        q = self.write_queue
        if not q:
            return
        self.write_queue = []
        gil = self.gil
        if gil is not None:  # a module thread may be replying to these clients
            with gil:
                for conn in q:
                    conn.flush()
        else:
            for conn in q:
                conn.flush()

    def flush_pending(self) -> None:
        """Send output queued for clients other than the one being served (and the
        replies waiting for the end of the round: a busy script's pump has no round end)."""
        if self.write_queue:
            self.flush_writes()
        pend = self.pending_flush
        while pend:
            self.pending_flush = []
            for c in pend:
                c.pending_push = False
                if c.conn is not None:
                    c.conn.flush()
            pend = self.pending_flush

    # --- the gate ----------------------------------------------------------------------
    def lookup_command(self, argv: list[bytes]) -> R.Command | None:
        cmd = self.table.get(argv[0])
        if cmd is None:
            cmd = self.table.get(argv[0].lower())
            if cmd is None:
                return None
        if cmd.subcommands is not None and len(argv) >= 2:
            sub = cmd.subcommands.get(argv[1].lower())
            if sub is not None:
                return sub
        return cmd

    def process_command(self, c: Client, argv: list[bytes]) -> None:
        """processCommand: every check in Redis's order, then call()."""
        if self.command_filters:
            argv = self.modules.run_filters(c, argv)
            if not argv:
                return
        table = self.table
        cmd = table.get(argv[0])
        if cmd is None:
            cmd = table.get(argv[0].lower())
            if cmd is None:
                self._reject(c, E.unknown_command(argv).message)
                return
        n = len(argv)
        a = cmd.arity
        if (a > 0 and n != a) or n < -a:
            self._reject(c, E.wrong_arity(cmd.fullname).message, cmd)
            return
        if cmd.subcommands is not None and n > 1:  # bare COMMAND (arity -1) runs the container
            sub = cmd.subcommands.get(argv[1].lower())
            if sub is None:
                self._reject(c, E.unknown_subcommand(argv[1], cmd.name).message)  # no command: no stats
                return
            cmd = sub
            a = cmd.arity
            if (a > 0 and n != a) or n < -a:
                self._reject(c, E.wrong_arity(cmd.fullname).message, cmd)
                return
        if c.guard or self.guard:
            if not self._checks(c, cmd, argv):
                return
            if c.tracking is not None:
                self.tracking_table.run(c, cmd, argv)  # client-side caching (tracking.py)
                return
            if c.reply_mode != "on":
                self._call_reply_mode(c, cmd, argv)
                return
        self.call(c, cmd, argv)

    def _call_reply_mode(self, c: Client, cmd: R.Command, argv: list[bytes]) -> None:
        """CLIENT REPLY OFF/SKIP: run the command, drop what it replied.

        States: "off" drops every reply until CLIENT REPLY ON; "skip" (set by CLIENT REPLY
        SKIP, which itself replies nothing) drops the next command's reply only; "skip-next"
        (CLIENT REPLY SKIP while skipping) becomes "skip" for the command after. A reply is
        dropped when the mode is still off/skip once the command ran, so the OK of CLIENT
        REPLY ON shows, as Redis checks the flags when the reply is added."""
        before = c.reply_mode
        mark = len(c.out)
        self.call(c, cmd, argv)
        mode = c.reply_mode
        if mode != "on":
            del c.out[mark:]
            if mode == "skip-next":
                c.reply_mode = "skip"
            elif before == "skip" and mode == "skip":
                c.reply_mode = "on"
        c.refresh_guard()

    def _reject(self, c: Client, msg: str, cmd: R.Command | None = None) -> None:
        c.last_cmd = cmd  # CLIENT LIST cmd=: Redis records the looked-up command (NULL if none)
        if c.tracking is not None:
            self.tracking_table.command_done(c, cmd)  # a refused command uses up CLIENT CACHING
        mark = len(c.out)
        self._refuse(c, msg, cmd)
        if c.reply_mode != "on":
            self._silence(c, mark)

    def _silence(self, c: Client, mark: int) -> None:
        """CLIENT REPLY OFF/SKIP also cover refusals and QUEUED (Redis never adds them)."""
        del c.out[mark:]
        if c.reply_mode == "skip":
            c.reply_mode = "on"
            c.refresh_guard()

    def _refuse(self, c: Client, msg: str, cmd: R.Command | None) -> None:
        """rejectCommand: in MULTI this also flags the transaction (EXECABORT)."""
        if cmd is not None:
            cmd.rejected_calls += 1
            if cmd.fullname == "exec":
                # execCommandAbort: a refused EXEC also discards the transaction
                if c.multi is not None:
                    c.multi = None
                    c.multi_error = False
                    self.unwatch_all(c)
                    c.refresh_guard()
                c.w.error("EXECABORT Transaction discarded because of: "
                          + (msg[4:] if msg.startswith("ERR ") else msg))
                return
        if c.multi is not None:
            c.multi_error = True
        c.w.error(msg)

    def _checks(self, c: Client, cmd: R.Command, argv: list[bytes]) -> bool:
        """The rarely-needed part of processCommand, in Redis's order."""
        flags = cmd.flags
        if not c.authenticated and self.auth_required and not flags & R.NO_AUTH:  # authRequired()
            self._reject(c, E.NOAUTH, cmd)
            return False
        if c.user is not None and not c.user.unrestricted:
            err = self.acl_check(c, cmd, argv)
            if err is not None:
                self._reject(c, err, cmd)
                return False
        if self.maxmemory and flags & R.DENYOOM and not c.is_master:
            if self.over_maxmemory() and not (c.multi is not None and cmd.name in ("exec", "discard")):
                self._reject(c, E.OOM, cmd)
                return False
        if self.disk_write_error is not None and not c.is_master and (
                flags & R.WRITE or cmd.fullname == "ping"
                or (cmd.fullname == "exec" and c.multi and any(q.flags & R.WRITE for q, _ in c.multi))):
            self._reject(c, self.disk_write_error, cmd)  # writeCommandsDeniedByDiskError
            return False
        if self.is_replica and self.config["replica-read-only"] and flags & R.WRITE and not c.is_master:
            self._reject(c, E.READONLY, cmd)
            return False
        if c.resp == 2 and (c.channels or c.patterns or c.shard_channels):
            if cmd.fullname not in ("ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
                                    "psubscribe", "punsubscribe", "quit", "reset"):
                self._reject(c, E.SUBSCRIBE_CONTEXT.format(cmd.fullname), cmd)
                return False
        if self.loading and not flags & R.LOADING:
            self._reject(c, E.LOADING, cmd)
            return False
        if self.script_busy is not None:  # a busy script lets few commands through (scripting/core.py)
            err = self.script_busy.busy_refusal(c, cmd, argv)
            if err is not None:
                self._reject(c, err, cmd)
                return False
        if c.multi is not None and cmd.fullname not in ("exec", "discard", "multi", "watch", "quit", "reset"):
            if flags & R.NO_MULTI:
                self._reject(c, "ERR Command not allowed inside a transaction", cmd)
                return False
            c.last_cmd = cmd
            c.multi.append((cmd, argv))
            mark = len(c.out)
            c.w.simple(b"QUEUED")
            if c.reply_mode != "on":
                self._silence(c, mark)
            return False
        if self.pause_kind is not None and self._must_pause(c, cmd, argv):
            c.last_cmd = cmd
            self.pause_client(c, argv)
            return False
        if c.no_touch and cmd.fullname != "touch":
            self.no_touch = True
            self.tail_pending = True
        return True

    def acl_check(self, c: Client, cmd: R.Command, argv: list[bytes]) -> str | None:
        """Permission check for restricted users (acl/users.py): None, or the NOPERM
        error after its ACL LOG entry."""
        return self.acl.check_client(c, cmd, argv)

    def over_maxmemory(self) -> bool:
        from moredis.server.memory import used_memory

        return used_memory(self) > self.maxmemory

    # --- call() ----------------------------------------------------------------------
    def call(self, c: Client, cmd: R.Command, argv: list[bytes]) -> None:
        """server.c call(): run the handler, then stats, slowlog, propagation, wake-ups.

        Kept lean: the rare after-work (propagation, monitors, tracking, module post
        jobs and execution units, clients made ready, NO-TOUCH) runs in _call_tail
        only when one of its triggers is set (`tail_pending` is raised by the dynamic
        ones: rewrite_propagation, signal_key_ready, module post jobs and units)."""
        c.cmd = cmd
        c.argv = argv
        prev = self.current_client
        self.current_client = c
        dirty = self.dirty
        handler = cmd.handler  # (`cmd.handler(...)` would be a LOAD_METHOD, never specialized for an attribute)
        t0 = _perf_ns()
        try:
            handler(c, argv)
        except RedisError as e:
            cmd.failed_calls += 1
            c.w.error(e.message)
        except Exception as e:  # a bug must not kill the server
            cmd.failed_calls += 1
            self.stat_unexpected_error_replies += 1
            self.log.warning(f"Unexpected error in '{cmd.fullname}': {e!r}\n{traceback.format_exc()}")
            c.w.error(f"ERR internal error in '{cmd.fullname}': {type(e).__name__}: {e}".replace("\n", " "))
        dur = (_perf_ns() - t0) // 1000
        self.current_client = prev
        c.last_cmd = cmd
        if c.blocked is None:  # a command that blocked counts once, when served or timed out
            cmd.calls += 1
            cmd.usec += dur
            self.stat_numcommands += 1
            if self.latency_tracking:  # INFO latencystats (latency.py)
                try:
                    cmd.latency_hist[dur] += 1
                except (IndexError, TypeError):
                    record_latency_slow(cmd, dur)
            if dur >= self.stat_threshold_us:
                self._slow_call_stats(c, cmd, argv, dur)
        if self.tail_pending or self.propagators or self.monitors or self.tracking_reader is not None:
            self._call_tail(c, cmd, argv, prev, dirty)

    def _slow_call_stats(self, c: Client, cmd: R.Command, argv: list[bytes], dur: int) -> None:
        if dur >= self.latency_threshold_us:  # latency monitor
            add_latency_sample(self, "fast-command" if cmd.flags & R.FAST else "command", dur // 1000)
        if dur >= self.slowlog_threshold_us >= 0 and not cmd.flags & R.SKIP_SLOWLOG:
            self.slowlog_add(c, argv, dur)

    def _recompute_stat_threshold(self) -> None:
        slow = self.slowlog_threshold_us if self.slowlog_threshold_us >= 0 else 1 << 62
        self.stat_threshold_us = min(slow, self.latency_threshold_us)

    def _call_tail(self, c: Client, cmd: R.Command, argv: list[bytes], prev: Client | None, dirty: int) -> None:
        """The rest of call(): tracking, propagation, module units, monitors, ready keys."""
        if prev is None:
            self.tail_pending = False
        if self.no_touch:
            self.no_touch = False
        if self.tracking_reader is not None and cmd.flags & R.READONLY:
            self.tracking_table.remember(c, prev, cmd, argv)
        if self.prop_override is not None:  # the command said what to replicate (alsoPropagate)
            if self.prop_override and self.propagators:
                self.propagate_command(c, cmd, argv)
            self.prop_override = None
        elif self.dirty != dirty and self.propagators:
            self.propagate_command(c, cmd, argv)
        if prev is None:
            if self.modules.post_jobs:
                self.modules.run_post_jobs()
            if self.module_prop.unit is not None:
                self.module_prop.flush_unit()  # end of the execution unit: MULTI/EXEC if needed
        if self.monitors and not cmd.flags & (R.SKIP_MONITOR | R.ADMIN) and not self.reprocessing:
            self.feed_monitors(c, argv)
        if self.blocking.ready and self.current_client is None:
            self.blocking.serve_ready()
        if prev is None and (self.blocking.ready or self.modules.post_jobs or self.module_prop.unit is not None):
            self.tail_pending = True  # more work queued by the tail itself: keep it flagged

    def exec_internal(self, c: Client, argv: list[bytes]) -> None:
        """Run argv as `c` through lookup, arity and call (EXEC, scripts, modules)."""
        cmd = self.lookup_command(argv)
        if cmd is None:
            c.w.error(E.unknown_command(argv).message)
            return
        if cmd.subcommands is not None and cmd.handler is None:
            c.w.error(E.wrong_arity(cmd.fullname).message)
            return
        n, a = len(argv), cmd.arity
        if (a > 0 and n != a) or n < -a:
            c.w.error(E.wrong_arity(cmd.fullname).message)
            return
        self.call(c, cmd, argv)

    # --- propagation -------------------------------------------------------------------
    def propagate_command(self, c: Client, cmd: R.Command, argv: list[bytes]) -> None:
        argvs = self.prop_override if self.prop_override is not None else [argv]
        self.prop_override = None
        if not argvs:
            return
        mp = self.module_prop  # module effects pending in this execution unit (module/propagation.py)
        if (mp.unit is not None or mp.no_repl) and mp.capture(c.db.id, argvs):
            return
        for p in self.propagators:
            p(c.db.id, argvs)

    def rewrite_propagation(self, argvs: list[list[bytes]]) -> None:
        """What the current command replicates instead of its own argv (alsoPropagate)."""
        self.prop_override = argvs
        self.tail_pending = True

    def propagate_expire(self, db: Database, key: bytes) -> None:
        if self.module_prop.unit is not None and self.modules.expire_propagated(db, key):
            return  # the DEL joined module effects of this execution unit (module/propagation.py)
        if self.propagators:
            for p in self.propagators:
                p(db.id, [[b"DEL", key]])

    def feed_monitors(self, c: Client, argv: list[bytes]) -> None:
        """replicationFeedMonitors: `+<time> [<db> <addr>] "arg" ...` to every monitor,
        the client that ran the command included; passwords show as "(redacted)"."""
        t = time.time()
        if c.in_script:
            where = "lua"
        elif c.unix:
            where = "unix:" + self.unixsocket_path
        else:
            where = c.addr
        head = "%d.%06d [%d %s]" % (int(t), int((t % 1) * 1_000_000), c.db.id, where)
        shown = _redact(argv, c)
        body = " ".join(_repr_arg(a) for a in shown)
        line = (head + " " + body).encode("utf-8", "surrogateescape")
        for m in list(self.monitors):
            m.w.simple(line)
            if m is not c:
                m.push_to()

    def slowlog_add(self, c: Client, argv: list[bytes], dur: int) -> None:
        argv = _redact(argv, c)
        args = argv[:32]
        shown = []
        for i, a in enumerate(args):
            if i == 31 and len(argv) > 32:
                shown.append(b"... (%d more arguments)" % (len(argv) - 31))
                break
            if len(a) > 128:
                shown.append(a[:128] + b"... (%d more bytes)" % (len(a) - 128))
            else:
                shown.append(a)
        e = SlowlogEntry(self.slowlog_next_id, int(time.time()), dur, shown, c.addr, c.name or b"")
        self.slowlog_next_id += 1
        self.slowlog.appendleft(e)
        while len(self.slowlog) > self.slowlog_max:
            self.slowlog.pop()

    # --- notifications -----------------------------------------------------------------
    def notify(self, cls: int, event: str, key: bytes, dbid: int) -> None:
        """notifyKeyspaceEvent: module subscribers first, then the pub/sub channels."""
        if self.module_notify_mask & cls and self.keyspace_listeners:
            for lst in list(self.keyspace_listeners):
                lst(cls, event, key, dbid)
        flags = self.notify_flags
        if not flags & cls:
            return
        ev = event.encode()
        if flags & N.KEYSPACE:
            self.pubsub.publish(b"__keyspace@%d__:%b" % (dbid, key), ev)
        if flags & N.KEYEVENT:
            self.pubsub.publish(b"__keyevent@%d__:%b" % (dbid, ev), key)

    # --- blocking ----------------------------------------------------------------------
    def signal_key_ready(self, db: Database, key: bytes) -> None:
        self.blocking.signal(db, key)  # raises tail_pending when a client waits on the key

    def reexecute_blocked(self, c: Client, st: Any) -> None:
        """Serve a client whose key became ready by running its command again."""
        prev_db = c.db
        c.db = self.dbs[st.dbid]
        c.reblock_deadline = st.timeout_at
        was = self.reprocessing
        self.reprocessing = True  # MONITOR showed this command when it first ran
        try:
            self.call(c, st.cmd, st.argv)
        finally:
            c.reblock_deadline = 0.0
            self.reprocessing = was
        if c.blocked is None:
            c.db = prev_db if prev_db.id != st.dbid else c.db
            self.after_unblock(c)

    def blocked_command_done(self, c: Client, st: Any, failed: bool = False) -> None:
        """updateStatsOnUnblock for a blocked command that ends without running again
        (timeout, CLIENT UNBLOCK): it counts as one call, as in commandstats and the slow log."""
        cmd = st.cmd
        if cmd is None or st.kind in ("pause", "module") or st.argv is None:
            return
        cmd.calls += 1
        self.stat_numcommands += 1
        if failed:
            cmd.failed_calls += 1
        if self.latency_tracking:
            if cmd.latency_hist is None:
                record_latency_slow(cmd, 0)
            else:
                cmd.latency_hist[0] += 1
        if self.slowlog_threshold_us == 0 and not cmd.flags & R.SKIP_SLOWLOG:
            self.slowlog_add(c, st.argv, 0)

    def after_unblock(self, c: Client) -> None:
        """The client may proceed: send its reply and resume its pipelined commands."""
        c.push_to()
        if c.conn is not None and self.loop is not None:
            self.loop.call_soon(c.conn.resume)

    # --- client pause (CLIENT PAUSE) -----------------------------------------------------
    def _must_pause(self, c: Client, cmd: R.Command, argv: list[bytes]) -> bool:
        if c.is_master or c.is_replica:
            return False
        if time.time() >= self.paused_until:
            self.unpause()
            return False
        if self.pause_kind == "all":
            return True
        name = cmd.fullname
        if name in ("eval", "evalsha", "fcall", "eval_ro", "evalsha_ro", "fcall_ro"):
            return name in ("eval", "evalsha", "fcall")  # may write (shebang checked by scripting)
        if name == "exec" and c.multi:
            # processCommand: EXEC waits when one of the queued commands may write
            return any(q.flags & (R.WRITE | R.MAY_REPLICATE) for q, _ in c.multi)
        if cmd.flags & (R.WRITE | R.MAY_REPLICATE):
            return True
        if name == "publish" or name == "spublish":
            return True
        return False

    def pause_client(self, c: Client, argv: list[bytes]) -> None:
        from moredis.server.blocking import PAUSE

        self.blocking.block_custom(c, PAUSE, 0, None, data=argv)
        self.paused_clients.append(c)

    def pause(self, kind: str, ms: int) -> None:
        until = time.time() + ms / 1000.0
        if self.pause_kind is not None and self.paused_until > time.time():
            # pauseClientsByClient: the later end time and the stricter kind win
            until = max(until, self.paused_until)
            if self.pause_kind == "all":
                kind = "all"
        self.pause_kind = kind
        self.paused_until = until
        self._recompute_guard()
        if self.loop is not None:
            self.loop.call_later(ms / 1000.0 + 0.001, self._check_unpause)

    def _check_unpause(self) -> None:
        if self.pause_kind is not None and time.time() >= self.paused_until:
            self.unpause()

    def unpause(self) -> None:
        self.pause_kind = None
        self.paused_until = 0.0
        self._recompute_guard()
        waiting = self.paused_clients
        self.paused_clients = []
        for c in waiting:
            st = self.blocking.unblock(c)
            if st is not None and st.data is not None:
                self.process_command(c, st.data)
            self.after_unblock(c)

    # --- cron --------------------------------------------------------------------------
    def cron(self) -> None:
        """serverCron: clocks, active expiry, client timeouts, stats, save points."""
        if self.pause_cron:
            return
        self.cron_loops += 1
        now = time.time()
        self.unixtime = now
        self.lru_clock = int(now) & LRU_CLOCK_MAX
        if self.active_expire_enabled and not self.is_replica and not self.expire_paused():
            t0 = time.perf_counter_ns()
            ms = self.mstime()
            budget = 2000
            for db in self.dbs:
                if db.expires:
                    budget -= db.active_expire(ms, budget)
                    if budget <= 0:
                        break
            spent = time.perf_counter_ns() - t0  # INFO expire_cycle_cpu_milliseconds, latency event
            self.stat_expire_cycle_ns += spent
            if spent >= self.latency_threshold_us * 1000:
                add_latency_sample(self, "expire-cycle", spent // 1_000_000)
        if self.timeout and self.cron_loops % max(1, self.hz) == 0:
            self._close_idle_clients(now)
        self._sample_ops()
        for fn in list(self.cron_hooks):
            try:
                fn()
            except Exception as e:  # pragma: no cover - a hook must not stop the cron
                self.log.warning(f"cron hook failed: {e!r}")
        if self.blocking.ready and self.current_client is None:
            self.blocking.serve_ready()  # keys expired by the cron (blockedBeforeSleep)
        self.flush_pending()
        if self.shutdown_asap:
            self.shutdown_asap = False
            self.request_stop()

    def _close_idle_clients(self, now: float) -> None:
        for c in list(self.clients.values()):
            if c.is_replica or c.is_master or c.blocked is not None or c.channels or c.patterns:
                continue
            if now - c.last_interaction > self.timeout:
                self.log.verbose("Closing idle client")
                c.close()

    def _sample_ops(self) -> None:
        t, cmds, nin, nout = self._ops_last
        now = time.monotonic()
        if now - t >= 0.1:
            dt = now - t
            self.ops_samples.append(((self.stat_numcommands - cmds) / dt,
                                     (self.stat_net_input_bytes - nin) / dt / 1024,
                                     (self.stat_net_output_bytes - nout) / dt / 1024))
            self._ops_last = (now, self.stat_numcommands, self.stat_net_input_bytes, self.stat_net_output_bytes)

    def _schedule_cron(self) -> None:
        assert self.loop is not None
        if self.gil is not None:
            with self.gil:
                self.cron()
        else:
            self.cron()
        self._cron_handle = self.loop.call_later(1.0 / self.hz, self._schedule_cron)

    # --- lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        """Open the listeners and start the cron on the running loop."""
        import threading

        from moredis.server.connection import listen

        self.loop = asyncio.get_running_loop()
        self.loop_thread = threading.current_thread()
        self._stopped = asyncio.Event()
        for fn in list(self.preload_hooks):
            fn()
        if self.rdb is not None:  # the dataset, once modules (and their types) are loaded
            self.rdb.load_at_startup()
        if self.aof is not None:  # the AOF (appendonly yes) takes precedence over the RDB
            self.aof.load_at_startup()
        await listen(self)
        self.loop.call_soon(self._schedule_cron)
        for fn in list(self.startup_hooks):
            fn()

    def banner(self) -> None:
        lg = self.log
        lg.notice("oO0OoO0OoO0Oo moredis is starting oO0OoO0OoO0Oo")
        lg.notice(f"moredis version={__version__}, redis_version={REDIS_VERSION}, bits=64, "
                  f"pid={self.pid}, just started")
        lg.notice(f"Running mode=standalone, port={self.port}.")
        lg.notice("Server initialized")
        lg.notice("Ready to accept connections tcp" if self.port else "Ready to accept connections unix")

    def request_stop(self) -> None:
        if self._stopped is not None:
            self._stopped.set()

    async def wait_stopped(self) -> None:
        assert self._stopped is not None
        await self._stopped.wait()

    async def close(self) -> None:
        if self._cron_handle is not None:
            self._cron_handle.cancel()
        if self.aof is not None:
            self.aof.close()
        for lst in self.listeners:
            lst.close()
        for c in list(self.clients.values()):
            c.close()
        for lst in self.listeners:
            try:
                await asyncio.wait_for(lst.wait_closed(), 1.0)
            except (TimeoutError, Exception):
                pass
        self.listeners = []
        if self.unixsocket_path:
            try:
                os.unlink(self.unixsocket_path)
            except OSError:
                pass

    def prepare_shutdown(self, save: bool | None = None, now: bool = False, force: bool = False) -> str | None:
        """finishShutdown's checks: save if configured (or asked), refuse on save failure."""
        do_save = save if save is not None else bool(self.config["save"])
        self.log.warning("User requested shutdown...")
        if do_save and self.rdb is not None:
            self.log.notice("Saving the final RDB snapshot before exiting.")
            try:
                self.rdb.save()
            except Exception as e:
                self.log.warning(f"Error trying to save the DB, can't exit. {e}")
                if not force:
                    return "ERR Errors trying to SHUTDOWN. Check logs."
        if self.aof is not None and not self.aof.shutdown(force) and not force:
            return "ERR Errors trying to SHUTDOWN. Check logs."
        if self.module_hooks is not None:
            self.module_hooks.shutting_down()
        self.log.warning("moredis is now ready to exit, bye bye...")
        return None

    def install_signal_handlers(self) -> None:
        assert self.loop is not None

        def on_signal(signame: str) -> None:
            # shutdown-on-sigterm / shutdown-on-sigint: default, or save/nosave/now/force
            flags = self.config["shutdown-on-sigterm" if signame == "SIGTERM" else "shutdown-on-sigint"].split()
            save = True if "save" in flags else (False if "nosave" in flags else None)
            self.log.warning(f"Received {signame} scheduling shutdown...")
            if self.prepare_shutdown(save=save, now="now" in flags, force="force" in flags) is not None:
                self.log.warning("Errors trying to shut down the server. Check the logs for more information.")
                return
            self.request_stop()

        for sig, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
            try:
                self.loop.add_signal_handler(sig, on_signal, name)
            except (NotImplementedError, RuntimeError):  # pragma: no cover
                pass

    def reset_stats(self) -> None:
        """CONFIG RESETSTAT."""
        self.stat_numcommands = 0
        self.stat_numconnections = 0
        self.stat_rejected_conn = 0
        self.stat_expiredkeys = 0
        self.stat_expired_subkeys = 0
        self.stat_evictedkeys = 0
        self.stat_keyspace_hits = 0
        self.stat_keyspace_misses = 0
        self.stat_net_input_bytes = 0
        self.stat_net_output_bytes = 0
        self.stat_total_error_replies = 0
        self.stat_unexpected_error_replies = 0
        self.stat_total_reads = 0
        self.stat_total_writes = 0
        self.stat_qbuf_limit_disconnections = 0
        self.stat_obuf_limit_disconnections = 0
        self.stat_acl_denied = dict.fromkeys(self.stat_acl_denied, 0)
        self.errorstats.clear()
        seen = set()
        for cmd in self.table.values():
            if id(cmd) in seen:
                continue
            seen.add(id(cmd))
            for c in [cmd, *(cmd.subcommands or {}).values()]:
                c.calls = c.usec = c.rejected_calls = c.failed_calls = 0

    def tracking_invalidate(self, key: bytes) -> None:
        if self.tracking_table is not None:
            self.tracking_table.invalidate_key(key)

    def config_error(self, e: ConfigError) -> str:  # pragma: no cover - helper for cli
        return str(e)


_SENSITIVE = {b"requirepass", b"masterauth", b"tls-key-file-pass", b"tls-client-key-file-pass"}


def _redact(argv: list[bytes], c: Client | None = None) -> list[bytes]:
    """redactClientCommandArgument's choices, for MONITOR and SLOWLOG: AUTH's arguments,
    HELLO's AUTH credentials, MIGRATE's AUTH/AUTH2 ones, the values of sensitive configs
    in CONFIG SET, everything after ACL SETUSER; and the positions a command chose to
    redact while it ran (c.user_data["redacted"]: the argv list and the positions)."""
    red = c.user_data.get("redacted") if c is not None and c.user_data else None
    if red is not None and red[0] is argv:
        argv = [b"(redacted)" if i in red[1] else a for i, a in enumerate(argv)]
    name = argv[0].lower()
    if name == b"auth":
        return [argv[0]] + [b"(redacted)"] * (len(argv) - 1)
    if name == b"config" and len(argv) > 3 and argv[1].lower() == b"set":
        return [a if i < 3 or i % 2 == 0 or argv[i - 1].lower() not in _SENSITIVE else b"(redacted)"
                for i, a in enumerate(argv)]
    if name == b"acl" and len(argv) > 2 and argv[1].lower() == b"setuser":
        return argv[:2] + [b"(redacted)"] * (len(argv) - 2)
    if name != b"hello" and name != b"migrate":
        return argv
    out = list(argv)
    i = 1
    while i < len(out):
        opt = out[i].lower()
        if opt == b"auth":
            n = 2 if name == b"hello" else 1
        elif opt == b"auth2" and name == b"migrate":
            n = 2
        else:
            i += 1
            continue
        for j in range(i + 1, min(i + 1 + n, len(out))):
            out[j] = b"(redacted)"
        i += n + 1
    return out


def _repr_arg(a: bytes) -> str:
    """sdscatrepr: the quoted form MONITOR and SLOWLOG GET tools show."""
    out = ['"']
    for b in a:
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


def main_entry() -> None:  # pragma: no cover - kept for `python -m moredis.server.server`
    from moredis.cli import main

    sys.exit(main())
