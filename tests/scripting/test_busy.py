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


def test_busy_again_after_a_kill(busy_srv):
    """The count hook stays installed across runs (a killed run puts it back): a second
    runaway script, an EVAL one after a killed function and the other way round, is
    still noticed and killable, and ordinary scripts run normally in between. A kill
    raises again at the next line, so pcall only keeps a script alive on the same line
    (what Redis 7.4 answers to these two scripts)."""
    c = redis.Redis(port=busy_srv.port, socket_timeout=20)
    c.execute_command("FUNCTION", "LOAD", "#!lua name=spin2\nredis.register_function{function_name='spin2', "
                      "callback=function() local i = 0 while true do i = i + 1 end end, flags={'no-writes'}}")
    guarded = "local ok = pcall(function() " + LOOP + " end)"
    cases = [(("EVAL", LOOP, 0), "SCRIPT", None), (("FCALL", "spin2", 0), "FUNCTION", None),
             (("EVAL", guarded + "\nreturn 'caught'", 0), "SCRIPT", ":2."),
             (("EVAL", guarded + " return 'caught'", 0), "SCRIPT", b"caught")]
    for cmd, kill, outcome in cases:
        t, box = _start(busy_srv.port, *cmd)
        _wait_busy(c)
        assert c.execute_command(kill, "KILL") == b"OK"
        t.join(10)
        if isinstance(outcome, bytes):
            assert box == {"reply": outcome}
        else:
            assert box.get("error", "").startswith("Script killed by user with %s KILL..." % kill), box
            assert outcome is None or box["error"].endswith(outcome)
        assert c.execute_command("EVAL", "local n = 0 for i = 1, 300000 do n = n + 1 end return n", 0) == 300000
    c.close()
