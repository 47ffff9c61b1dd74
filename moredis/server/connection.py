"""The network side of a client: an asyncio Protocol that parses, dispatches, replies.

The hot path: hiredis parses every complete request in a read, each goes through
`srv.process_command`, and all replies of the read leave in one write. The exact parser
(protocol/parser.py) takes over for inline commands, unauthenticated clients (Redis's
tighter limits), a request that arrives in pieces, and anything hiredis refuses; the
bytes read since the last request boundary are kept so it can resume exactly where
hiredis stopped. Neighbours: server.py (dispatch), client.py (state).
"""

from __future__ import annotations

import asyncio
import os
import socket
import stat
from typing import Any

import hiredis

from moredis.errors import ProtocolError
from moredis.protocol.parser import RequestParser

RAW_KEEP = 1 << 20  # keep up to this many unparsed bytes for exact error recovery


class Connection(asyncio.Protocol):
    __slots__ = (
        "check_argv",
        "check_chunks",
        "client",
        "closed",
        "count",
        "last_chunk",
        "mid",
        "parser",
        "paused_reading",
        "raw",
        "raw_len",
        "reader",
        "spare_parser",
        "srv",
        "transport",
        "unix",
    )

    def __init__(self, srv: Any, unix: bool = False) -> None:
        self.srv = srv
        self.transport: Any = None
        self.client: Any = None
        self.reader = hiredis.Reader()
        self.parser: RequestParser | None = None
        self.spare_parser: RequestParser | None = None
        self.raw: list[bytes] | None = []
        self.raw_len = 0
        self.count = 0  # requests dispatched since the last boundary
        self.mid = False  # hiredis holds part of a request
        self.closed = False
        self.unix = unix
        self.paused_reading = False
        self.last_chunk = b""
        self.check_argv: list[bytes] | None = None  # last request of a probable boundary (see _drain)
        self.check_chunks: list[bytes] = []

    # --- lifecycle -------------------------------------------------------------------
    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        try:
            self._setup(transport)
        except Exception as e:  # never leave a peer waiting on a half-made client
            self.srv.log.warning(f"Error accepting a client connection: {e!r}")
            self.closed = True
            transport.abort()

    def _setup(self, transport: Any) -> None:
        srv = self.srv
        if len(srv.clients) >= srv.maxclients:
            srv.stat_rejected_conn += 1
            transport.write(b"-ERR max number of clients reached\r\n")
            transport.close()
            self.closed = True
            return
        c = srv.new_client(self)
        self.client = c
        srv.stat_numconnections += 1
        c.unix = self.unix
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                c.fd = sock.fileno()
            except OSError:
                pass
        if self.unix:
            name = transport.get_extra_info("sockname") or ""
            c.addr = f"{name}:0"
            c.laddr = f"{name}:0"
        else:
            peer = transport.get_extra_info("peername") or ("?", 0)
            local = transport.get_extra_info("sockname") or ("?", 0)
            c.addr = _fmt_addr(peer)
            c.laddr = _fmt_addr(local)
            if sock is not None:
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    ka = srv.config["tcp-keepalive"]
                    if ka > 0:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                except OSError:
                    pass
            if self._protected_refusal(peer):
                return
        if srv.module_hooks is not None:
            srv.module_hooks.client_connected(c)

    def _protected_refusal(self, peer: Any) -> bool:
        srv = self.srv
        if not srv.config["protected-mode"] or srv.auth_required:
            return False
        if srv.config["bind"] not in (["*", "-::*"], []) and srv.bind_explicit:
            return False
        host = peer[0] if peer else ""
        if host in ("127.0.0.1", "::1", "::ffff:127.0.0.1") or host.startswith("127."):
            return False
        self.transport.write(
            b"-DENIED Running in protected mode because protected mode is enabled and no password "
            b"is set for the default user. In this mode connections are only accepted from the "
            b"loopback interface. Set a password, bind to specific addresses, or disable protected "
            b"mode with 'CONFIG SET protected-mode no' from a loopback connection.\r\n")
        self.transport.close()
        self.closed = True
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        c = self.client
        if c is not None:
            self.srv.free_client(c)
            self.client = None

    def close_client(self) -> None:
        """Flush what is queued, then close (CLIENT KILL, QUIT, limits)."""
        if self.closed:
            return
        self.closed = True
        if self.client is not None:
            self.client.closing = True
            self.flush()
        if self.transport is not None:
            self.transport.close()

    # --- input -----------------------------------------------------------------------
    def data_received(self, data: bytes, hooked: bool = False) -> None:
        """Read, parse, run and queue the replies, in one frame for the common read (every
        request of every client goes through here; the rare cases call out)."""
        srv = self.srv
        if not hooked and (srv.eventloop_hook is not None or srv.gil is not None):
            self._received_hooked(data)
            return
        c = self.client
        if c is None or self.closed:
            return
        n = len(data)
        srv.stat_net_input_bytes += n
        srv.stat_total_reads += 1
        c.net_in += n
        c.last_interaction = srv.unixtime
        if self.parser is not None:
            self.parser.feed(data)
        elif not self.mid and (data[0] != 42 or not c.authenticated) and not (
                self.check_argv is not None and data[0] != 42 and self._continues_request()):
            self.parser = self._new_parser()
            self.parser.feed(data)
        else:
            self.reader.feed(data)
            self.last_chunk = data
            raw_len = self.raw_len = self.raw_len + n
            raw = self.raw
            if raw is not None:
                if raw_len > RAW_KEEP and self.count:
                    self.raw = None
                else:
                    raw.append(data)
            if raw_len > srv.qbuf_limit:
                self._qbuf_overflow()
                return
        self._drain(c, srv)

    def _received_hooked(self, data: bytes) -> None:
        """A read while modules listen to the event loop or may hold the server lock."""
        srv = self.srv
        if srv.eventloop_hook is not None:  # modules subscribed to the EventLoop event
            srv.eventloop_hook()
        gil = srv.gil
        if gil is not None:  # a module thread may hold the server lock (ThreadSafeContextLock)
            with gil:
                self.data_received(data, True)
        else:
            self.data_received(data, True)

    def _new_parser(self) -> RequestParser:
        p = self.spare_parser  # reused: inline clients switch parsers on every read
        if p is None or not p.idle():
            p = RequestParser(self.srv.proto_max_bulk_len)
            self.spare_parser = p
        p.max_bulk = self.srv.proto_max_bulk_len if not self.client.is_master else 1 << 62
        p.auth_required = not self.client.authenticated
        return p

    def resume(self) -> None:
        """Continue with buffered requests after the client was unblocked."""
        if self.client is not None and not self.closed:
            self._drain(self.client, self.srv)

    def _drain(self, c: Any, srv: Any) -> None:
        """Run the buffered requests, then queue the replies. hiredis's loop is written
        here rather than in a helper: it runs for every read of every client."""
        if c.blocked is None and not c.closing:
            if self.parser is None:
                reader = self.reader
                process = srv.process_command
                join = b"".join
                last = None
                bad = whole = False
                try:
                    while True:
                        argv = reader.gets()
                        if argv is False:
                            break
                        try:
                            join(argv)
                        except TypeError:  # an element that is not a bulk string
                            bad = True
                            break
                        self.count += 1
                        last = argv
                        if argv:
                            process(c, argv)
                            if c.blocked is not None or c.close_after_reply or c.closing:
                                break
                        if not reader.has_data():  # whole requests only (cheaper than the gets() saying so)
                            whole = True
                            break
                except (hiredis.ProtocolError, MemoryError):  # (MemoryError: a count hiredis cannot allocate)
                    bad = True
                if bad:
                    self._recover()
                elif not whole and (last is None or reader.has_data()):
                    self._stopped_inside(last)
                else:
                    # At a request boundary: surely when the read held whole requests only,
                    # almost surely when hiredis stopped with nothing left unread (it may have
                    # consumed the bytes of a partial array). The exact check for that case, do
                    # the bytes end with the last request's encoding, only matters if the next
                    # read does not start with '*', so it is left to that read (_continues_request)
                    self.mid = False
                    if whole:
                        self.check_argv = None
                    else:
                        self.check_argv = last
                        self.check_chunks = self.raw if self.raw else [self.last_chunk]
                    self.count = 0
                    self.raw_len = 0
                    self.raw = []
            if self.parser is not None and c.blocked is None and not c.closing and not self.closed:
                self._drain_slow(c, srv)
        if c.out:
            q = srv.write_queue
            if q:
                q.append(self)
            else:
                srv.queue_write(self)
        if srv.pending_flush:
            srv.flush_pending()
        if c.close_after_reply and not self.closed:
            self.close_client()

    def _stopped_inside(self, last: list[bytes] | None) -> None:
        """hiredis surely holds part of a request: bytes are left unread, or no request
        completed. A lone request arriving in pieces goes to the exact parser, which
        checks its limits."""
        self.mid = self.raw_len > 0 or self.reader.has_data()
        self.check_argv = None
        if self.mid and self.count == 0 and self.raw is not None:
            self._recover()

    def _continues_request(self) -> bool:
        """Called for a read not starting with '*' after a probable boundary: True when
        the previous read in fact stopped inside a request (this read continues it)."""
        last = self.check_argv
        self.check_argv = None
        if last is None:
            return False
        return not _ends_with_request(self.check_chunks, last)

    def _recover(self) -> None:
        """Hand the unparsed bytes to the exact parser, skipping requests already run."""
        if self.raw is None:
            self._protocol_error("invalid request")
            return
        p = self._new_parser()
        p.feed(b"".join(self.raw))
        try:
            for _ in range(self.count):
                p.next()
        except ProtocolError:  # pragma: no cover - hiredis accepted those already
            pass
        self.parser = p
        self.reader = hiredis.Reader()
        self.raw = []
        self.raw_len = 0
        self.count = 0
        self.mid = False

    def _drain_slow(self, c: Any, srv: Any) -> None:
        p = self.parser
        assert p is not None
        process = srv.process_command
        while True:
            try:
                argv = p.next()
            except ProtocolError as e:
                self._protocol_error(str(e))
                return
            if argv is None:
                break
            if argv:
                process(c, argv)
                p.auth_required = not c.authenticated
                if c.blocked is not None or c.close_after_reply or c.closing:
                    return
        if p.pending() > srv.qbuf_limit:
            self._qbuf_overflow()
            return
        if p.idle() and c.authenticated:
            self.parser = None  # back to hiredis at a clean boundary

    def _protocol_error(self, text: str) -> None:
        c = self.client
        self.srv.log.verbose(f"Protocol error ({text}) from client: id={c.id} addr={c.addr}")
        c.w.error("ERR Protocol error: " + text)
        c.close_after_reply = True

    def _qbuf_overflow(self) -> None:
        c = self.client
        srv = self.srv
        srv.stat_qbuf_limit_disconnections += 1
        srv.log.warning(f"Closing client that reached max query buffer length: id={c.id} addr={c.addr}")
        self.close_client()

    # --- output ----------------------------------------------------------------------
    def flush(self) -> None:
        """Send what the client's writer collected, in one write."""
        c = self.client
        if c is None:
            return
        out = c.out
        if not out or self.transport is None:
            return
        srv = self.srv
        if srv.before_reply is not None:  # the AOF buffer reaches the file before any reply leaves
            srv.before_reply()
        data = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        if self.transport.is_closing():
            return
        self.transport.write(data)
        n = len(data)
        srv.stat_net_output_bytes += n
        srv.stat_total_writes += 1
        c.net_out += n
        if c.channels or c.patterns or c.shard_channels or srv.obuf_normal_limited:
            self._check_obuf(c)

    def _check_obuf(self, c: Any) -> None:
        srv = self.srv
        cls = "pubsub" if (c.channels or c.patterns or c.shard_channels) else "normal"
        hard, soft, secs = srv.config["client-output-buffer-limit"][cls]
        size = self.transport.get_write_buffer_size()
        over = (hard and size >= hard) or (soft and size >= soft and self._soft_expired(c, secs))
        if not (soft and size >= soft):
            c.user_data.pop("obuf_soft_since", None)
        if over:
            srv.stat_obuf_limit_disconnections += 1
            srv.log.warning(f"Client id={c.id} addr={c.addr} scheduled to be closed ASAP for overcoming "
                            f"of output buffer limits.")
            self.transport.abort()
            self.closed = True

    def _soft_expired(self, c: Any, secs: int) -> bool:
        since = c.user_data.setdefault("obuf_soft_since", self.srv.unixtime)
        return self.srv.unixtime - since >= secs

    def pause_writing(self) -> None:  # transport buffer above its high-water mark
        self.paused_reading = True

    def resume_writing(self) -> None:
        self.paused_reading = False


