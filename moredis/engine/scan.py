"""Cursors for SCAN, HSCAN, SSCAN and ZSCAN.

Redis walks its hash table with a reverse-binary cursor; a Python dict has no such
walk, so a scan works on a snapshot of the keys taken when cursor 0 is asked for. Every
element present for the whole iteration is in the snapshot, hence returned (SCAN's
guarantee); elements deleted meanwhile are filtered out when their batch is returned.
Cursors are `(snapshot id << 32) | position`, plain unsigned numbers as clients expect.
Snapshots of abandoned iterations are dropped oldest first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from moredis.errors import RedisError

MAX_SNAPSHOTS = 64


class Scanner:
    def __init__(self) -> None:
        self._snaps: OrderedDict[int, list] = OrderedDict()
        self._next = 1

    def scan(self, cursor: int, source: Callable[[], Iterable[Any]], count: int,
             alive: Callable[[Any], bool]) -> tuple[int, list]:
        """One SCAN step: (next cursor, items of this batch still alive)."""
        if cursor == 0:
            items = list(source())
            if len(items) <= count:
                return 0, [x for x in items if alive(x)]
            sid = self._next
            self._next = (self._next % 0x7FFFFFFF) + 1
            self._snaps[sid] = items
            while len(self._snaps) > MAX_SNAPSHOTS:
                self._snaps.popitem(last=False)
            pos = 0
        else:
            sid, pos = cursor >> 32, cursor & 0xFFFFFFFF
            items = self._snaps.get(sid)
            if items is None:  # unknown or evicted: start over from where the number says
                items = list(source())
                sid = self._next
                self._next = (self._next % 0x7FFFFFFF) + 1
                self._snaps[sid] = items
            else:
                self._snaps.move_to_end(sid)
        end = min(pos + count, len(items))
        batch = [x for x in items[pos:end] if alive(x)]
        if end >= len(items):
            self._snaps.pop(sid, None)
            return 0, batch
        return (sid << 32) | end, batch


def parse_cursor(b: bytes) -> int:
    """parseScanCursorOrReply: strtoul's grammar (sign allowed, '-1' wraps), 64 bits."""
    s = b
    neg = False
    if s[:1] in (b"+", b"-"):
        neg = s[:1] == b"-"
        s = s[1:]
    if not s or not s.isdigit():
        raise RedisError("ERR invalid cursor")
    n = int(s)
    if n >= 1 << 64:
        raise RedisError("ERR invalid cursor")
    return (-n) % (1 << 64) if neg else n
