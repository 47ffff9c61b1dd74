"""Typed key APIs (RedisModule_List*, Hash*, Zset*, Stream*, ScanKey), mixed into
module/key.py's `Key`.

They act on the engine's own values (engine/types/list.py, hash.py, zset.py, stream.py)
with module.c's rules:
- Failures return ERR, None (or -1 / 0 where C returns a number) and leave C's errno in
  `key.ctx.errno` (errno.EINVAL, ENOTSUP, EBADF, EDOM, ENOENT, EFBIG, ERANGE).
- Writes need a key opened with WRITE; a missing key is created on demand through
  db.add (blocked clients are told, as dbAdd does) and lists, hashes and sorted sets
  left empty are deleted (moduleDelKeyIfEmpty). Streams stay, even empty, as in Redis.
- No keyspace notification and no dirty counter: as in Redis the module sends its own
  events (ctx.notify_keyspace_event) and replicates what it wants.
- A handle keeps no dangling pointer: every call asks the keyspace for the key's value
  again, so a key deleted or replaced behind the handle (RM_Call, another handle) is
  seen as it now is and iterator state on the old value is dropped. C Redis would read
  freed memory there.
Stream IDs are (ms, seq) tuples. Neighbours: key.py (generic key API), scan.py (cursors).
"""

from __future__ import annotations

import errno as E
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from moredis.engine.types.hash import HASHTABLE, Hash, field_expiry
from moredis.engine.types.list import (
    LP_EMPTY,
    ListpackList,
    QuicklistList,
    exceeds_limit,
    lp_entry_size,
    shrink_check,
    to_quicklist,
)
from moredis.engine.types.stream import ID_MAX, LISTPACK_MAX_SIZE, MASK64, Stream
from moredis.engine.types.zset import LEX_NEG, LEX_POS, LEX_VAL, ZSet, lex_gte_min, lex_lte_max
from moredis.module import constants as K

_LISTS = (ListpackList, QuicklistList)
_LIST_ITER = object()  # key->iter after RM_ListGet: StringSet / ModuleTypeSetValue refuse
_HASH_SET_FLAGS = K.HASH_NX | K.HASH_XX | K.HASH_CFIELDS | K.HASH_COUNT_ALL
_RANGE_SCORE = 1
_RANGE_LEX = 2


def _b(x: Any) -> bytes:
    """A RedisModuleString argument: bytes, str, bytearray or memoryview (ints as text)."""
    t = type(x)
    if t is bytes:
        return x
    if t is str:
        return x.encode()
    if t is int:
        return b"%d" % x
    return bytes(x)


def _lex_item(b: bytes) -> tuple | None:
    """zslParseLexRangeItem: '[' inclusive, '(' exclusive, '-' / '+' the open ends."""
    c = b[:1]
    if c == b"+" or c == b"-":
        if len(b) > 1 and b[1] != 0:
            return None
        return (LEX_POS if c == b"+" else LEX_NEG, b"", True)
    if c == b"(":
        return (LEX_VAL, b[1:], True)
    if c == b"[":
        return (LEX_VAL, b[1:], False)
    return None


def _stream_id(i: int) -> tuple[int, int]:
    return i >> 64, i & MASK64


def _id_int(sid: Any) -> int | None:
    """(ms, seq) -> the engine's 128-bit ID; None when not a valid RedisModuleStreamID."""
    try:
        ms, seq = sid
        ms = int(ms)
        seq = int(seq)
    except (TypeError, ValueError):
        return None
    if not (0 <= ms <= MASK64 and 0 <= seq <= MASK64):
        return None
    return ms << 64 | seq


def _pairs(args: tuple) -> list | None:
    """HashSet's varargs: field, value, field, value ... or one dict / list of pairs."""
    if len(args) == 1 and not isinstance(args[0], (bytes, str, bytearray, memoryview)):
        a = args[0]
        items = list(a.items()) if isinstance(a, dict) else [tuple(p) for p in a]
        return items if all(len(p) == 2 for p in items) else None
    if len(args) % 2:
        return None
    return [(args[i], args[i + 1]) for i in range(0, len(args), 2)]


