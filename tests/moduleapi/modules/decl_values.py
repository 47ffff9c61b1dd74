"""Test module: reply values of the declarative layer."""

from moredis import module as rm

mod = rm.Module("declvalues")


@mod.command("decl.values")
def values(ctx, args):
    return [1, True, 1.5, b"abc", "str", rm.SimpleString("OK"), None, {"k": {2}}]


@mod.command("decl.noreply")
def noreply(ctx, args):
    ctx.reply_with_simple_string("done by hand")
    return rm.NO_REPLY


on_load = mod.on_load
