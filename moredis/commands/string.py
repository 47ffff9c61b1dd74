"""String commands (t_string.c). Values are bytes, bytearray (raw) or int (see
engine/objects.py). Neighbours: bitmap.py for SETBIT and friends.
"""

from __future__ import annotations

from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.engine import notify as N
from moredis.engine.objects import check_string, string_bytes
from moredis.errors import RedisError
from moredis.numbers import LLONG_MAX, LLONG_MIN, parse_int, string2ll

# SET flags
NX, XX, GET, KEEPTTL, EX, PX, EXAT, PXAT, PERSIST = 1, 2, 4, 8, 16, 32, 64, 128, 256
_EXPIRE_FLAGS = EX | PX | EXAT | PXAT


def parse_set_options(argv: list[bytes], start: int, for_getex: bool = False) -> tuple[int, bytes | None]:
    """parseExtendedStringArgumentsOrReply: (flags, expire argument)."""
    flags = 0
    expire = None
    n = len(argv)
    j = start
    while j < n:
        opt = argv[j].upper()
        nxt = argv[j + 1] if j + 1 < n else None
        if opt == b"NX" and not flags & XX and not for_getex:
            flags |= NX
        elif opt == b"XX" and not flags & NX and not for_getex:
            flags |= XX
        elif opt == b"GET" and not for_getex:
            flags |= GET
        elif opt == b"KEEPTTL" and not flags & PERSIST and not flags & _EXPIRE_FLAGS and not for_getex:
            flags |= KEEPTTL
        elif opt == b"PERSIST" and for_getex and not flags & _EXPIRE_FLAGS:
            flags |= PERSIST
        elif opt == b"EX" and not flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT) and nxt is not None:
            flags |= EX
            expire = nxt
            j += 1
        elif opt == b"PX" and not flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT) and nxt is not None:
            flags |= PX
            expire = nxt
            j += 1
        elif opt == b"EXAT" and not flags & (KEEPTTL | PERSIST | EX | PX | PXAT) and nxt is not None:
            flags |= EXAT
            expire = nxt
            j += 1
        elif opt == b"PXAT" and not flags & (KEEPTTL | PERSIST | EX | EXAT | PX) and nxt is not None:
            flags |= PXAT
            expire = nxt
            j += 1
        else:
            raise RedisError(E.SYNTAX)
        j += 1
    return flags, expire


