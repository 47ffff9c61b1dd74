"""Fixtures for the key-family Modules API tests: a moredis server per test module with
small Python test modules (tests/module/modules/) or examples/modules/ loaded.

    srv = modserver("list")                  # a fixture factory: started once, stopped at the end
    r = srv.client()                         # redis-py, RESP2, bytes
"""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

import moredis

MODDIR = Path(__file__).resolve().parent / "modules"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "modules"


def modpath(name: str) -> str:
    """A test module ('list') or an example ('examples/hellotype')."""
    if name.startswith("examples/"):
        return str(EXAMPLES / (name.split("/", 1)[1] + ".py"))
    return str(MODDIR / (name + ".py"))


class ModServer:
    def __init__(self, mods: tuple, directives: dict) -> None:
        loads = [" ".join([modpath(m[0]), *m[1:]]) if isinstance(m, tuple) else modpath(m) for m in mods]
        if loads:
            directives["loadmodule"] = loads
        self.server = moredis.Server(builtin_modules=False, **directives).start()
        self.core = self.server.core
        self.port = self.server.port
        self._clients: list = []

    def client(self, protocol: int = 2, **kw) -> redis.Redis:
        c = redis.Redis(port=self.port, protocol=protocol, socket_timeout=20, **kw)
        self._clients.append(c)
        return c

    def stop(self) -> None:
        for c in self._clients:
            try:
                c.close()
            except Exception:
                pass
        self.server.stop()


@pytest.fixture(scope="module")
def modserver():
    servers: list[ModServer] = []

    def start(*mods, **directives) -> ModServer:
        s = ModServer(mods, directives)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()
