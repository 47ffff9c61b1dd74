"""Module configurations (RedisModule_Register*Config, LoadConfigs).

A module config is named `<module>.<name>` and lives in the server's config registry,
so CONFIG GET/SET/REWRITE and the config file treat it like a core config. Values are
held by the module: CONFIG GET asks `getfn(name, privdata)`, CONFIG SET calls
`setfn(name, value, privdata)` which returns OK, or ERR with a message (a
`(ERR, "message")` tuple or raising ValueError("message")); `applyfn(ctx, privdata)`
runs once after all the values of one CONFIG SET are set.
"""

from __future__ import annotations

from typing import Any

from moredis.module import constants as K
from moredis.server.config import (
    DENY_LOADING,
    HIDDEN,
    IMMUTABLE,
    PROTECTED,
    SENSITIVE,
    ConfigDef,
    ConfigError,
    memtoull,
)

_FLAG_MAP = {K.CONFIG_IMMUTABLE: IMMUTABLE, K.CONFIG_SENSITIVE: SENSITIVE, K.CONFIG_HIDDEN: HIDDEN,
             K.CONFIG_PROTECTED: PROTECTED, K.CONFIG_DENY_LOADING: DENY_LOADING}


def _core_flags(flags: int) -> int:
    out = 0
    for mf, cf in _FLAG_MAP.items():
        if flags & mf:
            out |= cf
    return out


def _setter_result(rc: Any) -> None:
    if rc in (None, K.OK):
        return
    if isinstance(rc, tuple) and rc and rc[0] == K.ERR:
        raise ConfigError(str(rc[1]) if len(rc) > 1 and rc[1] else "Failed to set config")
    if rc == K.ERR:
        raise ConfigError("Failed to set config")


def register(ctx: Any, kind: str, name: str, default: Any, flags: int, getfn: Any, setfn: Any,
             applyfn: Any, privdata: Any, lo: int | None = None, hi: int | None = None,
             enum: tuple[list[str], list[int]] | None = None) -> int:
    """Register<Kind>Config: only during on_load; names unique; default applied by LoadConfigs."""
    m = ctx.module
    srv = ctx.srv
    if not ctx.onload or m is None or not m.name:
        return K.ERR
    if not name or any(not (ch.isalnum() or ch in "-_") for ch in name):
        return K.ERR
    full = f"{m.name}.{name}".lower()
    cfg = srv.config
    if cfg.resolve(full) is not None:
        return K.ERR
    if kind == "numeric" and (lo is None or hi is None or not lo <= default <= hi):
        return K.ERR
    if kind == "enum" and (enum is None or len(enum[0]) != len(enum[1]) or not enum[0]):
        return K.ERR
    holder = _ModuleConfig(ctx, kind, name, flags, getfn, setfn, applyfn, privdata, lo, hi, enum)
    d = ConfigDef(full, "special", default, _core_flags(flags), parse=holder.parse, fmt=holder.fmt,
                  module=m.name)
    d.hooks.append(holder.apply)
    d.module_string = kind == "string"  # type: ignore[attr-defined]  # CONFIG REWRITE quotes it
    holder.default = default
    cfg.defs[full] = d
    cfg.values[full] = default
    m.configs.append(full)
    if flags & K.CONFIG_SENSITIVE:  # CONFIG SET shows "(redacted)" in SLOWLOG and MONITOR
        from moredis.server.server import _SENSITIVE

        _SENSITIVE.add(full.encode())
    srv.modules.config_holders = getattr(srv.modules, "config_holders", {})
    srv.modules.config_holders[full] = holder
    return K.OK


