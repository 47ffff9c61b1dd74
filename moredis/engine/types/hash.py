"""The hash value (t_hash.c's data side) and hash-field expiration (HFE, Redis 7.4).

`Hash` is a plain dict of field -> value (both bytes) with two small extras:
- `enc`: which of Redis's three encodings it stands for, so OBJECT ENCODING answers
  alike: LISTPACK, LISTPACK_EX (a listpack whose fields carry TTLs) or HASHTABLE. The
  callers convert at Redis's thresholds (hash-max-listpack-*); nothing converts back.
- `ttl`: None while no field has a time to live, else a `FieldTTL` holding the
  field -> absolute unix ms map. A field is expired once its time is in the past
  (`when < now`), and stays in the dict until lazily or actively removed.

Dict order is the listpack order, because HGETALL and friends answer in that order for
small hashes: fields are appended at the end, updated in place; in a LISTPACK_EX the
fields with a TTL come first, sorted by time, a field (re)gaining a TTL is re-inserted
before the first field whose time is not smaller, and a field losing its TTL moves to
the end (as t_hash.c's listpackEx does). A HASHTABLE has no defined order; there a
lazy heap of (when, field) finds the next field to expire.

Active expiry: `FieldExpiry` (one per server, `field_expiry(srv)`) keeps a heap of
(time, db id, key) for the hashes with volatile fields and, from the server cron,
removes what is due: HDEL propagated per field, an 'hexpired' event per hash, 'del'
when the hash empties. `db.subexpires` (INFO keyspace's subexpiry) maps the keys
indexed there to their hash. Hashes moved by RENAME, MOVE, COPY or loaded from a file
are (re)indexed by `track()` (the hash commands call it when they meet such a hash).
Neighbours: commands/hash.py (the commands), engine/objects.py (registration).
"""

from __future__ import annotations

import heapq
from typing import Any

from moredis.engine import notify as N
from moredis.engine.digest import mix_digest, xor_digest
from moredis.engine.objects import ADOPTERS, OBJ_HASH, register_type

LISTPACK = 0
LISTPACK_EX = 1
HASHTABLE = 2
_ENC_NAMES = ("listpack", "listpackex", "hashtable")
EXPIRE_TIME_MAX = (1 << 46) - 1  # ebuckets.h EB_EXPIRE_TIME_MAX: the latest field TTL


class FieldTTL:
    """The TTLs of one hash's volatile fields, and where the hash is indexed."""

    __slots__ = ("db", "heap", "key", "sched", "when")

    def __init__(self) -> None:
        self.when: dict[bytes, int] = {}
        self.heap: list[tuple[int, bytes]] | None = None  # HASHTABLE only; stale entries allowed
        self.sched: int | None = None  # the time this hash is due in the server's index
        self.key: bytes | None = None  # where it was indexed
        self.db: Any = None


