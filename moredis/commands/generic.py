"""Keyspace commands (db.c, expire.c, object.c): DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN,
RANDOMKEY, RENAME, RENAMENX, MOVE, COPY, the EXPIRE family, TTL and friends, PERSIST,
TOUCH, OBJECT.

They work on any value type through engine/objects.py (type_name, encoding,
copy_value). Every change signals the key (WATCH, client tracking) and sends the
keyspace event Redis sends. Neighbours: engine/keyspace.py (the database operations),
engine/scan.py (SCAN cursors), util/glob.py (KEYS and SCAN MATCH).
"""

from __future__ import annotations

import random
from itertools import islice
from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.commands.util import cstr, cstr_lower, parse_scan_options
from moredis.engine import notify as N
from moredis.engine.keyspace import LOOKUP_NONOTIFY, LOOKUP_NOTOUCH
from moredis.engine.objects import adopted, copy_value, encoding, type_name
from moredis.engine.scan import parse_cursor, scanner_for
from moredis.errors import RedisError
from moredis.numbers import LLONG_MAX, parse_int
from moredis.util.glob import compile_glob

INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647"
MOVE_IN_CLUSTER = "ERR MOVE is not allowed in cluster mode"
COPY_IN_CLUSTER = "ERR Copying to another database is not allowed in cluster mode"
COPY_NOT_SUPPORTED = "ERR not supported for this module key"
EXPIRE_NX_CONFLICT = "ERR NX and XX, GT or LT options at the same time are not compatible"
EXPIRE_GT_LT_CONFLICT = "ERR GT and LT options at the same time are not compatible"
LFU_NOT_SELECTED = (
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time "
    "to adjust."
)
LFU_SELECTED = (
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust."
)
SHARED_REFCOUNT = 2147483647  # OBJ_SHARED_REFCOUNT: the shared integers 0..9999
SHARED_INTEGERS = 10000


def _db_index(srv: Any, arg: bytes) -> Any:
    """getIntFromObjectOrReply then selectDb: the target Database or Redis's error."""
    n = parse_int(arg)
    if n < -(1 << 31) or n >= 1 << 31:
        raise RedisError(INT_RANGE)
    if n < 0 or n >= len(srv.dbs):
        raise RedisError(E.INVALID_DB)
    return srv.dbs[n]


# --- DEL, UNLINK, EXISTS, TYPE, TOUCH ------------------------------------------------------
def del_generic(c: Any, argv: list[bytes]) -> None:
    """delGenericCommand: an expired key is expired (event 'expired'), not deleted."""
    db = c.db
    srv = c.srv
    n = 0
    for key in argv[1:]:
        if db.exists(key) and db.delete(key):
            db.signal_modified(key)
            if srv.notify_mask & N.GENERIC:
                srv.notify(N.GENERIC, "del", key, db.id)
            n += 1
    srv.dirty += n
    c.w.integer(n)


@command("del")
def del_command(c: Any, argv: list[bytes]) -> None:
    """DEL key [key ...]"""
    del_generic(c, argv)


@command("unlink")
def unlink_command(c: Any, argv: list[bytes]) -> None:
    """UNLINK key [key ...]: DEL whose freeing Redis does in a thread; same replies."""
    del_generic(c, argv)


@command("exists")
def exists_command(c: Any, argv: list[bytes]) -> None:
    """EXISTS key [key ...]: a key named twice counts twice."""
    db = c.db
    n = 0
    for key in argv[1:]:
        if db.lookup(key, LOOKUP_NOTOUCH) is not None:
            n += 1
    c.w.integer(n)


@command("type")
def type_command(c: Any, argv: list[bytes]) -> None:
    """TYPE key: a status reply; module values answer their type's name."""
    v = c.db.lookup(argv[1], LOOKUP_NOTOUCH)
    c.w.simple(b"none" if v is None else type_name(v).encode())


@command("touch")
def touch_command(c: Any, argv: list[bytes]) -> None:
    """TOUCH key [key ...]: a read lookup of each key (LRU/LFU, hits and misses)."""
    db = c.db
    n = 0
    for key in argv[1:]:
        if db.lookup_read(key) is not None:
            n += 1
    c.w.integer(n)


