"""The tutorial's module (docs/modules.md, examples/modules/tutorial_tally.py) does what
the tutorial says: commands and their errors, RESP2/RESP3 replies, persistence through
DEBUG RELOAD, DUMP/RESTORE and AOF rewrite, COPY, replication, a blocking command, a
keyspace notification subscription, its config, INFO, and loading by MODULE LOAD,
MODULE LOADEX, the loadmodule directive and --loadmodule on the command line."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest
import redis
from respclient import RawBytesClient

from .conftest import EXAMPLES, modpath

TALLY = modpath("examples/tutorial_tally")
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


@pytest.fixture(scope="module")
def srv(modserver, tmp_path_factory):
    d = tmp_path_factory.mktemp("tally")
    return modserver("examples/tutorial_tally", dir=str(d), **{"tally.default-step": "5"})


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    c.config_set("tally.default-step", 5)
    return c


def raw(srv, resp=2) -> RawBytesClient:
    c = RawBytesClient(port=srv.port)
    if resp == 3:
        c.call("HELLO", "3")
    return c


def getall(r, key) -> dict:
    flat = r.execute_command("TALLY.GETALL", key)
    return dict(zip(flat[::2], flat[1::2], strict=True))


# --- commands ------------------------------------------------------------------------------

def test_incrby_get_reset(r):
    assert r.execute_command("TALLY.INCRBY", "t", "apples") == 5      # the default step
    assert r.execute_command("TALLY.INCRBY", "t", "apples", 3) == 8
    assert r.execute_command("TALLY.INCRBY", "t", "pears", -2) == -2
    assert r.execute_command("TALLY.GET", "t", "apples") == 8
    assert r.execute_command("TALLY.GET", "t", "plums") is None
    assert r.execute_command("TALLY.GET", "missing", "apples") is None
    assert getall(r, "t") == {b"apples": 8, b"pears": -2}
    assert r.type("t") == b"tallytype"
    assert r.execute_command("TALLY.RESET", "t", "apples") == 1
    assert r.execute_command("TALLY.RESET", "t", "apples") == 0
    assert r.execute_command("TALLY.RESET", "t", "pears") == 1
    assert r.exists("t") == 0                                          # the last counter took the key
    assert r.execute_command("TALLY.GETALL", "t") == []


def test_errors(r):
    with pytest.raises(redis.ResponseError, match=r"^value is not an integer or out of range$"):
        r.execute_command("TALLY.INCRBY", "t", "f", "1.5")
    r.execute_command("TALLY.INCRBY", "t", "f", 2**63 - 1)
    with pytest.raises(redis.ResponseError, match=r"^increment or decrement would overflow$"):
        r.execute_command("TALLY.INCRBY", "t", "f", 1)
    assert r.execute_command("TALLY.GET", "t", "f") == 2**63 - 1        # unchanged
    r.set("s", "x")
    for cmd in (("TALLY.INCRBY", "s", "f"), ("TALLY.GET", "s", "f"), ("TALLY.GETALL", "s"),
                ("TALLY.RESET", "s", "f"), ("TALLY.WAIT", "s", "f", 1, 10)):
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command(*cmd)
        assert str(e.value) == WRONGTYPE
    with pytest.raises(redis.ResponseError) as e:
        r.get("t")
    assert str(e.value) == WRONGTYPE
    with pytest.raises(redis.ResponseError, match=r"^wrong number of arguments for 'tally.get' command$"):
        r.execute_command("TALLY.GET", "t")
    with pytest.raises(redis.ResponseError, match=r"^wrong number of arguments for 'tally.incrby' command$"):
        r.execute_command("TALLY.INCRBY", "t")


def test_replies_resp2_and_resp3(srv, r):
    r.execute_command("TALLY.INCRBY", "t", "b", 2)
    r.execute_command("TALLY.INCRBY", "t", "a", 1)
    c2, c3 = raw(srv), raw(srv, 3)
    assert c2.call("TALLY.GETALL", "t") == b"*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n"
    assert c3.call("TALLY.GETALL", "t") == b"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n"
    assert c2.call("TALLY.GETALL", "none") == b"*0\r\n"
    assert c3.call("TALLY.GETALL", "none") == b"%0\r\n"
    assert c2.call("TALLY.GET", "t", "z") == b"$-1\r\n"
    assert c3.call("TALLY.GET", "t", "z") == b"_\r\n"
    c2.close()
    c3.close()


def test_command_info_and_docs(srv, r):
    c = raw(srv)
    info = c.call("COMMAND", "INFO", "tally.incrby")
    assert info.startswith(b"*1\r\n*10\r\n$12\r\ntally.incrby\r\n:-3\r\n"
                           b"*4\r\n+write\r\n+denyoom\r\n+module\r\n+fast\r\n:1\r\n:1\r\n:1\r\n")
    docs = c.call("COMMAND", "DOCS", "tally.wait")
    c.close()
    assert b"$7\r\nsummary\r\n$38\r\nWaits until a counter reaches a value.\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n" in docs


# --- persistence ---------------------------------------------------------------------------

def test_debug_reload_keeps_values_ttl_and_digest(r):
    r.execute_command("TALLY.INCRBY", "t", "a", 7)
    r.execute_command("TALLY.INCRBY", "t", "b", -1)
    r.execute_command("TALLY.INCRBY", "u", "x", 1)
    r.pexpire("u", 100_000)
    digest = r.execute_command("DEBUG", "DIGEST-VALUE", "t")
    assert r.execute_command("DEBUG", "RELOAD") == b"OK"
    assert getall(r, "t") == {b"a": 7, b"b": -1}
    assert r.execute_command("DEBUG", "DIGEST-VALUE", "t") == digest
    assert 0 < r.pttl("u") <= 100_000
    assert r.memory_usage("t") > 0


def test_digest_follows_the_content(r):
    r.execute_command("TALLY.INCRBY", "t", "a", 1)
    r.execute_command("TALLY.INCRBY", "u", "a", 1)
    assert r.execute_command("DEBUG", "DIGEST-VALUE", "t") == r.execute_command("DEBUG", "DIGEST-VALUE", "u")
    r.execute_command("TALLY.INCRBY", "u", "a", 1)
    assert r.execute_command("DEBUG", "DIGEST-VALUE", "t") != r.execute_command("DEBUG", "DIGEST-VALUE", "u")


def test_dump_restore(srv, r, modserver):
    r.execute_command("TALLY.INCRBY", "t", "a", 3)
    r.execute_command("TALLY.INCRBY", "t", "b", -4)
    payload = r.dump("t")
    assert payload[0] == 7                     # RDB_TYPE_MODULE_2
    r.restore("t2", 0, payload)
    assert getall(r, "t2") == {b"a": 3, b"b": -4}
    # another server with the module loads the same bytes
    other = modserver("examples/tutorial_tally").client()
    other.restore("t", 0, payload)
    assert getall(other, "t") == {b"a": 3, b"b": -4}


def test_aof_log_rewrite_and_reload(modserver, tmp_path):
    """appendonly: the log gets the replicated commands; BGREWRITEAOF (without the RDB
    preamble) writes what the type's aof_rewrite emits; a new server replays it."""
    conf = {"dir": str(tmp_path), "appendonly": "yes", "aof-use-rdb-preamble": "no", "tally.default-step": "5"}
    s = modserver(("examples/tutorial_tally",), **conf)
    r = s.client()
    r.execute_command("TALLY.INCRBY", "t", "b", -2)
    r.execute_command("TALLY.INCRBY", "t", "a")                    # logged with the step it used
    r.execute_command("TALLY.INCRBY", "t", "a", 4)
    aofdir = tmp_path / "appendonlydir"
    incr = b"".join(f.read_bytes() for f in sorted(aofdir.glob("*.incr.aof")))
    assert b"$12\r\nTALLY.INCRBY\r\n$1\r\nt\r\n$1\r\na\r\n$1\r\n5\r\n" in incr
    assert r.bgrewriteaof()
    for _ in range(200):
        time.sleep(0.05)
        if not r.info("persistence")["aof_rewrite_in_progress"] and list(aofdir.glob("*.2.base.aof")):
            break
    base = next(aofdir.glob("*.2.base.aof")).read_bytes()
    assert base == (b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                    b"*4\r\n$12\r\nTALLY.INCRBY\r\n$1\r\nt\r\n$1\r\na\r\n$1\r\n9\r\n"
                    b"*4\r\n$12\r\nTALLY.INCRBY\r\n$1\r\nt\r\n$1\r\nb\r\n$2\r\n-2\r\n")
    r.execute_command("TALLY.INCRBY", "t", "c", 1)                 # after the rewrite: the new incr file
    s.stop()
    conf["tally.default-step"] = "1000"                            # the replay does not depend on it
    again = modserver(("examples/tutorial_tally",), **conf).client()
    assert getall(again, "t") == {b"a": 9, b"b": -2, b"c": 1}


