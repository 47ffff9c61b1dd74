"""Modules API family F16: ACL checks, module users and authentication (module.c "Modules
ACL API", RM_RegisterAuthCallback, RM_BlockClientOnAuth).

Mixed into Ctx as `AclMixin`:

- Users: `create_module_user(name)` gives a `ModuleUser` (not listed by ACL USERS);
  `set_module_user_acl(user, rule)`, `set_module_user_acl_string(user, rules)` (None or
  the error text), `get_module_user_acl_string(user)`, `free_module_user(user)`
  (disconnects its clients), `get_module_user_from_user_name(name)` (a registry user),
  `get_current_user_name()`, `set_context_user(user)` (the user `call(..., "C")` runs as).
- Checks: `acl_check_command_permissions(user, argv)`, `acl_check_key_permissions(user,
  key, flags)` (CMD_KEY_ACCESS/UPDATE/INSERT/DELETE), `acl_check_channel_permissions(
  user, channel, flags)` (CMD_CHANNEL_*): OK or ERR with `ctx.errno` as C sets errno;
  `acl_add_log_entry(user, object, reason)`, `acl_add_log_entry_by_user_name(...)`.
- Authentication: `authenticate_client_with_user(user, callback=None, privdata=None)` and
  `authenticate_client_with_acl_user(name, ...)` return the client id (None for ERR);
  `callback(client_id, privdata)` fires once when that client's user changes or it
  disconnects. `deauthenticate_and_close_client(client_id)`,
  `redact_client_command_argument(pos)` (SLOWLOG and MONITOR show "(redacted)"),
  `get_client_certificate(client_id)` (always None: no TLS).
- Auth callbacks: `register_auth_callback(cb)`; `cb(ctx, username, password)` returns
  AUTH_HANDLED or AUTH_NOT_HANDLED, or `(AUTH_HANDLED, b"error text")` to deny with
  a message (C's `*err`). Callbacks run most recently registered first, across modules;
  a callback may `ctx.block_client_on_auth(reply_cb, free_privdata)` and return
  AUTH_HANDLED, and later `bc.unblock(privdata)` from any thread: AUTH (or HELLO) runs
  again and `reply_cb(ctx, username, password)` (same return forms) decides, continuing
  with the next callbacks when it does not handle it. Unloaded modules' callbacks are
  skipped.

Not needed in Python: RedisModuleUser pointers are plain objects, so there is nothing
to free besides what free_module_user does.
Neighbours: acl/users.py (the registry, checks, log), module/blocking.py (BlockedClient).
"""

from __future__ import annotations

import errno as _errno
from typing import Any

from moredis.acl import log as L
from moredis.acl import selector as S
from moredis.acl.selector import RuleError
from moredis.acl.users import AUTH_BLOCKED, AUTH_ERR, AUTH_NOT_HANDLED, AUTH_OK
from moredis.module import constants as K
from moredis.module.blocking import BlockedClient, _bc_of

_LOG_REASONS = {K.ACL_LOG_AUTH: S.DENIED_AUTH, K.ACL_LOG_CMD: S.DENIED_CMD, K.ACL_LOG_KEY: S.DENIED_KEY,
                K.ACL_LOG_CHANNEL: S.DENIED_CHANNEL}
_KEY_MASK = K.CMD_KEY_ACCESS | K.CMD_KEY_INSERT | K.CMD_KEY_DELETE | K.CMD_KEY_UPDATE
_CHANNEL_MASK = K.CMD_CHANNEL_PUBLISH | K.CMD_CHANNEL_SUBSCRIBE | K.CMD_CHANNEL_UNSUBSCRIBE | K.CMD_CHANNEL_PATTERN


class ModuleUser:
    """RedisModuleUser: an ACL user and whether freeing the handle frees the user."""

    __slots__ = ("acl", "free_user", "user")

    def __init__(self, acl: Any, user: Any, free_user: bool) -> None:
        self.acl = acl
        self.user = user
        self.free_user = free_user

    def __repr__(self) -> str:
        return f"<ModuleUser {self.user.name}>"

    @property
    def name(self) -> bytes:
        return self.user.name.encode("utf-8", "surrogateescape")


def _to_bytes(s: Any) -> bytes:
    return s if isinstance(s, bytes) else str(s).encode("utf-8", "surrogateescape")


