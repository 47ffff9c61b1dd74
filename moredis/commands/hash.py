"""Hash commands (t_hash.c), with Redis 7.4's hash field expiration (HEXPIRE family).

The value is engine/types/hash.py's `Hash` (a dict with an encoding flag and, when some
field has a TTL, a side map of field expire times). Expired fields are never returned:
commands reading a field remove it on the spot ('hexpired', HDEL propagated, 'del' when
the hash empties), as hashTypeGetValue does; HGETALL, HKEYS, HVALS and HSCAN skip them
without removing; HLEN still counts them; HRANDFIELD first removes all of them. The
server cron removes them actively (engine/types/hash.py FieldExpiry).
Encodings convert at hash-max-listpack-entries / hash-max-listpack-value, at the same
points as Redis (hashTypeTryConversion on the arguments, then on growth).
Neighbours: engine/types/hash.py, engine/scan.py (HSCAN), commands/string.py (string2ld).
"""

from __future__ import annotations

import random
from itertools import islice
from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.commands.string import string2ld
from moredis.commands.util import cstr_lower, parse_scan_options
from moredis.engine import notify as N
from moredis.engine.scan import parse_cursor, scanner_for
from moredis.engine.types.hash import (
    EXPIRE_TIME_MAX,
    HASHTABLE,
    LISTPACK,
    LISTPACK_EX,
    Hash,
    field_expiry,
    fields_removed,
)
from moredis.errors import WRONGTYPE, RedisError
from moredis.numbers import LLONG_MAX, LLONG_MIN, ld2string_human, ld_add, ld_is_finite, parse_int, string2ll

HASH_NOT_INTEGER = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"
INCR_NAN_OR_INF = "ERR value is NaN or Infinity"
FIELDS_MISSING = "ERR Mandatory argument FIELDS is missing or not at the right position"
NUMFIELDS_MISMATCH = "ERR The `numfields` parameter must match the number of arguments"
NUMFIELDS_EXPIRE = "ERR Parameter `numFields` should be greater than 0"
NUMFIELDS_QUERY = "ERR Number of fields must be a positive integer"
EXPIRE_NEGATIVE = "ERR invalid expire time, must be >= 0"
COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
WITHVALUES_RANGE = "ERR value is out of range"

# HEXPIRE replies per field (hashTypeSetEx) and conditions
NO_FIELD, NO_CONDITION, OK, DELETED = -2, 0, 1, 2
COND_NX, COND_XX, COND_GT, COND_LT = 1, 2, 3, 4
_CONDS = {b"nx": COND_NX, b"xx": COND_XX, b"gt": COND_GT, b"lt": COND_LT}


# --- lookups --------------------------------------------------------------------------------
def _read(c: Any, key: bytes) -> Hash | None:
    """lookupKeyRead plus the type check; re-indexes a hash moved here with its TTLs."""
    db = c.db
    h = db.lookup_read(key)
    if h is None:
        return None
    if type(h) is not Hash:
        raise RedisError(WRONGTYPE)
    t = h.ttl
    if t is not None and (t.key != key or t.db is not db):
        field_expiry(c.srv).track(db, key, h)
    return h


def _write(c: Any, key: bytes) -> Hash | None:
    db = c.db
    h = db.lookup_write(key)
    if h is None:
        return None
    if type(h) is not Hash:
        raise RedisError(WRONGTYPE)
    t = h.ttl
    if t is not None and (t.key != key or t.db is not db):
        field_expiry(c.srv).track(db, key, h)
    return h


def _write_or_create(c: Any, key: bytes) -> Hash:
    """hashTypeLookupWriteOrCreate: an empty hash is added before anything is written."""
    h = _write(c, key)
    if h is None:
        h = Hash()
        c.db.add(key, h)
    return h


