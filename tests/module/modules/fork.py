"""Test module for the fork API (after Redis's tests/modules/fork.c)."""

from __future__ import annotations

import time

from moredis import module as rm

state = {"child_pid": -1, "exitcode": -1, "bysignal": -1, "data": None, "flags": 0}


def done_handler(exitcode: int, bysignal: int, data: object) -> None:
    state["child_pid"] = -1
    state["exitcode"] = exitcode
    state["bysignal"] = bysignal
    state["data"] = data


def fork_create(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """FORK.CREATE exitcode usleep: fork; the child logs, sleeps, and exits with exitcode."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    code = rm.string_to_long_long(argv[1])
    usleep = rm.string_to_long_long(argv[2])
    state["exitcode"] = -1
    pid = ctx.fork(done_handler, "deadbeef")
    if pid < 0:
        return ctx.reply_with_error("Fork failed")
    if pid > 0:
        state["child_pid"] = pid
        return ctx.reply_with_long_long(pid)
    ctx.log("notice", "fork child started")
    rm.send_child_heartbeat(0.5)
    time.sleep(usleep / 1e6)
    ctx.log("notice", "fork child exiting")
    rm.exit_from_child(code)
    return rm.OK  # not reached


def fork_exitcode(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """FORK.EXITCODE: [exitcode, bysignal, user data]."""
    ctx.reply_with_array(3)
    ctx.reply_with_long_long(state["exitcode"])
    ctx.reply_with_long_long(state["bysignal"])
    return ctx.reply_with_string(str(state["data"]))


def fork_kill(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """FORK.KILL"""
    if ctx.kill_fork_child(state["child_pid"]) != rm.OK:
        ctx.reply_with_error("KillForkChild failed")
    else:
        ctx.reply_with_long_long(1)
    state["child_pid"] = -1
    return rm.OK


def fork_flags(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """FORK.FLAGS: 1 when CTX_FLAGS_ACTIVE_CHILD is set."""
    return ctx.reply_with_long_long(1 if ctx.get_context_flags() & rm.CTX_FLAGS_ACTIVE_CHILD else 0)


def fork_exit_in_parent(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """FORK.EXIT_IN_PARENT: exit_from_child outside a child does nothing (ERR)."""
    return ctx.reply_with_long_long(rm.exit_from_child(3))


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("fork", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn in (("fork.create", fork_create), ("fork.exitcode", fork_exitcode), ("fork.kill", fork_kill),
                     ("fork.flags", fork_flags), ("fork.exit_in_parent", fork_exit_in_parent)):
        if ctx.create_command(name, fn, "", 0, 0, 0) == rm.ERR:
            return rm.ERR
    return rm.OK
