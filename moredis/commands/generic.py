"""Keyspace commands (db.c, expire.c): DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RENAME,
MOVE, COPY, the EXPIRE family, TTL, PERSIST, TOUCH, OBJECT, RANDOMKEY.
Neighbours: engine/keyspace.py (the database operations these call).
"""

from __future__ import annotations

from typing import Any

from moredis.commands.registry import command
from moredis.engine import notify as N
from moredis.engine.keyspace import LOOKUP_NOTOUCH


def del_generic(c: Any, argv: list[bytes]) -> None:
    db = c.db
    srv = c.srv
    n = 0
    for key in argv[1:]:
        if db.lookup_write(key) is not None and db.delete(key):
            db.signal_modified(key)
            if srv.notify_mask & N.GENERIC:
                srv.notify(N.GENERIC, "del", key, db.id)
            n += 1
    srv.dirty += n
    c.w.integer(n)


@command("del")
def del_command(c: Any, argv: list[bytes]) -> None:
    """DEL key [key ...]"""
    del_generic(c, argv)


@command("exists")
def exists_command(c: Any, argv: list[bytes]) -> None:
    """EXISTS key [key ...]: a key named twice counts twice."""
    db = c.db
    n = 0
    for key in argv[1:]:
        if db.lookup(key, LOOKUP_NOTOUCH) is not None:
            n += 1
    c.w.integer(n)
