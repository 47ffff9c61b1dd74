"""Blocking clients, timers, thread-safe contexts, promises and the event loop
(blockonbackground.tcl, blockonkeys.tcl, blockedclient.tcl, timer.tcl, eventloop.tcl)."""

from __future__ import annotations

import threading
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from moredis import module as rm


@pytest.fixture
def s(modsrv):
    return modsrv("block")


@pytest.fixture
def r(s):
    return s.client()


def in_thread(fn):
    out = {}

    def run():
        try:
            out["v"] = fn()
        except Exception as e:  # surfaced to the test
            out["e"] = e

    t = threading.Thread(target=run)
    t.start()
    return t, out


def wait_blocked(r, n=1, timeout=3.0):
    end = time.time() + timeout
    while time.time() < end:
        if r.info("clients")["blocked_clients"] >= n:
            return
        time.sleep(0.01)
    raise AssertionError("client did not block")


def test_unblock_from_thread(r):
    assert r.execute_command("block.debug", 20, 0) == 12345
    assert r.execute_command("block.stats") == [1, 0]  # privdata freed once


def test_timeout_callback(r):
    assert r.execute_command("block.debug", 500, 30) == b"Request timedout"
    time.sleep(0.6)  # the late unblock from the thread is ignored
    assert r.ping()


def test_blocked_clients_in_info_and_other_clients_served(s, r):
    c2 = s.client()
    t, out = in_thread(lambda: c2.execute_command("block.debug", 300, 0))
    wait_blocked(r)
    assert r.set("k", "v") and r.get("k") == b"v"
    t.join()
    assert out["v"] == 12345
    assert r.info("clients")["blocked_clients"] == 0


def test_measured_background_time_in_stats_and_slowlog(r):
    r.config_set("slowlog-log-slower-than", 100000)
    r.slowlog_reset()
    r.config_resetstat()
    assert r.execute_command("block.measure", 200) == 1
    stats = r.info("commandstats")["cmdstat_block.measure"]
    assert stats["calls"] == 1
    assert stats["usec"] >= 180000
    log = r.slowlog_get()
    assert len(log) == 1 and log[0]["command"] == b"block.measure 200"
    assert log[0]["duration"] >= 180000


def test_client_unblock_only_with_timeout_callback(s, r):
    c2 = s.client()
    cid = c2.client_id()
    t, out = in_thread(lambda: c2.execute_command("block.block", 20000))
    wait_blocked(r)
    assert r.client_unblock(cid) == 1
    t.join()
    assert out["v"] == b"Request timedout"
    # without a timeout callback: CLIENT UNBLOCK refuses
    t, out = in_thread(lambda: c2.execute_command("block.block", 0))
    wait_blocked(r)
    assert r.client_unblock(cid) == 0
    assert r.execute_command("block.release", "foobar") == b"OK"
    t.join()
    assert out["v"] == b"foobar"


def test_client_unblock_error(s, r):
    c2 = s.client()
    cid = c2.client_id()
    t, out = in_thread(lambda: c2.execute_command("block.block", 20000))
    wait_blocked(r)
    frees = r.execute_command("block.stats")[0]
    assert r.client_unblock(cid, error=True) == 1
    t.join()
    assert isinstance(out.get("e"), redis.ResponseError) and "client unblocked via CLIENT UNBLOCK" in str(out["e"])
    # the module still owns its handle: unblocking it later replies nothing more, but the
    # privdata given then is freed (moduleHandleBlockedClients)
    assert r.execute_command("block.release", "late") == b"OK"
    assert r.ping()
    assert r.execute_command("block.stats")[0] == frees + 1


def test_abort_block(s, r):
    # no retry: redis-py would otherwise resend the command after each timeout
    c2 = s.client(socket_timeout=1, retry=Retry(NoBackoff(), 0))
    t, out = in_thread(lambda: c2.execute_command("block.block", 0))
    wait_blocked(r)
    assert r.execute_command("block.abort") == rm.OK
    t.join()
    # AbortBlock never calls the reply callback: the client gets no reply at all
    assert isinstance(out.get("e"), redis.TimeoutError)


def test_disconnect_callback(s, r):
    c2 = s.client()
    t, _ = in_thread(lambda: c2.execute_command("block.debug", 300, 0))
    wait_blocked(r)
    c2.connection_pool.disconnect()
    t.join()
    end = time.time() + 2
    while r.execute_command("block.stats")[1] != 1 and time.time() < end:
        time.sleep(0.01)
    assert r.execute_command("block.stats")[1] == 1
    time.sleep(0.4)
    assert r.ping()


def test_blocking_refused_in_multi(r):
    p = r.pipeline(transaction=True)
    p.execute_command("block.in_multi")
    with pytest.raises(redis.ResponseError, match="Blocking module command called from transaction"):
        p.execute()


