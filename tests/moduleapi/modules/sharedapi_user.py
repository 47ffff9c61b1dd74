"""Test module: uses another module's shared API (RedisModule_GetSharedAPI)."""

from moredis import module as rm


def use(ctx, argv):
    fn = ctx.get_shared_api("provider.add")
    if fn is None:
        return ctx.reply_with_error("ERR provider not loaded")
    return ctx.reply_with_long_long(fn(int(argv[1]), int(argv[2])))


def missing(ctx, argv):
    return ctx.reply_with_long_long(0 if ctx.get_shared_api("no.such.api") is None else 1)


def on_load(ctx, args):
    if ctx.init("user", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    ctx.create_command("user.add", use, "", 0, 0, 0)
    ctx.create_command("user.missing", missing, "", 0, 0, 0)
    return rm.OK
