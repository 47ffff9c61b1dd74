"""A second module with a config of its own (after moduleconfigstwo.c)."""

from moredis import module as rm

vals = {"test": True}


def on_load(ctx, args):
    if ctx.init("configs", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    ctx.register_bool_config("test", True, 0, lambda n, pd: vals[n], lambda n, v, pd: vals.__setitem__(n, v))
    return ctx.load_configs()