# --- KEYS, SCAN, RANDOMKEY ---------------------------------------------------------------
@command("keys")
def keys_command(c: Any, argv: list[bytes]) -> None:
    """KEYS pattern: logically expired keys are left out but not deleted (keyIsExpired)."""
    pat = argv[1]
    db = c.db
    data = db.data
    expires = db.expires
    w = c.w
    allkeys = pat == b"*"
    if allkeys and not expires:
        w.array(len(data))
        for k in data:
            w.bulk(k)
        return
    match = None if allkeys else compile_glob(pat)
    if expires and not c.srv.loading:
        now = c.srv.mstime()
        get = expires.get
        out = [k for k in data if (match is None or match(k)) and not get(k, now) < now]
    else:
        out = [k for k in data if match(k)] if match is not None else list(data)
    w.array(len(out))
    for k in out:
        w.bulk(k)


@command("scan")
def scan_command(c: Any, argv: list[bytes]) -> None:
    """SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]

    Elements filtered by MATCH and TYPE still count toward COUNT. A key found expired is
    expired now (expireIfNeeded), as Redis does for the keys it is about to return."""
    cursor = parse_cursor(argv[1])
    count, match, want, _ = parse_scan_options(argv, 2, keyspace=True)
    db = c.db
    data = db.data
    expires = db.expires

    def keep(k: bytes) -> bool:
        v = data.get(k)
        if v is None:
            return False
        if want is not None and type_name(v).lower() != want:
            return False
        if match is not None and not match(k):
            return False
        if expires and k in expires:
            return db.exists(k)
        return True

    nxt, keys = scanner_for(c.srv).scan(cursor, data.keys, count, keep, db)
    w = c.w
    w.array(2)
    w.bulk(b"%d" % nxt)
    w.array(len(keys))
    for k in keys:
        w.bulk(k)


@command("randomkey")
def randomkey_command(c: Any, argv: list[bytes]) -> None:
    """RANDOMKEY: dbRandomKey. An expired pick is expired and another one drawn; where
    expiry cannot delete (replica, paused) and every key is volatile, it gives up after
    100 tries and returns a possibly expired name, as Redis does."""
    db = c.db
    data = db.data
    srv = c.srv
    keys: list[bytes] | None = None
    tries = 100
    while data:
        if keys is None:
            k = next(islice(data, random.randrange(len(data)), None))
        else:
            j = random.randrange(len(keys))
            k = keys[j]
            if k not in data:  # expired by an earlier try: forget it
                keys[j] = keys[-1]
                keys.pop()
                continue
        expires = db.expires
        if expires and k in expires:
            if len(expires) == len(data) and (srv.is_replica or srv.expire_paused()):
                tries -= 1
                if tries == 0:
                    c.w.bulk(k)
                    return
            if not db.exists(k):
                if keys is None:
                    keys = list(data)
                continue
        c.w.bulk(k)
        return
    c.w.null()


# --- RENAME, RENAMENX, MOVE, COPY ----------------------------------------------------------
def rename_generic(c: Any, argv: list[bytes], nx: bool) -> None:
    """renameGenericCommand: the value keeps its TTL and LRU/LFU clock."""
    src, dst = argv[1], argv[2]
    db = c.db
    v = db.lookup_write(src)
    if v is None:
        raise RedisError(E.NO_SUCH_KEY)
    if src == dst:
        if nx:
            c.w.integer(0)
        else:
            c.w.ok()
        return
    when = db.get_expire(src)
    if db.lookup_write(dst) is not None:
        if nx:
            c.w.integer(0)
            return
        db.delete(dst)
    acc = db.access.get(src)
    db.add(dst, v)
    if acc is not None:
        db.access[dst] = acc
    if when != -1:
        db.set_expire(dst, when)
    adopted(db, dst, v)
    db.delete(src)
    db.signal_modified(src)
    db.signal_modified(dst)
    srv = c.srv
    if srv.notify_mask & N.GENERIC:
        srv.notify(N.GENERIC, "rename_from", src, db.id)
        srv.notify(N.GENERIC, "rename_to", dst, db.id)
    srv.dirty += 1
    if nx:
        c.w.integer(1)
    else:
        c.w.ok()