class _AuthEntry:
    __slots__ = ("cb", "module")

    def __init__(self, module: Any, cb: Any) -> None:
        self.module = module
        self.cb = cb


class _AuthState:
    """A client's module authentication in progress (c->module_auth_ctx,
    c->module_blocked_client and CLIENT_MODULE_AUTH_HAS_RESULT)."""

    __slots__ = ("blocked", "entry", "has_result")

    def __init__(self) -> None:
        self.entry: Any = None
        self.blocked: Any = None
        self.has_result = False


def _result(ret: Any) -> tuple[int, bytes | None]:
    """A callback's answer: AUTH_HANDLED / AUTH_NOT_HANDLED, or (result, error)."""
    if isinstance(ret, tuple):
        code = ret[0]
        err = ret[1] if len(ret) > 1 else None
        return (K.AUTH_HANDLED if code == K.AUTH_HANDLED else K.AUTH_NOT_HANDLED,
                _to_bytes(err) if err is not None else None)
    return (K.AUTH_HANDLED if ret == K.AUTH_HANDLED else K.AUTH_NOT_HANDLED), None


def _loaded(srv: Any, m: Any) -> bool:
    mods = srv.modules
    return m is not None and mods.modules.get(m.name) is m


def run_module_auth(srv: Any, c: Any, username: bytes, password: bytes) -> tuple[int, bytes | None]:
    """checkModuleAuthentication: the blocked callback's reply first (when AUTH runs
    again after an unblock), then the callbacks not tried yet."""
    st = c.user_data.get("module_auth")
    if st is None:
        if not srv.acl.auth_callbacks:
            return AUTH_NOT_HANDLED, None
        st = c.user_data["module_auth"] = _AuthState()
    result, err = K.AUTH_NOT_HANDLED, None
    bc = st.blocked
    if bc is not None:
        st.blocked = None
        result, err = bc.auth_reply(c, username, password)
    if result == K.AUTH_NOT_HANDLED:
        result, err = _attempt_next(srv, c, st, username, password)
    if c.blocked is not None:
        return AUTH_BLOCKED, None
    c.user_data.pop("module_auth", None)
    if result == K.AUTH_NOT_HANDLED:
        return AUTH_NOT_HANDLED, None
    if st.has_result and c.authenticated:
        return AUTH_OK, None
    return AUTH_ERR, err


def _attempt_next(srv: Any, c: Any, st: _AuthState, username: bytes, password: bytes) -> tuple[int, bytes | None]:
    """attemptNextAuthCb: callbacks after the one tried last, until one handles it."""
    from moredis.module.context import Ctx

    handle_next = st.entry is None
    result, err = K.AUTH_NOT_HANDLED, None
    for entry in list(srv.acl.auth_callbacks):
        if not handle_next:
            handle_next = entry is st.entry
            continue
        if not _loaded(srv, entry.module):
            continue
        st.has_result = False
        st.entry = entry
        ctx = Ctx(srv, entry.module, c)
        try:
            result, err = _result(entry.cb(ctx, username, password))
        except Exception as e:
            srv.log.warning(f"<{entry.module.name}> auth callback failed: {e!r}")
            result, err = K.AUTH_NOT_HANDLED, None
        finally:
            ctx._finish()
        if result == K.AUTH_HANDLED:
            break
    return result, err


class AuthBlockedClient(BlockedClient):
    """A client blocked by RM_BlockClientOnAuth. Unblocking runs AUTH/HELLO again, which
    calls `reply_cb` through auth_reply()."""

    __slots__ = ("auth_argv", "auth_cmd")

    def _unblock_now(self, privdata: Any) -> None:
        srv = self.srv
        if privdata is not None:
            self.privdata = privdata
        c = self.client
        st = c.user_data.get("module_auth") if c is not None else None
        if (c is None or self.disconnected or st is None or c.blocked is None
                or _bc_of(c.blocked) is not self):
            self._free()
            self.module.blocked_clients = max(0, self.module.blocked_clients - 1)
            return
        self.unblocking = True
        srv.blocking.unblock(c)
        self.unblocking = False
        st.blocked = self
        was = srv.reprocessing
        srv.reprocessing = True
        try:
            srv.call(c, self.auth_cmd, self.auth_argv)
        finally:
            srv.reprocessing = was
        if st.blocked is self:  # AUTH did not get to the reply callback (cannot happen normally)
            st.blocked = None
            self._free()
            self.module.blocked_clients = max(0, self.module.blocked_clients - 1)
        srv.after_unblock(c)
        srv.flush_pending()

    def auth_reply(self, c: Any, username: bytes, password: bytes) -> tuple[int, bytes | None]:
        """attemptBlockedAuthReplyCallback."""
        result, err = K.AUTH_NOT_HANDLED, None
        if self.reply_cb is not None:
            ctx = self._ctx()
            ctx.blocked_reply = True
            try:
                result, err = _result(self.reply_cb(ctx, username, password))
            except Exception as e:
                self.srv.log.warning(f"<{self.module.name}> auth reply callback failed: {e!r}")
            finally:
                ctx._finish()
        self._free()
        if c.cmd is not None:
            c.cmd.usec += self.background_us
        self.module.blocked_clients = max(0, self.module.blocked_clients - 1)
        return result, err


