"""Fixtures for the Modules API tests: fresh servers with test modules loaded.

    def test_x(modsrv):
        s = modsrv("cmdinfo")                 # tests/moduleapi/modules/cmdinfo.py loaded
        r = s.client()                        # redis-py, RESP2, bytes
        raw = s.raw()                         # raw reply bytes (tools/respclient.py)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis
from respclient import RawBytesClient

import moredis

MODDIR = Path(__file__).resolve().parent / "modules"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "modules"


def modpath(name: str) -> str:
    """A test module's path ('cmdinfo') or an example's ('examples/helloblock')."""
    if name.startswith("examples/"):
        return str(EXAMPLES / (name.split("/", 1)[1] + ".py"))
    return str(MODDIR / (name + ".py"))


class ModServer:
    _seq = 0

    def __init__(self, mods: list, directives: dict) -> None:
        loads = []
        for m in mods:
            if isinstance(m, tuple):
                loads.append(" ".join([modpath(m[0]), *m[1:]]))
            else:
                loads.append(modpath(m))
        if loads:
            directives["loadmodule"] = loads
        # a file name no other test uses: the server must not load a dump.rdb some other
        # test left in the (process-wide) working directory
        ModServer._seq += 1
        self.dbfile = directives.setdefault("dbfilename", f"moduleapi-{os.getpid()}-{ModServer._seq}.rdb")
        self.server = moredis.Server(builtin_modules=False, **directives).start()
        self.core = self.server.core
        self.port = self.server.port
        self._clients: list = []

    def client(self, protocol: int = 2, **kw) -> redis.Redis:
        kw.setdefault("socket_timeout", 20)
        c = redis.Redis(port=self.port, protocol=protocol, **kw)
        self._clients.append(c)
        return c

    def raw(self, resp: int = 2) -> RawBytesClient:
        c = RawBytesClient(port=self.port)
        if resp == 3:
            c.call("HELLO", "3")
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
        try:
            os.unlink(os.path.join(self.core.config["dir"] if isinstance(self.core.config["dir"], str)
                                   else os.getcwd(), self.dbfile))
        except (OSError, KeyError, TypeError):
            pass


@pytest.fixture
def modsrv():
    servers: list[ModServer] = []

    def start(*mods, **directives) -> ModServer:
        s = ModServer(list(mods), directives)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


def parse(raw: bytes):
    """A raw RESP reply as Python values (hiredis), bytes kept, errors as ReplyError."""
    import hiredis

    rd = hiredis.Reader()
    rd.feed(raw)
    return rd.gets()


def cmd(s: ModServer, *args, resp: int = 2):
    """One command on a raw connection, parsed."""
    c = s.raw(resp)
    return parse(c.call(*args))
