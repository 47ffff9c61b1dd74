"""The program and the network edge: the `moredis` command line, config files and their
errors, log format, SIGTERM, unix sockets, and the limits Redis enforces on clients
(maxclients, timeout, query buffer, bulk length, pub/sub output buffers)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

import moredis

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def _wait(port: int, timeout: float = 30) -> None:
    t = time.time()
    while time.time() - t < timeout:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listening on {port}")


def _run(*args: str, cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "moredis", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_bad_directive_stops_startup_with_redis_message(tmp_path):
    conf = tmp_path / "r.conf"
    conf.write_text("port 1234\nnosuchdirective yes\n")
    p = _run(str(conf), cwd=tmp_path)
    _out, err = p.communicate(timeout=60)
    assert p.returncode == 1
    assert "FATAL CONFIG FILE ERROR" in err
    assert "at line 2" in err and ">>> 'nosuchdirective yes'" in err
    assert "Bad directive or wrong number of arguments" in err
    p = _run("--port", "notanumber", cwd=tmp_path)
    _out, err = p.communicate(timeout=60)
    assert p.returncode == 1 and "argument couldn't be parsed into an integer" in err


def test_config_file_log_format_sigterm_and_unix_socket(tmp_path):
    port = _free_port()
    sock = tmp_path / "m.sock"
    log = tmp_path / "m.log"
    conf = tmp_path / "r.conf"
    conf.write_text(f'port {port}\nbind 127.0.0.1\nunixsocket {sock}\nlogfile "{log}"\nsave ""\n'
                    f"moredis-builtin-modules no\n")
    p = _run(str(conf), cwd=tmp_path)
    try:
        _wait(port)
        r = redis.Redis(unix_socket_path=str(sock))
        assert r.ping() is True
        assert r.config_get("port") == {"port": str(port)}
        info = r.info("server")
        assert info["redis_version"] == "7.4.1" and "moredis_version" in info
        lines = log.read_text().splitlines()
        # pid:role dd Mon yyyy HH:MM:SS.mmm <level> message
        assert all(re.match(r"^\d+:[MSCX] \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} [.\-*#] ", ln) for ln in lines)
        assert any("Ready to accept connections" in ln for ln in lines)
        assert any(f"port={port}" in ln for ln in lines)  # the banner: version, port, pid
        assert any(f"pid={p.pid}" in ln and "redis_version=7.4.1" in ln for ln in lines)
        r.close()
        p.send_signal(signal.SIGTERM)
        assert p.wait(30) == 0
        text = log.read_text()
        assert "Received SIGTERM scheduling shutdown" in text
        assert not sock.exists()  # the socket file is removed on a clean shutdown
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_maxclients_refuses_extra_connections():
    with moredis.Server(maxclients=2) as srv:
        a = socket.create_connection(("127.0.0.1", srv.port))
        b = socket.create_connection(("127.0.0.1", srv.port))
        time.sleep(0.1)
        c = socket.create_connection(("127.0.0.1", srv.port))
        c.settimeout(2)
        assert c.recv(100) == b"-ERR max number of clients reached\r\n"
        for s in (a, b, c):
            s.close()
        info = redis.Redis(port=srv.port).info("stats")
        assert info["rejected_connections"] >= 1


def test_idle_clients_are_closed_after_timeout():
    with moredis.Server(timeout=1) as srv:
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.settimeout(5)
        t = time.time()
        assert s.recv(100) == b""  # closed by the server, no reply
        assert 0.9 <= time.time() - t < 4.5
        s.close()


def test_query_buffer_limit_closes_the_connection():
    with moredis.Server(client_query_buffer_limit="1mb") as srv:
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n")
        closed = False
        try:
            for _ in range(40):
                s.sendall(b"x" * 100000)
                time.sleep(0.005)
        except OSError:
            closed = True
        if not closed:
            s.settimeout(3)
            try:
                closed = s.recv(100) == b""
            except OSError:
                closed = True
        assert closed
        r = redis.Redis(port=srv.port)
        assert r.info("stats")["client_query_buffer_limit_disconnections"] == 1
        assert r.dbsize() == 0  # nothing half-applied


def test_proto_max_bulk_len_is_a_protocol_error():
    with moredis.Server(proto_max_bulk_len="1mb") as srv:
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n")
        s.settimeout(3)
        assert s.recv(200) == b"-ERR Protocol error: invalid bulk length\r\n"
        s.close()


def test_pubsub_output_buffer_limit_disconnects_slow_subscriber():
    with moredis.Server(client_output_buffer_limit="pubsub 1mb 0 0") as srv:
        sub = socket.create_connection(("127.0.0.1", srv.port))
        sub.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sub.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n")
        time.sleep(0.2)
        r = redis.Redis(port=srv.port)
        payload = b"x" * 100000
        receivers = []
        for _ in range(200):  # the subscriber never reads: its output grows past 1 MB
            receivers.append(r.publish("ch", payload))
            if receivers[-1] == 0:
                break
        assert receivers[-1] == 0
        assert r.info("stats")["client_output_buffer_limit_disconnections"] >= 1
        sub.close()


def test_pytest_plugin_gives_a_fresh_server(tmp_path):
    """The plugin installed through the pytest11 entry point; loaded explicitly here so
    the test does not depend on how moredis was installed."""
    (tmp_path / "test_user.py").write_text(
        "import redis\n\n"
        "def test_a(moredis_server, moredis_url):\n"
        "    r = redis.Redis.from_url(moredis_url)\n"
        "    assert r.dbsize() == 0\n"
        "    r.set('k', 'v')\n"
        "    assert redis.Redis(port=moredis_server.port).get('k') == b'v'\n\n"
        "def test_b(moredis_server):\n"
        "    assert redis.Redis(port=moredis_server.port).dbsize() == 0\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:moredis", "-p", "moredis.testing",
                          "-p", "no:cacheprovider", str(tmp_path / "test_user.py")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert "2 passed" in out.stdout, out.stdout + out.stderr
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'moredis = "moredis.testing"' in pyproject and "pytest11" in pyproject
