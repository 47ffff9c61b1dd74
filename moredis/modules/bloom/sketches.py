"""Part 2 of the `bf` module: the Count-Min Sketch (`CMSk-TYPE`), Top-K (`TopK-TYPE`) and
t-digest (`TDIS-TYPE`) data types and their CMS.*, TOPK.* and TDIGEST.* commands.
`register(ctx)` is called from the package's on_load.

Persistence follows RedisBloom 2.8 (all three at encoding version 0), so DUMP payloads
and RDB files move between moredis and the reference both ways:
- CMSk-TYPE: width, depth, total count (unsigned), the counters (uint32 LE buffer).
- TopK-TYPE: k, width, depth (unsigned), decay (double), the buckets ((fp, count) uint32
  pairs), the heap array (24-byte slots whose item pointers mean nothing), then each heap
  item as a NUL-terminated string (a lone NUL for an empty slot).
- TDIS-TYPE: compression, min, max (doubles), capacity, merged and unmerged node counts,
  compressions (signed, which Redis writes as unsigned), merged and unmerged weights
  (doubles), then the merged means and the merged weights (doubles). Saving compresses
  the digest first, as TDigestRdbSave does.
AOF rewrite is RMUtil_DefaultAofRewrite's: a RESTORE of the key's DUMP payload. Like
RedisBloom, the types have no copy and no digest callback (COPY answers "not supported
for this module key") and the commands raise no keyspace events.

Neighbours: cms.py, topk.py, tdigest.py (the structures), commands_sketch.py (handlers).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from moredis import module as rm
from moredis.modules.bloom import commands_sketch
from moredis.modules.bloom.cms import CMSketch
from moredis.modules.bloom.tdigest import TDigest
from moredis.modules.bloom.topk import TopK

CMS_ENCVER = 0
TOPK_ENCVER = 0
TDIGEST_ENCVER = 0
_MASK64 = (1 << 64) - 1


def _signed(n: int) -> int:
    return n - (1 << 64) if n >= 1 << 63 else n


# --- CMSk-TYPE ------------------------------------------------------------------------------


def cms_rdb_save(io: rm.IO, cms: CMSketch) -> None:
    io.save_unsigned(cms.width)
    io.save_unsigned(cms.depth)
    io.save_unsigned(cms.counter)
    io.save_string_buffer(cms.cells_bytes())


def cms_rdb_load(io: rm.IO, encver: int) -> CMSketch | None:
    if encver > CMS_ENCVER:
        return None
    width = io.load_unsigned()
    depth = io.load_unsigned()
    counter = io.load_unsigned()
    buf = io.load_string_buffer()
    if io.is_io_error():
        return None
    return CMSketch.from_saved(width, depth, counter, buf)


def cms_mem_usage(cms: CMSketch) -> int:
    return cms.mem_usage()


# --- TopK-TYPE ------------------------------------------------------------------------------


def topk_rdb_save(io: rm.IO, t: TopK) -> None:
    io.save_unsigned(t.k)
    io.save_unsigned(t.width)
    io.save_unsigned(t.depth)
    io.save_double(t.decay)
    io.save_string_buffer(t.data_bytes())
    io.save_string_buffer(t.heap_bytes())
    for item in t.saved_items():
        io.save_string_buffer(item)


def topk_rdb_load(io: rm.IO, encver: int) -> TopK | None:
    if encver > TOPK_ENCVER:
        return None
    k = io.load_unsigned()
    width = io.load_unsigned()
    depth = io.load_unsigned()
    decay = io.load_double()
    data = io.load_string_buffer()
    heap = io.load_string_buffer()
    if io.is_io_error() or not 0 < k <= 0xFFFFFFFF or len(heap) != k * 24:
        return None
    items = [io.load_string_buffer() for _ in range(k)]
    if io.is_io_error():
        return None
    return TopK.from_saved(k, width, depth, decay, data, heap, items)


def topk_mem_usage(t: TopK) -> int:
    return t.mem_usage()


# --- TDIS-TYPE ------------------------------------------------------------------------------


def td_rdb_save(io: rm.IO, td: TDigest) -> None:
    td.compress()
    io.save_double(td.compression)
    io.save_double(td.min)
    io.save_double(td.max)
    # RedisModule_SaveSigned writes the value's bits with the unsigned opcode
    io.save_unsigned(td.cap & _MASK64)
    io.save_unsigned(td.merged_nodes & _MASK64)
    io.save_unsigned(td.unmerged_nodes & _MASK64)
    io.save_unsigned(td.total_compressions & _MASK64)
    io.save_double(float(td.merged_weight))
    io.save_double(float(td.unmerged_weight))
    means, weights = td.saved_nodes()
    for m in means:
        io.save_double(m)
    for w in weights:
        io.save_double(w)


def td_rdb_load(io: rm.IO, encver: int) -> TDigest | None:
    if encver > TDIGEST_ENCVER:
        return None
    compression = io.load_double()
    lo = io.load_double()
    hi = io.load_double()
    cap = _signed(io.load_unsigned())
    merged = _signed(io.load_unsigned())
    unmerged = _signed(io.load_unsigned())
    compressions = _signed(io.load_unsigned())
    merged_weight = io.load_double()
    unmerged_weight = io.load_double()
    if io.is_io_error() or not 0 <= merged <= 0x7FFFFFFF:
        return None
    means = [io.load_double() for _ in range(merged)]
    weights = [io.load_double() for _ in range(merged)]
    if io.is_io_error():
        return None
    return TDigest.from_saved(compression, lo, hi, cap, merged, unmerged, compressions, merged_weight,
                              unmerged_weight, means, weights)


def td_mem_usage(td: TDigest) -> int:
    return td.mem_usage()


# --- shared ---------------------------------------------------------------------------------


def default_aof_rewrite(io: rm.IO, key: bytes, value: Any) -> None:
    """RMUtil_DefaultAofRewrite: RESTORE key 0 <DUMP payload> (the DUMP is taken in the
    key's own database, where RedisBloom's thread-safe context would look in db 0)."""
    ctx = io.get_context()
    ctx.select_db(io.get_db_id())
    rep = ctx.call("DUMP", "s", key)
    if rep is not None and rep.type() == rm.REPLY_STRING:
        io.emit_aof("RESTORE", "slb", key, 0, rep.string_ptr())
    else:
        ctx.log("warning", "Failed to emit AOF")


def register(ctx: rm.Ctx) -> int:
    """Create the three data types and register every CMS/TOPK/TDIGEST command."""
    types = {
        "cms": ("CMSk-TYPE", CMS_ENCVER, cms_rdb_load, cms_rdb_save, cms_mem_usage),
        "topk": ("TopK-TYPE", TOPK_ENCVER, topk_rdb_load, topk_rdb_save, topk_mem_usage),
        "tdigest": ("TDIS-TYPE", TDIGEST_ENCVER, td_rdb_load, td_rdb_save, td_mem_usage),
    }
    made = {}
    for short, (name, encver, load, save, mem) in types.items():
        mt = ctx.create_data_type(name, encver, rm.TypeMethods(
            rdb_load=load, rdb_save=save, aof_rewrite=default_aof_rewrite, mem_usage=mem))
        if mt is None:
            return rm.ERR
        made[short] = mt
    bound = commands_sketch.SketchTypes(made["cms"], made["topk"], made["tdigest"])
    for name, fn, flags, summary in commands_sketch.COMMANDS:
        if ctx.create_command(name, partial(fn, bound), flags, 1, 1, 1) == rm.ERR:
            return rm.ERR
        ctx.get_command(name).set_command_info(rm.CommandInfo(summary=summary))
    return rm.OK
