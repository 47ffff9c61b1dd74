"""A tiny blocking RESP client on hiredis, for tools and tests that need raw replies.

redis-py post-processes many replies (COMMAND, INFO, CONFIG ...); the differential
tests and the spec generator need the server's bytes untouched.
"""

from __future__ import annotations

import socket

import hiredis


def parse_reply(raw: bytes):
    """One RESP reply as hiredis decodes it (an error reply comes back as an exception
    object, not raised)."""
    rd = hiredis.Reader()
    rd.feed(raw)
    return rd.gets()


class RawClient:
    """Send commands, read replies as hiredis parses them (errors returned, not raised)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 6379, resp: int = 2, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.reader = hiredis.Reader()
        if resp == 3:
            self.call("HELLO", "3")

    @staticmethod
    def encode(args: tuple) -> bytes:
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = b"%d" % a
            out.append(b"$%d\r\n%b\r\n" % (len(a), a))
        return b"".join(out)

    def call(self, *args):
        self.sock.sendall(self.encode(args))
        return self.read()

    def read(self):
        while True:
            r = self.reader.gets()
            if r is not False:
                return r
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError("server closed the connection")
            self.reader.feed(data)

    def close(self) -> None:
        self.sock.close()


def _frame_end(buf: bytes, pos: int) -> int | None:
    """Index just past the complete RESP reply starting at pos, or None if incomplete."""
    nl = buf.find(b"\r\n", pos)
    if nl < 0:
        return None
    t = buf[pos : pos + 1]
    head = buf[pos + 1 : nl]
    after = nl + 2
    if t in (b"+", b"-", b":", b",", b"#", b"_", b"("):
        return after
    if t in (b"$", b"=", b"!"):
        n = int(head)
        if n < 0:
            return after
        end = after + n + 2
        return end if len(buf) >= end else None
    if t in (b"*", b"~", b">", b"%", b"|"):
        n = int(head)
        if n < 0:
            return after
        if t in (b"%", b"|"):
            n *= 2
        p = after
        for _ in range(n):
            p = _frame_end(buf, p)
            if p is None:
                return None
        if t == b"|":  # an attribute precedes the real reply
            return _frame_end(buf, p)
        return p
    raise ValueError(f"bad reply type byte {t!r} in {buf[pos:pos + 40]!r}")


class RawBytesClient:
    """Send commands and read each reply as the exact bytes the server sent."""

    def __init__(self, host: str = "127.0.0.1", port: int = 6379, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def send(self, *args) -> None:
        self.sock.sendall(RawClient.encode(args))

    def call(self, *args) -> bytes:
        self.send(*args)
        return self.read()

    def read(self) -> bytes:
        while True:
            if self.buf:
                end = _frame_end(self.buf, 0)
                if end is not None:
                    out, self.buf = self.buf[:end], self.buf[end:]
                    return out
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError("server closed the connection")
            self.buf += data

    def close(self) -> None:
        self.sock.close()
