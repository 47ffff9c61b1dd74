"""The declarative layer: modules written with decorators instead of registration calls,
in the spirit of redismodule-rs (the 1:1 API stays underneath and can be mixed in).

    from moredis import module as rm

    mod = rm.Module("counter", version=1)
    step = mod.numeric_config("step", default=1, minimum=1, maximum=1000)

    @mod.data_type("counter1", encver=0)
    class Counter(rm.DataType):
        def __init__(self, n=0):
            self.n = n
        @classmethod
        def rdb_load(cls, io, encver):
            return cls(io.load_signed())
        def rdb_save(self, io):
            io.save_signed(self.n)

    @mod.command("counter.incr", flags="write fast", first_key=1, last_key=1, step=1, arity=-2)
    def incr(ctx, args):
        key = ctx.open_key(args.next_key(), rm.READ | rm.WRITE)
        by = args.next_int() if args else step.value
        args.finish()
        c = Counter.of(key, create=True)
        c.n += by
        return c.n                      # the return value is the reply

    on_load = mod.on_load               # what the loader calls
    on_unload = mod.on_unload

Replies from return values: int -> integer, bool -> boolean, float -> double, bytes/str
-> bulk string, rm.SimpleString -> status, list/tuple -> array, set -> set, dict -> map,
None -> null, a CallReply -> forwarded, rm.NO_REPLY -> nothing (already replied or
blocked). Raising rm.Error("ERR ...") replies that error; rm.WrongArity the arity error.
`Args` reads arguments with Redis's error texts (`next_int` -> "ERR value is not an
integer or out of range", `finish` -> "ERR syntax error").
Neighbours: module/context.py (Ctx), module/commandinfo.py (CommandInfo), datatype.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moredis.errors import RedisError
from moredis.module import constants as K
from moredis.module.commandinfo import CommandInfo
from moredis.module.datatype import TypeMethods
from moredis.numbers import string2d, string2ll

NOT_INTEGER = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
SYNTAX = "ERR syntax error"


class SimpleString(str):
    """A status reply (+OK) rather than a bulk string."""


NO_REPLY = object()  # returned by a command that replied itself (or blocked the client)


class WrongArity(Exception):
    """Raised by Args when an argument is missing: the command's arity error is replied."""


class Args:
    """A cursor over argv (argv[0], the command name, is skipped)."""

    __slots__ = ("argv", "pos")

    def __init__(self, argv: list[bytes], start: int = 1) -> None:
        self.argv = argv
        self.pos = start

    def __len__(self) -> int:
        return len(self.argv) - self.pos

    def __bool__(self) -> bool:
        return self.pos < len(self.argv)

    def peek(self) -> bytes | None:
        return self.argv[self.pos] if self.pos < len(self.argv) else None

    def next(self) -> bytes:
        if self.pos >= len(self.argv):
            raise WrongArity()
        v = self.argv[self.pos]
        self.pos += 1
        return v

    next_key = next
    next_bytes = next

    def next_str(self) -> str:
        return self.next().decode("utf-8", "surrogateescape")

    def next_int(self) -> int:
        v = string2ll(self.next())
        if v is None:
            raise RedisError(NOT_INTEGER)
        return v

    def next_float(self) -> float:
        v = string2d(self.next())
        if v is None:
            raise RedisError(NOT_FLOAT)
        return v

    def check(self, *words: str) -> str | None:
        """The next argument, uppercased, if it is one of `words` (consumed); else None."""
        v = self.peek()
        if v is None:
            return None
        up = v.upper().decode("utf-8", "replace")
        if up in words:
            self.pos += 1
            return up
        return None

    def rest(self) -> list[bytes]:
        out = self.argv[self.pos:]
        self.pos = len(self.argv)
        return out

    def finish(self) -> None:
        if self.pos < len(self.argv):
            raise RedisError(SYNTAX)


