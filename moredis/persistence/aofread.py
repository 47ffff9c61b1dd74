"""Reading AOF files: the command stream and the RDB part a base or preamble file starts
with. No server state here, so the loader (aofload.py), the checker (check_aof.py) and the
fuzz tests share one reader.

`iter_commands(data, pos)` reads commands the way aof.c loadSingleAppendOnlyFile does:
lines as fgets reads them (at most 1023 bytes), `#` lines skipped (timestamp
annotations), `*<argc>` then `$<len>` + bytes + 2 bytes per argument (the 2 bytes after
an argument are not checked, as Redis does not check them). It yields (argv, end) and
raises AofTruncated when the data ends inside a command (Redis's "short read") or
AofFormatError on anything else malformed ("Bad file format"), with the offset.
`rdb_end(data)` finds where the RDB part of a file ends, by walking it with rdb.py's
decoders (only needed when commands follow it: old RDB-preamble AOF files).
Neighbours: aofload.py (the server-side loader), check_aof.py, rdb.py.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from typing import Any

LINE_MAX = 1023  # fgets(buf, AOF_ANNOTATION_LINE_MAX_LEN) reads at most 1023 bytes


class AofTruncated(Exception):
    """The data ends inside the command starting at `pos`."""

    def __init__(self, pos: int) -> None:
        super().__init__(f"unexpected end of file in the command at offset {pos}")
        self.pos = pos


class AofFormatError(Exception):
    """Not a command where one should start (or a bad length), at `pos`."""

    def __init__(self, pos: int, what: str = "bad file format") -> None:
        super().__init__(f"{what} at offset {pos}")
        self.pos = pos


def c_atol(b: bytes) -> int:
    """atoi/strtol(.., 10): blanks, a sign, digits; 0 when there are no digits."""
    i = 0
    n = len(b)
    while i < n and b[i] in b" \t\n\v\f\r":
        i += 1
    neg = False
    if i < n and b[i] in b"+-":
        neg = b[i] == 45
        i += 1
    v = 0
    while i < n and 48 <= b[i] <= 57:
        v = v * 10 + b[i] - 48
        i += 1
    return -v if neg else v


def iter_commands(data: bytes, pos: int = 0) -> Iterator[tuple[list[bytes], int]]:
    """Yield (argv, offset after the command) for each command from `pos` on."""
    n = len(data)
    find = data.find
    while pos < n:
        start = pos
        nl = find(b"\n", pos, pos + LINE_MAX)
        end = nl + 1 if nl >= 0 else min(pos + LINE_MAX, n)
        c = data[pos]
        if c == 35:  # '#': an annotation
            pos = end
            continue
        if c != 42:  # not '*'
            raise AofFormatError(start)
        if end == pos + 1 and end == n:  # a lone '*' at the end (buf[1] == '\0')
            raise AofTruncated(start)
        argc = c_atol(data[pos + 1:end])
        if argc < 1:
            raise AofFormatError(start)
        pos = end
        argv = []
        for _ in range(argc):
            if pos >= n:
                raise AofTruncated(start)
            nl = find(b"\n", pos, pos + LINE_MAX)
            end = nl + 1 if nl >= 0 else min(pos + LINE_MAX, n)
            if data[pos] != 36:  # not '$'
                raise AofFormatError(start)
            ln = c_atol(data[pos + 1:end])
            if ln < 0:
                raise AofFormatError(start)
            pos = end + ln
            if pos + 2 > n:
                raise AofTruncated(start)
            argv.append(data[end:pos])
            pos += 2
        yield argv, pos


def is_rdb(data: bytes) -> bool:
    return data[:5] == b"REDIS"


class _Srv:
    """What rdb.py's value decoders consult when walking a file without a server."""

    def __init__(self, srv: Any = None) -> None:
        from moredis.server.config import Config

        self.config = srv.config if srv is not None else Config()
        self.modules = getattr(srv, "modules", None)
        self.is_replica = False

    @staticmethod
    def mstime() -> int:
        return time.time_ns() // 1_000_000


def rdb_end(data: bytes, srv: Any = None) -> int:
    """The offset just past the RDB at the start of `data` (EOF opcode and checksum
    included). RdbError (or struct.error, ValueError, IndexError) when it is damaged."""
    from moredis.persistence import rdb
    from moredis.persistence.rdbio import Reader

    ver = rdb.parse_header(data)
    rd = Reader(data, 9)
    ctx = rdb.LoadCtx(_Srv(srv))
    while True:
        op = rd.byte()
        if op == rdb.OP_EOF:
            break
        if op == rdb.OP_EXPIRETIME_MS:
            rd.read(8)
        elif op == rdb.OP_EXPIRETIME:
            rd.read(4)
        elif op in (rdb.OP_SELECTDB, rdb.OP_IDLE):
            rd.length()
        elif op == rdb.OP_RESIZEDB:
            rd.length()
            rd.length()
        elif op == rdb.OP_SLOT_INFO:
            rd.length()
            rd.length()
            rd.length()
        elif op == rdb.OP_FREQ:
            rd.byte()
        elif op == rdb.OP_AUX:
            rd.string()
            rd.string()
        elif op == rdb.OP_MODULE_AUX:
            rd.length()
            rd.length()
            rd.length()
            rdb.skip_module_items(rd)
        elif op == rdb.OP_FUNCTION2:
            rd.string()
        elif rdb.is_object_type(op):
            key = rd.string()
            if op == rdb.T_MODULE_2:
                rd.length()
                rdb.skip_module_items(rd)
            else:
                rdb.load_object(rd, op, ctx, key, 0)
        else:
            raise rdb.RdbError(f"Unknown RDB encoding type {op}")
    if ver >= 5:
        rd.read(8)
    return rd.pos


def rdb_end_safe(data: bytes, srv: Any = None) -> int | None:
    """rdb_end, or None when the RDB part is damaged."""
    from moredis.persistence.rdbio import RdbError

    try:
        return rdb_end(data, srv)
    except (RdbError, struct.error, ValueError, IndexError, OverflowError, MemoryError):
        return None
