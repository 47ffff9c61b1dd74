"""Test module: key specs, command info, subcommands, getkeys-api and getchannels-api
(after Redis's tests/modules/keyspecs.c, subcommands.c, getkeys.c, getchannels.c,
cmdintrospection.c)."""

from moredis import module as rm


def ok(ctx, argv):
    return ctx.reply_with_simple_string("OK")


def fullname(ctx, argv):
    return ctx.reply_with_simple_string(ctx.get_current_command_name())


def getkeys_cmd(ctx, argv):
    """getkeys.command [arg ...] key1 ... ; every argument after a 'key' word is a key."""
    if ctx.is_keys_position_request():
        for i in range(1, len(argv) - 1):
            if argv[i].lower() == b"key":
                ctx.key_at_pos(i + 1)
        return rm.OK
    keys = [argv[i + 1] for i in range(1, len(argv) - 1) if argv[i].lower() == b"key"]
    ctx.reply_with_array(len(keys))
    for k in keys:
        ctx.reply_with_string(k)
    return rm.OK


def getkeys_flags(ctx, argv):
    """getkeys.command_with_flags: 'RO key' / 'RW key' pairs."""
    if ctx.is_keys_position_request():
        for i in range(1, len(argv) - 1):
            a = argv[i].lower()
            if a == b"ro":
                ctx.key_at_pos_with_flags(i + 1, rm.CMD_KEY_RO | rm.CMD_KEY_ACCESS)
            elif a == b"rw":
                ctx.key_at_pos_with_flags(i + 1, rm.CMD_KEY_RW | rm.CMD_KEY_UPDATE)
        return rm.OK
    return ctx.reply_with_simple_string("OK")


def getkeys_introspect(ctx, argv):
    """getkeys.introspect with_flags cmd args...: rm.get_command_keys(_with_flags) on argv[2:]."""
    with_flags = argv[1] == b"1"
    if with_flags:
        res = ctx.get_command_keys_with_flags(argv[2:])
    else:
        res = ctx.get_command_keys(argv[2:])
    if res is None:
        return ctx.reply_with_error("ERR Invalid arguments")
    ctx.reply_with_array(len(res))
    for item in res:
        if with_flags:
            pos, fl = item
            ctx.reply_with_array(2)
            ctx.reply_with_string(argv[2 + pos])
            ctx.reply_with_long_long(fl)
        else:
            ctx.reply_with_string(argv[2 + item])
    return rm.OK


def getchannels(ctx, argv):
    """getchannels.command [subscribe|unsubscribe|publish|psubscribe ch] ..."""
    kinds = {b"subscribe": rm.CMD_CHANNEL_SUBSCRIBE, b"unsubscribe": rm.CMD_CHANNEL_UNSUBSCRIBE,
             b"publish": rm.CMD_CHANNEL_PUBLISH,
             b"psubscribe": rm.CMD_CHANNEL_SUBSCRIBE | rm.CMD_CHANNEL_PATTERN}
    if ctx.is_channels_position_request():
        for i in range(1, len(argv) - 1, 2):
            ctx.channel_at_pos_with_flags(i + 1, kinds.get(argv[i].lower(), 0))
        return rm.OK
    return ctx.reply_with_long_long(ctx.is_channels_position_request())


