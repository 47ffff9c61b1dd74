"""Active defragmentation hooks (RedisModule_RegisterDefragFunc,
RegisterDefragCallbacks, the type method `defrag`, and the DefragCtx calls).

Redis's active defrag asks jemalloc which allocations sit in sparse pages, copies them
to fresh ones and lets the module fix the pointers it holds. Python has nothing to
ask or to move: objects live where CPython's allocator put them and every reference to
them stays valid, so moving one would gain nothing and could not be done safely. The
registrations are accepted and recorded (`module.defrag_func`,
`module.defrag_callbacks`, `TypeMethods.defrag`) so C-style modules port unchanged,
but no defrag cycle runs. The DefragCtx calls behave as in a cycle where nothing needs
moving: DefragAlloc answers "not moved" (None), DefragShouldStop never asks to stop,
cursors are kept for the key they belong to.
Neighbours: ctx_keys.py (mixes DefragMixin into Ctx), datatype.py (TypeMethods.defrag).
"""

from __future__ import annotations

from typing import Any

from moredis.module import constants as K


class DefragCtx:
    """RedisModuleDefragCtx: what a defrag callback is told about the key."""

    __slots__ = ("cursor", "dbid", "key", "late")

    def __init__(self, key: bytes | None = None, dbid: int = -1, cursor: int | None = None,
                 late: bool = False) -> None:
        self.key = key
        self.dbid = dbid
        self.cursor = cursor
        self.late = late  # a key-level defrag that may be resumed later (cursors allowed)

    def defrag_alloc(self, ptr: Any) -> Any:
        """RedisModule_DefragAlloc: the moved object, or None when it stays (always)."""
        return None

    def defrag_alloc_raw(self, size: int) -> bytearray:
        """RedisModule_DefragAllocRaw: a fresh buffer of `size` bytes."""
        return bytearray(size)

    def defrag_free_raw(self, ptr: Any) -> None:
        """RedisModule_DefragFreeRaw: buffers are garbage collected."""

    def defrag_redis_module_string(self, s: bytes) -> bytes | None:
        """RedisModule_DefragRedisModuleString: None, the string was not moved."""
        return None

    def should_stop(self) -> int:
        """RedisModule_DefragShouldStop: 0, a cycle that does nothing has time left."""
        return 0

    def cursor_set(self, cursor: int) -> int:
        """RedisModule_DefragCursorSet: OK in a resumable key-level defrag, else ERR."""
        if not self.late:
            return K.ERR
        self.cursor = cursor
        return K.OK

    def cursor_get(self) -> int | None:
        """RedisModule_DefragCursorGet: the cursor stored for this key, None (ERR) if none."""
        return self.cursor if self.late else None

    def get_key_name(self) -> bytes | None:
        """RedisModule_GetKeyNameFromDefragCtx."""
        return self.key

    def get_db_id(self) -> int:
        """RedisModule_GetDbIdFromDefragCtx."""
        return self.dbid


class DefragMixin:
    __slots__ = ()

    def register_defrag_func(self, callback: Any) -> int:
        """RedisModule_RegisterDefragFunc: callback(defrag_ctx) for the module's global
        data, recorded (see the module docstring: no defrag cycle runs in moredis)."""
        ctx: Any = self
        if ctx.module is None:
            return K.ERR
        ctx.module.defrag_func = callback
        return K.OK

    def register_defrag_callbacks(self, start: Any, end: Any) -> int:
        """RedisModule_RegisterDefragCallbacks: callbacks around a defrag cycle, recorded."""
        ctx: Any = self
        if ctx.module is None:
            return K.ERR
        ctx.module.defrag_callbacks = (start, end)
        return K.OK
