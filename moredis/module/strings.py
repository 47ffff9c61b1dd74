"""RedisModuleString helpers. A RedisModuleString is `bytes` in Python; these are the
conversions C modules use, with Redis's parsing rules (util.c). Each returns the value
or None where C returns REDISMODULE_ERR."""

from __future__ import annotations

from typing import Any

from moredis.numbers import d2string, ld2string_human, parse_long_double, string2d, string2ll


def create_string(s: bytes | str) -> bytes:
    """RedisModule_CreateString."""
    return s.encode() if isinstance(s, str) else bytes(s)


def create_string_printf(fmt: str, *args: Any) -> bytes:
    return (fmt % args).encode()


def create_string_from_long_long(n: int) -> bytes:
    return b"%d" % n


def create_string_from_ulong_long(n: int) -> bytes:
    return b"%d" % (n & 0xFFFFFFFFFFFFFFFF)


def create_string_from_double(d: float) -> bytes:
    """RedisModule_CreateStringFromDouble: "%.17g" as Redis prints it there."""
    return b"%.17g" % d


def create_string_from_long_double(v: Any, humanfriendly: bool = False) -> bytes:
    if humanfriendly:
        return ld2string_human(v)
    from moredis.module.datatype import ld_to_hex  # noqa: F401 - hex form is for RDB only

    return b"%.17g" % float(v)


def create_string_from_string(s: bytes) -> bytes:
    return bytes(s)


def create_string_from_stream_id(ms: int, seq: int) -> bytes:
    return b"%d-%d" % (ms, seq)


def string_to_long_long(s: bytes) -> int | None:
    return string2ll(s if type(s) is bytes else bytes(s))


def string_to_ulong_long(s: bytes) -> int | None:
    b = bytes(s)
    if not b or not b.isdigit() or (len(b) > 1 and b[0] == 0x30):
        return None
    n = int(b)
    return n if n < 1 << 64 else None


def string_to_double(s: bytes) -> float | None:
    return string2d(bytes(s))


def string_to_long_double(s: bytes) -> Any:
    try:
        return parse_long_double(bytes(s))
    except Exception:
        return None


def string_to_stream_id(s: bytes) -> tuple[int, int] | None:
    b = bytes(s)
    ms, sep, seq = b.partition(b"-")
    try:
        a = int(ms)
        q = int(seq) if sep else 0
    except ValueError:
        return None
    if a < 0 or q < 0 or a >= 1 << 64 or q >= 1 << 64:
        return None
    return a, q


def string_compare(a: bytes, b: bytes) -> int:
    """RedisModule_StringCompare: memcmp order, <0, 0 or >0."""
    return (a > b) - (a < b)


def string_append_buffer(s: bytes, buf: bytes) -> bytes:
    """Strings are immutable bytes: the appended string is returned."""
    return bytes(s) + bytes(buf)


def double_to_string(d: float) -> bytes:
    return d2string(d)


__all__ = ["create_string", "create_string_from_double", "create_string_from_long_double",
           "create_string_from_long_long", "create_string_from_stream_id", "create_string_from_string",
           "create_string_from_ulong_long", "create_string_printf", "string_append_buffer", "string_compare",
           "string_to_double", "string_to_long_double", "string_to_long_long", "string_to_stream_id",
           "string_to_ulong_long"]
