"""Test module: every reply_with_* (after Redis's tests/modules/reply.c)."""

from moredis import module as rm


def rw_string(ctx, argv):
    return ctx.reply_with_string(argv[1])


def rw_cstring(ctx, argv):
    return ctx.reply_with_cstring("A simple string")


def rw_simple(ctx, argv):
    return ctx.reply_with_simple_string(argv[1])


def rw_bignumber(ctx, argv):
    return ctx.reply_with_big_number(argv[1])


def rw_int(ctx, argv):
    n = rm.string_to_long_long(argv[1])
    if n is None:
        return ctx.reply_with_error("Arg cannot be parsed as an integer")
    return ctx.reply_with_long_long(n)


def rw_double(ctx, argv):
    if len(argv) == 3:  # rw.double 0 0: NaN from 0/0
        return ctx.reply_with_double(float("nan"))
    d = rm.string_to_double(argv[1])
    if d is None:
        return ctx.reply_with_error("Arg cannot be parsed as a double")
    return ctx.reply_with_double(d)


def rw_longdouble(ctx, argv):
    d = rm.string_to_long_double(argv[1])
    if d is None:
        return ctx.reply_with_error("Arg cannot be parsed as a double")
    return ctx.reply_with_long_double(d)


def rw_array(ctx, argv):
    n = int(argv[1])
    ctx.reply_with_array(n)
    for i in range(n):
        ctx.reply_with_long_long(i)
    return rm.OK


def rw_map(ctx, argv):
    n = int(argv[1])
    ctx.reply_with_map(n)
    for i in range(n):
        ctx.reply_with_long_long(i)
        ctx.reply_with_double(i * 1.5)
    return rm.OK


def rw_set(ctx, argv):
    n = int(argv[1])
    ctx.reply_with_set(n)
    for i in range(n):
        ctx.reply_with_long_long(i)
    return rm.OK


def rw_attribute(ctx, argv):
    n = int(argv[1])
    if ctx.reply_with_attribute(n) != rm.OK:
        return ctx.reply_with_error("Attributes aren't supported by RESP 2")
    for i in range(n):
        ctx.reply_with_long_long(i)
        ctx.reply_with_double(i * 1.5)
    return ctx.reply_with_simple_string("OK")


def rw_bool(ctx, argv):
    ctx.reply_with_array(2)
    ctx.reply_with_bool(False)
    return ctx.reply_with_bool(True)


def rw_null(ctx, argv):
    return ctx.reply_with_null()


def rw_null_array(ctx, argv):
    return ctx.reply_with_null_array()


def rw_empty(ctx, argv):
    ctx.reply_with_array(2)
    ctx.reply_with_empty_array()
    return ctx.reply_with_empty_string()


def rw_error(ctx, argv):
    return ctx.reply_with_error("An error")


def rw_error_format(ctx, argv):
    return ctx.reply_with_error_format(argv[1].decode(), argv[2].decode())


def rw_verbatim(ctx, argv):
    return ctx.reply_with_verbatim_string(argv[1])


def rw_verbatim_type(ctx, argv):
    return ctx.reply_with_verbatim_string_type(argv[1], argv[2] if len(argv) > 2 else "mkd")


def rw_postponed(ctx, argv):
    """Nested postponed lengths of every kind, closed innermost first."""
    ctx.reply_with_array(rm.POSTPONED_LEN)
    ctx.reply_with_long_long(1)
    ctx.reply_with_map(rm.POSTPONED_LEN)
    ctx.reply_with_cstring("k")
    ctx.reply_with_set(rm.POSTPONED_LEN)
    ctx.reply_with_long_long(7)
    ctx.reply_with_long_long(8)
    ctx.reply_set_set_length(2)
    ctx.reply_set_map_length(1)
    ctx.reply_with_array(rm.POSTPONED_LEN)
    ctx.reply_set_array_length(0)
    ctx.reply_set_array_length(3)
    return rm.OK


def rw_postponed_attribute(ctx, argv):
    if ctx.reply_with_attribute(rm.POSTPONED_LEN) != rm.OK:
        return ctx.reply_with_error("Attributes aren't supported by RESP 2")
    ctx.reply_with_cstring("a")
    ctx.reply_with_long_long(1)
    ctx.reply_set_attribute_length(1)
    return ctx.reply_with_long_long(5)


def rw_wrong_arity(ctx, argv):
    return ctx.wrong_arity()


def rw_raise(ctx, argv):
    raise ValueError("boom")


def rw_raise_error(ctx, argv):
    raise rm.Error("ERR raised from the module")


def on_load(ctx, args):
    if ctx.init("replywith", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn in [("rw.string", rw_string), ("rw.cstring", rw_cstring), ("rw.simple", rw_simple),
                     ("rw.bignumber", rw_bignumber), ("rw.int", rw_int), ("rw.double", rw_double),
                     ("rw.longdouble", rw_longdouble), ("rw.array", rw_array), ("rw.map", rw_map),
                     ("rw.set", rw_set), ("rw.attribute", rw_attribute), ("rw.bool", rw_bool),
                     ("rw.null", rw_null), ("rw.null_array", rw_null_array), ("rw.empty", rw_empty),
                     ("rw.error", rw_error), ("rw.error_format", rw_error_format),
                     ("rw.verbatim", rw_verbatim), ("rw.verbatim_type", rw_verbatim_type),
                     ("rw.postponed", rw_postponed), ("rw.postponed_attribute", rw_postponed_attribute),
                     ("rw.wrong_arity", rw_wrong_arity), ("rw.raise", rw_raise),
                     ("rw.raise_error", rw_raise_error)]:
        if ctx.create_command(name, fn, "", 0, 0, 0) == rm.ERR:
            return rm.ERR
    return rm.OK
