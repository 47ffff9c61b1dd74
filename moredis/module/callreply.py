"""RedisModuleCallReply: what `ctx.call()` returns, built on the captured reply tree
(protocol/writer.Reply) the command wrote.

Accessors mirror the C API (`reply.type()`, `reply.length()`, `reply.array_element(i)`,
`reply.map_element(i)` ...). Errors come back as a CallReply of type REPLY_ERROR, as in C.
"""

from __future__ import annotations

from typing import Any

from moredis.module import constants as K
from moredis.protocol.writer import Reply, Resp2Writer, Resp3Writer, replay

_KIND_TYPE = {
    "bulk": K.REPLY_STRING, "simple": K.REPLY_STRING, "error": K.REPLY_ERROR, "integer": K.REPLY_INTEGER,
    "array": K.REPLY_ARRAY, "null": K.REPLY_NULL, "null_array": K.REPLY_NULL, "map": K.REPLY_MAP,
    "set": K.REPLY_SET, "bool": K.REPLY_BOOL, "double": K.REPLY_DOUBLE, "big_number": K.REPLY_BIG_NUMBER,
    "verbatim": K.REPLY_VERBATIM_STRING, "push": K.REPLY_ARRAY,
}


class CallReply:
    """One reply element. `attribute` holds the attribute reply that preceded it, if any."""

    __slots__ = ("attribute_node", "node", "promise", "resp")

    def __init__(self, node: Reply | None, resp: int = 2, attribute: Reply | None = None) -> None:
        self.node = node
        self.resp = resp
        self.attribute_node = attribute
        self.promise: Any = None

    def __repr__(self) -> str:
        return f"CallReply({self.node!r})"

    # --- RedisModule_CallReply* -----------------------------------------------------
    def type(self) -> int:
        if self.promise is not None:
            return K.REPLY_PROMISE
        if self.node is None:
            return K.REPLY_UNKNOWN
        return _KIND_TYPE.get(self.node.kind, K.REPLY_UNKNOWN)

    def length(self) -> int:
        """Elements of an aggregate (map: pairs), bytes of a string or error."""
        n = self.node
        if n is None:
            return 0
        if n.kind in ("array", "set", "push"):
            return len(n.value)
        if n.kind in ("map", "attribute"):
            return len(n.value) // 2
        if n.kind in ("bulk", "simple", "verbatim"):
            return len(n.value)
        if n.kind == "error":
            return len(n.value.encode())
        return 0

    def _elem(self, i: int) -> CallReply | None:
        v = self.node.value if self.node is not None else None
        if not isinstance(v, list) or not 0 <= i < len(v):
            return None
        return CallReply(v[i], self.resp)

    def array_element(self, i: int) -> CallReply | None:
        if self.node is None or self.node.kind not in ("array", "push"):
            return None
        return self._elem(i)

    def set_element(self, i: int) -> CallReply | None:
        if self.node is None or self.node.kind != "set":
            return None
        return self._elem(i)

    def map_element(self, i: int) -> tuple[CallReply, CallReply] | None:
        if self.node is None or self.node.kind != "map" or not 0 <= i < len(self.node.value) // 2:
            return None
        v = self.node.value
        return CallReply(v[2 * i], self.resp), CallReply(v[2 * i + 1], self.resp)

    def attribute(self) -> CallReply | None:
        return CallReply(self.attribute_node, self.resp) if self.attribute_node is not None else None

    def attribute_element(self, i: int) -> tuple[CallReply, CallReply] | None:
        a = self.attribute_node
        if a is None or not 0 <= i < len(a.value) // 2:
            return None
        return CallReply(a.value[2 * i], self.resp), CallReply(a.value[2 * i + 1], self.resp)

    def integer(self) -> int:
        n = self.node
        return n.value if n is not None and n.kind == "integer" else 0

    def double(self) -> float:
        n = self.node
        return float(n.value) if n is not None and n.kind == "double" else 0.0

    def bool(self) -> bool:
        n = self.node
        return bool(n.value) if n is not None and n.kind == "bool" else False

    def big_number(self) -> bytes | None:
        n = self.node
        return b"%d" % n.value if n is not None and n.kind == "big_number" else None

    def verbatim(self) -> tuple[bytes, bytes] | None:
        """(text, format) of a verbatim string."""
        n = self.node
        if n is None or n.kind != "verbatim":
            return None
        return n.value, n.fmt

    def string_ptr(self) -> bytes | None:
        """RedisModule_CallReplyStringPtr: the bytes of a string or error reply."""
        n = self.node
        if n is None:
            return None
        if n.kind in ("bulk", "simple", "verbatim"):
            return n.value
        if n.kind == "error":
            return n.value.encode()
        return None

    def create_string(self) -> bytes | None:
        """RedisModule_CreateStringFromCallReply: strings, errors and integers as bytes."""
        n = self.node
        if n is None:
            return None
        if n.kind == "integer":
            return b"%d" % n.value
        return self.string_ptr()

    def proto(self) -> bytes:
        """RedisModule_CallReplyProto: the reply as RESP bytes in the protocol it was made for."""
        w = (Resp3Writer if self.resp == 3 else Resp2Writer)([])
        if self.attribute_node is not None and self.resp == 3:
            replay(w, self.attribute_node)
        if self.node is not None:
            replay(w, self.node)
        return b"".join(w.out)

    def promise_set_unblock_handler(self, handler: Any, data: Any = None) -> None:
        """RedisModule_CallReplyPromiseSetUnblockHandler: handler(ctx, reply, data) when the
        blocked call is answered."""
        if self.promise is not None:
            self.promise.set_unblock_handler(handler, data)

    def promise_abort(self) -> int:
        """RedisModule_CallReplyPromiseAbort: OK when the pending call was cancelled."""
        return self.promise.abort() if self.promise is not None else K.ERR

    # --- Pythonic access -------------------------------------------------------------
    def to_python(self) -> Any:
        return None if self.node is None else self.node.to_python()

    def is_error(self) -> bool:
        return self.node is not None and self.node.kind == "error"

    def __bool__(self) -> bool:
        return self.node is not None
