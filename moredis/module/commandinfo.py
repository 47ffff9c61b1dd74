"""Module commands after registration: RedisModuleCommand, RedisModuleCommandInfo and
the getkeys/getchannels APIs (module.c RM_GetCommand, RM_CreateSubcommand,
RM_SetCommandInfo, RM_SetCommandACLCategories, RM_KeyAtPos, RM_ChannelAtPosWithFlags).

The C struct RedisModuleCommandInfo becomes a few dataclasses; plain dicts with the same
field names are accepted too:

    cmd = ctx.get_command("kspec.tworanges")
    cmd.set_command_info(rm.CommandInfo(
        arity=-2,
        summary="Read one key, update another",
        key_specs=[rm.KeySpec(flags=rm.CMD_KEY_RO | rm.CMD_KEY_ACCESS,
                              begin_search=rm.BeginSearchIndex(1), find_keys=rm.FindKeysRange(0, 1, 0)),
                   rm.KeySpec(flags=rm.CMD_KEY_RW | rm.CMD_KEY_UPDATE,
                              begin_search=rm.BeginSearchIndex(2), find_keys=rm.FindKeysRange(0, 1, 0))],
        args=[rm.Arg("src", rm.ARG_TYPE_KEY, key_spec_index=0),
              rm.Arg("dst", rm.ARG_TYPE_KEY, key_spec_index=1)]))

The info is turned into the same spec dict the core commands use, so COMMAND INFO,
DOCS, GETKEYS(ANDFLAGS) and LIST read it through commands/introspection.py.
Neighbours: server/modules.py (registration), module/context.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moredis.commands import registry as R
from moredis.module import constants as K

# --- RedisModuleCommandInfo in Python ----------------------------------------------------------

@dataclass
class BeginSearchIndex:
    """REDISMODULE_KSPEC_BS_INDEX: the first key is at argument `pos`."""

    pos: int


@dataclass
class BeginSearchKeyword:
    """REDISMODULE_KSPEC_BS_KEYWORD: keys start after `keyword`, searched from `startfrom`
    (negative: from the end, backwards)."""

    keyword: str
    startfrom: int


@dataclass
class BeginSearchUnknown:
    """REDISMODULE_KSPEC_BS_UNKNOWN."""


@dataclass
class FindKeysRange:
    """REDISMODULE_KSPEC_FK_RANGE (lastkey relative to the first key, -1 = last argument)."""

    lastkey: int = 0
    keystep: int = 1
    limit: int = 0


@dataclass
class FindKeysKeynum:
    """REDISMODULE_KSPEC_FK_KEYNUM: the number of keys is at `keynumidx`."""

    keynumidx: int = 0
    firstkey: int = 1
    keystep: int = 1


@dataclass
class FindKeysUnknown:
    """REDISMODULE_KSPEC_FK_UNKNOWN."""


@dataclass
class KeySpec:
    """RedisModuleCommandKeySpec. `find_keys` None means OMITTED (a plain range of one key)."""

    flags: int = 0
    begin_search: Any = None
    find_keys: Any = None
    notes: str | None = None


@dataclass
class Arg:
    """RedisModuleCommandArg (`subargs` for ONEOF and BLOCK)."""

    name: str
    type: int = K.ARG_TYPE_STRING
    key_spec_index: int = -1
    token: str | None = None
    summary: str | None = None
    since: str | None = None
    flags: int = 0
    deprecated_since: str | None = None
    subargs: list[Any] | None = None
    display_text: str | None = None


@dataclass
class CommandInfo:
    """RedisModuleCommandInfo. `history` is a list of (version, description); `tips` a
    space-separated string, as in C; `arity` 0 keeps the current one."""

    summary: str | None = None
    complexity: str | None = None
    since: str | None = None
    history: list[tuple[str, str]] | None = None
    tips: str | None = None
    arity: int = 0
    key_specs: list[Any] | None = None
    args: list[Any] | None = None
    version: int = 1


def _obj(x: Any, cls: type) -> Any:
    """A dataclass from a dict with the same field names (or the object itself)."""
    if isinstance(x, dict):
        return cls(**x)
    return x


def _bs(x: Any) -> dict | None:
    if x is None:
        return None
    if isinstance(x, dict):
        if "pos" in x or "index" in x:
            x = BeginSearchIndex(x.get("pos", x.get("index")))
        elif "keyword" in x:
            x = BeginSearchKeyword(x["keyword"], x.get("startfrom", 1))
        else:
            x = BeginSearchUnknown()
    if isinstance(x, BeginSearchIndex):
        if x.pos < 1:
            return None
        return {"type": "index", "spec": {"index": x.pos}}
    if isinstance(x, BeginSearchKeyword):
        if not x.keyword:
            return None
        return {"type": "keyword", "spec": {"keyword": x.keyword, "startfrom": x.startfrom}}
    if isinstance(x, BeginSearchUnknown):
        return {"type": "unknown", "spec": {}}
    return None


def _fk(x: Any) -> dict | None:
    if x is None:
        return {"type": "range", "spec": {"lastkey": 0, "keystep": 1, "limit": 0}}
    if isinstance(x, dict):
        if "keynumidx" in x:
            x = FindKeysKeynum(**x)
        elif "lastkey" in x:
            x = FindKeysRange(**x)
        else:
            x = FindKeysUnknown()
    if isinstance(x, FindKeysRange):
        return {"type": "range", "spec": {"lastkey": x.lastkey, "keystep": x.keystep, "limit": x.limit}}
    if isinstance(x, FindKeysKeynum):
        return {"type": "keynum", "spec": {"keynumidx": x.keynumidx, "firstkey": x.firstkey,
                                           "keystep": x.keystep}}
    if isinstance(x, FindKeysUnknown):
        return {"type": "unknown", "spec": {}}
    return None


def key_flag_names(flags: int) -> list[str]:
    return [name for bit, name in K.KEY_FLAG_NAMES.items() if flags & bit]


def _key_spec(ks: Any) -> dict | None:
    ks = _obj(ks, KeySpec)
    bs = _bs(ks.begin_search)
    fk = _fk(ks.find_keys)
    if bs is None or fk is None:
        return None
    # moduleValidateCommandInfo: one of RO/RW/OW/RM at most
    if bin(ks.flags & (K.CMD_KEY_RO | K.CMD_KEY_RW | K.CMD_KEY_OW | K.CMD_KEY_RM)).count("1") > 1:
        return None
    out: dict = {}
    if ks.notes:
        out["notes"] = ks.notes
    out["flags"] = key_flag_names(ks.flags)
    out["begin_search"] = bs
    out["find_keys"] = fk
    return out


_ARG_FLAG_NAMES = ((K.CMD_ARG_OPTIONAL, "optional"), (K.CMD_ARG_MULTIPLE, "multiple"),
                   (K.CMD_ARG_MULTIPLE_TOKEN, "multiple_token"))


def _arg(a: Any, nspecs: int) -> dict | None:
    a = _obj(a, Arg)
    if not a.name or not 0 <= a.type < len(K.ARG_TYPE_NAMES):
        return None
    if a.type == K.ARG_TYPE_KEY:
        if not 0 <= a.key_spec_index < nspecs:
            return None
    elif a.key_spec_index != -1:
        return None
    if a.type == K.ARG_TYPE_PURE_TOKEN and not a.token:
        return None
    nested = a.type in (K.ARG_TYPE_ONEOF, K.ARG_TYPE_BLOCK)
    if nested != bool(a.subargs):
        return None
    out: dict = {"name": a.name, "type": K.ARG_TYPE_NAMES[a.type]}
    if a.display_text is not None:
        out["display_text"] = a.display_text
    if a.key_spec_index != -1:
        out["key_spec_index"] = a.key_spec_index
    if a.token:
        out["token"] = a.token
    if a.summary:
        out["summary"] = a.summary
    if a.since:
        out["since"] = a.since
    if a.deprecated_since:
        out["deprecated_since"] = a.deprecated_since
    flags = [n for bit, n in _ARG_FLAG_NAMES if a.flags & bit]
    if flags:
        out["flags"] = flags
    if nested:
        subs = []
        for s in a.subargs or ():
            d = _arg(s, nspecs)
            if d is None:
                return None
            subs.append(d)
        out["arguments"] = subs
    return out


def legacy_range(cmd: R.Command) -> None:
    """populateCommandLegacyRangeSpec: first/last/step for COMMAND INFO from the key
    specs, and the movablekeys flag when they cannot be glued into one range."""
    movable = bool(cmd.extra_flags and "getkeys-api" in cmd.extra_flags)
    specs = cmd.key_specs
    first_key = last_key = step = 0
    if specs:
        if len(specs) == 1 and specs[0]["begin_search"]["type"] == "index" and \
                specs[0]["find_keys"]["type"] == "range":
            s = specs[0]
            first_key = s["begin_search"]["spec"]["index"]
            lk = s["find_keys"]["spec"]["lastkey"]
            last_key = lk if lk < 0 else first_key + lk
            step = s["find_keys"]["spec"]["keystep"]
            if "incomplete" in s["flags"]:
                movable = True
        else:
            first = 1 << 31
            last = 0
            prev_last = 0
            for s in specs:
                if s["begin_search"]["type"] != "index" or s["find_keys"]["type"] != "range":
                    movable = True
                    continue
                pos = s["begin_search"]["spec"]["index"]
                rng = s["find_keys"]["spec"]
                if rng["keystep"] != 1 or (prev_last and prev_last != pos - 1):
                    movable = True
                    continue
                if "incomplete" in s["flags"]:
                    movable = True
                first = min(first, pos)
                abs_last = rng["lastkey"]
                if abs_last >= 0:
                    abs_last += pos
                # unsigned comparison in C: a negative lastkey wins
                last = abs_last if (abs_last & 0xFFFFFFFF) > (last & 0xFFFFFFFF) else last
                prev_last = last
            if first == 1 << 31:
                movable = True
            else:
                first_key, last_key, step = first, last, 1
    cmd.first_key, cmd.last_key, cmd.step = first_key, last_key, step
    if movable:
        cmd.flags |= R.MOVABLE_KEYS
    else:
        cmd.flags &= ~R.MOVABLE_KEYS


def info_to_spec(cmd: R.Command, info: Any) -> bool:
    """RM_SetCommandInfo: validate everything first, then update the command."""
    info = _obj(info, CommandInfo)
    if info.version != 1:
        return False
    specs = None
    if info.key_specs is not None:
        specs = []
        for ks in info.key_specs:
            d = _key_spec(ks)
            if d is None:
                return False
            specs.append(d)
    nspecs = len(specs) if specs is not None else len(cmd.key_specs)
    args = None
    if info.args is not None:
        args = []
        for a in info.args:
            d = _arg(a, nspecs)
            if d is None:
                return False
            args.append(d)
    history = None
    if info.history is not None:
        history = []
        for h in info.history:
            if isinstance(h, dict):
                h = (h.get("since"), h.get("changes"))
            if not h[0] or not h[1]:
                return False
            history.append((str(h[0]), str(h[1])))
    spec = cmd.spec
    for name in ("summary", "complexity", "since"):
        v = getattr(info, name)
        if v:
            spec[name] = v
    if history is not None:
        spec["history"] = history
    if info.tips:
        spec["tips"] = [t.lower() for t in info.tips.split()]
    if info.arity:
        cmd.arity = spec["arity"] = info.arity
    if specs is not None:
        cmd.key_specs = spec["key_specs"] = specs
        legacy_range(cmd)
    if args is not None:
        spec["arguments"] = args
    return True


# --- the command handle ----------------------------------------------------------------------

class Command:
    """RedisModuleCommand: what ctx.get_command() returns."""

    __slots__ = ("cmd", "mods", "module")

    def __init__(self, mods: Any, module: Any, cmd: R.Command) -> None:
        self.mods = mods
        self.module = module
        self.cmd = cmd

    @property
    def fullname(self) -> str:
        return self.cmd.fullname

    def set_command_info(self, info: Any) -> int:
        """RedisModule_SetCommandInfo (only while the module loads)."""
        if self.mods.loading is not self.module:
            return K.ERR
        return K.OK if info_to_spec(self.cmd, info) else K.ERR

    def set_command_acl_categories(self, categories: str) -> int:
        """RedisModule_SetCommandACLCategories: space-separated names, core or added by
        ctx.add_acl_category."""
        if self.mods.loading is not self.module:
            return K.ERR
        from moredis.server.modules import _CORE_ACL_CATEGORIES

        cats = []
        for name in (categories or "").split():
            low = name.lower()
            if low not in _CORE_ACL_CATEGORIES and low not in self.mods.acl_categories:
                return K.ERR
            if low not in cats:
                cats.append(low)
        self.cmd.acl = self.cmd.spec["acl"] = cats
        return K.OK

    def create_subcommand(self, name: str, fn: Any, strflags: str = "", firstkey: int = 0,
                          lastkey: int = 0, keystep: int = 0) -> int:
        """RedisModule_CreateSubcommand(parent, ...)."""
        return self.mods.create_subcommand(self.module, self.cmd, name, fn, strflags, firstkey, lastkey,
                                           keystep)

    def __repr__(self) -> str:
        return f"<module command {self.cmd.fullname}>"


# --- getkeys-api / getchannels-api -------------------------------------------------------------

FULL_ACCESS = K.CMD_KEY_RW | K.CMD_KEY_ACCESS | K.CMD_KEY_UPDATE


def keys_via_api(mods: Any, m: Any, fn: Any, argv: list[bytes]) -> list[tuple[int, list[str]]]:
    """moduleGetCommandKeysViaAPI: run the command function in keys-position mode."""
    from moredis.module.context import Ctx

    c = mods.fake_client(2)
    ctx = Ctx(mods.srv, m, c, argv)
    ctx.flags = CTX_KEYS_POS_REQUEST
    ctx.keys_result = []
    try:
        fn(ctx, argv)
    except Exception as e:
        mods.srv.log.warning(f"<{m.name}> getkeys request failed: {e!r}")
    finally:
        ctx._finish()
        mods.release_fake_client(c)
    return [(pos, key_flag_names(flags)) for pos, flags in ctx.keys_result]


def channels_via_api(mods: Any, m: Any, fn: Any, argv: list[bytes]) -> list[tuple[int, int]]:
    """moduleGetCommandChannelsViaAPI: (position, CMD_CHANNEL_* flags) of each channel."""
    from moredis.module.context import Ctx

    c = mods.fake_client(2)
    ctx = Ctx(mods.srv, m, c, argv)
    ctx.flags = CTX_CHANNELS_POS_REQUEST
    ctx.keys_result = []
    try:
        fn(ctx, argv)
    except Exception as e:
        mods.srv.log.warning(f"<{m.name}> getchannels request failed: {e!r}")
    finally:
        ctx._finish()
        mods.release_fake_client(c)
    return list(ctx.keys_result)


# ctx.flags bits private to the API (module.c REDISMODULE_CTX_KEYS_POS_REQUEST ...)
CTX_KEYS_POS_REQUEST = 1 << 0
CTX_CHANNELS_POS_REQUEST = 1 << 1


class PositionsMixin:
    """ctx.is_keys_position_request() and friends (mixed into Ctx)."""

    __slots__ = ()

    def is_keys_position_request(self) -> bool:
        return bool(self.flags & CTX_KEYS_POS_REQUEST)  # type: ignore[attr-defined]

    def key_at_pos_with_flags(self, pos: int, flags: int) -> None:
        ctx: Any = self
        if not ctx.flags & CTX_KEYS_POS_REQUEST or pos <= 0:
            return
        ctx.keys_result.append((pos, flags))

    def key_at_pos(self, pos: int) -> None:
        self.key_at_pos_with_flags(pos, FULL_ACCESS)

    def is_channels_position_request(self) -> bool:
        return bool(self.flags & CTX_CHANNELS_POS_REQUEST)  # type: ignore[attr-defined]

    def channel_at_pos_with_flags(self, pos: int, flags: int) -> None:
        ctx: Any = self
        if not ctx.flags & CTX_CHANNELS_POS_REQUEST or pos <= 0:
            return
        ctx.keys_result.append((pos, flags))

    def get_command_keys_with_flags(self, argv: list[bytes]) -> list[tuple[int, int]] | None:
        """RedisModule_GetCommandKeysWithFlags: [(position, CMD_KEY_* flags)] of the keys
        argv names, or None (ctx.errno ENOENT for no such command, EINVAL for bad arity
        or no keys)."""
        import errno

        from moredis.commands.introspection import get_keys, has_keys, lookup_argv

        ctx: Any = self
        cmd = lookup_argv(ctx.srv, argv)
        if cmd is None or (cmd.subcommands is not None and cmd.handler is None):
            ctx.errno = errno.ENOENT
            return None
        n, a = len(argv), cmd.arity
        if (a > 0 and n != a) or n < -a:
            ctx.errno = errno.EINVAL
            return None
        if not has_keys(cmd):
            ctx.errno = 0
            return None
        found = get_keys(cmd, argv)
        if not found:
            ctx.errno = 0
            return None
        by_name = {v: k for k, v in K.KEY_FLAG_NAMES.items()}
        return [(pos, sum(by_name.get(f, 0) for f in flags)) for pos, flags in found]

    def get_command_keys(self, argv: list[bytes]) -> list[int] | None:
        """RedisModule_GetCommandKeys: the key positions, or None."""
        r = self.get_command_keys_with_flags(argv)
        return None if r is None else [p for p, _ in r]


__all__ = ["Arg", "BeginSearchIndex", "BeginSearchKeyword", "BeginSearchUnknown", "Command", "CommandInfo",
           "FindKeysKeynum", "FindKeysRange", "FindKeysUnknown", "KeySpec"]
