"""Blocking XREAD / XREADGROUP over real connections: served in arrival order by XADD,
'$' fixed when blocking, several streams, timeouts (RESP2 *-1, RESP3 _), BLOCK 0 with
CLIENT UNBLOCK, MULTI, keys of another type, and XREADGROUP failing when its stream or
group goes away. Every scenario runs on moredis and on the reference server, comparing
the raw reply bytes."""

from __future__ import annotations

import time

import pytest
from respclient import RawBytesClient


class Waiter:
    """A connection that sent a blocking command and waits for its reply."""

    def __init__(self, port: int, *cmd: str, resp: int = 2) -> None:
        self.c = RawBytesClient(port=port)
        if resp == 3:
            self.c.call("HELLO", "3")
        self.id = int(self.c.call("CLIENT", "ID")[1:-2])
        self.c.send(*cmd)
        _wait_blocked(port, self.id)

    def reply(self, timeout: float = 5.0) -> bytes:
        self.c.sock.settimeout(timeout)
        try:
            return self.c.read()
        except OSError:
            return b"<no reply>"

    def close(self) -> None:
        self.c.close()


def _wait_blocked(port: int, cid: int) -> None:
    c = RawBytesClient(port=port)
    try:
        for _ in range(300):
            info = c.call("CLIENT", "LIST", "ID", str(cid))
            if b"flags=b" in info:
                return
            time.sleep(0.01)
        raise AssertionError(f"client {cid} did not block: {info!r}")
    finally:
        c.close()


def both(srv, ref, scenario):
    mine = scenario(srv.port)
    theirs = scenario(ref.port)
    assert mine == theirs, f"moredis {mine!r} != reference {theirs!r}"
    return mine


def _ctl(port: int) -> RawBytesClient:
    c = RawBytesClient(port=port)
    c.call("FLUSHALL")
    return c