def block_client_on_auth(ctx: Any, reply_cb: Any, free_privdata: Any) -> AuthBlockedClient:
    """RM_BlockClientOnAuth (moduleBlockClient with an auth reply callback)."""
    from moredis.server.blocking import MODULE

    srv = ctx.srv
    c = ctx.client
    bc = AuthBlockedClient(srv, ctx.module, c, reply_cb, None, free_privdata, None)
    bc.auth_cmd = c.cmd if c is not None else None
    bc.auth_argv = c.argv if c is not None else None
    ctx.module.blocked_clients += 1
    if c is None:
        return bc
    if c.in_script or srv.in_script:
        bc.client = None
        c.w.error("ERR Blocking module command called from Lua script")
    elif c.multi is not None or c.deny_blocking:
        bc.client = None
        c.w.error("ERR Blocking module command called from transaction")
    elif ctx.blocked_reply:
        bc.client = None
        c.w.error("ERR Blocking module command called from a Reply callback context")
    else:
        srv.blocking.block_custom(c, MODULE, 0, None, on_unblock=bc._on_unblock, data=bc)
    return bc


def module_unloaded(srv: Any, m: Any) -> None:
    """moduleUnregisterAuthCBs and moduleFreeAuthenticatedClients for an unloaded module."""
    acl = srv.acl
    acl.auth_callbacks = [e for e in acl.auth_callbacks if e.module is not m]
    for c in list(srv.clients.values()):
        entry = c.user_data.get("auth_callback")
        if entry is not None and entry[2] is m:
            acl.deauthenticate_and_close(c)


