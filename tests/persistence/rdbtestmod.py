"""A test module with a data type whose values use every RDB IO call, and aux data
before and after the keyspace: `rdbtype.set key u s str dbl flt`, `rdbtype.get key`,
`rdbtype.aux` (what aux_load last saw). Loaded by the persistence tests."""

from __future__ import annotations

from moredis import module as rm

STATE = {"aux": [], "aux_loaded": []}
MT = None


class Val:
    def __init__(self, u, s, text, d, f):
        self.u, self.s, self.text, self.d, self.f = u, s, text, d, f


def rdb_save(io, v):
    io.save_unsigned(v.u)
    io.save_signed(v.s)
    io.save_string(v.text)
    io.save_double(v.d)
    io.save_float(v.f)
    io.save_long_double(v.d)


def rdb_load(io, encver):
    u = io.load_unsigned()
    s = io.load_signed()
    text = io.load_string()
    d = io.load_double()
    f = io.load_float()
    io.load_long_double()
    return Val(u, s, text, d, f)


def aux_save(io, when):
    io.save_unsigned(when)
    io.save_string(b"aux-%d" % when)


def aux_load(io, encver, when):
    STATE["aux_loaded"].append((when, io.load_unsigned(), io.load_string()))
    return rm.OK


def digest(md, v):
    md.add_long_long(v.u)
    md.add_string_buffer(v.text)
    md.end_sequence()


def cmd_set(ctx, argv):
    if len(argv) != 7:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    key.module_type_set_value(MT, Val(int(argv[2]), int(argv[3]), argv[4], float(argv[5]), float(argv[6])))
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def cmd_get(ctx, argv):
    key = ctx.open_key(argv[1], rm.READ)
    v = key.module_type_get_value()
    if v is None:
        return ctx.reply_with_null()
    ctx.reply_with_array(5)
    ctx.reply_with_long_long(v.u - (1 << 64) if v.u >= 1 << 63 else v.u)
    ctx.reply_with_long_long(v.s)
    ctx.reply_with_string_buffer(v.text)
    ctx.reply_with_double(v.d)
    ctx.reply_with_double(v.f)
    return rm.OK


def cmd_aux(ctx, argv):
    ctx.reply_with_array(len(STATE["aux_loaded"]))
    for when, u, text in STATE["aux_loaded"]:
        ctx.reply_with_array(3)
        ctx.reply_with_long_long(when)
        ctx.reply_with_long_long(u)
        ctx.reply_with_string_buffer(text)
    return rm.OK


def on_load(ctx, args):
    global MT
    if ctx.init("rdbtype", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    MT = ctx.create_data_type("rdbtest01", 3, {
        "rdb_save": rdb_save, "rdb_load": rdb_load, "digest": digest,
        "aux_save": aux_save, "aux_load": aux_load,
        "aux_save_triggers": rm.AUX_BEFORE_RDB | rm.AUX_AFTER_RDB,
    })
    if MT is None:
        return rm.ERR
    for name, fn, flags in (("rdbtype.set", cmd_set, "write"), ("rdbtype.get", cmd_get, "readonly"),
                            ("rdbtype.aux", cmd_aux, "readonly")):
        if ctx.create_command(name, fn, flags, 1 if name != "rdbtype.aux" else 0,
                              1 if name != "rdbtype.aux" else 0, 1 if name != "rdbtype.aux" else 0) == rm.ERR:
            return rm.ERR
    return rm.OK
