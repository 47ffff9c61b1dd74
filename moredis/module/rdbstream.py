"""Whole-dataset RDB load and save from module code (RedisModule_RdbStreamCreateFromFile,
RdbLoad, RdbSave).

    stream = rm.rdb_stream_create_from_file("backup.rdb")
    if ctx.rdb_save(stream, 0) == rm.ERR: ...        # ctx.errno tells why
    if ctx.rdb_load(stream, 0) == rm.ERR: ...

Both use the server's RDB code (persistence/manager.py, rdb.py), so the file is the one
SAVE would write. As in Redis, a load first empties the dataset (keys and functions) and
kills a running BGSAVE child; when the file is missing (ENOENT) or cannot be loaded
(EIO) the dataset stays empty. Loading is refused on a replica (ENOTSUP); a relative
path is taken from the server's `dir`. RdbStreamFree has no Python form: a stream is
garbage collected.
Neighbours: ctx_keys.py (mixes RdbStreamMixin into Ctx).
"""

from __future__ import annotations

import errno as E
import os
from typing import Any

from moredis.module import constants as K


class RdbStream:
    """RedisModuleRdbStream: where a whole-dataset RDB goes or comes from (a file)."""

    __slots__ = ("filename",)

    def __init__(self, filename: str | bytes) -> None:
        self.filename = os.fsdecode(filename)

    def __repr__(self) -> str:
        return f"<RdbStream {self.filename!r}>"


def rdb_stream_create_from_file(filename: str | bytes) -> RdbStream:
    """RedisModule_RdbStreamCreateFromFile."""
    return RdbStream(filename)


def _path(srv: Any, stream: RdbStream) -> str:
    p = stream.filename
    return p if os.path.isabs(p) else os.path.join(srv.config["dir"] or os.getcwd(), p)


class RdbStreamMixin:
    __slots__ = ()

    def rdb_save(self, stream: RdbStream | None, flags: int = 0) -> int:
        """RedisModule_RdbSave: the dataset into the stream's file (also from a fork
        child). ERR with errno EINVAL (no stream, flags other than 0) or the file
        system's error."""
        from moredis.persistence.manager import ensure
        from moredis.persistence.rdbio import RdbError

        ctx: Any = self
        if stream is None or flags != 0:
            ctx.errno = E.EINVAL
            return K.ERR
        try:
            ensure(ctx.srv).write_file(_path(ctx.srv, stream))
        except OSError as e:
            ctx.errno = e.errno or E.EIO
            return K.ERR
        except RdbError:
            ctx.errno = E.EIO
            return K.ERR
        ctx.errno = 0
        return K.OK

    def rdb_load(self, stream: RdbStream | None, flags: int = 0) -> int:
        """RedisModule_RdbLoad: replace the dataset with the stream's file. ERR with errno
        EINVAL, ENOTSUP (on a replica), ENOENT (no file) or EIO (unloadable); the
        dataset was emptied by then, as in Redis."""
        from moredis.commands.server import flush_db
        from moredis.persistence.manager import LoadFailed, ensure

        ctx: Any = self
        srv = ctx.srv
        if stream is None or flags != 0:
            ctx.errno = E.EINVAL
            return K.ERR
        if srv.is_replica:
            ctx.errno = E.ENOTSUP
            return K.ERR
        mgr = ensure(srv)
        if mgr.in_progress():
            mgr.kill_child(wait=True)  # it is saving data about to be replaced
        for db in srv.dbs:
            flush_db(srv, db)
        sc = getattr(srv, "scripting", None)
        if sc is not None:
            sc.fn.flush()
        try:
            stats = mgr.load_file(_path(srv, stream))
        except LoadFailed:
            ctx.errno = E.EIO
            return K.ERR
        if stats is None:
            ctx.errno = E.ENOENT
            return K.ERR
        ctx.errno = 0
        return K.OK
