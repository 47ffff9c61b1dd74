"""Scanning the keyspace and the fields of a key (RedisModule_Scan, RedisModule_ScanKey).

    cursor = rm.scan_cursor_create()
    while ctx.scan(cursor, callback, privdata):      # callback(ctx, keyname, key, privdata)
        pass
    cursor.destroy()

Redis walks its hash tables with dictScan, one bucket per call, and promises SCAN's
guarantee: every element present for the whole iteration is reported at least once.
A Python dict has no bucket walk, so the first call takes a snapshot of the names
(as engine/scan.py does for SCAN) and each call reports the next batch of those still
present, with their value as it is then. Small encodings (listpack, intset) are
reported in one call, as Redis does. The snapshot lives in the cursor, so changing the
keyspace from the callback is safe; deleting the current element is the one change
Redis documents as safe.
Neighbours: key_types.py (key.scan_key), context.py (ctx.scan via ctx_keys.py).
"""

from __future__ import annotations

import errno as E
from typing import Any

from moredis.engine import objects as O
from moredis.engine.types.hash import HASHTABLE as HASH_HT
from moredis.engine.types.hash import Hash
from moredis.engine.types.set import HASHTABLE as SET_HT
from moredis.engine.types.zset import ZSet
from moredis.module import constants as K
from moredis.numbers import d2string

BATCH = 10  # names reported per call once a snapshot is walked


class ScanCursor:
    """RedisModuleScanCursor: `cursor` is the position reached, `done` the end flag."""

    __slots__ = ("cursor", "done", "items", "owner")

    def __init__(self) -> None:
        self.cursor = 0
        self.done = False
        self.items: list | None = None
        self.owner: Any = None

    def restart(self) -> None:
        """RedisModule_ScanCursorRestart: the next scan starts over."""
        self.cursor = 0
        self.done = False
        self.items = None
        self.owner = None

    def destroy(self) -> None:
        """RedisModule_ScanCursorDestroy: drops the snapshot (the object may be reused)."""
        self.items = None
        self.owner = None

    def __repr__(self) -> str:
        return f"<ScanCursor {self.cursor}{' done' if self.done else ''}>"


def scan_cursor_create() -> ScanCursor:
    """RedisModule_ScanCursorCreate."""
    return ScanCursor()


def scan_cursor_restart(cursor: ScanCursor) -> None:
    cursor.restart()


def scan_cursor_destroy(cursor: ScanCursor) -> None:
    cursor.destroy()


def _set_errno(ctx: Any, e: int) -> None:
    if ctx is not None:
        ctx.errno = e


def _batch(cursor: ScanCursor, owner: Any, names: Any) -> tuple[list, bool]:
    """The next batch of the snapshot of `owner`, and whether it is the last one."""
    if cursor.items is None or cursor.owner is not owner:
        cursor.items = list(names())
        cursor.owner = owner
        cursor.cursor = 0
    items = cursor.items
    pos = cursor.cursor
    end = pos + BATCH
    if end >= len(items):
        cursor.items = None
        cursor.owner = None
        cursor.cursor = 0
        cursor.done = True
        return items[pos:], True
    cursor.cursor = end
    return items[pos:end], False


def scan(ctx: Any, cursor: ScanCursor, callback: Any, privdata: Any = None) -> int:
    """RedisModule_Scan over the context's selected db: callback(ctx, keyname, key,
    privdata) where `key` is the key opened for reading (closed after the callback).
    Keys past their TTL but not yet deleted are reported, as dictScan sees them.
    1 while more remain, 0 at the end (and ENOENT for a cursor already done)."""
    from moredis.module.key import Key

    if cursor.done:
        _set_errno(ctx, E.ENOENT)
        return 0
    db = ctx.client.db
    data = db.data
    names, last = _batch(cursor, db, data.keys)
    for name in names:
        v = data.get(name)
        if v is None:
            continue
        k = Key(ctx, db, name, K.READ, v)
        try:
            callback(ctx, name, k, privdata)
        finally:
            k.close()
    _set_errno(ctx, 0)
    return 0 if last else 1


def _zset_text(score: float, listpack: bool) -> bytes:
    """A score as ScanKey reports it: a listpack holds d2string's text; a skiplist's
    double goes through createStringObjectFromLongDouble ("%.17Lg")."""
    if listpack:
        return d2string(score)
    return b"%.17g" % score


def scan_key(key: Any, cursor: ScanCursor, callback: Any, privdata: Any = None) -> int:
    """RedisModule_ScanKey: callback(key, field, value, privdata) over a hash (value:
    the field's value), set (value None) or sorted set (value: the score as text).
    EINVAL for an empty key or another type, ENOENT for a cursor already done. Expired
    hash fields are skipped unless the key was opened with OPEN_KEY_ACCESS_EXPIRED."""
    ctx = key.ctx
    v = key._live()
    if v is None:
        _set_errno(ctx, E.EINVAL)
        return 0
    code = O.type_code(v)
    if code not in (O.OBJ_HASH, O.OBJ_SET, O.OBJ_ZSET):
        _set_errno(ctx, E.EINVAL)
        return 0
    if cursor.done:
        _set_errno(ctx, E.ENOENT)
        return 0
    hidden = None
    if code == O.OBJ_HASH and v.ttl is not None and not key.mode & K.OPEN_KEY_ACCESS_EXPIRED:
        now = key.db.srv.mstime()
        hidden = v.is_expired
    if code == O.OBJ_SET:
        big = v.enc == SET_HT
    elif code == O.OBJ_HASH:
        big = v.enc == HASH_HT
    else:
        big = not v.is_listpack()
    if not big:
        if code == O.OBJ_SET:
            items = [(m, None) for m in v.members()]
        elif code == O.OBJ_HASH:
            items = [(f, val) for f, val in v.items() if hidden is None or not hidden(f, now)]
        else:
            items = [(m, _zset_text(s, True)) for s, m in v]
        for f, val in items:
            callback(key, f, val, privdata)
        cursor.cursor = 1
        cursor.done = True
        _set_errno(ctx, 0)
        return 0
    names, last = _batch(cursor, v, v.members if code == O.OBJ_SET else v.keys if code == O.OBJ_HASH
                         else v.scores.keys)
    for f in names:
        if code == O.OBJ_SET:
            if f not in v:
                continue
            callback(key, f, None, privdata)
        elif code == O.OBJ_HASH:
            val = Hash.get(v, f)
            if val is None or (hidden is not None and hidden(f, now)):
                continue
            callback(key, f, val, privdata)
        else:
            s = ZSet.score(v, f)
            if s is None:
                continue
            callback(key, f, _zset_text(s, False), privdata)
    _set_errno(ctx, 0)
    return 0 if last else 1


class ScanMixin:
    __slots__ = ()

    def scan(self, cursor: ScanCursor, callback: Any, privdata: Any = None) -> int:
        """RedisModule_Scan (see `scan` above)."""
        return scan(self, cursor, callback, privdata)