class _ZRange:
    """A sorted set range iterator (key->u.zset): kind, end-of-range flag, bounds."""

    __slots__ = ("er", "hi", "hiex", "kind", "lo", "loex", "z")

    def __init__(self, z: Any, kind: int, lo: Any = None, loex: bool = False, hi: Any = None,
                 hiex: bool = False) -> None:
        self.z = z
        self.kind = kind
        self.er = 0
        self.lo = lo
        self.loex = loex
        self.hi = hi
        self.hiex = hiex

    def lte_max(self, score: float, member: bytes) -> bool:
        if self.kind == _RANGE_SCORE:
            return score < self.hi if self.hiex else score <= self.hi
        return lex_lte_max(member, self.hi)

    def gte_min(self, score: float, member: bytes) -> bool:
        if self.kind == _RANGE_SCORE:
            return score > self.lo if self.loex else score >= self.lo
        return lex_gte_min(member, self.lo)


class _StreamIter:
    """A stream iterator: the bounds, the last ID it stood on, the current entry."""

    __slots__ = ("cur", "fields", "fpos", "hi", "lo", "pos", "rev", "stream")

    def __init__(self, s: Stream, lo: int, hi: int, rev: bool) -> None:
        self.stream = s
        self.lo = lo
        self.hi = hi
        self.rev = rev
        self.pos: int | None = None  # the last ID returned (iteration goes on from there)
        self.cur: int | None = None  # the entry NextField and Delete act on
        self.fields: tuple = ()
        self.fpos = 0


