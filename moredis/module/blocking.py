"""Blocking clients, thread-safe contexts, the server lock, timers and event-loop hooks.

- `ctx.block_client(reply_cb, timeout_cb, free_privdata, timeout_ms)` parks the calling
  client and returns a BlockedClient; any thread may later call `bc.unblock(privdata)`
  (RedisModule_UnblockClient), and the reply callback then answers on the loop.
- `ctx.block_client_on_keys(...)`: the reply callback runs each time one of the keys is
  signalled ready (ctx.get_blocked_client_ready_key()); returning OK ends the block.
- Thread-safe contexts and `ThreadSafeContextLock`: the loop holds `srv.gil` (an RLock)
  while it handles events once a module has asked for thread-safe contexts, so a module
  thread holding the lock sees a quiet server and may call `ctx.call`.
- Timers and event-loop file handlers run their callbacks on the loop.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from moredis.module import constants as K
from moredis.server.blocking import MODULE


class BlockedClient:
    """RedisModuleBlockedClient."""

    __slots__ = (
        "argv",
        "auth_cb",
        "background_us",
        "client",
        "disconnect_cb",
        "disconnected",
        "done",
        "free_privdata",
        "measure_start",
        "module",
        "on_keys",
        "privdata",
        "promise",
        "reply_cb",
        "srv",
        "thread_ctx",
        "timed_out",
        "timeout_cb",
        "unblock_pending",
    )

    def __init__(self, srv: Any, module: Any, client: Any, reply_cb: Any, timeout_cb: Any,
                 free_privdata: Any, argv: list[bytes] | None) -> None:
        self.srv = srv
        self.module = module
        self.client = client
        self.reply_cb = reply_cb
        self.timeout_cb = timeout_cb
        self.free_privdata = free_privdata
        self.privdata: Any = None
        self.disconnect_cb: Any = None
        self.done = False
        self.timed_out = False
        self.disconnected = False
        self.measure_start = 0.0
        self.background_us = 0
        self.argv = argv
        self.on_keys = False
        self.unblock_pending = False
        self.auth_cb: Any = None
        self.thread_ctx: Any = None
        self.promise: Any = None

    # --- RedisModule_* on the handle --------------------------------------------------
    def unblock(self, privdata: Any = None) -> int:
        """RedisModule_UnblockClient: callable from any thread."""
        if self.unblock_pending:
            return K.ERR
        self.unblock_pending = True
        loop = self.srv.loop
        if loop is None or threading.current_thread() is _loop_thread(self.srv):
            self._unblock_now(privdata)
        else:
            loop.call_soon_threadsafe(locked(self.srv, self._unblock_now), privdata)
        return K.OK

    def abort(self) -> int:
        """RedisModule_AbortBlock: as if it was unblocked, but without calling the reply callback."""
        self.reply_cb = None
        return self.unblock(None)

    def set_disconnect_callback(self, cb: Any) -> None:
        self.disconnect_cb = cb

    def set_private_data(self, privdata: Any) -> None:
        self.privdata = privdata

    def get_private_data(self) -> Any:
        return self.privdata

    def measure_time_start(self) -> int:
        self.measure_start = time.perf_counter()
        return K.OK

    def measure_time_end(self) -> int:
        if not self.measure_start:
            return K.ERR
        self.background_us += int((time.perf_counter() - self.measure_start) * 1e6)
        self.measure_start = 0.0
        return K.OK

    def get_thread_safe_context(self) -> Any:
        return thread_safe_context(self.srv, self.module, self)

    # --- loop side -------------------------------------------------------------------------
    def _ctx(self) -> Any:
        from moredis.module.context import Ctx

        c = self.client if self.client is not None and not self.disconnected else \
            self.srv.modules.fake_client(2)
        ctx = Ctx(self.srv, self.module, c, self.argv)
        ctx.blocked_client = self
        return ctx

    def _unblock_now(self, privdata: Any) -> None:
        srv = self.srv
        if privdata is not None:
            self.privdata = privdata
        c = self.client
        served = False
        if not self.done and not self.timed_out and not self.disconnected and c is not None \
                and c.blocked is not None and c.blocked.data is self:
            srv.blocking.unblock(c)
            self.done = True
            if self.reply_cb is not None:
                self._run(self.reply_cb, reply=True)
            served = True
        self._free()
        self.module.blocked_clients = max(0, self.module.blocked_clients - 1)
        if served:
            self._account(c)
            srv.after_unblock(c)
        srv.flush_pending()

    def _run(self, cb: Any, reply: bool = False, timeout: bool = False, key: bytes | None = None) -> Any:
        ctx = self._ctx()
        ctx.blocked_reply = reply
        ctx.blocked_timeout = timeout
        ctx.ready_key = key
        try:
            return cb(ctx, self.argv or [])
        except Exception as e:
            self.srv.log.warning(f"<{self.module.name}> blocked client callback failed: {e!r}")
            if ctx.client is not None:
                ctx.client.w.error(f"ERR module callback failed: {e}")
            return K.OK
        finally:
            ctx._finish()

    def _free(self) -> None:
        if self.free_privdata is not None and self.privdata is not None:
            ctx = self._ctx()
            try:
                self.free_privdata(ctx, self.privdata)
            except Exception as e:  # pragma: no cover
                self.srv.log.warning(f"<{self.module.name}> free_privdata failed: {e!r}")
            finally:
                ctx._finish()
        self.privdata = None

    def _on_timeout(self, c: Any) -> None:
        self.timed_out = True
        if self.timeout_cb is not None:
            self._run(self.timeout_cb, timeout=True)
        else:
            c.w.null()
        self._account(c)
        if self.on_keys:
            self._free()
            self.module.blocked_clients = max(0, self.module.blocked_clients - 1)

    def _account(self, c: Any) -> None:
        """Commandstats and the slow log see the command once, with its background time."""
        cmd = c.cmd if c is not None else None
        if cmd is not None:
            cmd.calls += 1
            cmd.usec += self.background_us
            self.srv.stat_numcommands += 1

    def _key_ready(self, c: Any, st: Any, db: Any, key: bytes) -> None:
        """moduleTryServeClientBlockedOnKey: OK from the reply callback ends the block."""
        rc = self._run(self.reply_cb, reply=True, key=key) if self.reply_cb is not None else K.OK
        if rc in (None, K.OK):
            self.srv.blocking.unblock(c)
            self.done = True
            self._account(c)
            self._free()
            self.module.blocked_clients = max(0, self.module.blocked_clients - 1)
            self.srv.after_unblock(c)


def _loop_thread(srv: Any) -> Any:
    return getattr(srv, "loop_thread", None)


def block_client(ctx: Any, reply_cb: Any, timeout_cb: Any, free_privdata: Any, timeout_ms: int,
                 keys: list[bytes] | None = None, privdata: Any = None, flags: int = 0) -> BlockedClient:
    """RM_BlockClient / RM_BlockClientOnKeys(WithFlags)."""
    srv = ctx.srv
    c = ctx.client
    bc = BlockedClient(srv, ctx.module, c, reply_cb, timeout_cb, free_privdata, ctx.argv)
    bc.privdata = privdata
    if c is None or (c.conn is None and not getattr(c, "is_fake", False) and c.w is None):
        bc.done = True
        return bc
    if c.in_script or srv.in_script:
        c.w.error("ERR Blocking module command called from Lua script")
        bc.done = True
        return bc
    if c.multi is not None or getattr(c, "in_exec", False) or (c.deny_blocking and c.conn is not None):
        c.w.error("ERR Blocking module command called from transaction")
        bc.done = True
        return bc
    if ctx.blocked_reply:
        c.w.error("ERR Blocking module command called from a Reply callback context")
        bc.done = True
        return bc
    if c.deny_blocking:  # RM_Call without K
        c.w.error("ERR Blocking module command called from transaction")
        bc.done = True
        return bc
    ctx.module.blocked_clients += 1
    if keys:
        bc.on_keys = True
        srv.blocking.block_on_keys(c, list(keys), timeout_ms, bc._on_timeout,
                                   unblock_on_nokey=bool(flags & K.BLOCK_UNBLOCK_DELETED))
        c.blocked.data = bc
        c.blocked.key_ready = bc._key_ready
        c.blocked.kind = MODULE if False else c.blocked.kind
    else:
        srv.blocking.block_custom(c, MODULE, timeout_ms, bc._on_timeout, data=bc)
    return bc


def client_gone(mods: Any, c: Any) -> None:
    """A blocked client disconnected: the module's disconnect callback is told."""
    st = c.blocked
    bc = getattr(st, "data", None) if st is not None else None
    if isinstance(bc, BlockedClient) and not bc.done:
        bc.disconnected = True
        if bc.disconnect_cb is not None:
            ctx = bc._ctx()
            try:
                bc.disconnect_cb(ctx, bc)
            except Exception as e:  # pragma: no cover
                mods.srv.log.warning(f"<{bc.module.name}> disconnect callback failed: {e!r}")
            finally:
                ctx._finish()
        if bc.on_keys:
            bc._free()
            bc.module.blocked_clients = max(0, bc.module.blocked_clients - 1)


