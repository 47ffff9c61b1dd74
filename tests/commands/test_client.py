"""CLIENT with several real connections: names, LIST/INFO fields, KILL, PAUSE, UNBLOCK,
REPLY, NO-TOUCH. Broad KILL filters run on a fresh server so no other test's
connection is hit."""

from __future__ import annotations

import threading
import time

import pytest
import redis
from respclient import RawBytesClient


def _info(line: str) -> dict[str, str]:
    return dict(kv.split("=", 1) for kv in line.strip().split(" "))


def _line_of(r: redis.Redis, cid: int) -> dict[str, str]:
    raw = r.execute_command("CLIENT", "LIST", "ID", cid)
    lines = raw.decode().splitlines()
    assert len(lines) == 1, raw
    return _info(lines[0])


def test_id_name_and_info(srv, r):
    cid = r.client_id()
    assert r.client_getname() is None
    assert r.client_setname("worker-1")
    assert r.client_getname() in ("worker-1", b"worker-1")  # redis-py decodes this one
    info = _info(r.execute_command("CLIENT", "INFO").decode())
    assert info["id"] == str(cid) and info["name"] == "worker-1"
    assert info["cmd"] == "client|info" and info["flags"] == "N" and info["resp"] == "2"
    assert info["lib-name"] == "redis-py"  # redis-py announces itself with CLIENT SETINFO
    assert info["user"] == "default" and info["redir"] == "-1"
    with pytest.raises(redis.ResponseError, match="cannot contain spaces"):
        r.client_setname("a b")
    r.client_setname("")
    assert r.client_getname() is None


def test_list_shows_other_connections_and_their_state(srv, r):
    other = redis.Redis(port=srv.port)
    oid = other.client_id()
    other.client_setname("other")
    other.execute_command("SELECT", "5")
    other.get("k")
    line = _line_of(r, oid)
    assert line["name"] == "other" and line["db"] == "5" and line["cmd"] == "get"
    assert line["qbuf"] == "0" and line["argv-mem"] == "0" and line["multi"] == "-1"
    assert int(line["age"]) >= 0 and int(line["idle"]) >= 0
    with pytest.raises(redis.ResponseError):
        other.execute_command("NOSUCHCOMMAND")
    assert _line_of(r, oid)["cmd"] == "NULL"
    with pytest.raises(redis.ResponseError):
        other.execute_command("GET")
    assert _line_of(r, oid)["cmd"] == "get"
    # redis-py parses the listing too
    names = {c["name"] for c in r.client_list()}
    assert "other" in names
    other.close()


def test_list_type_pubsub_and_flags(srv, r):
    p = redis.Redis(port=srv.port).pubsub()
    p.subscribe("c1", "c2")
    p.psubscribe("p*")
    for _ in range(3):
        p.get_message(timeout=1)
    pid = p.connection.client_id if hasattr(p.connection, "client_id") else None
    subs = r.execute_command("CLIENT", "LIST", "TYPE", "pubsub").decode().splitlines()
    mine = [_info(s) for s in subs if _info(s)["sub"] == "2"]
    assert len(mine) == 1
    line = mine[0]
    assert line["flags"] == "P" and line["psub"] == "1" and line["ssub"] == "0"
    assert line["cmd"] == "psubscribe"
    assert pid is None or line["id"] == str(pid)
    assert all(_info(s)["flags"] != "P" for s in r.execute_command("CLIENT", "LIST", "TYPE", "normal")
               .decode().splitlines())
    p.close()


def test_list_multi_watch_dirty_flags(srv, r):
    other = RawBytesClient(port=srv.port)
    oid = int(other.call("CLIENT", "ID")[1:-2])
    other.call("WATCH", "wk")
    other.call("MULTI")
    other.call("SET", "aaaa", "bbbbbbbb")
    other.call("GET", "x")
    line = _line_of(r, oid)
    assert line["flags"] == "x" and line["multi"] == "2" and line["watch"] == "1"
    assert line["multi-mem"] == "59"  # argument bytes plus one pointer per argument, as Redis counts
    r.set("wk", "changed")
    assert "d" in _line_of(r, oid)["flags"]
    other.call("DISCARD")
    other.close()


def test_no_evict_no_touch_flags_and_effect(srv, r):
    r.execute_command("CLIENT", "NO-EVICT", "on")
    r.execute_command("CLIENT", "NO-TOUCH", "on")
    assert _info(r.execute_command("CLIENT", "INFO").decode())["flags"] == "eT"
    r.set("nt", "v")
    db = srv.core.dbs[0]
    srv.call_in_loop(db.access.__setitem__, b"nt", 12345)
    assert r.get("nt") == b"v"
    assert db.access[b"nt"] == 12345  # the read left the LRU clock alone
    r.execute_command("CLIENT", "NO-TOUCH", "off")
    r.get("nt")
    assert db.access[b"nt"] != 12345
    r.execute_command("CLIENT", "NO-EVICT", "off")
    assert _info(r.execute_command("CLIENT", "INFO").decode())["flags"] == "N"


