"""RedisModule_ReplyWith*: replies from module code, RESP3 or downgraded as Redis does.

Postponed lengths (`reply_with_array(POSTPONED_LEN)` then `reply_set_array_length(n)`)
work like Redis's: each set_* call closes the most recently opened postponed aggregate.
"""

from __future__ import annotations

from typing import Any

from moredis.module import constants as K
from moredis.numbers import ld2string_human

_SETTER = {"array": "set_array", "map": "set_map", "set": "set_set", "attribute": "set_attribute"}


def _set_length(w: Any, kind: str, slot: int, n: int) -> None:
    """setDeferredReplyLen for any writer; attributes (RESP3 only) are set here because
    the core writers have no deferred attribute of their own."""
    fn = getattr(w, _SETTER[kind], None)
    if fn is not None:
        fn(slot, n)
    elif hasattr(w, "_close_deferred"):
        w._close_deferred(slot, kind, n)
    else:
        w.out[slot] = b"|%d\r\n" % n


class ReplyMixin:
    __slots__ = ()

    def _w(self) -> Any:
        return self.client.w  # type: ignore[attr-defined]

    def _agg(self, kind: str, n: int) -> int:
        w = self._w()
        if n == K.POSTPONED_LEN:
            slot = w.deferred()
            if self._deferred is None:  # type: ignore[attr-defined]
                self._deferred = []  # type: ignore[attr-defined]
            self._deferred.append((slot, kind))  # type: ignore[attr-defined]
        else:
            getattr(w, kind)(n)
        return K.OK

    def _set_len(self, kind: str, n: int) -> None:
        stack = self._deferred  # type: ignore[attr-defined]
        if stack and stack[-1][1] == kind:  # the usual case: the last one opened
            _set_length(self.client.w, kind, stack.pop()[0], n)  # type: ignore[attr-defined]
            return
        if not stack:
            raise RuntimeError(f"reply_set_{kind}_length without a postponed {kind}")
        for i in range(len(stack) - 1, -1, -1):
            slot, k = stack[i]
            if k == kind:
                del stack[i]
                _set_length(self._w(), kind, slot, n)
                return
        raise RuntimeError(f"reply_set_{kind}_length without a postponed {kind}")

    def wrong_arity(self) -> int:
        c = self.client  # type: ignore[attr-defined]
        name = c.cmd.fullname if c is not None and c.cmd is not None else "?"
        self._w().error(f"ERR wrong number of arguments for '{name}' command")
        return K.OK

    def reply_with_long_long(self, n: int) -> int:
        self.client.w.integer(n if type(n) is int else int(n))  # type: ignore[attr-defined]
        return K.OK

    def reply_with_error(self, err: str) -> int:
        """The text is sent as is after '-': it should start with an error code ("ERR ...")."""
        self._w().error(err if isinstance(err, str) else err.decode("utf-8", "replace"))
        return K.OK

    def reply_with_error_format(self, fmt: str, *args: Any) -> int:
        return self.reply_with_error(fmt % args if args else fmt)

    def reply_with_simple_string(self, s: str | bytes) -> int:
        self._w().simple(s)
        return K.OK

    def reply_with_array(self, n: int) -> int:
        return self._agg("array", n)

    def reply_with_map(self, n: int) -> int:
        return self._agg("map", n)

    def reply_with_set(self, n: int) -> int:
        return self._agg("set", n)

    def reply_with_attribute(self, n: int) -> int:
        """RESP3 only: ERR under RESP2, as Redis answers."""
        if self.client.resp != 3:  # type: ignore[attr-defined]
            return K.ERR
        return self._agg("attribute", n)

    def reply_with_null_array(self) -> int:
        self._w().null_array()
        return K.OK

    def reply_with_empty_array(self) -> int:
        self._w().array(0)
        return K.OK

    def reply_set_array_length(self, n: int) -> None:
        self._set_len("array", n)

    def reply_set_map_length(self, n: int) -> None:
        self._set_len("map", n)

    def reply_set_set_length(self, n: int) -> None:
        self._set_len("set", n)

    def reply_set_attribute_length(self, n: int) -> None:
        self._set_len("attribute", n)

    def reply_with_string_buffer(self, buf: bytes, length: int | None = None) -> int:
        self._w().bulk(buf if length is None else buf[:length])
        return K.OK

    def reply_with_cstring(self, s: str | bytes) -> int:
        self._w().bulk(s.encode() if isinstance(s, str) else s)
        return K.OK

    def reply_with_string(self, s: bytes | str) -> int:
        self._w().bulk(s.encode() if isinstance(s, str) else s)
        return K.OK

    def reply_with_empty_string(self) -> int:
        self._w().bulk(b"")
        return K.OK

    def reply_with_verbatim_string(self, s: bytes | str) -> int:
        return self.reply_with_verbatim_string_type(s, "txt")

    def reply_with_verbatim_string_type(self, s: bytes | str, ext: str | bytes) -> int:
        b = s.encode() if isinstance(s, str) else s
        e = ext.encode() if isinstance(ext, str) else ext
        self._w().verbatim(b, e)
        return K.OK

    def reply_with_null(self) -> int:
        self._w().null()
        return K.OK

    def reply_with_bool(self, b: bool) -> int:
        self._w().boolean(bool(b))
        return K.OK

    def reply_with_double(self, d: float) -> int:
        self._w().double(float(d))
        return K.OK

    def reply_with_long_double(self, d: Any) -> int:
        """addReplyHumanLongDouble: "%.17Lf"-style human form, bulk in RESP2, double in RESP3."""
        self._w().double_text(ld2string_human(d))
        return K.OK

    def reply_with_big_number(self, n: bytes | str | int) -> int:
        if isinstance(n, str):
            n = n.encode()
        self._w().big_number(n)
        return K.OK

    def reply_with_call_reply(self, reply: Any) -> int:
        """Forward a CallReply to the client, converting RESP3 types to the client's protocol."""
        from moredis.protocol.writer import replay

        if reply is None or reply.node is None:
            return K.ERR
        if reply.attribute_node is not None and self.client.resp == 3:  # type: ignore[attr-defined]
            replay(self._w(), reply.attribute_node)
        replay(self._w(), reply.node)
        return K.OK
