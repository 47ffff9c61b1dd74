"""tally: the module built step by step in docs/modules.md.

A key of type "tallytype" holds named counters (a tally): a small map of field -> signed
64-bit integer, kept by the module as a Python dict. The module shows what a real data
type needs: persistence (RDB, DUMP/RESTORE, AOF rewrite), replication, COPY, MEMORY
USAGE and DEBUG DIGEST, a blocking command, a keyspace notification subscription, a
config and an INFO section.

TALLY.INCRBY key field [increment]      add to a counter (created at 0); the increment
                                        defaults to the config tally.default-step
TALLY.GET key field                     the counter, or nil
TALLY.GETALL key                        every counter, as a map (a flat array in RESP2)
TALLY.RESET key field                   remove a counter (1 if it was there, else 0)
TALLY.WAIT key field target timeout     block until the counter reaches `target`
                                        (timeout in ms, 0 = forever); nil on timeout
TALLY.EVENTS                            the keyspace events the module has seen

Load it with `MODULE LOAD examples/modules/tutorial_tally.py` or
`moredis --loadmodule examples/modules/tutorial_tally.py`.
"""

from __future__ import annotations

import sys

from moredis import module as rm

# --- the value ----------------------------------------------------------------------------


class Tally:
    """The value stored under a key: field -> count."""

    __slots__ = ("counts",)

    def __init__(self, counts: dict[bytes, int] | None = None) -> None:
        self.counts: dict[bytes, int] = counts if counts is not None else {}


TallyType: rm.ModuleType | None = None  # set by on_load
default_step = 1                         # the tally.default-step config
events: dict[str, int] = {}              # keyspace events seen, by name
increments = 0                           # TALLY.INCRBY calls served

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
NOT_INTEGER = "ERR value is not an integer or out of range"


def open_tally(ctx: rm.Ctx, name: bytes, mode: int) -> tuple[rm.Key | None, Tally | None]:
    """The key and the tally it holds (None for an empty key). A key of another type
    raises the WRONGTYPE error, which becomes the command's reply."""
    key = ctx.open_key(name, mode)
    if key is None:                       # opened for reading only, and missing
        return None, None
    if key.type() == rm.KEYTYPE_EMPTY:
        return key, None
    if key.module_type_get_type() is not TallyType:
        raise rm.Error(rm.ERRORMSG_WRONGTYPE)
    return key, key.module_type_get_value()


# --- commands -----------------------------------------------------------------------------


