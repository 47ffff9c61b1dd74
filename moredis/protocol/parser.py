"""The request parser of record: multibulk and inline requests, with Redis's limits and
its exact protocol error texts (networking.c processMultibulkBuffer/processInlineBuffer).

hiredis parses the common case far faster (see server/connection.py); this parser takes
over for inline commands (redis-cli, telnet), for malformed input, and for a request that
arrives in pieces, so the texts and the limits are Redis's own. Knows nothing of the
server. Neighbours: errors.ProtocolError.
"""

from __future__ import annotations

from moredis.errors import ProtocolError

INLINE_MAX = 64 * 1024  # PROTO_INLINE_MAX_SIZE
INT_MAX = (1 << 31) - 1
_SPACE = b" \n\r\t\v\f"


def _canonical_int(b: bytes) -> int | None:
    try:
        n = int(b)
    except ValueError:
        return None
    if b"%d" % n != b or n > (1 << 63) - 1 or n < -(1 << 63):
        return None
    return n


def split_args(line: bytes) -> list[bytes] | None:
    """sds.c sdssplitargs: shell-like splitting with quotes; None on unbalanced quotes."""
    if b'"' not in line and b"'" not in line and b"\0" not in line:
        return line.split()  # no quoting: bytes.split() splits on the same isspace() set
    out: list[bytes] = []
    n = len(line)
    i = 0
    nul = line.find(b"\0")
    if nul >= 0:  # C string semantics: the line ends at the first NUL
        n = nul
    while True:
        while i < n and line[i] in _SPACE:
            i += 1
        if i >= n:
            return out
        cur = bytearray()
        inq = insq = False
        while True:
            c = line[i] if i < n else 0
            if inq:
                if c == 0x5C and i + 3 < n and line[i + 1] == 0x78 and _ishex(line, i + 2) and _ishex(line, i + 3):
                    cur.append(int(line[i + 2 : i + 4], 16))
                    i += 3
                elif c == 0x5C and i + 1 < n:
                    i += 1
                    e = line[i]
                    cur.append({0x6E: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x61: 7}.get(e, e))
                elif c == 0x22:
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None
                    i += 1
                    break
                elif c == 0:
                    return None
                else:
                    cur.append(c)
            elif insq:
                if c == 0x5C and i + 1 < n and line[i + 1] == 0x27:
                    i += 1
                    cur.append(0x27)
                elif c == 0x27:
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None
                    i += 1
                    break
                elif c == 0:
                    return None
                else:
                    cur.append(c)
            else:
                if c in (0x20, 0x0A, 0x0D, 0x09, 0):
                    if i < n:
                        i += 1
                    break
                if c == 0x22:
                    inq = True
                elif c == 0x27:
                    insq = True
                else:
                    cur.append(c)
            i += 1
        out.append(bytes(cur))


_HEX = frozenset(b"0123456789abcdefABCDEF")


def _ishex(b: bytes, i: int) -> bool:
    return i < len(b) and b[i] in _HEX


class RequestParser:
    """Incremental parser: `feed(data)`, then `next()` until it returns None.

    `next()` returns an argv list (possibly empty for a blank inline line or `*0`,
    which callers skip) or raises ProtocolError with Redis's text.
    `auth_required` tightens the limits for unauthenticated clients, as Redis does.
    """

    __slots__ = ("_argv", "_bulklen", "_mb_left", "auth_required", "buf", "max_bulk", "pos")

    def __init__(self, max_bulk: int = 512 * 1024 * 1024) -> None:
        self.buf = bytearray()
        self.pos = 0
        self.max_bulk = max_bulk
        self.auth_required = False
        self._mb_left = 0
        self._bulklen = -1
        self._argv: list[bytes] = []

    def feed(self, data: bytes) -> None:
        if self.pos and self.pos == len(self.buf):
            self.buf.clear()
            self.pos = 0
        elif self.pos > 65536 and self.pos * 2 > len(self.buf):
            del self.buf[: self.pos]
            self.pos = 0
        self.buf += data

    def pending(self) -> int:
        """Bytes received and not yet consumed (the query buffer length)."""
        return len(self.buf) - self.pos

    def idle(self) -> bool:
        """True at a request boundary with nothing buffered."""
        return self._mb_left == 0 and self.pos == len(self.buf)

    def next(self) -> list[bytes] | None:
        if self._mb_left:
            return self._multibulk_args()
        if self.pos >= len(self.buf):
            return None
        if self.buf[self.pos] == 0x2A:  # '*'
            return self._multibulk()
        return self._inline()

    def _inline(self) -> list[bytes] | None:
        buf = self.buf
        nl = buf.find(b"\n", self.pos)
        if nl < 0:
            if len(buf) - self.pos > INLINE_MAX:
                raise ProtocolError("too big inline request")
            return None
        end = nl
        if end != self.pos and buf[end - 1] == 0x0D:
            end -= 1
        line = bytes(buf[self.pos : end])
        self.pos = nl + 1
        argv = split_args(line)
        if argv is None:
            raise ProtocolError("unbalanced quotes in request")
        return argv

    def _multibulk(self) -> list[bytes] | None:
        buf = self.buf
        cr = buf.find(b"\r", self.pos)
        if cr < 0:
            if len(buf) - self.pos > INLINE_MAX:
                raise ProtocolError("too big mbulk count string")
            return None
        if cr > len(buf) - 2:
            return None
        n = _canonical_int(bytes(buf[self.pos + 1 : cr]))
        if n is None or n > INT_MAX:
            raise ProtocolError("invalid multibulk length")
        if n > 10 and self.auth_required:
            raise ProtocolError("unauthenticated multibulk length")
        self.pos = cr + 2
        if n <= 0:
            return []
        self._mb_left = n
        self._bulklen = -1
        self._argv = []
        return self._multibulk_args()

    def _multibulk_args(self) -> list[bytes] | None:
        buf = self.buf
        argv = self._argv
        while self._mb_left:
            if self._bulklen == -1:
                cr = buf.find(b"\r", self.pos)
                if cr < 0:
                    if len(buf) - self.pos > INLINE_MAX:
                        raise ProtocolError("too big bulk count string")
                    return None
                if cr > len(buf) - 2:
                    return None
                if buf[self.pos] != 0x24:  # '$'
                    raise ProtocolError("expected '$', got '%s'" % chr(buf[self.pos]))
                n = _canonical_int(bytes(buf[self.pos + 1 : cr]))
                if n is None or n < 0 or n > self.max_bulk:
                    raise ProtocolError("invalid bulk length")
                if n > 16384 and self.auth_required:
                    raise ProtocolError("unauthenticated bulk length")
                self.pos = cr + 2
                self._bulklen = n
            n = self._bulklen
            if len(buf) - self.pos < n + 2:
                return None
            argv.append(bytes(buf[self.pos : self.pos + n]))
            self.pos += n + 2
            self._bulklen = -1
            self._mb_left -= 1
        self._argv = []
        return argv
