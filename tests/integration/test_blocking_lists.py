"""BLPOP / BRPOP / BLMOVE / BRPOPLPUSH / BLMPOP over real connections (redis-py):
arrival order, several keys, timeouts with decimals, CLIENT UNBLOCK, transactions, keys
of the wrong type, databases, disconnects. Every scenario runs on moredis and on the
reference server, and both must give the same outcome."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import redis


class Waiters:
    """Blocking commands started on their own connections, in a fixed arrival order."""

    def __init__(self, port: int, protocol: int = 2) -> None:
        self.port = port
        self.protocol = protocol
        self.threads: list[threading.Thread] = []
        self.results: list = []
        self.conns: list[redis.Redis] = []

    def start(self, *cmd, db: int = 0) -> int:
        """Start `cmd` on a new connection; returns its client id."""
        c = redis.Redis(port=self.port, db=db, protocol=self.protocol, socket_timeout=10)
        cid = c.client_id()
        self.conns.append(c)
        slot = len(self.results)
        self.results.append(None)

        def run() -> None:
            try:
                self.results[slot] = _plain(c.execute_command(*cmd))
            except redis.ResponseError as e:
                self.results[slot] = f"error: {e}"
            except redis.ConnectionError:
                self.results[slot] = "closed"

        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.threads.append(t)
        _wait_blocked(self.port, cid)
        return cid

    def join(self) -> list:
        for t in self.threads:
            t.join(10)
        for c in self.conns:
            c.close()
        return self.results


def _plain(v):
    """redis-py turns some replies into tuples; compare plain lists."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _wait_blocked(port: int, cid: int) -> None:
    c = redis.Redis(port=port)
    try:
        for _ in range(200):
            info = c.execute_command("CLIENT", "LIST", "ID", str(cid))
            if b"flags=b" in info or b"cmd=blpop" in info or b"cmd=brpop" in info or b"cmd=bl" in info \
                    or b"cmd=brpoplpush" in info:
                return
            time.sleep(0.01)
    finally:
        c.close()


def both(srv, ref, scenario):
    """Run scenario(port) on moredis and on the reference; results must match."""
    mine = scenario(srv.port)
    theirs = scenario(ref.port)
    assert mine == theirs, f"moredis {mine!r} != reference {theirs!r}"
    return mine


def _ctl(port: int) -> redis.Redis:
    c = redis.Redis(port=port)
    c.flushall()
    return c


