"""Typed reply writers: RESP3, RESP2 (Redis's downgrades), and a capturing writer.

Handlers never build protocol bytes; they call `w.bulk(v)`, `w.array(n)`, `w.double(x)`.
The connection picks the writer for the client's protocol, so RESP3 types reach RESP2
clients exactly as Redis's networking.c downgrades them (maps become flat arrays, doubles
become bulk strings, booleans become integers, null becomes $-1 or *-1).
`CaptureWriter` records the same calls as Python values tagged with their RESP type, for
EXEC, scripts and module `call()`; `replay()` re-emits a captured reply into any writer.
Knows nothing of the server; neighbours: numbers.py (double printing).
"""

from __future__ import annotations

from typing import Any

from moredis.numbers import d2string

CRLF = b"\r\n"
BIG = 1 << 14  # above this a bulk payload is queued as its own piece instead of copied

_INT_CACHE = [b":%d\r\n" % i for i in range(1024)]
_ARR_CACHE = [b"*%d\r\n" % i for i in range(256)]
_BULK_HDR = [b"$%d\r\n" % i for i in range(256)]
_LEN_HDR = [b"$%d" % i for i in range(4096)]  # bulk headers without CRLF, for joins


def verbatim_format(fmt: bytes) -> bytes:
    """A verbatim string's format is three bytes on the wire: addReplyVerbatim copies the
    format up to its end (or a NUL) and pads with spaces, so "tx" goes out as "tx "."""
    return fmt.split(b"\0", 1)[0][:3].ljust(3, b" ")


class Writer:
    """Base writer appending encoded pieces to `out` (a list joined once per batch)."""

    __slots__ = ("errors", "out")
    resp = 2

    def __init__(self, out: list | None = None, errors: Any = None) -> None:
        self.out = out if out is not None else []
        self.errors = errors  # callable(str) counting error replies (server stats)

    # --- scalars -------------------------------------------------------------------
    def raw(self, data: bytes) -> None:
        self.out.append(data)

    def ok(self) -> None:
        self.out.append(b"+OK\r\n")

    def simple(self, s: bytes | str) -> None:
        if isinstance(s, str):
            s = s.encode()
        self.out.append(b"+%b\r\n" % s)

    def error(self, msg: str) -> None:
        if "\r" in msg or "\n" in msg:
            msg = msg.replace("\r", " ").replace("\n", " ")
        if self.errors is not None:
            self.errors(msg)
        self.out.append(b"-%b\r\n" % msg.encode("utf-8", "surrogateescape"))

    def integer(self, n: int) -> None:
        if 0 <= n < 1024:
            self.out.append(_INT_CACHE[n])
        else:
            self.out.append(b":%d\r\n" % n)

    def bulk(self, v: bytes | bytearray | memoryview) -> None:
        n = len(v)
        if n < BIG:
            self.out.append(b"$%d\r\n%b\r\n" % (n, v))
        else:
            self.out.append(b"$%d\r\n" % n)
            self.out.append(bytes(v))
            self.out.append(CRLF)

    def bulk_str(self, s: str) -> None:
        self.bulk(s.encode())

    def bulk_int(self, n: int) -> None:
        """An integer sent as a bulk string (INCRBYFLOAT-style and CONFIG GET values)."""
        self.bulk(b"%d" % n)

    def bulk_or_null(self, v: bytes | bytearray | None) -> None:
        if v is None:
            self.null()
        else:
            self.bulk(v)

    def verbatim(self, text: bytes, fmt: bytes = b"txt") -> None:
        self.bulk(text)

    def big_number(self, n: int | bytes) -> None:
        self.bulk(n if isinstance(n, bytes) else b"%d" % n)

    # --- RESP2 spellings of RESP3 types ----------------------------------------------
    def null(self) -> None:
        """The null of a missing bulk (GET of a missing key)."""
        self.out.append(b"$-1\r\n")

    def null_array(self) -> None:
        """The null of a missing aggregate (BLPOP timeout, EXEC after WATCH)."""
        self.out.append(b"*-1\r\n")

    def boolean(self, b: bool) -> None:
        self.out.append(b":1\r\n" if b else b":0\r\n")

    def double(self, x: float) -> None:
        self.bulk(d2string(x))

    def double_text(self, text: bytes) -> None:
        """A double already printed (long doubles in human form): bulk in RESP2."""
        self.bulk(text)

    def array(self, n: int) -> None:
        self.out.append(_ARR_CACHE[n] if n < 256 else b"*%d\r\n" % n)

    def map(self, n: int) -> None:
        self.array(2 * n)

    def set(self, n: int) -> None:
        self.array(n)

    def push(self, n: int) -> None:
        self.array(n)

    def attribute(self, n: int) -> None:
        """RESP2 has no attributes: Redis drops them; the caller must skip the pairs."""
        raise NotImplementedError("attributes are RESP3 only; check w.resp first")

    # --- deferred lengths (addReplyDeferredLen / setDeferredArrayLen) ------------------
    def deferred(self) -> int:
        self.out.append(None)
        return len(self.out) - 1

    def set_array(self, slot: int, n: int) -> None:
        self.out[slot] = b"*%d\r\n" % n

    def set_map(self, slot: int, n: int) -> None:
        self.out[slot] = b"*%d\r\n" % (2 * n)

    def set_set(self, slot: int, n: int) -> None:
        self.out[slot] = b"*%d\r\n" % n

    # --- convenience -------------------------------------------------------------------
    def bulk_array(self, items) -> None:
        """An array of bulk strings (bytes, no None), encoded with C-level joins: one
        piece for the whole reply instead of a call per element (LRANGE, ZRANGE ...)."""
        n = len(items)
        out = self.out
        out.append(_ARR_CACHE[n] if n < 256 else b"*%d\r\n" % n)
        if not n:
            return
        try:
            lens = list(map(len, items))
            first = lens[0]
            if lens.count(first) == n:  # all of one length: one header repeated
                hdr = _LEN_HDR[first] + CRLF
                out.append(hdr + (CRLF + hdr).join(items) + CRLF)
                return
            parts: list = [None] * (2 * n)
            parts[0::2] = map(_LEN_HDR.__getitem__, lens)
            parts[1::2] = items
            out.append(CRLF.join(parts))
            out.append(CRLF)
        except (IndexError, TypeError):  # long elements (or non-bytes): one piece each
            bulk = self.bulk
            for v in items:
                bulk(v)

    def bulks(self, items) -> None:
        """An array of bulk strings (None items become nulls)."""
        self.array(len(items))
        for v in items:
            if v is None:
                self.null()
            else:
                self.bulk(v)

    def help(self, lines: list[str]) -> None:
        """addReplyHelp: status lines, the way every HELP subcommand answers."""
        self.array(len(lines))
        for line in lines:
            self.simple(line)


