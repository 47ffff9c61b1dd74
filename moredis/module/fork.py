"""Forking from module code (RedisModule_Fork, ExitFromChild, KillForkChild,
SendChildHeartbeat).

    pid = ctx.fork(done_handler, data)
    if pid == 0:                    # the child: a frozen copy of the dataset
        ... work ...
        rm.exit_from_child(0)       # mandatory: the child must never return to the loop
    elif pid < 0: ...               # another child is running (errno EEXIST) or fork failed

`done_handler(exitcode, bysignal, data)` runs in the parent, on the loop, once the
child has exited: a cron hook polls it with waitpid(WNOHANG), as Redis's
checkChildrenDone does. It does not run for a child killed with kill_fork_child.
Like Redis, one child at a time (srv.child_pid / srv.child_type, which BGSAVE and AOF
rewrite children share). The ForkChild server event fires when the child is born and
when it is gone. In the child, GetContextFlags reports CTX_FLAGS_IS_CHILD.
Neighbours: ctx_keys.py (mixes ForkMixin into Ctx).
"""

from __future__ import annotations

import errno as E
import os
import signal
import struct
import time
from typing import Any

from moredis.module import constants as K

CHILD_TYPE_MODULE = "module"
_child_pipe = -1  # in a child: where heartbeats go


class ForkInfo:
    """The running module child: its pid, done handler and the heartbeat pipe."""

    __slots__ = ("data", "handler", "module", "pid", "progress", "rfd", "started")

    def __init__(self, pid: int, handler: Any, data: Any, module: Any, rfd: int) -> None:
        self.pid = pid
        self.handler = handler
        self.data = data
        self.module = module
        self.rfd = rfd
        self.progress = -1.0
        self.started = time.monotonic()


def _active_child(srv: Any) -> bool:
    """hasActiveChildProcess: a module, RDB or AOF child is running."""
    if getattr(srv, "child_pid", 0):
        return True
    rdb = getattr(srv, "rdb", None)
    if rdb is not None and rdb.in_progress():
        return True
    aof = getattr(srv, "aof", None)
    return aof is not None and getattr(aof, "child_pid", -1) > 0


def _fire(srv: Any, sub: int) -> None:
    mods = getattr(srv, "modules", None)
    if mods is not None and mods.has_subscribers(K.EVENT_FORK_CHILD):
        mods.fire(K.EVENT_FORK_CHILD, sub)


def _reset(srv: Any, info: ForkInfo) -> None:
    """resetChildState: no child any more."""
    srv.child_pid = 0
    srv.child_type = None
    srv.module_fork = None
    try:
        srv.cron_hooks.remove(info_poller(srv))
    except ValueError:
        pass
    if info.rfd >= 0:
        try:
            os.close(info.rfd)
        except OSError:
            pass
        info.rfd = -1
    _fire(srv, K.SUBEVENT_FORK_CHILD_DIED)


def _read_heartbeats(info: ForkInfo) -> None:
    if info.rfd < 0:
        return
    try:
        data = os.read(info.rfd, 4096)
    except (BlockingIOError, OSError):
        return
    n = len(data) // 8 * 8
    if n:
        info.progress = struct.unpack("<d", data[n - 8:n])[0]


def info_poller(srv: Any) -> Any:
    """The cron hook of this server (one bound function, so it can be removed)."""
    poller = getattr(srv, "_module_fork_poller", None)
    if poller is None:
        def poller() -> None:
            poll_child(srv)
        srv._module_fork_poller = poller
    return poller


