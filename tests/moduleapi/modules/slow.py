"""Test module: a long command that yields (after blockedclient.c's slow_fg_command)."""

import time

from moredis import module as rm


def slow(ctx, argv):
    """slow.fg <ms> [busy reply]: busy-loop for ms, yielding to clients."""
    end = time.monotonic() + int(argv[1]) / 1000.0
    reply = argv[2].decode() if len(argv) > 2 else None
    while time.monotonic() < end:
        ctx.yield_(rm.YIELD_FLAG_CLIENTS, reply)
        time.sleep(0.001)
    return ctx.reply_with_simple_string("done")


def on_load(ctx, args):
    if ctx.init("slow", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    return ctx.create_command("slow.fg", slow, "", 0, 0, 0)