def test_copy_makes_an_independent_value(r):
    r.execute_command("TALLY.INCRBY", "t", "a", 1)
    assert r.copy("t", "t2") == 1
    r.execute_command("TALLY.INCRBY", "t2", "a", 10)
    assert r.execute_command("TALLY.GET", "t", "a") == 1
    assert r.execute_command("TALLY.GET", "t2", "a") == 11
    assert r.copy("t", "t", destination_db=1) == 1
    r.execute_command("SELECT", 1)
    assert r.execute_command("TALLY.GET", "t", "a") == 1
    r.execute_command("SELECT", 0)


# --- replication ---------------------------------------------------------------------------

def test_replication_stream_rebuilds_the_data_on_a_replica(srv, r, modserver):
    stream: list[list[bytes]] = []

    def record(dbid, argvs):
        stream.extend([bytes(a) for a in argv] for argv in argvs)

    srv.server.call_in_loop(lambda: srv.core.propagators.append(record))
    try:
        r.execute_command("TALLY.INCRBY", "t", "a")            # default step 5
        r.execute_command("TALLY.INCRBY", "t", "a", -1)
        r.execute_command("TALLY.INCRBY", "t", "b", 2)
        r.execute_command("TALLY.GET", "t", "a")               # reads replicate nothing
        r.execute_command("TALLY.RESET", "t", "b")
        r.execute_command("TALLY.RESET", "t", "nothing")       # no change, nothing replicated
    finally:
        srv.server.call_in_loop(lambda: srv.core.propagators.remove(record))
    assert stream == [[b"TALLY.INCRBY", b"t", b"a", b"5"], [b"TALLY.INCRBY", b"t", b"a", b"-1"],
                      [b"TALLY.INCRBY", b"t", b"b", b"2"], [b"TALLY.RESET", b"t", b"b"]]
    # a replica whose default step differs applies the same stream to the same result
    replica = modserver("examples/tutorial_tally", **{"tally.default-step": "100"}).client()
    for argv in stream:
        replica.execute_command(*argv)
    assert getall(replica, "t") == getall(r, "t") == {b"a": 4}