def make_promise(ctx: Any, c: Any) -> Any:
    """RM_Call with K on a command that blocked: a CallReply of type PROMISE."""
    from moredis.module.callreply import CallReply

    reply = CallReply(None, c.resp)
    reply.promise = _Promise(ctx, c)
    return reply


class _Promise:
    __slots__ = ("aborted", "client", "ctx", "data", "handler")

    def __init__(self, ctx: Any, client: Any) -> None:
        self.ctx = ctx
        self.client = client
        self.handler: Any = None
        self.data: Any = None
        self.aborted = False


# --- thread-safe contexts and the server lock (F20) -----------------------------------------

def ensure_gil(srv: Any) -> threading.RLock:
    """The server lock: created on first use; the loop then takes it for every event.
    Created on the loop thread in the middle of an event, it is taken at once for the
    rest of that event (a module thread started now must wait for the loop to finish)."""
    gil = getattr(srv, "gil", None)
    if gil is None:
        gil = threading.RLock()
        if srv.loop is not None and threading.current_thread() is _loop_thread(srv):
            gil.acquire()
            srv.loop.call_soon(gil.release)
        srv.gil = gil
    return gil


def locked(srv: Any, fn: Any) -> Any:
    """fn wrapped to run under the server lock (timers, call_soon callbacks, file events
    run module code on the loop: a module thread holding the lock must not see them)."""

    def run(*args: Any) -> Any:
        gil = srv.gil
        if gil is None:
            return fn(*args)
        with gil:
            return fn(*args)

    return run


