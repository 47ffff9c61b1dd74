"""hellodecl: a module written with the declarative layer (moredis.module.Module).

A counter data type and a few commands, declared with decorators:

HELLODECL.INCRBY key [increment]  add to the counter at key (created at 0); the
                                   increment defaults to the `hellodecl.step` config
HELLODECL.GET key                 the counter, or nil
HELLODECL.ECHO [arg ...]          the arguments back, as an array
HELLODECL.STATS                   a map: incrby calls and the current step
HELLODECL.KEYS GET|COUNT ...      a container: GET key reads a counter, COUNT the calls
INFO hellodecl                    the calls made so far
"""

from __future__ import annotations

from typing import Any

from moredis import module as rm

mod = rm.Module("hellodecl", version=1)
step = mod.numeric_config("step", default=1, minimum=1, maximum=1_000_000)
stats = {"incrby": 0}


@mod.data_type("hellodecl", encver=0)
class Counter(rm.DataType):
    """An integer counter, persisted as one signed number."""

    def __init__(self, n: int = 0) -> None:
        self.n = n

    @classmethod
    def rdb_load(cls, io: Any, encver: int) -> Counter:
        return cls(io.load_signed())

    def rdb_save(self, io: Any) -> None:
        io.save_signed(self.n)

    def aof_rewrite(self, aof: Any, key: bytes) -> None:
        aof.emit_aof("HELLODECL.INCRBY", "sl", key, self.n)

    def mem_usage(self) -> int:
        return 16

    def copy(self, fromkey: bytes, tokey: bytes) -> Counter:
        return Counter(self.n)

    def digest(self, md: Any) -> None:
        md.add_long_long(self.n)
        md.end_sequence()


@mod.command("hellodecl.incrby", flags="write deny-oom fast", first_key=1, last_key=1, step=1, arity=-2,
             summary="Add to a counter", since="1.0.0")
def incrby(ctx: rm.Ctx, args: rm.Args) -> int:
    key = ctx.open_key(args.next_key(), rm.READ | rm.WRITE)
    by = args.next_int() if args else step.value
    args.finish()
    c = Counter.of(key, create=True)
    c.n += by
    stats["incrby"] += 1
    ctx.replicate_verbatim()
    return c.n


@mod.command("hellodecl.get", flags="readonly fast", first_key=1, last_key=1, step=1, arity=2)
def get(ctx: rm.Ctx, args: rm.Args) -> int | None:
    c = Counter.of(ctx.open_key(args.next_key(), rm.READ))
    return None if c is None else c.n


@mod.command("hellodecl.echo", flags="readonly fast", arity=-1)
def echo(ctx: rm.Ctx, args: rm.Args) -> list[bytes]:
    return args.rest()


@mod.command("hellodecl.stats", flags="readonly", arity=1)
def get_stats(ctx: rm.Ctx, args: rm.Args) -> dict:
    return {"incrby": stats["incrby"], "step": step.value}


mod.container("hellodecl.keys", summary="Counter helpers")


@mod.command("get", parent="hellodecl.keys", flags="readonly", first_key=2, last_key=2, step=1, arity=3)
def keys_get(ctx: rm.Ctx, args: rm.Args) -> int | None:
    c = Counter.of(ctx.open_key(args.next_key(), rm.READ))
    return None if c is None else c.n


@mod.command("count", parent="hellodecl.keys", flags="readonly", arity=2)
def keys_count(ctx: rm.Ctx, args: rm.Args) -> rm.SimpleString:
    return rm.SimpleString(f"{stats['incrby']} calls")


@mod.info
def info(ictx: Any, for_crash_report: bool) -> None:
    ictx.add_section("")
    ictx.add_field_long_long("incrby_calls", stats["incrby"])


@mod.init
def reset(ctx: rm.Ctx, args: list[bytes]) -> int:
    stats["incrby"] = 0
    return rm.OK


on_load = mod.on_load
on_unload = mod.on_unload