def on_load(ctx, args):
    if ctx.init("cmdinfo", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    create = ctx.create_command
    # keyspecs.c
    if create("kspec.none", ok, "write", 1, -1, 2) == rm.ERR:
        return rm.ERR
    if create("kspec.nonewithgetkeys", getkeys_cmd, "getkeys-api", 1, 1, 1) == rm.ERR:
        return rm.ERR
    create("kspec.tworanges", ok, "", 0, 0, 0)
    ctx.get_command("kspec.tworanges").set_command_info(rm.CommandInfo(
        arity=-2,
        key_specs=[rm.KeySpec(flags=rm.CMD_KEY_RO | rm.CMD_KEY_ACCESS, begin_search=rm.BeginSearchIndex(1),
                              find_keys=rm.FindKeysRange(0, 1, 0)),
                   rm.KeySpec(flags=rm.CMD_KEY_RW | rm.CMD_KEY_UPDATE, begin_search=rm.BeginSearchIndex(2),
                              find_keys=rm.FindKeysRange(0, 1, 0))]))
    create("kspec.tworangeswithgap", ok, "", 0, 0, 0)
    ctx.get_command("kspec.tworangeswithgap").set_command_info({
        "arity": -2,
        "key_specs": [{"flags": rm.CMD_KEY_RO | rm.CMD_KEY_ACCESS, "begin_search": {"pos": 1},
                       "find_keys": {"lastkey": 0, "keystep": 1, "limit": 0}},
                      {"flags": rm.CMD_KEY_RW | rm.CMD_KEY_UPDATE, "begin_search": {"pos": 3},
                       "find_keys": {"lastkey": 0, "keystep": 1, "limit": 0}}]})
    create("kspec.keyword", ok, "", 0, 0, 0)
    ctx.get_command("kspec.keyword").set_command_info(rm.CommandInfo(
        arity=-2,
        key_specs=[rm.KeySpec(flags=rm.CMD_KEY_RO | rm.CMD_KEY_ACCESS,
                              begin_search=rm.BeginSearchKeyword("KEYS", 1),
                              find_keys=rm.FindKeysRange(-1, 1, 0))]))
    create("kspec.complex1", ok, "", 0, 0, 0)
    ctx.get_command("kspec.complex1").set_command_info(rm.CommandInfo(
        arity=-2,
        key_specs=[rm.KeySpec(flags=rm.CMD_KEY_RO, begin_search=rm.BeginSearchIndex(1)),
                   rm.KeySpec(flags=rm.CMD_KEY_RW | rm.CMD_KEY_UPDATE,
                              begin_search=rm.BeginSearchKeyword("STORE", 2)),
                   rm.KeySpec(flags=rm.CMD_KEY_RO | rm.CMD_KEY_ACCESS,
                              begin_search=rm.BeginSearchKeyword("KEYS", 2),
                              find_keys=rm.FindKeysKeynum(0, 1, 1))]))
    # cmdintrospection.c: the whole info
    create("cmdintrospection.xadd", ok, "write deny-oom random fast", 0, 0, 0)
    info = rm.CommandInfo(
        arity=-5,
        summary="Appends a new message to a stream. Creates the key if it doesn't exist.",
        since="5.0.0",
        complexity="O(1) when adding a new entry, O(N) when trimming where N being the number of "
                   "entries evicted.",
        tips="nondeterministic_output",
        history=[("6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."),
                 ("7.0.0", "Added support for the `<ms>-*` explicit ID form.")],
        key_specs=[rm.KeySpec(notes="UPDATE instead of INSERT because of the optional trimming feature",
                              flags=rm.CMD_KEY_RW | rm.CMD_KEY_UPDATE, begin_search=rm.BeginSearchIndex(1),
                              find_keys=rm.FindKeysRange(0, 1, 0))],
        args=[
            rm.Arg("key", rm.ARG_TYPE_KEY, key_spec_index=0),
            rm.Arg("nomkstream", rm.ARG_TYPE_PURE_TOKEN, token="NOMKSTREAM", since="6.2.0",
                   flags=rm.CMD_ARG_OPTIONAL),
            rm.Arg("trim", rm.ARG_TYPE_BLOCK, flags=rm.CMD_ARG_OPTIONAL, subargs=[
                rm.Arg("strategy", rm.ARG_TYPE_ONEOF, subargs=[
                    rm.Arg("maxlen", rm.ARG_TYPE_PURE_TOKEN, token="MAXLEN"),
                    rm.Arg("minid", rm.ARG_TYPE_PURE_TOKEN, token="MINID", since="6.2.0")]),
                rm.Arg("operator", rm.ARG_TYPE_ONEOF, flags=rm.CMD_ARG_OPTIONAL, subargs=[
                    rm.Arg("equal", rm.ARG_TYPE_PURE_TOKEN, token="="),
                    rm.Arg("approximately", rm.ARG_TYPE_PURE_TOKEN, token="~")]),
                rm.Arg("threshold", rm.ARG_TYPE_STRING, display_text="threshold"),
                rm.Arg("count", rm.ARG_TYPE_INTEGER, token="LIMIT", since="6.2.0",
                       flags=rm.CMD_ARG_OPTIONAL)]),
            rm.Arg("id-selector", rm.ARG_TYPE_ONEOF, subargs=[
                rm.Arg("auto-id", rm.ARG_TYPE_PURE_TOKEN, token="*"),
                rm.Arg("id", rm.ARG_TYPE_STRING)]),
            rm.Arg("data", rm.ARG_TYPE_BLOCK, flags=rm.CMD_ARG_MULTIPLE, subargs=[
                rm.Arg("field", rm.ARG_TYPE_STRING), rm.Arg("value", rm.ARG_TYPE_STRING)]),
        ])
    if ctx.get_command("cmdintrospection.xadd").set_command_info(info) == rm.ERR:
        return rm.ERR
    # invalid infos are refused
    create("cmdinfo.bad", ok, "", 0, 0, 0)
    bad = ctx.get_command("cmdinfo.bad")
    assert bad.set_command_info(rm.CommandInfo(version=2)) == rm.ERR
    assert bad.set_command_info(rm.CommandInfo(args=[rm.Arg("k", rm.ARG_TYPE_KEY, key_spec_index=3)])) == rm.ERR
    assert bad.set_command_info(rm.CommandInfo(key_specs=[rm.KeySpec(
        flags=rm.CMD_KEY_RO | rm.CMD_KEY_RW, begin_search=rm.BeginSearchIndex(1))])) == rm.ERR
    assert bad.set_command_info(rm.CommandInfo(args=[rm.Arg("t", rm.ARG_TYPE_PURE_TOKEN)])) == rm.ERR
    # subcommands.c
    if create("subcommands.bitarray", None, "", 0, 0, 0) == rm.ERR:
        return rm.ERR
    parent = ctx.get_command("subcommands.bitarray")
    if parent.create_subcommand("set", ok, "", 0, 0, 0) == rm.ERR:
        return rm.ERR
    ctx.get_command("subcommands.bitarray|set").set_command_info(rm.CommandInfo(
        arity=-3, key_specs=[rm.KeySpec(flags=rm.CMD_KEY_RW | rm.CMD_KEY_UPDATE,
                                        begin_search=rm.BeginSearchIndex(2),
                                        find_keys=rm.FindKeysRange(0, 1, 0))]))
    if ctx.create_subcommand(parent, "get", ok, "", 0, 0, 0) == rm.ERR:
        return rm.ERR
    ctx.get_command("subcommands.bitarray|get").set_command_info(rm.CommandInfo(
        arity=3, key_specs=[rm.KeySpec(flags=rm.CMD_KEY_RO | rm.CMD_KEY_ACCESS,
                                        begin_search=rm.BeginSearchIndex(2),
                                        find_keys=rm.FindKeysRange(0, 1, 0))]))
    # names with spaces or line breaks, nesting, duplicates and subcommands of a real command fail
    for bad_name in ("set x", "set\r", "set\n"):
        assert parent.create_subcommand(bad_name, ok, "", 0, 0, 0) == rm.ERR
    assert parent.create_subcommand("set", ok, "", 0, 0, 0) == rm.ERR
    assert ctx.get_command("subcommands.bitarray|set").create_subcommand("x", ok, "", 0, 0, 0) == rm.ERR
    assert create("bad name", ok, "", 0, 0, 0) == rm.ERR
    assert create("cmdinfo.badflag", ok, "write nosuchflag", 0, 0, 0) == rm.ERR
    create("subcommands.parent_get_fullname", fullname, "", 0, 0, 0)
    assert ctx.get_command("subcommands.parent_get_fullname").create_subcommand("x", ok) == rm.ERR
    create("subcommands.sub", None, "", 0, 0, 0)
    ctx.create_subcommand("subcommands.sub", "get_fullname", fullname, "", 0, 0, 0)
    # getkeys.c / getchannels.c
    create("getkeys.command", getkeys_cmd, "getkeys-api", 0, 0, 0)
    create("getkeys.command_with_flags", getkeys_flags, "getkeys-api", 0, 0, 0)
    create("getkeys.introspect", getkeys_introspect, "", 0, 0, 0)
    create("getchannels.command", getchannels, "getchannels-api", 0, 0, 0)
    # ACL categories
    if ctx.add_acl_category("foocat") == rm.ERR:
        return rm.ERR
    assert ctx.add_acl_category("foocat") == rm.ERR
    assert ctx.add_acl_category("write") == rm.ERR
    assert ctx.add_acl_category("bad cat") == rm.ERR
    create("cmdinfo.late_create", late, "", 0, 0, 0)
    create("cmdinfo.withcats", ok, "write", 1, 1, 1)
    if ctx.get_command("cmdinfo.withcats").set_command_acl_categories("write foocat") == rm.ERR:
        return rm.ERR
    assert ctx.get_command("cmdinfo.withcats").set_command_acl_categories("nosuch") == rm.ERR
    return rm.OK


def late(ctx, argv):
    """Commands can only be created during on_load."""
    return ctx.reply_with_long_long(ctx.create_command("cmdinfo.late", ok, "", 0, 0, 0))
