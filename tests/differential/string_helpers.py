"""Helpers shared by the differential tests: wrong-type keys, configs set on both
servers, keyspace-notification capture."""

from __future__ import annotations

import contextlib
import time

from respclient import RawBytesClient


class NotAString:
    """Stand-in for a non-string value while moredis has no other type to make one."""


def has(d, name: str) -> bool:
    """Whether moredis knows the command, by its COMMAND INFO entry."""
    reply = d.mine.call("COMMAND", "INFO", name)
    return reply.startswith(b"*1\r\n*") and not reply.startswith(b"*1\r\n*-1")


def make_wrongtype(srv, d, key: str) -> None:
    """A key holding a list on the reference and a non-string value on moredis."""
    for cmd in (("LPUSH", key, "x"), ("SADD", key, "x"), ("HSET", key, "f", "x"), ("ZADD", key, "1", "x")):
        if has(d, cmd[0]):
            assert d.check(*cmd) == b":1\r\n"
            return
    d.theirs.call("LPUSH", key, "x")
    srv.call_in_loop(lambda: srv.core.dbs[0].data.__setitem__(key.encode(), NotAString()))


def config_set(srv, d, name: str, value: str) -> None:
    """Set a config on both servers (moredis through its registry: CONFIG may not exist)."""
    srv.call_in_loop(srv.core.config.set_many, [(name, value)])
    assert d.theirs.call("CONFIG", "SET", name, value) == b"+OK\r\n"


@contextlib.contextmanager
def configured(srv, d, name: str, value: str, restore: str):
    config_set(srv, d, name, value)
    try:
        yield
    finally:
        config_set(srv, d, name, restore)


class Events:
    """Keyspace notifications seen by a PSUBSCRIBE client on each server."""

    def __init__(self, srv, ref, d) -> None:
        self.d = d
        self.subs = [RawBytesClient(port=srv.port), RawBytesClient(port=ref.port)]
        for s in self.subs:
            s.call("PSUBSCRIBE", "__key*__:*")

    MARK = b"--end-of-events--"

    def take(self) -> list[list[bytes]]:
        """Everything published so far: a PING in subscribed mode answers after it."""
        out = []
        for s in self.subs:
            s.send("PING", self.MARK)
            got = []
            while True:
                frame = s.read()
                if frame.startswith(b"*2\r\n$4\r\npong\r\n") and self.MARK in frame:
                    break
                got.append(frame)
            out.append(got)
        return out

    def check(self, *args, expect: list[str] | None = None) -> None:
        self.d.check(*args)
        mine, theirs = self.take()
        assert mine == theirs, f"{args!r}: moredis events {mine!r} != reference {theirs!r}"
        if expect is not None:
            names = [m.split(b"\r\n")[-2].decode() for m in theirs if b"__keyspace@" in m]
            assert names == expect, (args, names)

    def close(self) -> None:
        for s in self.subs:
            s.close()


def keyspace_events(srv, ref, d):
    """Generator for an `events` fixture: notify-keyspace-events KEA on both servers."""
    with configured(srv, d, "notify-keyspace-events", "KEA", ""):
        ev = Events(srv, ref, d)
        yield ev
        ev.close()


class ReplicationStream:
    """What a server replicates, read as a replica would (SYNC), on a private reference
    instance so the shared one never gets a replica attached."""

    def __init__(self, port: int) -> None:
        import socket

        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"SYNC\r\n")
        buf = b""
        while True:  # skip the keepalive newlines, then the RDB payload ($len\r\n<bytes>)
            buf += self.sock.recv(65536)
            buf = buf.lstrip(b"\n")
            if buf.startswith(b"$") and b"\r\n" in buf:
                head = buf.index(b"\r\n")
                size = int(buf[1:head])
                while len(buf) < head + 2 + size:
                    buf += self.sock.recv(65536)
                self.buf = buf[head + 2 + size:]
                break

    def commands(self, marker: bytes) -> list[list[bytes]]:
        """Replicated commands up to (excluding) `SET <marker> ...`, PING and SELECT left out."""
        import hiredis

        rd = hiredis.Reader()
        rd.feed(self.buf)
        out: list[list[bytes]] = []
        while True:
            x = rd.gets()
            if x is False:
                rd.feed(self.sock.recv(65536))
                continue
            if x[0].upper() in (b"PING", b"SELECT"):
                continue
            if x[0].upper() == b"SET" and x[1] == marker:
                return out
            out.append(x)

    def close(self) -> None:
        self.sock.close()


def keyevents(port: int, script: list[tuple]) -> list:
    """Run `script` on the server at `port` and return the (event, key) pairs published on
    __keyevent@0__, up to a closing SET done (errors in the script are ignored)."""
    import redis

    r = redis.Redis(port=port)
    p = r.pubsub()
    p.psubscribe("__keyevent@0__:*")
    p.get_message(timeout=1)
    for args in script:
        try:
            r.execute_command(*args)
        except redis.ResponseError:
            pass
    r.execute_command("SET", "done", "marker")
    out = []
    deadline = time.time() + 5
    while time.time() < deadline:
        m = p.get_message(timeout=0.2)
        if m is not None and m["type"] == "pmessage":
            ev = (m["channel"].split(b":", 1)[1], m["data"])
            if ev == (b"set", b"done"):
                break
            out.append(ev)
    p.close()
    r.close()
    return out
