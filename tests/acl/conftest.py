"""Fixtures for the ACL tests: fresh servers, optionally with test modules from
tests/acl/modules (or examples/modules/<name> as "examples/<name>") loaded.

    def test_x(aclsrv):
        s = aclsrv("aclcheck", ("testacl", "0.05"))   # module name, then load arguments
        r = s.client()
"""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from respclient import RawBytesClient

import moredis

MODDIR = Path(__file__).resolve().parent / "modules"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "modules"


def modpath(name: str) -> str:
    if name.startswith("examples/"):
        return str(EXAMPLES / (name.split("/", 1)[1] + ".py"))
    return str(MODDIR / (name + ".py"))


class AclServer:
    def __init__(self, mods: list, directives: dict) -> None:
        loads = []
        for m in mods:
            if isinstance(m, tuple):
                loads.append(" ".join([modpath(m[0]), *m[1:]]))
            else:
                loads.append(modpath(m))
        if loads:
            directives["loadmodule"] = loads
        self.server = moredis.Server(builtin_modules=False, **directives).start()
        self.core = self.server.core
        self.port = self.server.port
        self._clients: list = []

    def client(self, protocol: int = 2, **kw) -> redis.Redis:
        kw.setdefault("socket_timeout", 20)
        c = redis.Redis(port=self.port, protocol=protocol, **kw)
        self._clients.append(c)
        return c

    def raw(self) -> RawBytesClient:
        c = RawBytesClient(port=self.port)
        self._clients.append(c)
        return c

    def in_loop(self, fn, *args):
        return self.server.call_in_loop(fn, *args)

    def stop(self) -> None:
        for c in self._clients:
            try:
                c.close()
            except Exception:
                pass
        self.server.stop()


@pytest.fixture
def aclsrv():
    servers: list[AclServer] = []

    def start(*mods, **directives) -> AclServer:
        s = AclServer(list(mods), directives)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()