def test_arrival_order_and_counts(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        ctl.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        ws = [Waiter(port, "XREADGROUP", "GROUP", "g", name, "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">")
              for name in ("c1", "c2", "c3")]
        ws.append(Waiter(port, "XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
        ws.append(Waiter(port, "XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", "$", resp=3))
        ctl.call("MULTI")
        ctl.call("XADD", "s", "1", "a", "1")
        ctl.call("XADD", "s", "2", "b", "2")
        ctl.call("EXEC")
        out = [w.reply() for w in (ws[0], ws[1], ws[3], ws[4])]
        out.append(ctl.call("CLIENT", "UNBLOCK", str(ws[2].id)))
        out.append(ws[2].reply())
        out.append(ctl.call("XPENDING", "s", "g"))
        for w in ws:
            w.close()
        ctl.close()
        return out

    out = both(srv, ref, scenario)
    assert out[0].endswith(b"1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n") and b"2-0" in out[1]
    assert out[-2] == b"*-1\r\n"


def test_dollar_is_fixed_when_blocking(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        ctl.call("XADD", "s", "5", "a", "1")
        w = Waiter(port, "XREAD", "BLOCK", "0", "STREAMS", "nokey", "s", "$", "$")
        ctl.call("DEL", "s")
        ctl.call("XADD", "s", "4", "a", "1")  # below the fixed ID: keeps waiting
        ctl.call("LPUSH", "nokey", "x")  # another type: keeps waiting
        ctl.call("DEL", "nokey")
        ctl.call("XADD", "nokey", "1", "k", "v")
        out = [w.reply()]
        w.close()
        ctl.close()
        return out

    assert both(srv, ref, scenario) == [
        b"*1\r\n*2\r\n$5\r\nnokey\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n"]


def test_timeouts(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        ctl.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        out = []
        for resp in (2, 3):
            c = RawBytesClient(port=port)
            if resp == 3:
                c.call("HELLO", "3")
            for cmd in (("XREAD", "BLOCK", "150", "STREAMS", "s", "$"),
                        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "150", "STREAMS", "s", ">")):
                t = time.monotonic()
                r = c.call(*cmd)
                out.append((r, 0.1 < time.monotonic() - t < 2))
            c.close()
        ctl.close()
        return out

    assert both(srv, ref, scenario) == [(b"*-1\r\n", True)] * 2 + [(b"_\r\n", True)] * 2


def test_multi_and_serving_history(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        ctl.call("XADD", "s", "1", "a", "1")
        ctl.call("XGROUP", "CREATE", "s", "g", "$")
        out = [ctl.call("MULTI"), ctl.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
               ctl.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"), ctl.call("EXEC")]
        # an explicit ID reads the consumer's history: answered at once even with BLOCK
        out.append(ctl.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "0"))
        ctl.close()
        return out

    assert both(srv, ref, scenario)[-1] == b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"


@pytest.mark.parametrize("actions", [
    [("DEL", "s")],
    [("SET", "s", "x", "XX")],
    [("XGROUP", "DESTROY", "s", "g")],
    [("FLUSHDB",)],
    [("RENAME", "s", "s2")],
    [("XADD", "s2", "1", "a", "1"), ("RENAME", "s2", "s")],
    [("MULTI",), ("DEL", "s"), ("XADD", "s", "5", "a", "1"), ("XGROUP", "CREATE", "s", "g", "0"), ("EXEC",)],
    [("XGROUP", "CREATE", "s", "g2", "0"), ("XGROUP", "DESTROY", "s", "g2"), ("XADD", "s", "9", "z", "z")],
], ids=["del", "set", "destroy", "flushdb", "rename-away", "renamed-over", "recreated", "other-group"])
def test_xreadgroup_woken_by_the_key_or_group(srv, ref, actions):
    def scenario(port):
        ctl = _ctl(port)
        ctl.call("XADD", "s", "1", "a", "1")
        ctl.call("XGROUP", "CREATE", "s", "g", "$")
        w = Waiter(port, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
        for a in actions:
            ctl.call(*a)
        out = [w.reply()]
        w.close()
        ctl.close()
        return out

    both(srv, ref, scenario)


def test_xreadgroup_woken_by_expiry(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        ctl.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        ctl.call("PEXPIRE", "s", "200")
        w = Waiter(port, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
        out = [w.reply(timeout=3)]
        w.close()
        ctl.close()
        return out

    assert both(srv, ref, scenario) == [
        b"-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"]


def test_xread_ignores_deletions_and_other_types(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        ctl.call("XADD", "s", "1", "a", "1")
        w = Waiter(port, "XREAD", "BLOCK", "400", "STREAMS", "s", "$")
        ctl.call("DEL", "s")
        ctl.call("SET", "s", "x")
        ctl.call("MULTI")
        ctl.call("DEL", "s")
        ctl.call("XADD", "s", "2", "a", "1")
        ctl.call("XDEL", "s", "2")
        ctl.call("EXEC")
        out = [w.reply()]
        w.close()
        ctl.close()
        return out

    assert both(srv, ref, scenario) == [b"*-1\r\n"]


def test_several_streams_and_the_last_entry(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        ctl.call("XADD", "a", "1", "x", "1")
        w1 = Waiter(port, "XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "+")
        w2 = Waiter(port, "XREAD", "BLOCK", "0", "STREAMS", "b", "+", resp=3)
        ctl.call("MULTI")
        ctl.call("XADD", "b", "7", "y", "1")
        ctl.call("XADD", "b", "8", "y", "2")
        ctl.call("XADD", "a", "9", "x", "2")
        ctl.call("EXEC")
        out = [w1.reply(), w2.reply()]
        for w in (w1, w2):
            w.close()
        ctl.close()
        return out

    both(srv, ref, scenario)


def test_served_xreadgroup_updates_the_group(srv, ref):
    def scenario(port):
        ctl = _ctl(port)
        ctl.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        w = Waiter(port, "XREADGROUP", "GROUP", "g", "alice", "NOACK", "BLOCK", "0", "STREAMS", "s", ">")
        w2 = Waiter(port, "XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">")
        ctl.call("XADD", "s", "3", "f", "v")
        out = [w.reply(), ctl.call("XINFO", "GROUPS", "s"), ctl.call("XPENDING", "s", "g")]
        ctl.call("XADD", "s", "4", "f", "v")
        out += [w2.reply(), ctl.call("XPENDING", "s", "g"), ctl.call("XINFO", "GROUPS", "s")]
        for x in (w, w2):
            x.close()
        ctl.close()
        return out

    out = both(srv, ref, scenario)
    assert out[2] == b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"  # NOACK: nothing pending
