"""CF.* commands: thin handlers over cuckoo.CuckooFilter, with RedisBloom 2.8's argument
parsing, replies and error texts (several of which carry no "ERR" prefix).

Neighbours: cuckoo.py (the filter), commands_bf.py (shared key helpers and `Types`).
"""

from __future__ import annotations

from moredis import module as rm
from moredis.modules.bloom.commands_bf import (
    ST_EMPTY,
    ST_OK,
    Types,
    arg_index,
    is_resp3,
    lookup,
    status_error,
    to_ll,
)
from moredis.modules.bloom.cuckoo import INSERTED, MAX_EXPANSIONS, NOSPACE, CuckooFilter, cuckoo_hash

CF_DEFAULT_CAPACITY = 1024
CF_DEFAULT_BUCKETSIZE = 2
CF_DEFAULT_MAXITERATIONS = 20
CF_DEFAULT_EXPANSION = 1
_HEADER_LEN = 38

_RW = rm.READ | rm.WRITE
_READ = rm.READ


def _open(T: Types, ctx: rm.Ctx, name: bytes, mode: int):
    key = ctx.open_key(name, mode)
    st, cf = lookup(key, T.cf)
    return key, st, cf


def _create(T: Types, key, capacity: int, bucket_size: int, max_iterations: int, expansion: int) -> CuckooFilter:
    cf = CuckooFilter.create(capacity, bucket_size, max_iterations, expansion)
    key.module_type_set_value(T.cf, cf)
    return cf


def _ranged_option(argv: list[bytes], word: bytes, default: int, lo: int, hi: int):
    """One CF.RESERVE option found by RMUtil_ArgIndex: (value, error text or None)."""
    i = arg_index(argv, word)
    if i == -1:
        return default, None
    v = to_ll(argv[i + 1]) if i + 1 < len(argv) else None
    name = word.decode().upper()
    if v is None:
        return 0, f"Couldn't parse {name}"
    if not lo <= v <= hi:
        return 0, f"{name}: value must be an integer between {lo} and {hi}, inclusive."
    return v, None


