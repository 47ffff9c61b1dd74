"""Cursors for SCAN, HSCAN, SSCAN and ZSCAN.

Redis walks its hash table with a reverse-binary cursor; a Python dict has no such
walk, so a scan works on a snapshot of the keys taken when cursor 0 is asked for. Every
element present for the whole iteration is in the snapshot, hence returned (SCAN's
guarantee); elements deleted meanwhile are filtered out when their batch is returned
(`alive`). Cursors are `(snapshot id << 32) | position`, plain unsigned numbers as
clients expect.

Snapshots of abandoned iterations are dropped oldest first, bounded both in number and
in total size (a snapshot is one list slot per element), so clients that only ever ask
for cursor 0 cannot pile up copies of a big keyspace. A cursor whose snapshot is gone
(or that the server never issued) restarts on a fresh snapshot at the position it
names: the reply is well-formed, the completeness guarantee only holds for live cursors.

One `Scanner` serves a whole server (`scanner_for(srv)`); a snapshot remembers what it
was taken of (`owner`: the database, the hash ...) so a cursor of one object replayed
against another is treated as unknown.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from moredis.errors import RedisError

MAX_SNAPSHOTS = 64
MAX_ITEMS = 4_000_000  # element slots kept over all snapshots (the newest is always kept)
INVALID_CURSOR = "ERR invalid cursor"
_ULLONG = 1 << 64
_LLONG_MAX = (1 << 63) - 1


class Scanner:
    __slots__ = ("_items", "_next", "_snaps")

    def __init__(self) -> None:
        self._snaps: OrderedDict[int, tuple[Any, list]] = OrderedDict()
        self._next = 1
        self._items = 0

    def _store(self, owner: Any, items: list) -> int:
        sid = self._next
        self._next = (self._next % 0x7FFFFFFF) + 1
        self._snaps.pop(sid, None)
        self._snaps[sid] = (owner, items)
        self._items += len(items)
        snaps = self._snaps
        while len(snaps) > 1 and (len(snaps) > MAX_SNAPSHOTS or self._items > MAX_ITEMS):
            _, (_, old) = snaps.popitem(last=False)
            self._items -= len(old)
        return sid

    def _drop(self, sid: int) -> None:
        snap = self._snaps.pop(sid, None)
        if snap is not None:
            self._items -= len(snap[1])

    def scan(self, cursor: int, source: Callable[[], Iterable[Any]], count: int,
             alive: Callable[[Any], bool], owner: Any = None) -> tuple[int, list]:
        """One SCAN step: (next cursor, items of this batch for which `alive` holds).

        `source()` lists the elements when a snapshot is needed; `count` is how many
        snapshot slots one call walks (COUNT); `alive(x)` filters (deleted, expired,
        MATCH, TYPE ...)."""
        if cursor == 0:
            items = list(source())
            if len(items) <= count:
                return 0, [x for x in items if alive(x)]
            sid = self._store(owner, items)
            pos = 0
        else:
            sid, pos = cursor >> 32, cursor & 0xFFFFFFFF
            snap = self._snaps.get(sid)
            if snap is None or snap[0] is not owner:
                items = list(source())
                sid = self._store(owner, items)
            else:
                items = snap[1]
                self._snaps.move_to_end(sid)
        end = min(pos + count, len(items))
        batch = [x for x in items[pos:end] if alive(x)]
        if end >= len(items):
            self._drop(sid)
            return 0, batch
        return (sid << 32) | end, batch

    def __len__(self) -> int:
        return len(self._snaps)


_SCANNERS: weakref.WeakKeyDictionary[Any, Scanner] = weakref.WeakKeyDictionary()


def scanner_for(srv: Any) -> Scanner:
    """The Scanner of a server (created on first use)."""
    s = _SCANNERS.get(srv)
    if s is None:
        s = _SCANNERS[srv] = Scanner()
    return s


def parse_cursor(b: bytes) -> int:
    """parseScanCursorOrReply (util.c string2ull): a canonical integer must not be
    negative; anything else goes through strtoull, which skips leading spaces, takes a
    sign ('-1' refused above, but '-01' wraps to 2**64-1) and refuses overflow and
    trailing garbage. The text ends at a NUL byte, as C strings do."""
    nul = b.find(b"\x00")
    if nul >= 0:
        b = b[:nul]
    s = b.lstrip(b" \t\n\v\f\r")
    neg = s[:1] == b"-"
    if s[:1] in (b"+", b"-"):
        s = s[1:]
    if not s.isdigit():  # also refuses trailing spaces, '_' and an empty digit run
        raise RedisError(INVALID_CURSOR)
    n = int(s)
    if neg and n and b"-%d" % n == b and n <= _LLONG_MAX + 1:
        raise RedisError(INVALID_CURSOR)  # string2ll took it: a negative number
    if n >= _ULLONG:
        raise RedisError(INVALID_CURSOR)
    return (_ULLONG - n) % _ULLONG if neg else n