@command("rename")
def rename_command(c: Any, argv: list[bytes]) -> None:
    """RENAME key newkey"""
    rename_generic(c, argv, False)


@command("renamenx")
def renamenx_command(c: Any, argv: list[bytes]) -> None:
    """RENAMENX key newkey"""
    rename_generic(c, argv, True)


@command("move")
def move_command(c: Any, argv: list[bytes]) -> None:
    """MOVE key db: 0 when the key is missing or already exists in the target db."""
    srv = c.srv
    if srv.config["cluster-enabled"]:
        raise RedisError(MOVE_IN_CLUSTER)
    src = c.db
    dst = _db_index(srv, argv[2])
    if dst is src:
        raise RedisError(E.SAME_OBJECT)
    key = argv[1]
    v = src.lookup_write(key)
    if v is None:
        c.w.integer(0)
        return
    when = src.get_expire(key)
    if dst.lookup_write(key) is not None:
        c.w.integer(0)
        return
    acc = src.access.get(key)
    dst.add(key, v)
    if acc is not None:
        dst.access[key] = acc
    if when != -1:
        dst.set_expire(key, when)
    adopted(dst, key, v)
    src.delete(key)
    src.signal_modified(key)
    dst.signal_modified(key)
    if srv.notify_mask & N.GENERIC:
        srv.notify(N.GENERIC, "move_from", key, src.id)
        srv.notify(N.GENERIC, "move_to", key, dst.id)
    srv.dirty += 1
    c.w.integer(1)


@command("copy")
def copy_command(c: Any, argv: list[bytes]) -> None:
    """COPY source destination [DB destination-db] [REPLACE]: the copy keeps the TTL."""
    srv = c.srv
    src = dst = c.db
    replace = False
    i, n = 3, len(argv)
    while i < n:
        opt = cstr_lower(argv[i])
        if opt == b"replace":
            replace = True
        elif opt == b"db" and n - i >= 2:
            dst = _db_index(srv, argv[i + 1])
            i += 1
        else:
            raise RedisError(E.SYNTAX)
        i += 1
    if srv.config["cluster-enabled"] and (src.id != 0 or dst.id != 0):
        raise RedisError(COPY_IN_CLUSTER)
    key, newkey = argv[1], argv[2]
    if src is dst and key == newkey:
        raise RedisError(E.SAME_OBJECT)
    v = src.lookup_read(key)
    if v is None:
        c.w.integer(0)
        return
    when = src.get_expire(key)
    exists = dst.lookup_write(newkey) is not None
    if exists and not replace:
        c.w.integer(0)
        return
    try:
        nv = copy_value(v, (src, key, dst, newkey))
    except KeyError:
        raise RedisError(COPY_NOT_SUPPORTED) from None
    if exists:
        dst.delete(newkey)
    dst.add(newkey, nv)
    if when != -1:
        dst.set_expire(newkey, when)
    adopted(dst, newkey, nv)
    dst.signal_modified(newkey)
    if srv.notify_mask & N.GENERIC:
        srv.notify(N.GENERIC, "copy_to", newkey, dst.id)
    srv.dirty += 1
    c.w.integer(1)


# --- EXPIRE family ------------------------------------------------------------------------
EXPIRE_NX, EXPIRE_XX, EXPIRE_GT, EXPIRE_LT = 1, 2, 4, 8
_EXPIRE_OPTS = {b"nx": EXPIRE_NX, b"xx": EXPIRE_XX, b"gt": EXPIRE_GT, b"lt": EXPIRE_LT}


