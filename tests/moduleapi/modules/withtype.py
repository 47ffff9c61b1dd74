"""Test module with a data type (unload is refused while it is loaded)."""

from moredis import module as rm


def on_load(ctx, args):
    if ctx.init("withtype", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    return rm.OK if ctx.create_data_type("withtype1", 0, rm.TypeMethods()) is not None else rm.ERR