def _expire_field(c: Any, key: bytes, h: Hash, field: bytes, notify: bool = True) -> int:
    """hashTypeGetValue's lazy expiry of a field found expired: 1 when removed (or only
    hidden, on a replica or while expiry is paused), 2 when the hash went with it."""
    srv = c.srv
    if (srv.is_replica and not srv.in_script) or srv.expire_paused():
        return 1
    h.delete(field)
    return 2 if fields_removed(c.db, key, h, [field], notify) else 1


def _expire_all(c: Any, key: bytes, h: Hash) -> bool:
    """hashTypeExpireIfNeeded: remove every expired field ('hexpired' once); True when
    the hash is gone."""
    srv = c.srv
    if (srv.is_replica and not srv.in_script) or srv.expire_paused():
        return False
    fields = h.pop_expired(srv.mstime())
    if not fields:
        return False
    return fields_removed(c.db, key, h, fields)


# --- writing values ---------------------------------------------------------------------
def _try_conversion(c: Any, h: Hash, argv: list[bytes], start: int) -> None:
    """hashTypeTryConversion: more new pairs than hash-max-listpack-entries, or any
    argument longer than hash-max-listpack-value, makes a hashtable up front."""
    vals = c.srv.config.values
    if (len(argv) - start) // 2 > vals["hash-max-listpack-entries"]:
        h.to_hashtable()
        return
    maxv = vals["hash-max-listpack-value"]
    for i in range(start, len(argv)):
        if len(argv[i]) > maxv:
            h.to_hashtable()
            return


def _set_one(c: Any, h: Hash, field: bytes, value: bytes, keepttl: bool) -> None:
    """hashTypeSet for one field, with its own listpack limits (the HINCRBY* path)."""
    if h.enc != HASHTABLE:
        vals = c.srv.config.values
        maxv = vals["hash-max-listpack-value"]
        if len(field) > maxv or len(value) > maxv:
            h.to_hashtable()
        else:
            h.set_value(field, value, keepttl)
            if len(h) > vals["hash-max-listpack-entries"]:
                h.to_hashtable()
            return
    h.set_value(field, value, keepttl)


def _modified(c: Any, key: bytes, event: str, dirty: int) -> None:
    db = c.db
    srv = c.srv
    db.signal_modified(key)
    if srv.notify_mask & N.HASH:
        srv.notify(N.HASH, event, key, db.id)
    srv.dirty += dirty


def hset_generic(c: Any, argv: list[bytes]) -> int:
    """hsetCommand's body: how many fields are new. Every pair counts as a change.
    The hottest hash path, so the lookup and hashTypeTryConversion are inlined."""
    n = len(argv)
    if n & 1:
        raise E.wrong_arity(c.cmd.fullname if c.cmd is not None else "hset")
    key = argv[1]
    db = c.db
    srv = c.srv
    h = db.lookup_write(key)
    if h is None:
        h = Hash()
        db.add(key, h)
    elif type(h) is not Hash:
        raise RedisError(WRONGTYPE)
    elif h.ttl is not None and (h.ttl.key != key or h.ttl.db is not db):
        field_expiry(srv).track(db, key, h)
    if h.enc != HASHTABLE:
        vals = srv.config.values
        maxe = vals["hash-max-listpack-entries"]
        if (n - 2) >> 1 > maxe:
            h.to_hashtable()
        else:
            maxv = vals["hash-max-listpack-value"]
            for a in argv[2:]:
                if len(a) > maxv:
                    h.to_hashtable()
                    break
    created = 0
    if h.ttl is None:
        for i in range(2, n, 2):
            f = argv[i]
            if f not in h:
                created += 1
            h[f] = argv[i + 1]
    else:
        sv = h.set_value
        for i in range(2, n, 2):
            if sv(argv[i], argv[i + 1]):
                created += 1
    if h.enc != HASHTABLE and len(h) > maxe:  # checked after updates too, as hashTypeSet does
        h.to_hashtable()
    if db.watched or srv.tracking_table is not None:
        db.signal_modified(key)
    if srv.notify_mask & N.HASH:
        srv.notify(N.HASH, "hset", key, db.id)
    srv.dirty += (n - 2) >> 1
    return created