class TypedKeyMixin:
    __slots__ = ()

    # --- shared helpers ------------------------------------------------------------------
    def _errno(self, e: int) -> None:
        ctx = self.ctx  # type: ignore[attr-defined]
        if ctx is not None:
            ctx.errno = e

    def _live(self) -> Any:
        """The value under the key now; state kept for another value is dropped."""
        key: Any = self
        v = key.db.data.get(key.name)
        if v is not key.value:
            key.value = v
            key.iter = key.sit = key.zrange = key.zcurrent = None
        return v

    def _store(self, v: Any) -> None:
        """A conversion swapped the container: put the new one under the key."""
        key: Any = self
        key.db.data[key.name] = v
        key.value = v

    def _create(self, v: Any) -> Any:
        """moduleCreateEmptyKey: dbAdd (readiness signalled, 'new' event)."""
        key: Any = self
        key.db.add(key.name, v)
        key.value = v
        return v

    def _delete_empty(self) -> None:
        """moduleDelKeyIfEmpty: dbDelete, no event (the close signals the change)."""
        key: Any = self
        key.db.delete(key.name)
        key.value = None
        key.iter = key.sit = key.zrange = key.zcurrent = None

    # --- lists (F6) ----------------------------------------------------------------------
    def _list_grow(self, o: Any, nbytes: int) -> Any:
        """listTypeTryConversionAppend for one element of `nbytes` bytes."""
        if type(o) is ListpackList:
            fill = self.db.srv.config.values["list-max-listpack-size"]  # type: ignore[attr-defined]
            if exceeds_limit(fill, o.lpsz + nbytes, len(o) + 1):
                o = to_quicklist(o, fill)
                self._store(o)
        return o

    def _list_shrink(self, o: Any) -> None:
        """listTypeTryConversion(LIST_CONV_SHRINKING) after an element went away."""
        if type(o) is QuicklistList and len(o.nodes) == 1:
            n = shrink_check(o, self.db.srv.config.values["list-max-listpack-size"])  # type: ignore[attr-defined]
            if n is not o:
                self._store(n)

    def _list_seek(self, index: int, need: int) -> tuple[Any, int] | None:
        """moduleListIteratorSeek's checks: the list and the index as a position."""
        v = self._live()
        if v is None or type(v) not in _LISTS:
            self._errno(E.ENOTSUP)
            return None
        if not self.mode & need:  # type: ignore[attr-defined]
            self._errno(E.EBADF)
            return None
        n = len(v)
        if index < -n or index >= n:
            self._errno(E.EDOM)
            return None
        return v, index + n if index < 0 else index

    def list_push(self, where: int, ele: bytes | str) -> int:
        """RedisModule_ListPush: LIST_HEAD, or the tail for any other `where`."""
        if ele is None:
            self._errno(E.EINVAL)
            return K.ERR
        v = self._live()
        if v is not None and type(v) not in _LISTS:
            self._errno(E.ENOTSUP)
            return K.ERR
        if not self.mode & K.WRITE:  # type: ignore[attr-defined]
            self._errno(E.EBADF)
            return K.ERR
        key: Any = self
        key.iter = None
        ele = _b(ele)
        if v is None:
            v = self._create(ListpackList((), LP_EMPTY))
        v = self._list_grow(v, len(ele))
        if where == K.LIST_HEAD:
            v.push_head(ele)
        else:
            v.push_tail(ele)
        return K.OK

    def list_pop(self, where: int) -> bytes | None:
        """RedisModule_ListPop: the element, or None (ENOTSUP for an empty key)."""
        v = self._live()
        if v is None or type(v) not in _LISTS:
            self._errno(E.ENOTSUP)
            return None
        if not self.mode & K.WRITE:  # type: ignore[attr-defined]
            self._errno(E.EBADF)
            return None
        key: Any = self
        key.iter = None
        ele = v.pop_head() if where == K.LIST_HEAD else v.pop_tail()
        if not v:
            self._delete_empty()
        else:
            self._list_shrink(v)
        return ele

    def list_get(self, index: int) -> bytes | None:
        """RedisModule_ListGet: like LINDEX; the key must be opened with READ."""
        found = self._list_seek(index, K.READ)
        if found is None:
            return None
        v, i = found
        key: Any = self
        key.iter = _LIST_ITER
        return v[i]

    def list_set(self, index: int, value: bytes | str) -> int:
        """RedisModule_ListSet. As in Redis the listpack -> quicklist conversion check
        runs before the mode and index checks, so it may happen even on failure."""
        if value is None:
            self._errno(E.EINVAL)
            return K.ERR
        v = self._live()
        if v is None or type(v) not in _LISTS:
            self._errno(E.ENOTSUP)
            return K.ERR
        value = _b(value)
        self._list_grow(v, len(value))
        found = self._list_seek(index, K.WRITE)
        if found is None:
            return K.ERR
        v, i = found
        v.replace(i, value)
        key: Any = self
        key.iter = None
        return K.OK

    def list_insert(self, index: int, value: bytes | str) -> int:
        """RedisModule_ListInsert: `index` is the new element's index once inserted
        (negative: counted from the tail, so -1 appends). 0 or -1 on an empty key, and
        the two ends of a list, are pushes."""
        if value is None:
            self._errno(E.EINVAL)
            return K.ERR
        v = self._live()
        is_list = v is not None and type(v) in _LISTS
        if v is None and index in (0, -1):
            return self.list_push(K.LIST_TAIL, value)
        if is_list:
            n = len(v)
            if index == n or index == -1:
                return self.list_push(K.LIST_TAIL, value)
            if index == 0 or index == -n - 1:
                return self.list_push(K.LIST_HEAD, value)
        if not is_list:  # Redis 7.4 dereferences the missing list here; ENOTSUP is the seek's answer
            self._errno(E.ENOTSUP)
            return K.ERR
        value = _b(value)
        self._list_grow(v, len(value))
        found = self._list_seek(index, K.WRITE)
        if found is None:
            return K.ERR
        v, i = found
        v.insert_at(i, value, index < 0)
        key: Any = self
        key.iter = None
        return K.OK

    def list_delete(self, index: int) -> int:
        """RedisModule_ListDelete: an emptied list is deleted, a quicklist that shrank
        may become a listpack again."""
        found = self._list_seek(index, K.WRITE)
        if found is None:
            return K.ERR
        v, i = found
        if type(v) is ListpackList:
            ele = v.pop(i)
            v.lpsz -= lp_entry_size(ele)
        else:
            v._del_range(i, 1)  # quicklistDelIndex on the node layout, then the element
            del v[i]
        if not v:
            self._delete_empty()
        else:
            self._list_shrink(v)
        return K.OK

    # --- hashes (F7) -----------------------------------------------------------------------
    def _hash_visible(self, h: Hash, field: bytes, now: int) -> bool:
        """A field exists unless its TTL passed; OPEN_KEY_ACCESS_EXPIRED shows those too."""
        if field not in h:
            return False
        return not h.is_expired(field, now) or bool(self.mode & K.OPEN_KEY_ACCESS_EXPIRED)  # type: ignore[attr-defined]

    def _hash_expire_field(self, h: Hash, field: bytes) -> None:
        """hashTypeGetValue's lazy expiry with HFE_LAZY_AVOID_HASH_DEL: the field goes
        (HDEL propagated, 'hexpired'), the hash stays even if now empty."""
        key: Any = self
        db = key.db
        srv = db.srv
        if (srv.is_replica and not srv.in_script) or srv.expire_paused():
            return
        h.delete(field)
        srv.stat_expired_subkeys += 1
        if srv.propagators:
            for p in srv.propagators:
                p(db.id, [[b"HDEL", key.name, field]])
        db.signal_modified(key.name)
        db.notify(K.NOTIFY_HASH, "hexpired", key.name)

    def hash_set(self, flags: int, *args: Any) -> int:
        """RedisModule_HashSet(key, flags, field, value, ...): how many fields were updated
        or deleted (with HASH_COUNT_ALL: inserted too); HASH_DELETE as a value deletes.
        0 sets errno: EINVAL, ENOTSUP, EBADF, or ENOENT when nothing counted.
        Fields may be bytes or str whatever HASH_CFIELDS says."""
        if flags & ~_HASH_SET_FLAGS:
            self._errno(E.EINVAL)
            return 0
        pairs = _pairs(args)
        if pairs is None:
            self._errno(E.EINVAL)
            return 0
        v = self._live()
        if v is not None and type(v) is not Hash:
            self._errno(E.ENOTSUP)
            return 0
        key: Any = self
        if not key.mode & K.WRITE:
            self._errno(E.EBADF)
            return 0
        db = key.db
        srv = db.srv
        if v is None:
            v = self._create(Hash())
        elif v.ttl is not None and (v.ttl.key != key.name or v.ttl.db is not db):
            field_expiry(srv).track(db, key.name, v)
        cfg = srv.config.values
        maxe = cfg["hash-max-listpack-entries"]
        maxv = cfg["hash-max-listpack-value"]
        now = srv.mstime()
        count = 0
        for field, value in pairs:
            field = _b(field)
            if flags & (K.HASH_NX | K.HASH_XX):
                exists = self._hash_visible(v, field, now)
                if not exists and field in v and not flags & K.HASH_XX:
                    self._hash_expire_field(v, field)  # NX: the expired field is removed
                if (flags & K.HASH_XX and not exists) or (flags & K.HASH_NX and exists):
                    continue
            if value is K.HASH_DELETE:
                if v.delete(field):
                    count += 1
                continue
            value = _b(value)
            if v.enc != HASHTABLE and (len(field) > maxv or len(value) > maxv):
                v.to_hashtable()  # hashTypeTryConversion on the pair
            new = v.set_value(field, value)
            if v.enc != HASHTABLE and len(v) > maxe:
                v.to_hashtable()
            count += 1 if flags & K.HASH_COUNT_ALL or not new else 0
        if not v:
            self._delete_empty()
        if count == 0:
            self._errno(E.ENOENT)
        return count

    def hash_get(self, flags: int, *fields: bytes | str) -> list | None:
        """RedisModule_HashGet(key, flags, field, ...): one value (None when missing) per
        field, or 1/0 per field with HASH_EXISTS; None (C's ERR) for a non-hash key.
        Expired fields are missing, and stay (no lazy deletion here), unless the key
        was opened with OPEN_KEY_ACCESS_EXPIRED."""
        v = self._live()
        if v is not None and type(v) is not Hash:
            return None
        exists = flags & K.HASH_EXISTS
        out: list = []
        if v is None:
            return [0 if exists else None for _ in fields]
        now = self.db.srv.mstime()  # type: ignore[attr-defined]
        for f in fields:
            f = _b(f)
            if self._hash_visible(v, f, now):
                out.append(1 if exists else v[f])
            else:
                out.append(0 if exists else None)
        return out

    # --- sorted sets (F9) ------------------------------------------------------------------
    def _zadd(self, score: float, ele: bytes | str, flags: int, incr: bool) -> tuple[int, int, float | None]:
        """RM_ZsetAdd / RM_ZsetIncrby around t_zset.c zsetAdd."""
        key: Any = self
        if not key.mode & K.WRITE:
            return K.ERR, 0, None
        v = self._live()
        if v is not None and type(v) is not ZSet:
            return K.ERR, 0, None
        created = v is None
        if created:
            v = self._create(ZSet())
        rc, out, newscore = self._zset_add(v, float(score), _b(ele), flags, incr)
        if not v:
            # a failed add removes the key it created (moduleDelKeyIfEmpty); Redis 7.4
            # keeps an empty sorted set after an XX/NX no-op on a missing key, which
            # would leave an empty container in the keyspace: it goes too.
            self._delete_empty()
        return rc, out, newscore

    def _zset_add(self, z: ZSet, score: float, ele: bytes, flags: int,
                  incr: bool) -> tuple[int, int, float | None]:
        if score != score:
            return K.ERR, 0, None
        cur = z.scores.get(ele)
        if cur is not None:
            if flags & K.ZADD_NX:
                return K.OK, K.ZADD_NOP, None
            if incr:
                score += cur
                if score != score:
                    return K.ERR, 0, None
            if (flags & K.ZADD_LT and score >= cur) or (flags & K.ZADD_GT and score <= cur):
                return K.OK, K.ZADD_NOP, None
            if score != cur:
                z.set_score(ele, cur, score)
                return K.OK, K.ZADD_UPDATED, score
            return K.OK, 0, score
        if flags & K.ZADD_XX:
            return K.OK, K.ZADD_NOP, None
        if z.is_listpack():
            cfg = self.db.srv.config.values  # type: ignore[attr-defined]
            if len(z) + 1 > cfg["zset-max-listpack-entries"] or len(ele) > cfg["zset-max-listpack-value"]:
                z.to_skiplist()
        z.insert(ele, score)
        return K.OK, K.ZADD_ADDED, score

    def zset_add(self, score: float, ele: bytes | str, flags: int = 0) -> tuple[int, int]:
        """RedisModule_ZsetAdd: (OK, ZADD_ADDED / ZADD_UPDATED / ZADD_NOP / 0) or (ERR, 0)
        when not writable, of another type, or the score is NaN. `flags`: ZADD_XX,
        ZADD_NX, ZADD_GT, ZADD_LT."""
        rc, out, _ = self._zadd(score, ele, flags, False)
        return rc, out

    def zset_incrby(self, score: float, ele: bytes | str, flags: int = 0) -> tuple[int, int, float | None]:
        """RedisModule_ZsetIncrby: (rc, out flags, new score); the new score is None when
        nothing was done (C leaves its out-parameter untouched). ERR also when the sum
        is NaN."""
        return self._zadd(score, ele, flags, True)

    def zset_rem(self, ele: bytes | str) -> tuple[int, int]:
        """RedisModule_ZsetRem: (OK, 1 if removed else 0) or (ERR, 0)."""
        key: Any = self
        if not key.mode & K.WRITE:
            return K.ERR, 0
        v = self._live()
        if v is not None and type(v) is not ZSet:
            return K.ERR, 0
        if v is not None and v.remove(_b(ele)):
            if not v:
                self._delete_empty()
            return K.OK, 1
        return K.OK, 0

    def zset_score(self, ele: bytes | str) -> float | None:
        """RedisModule_ZsetScore: the score, or None (ERR) when missing or not a zset."""
        v = self._live()
        if v is None or type(v) is not ZSet:
            return None
        return v.scores.get(_b(ele))

    def zset_range_stop(self) -> None:
        """RedisModule_ZsetRangeStop."""
        key: Any = self
        key.zrange = key.zcurrent = None

    def zset_range_end_reached(self) -> int:
        """RedisModule_ZsetRangeEndReached: 1 when no element is left in the range."""
        v = self._live()
        if v is None or type(v) is not ZSet:
            return 1
        st = self.zrange  # type: ignore[attr-defined]
        return 1 if st is None else st.er

    def _zset_init(self, st: _ZRange, start: int, end: int, first: bool) -> int:
        key: Any = self
        key.zrange = st
        zsl = st.z.zsl
        if start < end:
            key.zcurrent = zsl[start] if first else zsl[end - 1]
        else:
            key.zcurrent = None
            st.er = 1
        return K.OK

    def _zset_score_range(self, lo: float, hi: float, loex: Any, hiex: Any, first: bool) -> int:
        v = self._live()
        if v is None or type(v) is not ZSet:
            return K.ERR
        lo = float(lo)
        hi = float(hi)
        loex = bool(loex)
        hiex = bool(hiex)
        st = _ZRange(v, _RANGE_SCORE, lo, loex, hi, hiex)
        start, end = v.score_span(lo, loex, hi, hiex)
        return self._zset_init(st, start, end, first)

    def zset_first_in_score_range(self, min: float, max: float, minex: Any = 0, maxex: Any = 0) -> int:
        """RedisModule_ZsetFirstInScoreRange: start at the lowest element within
        [min, max] (exclusive ends with minex / maxex; use POSITIVE_INFINITE and
        NEGATIVE_INFINITE for open ranges). ERR for an empty key or another type."""
        return self._zset_score_range(min, max, minex, maxex, True)

    def zset_last_in_score_range(self, min: float, max: float, minex: Any = 0, maxex: Any = 0) -> int:
        """RedisModule_ZsetLastInScoreRange: start at the highest element of the range."""
        return self._zset_score_range(min, max, minex, maxex, False)

    def _zset_lex_range(self, min: bytes | str, max: bytes | str, first: bool) -> int:
        v = self._live()
        if v is None or type(v) is not ZSet:
            return K.ERR
        key: Any = self
        lo = _lex_item(_b(min))
        hi = _lex_item(_b(max))
        if lo is None or hi is None:
            # zsetInitLexRange: the end flag was already cleared when the parse fails
            st = _ZRange(v, 0)
            key.zrange = st
            key.zcurrent = None
            return K.ERR
        st = _ZRange(v, _RANGE_LEX, lo, False, hi, False)
        start, end = v.lex_span(lo, hi, rev=not first)
        return self._zset_init(st, start, end, first)

    def zset_first_in_lex_range(self, min: bytes | str, max: bytes | str) -> int:
        """RedisModule_ZsetFirstInLexRange: bounds as ZRANGEBYLEX takes them."""
        return self._zset_lex_range(min, max, True)

    def zset_last_in_lex_range(self, min: bytes | str, max: bytes | str) -> int:
        """RedisModule_ZsetLastInLexRange."""
        return self._zset_lex_range(min, max, False)

    def _zset_position(self) -> tuple[_ZRange, int] | None:
        """The iterator and the index of its current element; an iterator whose current
        element was removed (or re-scored) meanwhile is over: no current element, end
        reached, as the newest Redis answers (7.4 reads a freed node there)."""
        v = self._live()
        if v is None or type(v) is not ZSet:
            return None
        key: Any = self
        st = key.zrange
        cur = key.zcurrent
        if st is None or not st.kind or cur is None:
            return None
        zsl = v.zsl
        i = bisect_left(zsl, cur) if type(zsl) is list else zsl.bisect_left(cur)
        if i >= len(zsl) or zsl[i] != cur or zsl[i][1] != cur[1]:
            key.zcurrent = None
            st.er = 1
            return None
        return st, i

    def zset_range_current_element(self) -> tuple[bytes, float] | None:
        """RedisModule_ZsetRangeCurrentElement: (element, score), or None when the range
        holds nothing. After the end is reached the last element stays current."""
        pos = self._zset_position()
        if pos is None:
            return None
        score, member = self.zcurrent  # type: ignore[attr-defined]
        return member, score

    def zset_range_next(self) -> int:
        """RedisModule_ZsetRangeNext: 1 when it moved to the next element in range."""
        pos = self._zset_position()
        if pos is None:
            return 0
        st, i = pos
        zsl = st.z.zsl
        if i + 1 >= len(zsl):
            st.er = 1
            return 0
        nxt = zsl[i + 1]
        if not st.lte_max(nxt[0], nxt[1]):
            st.er = 1
            return 0
        self.zcurrent = nxt  # type: ignore[attr-defined]
        return 1

    def zset_range_prev(self) -> int:
        """RedisModule_ZsetRangePrev: 1 when it moved to the previous element in range."""
        pos = self._zset_position()
        if pos is None:
            return 0
        st, i = pos
        if i == 0:
            st.er = 1
            return 0
        prv = st.z.zsl[i - 1]
        if not st.gte_min(prv[0], prv[1]):
            st.er = 1
            return 0
        self.zcurrent = prv  # type: ignore[attr-defined]
        return 1

    # --- streams (F10) -----------------------------------------------------------------------
    def stream_add(self, flags: int, id: tuple[int, int] | None, fields: Any) -> tuple[int, int] | None:
        """RedisModule_StreamAdd: XADD without trimming. `fields` is a flat sequence
        field, value, ... (or a dict, or (field, value) pairs). Returns the entry's ID
        (the one given, or the new one with STREAM_ADD_AUTOID); None on error, with
        errno EINVAL, ENOTSUP, EBADF, EDOM (ID 0-0 or not above the last), EFBIG (the
        last possible ID was used) or ERANGE (elements too large)."""
        fv = _stream_fields(fields)
        auto = flags & K.STREAM_ADD_AUTOID
        want = None if auto else _id_int(id)
        if fv is None or flags & ~K.STREAM_ADD_AUTOID or (not auto and want is None):
            self._errno(E.EINVAL)
            return None
        v = self._live()
        if v is not None and type(v) is not Stream:
            self._errno(E.ENOTSUP)
            return None
        key: Any = self
        if not key.mode & K.WRITE:
            self._errno(E.EBADF)
            return None
        if not auto and want == 0:
            self._errno(E.EDOM)
            return None
        created = v is None
        if created:
            v = self._create(Stream())
        last = v.last_id
        if last == ID_MAX:
            self._errno(E.EFBIG)
            return None
        srv = key.db.srv
        if auto:
            now = srv.mstime()
            new = now << 64 if now > last >> 64 else last + 1  # streamNextID
        else:
            new = want
        if new <= last:  # type: ignore[operator]
            self._errno(E.EDOM)
            return None
        total = 0
        for x in fv:
            total += len(x)
        if total > LISTPACK_MAX_SIZE:
            self._errno(E.ERANGE)
            return None
        cfg = srv.config.values
        v.append(new, fv, cfg["stream-node-max-bytes"], cfg["stream-node-max-entries"], total)
        if not created:
            key.signal_ready = True  # signalKeyAsReady when the key is closed
        return _stream_id(new)  # type: ignore[arg-type]

    def stream_delete(self, id: tuple[int, int]) -> int:
        """RedisModule_StreamDelete: ERR with EINVAL, ENOTSUP, EBADF (not writable, or an
        iterator is active) or ENOENT. Like Redis, neither the max deleted ID nor the
        recorded first ID (XINFO STREAM) are updated."""
        i = _id_int(id)
        if i is None:
            self._errno(E.EINVAL)
            return K.ERR
        v = self._live()
        if v is None or type(v) is not Stream:
            self._errno(E.ENOTSUP)
            return K.ERR
        key: Any = self
        if not key.mode & K.WRITE or key.iter is not None:
            self._errno(E.EBADF)
            return K.ERR
        if v.delete_entry(i):
            return K.OK
        self._errno(E.ENOENT)
        return K.ERR

    def stream_iterator_start(self, flags: int = 0, start: tuple[int, int] | None = None,
                              end: tuple[int, int] | None = None) -> int:
        """RedisModule_StreamIteratorStart: `start` / `end` None for the stream's ends;
        STREAM_ITERATOR_EXCLUSIVE leaves the bounds out, STREAM_ITERATOR_REVERSE walks
        from the end. ERR with EINVAL, ENOTSUP, EBADF (already iterating) or EDOM."""
        if flags & ~(K.STREAM_ITERATOR_EXCLUSIVE | K.STREAM_ITERATOR_REVERSE):
            self._errno(E.EINVAL)
            return K.ERR
        lo = 0 if start is None else _id_int(start)
        hi = ID_MAX if end is None else _id_int(end)
        if lo is None or hi is None:
            self._errno(E.EINVAL)
            return K.ERR
        v = self._live()
        if v is None or type(v) is not Stream:
            self._errno(E.ENOTSUP)
            return K.ERR
        key: Any = self
        if key.iter is not None:
            self._errno(E.EBADF)
            return K.ERR
        if flags & K.STREAM_ITERATOR_EXCLUSIVE:
            if (start is not None and lo == ID_MAX) or (end is not None and hi == 0):
                self._errno(E.EDOM)
                return K.ERR
            if start is not None:
                lo += 1
            if end is not None:
                hi -= 1
        st = _StreamIter(v, lo, hi, bool(flags & K.STREAM_ITERATOR_REVERSE))
        key.sit = key.iter = st
        return K.OK

    def _stream_iter(self) -> _StreamIter | None:
        v = self._live()
        if v is None or type(v) is not Stream:
            self._errno(E.ENOTSUP)
            return None
        st = self.sit  # type: ignore[attr-defined]
        if st is None:
            self._errno(E.EBADF)
        return st

    def stream_iterator_stop(self) -> int:
        """RedisModule_StreamIteratorStop."""
        if self._stream_iter() is None:
            return K.ERR
        key: Any = self
        key.sit = key.iter = None
        return K.OK

    def stream_iterator_next_id(self) -> tuple[tuple[int, int], int] | None:
        """RedisModule_StreamIteratorNextID: ((ms, seq), number of fields) of the next
        entry, or None (ENOENT at the end). Entries deleted meanwhile are skipped."""
        st = self._stream_iter()
        if st is None:
            return None
        s = st.stream
        pos = st.pos
        if st.rev:
            hi = st.hi if pos is None else pos - 1
            nxt = next(s.iter_range(st.lo, hi, True), None) if hi >= st.lo else None
        else:
            lo = st.lo if pos is None else pos + 1
            nxt = next(s.iter_range(lo, st.hi), None) if lo <= st.hi else None
        if nxt is None:
            st.cur = None
            st.fields = ()
            self._errno(E.ENOENT)
            return None
        i, vals = nxt
        st.pos = st.cur = i
        st.fields = vals
        st.fpos = 0
        return _stream_id(i), len(vals) // 2

    def stream_iterator_next_field(self) -> tuple[bytes, bytes] | None:
        """RedisModule_StreamIteratorNextField: the current entry's next (field, value),
        or None (ENOENT) when its fields are exhausted."""
        st = self._stream_iter()
        if st is None:
            return None
        j = st.fpos
        if j >= len(st.fields):
            self._errno(E.ENOENT)
            return None
        st.fpos = j + 2
        return st.fields[j], st.fields[j + 1]

    def stream_iterator_delete(self) -> int:
        """RedisModule_StreamIteratorDelete: delete the current entry (then NextField and
        a second Delete fail with ENOENT until NextID moves on)."""
        st = self._stream_iter()
        if st is None:
            return K.ERR
        key: Any = self
        if not key.mode & K.WRITE:
            self._errno(E.EBADF)
            return K.ERR
        if st.cur is None:
            self._errno(E.ENOENT)
            return K.ERR
        st.stream.delete_entry(st.cur)
        st.cur = None
        st.fields = ()
        return K.OK

    def _stream_trim(self, flags: int, maxlen: int | None, minid: int | None) -> int:
        v = self._live()
        if v is None or type(v) is not Stream:
            self._errno(E.ENOTSUP)
            return -1
        key: Any = self
        if not key.mode & K.WRITE:
            self._errno(E.EBADF)
            return -1
        approx = bool(flags & K.STREAM_TRIM_APPROX)
        limit = 100 * key.db.srv.config.values["stream-node-max-entries"] if approx else 0
        return v.trim(maxlen, minid, approx, limit)

    def stream_trim_by_length(self, flags: int, length: int) -> int:
        """RedisModule_StreamTrimByLength: like XTRIM MAXLEN (STREAM_TRIM_APPROX for ~);
        the number of entries deleted, or -1 with errno EINVAL, ENOTSUP or EBADF."""
        if flags & ~K.STREAM_TRIM_APPROX or length < 0:
            self._errno(E.EINVAL)
            return -1
        return self._stream_trim(flags, length, None)

    def stream_trim_by_id(self, flags: int, id: tuple[int, int]) -> int:
        """RedisModule_StreamTrimByID: like XTRIM MINID."""
        i = _id_int(id)
        if flags & ~K.STREAM_TRIM_APPROX or i is None:
            self._errno(E.EINVAL)
            return -1
        return self._stream_trim(flags, None, i)

    # --- scan (F36) --------------------------------------------------------------------------
    def scan_key(self, cursor: Any, callback: Any, privdata: Any = None) -> int:
        """RedisModule_ScanKey: callback(key, field, value, privdata) for the fields of a
        hash, set (value None) or sorted set (value the score as text); 1 while more
        remain, 0 at the end. See scan.py."""
        from moredis.module.scan import scan_key

        return scan_key(self, cursor, callback, privdata)


def _stream_fields(fields: Any) -> list[bytes] | None:
    if fields is None:
        return []
    if isinstance(fields, dict):
        out = []
        for f, v in fields.items():
            out.append(_b(f))
            out.append(_b(v))
        return out
    items = list(fields) if isinstance(fields, Iterable) else None
    if items is None:
        return None
    if items and isinstance(items[0], tuple):
        out = []
        for p in items:
            if len(p) != 2:
                return None
            out.append(_b(p[0]))
            out.append(_b(p[1]))
        return out
    if len(items) % 2:
        return None
    return [_b(x) for x in items]
