"""Client-side caching (CLIENT TRACKING) with real connections: RESP3 pushes, RESP2
redirection through __redis__:invalidate, FLUSHALL, BCAST, OPTIN/OPTOUT, NOLOOP, the
table limit, and redis-py's own client-side cache on top."""

from __future__ import annotations

import time

import pytest
import redis
from respclient import RawBytesClient, RawClient

INV = b">2\r\n$10\r\ninvalidate\r\n"


def _push(*keys: bytes) -> bytes:
    return INV + b"*%d\r\n" % len(keys) + b"".join(b"$%d\r\n%b\r\n" % (len(k), k) for k in keys)


def _msg(*keys: bytes) -> bytes:
    """The RESP2 form: a Pub/Sub message on __redis__:invalidate."""
    return (b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*%d\r\n" % len(keys)
            + b"".join(b"$%d\r\n%b\r\n" % (len(k), k) for k in keys))


def drain(c: RawBytesClient, wait: float = 0.15) -> bytes:
    """Everything the server sent that no call() consumed, after a short wait."""
    c.sock.settimeout(wait)
    out, c.buf = c.buf, b""
    try:
        while True:
            data = c.sock.recv(65536)
            if not data:
                break
            out += data
            c.sock.settimeout(0.05)
    except TimeoutError:
        pass
    c.sock.settimeout(10)
    return out


def conn(srv, resp: int = 2) -> RawBytesClient:
    c = RawBytesClient(port=srv.port)
    if resp == 3:
        c.call("HELLO", "3")
    return c


@pytest.fixture
def w(srv, r):
    """A plain writer connection (after `r` flushed the server)."""
    c = conn(srv)
    yield c
    c.close()


def test_resp3_invalidation_of_read_keys(srv, w):
    t = conn(srv, 3)
    assert t.call("CLIENT", "TRACKING", "on") == b"+OK\r\n"
    w.call("SET", "s", "1")
    assert t.call("GET", "s") == b"$1\r\n1\r\n"
    t.call("GET", "missing")
    t.call("MGET", "m1", "m2")
    t.call("EXISTS", "e1")
    t.call("DBSIZE")
    assert drain(t) == b""
    w.call("SET", "s", "2")
    assert drain(t) == _push(b"s")
    w.call("SET", "s", "3")  # forgotten after one message until read again
    assert drain(t) == b""
    w.call("MSET", "missing", "x", "m2", "y", "e1", "z", "other", "q")
    assert drain(t) == _push(b"missing") + _push(b"m2") + _push(b"e1")
    w.call("SET", "m1", "v")  # a key of another db is the same key for tracking
    assert drain(t) == _push(b"m1")
    t.close()


def test_own_write_push_follows_the_reply(srv, w):
    t = conn(srv, 3)
    t.call("CLIENT", "TRACKING", "on")
    t.call("GET", "k")
    t.send("SET", "k", "v")
    assert drain(t) == b"+OK\r\n" + _push(b"k")
    t.call("GET", "k")
    t.send("MULTI")
    t.send("SET", "k", "v2")
    t.send("EXEC")
    assert drain(t) == b"+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n" + _push(b"k")
    t.close()


def test_keys_read_inside_exec_are_tracked(srv, w):
    t = conn(srv, 3)
    t.call("CLIENT", "TRACKING", "on")
    t.call("MULTI")
    t.call("GET", "a")
    t.call("SET", "x", "1")
    t.call("GET", "b")
    t.call("EXEC")
    w.call("MSET", "a", "1", "b", "2", "x", "3")
    assert drain(t) == _push(b"a") + _push(b"b")
    t.close()


def test_flushall_sends_one_null_to_every_tracking_client(srv, w):
    t3 = conn(srv, 3)
    t3.call("CLIENT", "TRACKING", "on")
    bc = conn(srv, 3)
    bc.call("CLIENT", "TRACKING", "on", "BCAST")
    t3.call("GET", "k")
    w.call("FLUSHALL")  # empties 16 databases: still one message
    assert drain(t3) == INV + b"_\r\n"
    assert drain(bc) == INV + b"_\r\n"
    w.call("SET", "k", "v")  # the flush forgot the tracked key
    assert drain(t3) == b""
    assert drain(bc) == _push(b"k")
    w.call("FLUSHDB")
    assert drain(t3) == INV + b"_\r\n"
    t3.send("FLUSHALL")  # the flushing client's own null comes before its OK
    assert drain(t3) == INV + b"_\r\n+OK\r\n"
    for c in (t3, bc):
        c.close()


