"""The built-in probabilistic module `bf` (RedisBloom 2.8.2 as Redis Stack 7.4 ships it),
written only against the public Modules API.

Part 1 (this package's bloom.py, cuckoo.py, commands_bf.py, commands_cf.py): the data
types `MBbloom--` (scalable Bloom filter) and `MBbloomCF` (cuckoo filter) with their
persistence callbacks and the BF.* / CF.* commands. Part 2 (sketches.py: Count-Min
Sketch, Top-K, t-digest) registers itself through `sketches.register(ctx)`.

Like RedisBloom 2.8.2 the Bloom and cuckoo types have no digest and no copy callback
(COPY answers "not supported for this module key", DEBUG DIGEST-VALUE ignores them),
and the commands raise no keyspace notifications: the reference server does neither.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import partial
from typing import Any

from moredis import module as rm
from moredis.modules.bloom import commands_bf, commands_cf
from moredis.modules.bloom.bloom import Link, SBChain
from moredis.modules.bloom.cuckoo import CuckooFilter, SubCF

MODULE_NAME = "bf"
MODULE_VERSION = 20802
BF_ENCVER = 4
CF_ENCVER = 4

# --- MBbloom-- persistence (BFRdbSave / BFRdbLoad layout) ----------------------------------------


def bf_rdb_save(io: rm.IO, sb: SBChain) -> None:
    io.save_unsigned(sb.size)
    io.save_unsigned(len(sb.filters))
    io.save_unsigned(sb.options)
    io.save_unsigned(sb.growth)
    for ln in sb.filters:
        io.save_unsigned(ln.entries)
        io.save_double(ln.error)
        io.save_unsigned(ln.hashes)
        io.save_double(ln.bpe)
        io.save_unsigned(ln.bits)
        io.save_unsigned(ln.n2)
        io.save_string_buffer(bytes(ln.bf))
        io.save_unsigned(ln.size)


def bf_rdb_load(io: rm.IO, encver: int) -> SBChain | None:
    """Encodings 0 to 4: options from 2 on, growth from 4 on (2 before)."""
    if encver > BF_ENCVER:
        return None
    sb = SBChain()
    sb.size = io.load_unsigned()
    nfilters = io.load_unsigned()
    sb.options = io.load_unsigned() if encver >= 2 else 0
    sb.growth = io.load_unsigned() if encver >= 4 else 2
    if io.is_io_error() or nfilters >= 1000:
        return None
    for _ in range(nfilters):
        ln = Link()
        ln.entries = io.load_unsigned()
        ln.error = io.load_double()
        ln.hashes = io.load_unsigned()
        ln.bpe = io.load_double()
        if encver == 0:
            ln.bits = int(ln.entries * ln.bpe)
        else:
            ln.bits = io.load_unsigned()
            ln.n2 = io.load_unsigned()
        ln.bf = bytearray(io.load_string_buffer())
        ln.bytes = len(ln.bf)
        ln.size = io.load_unsigned()
        ln.fix_mod()
        sb.filters.append(ln)
    if io.is_io_error():
        return None
    return sb


def bf_aof_rewrite(io: rm.IO, key: bytes, sb: SBChain) -> None:
    """BFAofRewrite: the header, then every chunk, as BF.LOADCHUNK commands."""
    io.emit_aof("BF.LOADCHUNK", "slb", key, 1, sb.header())
    it = 1
    while True:
        it, data = sb.chunk(it)
        if not it:
            break
        io.emit_aof("BF.LOADCHUNK", "slb", key, it, data)


def bf_mem_usage(sb: SBChain) -> int:
    return sb.mem_usage()


# --- MBbloomCF persistence (CFRdbSave / CFRdbLoad layout) -----------------------------------------


def cf_rdb_save(io: rm.IO, cf: CuckooFilter) -> None:
    io.save_unsigned(len(cf.filters))
    io.save_unsigned(cf.num_buckets)
    io.save_unsigned(cf.items)
    io.save_unsigned(cf.deletes)
    io.save_unsigned(cf.bucket_size)
    io.save_unsigned(cf.max_iterations)
    io.save_unsigned(cf.expansion)
    for f in cf.filters:
        io.save_unsigned(f.buckets)
        io.save_string_buffer(bytes(f.data))


def cf_rdb_load(io: rm.IO, encver: int) -> CuckooFilter | None:
    """Encodings up to 4; before 4 there were no deletes, bucket size, iterations,
    expansion nor per-sub-filter bucket counts (defaults 2, 20, 1)."""
    if encver > CF_ENCVER:
        return None
    cf = CuckooFilter()
    nfilters = io.load_unsigned()
    cf.num_buckets = io.load_unsigned()
    cf.items = io.load_unsigned()
    if encver < 4:
        cf.deletes, cf.bucket_size, cf.max_iterations, cf.expansion = 0, 2, 20, 1
    else:
        cf.deletes = io.load_unsigned()
        cf.bucket_size = io.load_unsigned()
        cf.max_iterations = io.load_unsigned()
        cf.expansion = io.load_unsigned()
    if io.is_io_error() or not cf.bucket_size:
        return None
    for _ in range(nfilters):
        nb = cf.num_buckets if encver < 4 else io.load_unsigned()
        data = bytearray(io.load_string_buffer())
        if io.is_io_error() or len(data) != nb * cf.bucket_size:
            return None
        cf.filters.append(SubCF(nb, cf.bucket_size, data))
    return cf


def cf_aof_rewrite(io: rm.IO, key: bytes, cf: CuckooFilter) -> None:
    """CFAofRewrite: the header, then the sub-filters, as CF.LOADCHUNK commands."""
    io.emit_aof("CF.LOADCHUNK", "slb", key, 1, cf.header())
    pos = 1
    while True:
        got = cf.chunk(pos)
        if got is None:
            break
        pos = got[0]
        io.emit_aof("CF.LOADCHUNK", "slb", key, pos, got[1])


def cf_mem_usage(cf: CuckooFilter) -> int:
    return cf.mem_usage()


# --- loading ---------------------------------------------------------------------------------------


def _load_sketches() -> Any:
    """Part 2 of the module, when present (a missing file is fine, a broken one is not)."""
    name = __name__ + ".sketches"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init(MODULE_NAME, MODULE_VERSION, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    bf_type = ctx.create_data_type("MBbloom--", BF_ENCVER, rm.TypeMethods(
        rdb_load=bf_rdb_load, rdb_save=bf_rdb_save, aof_rewrite=bf_aof_rewrite, mem_usage=bf_mem_usage))
    cf_type = ctx.create_data_type("MBbloomCF", CF_ENCVER, rm.TypeMethods(
        rdb_load=cf_rdb_load, rdb_save=cf_rdb_save, aof_rewrite=cf_aof_rewrite, mem_usage=cf_mem_usage))
    if bf_type is None or cf_type is None:
        return rm.ERR
    types = commands_bf.Types(bf_type, cf_type)
    for name, fn, flags, summary in commands_bf.COMMANDS + commands_cf.COMMANDS:
        if ctx.create_command(name, partial(fn, types), flags, 1, 1, 1) == rm.ERR:
            return rm.ERR
        ctx.get_command(name).set_command_info(rm.CommandInfo(summary=summary))
    sketches = _load_sketches()
    if sketches is not None and sketches.register(ctx) == rm.ERR:
        return rm.ERR
    return rm.OK

