"""String commands (t_string.c). Values are bytes, bytearray (raw) or int (see
engine/objects.py); every command here accepts all three. APPEND and SETRANGE turn a
value into a bytearray and grow it in place, as Redis makes it a raw sds.
Neighbours: bitmap.py for SETBIT and friends, engine/bitops.py for the LCS algorithm.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.commands.util import cstr
from moredis.engine import notify as N
from moredis.engine.bitops import lcs as lcs_compute
from moredis.engine.bitops import lcs_length
from moredis.engine.objects import check_string, string_bytes
from moredis.errors import RedisError
from moredis.numbers import (
    LLONG_MAX,
    LLONG_MIN,
    ld2string_human,
    ld_add,
    ld_is_finite,
    parse_int,
    parse_long_double,
    string2ll,
)
from moredis.util.lazy import numpy as np

# SET flags
NX, XX, GET, KEEPTTL, EX, PX, EXAT, PXAT, PERSIST = 1, 2, 4, 8, 16, 32, 64, 128, 256
_EXPIRE_FLAGS = EX | PX | EXAT | PXAT

LCS_KEYS_NOT_STRINGS = "ERR The specified keys must contain string values"
LCS_IDX_AND_LEN = "ERR If you want both the length and indexes, please just use IDX."
LCS_TOO_LONG = "ERR String too long for LCS"
LCS_NO_MEMORY = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
MAX_LONG_DOUBLE_CHARS = 5 * 1024


def parse_set_options(argv: list[bytes], start: int, for_getex: bool = False) -> tuple[int, bytes | None]:
    """parseExtendedStringArgumentsOrReply: (flags, expire argument)."""
    flags = 0
    expire = None
    n = len(argv)
    j = start
    while j < n:
        opt = cstr(argv[j]).upper()
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


def _cmdname(c: Any, default: str) -> str:
    return c.cmd.fullname if c.cmd is not None else default


def _reply_old(c: Any, key: bytes) -> None:
    """getGenericCommand for SET ... GET: the old string, nil, or WRONGTYPE."""
    v = c.db.lookup_read(key)
    if v is None:
        c.w.null()
        return
    check_string(v)
    c.w.bulk(string_bytes(v))


def check_string_length(c: Any, size: int, append: int) -> None:
    """checkStringLength: a string may not outgrow proto-max-bulk-len (the master and
    the AOF loader are exempt, as mustObeyClient says)."""
    if size + append > c.srv.proto_max_bulk_len and not (c.is_master or c.srv.loading):
        raise RedisError(E.STRING_TOO_LONG)


# --- GET family ------------------------------------------------------------------------------

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


@command("getdel")
def getdel_command(c: Any, argv: list[bytes]) -> None:
    """GETDEL key: replicated as DEL."""
    key = argv[1]
    db = c.db
    v = db.lookup_read(key)
    if v is None:
        c.w.null()
        return
    check_string(v)
    c.w.bulk(string_bytes(v))
    if db.delete(key):
        c.srv.rewrite_propagation([[b"DEL", key]])
        db.signal_modified(key)
        db.notify(N.GENERIC, "del", key)
        c.srv.dirty += 1


@command("getex")
def getex_command(c: Any, argv: list[bytes]) -> None:
    """GETEX key [EX s | PX ms | EXAT ts | PXAT ms-ts | PERSIST]

    A missing key answers nil before the expire value is even parsed. Replicated as
    PEXPIREAT, PERSIST or (for a time already past) DEL/UNLINK."""
    key = argv[1]
    flags, expire = parse_set_options(argv, 2, for_getex=True)
    db = c.db
    srv = c.srv
    v = db.lookup_read(key)
    if v is None:
        c.w.null()
        return
    check_string(v)
    ms = expire_ms_from_arg(c, expire, flags, _cmdname(c, "getex")) if expire is not None else 0
    c.w.bulk(string_bytes(v))
    if flags & (EXAT | PXAT) and ms <= srv.mstime() and not srv.loading and not srv.is_replica:
        db.delete(key)
        lazy = srv.config["lazyfree-lazy-expire"]
        srv.rewrite_propagation([[b"UNLINK" if lazy else b"DEL", key]])
        db.signal_modified(key)
        db.notify(N.GENERIC, "del", key)
        srv.dirty += 1
    elif expire is not None:
        db.set_expire(key, ms)
        srv.rewrite_propagation([[b"PEXPIREAT", key, b"%d" % ms]])
        db.signal_modified(key)
        db.notify(N.GENERIC, "expire", key)
        srv.dirty += 1
    elif flags & PERSIST:
        if db.persist(key):
            db.signal_modified(key)
            srv.rewrite_propagation([[b"PERSIST", key]])
            db.notify(N.GENERIC, "persist", key)
            srv.dirty += 1


@command("getset")
def getset_command(c: Any, argv: list[bytes]) -> None:
    """GETSET key value: replicated as SET."""
    key = argv[1]
    _reply_old(c, key)
    db = c.db
    db.set_key(key, argv[2])
    db.notify(N.STRING, "set", key)
    c.srv.dirty += 1
    c.srv.rewrite_propagation([[b"SET", key, argv[2]]])


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


@command("strlen")
def strlen_command(c: Any, argv: list[bytes]) -> None:
    """STRLEN key"""
    v = c.db.lookup_read(argv[1])
    if v is None:
        c.w.integer(0)
        return
    t = type(v)
    if t is bytes or t is bytearray:
        c.w.integer(len(v))
    elif t is int:
        c.w.integer(len(b"%d" % v))
    else:
        raise RedisError(E.WRONGTYPE)


def getrange_generic(c: Any, argv: list[bytes]) -> None:
    """getrangeCommand: indexes are parsed before the key is looked up."""
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    v = c.db.lookup_read(argv[1])
    if v is None:
        c.w.bulk(b"")
        return
    check_string(v)
    s = b"%d" % v if type(v) is int else v
    n = len(s)
    if start < 0 and end < 0 and start > end:
        c.w.bulk(b"")
        return
    if start < 0:
        start += n
    if end < 0:
        end += n
    if start < 0:
        start = 0
    if end < 0:
        end = 0
    if end >= n:
        end = n - 1
    if start > end or n == 0:
        c.w.bulk(b"")
    else:
        c.w.bulk(s[start:end + 1])


@command("getrange")
def getrange_command(c: Any, argv: list[bytes]) -> None:
    """GETRANGE key start end"""
    getrange_generic(c, argv)


@command("substr")
def substr_command(c: Any, argv: list[bytes]) -> None:
    """SUBSTR key start end (the old name of GETRANGE)"""
    getrange_generic(c, argv)


# --- SET family ------------------------------------------------------------------------------

@command("set")
def set_command(c: Any, argv: list[bytes]) -> None:
    """SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ms-ts | KEEPTTL]"""
    key = argv[1]
    db = c.db
    srv = c.srv
    if len(argv) == 3:  # the common case, kept short
        data = db.data
        if key in data:
            if db.expires and key in db.expires:
                found = db.lookup_write(key) is not None  # may expire it first
            else:
                found = True
                if not srv.no_touch:
                    db.access[key] = srv.lru_clock if not srv.lfu else srv.lru_touch(db.access.get(key))
        else:
            found = False
        if found:
            if srv.key_event_hook is not None:  # modules subscribed to the Key event
                srv.key_event_hook(3, db, key, data[key])  # KEY_OVERWRITTEN
            data[key] = argv[2]
            if db.expires:
                db.expires.pop(key, None)
            if db.blocking and key in db.blocking:  # a stream reader must learn it is gone
                srv.signal_key_ready(db, key)
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
    """setGenericCommand. ok=False answers 1/0 instead of OK/nil (SETNX)."""
    db = c.db
    srv = c.srv
    ms = expire_ms_from_arg(c, expire, flags, _cmdname(c, cmdname)) if expire is not None else 0
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
        # replicated without GET (any of the repeated GETs), key and value untouched
        argv = c.argv
        srv.rewrite_propagation([argv[:3] + [a for a in argv[3:] if cstr(a).upper() != b"GET"]])
    if not flags & GET:
        if ok:
            c.w.ok()
        else:
            c.w.integer(1)


@command("setnx")
def setnx_command(c: Any, argv: list[bytes]) -> None:
    """SETNX key value: 1 when set, 0 when the key exists."""
    set_generic(c, NX, argv[1], argv[2], None, "setnx", ok=False)


@command("setex")
def setex_command(c: Any, argv: list[bytes]) -> None:
    """SETEX key seconds value: replicated as SET key value PXAT ms."""
    set_generic(c, EX, argv[1], argv[3], argv[2], "setex")


@command("psetex")
def psetex_command(c: Any, argv: list[bytes]) -> None:
    """PSETEX key milliseconds value: replicated as SET key value PXAT ms."""
    set_generic(c, PX, argv[1], argv[3], argv[2], "psetex")


def mset_generic(c: Any, argv: list[bytes], nx: bool) -> bool:
    """msetGenericCommand: with nx, nothing is set if any key exists."""
    if len(argv) % 2 == 0:
        raise E.wrong_arity(_cmdname(c, "msetnx" if nx else "mset"))
    db = c.db
    if nx:
        for j in range(1, len(argv), 2):
            if db.lookup_write(argv[j]) is not None:
                return False
    srv = c.srv
    data = db.data
    expires = db.expires
    access = db.access
    touch = not srv.no_touch
    clock = srv.lru_clock
    lfu = srv.lfu
    signal = bool(db.watched) or srv.tracking_table is not None
    notify = srv.notify_mask & N.STRING
    for j in range(1, len(argv), 2):
        key = argv[j]
        # setKey: look the key up for writing (expiring it if due, touching it), then
        # overwrite dropping the TTL, or add
        if key in data:
            if expires and key in expires:
                found = db.lookup_write(key) is not None
            else:
                found = True
                if touch:
                    access[key] = srv.lru_touch(access.get(key)) if lfu else clock
        else:
            found = False
        if found:
            data[key] = argv[j + 1]
            if expires:
                expires.pop(key, None)
            if db.blocking and key in db.blocking:
                srv.signal_key_ready(db, key)
        else:
            db.add(key, argv[j + 1])
        if signal:
            db.signal_modified(key)
        if notify:
            srv.notify(N.STRING, "set", key, db.id)
    srv.dirty += (len(argv) - 1) // 2
    return True


@command("mset")
def mset_command(c: Any, argv: list[bytes]) -> None:
    """MSET key value [key value ...]"""
    mset_generic(c, argv, False)
    c.w.ok()


@command("msetnx")
def msetnx_command(c: Any, argv: list[bytes]) -> None:
    """MSETNX key value [key value ...]: 1 when all were set, 0 when none was."""
    c.w.integer(1 if mset_generic(c, argv, True) else 0)


# --- in-place edits --------------------------------------------------------------------------

def unshare_string(db: Any, key: bytes, v: Any) -> bytearray:
    """dbUnshareStringValue: the value as a bytearray stored under key (TTL kept), so
    it can be edited in place."""
    if type(v) is bytearray:
        return v
    ba = bytearray(b"%d" % v) if type(v) is int else bytearray(v)
    db.data[key] = ba
    return ba


@command("append")
def append_command(c: Any, argv: list[bytes]) -> None:
    """APPEND key value: a new key gets the value as SET would store it; an existing
    one becomes a bytearray grown in place (so repeated appends stay linear)."""
    key = argv[1]
    db = c.db
    v = db.lookup_write(key)
    if v is None:
        db.add(key, argv[2])
        total = len(argv[2])
    else:
        check_string(v)
        tail = argv[2]
        cur = len(v) if type(v) is not int else len(b"%d" % v)
        check_string_length(c, cur, len(tail))
        ba = unshare_string(db, key, v)
        ba += tail
        total = len(ba)
    db.signal_modified(key)
    db.notify(N.STRING, "append", key)
    c.srv.dirty += 1
    c.w.integer(total)


@command("setrange")
def setrange_command(c: Any, argv: list[bytes]) -> None:
    """SETRANGE key offset value: pads with zero bytes; an empty value changes nothing
    (and creates nothing) but still answers the length."""
    key = argv[1]
    value = argv[3]
    vlen = len(value)
    offset = parse_int(argv[2])
    if offset < 0:
        raise RedisError(E.OFFSET_OUT_OF_RANGE)
    db = c.db
    v = db.lookup_write(key)
    if v is None:
        if vlen == 0:
            c.w.integer(0)
            return
        check_string_length(c, offset, vlen)
        ba = bytearray(offset + vlen)
        db.add(key, ba)
    else:
        check_string(v)
        olen = len(v) if type(v) is not int else len(b"%d" % v)
        if vlen == 0:
            c.w.integer(olen)
            return
        check_string_length(c, offset, vlen)
        ba = unshare_string(db, key, v)
        if offset + vlen > len(ba):
            ba.extend(bytes(offset + vlen - len(ba)))
    ba[offset:offset + vlen] = value
    db.signal_modified(key)
    db.notify(N.STRING, "setrange", key)
    c.srv.dirty += 1
    c.w.integer(len(ba))


# --- counters --------------------------------------------------------------------------------

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


_NONZERO_DEC = frozenset(b"123456789")
_NONZERO_HEX = frozenset(b"123456789abcdefABCDEF")


_HEXFLOAT = re.compile(rb"([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?")


def _hex_long_double(b: bytes) -> Any:
    """A hex float (strtold's 0x1.8p3 form) rounded once to the 64-bit mantissa of a
    long double, rather than through a double."""
    m = _HEXFLOAT.fullmatch(b)
    if m is None or not (m.group(2) or m.group(3)):
        raise RedisError(E.NOT_FLOAT)
    sign, ip, fp, ep = m.groups()
    fp = fp or b""
    mant = int((ip + fp) or b"0", 16)
    exp = (int(ep) if ep else 0) - 4 * len(fp)
    if mant.bit_length() > 64:  # round half to even to 64 bits
        shift = mant.bit_length() - 64
        rest = mant & ((1 << shift) - 1)
        mant >>= shift
        exp += shift
        half = 1 << (shift - 1)
        if rest > half or (rest == half and mant & 1):
            mant += 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = np.ldexp(np.longdouble(mant), max(min(exp, 1 << 20), -(1 << 20)))
    return -v if sign == b"-" else v


def string2ld(b: bytes) -> Any:
    """util.c string2ld: strtold's grammar (hex included), refusing NaN, an overflow to
    infinity (a spelled-out "inf" is accepted) and an underflow to zero."""
    if len(b) >= MAX_LONG_DOUBLE_CHARS:
        raise RedisError(E.NOT_FLOAT)
    if b"x" in b or b"X" in b:
        v = _hex_long_double(b)
    elif b"e" in b or b"E" in b or len(b) > 300:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = parse_long_double(b)
    else:
        v = parse_long_double(b)
    if v == 0 or not ld_is_finite(v):
        body = b.lstrip(b"+-").lower()
        if v == 0:
            if body.startswith(b"0x"):
                digits = body[2:].split(b"p", 1)[0]
                nonzero = _NONZERO_HEX
            else:
                digits = body.split(b"e", 1)[0]
                nonzero = _NONZERO_DEC
            if any(ch in nonzero for ch in digits):
                raise RedisError(E.NOT_FLOAT)  # ERANGE: underflow to zero
        elif not body.startswith(b"inf"):
            raise RedisError(E.NOT_FLOAT)  # ERANGE: overflow
    return v


@command("incrbyfloat")
def incrbyfloat_command(c: Any, argv: list[bytes]) -> None:
    """INCRBYFLOAT key increment: long double arithmetic printed as "%.17Lf" without
    trailing zeros; replicated as SET key value KEEPTTL."""
    key = argv[1]
    db = c.db
    v = db.lookup_write(key)
    if v is None:
        cur = string2ld(b"0")
    else:
        t = type(v)
        if t is int:
            cur = string2ld(b"%d" % v)
        elif t is bytes or t is bytearray:
            cur = string2ld(bytes(v))
        else:
            raise RedisError(E.WRONGTYPE)
    incr = string2ld(argv[2])
    new = ld_add(cur, incr)
    if not ld_is_finite(new):
        raise RedisError(E.NAN_OR_INF)
    out = ld2string_human(new)
    if v is None:
        db.add(key, out)
    else:
        db.data[key] = out
    db.signal_modified(key)
    db.notify(N.STRING, "incrbyfloat", key)
    c.srv.dirty += 1
    c.w.bulk(out)
    c.srv.rewrite_propagation([[b"SET", key, out, b"KEEPTTL"]])


# --- LCS ---------------------------------------------------------------------------------------

@command("lcs")
def lcs_command(c: Any, argv: list[bytes]) -> None:
    """LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]

    Missing keys are empty strings; keys are checked before the options are parsed."""
    db = c.db
    va = db.lookup_read(argv[1])
    vb = db.lookup_read(argv[2])
    if (va is not None and type(va) not in (bytes, bytearray, int)) or (
            vb is not None and type(vb) not in (bytes, bytearray, int)):
        raise RedisError(LCS_KEYS_NOT_STRINGS)
    a = string_bytes(va) if va is not None else b""
    b = string_bytes(vb) if vb is not None else b""
    getlen = getidx = withmatchlen = False
    minmatchlen = 0
    j = 3
    n = len(argv)
    while j < n:
        opt = cstr(argv[j]).upper()
        if opt == b"IDX":
            getidx = True
        elif opt == b"LEN":
            getlen = True
        elif opt == b"WITHMATCHLEN":
            withmatchlen = True
        elif opt == b"MINMATCHLEN" and j + 1 < n:
            minmatchlen = max(parse_int(argv[j + 1]), 0)
            j += 1
        else:
            raise RedisError(E.SYNTAX)
        j += 1
    if getidx and getlen:
        raise RedisError(LCS_IDX_AND_LEN)
    if len(a) >= 0xFFFFFFFE or len(b) >= 0xFFFFFFFE:
        raise RedisError(LCS_TOO_LONG)
    if (len(a) + 1) * (len(b) + 1) * 4 > c.srv.proto_max_bulk_len:
        raise RedisError(LCS_NO_MEMORY)
    w = c.w
    if getlen and not getidx:
        w.integer(lcs_length(a, b))
        return
    text, ranges, total = lcs_compute(a, b, minmatchlen)
    if not getidx:
        w.bulk(text)
        return
    w.map(2)
    w.bulk(b"matches")
    w.array(len(ranges))
    for astart, aend, bstart, bend, mlen in ranges:
        w.array(3 if withmatchlen else 2)
        w.array(2)
        w.integer(astart)
        w.integer(aend)
        w.array(2)
        w.integer(bstart)
        w.integer(bend)
        if withmatchlen:
            w.integer(mlen)
    w.bulk(b"len")
    w.integer(total)
