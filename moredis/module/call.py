"""RedisModule_Call: run a command from module code and get its reply back.

    reply = ctx.call("SET", "ss!", key, value)     # format specifiers and modifiers as in C

Specifiers (each takes one Python argument): c (str or bytes), s (bytes), b (bytes),
l (int), v (a list of bytes). Modifiers: ! A R 3 0 C S W M E D K, with C's meaning
(see module.c RM_Call). On failure `call` returns None and sets `ctx.errno` to the
errno C would set (errno.ENOENT, EINVAL, EACCES, ENOSPC, ESPIPE, EBADF ...); with E
(or D) the failure comes back as an error CallReply instead.
"""

from __future__ import annotations

import errno as _errno
from typing import Any

from moredis.commands import registry as R
from moredis.module.callreply import CallReply
from moredis.module.propagation import TO_AOF, TO_REPLICAS
from moredis.numbers import d2string
from moredis.protocol.writer import Reply

F_REPLICATE = 1 << 0
F_NO_AOF = 1 << 1
F_NO_REPLICAS = 1 << 2
F_RESP3 = 1 << 3
F_RESP_AUTO = 1 << 4
F_RUN_AS_USER = 1 << 5
F_SCRIPT_MODE = 1 << 6
F_NO_WRITES = 1 << 7
F_DENY_OOM = 1 << 8
F_ERRORS_AS_REPLIES = 1 << 9
F_DRY_RUN = 1 << 10
F_ALLOW_BLOCK = 1 << 11
_MODS = {"!": F_REPLICATE, "A": F_NO_AOF, "R": F_NO_REPLICAS, "3": F_RESP3, "0": F_RESP_AUTO,
         "C": F_RUN_AS_USER, "S": F_SCRIPT_MODE, "W": F_NO_WRITES, "M": F_DENY_OOM,
         "E": F_ERRORS_AS_REPLIES, "D": F_DRY_RUN | F_ERRORS_AS_REPLIES, "K": F_ALLOW_BLOCK}


def _b(x: Any) -> bytes:
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode()
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    if isinstance(x, int):
        return b"%d" % x
    raise TypeError(f"cannot pass {type(x).__name__} as a command argument")


def parse_format(fmt: str, args: tuple | list) -> tuple[list[bytes], int] | None:
    """moduleCreateArgvFromUserFormat: (argv without the name, modifier flags), or None
    for a bad format (EBADF) or a missing argument."""
    argv: list[bytes] = []
    flags = 0
    i = 0
    try:
        for ch in fmt:
            if ch in ("c", "s", "b"):
                argv.append(_b(args[i]))
                i += 1
            elif ch == "l":
                argv.append(b"%d" % int(args[i]))
                i += 1
            elif ch == "v":
                argv.extend(_b(x) for x in args[i])
                i += 1
            elif ch in _MODS:
                flags |= _MODS[ch]
            else:
                return None
    except (IndexError, TypeError, ValueError):
        return None
    return argv, flags


def _call_reply(w: Any, resp: int) -> CallReply:
    """moduleParseReply: the captured reply; an attribute before it is kept aside (RESP3),
    and under RESP2 the tree takes the shapes a RESP2 client would have received."""
    replies = w.replies
    w.replies = []
    if not replies:
        return CallReply(None, resp)
    node = replies[-1]
    attr = replies[0] if len(replies) > 1 and replies[0].kind == "attribute" else None
    if resp == 2:
        return CallReply(_downgrade(node), 2)
    return CallReply(node, resp, attr)


def _downgrade(node: Reply) -> Reply:
    k = node.kind
    if k in ("bulk", "simple", "error", "integer", "null", "null_array"):
        return node
    if k in ("array", "map", "set", "push"):
        return Reply("array", [_downgrade(x) for x in node.value if x.kind != "attribute"])
    if k == "double":
        return Reply("bulk", d2string(node.value))
    if k == "bool":
        return Reply("integer", 1 if node.value else 0)
    if k == "big_number":
        v = node.value
        return Reply("bulk", v if isinstance(v, bytes) else b"%d" % v)
    if k == "verbatim":
        return Reply("bulk", node.value)
    return node


