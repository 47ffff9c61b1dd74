"""hellotimer: module timers (after Redis's modules/hellotimer.c).

HELLOTIMER.TIMER: create ten timers with random delays below 5 seconds; each one,
    when it fires, reports "Fired After <delay>!" (printed, and logged at notice level).
An optional module argument sets another upper bound for the delays, in milliseconds
(`MODULE LOAD hellotimer.py 100`).
"""

from __future__ import annotations

import random

from moredis import module as rm

_max_delay = 5000


def _timer_handler(ctx: rm.Ctx, data: str) -> None:
    print(f"Fired {data}!", flush=True)
    ctx.log("notice", "Fired %s!", data)


def timer_command(ctx: rm.Ctx, argv: list[bytes]) -> int:
    for _ in range(10):
        delay = random.randrange(_max_delay)
        ctx.create_timer(delay, _timer_handler, f"After {delay}")
    return ctx.reply_with_simple_string("OK")


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    global _max_delay
    if ctx.init("hellotimer", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    if args:
        n = rm.string_to_long_long(args[0])
        if n is None or n <= 0:
            return rm.ERR
        _max_delay = n
    if ctx.create_command("hellotimer.timer", timer_command, "readonly", 0, 0, 0) == rm.ERR:
        return rm.ERR
    return rm.OK