def test_arrival_order_and_timeout_of_the_last(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        w = Waiters(port)
        w.start("BLPOP", "k", "5")
        w.start("BRPOP", "k", "5")
        w.start("BLPOP", "k", "0.3")
        ctl.rpush("k", "a", "b")
        res = w.join()
        out = res, ctl.exists("k")
        ctl.close()
        return out

    res, exists = both(srv, ref, scenario)
    assert res == [[b"k", b"a"], [b"k", b"b"], None] and exists == 0


def test_timeouts_with_decimals(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        out = []
        for cmd in (("BLPOP", "k", "0.25"), ("BLMOVE", "k", "d", "LEFT", "LEFT", "0.25"),
                    ("BRPOPLPUSH", "k", "d", ".25"), ("BLMPOP", "0.25", "1", "k", "LEFT")):
            t = time.monotonic()
            r = ctl.execute_command(*cmd)
            took = time.monotonic() - t
            out.append((r, 0.2 < took < 2))
        ctl.close()
        return out

    assert both(srv, ref, scenario) == [(None, True)] * 4


def test_resp3_timeout_is_a_null(srv, ref):
    def scenario(port):
        c = redis.Redis(port=port, protocol=3)
        c.flushall()
        out = [c.execute_command("BLPOP", "k", "0.05"), c.execute_command("BLMOVE", "k", "d", "LEFT", "LEFT", "0.05")]
        c.close()
        return out

    assert both(srv, ref, scenario) == [None, None]


def test_several_keys(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        w = Waiters(port)
        w.start("BLPOP", "k1", "k2", "k3", "5")
        ctl.rpush("k3", "v3")
        first = w.join()
        # two keys made ready by one transaction: the command runs again and takes the
        # first key in its own argument order
        w = Waiters(port)
        w.start("BRPOP", "k1", "k2", "5")
        p = ctl.pipeline(transaction=True)
        p.rpush("k2", "x")
        p.rpush("k1", "y")
        p.execute()
        second = w.join()
        out = first, second, ctl.lrange("k2", 0, -1)
        ctl.close()
        return out

    assert both(srv, ref, scenario) == ([[b"k3", b"v3"]], [[b"k1", b"y"]], [b"x"])


def test_pushes_inside_multi_wake_waiters_after_exec(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        w = Waiters(port)
        w.start("BLPOP", "k", "1")
        w.start("BLMPOP", "1", "1", "k", "RIGHT", "COUNT", "2")
        p = ctl.pipeline(transaction=True)
        p.rpush("k", "a")
        p.rpush("k", "b", "c", "d")
        p.llen("k")
        replies = p.execute()
        res = w.join()
        out = replies, res, ctl.lrange("k", 0, -1)
        ctl.close()
        return out

    replies, res, rest = both(srv, ref, scenario)
    assert replies == [1, 4, 4] and res == [[b"k", b"a"], [b"k", [b"d", b"c"]]] and rest == [b"b"]


def test_key_created_and_emptied_in_one_transaction_wakes_nobody(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        w = Waiters(port)
        w.start("BLPOP", "k", "0.4")
        p = ctl.pipeline(transaction=True)
        p.rpush("k", "a")
        p.lpop("k")
        p.execute()
        out = w.join()
        ctl.close()
        return out

    assert both(srv, ref, scenario) == [None]


def test_blocking_is_denied_inside_multi(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        p = ctl.pipeline(transaction=True)
        p.blpop(["k"], 0)
        p.blmove("k", "d", 0, "LEFT", "RIGHT")
        p.execute_command("BLMPOP", "0", "1", "k", "LEFT")
        out = p.execute()
        ctl.close()
        return out

    assert both(srv, ref, scenario) == [None, None, None]


def test_move_chain_and_wrong_type_destination(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        w = Waiters(port)
        w.start("BLMOVE", "a", "b", "LEFT", "RIGHT", "5")
        w.start("BLPOP", "b", "5")
        ctl.rpush("a", "v")
        chain = w.join()
        ctl.set("dst", "string")
        w = Waiters(port)
        w.start("BRPOPLPUSH", "src", "dst", "5")
        ctl.rpush("src", "e")
        wrong = w.join()
        out = chain, ctl.exists("a", "b"), wrong, ctl.lrange("src", 0, -1)
        ctl.close()
        return out

    chain, exists, wrong, left = both(srv, ref, scenario)
    assert chain == [b"v", [b"b", b"v"]] and exists == 0
    assert wrong == ["error: WRONGTYPE Operation against a key holding the wrong kind of value"]
    assert left == [b"e"]


def test_key_of_another_type_keeps_the_waiter_blocked(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        w = Waiters(port)
        w.start("BLPOP", "k", "5")
        ctl.set("k", "string")
        time.sleep(0.1)
        ctl.delete("k")
        ctl.lpush("k", "v")
        out = w.join()
        ctl.close()
        return out

    assert both(srv, ref, scenario) == [[b"k", b"v"]]


def test_databases_are_separate(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        w = Waiters(port)
        w.start("BLPOP", "k", "5", db=1)
        ctl.rpush("k", "in-db0")
        ctl1 = redis.Redis(port=port, db=1)
        time.sleep(0.05)
        ctl1.rpush("k", "in-db1")
        out = w.join(), ctl.lrange("k", 0, -1)
        ctl1.close()
        ctl.close()
        return out

    assert both(srv, ref, scenario) == ([[b"k", b"in-db1"]], [b"in-db0"])


def test_client_unblock(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        w = Waiters(port)
        a = w.start("BLPOP", "k", "0")
        b = w.start("BLMOVE", "k", "d", "LEFT", "LEFT", "0")
        c = w.start("BLMPOP", "0", "1", "k", "LEFT")
        r = [ctl.client_unblock(a), ctl.client_unblock(b, error=True), ctl.client_unblock(c, error=False),
             ctl.client_unblock(a)]
        out = r, w.join()
        ctl.close()
        return out

    r, res = both(srv, ref, scenario)
    assert r == [True, True, True, False]
    assert res == [None, "error: UNBLOCKED client unblocked via CLIENT UNBLOCK", None]


def test_a_closed_waiter_takes_nothing(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n")
        for _ in range(100):
            if ctl.info("clients")["blocked_clients"] == 1:
                break
            time.sleep(0.01)
        sock.close()
        for _ in range(100):
            if ctl.info("clients")["blocked_clients"] == 0:
                break
            time.sleep(0.01)
        ctl.rpush("k", "v")
        out = ctl.lrange("k", 0, -1), ctl.info("clients")["blocked_clients"]
        ctl.close()
        return out

    assert both(srv, ref, scenario) == ([b"v"], 0)


@pytest.mark.parametrize("cmd", [("LMOVE", "src", "k", "LEFT", "LEFT"), ("RPOPLPUSH", "src", "k")])
def test_a_move_into_a_waited_key_wakes_the_waiter(srv, ref, cmd):
    def scenario(port):
        ctl = _ctl(port)
        ctl.rpush("src", "x", "y")
        w = Waiters(port)
        w.start("BRPOP", "k", "5")
        moved = ctl.execute_command(*cmd)
        out = moved, w.join(), ctl.exists("k")
        ctl.close()
        return out

    both(srv, ref, scenario)
