"""Test module for RM_RdbSave / RM_RdbLoad (after Redis's tests/modules/rdbloadsave.c)."""

from __future__ import annotations

import os

from moredis import module as rm


def sanity(ctx: rm.Ctx, argv: list[bytes]) -> int:
    s = rm.rdb_stream_create_from_file(argv[1] if len(argv) > 1 else "dbnew.rdb")
    checks = [
        (ctx.rdb_load(None, 0), os.strerror(ctx.errno), rm.ERR, "Invalid argument"),
        (ctx.rdb_load(s, 188), os.strerror(ctx.errno), rm.ERR, "Invalid argument"),
        (ctx.rdb_save(s, 188), os.strerror(ctx.errno), rm.ERR, "Invalid argument"),
        (ctx.rdb_load(s, 0), os.strerror(ctx.errno), rm.ERR, "No such file or directory"),
        (ctx.rdb_save(s, 0), ctx.errno, rm.OK, 0),
        (ctx.rdb_load(s, 0), ctx.errno, rm.OK, 0),
    ]
    for i, (rc, err, want_rc, want_err) in enumerate(checks):
        if rc != want_rc or err != want_err:
            return ctx.reply_with_error(f"ERR check {i}: {rc} {err}")
    return ctx.reply_with_simple_string("OK")


def cmd_rdbsave(ctx: rm.Ctx, argv: list[bytes]) -> int:
    if len(argv) != 2:
        return ctx.wrong_arity()
    if ctx.rdb_save(rm.rdb_stream_create_from_file(argv[1]), 0) != rm.OK:
        return ctx.reply_with_error("ERR " + os.strerror(ctx.errno))
    return ctx.reply_with_simple_string("OK")


def cmd_rdbsave_fork(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """Fork, and save from the child."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    pid = ctx.fork(None, None)
    if pid < 0:
        return ctx.reply_with_error("ERR " + os.strerror(ctx.errno))
    if pid > 0:
        return ctx.reply_with_simple_string("OK")
    ret = 0 if ctx.rdb_save(rm.rdb_stream_create_from_file(argv[1]), 0) == rm.OK else ctx.errno
    rm.exit_from_child(ret)
    return rm.OK


def cmd_rdbload(ctx: rm.Ctx, argv: list[bytes]) -> int:
    if len(argv) != 2:
        return ctx.wrong_arity()
    if ctx.rdb_load(rm.rdb_stream_create_from_file(argv[1]), 0) != rm.OK:
        return ctx.reply_with_error("ERR " + os.strerror(ctx.errno))
    return ctx.reply_with_simple_string("OK")


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("rdbloadsave", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn in (("test.sanity", sanity), ("test.rdbsave", cmd_rdbsave),
                     ("test.rdbsave_fork", cmd_rdbsave_fork), ("test.rdbload", cmd_rdbload)):
        if ctx.create_command(name, fn, "", 0, 0, 0) == rm.ERR:
            return rm.ERR
    return rm.OK
