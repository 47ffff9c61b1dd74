"""helloacl: module users and module authentication (after Redis's modules/helloacl.c).

HELLOACL.RESET: free the module user "global" (closing the connections authenticated
    with it) and create it again with every command and key allowed.
HELLOACL.REVOKE: close the connection authenticated as "global" ("Global user currently
    not used" when there is none).
HELLOACL.AUTHGLOBAL: authenticate this connection as "global" (only one connection may
    use it at a time: "Global user currently used"). Runs without authentication.
HELLOACL.AUTHASYNC <username>: authenticate this connection as an ACL user from a
    thread: the client blocks, a thread unblocks it, and the reply callback switches
    the user ("Invalid Username or password" when it does not exist or is off; "Request
    timedout" after a second). Runs without authentication.
"""

from __future__ import annotations

import threading

from moredis import module as rm

TIMEOUT_MS = 1000
state: dict = {"global": None, "client": 0}


def _new_global(ctx: rm.Ctx) -> None:
    u = ctx.create_module_user("global")
    ctx.set_module_user_acl(u, "allcommands")
    ctx.set_module_user_acl(u, "allkeys")
    ctx.set_module_user_acl(u, "on")
    state["global"] = u


def revoke(ctx: rm.Ctx, argv: list[bytes]) -> int:
    if state["client"]:
        ctx.deauthenticate_and_close_client(state["client"])
        return ctx.reply_with_simple_string("OK")
    return ctx.reply_with_error("Global user currently not used")


def reset(ctx: rm.Ctx, argv: list[bytes]) -> int:
    ctx.free_module_user(state["global"])
    _new_global(ctx)
    return ctx.reply_with_simple_string("OK")


def _user_changed(client_id: int, privdata: object) -> None:
    """The connection authenticated as "global" changed user or went away."""
    state["client"] = 0


def auth_global(ctx: rm.Ctx, argv: list[bytes]) -> int:
    if state["client"]:
        return ctx.reply_with_error("Global user currently used")
    cid = ctx.authenticate_client_with_user(state["global"], _user_changed, None)
    if cid is not None:
        state["client"] = cid
    return ctx.reply_with_simple_string("OK")


def _reply(ctx: rm.Ctx, argv: list[bytes]) -> int:
    name = ctx.get_blocked_client_private_data()
    if ctx.authenticate_client_with_acl_user(name) is None:
        return ctx.reply_with_error("Invalid Username or password")
    return ctx.reply_with_simple_string("OK")


def _timeout(ctx: rm.Ctx, argv: list[bytes]) -> int:
    return ctx.reply_with_simple_string("Request timedout")


def _free(ctx: rm.Ctx, privdata: object) -> None:
    """Nothing to release in Python; kept to show the callback."""


def auth_async(ctx: rm.Ctx, argv: list[bytes]) -> int:
    if len(argv) != 2:
        return ctx.wrong_arity()
    bc = ctx.block_client(_reply, _timeout, _free, TIMEOUT_MS)
    user = bytes(argv[1])
    try:
        threading.Thread(target=bc.unblock, args=(user,), daemon=True).start()  # background auth
    except RuntimeError:
        bc.abort()
        return ctx.reply_with_error("-ERR Can't start thread")
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("helloacl", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn, flags in (("helloacl.reset", reset, ""), ("helloacl.revoke", revoke, ""),
                            ("helloacl.authglobal", auth_global, "no-auth"),
                            ("helloacl.authasync", auth_async, "no-auth")):
        if ctx.create_command(name, fn, flags, 0, 0, 0) == rm.ERR:
            return rm.ERR
    _new_global(ctx)
    state["client"] = 0
    return rm.OK