# --- blocking ------------------------------------------------------------------------------

def test_wait_blocks_until_the_target_is_reached(srv, r):
    got: list = []
    waiter = srv.client()
    t = threading.Thread(target=lambda: got.append(waiter.execute_command("TALLY.WAIT", "q", "jobs", 10, 5000)))
    t.start()
    time.sleep(0.2)
    r.execute_command("TALLY.INCRBY", "q", "jobs", 4)
    r.execute_command("TALLY.INCRBY", "q", "other", 40)              # another counter of the key
    time.sleep(0.2)
    assert got == []                                                # 4 < 10: still waiting
    r.execute_command("TALLY.INCRBY", "q", "jobs", 6)
    t.join(5)
    assert got == [10]
    assert r.execute_command("TALLY.WAIT", "q", "jobs", 3, 0) == 10  # already there: no wait


def test_wait_times_out_and_does_not_block_in_multi(r):
    t0 = time.time()
    assert r.execute_command("TALLY.WAIT", "q", "jobs", 1, 100) is None
    assert time.time() - t0 >= 0.09
    p = r.pipeline(transaction=True)
    p.execute_command("TALLY.WAIT", "q", "jobs", 1, 0)
    assert p.execute() == [None]
    with pytest.raises(redis.ResponseError, match="timeout is not an integer or out of range"):
        r.execute_command("TALLY.WAIT", "q", "jobs", 1, -1)
    with pytest.raises(redis.ResponseError, match="value is not an integer or out of range"):
        r.execute_command("TALLY.WAIT", "q", "jobs", "x", 0)


