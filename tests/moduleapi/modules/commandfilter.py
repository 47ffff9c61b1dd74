"""Test module: command filters (after Redis's tests/modules/commandfilter.c).
Args: <log-key> <noself 0|1>."""

from moredis import module as rm

state = {"log_key": b"log-key", "filter": None, "in_log": False, "retained": None}


def filter_cb(fctx):
    if state["in_log"]:
        return
    first = fctx.arg_get(0)
    if first is not None and first.lower() == b"blmove" and fctx.args_count() == 6:
        # swap the directions: a re-run on unblock would swap them back
        a, b = fctx.arg_get(3), fctx.arg_get(4)
        fctx.arg_replace(3, b)
        fctx.arg_replace(4, a)
        return
    log = False
    pos = 1
    while pos < fctx.args_count():
        arg = fctx.arg_get(pos)
        if arg == b"@delme":
            fctx.arg_delete(pos)
            continue
        if arg == b"@replaceme":
            fctx.arg_replace(pos, b"--replaced--")
        elif arg == b"@insertbefore":
            fctx.arg_insert(pos, b"--inserted-before--")
            pos += 1
        elif arg == b"@insertafter":
            fctx.arg_insert(pos + 1, b"--inserted-after--")
            pos += 1
        elif arg == b"@retain":
            state["retained"] = arg
        elif arg == b"@log":
            log = True
        pos += 1
    if log:
        fctx.arg_insert(0, b"commandfilter.log")


def log_cmd(ctx, argv):
    """commandfilter.log cmd args...: log the command line, then run it."""
    ctx.call("LPUSH", "sc", state["log_key"], b" ".join(argv[1:]))
    state["in_log"] = True
    try:
        r = ctx.call(argv[1], "v", argv[2:])
    finally:
        state["in_log"] = False
    return ctx.reply_with_call_reply(r)


def ping_cmd(ctx, argv):
    """commandfilter.ping: a call the filter sees (unless NOSELF)."""
    r = ctx.call("PING", "c", "@log")
    return ctx.reply_with_call_reply(r)


def retained_cmd(ctx, argv):
    v = state["retained"]
    return ctx.reply_with_string(v) if v is not None else ctx.reply_with_null()


def unregister_cmd(ctx, argv):
    return ctx.reply_with_long_long(ctx.unregister_command_filter(state["filter"]))


def client_id_filter(fctx):
    if fctx.arg_get(0) and fctx.arg_get(0).lower() == b"commandfilter.whoami":
        fctx.arg_insert(1, b"%d" % fctx.get_client_id())


def whoami_cmd(ctx, argv):
    return ctx.reply_with_string(argv[1])


def on_load(ctx, args):
    if ctx.init("commandfilter", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    if args:
        state["log_key"] = args[0]
    noself = len(args) > 1 and args[1] == b"1"
    state["filter"] = ctx.register_command_filter(filter_cb, rm.CMDFILTER_NOSELF if noself else 0)
    if state["filter"] is None:
        return rm.ERR
    ctx.register_command_filter(client_id_filter, 0)
    for name, fn in [("commandfilter.log", log_cmd), ("commandfilter.ping", ping_cmd),
                     ("commandfilter.retained", retained_cmd), ("commandfilter.unregister", unregister_cmd),
                     ("commandfilter.whoami", whoami_cmd)]:
        ctx.create_command(name, fn, "", 0, 0, 0)
    return rm.OK
