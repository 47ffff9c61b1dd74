"""The dataset as commands: the base file of an AOF rewrite when aof-use-rdb-preamble
is no (aof.c rewriteAppendOnlyFileRio).

Layout, as Redis writes it: a `#TS:` annotation first when aof-timestamp-enabled, one
FUNCTION LOAD per library, then per non-empty database `SELECT n` and for each key the
commands that rebuild it: SET; RPUSH / SADD / ZADD / HMSET with at most 64 elements per
command (AOF_REWRITE_ITEMS_PER_CMD); a hash with field TTLs as one HMSET and one
HPEXPIREAT per field; a stream as XADDs (or the XADD MAXLEN 0 trick when empty), XSETID,
XGROUP CREATE, XGROUP CREATECONSUMER / XCLAIM ... JUSTID FORCE for the PELs; a module
value through its type's aof_rewrite callback; then PEXPIREAT for a key with a TTL.
Scores are printed as rioWriteBulkDouble does (fpconv_dtoa).
Neighbours: aof.py (runs it in the rewrite child), rdb.py (functions_dump).
"""

from __future__ import annotations

import time
from typing import Any

from moredis.engine.types.hash import Hash
from moredis.engine.types.list import ListpackList, QuicklistList
from moredis.engine.types.set import Set
from moredis.engine.types.stream import MASK64, Stream
from moredis.engine.types.zset import ZSet
from moredis.numbers import fpconv_dtoa
from moredis.persistence.rdbio import RdbError

ITEMS_PER_CMD = 64  # AOF_REWRITE_ITEMS_PER_CMD
CHUNK = 1 << 20


def bulk(a: bytes) -> bytes:
    return b"$%d\r\n%b\r\n" % (len(a), a)


def command(argv: list[bytes]) -> bytes:
    """catAppendOnlyGenericCommand: one command in RESP."""
    return b"*%d\r\n" % len(argv) + b"".join([b"$%d\r\n%b\r\n" % (len(a), a) for a in argv])


def dbl(x: float) -> bytes:
    """rioWriteBulkDouble's text: fpconv_dtoa, with its inf/nan/zero spellings."""
    if x != x:
        return b"nan"
    if x == float("inf"):
        return b"inf"
    if x == float("-inf"):
        return b"-inf"
    if x == 0:
        return b"-0" if str(x).startswith("-") else b"0"
    return fpconv_dtoa(x).encode()


def sid(i: int) -> bytes:
    return b"%d-%d" % (i >> 64, i & MASK64)


class Out:
    """Buffers RESP text and writes it to `f` in large pieces."""

    __slots__ = ("f", "parts", "size")

    def __init__(self, f: Any) -> None:
        self.f = f
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, b: bytes) -> None:
        self.parts.append(b)
        self.size += len(b)
        if self.size >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.f.write(b"".join(self.parts))
            self.parts = []
            self.size = 0


