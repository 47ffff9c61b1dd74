"""ACL users and the registry (acl.c): who a client is and what it may run.

- `User`: flags, password hashes and selectors (selector.py); `apply(op)` is ACLSetUser.
  `unrestricted` (a selector allowing every command, key and channel) lets the
  dispatcher skip the permission check on the hot path; `check_command` is the check.
- `ACL`: the users by name (the default user always exists), ACL SETUSER's staged
  application, the permission check with its NOPERM texts and ACL LOG entries,
  AUTH (module auth callbacks first, then passwords), requirepass, the ACL file,
  `user` directives at start-up and CONFIG REWRITE's user lines.

The registry also serves as the selectors' environment: command lookups (the original
command table, as ACLLookupCommand), categories (the core ones and those modules add),
channel arguments. Neighbours: commands/acl_cmd.py (ACL), commands/connection.py (AUTH,
HELLO), server/server.py (the check in processCommand), module/acl.py (the Modules API).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from moredis.acl import log as L
from moredis.acl.selector import (
    ALL,
    DENIED_AUTH,
    DENIED_CHANNEL,
    DENIED_CMD,
    DENIED_KEY,
    OK,
    RuleError,
    Selector,
    has_spaces,
)

CATEGORIES = ("keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
              "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
              "connection", "transaction", "scripting")

# results of an authentication attempt (AUTH_OK ... in server.h)
AUTH_OK = 0
AUTH_ERR = 1
AUTH_NOT_HANDLED = 2
AUTH_BLOCKED = 3

_STAT_KEYS = {DENIED_CMD: "cmd", DENIED_KEY: "key", DENIED_AUTH: "auth", DENIED_CHANNEL: "channel"}
_HEX = frozenset(b"0123456789abcdef")


def hash_password(pw: bytes) -> str:
    return hashlib.sha256(pw).hexdigest()


def _valid_hash(h: bytes) -> bool:
    """ACLCheckPasswordHash: 64 lowercase hex digits."""
    return len(h) == 64 and all(b in _HEX for b in h)


def _name_bytes(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def merge_selector_args(args: list[bytes]) -> tuple[list[bytes] | None, int]:
    """ACLMergeSelectorArguments: a `(` argument without its `)` takes the following ones
    (joined by spaces) up to the one ending with `)`. (None, index) when unmatched."""
    out: list[bytes] = []
    start = -1
    cur = b""
    for j, op in enumerate(args):
        if start < 0 and op[:1] == b"(" and op[-1:] != b")":
            cur = op
            start = j
            continue
        if start >= 0:
            cur = cur + b" " + op
            if op[-1:] == b")":
                start = -1
                out.append(cur)
            continue
        out.append(op)
    if start >= 0:
        return None, start
    return out, 0


def split_args(text: bytes) -> list[bytes] | None:
    """sdssplitargs: words, "double quoted" (with escapes) or 'single quoted'; None when
    the quotes do not balance."""
    from moredis.protocol.parser import split_args as sds_split

    return sds_split(text)


class User:
    """An ACL user. `linked` users are in the registry; module users are not."""

    __slots__ = ("_descr", "enabled", "env", "linked", "name", "nopass", "passwords", "sanitize_skip",
                 "selectors", "unrestricted")

    def __init__(self, name: str, env: Any = None) -> None:
        legacy = env is None
        if legacy:
            env = _StaticEnv()
        self.name = name
        self.env = env
        self.enabled = False
        self.nopass = False
        self.sanitize_skip = False
        self.passwords: list[str] = []  # sha256 hex digests, in the order they were added
        self.selectors: list[Selector] = [Selector(env, root=True, pubsub_all=env.pubsub_default())]
        self.unrestricted = False
        self.linked = False
        self._descr: bytes | None = None
        if legacy:  # User(name) outside a registry (tests): every command, no keys
            self.root.apply(b"+@all")

    def __repr__(self) -> str:
        return f"<User {self.name}>"

    @property
    def root(self) -> Selector:
        return self.selectors[0]

    @property
    def key_patterns(self) -> list[bytes]:
        """The root selector's key patterns (all of them, whatever their permissions)."""
        return [p for p, _ in self.root.patterns]

    @key_patterns.setter
    def key_patterns(self, pats: list[bytes]) -> None:
        root = self.root
        root.allkeys = False
        root.patterns = [[p, ALL] for p in pats]
        root.matchers = None
        self.refresh()

    # --- rules (ACLSetUser) --------------------------------------------------------------------
    def apply(self, op: bytes) -> None:
        """One rule; raises RuleError. The caller refreshes `unrestricted` (changed())."""
        self._descr = None
        if not op:
            return
        low = op.lower()
        if low == b"on":
            self.enabled = True
        elif low == b"off":
            self.enabled = False
        elif low == b"skip-sanitize-payload":
            self.sanitize_skip = True
        elif low == b"sanitize-payload":
            self.sanitize_skip = False
        elif low == b"nopass":
            self.nopass = True
            self.passwords = []
        elif low == b"resetpass":
            self.nopass = False
            self.passwords = []
        elif op[:1] in (b">", b"#"):
            if op[:1] == b">":
                h = hash_password(op[1:])
            else:
                if not _valid_hash(op[1:]):
                    raise RuleError("EBADMSG")
                h = op[1:].decode()
            if h not in self.passwords:
                self.passwords.append(h)
            self.nopass = False
        elif op[:1] in (b"<", b"!"):
            if op[:1] == b"<":
                h = hash_password(op[1:])
            else:
                if not _valid_hash(op[1:]):
                    raise RuleError("EBADMSG")
                h = op[1:].decode()
            if h not in self.passwords:
                raise RuleError("ENODEV")
            self.passwords.remove(h)
        elif op[:1] == b"(" and op[-1:] == b")":
            # unbalanced quotes give no words: an empty selector, as aclCreateSelectorFromOpSet
            words = split_args(op[1:-1]) or []
            sel = Selector(self.env, root=False, pubsub_all=self.env.pubsub_default())
            for w in words:
                sel.apply(w)
            self.selectors.append(sel)
        elif low == b"clearselectors":
            del self.selectors[1:]
        elif low == b"reset":
            self.nopass = False
            self.passwords = []
            root = self.root
            root.apply(b"resetkeys")
            root.apply(b"resetchannels")
            if self.env.pubsub_default():
                root.apply(b"allchannels")
            self.enabled = False
            self.sanitize_skip = False
            del self.selectors[1:]
            root.apply(b"-@all")
        else:
            self.root.apply(op)

    def copy_from(self, other: User) -> None:
        """ACLCopyUser: same rules, own name."""
        self.enabled = other.enabled
        self.nopass = other.nopass
        self.sanitize_skip = other.sanitize_skip
        self.passwords = list(other.passwords)
        self.selectors = [s.copy() for s in other.selectors]
        self._descr = None

    def refresh(self) -> None:
        """Recompute what the dispatcher's fast path reads."""
        self._descr = None
        self.unrestricted = any(s.unrestricted for s in self.selectors)

    # --- description ---------------------------------------------------------------------------
    def flag_names(self) -> list[bytes]:
        """The user flags in ACLDescribeUser's order."""
        out = [b"on" if self.enabled else b"off"]
        if self.nopass:
            out.append(b"nopass")
        out.append(b"skip-sanitize-payload" if self.sanitize_skip else b"sanitize-payload")
        return out

    def describe(self) -> bytes:
        """ACLDescribeUser: the rules that rebuild this user, as ACL LIST prints them."""
        d = self._descr
        if d is None:
            parts = self.flag_names()
            parts.extend(b"#" + p.encode() for p in self.passwords)
            parts.append(self.root.describe())
            d = b" ".join(parts)
            for s in self.selectors[1:]:
                d += b" (" + s.describe() + b")"
            self._descr = d
        return d

    # --- checks --------------------------------------------------------------------------------
    def check_password(self, pw: bytes) -> bool:
        if not self.enabled:
            return False
        if self.nopass:
            return True
        h = hash_password(pw)
        return any(hmac.compare_digest(h, p) for p in self.passwords)

    def check(self, cmd: Any, argv: list[bytes]) -> tuple[int, int]:
        """ACLCheckAllUserCommandPerm: OK, or the most telling refusal (a channel over a
        key over the command; the later argument between two of a kind)."""
        relevant = DENIED_CMD
        last = 0
        cache: list = [None, None]
        for s in self.selectors:
            code, idx = s.check(cmd, argv, cache)
            if code == OK:
                return OK, 0
            if code > relevant or (code == relevant and idx > last):
                relevant = code
                last = idx
        return relevant, last

    def check_command(self, srv: Any, c: Any, cmd: Any, argv: list[bytes]) -> str | None:
        """The NOPERM error the dispatcher would give (not logged), or None."""
        code, idx = self.check(cmd, argv)
        if code == OK:
            return None
        return "NOPERM " + deny_message(code, self, cmd, argv[idx] if idx < len(argv) else b"", False)

    def has_all_keys(self, cmd: Any, argv: list[bytes] | None = None, need: int = 1) -> bool:
        """ACLUserCheckCmdWithUnrestrictedKeyAccess: one selector allows the command and
        every key with the access asked (read by default), e.g. SORT BY/GET."""
        if self.unrestricted:
            return True
        cache: list = [None, None]
        for s in self.selectors:
            if argv is not None:
                if s.check(cmd, argv, cache)[0] != OK:
                    continue
            elif not s.allcommands and s.verdict(cmd) is not True:
                continue
            if s.all_keys_ok(need):
                return True
        return False

    def key_ok(self, key: bytes, need: int) -> bool:
        """ACLUserCheckKeyPerm."""
        return any(s.key_ok(key, need) for s in self.selectors)

    def channel_ok(self, channel: bytes, is_pattern: bool) -> bool:
        """ACLUserCheckChannelPerm."""
        return any(s.channel_ok(channel, is_pattern) for s in self.selectors)


