"""Shared fixtures.

- `srv`: one in-process moredis for the session (flushed before each test that asks
  for `r`/`r3`/`d`); `fresh_server`: a new one per test.
- `r` / `r3`: redis-py clients on it, RESP2 and RESP3 (bytes, no decoding).
- `run`: the in-process harness, `run("set", "k", "v")` -> Python value, no sockets.
- `ref`: the reference Redis Stack (tools/reference-redis), started once per session;
  tests needing it skip, loudly, only when it cannot be installed here.
- `d`: a differential checker sending the same command to moredis and the reference
  and comparing the raw reply bytes (RESP2, and RESP3 with `d3`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))

from respclient import RawBytesClient  # noqa: E402

import moredis  # noqa: E402


def pytest_collection_modifyitems(config, items):
    if os.environ.get("MOREDIS_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow case: runs in CI (set MOREDIS_SLOW=1 to run here)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def srv():
    with moredis.Server(builtin_modules=True) as s:
        yield s


@pytest.fixture
def fresh_server():
    with moredis.Server() as s:
        yield s


def _client(port, protocol):
    import redis

    return redis.Redis(port=port, protocol=protocol, socket_timeout=20)


@pytest.fixture
def r(srv):
    c = _client(srv.port, 2)
    c.execute_command("FLUSHALL")
    yield c
    c.close()


@pytest.fixture
def r3(srv):
    c = _client(srv.port, 3)
    c.execute_command("FLUSHALL")
    yield c
    c.close()


@pytest.fixture
def run():
    """In-process harness: a RedisServer without sockets; replies as Python values."""
    from harness import Harness

    return Harness()


# --- the reference server -----------------------------------------------------------------
def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Reference:
    def __init__(self) -> None:
        self.port = 0
        self.error: str | None = None
        self.started = False

    def start(self) -> None:
        script = ROOT / "tools" / "reference-redis"
        port = _free_port()
        try:
            out = subprocess.run([str(script), "start", str(port)], capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as e:
            self.error = f"reference server could not start: {e}"
            return
        if out.returncode != 0:
            self.error = f"reference server could not be installed/started: {out.stderr[-2000:]}"
            return
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.error = "reference server did not accept connections"
            return
        self.port = port
        self.started = True

    def stop(self) -> None:
        if self.started:
            subprocess.run([str(ROOT / "tools" / "reference-redis"), "stop", str(self.port)],
                           capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def ref_server():
    ref = Reference()
    ref.start()
    yield ref
    ref.stop()


@pytest.fixture
def ref(ref_server):
    if not ref_server.started:
        print(f"\nSKIPPING differential test: {ref_server.error}", file=sys.stderr)
        pytest.skip(ref_server.error or "reference unavailable")
    return ref_server


class Differ:
    """Same command to both servers; the raw reply bytes must be identical."""

    def __init__(self, mine_port: int, ref_port: int, resp: int = 2) -> None:
        self.mine = RawBytesClient(port=mine_port)
        self.theirs = RawBytesClient(port=ref_port)
        self.resp = resp
        for c in (self.mine, self.theirs):
            c.call("FLUSHALL")
            if resp == 3:
                c.call("HELLO", "3")

    def both(self, *args):
        return self.mine.call(*args), self.theirs.call(*args)

    def check(self, *args) -> bytes:
        mine, theirs = self.both(*args)
        assert mine == theirs, f"{args!r}: moredis {mine!r} != reference {theirs!r}"
        return mine

    def check_sorted(self, *args) -> None:
        """For replies whose element order is unspecified (SMEMBERS, KEYS ...)."""
        import hiredis

        def parse(b):
            rd = hiredis.Reader()
            rd.feed(b)
            v = rd.gets()
            return sorted(v, key=repr) if isinstance(v, list) else v

        mine, theirs = self.both(*args)
        assert parse(mine) == parse(theirs), f"{args!r}: moredis {mine!r} != reference {theirs!r}"

    def close(self) -> None:
        self.mine.close()
        self.theirs.close()


@pytest.fixture
def d(srv, ref):
    x = Differ(srv.port, ref.port, 2)
    yield x
    x.close()


@pytest.fixture
def d3(srv, ref):
    x = Differ(srv.port, ref.port, 3)
    yield x
    x.close()