def tally_incrby(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TALLY.INCRBY key field [increment]"""
    global increments
    if len(argv) not in (3, 4):
        return ctx.wrong_arity()
    name, field = argv[1], argv[2]
    by = default_step if len(argv) == 3 else rm.string_to_long_long(argv[3])
    if by is None:
        return ctx.reply_with_error(NOT_INTEGER)
    key, tally = open_tally(ctx, name, rm.READ | rm.WRITE)
    old = tally.counts.get(field, 0) if tally is not None else 0
    new = old + by
    if not INT64_MIN <= new <= INT64_MAX:
        return ctx.reply_with_error("ERR increment or decrement would overflow")
    if tally is None:
        tally = Tally()
        key.module_type_set_value(TallyType, tally)
    tally.counts[field] = new
    increments += 1
    # Replicas and the AOF get the increment actually applied, so that they do not
    # depend on their own tally.default-step.
    ctx.replicate("TALLY.INCRBY", "bbl", name, field, by)
    ctx.notify_keyspace_event(rm.NOTIFY_MODULE, "tally.incrby", name)
    ctx.signal_key_as_ready(name)         # wake TALLY.WAIT clients blocked on the key
    return ctx.reply_with_long_long(new)


def tally_get(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TALLY.GET key field"""
    if len(argv) != 3:
        return ctx.wrong_arity()
    _, tally = open_tally(ctx, argv[1], rm.READ)
    value = tally.counts.get(argv[2]) if tally is not None else None
    if value is None:
        return ctx.reply_with_null()
    return ctx.reply_with_long_long(value)


def tally_getall(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TALLY.GETALL key: a map in RESP3, field value field value ... in RESP2."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    _, tally = open_tally(ctx, argv[1], rm.READ)
    counts = tally.counts if tally is not None else {}
    ctx.reply_with_map(len(counts))
    for field in sorted(counts):
        ctx.reply_with_string(field)
        ctx.reply_with_long_long(counts[field])
    return rm.OK


def tally_reset(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TALLY.RESET key field: the last counter gone, the key goes too."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    key, tally = open_tally(ctx, argv[1], rm.READ | rm.WRITE)
    if tally is None or argv[2] not in tally.counts:
        return ctx.reply_with_long_long(0)
    del tally.counts[argv[2]]
    if not tally.counts:
        key.delete()
    ctx.replicate_verbatim()
    ctx.notify_keyspace_event(rm.NOTIFY_MODULE, "tally.reset", argv[1])
    return ctx.reply_with_long_long(1)


def _reached(ctx: rm.Ctx, argv: list[bytes]) -> int | None:
    """The counter TALLY.WAIT waits for, if it reached its target."""
    _, tally = open_tally(ctx, argv[1], rm.READ)
    value = tally.counts.get(argv[2]) if tally is not None else None
    target = rm.string_to_long_long(argv[3])
    return value if value is not None and value >= target else None


def _wait_ready(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """The key was signalled ready: reply if the target is reached (rm.OK ends the
    wait), else keep waiting (rm.ERR)."""
    try:
        value = _reached(ctx, argv)
    except rm.Error:                      # the key now holds another type: keep waiting
        return rm.ERR
    if value is None:
        return rm.ERR
    return ctx.reply_with_long_long(value)


def _wait_timeout(ctx: rm.Ctx, argv: list[bytes]) -> int:
    return ctx.reply_with_null()


def tally_wait(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TALLY.WAIT key field target timeout"""
    if len(argv) != 5:
        return ctx.wrong_arity()
    if rm.string_to_long_long(argv[3]) is None:
        return ctx.reply_with_error(NOT_INTEGER)
    timeout = rm.string_to_long_long(argv[4])
    if timeout is None or timeout < 0:
        return ctx.reply_with_error("ERR timeout is not an integer or out of range")
    value = _reached(ctx, argv)
    if value is not None:
        return ctx.reply_with_long_long(value)
    if ctx.get_context_flags() & rm.CTX_FLAGS_DENY_BLOCKING:
        return ctx.reply_with_null()      # in MULTI or a script: answer as a timeout, like BLPOP
    ctx.block_client_on_keys(_wait_ready, _wait_timeout, None, timeout, [argv[1]])
    return rm.OK


def tally_events(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TALLY.EVENTS: event name -> times seen."""
    if len(argv) != 1:
        return ctx.wrong_arity()
    ctx.reply_with_map(len(events))
    for name in sorted(events):
        ctx.reply_with_simple_string(name)
        ctx.reply_with_long_long(events[name])
    return rm.OK


# --- keyspace notifications, INFO, config -----------------------------------------------------


def on_keyspace_event(ctx: rm.Ctx, type: int, event: str, key: bytes) -> int:
    """Generic, expired and evicted events of every key: counted by name. Only reads
    module memory: a notification callback must not write to the keyspace."""
    events[event] = events.get(event, 0) + 1
    return rm.OK


def tally_info(ictx: rm.InfoCtx, for_crash_report: bool) -> None:
    """INFO tally: `tally_increments:<n>`, `tally_default_step:<n>` and the events seen."""
    if ictx.add_section("") == rm.ERR:
        return
    ictx.add_field_long_long("increments", increments)
    ictx.add_field_long_long("default_step", default_step)
    ictx.begin_dict_field("events")
    for name in sorted(events):
        ictx.add_field_long_long(name, events[name])
    ictx.end_dict_field()


def get_step(name: str, privdata: object) -> int:
    return default_step


def set_step(name: str, value: int, privdata: object) -> int:
    global default_step
    default_step = value
    return rm.OK


# --- type methods -------------------------------------------------------------------------------


def rdb_save(io: rm.IO, tally: Tally) -> None:
    io.save_unsigned(len(tally.counts))
    for field in sorted(tally.counts):
        io.save_string(field)
        io.save_signed(tally.counts[field])


def rdb_load(io: rm.IO, encver: int) -> Tally | None:
    if encver != 0:
        return None                       # a version this code cannot read: the load fails
    tally = Tally()
    for _ in range(io.load_unsigned()):
        field = io.load_string()
        tally.counts[field] = io.load_signed()
    return tally


def aof_rewrite(aof: rm.IO, key: bytes, tally: Tally) -> None:
    for field in sorted(tally.counts):
        aof.emit_aof("TALLY.INCRBY", "bbl", key, field, tally.counts[field])


def mem_usage(tally: Tally) -> int:
    return sys.getsizeof(tally.counts) + sum(sys.getsizeof(f) + 32 for f in tally.counts)


def digest(md: rm.Digest, tally: Tally) -> None:
    for field in sorted(tally.counts):
        md.add_string_buffer(field)
        md.add_long_long(tally.counts[field])
        md.end_sequence()


def copy(fromkey: bytes, tokey: bytes, tally: Tally) -> Tally:
    return Tally(dict(tally.counts))


# --- loading ------------------------------------------------------------------------------------

COMMANDS = (
    # name, handler, flags, first key, last key, key step, arity, summary
    ("tally.incrby", tally_incrby, "write deny-oom fast", 1, 1, 1, -3, "Adds to a counter of a tally."),
    ("tally.get", tally_get, "readonly fast", 1, 1, 1, 3, "Returns a counter of a tally."),
    ("tally.getall", tally_getall, "readonly", 1, 1, 1, 2, "Returns every counter of a tally."),
    ("tally.reset", tally_reset, "write fast", 1, 1, 1, 3, "Removes a counter from a tally."),
    ("tally.wait", tally_wait, "readonly blocking", 1, 1, 1, 5, "Waits until a counter reaches a value."),
    ("tally.events", tally_events, "readonly fast", 0, 0, 0, 1, "Returns the keyspace events seen."),
)


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    global TallyType
    if ctx.init("tally", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    TallyType = ctx.create_data_type("tallytype", 0, rm.TypeMethods(
        rdb_load=rdb_load, rdb_save=rdb_save, aof_rewrite=aof_rewrite, mem_usage=mem_usage,
        digest=digest, copy=copy))
    if TallyType is None:
        return rm.ERR
    for name, fn, flags, first, last, step, arity, summary in COMMANDS:
        if ctx.create_command(name, fn, flags, first, last, step) == rm.ERR:
            return rm.ERR
        cmd_info = rm.CommandInfo(summary=summary, since="1.0.0", arity=arity)
        if ctx.get_command(name).set_command_info(cmd_info) == rm.ERR:
            return rm.ERR
    if ctx.register_numeric_config("default-step", 1, rm.CONFIG_DEFAULT, 1, 1_000_000,
                                   get_step, set_step) == rm.ERR:
        return rm.ERR
    if ctx.load_configs() == rm.ERR:
        return rm.ERR
    ctx.subscribe_to_keyspace_events(rm.NOTIFY_GENERIC | rm.NOTIFY_EXPIRED | rm.NOTIFY_EVICTED,
                                     on_keyspace_event)
    ctx.register_info_func(tally_info)
    return rm.OK


def on_unload(ctx: rm.Ctx) -> int:
    events.clear()
    return rm.OK