def _expire_flags(argv: list[bytes]) -> int:
    """parseExtendedExpireArgumentsOrReply."""
    flags = 0
    for opt in argv[3:]:
        f = _EXPIRE_OPTS.get(cstr_lower(opt))
        if f is None:
            raise RedisError("ERR Unsupported option " + cstr(opt).decode("utf-8", "surrogateescape"))
        flags |= f
    if flags & EXPIRE_NX and flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT):
        raise RedisError(EXPIRE_NX_CONFLICT)
    if flags & EXPIRE_GT and flags & EXPIRE_LT:
        raise RedisError(EXPIRE_GT_LT_CONFLICT)
    return flags


def expire_generic(c: Any, argv: list[bytes], relative: bool, seconds: bool) -> None:
    """expireGenericCommand: options, then the number, overflow checks, then the key.
    A time already past deletes the key (event 'del', replicated as DEL or UNLINK);
    otherwise the command is replicated as PEXPIREAT with the absolute time."""
    flags = _expire_flags(argv) if len(argv) > 3 else 0
    srv = c.srv
    when = parse_int(argv[2])
    if seconds:
        if when > LLONG_MAX // 1000 or when < -(LLONG_MAX // 1000):
            raise RedisError(E.INVALID_EXPIRE.format(c.cmd.fullname))
        when *= 1000
    now = srv.mstime()
    basetime = now if relative else 0
    if when > LLONG_MAX - basetime:
        raise RedisError(E.INVALID_EXPIRE.format(c.cmd.fullname))
    when += basetime
    key = argv[1]
    db = c.db
    if db.lookup_write(key) is None:
        c.w.integer(0)
        return
    if flags:
        cur = db.get_expire(key)
        if (flags & EXPIRE_NX and cur != -1) or (flags & EXPIRE_XX and cur == -1) \
                or (flags & EXPIRE_GT and (cur == -1 or when <= cur)) \
                or (flags & EXPIRE_LT and cur != -1 and when >= cur):
            c.w.integer(0)
            return
    if when <= now and not srv.loading and not srv.is_replica:
        db.delete(key)
        srv.dirty += 1
        srv.rewrite_propagation([[b"UNLINK" if srv.config["lazyfree-lazy-expire"] else b"DEL", key]])
        db.signal_modified(key)
        if srv.notify_mask & N.GENERIC:
            srv.notify(N.GENERIC, "del", key, db.id)
        c.w.integer(1)
        return
    db.set_expire(key, when)
    c.w.integer(1)
    if relative or seconds:
        srv.rewrite_propagation([[b"PEXPIREAT", key, b"%d" % when, *argv[3:]]])
    db.signal_modified(key)
    if srv.notify_mask & N.GENERIC:
        srv.notify(N.GENERIC, "expire", key, db.id)
    srv.dirty += 1


@command("expire")
def expire_command(c: Any, argv: list[bytes]) -> None:
    """EXPIRE key seconds [NX | XX | GT | LT]"""
    expire_generic(c, argv, True, True)


@command("pexpire")
def pexpire_command(c: Any, argv: list[bytes]) -> None:
    """PEXPIRE key milliseconds [NX | XX | GT | LT]"""
    expire_generic(c, argv, True, False)


@command("expireat")
def expireat_command(c: Any, argv: list[bytes]) -> None:
    """EXPIREAT key unix-time-seconds [NX | XX | GT | LT]"""
    expire_generic(c, argv, False, True)


@command("pexpireat")
def pexpireat_command(c: Any, argv: list[bytes]) -> None:
    """PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]"""
    expire_generic(c, argv, False, False)