class Hash(dict):
    """field -> value; see the module docstring for `enc` and `ttl`."""

    __slots__ = ("enc", "ttl")

    def __init__(self, enc: int = LISTPACK) -> None:
        self.enc = enc
        self.ttl: FieldTTL | None = None

    def __repr__(self) -> str:
        return f"<Hash {self.encoding()} {dict.__repr__(self)} ttl={self.ttl.when if self.ttl else None}>"

    def encoding(self) -> str:
        return _ENC_NAMES[self.enc]

    # --- encodings ---------------------------------------------------------------------
    def to_hashtable(self) -> None:
        """hashTypeConvert to OBJ_ENCODING_HT (never undone)."""
        if self.enc == HASHTABLE:
            return
        self.enc = HASHTABLE
        t = self.ttl
        if t is not None:
            t.heap = [(w, f) for f, w in t.when.items()]
            heapq.heapify(t.heap)

    # --- values ------------------------------------------------------------------------
    def set_value(self, field: bytes, value: bytes, keepttl: bool = False) -> bool:
        """hashTypeSet: True when the field is new. Without keepttl a TTL is dropped
        (in a LISTPACK_EX the field then moves to the end, among the TTL-less ones)."""
        t = self.ttl
        if t is not None and not keepttl and field in t.when:
            del t.when[field]
            if not t.when:
                self.ttl = None
            if self.enc == LISTPACK_EX:
                dict.__delitem__(self, field)
            self[field] = value
            return False
        new = field not in self
        self[field] = value
        return new

    def delete(self, field: bytes) -> bool:
        if field not in self:
            return False
        dict.__delitem__(self, field)
        t = self.ttl
        if t is not None and t.when.pop(field, None) is not None and not t.when:
            self.ttl = None
        return True

    # --- field TTLs --------------------------------------------------------------------
    def get_ttl(self, field: bytes) -> int:
        """The field's absolute expire time in ms, -1 without one (the field must exist)."""
        t = self.ttl
        if t is None:
            return -1
        return t.when.get(field, -1)

    def is_expired(self, field: bytes, now: int) -> bool:
        t = self.ttl
        if t is None:
            return False
        w = t.when.get(field)
        return w is not None and w < now

    def set_ttl(self, field: bytes, when: int) -> None:
        """Give an existing field a TTL (absolute ms); a LISTPACK becomes LISTPACK_EX."""
        if self.enc == LISTPACK:
            self.enc = LISTPACK_EX
        t = self.ttl
        if t is None:
            t = self.ttl = FieldTTL()
            if self.enc == HASHTABLE:
                t.heap = []
        t.when[field] = when
        if self.enc == LISTPACK_EX:
            self._lpex_insert(field, when)
        else:
            heap = t.heap
            heapq.heappush(heap, (when, field))
            if len(heap) > 2 * len(t.when) + 64:
                t.heap = [(w, f) for f, w in t.when.items()]
                heapq.heapify(t.heap)

    def _lpex_insert(self, field: bytes, when: int) -> None:
        """Move `field` before the first field whose TTL is not smaller than `when`
        (fields without a TTL count as infinitely late), as listpackExAddInternal does."""
        value = dict.pop(self, field)
        tw = self.ttl.when  # type: ignore[union-attr]
        keys = list(self)
        i = 0
        for k in keys:
            w = tw.get(k)
            if w is None or w >= when:
                break
            i += 1
        tail = [(k, dict.pop(self, k)) for k in keys[i:]]
        self[field] = value
        dict.update(self, tail)

    def persist(self, field: bytes) -> bool:
        """Drop the field's TTL; False when it had none."""
        t = self.ttl
        if t is None or t.when.pop(field, None) is None:
            return False
        if not t.when:
            self.ttl = None
        if self.enc == LISTPACK_EX:
            self[field] = dict.pop(self, field)  # to the end: the TTL-less part
        return True

    def next_expire(self) -> int | None:
        """The earliest field TTL, None when no field has one."""
        t = self.ttl
        if t is None:
            return None
        tw = t.when
        if self.enc != HASHTABLE:
            for k in self:  # sorted by TTL, the volatile ones first
                return tw.get(k)
            return None
        heap = t.heap
        while heap:
            w, f = heap[0]
            if tw.get(f) == w:
                return w
            heapq.heappop(heap)
        return None

    def pop_expired(self, now: int, limit: int = -1) -> list[bytes]:
        """Remove up to `limit` (all when negative) expired fields, earliest first."""
        t = self.ttl
        out: list[bytes] = []
        if t is None:
            return out
        tw = t.when
        if self.enc != HASHTABLE:
            for k in list(self):
                w = tw.get(k)
                if w is None or w >= now or len(out) == limit:
                    break
                out.append(k)
        else:
            heap = t.heap
            while heap and heap[0][0] < now and len(out) != limit:
                w, f = heapq.heappop(heap)
                if tw.get(f) == w:
                    out.append(f)
        for k in out:
            dict.__delitem__(self, k)
            del tw[k]
        if not tw:
            self.ttl = None
        return out

    def count_expired(self, now: int) -> int:
        t = self.ttl
        if t is None:
            return 0
        return sum(1 for w in t.when.values() if w < now)

    def live_items(self, now: int) -> list[tuple[bytes, bytes]]:
        """(field, value) pairs in order, skipping expired fields (they stay)."""
        t = self.ttl
        if t is None:
            return list(self.items())
        tw = t.when
        return [(f, v) for f, v in self.items() if f not in tw or tw[f] >= now]

    def copy_hash(self) -> Hash:
        h = Hash(self.enc)
        dict.update(h, self)
        t = self.ttl
        if t is not None:
            nt = h.ttl = FieldTTL()
            nt.when = dict(t.when)
            if t.heap is not None:
                nt.heap = [(w, f) for f, w in nt.when.items()]
                heapq.heapify(nt.heap)
        return h