def deny_message(code: int, u: User, cmd: Any, val: bytes, verbose: bool) -> str:
    """getAclErrorMessage."""
    name = u.name
    if code == DENIED_CMD:
        return f"User {name} has no permissions to run the '{cmd.fullname}' command"
    v = val.decode("utf-8", "surrogateescape")
    if code == DENIED_KEY:
        return f"User {name} has no permissions to access the '{v}' key" if verbose else \
            "No permissions to access a key"
    if code == DENIED_CHANNEL:
        return f"User {name} has no permissions to access the '{v}' channel" if verbose else \
            "No permissions to access a channel"
    return "no permission"


class _StaticEnv:
    """Selector environment without a server (checking config lines before start-up):
    command names cannot be checked yet, as in ACLAppendUserForLoading."""

    @staticmethod
    def lookup_command(name: bytes) -> Any:
        return None

    @staticmethod
    def category_exists(cat: str) -> bool:
        return cat in CATEGORIES

    @staticmethod
    def category_has_commands(cat: str) -> bool:
        return True

    @staticmethod
    def pubsub_default() -> bool:
        return False

    @staticmethod
    def log_firstarg_warning(name: bytes) -> None:
        return None

    @staticmethod
    def command_channels(cmd: Any, argv: list[bytes]) -> list:
        return []