def thread_safe_context(srv: Any, module: Any, bc: BlockedClient | None = None) -> Any:
    from moredis.module.context import Ctx

    ensure_gil(srv)
    if bc is not None and bc.client is not None and not bc.disconnected:
        client = bc.client
    else:
        client = srv.modules.fake_client(2)
    ctx = Ctx(srv, module, client)
    ctx.thread_safe = True
    ctx.blocked_client = bc
    return ctx


def lock(ctx: Any) -> None:
    ensure_gil(ctx.srv).acquire()
    ctx.srv.modules.prop.begin()


def try_lock(ctx: Any) -> int:
    if not ensure_gil(ctx.srv).acquire(blocking=False):
        return K.ERR
    ctx.srv.modules.prop.begin()
    return K.OK


def unlock(ctx: Any) -> None:
    gil = ensure_gil(ctx.srv)
    ctx._finish()
    srv = ctx.srv
    prop = srv.modules.prop
    if prop.depth > 0:
        prop.end()  # the locked section is one execution unit
    if srv.loop is not None:
        try:
            srv.loop.call_soon_threadsafe(srv.flush_pending)
        except RuntimeError:
            pass
    gil.release()


# --- timers (F21) and event loop (F23) ---------------------------------------------------------

class Timer:
    __slots__ = ("callback", "data", "due", "handle", "id", "module", "srv")
    _next_id = 1

    def __init__(self, srv: Any, module: Any, period_ms: int, callback: Any, data: Any) -> None:
        self.srv = srv
        self.module = module
        self.callback = callback
        self.data = data
        self.due = time.time() + period_ms / 1000.0
        self.id = Timer._next_id
        Timer._next_id += 1
        self.handle = srv.loop.call_later(period_ms / 1000.0, locked(srv, self._fire))
        module.timers.add(self)
        srv.module_timers[self.id] = self

    def _fire(self) -> None:
        from moredis.module.context import Ctx

        self.module.timers.discard(self)
        self.srv.module_timers.pop(self.id, None)
        srv = self.srv
        c = srv.modules.fake_client(2)
        ctx = Ctx(srv, self.module, c)
        prop = srv.modules.prop
        prop.begin()  # the callback is one execution unit
        try:
            self.callback(ctx, self.data)
        except Exception as e:
            srv.log.warning(f"<{self.module.name}> timer callback failed: {e!r}")
        finally:
            ctx._finish()
            prop.end()
            srv.modules.release_fake_client(c)
            srv.flush_pending()

    def cancel(self) -> None:
        self.handle.cancel()
        self.module.timers.discard(self)
        self.srv.module_timers.pop(self.id, None)