def cf_reserve(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.RESERVE key capacity [BUCKETSIZE n] [MAXITERATIONS n] [EXPANSION n]"""
    argc = len(argv)
    if argc < 3 or argc % 2 == 0:
        return ctx.wrong_arity()
    capacity = to_ll(argv[2])
    if capacity is None:
        return ctx.reply_with_error("Bad capacity")
    maxit, err = _ranged_option(argv, b"maxiterations", CF_DEFAULT_MAXITERATIONS, 1, 65535)
    if err is None:
        bsize, err = _ranged_option(argv, b"bucketsize", CF_DEFAULT_BUCKETSIZE, 1, 255)
    if err is None:
        expansion, err = _ranged_option(argv, b"expansion", CF_DEFAULT_EXPANSION, 0, 32768)
    if err is not None:
        return ctx.reply_with_error(err)
    if bsize * 2 > capacity:
        return ctx.reply_with_error("Capacity must be at least (BucketSize * 2)")
    key, st, _ = _open(T, ctx, argv[1], _RW)
    if st != ST_EMPTY:
        return ctx.reply_with_error(status_error(st))
    _create(T, key, capacity, bsize, maxit, expansion)
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def _insert_common(T: Types, ctx: rm.Ctx, name: bytes, items: list[bytes], capacity: int, nx: bool,
                   autocreate: bool, multi: bool) -> int:
    """cfInsertCommon. The array forms answer -1 for an item that found no room; under
    RESP3 CF.INSERT answers booleans, CF.INSERTNX keeps integers."""
    key, st, cf = _open(T, ctx, name, _RW)
    if st == ST_EMPTY and autocreate:
        cf = _create(T, key, capacity, CF_DEFAULT_BUCKETSIZE, CF_DEFAULT_MAXITERATIONS, CF_DEFAULT_EXPANSION)
    elif st != ST_OK:
        return ctx.reply_with_error(status_error(st))
    if len(cf.filters) >= MAX_EXPANSIONS:
        return ctx.reply_with_error("Maximum expansions reached")
    if not multi:
        h = cuckoo_hash(items[0])
        rv = cf.insert_unique(h) if nx else cf.insert(h)
        if rv == NOSPACE:
            return ctx.reply_with_error("Filter is full")
        ctx.reply_with_bool(rv == INSERTED)
        ctx.replicate_verbatim()
        return rm.OK
    bools = not nx and is_resp3(ctx)
    ctx.reply_with_array(len(items))
    for item in items:
        h = cuckoo_hash(item)
        rv = cf.insert_unique(h) if nx else cf.insert(h)
        if bools:
            ctx.reply_with_bool(rv == INSERTED)
        else:
            ctx.reply_with_long_long(rv)
    ctx.replicate_verbatim()
    return rm.OK


def cf_add(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.ADD key item / CF.ADDNX key item"""
    if len(argv) != 3:
        return ctx.wrong_arity()
    nx = argv[0][-1:].lower() == b"x"
    return _insert_common(T, ctx, argv[1], argv[2:3], CF_DEFAULT_CAPACITY, nx, True, False)


def cf_insert(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.INSERT / CF.INSERTNX key [CAPACITY c] [NOCREATE] ITEMS item...: options told
    apart by their first letter."""
    argc = len(argv)
    nx = argv[0][-1:].lower() == b"x"
    if argc < 4:
        return ctx.wrong_arity()
    capacity = CF_DEFAULT_CAPACITY
    autocreate = True
    items = -1
    pos = 2
    while pos < argc and items < 0:
        c0 = argv[pos][:1].lower()
        if c0 == b"c":
            pos += 1
            if pos == argc:
                return ctx.wrong_arity()
            v = to_ll(argv[pos])
            if v is None:
                return ctx.reply_with_error("Bad capacity")
            if v < 2 * CF_DEFAULT_BUCKETSIZE:
                return ctx.reply_with_error("Capacity must be at least (BucketSize * 2)")
            capacity = v
            pos += 1
        elif c0 == b"i":
            pos += 1
            items = pos
        elif c0 == b"n":
            autocreate = False
            pos += 1
        else:
            return ctx.reply_with_error("Unknown argument received")
    if items < 0 or items == argc:
        return ctx.wrong_arity()
    return _insert_common(T, ctx, argv[1], argv[items:], capacity, nx, autocreate, True)


def cf_exists(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.EXISTS key item: false for a missing key or another type."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, cf = lookup(key, T.cf)
    return ctx.reply_with_bool(st == ST_OK and cf.check(cuckoo_hash(argv[2])))


def cf_mexists(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.MEXISTS key item [item ...]"""
    if len(argv) < 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, cf = lookup(key, T.cf)
    ctx.reply_with_array(len(argv) - 2)
    for item in argv[2:]:
        ctx.reply_with_bool(st == ST_OK and cf.check(cuckoo_hash(item)))
    return rm.OK


def cf_count(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.COUNT key item: fingerprint matches (0 for a missing key or another type)."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, cf = lookup(key, T.cf)
    return ctx.reply_with_long_long(cf.count(cuckoo_hash(argv[2])) if st == ST_OK else 0)


def cf_del(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.DEL key item"""
    if len(argv) != 3:
        return ctx.wrong_arity()
    _key, st, cf = _open(T, ctx, argv[1], _RW)
    if st != ST_OK:
        return ctx.reply_with_error("Not found")
    ctx.replicate_verbatim()
    return ctx.reply_with_bool(cf.delete(cuckoo_hash(argv[2])))


def cf_compact(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.COMPACT key: move fingerprints into older sub-filters, drop emptied ones."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    _key, st, cf = _open(T, ctx, argv[1], _RW)
    if st != ST_OK:
        return ctx.reply_with_error("Cuckoo filter was not found")
    cf.compact(True)
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def cf_info(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.INFO key: a map under RESP3."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, cf = lookup(key, T.cf)
    if st != ST_OK:
        return ctx.reply_with_error(status_error(st))
    fields = (("Size", cf.mem_usage()), ("Number of buckets", cf.num_buckets),
              ("Number of filters", len(cf.filters)), ("Number of items inserted", cf.items),
              ("Number of items deleted", cf.deletes), ("Bucket size", cf.bucket_size),
              ("Expansion rate", cf.expansion), ("Max iterations", cf.max_iterations))
    if is_resp3(ctx):
        ctx.reply_with_map(len(fields))
    else:
        ctx.reply_with_array(2 * len(fields))
    for name, value in fields:
        ctx.reply_with_simple_string(name)
        ctx.reply_with_long_long(value)
    return rm.OK


def cf_debug(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.DEBUG key"""
    if len(argv) != 2:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _READ)
    st, cf = lookup(key, T.cf)
    if st != ST_OK:
        return ctx.reply_with_error(status_error(st))
    return ctx.reply_with_string(cf.debug_line())


def cf_scandump(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.SCANDUMP key iterator: 0 gives the header; [0, nil] for an empty filter and at
    the end."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    pos = to_ll(argv[2])
    if pos is None or pos < 0:
        return ctx.reply_with_error("Invalid position")
    key = ctx.open_key(argv[1], _READ)
    st, cf = lookup(key, T.cf)
    if st != ST_OK:
        return ctx.reply_with_error(status_error(st))
    ctx.reply_with_array(2)
    if not cf.items:
        ctx.reply_with_long_long(0)
        return ctx.reply_with_null()
    if pos == 0:
        ctx.reply_with_long_long(1)
        return ctx.reply_with_string_buffer(cf.header())
    got = cf.chunk(pos)
    if got is None:
        ctx.reply_with_long_long(0)
        return ctx.reply_with_null()
    ctx.reply_with_long_long(got[0])
    return ctx.reply_with_string_buffer(got[1])


def cf_loadchunk(T: Types, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CF.LOADCHUNK key iterator data: iterator 1 is the header (key must not exist)."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    key, st, cf = _open(T, ctx, argv[1], _RW)
    pos = to_ll(argv[2])
    if pos is None or pos == 0:
        return ctx.reply_with_error("Invalid position")
    blob = argv[3]
    if pos == 1:
        if st != ST_EMPTY:
            return ctx.reply_with_error(status_error(st))
        if len(blob) != _HEADER_LEN:
            return ctx.reply_with_error("Invalid header")
        new = CuckooFilter.from_header(blob)
        if new is None:
            return ctx.reply_with_error("Couldn't create filter!")
        key.module_type_set_value(T.cf, new)
        ctx.replicate_verbatim()
        return ctx.reply_with_simple_string("OK")
    if st != ST_OK:
        return ctx.reply_with_error(status_error(st))
    if not cf.load_chunk(pos, blob):
        return ctx.reply_with_error("Couldn't load chunk!")
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


COMMANDS = [
    ("cf.reserve", cf_reserve, "write deny-oom",
     "Creates an empty cuckoo filter with a starting capacity and tuning options."),
    ("cf.add", cf_add, "write deny-oom",
     "Adds an item to a cuckoo filter (duplicates allowed), creating the filter if needed."),
    ("cf.addnx", cf_add, "write deny-oom",
     "Adds an item to a cuckoo filter only when it does not seem to be there already."),
    ("cf.insert", cf_insert, "write deny-oom",
     "Adds items to a cuckoo filter, with options for how a missing filter gets created."),
    ("cf.insertnx", cf_insert, "write deny-oom",
     "Adds each item to a cuckoo filter unless it seems present, with creation options."),
    ("cf.exists", cf_exists, "readonly fast",
     "Tells whether an item may be present in a cuckoo filter."),
    ("cf.mexists", cf_mexists, "readonly fast",
     "Tells, for each of several items, whether it may be present in a cuckoo filter."),
    ("cf.count", cf_count, "readonly fast",
     "Estimates how many times an item was added to a cuckoo filter."),
    ("cf.del", cf_del, "write fast",
     "Removes one occurrence of an item from a cuckoo filter."),
    ("cf.compact", cf_compact, "readonly fast",
     "Moves items into older sub-filters of a cuckoo filter and frees emptied ones."),
    ("cf.info", cf_info, "readonly fast",
     "Reports a cuckoo filter's memory, buckets, sub-filters, counts and settings."),
    ("cf.debug", cf_debug, "readonly fast",
     "Describes a cuckoo filter's internal parameters in one line, for troubleshooting."),
    ("cf.scandump", cf_scandump, "readonly fast",
     "Reads a cuckoo filter out piece by piece, to be restored with CF.LOADCHUNK."),
    ("cf.loadchunk", cf_loadchunk, "write deny-oom",
     "Rebuilds a cuckoo filter from the pieces CF.SCANDUMP produced."),
]
