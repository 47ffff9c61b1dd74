"""Test module for module data types (after Redis's tests/modules/datatype.c and
datatype2.c): a value of an integer and a string, persisted, copied, digested, and
a second type whose callbacks use the version 2+ KeyOptCtx forms and count calls."""

from __future__ import annotations

from moredis import module as rm

DT: rm.ModuleType | None = None
DT2: rm.ModuleType | None = None
CALLS: dict[str, list] = {"free": [], "unlink": [], "copy": [], "mem": [], "free_effort": []}


class Value:
    __slots__ = ("intval", "strval")

    def __init__(self, intval: int, strval: bytes) -> None:
        self.intval = intval
        self.strval = strval


# --- test___dt: the datatype.c type ------------------------------------------------------
def dt_rdb_load(io: rm.IO, encver: int) -> Value | None:
    intval = io.load_signed()
    if io.is_io_error():
        return None
    strval = io.load_string()
    if io.is_io_error():
        return None
    return Value(intval, strval)


def dt_rdb_save(io: rm.IO, v: Value) -> None:
    io.save_signed(v.intval)
    io.save_string(v.strval)


def dt_copy(fromkey: bytes, tokey: bytes, v: Value) -> Value | None:
    """Copies fail for 42; the copy's string records the key names."""
    if v.intval == 42:
        return None
    return Value(v.intval, v.strval + b"/" + fromkey + b"/" + tokey)


def dt_digest(md: rm.Digest, v: Value) -> None:
    md.add_long_long(v.intval)
    md.add_string_buffer(b"ab")
    md.end_sequence()
    md.add_long_long(7)
    md.end_sequence()


def dt_mem_usage(v: Value) -> int:
    return 1000 + v.intval


def datatype_set(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """DATATYPE.SET key intval strval"""
    if len(argv) != 4:
        return ctx.wrong_arity()
    intval = rm.string_to_long_long(argv[2])
    if intval is None:
        return ctx.reply_with_error("Invalid arguments")
    key = ctx.open_key(argv[1], rm.WRITE)
    key.module_type_set_value(DT, Value(intval, argv[3]))
    return ctx.reply_with_simple_string("OK")


def datatype_get(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """DATATYPE.GET key: [intval, strval], or a null array for another kind of key."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ)
    v = key.module_type_get_value() if key is not None and key.module_type_get_type() in (DT, DT2) else None
    if v is None:
        return ctx.reply_with_null_array()
    ctx.reply_with_array(2)
    ctx.reply_with_long_long(v.intval)
    return ctx.reply_with_string(v.strval)


def datatype_dump(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """DATATYPE.DUMP key: the value saved as a string."""
    key = ctx.open_key(argv[1], rm.READ)
    if key is None or key.module_type_get_type() is not DT:
        return ctx.reply_with_error("Invalid key type")
    return ctx.reply_with_string(ctx.save_data_type_to_string(key.module_type_get_value(), DT))


def datatype_restore(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """DATATYPE.RESTORE key serialized encver"""
    encver = rm.string_to_long_long(argv[3])
    v = rm.load_data_type_from_string_encver(argv[2], DT, encver)
    if v is None:
        return ctx.reply_with_error("Invalid data")
    key = ctx.open_key(argv[1], rm.WRITE)
    key.module_type_set_value(DT, v)
    return ctx.reply_with_long_long(encver)


def datatype_swap(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """DATATYPE.SWAP key1 key2: ModuleTypeReplaceValue on both."""
    a = ctx.open_key(argv[1], rm.WRITE)
    b = ctx.open_key(argv[2], rm.WRITE)
    if a.module_type_get_type() is not DT or b.module_type_get_type() is not DT:
        return ctx.reply_with_error("ERR failed")
    va = a.module_type_get_value()
    old_b = b.module_type_replace_value(DT, va)
    if old_b is None or a.module_type_replace_value(DT, old_b) is None:
        return ctx.reply_with_error("ERR failed")
    return ctx.reply_with_simple_string("OK")


def datatype_replace_wrong(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """DATATYPE.REPLACE key: ModuleTypeReplaceValue on whatever the key holds."""
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    if key.module_type_replace_value(DT, Value(0, b"")) is None:
        return ctx.reply_with_error("ERR failed")
    return ctx.reply_with_simple_string("OK")


# --- dtv2type: the version 2+ callbacks (datatype2.c) ---------------------------------------
def dt2_copy2(optctx: rm.KeyOptCtx, v: Value) -> Value:
    CALLS["copy"].append((optctx.get_key_name(), optctx.get_db_id(), optctx.get_to_key_name(),
                          optctx.get_to_db_id()))
    return Value(v.intval, v.strval)


def dt2_unlink2(optctx: rm.KeyOptCtx, v: Value) -> None:
    CALLS["unlink"].append((optctx.get_key_name(), optctx.get_db_id()))


def dt2_free(v: Value) -> None:
    CALLS["free"].append(v.intval)


def dt2_mem_usage2(optctx: rm.KeyOptCtx, v: Value, sample_size: int) -> int:
    CALLS["mem"].append(sample_size)
    return 2000 + v.intval


def dt2_free_effort2(optctx: rm.KeyOptCtx, v: Value) -> int:
    CALLS["free_effort"].append(optctx.get_key_name())
    return 1


def datatype2_set(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """DATATYPE2.SET key intval strval"""
    key = ctx.open_key(argv[1], rm.WRITE)
    key.module_type_set_value(DT2, Value(int(argv[2]), argv[3]))
    return ctx.reply_with_simple_string("OK")


def datatype2_calls(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """DATATYPE2.CALLS name: the recorded calls of one callback, as text; clears them."""
    name = argv[1].decode()
    got = CALLS[name]
    CALLS[name] = []
    ctx.reply_with_array(len(got))
    for x in got:
        ctx.reply_with_string(repr(x))
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    global DT, DT2
    if ctx.init("datatype", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    ctx.set_module_options(rm.OPTIONS_HANDLE_IO_ERRORS)
    DT = ctx.create_data_type("test___dt", 1, rm.TypeMethods(
        rdb_load=dt_rdb_load, rdb_save=dt_rdb_save, copy=dt_copy, digest=dt_digest, mem_usage=dt_mem_usage))
    DT2 = ctx.create_data_type("dtv2type1", 2, {
        "rdb_load": dt_rdb_load, "rdb_save": dt_rdb_save, "copy2": dt2_copy2, "unlink2": dt2_unlink2,
        "free": dt2_free, "mem_usage2": dt2_mem_usage2, "free_effort2": dt2_free_effort2})
    if DT is None or DT2 is None:
        return rm.ERR
    for name, fn, flags in (("datatype.set", datatype_set, "write deny-oom"), ("datatype.get", datatype_get, ""),
                            ("datatype.dump", datatype_dump, ""), ("datatype.restore", datatype_restore, "write"),
                            ("datatype.swap", datatype_swap, "write"),
                            ("datatype.replace", datatype_replace_wrong, "write"),
                            ("datatype2.set", datatype2_set, "write"), ("datatype2.calls", datatype2_calls, "")):
        if ctx.create_command(name, fn, flags, 1 if name not in ("datatype2.calls",) else 0,
                              2 if name == "datatype.swap" else (1 if name != "datatype2.calls" else 0),
                              1 if name != "datatype2.calls" else 0) == rm.ERR:
            return rm.ERR
    return rm.OK
