"""CMS.*, TOPK.* and TDIGEST.* commands: thin handlers over cms.py, topk.py and
tdigest.py with RedisBloom 2.8's argument checks, replies and error texts (rm_cms.c,
rm_topk.c, rm_tdigest.c). The errors are the module's own words: "CMS: ...", "TopK: ..."
without an ERR code, "ERR T-Digest: ..." with one.

Module commands have arity -1, so every handler checks its own argument count. No
handler raises keyspace events: RedisBloom's sketches raise none.
Neighbours: sketches.py (registration, binding each handler to its SketchTypes), cms.py, topk.py, tdigest.py.
"""

from __future__ import annotations

import math
from typing import Any

from moredis import module as rm
from moredis.modules.bloom.cms import CELL_MAX, CMSketch, dim_from_prob
from moredis.modules.bloom.tdigest import DEFAULT_COMPRESSION, OK, TDigest
from moredis.modules.bloom.topk import TopK, reply_item


class SketchTypes:
    """The three module types of one loading of the module (each server has its own): the
    handlers receive it first, bound by sketches.register."""

    __slots__ = ("cms", "tdigest", "topk")

    def __init__(self, cms: Any, topk: Any, tdigest: Any) -> None:
        self.cms = cms
        self.topk = topk
        self.tdigest = tdigest


LLONG_MAX = (1 << 63) - 1
UINT32_MAX = 0xFFFFFFFF
_RW = rm.READ | rm.WRITE
_READ = rm.READ
_WRITE = rm.WRITE
_EMPTY = rm.KEYTYPE_EMPTY
_WRONGTYPE = rm.ERRORMSG_WRONGTYPE
_LUA = rm.CTX_FLAGS_LUA
_to_ll = rm.string_to_long_long
_to_d = rm.string_to_double


def _ll(b: bytes) -> int | None:
    """RedisModule_StringToLongLong, with a shortcut for plain digits (the usual case)."""
    if b.isdigit() and len(b) < 19 and (b[0] != 48 or len(b) == 1):
        return int(b)
    return _to_ll(b)


def _dbl(b: bytes) -> float | None:
    """RedisModule_StringToDouble, with a shortcut for plain digits (strtod reads them the
    same way float() does)."""
    if b.isdigit() and len(b) < 300:
        return float(b)
    return _to_d(b)


def arg_index(args: list[bytes], word: bytes) -> int:
    """RMUtil_ArgIndex: the first argument equal to `word` ignoring case, or -1."""
    n = len(word)
    for i, a in enumerate(args):
        if len(a) == n and a.lower() == word:
            return i
    return -1


def _value(ctx: rm.Ctx, name: bytes, mode: int, mt: Any, missing: str) -> Any:
    """Open a key expected to hold a value of type `mt`: the value, or None after replying
    `missing` (empty key) or WRONGTYPE."""
    key = ctx.open_key(name, mode)
    if key is not None:
        if key.module_type_get_type() is mt:
            return key.module_type_get_value()
        if key.type() != _EMPTY:
            ctx.reply_with_error(_WRONGTYPE)
            return None
    ctx.reply_with_error(missing)
    return None


# --- Count-Min Sketch (rm_cms.c) -------------------------------------------------------------

CMS_MISSING = "CMS: key does not exist"


