"""BZPOPMIN / BZPOPMAX / BZMPOP over real sockets: waking, arrival order, timeouts,
transactions, keys of the wrong type, RESP3 shapes. Every scenario runs on moredis and
on the reference server and the replies must be the same bytes."""

from __future__ import annotations

import threading
import time

import pytest
from respclient import RawBytesClient


def _scenario(port: int, waiters: list[tuple], actions: list[tuple], resp: int = 2,
              settle: float = 0.15) -> list[bytes]:
    """Start each waiter's blocking command on its own connection, run `actions` from
    another connection, and return what every waiter received (in waiter order)."""
    ctl = RawBytesClient(port=port)
    ctl.call("FLUSHALL")
    conns = []
    for _ in waiters:
        c = RawBytesClient(port=port, timeout=10)
        if resp == 3:
            c.call("HELLO", "3")
        conns.append(c)
    for c, cmd in zip(conns, waiters, strict=True):
        c.send(*cmd)
        time.sleep(0.05)  # fixes the arrival order
    time.sleep(settle)
    for a in actions:
        if a[0] == "SLEEP":
            time.sleep(float(a[1]))
        else:
            ctl.call(*a)
    out = [c.read() for c in conns]
    for c in conns:
        c.close()
    ctl.close()
    return out


def _same(srv, ref, waiters, actions, resp=2):
    mine = _scenario(srv.port, waiters, actions, resp)
    theirs = _scenario(ref.port, waiters, actions, resp)
    assert mine == theirs
    return mine


@pytest.mark.parametrize("resp", [2, 3])
def test_woken_by_zadd(srv, ref, resp):
    got = _same(srv, ref, [("BZPOPMIN", "k", "5")], [("ZADD", "k", "1", "a", "2", "b")], resp)
    assert b"a" in got[0]
    _same(srv, ref, [("BZPOPMAX", "nosuch", "k", "5")], [("ZADD", "k", "1", "a", "2.5", "b")], resp)
    _same(srv, ref, [("BZMPOP", "5", "2", "x", "k", "MAX", "COUNT", "2")],
          [("ZADD", "k", "1", "a", "2", "b", "3", "c")], resp)


def test_waiters_are_served_in_arrival_order(srv, ref):
    got = _same(srv, ref, [("BZPOPMIN", "k", "5"), ("BZPOPMIN", "k", "5"), ("BZPOPMAX", "k", "5")],
                [("ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d")])
    assert [b"$1\r\na" in g for g in got] == [True, False, False]
    # the emptied key is deleted, the rest wait for the next write
    got = _same(srv, ref, [("BZPOPMIN", "k", "5"), ("BZMPOP", "5", "1", "k", "MIN", "COUNT", "10")],
                [("ZADD", "k", "1", "a"), ("ZADD", "k", "2", "b", "3", "c")])
    assert b"$1\r\nb" in got[1] and b"$1\r\nc" in got[1]


@pytest.mark.parametrize("resp", [2, 3])
def test_timeouts(srv, ref, resp):
    t0 = time.time()
    got = _same(srv, ref, [("BZPOPMIN", "k", "0.2"), ("BZMPOP", "0.2", "1", "k", "MIN")], [], resp)
    assert time.time() - t0 >= 0.2
    assert got == ([b"*-1\r\n"] * 2 if resp == 2 else [b"_\r\n"] * 2)


def test_wrong_type_does_not_wake_but_is_seen_on_rerun(srv, ref):
    # a string appearing at the key leaves the client waiting; the zset later serves it
    got = _same(srv, ref, [("BZPOPMIN", "k", "5")],
                [("SET", "k", "x"), ("SLEEP", "0.2"), ("DEL", "k"), ("ZADD", "k", "1", "a")])
    assert b"$1\r\na" in got[0]
    # blocked on two keys: the first turns into a string, the second gets a member:
    # the command runs again and meets the string first
    got = _same(srv, ref, [("BZPOPMIN", "k", "k2", "5")], [("SET", "k", "x"), ("ZADD", "k2", "1", "a")])
    assert got[0].startswith(b"-WRONGTYPE")


def test_inside_multi_answers_at_once(srv, ref):
    for port in (srv.port, ref.port):
        c = RawBytesClient(port=port)
        c.call("FLUSHALL")
        c.call("MULTI")
        c.call("BZPOPMIN", "k", "0")
        c.call("BZMPOP", "0", "1", "k", "MIN")
        c.call("ZADD", "k", "1", "a")
        c.call("BZPOPMIN", "k", "0")
        assert c.call("EXEC") == b"*4\r\n*-1\r\n*-1\r\n:1\r\n*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n"
        c.close()


def test_wakes_after_a_transaction_writes(srv, ref):
    _same(srv, ref, [("BZPOPMIN", "k", "5")],
          [("MULTI",), ("ZADD", "k", "1", "a"), ("ZADD", "k", "0", "b"), ("EXEC",)])


def test_store_commands_wake_waiters(srv, ref):
    _same(srv, ref, [("BZPOPMAX", "dst", "5")],
          [("ZADD", "src", "1", "a", "2", "b"), ("ZUNIONSTORE", "dst", "1", "src")])
    _same(srv, ref, [("BZPOPMAX", "dst", "5")],
          [("ZADD", "src", "1", "a", "2", "b"), ("ZRANGESTORE", "dst", "src", "0", "0")])


def test_blocked_client_thread_released_on_close(srv):
    """A waiter that disconnects leaves nothing behind: the next write is not sent to it."""
    c = RawBytesClient(port=srv.port)
    c.call("FLUSHALL")
    c.send("BZPOPMIN", "k", "0")
    time.sleep(0.1)
    c.close()
    time.sleep(0.1)
    ctl = RawBytesClient(port=srv.port)
    assert ctl.call("ZADD", "k", "1", "a") == b":1\r\n"
    assert ctl.call("ZCARD", "k") == b":1\r\n"
    ctl.close()


def test_concurrent_waiters_threads(srv):
    """Many waiters, one write per member: every waiter gets exactly one member."""
    n = 8
    results: list[bytes] = []
    lock = threading.Lock()

    def wait():
        c = RawBytesClient(port=srv.port, timeout=10)
        r = c.call("BZPOPMIN", "k", "5")
        with lock:
            results.append(r)
        c.close()

    ctl = RawBytesClient(port=srv.port)
    ctl.call("FLUSHALL")
    threads = [threading.Thread(target=wait) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    for i in range(n):
        ctl.call("ZADD", "k", str(i), f"m{i}")
    for t in threads:
        t.join(10)
    assert len(results) == n
    assert sorted(results) == sorted(b"*3\r\n$1\r\nk\r\n$2\r\nm%d\r\n$1\r\n%d\r\n" % (i, i) for i in range(n))
    assert ctl.call("EXISTS", "k") == b":0\r\n"
    ctl.close()
