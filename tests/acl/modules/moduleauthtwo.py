"""Test module "moduleauthtwo" (after Redis's tests/modules/moduleauthtwo.c): a second
module with an auth callback, for the order in which callbacks of several modules run."""

from moredis import module as rm


def auth_cb(ctx, username, password):
    if username == b"foo" and password == b"allow_two":
        ctx.authenticate_client_with_acl_user(b"foo")
        return rm.AUTH_HANDLED
    if username == b"foo" and password == b"deny_two":
        ctx.acl_add_log_entry_by_user_name(username, b"Module Auth", rm.ACL_LOG_AUTH)
        return rm.AUTH_HANDLED, b"Auth denied by Misc Module."
    return rm.AUTH_NOT_HANDLED


def register(ctx, argv):
    ctx.register_auth_callback(auth_cb)
    return ctx.reply_with_simple_string("OK")


def on_load(ctx, args):
    if ctx.init("moduleauthtwo", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    return ctx.create_command("testmoduletwo.rm_register_auth_cb", register, "", 0, 0, 0)
