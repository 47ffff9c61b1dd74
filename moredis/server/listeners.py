"""CONFIG SET port / bind on a running server: reopen the TCP listeners (server.c
changeListener). The new sockets are bound synchronously, so a refusal is known before
CONFIG SET answers and the old listeners keep serving; only then are the old ones closed.
Port 0 means no TCP listener at all. Connections already open are not touched.
Neighbours: connection.py (listen() at start-up), config.py (the hooks' errors).
"""

from __future__ import annotations

import socket
from typing import Any

from moredis.server.config import ConfigError


def _resolve(host: str, port: int) -> tuple[int, Any] | None:
    """(family, sockaddr) of a bind address, as the listening socket will report it."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError:
        return None
    family, _, _, _, addr = infos[0]
    return family, addr


def _listen(family: int, addr: Any, backlog: int) -> socket.socket:
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(addr)
        s.listen(backlog)
        s.setblocking(False)
    except OSError:
        s.close()
        raise
    return s


def _key(addr: Any) -> tuple[str, int]:
    return addr[0], addr[1]


def _tcp_addresses(server: Any) -> list[tuple[str, int]]:
    socks = getattr(server, "sockets", None) or ()
    return [_key(s.getsockname()) for s in socks if s.family in (socket.AF_INET, socket.AF_INET6)]


PORT_ERROR = "Unable to listen on this port. Check server logs."
BIND_ERROR = "Failed to bind to specified addresses."


def port_changed(srv: Any, port: int) -> None:
    """CONFIG SET port (updatePort)."""
    rebind(srv, PORT_ERROR)


def bind_changed(srv: Any, _addrs: Any) -> None:
    """CONFIG SET bind (applyBind)."""
    rebind(srv, BIND_ERROR)


def rebind(srv: Any, error: str) -> None:
    """Listen on the configured port and bind addresses: sockets already listening on a
    wanted address are kept, missing ones are opened (all of them, or CONFIG SET fails
    and nothing changed), the rest are closed."""
    loop = srv.loop
    if loop is None or srv._stopped is None or not loop.is_running():
        return  # not serving yet (start-up, in-process tests): listen() opens them later
    cfg = srv.config
    port = cfg["port"]
    if port == 0 and srv.ephemeral_port:
        port = srv.port  # an embedded server's OS-chosen port stays until a port is set
    current: dict[tuple[str, int], Any] = {}
    for lst in srv.listeners:
        for key in _tcp_addresses(lst):
            current[key] = lst
    pending: dict[tuple[str, int], Any] = srv.__dict__.setdefault("_tcp_pending", {})
    wanted: list[tuple[str, int]] = []
    fresh: list[socket.socket] = []
    if port:
        for spec in cfg["bind"] or ["*"]:
            optional = spec.startswith("-")
            host = spec[1:] if optional else spec
            host = "0.0.0.0" if host == "*" else ("::" if host == "::*" else host)
            target = _resolve(host, port)
            try:
                if target is None:
                    raise OSError(0, "cannot resolve address")
                key = _key(target[1])
                if key not in current and key not in pending:
                    fresh.append(_listen(target[0], target[1], cfg["tcp-backlog"]))
                wanted.append(key)
            except OSError as e:
                if optional:
                    continue
                srv.log.warning(f"Could not create server TCP listening socket {host}:{port}: {e.strerror}")
                for s in fresh:
                    s.close()
                raise ConfigError(error) from None
        if not wanted:
            raise ConfigError(error)
    srv._tcp_wanted = set(wanted)  # a listener still starting checks this when it is ready
    for key, lst in current.items():
        if key not in wanted and lst in srv.listeners:
            lst.close()
            srv.listeners.remove(lst)
    srv.port = port
    if cfg["port"]:
        srv.ephemeral_port = False
    from moredis.server.connection import Connection

    def started(key: tuple[str, int], task: Any) -> None:
        pending.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return
        server = task.result()
        if key in srv._tcp_wanted:
            srv.listeners.append(server)
        else:  # CONFIG SET changed its mind before this listener was up
            server.close()

    for s in fresh:
        key = _key(s.getsockname())
        task = loop.create_task(loop.create_server(lambda: Connection(srv), sock=s))
        pending[key] = task
        task.add_done_callback(lambda t, key=key: started(key, t))