class AclMixin:
    """Ctx methods of the Modules ACL API."""

    __slots__ = ()

    # --- module users ----------------------------------------------------------------------
    def create_module_user(self, name: Any) -> ModuleUser:
        """RM_CreateModuleUser: an ACL user outside the registry (off, no rights)."""
        acl = self.srv.acl  # type: ignore[attr-defined]
        n = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else str(name)
        u = acl.new_user(n)
        u.refresh()
        return ModuleUser(acl, u, True)

    def free_module_user(self, user: ModuleUser) -> int:
        """RM_FreeModuleUser: clients authenticated with a module-created user are closed."""
        if user is not None and user.free_user:
            user.acl.kill_user_clients(user.user)
        return K.OK

    def set_module_user_acl(self, user: ModuleUser, rule: Any) -> int:
        """RM_SetModuleUserACL: one rule, as ACL SETUSER takes it (errno on failure)."""
        try:
            user.user.apply(_to_bytes(rule))
        except RuleError as e:
            self.errno = getattr(_errno, e.code, _errno.EINVAL)  # type: ignore[attr-defined]
            user.acl.changed(user.user)
            return K.ERR
        user.acl.changed(user.user)
        return K.OK

    def set_module_user_acl_string(self, user: ModuleUser, acl: Any) -> bytes | None:
        """RM_SetModuleUserACLString: a whole rule line; None on success, else the error."""
        from moredis.acl.users import split_args

        words = split_args(_to_bytes(acl)) or []
        err = user.acl.set_user(user.user, None, words)
        if err is not None:
            return err.encode("utf-8", "surrogateescape")
        return None

    @staticmethod
    def get_module_user_acl_string(user: ModuleUser) -> bytes:
        """RM_GetModuleUserACLString: the user's rules as ACL LIST shows them."""
        return user.user.describe()

    def get_current_user_name(self) -> bytes:
        """RM_GetCurrentUserName."""
        c = self.client  # type: ignore[attr-defined]
        return c.user.name.encode("utf-8", "surrogateescape")

    def get_module_user_from_user_name(self, name: Any) -> ModuleUser | None:
        """RM_GetModuleUserFromUserName: a handle on a registry user (freeing it frees
        nothing), or None."""
        acl = self.srv.acl  # type: ignore[attr-defined]
        u = acl.get_user(_to_bytes(name))
        if u is None:
            return None
        return ModuleUser(acl, u, False)

    def set_context_user(self, user: ModuleUser | None) -> None:
        """RM_SetContextUser: the user `call` with the C flag checks and runs as."""
        self.user = user.user if user is not None else None  # type: ignore[attr-defined]

    # --- checks ----------------------------------------------------------------------------
    def acl_check_command_permissions(self, user: ModuleUser, argv: list[Any]) -> int:
        """RM_ACLCheckCommandPermissions: ENOENT (no such command) or EACCES."""
        from moredis.commands.introspection import lookup_argv

        args = [_to_bytes(a) for a in argv]
        cmd = lookup_argv(self.srv, args) if args else None  # type: ignore[attr-defined]
        if cmd is None:
            self.errno = _errno.ENOENT  # type: ignore[attr-defined]
            return K.ERR
        if user.user.check(cmd, args)[0] != S.OK:
            self.errno = _errno.EACCES  # type: ignore[attr-defined]
            return K.ERR
        return K.OK

    def acl_check_key_permissions(self, user: ModuleUser, key: Any, flags: int) -> int:
        """RM_ACLCheckKeyPermissions: flags are CMD_KEY_ACCESS/INSERT/DELETE/UPDATE (none:
        any permission on the key will do)."""
        if flags & _KEY_MASK != flags:
            self.errno = _errno.EINVAL  # type: ignore[attr-defined]
            return K.ERR
        need = 0
        if flags & K.CMD_KEY_ACCESS:
            need |= S.READ
        if flags & (K.CMD_KEY_INSERT | K.CMD_KEY_DELETE | K.CMD_KEY_UPDATE):
            need |= S.WRITE
        if not user.user.key_ok(_to_bytes(key), need):
            self.errno = _errno.EACCES  # type: ignore[attr-defined]
            return K.ERR
        return K.OK

    def acl_check_channel_permissions(self, user: ModuleUser, ch: Any, flags: int) -> int:
        """RM_ACLCheckChannelPermissions: unsubscribing is always allowed."""
        if flags & _CHANNEL_MASK != flags:
            self.errno = _errno.EINVAL  # type: ignore[attr-defined]
            return K.ERR
        if flags & K.CMD_CHANNEL_UNSUBSCRIBE:
            return K.OK
        if not user.user.channel_ok(_to_bytes(ch), bool(flags & K.CMD_CHANNEL_PATTERN)):
            self.errno = _errno.EACCES  # type: ignore[attr-defined]
            return K.ERR
        return K.OK

    def acl_add_log_entry(self, user: ModuleUser, obj: Any, reason: int) -> int:
        """RM_ACLAddLogEntry: an ACL LOG entry in the module context."""
        return self.acl_add_log_entry_by_user_name(user.name, obj, reason)

    def acl_add_log_entry_by_user_name(self, username: Any, obj: Any, reason: int) -> int:
        """RM_ACLAddLogEntryByUserName."""
        code = _LOG_REASONS.get(reason)
        if code is None:
            return K.ERR
        srv = self.srv  # type: ignore[attr-defined]
        srv.acl.add_log(self.client, code, L.CTX_MODULE, username=_to_bytes(username),  # type: ignore[attr-defined]
                        obj=_to_bytes(obj))
        return K.OK

    # --- authentication --------------------------------------------------------------------
    def _authenticate(self, u: Any, callback: Any, privdata: Any) -> int | None:
        """authenticateClientWithUser."""
        if u is None or not u.enabled:
            return None
        c = self.client  # type: ignore[attr-defined]
        if c is None or getattr(c, "is_fake", False):
            return None  # a temporary module client: the setting would be lost
        acl = self.srv.acl  # type: ignore[attr-defined]
        acl.notify_user_changed(c)
        c.user = u
        c.authenticated = True
        c.refresh_guard()
        st = c.user_data.get("module_auth")
        if st is not None and st.entry is not None:
            st.has_result = True
        if callback is not None:
            c.user_data["auth_callback"] = (callback, privdata, self.module)  # type: ignore[attr-defined]
        return c.id

    def authenticate_client_with_user(self, user: ModuleUser, callback: Any = None, privdata: Any = None) -> int | None:
        """RM_AuthenticateClientWithUser: the client id, or None (user off, no client)."""
        return self._authenticate(user.user if user is not None else None, callback, privdata)

    def authenticate_client_with_acl_user(self, name: Any, callback: Any = None, privdata: Any = None) -> int | None:
        """RM_AuthenticateClientWithACLUser: None when the user does not exist or is off."""
        u = self.srv.acl.get_user(_to_bytes(name))  # type: ignore[attr-defined]
        return self._authenticate(u, callback, privdata)

    def deauthenticate_and_close_client(self, client_id: int) -> int:
        """RM_DeauthenticateAndCloseClient."""
        srv = self.srv  # type: ignore[attr-defined]
        c = srv.clients.get(client_id)
        if c is None:
            return K.ERR
        srv.acl.deauthenticate_and_close(c)
        return K.OK

    def redact_client_command_argument(self, pos: int) -> int:
        """RM_RedactClientCommandArgument: SLOWLOG and MONITOR show "(redacted)" there."""
        c = self.client  # type: ignore[attr-defined]
        argv = c.argv if c is not None else None
        if argv is None or pos <= 0 or pos >= len(argv):
            return K.ERR
        red = c.user_data.get("redacted")
        if red is None or red[0] is not argv:
            red = c.user_data["redacted"] = (argv, set())
        red[1].add(pos)
        return K.OK

    @staticmethod
    def get_client_certificate(client_id: int) -> bytes | None:
        """RM_GetClientCertificate: no TLS connections here, so always None."""
        return None

    def register_auth_callback(self, cb: Any) -> None:
        """RM_RegisterAuthCallback: tried before password checks, newest first."""
        srv = self.srv  # type: ignore[attr-defined]
        acl = srv.acl
        acl.auth_callbacks.insert(0, _AuthEntry(self.module, cb))  # type: ignore[attr-defined]
        acl.module_auth = lambda c, u, p: run_module_auth(srv, c, u, p)

    def block_client_on_auth(self, reply_cb: Any, free_privdata: Any = None) -> AuthBlockedClient:
        """RM_BlockClientOnAuth: only from an auth callback, which then returns AUTH_HANDLED."""
        return block_client_on_auth(self, reply_cb, free_privdata)


