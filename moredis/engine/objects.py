"""What a value in the keyspace is: its Redis type, type name and encoding.

Values are plain where they can be (memory counts per key, see DESIGN.md "Speed"):
a string is `bytes` (embstr/raw/int by content), `bytearray` (raw: made by APPEND,
SETRANGE, SETBIT...) or `int` (made by INCR and friends, encoding "int"). Every other
type is a class that registers itself here with its OBJ_* code, TYPE name and an
`encoding()` method. Module values are `ModuleValue` (module/ registers it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moredis.errors import WRONGTYPE, RedisError

OBJ_STRING = 0
OBJ_LIST = 1
OBJ_SET = 2
OBJ_ZSET = 3
OBJ_HASH = 4
OBJ_MODULE = 5
OBJ_STREAM = 6

STRING_TYPES = (bytes, bytearray, int)
_TYPE_CODE: dict[type, int] = {bytes: OBJ_STRING, bytearray: OBJ_STRING, int: OBJ_STRING}
_TYPE_NAME: dict[type, str] = {bytes: "string", bytearray: "string", int: "string"}
_NAME_OF_CODE = {
    OBJ_STRING: "string", OBJ_LIST: "list", OBJ_SET: "set", OBJ_ZSET: "zset",
    OBJ_HASH: "hash", OBJ_MODULE: "module", OBJ_STREAM: "stream",
}
# Per-type hooks: copy (COPY); digest(value, state) continuing a 20-byte SHA1 state as
# debug.c xorObjectDigest does for that type (see engine/digest.py); memory (MEMORY USAGE).
COPIERS: dict[type, Callable[[Any], Any]] = {}
DIGESTERS: dict[type, Callable[[Any, bytearray], None]] = {}
MEMORY: dict[type, Callable[[Any, int], int]] = {}


# adopt(db, key, value): a value landed under a key through a generic path (RENAME, MOVE,
# COPY, RESTORE, RDB loading): types with per-key side structures (hash field TTLs) index it.
ADOPTERS: dict[type, Callable[[Any, bytes, Any], None]] = {}


def adopted(db: Any, key: bytes, value: Any) -> None:
    fn = ADOPTERS.get(type(value))
    if fn is not None:
        fn(db, key, value)


def register_type(cls: type, code: int, copier: Callable[[Any], Any] | None = None,
                  digest: Callable[[Any, bytearray], None] | None = None,
                  memory: Callable[[Any, int], int] | None = None) -> None:
    """Make `cls` a keyspace value type. `memory(value, samples)` estimates bytes."""
    _TYPE_CODE[cls] = code
    _TYPE_NAME[cls] = _NAME_OF_CODE[code]
    if copier is not None:
        COPIERS[cls] = copier
    if digest is not None:
        DIGESTERS[cls] = digest
    if memory is not None:
        MEMORY[cls] = memory


def type_code(v: Any) -> int:
    return _TYPE_CODE[type(v)]


def type_name(v: Any) -> str:
    """TYPE's answer; module values answer their module type's name."""
    name = _TYPE_NAME.get(type(v))
    if name == "module":
        return v.mtype.name
    return name if name is not None else "none"


def is_string(v: Any) -> bool:
    t = type(v)
    return t is bytes or t is bytearray or t is int


def check_string(v: Any) -> None:
    t = type(v)
    if t is not bytes and t is not bytearray and t is not int:
        raise RedisError(WRONGTYPE)


def string_bytes(v: Any) -> bytes:
    """The bytes of a string value, whatever its representation."""
    t = type(v)
    if t is bytes:
        return v
    if t is int:
        return b"%d" % v
    return bytes(v)


def string_len(v: Any) -> int:
    if type(v) is int:
        return len(b"%d" % v)
    return len(v)


def _is_int_encodable(v: bytes) -> bool:
    if len(v) > 20 or not v:
        return False
    try:
        n = int(v)
    except ValueError:
        return False
    return b"%d" % n == v and -(1 << 63) <= n < (1 << 63)


def encoding(v: Any) -> str:
    """OBJECT ENCODING as Redis reports it."""
    t = type(v)
    if t is int:
        return "int"
    if t is bytes:
        if _is_int_encodable(v):
            return "int"
        return "embstr" if len(v) <= 44 else "raw"
    if t is bytearray:
        return "raw"
    return v.encoding()


# copiers that also want (src_db, src_key, dst_db, dst_key): module types (copy2)
KEYED_COPIERS: set[type] = set()


def copy_value(v: Any, keys: tuple | None = None) -> Any:
    """A deep copy for COPY; `keys` = (src_db, src_key, dst_db, dst_key) when known.
    KeyError when the type cannot be copied (a module type without a copy callback)."""
    t = type(v)
    if t is bytes or t is int:
        return v
    if t is bytearray:
        return bytearray(v)
    if t in KEYED_COPIERS:
        return COPIERS[t](v, keys)
    return COPIERS[t](v)
