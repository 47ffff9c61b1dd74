"""Memory figures for INFO memory, MEMORY STATS and maxmemory (zmalloc.c's role).

Python has no allocator accounting per key, so `used_memory` is the process RSS read
from /proc (cached for one cron tick), and per-key sizes are estimates.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_cache = [0.0, 0]


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except OSError:  # pragma: no cover - non-Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def used_memory(srv: Any = None) -> int:
    now = time.monotonic()
    if now - _cache[0] > 0.1:
        _cache[0] = now
        _cache[1] = rss_bytes()
    return _cache[1]


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