def test_kill_by_id_addr_and_old_form(srv, r):
    a = redis.Redis(port=srv.port, single_connection_client=True)
    b = redis.Redis(port=srv.port, single_connection_client=True)
    c = redis.Redis(port=srv.port, single_connection_client=True)
    aid, bid = a.client_id(), b.client_id()
    caddr = _info(c.execute_command("CLIENT", "INFO").decode())["addr"]
    assert r.execute_command("CLIENT", "KILL", "ID", aid) == 1
    # gone from the listing at once, and its socket is closed
    assert r.execute_command("CLIENT", "LIST", "ID", aid) == b""
    with pytest.raises(redis.ConnectionError):
        a.connection.send_command("PING")
        a.connection.read_response()
    assert r.execute_command("CLIENT", "KILL", "ADDR", caddr, "ID", bid) == 0
    assert r.execute_command("CLIENT", "KILL", caddr) == b"OK"
    with pytest.raises(redis.ResponseError, match="No such client"):
        r.execute_command("CLIENT", "KILL", caddr)
    assert b.ping()
    for x in (a, b, c):
        x.close()


def test_kill_self_old_form_closes_after_reply(srv):
    me = RawBytesClient(port=srv.port)
    addr = _info(me.call("CLIENT", "INFO").decode().split("\r\n", 1)[1])["addr"]
    assert me.call("CLIENT", "KILL", addr) == b"+OK\r\n"
    with pytest.raises((ConnectionError, OSError)):
        me.call("PING")
    me.close()


def test_kill_filters_on_fresh_server(fresh_server):
    port = fresh_server.port
    r = redis.Redis(port=port, single_connection_client=True)
    n1 = redis.Redis(port=port, single_connection_client=True)
    n2 = redis.Redis(port=port, single_connection_client=True)
    n1.ping()
    n2.ping()
    p = redis.Redis(port=port).pubsub()
    p.subscribe("ch")
    p.get_message(timeout=1)
    assert r.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 1
    assert r.execute_command("CLIENT", "LIST", "TYPE", "pubsub") == b""
    # MAXAGE: nobody is a minute old yet
    assert r.execute_command("CLIENT", "KILL", "MAXAGE", "60") == 0
    laddr = _info(r.execute_command("CLIENT", "INFO").decode())["laddr"]
    assert r.execute_command("CLIENT", "KILL", "LADDR", laddr, "USER", "default") == 2  # not me
    assert len(r.execute_command("CLIENT", "LIST").decode().splitlines()) == 1
    assert r.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no") == 1
    with pytest.raises(redis.ConnectionError):
        r.connection.send_command("PING")
        r.connection.read_response()
    for x in (r, n1, n2):
        x.close()
    p.close()


def test_kill_maxage(fresh_server):
    port = fresh_server.port
    old = redis.Redis(port=port, single_connection_client=True)
    old.ping()
    time.sleep(1.1)
    r = redis.Redis(port=port, single_connection_client=True)
    assert r.execute_command("CLIENT", "KILL", "MAXAGE", "1") == 1
    assert r.ping()
    old.close()
    r.close()


def _timed(fn, out: dict) -> threading.Thread:
    def run():
        t0 = time.monotonic()
        out["value"] = fn()
        out["took"] = time.monotonic() - t0

    t = threading.Thread(target=run)
    t.start()
    return t


def test_pause_write_lets_reads_through_and_delays_writes(srv, r):
    r.set("pk", "before")
    other = redis.Redis(port=srv.port, socket_timeout=10)
    t0 = time.monotonic()
    assert r.execute_command("CLIENT", "PAUSE", 400, "WRITE") == b"OK"
    assert other.get("pk") == b"before"
    assert time.monotonic() - t0 < 0.3
    out: dict = {}
    th = _timed(lambda: other.set("pk", "after"), out)
    th.join(5)
    assert out["value"] is True and out["took"] >= 0.25
    assert r.get("pk") == b"after"
    other.close()


def test_pause_all_blocks_reads_until_timeout(srv, r):
    r.set("pk", "v")
    other = redis.Redis(port=srv.port, socket_timeout=10)
    other.ping()
    r.execute_command("CLIENT", "PAUSE", 300, "ALL")
    out: dict = {}
    th = _timed(lambda: other.get("pk"), out)
    th.join(5)
    assert out["value"] == b"v" and out["took"] >= 0.2
    other.close()


def test_unpause_releases_waiting_writes(srv, r):
    other = redis.Redis(port=srv.port, socket_timeout=10)
    other.ping()
    r.execute_command("CLIENT", "PAUSE", 20000, "WRITE")
    out: dict = {}
    th = _timed(lambda: other.incr("pc"), out)
    time.sleep(0.2)
    assert th.is_alive()
    line = [_info(s) for s in r.execute_command("CLIENT", "LIST").decode().splitlines() if "cmd=incr" in s]
    assert line and "b" in line[0]["flags"]
    assert r.execute_command("CLIENT", "UNPAUSE") == b"OK"
    th.join(5)
    assert out["value"] == 1 and out["took"] < 5
    # a paused client cannot be released by CLIENT UNBLOCK
    r.execute_command("CLIENT", "PAUSE", 20000, "WRITE")
    th = _timed(lambda: other.incr("pc"), out)
    time.sleep(0.2)
    oid = int(line[0]["id"])
    assert r.execute_command("CLIENT", "UNBLOCK", oid) == 0
    r.execute_command("CLIENT", "UNPAUSE")
    th.join(5)
    assert out["value"] == 2
    other.close()


