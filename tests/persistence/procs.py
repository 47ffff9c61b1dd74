"""Real server processes for the persistence tests: moredis (`python -m moredis`) and
the reference redis-server (tools/reference-redis), each in a directory of its own, so
files, restarts and kill -9 are those of real processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from respclient import RawClient  # noqa: E402


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


@lru_cache(maxsize=1)
def reference_bin() -> tuple[str, dict] | None:
    """(bin folder, environment) of the reference redis-server, None if unavailable."""
    try:
        out = subprocess.run([str(ROOT / "tools" / "reference-redis"), "path"], capture_output=True,
                             text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    lines = out.stdout.strip().splitlines()
    env = dict(os.environ)
    for ln in lines:
        if ln.startswith("LD_LIBRARY_PATH="):
            env["LD_LIBRARY_PATH"] = ln.split("=", 1)[1]
    return lines[0], env


class Proc:
    def __init__(self, kind: str, directory: Path, proc: subprocess.Popen, port: int, log: Path) -> None:
        self.kind = kind
        self.dir = directory
        self.proc = proc
        self.port = port
        self.log = log
        self._clients: list[RawClient] = []

    def client(self) -> RawClient:
        c = RawClient(port=self.port, timeout=60)
        self._clients.append(c)
        return c

    def call(self, *args):
        return self.client().call(*args) if not self._clients else self._clients[0].call(*args)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def wait(self, timeout: float = 30) -> int:
        return self.proc.wait(timeout)

    def stop(self) -> None:
        for c in self._clients:
            try:
                c.sock.close()
            except OSError:
                pass
        self._clients = []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def _wait_ready(proc: subprocess.Popen, port: int, log: Path, timeout: float = 30) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            c = RawClient(port=port, timeout=5)
            r = c.call("PING")
            c.sock.close()
            if r == b"PONG" or r == "PONG":
                return True
        except OSError:
            pass
        except Exception:
            pass
        time.sleep(0.05)
    return False


def start_moredis(directory: Path, *args: str, expect_fail: bool = False, timeout: float = 30) -> Proc:
    port = free_port()
    log = directory / "moredis.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "moredis", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
           "--logfile", str(log), "--enable-debug-command", "yes", "--moredis-builtin-modules", "no",
           "--save", "", *args]
    proc = subprocess.Popen(cmd, cwd=str(directory), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    p = Proc("moredis", directory, proc, port, log)
    if expect_fail:
        proc.wait(timeout)
        return p
    if not _wait_ready(proc, port, log, timeout):
        err = proc.stderr.read().decode(errors="replace") if proc.poll() is not None and proc.stderr else ""
        p.stop()
        raise RuntimeError(f"moredis did not start: {p.log_text()[-2000:]} {err[-2000:]}")
    return p


def start_reference(directory: Path, *args: str, expect_fail: bool = False, timeout: float = 30) -> Proc:
    rb = reference_bin()
    if rb is None:
        import pytest

        pytest.skip("reference redis-server unavailable")
    bindir, env = rb
    port = free_port()
    log = directory / "redis.log"
    cmd = [os.path.join(bindir, "redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
           "--logfile", str(log), "--enable-debug-command", "yes", "--save", "", *args]
    proc = subprocess.Popen(cmd, cwd=str(directory), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p = Proc("redis", directory, proc, port, log)
    if expect_fail:
        proc.wait(timeout)
        return p
    if not _wait_ready(proc, port, log, timeout):
        p.stop()
        raise RuntimeError(f"redis-server did not start: {p.log_text()[-2000:]}")
    return p


def check_rdb(path: Path) -> subprocess.CompletedProcess:
    """The reference's redis-check-rdb on a file."""
    rb = reference_bin()
    assert rb is not None
    bindir, env = rb
    return subprocess.run([os.path.join(bindir, "redis-check-rdb"), str(path)], capture_output=True, text=True,
                          env=env, timeout=120)