class Resp2Writer(Writer):
    __slots__ = ()
    resp = 2


class Resp3Writer(Writer):
    __slots__ = ()
    resp = 3

    def null(self) -> None:
        self.out.append(b"_\r\n")

    def null_array(self) -> None:
        self.out.append(b"_\r\n")

    def boolean(self, b: bool) -> None:
        self.out.append(b"#t\r\n" if b else b"#f\r\n")

    def double(self, x: float) -> None:
        self.out.append(b",%b\r\n" % d2string(x))

    def double_text(self, text: bytes) -> None:
        self.out.append(b",%b\r\n" % text)

    def map(self, n: int) -> None:
        self.out.append(b"%%%d\r\n" % n)

    def set(self, n: int) -> None:
        self.out.append(b"~%d\r\n" % n)

    def push(self, n: int) -> None:
        self.out.append(b">%d\r\n" % n)

    def attribute(self, n: int) -> None:
        self.out.append(b"|%d\r\n" % n)

    def verbatim(self, text: bytes, fmt: bytes = b"txt") -> None:
        if len(fmt) != 3 or b"\0" in fmt:
            fmt = verbatim_format(fmt)
        self.out.append(b"=%d\r\n%b:%b\r\n" % (len(text) + 4, fmt, text))

    def big_number(self, n: int | bytes) -> None:
        self.out.append(b"(%b\r\n" % (n if isinstance(n, bytes) else b"%d" % n))

    def set_map(self, slot: int, n: int) -> None:
        self.out[slot] = b"%%%d\r\n" % n

    def set_set(self, slot: int, n: int) -> None:
        self.out[slot] = b"~%d\r\n" % n


# --- capture ----------------------------------------------------------------------------

class Reply:
    """A captured reply node: `kind` is the RESP3 type name, `value` the payload.

    Kinds: simple, error, integer, bulk, null, null_array, bool, double, verbatim,
    big_number, array, map, set, push, attribute. Aggregates hold a list of Reply
    (maps and attributes: flat key, value, key, value ...).
    """

    __slots__ = ("fmt", "kind", "value")

    def __init__(self, kind: str, value: Any = None, fmt: bytes = b"txt") -> None:
        self.kind = kind
        self.value = value
        self.fmt = fmt

    def __repr__(self) -> str:
        return f"Reply({self.kind!r}, {self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reply) and (self.kind, self.value) == (other.kind, other.value)

    def to_python(self) -> Any:
        """Plain Python values (tests and simple embedding): maps become dicts."""
        k, v = self.kind, self.value
        if k in ("array", "set", "push"):
            return [x.to_python() for x in v]
        if k in ("map", "attribute"):
            return {_hashable(v[i].to_python()): v[i + 1].to_python() for i in range(0, len(v), 2)}
        if k in ("null", "null_array"):
            return None
        return v


def _hashable(x: Any) -> Any:
    return tuple(x) if isinstance(x, list) else x


_AGG_SIZE = {"array": 1, "set": 1, "push": 1, "map": 2, "attribute": 2}