def _batched(out: Out, name: bytes, key: bytes, items: list[bytes], per: int) -> None:
    """Commands `name key item...` with at most ITEMS_PER_CMD elements of `per` items."""
    total = len(items) // per
    head = bulk(name) + bulk(key)
    step = ITEMS_PER_CMD * per
    for i in range(0, len(items), step):
        chunk = items[i:i + step]
        out.add(b"*%d\r\n" % (2 + min(total - i // per, ITEMS_PER_CMD) * per) + head
                + b"".join([bulk(x) for x in chunk]))


def _hash(out: Out, key: bytes, v: Hash) -> None:
    t = v.ttl
    when = t.when if t is not None else None
    if not when:
        flat: list[bytes] = []
        for f, val in v.items():
            flat.append(f)
            flat.append(val)
        _batched(out, b"HMSET", key, flat, 2)
        return
    k = bulk(key)
    for f, val in v.items():
        out.add(b"*4\r\n$5\r\nHMSET\r\n" + k + bulk(f) + bulk(val))
        w = when.get(f)
        if w is not None:
            out.add(b"*6\r\n$10\r\nHPEXPIREAT\r\n" + k + bulk(b"%d" % w) + b"$6\r\nFIELDS\r\n$1\r\n1\r\n" + bulk(f))


def _stream(out: Out, key: bytes, v: Stream) -> None:
    k = bulk(key)
    if v.length:
        for node in v.nodes:
            for i, flat, deleted, _same in node.entries():
                if deleted:
                    continue
                out.add(b"*%d\r\n$4\r\nXADD\r\n" % (3 + len(flat)) + k + bulk(sid(i))
                        + b"".join([bulk(x) for x in flat]))
    else:
        out.add(b"*7\r\n$4\r\nXADD\r\n" + k + b"$6\r\nMAXLEN\r\n$1\r\n0\r\n" + bulk(b"0-1")
                + b"$1\r\nx\r\n$1\r\ny\r\n")
    out.add(b"*7\r\n$6\r\nXSETID\r\n" + k + bulk(sid(v.last_id)) + b"$12\r\nENTRIESADDED\r\n"
            + bulk(b"%d" % v.entries_added) + b"$12\r\nMAXDELETEDID\r\n" + bulk(sid(v.max_deleted)))
    if not v.groups:
        return
    for g in v.sorted_groups():
        gn = bulk(g.name)
        out.add(b"*7\r\n$6\r\nXGROUP\r\n$6\r\nCREATE\r\n" + k + gn + bulk(sid(g.last_id))
                + b"$11\r\nENTRIESREAD\r\n" + bulk(b"%d" % g.entries_read))
        for c in g.sorted_consumers():
            cn = bulk(c.name)
            if not c.pel:
                out.add(b"*5\r\n$6\r\nXGROUP\r\n$14\r\nCREATECONSUMER\r\n" + k + gn + cn)
                continue
            for i in c.pel:
                nack = g.pel.get(i)
                if nack is None:
                    continue
                out.add(b"*12\r\n$6\r\nXCLAIM\r\n" + k + gn + cn + b"$1\r\n0\r\n" + bulk(sid(i))
                        + b"$4\r\nTIME\r\n" + bulk(b"%d" % nack.delivery_time) + b"$10\r\nRETRYCOUNT\r\n"
                        + bulk(b"%d" % nack.delivery_count) + b"$6\r\nJUSTID\r\n$5\r\nFORCE\r\n")


def _module(out: Out, srv: Any, key: bytes, v: Any, dbid: int) -> None:
    """rewriteModuleObject: the type's aof_rewrite emits the commands (IO.emit_aof)."""
    from moredis.module.datatype import IO

    mt = v.mtype
    fn = mt.methods.aof_rewrite
    if fn is None:
        raise RdbError(f"the module type {mt.name} has no aof_rewrite callback")
    io = IO(srv, mt, key=key, dbid=dbid)
    fn(io, key, v.value)
    if io.error:
        raise RdbError(f"the module type {mt.name} failed to rewrite key '{key.decode('utf-8', 'replace')}'")
    for argv in io.aof_cmds or ():
        out.add(command([a if type(a) is bytes else _arg(a) for a in argv]))


def _arg(a: Any) -> bytes:
    if isinstance(a, bytes | bytearray | memoryview):
        return bytes(a)
    if isinstance(a, str):
        return a.encode()
    if isinstance(a, float):
        return dbl(a)
    return b"%d" % a


def write_value(out: Out, srv: Any, key: bytes, v: Any, dbid: int) -> None:
    t = type(v)
    if t is bytes:
        out.add(b"*3\r\n$3\r\nSET\r\n" + bulk(key) + bulk(v))
    elif t is int or t is bytearray:
        out.add(b"*3\r\n$3\r\nSET\r\n" + bulk(key) + bulk(b"%d" % v if t is int else bytes(v)))
    elif t is ListpackList or t is QuicklistList:
        _batched(out, b"RPUSH", key, list(v), 1)
    elif t is Set:
        _batched(out, b"SADD", key, list(v), 1)
    elif t is ZSet:
        flat: list[bytes] = []
        for s, m in v.zsl:
            flat.append(dbl(s))
            flat.append(m)
        _batched(out, b"ZADD", key, flat, 2)
    elif t is Hash:
        _hash(out, key, v)
    elif t is Stream:
        _stream(out, key, v)
    else:
        from moredis.module.datatype import ModuleValue

        if t is not ModuleValue:
            raise RdbError(f"cannot rewrite a value of type {t.__name__}")
        _module(out, srv, key, v, dbid)


def write_dataset(srv: Any, f: Any, timestamp: bool = False, delay_us: int = 0) -> int:
    """rewriteAppendOnlyFileRio into file `f`; the number of keys written."""
    from moredis.persistence.rdb import functions_dump

    out = Out(f)
    if timestamp:
        out.add(b"#TS:%d\r\n" % int(time.time()))
    for code in functions_dump(srv):
        out.add(b"*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n" + bulk(code))
    keys = 0
    pause = delay_us / 1e6 if delay_us > 0 else 0.0
    for db in srv.dbs:
        data = db.data
        if not data:
            continue
        out.add(b"*2\r\n$6\r\nSELECT\r\n" + bulk(b"%d" % db.id))
        expires = db.expires
        dbid = db.id
        for key, v in data.items():
            write_value(out, srv, key, v, dbid)
            if expires:
                when = expires.get(key)
                if when is not None:
                    out.add(b"*3\r\n$9\r\nPEXPIREAT\r\n" + bulk(key) + bulk(b"%d" % when))
            keys += 1
            if pause:
                time.sleep(pause)
    out.flush()
    return keys
