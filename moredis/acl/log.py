"""The ACL log (acl.c addACLLogEntry, ACL LOG): refused commands, keys, channels and
failed authentications, newest first, with similar events folded into one entry.

Two events fold when reason, context, object and username are equal and the older one
was updated less than 60 seconds before; only the 10 newest entries are searched, and a
folded entry moves to the front. Entry ids keep counting across ACL LOG RESET, as in
Redis, so (entry-id, timestamp-created) identifies an entry. Neighbours: users.py.
"""

from __future__ import annotations

import time
from typing import Any

REASONS = {1: b"command", 2: b"key", 3: b"auth", 4: b"channel"}  # selector.DENIED_*
CONTEXTS = (b"toplevel", b"multi", b"lua", b"module")
CTX_TOPLEVEL = 0
CTX_MULTI = 1
CTX_LUA = 2
CTX_MODULE = 3
GROUPING_MS = 60000
SCAN = 10


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class LogEntry:
    __slots__ = ("cinfo", "context", "count", "created", "ctime", "entry_id", "object", "reason", "username")

    def __init__(self, reason: int, context: int, obj: bytes, username: bytes, cinfo: bytes, t: int,
                 entry_id: int) -> None:
        self.count = 1
        self.reason = reason
        self.context = context
        self.object = obj
        self.username = username
        self.cinfo = cinfo
        self.ctime = t
        self.created = t
        self.entry_id = entry_id


class AclLog:
    def __init__(self) -> None:
        self.entries: list[LogEntry] = []  # newest first
        self.next_id = 0

    def add(self, reason: int, context: int, obj: bytes, username: bytes, cinfo: bytes, max_len: int) -> None:
        entries = self.entries
        if max_len == 0:
            del entries[:]
            return
        t = now_ms()
        for i, e in enumerate(entries[:SCAN]):
            if (e.reason == reason and e.context == context and abs(e.ctime - t) <= GROUPING_MS
                    and e.object == obj and e.username == username):
                del entries[i]
                entries.insert(0, e)
                e.cinfo = cinfo
                e.ctime = t
                e.count += 1
                return
        entries.insert(0, LogEntry(reason, context, obj, username, cinfo, t, self.next_id))
        self.next_id += 1
        if len(entries) > max_len:
            del entries[max_len:]

    def reset(self) -> None:
        self.entries = []

    def reply(self, w: Any, count: int) -> None:
        """ACL LOG [count]: a map of ten fields per entry."""
        shown = self.entries[:max(count, 0)]
        now = now_ms()
        w.array(len(shown))
        for e in shown:
            w.map(10)
            w.bulk(b"count")
            w.integer(e.count)
            w.bulk(b"reason")
            w.bulk(REASONS.get(e.reason, b"unknown"))
            w.bulk(b"context")
            w.bulk(CONTEXTS[e.context] if 0 <= e.context < len(CONTEXTS) else b"unknown")
            w.bulk(b"object")
            w.bulk(e.object)
            w.bulk(b"username")
            w.bulk(e.username)
            w.bulk(b"age-seconds")
            w.double((now - e.ctime) / 1000)
            w.bulk(b"client-info")
            w.bulk(e.cinfo)
            w.bulk(b"entry-id")
            w.integer(e.entry_id)
            w.bulk(b"timestamp-created")
            w.integer(e.created)
            w.bulk(b"timestamp-last-updated")
            w.integer(e.ctime)