# --- the same operations as plain functions (RedisModule_* that take no context) ------------------
def free_module_user(user: ModuleUser) -> int:
    """RM_FreeModuleUser without a context."""
    if user is not None and user.free_user:
        user.acl.kill_user_clients(user.user)
    return K.OK


def set_module_user_acl(user: ModuleUser, rule: Any) -> int:
    """RM_SetModuleUserACL without a context (no errno is kept)."""
    try:
        user.user.apply(_to_bytes(rule))
    except RuleError:
        return K.ERR
    finally:
        user.acl.changed(user.user)
    return K.OK


def get_module_user_acl_string(user: ModuleUser) -> bytes:
    return user.user.describe()


def acl_check_key_permissions(user: ModuleUser, key: Any, flags: int) -> int:
    if flags & _KEY_MASK != flags:
        return K.ERR
    need = (S.READ if flags & K.CMD_KEY_ACCESS else 0) | \
        (S.WRITE if flags & (K.CMD_KEY_INSERT | K.CMD_KEY_DELETE | K.CMD_KEY_UPDATE) else 0)
    return K.OK if user.user.key_ok(_to_bytes(key), need) else K.ERR


def acl_check_channel_permissions(user: ModuleUser, ch: Any, flags: int) -> int:
    if flags & _CHANNEL_MASK != flags:
        return K.ERR
    if flags & K.CMD_CHANNEL_UNSUBSCRIBE:
        return K.OK
    return K.OK if user.user.channel_ok(_to_bytes(ch), bool(flags & K.CMD_CHANNEL_PATTERN)) else K.ERR