def create_timer(ctx: Any, period_ms: int, callback: Any, data: Any = None) -> int:
    srv = ctx.srv
    if not hasattr(srv, "module_timers"):
        srv.module_timers = {}
    return Timer(srv, ctx.module, period_ms, callback, data).id


def stop_timer(ctx: Any, timer_id: int) -> tuple[int, Any]:
    """RedisModule_StopTimer: (OK, data) or (ERR, None) for an unknown or foreign timer."""
    t = getattr(ctx.srv, "module_timers", {}).get(timer_id)
    if t is None or t.module is not ctx.module:
        return K.ERR, None
    t.cancel()
    return K.OK, t.data


def get_timer_info(ctx: Any, timer_id: int) -> tuple[int, int, Any]:
    """RedisModule_GetTimerInfo: (OK, ms remaining, data) or (ERR, 0, None)."""
    t = getattr(ctx.srv, "module_timers", {}).get(timer_id)
    if t is None or t.module is not ctx.module:
        return K.ERR, 0, None
    return K.OK, max(0, int((t.due - time.time()) * 1000)), t.data


def event_loop_add(srv: Any, fd: int, mask: int, callback: Any, data: Any = None) -> int:
    if srv.loop is None or mask & ~(K.EVENTLOOP_READABLE | K.EVENTLOOP_WRITABLE) or not mask or fd < 0:
        return K.ERR
    if mask & K.EVENTLOOP_READABLE:
        srv.loop.add_reader(fd, locked(srv, callback), fd, data, K.EVENTLOOP_READABLE)
    if mask & K.EVENTLOOP_WRITABLE:
        srv.loop.add_writer(fd, locked(srv, callback), fd, data, K.EVENTLOOP_WRITABLE)
    return K.OK


def event_loop_del(srv: Any, fd: int, mask: int) -> int:
    if srv.loop is None or not mask or fd < 0:
        return K.ERR
    if mask & K.EVENTLOOP_READABLE:
        srv.loop.remove_reader(fd)
    if mask & K.EVENTLOOP_WRITABLE:
        srv.loop.remove_writer(fd)
    return K.OK


def event_loop_add_oneshot(srv: Any, callback: Any, data: Any = None) -> int:
    if srv.loop is None:
        return K.ERR
    srv.loop.call_soon_threadsafe(locked(srv, callback), data)
    return K.OK
