"""RM_Yield: other clients get BUSY during a long module command (blockedclient.tcl
"Busy module command" scenarios)."""

from __future__ import annotations

import threading
import time

import pytest
import redis


@pytest.mark.parametrize("custom", [None, "custom busy reply"])
def test_busy_during_long_module_command(modsrv, custom):
    s = modsrv("slow", busy_reply_threshold=100)
    r = s.client()
    c2 = s.client()
    out = {}
    args = ["slow.fg", 1200] + ([custom] if custom else [])
    t = threading.Thread(target=lambda: out.setdefault("v", c2.execute_command(*args)))
    t.start()
    time.sleep(0.4)
    with pytest.raises(redis.ResponseError) as e:
        r.get("k")
    assert str(e.value) == "BUSY " + (custom or "Redis is busy running a module command.")
    t.join()
    assert out["v"] == b"done"
    assert r.set("k", "v")  # served normally again


def test_no_busy_before_threshold(modsrv):
    s = modsrv("slow", busy_reply_threshold=5000)
    assert s.client().execute_command("slow.fg", 50) == b"done"
