"""hellohook: server events (after Redis's modules/hellohook.c). It prints a line for
every client connection and disconnection, and at the start and end of FLUSHDB and
FLUSHALL (with the number of keys the database held)."""

from __future__ import annotations

from typing import Any

from moredis import module as rm


def client_change(ctx: rm.Ctx, event: int, sub: int, ci: Any) -> None:
    kind = "connection" if sub == rm.SUBEVENT_CLIENT_CHANGE_CONNECTED else "disconnection"
    print(f"Client {kind} event for client #{ci.id} {ci.addr}:{ci.port}", flush=True)


def flushdb(ctx: rm.Ctx, event: int, sub: int, fi: Any) -> None:
    if sub == rm.SUBEVENT_FLUSHDB_START:
        if fi.dbnum != -1:
            numkeys = ctx.call("DBSIZE", "").integer()
            print(f"FLUSHDB event of database {fi.dbnum} started ({numkeys} keys in DB)", flush=True)
        else:
            print("FLUSHALL event started", flush=True)
    elif fi.dbnum != -1:
        print(f"FLUSHDB event of database {fi.dbnum} ended", flush=True)
    else:
        print("FLUSHALL event ended", flush=True)


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("hellohook", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    ctx.subscribe_to_server_event(rm.EVENT_CLIENT_CHANGE, client_change)
    ctx.subscribe_to_server_event(rm.EVENT_FLUSHDB, flushdb)
    return rm.OK
