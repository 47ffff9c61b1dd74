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

from moredis.commands.registry import SKIP_SLOWLOG
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
        "reply_client",
        "srv",
        "thread_ctx",
        "timed_out",
        "timeout_cb",
        "unblock_pending",
        "unblocking",
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
        self.unblocking = False
        self.auth_cb: Any = None
        self.thread_ctx: Any = None
        self.promise: Any = None
        self.reply_client: Any = None  # replies made through a thread-safe context of this handle

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
            try:
                loop.call_soon_threadsafe(locked(self.srv, self._unblock_now), privdata)
            except RuntimeError:  # the server stopped meanwhile
                return K.ERR
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
                and c.blocked is not None and _bc_of(c.blocked) is self:
            self.unblocking = True
            srv.blocking.unblock(c)
            self.unblocking = False
            self.done = True
            if self.reply_cb is not None:
                self._run(self.reply_cb, reply=True)
            rc = self.reply_client
            if rc is not None:  # AddReplyFromClient: what the thread-safe context replied
                from moredis.protocol.writer import replay

                self.reply_client = None
                for node in rc.w.replies:
                    replay(c.w, node)
                rc.w.replies = []
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

    def _on_unblock(self, c: Any) -> None:
        """The block ends without the module: the client disconnected (disconnect
        callback), or CLIENT UNBLOCK ... ERROR. Timeouts and the module's own unblocks
        are handled where they happen."""
        if self.unblocking or self.done or self.timed_out:
            return
        if c.conn is None or getattr(c.conn, "closed", False):
            self.disconnected = True
            if self.disconnect_cb is not None:
                ctx = self._ctx()
                try:
                    self.disconnect_cb(ctx, self)
                except Exception as e:  # pragma: no cover
                    self.srv.log.warning(f"<{self.module.name}> disconnect callback failed: {e!r}")
                finally:
                    ctx._finish()
        else:
            self.done = True  # CLIENT UNBLOCK ERROR: the error is the reply
        if self.on_keys or not self.disconnected:
            self._free()
            self.module.blocked_clients = max(0, self.module.blocked_clients - 1)

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
            srv = self.srv
            us = self.background_us
            cmd.calls += 1
            cmd.usec += us
            srv.stat_numcommands += 1
            if us >= srv.slowlog_threshold_us >= 0 and not cmd.flags & SKIP_SLOWLOG and self.argv is not None:
                srv.slowlog_add(c, self.argv, us)  # updateStatsOnUnblock

    def _key_ready(self, c: Any, st: Any, db: Any, key: bytes) -> None:
        """moduleTryServeClientBlockedOnKey: OK from the reply callback ends the block."""
        rc = self._run(self.reply_cb, reply=True, key=key) if self.reply_cb is not None else K.OK
        if rc in (None, K.OK):
            self.unblocking = True
            self.srv.blocking.unblock(c)
            self.unblocking = False
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
        c.blocked.key_ready = bc._key_ready  # st.data keeps the engine's own marker ("nokey")
        c.blocked.on_unblock = bc._on_unblock
    else:
        # no timeout callback: CLIENT UNBLOCK cannot release it (moduleBlockedClientMayTimeout)
        srv.blocking.block_custom(c, MODULE, timeout_ms, bc._on_timeout if timeout_cb is not None else None,
                                  on_unblock=bc._on_unblock, data=bc)
    return bc


def _bc_of(st: Any) -> BlockedClient | None:
    """The module handle behind a block state (custom blocks keep it in data, blocks on
    keys in their key_ready callback)."""
    d = st.data
    if isinstance(d, BlockedClient):
        return d
    return getattr(st.key_ready, "__self__", None)


def client_gone(mods: Any, c: Any) -> None:
    """A client closed (freeClient): a block still pending is ended as a disconnection."""
    st = c.blocked
    bc = _bc_of(st) if st is not None else None
    if isinstance(bc, BlockedClient) and not bc.done:
        bc._on_unblock(c)


def make_promise(ctx: Any, c: Any) -> Any:
    """RM_Call with K on a command that blocked: a CallReply of type PROMISE. When the
    command is served (or times out) the unblock handler gets its reply."""
    from moredis.module.callreply import CallReply

    reply = CallReply(None, c.resp)
    p = _Promise(ctx.srv, ctx.module, c)
    reply.promise = p
    c.blocked.on_unblock = p._on_unblock
    return reply


