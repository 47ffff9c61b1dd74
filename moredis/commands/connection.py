"""Connection commands: PING, ECHO, SELECT, QUIT, HELLO, AUTH, RESET (and CLIENT, in
client_cmd.py). Neighbours: server/client.py (the state these change), acl/users.py
(users, passwords, module auth callbacks).
"""

from __future__ import annotations

from typing import Any

from moredis import errors as E
from moredis.acl.users import AUTH_BLOCKED, AUTH_ERR, AUTH_OK
from moredis.commands.registry import command
from moredis.errors import RedisError
from moredis.numbers import parse_int
from moredis.version import REDIS_VERSION


@command("ping")
def ping_command(c: Any, argv: list[bytes]) -> None:
    """PING [message]; in RESP2 subscribed mode the reply is ["pong", message]."""
    if len(argv) > 2:
        raise E.wrong_arity("ping")
    w = c.w
    if c.resp == 2 and (c.channels or c.patterns or c.shard_channels):
        w.array(2)
        w.bulk(b"pong")
        w.bulk(argv[1] if len(argv) == 2 else b"")
    elif len(argv) == 2:
        w.bulk(argv[1])
    else:
        w.simple(b"PONG")


@command("echo")
def echo_command(c: Any, argv: list[bytes]) -> None:
    """ECHO message"""
    c.w.bulk(argv[1])


@command("select")
def select_command(c: Any, argv: list[bytes]) -> None:
    """SELECT index"""
    idx = parse_int(argv[1], "ERR value is not an integer or out of range")
    srv = c.srv
    if srv.config["cluster-enabled"] and idx != 0:
        raise RedisError("ERR SELECT is not allowed in cluster mode")
    if idx < 0 or idx >= len(srv.dbs):
        raise RedisError(E.INVALID_DB)
    c.db = srv.dbs[idx]
    c.w.ok()


@command("quit")
def quit_command(c: Any, argv: list[bytes]) -> None:
    """QUIT: reply OK, then close once the reply is written."""
    c.w.ok()
    c.close_after_reply = True


def _valid_name(name: bytes) -> bool:
    """clientSetName: printable ASCII without spaces."""
    return all(0x21 <= b <= 0x7E for b in name)


def set_client_name(c: Any, name: bytes) -> None:
    if not _valid_name(name):
        raise RedisError(E.CLIENT_NAME)
    c.name = name or None


def _auth_failed(c: Any, err: bytes | None, mark: int) -> None:
    """addAuthErrReply: a module's error text or WRONGPASS, unless the attempt already
    answered (a blocking module auth refused inside MULTI)."""
    if len(c.out) > mark:
        if c.cmd is not None:
            c.cmd.failed_calls += 1
        return
    if err is None:
        raise RedisError(E.WRONGPASS)
    text = err.decode("utf-8", "surrogateescape").replace("\r", " ").replace("\n", " ")
    raise RedisError(text[1:] if text.startswith("-") else "ERR " + text)


@command("auth")
def auth_command(c: Any, argv: list[bytes]) -> None:
    """AUTH [username] password: module auth callbacks first, then the user's passwords
    (acl/users.py ACL.auth_client). A module may block the client; the reply then comes
    when AUTH runs again after the unblock."""
    if len(argv) > 3:
        raise RedisError(E.SYNTAX)
    acl = c.srv.acl
    if len(argv) == 2:
        if acl.default_user.nopass:
            raise RedisError(E.AUTH_NOPASS)
        user, pw = b"default", argv[1]
    else:
        user, pw = argv[1], argv[2]
    mark = len(c.out)
    result, err = acl.auth_client(c, user, pw, argv[0])
    if result == AUTH_OK:
        c.w.ok()
    elif result == AUTH_ERR:
        _auth_failed(c, err, mark)


@command("hello")
def hello_command(c: Any, argv: list[bytes]) -> None:
    """HELLO [protover [AUTH username password] [SETNAME clientname]]: options are all
    parsed before authenticating; the name and protocol change only once authenticated."""
    ver = None
    if len(argv) >= 2:
        try:
            ver = parse_int(argv[1])
        except RedisError:
            raise RedisError("ERR Protocol version is not an integer or out of range") from None
        if ver < 2 or ver > 3:
            raise RedisError(E.NOPROTO)
    name = None
    user = pw = None
    i = 2
    while i < len(argv):
        opt = argv[i].upper()
        left = len(argv) - i - 1
        if opt == b"AUTH" and left >= 2:
            user, pw = argv[i + 1], argv[i + 2]
            i += 3
        elif opt == b"SETNAME" and left >= 1:
            name = argv[i + 1]
            if not _valid_name(name):
                raise RedisError(E.CLIENT_NAME)
            i += 2
        else:
            raise RedisError("ERR Syntax error in HELLO option '%s'" % argv[i].decode("utf-8", "replace"))
    if user is not None and pw is not None:
        mark = len(c.out)
        result, err = c.srv.acl.auth_client(c, user, pw, argv[0])
        if result == AUTH_ERR:
            _auth_failed(c, err, mark)
            return
        if result == AUTH_BLOCKED:
            return
    if not c.authenticated:
        raise RedisError("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                         "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
                         "select the RESP protocol version at the same time")
    if name is not None:
        c.name = name or None
    if ver is not None:
        c.set_resp(ver)
    srv = c.srv
    w = c.w
    w.map(7)
    w.bulk(b"server")
    w.bulk(b"redis")
    w.bulk(b"version")
    w.bulk(REDIS_VERSION.encode())
    w.bulk(b"proto")
    w.integer(c.resp)
    w.bulk(b"id")
    w.integer(c.id)
    w.bulk(b"mode")
    w.bulk(b"cluster" if srv.config["cluster-enabled"] else b"standalone")
    w.bulk(b"role")
    w.bulk(b"replica" if srv.is_replica else b"master")
    w.bulk(b"modules")
    mods = srv.modules.list_for_hello() if getattr(srv, "modules", None) is not None else []
    w.array(len(mods))
    for m in mods:
        w.map(4)
        for k, v in m:
            w.bulk(k)
            if isinstance(v, int):
                w.integer(v)
            elif isinstance(v, list):  # the module's load arguments
                w.array(len(v))
                for a in v:
                    w.bulk(a)
            else:
                w.bulk(v)


@command("reset")
def reset_command(c: Any, argv: list[bytes]) -> None:
    """RESET: back to a fresh connection's state (clearClientConnectionState)."""
    srv = c.srv
    if c.multi is not None:
        c.multi = None
        c.multi_error = False
    srv.unwatch_all(c)
    srv.pubsub.drop_client(c)
    if c.tracking is not None and srv.tracking_table is not None:
        srv.tracking_table.disable(c)
    if c.is_monitor:
        c.is_monitor = False
        if c in srv.monitors:
            srv.monitors.remove(c)
        srv._recompute_guard()
    c.db = srv.dbs[0]
    c.name = None
    c.reply_mode = "on"
    c.no_evict = False
    c.no_touch = False
    c.user = srv.acl.default_user
    c.authenticated = not srv.auth_required
    srv.acl.notify_user_changed(c)
    c.set_resp(2)
    c.refresh_guard()
    c.w.simple(b"RESET")