def _has(srv, name: str) -> bool:
    return name.encode() in srv.core.table


def _blocking_command(srv) -> list | None:
    """A blocking pop to park a client with: BLPOP, or BZPOPMIN while lists are missing."""
    if _has(srv, "blpop"):
        return ["BLPOP", "nolist", "0"]
    if _has(srv, "bzpopmin"):
        return ["BZPOPMIN", "nozset", "0"]
    return None


def test_unblock_timeout_and_error(srv, r):
    cmd = _blocking_command(srv)
    assert cmd is not None
    other = redis.Redis(port=srv.port, protocol=2, socket_timeout=10)
    oid = other.client_id()

    def blocked():
        try:
            return other.execute_command(*cmd)
        except redis.ResponseError as e:
            return str(e)

    def wait_blocked():
        for _ in range(100):
            if "b" in _line_of(r, oid)["flags"]:
                return
            time.sleep(0.02)
        raise AssertionError("the client never blocked")

    out: dict = {}
    th = _timed(blocked, out)
    wait_blocked()
    line = _line_of(r, oid)
    assert line["cmd"] == cmd[0].lower() and line["argv-mem"] == str(sum(len(a) for a in cmd))
    assert r.execute_command("CLIENT", "UNBLOCK", oid, "TIMEOUT") == 1
    th.join(5)
    assert out["value"] is None
    assert r.execute_command("CLIENT", "UNBLOCK", oid) == 0  # not blocked any more
    th = _timed(blocked, out)
    wait_blocked()
    assert r.execute_command("CLIENT", "UNBLOCK", oid, "ERROR") == 1
    th.join(5)
    assert out["value"] == "UNBLOCKED client unblocked via CLIENT UNBLOCK"
    th = _timed(blocked, out)
    wait_blocked()
    assert r.execute_command("CLIENT", "UNBLOCK", oid) == 1  # TIMEOUT is the default
    th.join(5)
    assert out["value"] is None
    other.close()


def test_reply_off_skip_on(srv):
    c = RawBytesClient(port=srv.port)
    c.send("CLIENT", "REPLY", "OFF")
    c.send("SET", "rk", "1")
    c.send("INCR", "rk")
    c.send("GET", "nokey-with-error", "extra")  # errors are silenced too
    assert c.call("CLIENT", "REPLY", "ON") == b"+OK\r\n"
    assert c.call("GET", "rk") == b"$1\r\n2\r\n"
    c.send("CLIENT", "REPLY", "SKIP")
    c.send("INCR", "rk")
    assert c.call("INCR", "rk") == b":4\r\n"
    c.send("CLIENT", "REPLY", "OFF")
    c.send("CLIENT", "REPLY", "SKIP")  # no effect while OFF
    c.send("INCR", "rk")
    assert c.call("CLIENT", "REPLY", "ON") == b"+OK\r\n"
    assert c.call("GET", "rk") == b"$1\r\n5\r\n"
    c.close()


def test_setinfo_shows_in_list(srv, r):
    r.execute_command("CLIENT", "SETINFO", "LIB-NAME", "mylib")
    r.execute_command("CLIENT", "SETINFO", "LIB-VER", "1.2.3")
    info = _info(r.execute_command("CLIENT", "INFO").decode())
    assert (info["lib-name"], info["lib-ver"]) == ("mylib", "1.2.3")


def test_help_lists_every_subcommand(run):
    text = "\n".join(x.decode() for x in run("CLIENT", "HELP"))
    for sub in ("CACHING", "GETREDIR", "GETNAME", "ID", "INFO", "KILL", "LIST", "UNPAUSE", "PAUSE", "REPLY",
                "SETNAME", "SETINFO", "UNBLOCK", "TRACKING", "TRACKINGINFO", "NO-EVICT", "NO-TOUCH", "HELP"):
        assert f"\n{sub}" in text, sub


def test_pause_write_holds_exec_only_when_a_queued_command_writes(srv, r):
    other = RawBytesClient(port=srv.port)
    other.call("MULTI")
    other.call("GET", "pk")
    r.execute_command("CLIENT", "PAUSE", 300, "WRITE")
    t0 = time.monotonic()
    assert other.call("EXEC") == b"*1\r\n$-1\r\n"
    assert time.monotonic() - t0 < 0.2
    r.execute_command("CLIENT", "UNPAUSE")
    other.call("MULTI")
    other.call("SET", "pk", "1")
    r.execute_command("CLIENT", "PAUSE", 300, "WRITE")
    t0 = time.monotonic()
    assert other.call("EXEC") == b"*1\r\n+OK\r\n"
    assert time.monotonic() - t0 >= 0.2
    other.close()
