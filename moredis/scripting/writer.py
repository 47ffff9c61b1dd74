"""The reply writer of the script client: command replies as the flat list Lua rebuilds.

A command called by `redis.call` writes through the usual typed-writer calls; this
writer records them as tags and values (prelude.py `dec` turns them into Lua values the
way script_lua.c redisProtocolToLuaType does). RESP2 replies (the default, and after
`redis.setresp(2)`) arrive downgraded exactly as a RESP2 client would see them: null
bulk/array become `false`, maps flat arrays, doubles bulk strings, booleans integers.
Neighbours: lua.py (the bridge), protocol/writer.py (the other writers).
"""

from __future__ import annotations

from typing import Any

from moredis.numbers import d2string
from moredis.protocol.writer import Writer

# tags shared with prelude.py `dec`
VALUE, STATUS, ERROR, NIL, ARRAY, MAP, SET, DOUBLE, BIGNUM, VERBATIM, ATTRIBUTE = range(1, 12)
_OK = (STATUS, b"OK")  # +OK, the commonest status reply a script sees


def lua_error_text(msg: str | bytes) -> bytes:
    """luaPushErrorBuff on "-<msg>": an error without a code gets ERR, CR/LF at both ends
    are trimmed (inner ones were already spaces on the wire)."""
    if isinstance(msg, str):
        msg = msg.encode("utf-8", "surrogateescape")
    msg = msg.replace(b"\r", b" ").replace(b"\n", b" ")
    sp = msg.find(b" ")
    if sp < 0:
        return b"ERR " + msg.strip(b"\r\n")
    return msg[:sp] + b" " + msg[sp + 1 :].strip(b"\r\n")


class LuaWriter(Writer):
    """Records a command's reply as a flat list of (tag, value ...) items."""

    __slots__ = ("flat", "level")

    def __init__(self, errors: Any = None) -> None:
        super().__init__([], errors)
        self.flat: list = []
        self.level = 2

    @property
    def resp(self) -> int:  # type: ignore[override]
        return self.level

    # --- scalars -----------------------------------------------------------------------
    def raw(self, data: bytes) -> None:
        """Pre-encoded scalar replies (a few handlers send shared bytes)."""
        t = data[:1]
        body = data[1:-2]
        if t == b"+":
            self.simple(body)
        elif t == b"-":
            self.error(body.decode("utf-8", "surrogateescape"))
        elif t == b":":
            self.integer(int(body))
        elif t == b",":
            self.flat += (DOUBLE, float(body)) if self.level == 3 else (VALUE, body)
        elif t == b"_" or data in (b"$-1\r\n", b"*-1\r\n"):
            self.null()
        elif t == b"$":
            nl = data.index(b"\r\n")
            self.bulk(data[nl + 2 : -2])
        else:  # pragma: no cover - no handler sends other pre-encoded shapes
            raise TypeError("unsupported pre-encoded reply for a script")

    def ok(self) -> None:
        self.flat += _OK

    def simple(self, s: bytes | str) -> None:
        self.flat += (STATUS, s.encode() if isinstance(s, str) else bytes(s))

    def error(self, msg: str) -> None:
        if self.errors is not None:
            self.errors(msg.replace("\r", " ").replace("\n", " "))
        self.flat += (ERROR, lua_error_text(msg))

    def integer(self, n: int) -> None:
        self.flat += (VALUE, n)

    def bulk(self, v) -> None:
        self.flat += (VALUE, v if type(v) is bytes else bytes(v))

    def null(self) -> None:
        if self.level == 2:
            self.flat += (VALUE, False)
        else:
            self.flat.append(NIL)

    def null_array(self) -> None:
        self.null()

    def boolean(self, b: bool) -> None:
        self.flat += (VALUE, (1 if b else 0) if self.level == 2 else bool(b))

    def double(self, x: float) -> None:
        if self.level == 2:
            self.flat += (VALUE, d2string(x))
        else:
            self.flat += (DOUBLE, float(x))

    def verbatim(self, text: bytes, fmt: bytes = b"txt") -> None:
        if self.level == 2:
            self.flat += (VALUE, bytes(text))
        else:
            self.flat += (VERBATIM, bytes(fmt), bytes(text))

    def big_number(self, n: int | bytes) -> None:
        v = n if isinstance(n, bytes) else b"%d" % n
        self.flat += (VALUE, v) if self.level == 2 else (BIGNUM, v)

    # --- aggregates ----------------------------------------------------------------------
    def array(self, n: int) -> None:
        self.flat += (ARRAY, n)

    def map(self, n: int) -> None:
        self.flat += (ARRAY, 2 * n) if self.level == 2 else (MAP, n)

    def set(self, n: int) -> None:
        self.flat += (ARRAY, n) if self.level == 2 else (SET, n)

    def push(self, n: int) -> None:
        self.flat += (ARRAY, n)

    def attribute(self, n: int) -> None:
        if self.level == 2:
            raise NotImplementedError("attributes are RESP3 only; check w.resp first")
        self.flat += (ATTRIBUTE, n)

    def deferred(self) -> int:
        self.flat += (ARRAY, 0)
        return len(self.flat) - 1

    def set_array(self, slot: int, n: int) -> None:
        self.flat[slot] = n

    def set_map(self, slot: int, n: int) -> None:
        if self.level == 2:
            self.flat[slot] = 2 * n
        else:
            self.flat[slot - 1] = MAP
            self.flat[slot] = n

    def set_set(self, slot: int, n: int) -> None:
        if self.level == 3:
            self.flat[slot - 1] = SET
        self.flat[slot] = n

    def bulk_array(self, items) -> None:
        f = self.flat
        f += (ARRAY, len(items))
        for v in items:
            f += (VALUE, v if type(v) is bytes else bytes(v))

    def bulks(self, items) -> None:
        f = self.flat
        f += (ARRAY, len(items))
        for v in items:
            if v is None:
                self.null()
            else:
                f += (VALUE, v if type(v) is bytes else bytes(v))
