"""A stream reader blocked in XREADGROUP fails when its key is overwritten by SET/MSET
or swapped away by SWAPDB, as Redis signals deleted keys to unblock-on-nokey waiters."""

import threading
import time

import pytest
import redis


def _blocked_xreadgroup(port, out):
    c = redis.Redis(port=port)
    try:
        out.append(c.execute_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">"))
    except redis.ResponseError as e:
        out.append(str(e))


@pytest.mark.parametrize("how", ["set", "mset", "swapdb"])
def test_blocked_reader_fails_when_key_goes(srv, r, how):
    r.xgroup_create("s", "g", id="$", mkstream=True)
    out: list = []
    t = threading.Thread(target=_blocked_xreadgroup, args=(srv.port, out))
    t.start()
    time.sleep(0.2)
    if how == "set":
        r.set("s", "x")
    elif how == "mset":
        r.mset({"s": "x", "t": "y"})
    else:
        r.execute_command("SWAPDB", 0, 9)
    t.join(3)
    assert out and isinstance(out[0], str), out
    assert out[0].startswith(("WRONGTYPE", "NOGROUP")), out
    r.execute_command("SELECT", 9)
    r.flushdb()
