"""Server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, INFO, CONFIG,
SLOWLOG, LATENCY, MEMORY, MONITOR, SHUTDOWN, DEBUG, COMMAND.
Neighbours: server/server.py (state), server/info.py, server/config.py.
"""

from __future__ import annotations

from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.errors import RedisError


@command("dbsize")
def dbsize_command(c: Any, argv: list[bytes]) -> None:
    """DBSIZE"""
    c.w.integer(len(c.db.data))


def _flush_flag(argv: list[bytes]) -> None:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].upper() not in (b"ASYNC", b"SYNC")):
        raise RedisError(E.SYNTAX)


def flush_db(srv: Any, db: Any) -> int:
    """emptyData for one db: touch every watched key, invalidate tracking, clear."""
    for key, clients in list(db.watched.items()):
        if key in db.data:
            for cl in clients:
                cl.dirty_cas = True
    if srv.tracking_table is not None:
        srv.tracking_table.invalidate_all()
    n = db.clear()
    if srv.module_hooks is not None:
        srv.module_hooks.flushed(db.id)
    return n


@command("flushdb")
def flushdb_command(c: Any, argv: list[bytes]) -> None:
    """FLUSHDB [ASYNC | SYNC]"""
    _flush_flag(argv)
    srv = c.srv
    srv.dirty += flush_db(srv, c.db)
    srv.dirty += 1
    c.w.ok()


@command("flushall")
def flushall_command(c: Any, argv: list[bytes]) -> None:
    """FLUSHALL [ASYNC | SYNC]: also saves an empty RDB when save points are set."""
    _flush_flag(argv)
    srv = c.srv
    for db in srv.dbs:
        srv.dirty += flush_db(srv, db)
    srv.dirty += 1
    if srv.rdb is not None and srv.config["save"]:
        srv.rdb.save_after_flushall()
    c.w.ok()
