"""Test module: registers things, then fails in on_load (args say how)."""

from moredis import module as rm


def ok(ctx, argv):
    return ctx.reply_with_simple_string("OK")


def on_load(ctx, args):
    mode = args[0] if args else b"err"
    if mode == b"noinit":
        return rm.OK  # never named itself
    if ctx.init("failing", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    ctx.create_command("failing.cmd", ok, "", 0, 0, 0)
    ctx.register_bool_config("flag", True, 0, lambda n, p: True, lambda n, v, p: rm.OK)
    ctx.create_data_type("failtype1", 0, rm.TypeMethods())
    ctx.subscribe_to_server_event(rm.EVENT_FLUSHDB, lambda *a: None)
    ctx.register_command_filter(lambda f: None, 0)
    ctx.export_shared_api("failing.api", object())
    if mode == b"raise":
        raise RuntimeError("on_load blew up")
    if mode == b"ok":
        return rm.OK
    return rm.ERR