def reply_value(ctx: Any, v: Any) -> None:
    """Reply a Python value with the matching RESP type."""
    if v is NO_REPLY:
        return
    if v is None:
        ctx.reply_with_null()
    elif isinstance(v, bool):
        ctx.reply_with_bool(v)
    elif isinstance(v, int):
        ctx.reply_with_long_long(v)
    elif isinstance(v, float):
        ctx.reply_with_double(v)
    elif isinstance(v, SimpleString):
        ctx.reply_with_simple_string(str(v))
    elif isinstance(v, (bytes, bytearray, memoryview, str)):
        ctx.reply_with_string(v if isinstance(v, (bytes, str)) else bytes(v))
    elif isinstance(v, dict):
        ctx.reply_with_map(len(v))
        for k, x in v.items():
            reply_value(ctx, k)
            reply_value(ctx, x)
    elif isinstance(v, (set, frozenset)):
        ctx.reply_with_set(len(v))
        for x in v:
            reply_value(ctx, x)
    elif isinstance(v, (list, tuple)):
        ctx.reply_with_array(len(v))
        for x in v:
            reply_value(ctx, x)
    elif hasattr(v, "node") and hasattr(v, "type"):  # a CallReply
        ctx.reply_with_call_reply(v)
    else:
        raise TypeError(f"cannot reply a {type(v).__name__}")


# --- data types ------------------------------------------------------------------------------

_TYPE_METHODS = {
    # TypeMethods field -> (DataType method, adapter from the C signature)
    "rdb_save": lambda cls: lambda io, value: value.rdb_save(io),
    "aof_rewrite": lambda cls: lambda aof, key, value: value.aof_rewrite(aof, key),
    "mem_usage": lambda cls: lambda value: value.mem_usage(),
    "digest": lambda cls: lambda md, value: value.digest(md),
    "free": lambda cls: lambda value: value.free(),
    "copy": lambda cls: lambda fromkey, tokey, value: value.copy(fromkey, tokey),
    "unlink": lambda cls: lambda key, value: value.unlink(key),
    "free_effort": lambda cls: lambda key, value: value.free_effort(key),
}


class DataType:
    """Base class of a declarative module data type. Override the methods you need,
    named like RedisModuleTypeMethods: `rdb_load` (a classmethod returning the value),
    `rdb_save`, `aof_rewrite`, `mem_usage`, `digest`, `free`, `copy`, `unlink`,
    `free_effort`, and the class-level `aux_load` / `aux_save` (see TypeMethods)."""

    mtype: Any = None  # the ModuleType, once the module loaded

    @classmethod
    def rdb_load(cls, io: Any, encver: int) -> Any:
        raise NotImplementedError

    @classmethod
    def of(cls, key: Any, create: bool = False, *args: Any) -> Any:
        """The value held at an open key: None when the key is empty (or a new instance
        stored there when `create`); ERRORMSG_WRONGTYPE raised for any other type."""
        if key is None:
            return None
        t = key.type()
        if t == K.KEYTYPE_EMPTY:
            if not create:
                return None
            v = cls(*args)
            key.module_type_set_value(cls.mtype, v)
            return v
        if t != K.KEYTYPE_MODULE or key.module_type_get_type() is not cls.mtype:
            raise RedisError(K.ERRORMSG_WRONGTYPE)
        return key.module_type_get_value()

    @classmethod
    def type_methods(cls) -> TypeMethods:
        tm = TypeMethods()
        own = {n for b in cls.__mro__ if b not in (DataType, object) for n in b.__dict__}
        if "rdb_load" in own:
            tm.rdb_load = cls.rdb_load
        for field_name, adapt in _TYPE_METHODS.items():
            if field_name in own:
                setattr(tm, field_name, adapt(cls))
        for extra in ("aux_load", "aux_save", "aux_save2", "aux_save_triggers", "defrag"):
            v = getattr(cls, extra, None)
            if v is not None:
                setattr(tm, extra, v)
        return tm


# --- configs ---------------------------------------------------------------------------------

