"""Test module: INFO sections and fields, reading INFO back (after infotest.c)."""

from moredis import module as rm


def info_func(ictx, for_crash_report):
    ictx.add_section("")  # the module's default section: "infotest"
    ictx.add_field_long_long("global", -2)
    ictx.add_field_ulong_long("uglobal", 2**64 - 2)
    ictx.add_section("Spanish")
    ictx.add_field_cstring("uno", "one")
    ictx.add_field_long_long("dos", 2)
    ictx.add_section("Italian")
    ictx.add_field_long_long("due", 2)
    ictx.add_field_double("tre", 3.3)
    ictx.add_section("keyspace")  # a module section with a core section's name
    ictx.begin_dict_field("db0")
    ictx.add_field_long_long("keys", 3)
    ictx.add_field_long_long("expires", 1)
    ictx.end_dict_field()
    ictx.add_section("unsafe")
    ictx.begin_dict_field("unsafe:field")
    ictx.add_field_long_long("value", 1)
    ictx.end_dict_field()


def info_get(ctx, argv):
    """info.get section field kind: read a field of the server's INFO."""
    section = argv[1].decode() if argv[1] else None
    info = ctx.get_server_info(section)
    field = argv[2].decode()
    kind = argv[3].decode()
    if kind == "signed":
        v = info.get_field_signed(field)
        r = ctx.reply_with_long_long(v) if v is not None else ctx.reply_with_error("ERR not found")
    elif kind == "unsigned":
        v = info.get_field_unsigned(field)
        r = ctx.reply_with_long_long(v) if v is not None else ctx.reply_with_error("ERR not found")
    elif kind == "double":
        v = info.get_field_double(field)
        r = ctx.reply_with_double(v) if v is not None else ctx.reply_with_error("ERR not found")
    else:
        v = info.get_field(field)
        r = ctx.reply_with_string(v) if v is not None else ctx.reply_with_error("ERR not found")
    info.free()
    return r


def on_load(ctx, args):
    if ctx.init("infotest", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    if ctx.register_info_func(info_func) == rm.ERR:
        return rm.ERR
    ctx.create_command("info.get", info_get, "", 0, 0, 0)
    return rm.OK
