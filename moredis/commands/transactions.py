"""Transactions (multi.c): MULTI, EXEC, DISCARD, WATCH, UNWATCH.

Queueing happens in the dispatcher (RedisServer._checks); EXEC runs the queued commands
through `call()` with blocking denied, then propagates them wrapped in MULTI/EXEC.
WATCH records, per key, whether it was alive, so a key that merely expires afterwards
also breaks the transaction (isWatchedKeyExpired).
"""

from __future__ import annotations

from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.errors import RedisError


@command("multi")
def multi_command(c: Any, argv: list[bytes]) -> None:
    """MULTI"""
    if c.multi is not None:
        raise RedisError(E.MULTI_NESTED)
    c.multi = []
    c.multi_error = False
    c.refresh_guard()
    c.w.ok()


def discard_transaction(c: Any) -> None:
    c.multi = None
    c.multi_error = False
    c.srv.unwatch_all(c)
    c.refresh_guard()


@command("discard")
def discard_command(c: Any, argv: list[bytes]) -> None:
    """DISCARD"""
    if c.multi is None:
        raise RedisError(E.DISCARD_WITHOUT_MULTI)
    discard_transaction(c)
    c.w.ok()


def _watched_key_expired(c: Any) -> bool:
    """A key alive at WATCH time that is logically expired now breaks the transaction."""
    now = c.srv.mstime()
    for db, key, alive in c.user_data.get("watch_alive", ()):
        if alive and db.expires:
            when = db.expires.get(key)
            if when is not None and when < now:
                return True
    return False


@command("exec")
def exec_command(c: Any, argv: list[bytes]) -> None:
    """EXEC: the replies of the queued commands, nil when a WATCHed key changed."""
    if c.multi is None:
        raise RedisError(E.EXEC_WITHOUT_MULTI)
    srv = c.srv
    queued = c.multi
    if c.multi_error:
        discard_transaction(c)
        raise RedisError(E.EXECABORT)
    if c.dirty_cas or _watched_key_expired(c):
        discard_transaction(c)
        c.w.null_array()
        return
    c.multi = None
    c.multi_error = False
    srv.unwatch_all(c)
    c.user_data.pop("watch_alive", None)
    c.refresh_guard()
    w = c.w
    w.array(len(queued))
    props = srv.propagators
    captured: list = []
    if props:
        srv.propagators = [lambda dbid, argvs: captured.append((dbid, argvs))]
    prev_deny = c.deny_blocking
    c.deny_blocking = True
    try:
        for cmd, qargv in queued:
            err = srv.acl.exec_recheck(c, cmd, qargv) if c.user is not None and not c.user.unrestricted else None
            if err is not None:  # the rules changed since the command was queued
                c.w.error(err)
                continue
            srv.call(c, cmd, qargv)
    finally:
        c.deny_blocking = prev_deny
        if props:
            srv.propagators = props
    if props and captured:
        _propagate_wrapped(srv, captured)


def _propagate_wrapped(srv: Any, captured: list) -> None:
    """Replicate the transaction's writes as one MULTI ... EXEC block."""
    argvs: list[list[bytes]] = [[b"MULTI"]]
    cur = captured[0][0]
    first_db = cur
    for dbid, cmds in captured:
        if dbid != cur:
            argvs.append([b"SELECT", b"%d" % dbid])
            cur = dbid
        argvs.extend(cmds)
    argvs.append([b"EXEC"])
    for p in srv.propagators:
        p(first_db, argvs)
    srv.prop_override = []  # EXEC itself propagates nothing more
    srv.tail_pending = True


@command("watch")
def watch_command(c: Any, argv: list[bytes]) -> None:
    """WATCH key [key ...]"""
    if c.multi is not None:
        raise RedisError(E.WATCH_IN_MULTI)
    db = c.db
    alive_list = c.user_data.setdefault("watch_alive", [])
    for key in argv[1:]:
        if any(wdb is db and wk == key for wdb, wk in c.watched):
            continue
        c.watched.append((db, key))
        db.watched.setdefault(key, []).append(c)
        alive_list.append((db, key, db.peek(key) is not None))
    c.w.ok()


@command("unwatch")
def unwatch_command(c: Any, argv: list[bytes]) -> None:
    """UNWATCH"""
    c.srv.unwatch_all(c)
    c.user_data.pop("watch_alive", None)
    c.w.ok()
