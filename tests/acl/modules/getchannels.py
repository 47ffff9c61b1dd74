"""Test module "getchannels" (after Redis's tests/modules/getchannels.c): a command whose
channel arguments are declared through the getchannels-api, seen by ACL checks."""

from moredis import module as rm

_OPS = {b"subscribe": rm.CMD_CHANNEL_SUBSCRIBE, b"unsubscribe": rm.CMD_CHANNEL_UNSUBSCRIBE,
        b"publish": rm.CMD_CHANNEL_PUBLISH}


def command(ctx, argv):
    """getchannels.command (<operation> <literal|pattern> <channel>)..."""
    if (len(argv) - 1) % 3:
        ctx.wrong_arity()
        return rm.OK
    err = None
    for i in range(1, len(argv), 3):
        flags = _OPS.get(argv[i].lower())
        if flags is None:
            err = "Invalid channel operation"
            break
        kind = argv[i + 1].lower()
        if kind == b"pattern":
            flags |= rm.CMD_CHANNEL_PATTERN
        elif kind != b"literal":
            err = "Invalid channel type"
            break
        if ctx.is_channels_position_request():
            ctx.channel_at_pos_with_flags(i + 2, flags)
    if not ctx.is_channels_position_request():
        if err:
            ctx.reply_with_error(err)
        else:
            ctx.reply_with_simple_string("OK")
    return rm.OK


def on_load(ctx, args):
    if ctx.init("getchannels", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    return ctx.create_command("getchannels.command", command, "getchannels-api", 0, 0, 0)