def _encode_request(argv: list[bytes]) -> bytes:
    parts = [b"*%d\r\n" % len(argv)]
    for a in argv:
        parts.append(b"$%d\r\n" % len(a))
        parts.append(a)
        parts.append(b"\r\n")
    return b"".join(parts)


def _ends_with_request(chunks: list[bytes], argv: list[bytes]) -> bool:
    enc = _encode_request(argv)
    last = chunks[-1]
    if len(last) >= len(enc):
        return last.endswith(enc)
    return b"".join(chunks).endswith(enc)


def _fmt_addr(a: Any) -> str:
    if isinstance(a, tuple) and len(a) >= 2:
        host = a[0]
        return f"{host}:{a[1]}"
    return str(a)


async def listen(srv: Any, ephemeral: bool = False) -> None:
    """Open TCP listeners for every `bind` address (a '-' prefix marks an optional one)
    and the unix socket if configured. `srv.port` ends up holding the real port."""
    loop = asyncio.get_running_loop()
    cfg = srv.config
    port = cfg["port"]
    if port or srv.ephemeral_port:
        for addr in cfg["bind"] or ["*"]:
            optional = addr.startswith("-")
            host = addr[1:] if optional else addr
            if host == "*":
                host = "0.0.0.0"
            elif host == "::*":
                host = "::"
            try:
                server = await loop.create_server(
                    lambda: Connection(srv), host, port, backlog=cfg["tcp-backlog"], reuse_address=True)
            except OSError as e:
                if optional:
                    continue
                srv.log.warning(f"Warning: Could not create server TCP listening socket {host}:{port}: {e.strerror}")
                raise
            srv.listeners.append(server)
            if not port:
                port = server.sockets[0].getsockname()[1]
        srv.port = port
    path = cfg["unixsocket"]
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass
        server = await loop.create_unix_server(lambda: Connection(srv, unix=True), path)
        perm = cfg["unixsocketperm"]
        if perm:
            os.chmod(path, perm)
        else:
            os.chmod(path, os.stat(path).st_mode | stat.S_IRUSR | stat.S_IWUSR)
        srv.unixsocket_path = path
        srv.listeners.append(server)
