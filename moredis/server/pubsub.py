"""Pub/Sub registry and message delivery (pubsub.c).

Channels and patterns map to the clients subscribed, in subscription order (dicts used
as ordered sets). Shard channels (SSUBSCRIBE) are kept apart, as in Redis 7.
Messages are written with the subscriber's own writer: RESP3 clients get push types,
RESP2 clients arrays. Neighbours: commands/pubsub.py (commands), server.notify (keyspace
events are published through `publish`).
"""

from __future__ import annotations

from typing import Any

from moredis.util.glob import compile_glob


class PubSub:
    def __init__(self) -> None:
        self.channels: dict[bytes, dict[Any, None]] = {}
        self.patterns: dict[bytes, dict[Any, None]] = {}
        self.shard_channels: dict[bytes, dict[Any, None]] = {}
        self._matchers: dict[bytes, Any] = {}

    # --- subscription bookkeeping --------------------------------------------------
    def subscribe(self, c: Any, ch: bytes, shard: bool = False) -> bool:
        mine = c.shard_channels if shard else c.channels
        if ch in mine:
            return False
        mine.add(ch)
        (self.shard_channels if shard else self.channels).setdefault(ch, {})[c] = None
        return True

    def unsubscribe(self, c: Any, ch: bytes, shard: bool = False) -> bool:
        mine = c.shard_channels if shard else c.channels
        if ch not in mine:
            return False
        mine.discard(ch)
        table = self.shard_channels if shard else self.channels
        subs = table.get(ch)
        if subs is not None:
            subs.pop(c, None)
            if not subs:
                del table[ch]
        return True

    def psubscribe(self, c: Any, pat: bytes) -> bool:
        if pat in c.patterns:
            return False
        c.patterns.add(pat)
        self.patterns.setdefault(pat, {})[c] = None
        if pat not in self._matchers:
            self._matchers[pat] = compile_glob(pat)
        return True

    def punsubscribe(self, c: Any, pat: bytes) -> bool:
        if pat not in c.patterns:
            return False
        c.patterns.discard(pat)
        subs = self.patterns.get(pat)
        if subs is not None:
            subs.pop(c, None)
            if not subs:
                del self.patterns[pat]
                self._matchers.pop(pat, None)
        return True

    def drop_client(self, c: Any) -> None:
        for ch in list(c.channels):
            self.unsubscribe(c, ch)
        for ch in list(c.shard_channels):
            self.unsubscribe(c, ch, shard=True)
        for p in list(c.patterns):
            self.punsubscribe(c, p)

    # --- delivery ------------------------------------------------------------------
    def publish(self, channel: bytes, message: bytes, shard: bool = False) -> int:
        """Deliver to channel and pattern subscribers; the count of receivers."""
        n = 0
        table = self.shard_channels if shard else self.channels
        subs = table.get(channel)
        kind = b"smessage" if shard else b"message"
        if subs:
            for c in list(subs):
                w = c.w
                w.push(3)
                w.bulk(kind)
                w.bulk(channel)
                w.bulk(message)
                c.push_to()
                n += 1
        if not shard and self.patterns:
            for pat, psubs in list(self.patterns.items()):
                if self._matchers[pat](channel):
                    for c in list(psubs):
                        w = c.w
                        w.push(4)
                        w.bulk(b"pmessage")
                        w.bulk(pat)
                        w.bulk(channel)
                        w.bulk(message)
                        c.push_to()
                        n += 1
        return n

    def numpat(self) -> int:
        return len(self.patterns)
