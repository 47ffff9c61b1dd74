"""Command filters (RedisModule_RegisterCommandFilter and the CommandFilterArg* calls).

Filters see every command before it is looked up, from clients and from module calls
(unless registered with CMDFILTER_NOSELF and the call comes from their own module), and
may read, insert, replace and delete arguments.
"""

from __future__ import annotations

from typing import Any

from moredis.module import constants as K


class CommandFilter:
    __slots__ = ("callback", "flags", "module")

    def __init__(self, module: Any, callback: Any, flags: int) -> None:
        self.module = module
        self.callback = callback
        self.flags = flags


class CommandFilterCtx:
    """RedisModuleCommandFilterCtx: the argv being filtered."""

    __slots__ = ("argv", "client_id")

    def __init__(self, argv: list[bytes], client_id: int) -> None:
        self.argv = argv
        self.client_id = client_id

    def args_count(self) -> int:
        return len(self.argv)

    def arg_get(self, pos: int) -> bytes | None:
        return self.argv[pos] if 0 <= pos < len(self.argv) else None

    def arg_insert(self, pos: int, arg: bytes | str) -> int:
        if pos < 0 or pos > len(self.argv):
            return K.ERR
        self.argv.insert(pos, arg.encode() if isinstance(arg, str) else bytes(arg))
        return K.OK

    def arg_replace(self, pos: int, arg: bytes | str) -> int:
        if not 0 <= pos < len(self.argv):
            return K.ERR
        self.argv[pos] = arg.encode() if isinstance(arg, str) else bytes(arg)
        return K.OK

    def arg_delete(self, pos: int) -> int:
        if not 0 <= pos < len(self.argv):
            return K.ERR
        del self.argv[pos]
        return K.OK

    def get_client_id(self) -> int:
        return self.client_id


def run_filters(mods: Any, c: Any, argv: list[bytes], from_module: Any = None) -> list[bytes]:
    """moduleCallCommandFilters: each filter in registration order on one argv."""
    fctx = CommandFilterCtx(list(argv), c.id if c is not None else 0)
    for f in list(mods.filters):
        if from_module is not None and f.module is from_module and f.flags & K.CMDFILTER_NOSELF:
            continue
        try:
            f.callback(fctx)
        except Exception as e:
            mods.srv.log.warning(f"<{f.module.name}> command filter failed: {e!r}")
    return fctx.argv
