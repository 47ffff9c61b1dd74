"""ACL selectors: the command, key and channel permissions of a user (acl.c aclSelector).

A user has a root selector (the rules written outside parentheses) and any number of
extra selectors written `(...)`; a command is allowed when one selector allows it.

Commands. Redis keeps a bitmap per selector plus `command_rules`, the ordered rule
string ACL LIST prints. The bitmap is always what replaying `+@all`/`-@all` and then
`command_rules` gives (acl.c asserts it when it describes a user, and recomputes every
bitmap from the rules when modules add commands), so here the rules are the truth and a
command's verdict is computed from them on first use and cached per Command object (a
module command loaded later is a new object, so it gets a fresh verdict).
`future` is the reserved bit only `+@all` sets (commands created later are allowed);
`allcommands` is SELECTOR_FLAG_ALLCOMMANDS, dropped by any rule that clears a bit.

Keys and channels: glob patterns; a key pattern carries read/write permissions
(`%R~`, `%W~`, `~` for both). Neighbours: users.py (users, the registry, the log),
commands/introspection.py (the keys of a command line).
"""

from __future__ import annotations

from typing import Any

from moredis.commands import registry as R
from moredis.util.glob import compile_glob

# key pattern permissions (ACL_READ_PERMISSION / ACL_WRITE_PERMISSION)
READ = 1
WRITE = 2
ALL = READ | WRITE

# check results, numbered as acl.c's ACL_DENIED_* (the log keeps the highest one)
OK = 0
DENIED_CMD = 1
DENIED_KEY = 2
DENIED_AUTH = 3
DENIED_CHANNEL = 4

# channel flags of a command's channel arguments (CMD_CHANNEL_*)
CH_PATTERN = 1 << 0
CH_PUBLISH = 1 << 1
CH_SUBSCRIBE = 1 << 2
CH_UNSUBSCRIBE = 1 << 3

# the channel arguments of the core pub/sub commands (db.c commands_with_channels):
# first position, how many (-1: to the end), flags
CORE_CHANNELS: dict[str, tuple[int, int, int]] = {
    "subscribe": (1, -1, CH_SUBSCRIBE),
    "ssubscribe": (1, -1, CH_SUBSCRIBE),
    "unsubscribe": (1, -1, CH_UNSUBSCRIBE),
    "sunsubscribe": (1, -1, CH_UNSUBSCRIBE),
    "psubscribe": (1, -1, CH_PATTERN | CH_SUBSCRIBE),
    "punsubscribe": (1, -1, CH_PATTERN | CH_UNSUBSCRIBE),
    "publish": (1, 1, CH_PUBLISH),
    "spublish": (1, 1, CH_PUBLISH),
}

# the messages of ACLSetUserStringError, by the errno acl.c sets
RULE_ERRORS = {
    "ENOENT": "Unknown command or category name in ACL",
    "EINVAL": "Syntax error",
    "EEXIST": "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
              "any effect. Try 'resetkeys' to start with an empty list of patterns",
    "EISDIR": "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
              "have any effect. Try 'resetchannels' to start with an empty list of channels",
    "ENODEV": "The password you are trying to remove from the user does not exist",
    "EBADMSG": "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
               "characters",
    "EALREADY": "Duplicate user found. A user can only be defined once in config files",
    "ECHILD": "Allowing first-arg of a subcommand is not supported",
}


