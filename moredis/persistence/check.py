"""`moredis check-rdb <file>`: walk an RDB file the way redis-check-rdb does and say
whether it is sound, with the same report lines (offsets, AUX fields, databases, the
checksum, key counts) and, on a problem, the offset and what was being read. Module
values are checked by their opcodes, without the module (rdbLoadCheckModuleValue).
Neighbours: rdb.py (the decoders), cli.py (dispatches here).
"""

from __future__ import annotations

import struct
import sys
import time
from typing import Any

from moredis.persistence import crcfast, rdb
from moredis.persistence.rdbio import RdbError, Reader

TYPE_NAMES = {
    0: "string", 1: "list-linked", 2: "set-hashtable", 3: "zset-v1", 4: "hash-hashtable", 5: "zset-v2",
    6: "module-pre-release", 7: "module-value", 9: "hash-zipmap", 10: "list-ziplist", 11: "set-intset",
    12: "zset-ziplist", 13: "hash-ziplist", 14: "quicklist", 15: "stream", 16: "hash-listpack",
    17: "zset-listpack", 18: "quicklist-v2", 19: "stream-v2", 20: "set-listpack", 21: "stream-v3",
    22: "hash-hashtable-md-pre-ga", 23: "hash-listpack-md-pre-ga", 24: "hash-hashtable-md",
    25: "hash-listpack-md",
}


class _Srv:
    """What the value decoders consult: default encoding limits, a clock, no modules."""

    def __init__(self) -> None:
        from moredis.server.config import Config

        self.config = Config()
        self.modules = None

    @staticmethod
    def mstime() -> int:
        return time.time_ns() // 1_000_000


def check(data: bytes, name: str, out: Any = sys.stdout) -> bool:
    """Write redis-check-rdb's report for `data` to `out`; True when the file is sound."""
    def say(pos: int, msg: str) -> None:
        out.write(f"[offset {pos}] {msg}\n")

    srv = _Srv()
    ctx = rdb.LoadCtx(srv)
    now = ctx.now
    keys = expires = expired = subexpires = 0
    doing = "start"
    key: bytes | None = None
    rtype = -1
    say(0, f"Checking RDB file {name}")
    rd = Reader(data, 0)
    try:
        ver = rdb.parse_header(data)
        rd.pos = 9
        expire = -1
        doing = "read-type"
        while True:
            op = rd.byte()
            if op == rdb.OP_EOF:
                break
            if op == rdb.OP_EXPIRETIME_MS:
                doing = "read-expire"
                expire = struct.unpack("<q", rd.read(8))[0]
                continue
            if op == rdb.OP_EXPIRETIME:
                doing = "read-expire"
                expire = struct.unpack("<i", rd.read(4))[0] * 1000
                continue
            if op == rdb.OP_SELECTDB:
                dbid = rd.length()
                say(rd.pos, f"Selecting DB ID {dbid}")
                continue
            if op == rdb.OP_RESIZEDB:
                rd.length()
                rd.length()
                continue
            if op == rdb.OP_SLOT_INFO:
                rd.length()
                rd.length()
                rd.length()
                continue
            if op == rdb.OP_IDLE:
                rd.length()
                continue
            if op == rdb.OP_FREQ:
                rd.byte()
                continue
            if op == rdb.OP_AUX:
                doing = "read-aux"
                k = rd.string()
                v = rd.string()
                say(rd.pos, f"AUX FIELD {k.decode('utf-8', 'replace')} = '{v.decode('utf-8', 'replace')}'")
                continue
            if op == rdb.OP_MODULE_AUX:
                doing = "read-module-aux"
                mid = rd.length()
                rd.length()
                rd.length()
                from moredis.module.datatype import decode_type_id

                say(rd.pos, f"MODULE AUX for: {decode_type_id(mid)[0]}")
                rdb.skip_module_items(rd)
                continue
            if op == rdb.OP_FUNCTION_PRE_GA:
                raise RdbError("Pre-release function format not supported.")
            if op == rdb.OP_FUNCTION2:
                doing = "read-functions"
                rd.string()
                say(rd.pos, "Function library")
                continue
            if not rdb.is_object_type(op):
                raise RdbError(f"Invalid object type: {op}")
            rtype = op
            doing = "read-key"
            key = rd.string()
            doing = "read-object-value"
            if op == rdb.T_MODULE_2:
                rd.length()
                rdb.skip_module_items(rd)
                val: Any = True
            else:
                val = rdb.load_object(rd, op, ctx, key, 0)
            keys += 1
            if expire != -1:
                expires += 1
                if expire < now:
                    expired += 1
            if getattr(val, "ttl", None) is not None:
                subexpires += 1
            expire = -1
            key = None
            rtype = -1
            doing = "read-type"
        doing = "check-sum"
        if ver >= 5:
            end = rd.pos
            stored = int.from_bytes(rd.read(8), "little")
            if stored == 0:
                say(rd.pos, "RDB file was saved with checksum disabled: no check performed.")
            elif crcfast.crc64(0, memoryview(data)[:end]) != stored:
                raise RdbError("RDB CRC error")
            else:
                say(rd.pos, "Checksum OK")
        say(rd.pos, "\\o/ RDB looks OK! \\o/")
        ok = True
    except (RdbError, struct.error, ValueError, IndexError, OverflowError) as e:
        msg = str(e)
        if msg == "unexpected end of data":
            msg = "Unexpected EOF reading RDB file"
        out.write("--- RDB ERROR DETECTED ---\n")
        say(rd.pos, msg)
        out.write(f"[additional info] While doing: {doing}\n")
        if key is not None:
            out.write(f"[additional info] Reading key '{key.decode('utf-8', 'replace')}'\n")
        if rtype >= 0:
            out.write(f"[additional info] Reading type {rtype} ({TYPE_NAMES.get(rtype, 'unknown')})\n")
        ok = False
    out.write(f"[info] {keys} keys read\n[info] {expires} expires\n[info] {expired} already expired\n")
    out.write(f"[info] {subexpires} subexpires\n")
    return ok


def main(args: list[str]) -> int:
    """`moredis check-rdb <file>`: exit status 0 when the file is sound, 1 otherwise.
    `moredis check-aof ...` goes to check_aof.py."""
    if args and args[0] == "check-aof":
        from moredis.persistence import check_aof

        return check_aof.main(args[1:])
    if not args or args[0] != "check-rdb":
        sys.stderr.write("Usage: moredis check-rdb <rdb-file-name>\n       moredis check-aof [--fix|"
                         "--truncate-to-timestamp $timestamp] <file.manifest|file.aof>\n")
        return 1
    if len(args) != 2:
        sys.stderr.write("Usage: moredis check-rdb <rdb-file-name>\n")
        return 1
    try:
        with open(args[1], "rb") as f:
            data = f.read()
    except OSError as e:
        sys.stderr.write(f"Cannot check RDB file {args[1]}: {e.strerror}\n")
        return 1
    return 0 if check(data, args[1]) else 1