class CaptureWriter(Writer):
    """Builds a tree of `Reply` nodes instead of bytes; same calls as the wire writers."""

    __slots__ = ("_stack", "replies", "resp_level")

    def __init__(self, resp: int = 3, errors: Any = None) -> None:
        super().__init__([], errors)
        self.replies: list[Reply] = []
        self._stack: list[list] = []  # [node, remaining]
        self.resp_level = resp

    @property
    def resp(self) -> int:  # type: ignore[override]
        return self.resp_level

    def _add(self, node: Reply) -> None:
        if self._stack:
            top = self._stack[-1]
            top[0].value.append(node)
            top[1] -= 1
        else:
            self.replies.append(node)
        self._pop_done()

    def _pop_done(self) -> None:
        while self._stack and self._stack[-1][1] == 0:
            self._stack.pop()

    def _agg(self, kind: str, n: int) -> None:
        node = Reply(kind, [])
        count = n * _AGG_SIZE[kind]
        if self._stack:
            top = self._stack[-1]
            top[0].value.append(node)
            top[1] -= 1
        else:
            self.replies.append(node)
        self._stack.append([node, count])
        self._pop_done()

    def raw(self, data: bytes) -> None:
        raise TypeError("pre-encoded replies cannot be captured; use the typed methods")

    def ok(self) -> None:
        self._add(Reply("simple", b"OK"))

    def simple(self, s: bytes | str) -> None:
        self._add(Reply("simple", s.encode() if isinstance(s, str) else bytes(s)))

    def error(self, msg: str) -> None:
        if self.errors is not None:
            self.errors(msg)
        self._add(Reply("error", msg))

    def integer(self, n: int) -> None:
        self._add(Reply("integer", n))

    def bulk(self, v) -> None:
        self._add(Reply("bulk", bytes(v)))

    def null(self) -> None:
        self._add(Reply("null"))

    def null_array(self) -> None:
        self._add(Reply("null_array"))

    def boolean(self, b: bool) -> None:
        self._add(Reply("bool", bool(b)))

    def double(self, x: float) -> None:
        self._add(Reply("double", float(x)))

    def double_text(self, text: bytes) -> None:
        self._add(Reply("double", float(text)))

    def verbatim(self, text: bytes, fmt: bytes = b"txt") -> None:
        self._add(Reply("verbatim", bytes(text), verbatim_format(fmt)))

    def big_number(self, n: int | bytes) -> None:
        self._add(Reply("big_number", int(n)))

    def array(self, n: int) -> None:
        self._agg("array", n)

    def map(self, n: int) -> None:
        self._agg("map", n)

    def set(self, n: int) -> None:
        self._agg("set", n)

    def push(self, n: int) -> None:
        self._agg("push", n)

    def attribute(self, n: int) -> None:
        self._agg("attribute", n)

    def deferred(self) -> int:
        node = Reply("array", [])
        if self._stack:
            top = self._stack[-1]
            top[0].value.append(node)
            top[1] -= 1
        else:
            self.replies.append(node)
        self._stack.append([node, -1])  # open until set_*
        return len(self._stack) - 1

    def _close_deferred(self, slot: int, kind: str, n: int) -> None:
        entry = self._stack[slot]
        node = entry[0]
        node.kind = kind
        # everything written since deferred() landed inside node; it is complete now
        del self._stack[slot:]
        self._pop_done()

    def set_array(self, slot: int, n: int) -> None:
        self._close_deferred(slot, "array", n)

    def set_map(self, slot: int, n: int) -> None:
        self._close_deferred(slot, "map", n)

    def set_set(self, slot: int, n: int) -> None:
        self._close_deferred(slot, "set", n)

    def bulk_array(self, items) -> None:
        self.array(len(items))
        for v in items:
            self.bulk(v)

    def take(self) -> Reply:
        """The single captured reply (the usual case: one command, one reply)."""
        assert not self._stack, "unfinished aggregate in captured reply"
        r = self.replies[0]
        self.replies = []
        return r


def replay(w: Writer, node: Reply) -> None:
    """Write a captured reply to any writer (RESP3 types downgrade on RESP2 writers)."""
    k, v = node.kind, node.value
    if k == "bulk":
        w.bulk(v)
    elif k == "integer":
        w.integer(v)
    elif k == "simple":
        w.simple(v)
    elif k == "error":
        w.error(v)
    elif k == "array":
        w.array(len(v))
        for x in v:
            replay(w, x)
    elif k == "null":
        w.null()
    elif k == "null_array":
        w.null_array()
    elif k in ("map", "attribute"):
        if k == "attribute" and w.resp == 2:
            return
        (w.map if k == "map" else w.attribute)(len(v) // 2)
        for x in v:
            replay(w, x)
    elif k == "set":
        w.set(len(v))
        for x in v:
            replay(w, x)
    elif k == "push":
        w.push(len(v))
        for x in v:
            replay(w, x)
    elif k == "bool":
        w.boolean(v)
    elif k == "double":
        w.double(v)
    elif k == "verbatim":
        w.verbatim(v, node.fmt)
    elif k == "big_number":
        w.big_number(v)
    else:  # pragma: no cover
        raise ValueError(k)