class _ModuleConfig:
    def __init__(self, ctx: Any, kind: str, name: str, flags: int, getfn: Any, setfn: Any, applyfn: Any,
                 privdata: Any, lo: Any, hi: Any, enum: Any) -> None:
        self.ctx = ctx
        self.module = ctx.module
        self.srv = ctx.srv
        self.kind = kind
        self.name = name
        self.flags = flags
        self.getfn = getfn
        self.setfn = setfn
        self.applyfn = applyfn
        self.privdata = privdata
        self.lo = lo
        self.hi = hi
        self.enum = enum
        self.default: Any = None

    def parse(self, raw: str) -> Any:
        k = self.kind
        if k == "bool":
            low = raw.lower()
            if low not in ("yes", "no"):
                raise ConfigError("argument must be 'yes' or 'no'")
            return low == "yes"
        if k == "numeric":
            if self.flags & K.CONFIG_MEMORY:
                v = memtoull(raw)
                if v is None:
                    raise ConfigError("argument must be a memory value")
            else:
                try:
                    v = int(raw)
                except ValueError:
                    raise ConfigError("argument couldn't be parsed into an integer") from None
            if not self.lo <= v <= self.hi:
                raise ConfigError(f"argument must be between {self.lo} and {self.hi} inclusive")
            return v
        if k == "enum":
            names, values = self.enum
            if self.flags & K.CONFIG_BITFLAGS:
                total = 0
                for part in raw.split():
                    low = part.lower()
                    if low not in [n.lower() for n in names]:
                        raise ConfigError("argument(s) must be one of the following: " + ", ".join(names))
                    total |= values[[n.lower() for n in names].index(low)]
                return total
            low = raw.lower()
            lowered = [n.lower() for n in names]
            if low not in lowered:
                raise ConfigError("argument(s) must be one of the following: " + ", ".join(names))
            return values[lowered.index(low)]
        return raw.encode()

    def current(self) -> Any:
        return self.getfn(self.name, self.privdata)

    def fmt(self, _stored: Any) -> str:
        v = self.current()
        k = self.kind
        if k == "bool":
            return "yes" if v else "no"
        if k == "numeric":
            return str(v)
        if k == "enum":
            names, values = self.enum
            if self.flags & K.CONFIG_BITFLAGS:
                # configEnumGetValue: an exact match, else the names whose bits are all still
                # unmatched, in registration order
                parts = []
                unmatched = v
                for n, bit in zip(names, values, strict=True):
                    if v == bit:
                        return n
                    if bit and bit == unmatched & bit:
                        parts.append(n)
                        unmatched &= ~bit
                return " ".join(parts) if parts and not unmatched else ""
            return names[values.index(v)] if v in values else ""
        if v is None:
            return ""
        return v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else str(v)

    def apply(self, value: Any) -> None:
        try:
            rc = self.setfn(self.name, value, self.privdata)
        except ValueError as e:
            raise ConfigError(str(e)) from None
        _setter_result(rc)
        if self.applyfn is not None:
            try:
                rc = self.applyfn(self.ctx, self.privdata)
            except ValueError as e:
                raise ConfigError(str(e)) from None
            _setter_result(rc)


def load_configs(ctx: Any) -> int:
    """RedisModule_LoadConfigs: apply values given on the command line, the config file or
    MODULE LOADEX, or else the defaults."""
    m = ctx.module
    srv = ctx.srv
    if not ctx.onload:
        return K.ERR
    mods = srv.modules
    holders = getattr(mods, "config_holders", {})
    applies: list = []
    for full in m.configs:
        h = holders.get(full)
        if h is None:
            continue
        raw = mods.pending_configs.pop(full, None)
        try:
            value = h.parse(raw) if raw is not None else (
                h.default.encode() if h.kind == "string" and isinstance(h.default, str) else h.default)
            srv.config.values[full] = value
            rc = h.setfn(h.name, value, h.privdata)
            _setter_result(rc)
        except (ConfigError, ValueError) as e:
            srv.log.warning(f"Issue during loading of configuration {full} : {e}")
            return K.ERR
        if h.applyfn is not None and h.applyfn not in applies:
            applies.append(h.applyfn)
    # loadModuleConfigs: every value first, then each apply function once
    for fn in applies:
        try:
            _setter_result(fn(ctx, None))
        except (ConfigError, ValueError) as e:
            srv.log.warning(f"Issue attempting to apply configurations of module {m.name}: {e}")
            return K.ERR
    return K.OK


def unregister_all(mods: Any, m: Any) -> None:
    cfg = mods.srv.config
    holders = getattr(mods, "config_holders", {})
    from moredis.server.server import _SENSITIVE

    for full in m.configs:
        cfg.unregister(full)
        holders.pop(full, None)
        _SENSITIVE.discard(full.encode())
    m.configs.clear()