class CallMixin:
    __slots__ = ()

    def call(self, cmdname: str | bytes, fmt: str = "", *args: Any) -> CallReply | None:
        """RedisModule_Call."""
        ctx: Any = self
        srv = ctx.srv
        parsed = parse_format(fmt, args)
        if parsed is None:
            ctx.errno = _errno.EBADF
            return None
        rest, flags = parsed
        argv = [_b(cmdname), *rest]
        caller = ctx.client
        resp = 3 if flags & F_RESP3 else (caller.resp if flags & F_RESP_AUTO and caller is not None else 2)
        mods = srv.modules
        c = mods.fake_client(resp)
        try:
            if caller is not None:
                c.db = caller.db
            c.deny_blocking = not flags & F_ALLOW_BLOCK
            if mods.filters:
                argv = mods.run_filters(c, argv, ctx.module)
                if not argv:
                    return self._call_error(flags, _errno.ENOENT, "ERR Unknown Redis command ''.")
            cmd = srv.lookup_command(argv)
            if cmd is None or (cmd.subcommands is not None and cmd.handler is None and len(argv) < 2):
                name = argv[0].decode("utf-8", "replace")
                return self._call_error(flags, _errno.ENOENT, f"ERR Unknown Redis command '{name}'.")
            if cmd.subcommands is not None and cmd.handler is None:
                name = argv[1].decode("utf-8", "replace")
                return self._call_error(flags, _errno.ENOENT, f"ERR Unknown Redis command '{name}'.")
            n, a = len(argv), cmd.arity
            if (a > 0 and n != a) or n < -a:
                return self._call_error(flags, _errno.EINVAL,
                                        f"ERR Wrong number of args calling Redis command '{cmd.fullname}'.")
            if flags & F_SCRIPT_MODE:
                if cmd.flags & R.NOSCRIPT:
                    return self._call_error(flags, _errno.ESPIPE,
                                            f"ERR command '{cmd.fullname}' is not allowed on script mode")
                if cmd.flags & R.WRITE and srv.is_replica and srv.config["replica-read-only"]:
                    return self._call_error(flags, _errno.ESPIPE,
                                            "READONLY You can't write against a read only replica.")
            if flags & F_NO_WRITES and cmd.flags & R.WRITE:
                return self._call_error(flags, _errno.ENOSPC,
                                        f"ERR Write command '{cmd.fullname}' was called while write is not allowed.")
            if flags & F_DENY_OOM and cmd.flags & R.DENYOOM and srv.maxmemory and srv.over_maxmemory():
                return self._call_error(flags, _errno.ENOSPC, "OOM command not allowed when used memory > "
                                        "'maxmemory'.")
            if flags & F_RUN_AS_USER:
                user = ctx.user or (caller.user if caller is not None else None)
                if user is None:
                    return self._call_error(flags, _errno.ENOTSUP, "ERR acl verification failed, no user")
                c.user = user
                checker = getattr(user, "check_command", None)
                if checker is not None and not user.unrestricted:
                    err = checker(srv, c, cmd, argv)
                    if err is not None:
                        log = getattr(srv.acl, "log_denied", None)
                        if log is not None:
                            log(c, cmd, argv, err)
                        return self._call_error(flags, _errno.EACCES,
                                                "NOPERM " + (err.split(" ", 1)[1] if " " in err else err))
            check = getattr(srv, "cluster_check_keys", None)
            if check is not None and srv.config["cluster-enabled"]:
                err = check(c, cmd, argv)
                if err is not None:
                    return self._call_error(flags, _errno.EPERM, err)
            if flags & F_DRY_RUN:
                return None
            prop = mods.prop
            prev_target = prop.target
            if flags & F_REPLICATE:
                prop.open()
                if flags & F_NO_AOF:
                    prop.target &= ~TO_AOF
                if flags & F_NO_REPLICAS:
                    prop.target &= ~TO_REPLICAS
            else:
                prop.no_repl += 1  # server.replication_allowed = 0 for the nested call
            c.in_script = bool(flags & F_SCRIPT_MODE) or (caller is not None and caller.in_script)
            try:
                srv.call(c, cmd, argv)
            finally:
                prop.target = prev_target
                if not flags & F_REPLICATE:
                    prop.no_repl -= 1
            if c.blocked is not None:
                from moredis.module.blocking import make_promise

                return make_promise(ctx, c)
            return _call_reply(c.w, resp)
        finally:
            if c.blocked is None:
                mods.release_fake_client(c)

    def _call_error(self, flags: int, err: int, msg: str) -> CallReply | None:
        ctx: Any = self
        ctx.errno = err
        if flags & F_ERRORS_AS_REPLIES:
            return CallReply(Reply("error", msg))
        return None
