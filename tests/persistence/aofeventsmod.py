"""A test module recording the persistence server events it sees, one line per event
(`<pid> <event> <subevent>`), in the file named by its argument, so the events a fork
child fires are seen too. Loaded by the AOF tests."""

from __future__ import annotations

import os

from moredis import module as rm

PATH = [""]
NAMES = {rm.EVENT_PERSISTENCE: "persistence", rm.EVENT_LOADING: "loading",
         rm.EVENT_LOADING_PROGRESS: "loading-progress", rm.EVENT_FORK_CHILD: "fork-child"}


def record(ctx, event, sub, data):
    with open(PATH[0], "a") as f:
        f.write(f"{os.getpid()} {NAMES[event]} {sub}\n")


def on_load(ctx, args):
    if ctx.init("aofevents", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    PATH[0] = args[0].decode()
    for ev in NAMES:
        ctx.subscribe_to_server_event(ev, record)
    return rm.OK