def test_block_on_keys_native_list(s, r):
    r.rpush("l", "a", "b")
    assert r.execute_command("blockonkeys.popall", "l", 0) == [b"a", b"b"]
    c2 = s.client()
    t, out = in_thread(lambda: c2.execute_command("blockonkeys.popall", "l", 0))
    wait_blocked(r)
    r.set("other", "1")
    r.rpush("l", "x", "y")
    t.join()
    assert out["v"] == [b"x", b"y"]
    assert r.exists("l") == 0


def test_block_on_keys_stays_blocked_when_not_ready(s, r):
    c2 = s.client()
    t, out = in_thread(lambda: c2.execute_command("blockonkeys.popall", "wk", 0))
    wait_blocked(r)
    r.set("wk", "not a list")  # signalled, but the reply callback refuses: still blocked
    time.sleep(0.05)
    assert r.info("clients")["blocked_clients"] == 1
    r.delete("wk")
    r.rpush("wk", "v")
    t.join()
    assert out["v"] == [b"v"]


def test_block_on_keys_timeout(r):
    assert r.execute_command("blockonkeys.popall", "nol", 50) is None


def test_unblock_deleted(s, r):
    r.set("dk", "1")
    c2 = s.client()
    t, out = in_thread(lambda: c2.execute_command("blockonkeys.deleted", "dk"))
    wait_blocked(r)
    r.delete("dk")
    t.join()
    assert "Key deleted" in str(out.get("e"))


def test_signal_key_as_ready(s, r):
    r.set("sig", "exists")
    c2 = s.client()
    t, out = in_thread(lambda: c2.execute_command("blockonkeys.wait_signal", "sig"))
    wait_blocked(r)
    time.sleep(0.05)
    assert r.info("clients")["blocked_clients"] == 1
    r.execute_command("blockonkeys.signal", "sig")
    t.join()
    assert out["v"] == b"signalled"


def test_timers(s, r):
    tid = r.execute_command("timer.create", 10000, "data1")
    remaining, data = r.execute_command("timer.info", tid)
    assert 9000 < remaining <= 10000 and data == b"data1"
    with pytest.raises(redis.ResponseError, match="Error unloading module: the module holds timer"):
        r.execute_command("MODULE", "UNLOAD", "block")
    assert r.execute_command("timer.stop", tid) == b"data1"
    with pytest.raises(redis.ResponseError, match="invalid timer"):
        r.execute_command("timer.stop", tid)
    with pytest.raises(redis.ResponseError, match="invalid timer"):
        r.execute_command("timer.info", tid)
    tid = r.execute_command("timer.create", 20, "data2")
    end = time.time() + 3
    while r.get("timer-fired") is None and time.time() < end:
        time.sleep(0.01)
    assert r.get("timer-fired") == b"1"
    with pytest.raises(redis.ResponseError, match="invalid timer"):
        r.execute_command("timer.info", tid)  # a fired timer is gone
    assert r.execute_command("MODULE", "UNLOAD", "block") == b"OK"


def test_thread_safe_context_with_lock(r):
    assert r.execute_command("thread.set", "tk", "tv") == b"OK"
    assert r.get("tk") == b"tv"


def test_trylock_fails_while_the_loop_runs_a_command(r):
    assert r.execute_command("thread.trylock") == rm.ERR


def test_promise_resolved_by_push(s, r):
    assert r.execute_command("call.async", "BLPOP", "pl", "0") == b"promise"
    assert r.execute_command("promise.state") is None
    r.rpush("pl", "v1")
    time.sleep(0.05)
    assert r.execute_command("promise.state") == [b"done", [b"pl", b"v1"]]


def test_promise_not_blocking_returns_reply(r):
    r.rpush("pl2", "x")
    assert r.execute_command("call.async", "BLPOP", "pl2", "0") == [b"pl2", b"x"]


def test_promise_timeout_and_abort(s, r):
    assert r.execute_command("call.async", "BLPOP", "nol", "0.05") == b"promise"
    time.sleep(0.2)
    assert r.execute_command("promise.state") == [b"done", None]
    assert r.execute_command("call.async", "BLPOP", "nol2", "0") == b"promise"
    assert r.execute_command("promise.abort") == rm.OK
    assert r.execute_command("promise.abort") == rm.ERR
    r.rpush("nol2", "v")
    time.sleep(0.05)
    assert r.lrange("nol2", 0, -1) == [b"v"]  # the aborted BLPOP took nothing


def test_eventloop_pipe_and_oneshot(r):
    assert r.execute_command("eventloop.pipe", "through the pipe") == b"through the pipe"
    assert r.execute_command("eventloop.oneshot") == b"oneshot-ran"
    assert r.execute_command("eventloop.bad") == [rm.ERR, rm.ERR, rm.ERR]