def test_resp2_redirect_through_invalidate_channel(srv, w):
    sub = conn(srv)
    sid = sub.call("CLIENT", "ID")[1:-2].decode()
    t = conn(srv)
    assert t.call("CLIENT", "TRACKING", "on", "REDIRECT", sid) == b"+OK\r\n"
    t.call("GET", "k")
    w.call("SET", "k", "1")
    assert drain(sub) == b""  # not in Pub/Sub mode: RESP2 cannot get it
    sub.call("SUBSCRIBE", "__redis__:invalidate")
    t.call("GET", "k")
    w.call("SET", "k", "2")
    assert drain(sub) == _msg(b"k")
    assert drain(t) == b""
    w.call("FLUSHALL")
    assert drain(sub) == b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"
    for c in (sub, t):
        c.close()


def test_resp2_redirect_with_redis_py_pubsub(srv, r):
    p = redis.Redis(port=srv.port, protocol=2).pubsub()
    p.subscribe("__redis__:invalidate")
    assert p.get_message(timeout=1)["type"] == "subscribe"
    host, port = p.connection._sock.getsockname()[:2]
    line = next(x for x in r.client_list() if x["addr"] == f"{host}:{port}")
    rid = int(line["id"])
    t = redis.Redis(port=srv.port, protocol=2, single_connection_client=True)
    t.execute_command("CLIENT", "TRACKING", "on", "REDIRECT", rid)
    assert t.execute_command("CLIENT", "GETREDIR") == rid
    t.get("cached")
    r.set("cached", "new")
    m = p.get_message(timeout=2)
    assert m["channel"] == b"__redis__:invalidate" and m["data"] == [b"cached"]
    t.close()
    p.close()


def test_resp3_redirect_and_broken_redirect(srv, w):
    target = conn(srv, 3)
    tid = target.call("CLIENT", "ID")[1:-2].decode()
    t = conn(srv, 2)  # a RESP2 tracker redirecting to a RESP3 connection
    t.call("CLIENT", "TRACKING", "on", "REDIRECT", tid)
    t.call("GET", "k")
    w.call("SET", "k", "1")
    assert drain(target) == _push(b"k")
    w.call("FLUSHDB")  # the null is the tracker's own (RESP2) null
    assert drain(target) == INV + b"$-1\r\n"
    target.close()
    time.sleep(0.1)
    t3 = conn(srv, 3)
    gone = RawBytesClient(port=srv.port)
    gid = gone.call("CLIENT", "ID")[1:-2].decode()
    t3.call("CLIENT", "TRACKING", "on", "REDIRECT", gid)
    t3.call("GET", "k")
    gone.close()
    time.sleep(0.1)
    w.call("SET", "k", "2")
    assert drain(t3) == b">2\r\n$21\r\ntracking-redir-broken\r\n:%s\r\n" % gid.encode()
    assert b"flags=tR " in t3.call("CLIENT", "INFO")
    assert b"broken_redirect" in t3.call("CLIENT", "TRACKINGINFO")
    t3.call("CLIENT", "TRACKING", "on")  # re-enabling clears it
    assert b"flags=t " in t3.call("CLIENT", "INFO")
    for c in (t, t3):
        c.close()


def test_bcast_prefixes_batching_and_noloop(srv, w):
    b = conn(srv, 3)
    b.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b", "NOLOOP")
    all_ = conn(srv, 3)
    all_.call("CLIENT", "TRACKING", "on", "BCAST")
    # one message per prefix per event-loop turn, keys sorted and unique
    w.sock.sendall(RawClient.encode(("MSET", "b2", "1", "a2", "1", "a1", "1", "c", "1", "a1", "2"))
                   + RawClient.encode(("SET", "b1", "x")))
    drain(w)
    assert drain(b) == _push(b"a1", b"a2") + _push(b"b1", b"b2")
    assert drain(all_) == _push(b"a1", b"a2", b"b1", b"b2", b"c")
    # NOLOOP: b's own changes are not sent back to it
    b.send("MSET", "a9", "1", "b9", "1")
    assert drain(b) == b"+OK\r\n"
    assert drain(all_) == _push(b"a9", b"b9")
    all_.send("SET", "zz", "1")
    assert drain(all_) == b"+OK\r\n" + _push(b"zz")
    # expiry is a change too
    w.call("SET", "a7", "1", "PX", "400")
    assert drain(b) == _push(b"a7")
    assert drain(all_) == _push(b"a7")
    time.sleep(0.45)
    w.call("GET", "a7")  # lazily expired if the cron did not get there first
    assert drain(all_) == _push(b"a7")
    for c in (b, all_):
        c.close()


