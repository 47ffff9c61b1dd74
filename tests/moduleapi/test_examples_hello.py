"""The helloblock, hellotimer and hellohook examples behave like Redis's C originals."""

from __future__ import annotations

import threading
import time

import pytest
import redis


def test_hello_block(modsrv):
    s = modsrv("examples/helloblock")
    r = s.client()
    n = r.execute_command("hello.block", 0, 0)
    assert isinstance(n, int) and 0 <= n < 2**31
    assert r.execute_command("hello.block", 2, 50) == b"Request timedout"
    with pytest.raises(redis.ResponseError, match="invalid count"):
        r.execute_command("hello.block", "x", 0)
    with pytest.raises(redis.ResponseError, match=r"wrong number of arguments for 'hello\.block' command"):
        r.execute_command("hello.block", 1)


def test_hello_block_does_not_block_the_server(modsrv):
    s = modsrv("examples/helloblock")
    r = s.client()
    c2 = s.client()
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("v", c2.execute_command("hello.block", 1, 0)))
    t0 = time.time()
    t.start()
    time.sleep(0.1)
    assert r.ping() and time.time() - t0 < 0.5
    t.join()
    assert isinstance(out["v"], int)


def test_hello_keys(modsrv):
    s = modsrv("examples/helloblock")
    r = s.client()
    assert r.execute_command("hello.keys") == []
    for i in range(150):
        r.set(f"k{i}", i)
    keys = r.execute_command("hello.keys")
    assert sorted(keys) == sorted(f"k{i}".encode() for i in range(150))
    s3 = s.client(3)
    assert len(s3.execute_command("hello.keys")) == 150


def test_hellotimer(modsrv, capsys):
    s = modsrv(("examples/hellotimer", "100"))
    r = s.client()
    assert r.execute_command("hellotimer.timer") == b"OK"
    # ten timers, delays drawn below 100 ms: one drawn near 0 may have fired already; all
    # ten are counted once they have fired (below)
    assert 0 < len(s.core.module_timers) <= 10
    with pytest.raises(redis.ResponseError, match="holds timer that is not fired"):
        r.execute_command("MODULE", "UNLOAD", "hellotimer")
    end = time.time() + 3
    while s.core.module_timers and time.time() < end:
        time.sleep(0.02)
    out = capsys.readouterr().out
    assert out.count("Fired After ") == 10
    assert r.execute_command("MODULE", "UNLOAD", "hellotimer") == b"OK"


def test_hellohook(modsrv, capsys):
    s = modsrv("examples/hellohook")
    r = s.client(db=3)
    cid = r.client_id()
    r.set("a", 1)
    r.set("b", 2)
    r.flushdb()
    r.flushall()
    r.close()
    time.sleep(0.1)
    out = capsys.readouterr().out
    assert f"Client connection event for client #{cid} 127.0.0.1:" in out
    assert f"Client disconnection event for client #{cid} 127.0.0.1:" in out
    assert "FLUSHDB event of database 3 started (2 keys in DB)" in out
    assert "FLUSHDB event of database 3 ended" in out
    assert "FLUSHALL event started" in out and "FLUSHALL event ended" in out
