"""Helpers shared by the ACL tests."""

from __future__ import annotations

import time


def cmdstat(r, cmd: str) -> dict:
    """INFO commandstats for one command: calls, usec, usec_per_call, rejected_calls,
    failed_calls (empty when it never ran)."""
    info = r.info("commandstats")
    return info.get("cmdstat_" + cmd, {})


def wait_for(cond, timeout: float = 5.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")