@command("hset")
def hset_command(c: Any, argv: list[bytes]) -> None:
    """HSET key field value [field value ...]: the number of new fields."""
    c.w.integer(hset_generic(c, argv))


@command("hmset")
def hmset_command(c: Any, argv: list[bytes]) -> None:
    """HMSET key field value [field value ...]: HSET answering OK."""
    hset_generic(c, argv)
    c.w.ok()


@command("hsetnx")
def hsetnx_command(c: Any, argv: list[bytes]) -> None:
    """HSETNX key field value: an expired field counts as absent (removed first)."""
    key, field = argv[1], argv[2]
    h = _write_or_create(c, key)
    if field in h:
        if h.ttl is None or not h.is_expired(field, c.srv.mstime()):
            c.w.integer(0)
            return
        if _expire_field(c, key, h, field) == 2:
            h = Hash()
            c.db.add(key, h)
    _try_conversion(c, h, argv, 2)
    _set_one(c, h, field, argv[3], False)
    c.w.integer(1)
    _modified(c, key, "hset", 1)


@command("hget")
def hget_command(c: Any, argv: list[bytes]) -> None:
    """HGET key field"""
    h = c.db.lookup_read(argv[1])
    if h is None:
        c.w.null()
        return
    if type(h) is not Hash:
        raise RedisError(WRONGTYPE)
    f = argv[2]
    v = h.get(f)
    if v is None:
        c.w.null()
    elif h.ttl is None:
        c.w.bulk(v)
    else:
        t = h.ttl
        if t.key != argv[1] or t.db is not c.db:
            field_expiry(c.srv).track(c.db, argv[1], h)
        if h.is_expired(f, c.srv.mstime()) and _expire_field(c, argv[1], h, f):
            c.w.null()
        else:
            c.w.bulk(v)


@command("hmget")
def hmget_command(c: Any, argv: list[bytes]) -> None:
    """HMGET key field [field ...]: expired fields go silently, then one 'hexpired'
    (and 'del' when the hash went) for the lot, as hmgetCommand does."""
    key = argv[1]
    h = _read(c, key)
    w = c.w
    w.array(len(argv) - 2)
    if h is None:
        for _ in range(len(argv) - 2):
            w.null()
        return
    if h.ttl is None:
        get = h.get
        for f in argv[2:]:
            v = get(f)
            if v is None:
                w.null()
            else:
                w.bulk(v)
        return
    now = c.srv.mstime()
    expired = deleted = 0
    for f in argv[2:]:
        if deleted:
            w.null()
            continue
        v = h.get(f)
        if v is not None and h.is_expired(f, now):
            if _expire_field(c, key, h, f, notify=False) == 2:
                deleted = 1
            else:
                expired += 1
            v = None
        if v is None:
            w.null()
        else:
            w.bulk(v)
    if expired:
        db = c.db
        db.notify(N.HASH, "hexpired", key)
        if deleted:
            db.notify(N.GENERIC, "del", key)


def _field_value(c: Any, key: bytes, h: Hash, f: bytes) -> bytes | None:
    v = h.get(f)
    if v is not None and h.ttl is not None and h.is_expired(f, c.srv.mstime()):
        _expire_field(c, key, h, f)
        return None
    return v


@command("hexists")
def hexists_command(c: Any, argv: list[bytes]) -> None:
    """HEXISTS key field"""
    h = _read(c, argv[1])
    c.w.integer(0 if h is None or _field_value(c, argv[1], h, argv[2]) is None else 1)


@command("hstrlen")
def hstrlen_command(c: Any, argv: list[bytes]) -> None:
    """HSTRLEN key field"""
    h = _read(c, argv[1])
    v = None if h is None else _field_value(c, argv[1], h, argv[2])
    c.w.integer(0 if v is None else len(v))