class RuleError(Exception):
    """An ACL rule that cannot be applied; `code` names the errno acl.c would set."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def text(self) -> str:
        return RULE_ERRORS.get(self.code, "Wrong format")


def has_spaces(s: bytes) -> bool:
    """ACLStringHasSpaces: isspace() or NUL anywhere."""
    return any(b in (32, 9, 10, 11, 12, 13, 0) for b in s)


# rule kinds in a selector's parsed rule list
_CAT = 0
_CMD = 1
_FIRSTARG = 2


class Selector:
    """aclSelector. `env` answers command and category lookups (the ACL registry)."""

    __slots__ = (
        "allchannels",
        "allcommands",
        "allkeys",
        "cache",
        "channels",
        "env",
        "future",
        "matchers",
        "parsed",
        "patterns",
        "root",
        "rules",
    )

    def __init__(self, env: Any, root: bool = False, pubsub_all: bool = False) -> None:
        self.env = env
        self.root = root
        self.allkeys = False
        self.allchannels = pubsub_all  # acl-pubsub-default applies to every new selector
        self.allcommands = False
        self.future = False
        self.patterns: list[list] = []  # [pattern, READ|WRITE flags]
        self.channels: list[bytes] = []
        self.rules: list[bytes] = []  # command_rules, each b"+name" / b"-@cat" ...
        self.parsed: list[tuple[bool, int, Any, bytes]] = []
        self.cache: dict[Any, Any] = {}
        self.matchers: list | None = None

    def copy(self) -> Selector:
        s = Selector.__new__(Selector)
        s.env = self.env
        s.root = self.root
        s.allkeys = self.allkeys
        s.allchannels = self.allchannels
        s.allcommands = self.allcommands
        s.future = self.future
        s.patterns = [list(p) for p in self.patterns]
        s.channels = list(self.channels)
        s.rules = list(self.rules)
        s.parsed = list(self.parsed)
        s.cache = {}
        s.matchers = None
        return s

    # --- applying rules (ACLSetSelector) -----------------------------------------------------
    def apply(self, op: bytes) -> None:
        """One selector rule; raises RuleError as ACLSetSelector fails."""
        low = op.lower()
        if low in (b"allkeys", b"~*"):
            self.allkeys = True
            self.patterns = []
            self.matchers = None
        elif low == b"resetkeys":
            self.allkeys = False
            self.patterns = []
            self.matchers = None
        elif low in (b"allchannels", b"&*"):
            self.allchannels = True
            self.channels = []
        elif low == b"resetchannels":
            self.allchannels = False
            self.channels = []
        elif low in (b"allcommands", b"+@all"):
            self.future = True
            self.allcommands = True
            self._reset_rules()
        elif low in (b"nocommands", b"-@all"):
            self.future = False
            self.allcommands = False
            self._reset_rules()
        elif op[:1] in (b"~", b"%"):
            self._add_key_pattern(op)
        elif op[:1] == b"&":
            if self.allchannels:
                raise RuleError("EISDIR")
            pat = op[1:]
            if has_spaces(pat):
                raise RuleError("EINVAL")
            if pat not in self.channels:
                self.channels.append(pat)
            self.allchannels = False
        elif op[:1] == b"+" and op[1:2] != b"@":
            self._allow_command(op[1:])
        elif op[:1] == b"-" and op[1:2] != b"@":
            cmd = self.env.lookup_command(op[1:])
            if cmd is None:
                raise RuleError("ENOENT")
            self.allcommands = False
            self._add_rule(False, _CMD, cmd.fullname, b"", cmd.fullname.encode())
        elif op[:1] in (b"+", b"-") and op[1:2] == b"@":
            cat = op[2:].lower().decode("utf-8", "surrogateescape")
            if not self.env.category_exists(cat):
                raise RuleError("ENOENT")
            allow = op[:1] == b"+"
            if not allow and self.env.category_has_commands(cat):
                self.allcommands = False
            self._add_rule(allow, _CAT, cat, b"", op[1:].lower())
        else:
            raise RuleError("EINVAL")

    def _add_key_pattern(self, op: bytes) -> None:
        """~pattern, %R~pattern, %W~pattern, %RW~pattern. As Redis 7.4 parses it, a
        `%` form without `~` takes the rest as an empty pattern, and a bare `%` adds a
        pattern with no permission at all."""
        if self.allkeys:
            raise RuleError("EEXIST")
        n = len(op)
        offset = 1
        if op[:1] == b"%":
            flags = 0
            while offset < n:
                ch = op[offset]
                if ch in (82, 114) and not flags & READ:  # R r
                    flags |= READ
                elif ch in (87, 119) and not flags & WRITE:  # W w
                    flags |= WRITE
                elif ch == 126:  # ~
                    offset += 1
                    break
                else:
                    raise RuleError("EINVAL")
                offset += 1
        else:
            flags = ALL
        pat = op[offset:]
        if has_spaces(pat):
            raise RuleError("EINVAL")
        for p in self.patterns:
            if p[0] == pat:
                p[1] |= flags
                break
        else:
            self.patterns.append([pat, flags])
        self.matchers = None
        self.allkeys = False

    def _allow_command(self, name: bytes) -> None:
        env = self.env
        bar = name.rfind(b"|")
        if bar < 0:
            cmd = env.lookup_command(name)
            if cmd is None:
                raise RuleError("ENOENT")
            self._add_rule(True, _CMD, cmd.fullname, b"", cmd.fullname.encode())
            return
        base_name, sub = name[:bar], name[bar + 1:]
        cmd = env.lookup_command(base_name)
        if cmd is None:
            raise RuleError("ENOENT")
        if cmd.parent is not None:
            raise RuleError("ECHILD")
        if not sub:
            raise RuleError("EINVAL")
        if cmd.subcommands is not None:
            subcmd = env.lookup_command(name)
            if subcmd is None:
                raise RuleError("ENOENT")
            self._add_rule(True, _CMD, subcmd.fullname, b"", name.lower())
        else:
            # +select|0: a first argument allowed for an otherwise blocked command
            env.log_firstarg_warning(name)
            self._add_rule(True, _FIRSTARG, cmd.fullname, sub, name.lower())

    def _reset_rules(self) -> None:
        self.rules = []
        self.parsed = []
        self.cache = {}

    def _add_rule(self, allow: bool, kind: int, target: Any, sub: bytes, text: bytes) -> None:
        """ACLUpdateCommandRules: drop the rules this one overrides (the same text, or a
        subcommand/first-arg form of it), then append it."""
        n = len(text)
        keep_rules = []
        keep_parsed = []
        for r, p in zip(self.rules, self.parsed, strict=True):
            body = r[1:]
            if body == text or (len(body) > n and body[:n] == text and body[n] == 0x7C):
                continue
            keep_rules.append(r)
            keep_parsed.append(p)
        keep_rules.append((b"+" if allow else b"-") + text)
        keep_parsed.append((allow, kind, target, sub))
        self.rules = keep_rules
        self.parsed = keep_parsed
        self.cache = {}

    # --- command permission ---------------------------------------------------------------
    def verdict(self, cmd: Any) -> Any:
        """True (allowed), False (denied) or the frozenset of allowed first arguments."""
        v = self.cache.get(cmd)
        if v is not None:
            return v
        allowed = self.future
        firstargs: list[bytes] = []
        name = cmd.fullname
        parent = cmd.parent
        pname = parent.fullname if parent is not None else None
        cats = cmd.acl
        pcats = parent.acl if parent is not None else ()
        for allow, kind, target, sub in self.parsed:
            if kind == _CAT:
                if target in cats or target in pcats:
                    allowed = allow
                    if target in cats:
                        firstargs = []
            elif kind == _CMD:
                if target in (name, pname):
                    allowed = allow
                    if target == name:
                        firstargs = []
            elif target == name:
                low = sub.lower()
                if low not in firstargs:
                    firstargs.append(low)
        v = True if allowed else (frozenset(firstargs) if firstargs else False)
        self.cache[cmd] = v
        return v

    # --- keys and channels -------------------------------------------------------------------
    def _matchers(self) -> list:
        m = self.matchers
        if m is None:
            m = self.matchers = [(compile_glob(p), f) for p, f in self.patterns]
        return m

    def key_ok(self, key: bytes, need: int) -> bool:
        """ACLSelectorCheckKey: `need` is the READ/WRITE access the key spec implies."""
        if self.allkeys:
            return True
        return any(flags & need == need and match(key) for match, flags in self._matchers())

    def all_keys_ok(self, need: int) -> bool:
        """ACLSelectorHasUnrestrictedKeyAccess: `*` with the access wanted."""
        if self.allkeys:
            return True
        return any(flags & need == need and p == b"*" for p, flags in self.patterns)

    def channel_ok(self, channel: bytes, is_pattern: bool) -> bool:
        """ACLCheckChannelAgainstList (plus the allchannels flag): a pattern given to
        PSUBSCRIBE must equal an allowed pattern; a channel is matched against them."""
        if self.allchannels:
            return True
        return channel_in(self.channels, channel, is_pattern)

    def check(self, cmd: Any, argv: list[bytes], keys: Any) -> tuple[int, int]:
        """ACLSelectorCheckCmd: (OK or DENIED_*, position of the refused argument).
        `keys` is a one-slot cache [keys or None] shared by the user's selectors."""
        if not self.allcommands and not cmd.flags & R.NO_AUTH:
            v = self.cache.get(cmd)
            if v is None:
                v = self.verdict(cmd)
            if v is not True:
                if v is False or len(argv) < 2:
                    return DENIED_CMD, 0
                idx = 2 if cmd.parent is not None else 1
                if idx >= len(argv) or argv[idx].lower() not in v:
                    return DENIED_CMD, 0
        if not self.allkeys:
            found = keys[0]
            if found is None:
                found = keys[0] = command_keys(cmd, argv)
            for pos, need in found:
                if not self.key_ok(argv[pos], need):
                    return DENIED_KEY, pos
        if not self.allchannels:
            chans = keys[1]
            if chans is None:
                chans = keys[1] = self.env.command_channels(cmd, argv)
            for pos, flags in chans:
                if not flags & (CH_PUBLISH | CH_SUBSCRIBE):
                    continue
                if not channel_in(self.channels, argv[pos], bool(flags & CH_PATTERN)):
                    return DENIED_CHANNEL, pos
        return OK, 0

    # --- describing (ACLDescribeSelector and friends) ----------------------------------------
    def describe_commands(self) -> bytes:
        """ACLDescribeSelectorCommandRules: +@all or -@all, then the retained rules."""
        head = b"+@all" if self.future else b"-@all"
        if self.rules:
            return head + b" " + b" ".join(self.rules)
        return head

    def describe_keys(self) -> bytes:
        """The `keys` field of ACL GETUSER."""
        if self.allkeys:
            return b"~*"
        return b" ".join(pattern_string(p, f) for p, f in self.patterns)

    def describe_channels(self) -> bytes:
        if self.allchannels:
            return b"&*"
        return b" ".join(b"&" + c for c in self.channels)

    def describe(self) -> bytes:
        """ACLDescribeSelector: keys, channels (resetchannels first unless all), commands."""
        parts: list[bytes] = []
        if self.allkeys:
            parts.append(b"~*")
        else:
            parts.extend(pattern_string(p, f) for p, f in self.patterns)
        if self.allchannels:
            parts.append(b"&*")
        else:
            parts.append(b"resetchannels")
            parts.extend(b"&" + c for c in self.channels)
        parts.append(self.describe_commands())
        return b" ".join(parts)

    @property
    def unrestricted(self) -> bool:
        return self.allcommands and self.allkeys and self.allchannels