class ACL:
    """The registry of users (acl.c's Users rax, DefaultUser, the log)."""

    def __init__(self, srv: Any = None) -> None:
        self.srv = srv
        self.users: dict[str, User] = {}
        self.log = L.AclLog()
        self.auth_callbacks: list[Any] = []  # module auth callbacks, most recent first
        self.module_auth: Any = None  # set by module/acl.py: runs the callbacks
        d = self.create_user("default")
        for op in (b"+@all", b"~*", b"&*", b"on", b"nopass"):
            d.apply(op)
        d.refresh()
        self.default_user = d

    # --- selector environment ------------------------------------------------------------------
    def pubsub_default(self) -> bool:
        srv = self.srv
        return srv is not None and srv.config["acl-pubsub-default"] == "allchannels"

    def lookup_command(self, name: bytes) -> Any:
        """ACLLookupCommand: "name" or "container|sub", any case."""
        if self.srv is None:
            return None
        from moredis.commands.introspection import lookup_by_name

        try:
            return lookup_by_name(self.srv, name)
        except Exception:
            return None

    def categories(self) -> list[str]:
        """ACL CAT: the core categories, then those modules added."""
        out = list(CATEGORIES)
        mods = getattr(self.srv, "modules", None)
        extra = getattr(mods, "acl_categories", None)
        if extra:
            out.extend(c for c in extra if c not in out)
        return out

    def category_exists(self, cat: str) -> bool:
        return any(cat == c.lower() for c in self.categories())

    def all_commands(self) -> list[Any]:
        """Every command and subcommand of the table, once each."""
        if self.srv is None:
            return []
        out = []
        for cmd in dict.fromkeys(self.srv.table.values()):
            out.append(cmd)
            if cmd.subcommands:
                out.extend(cmd.subcommands.values())
        return out

    def category_has_commands(self, cat: str) -> bool:
        return any(cat in (a.lower() for a in cmd.acl) for cmd in self.all_commands())

    def command_channels(self, cmd: Any, argv: list[bytes]) -> list[tuple[int, int]]:
        """getChannelsFromCommand: (position, CMD_CHANNEL_* flags) of the channels."""
        from moredis.acl.selector import CORE_CHANNELS

        if cmd.module is not None:
            mods = getattr(self.srv, "modules", None)
            if mods is None:
                return []
            try:
                found = mods.get_command_channels(cmd, argv)
            except Exception:
                return []
            return list(found or [])
        spec = CORE_CHANNELS.get(cmd.fullname)
        if spec is None:
            return []
        start, count, flags = spec
        stop = len(argv) if count < 0 else min(start + count, len(argv))
        return [(i, flags) for i in range(start, stop)]

    def log_firstarg_warning(self, name: bytes) -> None:
        if self.srv is not None:
            self.srv.log.warning("Deprecation warning: Allowing a first arg of an otherwise blocked command is a "
                                 "misuse of ACL and may get disabled in the future (offender: +%s)"
                                 % name.decode("utf-8", "replace"))

    # --- users -----------------------------------------------------------------------------------
    def new_user(self, name: str) -> User:
        """An unlinked user (ACLCreateUnlinkedUser; module users)."""
        return User(name, self)

    def create_user(self, name: str) -> User:
        u = User(name, self)
        u.linked = True
        self.users[name] = u
        return u

    def get_user(self, name: bytes | str) -> User | None:
        if isinstance(name, bytes):
            name = name.decode("utf-8", "surrogateescape")
        return self.users.get(name)

    def sorted_users(self) -> list[User]:
        """Users in the rax's order: by name bytes."""
        return [self.users[k] for k in sorted(self.users, key=_name_bytes)]

    def changed(self, u: User) -> None:
        """After a user's rules changed: the fast-path flag, its clients' dispatch guard,
        and whether new connections start authenticated."""
        was = u.unrestricted
        u.refresh()
        srv = self.srv
        if srv is None:
            return
        if was != u.unrestricted:
            for c in list(srv.clients.values()):
                if c.user is u:
                    c.refresh_guard()
        if u is self.default_user:
            srv.auth_required = not (u.nopass and u.enabled)

    def auth_required(self) -> bool:
        """clientSetDefaultAuth: new connections are authenticated when the default user
        is enabled and needs no password."""
        d = self.default_user
        return not (d.nopass and d.enabled)

    def set_user(self, u: User | None, name: str | None, args: list[bytes]) -> str | None:
        """ACLStringSetUser: apply every rule to a copy, then install it (creating the
        user if needed); nothing changes when a rule fails. Returns the error text."""
        merged, bad = merge_selector_args(args)
        if merged is None:
            return "Unmatched parenthesis in acl selector starting at '%s'." % args[bad].decode(
                "utf-8", "surrogateescape")
        temp = self.new_user("__fakeuser:0__")
        if u is not None:
            temp.copy_from(u)
        for op in merged:
            try:
                temp.apply(op)
            except RuleError as e:
                return "Error in ACL SETUSER modifier '%s': %s" % (op.decode("utf-8", "surrogateescape"), e.text)
        if u is not None:
            self.kill_pubsub_clients_if_needed(temp, u)
        else:
            assert name is not None
            u = self.create_user(name)
        u.copy_from(temp)
        self.changed(u)
        return None

    def delete_user(self, name: bytes) -> bool:
        """ACL DELUSER of one user: its connections are closed."""
        u = self.get_user(name)
        if u is None:
            return False
        del self.users[u.name]
        u.linked = False
        self.kill_user_clients(u)
        return True

    def kill_user_clients(self, u: User) -> None:
        """ACLFreeUserAndKillClients."""
        srv = self.srv
        if srv is None:
            return
        for c in list(srv.clients.values()):
            if c.user is u:
                self.deauthenticate_and_close(c)

    def deauthenticate_and_close(self, c: Any) -> None:
        """deauthenticateAndCloseClient: back to the default user, unauthenticated, and
        closed (the current client once its reply is out)."""
        srv = self.srv
        self.notify_user_changed(c)
        c.user = self.default_user
        c.authenticated = False
        c.refresh_guard()
        if srv is not None and (c is srv.current_client or c is getattr(srv, "executing_client", None)):
            c.close_after_reply = True
        else:
            c.close()

    def kill_pubsub_clients_if_needed(self, new: User, original: User) -> None:
        """ACLKillPubsubClientsIfNeeded: subscribers of `original` whose channels the new
        rules no longer allow are disconnected."""
        srv = self.srv
        if srv is None:
            return
        upcoming = upcoming_channels(new, original)
        if upcoming is None:
            return
        for c in list(srv.clients.values()):
            if c.user is original and should_kill_pubsub_client(c, upcoming):
                self.deauthenticate_and_close(c)

    # --- module user change callbacks ------------------------------------------------------------
    @staticmethod
    def notify_user_changed(c: Any) -> None:
        """moduleNotifyUserChanged: the callback given with the client's module
        authentication fires once, when the client's user changes or it goes away."""
        entry = c.user_data.pop("auth_callback", None)
        if entry is not None:
            cb, privdata = entry[0], entry[1]
            try:
                cb(c.id, privdata)
            except Exception as e:  # pragma: no cover - a module bug must not stop us
                if c.srv is not None:
                    c.srv.log.warning(f"user changed callback failed: {e!r}")

    def client_freed(self, c: Any) -> None:
        if c.user_data:
            self.notify_user_changed(c)

    # --- permission checks -----------------------------------------------------------------------
    def check_client(self, c: Any, cmd: Any, argv: list[bytes]) -> str | None:
        """The check of processCommand (and of scripts' redis.call): None, or the NOPERM
        error after the ACL LOG entry (context lua in scripts, multi inside MULTI)."""
        u = c.user
        if u is None or u.unrestricted or c.is_master:  # the master link runs as no user
            return None
        code, idx = u.check(cmd, argv)
        if code == OK:
            return None
        ctx = L.CTX_LUA if c.in_script else _multi_or_toplevel(c)
        self.add_log(c, code, ctx, cmd=cmd, argv=argv, argpos=idx)
        return "NOPERM " + deny_message(code, u, cmd, argv[idx] if idx < len(argv) else b"", False)

    def log_denied(self, c: Any, cmd: Any, argv: list[bytes], err: str | None = None) -> None:
        """The log entry of a module RM_Call with the C flag that was refused."""
        u = c.user
        if u is None:
            return
        code, idx = u.check(cmd, argv)
        if code != OK:
            self.add_log(c, code, L.CTX_MODULE, cmd=cmd, argv=argv, argpos=idx)

    def exec_recheck(self, c: Any, cmd: Any, argv: list[bytes]) -> str | None:
        """EXEC checks each queued command again (the rules may have changed since it
        was queued): None or the error to answer in its place, logged (multi)."""
        u = c.user
        if u is None or u.unrestricted:
            return None
        code, idx = u.check(cmd, argv)
        if code == OK:
            return None
        reason = {DENIED_CMD: "no permission to execute the command or subcommand",
                  DENIED_KEY: "no permission to touch the specified keys",
                  DENIED_CHANNEL: "no permission to access one of the channels used as arguments"
                  }.get(code, "no permission")
        self.add_log(c, code, L.CTX_MULTI, cmd=cmd, argv=argv, argpos=idx)
        return ("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
                "call. This command is no longer allowed for the following reason: " + reason)

    def add_log(self, c: Any, reason: int, context: int, cmd: Any = None, argv: list[bytes] | None = None,
                argpos: int = 0, username: bytes | None = None, obj: bytes | None = None) -> None:
        """addACLLogEntry: counts the refusal for INFO and records (or folds) an entry."""
        srv = self.srv
        if srv is not None:
            key = _STAT_KEYS.get(reason)
            if key is not None:
                srv.stat_acl_denied[key] = srv.stat_acl_denied.get(key, 0) + 1
        max_len = srv.config["acllog-max-len"] if srv is not None else 128
        if max_len == 0:
            self.log.reset()
            return
        if username is None:
            username = _name_bytes(c.user.name) if c is not None and c.user is not None else b""
        if obj is None:
            if reason == DENIED_CMD:
                obj = cmd.fullname.encode() if cmd is not None else b""
            elif reason in (DENIED_KEY, DENIED_CHANNEL):
                obj = argv[argpos] if argv is not None and 0 <= argpos < len(argv) else b""
            elif reason == DENIED_AUTH:
                obj = argv[0] if argv else b""
            else:
                obj = b""
        self.log.add(reason, context, obj, username, self._client_info(c, cmd, argv), max_len)

    def _client_info(self, c: Any, cmd: Any, argv: list[bytes] | None) -> bytes:
        """catClientInfoString of the client being served (or `c` without one)."""
        srv = self.srv
        if srv is None:
            return b""
        real = _top_client(srv) or c
        if real is None:
            return b""
        from moredis.commands.client_cmd import client_info_line

        restore = None
        if real is c and cmd is not None and c.cmd is not cmd and not c.in_script:
            restore = (c.cmd, c.argv)  # refused before call(): Redis shows the command looked up
            c.cmd, c.argv = cmd, argv
        try:
            return client_info_line(real, real).rstrip(b"\n")
        except Exception:  # pragma: no cover - never fail a refusal over its log line
            return b""
        finally:
            if restore is not None:
                c.cmd, c.argv = restore

    # --- authentication --------------------------------------------------------------------------
    def authenticate(self, username: bytes, password: bytes) -> User | None:
        """ACLCheckUserCredentials: the user when the pair is valid."""
        u = self.get_user(username)
        if u is None or not u.check_password(password):
            return None
        return u

    def password_auth(self, c: Any, username: bytes, password: bytes, argv0: bytes) -> int:
        """checkPasswordBasedAuth."""
        u = self.authenticate(username, password)
        if u is not None:
            c.authenticated = True
            c.user = u
            self.notify_user_changed(c)
            c.refresh_guard()
            return AUTH_OK
        self.add_log(c, DENIED_AUTH, _multi_or_toplevel(c), username=username, obj=argv0)
        return AUTH_ERR

    def auth_client(self, c: Any, username: bytes, password: bytes, argv0: bytes) -> tuple[int, bytes | None]:
        """ACLAuthenticateUser: module auth callbacks, then passwords. Returns the
        result and the error a module chose (None for the standard WRONGPASS)."""
        runner = self.module_auth
        if runner is not None and (self.auth_callbacks or "module_auth" in c.user_data):
            result, err = runner(c, username, password)
            if result != AUTH_NOT_HANDLED:
                return result, err
        return self.password_auth(c, username, password, argv0), None

    def set_requirepass(self, pw: str) -> None:
        """ACLUpdateDefaultUserPassword: requirepass sets the default user's password."""
        d = self.default_user
        d.apply(b"resetpass")
        if pw:
            d.apply(b">" + pw.encode("utf-8", "surrogateescape"))
        else:
            d.apply(b"nopass")
        self.changed(d)

    # --- persistence -----------------------------------------------------------------------------
    def user_lines(self) -> list[bytes]:
        return [b"user " + _name_bytes(u.name) + b" " + u.describe() for u in self.sorted_users()]

    def config_lines(self) -> list[str]:
        """CONFIG REWRITE's `user` lines (none when an ACL file holds the users)."""
        if self.srv is not None and self.srv.config["aclfile"]:
            return []
        return [line.decode("utf-8", "surrogateescape") for line in self.user_lines()]

    def acl_file_path(self) -> str:
        path = self.srv.config["aclfile"]
        if not os.path.isabs(path):
            path = os.path.join(self.srv.config["dir"] or os.getcwd(), path)
        return path

    def save_file(self) -> bool:
        """ACLSaveToFile: a temporary file renamed over the old one."""
        path = self.acl_file_path()
        data = b"".join(line + b"\n" for line in self.user_lines())
        tmp = "%s.tmp-%d-%d" % (path, os.getpid(), L.now_ms())
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o644)
        except OSError as e:
            self.srv.log.warning(f"Opening temp ACL file for ACL SAVE: {e.strerror}")
            return False
        try:
            try:
                os.write(fd, data)
                os.fsync(fd)
            except OSError as e:
                self.srv.log.warning(f"Writing ACL file for ACL SAVE: {e.strerror}")
                return False
            finally:
                os.close(fd)
            try:
                os.rename(tmp, path)
            except OSError as e:
                self.srv.log.warning(f"Renaming ACL file for ACL SAVE: {e.strerror}")
                return False
            tmp = ""
            return True
        finally:
            if tmp:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    def load_file(self) -> str | None:
        """ACLLoadFromFile: every line is checked on a fresh set of users; any error
        leaves the current users untouched. Returns the errors, or None."""
        srv = self.srv
        fname = srv.config["aclfile"]
        path = self.acl_file_path()
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            return "Error loading ACLs, opening file '%s': %s" % (fname, e.strerror)
        errors: list[str] = []
        new: dict[str, User] = {}
        for i, raw in enumerate(data.split(b"\n")):
            line = raw.strip(b" \t\r\n")
            if not line:
                continue
            linenum = i + 1
            argv = line.split(b" ")
            if argv[0] != b"user" or len(argv) < 2:
                errors.append("%s:%d should start with user keyword followed by the username. "
                              % (fname, linenum))
                continue
            uname = argv[1]
            if has_spaces(uname):
                errors.append("'%s:%d: username '%s' contains invalid characters. "
                              % (fname, linenum, uname.decode("utf-8", "surrogateescape")))
                continue
            name = uname.decode("utf-8", "surrogateescape")
            if name in new:
                errors.append("WARNING: Duplicate user '%s' found on line %d. " % (name, linenum))
                continue
            u = User(name, self)
            u.linked = True
            new[name] = u
            merged, _ = merge_selector_args(argv[2:])
            if merged is None:
                errors.append("%s:%d: Unmatched parenthesis in selector definition." % (fname, linenum))
                merged = []
            syntax_error = False
            for op in merged:
                op = op.strip(b"\t\r\n")
                try:
                    u.apply(op)
                except RuleError as e:
                    if e.code == "ENOENT":
                        errors.append("%s:%d: Error in applying operation '%s': %s. "
                                      % (fname, linenum, op.decode("utf-8", "surrogateescape"), e.text))
                    elif not syntax_error:
                        errors.append("%s:%d: %s. " % (fname, linenum, e.text))
                        syntax_error = True
        if errors:
            return "".join(errors) + ("WARNING: ACL errors detected, no change to the previously active ACL "
                                      "rules was performed")
        self._install(new)
        return None

    def _install(self, new: dict[str, User]) -> None:
        """Replace the users (ACL LOAD): the default user object is kept (it is
        referenced everywhere) with the new rules; clients of users that are gone, or
        whose subscriptions the new rules forbid, are disconnected."""
        d = self.default_user
        nd = new.pop("default", None)
        if nd is None:
            nd = User("default", self)
            for op in (b"+@all", b"~*", b"&*", b"on", b"nopass"):
                nd.apply(op)
        old_default = User("default", self)
        old_default.copy_from(d)
        d.copy_from(nd)
        new["default"] = d
        old_users = self.users
        self.users = {}
        for name, u in new.items():
            u.linked = True
            u.refresh()
            self.users[name] = u
        for u in old_users.values():
            if u is not d:
                u.linked = False
        srv = self.srv
        originals = {id(d): old_default}
        upcoming_by_name: dict[str, Any] = {}
        for c in list(srv.clients.values()):
            if c.is_master or c.user is None:
                continue
            original = originals.get(id(c.user), c.user)
            if not c.user.linked and c.user is not d and old_users.get(c.user.name) is not c.user:
                continue  # a module user: not the registry's business
            nu = self.users.get(c.user.name)
            kill = nu is None
            if not kill and (c.channels or c.patterns or c.shard_channels):
                if nu.name not in upcoming_by_name:
                    upcoming_by_name[nu.name] = upcoming_channels(nu, original)
                up = upcoming_by_name[nu.name]
                kill = up is not None and should_kill_pubsub_client(c, up)
            if kill:
                self.deauthenticate_and_close(c)
                continue
            c.user = nu
            c.refresh_guard()
        self.changed(d)
        for c in list(srv.clients.values()):
            c.refresh_guard()

    def load_at_startup(self, lines: list[list[str]]) -> str | None:
        """ACLLoadUsersAtStartup: `user` directives, or the ACL file. Returns the
        error that stops the server."""
        srv = self.srv
        if srv.config["aclfile"] and lines:
            srv.log.warning("Configuring Redis with users defined in redis.conf and at the same setting an ACL "
                            "file path is invalid. This setup is very likely to lead to configuration errors "
                            "and security holes, please define either an ACL file or declare users directly in "
                            "your redis.conf, but not both.")
            return "users and aclfile"
        for args in lines:
            bargs = [a.encode("utf-8", "surrogateescape") if isinstance(a, str) else a for a in args]
            name = bargs[0]
            if has_spaces(name):
                srv.log.warning("Spaces not allowed in ACL usernames")
                return "bad user name"
            merged, _ = merge_selector_args(bargs[1:])
            u = self.get_user(name)
            if u is None:
                u = self.create_user(name.decode("utf-8", "surrogateescape"))
            else:
                u.apply(b"reset")
            for op in merged or []:
                try:
                    u.apply(op)
                except RuleError as e:
                    srv.log.warning("Error loading ACL rule '%s' for the user named '%s': %s"
                                    % (op.decode("utf-8", "surrogateescape"), u.name, e.text))
                    return "bad rule"
            self.changed(u)
            if not u.enabled:
                srv.log.notice(f"The user '{u.name}' is disabled (there is no 'on' modifier in the user "
                               "description). Make sure this is not a configuration error.")
        if srv.config["aclfile"]:
            err = self.load_file()
            if err is not None:
                srv.log.warning(f"Aborting Redis startup because of ACL errors: {err}")
                return err
        return None


