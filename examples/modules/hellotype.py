"""hellotype: a module data type, in Python (after Redis's modules/hellotype.c).

The type "hellotype" is an ordered list of 64-bit integers: elements are only ever
inserted, in place, so the list stays sorted. It shows what a type needs to live in
the keyspace like any other value: RDB save/load, AOF rewrite, MEMORY USAGE, DEBUG
DIGEST and freeing, plus a command blocking on a key until the type shows up there.

Commands: HELLOTYPE.INSERT key value, HELLOTYPE.RANGE key first count,
HELLOTYPE.LEN key, HELLOTYPE.BRANGE key first count timeout. As in the C original,
RANGE checks `first` but always starts from the lowest element.
"""

from __future__ import annotations

from bisect import bisect_left

from moredis import module as rm

HelloType: rm.ModuleType | None = None


class HelloTypeObject:
    """The value: the elements in ascending order."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[int] = []

    def insert(self, ele: int) -> None:
        """Before the first element not smaller than `ele`, as the C linked list does."""
        self.items.insert(bisect_left(self.items, ele), ele)


def _open_typed(ctx: rm.Ctx, name: bytes) -> rm.Key | None:
    """The key opened for reading and writing, or None after a WRONGTYPE reply."""
    key = ctx.open_key(name, rm.READ | rm.WRITE)
    if key.type() != rm.KEYTYPE_EMPTY and key.module_type_get_type() is not HelloType:
        ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
        return None
    return key


def hellotype_insert(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLOTYPE.INSERT key value: insert a signed 64-bit integer, reply the length."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    key = _open_typed(ctx, argv[1])
    if key is None:
        return rm.OK
    value = rm.string_to_long_long(argv[2])
    if value is None:
        return ctx.reply_with_error("ERR invalid value: must be a signed 64 bit integer")
    if key.type() == rm.KEYTYPE_EMPTY:
        hto = HelloTypeObject()
        key.module_type_set_value(HelloType, hto)
    else:
        hto = key.module_type_get_value()
    hto.insert(value)
    ctx.signal_key_as_ready(argv[1])
    ctx.reply_with_long_long(len(hto.items))
    return ctx.replicate_verbatim()


def hellotype_range(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLOTYPE.RANGE key first count: up to `count` elements."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    key = _open_typed(ctx, argv[1])
    if key is None:
        return rm.OK
    first = rm.string_to_long_long(argv[2])
    count = rm.string_to_long_long(argv[3])
    if first is None or count is None or first < 0 or count < 0:
        return ctx.reply_with_error("ERR invalid first or count parameters")
    hto = key.module_type_get_value()
    items = hto.items[:count] if hto is not None else []
    ctx.reply_with_array(rm.POSTPONED_LEN)
    for v in items:
        ctx.reply_with_long_long(v)
    ctx.reply_set_array_length(len(items))
    return rm.OK


def hellotype_len(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLOTYPE.LEN key: the number of elements (0 for an empty key)."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    key = _open_typed(ctx, argv[1])
    if key is None:
        return rm.OK
    hto = key.module_type_get_value()
    return ctx.reply_with_long_long(len(hto.items) if hto is not None else 0)


def _brange_reply(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """The key we wait on is ready: serve the client if it now holds our type."""
    key = ctx.open_key(ctx.get_blocked_client_ready_key(), rm.READ)
    ok = key is not None and key.type() == rm.KEYTYPE_MODULE and key.module_type_get_type() is HelloType
    if key is not None:
        key.close()
    if not ok:
        return rm.ERR
    return hellotype_range(ctx, argv[:4])


def _brange_timeout(ctx: rm.Ctx, argv: list[bytes]) -> int:
    return ctx.reply_with_simple_string("Request timedout")


def _brange_free(ctx: rm.Ctx, privdata: object) -> None:
    """Nothing to release in Python; kept to show where C frees the private data."""


def hellotype_brange(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLOTYPE.BRANGE key first count timeout: RANGE, waiting up to `timeout` ms (0:
    forever) for the key to hold a hellotype value."""
    if len(argv) != 5:
        return ctx.wrong_arity()
    key = _open_typed(ctx, argv[1])
    if key is None:
        return rm.OK
    timeout = rm.string_to_long_long(argv[4])
    if timeout is None:
        return ctx.reply_with_error("ERR invalid timeout parameter")
    if key.type() != rm.KEYTYPE_EMPTY:
        return hellotype_range(ctx, argv[:4])
    ctx.block_client_on_keys(_brange_reply, _brange_timeout, _brange_free, timeout, [argv[1]], bytearray(100))
    return rm.OK


# --- type methods --------------------------------------------------------------------------
def hellotype_rdb_load(io: rm.IO, encver: int) -> HelloTypeObject | None:
    if encver != 0:
        return None
    hto = HelloTypeObject()
    for _ in range(io.load_unsigned()):
        hto.insert(io.load_signed())
    return hto


def hellotype_rdb_save(io: rm.IO, hto: HelloTypeObject) -> None:
    io.save_unsigned(len(hto.items))
    for v in hto.items:
        io.save_signed(v)


def hellotype_aof_rewrite(aof: rm.IO, key: bytes, hto: HelloTypeObject) -> None:
    for v in hto.items:
        aof.emit_aof("HELLOTYPE.INSERT", "sl", key, v)


def hellotype_mem_usage(hto: HelloTypeObject) -> int:
    """What the C structures take: a 16-byte header and a 16-byte node per element."""
    return 16 + 16 * len(hto.items)


def hellotype_digest(md: rm.Digest, hto: HelloTypeObject) -> None:
    for v in hto.items:
        md.add_long_long(v)
    md.end_sequence()


def hellotype_free(hto: HelloTypeObject) -> None:
    hto.items = []


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    global HelloType
    if ctx.init("hellotype", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    HelloType = ctx.create_data_type("hellotype", 0, rm.TypeMethods(
        rdb_load=hellotype_rdb_load, rdb_save=hellotype_rdb_save, aof_rewrite=hellotype_aof_rewrite,
        mem_usage=hellotype_mem_usage, free=hellotype_free, digest=hellotype_digest))
    if HelloType is None:
        return rm.ERR
    for name, fn, flags in (("hellotype.insert", hellotype_insert, "write deny-oom"),
                            ("hellotype.range", hellotype_range, "readonly"),
                            ("hellotype.len", hellotype_len, "readonly"),
                            ("hellotype.brange", hellotype_brange, "readonly")):
        if ctx.create_command(name, fn, flags, 1, 1, 1) == rm.ERR:
            return rm.ERR
    return rm.OK
