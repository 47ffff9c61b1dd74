"""Test module "plain": one command and no auth callbacks (unloadable during module auth)."""

from moredis import module as rm


def ping(ctx, argv):
    return ctx.reply_with_simple_string("PONG")


def on_load(ctx, args):
    if ctx.init("plain", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    return ctx.create_command("plain.ping", ping, "", 0, 0, 0)