def _multi_or_toplevel(c: Any) -> int:
    """The log context of a client: multi while queueing or while EXEC runs its commands
    (EXEC denies blocking to them), else toplevel."""
    if c.multi is not None or (c.deny_blocking and c.conn is not None and not c.in_script):
        return L.CTX_MULTI
    return L.CTX_TOPLEVEL


def _top_client(srv: Any) -> Any:
    """The client whose command is being served at the top (Redis's server.current_client):
    srv.current_client is the innermost one (a script's or a module call's client), so
    the outermost RedisServer.call frame is looked up; this only runs for refusals."""
    import sys

    from moredis.server.server import RedisServer

    code = RedisServer.call.__code__
    top = None
    f = sys._getframe(1)
    while f is not None:
        if f.f_code is code:
            top = f.f_locals.get("c")
        f = f.f_back
    return top if top is not None else srv.current_client


def check_user_directive(args: list[str], seen: list[list[str]]) -> str | None:
    """ACLAppendUserForLoading, for a `user` line of the config file: the error text of
    an obvious syntax error (unknown commands are only found at start-up)."""
    if not args:
        return "Bad directive or wrong number of arguments"
    argv = ["user", *args]
    if any(s and s[0] == args[0] for s in seen):
        return "Error in user declaration '%s': %s" % (argv[1], RuleError("EALREADY").text)
    bargs = [a.encode("utf-8", "surrogateescape") for a in args[1:]]
    merged, bad = merge_selector_args(bargs)
    if merged is None:
        return "Error in user declaration '%s': %s" % (argv[bad], RuleError("EINVAL").text)
    fake = User("__fakeuser:0__", _StaticEnv())
    for j, op in enumerate(merged):
        try:
            fake.apply(op)
        except RuleError as e:
            if e.code != "ENOENT":
                # argc_err indexes the merged rules but is shown from the whole line, as Redis does
                return "Error in user declaration '%s': %s" % (argv[j] if j < len(argv) else "", e.text)
    return None