def expire_ms_from_arg(c: Any, arg: bytes, flags: int, cmdname: str) -> int:
    """getExpireMillisecondsOrReply: absolute unix ms, or Redis's invalid-expire error."""
    ms = parse_int(arg)
    if ms <= 0 or (flags & (EX | EXAT) and ms > LLONG_MAX // 1000):
        raise RedisError(E.INVALID_EXPIRE.format(cmdname))
    if flags & (EX | EXAT):
        ms *= 1000
    if flags & (EX | PX):
        ms += c.srv.mstime()
    if ms <= 0 or ms > LLONG_MAX:
        raise RedisError(E.INVALID_EXPIRE.format(cmdname))
    return ms


def _reply_old(c: Any, key: bytes) -> None:
    """getGenericCommand for SET ... GET: the old string, nil, or WRONGTYPE."""
    v = c.db.lookup_read(key)
    if v is None:
        c.w.null()
        return
    check_string(v)
    c.w.bulk(string_bytes(v))


@command("get")
def get_command(c: Any, argv: list[bytes]) -> None:
    """GET key"""
    v = c.db.lookup_read(argv[1])
    if v is None:
        c.w.null()
        return
    t = type(v)
    if t is bytes or t is bytearray:
        c.w.bulk(v)
    elif t is int:
        c.w.bulk(b"%d" % v)
    else:
        raise RedisError(E.WRONGTYPE)


@command("set")
def set_command(c: Any, argv: list[bytes]) -> None:
    """SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ms-ts | KEEPTTL]"""
    key = argv[1]
    db = c.db
    srv = c.srv
    if len(argv) == 3:  # the common case, kept short
        data = db.data
        if key in data:
            data[key] = argv[2]
            if db.expires:
                db.expires.pop(key, None)
            if db.watched or srv.tracking_table is not None:
                db.signal_modified(key)
        else:
            db.add(key, argv[2])
            if db.watched or srv.tracking_table is not None:
                db.signal_modified(key)
        srv.dirty += 1
        if srv.notify_mask & N.STRING:
            srv.notify(N.STRING, "set", key, db.id)
        c.w.ok()
        return
    flags, expire = parse_set_options(argv, 3)
    set_generic(c, flags, key, argv[2], expire, "set")


def set_generic(c: Any, flags: int, key: bytes, val: bytes, expire: bytes | None, cmdname: str,
                ok: bool = True) -> None:
    """setGenericCommand."""
    db = c.db
    srv = c.srv
    ms = expire_ms_from_arg(c, expire, flags, cmdname) if expire is not None else 0
    if flags & GET:
        _reply_old(c, key)
    found = db.lookup_write(key) is not None
    if (flags & NX and found) or (flags & XX and not found):
        if not flags & GET:
            if ok:
                c.w.null()
            else:
                c.w.integer(0)
        return
    db.set_key(key, val, keepttl=bool(flags & KEEPTTL) or expire is not None)
    srv.dirty += 1
    db.notify(N.STRING, "set", key)
    if expire is not None:
        db.set_expire(key, ms)
        if not flags & PXAT:
            srv.rewrite_propagation([[b"SET", key, val, b"PXAT", b"%d" % ms]])
        db.notify(N.GENERIC, "expire", key)
    elif flags & GET:
        srv.rewrite_propagation([[a for a in c.argv if a.upper() != b"GET"]])
    if not flags & GET:
        if ok:
            c.w.ok()
        else:
            c.w.integer(1)


def incr_decr(c: Any, key: bytes, incr: int) -> None:
    """incrDecrCommand."""
    db = c.db
    v = db.lookup_write(key)
    if v is None:
        cur = 0
    else:
        t = type(v)
        if t is int:
            cur = v
        elif t is bytes or t is bytearray:
            cur = string2ll(bytes(v)) if t is bytearray else string2ll(v)
            if cur is None:
                raise RedisError(E.NOT_INTEGER)
        else:
            raise RedisError(E.WRONGTYPE)
    new = cur + incr
    if new > LLONG_MAX or new < LLONG_MIN:
        raise RedisError(E.OVERFLOW)
    if v is None:
        db.add(key, new)
    else:
        db.data[key] = new
    db.signal_modified(key)
    srv = c.srv
    srv.dirty += 1
    if srv.notify_mask & N.STRING:
        srv.notify(N.STRING, "incrby", key, db.id)
    c.w.integer(new)


@command("incr")
def incr_command(c: Any, argv: list[bytes]) -> None:
    """INCR key"""
    incr_decr(c, argv[1], 1)


@command("decr")
def decr_command(c: Any, argv: list[bytes]) -> None:
    """DECR key"""
    incr_decr(c, argv[1], -1)


@command("incrby")
def incrby_command(c: Any, argv: list[bytes]) -> None:
    """INCRBY key increment"""
    incr_decr(c, argv[1], parse_int(argv[2]))


@command("decrby")
def decrby_command(c: Any, argv: list[bytes]) -> None:
    """DECRBY key decrement; LLONG_MIN cannot be negated."""
    n = parse_int(argv[2])
    if n == LLONG_MIN:
        raise RedisError("ERR decrement would overflow")
    incr_decr(c, argv[1], -n)


@command("mget")
def mget_command(c: Any, argv: list[bytes]) -> None:
    """MGET key [key ...]: nil for missing keys and for non-strings."""
    db = c.db
    w = c.w
    w.array(len(argv) - 1)
    for key in argv[1:]:
        v = db.lookup_read(key)
        t = type(v)
        if t is bytes or t is bytearray:
            w.bulk(v)
        elif t is int:
            w.bulk(b"%d" % v)
        else:
            w.null()


def mset_generic(c: Any, argv: list[bytes], nx: bool) -> bool:
    if len(argv) % 2 == 0:
        raise E.wrong_arity(c.cmd.fullname if c.cmd is not None else "mset")
    db = c.db
    if nx:
        for j in range(1, len(argv), 2):
            if db.lookup_write(argv[j]) is not None:
                return False
    srv = c.srv
    for j in range(1, len(argv), 2):
        key = argv[j]
        db.set_key(key, argv[j + 1])
        db.notify(N.STRING, "set", key)
    srv.dirty += (len(argv) - 1) // 2
    return True


@command("mset")
def mset_command(c: Any, argv: list[bytes]) -> None:
    """MSET key value [key value ...]"""
    mset_generic(c, argv, False)
    c.w.ok()