# --- active expiry (t_hash.c hashTypeDbActiveExpire / db->hexpires) ----------------------------

class VolatileHashes(dict):
    """db.subexpires: key -> hash indexed for active expiry. Its length is what INFO
    keyspace reports as subexpiry; deleted or replaced keys are dropped when counted,
    as dbGenericDelete takes them out of Redis's index."""

    __slots__ = ("db",)

    def __init__(self, db: Any) -> None:
        self.db = db

    def __len__(self) -> int:
        data = self.db.data
        dead = [k for k, h in dict.items(self) if data.get(k) is not h]
        for k in dead:
            dict.__delitem__(self, k)
        return dict.__len__(self)


def volatile_hashes(db: Any) -> VolatileHashes:
    sub = getattr(db, "subexpires", None)
    if type(sub) is not VolatileHashes:
        sub = VolatileHashes(db)
        try:
            db.subexpires = sub
        except AttributeError:  # a Database without the slot: keep the index privately
            pass
    sub.db = db  # it may have come with swapped contents
    return sub


class FieldExpiry:
    """The server-wide schedule of hashes with volatile fields."""

    __slots__ = ("heap", "limit", "srv", "subs")

    def __init__(self, srv: Any) -> None:
        self.srv = srv
        self.heap: list[tuple[int, int, bytes]] = []  # (due ms, db id, key); stale entries allowed
        self.limit = 1024
        self.subs: dict[int, VolatileHashes] = {}

    def sub(self, db: Any) -> VolatileHashes:
        s = self.subs.get(db.id)
        if s is None or s.db is not db or getattr(db, "subexpires", s) is not s:
            s = self.subs[db.id] = volatile_hashes(db)
        return s

    def track(self, db: Any, key: bytes, h: Hash) -> None:
        """Index (or re-index) `h`, stored at db[key], for active expiry."""
        t = h.ttl
        if t is None:
            return
        nxt = h.next_expire()
        if nxt is None:
            return
        if t.db is db and t.key == key and t.sched is not None and t.sched <= nxt:
            return
        t.db = db
        t.key = key
        t.sched = nxt
        self.sub(db)[key] = h
        heapq.heappush(self.heap, (nxt, db.id, key))
        if len(self.heap) > self.limit:
            self._compact()

    def _compact(self) -> None:
        live = []
        dbs = self.srv.dbs
        for when, dbid, key in self.heap:
            if dbid < len(dbs):
                db = dbs[dbid]
                h = db.data.get(key)
                if type(h) is Hash and h.ttl is not None and h.ttl.sched == when and h.ttl.key == key:
                    live.append((when, dbid, key))
                elif type(h) is Hash and h.ttl is None:
                    sub = self.sub(db)
                    if dict.get(sub, key) is h:
                        dict.pop(sub, key)
        heapq.heapify(live)
        self.heap = live
        self.limit = max(1024, 2 * len(live))

    def cycle(self, budget: int = 2000) -> int:
        """One slice of active field expiry: up to `budget` fields. Returns how many."""
        srv = self.srv
        if not srv.active_expire_enabled or srv.is_replica or srv.expire_paused():
            return 0
        heap = self.heap
        if not heap:
            return 0
        now = srv.mstime()
        dbs = srv.dbs
        done = 0
        while heap and heap[0][0] < now and done < budget:
            when, dbid, key = heapq.heappop(heap)
            if dbid >= len(dbs):
                continue
            db = dbs[dbid]
            sub = self.sub(db)
            h = dict.get(sub, key)
            if h is None:
                continue
            if db.data.get(key) is not h:  # deleted, renamed or replaced meanwhile
                dict.pop(sub, key, None)
                continue
            t = h.ttl
            if t is None:  # every TTL went away since it was scheduled
                dict.pop(sub, key, None)
                continue
            if t.sched != when or t.key != key or t.db is not db:
                continue  # superseded by an earlier schedule
            fields = h.pop_expired(now, budget - done)
            done += len(fields)
            if fields:
                deleted = fields_removed(db, key, h, fields)
                if deleted:
                    dict.pop(sub, key, None)
                    continue
            nxt = h.next_expire()
            if nxt is None:
                t2 = h.ttl
                if t2 is not None:
                    t2.sched = None
                dict.pop(sub, key, None)
            else:
                h.ttl.sched = nxt  # type: ignore[union-attr]
                heapq.heappush(heap, (nxt, dbid, key))
        return done


