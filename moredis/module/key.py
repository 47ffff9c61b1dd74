"""RedisModuleKey: a key opened by module code (`ctx.open_key(name, mode)`).

Generic operations (type, length, delete, expiry, LRU/LFU), the string API (set, DMA,
truncate) and module-type values live here; the typed APIs for lists, hashes, sorted
sets and streams are mixins in key_types.py. A key opened for writing signals the
change (WATCH, client tracking) when it is closed, as moduleCloseKey does, unless the
module set OPTION_NO_IMPLICIT_SIGNAL_MODIFIED. Keys still open when the callback returns
are closed for it.
"""

from __future__ import annotations

from typing import Any

from moredis.engine import objects as O
from moredis.engine.keyspace import LOOKUP_NOEXPIRE, LOOKUP_NONOTIFY, LOOKUP_NOSTATS, LOOKUP_NOTOUCH, LOOKUP_WRITE
from moredis.module import constants as K
from moredis.module.datatype import ModuleValue

_KEYTYPE = {O.OBJ_STRING: K.KEYTYPE_STRING, O.OBJ_LIST: K.KEYTYPE_LIST, O.OBJ_HASH: K.KEYTYPE_HASH,
            O.OBJ_SET: K.KEYTYPE_SET, O.OBJ_ZSET: K.KEYTYPE_ZSET, O.OBJ_MODULE: K.KEYTYPE_MODULE,
            O.OBJ_STREAM: K.KEYTYPE_STREAM}

try:
    from moredis.module.key_types import TypedKeyMixin
except ImportError:  # pragma: no cover - the typed mixins are optional during development
    class TypedKeyMixin:  # type: ignore[no-redef]
        __slots__ = ()


_FLAGS_CACHE: dict[int, int] = {}


def _lookup_flags(mode: int) -> int:
    """The keyspace LOOKUP_* flags for an OpenKey mode (cached: modes are few)."""
    f = _FLAGS_CACHE.get(mode)
    if f is not None:
        return f
    f = 0
    if mode & (K.OPEN_KEY_NOTOUCH | K.OPEN_KEY_NOEFFECTS):
        f |= LOOKUP_NOTOUCH
    if mode & (K.OPEN_KEY_NONOTIFY | K.OPEN_KEY_NOEFFECTS):
        f |= LOOKUP_NONOTIFY
    if mode & (K.OPEN_KEY_NOSTATS | K.OPEN_KEY_NOEFFECTS):
        f |= LOOKUP_NOSTATS
    if mode & (K.OPEN_KEY_NOEXPIRE | K.OPEN_KEY_NOEFFECTS):
        f |= LOOKUP_NOEXPIRE
    _FLAGS_CACHE[mode] = f
    return f