class _Promise:
    """The pending RM_Call: `handler(ctx, reply, data)` runs once the call is answered."""

    __slots__ = ("aborted", "client", "data", "done", "handler", "module", "srv")

    def __init__(self, srv: Any, module: Any, client: Any) -> None:
        self.srv = srv
        self.module = module
        self.client = client
        self.handler: Any = None
        self.data: Any = None
        self.aborted = False
        self.done = False

    def set_unblock_handler(self, handler: Any, data: Any = None) -> None:
        self.handler = handler
        self.data = data

    def abort(self) -> int:
        """RM_CallReplyPromiseAbort: OK if the call was still pending (the handler will
        not run), ERR once it was answered or aborted."""
        if self.done or self.aborted or self.client.blocked is None:
            return K.ERR
        self.aborted = True
        self.srv.blocking.unblock(self.client)
        return K.OK

    def _on_unblock(self, c: Any) -> None:
        # the reply is written right after unblock() returns: deliver it once it is there
        loop = self.srv.loop
        if loop is not None:
            loop.call_soon(locked(self.srv, self._resolve))
        else:
            self._resolve()

    def _resolve(self) -> None:
        from moredis.module.call import _call_reply
        from moredis.module.context import Ctx

        c = self.client
        srv = self.srv
        mods = srv.modules
        if c.blocked is not None:  # blocked again (re-executed and still waiting)
            c.blocked.on_unblock = self._on_unblock
            return
        self.done = True
        try:
            if self.aborted or self.handler is None:
                return
            reply = _call_reply(c.w, c.resp)
            hc = mods.fake_client(2)
            ctx = Ctx(srv, self.module, hc)
            mods.prop.begin()
            try:
                self.handler(ctx, reply, self.data)
            except Exception as e:
                srv.log.warning(f"<{self.module.name}> promise unblock handler failed: {e!r}")
            finally:
                ctx._finish()
                mods.prop.end()
                mods.release_fake_client(hc)
                srv.flush_pending()
        finally:
            mods.release_fake_client(c)


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
        # replies go to a client of their own, handed to the blocked client on unblock
        client = srv.modules.fake_client(bc.client.resp)
        client.db = bc.client.db
        bc.reply_client = client
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
    ctx._close_keys()  # replies being built (postponed lengths) stay open across lock sections
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


# --- RM_Yield (F1): other clients served while a module command runs long -------------------

SLOW_MODULE = "BUSY Redis is busy running a module command."


class _ModuleBusy:
    """What srv.script_busy holds while a module command yields to clients: the refusal
    processCommand applies (isInsideYieldingLongCommand)."""

    def __init__(self, caller: Any, busy_reply: str | None) -> None:
        self.caller = caller
        self.busy_reply = busy_reply
        self.handoffs: set = set()
        self.pump: Any = None

    def busy_refusal(self, c: Any, cmd: Any, argv: list[bytes]) -> str | None:
        from moredis.commands import registry as R

        if c is self.caller or cmd.flags & R.ALLOW_BUSY:
            return None
        return f"BUSY {self.busy_reply}" if self.busy_reply else SLOW_MODULE


def module_yield(ctx: Any, flags: int, busy_reply: str | None) -> None:
    srv = ctx.srv
    mods = srv.modules
    if getattr(mods, "_yielding", False) or srv.loop is None:
        return
    if threading.current_thread() is not _loop_thread(srv):
        return  # a module thread: the loop serves clients on its own meanwhile
    now = time.monotonic()
    if not ctx.next_yield:
        ctx.next_yield = now + srv.config["busy-reply-threshold"] / 1000.0
        return
    if now < ctx.next_yield:
        return
    mods._yielding = True
    try:
        if flags & K.YIELD_FLAG_CLIENTS:
            busy = getattr(mods, "busy", None)
            if busy is None or busy[0] is not ctx:
                from moredis.scripting.busy import BusyPump

                state = _ModuleBusy(ctx.client, busy_reply)
                pump = BusyPump(srv, state, ctx.client)
                state.pump = pump
                pump.start()
                mods.busy = (ctx, pump, state)
            else:
                busy[2].busy_reply = busy_reply
            mods.busy[1].pump()
        ctx.next_yield = now + 1.0 / srv.hz
    finally:
        mods._yielding = False


def end_yield(ctx: Any) -> None:
    mods = ctx.srv.modules
    busy = getattr(mods, "busy", None)
    if busy is not None and busy[0] is ctx:
        mods.busy = None
        busy[1].stop()