def ttl_generic(c: Any, key: bytes, ms: bool, absolute: bool) -> None:
    """ttlGenericCommand: -2 missing, -1 no TTL; seconds are rounded to nearest."""
    db = c.db
    if db.lookup(key, LOOKUP_NOTOUCH) is None:
        c.w.integer(-2)
        return
    when = db.get_expire(key)
    if when == -1:
        c.w.integer(-1)
        return
    ttl = when if absolute else when - c.srv.mstime()
    if ttl < 0:
        ttl = 0
    c.w.integer(ttl if ms else (ttl + 500) // 1000)


@command("ttl")
def ttl_command(c: Any, argv: list[bytes]) -> None:
    """TTL key"""
    ttl_generic(c, argv[1], False, False)


@command("pttl")
def pttl_command(c: Any, argv: list[bytes]) -> None:
    """PTTL key"""
    ttl_generic(c, argv[1], True, False)


@command("expiretime")
def expiretime_command(c: Any, argv: list[bytes]) -> None:
    """EXPIRETIME key"""
    ttl_generic(c, argv[1], False, True)


@command("pexpiretime")
def pexpiretime_command(c: Any, argv: list[bytes]) -> None:
    """PEXPIRETIME key"""
    ttl_generic(c, argv[1], True, True)


@command("persist")
def persist_command(c: Any, argv: list[bytes]) -> None:
    """PERSIST key"""
    key = argv[1]
    db = c.db
    if db.lookup_write(key) is not None and db.persist(key):
        db.signal_modified(key)
        srv = c.srv
        if srv.notify_mask & N.GENERIC:
            srv.notify(N.GENERIC, "persist", key, db.id)
        srv.dirty += 1
        c.w.integer(1)
    else:
        c.w.integer(0)


# --- OBJECT --------------------------------------------------------------------------------
def _object_lookup(c: Any, key: bytes) -> Any:
    """objectCommandLookupOrReply: a null reply for a missing key (None returned)."""
    v = c.db.lookup(key, LOOKUP_NOTOUCH | LOOKUP_NONOTIFY)
    if v is None:
        c.w.null()
    return v


@command("object|encoding")
def object_encoding_command(c: Any, argv: list[bytes]) -> None:
    """OBJECT ENCODING key"""
    v = _object_lookup(c, argv[2])
    if v is not None:
        c.w.bulk(encoding(v).encode())


def _refcount(srv: Any, v: Any) -> int:
    """Small non-negative integers are one shared object in Redis (refcount INT_MAX),
    unless maxmemory with an LRU/LFU policy makes every value its own object."""
    t = type(v)
    if t is int:
        n = v
    elif t is bytes and encoding(v) == "int":
        n = int(v)
    else:
        return 1
    if not 0 <= n < SHARED_INTEGERS:
        return 1
    if srv.maxmemory and srv.config["maxmemory-policy"].endswith(("lru", "lfu")):
        return 1
    return SHARED_REFCOUNT


@command("object|refcount")
def object_refcount_command(c: Any, argv: list[bytes]) -> None:
    """OBJECT REFCOUNT key"""
    v = _object_lookup(c, argv[2])
    if v is not None:
        c.w.integer(_refcount(c.srv, v))


@command("object|idletime")
def object_idletime_command(c: Any, argv: list[bytes]) -> None:
    """OBJECT IDLETIME key: seconds since the last access; refused under an LFU policy."""
    key = argv[2]
    if _object_lookup(c, key) is None:
        return
    srv = c.srv
    if srv.lfu:
        raise RedisError(LFU_SELECTED)
    c.w.integer(srv.idle_seconds(c.db.access.get(key)))


@command("object|freq")
def object_freq_command(c: Any, argv: list[bytes]) -> None:
    """OBJECT FREQ key: the decayed LFU counter; only under an LFU policy."""
    key = argv[2]
    if _object_lookup(c, key) is None:
        return
    srv = c.srv
    if not srv.lfu:
        raise RedisError(LFU_NOT_SELECTED)
    word = c.db.access.get(key)
    c.w.integer(srv.lfu_decay(word if word is not None else srv.lru_new()))


@command("object|help")
def object_help_command(c: Any, argv: list[bytes]) -> None:
    """OBJECT HELP"""
    c.w.help([
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    The internal representation of the value at <key> (listpack, int, ...).",
        "FREQ <key>",
        "    The logarithmic access counter of <key> (an LFU maxmemory-policy only).",
        "IDLETIME <key>",
        "    Seconds since <key> was last read or written (not under an LFU policy).",
        "REFCOUNT <key>",
        "    How many references the value at <key> has.",
        "HELP",
        "    Print this help.",
    ])