def poll_child(srv: Any) -> None:
    """checkChildrenDone for the module child: reap it and run the done handler."""
    info: ForkInfo | None = getattr(srv, "module_fork", None)
    if info is None:
        return
    _read_heartbeats(info)
    try:
        pid, status = os.waitpid(info.pid, os.WNOHANG)
    except ChildProcessError:
        pid, status = info.pid, 0
    if pid == 0:
        return
    if os.WIFSIGNALED(status):
        exitcode, bysignal = 0, os.WTERMSIG(status)
    else:
        exitcode, bysignal = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 0, 0
    srv.log.notice(f"Module fork exited pid: {info.pid}, retcode: {exitcode}, bysignal: {bysignal}")
    _reset(srv, info)
    if info.handler is not None:
        try:
            info.handler(exitcode, bysignal, info.data)
        except Exception as e:
            name = info.module.name if info.module is not None else "module"
            srv.log.warning(f"<{name}> fork done handler failed: {e!r}")
    srv.flush_pending()


class ForkMixin:
    __slots__ = ()

    def fork(self, done_handler: Any, data: Any = None) -> int:
        """RedisModule_Fork: the child's pid in the parent, 0 in the child, -1 when a
        child already runs (errno EEXIST) or the fork failed."""
        ctx: Any = self
        srv = ctx.srv
        if _active_child(srv):
            ctx.errno = E.EEXIST
            srv.log.warning("Can't fork for module: File exists")
            return -1
        rfd, wfd = os.pipe()
        t0 = time.perf_counter_ns()
        try:
            pid = os.fork()
        except OSError as e:
            os.close(rfd)
            os.close(wfd)
            ctx.errno = e.errno
            srv.log.warning(f"Can't fork for module: {e.strerror}")
            return -1
        if pid == 0:
            global _child_pipe
            os.close(rfd)
            _child_pipe = wfd
            srv.is_child = True
            srv.log.role = "C"

            def on_sigusr1(signum: int, frame: Any) -> None:  # sigKillChildHandler
                srv.log.verbose("Received SIGUSR1 in child, exiting now.")
                os._exit(255)  # SERVER_CHILD_NOERROR_RETVAL

            try:
                signal.signal(signal.SIGUSR1, on_sigusr1)
            except ValueError:  # only the main thread may: the default (terminate) stays
                pass
            return 0
        os.close(wfd)
        os.set_blocking(rfd, False)
        srv.stat_fork_time = (time.perf_counter_ns() - t0) // 1000
        srv.stat_total_forks = getattr(srv, "stat_total_forks", 0) + 1
        srv.child_pid = pid
        srv.child_type = CHILD_TYPE_MODULE
        srv.module_fork = ForkInfo(pid, done_handler, data, ctx.module, rfd)
        poller = info_poller(srv)
        if poller not in srv.cron_hooks:
            srv.cron_hooks.append(poller)
        srv.log.verbose(f"Module fork started pid: {pid} ")
        _fire(srv, K.SUBEVENT_FORK_CHILD_BORN)
        return pid

    def kill_fork_child(self, child_pid: int) -> int:
        """RedisModule_KillForkChild: kill the module child with that pid (SIGUSR1) and
        wait for it; its done handler is not called. ERR when no such module child."""
        srv: Any = self.srv  # type: ignore[attr-defined]
        info: ForkInfo | None = getattr(srv, "module_fork", None)
        if info is None or getattr(srv, "child_type", None) != CHILD_TYPE_MODULE or info.pid != child_pid:
            return K.ERR
        srv.log.verbose(f"Killing running module fork child: {child_pid}")
        try:
            os.kill(child_pid, signal.SIGUSR1)
            os.waitpid(child_pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        _reset(srv, info)
        return K.OK


def send_child_heartbeat(progress: float) -> None:
    """RedisModule_SendChildHeartbeat (child side): progress 0..1, or -1 when unknown.
    The parent keeps the last value in srv.module_fork.progress."""
    if _child_pipe < 0:
        return
    try:
        os.write(_child_pipe, struct.pack("<d", float(progress)))
    except OSError:
        pass


def exit_from_child(retcode: int) -> int:
    """RedisModule_ExitFromChild: end the child now with `retcode` (given to the done
    handler in the parent); nothing of the parent's state is flushed or closed. Called
    outside a child made by ctx.fork it does nothing and returns ERR (Redis would exit
    the server itself)."""
    if _child_pipe < 0:
        return K.ERR
    os._exit(retcode & 0xFF)
