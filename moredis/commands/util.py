"""Small parsing helpers shared by several command groups."""

from __future__ import annotations

from moredis.errors import RedisError
from moredis.numbers import string2d

TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range"
TIMEOUT_NEGATIVE = "ERR timeout is negative"


def parse_timeout_seconds(b: bytes) -> int:
    """getTimeoutFromObjectOrReply (UNIT_SECONDS): decimal seconds -> ms (0 = forever)."""
    f = string2d(b)
    if f is None or f != f or f in (float("inf"), float("-inf")):
        raise RedisError(TIMEOUT_NOT_FLOAT)
    if f < 0:
        raise RedisError(TIMEOUT_NEGATIVE)
    ms = int(f * 1000)
    if f > 0 and ms == 0:
        ms = 1
    if ms > (1 << 63) - 1:
        raise RedisError(TIMEOUT_NOT_FLOAT)
    return ms


def parse_timeout_ms(b: bytes) -> int:
    """getTimeoutFromObjectOrReply (UNIT_MILLISECONDS): an integer number of ms."""
    from moredis.numbers import string2ll

    n = string2ll(b)
    if n is None:
        raise RedisError("ERR timeout is not an integer or out of range")
    if n < 0:
        raise RedisError(TIMEOUT_NEGATIVE)
    return n
