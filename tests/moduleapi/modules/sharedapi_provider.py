"""Test module: exports a shared API (RedisModule_ExportSharedAPI)."""

from moredis import module as rm


def add(a, b):
    return a + b


def on_load(ctx, args):
    if ctx.init("provider", 3, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    if ctx.export_shared_api("provider.add", add) == rm.ERR:
        return rm.ERR
    assert ctx.export_shared_api("provider.add", add) == rm.ERR  # names are unique
    for level in ("debug", "verbose", "notice", "warning"):
        ctx.log(level, "loaded at %s level with %d args", level, len(args))
    return rm.OK