def cms_create(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CMS.INITBYDIM key width depth | CMS.INITBYPROB key error probability. The key is
    checked (any value, any type: "key already exists") before the arguments."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _RW)
    if key.type() != _EMPTY:
        return ctx.reply_with_error("CMS: key already exists")
    if argv[0].lower() == b"cms.initbydim":
        width = _to_ll(argv[2])
        if width is None or width < 1:
            return ctx.reply_with_error("CMS: invalid width")
        depth = _to_ll(argv[3])
        if depth is None or depth < 1:
            return ctx.reply_with_error("CMS: invalid depth")
    else:
        error = _to_d(argv[2])
        if error is None or not 0 < error < 1:
            return ctx.reply_with_error("CMS: invalid overestimation value")
        prob = _to_d(argv[3])
        if prob is None or not 0 < prob < 1:
            return ctx.reply_with_error("CMS: invalid prob value")
        width, depth = dim_from_prob(error, prob)
        if width > LLONG_MAX:
            width = width - (1 << 64)  # a size_t read back as a long long
    if width < 1 or depth < 1 or width > LLONG_MAX // depth:
        return ctx.reply_with_error("CMS: invalid init arguments")
    try:
        if width * depth * 4 > (1 << 64) - 1:
            raise MemoryError
        cms = CMSketch(width, depth)
    except (MemoryError, ValueError):
        return ctx.reply_with_error("CMS: Insufficient memory to create the key")
    key.module_type_set_value(types.cms, cms)
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def cms_incrby(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CMS.INCRBY key item increment [item increment ...]: every pair is parsed before any
    is counted; a count ending on a saturated cell replies an overflow error in place.
    The key is opened for reading only, as RedisBloom 2.8.2 does (see below)."""
    argc = len(argv)
    if argc < 4 or argc & 1:
        return ctx.wrong_arity()
    # RedisBloom 2.8.2 opens the key for reading only and counts in place: a keyspace hit,
    # and no modified-key signal (CMS.INCRBY does not break a WATCH)
    key = ctx.open_key(argv[1], _READ)
    if key is None:
        return ctx.reply_with_error(CMS_MISSING)
    cms = key.module_type_get_value() if key.module_type_get_type() is types.cms else None
    if cms is None:
        return ctx.reply_with_error(CMS_MISSING if key.type() == _EMPTY else _WRONGTYPE)
    if argc == 4:  # one pair: the common case, without the lists
        v = _ll(argv[3])
        if v is None:
            return ctx.reply_with_error("CMS: Cannot parse number")
        if v < 0:
            return ctx.reply_with_error("CMS: Number cannot be negative")
        n = cms.incrby(argv[2], v)
        ctx.reply_with_array(1)
        if n == CELL_MAX:
            ctx.reply_with_error("CMS: INCRBY overflow")
        else:
            ctx.reply_with_long_long(n)
        return ctx.replicate_verbatim()
    values = []
    for i in range(3, argc, 2):
        v = _ll(argv[i])
        if v is None:
            return ctx.reply_with_error("CMS: Cannot parse number")
        if v < 0:
            return ctx.reply_with_error("CMS: Number cannot be negative")
        values.append(v)
    ctx.reply_with_array(len(values))
    incr = cms.incrby
    for i, v in enumerate(values):
        n = incr(argv[2 + 2 * i], v)
        if n == CELL_MAX:
            ctx.reply_with_error("CMS: INCRBY overflow")
        else:
            ctx.reply_with_long_long(n)
    ctx.replicate_verbatim()
    return rm.OK


def cms_query(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CMS.QUERY key item [item ...]"""
    if len(argv) < 3:
        return ctx.wrong_arity()
    cms = _value(ctx, argv[1], _READ, types.cms, CMS_MISSING)
    if cms is None:
        return rm.OK
    ctx.reply_with_array(len(argv) - 2)
    q = cms.query
    for item in argv[2:]:
        ctx.reply_with_long_long(q(item))
    return rm.OK


def cms_merge(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CMS.MERGE destination numKeys source [source ...] [WEIGHTS weight [weight ...]]:
    the destination must exist; per source its weight is parsed, then the key checked,
    then its dimensions."""
    argc = len(argv)
    if argc < 4:
        return ctx.wrong_arity()
    mt = types.cms
    dest = _value(ctx, argv[1], _RW, mt, CMS_MISSING)
    if dest is None:
        return rm.OK
    numkeys = _to_ll(argv[2])
    if numkeys is None:
        return ctx.reply_with_error("CMS: invalid numkeys")
    rest = argv[3:]
    if numkeys <= 0:
        return ctx.reply_with_error("CMS: Number of keys must be positive")
    pos = arg_index(rest, b"weights")
    if pos < 0:
        if numkeys != len(rest):
            return ctx.reply_with_error("CMS: wrong number of keys")
    elif pos != numkeys or len(rest) != 1 + numkeys * 2:
        return ctx.reply_with_error("CMS: wrong number of keys/weights")
    sources = []
    weights = []
    for i in range(numkeys):
        if pos < 0:
            w = 1
        else:
            w = _to_ll(rest[numkeys + 1 + i])
            if w is None:
                return ctx.reply_with_error("CMS: invalid weight value")
        src = _value(ctx, rest[i], _READ, mt, CMS_MISSING)
        if src is None:
            return rm.OK
        if src.width != dest.width or src.depth != dest.depth:
            return ctx.reply_with_error("CMS: width/depth is not equal")
        sources.append(src)
        weights.append(w)
    if not dest.merge_from(sources, weights):
        return ctx.reply_with_error("CMS: MERGE overflow")
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def cms_info(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CMS.INFO key: width, depth and the total count (a map under RESP3)."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    cms = _value(ctx, argv[1], _READ, types.cms, CMS_MISSING)
    if cms is None:
        return rm.OK
    ctx.reply_with_map(3)
    ctx.reply_with_simple_string("width")
    ctx.reply_with_long_long(cms.width)
    ctx.reply_with_simple_string("depth")
    ctx.reply_with_long_long(cms.depth)
    ctx.reply_with_simple_string("count")
    return ctx.reply_with_long_long(cms.signed_counter)


# --- Top-K (rm_topk.c) ------------------------------------------------------------------------

TOPK_MISSING = "TopK: key does not exist"
TOPK_BAD_INCREMENT = ("TopK: increment must be an integer greater or equal to 0                            "
                      "and smaller or equal to 100,000")


def topk_reserve(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TOPK.RESERVE key topk [width depth decay] (defaults 8, 7, 0.9). k is kept as a
    uint32, so values past 2**32 wrap as in the C."""
    argc = len(argv)
    if argc != 3 and argc != 6:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _RW)
    if key.type() != _EMPTY:
        return ctx.reply_with_error("TopK: key already exists")
    k = _to_ll(argv[2])
    if k is None or k < 1:
        return ctx.reply_with_error("TopK: invalid k")
    if argc == 6:
        width = _to_ll(argv[3])
        if width is None or width < 1 or width > UINT32_MAX:
            return ctx.reply_with_error("TopK: invalid width")
        depth = _to_ll(argv[4])
        if depth is None or depth < 1 or depth > UINT32_MAX:
            return ctx.reply_with_error("TopK: invalid depth")
        decay = _to_d(argv[5])
        if decay is None or decay <= 0 or decay > 1:
            return ctx.reply_with_error("TopK: invalid decay value. must be '<= 1' & '> 0'")
    else:
        width, depth, decay = 8, 7, 0.9
    k &= UINT32_MAX
    try:
        if k == 0:
            raise MemoryError
        topk = TopK(k, width, depth, decay)
    except (MemoryError, ValueError):
        return ctx.reply_with_error("ERR Insufficient memory to create topk data structure")
    key.module_type_set_value(types.topk, topk)
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def topk_add(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TOPK.ADD key item [item ...]: per item the item it expelled from the top list (as a
    C string: up to a NUL byte) or null."""
    if len(argv) < 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _RW)
    topk = key.module_type_get_value() if key.module_type_get_type() is types.topk else None
    if topk is None:
        return ctx.reply_with_error(TOPK_MISSING if key.type() == _EMPTY else _WRONGTYPE)
    if len(argv) == 3:  # one item: the common case
        out = topk.add(argv[2], 1)
        ctx.reply_with_array(1)
        if out is None or (out := reply_item(out)) is None:
            ctx.reply_with_null()
        else:
            ctx.reply_with_string_buffer(out)
        return ctx.replicate_verbatim()
    ctx.reply_with_array(len(argv) - 2)
    add = topk.add
    for item in argv[2:]:
        out = add(item, 1)
        if out is None:
            ctx.reply_with_null()
        else:
            out = reply_item(out)
            if out is None:
                ctx.reply_with_null()
            else:
                ctx.reply_with_string_buffer(out)
    ctx.replicate_verbatim()
    return rm.OK


def topk_incrby(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TOPK.INCRBY key item increment [item increment ...]: increments are parsed one pair
    at a time; a bad one (not 0..100000) is answered in place and ends the command, the
    pairs before it counted. Like RedisBloom the reply array keeps the length announced for
    all the pairs, so it comes out short (inside a script the missing elements are nulls)."""
    argc = len(argv)
    if argc < 4 or argc & 1:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _RW)
    topk = key.module_type_get_value() if key.module_type_get_type() is types.topk else None
    if topk is None:
        return ctx.reply_with_error(TOPK_MISSING if key.type() == _EMPTY else _WRONGTYPE)
    n = (argc - 2) // 2
    ctx.reply_with_array(n)
    for i in range(n):
        incr = _to_ll(argv[3 + 2 * i])
        if incr is None or incr < 0 or incr > 100000:
            ctx.reply_with_error(TOPK_BAD_INCREMENT)
            if ctx.get_context_flags() & _LUA:
                for _ in range(n - i - 1):
                    ctx.reply_with_null()
            break
        out = reply_item(topk.add(argv[2 + 2 * i], incr))
        if out is None:
            ctx.reply_with_null()
        else:
            ctx.reply_with_string_buffer(out)
    ctx.replicate_verbatim()
    return rm.OK


def topk_query(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TOPK.QUERY key item [item ...]: booleans (integers under RESP2)."""
    if len(argv) < 3:
        return ctx.wrong_arity()
    topk = _value(ctx, argv[1], _READ, types.topk, TOPK_MISSING)
    if topk is None:
        return rm.OK
    ctx.reply_with_array(len(argv) - 2)
    pos = topk.pos
    for item in argv[2:]:
        ctx.reply_with_bool(item in pos)
    return rm.OK


def topk_count(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TOPK.COUNT key item [item ...] (registered as a write command, as in RedisBloom)."""
    if len(argv) < 3:
        return ctx.wrong_arity()
    topk = _value(ctx, argv[1], _READ, types.topk, TOPK_MISSING)
    if topk is None:
        return rm.OK
    ctx.reply_with_array(len(argv) - 2)
    for item in argv[2:]:
        ctx.reply_with_long_long(topk.count(item))
    return rm.OK


def is_withcount(word: bytes) -> bool:
    """strncasecmp(word, "WITHCOUNT", len(word)) == 0: any case-insensitive prefix of
    WITHCOUNT matches (the empty word too), and the comparison stops at a NUL in both."""
    ref = b"withcount\0"
    for i, ch in enumerate(word.lower()):
        if ch != ref[i]:
            return False
        if ch == 0:
            return True
    return True


def topk_list(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TOPK.LIST key [WITHCOUNT]: the heap, largest counts first, up to the first empty
    slot; the keyword is checked before the key."""
    argc = len(argv)
    if argc != 2 and argc != 3:
        return ctx.wrong_arity()
    withcount = False
    if argc == 3:
        if not is_withcount(argv[2]):
            return ctx.reply_with_error("WITHCOUNT keyword expected")
        withcount = True
    topk = _value(ctx, argv[1], _READ, types.topk, TOPK_MISSING)
    if topk is None:
        return rm.OK
    entries = topk.list()
    ctx.reply_with_array(len(entries) * (2 if withcount else 1))
    for item, count in entries:
        if item is None:
            ctx.reply_with_null()
        else:
            ctx.reply_with_string_buffer(item)
        if withcount:
            ctx.reply_with_long_long(count)
    return rm.OK


def topk_info(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TOPK.INFO key: k, width, depth, decay (a map under RESP3)."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    topk = _value(ctx, argv[1], _READ, types.topk, TOPK_MISSING)
    if topk is None:
        return rm.OK
    ctx.reply_with_map(4)
    ctx.reply_with_simple_string("k")
    ctx.reply_with_long_long(topk.k)
    ctx.reply_with_simple_string("width")
    ctx.reply_with_long_long(topk.width)
    ctx.reply_with_simple_string("depth")
    ctx.reply_with_long_long(topk.depth)
    ctx.reply_with_simple_string("decay")
    return ctx.reply_with_double(topk.decay)


# --- t-digest (rm_tdigest.c) --------------------------------------------------------------------

TD_MISSING = "ERR T-Digest: key does not exist"
TD_OVERFLOW = "ERR T-Digest: overflow detected"
_DBL_MAX = 1.7976931348623157e308


def _parse_compression(ctx: rm.Ctx, arg: bytes) -> int | None:
    c = _to_ll(arg)
    if c is None:
        ctx.reply_with_error("ERR T-Digest: error parsing compression parameter")
        return None
    if c <= 0:
        ctx.reply_with_error("ERR T-Digest: compression parameter needs to be a positive integer")
        return None
    return c


def td_create(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.CREATE key [COMPRESSION compression]: the keyword may stand in either of the
    two places (RMUtil_ArgIndex looks at both); the value is always the last argument."""
    argc = len(argv)
    if argc != 2 and argc != 4:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _RW)
    if key.type() != _EMPTY:
        if key.module_type_get_type() is types.tdigest:
            return ctx.reply_with_error("ERR T-Digest: key already exists")
        return ctx.reply_with_error(_WRONGTYPE)
    compression = DEFAULT_COMPRESSION
    if argc == 4:
        if arg_index(argv[2:4], b"compression") < 0:
            return ctx.reply_with_error("ERR T-Digest: wrong keyword")
        c = _parse_compression(ctx, argv[3])
        if c is None:
            return rm.OK
        compression = c
    td = TDigest.create(compression)
    if td is None:
        return ctx.reply_with_error("ERR T-Digest: allocation failed")
    key.module_type_set_value(types.tdigest, td)
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def td_reset(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.RESET key"""
    if len(argv) != 2:
        return ctx.wrong_arity()
    td = _value(ctx, argv[1], _RW, types.tdigest, TD_MISSING)
    if td is None:
        return rm.OK
    td.reset()
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def td_add(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.ADD key value [value ...]: all values are checked before any is added; an
    overflow stops the adding where it happens (earlier values stay)."""
    if len(argv) < 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], _RW)
    td = key.module_type_get_value() if key.module_type_get_type() is types.tdigest else None
    if td is None:
        return ctx.reply_with_error(TD_MISSING if key.type() == _EMPTY else _WRONGTYPE)
    if len(argv) == 3:  # one value: the common case
        a = argv[2]
        v = float(a) if a.isdigit() and len(a) < 300 else _to_d(a)
        if v is None:
            return ctx.reply_with_error("ERR T-Digest: error parsing val parameter")
        if v < -_DBL_MAX or v > _DBL_MAX:
            return ctx.reply_with_error("ERR T-Digest: val parameter needs to be a finite number")
        if td.add_one(v) != OK:
            return ctx.reply_with_error(TD_OVERFLOW)
        ctx.replicate_verbatim()
        return ctx.reply_with_simple_string("OK")
    vals = []
    for a in argv[2:]:
        v = _dbl(a)
        if v is None:
            return ctx.reply_with_error("ERR T-Digest: error parsing val parameter")
        if v < -_DBL_MAX or v > _DBL_MAX:
            return ctx.reply_with_error("ERR T-Digest: val parameter needs to be a finite number")
        vals.append(v)
    if td.add_values(vals) != OK:
        return ctx.reply_with_error(TD_OVERFLOW)
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def td_merge(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.MERGE destination numkeys source [source ...] [COMPRESSION c] [OVERRIDE].
    Without COMPRESSION the result takes the destination's compression, or (new key or
    OVERRIDE) the largest of the sources'. Sources are compressed on the way (as
    td_merge does), and the destination gets a new digest (its TTL goes with the old one)."""
    argc = len(argv)
    if argc < 4:
        return ctx.wrong_arity()
    mt = types.tdigest
    dkey = ctx.open_key(argv[1], _READ)
    start_td = None
    if dkey is not None and dkey.type() != _EMPTY:
        if dkey.module_type_get_type() is not mt:
            return ctx.reply_with_error(_WRONGTYPE)
        start_td = dkey.module_type_get_value()
    numkeys = _to_ll(argv[2])
    if numkeys is None:
        return ctx.reply_with_error("ERR T-Digest: error parsing numkeys")
    if numkeys <= 0:
        return ctx.reply_with_error("ERR T-Digest: numkeys needs to be a positive integer")
    if numkeys > argc - 3:
        return ctx.wrong_arity()
    compression = int(start_td.compression) if start_td is not None else 0
    use_max = start_td is None
    override = False
    first = numkeys + 3
    if first < argc:
        rest = argv[first:]
        cpos = arg_index(rest, b"compression")
        if cpos > -1:
            use_max = False
            if first + cpos + 1 >= argc:
                return ctx.wrong_arity()
            c = _parse_compression(ctx, argv[first + cpos + 1])
            if c is None:
                return rm.OK
            compression = c
        if arg_index(rest, b"override") > -1:
            override = True
            if cpos == -1:
                use_max = True
                compression = 0
        elif cpos == -1:
            return ctx.reply_with_error("ERR T-Digest: wrong keyword")
    sources = []
    for name in argv[3:first]:
        if name != argv[1]:
            src = _value(ctx, name, _READ, mt, TD_MISSING)
            if src is None:
                return rm.OK
        elif start_td is not None:
            src = start_td
        else:
            return ctx.reply_with_error(TD_MISSING)
        sources.append(src)
        if use_max and int(src.compression) > compression:
            compression = int(src.compression)
    to = TDigest.create(compression)
    if to is None:
        return ctx.reply_with_error("ERR T-Digest: allocation of destination digest failed")
    if start_td is not None and not override:
        start_td.merge_into(to)
    for src in sources:
        if src.merge_into(to) != OK:
            return ctx.reply_with_error(TD_OVERFLOW)
    key = ctx.open_key(argv[1], _WRITE)
    key.module_type_set_value(mt, to)
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def _td_read(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> TDigest | None:
    return _value(ctx, argv[1], _READ, types.tdigest, TD_MISSING)


def td_min(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.MIN key: nan when empty (no compression happens)."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    td = _td_read(types, ctx, argv)
    if td is None:
        return rm.OK
    return ctx.reply_with_double(td.min if td.size() > 0 else math.nan)


def td_max(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.MAX key: nan when empty (no compression happens)."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    td = _td_read(types, ctx, argv)
    if td is None:
        return rm.OK
    return ctx.reply_with_double(td.max if td.size() > 0 else math.nan)


def _reply_doubles(ctx: rm.Ctx, values: list[float]) -> int:
    ctx.reply_with_array(len(values))
    for v in values:
        ctx.reply_with_double(v)
    return rm.OK


def td_quantile(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.QUANTILE key quantile [quantile ...]: each nondecreasing run of quantiles is
    answered by one walk over the centroids (td_quantiles), as RedisBloom splits them."""
    if len(argv) < 3:
        return ctx.wrong_arity()
    td = _td_read(types, ctx, argv)
    if td is None:
        return rm.OK
    qs = []
    for a in argv[2:]:
        q = _to_d(a)
        if q is None:
            return ctx.reply_with_error("ERR T-Digest: error parsing quantile")
        if q < 0 or q > 1.0:
            return ctx.reply_with_error("ERR T-Digest: quantile should be in [0,1]")
        qs.append(q)
    values: list[float] = []
    i = 0
    n = len(qs)
    while i < n:
        start = i
        while i < n - 1 and qs[i] <= qs[i + 1]:
            i += 1
        values.extend(td.quantiles(qs[start:i + 1]))
        i += 1
    return _reply_doubles(ctx, values)


def td_cdf(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.CDF key value [value ...]"""
    if len(argv) < 3:
        return ctx.wrong_arity()
    td = _td_read(types, ctx, argv)
    if td is None:
        return rm.OK
    xs = []
    for a in argv[2:]:
        x = _to_d(a)
        if x is None:
            return ctx.reply_with_error("ERR T-Digest: error parsing cdf")
        xs.append(x)
    return _reply_doubles(ctx, [td.cdf(x) for x in xs])


def _td_rank(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes], reverse: bool) -> int:
    if len(argv) < 3:
        return ctx.wrong_arity()
    td = _td_read(types, ctx, argv)
    if td is None:
        return rm.OK
    xs = []
    for a in argv[2:]:
        x = _to_d(a)
        if x is None:
            return ctx.reply_with_error("ERR T-Digest: error parsing value")
        xs.append(x)
    ranks = td.ranks(xs, reverse)
    ctx.reply_with_array(len(ranks))
    for r in ranks:
        ctx.reply_with_long_long(r)
    return rm.OK


def td_rank(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.RANK key value [value ...]: -1 below the minimum, the size above the
    maximum, -2 for an empty digest."""
    return _td_rank(types, ctx, argv, False)


def td_revrank(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.REVRANK key value [value ...]: the size below the minimum, -1 above the
    maximum, -2 for an empty digest."""
    return _td_rank(types, ctx, argv, True)


def _td_byrank(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes], reverse: bool) -> int:
    if len(argv) < 3:
        return ctx.wrong_arity()
    td = _td_read(types, ctx, argv)
    if td is None:
        return rm.OK
    ranks = []
    for a in argv[2:]:
        r = _to_ll(a)
        if r is None:
            return ctx.reply_with_error("ERR T-Digest: error parsing rank")
        if r < 0:
            return ctx.reply_with_error("ERR T-Digest: rank needs to be non negative")
        ranks.append(r)
    return _reply_doubles(ctx, td.by_ranks(ranks, reverse))


def td_byrank(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.BYRANK key rank [rank ...]: inf from the size on."""
    return _td_byrank(types, ctx, argv, False)


def td_byrevrank(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.BYREVRANK key rank [rank ...]: -inf from the size on."""
    return _td_byrank(types, ctx, argv, True)


def td_trimmed_mean(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.TRIMMED_MEAN key low_cut_quantile high_cut_quantile"""
    if len(argv) != 4:
        return ctx.wrong_arity()
    td = _td_read(types, ctx, argv)
    if td is None:
        return rm.OK
    low = _to_d(argv[2])
    if low is None:
        return ctx.reply_with_error("ERR T-Digest: error parsing low_cut_percentile")
    high = _to_d(argv[3])
    if high is None:
        return ctx.reply_with_error("ERR T-Digest: error parsing high_cut_percentile")
    if low < 0.0 or low > 1.0 or high < 0.0 or high > 1.0:
        return ctx.reply_with_error("ERR T-Digest: low_cut_percentile and high_cut_percentile should be in [0,1]")
    if low >= high:
        return ctx.reply_with_error("ERR T-Digest: low_cut_percentile should be lower than high_cut_percentile")
    return ctx.reply_with_double(td.trimmed_mean(low, high))


def td_info(types: SketchTypes, ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TDIGEST.INFO key: nine fields (a map under RESP3); no compression happens."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    td = _td_read(types, ctx, argv)
    if td is None:
        return rm.OK
    fields = (
        ("Compression", int(td.compression)),
        ("Capacity", td.cap),
        ("Merged nodes", td.merged_nodes),
        ("Unmerged nodes", td.unmerged_nodes),
        ("Merged weight", td.merged_weight),
        ("Unmerged weight", td.unmerged_weight),
        ("Observations", td.merged_weight + td.unmerged_weight),
        ("Total compressions", td.total_compressions),
        ("Memory usage", td.mem_usage()),
    )
    ctx.reply_with_map(len(fields))
    for name, v in fields:
        ctx.reply_with_simple_string(name)
        ctx.reply_with_long_long(v)
    return rm.OK


# name, handler, flags (as RMUtil_Register{WriteDenyOOM,Write,Read}Cmd give them), and a
# one-line summary in our own words (RedisBloom 2.8.2 sets none; COMMAND DOCS shows ours)
_W = "write deny-oom"
_R = "readonly"
COMMANDS = [
    ("cms.initbydim", cms_create, _W, "Creates a Count-Min Sketch with the given width and depth."),
    ("cms.initbyprob", cms_create, _W, "Creates a Count-Min Sketch sized for an error rate and a probability."),
    ("cms.incrby", cms_incrby, _W, "Adds increments to the counts of items in a Count-Min Sketch."),
    ("cms.query", cms_query, _R, "Returns the estimated counts of items in a Count-Min Sketch."),
    ("cms.merge", cms_merge, _W, "Replaces a Count-Min Sketch with the weighted sum of other sketches."),
    ("cms.info", cms_info, _R, "Returns the width, depth and total count of a Count-Min Sketch."),
    ("topk.reserve", topk_reserve, _W, "Creates a Top-K sketch that tracks the k heaviest items."),
    ("topk.add", topk_add, _W, "Counts items in a Top-K sketch and returns the items they pushed out."),
    ("topk.incrby", topk_incrby, _W, "Adds increments to items in a Top-K sketch and returns the items pushed out."),
    ("topk.query", topk_query, _R, "Tells whether items are among the top items of a Top-K sketch."),
    ("topk.count", topk_count, "write", "Returns the estimated counts of items in a Top-K sketch."),
    ("topk.list", topk_list, _R, "Lists the top items of a Top-K sketch, optionally with their counts."),
    ("topk.info", topk_info, _R, "Returns the k, width, depth and decay of a Top-K sketch."),
    ("tdigest.create", td_create, _W, "Creates an empty t-digest with an optional compression."),
    ("tdigest.add", td_add, _W, "Adds observations to a t-digest."),
    ("tdigest.reset", td_reset, _W, "Empties a t-digest, keeping its compression."),
    ("tdigest.merge", td_merge, _W, "Merges t-digests into a destination t-digest."),
    ("tdigest.min", td_min, _R, "Returns the smallest observation of a t-digest."),
    ("tdigest.max", td_max, _R, "Returns the largest observation of a t-digest."),
    ("tdigest.quantile", td_quantile, _R, "Estimates the values at the given quantiles of a t-digest."),
    ("tdigest.byrank", td_byrank, _R, "Estimates the values at the given ranks of a t-digest, smallest first."),
    ("tdigest.byrevrank", td_byrevrank, _R, "Estimates the values at the given ranks of a t-digest, largest first."),
    ("tdigest.rank", td_rank, _R, "Estimates how many observations of a t-digest lie below each value."),
    ("tdigest.revrank", td_revrank, _R, "Estimates how many observations of a t-digest lie above each value."),
    ("tdigest.cdf", td_cdf, _R, "Estimates the fraction of observations of a t-digest at or below each value."),
    ("tdigest.trimmed_mean", td_trimmed_mean, _R, "Estimates the mean of a t-digest between two cut quantiles."),
    ("tdigest.info", td_info, _R, "Returns the sizes, weights and counters of a t-digest."),
]
