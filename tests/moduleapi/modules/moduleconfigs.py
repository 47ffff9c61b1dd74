"""Test module: module configs of every kind (after Redis's tests/modules/moduleconfigs.c).
Args: 'noload' skips load_configs; 'override-default' registers other defaults."""

from moredis import module as rm

vals: dict = {}


def get(name, pd):
    return vals[name]


def set_(name, value, pd):
    if name == "string" and value == b"rejectisfreed":
        return rm.ERR, "Cannot set string to 'rejectisfreed'"
    vals[name] = value
    return rm.OK


def bool_apply(ctx, pd):
    if vals["mutable-bool"] and vals["immutable-bool"]:
        return rm.ERR, "Bool configs cannot both be yes."
    return rm.OK


def numeric_apply(ctx, pd):
    if vals["memory-numeric"] == vals["numeric"]:
        return rm.ERR, "These configs cannot equal each other."
    return rm.OK


def register_outside(ctx, argv):
    """Registration and load_configs only work during on_load."""
    rc1 = ctx.register_bool_config("late", True, 0, get, set_)
    rc2 = ctx.load_configs()
    return ctx.reply_with_simple_string("OK" if rc1 == rm.ERR and rc2 == rm.ERR else "NOT BLOCKED")


def on_load(ctx, args):
    if ctx.init("moduleconfigs", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    vals.clear()
    reg = ctx
    if reg.register_bool_config("mutable-bool", True, rm.CONFIG_DEFAULT, get, set_, bool_apply) == rm.ERR:
        return rm.ERR
    if reg.register_bool_config("immutable-bool", False, rm.CONFIG_IMMUTABLE, get, set_, bool_apply) == rm.ERR:
        return rm.ERR
    if reg.register_string_config("string", "secret password", rm.CONFIG_DEFAULT, get, set_) == rm.ERR:
        return rm.ERR
    if reg.register_enum_config("enum", 1, rm.CONFIG_DEFAULT, ["none", "one", "two", "three"], [0, 1, 2, 4],
                                get, set_) == rm.ERR:
        return rm.ERR
    if reg.register_enum_config("flags", 3, rm.CONFIG_DEFAULT | rm.CONFIG_BITFLAGS,
                                ["none", "five", "one", "two", "four"], [0, 5, 1, 2, 4], get, set_) == rm.ERR:
        return rm.ERR
    if reg.register_numeric_config("memory-numeric", 1024, rm.CONFIG_DEFAULT | rm.CONFIG_MEMORY, 0,
                                   3 * 1024 * 1024, get, set_, numeric_apply) == rm.ERR:
        return rm.ERR
    if reg.register_numeric_config("numeric", -1, rm.CONFIG_DEFAULT, -5, 2000, get, set_, numeric_apply) == rm.ERR:
        return rm.ERR
    if reg.register_string_config("hidden", "h", rm.CONFIG_HIDDEN, get, set_) == rm.ERR:
        return rm.ERR
    if reg.register_string_config("sensitive", "s", rm.CONFIG_SENSITIVE, get, set_) == rm.ERR:
        return rm.ERR
    if reg.register_string_config("protected", "p", rm.CONFIG_PROTECTED, get, set_) == rm.ERR:
        return rm.ERR
    if reg.register_bool_config("denyloading", False, rm.CONFIG_DENY_LOADING, get, set_) == rm.ERR:
        return rm.ERR
    # duplicates, bad names and bad bounds are refused
    assert reg.register_bool_config("mutable-bool", True, 0, get, set_) == rm.ERR
    assert reg.register_bool_config("bad name", True, 0, get, set_) == rm.ERR
    assert reg.register_numeric_config("outofrange", 10, 0, 0, 5, get, set_) == rm.ERR
    if b"noload" not in args and ctx.load_configs() == rm.ERR:
        return rm.ERR
    ctx.create_command("moduleconfigs.register_outside", register_outside, "", 0, 0, 0)
    return rm.OK