@command("hlen")
def hlen_command(c: Any, argv: list[bytes]) -> None:
    """HLEN key: expired fields not yet removed still count, as in Redis."""
    h = _read(c, argv[1])
    c.w.integer(0 if h is None else len(h))


@command("hdel")
def hdel_command(c: Any, argv: list[bytes]) -> None:
    """HDEL key field [field ...]: expired fields count as deleted ones."""
    key = argv[1]
    h = _write(c, key)
    if h is None:
        c.w.integer(0)
        return
    deleted = 0
    removed = False
    db = c.db
    for f in argv[2:]:
        if h.delete(f):
            deleted += 1
            if not h:
                db.delete(key)
                removed = True
                break
    if deleted:
        _modified(c, key, "hdel", deleted)
        if removed:
            db.notify(N.GENERIC, "del", key)
    c.w.integer(deleted)


def _getall(c: Any, key: bytes, keys: bool, values: bool) -> None:
    """genericHgetallCommand: a map for HGETALL (flat in RESP2), arrays otherwise."""
    h = _read(c, key)
    w = c.w
    both = keys and values
    if h is None:
        if both:
            w.map(0)
        else:
            w.array(0)
        return
    bulk = w.bulk
    if h.ttl is None:
        if both:
            w.map(len(h))
            for f, v in h.items():
                bulk(f)
                bulk(v)
        else:
            w.array(len(h))
            for x in (h if keys else h.values()):
                bulk(x)
        return
    items = h.live_items(c.srv.mstime())
    if both:
        w.map(len(items))
        for f, v in items:
            bulk(f)
            bulk(v)
    else:
        w.array(len(items))
        i = 0 if keys else 1
        for it in items:
            bulk(it[i])


@command("hgetall")
def hgetall_command(c: Any, argv: list[bytes]) -> None:
    """HGETALL key"""
    _getall(c, argv[1], True, True)


@command("hkeys")
def hkeys_command(c: Any, argv: list[bytes]) -> None:
    """HKEYS key"""
    _getall(c, argv[1], True, False)


@command("hvals")
def hvals_command(c: Any, argv: list[bytes]) -> None:
    """HVALS key"""
    _getall(c, argv[1], False, True)


# --- HINCRBY, HINCRBYFLOAT ----------------------------------------------------------------
def _current(c: Any, key: bytes, h: Hash, field: bytes) -> tuple[Hash, bytes | None]:
    """The field's live value; an expired one is removed first, and if that emptied the
    hash a new one takes its place (hincrbyCommand's GETF_EXPIRED_HASH path)."""
    v = h.get(field)
    if v is not None and h.ttl is not None and h.is_expired(field, c.srv.mstime()):
        v = None
        if _expire_field(c, key, h, field) == 2:
            h = Hash()
            c.db.add(key, h)
    return h, v


@command("hincrby")
def hincrby_command(c: Any, argv: list[bytes]) -> None:
    """HINCRBY key field increment: the field keeps its TTL."""
    incr = parse_int(argv[3])
    key, field = argv[1], argv[2]
    h, v = _current(c, key, _write_or_create(c, key), field)
    if v is None:
        cur = 0
    else:
        cur = string2ll(v)
        if cur is None:
            raise RedisError(HASH_NOT_INTEGER)
    new = cur + incr
    if new > LLONG_MAX or new < LLONG_MIN:
        raise RedisError(E.OVERFLOW)
    _set_one(c, h, field, b"%d" % new, True)
    c.w.integer(new)
    _modified(c, key, "hincrby", 1)


