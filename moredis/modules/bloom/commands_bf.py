"""BF.* commands: thin handlers over bloom.SBChain, with RedisBloom 2.8's argument
parsing, replies (booleans under RESP3) and error texts.

The key helpers (`lookup`, `status_error`, `arg_index`, `is_resp3`) are shared with
commands_cf.py. Neighbours: bloom.py (the filter), __init__.py (registration and the
data types, handed to every handler as a `Types`).
"""

from __future__ import annotations

from typing import Any

from moredis import module as rm
from moredis.modules.bloom.bloom import ADD_ERR, ADD_FULL, OPT_FORCE64, OPT_NO_SCALING, OPT_NOROUND, SBChain


class Types:
    """The data types of one loaded instance of the module (a process may run several
    servers, each with its own): handlers get it as their first argument."""

    __slots__ = ("bf", "cf")

    def __init__(self, bf: Any, cf: Any) -> None:
        self.bf = bf
        self.cf = cf


BF_DEFAULT_ERROR = 0.01
BF_DEFAULT_CAPACITY = 100
BF_DEFAULT_EXPANSION = 2

# lookup statuses (rebloom.c's lookupStatus)
ST_OK = 0
ST_MISSING = 1
ST_EMPTY = 2
ST_MISMATCH = 3

_STATUS_ERR = {ST_MISSING: "ERR not found", ST_EMPTY: "ERR not found", ST_MISMATCH: rm.ERRORMSG_WRONGTYPE,
               ST_OK: "ERR item exists"}

_KEYTYPE_EMPTY = rm.KEYTYPE_EMPTY
_RW = rm.READ | rm.WRITE
_READ = rm.READ


def lookup(key: Any, mt: Any) -> tuple[int, Any]:
    """getValue: the status of a key for the expected module type, and the value."""
    if key is None:
        return ST_MISSING, None
    if key.module_type_get_type() is mt:
        return ST_OK, key.module_type_get_value()
    if key.type() == _KEYTYPE_EMPTY:
        return ST_EMPTY, None
    return ST_MISMATCH, None


def status_error(st: int) -> str:
    return _STATUS_ERR[st]


def arg_index(argv: list[bytes], word: bytes) -> int:
    """RMUtil_ArgIndex: the first argument (the command name and key included) equal to
    `word` ignoring case, or -1."""
    n = len(word)
    for i, a in enumerate(argv):
        if len(a) == n and a.lower() == word:
            return i
    return -1


def is_resp3(ctx: rm.Ctx) -> bool:
    return bool(ctx.get_context_flags() & rm.CTX_FLAGS_RESP3)


def to_ll(s: bytes) -> int | None:
    return rm.string_to_long_long(s)


def to_double(s: bytes) -> float | None:
    return rm.string_to_double(s)


def _get_chain(T: Types, ctx: rm.Ctx, name: bytes, mode: int) -> tuple[Any, int, SBChain | None]:
    key = ctx.open_key(name, mode)
    st, sb = lookup(key, T.bf)
    return key, st, sb


def _create_chain(T: Types, key: Any, error: float, capacity: int, expansion: int, nonscaling: int) -> SBChain | None:
    """bfCreateChain: 64-bit hashing, no power-of-two rounding."""
    sb = SBChain.create(capacity, error, OPT_FORCE64 | OPT_NOROUND | nonscaling, expansion)
    if sb is not None:
        key.module_type_set_value(T.bf, sb)
    return sb


# --- BF.RESERVE ------------------------------------------------------------------------------