def upcoming_channels(new: User, original: User) -> list[bytes] | None:
    """getUpcomingChannelList: None when the new rules allow every channel the old ones
    did, else the channels the new rules allow."""
    if any(s.allchannels for s in new.selectors):
        return None
    upcoming = [ch for s in new.selectors for ch in s.channels]
    for s in original.selectors:
        if s.allchannels:
            return upcoming
        for ch in s.channels:
            if ch not in upcoming:
                return upcoming
    return None


def should_kill_pubsub_client(c: Any, upcoming: list[bytes]) -> bool:
    """ACLShouldKillPubsubClient: a subscription the upcoming channels do not allow."""
    from moredis.acl.selector import channel_in

    if not (c.channels or c.patterns or c.shard_channels):
        return False
    for p in c.patterns:
        if not channel_in(upcoming, p, True):
            return True
    for ch in c.channels:
        if not channel_in(upcoming, ch, False):
            return True
    return any(not channel_in(upcoming, ch, False) for ch in c.shard_channels)


def load_startup_users(srv: Any, st: Any) -> None:
    """The start-up hook: config `user` lines or the ACL file; an error stops the server."""
    err = srv.acl.load_at_startup(st.users)
    if err is not None:
        from moredis.server.admin import StartupError

        srv.log.warning("Critical error while loading ACLs. Exiting.")
        raise StartupError(err)
