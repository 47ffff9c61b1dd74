"""Keyspace notification classes (server.h NOTIFY_*) and the notify-keyspace-events syntax.

Neighbours: keyspace.py calls `srv.notify(cls, event, key, dbid)`; the server publishes
to `__keyspace@<db>__:<key>` / `__keyevent@<db>__:<event>` and feeds module subscribers.
"""

from __future__ import annotations

KEYSPACE = 1 << 0  # K
KEYEVENT = 1 << 1  # E
GENERIC = 1 << 2  # g
STRING = 1 << 3  # $
LIST = 1 << 4  # l
SET = 1 << 5  # s
HASH = 1 << 6  # h
ZSET = 1 << 7  # z
EXPIRED = 1 << 8  # x
EVICTED = 1 << 9  # e
STREAM = 1 << 10  # t
KEY_MISS = 1 << 11  # m (not part of A)
LOADED = 1 << 12  # module-only
MODULE = 1 << 13  # d
NEW = 1 << 14  # n (not part of A)
ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE

_CHARS = {
    "A": ALL, "g": GENERIC, "$": STRING, "l": LIST, "s": SET, "h": HASH, "z": ZSET,
    "x": EXPIRED, "e": EVICTED, "K": KEYSPACE, "E": KEYEVENT, "t": STREAM, "m": KEY_MISS,
    "d": MODULE, "n": NEW,
}


def flags_from_string(s: str) -> int | None:
    """notify.c keyspaceEventsStringToFlags: None for an unknown character."""
    flags = 0
    for ch in s:
        f = _CHARS.get(ch)
        if f is None:
            return None
        flags |= f
    return flags


def flags_to_string(flags: int) -> str:
    """notify.c keyspaceEventsFlagsToString, same character order as Redis."""
    out = ""
    if flags & ALL == ALL:
        out += "A"
    else:
        for ch, f in (("g", GENERIC), ("$", STRING), ("l", LIST), ("s", SET), ("h", HASH),
                      ("z", ZSET), ("x", EXPIRED), ("e", EVICTED), ("t", STREAM), ("d", MODULE)):
            if flags & f:
                out += ch
    if flags & KEYSPACE:
        out += "K"
    if flags & KEYEVENT:
        out += "E"
    if flags & KEY_MISS:
        out += "m"
    if flags & NEW:
        out += "n"
    return out
