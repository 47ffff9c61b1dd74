"""A Redis database: keys, expiry (lazy and active), LRU/LFU bookkeeping, and the
signals writes must send (watch, tracking, blocking, notifications).

Mirrors db.c and expire.c. `Database` holds plain dicts; the server object it points to
(`srv`) supplies the clock, stats, configs and the notify/signal fan-out, so this layer
needs nothing from the networking. Neighbours: objects.py (what values are),
notify.py (event classes), server/server.py (the `srv` side).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from typing import Any

from moredis.engine import notify as N
from moredis.engine.objects import check_string, type_code
from moredis.errors import WRONGTYPE, RedisError

LOOKUP_NOTOUCH = 1
LOOKUP_NONOTIFY = 2
LOOKUP_NOSTATS = 4
LOOKUP_WRITE = 8
LOOKUP_NOEXPIRE = 16


class Database:
    """One numbered database (`SELECT n`)."""

    __slots__ = ("_heap", "access", "avg_ttl", "blocking", "data", "expires", "expires_cursor", "id", "srv",
                 "subexpires", "watched")

    def __init__(self, dbid: int, srv: Any) -> None:
        self.id = dbid
        self.srv = srv
        self.data: dict[bytes, Any] = {}
        self.expires: dict[bytes, int] = {}  # key -> absolute unix time in ms
        self.access: dict[bytes, int] = {}  # key -> LRU clock (s) or LFU word
        self._heap: list[tuple[int, bytes]] = []  # (when, key), stale entries allowed
        self.watched: dict[bytes, list] = {}  # key -> clients WATCHing it
        self.blocking: dict[bytes, list] = {}  # key -> clients blocked on it, in arrival order
        self.avg_ttl = 0
        self.expires_cursor = 0
        self.subexpires: Any = None  # hashes with volatile fields (engine/types/hash.py)

    def __len__(self) -> int:
        return len(self.data)

    # --- lookups (db.c lookupKey*) -------------------------------------------------------
    def lookup_read(self, key: bytes) -> Any:
        """lookupKeyRead: None when missing or expired; counts hits/misses, touches LRU."""
        v = self.data.get(key)
        srv = self.srv
        if v is None:
            srv.stat_keyspace_misses += 1
            if srv.notify_mask & N.KEY_MISS:
                srv.notify(N.KEY_MISS, "keymiss", key, self.id)
            return None
        if self.expires and key in self.expires and self._expire_if_needed(key):
            srv.stat_keyspace_misses += 1
            if srv.notify_mask & N.KEY_MISS:
                srv.notify(N.KEY_MISS, "keymiss", key, self.id)
            return None
        srv.stat_keyspace_hits += 1
        if not srv.no_touch:
            self.access[key] = srv.lru_clock if not srv.lfu else srv.lfu_touch(self.access.get(key))
        return v

    def lookup_write(self, key: bytes) -> Any:
        """lookupKeyWrite: None when missing or expired; no hit/miss accounting."""
        v = self.data.get(key)
        if v is not None and self.expires and key in self.expires and self._expire_if_needed(key):
            return None
        if v is not None and not self.srv.no_touch:
            self.access[key] = self.srv.lru_touch(self.access.get(key))
        return v

    def lookup(self, key: bytes, flags: int = 0) -> Any:
        """lookupKey with LOOKUP_* flags (NOTOUCH, NONOTIFY, NOSTATS, WRITE, NOEXPIRE)."""
        srv = self.srv
        v = self.data.get(key)
        if v is not None and self.expires and key in self.expires:
            if flags & LOOKUP_NOEXPIRE:
                if self.expires[key] < srv.mstime():
                    v = None
            elif self._expire_if_needed(key):
                v = None
        if v is None:
            if not flags & (LOOKUP_NOSTATS | LOOKUP_WRITE):
                srv.stat_keyspace_misses += 1
            if not flags & (LOOKUP_NONOTIFY | LOOKUP_WRITE) and srv.notify_mask & N.KEY_MISS:
                srv.notify(N.KEY_MISS, "keymiss", key, self.id)
            return None
        if not flags & (LOOKUP_NOSTATS | LOOKUP_WRITE):
            srv.stat_keyspace_hits += 1
        if not flags & LOOKUP_NOTOUCH and not srv.no_touch:
            self.access[key] = srv.lru_touch(self.access.get(key))
        return v

    def peek(self, key: bytes) -> Any:
        """The value if it exists and is not logically expired; no side effects at all."""
        v = self.data.get(key)
        if v is not None and self.expires:
            when = self.expires.get(key)
            if when is not None and when < self.srv.mstime():
                return None
        return v

    def get_read(self, key: bytes, code: int) -> Any:
        """lookupKeyRead plus the type check (WRONGTYPE) every typed command does."""
        v = self.lookup_read(key)
        if v is not None and type_code(v) != code:
            raise RedisError(WRONGTYPE)
        return v

    def get_write(self, key: bytes, code: int) -> Any:
        v = self.lookup_write(key)
        if v is not None and type_code(v) != code:
            raise RedisError(WRONGTYPE)
        return v

    def get_string_read(self, key: bytes) -> Any:
        v = self.lookup_read(key)
        if v is not None:
            check_string(v)
        return v

    def exists(self, key: bytes) -> bool:
        """dbExists after expiring: no stats, no LRU (EXISTS does its own lookup)."""
        if key not in self.data:
            return False
        if self.expires and key in self.expires and self._expire_if_needed(key):
            return False
        return True

    # --- writes (db.c dbAdd / setKey / dbDelete) -------------------------------------------
    def add(self, key: bytes, value: Any) -> None:
        """dbAdd: the key must not exist. Signals readiness for blocked clients."""
        self.data[key] = value
        self.access[key] = self.srv.lru_new()
        if self.blocking and key in self.blocking:
            self.srv.signal_key_ready(self, key)
        if self.srv.notify_mask & N.NEW:
            self.srv.notify(N.NEW, "new", key, self.id)

    def overwrite(self, key: bytes, value: Any) -> None:
        """dbOverwrite: replace the value of an existing key, keeping its TTL."""
        if self.srv.key_event_hook is not None:  # modules subscribed to the Key event
            self.srv.key_event_hook(3, self, key, self.data[key])  # KEY_OVERWRITTEN
        self.data[key] = value
        if self.blocking and key in self.blocking:
            self.srv.signal_key_ready(self, key)  # signalDeletedKeyAsReady (XREADGROUP waiters)

    def set_key(self, key: bytes, value: Any, keepttl: bool = False, signal: bool = True) -> None:
        """setKey: add or overwrite; drops the TTL unless keepttl; signals the change."""
        data = self.data
        if key in data:
            if self.srv.key_event_hook is not None:  # modules subscribed to the Key event
                self.srv.key_event_hook(3, self, key, data[key])  # KEY_OVERWRITTEN
            data[key] = value
            if not keepttl and self.expires:
                self.expires.pop(key, None)
            if self.blocking and key in self.blocking:
                self.srv.signal_key_ready(self, key)  # signalDeletedKeyAsReady (XREADGROUP waiters)
        else:
            self.add(key, value)
        if signal:
            self.signal_modified(key)

    def delete(self, key: bytes) -> bool:
        """dbDelete: remove key, TTL and bookkeeping. The caller notifies and signals."""
        hook = self.srv.key_event_hook
        if hook is not None and key in self.data:  # the Key event, while the key still exists
            hook(self.srv.key_del_reason, self, key, self.data[key])
        v = self.data.pop(key, None)
        if v is None:
            return False
        if self.expires:
            self.expires.pop(key, None)
        self.access.pop(key, None)
        hook = self.srv.on_delete
        if hook is not None:
            hook(self, key, v)
        if self.blocking and key in self.blocking:
            self.srv.signal_key_ready(self, key)  # signalDeletedKeyAsReady (XREADGROUP waiters)
        return True

    def rename_value(self, src: bytes, dst: bytes) -> None:
        """Move src's value, TTL and access clock to dst (which must be free)."""
        v = self.data.pop(src)
        when = self.expires.pop(src, None) if self.expires else None
        acc = self.access.pop(src, None)
        self.data[dst] = v
        if acc is not None:
            self.access[dst] = acc
        if when is not None:
            self.set_expire(dst, when)

    # --- expiry (expire.c / db.c) ------------------------------------------------------
    def set_expire(self, key: bytes, when_ms: int) -> None:
        self.expires[key] = when_ms
        heapq.heappush(self._heap, (when_ms, key))
        if len(self._heap) > 2 * len(self.expires) + 1024:
            self._heap = [(w, k) for k, w in self.expires.items()]
            heapq.heapify(self._heap)

    def get_expire(self, key: bytes) -> int:
        """getExpire: absolute ms, or -1 when the key has no TTL."""
        if not self.expires:
            return -1
        return self.expires.get(key, -1)

    def persist(self, key: bytes) -> bool:
        return self.expires.pop(key, None) is not None if self.expires else False

    def _expire_if_needed(self, key: bytes) -> bool:
        """expireIfNeeded: delete key when its time has come (masters only)."""
        when = self.expires[key]
        srv = self.srv
        if when >= srv.mstime() or srv.loading:  # keyIsExpired: alive through its ms; nothing expires while loading
            return False
        if srv.is_replica and not srv.in_script:
            return True  # replicas hide expired keys but wait for the master's DEL
        if srv.expire_paused():
            return True
        self.expire_key(key)
        return True

    def expire_key(self, key: bytes) -> None:
        """deleteExpiredKeyAndPropagate: delete, count, notify 'expired', propagate DEL."""
        srv = self.srv
        srv.key_del_reason = 1  # the Key event says KEY_EXPIRED
        try:
            self.delete(key)
        finally:
            srv.key_del_reason = 0
        srv.stat_expiredkeys += 1
        self.signal_modified(key)
        srv.notify(N.EXPIRED, "expired", key, self.id)
        srv.propagate_expire(self, key)

    def active_expire(self, now_ms: int, budget: int) -> int:
        """One slice of activeExpireCycle: pop due keys from the heap, up to `budget`."""
        heap = self._heap
        expires = self.expires
        done = 0
        while heap and heap[0][0] < now_ms and done < budget:
            when, key = heapq.heappop(heap)
            if expires.get(key) == when:
                self.expire_key(key)
                done += 1
        if not expires and heap:
            heap.clear()
        return done

    # --- signals ---------------------------------------------------------------------------
    def signal_modified(self, key: bytes) -> None:
        """signalModifiedKey: break WATCHes and invalidate client-side caches of key."""
        if self.watched and key in self.watched:
            for c in self.watched[key]:
                c.dirty_cas = True
        srv = self.srv
        if srv.tracking_table is not None:
            srv.tracking_invalidate(key)

    def notify(self, cls: int, event: str, key: bytes) -> None:
        srv = self.srv
        if srv.notify_mask & cls:
            srv.notify(cls, event, key, self.id)

    # --- iteration -------------------------------------------------------------------------
    def random_key(self) -> bytes | None:
        """RANDOMKEY: a random live key; gives up on expired ones after a bounded tries."""
        data = self.data
        if not data:
            return None
        keys = list(data)
        for _ in range(100):
            k = random.choice(keys)
            if not self.expires or k not in self.expires or self.expires[k] >= self.srv.mstime():
                return k
            if len(keys) == len(self.expires):
                # all keys volatile: delete this expired one, as expireIfNeeded would
                self._expire_if_needed(k)
                if not data:
                    return None
                keys = list(data)
        return random.choice(keys)

    def keys(self) -> Iterator[bytes]:
        return iter(list(self.data))

    def clear(self) -> int:
        n = len(self.data)
        if self.blocking:  # signalFlushedDb: clients waiting on a key that goes away
            for key in list(self.blocking):
                if key in self.data:
                    self.srv.signal_key_ready(self, key)
        self.data = {}
        self.expires = {}
        self.access = {}
        self._heap = []
        return n
