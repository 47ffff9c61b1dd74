"""Blocked clients (blocked.c): on keys, on a pause, or on a module/custom waiter.

A command that must wait calls `block_on_keys(c, keys, timeout_ms, on_timeout)` and
returns without a reply. When a write makes one of the keys ready (`signal_key_ready`),
after the current command the server re-executes the blocked command for each waiting
client in arrival order, as Redis 7 does; if the re-run blocks again, the client keeps
waiting. Timeouts run `on_timeout(c)` (which writes the timeout reply) and unblock.
While blocked, a client's further pipelined commands wait.
Neighbours: server/server.py (drives it), commands/* (blocking commands).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from moredis.engine.objects import type_code
from moredis.errors import RedisError

KEYS = "keys"
PAUSE = "pause"
MODULE = "module"
WAIT = "wait"
CUSTOM = "custom"


class BlockState:
    __slots__ = (
        "argv",
        "cmd",
        "data",
        "dbid",
        "key_ready",
        "keys",
        "kind",
        "on_timeout",
        "on_unblock",
        "since",
        "timeout_at",
        "timer",
        "unblock_error",
        "vtype",
    )

    def __init__(self, kind: str, cmd: Any, argv: list[bytes] | None) -> None:
        self.kind = kind
        self.keys: list[tuple[Any, bytes]] = []
        self.timeout_at = 0.0
        self.cmd = cmd
        self.argv = argv
        self.on_timeout: Callable[[Any], None] | None = None
        self.on_unblock: Callable[[Any], None] | None = None
        self.timer: Any = None
        self.data: Any = None
        self.since = time.monotonic()
        self.unblock_error: str | None = None
        self.dbid = 0
        self.key_ready: Callable[[Any, Any, Any, bytes], None] | None = None  # modules: serve in place
        self.vtype: int | None = None  # OBJ_* the waiter needs; other types do not wake it


class Blocking:
    def __init__(self, srv: Any) -> None:
        self.srv = srv
        self.ready: list[tuple[Any, bytes]] = []  # (db, key) signalled during this command
        self._ready_set: set[tuple[int, bytes]] = set()
        self.count = 0  # blocked clients (INFO blocked_clients)
        self.count_on_keys = 0
        self.count_nokey = 0

    # --- blocking ------------------------------------------------------------------
    def block_on_keys(self, c: Any, keys: list[bytes], timeout_ms: int,
                      on_timeout: Callable[[Any], None], db: Any = None,
                      unblock_on_nokey: bool = False, value_type: int | None = None) -> None:
        """blockForKeys: park `c` until a key is ready or the timeout (ms; 0 = forever).
        With `value_type` (an OBJ_* code) a key that appears holding another type does not
        wake the client, as handleClientsBlockedOnKey checks the blocked type."""
        if c.deny_blocking or (c.multi is not None and c.in_script):
            raise RedisError("ERR blocking command in wrong context")
        db = db if db is not None else c.db
        st = BlockState(KEYS, c.cmd, c.argv)
        st.on_timeout = on_timeout
        st.dbid = db.id
        st.vtype = value_type
        for k in keys:
            if (db, k) in st.keys:
                continue
            st.keys.append((db, k))
            db.blocking.setdefault(k, []).append(c)
        self._park(c, st, timeout_ms)
        self.count_on_keys += 1
        if unblock_on_nokey:
            self.count_nokey += 1
            st.data = "nokey"

    def block_custom(self, c: Any, kind: str, timeout_ms: int, on_timeout: Callable[[Any], None] | None,
                     on_unblock: Callable[[Any], None] | None = None, data: Any = None) -> BlockState:
        """A client waiting on something else than keys (modules, WAIT, pause)."""
        st = BlockState(kind, c.cmd, c.argv)
        st.on_timeout = on_timeout
        st.on_unblock = on_unblock
        st.data = data
        self._park(c, st, timeout_ms)
        return st

    def _park(self, c: Any, st: BlockState, timeout_ms: int) -> None:
        c.blocked = st
        self.count += 1
        if c.reblock_deadline:
            # a re-executed command that must wait again keeps its first deadline
            st.timeout_at = c.reblock_deadline
            delay = max(0.0, st.timeout_at - time.time())
        elif timeout_ms > 0:
            st.timeout_at = time.time() + timeout_ms / 1000.0
            delay = timeout_ms / 1000.0
        else:
            return
        loop = self.srv.loop
        if loop is not None:
            st.timer = loop.call_later(delay, self._timeout, c, st)

    def _timeout(self, c: Any, st: BlockState) -> None:
        if c.blocked is not st:
            return
        self.unblock(c)
        if st.on_timeout is not None:
            st.on_timeout(c)
        self.srv.blocked_command_done(c, st)
        self.srv.after_unblock(c)

    def unblock(self, c: Any) -> BlockState | None:
        """Remove every trace of the block; the caller writes whatever reply is due."""
        st = c.blocked
        if st is None:
            return None
        c.blocked = None
        self.count -= 1
        if st.timer is not None:
            st.timer.cancel()
        if st.kind == KEYS:
            self.count_on_keys -= 1
            if st.data == "nokey":
                self.count_nokey -= 1
            for db, k in st.keys:
                lst = db.blocking.get(k)
                if lst is not None:
                    try:
                        lst.remove(c)
                    except ValueError:
                        pass
                    if not lst:
                        del db.blocking[k]
        if st.on_unblock is not None:
            st.on_unblock(c)
        return st

    def unblock_with(self, c: Any, how: str) -> bool:
        """CLIENT UNBLOCK: 'timeout' replies as on timeout; 'error' with UNBLOCKED."""
        st = c.blocked
        if st is None or st.kind == PAUSE or (st.kind == MODULE and st.on_timeout is None):
            return False  # a module block without a timeout callback cannot be released
        self.unblock(c)
        if how == "error":
            c.w.error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
        elif st.on_timeout is not None:
            st.on_timeout(c)
        self.srv.blocked_command_done(c, st, how == "error")
        self.srv.after_unblock(c)
        return True

    # --- readiness ------------------------------------------------------------------
    def signal(self, db: Any, key: bytes) -> None:
        """signalKeyAsReady: remember the key; served after the current command.
        Like Redis, a key nobody is blocked on is not remembered at all."""
        if key not in db.blocking:
            return
        t = (db.id, key)
        if t in self._ready_set:
            return
        self._ready_set.add(t)
        self.ready.append((db, key))
        self.srv.tail_pending = True

    def serve_ready(self) -> None:
        """handleClientsBlockedOnKeys: re-run blocked commands for every ready key."""
        srv = self.srv
        while self.ready:
            batch = self.ready
            self.ready = []
            self._ready_set.clear()
            for db, key in batch:
                waiting = db.blocking.get(key)
                if not waiting:
                    continue
                for c in list(waiting):
                    st = c.blocked
                    if st is None or st.kind != KEYS:
                        continue
                    if key not in db.data and st.data != "nokey":
                        continue
                    if st.vtype is not None:
                        v = db.data.get(key)
                        if v is not None and type_code(v) != st.vtype:
                            continue
                    if st.key_ready is not None:
                        st.key_ready(c, st, db, key)  # module blocked on keys: its reply callback decides
                    else:
                        self.unblock(c)
                        srv.reexecute_blocked(c, st)
                    if key not in db.data and not db.blocking.get(key):
                        break