@command("hincrbyfloat")
def hincrbyfloat_command(c: Any, argv: list[bytes]) -> None:
    """HINCRBYFLOAT key field increment: long double arithmetic printed like
    INCRBYFLOAT; replicated as HSET key field <result>, as Redis does."""
    incr = string2ld(argv[3])
    if not ld_is_finite(incr):
        raise RedisError(INCR_NAN_OR_INF)
    key, field = argv[1], argv[2]
    h, v = _current(c, key, _write_or_create(c, key), field)
    if v is None:
        cur = string2ld(b"0")
    else:
        try:
            cur = string2ld(v)
        except RedisError:
            raise RedisError(HASH_NOT_FLOAT) from None
    new = ld_add(cur, incr)
    if not ld_is_finite(new):
        raise RedisError(E.NAN_OR_INF)
    out = ld2string_human(new)
    _set_one(c, h, field, out, True)
    c.w.bulk(out)
    _modified(c, key, "hincrbyfloat", 1)
    c.srv.rewrite_propagation([[b"HSET", key, field, out]])


# --- HRANDFIELD -------------------------------------------------------------------------
@command("hrandfield")
def hrandfield_command(c: Any, argv: list[bytes]) -> None:
    """HRANDFIELD key [count [WITHVALUES]]: expired fields are removed first."""
    n = len(argv)
    if n >= 3:
        count = parse_int(argv[2])
        if count == LLONG_MIN:
            raise RedisError(COUNT_RANGE)
        withvalues = False
        if n > 4 or (n == 4 and cstr_lower(argv[3]) != b"withvalues"):
            raise RedisError(E.SYNTAX)
        if n == 4:
            withvalues = True
            if count < -(LLONG_MAX // 2) or count > LLONG_MAX // 2:
                raise RedisError(WITHVALUES_RANGE)
        _hrandfield_count(c, argv[1], count, withvalues)
        return
    key = argv[1]
    h = _read(c, key)
    if h is None or (h.ttl is not None and _expire_all(c, key, h)):
        c.w.null()
        return
    c.w.bulk(next(islice(h, random.randrange(len(h)), None)))  # a dict has no O(1) pick


def _hrandfield_count(c: Any, key: bytes, count: int, withvalues: bool) -> None:
    """hrandfieldWithCountCommand: a negative count may repeat fields; a positive one
    gives distinct fields, the whole hash when it is not bigger than count."""
    h = _read(c, key)
    w = c.w
    if h is None or (h.ttl is not None and _expire_all(c, key, h)) or count == 0:
        w.array(0)
        return
    resp3 = w.resp != 2
    size = len(h)
    if count < 0 or count == 1:
        n = -count if count < 0 else 1
        keys = list(h)
        picks = [keys[random.randrange(size)] for _ in range(n)] if size > 1 else keys * n
    elif count >= size:
        picks = list(h)
        n = size
    else:
        n = count
        if h.enc == HASHTABLE:
            picks = random.sample(list(h), n)
        else:  # lpRandomPairsUnique: distinct fields, in listpack order
            keys = list(h)
            picks = [keys[i] for i in sorted(random.sample(range(size), n))]
    bulk = w.bulk
    if not withvalues:
        w.array(n)
        for f in picks:
            bulk(f)
        return
    if resp3:
        w.array(n)
        for f in picks:
            w.array(2)
            bulk(f)
            bulk(h[f])
    else:
        w.array(2 * n)
        for f in picks:
            bulk(f)
            bulk(h[f])


# --- HSCAN ----------------------------------------------------------------------------------
@command("hscan")
def hscan_command(c: Any, argv: list[bytes]) -> None:
    """HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]: a listpack comes back
    whole with cursor 0; expired fields are skipped (not removed)."""
    cursor = parse_cursor(argv[2])
    h = _read(c, argv[1])
    w = c.w
    if h is None:
        w.array(2)
        w.bulk(b"0")
        w.array(0)
        return
    count, match, _, novalues = parse_scan_options(argv, 3, hash_novalues=True)
    t = h.ttl
    now = c.srv.mstime()
    if h.enc != HASHTABLE:
        nxt = 0
        fields = list(h) if t is None else [f for f, _ in h.live_items(now)]
    else:
        if t is None:
            alive = h.__contains__
        else:
            tw = t.when

            def alive(f: bytes) -> bool:
                return f in h and (f not in tw or tw[f] >= now)

        nxt, fields = scanner_for(c.srv).scan(cursor, lambda: list(h), count, alive, h)
    if match is not None:
        fields = [f for f in fields if match(f)]
    w.array(2)
    w.bulk(b"%d" % nxt)
    bulk = w.bulk
    if novalues:
        w.array(len(fields))
        for f in fields:
            bulk(f)
    else:
        w.array(2 * len(fields))
        for f in fields:
            bulk(f)
            bulk(h[f])


# --- field expiration: HEXPIRE family, HTTL family, HPERSIST --------------------------------
def _fields(argv: list[bytes], at: int, numerr: str) -> list[bytes]:
    """FIELDS numfields field [field ...] starting with FIELDS at argv[at - 1]."""
    if cstr_lower(argv[at - 1]) != b"fields":
        raise RedisError(FIELDS_MISSING)
    n = parse_int(argv[at], numerr)
    if n < 1:
        raise RedisError(numerr)
    if n != len(argv) - at - 1:
        raise RedisError(NUMFIELDS_MISMATCH)
    return argv[at + 1:]


def hexpire_generic(c: Any, argv: list[bytes], seconds: bool, absolute: bool) -> None:
    """hexpireGenericCommand: per field -2 (no such field), 0 (condition not met),
    1 (TTL set) or 2 (deleted: the time is already past). Replicated as HPEXPIREAT
    with the absolute time, or as HDELs when fields were only deleted."""
    key = argv[1]
    h = _write(c, key)
    srv = c.srv
    name = c.cmd.fullname if c.cmd is not None else "hexpire"
    expire = parse_int(argv[2])
    if expire < 0:
        raise RedisError(EXPIRE_NEGATIVE)
    if seconds:
        if expire > EXPIRE_TIME_MAX // 1000:
            raise RedisError(E.INVALID_EXPIRE.format(name))
        expire *= 1000
    now = srv.mstime()
    base = 0 if absolute else now
    if expire > EXPIRE_TIME_MAX - base:
        raise RedisError(E.INVALID_EXPIRE.format(name))
    expire += base
    cond = _CONDS.get(cstr_lower(argv[3]), 0)
    fields = _fields(argv, 5 if cond else 4, NUMFIELDS_EXPIRE)
    w = c.w
    w.array(len(fields))
    if h is None:
        for _ in fields:
            w.integer(NO_FIELD)
        return
    if h.enc == LISTPACK:
        h.enc = LISTPACK_EX  # hashTypeSetExInit converts even when nothing gets a TTL
    updated = 0
    deleted: list[bytes] = []
    for f in fields:
        if f not in h:
            w.integer(NO_FIELD)
            continue
        prev = h.get_ttl(f)
        if cond:
            if ((cond == COND_NX and prev != -1) or (cond == COND_XX and prev == -1)
                    or (cond == COND_GT and (prev == -1 or expire <= prev))
                    or (cond == COND_LT and prev != -1 and expire >= prev)):
                w.integer(NO_CONDITION)
                continue
        if expire <= now:  # checkAlreadyExpired
            h.delete(f)
            deleted.append(f)
            w.integer(DELETED)
            continue
        h.set_ttl(f, expire)
        updated += 1
        w.integer(OK)
    if not updated and not deleted:
        return
    db = c.db
    srv.dirty += updated + len(deleted)
    db.signal_modified(key)
    db.notify(N.HASH, "hdel" if deleted else "hexpire", key)
    if not h:
        db.delete(key)
        db.notify(N.GENERIC, "del", key)
    elif h.ttl is not None:
        field_expiry(srv).track(db, key, h)
    if updated:
        if not (absolute and not seconds):
            prop = list(argv)
            prop[0] = b"HPEXPIREAT"
            prop[2] = b"%d" % expire
            srv.rewrite_propagation([prop])
    else:
        srv.rewrite_propagation([[b"HDEL", key, f] for f in deleted])


@command("hexpire")
def hexpire_command(c: Any, argv: list[bytes]) -> None:
    """HEXPIRE key seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]"""
    hexpire_generic(c, argv, True, False)


@command("hpexpire")
def hpexpire_command(c: Any, argv: list[bytes]) -> None:
    """HPEXPIRE key milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]"""
    hexpire_generic(c, argv, False, False)


@command("hexpireat")
def hexpireat_command(c: Any, argv: list[bytes]) -> None:
    """HEXPIREAT key unix-time-seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]"""
    hexpire_generic(c, argv, True, True)


@command("hpexpireat")
def hpexpireat_command(c: Any, argv: list[bytes]) -> None:
    """HPEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]"""
    hexpire_generic(c, argv, False, True)


TTL_SECONDS, TTL_MS, TIME_SECONDS, TIME_MS = 0, 1, 2, 3


def httl_generic(c: Any, argv: list[bytes], kind: int) -> None:
    """httlGenericCommand: per field -2 (missing or already expired; nothing is
    removed), -1 (no TTL), else the TTL or expire time, seconds rounded up."""
    h = _read(c, argv[1])
    fields = _fields(argv, 3, NUMFIELDS_QUERY)
    w = c.w
    w.array(len(fields))
    if h is None:
        for _ in fields:
            w.integer(NO_FIELD)
        return
    now = c.srv.mstime()
    for f in fields:
        if f not in h:
            w.integer(NO_FIELD)
            continue
        when = h.get_ttl(f)
        if when == -1:
            w.integer(-1)
        elif when < now:
            w.integer(NO_FIELD)
        elif kind == TTL_SECONDS:
            w.integer((when - now + 999) // 1000)
        elif kind == TTL_MS:
            w.integer(when - now)
        elif kind == TIME_SECONDS:
            w.integer((when + 999) // 1000)
        else:
            w.integer(when)


@command("httl")
def httl_command(c: Any, argv: list[bytes]) -> None:
    """HTTL key FIELDS numfields field [field ...]"""
    httl_generic(c, argv, TTL_SECONDS)


@command("hpttl")
def hpttl_command(c: Any, argv: list[bytes]) -> None:
    """HPTTL key FIELDS numfields field [field ...]"""
    httl_generic(c, argv, TTL_MS)


@command("hexpiretime")
def hexpiretime_command(c: Any, argv: list[bytes]) -> None:
    """HEXPIRETIME key FIELDS numfields field [field ...]"""
    httl_generic(c, argv, TIME_SECONDS)


@command("hpexpiretime")
def hpexpiretime_command(c: Any, argv: list[bytes]) -> None:
    """HPEXPIRETIME key FIELDS numfields field [field ...]"""
    httl_generic(c, argv, TIME_MS)


@command("hpersist")
def hpersist_command(c: Any, argv: list[bytes]) -> None:
    """HPERSIST key FIELDS numfields field [field ...]: per field -2 (missing or already
    expired), -1 (no TTL) or 1; dirty grows by one whatever the number persisted."""
    key = argv[1]
    h = _write(c, key)
    fields = _fields(argv, 3, NUMFIELDS_QUERY)
    w = c.w
    w.array(len(fields))
    if h is None:
        for _ in fields:
            w.integer(NO_FIELD)
        return
    now = c.srv.mstime()
    changed = False
    for f in fields:
        if f not in h:
            w.integer(NO_FIELD)
            continue
        when = h.get_ttl(f)
        if when == -1:
            w.integer(-1)
        elif when < now:
            w.integer(NO_FIELD)
        else:
            h.persist(f)
            changed = True
            w.integer(1)
    if changed:
        _modified(c, key, "hpersist", 1)
