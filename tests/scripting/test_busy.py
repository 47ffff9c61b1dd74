"""Busy scripts: other clients get BUSY, SCRIPT KILL / FUNCTION KILL stop a script that has
not written, UNKILLABLE one that has, and connections made meanwhile are served."""

from __future__ import annotations

import threading
import time

import pytest
import redis

LOOP = "local i = 0 while true do i = i + 1 end"


def _start(port, *args):
    box = {}

    def run():
        c = redis.Redis(port=port, socket_timeout=20)
        try:
            box["reply"] = c.execute_command(*args)
        except redis.ResponseError as e:
            box["error"] = str(e)
        finally:
            c.close()

    t = threading.Thread(target=run)
    t.start()
    return t, box


def _wait_busy(c):
    for _ in range(200):
        try:
            c.ping()
        except redis.exceptions.BusyLoadingError as e:
            return str(e)
        except redis.ResponseError as e:
            return str(e)
        time.sleep(0.02)
    raise AssertionError("the script never became busy")


@pytest.fixture
def busy_srv(fresh_server):
    c = redis.Redis(port=fresh_server.port, socket_timeout=20)
    c.config_set("busy-reply-threshold", 100)
    yield fresh_server
    c.close()


def test_script_kill(busy_srv):
    t, box = _start(busy_srv.port, "EVAL", LOOP, 0)
    other = redis.Redis(port=busy_srv.port, socket_timeout=20)  # connected while busy
    err = _wait_busy(other)
    assert "Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE." in err
    with pytest.raises(redis.ResponseError, match=r"BUSY Redis is busy running a script\. You can only call SCRIPT"):
        other.execute_command("FUNCTION", "KILL")
    with pytest.raises(redis.ResponseError, match="BUSY"):
        other.execute_command("FUNCTION", "STATS")
    assert other.execute_command("SCRIPT", "KILL") == b"OK"
    t.join(10)
    assert box["error"].startswith("Script killed by user with SCRIPT KILL...")
    assert other.ping() is True
    with pytest.raises(redis.ResponseError, match="NOTBUSY"):
        other.execute_command("SCRIPT", "KILL")
    other.close()


def test_unkillable_after_write_and_function_kill(busy_srv):
    c = redis.Redis(port=busy_srv.port, socket_timeout=20)
    c.execute_command("FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function{function_name='spin', "
                      "callback=function() local i = 0 while true do i = i + 1 end end, flags={'no-writes'}}")
    t, box = _start(busy_srv.port, "FCALL", "spin", 0)
    err = _wait_busy(c)
    assert "You can only call FUNCTION KILL or SHUTDOWN NOSAVE." in err
    stats = c.execute_command("FUNCTION", "STATS")
    text = repr(stats)
    assert "b'spin'" in text and "[b'FCALL', b'spin', b'0']" in text and "duration_ms" in text
    with pytest.raises(redis.ResponseError, match="BUSY"):
        c.execute_command("SCRIPT", "KILL")
    assert c.execute_command("FUNCTION", "KILL") == b"OK"
    t.join(10)
    assert box["error"].startswith("Script killed by user with FUNCTION KILL...")
    # a script that wrote cannot be killed; it ends on its own here
    # runs 1.5 s of wall-clock time whatever the second boundaries (then well past the
    # 100 ms busy threshold however loaded the machine is)
    t, box = _start(busy_srv.port, "EVAL",
                    "redis.call('set', 'x', 1) local function now() local t = redis.call('time') "
                    "return tonumber(t[1]) * 1000000 + tonumber(t[2]) end local s = now() "
                    "while now() - s < 1500000 do end return 'done'", 0)
    _wait_busy(c)
    with pytest.raises(redis.ResponseError, match="UNKILLABLE Sorry the script already executed write"):
        c.execute_command("SCRIPT", "KILL")
    t.join(10)
    assert box["reply"] == b"done"
    c.close()