def test_optin_optout_caching(srv, w):
    t = conn(srv, 3)
    t.call("CLIENT", "TRACKING", "on", "OPTIN")
    t.call("GET", "a")
    t.call("CLIENT", "CACHING", "yes")
    t.call("CLIENT", "ID")  # CLIENT subcommands do not use the CACHING up
    t.call("GET", "b")
    t.call("GET", "c")
    w.call("MSET", "a", "1", "b", "1", "c", "1")
    assert drain(t) == _push(b"b")
    # CACHING covers a whole transaction
    t.call("CLIENT", "CACHING", "yes")
    t.call("MULTI")
    t.call("GET", "a")
    t.call("GET", "c")
    t.call("EXEC")
    t.call("GET", "b")
    w.call("MSET", "a", "1", "b", "1", "c", "1")
    assert drain(t) == _push(b"a") + _push(b"c")
    # a refused command uses it up as well
    t.call("CLIENT", "CACHING", "yes")
    t.call("NOSUCHCMD")
    t.call("GET", "b")
    w.call("SET", "b", "2")
    assert drain(t) == b""
    t.call("CLIENT", "TRACKING", "off")
    t.call("CLIENT", "TRACKING", "on", "OPTOUT")
    t.call("GET", "a")
    t.call("CLIENT", "CACHING", "no")
    t.call("GET", "b")
    t.call("GET", "c")
    w.call("MSET", "a", "1", "b", "1", "c", "1")
    assert drain(t) == _push(b"a") + _push(b"c")
    t.close()


def test_noloop_default_mode(srv, w):
    t = conn(srv, 3)
    t.call("CLIENT", "TRACKING", "on", "NOLOOP")
    t.call("GET", "a")
    t.call("GET", "b")
    t.call("SET", "a", "2")
    w.call("SET", "b", "2")
    assert drain(t) == _push(b"b")
    w.call("SET", "a", "3")  # a was forgotten when t changed it
    assert drain(t) == b""
    t.close()


def test_off_and_disconnect_stop_messages_and_counters(srv, w):
    table_before = srv.core.tracking_table
    t = conn(srv, 3)
    t.call("CLIENT", "TRACKING", "on")
    table = srv.core.tracking_table
    assert table is not None and (table_before is None or table is table_before)
    clients = table.clients
    t.call("MGET", "k1", "k2")
    assert table.total_keys >= 2 and table.total_items >= 2
    t.call("CLIENT", "TRACKING", "off")
    assert table.clients == clients - 1
    w.call("SET", "k1", "x")
    assert drain(t) == b""
    b = conn(srv, 3)
    b.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "pre:")
    assert b"pre:" in b.call("CLIENT", "TRACKINGINFO")
    prefixes = table.total_prefixes
    b.close()
    for _ in range(50):
        if table.total_prefixes == prefixes - 1:
            break
        time.sleep(0.02)
    assert table.total_prefixes == prefixes - 1
    t.close()


def test_table_limit_evicts_keys(srv, w):
    t = conn(srv, 3)
    t.call("CLIENT", "TRACKING", "on")
    cfg = srv.core.config
    srv.call_in_loop(cfg.set_many, [("tracking-table-max-keys", "2")])
    try:
        t.call("MGET", "x1", "x2", "x3", "x4")
        got = drain(t, 0.4)
        t.call("PING")
        got += drain(t)
        evicted = got.count(INV)
        assert evicted == 2, got
        assert srv.core.tracking_table.total_keys <= 2
    finally:
        srv.call_in_loop(cfg.set_many, [("tracking-table-max-keys", "1000000")])
    t.close()


def test_redis_py_client_side_cache(srv, r):
    from redis.cache import CacheConfig

    cached = redis.Redis(port=srv.port, protocol=3, cache_config=CacheConfig())
    r.set("csc", "one")
    assert cached.get("csc") == b"one"
    assert cached.get("csc") == b"one"  # served from the local cache
    r.set("csc", "two")
    value = None
    for _ in range(50):
        value = cached.get("csc")
        if value == b"two":
            break
        time.sleep(0.02)
    assert value == b"two"
    cached.close()
