"""Serving other clients while a script runs past busy-reply-threshold.

Redis calls processEventsWhileBlocked from the script's count hook; moredis runs inside
an event-loop callback then, so the hook (core.py on_hook) pumps the sockets itself:
a zero-timeout select over the clients' sockets and the listeners, data read with
os.read and fed to each Connection as the loop would, replies going out through the
transports (which write at once). The server's gate refuses everything but the
allow-busy commands with BUSY (`srv.script_busy`). Connections accepted meanwhile get
a small transport of their own and are handed to the event loop when the script ends.
The client running the script is not read (Redis "protects" it).
Neighbours: core.py, server/server.py (the BUSY check), server/connection.py.
"""

from __future__ import annotations

import asyncio
import os
import select
import socket
from typing import Any


class _SockTransport:
    """Just enough of an asyncio transport for Connection, over a plain socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        if self.pending:
            self.pending += data
            return
        try:
            n = self.sock.send(data)
        except BlockingIOError:
            n = 0
        except OSError:
            self.closed = True
            return
        if n < len(data):
            self.pending = data[n:]

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass

    abort = close

    def get_write_buffer_size(self) -> int:
        return len(self.pending)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        try:
            if name == "socket":
                return self.sock
            if name == "peername":
                return self.sock.getpeername()
            if name == "sockname":
                return self.sock.getsockname()
        except OSError:
            return default
        return default

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class _Adopted(asyncio.Protocol):
    """Hands a connection accepted during a busy script over to the event loop."""

    def __init__(self, conn: Any, pending: bytes) -> None:
        self.conn = conn
        self.pending = pending

    def connection_made(self, transport: Any) -> None:
        self.conn.transport = transport
        if self.pending:
            transport.write(self.pending)

    def data_received(self, data: bytes) -> None:
        self.conn.data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.conn.connection_lost(exc)

    def pause_writing(self) -> None:
        self.conn.pause_writing()

    def resume_writing(self) -> None:
        self.conn.resume_writing()


class BusyPump:
    def __init__(self, srv: Any, sc: Any, caller: Any) -> None:
        self.srv = srv
        self.sc = sc
        self.caller = caller
        self.listeners: list[socket.socket] = []
        self.accepted: list[tuple[socket.socket, Any, _SockTransport]] = []
        self.eof: set[int] = set()
        self.handoffs: set[Any] = getattr(sc, "handoffs", set())  # kept on the Scripting: tasks outlive us
        sc.handoffs = self.handoffs

    def start(self) -> None:
        srv = self.srv
        srv.script_busy = self.sc
        srv._recompute_guard()
        for lst in srv.listeners:
            for s in getattr(lst, "sockets", ()) or ():
                try:
                    dup = socket.socket(fileno=os.dup(s.fileno()))
                    dup.setblocking(False)
                    self.listeners.append(dup)
                except OSError:
                    pass

    def pump(self) -> None:
        """One round of processEventsWhileBlocked: accept, read, dispatch (never waits)."""
        srv = self.srv
        rmap: dict[int, Any] = {}
        for c in list(srv.clients.values()):
            conn = c.conn
            if conn is None or c is self.caller or c.fd < 0 or conn.closed or c.fd in self.eof:
                continue
            if isinstance(conn.transport, _SockTransport):
                continue
            rmap[c.fd] = conn
        for sock, conn, tr in self.accepted:
            if not tr.closed and not conn.closed:
                rmap[sock.fileno()] = conn
        lmap = {s.fileno(): s for s in self.listeners}
        try:
            ready, _, _ = select.select(list(rmap) + list(lmap), [], [], 0)
        except (OSError, ValueError):
            return
        for fd in ready:
            if fd in lmap:
                self._accept(lmap[fd])
                continue
            conn = rmap[fd]
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                self.eof.add(fd)
                if isinstance(conn.transport, _SockTransport):
                    conn.transport.close()
                    conn.connection_lost(None)
                continue
            conn.data_received(data)
        srv.flush_pending()

    def _accept(self, lsock: socket.socket) -> None:
        from moredis.server.connection import Connection

        while True:
            try:
                sock, _ = lsock.accept()
            except (BlockingIOError, OSError):
                return
            sock.setblocking(False)
            conn = Connection(self.srv, unix=sock.family == socket.AF_UNIX)
            tr = _SockTransport(sock)
            conn.connection_made(tr)
            self.accepted.append((sock, conn, tr))

    def stop(self) -> None:
        srv = self.srv
        srv.script_busy = None
        srv._recompute_guard()
        for s in self.listeners:
            try:
                s.close()
            except OSError:
                pass
        loop = srv.loop
        for sock, conn, tr in self.accepted:
            if tr.closed or conn.closed:
                continue
            if loop is None:
                tr.close()
                continue
            adopted = _Adopted(conn, tr.pending)
            task = asyncio.ensure_future(loop.connect_accepted_socket(lambda a=adopted: a, sock), loop=loop)
            self.handoffs.add(task)
            task.add_done_callback(self.handoffs.discard)