# --- notifications, INFO, config ------------------------------------------------------------

def test_keyspace_subscription_counts_events(r):
    before = dict(zip(*[iter(r.execute_command("TALLY.EVENTS"))] * 2, strict=True))
    r.set("k", 1)
    r.delete("k")
    r.set("k2", 1)
    r.pexpire("k2", 1)
    r.execute_command("TALLY.INCRBY", "t", "a", 1)
    r.rename("t", "t2")
    time.sleep(0.05)
    assert r.exists("k2") == 0                                     # the expiry fires "expired"
    after = dict(zip(*[iter(r.execute_command("TALLY.EVENTS"))] * 2, strict=True))
    gained = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    assert gained == {b"del": 1, b"expire": 1, b"expired": 1, b"rename_from": 1, b"rename_to": 1}
    info = r.info("tally")
    assert info["tally_default_step"] == 5
    assert info["tally_increments"] >= 1
    assert {k: int(v) for k, v in info["tally_events"].items()} == {k.decode(): v for k, v in after.items()}


def test_module_events_reach_pubsub(srv, r):
    r.config_set("notify-keyspace-events", "Ed")
    try:
        p = srv.client().pubsub()
        p.subscribe("__keyevent@0__:tally.incrby", "__keyevent@0__:tally.reset")
        assert p.get_message(timeout=1)["type"] == "subscribe"
        assert p.get_message(timeout=1)["type"] == "subscribe"
        r.execute_command("TALLY.INCRBY", "t", "a", 1)
        r.execute_command("TALLY.RESET", "t", "a")
        msgs = [p.get_message(timeout=1) for _ in range(2)]
        assert [(m["channel"], m["data"]) for m in msgs] == [(b"__keyevent@0__:tally.incrby", b"t"),
                                                              (b"__keyevent@0__:tally.reset", b"t")]
        p.close()
    finally:
        r.config_set("notify-keyspace-events", "")


def test_config(r):
    assert r.config_get("tally.default-step") == {"tally.default-step": "5"}
    r.config_set("tally.default-step", 10)
    assert r.execute_command("TALLY.INCRBY", "t", "a") == 10
    assert r.info("tally")["tally_default_step"] == 10
    with pytest.raises(redis.ResponseError, match="argument must be between 1 and 1000000 inclusive"):
        r.config_set("tally.default-step", 0)
    assert r.config_get("tally.default-step") == {"tally.default-step": "10"}


# --- loading ------------------------------------------------------------------------------

def test_module_load_loadex_unload(modserver):
    s = modserver()
    r = s.client()
    assert r.execute_command("MODULE", "LOAD", TALLY) == b"OK"
    mods = r.execute_command("MODULE", "LIST")
    entry = dict(zip(mods[0][::2], mods[0][1::2], strict=True))
    assert (entry[b"name"], entry[b"ver"], entry[b"path"]) == (b"tally", 1, TALLY.encode())
    with pytest.raises(redis.ResponseError, match="Error loading the extension"):
        r.execute_command("MODULE", "LOAD", TALLY)                 # the name is taken
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("MODULE", "UNLOAD", "tally")
    assert str(e.value) == ("Error unloading module: the module exports one or more module-side data types, "
                            "can't unload")
    s2 = modserver()
    r2 = s2.client()
    assert r2.execute_command("MODULE", "LOADEX", TALLY, "CONFIG", "tally.default-step", "3") == b"OK"
    assert r2.execute_command("TALLY.INCRBY", "t", "a") == 3


def test_module_command_is_off_by_default_on_the_command_line(tmp_path):
    """--loadmodule works without enable-module-command; MODULE LOAD does not."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moredis", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--dir", str(tmp_path), "--loadmodule", TALLY,
                             "--tally.default-step", "4"],
                            cwd=str(EXAMPLES.parents[1]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        r = None
        for _ in range(200):
            try:
                r = redis.Redis(port=port, socket_timeout=5)
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        assert r is not None
        assert r.execute_command("TALLY.INCRBY", "t", "a") == 4
        with pytest.raises(redis.ResponseError, match="MODULE command not allowed"):
            r.execute_command("MODULE", "LOAD", TALLY)
        r.close()
    finally:
        proc.terminate()
        proc.wait(10)