def pattern_string(p: bytes, flags: int) -> bytes:
    """sdsCatPatternString. A pattern without permissions (a bare `%`) would make Redis
    panic here; it is shown as `%~`."""
    if flags == ALL:
        return b"~" + p
    if flags == READ:
        return b"%R~" + p
    if flags == WRITE:
        return b"%W~" + p
    return b"%~" + p


def channel_in(allowed: list[bytes], channel: bytes, is_pattern: bool) -> bool:
    for pat in allowed:
        if is_pattern:
            if pat == channel:
                return True
        elif compile_glob(pat)(channel):
            return True
    return False


def key_need(flags: list[str]) -> int:
    """The READ/WRITE permission a key spec's flags ask for (ACLSelectorCheckKey)."""
    need = 0
    for f in flags:
        if f == "access":
            need |= READ
        elif f == "insert" or f == "delete" or f == "update":
            need |= WRITE
    return need


def command_keys(cmd: Any, argv: list[bytes]) -> list[tuple[int, int]]:
    """The key positions of a command line and the access each needs
    (getKeysFromCommandWithSpecs), [] for commands without keys."""
    from moredis.commands.introspection import get_keys, has_keys

    if not has_keys(cmd):
        return []
    try:
        found = get_keys(cmd, argv)
    except Exception:  # a module getkeys callback failing: no keys, as an empty result
        return []
    n = len(argv)
    return [(pos, key_need(flags)) for pos, flags in found if 0 < pos < n]