class Key(TypedKeyMixin):
    # No __slots__: iterator state defaults at class level keep opening a key cheap.
    iter: Any = None
    zrange: Any = None
    zcurrent: Any = None
    sit: Any = None
    signal_ready = False  # a stream_add on an existing stream: signal readiness on close

    def __init__(self, ctx: Any, db: Any, name: bytes, mode: int, value: Any) -> None:
        self.ctx = ctx
        self.db = db
        self.name = name
        self.mode = mode
        self.value = value
        self.is_open = True

    @classmethod
    def open(cls, ctx: Any, name: bytes, mode: int) -> Key | None:
        if isinstance(name, str):
            name = name.encode()
        db = ctx.client.db
        if mode & K.OPEN_KEY_ACCESS_EXPIRED:
            value = db.data.get(name)
        elif mode & K.WRITE:
            value = db.lookup(name, LOOKUP_WRITE | _lookup_flags(mode))
        else:
            value = db.lookup(name, _lookup_flags(mode))
        if value is None and not mode & K.WRITE:
            return None
        k = cls(ctx, db, name, mode, value)
        if ctx.keys is None:
            ctx.keys = []
        ctx.keys.append(k)
        return k

    def __enter__(self) -> Key:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Key {self.name!r} mode={self.mode}>"

    def _writable(self) -> bool:
        return bool(self.mode & K.WRITE) and self.is_open

    def _refresh(self) -> Any:
        self.value = self.db.data.get(self.name)
        return self.value

    # --- RedisModule_CloseKey ---------------------------------------------------------
    def close(self) -> None:
        if not self.is_open:
            return
        self.is_open = False
        if self.mode & K.WRITE:
            mod = self.ctx.module
            if mod is None or not mod.options & K.OPTION_NO_IMPLICIT_SIGNAL_MODIFIED:
                self.db.signal_modified(self.name)
        if self.signal_ready:  # moduleCloseKey: streams grown by stream_add wake XREAD
            self.signal_ready = False
            if O.type_code(self.db.data.get(self.name, b"")) == O.OBJ_STREAM:
                self.db.srv.signal_key_ready(self.db, self.name)
        if self.iter is not None or self.sit is not None or self.zrange is not None or self.zcurrent is not None:
            self.iter = self.sit = self.zrange = self.zcurrent = None
        keys = self.ctx.keys
        if keys:
            if keys[-1] is self:  # the usual case: the last key opened is closed first
                keys.pop()
            else:
                try:
                    keys.remove(self)
                except ValueError:
                    pass

    # --- generic (F4) ------------------------------------------------------------------
    def type(self) -> int:
        v = self.value
        if v is None:
            return K.KEYTYPE_EMPTY
        return _KEYTYPE[O.type_code(v)]

    def value_length(self) -> int:
        v = self.value
        if v is None:
            return 0
        code = O.type_code(v)
        if code == O.OBJ_STRING:
            return O.string_len(v)
        if code == O.OBJ_MODULE:
            return 0
        return len(v)

    def delete(self) -> int:
        """RedisModule_DeleteKey: ERR when not opened for writing."""
        if not self._writable():
            return K.ERR
        if self.value is not None:
            self.db.delete(self.name)
            self.value = None
        return K.OK

    def unlink(self) -> int:
        return self.delete()

    def get_expire(self) -> int:
        """Milliseconds to live, or NO_EXPIRE."""
        if self.value is None:
            return K.NO_EXPIRE
        when = self.db.get_expire(self.name)
        if when == -1:
            return K.NO_EXPIRE
        left = when - self.ctx.srv.mstime()
        return left if left >= 0 else 0

    def set_expire(self, ms: int) -> int:
        if not self._writable() or self.value is None or (ms < 0 and ms != K.NO_EXPIRE):
            return K.ERR
        if ms == K.NO_EXPIRE:
            self.db.persist(self.name)
        else:
            self.db.set_expire(self.name, self.ctx.srv.mstime() + ms)
        return K.OK

    def get_abs_expire(self) -> int:
        if self.value is None:
            return K.NO_EXPIRE
        when = self.db.get_expire(self.name)
        return K.NO_EXPIRE if when == -1 else when

    def set_abs_expire(self, when_ms: int) -> int:
        if not self._writable() or self.value is None or (when_ms < 0 and when_ms != K.NO_EXPIRE):
            return K.ERR
        if when_ms == K.NO_EXPIRE:
            self.db.persist(self.name)
        else:
            self.db.set_expire(self.name, when_ms)
        return K.OK

    def get_key_name(self) -> bytes:
        return self.name

    def get_db_id(self) -> int:
        return self.db.id

    # --- LRU / LFU ---------------------------------------------------------------------------
    def set_lru(self, idle_ms: int) -> int:
        if self.value is None:
            return K.ERR
        srv = self.ctx.srv
        if srv.lfu:
            return K.ERR
        self.db.access[self.name] = (srv.lru_clock - idle_ms // 1000) & 0xFFFFFF
        return K.OK

    def get_lru(self) -> int | None:
        """Idle time in milliseconds, or None under an LFU policy (C returns ERR)."""
        if self.value is None or self.ctx.srv.lfu:
            return None
        return self.ctx.srv.idle_seconds(self.db.access.get(self.name)) * 1000

    def set_lfu(self, freq: int) -> int:
        srv = self.ctx.srv
        if self.value is None or not srv.lfu:
            return K.ERR
        self.db.access[self.name] = (srv._lfu_minutes() << 8) | max(0, min(255, freq))
        return K.OK

    def get_lfu(self) -> int | None:
        srv = self.ctx.srv
        if self.value is None or not srv.lfu:
            return None
        return srv.lfu_decay(self.db.access.get(self.name, 0))

    # --- strings (F5) -------------------------------------------------------------------------
    def string_set(self, s: bytes | str) -> int:
        """RedisModule_StringSet: replace whatever the key holds by a string, TTL dropped."""
        if not self._writable() or self.iter is not None:
            return K.ERR
        if isinstance(s, str):
            s = s.encode()
        if self.value is not None:
            self.db.delete(self.name)
        self.db.add(self.name, bytes(s))
        self.value = self.db.data[self.name]
        return K.OK

    def string_dma(self, mode: int = K.READ) -> bytearray | bytes | None:
        """RedisModule_StringDMA: the string's buffer; with WRITE a bytearray the module may
        change in place (its length changes only through string_truncate). None for a
        non-string; an empty buffer for an empty key."""
        v = self.value
        if v is None:
            return bytearray() if mode & K.WRITE else b""
        if not O.is_string(v):
            return None
        if mode & K.WRITE:
            if not self._writable():
                return None
            if type(v) is not bytearray:
                v = bytearray(O.string_bytes(v))
                self.db.overwrite(self.name, v)
                self.value = v
            return v
        return O.string_bytes(v)

    def string_truncate(self, newlen: int) -> int:
        """RedisModule_StringTruncate: shorten or zero-pad; creates the key if missing."""
        if not self._writable() or newlen < 0 or newlen > 512 * 1024 * 1024:
            return K.ERR
        v = self.value
        if v is not None and not O.is_string(v):
            return K.ERR
        if v is None:
            if newlen == 0:
                return K.OK
            v = bytearray(newlen)
            self.db.add(self.name, v)
            self.value = v
            return K.OK
        if type(v) is not bytearray:
            v = bytearray(O.string_bytes(v))
            self.db.overwrite(self.name, v)
            self.value = v
        if newlen < len(v):
            del v[newlen:]
        else:
            v.extend(bytes(newlen - len(v)))
        return K.OK

    # --- module types (F26) -------------------------------------------------------------------
    def module_type_set_value(self, mt: Any, value: Any) -> int:
        """RedisModule_ModuleTypeSetValue: the key now holds `value` of type `mt`."""
        if not self._writable() or self.iter is not None:
            return K.ERR
        if self.value is not None:
            self.db.delete(self.name)
        mv = ModuleValue(mt, value)
        self.db.add(self.name, mv)
        self.value = mv
        return K.OK

    def module_type_get_type(self) -> Any:
        v = self.value
        return v.mtype if type(v) is ModuleValue else None

    def module_type_get_value(self) -> Any:
        v = self.value
        return v.value if type(v) is ModuleValue else None

    def module_type_replace_value(self, mt: Any, new_value: Any) -> Any:
        """RedisModule_ModuleTypeReplaceValue: swap the value in place (TTL kept); the old
        value is returned (None and nothing done when the key does not hold `mt`)."""
        v = self.value
        if not self._writable() or type(v) is not ModuleValue or v.mtype is not mt:
            return None
        old = v.value
        v.value = new_value
        return old