class Config:
    """A module config declared with Module.*_config: `.value` is its current value."""

    def __init__(self, kind: str, name: str, default: Any, flags: int, **extra: Any) -> None:
        self.kind = kind
        self.name = name
        self.default = default
        self.value = default
        self.flags = flags
        self.extra = extra
        self.on_change: Callable[[Any], Any] | None = None

    def _get(self, name: str, pd: Any) -> Any:
        return self.value

    def _set(self, name: str, value: Any, pd: Any) -> Any:
        check = self.extra.get("check")
        if check is not None:
            msg = check(value)
            if msg:
                return K.ERR, msg
        self.value = value
        if self.on_change is not None:
            self.on_change(value)
        return K.OK


# --- the module ------------------------------------------------------------------------------

class Module:
    """Everything a module declares, registered by `on_load`."""

    def __init__(self, name: str, version: int = 1, apiver: int = K.APIVER_1, options: int = 0) -> None:
        self.name = name
        self.version = version
        self.apiver = apiver
        self.options = options
        self._commands: list[dict] = []
        self._types: list[tuple[type, str, int]] = []
        self._configs: list[Config] = []
        self._events: list[tuple[int, Any]] = []
        self._keyspace: list[tuple[int, Any]] = []
        self._info: Any = None
        self._init: list[Any] = []
        self._unload: list[Any] = []
        self._acl_categories: list[str] = []

    # --- declarations -----------------------------------------------------------------
    def command(self, name: str, flags: str = "", first_key: int = 0, last_key: int = 0, step: int = 0,
                arity: int | None = None, parent: str | None = None, acl_categories: str | None = None,
                info: CommandInfo | dict | None = None, **info_fields: Any) -> Callable[[Any], Any]:
        """Declare a command `fn(ctx, args)`; `parent` makes it a subcommand of a container
        declared with `container()`. Extra keywords (summary, since, complexity, tips,
        history, key_specs, args) fill its CommandInfo."""

        def deco(fn: Any) -> Any:
            self._commands.append({"name": name, "fn": fn, "flags": flags, "keys": (first_key, last_key, step),
                                   "arity": arity, "parent": parent, "acl": acl_categories,
                                   "info": info, "info_fields": info_fields})
            return fn

        return deco

    def container(self, name: str, **info_fields: Any) -> None:
        """A command that only holds subcommands."""
        self._commands.append({"name": name, "fn": None, "flags": "", "keys": (0, 0, 0), "arity": None,
                               "parent": None, "acl": None, "info": None, "info_fields": info_fields})

    def data_type(self, type_name: str, encver: int = 0) -> Callable[[type], type]:
        def deco(cls: type) -> type:
            self._types.append((cls, type_name, encver))
            return cls

        return deco

    def event(self, event: int) -> Callable[[Any], Any]:
        """A server event callback `fn(ctx, event, subevent, data)`."""

        def deco(fn: Any) -> Any:
            self._events.append((event, fn))
            return fn

        return deco

    def keyspace(self, types: int) -> Callable[[Any], Any]:
        """A keyspace notification callback `fn(ctx, type, event, key)`."""

        def deco(fn: Any) -> Any:
            self._keyspace.append((types, fn))
            return fn

        return deco

    def info(self, fn: Any) -> Any:
        """The INFO callback `fn(info_ctx, for_crash_report)`."""
        self._info = fn
        return fn

    def init(self, fn: Any) -> Any:
        """Extra on_load work `fn(ctx, args)`, after the declarations are registered;
        returning rm.ERR (or raising) fails the load."""
        self._init.append(fn)
        return fn

    def unload(self, fn: Any) -> Any:
        self._unload.append(fn)
        return fn

    def acl_category(self, name: str) -> None:
        self._acl_categories.append(name)

    def bool_config(self, name: str, default: bool, flags: int = 0) -> Config:
        c = Config("bool", name, default, flags)
        self._configs.append(c)
        return c

    def numeric_config(self, name: str, default: int, minimum: int, maximum: int, flags: int = 0) -> Config:
        c = Config("numeric", name, default, flags, minimum=minimum, maximum=maximum)
        self._configs.append(c)
        return c

    def string_config(self, name: str, default: str | bytes, flags: int = 0,
                      check: Callable[[bytes], str | None] | None = None) -> Config:
        c = Config("string", name, default.encode() if isinstance(default, str) else default, flags, check=check)
        self._configs.append(c)
        return c

    def enum_config(self, name: str, default: str, choices: dict[str, int], flags: int = 0) -> Config:
        c = Config("enum", name, choices[default], flags, choices=choices)
        self._configs.append(c)
        return c

    # --- loading ----------------------------------------------------------------------
    def _handler(self, spec: dict) -> Any:
        fn = spec["fn"]

        def handler(ctx: Any, argv: list[bytes]) -> int:
            if ctx.is_keys_position_request() or ctx.is_channels_position_request():
                fn(ctx, Args(argv))
                return K.OK
            try:
                v = fn(ctx, Args(argv, 2 if spec["parent"] else 1))
            except WrongArity:
                return ctx.wrong_arity()
            except RedisError as e:
                return ctx.reply_with_error(e.message)
            reply_value(ctx, v)
            return K.OK

        return handler

    def on_load(self, ctx: Any, args: list[bytes]) -> int:
        """RedisModule_OnLoad for everything declared."""
        if ctx.init(self.name, self.version, self.apiver) == K.ERR:
            return K.ERR
        if self.options:
            ctx.set_module_options(self.options)
        for cat in self._acl_categories:
            if ctx.add_acl_category(cat) == K.ERR:
                return K.ERR
        for cls, type_name, encver in self._types:
            mt = ctx.create_data_type(type_name, encver, cls.type_methods())
            if mt is None:
                return K.ERR
            cls.mtype = mt
        for c in self._configs:
            if c.kind == "bool":
                rc = ctx.register_bool_config(c.name, c.default, c.flags, c._get, c._set)
            elif c.kind == "numeric":
                rc = ctx.register_numeric_config(c.name, c.default, c.flags, c.extra["minimum"],
                                                 c.extra["maximum"], c._get, c._set)
            elif c.kind == "string":
                rc = ctx.register_string_config(c.name, c.default, c.flags, c._get, c._set)
            else:
                choices = c.extra["choices"]
                rc = ctx.register_enum_config(c.name, c.default, c.flags, list(choices), list(choices.values()),
                                              c._get, c._set)
            if rc == K.ERR:
                return K.ERR
        if self._configs and ctx.load_configs() == K.ERR:
            return K.ERR
        for spec in self._commands:
            fn = self._handler(spec) if spec["fn"] is not None else None
            first, last, step = spec["keys"]
            if spec["parent"]:
                parent = ctx.get_command(spec["parent"])
                if parent is None or parent.create_subcommand(spec["name"], fn, spec["flags"], first, last,
                                                              step) == K.ERR:
                    return K.ERR
                full = f"{spec['parent']}|{spec['name']}"
            else:
                if ctx.create_command(spec["name"], fn, spec["flags"], first, last, step) == K.ERR:
                    return K.ERR
                full = spec["name"]
            cmd = ctx.get_command(full)
            info = spec["info"]
            fields = dict(spec["info_fields"])
            if spec["arity"] is not None:
                fields.setdefault("arity", spec["arity"])
            if info is not None or fields:
                if info is None:
                    info = CommandInfo(**fields)
                if cmd.set_command_info(info) == K.ERR:
                    return K.ERR
            if spec["acl"] and cmd.set_command_acl_categories(spec["acl"]) == K.ERR:
                return K.ERR
        for event, fn in self._events:
            if ctx.subscribe_to_server_event(event, fn) == K.ERR:
                return K.ERR
        for types, fn in self._keyspace:
            if ctx.subscribe_to_keyspace_events(types, fn) == K.ERR:
                return K.ERR
        if self._info is not None:
            ctx.register_info_func(self._info)
        for fn in self._init:
            if fn(ctx, args) == K.ERR:
                return K.ERR
        return K.OK

    def on_unload(self, ctx: Any) -> int:
        for fn in self._unload:
            if fn(ctx) == K.ERR:
                return K.ERR
        for cls, _, _ in self._types:
            cls.mtype = None
        return K.OK
