"""Test module "testacl" (after Redis's tests/modules/auth.c): module users, authenticating
clients with them or with ACL users (with a user-changed callback), redacting arguments,
and module auth callbacks, non-blocking and blocking (a thread decides after 0.5 s)."""

import threading
import time

from moredis import module as rm

state = {"global": None, "changes": 0}
BLOCK_SECONDS = 0.5


def _user_changed(client_id, privdata):
    state["changes"] += 1


def create_module_user(ctx, argv):
    """auth.createmoduleuser: a fresh "global" user (the previous one is freed, which
    disconnects its clients)."""
    if state["global"] is not None:
        ctx.free_module_user(state["global"])
    u = ctx.create_module_user("global")
    ctx.set_module_user_acl(u, "allcommands")
    ctx.set_module_user_acl(u, "allkeys")
    ctx.set_module_user_acl(u, "on")
    state["global"] = u
    return ctx.reply_with_simple_string("OK")


def auth_module_user(ctx, argv):
    """auth.authmoduleuser: authenticate as "global"; reply the client id."""
    cid = ctx.authenticate_client_with_user(state["global"], _user_changed, None)
    return ctx.reply_with_long_long(cid)


def auth_real_user(ctx, argv):
    """auth.authrealuser name"""
    if len(argv) != 2:
        return ctx.wrong_arity()
    cid = ctx.authenticate_client_with_acl_user(argv[1], _user_changed, None)
    if cid is None:
        return ctx.reply_with_error("Invalid user")
    return ctx.reply_with_long_long(cid)


def redact(ctx, argv):
    """auth.redact args...: every other argument from the last is redacted."""
    for i in range(len(argv) - 1, 0, -2):
        assert ctx.redact_client_command_argument(i) == rm.OK
    return ctx.reply_with_simple_string("OK")


def redact_bad(ctx, argv):
    """auth.redactbad: positions the API refuses."""
    rcs = [ctx.redact_client_command_argument(p) for p in (0, -1, len(argv))]
    return ctx.reply_with_simple_string("OK" if all(rc == rm.ERR for rc in rcs) else "BAD")


def change_count(ctx, argv):
    n = state["changes"]
    state["changes"] = 0
    return ctx.reply_with_long_long(n)


def deauth(ctx, argv):
    """auth.deauth client-id"""
    return ctx.reply_with_long_long(0 if ctx.deauthenticate_and_close_client(int(argv[1])) == rm.OK else 1)


def certificate(ctx, argv):
    cert = ctx.get_client_certificate(ctx.get_client_id())
    return ctx.reply_with_null() if cert is None else ctx.reply_with_string(cert)


def auth_cb(ctx, username, password):
    if username == b"foo" and password == b"allow":
        ctx.authenticate_client_with_acl_user(b"foo")
        return rm.AUTH_HANDLED
    if username == b"foo" and password == b"deny":
        ctx.acl_add_log_entry_by_user_name(username, b"Module Auth", rm.ACL_LOG_AUTH)
        return rm.AUTH_HANDLED, b"Auth denied by Misc Module."
    return rm.AUTH_NOT_HANDLED


def register_auth_cb(ctx, argv):
    ctx.register_auth_callback(auth_cb)
    return ctx.reply_with_simple_string("OK")


def _auth_thread(bc, username, password):
    time.sleep(BLOCK_SECONDS)
    result = 2
    if username == b"foo" and password == b"block_allow":
        result = 1
    elif username == b"foo" and password == b"block_deny":
        result = 0
    elif username == b"foo" and password == b"block_abort":
        bc.measure_time_end()
        bc.abort()
        return
    bc.measure_time_end()
    bc.unblock([result])


def auth_block_reply(ctx, username, password):
    result = ctx.get_blocked_client_private_data()[0]
    if result == 1:
        ctx.authenticate_client_with_acl_user(username)
        return rm.AUTH_HANDLED
    if result == 0:
        ctx.acl_add_log_entry_by_user_name(username, b"Module Auth", rm.ACL_LOG_AUTH)
        return rm.AUTH_HANDLED, b"Auth denied by Misc Module."
    return rm.AUTH_NOT_HANDLED


def auth_block_free(ctx, privdata):
    state["freed"] = state.get("freed", 0) + 1


def blocking_auth_cb(ctx, username, password):
    bc = ctx.block_client_on_auth(auth_block_reply, auth_block_free)
    flags = ctx.get_context_flags()
    if flags & (rm.CTX_FLAGS_MULTI | rm.CTX_FLAGS_LUA):
        bc.unblock(None)  # the block was refused; release the handle
        return rm.AUTH_HANDLED
    bc.measure_time_start()
    threading.Thread(target=_auth_thread, args=(bc, username, password), daemon=True).start()
    return rm.AUTH_HANDLED


def register_blocking_auth_cb(ctx, argv):
    ctx.register_auth_callback(blocking_auth_cb)
    return ctx.reply_with_simple_string("OK")


def freed_count(ctx, argv):
    return ctx.reply_with_long_long(state.get("freed", 0))


def on_load(ctx, args):
    global BLOCK_SECONDS
    if args:  # how long the auth thread takes (0.5 s as in Redis's module by default)
        BLOCK_SECONDS = float(args[0])
    if ctx.init("testacl", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn, flags in (
        ("auth.authrealuser", auth_real_user, "no-auth"),
        ("auth.createmoduleuser", create_module_user, ""),
        ("auth.authmoduleuser", auth_module_user, "no-auth"),
        ("auth.changecount", change_count, ""),
        ("auth.redact", redact, ""),
        ("auth.redactbad", redact_bad, ""),
        ("auth.deauth", deauth, ""),
        ("auth.certificate", certificate, ""),
        ("auth.freedcount", freed_count, ""),
        ("testmoduleone.rm_register_auth_cb", register_auth_cb, ""),
        ("testmoduleone.rm_register_blocking_auth_cb", register_blocking_auth_cb, ""),
    ):
        if ctx.create_command(name, fn, flags, 0, 0, 0) == rm.ERR:
            return rm.ERR
    return rm.OK


def on_unload(ctx):
    if state["global"] is not None:
        ctx.free_module_user(state["global"])
        state["global"] = None
    return rm.OK