def bf_reserve(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.RESERVE key error_rate capacity [EXPANSION expansion] [NONSCALING]. Options are
    found anywhere in argv (the key too), as RMUtil_ArgIndex does."""
    argc = len(argv)
    if argc < 4 or argc > 7:
        return ctx.wrong_arity()
    error = to_double(argv[2])
    if error is None:
        return ctx.reply_with_error("ERR bad error rate")
    if not 0 < error < 1:
        return ctx.reply_with_error("ERR (0 < error rate range < 1) ")
    capacity = to_ll(argv[3])
    if capacity is None:
        return ctx.reply_with_error("ERR bad capacity")
    if capacity <= 0:
        return ctx.reply_with_error("ERR (capacity should be larger than 0)")
    nonscaling = OPT_NO_SCALING if arg_index(argv, b"nonscaling") != -1 else 0
    expansion = BF_DEFAULT_EXPANSION
    ex = arg_index(argv, b"expansion")
    if ex + 1 == argc:
        return ctx.reply_with_error("ERR no expansion")
    if ex != -1:
        if nonscaling:
            return ctx.reply_with_error("Nonscaling filters cannot expand")
        v = to_ll(argv[ex + 1])
        if v is None:
            return ctx.reply_with_error("ERR bad expansion")
        if v < 1:
            return ctx.reply_with_error("ERR expansion should be greater or equal to 1")
        expansion = v
    key, st, _ = _get_chain(T, ctx, argv[1], _RW)
    if st != ST_EMPTY:
        return ctx.reply_with_error(_STATUS_ERR[st])
    if _create_chain(T, key, error, capacity, expansion, nonscaling) is None:
        ctx.reply_with_error("ERR could not create filter")
    else:
        ctx.reply_with_simple_string("OK")
    ctx.replicate_verbatim()
    return rm.OK


# --- BF.ADD / BF.MADD / BF.INSERT ----------------------------------------------------------------

def bf_add(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.ADD key item: the hot path, so it does the insert common part inline."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _RW)
    st, sb = lookup(key, T.bf)
    if st == ST_EMPTY:
        sb = _create_chain(T, key, BF_DEFAULT_ERROR, BF_DEFAULT_CAPACITY, BF_DEFAULT_EXPANSION, 0)
        if sb is None:
            return ctx.reply_with_error("ERR could not create filter")
    elif st != ST_OK:
        return ctx.reply_with_error(_STATUS_ERR[st])
    rv = sb.add(argv[2])
    if rv == ADD_FULL:
        ctx.reply_with_error("ERR non scaling filter is full")
    elif rv == ADD_ERR:
        ctx.reply_with_error("ERR problem inserting into filter")
    else:
        ctx.reply_with_bool(rv == 1)
    ctx.replicate_verbatim()
    return rm.OK


def _insert_common(T: Types, ctx: rm.Ctx, name: bytes, items: list[bytes], capacity: int, error: float,
                   expansion: int, nonscaling: int, autocreate: bool) -> int:
    """bfInsertCommon for the array forms: one reply per item; a full non-scaling filter
    ends the array with its error, other failures are reported in place."""
    key, st, sb = _get_chain(T, ctx, name, _RW)
    if st == ST_EMPTY and autocreate:
        sb = _create_chain(T, key, error, capacity, expansion, nonscaling)
        if sb is None:
            return ctx.reply_with_error("ERR could not create filter")
    elif st != ST_OK:
        return ctx.reply_with_error(_STATUS_ERR[st])
    assert sb is not None
    out: list[int] = []
    for item in items:
        rv = sb.add(item)
        out.append(rv)
        if rv == ADD_FULL:
            break
    ctx.reply_with_array(len(out))
    for rv in out:
        if rv == ADD_FULL:
            ctx.reply_with_error("ERR non scaling filter is full")
        elif rv == ADD_ERR:
            ctx.reply_with_error("ERR problem inserting into filter")
        else:
            ctx.reply_with_bool(rv == 1)
    ctx.replicate_verbatim()
    return rm.OK


def bf_madd(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.MADD key item [item ...]"""
    if len(argv) < 3:
        return ctx.wrong_arity()
    return _insert_common(T, ctx, argv[1], argv[2:], BF_DEFAULT_CAPACITY, BF_DEFAULT_ERROR,
                          BF_DEFAULT_EXPANSION, 0, True)


def bf_insert(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.INSERT key [CAPACITY c] [ERROR e] [EXPANSION x] [NOCREATE] [NONSCALING] ITEMS item...
    Options are told apart by their first letters only, as RedisBloom does ("ERR" is
    ERROR, "NX" is NONSCALING, "I" is ITEMS)."""
    argc = len(argv)
    if argc < 4:
        return ctx.wrong_arity()
    capacity = BF_DEFAULT_CAPACITY
    error = BF_DEFAULT_ERROR
    expansion = BF_DEFAULT_EXPANSION
    autocreate = True
    nonscaling = 0
    items = -1
    pos = 2
    while pos < argc and items < 0:
        a = argv[pos].lower()
        c0 = a[:1]
        if c0 == b"i":
            pos += 1
            items = pos
        elif c0 == b"e":
            pos += 1
            if pos == argc:
                return ctx.wrong_arity()
            if a[1:2] == b"r":
                v = to_double(argv[pos])
                if v is None:
                    return ctx.reply_with_error("Bad error rate")
                error = v
            else:
                n = to_ll(argv[pos])
                if n is None:
                    return ctx.reply_with_error("Bad expansion")
                expansion = n
            pos += 1
        elif c0 == b"c":
            pos += 1
            if pos == argc:
                return ctx.wrong_arity()
            n = to_ll(argv[pos])
            if n is None:
                return ctx.reply_with_error("Bad capacity")
            capacity = n
            pos += 1
        elif c0 == b"n":
            if a[2:3] == b"c":
                autocreate = False
            else:
                nonscaling = OPT_NO_SCALING
            pos += 1
        else:
            return ctx.reply_with_error("Unknown argument received")
    if items < 0 or items == argc:
        return ctx.wrong_arity()
    if not 0 < error < 1 or capacity < 1 or expansion < 1:
        return ctx.reply_with_error("Bad argument received")
    return _insert_common(T, ctx, argv[1], argv[items:], capacity, error, expansion, nonscaling, autocreate)


# --- BF.EXISTS / BF.MEXISTS / BF.CARD ---------------------------------------------------------------

def bf_exists(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.EXISTS key item: false for a missing key or another type."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, sb = lookup(key, T.bf)
    return ctx.reply_with_bool(st == ST_OK and sb.check(argv[2]))


def bf_mexists(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.MEXISTS key item [item ...]"""
    if len(argv) < 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, sb = lookup(key, T.bf)
    ctx.reply_with_array(len(argv) - 2)
    for item in argv[2:]:
        ctx.reply_with_bool(st == ST_OK and sb.check(item))
    return rm.OK


def bf_card(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.CARD key: items added (0 for a missing key)."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, sb = lookup(key, T.bf)
    if st == ST_OK:
        return ctx.reply_with_long_long(sb.size)
    if st == ST_MISMATCH:
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    return ctx.reply_with_long_long(0)


# --- BF.INFO / BF.DEBUG --------------------------------------------------------------------------

_INFO_FIELDS = {b"capacity": "Capacity", b"size": "Size", b"filters": "Number of filters",
                b"items": "Number of items inserted", b"expansion": "Expansion rate"}


def _info_value(ctx: rm.Ctx, sb: SBChain, field: bytes) -> None:
    if field == b"capacity":
        ctx.reply_with_long_long(sb.capacity())
    elif field == b"size":
        ctx.reply_with_long_long(sb.mem_usage())
    elif field == b"filters":
        ctx.reply_with_long_long(len(sb.filters))
    elif field == b"items":
        ctx.reply_with_long_long(sb.size)
    elif sb.options & OPT_NO_SCALING:
        ctx.reply_with_null()
    else:
        ctx.reply_with_long_long(sb.growth)


def bf_info(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.INFO key [CAPACITY|SIZE|FILTERS|ITEMS|EXPANSION]: a map under RESP3; one field is
    a one-element array under RESP2 (value only) and a one-entry map under RESP3."""
    argc = len(argv)
    if argc not in (2, 3):
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, sb = lookup(key, T.bf)
    if st != ST_OK:
        return ctx.reply_with_error(_STATUS_ERR[st])
    resp3 = is_resp3(ctx)
    if argc == 3:
        field = argv[2].lower()
        name = _INFO_FIELDS.get(field)
        if name is None:
            return ctx.reply_with_error("Invalid information value")
        if resp3:
            ctx.reply_with_map(1)
            ctx.reply_with_simple_string(name)
        else:
            ctx.reply_with_array(1)
        _info_value(ctx, sb, field)
        return rm.OK
    if resp3:
        ctx.reply_with_map(5)
    else:
        ctx.reply_with_array(10)
    for field, name in _INFO_FIELDS.items():
        ctx.reply_with_simple_string(name)
        _info_value(ctx, sb, field)
    return rm.OK


def bf_debug(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.DEBUG key: the chain's size, then one line per link."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, sb = lookup(key, T.bf)
    if st != ST_OK:
        return ctx.reply_with_error(_STATUS_ERR[st])
    lines = sb.debug_lines()
    ctx.reply_with_array(len(lines))
    for line in lines:
        ctx.reply_with_string(line)
    return rm.OK


# --- BF.SCANDUMP / BF.LOADCHUNK ------------------------------------------------------------------

def bf_scandump(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.SCANDUMP key iterator: iterator 0 gives the header (next iterator 1), then the
    bit arrays in chunks; [0, ""] at the end."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, sb = lookup(key, T.bf)
    if st != ST_OK:
        return ctx.reply_with_error(_STATUS_ERR[st])
    it = to_ll(argv[2])
    if it is None:
        return ctx.reply_with_error("Second argument must be numeric")
    ctx.reply_with_array(2)
    if it == 0:
        ctx.reply_with_long_long(1)
        ctx.reply_with_string_buffer(sb.header())
    else:
        nxt, data = sb.chunk(it)
        ctx.reply_with_long_long(nxt)
        ctx.reply_with_string_buffer(data)
    return rm.OK


def bf_loadchunk(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """BF.LOADCHUNK key iterator data: iterator 1 on a missing key is the header."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    it = to_ll(argv[2])
    if it is None:
        return ctx.reply_with_error("ERR Second argument must be numeric")
    buf = argv[3]
    key, st, sb = _get_chain(T, ctx, argv[1], _RW)
    if st == ST_EMPTY and it == 1:
        new = SBChain.from_header(buf)
        if new is None:
            return ctx.reply_with_error("ERR received bad data")
        key.module_type_set_value(T.bf, new)
        ctx.replicate_verbatim()
        return ctx.reply_with_simple_string("OK")
    if st != ST_OK:
        return ctx.reply_with_error(_STATUS_ERR[st])
    err = sb.load_chunk(it, buf)
    if err is not None:
        return ctx.reply_with_error(err)
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


COMMANDS = [
    ("bf.reserve", bf_reserve, "write deny-oom",
     "Creates an empty Bloom filter with a chosen false-positive rate and starting capacity."),
    ("bf.add", bf_add, "write deny-oom",
     "Adds one item to a Bloom filter, creating the filter with defaults when the key is missing."),
    ("bf.madd", bf_madd, "write deny-oom",
     "Adds several items to a Bloom filter, creating the filter with defaults when needed."),
    ("bf.insert", bf_insert, "write deny-oom",
     "Adds items to a Bloom filter, with options for how a missing filter gets created."),
    ("bf.exists", bf_exists, "readonly fast",
     "Tells whether an item may have been added to a Bloom filter."),
    ("bf.mexists", bf_mexists, "readonly fast",
     "Tells, for each of several items, whether it may have been added to a Bloom filter."),
    ("bf.card", bf_card, "readonly fast",
     "Returns how many items were added to a Bloom filter."),
    ("bf.info", bf_info, "readonly fast",
     "Reports a Bloom filter's capacity, memory, sub-filters, item count and growth factor."),
    ("bf.debug", bf_debug, "readonly fast",
     "Describes each sub-filter of a Bloom filter, for troubleshooting."),
    ("bf.scandump", bf_scandump, "readonly fast",
     "Reads a Bloom filter out piece by piece, to be restored with BF.LOADCHUNK."),
    ("bf.loadchunk", bf_loadchunk, "write deny-oom",
     "Rebuilds a Bloom filter from the pieces BF.SCANDUMP produced."),
]
