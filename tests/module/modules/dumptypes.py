"""Module types whose rdb_save matches C types loaded into Redis 7.4.1 for the DUMP
comparison in test_datatype.py."""

from __future__ import annotations

import numpy as np

from moredis import module as rm

TYPES: dict[bytes, rm.ModuleType] = {}


def _load_int(io: rm.IO, encver: int) -> int:
    return io.load_signed()


def _save_int(io: rm.IO, v: int) -> None:
    io.save_signed(v)


def _load_all(io: rm.IO, encver: int) -> tuple:
    return (io.load_unsigned(), io.load_signed(), io.load_string(), io.load_string(), io.load_double(),
            io.load_float(), io.load_long_double(), io.load_string(), io.load_string())


def _save_all(io: rm.IO, v: object) -> None:
    io.save_unsigned(300)
    io.save_signed(-1)
    io.save_string_buffer(b"123")
    io.save_string_buffer(b"hello world")
    io.save_double(1.5)
    io.save_float(2.5)
    io.save_long_double(np.longdouble("0.1"))
    io.save_string_buffer(b"")
    io.save_string_buffer(b"-5")


def tset(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """T.SET key type value"""
    v = int(argv[3]) if argv[2] != b"6" else ()
    ctx.open_key(argv[1], rm.WRITE).module_type_set_value(TYPES[argv[2]], v)
    return ctx.reply_with_simple_string("OK")


def tget(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """T.GET key: the value, as text."""
    key = ctx.open_key(argv[1], rm.READ)
    return ctx.reply_with_string(repr(key.module_type_get_value()))


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("dumptypes", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    TYPES[b"1"] = ctx.create_data_type("probetyp1", 0, {"rdb_load": _load_int, "rdb_save": _save_int})
    TYPES[b"2"] = ctx.create_data_type("probetyp2", 3, {"rdb_load": _load_int, "rdb_save": _save_int})
    TYPES[b"6"] = ctx.create_data_type("probetyp6", 2, {"rdb_load": _load_all, "rdb_save": _save_all})
    ctx.create_command("t.set", tset, "write", 1, 1, 1)
    ctx.create_command("t.get", tget, "", 1, 1, 1)
    return rm.OK
