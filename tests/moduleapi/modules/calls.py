"""Test module: ctx.call with every specifier and modifier, CallReply accessors, errno,
context flags (after Redis's tests/modules/basics.c and misc.c)."""

import errno

from moredis import module as rm

_TYPES = {rm.REPLY_STRING: "string", rm.REPLY_ERROR: "error", rm.REPLY_INTEGER: "integer",
          rm.REPLY_ARRAY: "array", rm.REPLY_NULL: "null", rm.REPLY_MAP: "map", rm.REPLY_SET: "set",
          rm.REPLY_BOOL: "bool", rm.REPLY_DOUBLE: "double", rm.REPLY_BIG_NUMBER: "big_number",
          rm.REPLY_VERBATIM_STRING: "verbatim", rm.REPLY_ATTRIBUTE: "attribute", rm.REPLY_PROMISE: "promise",
          rm.REPLY_UNKNOWN: "unknown"}


def describe(ctx, r):
    """Walk a CallReply with the C accessors and reply a tree [type, value...]."""
    t = r.type()
    name = _TYPES[t]
    if t in (rm.REPLY_ARRAY, rm.REPLY_SET):
        n = r.length()
        ctx.reply_with_array(n + 1)
        ctx.reply_with_cstring(name)
        get = r.array_element if t == rm.REPLY_ARRAY else r.set_element
        for i in range(n):
            describe(ctx, get(i))
    elif t == rm.REPLY_MAP:
        n = r.length()
        ctx.reply_with_array(2 * n + 1)
        ctx.reply_with_cstring(name)
        for i in range(n):
            k, v = r.map_element(i)
            describe(ctx, k)
            describe(ctx, v)
    else:
        ctx.reply_with_array(2)
        ctx.reply_with_cstring(name)
        if t in (rm.REPLY_STRING, rm.REPLY_ERROR):
            ctx.reply_with_string(r.string_ptr())
        elif t == rm.REPLY_INTEGER:
            ctx.reply_with_long_long(r.integer())
        elif t == rm.REPLY_DOUBLE:
            ctx.reply_with_cstring(repr(r.double()))
        elif t == rm.REPLY_BOOL:
            ctx.reply_with_long_long(int(r.bool()))
        elif t == rm.REPLY_BIG_NUMBER:
            ctx.reply_with_string(r.big_number())
        elif t == rm.REPLY_VERBATIM_STRING:
            text, fmt = r.verbatim()
            ctx.reply_with_string(fmt + b":" + text)
        else:
            ctx.reply_with_null()
    return rm.OK


def errno_reply(ctx):
    return ctx.reply_with_error("ERRNO " + errno.errorcode.get(ctx.errno, str(ctx.errno)))


def call_generic(ctx, argv):
    """call.generic <modifiers> cmd args...: forward the CallReply (or ERRNO <name>)."""
    if len(argv) < 3:
        return ctx.wrong_arity()
    fmt = argv[1].decode()
    fmt = "" if fmt == "-" else fmt
    ctx.errno = 0
    r = ctx.call(argv[2], fmt + "v", argv[3:])
    if r is None:
        if ctx.errno == 0:
            return ctx.reply_with_simple_string("NULL")
        return errno_reply(ctx)
    return ctx.reply_with_call_reply(r)


def call_describe(ctx, argv):
    fmt = argv[1].decode()
    fmt = "" if fmt == "-" else fmt
    r = ctx.call(argv[2], fmt + "v", argv[3:])
    if r is None:
        return errno_reply(ctx)
    return describe(ctx, r)


def call_formats(ctx, argv):
    """Each argument specifier: c, s, b, l, v."""
    r = ctx.call("RPUSH", "csblv", "fmtlist", argv[1], b"buffer\x00with nul", -42, [b"v1", b"v2"])
    ctx.reply_with_array(3)
    ctx.reply_with_long_long(r.integer())
    ctx.reply_with_call_reply(ctx.call("LRANGE", "cll", "fmtlist", 0, -1))
    bad = ctx.call("GET", "x!", "k")  # 'x' is no specifier
    return ctx.reply_with_cstring("EBADF" if bad is None and ctx.errno == errno.EBADF else "no error")


def call_proto(ctx, argv):
    """CallReplyProto and CreateStringFromCallReply."""
    r = ctx.call(argv[2], argv[1].decode() + "v", argv[3:])
    ctx.reply_with_array(2)
    ctx.reply_with_string(r.proto())
    s = r.create_string()
    return ctx.reply_with_string(s) if s is not None else ctx.reply_with_null()


def call_attribute(ctx, argv):
    """An attribute reply seen through CallReplyAttribute (DEBUG PROTOCOL attrib)."""
    r = ctx.call("DEBUG", "3cc", "PROTOCOL", "attrib")
    a = r.attribute()
    if a is None:
        return ctx.reply_with_error("no attribute")
    k, v = r.attribute_element(0)
    ctx.reply_with_array(3)
    ctx.reply_with_string(k.string_ptr())
    describe(ctx, v)
    return describe(ctx, r)


def ctx_flags(ctx, argv):
    return ctx.reply_with_long_long(ctx.get_context_flags())


def ctx_flags_via_call(ctx, argv):
    """The flags a command sees when called through ctx.call (with modifiers argv[1])."""
    r = ctx.call("call.ctxflags", argv[1].decode() if len(argv) > 1 else "")
    return ctx.reply_with_call_reply(r)


def select_db(ctx, argv):
    before = ctx.get_selected_db()
    rc = ctx.select_db(int(argv[1]))
    ctx.reply_with_array(3)
    ctx.reply_with_long_long(before)
    ctx.reply_with_long_long(rc)
    return ctx.reply_with_long_long(ctx.get_selected_db())


def on_load(ctx, args):
    if ctx.init("calls", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn, flags in [("call.generic", call_generic, ""), ("call.describe", call_describe, ""),
                            ("call.formats", call_formats, "write"), ("call.proto", call_proto, ""),
                            ("call.attribute", call_attribute, ""), ("call.ctxflags", ctx_flags, ""),
                            ("call.ctxflags_via_call", ctx_flags_via_call, ""),
                            ("call.select", select_db, "")]:
        if ctx.create_command(name, fn, flags, 0, 0, 0) == rm.ERR:
            return rm.ERR
    return rm.OK
