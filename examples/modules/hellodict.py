"""hellodict: a volatile key-value store on a module dictionary, in Python (after Redis's
modules/hellodict.c).

The store is one rm.Dict kept by the module, outside the keyspace (nothing is saved or
replicated). Commands: HELLODICT.SET key value, HELLODICT.GET key,
HELLODICT.KEYRANGE startkey endkey count. As in the C original, SET uses DictSet,
which does not replace a key already stored: the first value stays.
"""

from __future__ import annotations

from moredis import module as rm

Keyspace: rm.Dict | None = None


def hellodict_set(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLODICT.SET key value"""
    if len(argv) != 3:
        return ctx.wrong_arity()
    Keyspace.set(argv[1], argv[2])  # type: ignore[union-attr]
    return ctx.reply_with_simple_string("OK")


def hellodict_get(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLODICT.GET key: the value, or a null reply."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    val = Keyspace.get(argv[1])  # type: ignore[union-attr]
    if val is None:
        return ctx.reply_with_null()
    return ctx.reply_with_string(val)


def hellodict_keyrange(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLODICT.KEYRANGE startkey endkey count: up to `count` keys between startkey
    and endkey (both included), in lexicographic order."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    count = rm.string_to_long_long(argv[3])
    if count is None:
        return ctx.reply_with_error("ERR invalid count")
    it = Keyspace.iterator(">=", argv[1])  # type: ignore[union-attr]
    n = 0
    ctx.reply_with_array(rm.POSTPONED_LEN)
    while (item := it.next()) is not None:
        if n >= count or not it.compare("<=", argv[2]):
            break
        ctx.reply_with_string(item[0])
        n += 1
    ctx.reply_set_array_length(n)
    it.stop()
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    global Keyspace
    if ctx.init("hellodict", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn, flags in (("hellodict.set", hellodict_set, "write deny-oom"),
                            ("hellodict.get", hellodict_get, "readonly"),
                            ("hellodict.keyrange", hellodict_keyrange, "readonly")):
        if ctx.create_command(name, fn, flags, 1, 1, 0) == rm.ERR:
            return rm.ERR
    Keyspace = rm.create_dict()
    return rm.OK
