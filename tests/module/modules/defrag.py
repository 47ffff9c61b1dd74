"""Test module for the defrag registrations (after Redis's tests/modules/defragtest.c)."""

from __future__ import annotations

from moredis import module as rm


def global_defrag(dctx: rm.DefragCtx) -> None:
    dctx.should_stop()


def type_defrag(dctx: rm.DefragCtx, key: bytes, value: object) -> int:
    return 0


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("defragtest", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    if ctx.create_data_type("frag_type", 0, {"defrag": type_defrag, "rdb_save": lambda io, v: None,
                                              "rdb_load": lambda io, e: None}) is None:
        return rm.ERR
    if ctx.register_defrag_func(global_defrag) == rm.ERR:
        return rm.ERR
    if ctx.register_defrag_callbacks(lambda d: None, lambda d: None) == rm.ERR:
        return rm.ERR
    return rm.OK