def field_expiry(srv: Any) -> FieldExpiry:
    """The server's FieldExpiry, created (and hooked into the cron) on first use."""
    fe = getattr(srv, "hash_field_expiry", None)
    if fe is None:
        fe = FieldExpiry(srv)
        srv.hash_field_expiry = fe
        srv.cron_hooks.append(fe.cycle)
    return fe


def track(db: Any, key: bytes, value: Any) -> None:
    """Index a hash with volatile fields for active expiry after it was stored at
    db[key] by something else than the hash commands (RENAME, MOVE, COPY, RESTORE, RDB
    loading). Any other value is ignored, so callers need not check the type."""
    if type(value) is Hash and value.ttl is not None:
        field_expiry(db.srv).track(db, key, value)


def reindex(db: Any) -> None:
    """Schedule again every hash listed in db.subexpires: for code that moves whole
    keyspaces between databases (SWAPDB swapping `subexpires` with the data)."""
    sub = volatile_hashes(db)
    fe = field_expiry(db.srv)
    for key, h in list(dict.items(sub)):
        if db.data.get(key) is h and h.ttl is not None:
            h.ttl.sched = None
            fe.track(db, key, h)
        else:
            dict.pop(sub, key, None)


def fields_removed(db: Any, key: bytes, h: Hash, fields: list[bytes], notify: bool = True) -> bool:
    """The side effects of expired fields just taken out of h: HDEL propagated for
    each, expired_subkeys, WATCH/tracking, 'hexpired' and, when h is now empty, the
    key deleted with 'del'. True when the key was deleted."""
    srv = db.srv
    srv.stat_expired_subkeys += len(fields)
    if srv.propagators:
        argvs = [[b"HDEL", key, f] for f in fields]
        for p in srv.propagators:
            p(db.id, argvs)
    db.signal_modified(key)
    if notify and srv.notify_mask & N.HASH:
        srv.notify(N.HASH, "hexpired", key, db.id)
    if not h:
        db.delete(key)
        if notify and srv.notify_mask & N.GENERIC:
            srv.notify(N.GENERIC, "del", key, db.id)
        return True
    return False


# --- hooks for engine/objects.py ------------------------------------------------------------

def _digest(h: Hash, d: bytearray) -> None:
    """xorObjectDigest for OBJ_HASH: XOR of per-field digests; a field with a TTL adds
    the "!!hexpire!!" marker to its own digest (whatever the time)."""
    t = h.ttl
    tw = t.when if t is not None else ()
    for f, v in h.items():
        e = bytearray(20)
        mix_digest(e, f)
        mix_digest(e, v)
        if f in tw:
            xor_digest(e, b"!!hexpire!!")
        xor_digest(d, bytes(e))


def _lp_str(n: int) -> int:
    """Bytes of a listpack string entry of length n (header, data, back-length)."""
    if n < 64:
        return n + 2
    if n < 4096:
        return n + (3 if n <= 125 else 4)
    return n + 5 + (2 if n + 5 < 16383 else 3)


def _sds(n: int) -> int:
    return n + (2 if n < 256 else 4 if n < 65536 else 8) + 1


def _memory(h: Hash, samples: int) -> int:
    """A MEMORY USAGE estimate in the spirit of objectComputeSize."""
    n = len(h)
    if h.enc != HASHTABLE:
        size = 16 + 7 + sum(_lp_str(len(f)) + _lp_str(len(v)) for f, v in h.items())
        if h.enc == LISTPACK_EX:
            size += 32 + 10 * n
        return size
    buckets = 4
    while buckets < n:
        buckets <<= 1
    size = 16 + 56 + 8 * buckets
    if not n:
        return size
    k = n if samples <= 0 else min(n, samples)
    it = iter(h.items())
    part = 0
    for _ in range(k):
        f, v = next(it)
        part += _sds(len(f)) + 16 + _sds(len(v)) + 24
    size += part * n // k
    if h.ttl is not None:
        size += 16 * len(h.ttl.when)
    return size


register_type(Hash, OBJ_HASH, copier=Hash.copy_hash, digest=_digest, memory=_memory)


ADOPTERS[Hash] = track
