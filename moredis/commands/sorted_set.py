"""Sorted set commands (t_zset.c): ZADD and friends, the ZRANGE family, the set
operations (ZUNION/ZINTER/ZDIFF, their STORE forms, ZINTERCARD), pops (ZPOPMIN/MAX,
ZMPOP and the blocking BZPOPMIN/MAX, BZMPOP), ZRANDMEMBER and ZSCAN.

The value is engine/types/zset.py's `ZSet`; this file decides encodings (thresholds from
zset-max-listpack-*, at the same points Redis does), parses arguments with Redis's
grammar (scores via string2d, range ends via strtod, lex items), and writes replies in
Redis's RESP2/RESP3 shapes. Neighbours: engine/types/zset.py, commands/util.py
(timeouts), engine/scan.py (ZSCAN on big sets), server/blocking.py.
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

from moredis import errors as E
from moredis.commands.registry import command, getkeys
from moredis.commands.util import numkeys_positions, parse_scan_options, parse_timeout_seconds
from moredis.engine import notify as N
from moredis.engine.objects import OBJ_SET, OBJ_ZSET, type_code
from moredis.engine.scan import parse_cursor, scanner_for
from moredis.engine.types.zset import LEX_NEG, LEX_POS, LEX_VAL, ZSet, from_sorted
from moredis.errors import RedisError
from moredis.numbers import LLONG_MAX, d2string, parse_int

NAN_SCORE = "ERR resulting score is not a number (NaN)"
NOT_FLOAT_RANGE = "ERR min or max is not a float"
NOT_LEX_RANGE = "ERR min or max not valid string range item"
WEIGHT_NOT_FLOAT = "ERR weight value is not a float"

_INF = math.inf

# --- number grammar ------------------------------------------------------------------
# What C's strtod accepts as a whole string: decimal, hex (with optional binary
# exponent), inf/infinity and nan, with an optional sign.
_STRTOD = re.compile(
    rb"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
    rb"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    rb"|(?i:inf(?:inity)?|nan))"
)
_NONZERO_DEC = re.compile(rb"[1-9]")
_NONZERO_HEX = re.compile(rb"[1-9a-fA-F]")
_CSPACE = b" \t\n\v\f\r"


def _strtod(b: bytes) -> float | None:
    """The value of `b` if all of it is a strtod number (no surrounding spaces)."""
    if _STRTOD.fullmatch(b) is None:
        return None
    if b"x" in b or b"X" in b:
        try:
            return float.fromhex(b.decode())
        except OverflowError:  # beyond the double range: strtod's ERANGE overflow
            return None
    return float(b)


def parse_score(b: bytes, err: str = E.NOT_FLOAT) -> float:
    """util.c string2d: refuses spaces, NaN, and results out of range (overflow to
    infinity or underflow to zero, which strtod flags with ERANGE)."""
    if b.isdigit() and len(b) < 300:
        return float(b)
    f = _strtod(b)
    if f is None or f != f:
        raise RedisError(err)
    if f == _INF or f == -_INF:
        if b"n" not in b and b"N" not in b:  # not spelled inf/infinity: overflow
            raise RedisError(err)
    elif f == 0.0:
        hexa = b"x" in b or b"X" in b
        mant = re.split(rb"[pP]" if hexa else rb"[eE]", b)[0]
        if hexa:
            mant = mant.lstrip(b"+-")[2:]
        if (_NONZERO_HEX if hexa else _NONZERO_DEC).search(mant):
            raise RedisError(err)
    return f


def _range_value(b: bytes) -> float | None:
    """strtod as zslParseRange uses it: leading spaces skipped, the text ends at a NUL,
    nothing may follow the number, an empty text is 0, NaN is refused."""
    nul = b.find(b"\x00")
    if nul >= 0:
        b = b[:nul]
    if not b:
        return 0.0
    t = b.lstrip(_CSPACE)
    f = _strtod(t) if t else None
    if f is None or f != f:
        return None
    return f


def parse_score_range(bmin: bytes, bmax: bytes) -> tuple[float, bool, float, bool]:
    """zslParseRange: '(' makes an end exclusive."""
    lo = hi = None
    loex = hiex = False
    if bmin[:1] == b"(":
        loex = True
        lo = _range_value(bmin[1:])
    else:
        lo = _range_value(bmin)
    if bmax[:1] == b"(":
        hiex = True
        hi = _range_value(bmax[1:])
    else:
        hi = _range_value(bmax)
    if lo is None or hi is None:
        raise RedisError(NOT_FLOAT_RANGE)
    return lo, loex, hi, hiex


def _lex_item(b: bytes) -> tuple | None:
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


def parse_lex_range(bmin: bytes, bmax: bytes) -> tuple[tuple, tuple]:
    """zslParseLexRange: '[' inclusive, '(' exclusive, '-' and '+' the open ends."""
    lo = _lex_item(bmin)
    hi = _lex_item(bmax)
    if lo is None or hi is None:
        raise RedisError(NOT_LEX_RANGE)
    return lo, hi


# --- shared bits -----------------------------------------------------------------------
def _read(c: Any, key: bytes) -> ZSet | None:
    v = c.db.lookup_read(key)
    if v is not None and type(v) is not ZSet:
        raise RedisError(E.WRONGTYPE)
    return v


def _write(c: Any, key: bytes) -> ZSet | None:
    v = c.db.lookup_write(key)
    if v is not None and type(v) is not ZSet:
        raise RedisError(E.WRONGTYPE)
    return v


def _limits(c: Any) -> tuple[int, int]:
    cfg = c.srv.config.values
    return cfg["zset-max-listpack-entries"], cfg["zset-max-listpack-value"]


def _reply_items(w: Any, items: list, withscores: bool) -> None:
    """An element list as ZRANGE replies it: RESP3 pairs [member, score] WITHSCORES."""
    if not withscores:
        w.bulk_array([m for _, m in items])
    elif w.resp == 2:  # RESP2 scores are bulk strings
        flat = []
        for s, m in items:
            flat.append(m)
            flat.append(d2string(s))
        w.bulk_array(flat)
    else:
        w.array(len(items))
        for s, m in items:
            w.array(2)
            w.bulk(m)
            w.double(s)


def _deleted_if_empty(c: Any, key: bytes, z: ZSet) -> bool:
    """Delete a zset left empty, with the 'del' event Redis sends after the command's."""
    if len(z.scores) == 0:
        db = c.db
        db.delete(key)
        db.notify(N.GENERIC, "del", key)
        return True
    return False


def _store(c: Any, dst: bytes, items: list, event: str) -> None:
    """Store a computed result (ascending, distinct members) at dst, or delete dst
    when empty; reply the count (zrangeResultFinalizeStore / zunionInterDiff...)."""
    db = c.db
    srv = c.srv
    if items:
        me, mv = _limits(c)
        db.set_key(dst, from_sorted(items, me, mv))
        db.notify(N.ZSET, event, dst)
        srv.dirty += 1
        c.w.integer(len(items))
    else:
        c.w.integer(0)
        if db.lookup_write(dst) is not None and db.delete(dst):
            db.signal_modified(dst)
            db.notify(N.GENERIC, "del", dst)
            srv.dirty += 1


# --- ZADD / ZINCRBY --------------------------------------------------------------------
_NX, _XX, _CH, _INCR, _GT, _LT = 1, 2, 4, 8, 16, 32
_ZADD_OPTS = {b"NX": _NX, b"XX": _XX, b"CH": _CH, b"INCR": _INCR, b"GT": _GT, b"LT": _LT}


def zadd_generic(c: Any, argv: list[bytes], flags: int) -> None:
    """zaddGenericCommand: options, then score-member pairs; all scores are checked
    before anything is written."""
    n = len(argv)
    i = 2
    opts = _ZADD_OPTS
    while i < n:
        f = opts.get(argv[i].upper())
        if f is None:
            break
        flags |= f
        i += 1
    pairs = n - i
    if pairs % 2 or not pairs:
        raise RedisError(E.SYNTAX)
    pairs //= 2
    nx = flags & _NX
    xx = flags & _XX
    gt = flags & _GT
    lt = flags & _LT
    incr = flags & _INCR
    if nx and xx:
        raise RedisError("ERR XX and NX options at the same time are not compatible")
    if (gt and nx) or (lt and nx) or (gt and lt):
        raise RedisError("ERR GT, LT, and/or NX options at the same time are not compatible")
    if incr and pairs > 1:
        raise RedisError("ERR INCR option supports a single increment-element pair")
    scores = [parse_score(argv[j]) for j in range(i, n, 2)]
    key = argv[1]
    db = c.db
    z = db.lookup_write(key)
    if z is not None and type(z) is not ZSet:
        raise RedisError(E.WRONGTYPE)
    cfg = c.srv.config.values
    max_entries = cfg["zset-max-listpack-entries"]
    max_value = cfg["zset-max-listpack-value"]
    if z is None:
        if xx:
            if incr:
                c.w.null()
            else:
                c.w.integer(0)
            return
        # zsetTypeCreate, sized by the number of pairs and the FIRST member's length
        z = ZSet(pairs > max_entries or len(argv[i + 1]) > max_value)
        db.add(key, z)
    elif pairs > max_entries and type(z.zsl) is list:
        z.to_skiplist()  # zsetTypeMaybeConvert
    zscores = z.scores
    added = updated = processed = 0
    score = 0.0
    for k in range(pairs):
        score = scores[k]
        member = argv[i + 1 + 2 * k]
        cur = zscores.get(member)
        if cur is not None:
            if nx:
                continue
            if incr:
                score += cur
                if score != score:
                    raise RedisError(NAN_SCORE)
            if (lt and score >= cur) or (gt and score <= cur):
                continue
            processed += 1
            if score != cur:
                z.set_score(member, cur, score)
                updated += 1
        elif not xx:
            if type(z.zsl) is list and (len(zscores) >= max_entries or len(member) > max_value):
                z.to_skiplist()
            z.insert(member, score)
            added += 1
            processed += 1
    srv = c.srv
    if added or updated:
        srv.dirty += added + updated
        db.signal_modified(key)
        if srv.notify_mask & N.ZSET:
            srv.notify(N.ZSET, "zincr" if incr else "zadd", key, db.id)
    if incr:
        if processed:
            c.w.double(score)
        else:
            c.w.null()
    else:
        c.w.integer(added + updated if flags & _CH else added)


@command("zadd")
def zadd_command(c: Any, argv: list[bytes]) -> None:
    """ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]"""
    if len(argv) == 4:
        sb = argv[2]
        if sb.isdigit() and len(sb) < 300:  # one pair, integer score: the common case
            db = c.db
            key = argv[1]
            z = db.lookup_write(key)
            if z is not None:
                if type(z) is not ZSet:
                    raise RedisError(E.WRONGTYPE)
                member = argv[3]
                score = float(sb)
                zscores = z.scores
                cur = zscores.get(member)
                if type(z.zsl) is list:
                    cfg = c.srv.config.values
                    me = cfg["zset-max-listpack-entries"]
                    if me < 1 or (cur is None and (len(zscores) >= me
                                                   or len(member) > cfg["zset-max-listpack-value"])):
                        z.to_skiplist()
                if cur is not None and cur == score:
                    c.w.integer(0)
                    return
                if cur is None:
                    z.insert(member, score)
                else:
                    z.set_score(member, cur, score)
                srv = c.srv
                srv.dirty += 1
                db.signal_modified(key)
                if srv.notify_mask & N.ZSET:
                    srv.notify(N.ZSET, "zadd", key, db.id)
                c.w.integer(1 if cur is None else 0)
                return
    zadd_generic(c, argv, 0)


@command("zincrby")
def zincrby_command(c: Any, argv: list[bytes]) -> None:
    """ZINCRBY key increment member: ZADD INCR, option words included (as Redis)."""
    zadd_generic(c, argv, _INCR)


# --- simple reads and ZREM ---------------------------------------------------------------
@command("zrem")
def zrem_command(c: Any, argv: list[bytes]) -> None:
    """ZREM key member [member ...]"""
    key = argv[1]
    z = _write(c, key)
    if z is None:
        c.w.integer(0)
        return
    deleted = 0
    for m in argv[2:]:
        if z.remove(m):
            deleted += 1
            if not z.scores:
                break
    if deleted:
        db = c.db
        db.notify(N.ZSET, "zrem", key)
        _deleted_if_empty(c, key, z)
        db.signal_modified(key)
        c.srv.dirty += deleted
    c.w.integer(deleted)


@command("zcard")
def zcard_command(c: Any, argv: list[bytes]) -> None:
    """ZCARD key"""
    z = _read(c, argv[1])
    c.w.integer(0 if z is None else len(z.scores))


@command("zscore")
def zscore_command(c: Any, argv: list[bytes]) -> None:
    """ZSCORE key member"""
    z = _read(c, argv[1])
    s = None if z is None else z.scores.get(argv[2])
    if s is None:
        c.w.null()
    else:
        c.w.double(s)


@command("zmscore")
def zmscore_command(c: Any, argv: list[bytes]) -> None:
    """ZMSCORE key member [member ...]"""
    z = _read(c, argv[1])
    w = c.w
    w.array(len(argv) - 2)
    scores = z.scores if z is not None else {}
    for m in argv[2:]:
        s = scores.get(m)
        if s is None:
            w.null()
        else:
            w.double(s)


def _zrank(c: Any, argv: list[bytes], rev: bool) -> None:
    """zrankGenericCommand: WITHSCORE replies [rank, score]; misses are nil (arrays)."""
    n = len(argv)
    if n > 4:
        raise E.wrong_arity(c.cmd.fullname)
    withscore = False
    if n == 4:
        if argv[3].upper() != b"WITHSCORE":
            raise RedisError(E.SYNTAX)
        withscore = True
    z = _read(c, argv[1])
    r = None if z is None else z.rank(argv[2])
    w = c.w
    if r is None:
        if withscore:
            w.null_array()
        else:
            w.null()
        return
    if rev:
        r = len(z.scores) - 1 - r
    if withscore:
        w.array(2)
        w.integer(r)
        w.double(z.scores[argv[2]])
    else:
        w.integer(r)


@command("zrank")
def zrank_command(c: Any, argv: list[bytes]) -> None:
    """ZRANK key member [WITHSCORE]"""
    _zrank(c, argv, False)


@command("zrevrank")
def zrevrank_command(c: Any, argv: list[bytes]) -> None:
    """ZREVRANK key member [WITHSCORE]"""
    _zrank(c, argv, True)


@command("zcount")
def zcount_command(c: Any, argv: list[bytes]) -> None:
    """ZCOUNT key min max"""
    lo, loex, hi, hiex = parse_score_range(argv[2], argv[3])
    z = _read(c, argv[1])
    c.w.integer(0 if z is None else z.count_in_score_range(lo, loex, hi, hiex))


@command("zlexcount")
def zlexcount_command(c: Any, argv: list[bytes]) -> None:
    """ZLEXCOUNT key min max"""
    lo, hi = parse_lex_range(argv[2], argv[3])
    z = _read(c, argv[1])
    if z is None:
        c.w.integer(0)
        return
    start, end = z.lex_span(lo, hi)
    c.w.integer(end - start)


# --- the ZRANGE family -----------------------------------------------------------------
RANK, SCORE, LEX = 0, 1, 2


def _rank_items(z: ZSet, start: int, end: int, rev: bool) -> list:
    """genericZrangebyrankCommand's index arithmetic; [] when the range is empty."""
    llen = len(z.scores)
    if start < 0:
        start += llen
    if end < 0:
        end += llen
    if start < 0:
        start = 0
    if start > end or start >= llen:
        return []
    if end >= llen:
        end = llen - 1
    if rev:
        return z.rev_slice(llen - 1 - end, llen - start)
    return z.slice(start, end + 1)


def _span_items(z: ZSet, start: int, end: int, rev: bool, offset: int, limit: int) -> list:
    """Elements [start, end) walked forward (or backward), skipping `offset`, taking
    `limit` (negative: all).

    A negative offset finds nothing in a listpack (Redis's skip loop runs off the end),
    but a skiplist answers it: Redis 7.4's zslNthInRange counts it back from the far end
    of the range (forward: from the last element in range; reverse: -1 is the first)."""
    if end <= start:
        return []
    if offset < 0:
        if type(z.zsl) is list:
            return []
        if not rev:
            target = end + offset
            if target < start:
                return []
            stop = end if limit < 0 or target + limit > end else target + limit
            return z.slice(target, stop)
        target = start - offset - 1
        if target >= end:
            return []
        low = start if limit < 0 or target - limit + 1 < start else target - limit + 1
        return z.rev_slice(low, target + 1)
    total = end - start
    if offset >= total:
        return []
    take = total - offset
    if 0 <= limit < take:
        take = limit
    if take == 0:
        return []
    if rev:
        hi = end - offset
        return z.rev_slice(hi - take, hi)
    lo = start + offset
    return z.slice(lo, lo + take)


def zrange_generic(c: Any, argv: list[bytes], first: int, store: bool, rangetype: int | None,
                   rev: bool | None) -> None:
    """zrangeGenericCommand: `first` is the index of the source key; rangetype and rev
    are None where the command lets options choose (ZRANGE, ZRANGESTORE)."""
    n = len(argv)
    withscores = False
    offset = 0
    limit = -1
    j = first + 3
    while j < n:
        opt = argv[j].upper()
        left = n - j - 1
        if not store and opt == b"WITHSCORES":
            withscores = True
        elif opt == b"LIMIT" and left >= 2:
            offset = parse_int(argv[j + 1])
            limit = parse_int(argv[j + 2])
            j += 2
        elif rev is None and opt == b"REV":
            rev = True
        elif rangetype is None and opt == b"BYLEX":
            rangetype = LEX
        elif rangetype is None and opt == b"BYSCORE":
            rangetype = SCORE
        else:
            raise RedisError(E.SYNTAX)
        j += 1
    if rev is None:
        rev = False
    if rangetype is None:
        rangetype = RANK
    if limit != -1 and rangetype == RANK:
        raise RedisError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
    if withscores and rangetype == LEX:
        raise RedisError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    amin = argv[first + 1]
    amax = argv[first + 2]
    if rev and rangetype != RANK:
        amin, amax = amax, amin
    if rangetype == RANK:
        start = parse_int(amin)
        stop = parse_int(amax)
    elif rangetype == SCORE:
        srange = parse_score_range(amin, amax)
    else:
        lo, hi = parse_lex_range(amin, amax)
    z = _read(c, argv[first])
    if z is None:
        items = []
    elif rangetype == RANK:
        items = _rank_items(z, start, stop, rev)
    elif rangetype == SCORE:
        s, e = z.score_span(*srange)
        items = _span_items(z, s, e, rev, offset, limit)
    else:
        s, e = z.lex_span(lo, hi, rev)
        items = _span_items(z, s, e, rev, offset, limit)
    if store:
        if rev:
            items.reverse()
        _store(c, argv[1], items, "zrangestore")
    else:
        _reply_items(c.w, items, withscores)


@command("zrange")
def zrange_command(c: Any, argv: list[bytes]) -> None:
    """ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"""
    if len(argv) == 4:  # the plain rank form, kept short
        start = parse_int(argv[2])
        stop = parse_int(argv[3])
        z = _read(c, argv[1])
        items = [] if z is None else _rank_items(z, start, stop, False)
        c.w.bulk_array([m for _, m in items])
        return
    zrange_generic(c, argv, 1, False, None, None)


@command("zrangestore")
def zrangestore_command(c: Any, argv: list[bytes]) -> None:
    """ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]"""
    zrange_generic(c, argv, 2, True, None, None)


@command("zrevrange")
def zrevrange_command(c: Any, argv: list[bytes]) -> None:
    """ZREVRANGE key start stop [WITHSCORES]"""
    zrange_generic(c, argv, 1, False, RANK, True)


@command("zrangebyscore")
def zrangebyscore_command(c: Any, argv: list[bytes]) -> None:
    """ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]"""
    zrange_generic(c, argv, 1, False, SCORE, False)


@command("zrevrangebyscore")
def zrevrangebyscore_command(c: Any, argv: list[bytes]) -> None:
    """ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]"""
    zrange_generic(c, argv, 1, False, SCORE, True)


@command("zrangebylex")
def zrangebylex_command(c: Any, argv: list[bytes]) -> None:
    """ZRANGEBYLEX key min max [LIMIT offset count]"""
    zrange_generic(c, argv, 1, False, LEX, False)


@command("zrevrangebylex")
def zrevrangebylex_command(c: Any, argv: list[bytes]) -> None:
    """ZREVRANGEBYLEX key max min [LIMIT offset count]"""
    zrange_generic(c, argv, 1, False, LEX, True)


# --- ZREMRANGEBY* -----------------------------------------------------------------------
def zremrange_generic(c: Any, argv: list[bytes], rangetype: int) -> None:
    """zremrangeGenericCommand: parse the range, then delete it in one go."""
    if rangetype == RANK:
        start = parse_int(argv[2])
        end = parse_int(argv[3])
    elif rangetype == SCORE:
        srange = parse_score_range(argv[2], argv[3])
    else:
        lo, hi = parse_lex_range(argv[2], argv[3])
    key = argv[1]
    z = _write(c, key)
    if z is None:
        c.w.integer(0)
        return
    if rangetype == RANK:
        llen = len(z.scores)
        if start < 0:
            start += llen
        if end < 0:
            end += llen
        if start < 0:
            start = 0
        if start > end or start >= llen:
            c.w.integer(0)
            return
        if end >= llen:
            end = llen - 1
        s, e = start, end + 1
    elif rangetype == SCORE:
        s, e = z.score_span(*srange)
    else:
        s, e = z.lex_span(lo, hi, precheck=type(z.zsl) is list)
    deleted = len(z.delete_span(s, e)) if e > s else 0
    if deleted:
        db = c.db
        db.signal_modified(key)
        db.notify(N.ZSET, ("zremrangebyrank", "zremrangebyscore", "zremrangebylex")[rangetype], key)
        _deleted_if_empty(c, key, z)
        c.srv.dirty += deleted
    c.w.integer(deleted)


@command("zremrangebyrank")
def zremrangebyrank_command(c: Any, argv: list[bytes]) -> None:
    """ZREMRANGEBYRANK key start stop"""
    zremrange_generic(c, argv, RANK)


@command("zremrangebyscore")
def zremrangebyscore_command(c: Any, argv: list[bytes]) -> None:
    """ZREMRANGEBYSCORE key min max"""
    zremrange_generic(c, argv, SCORE)


@command("zremrangebylex")
def zremrangebylex_command(c: Any, argv: list[bytes]) -> None:
    """ZREMRANGEBYLEX key min max"""
    zremrange_generic(c, argv, LEX)


# --- ZUNION / ZINTER / ZDIFF and their STORE forms, ZINTERCARD -------------------------------
UNION, INTER, DIFF = 0, 1, 2
SUM, MIN, MAX = 0, 1, 2


class _Src:
    """One input of a set operation (zsetopsrc): a zset's scores, or a set's members
    seen with score 1."""

    __slots__ = ("obj", "scores", "weight")

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.weight = 1.0
        if obj is None:
            self.scores: dict = {}
        elif type(obj) is ZSet:
            self.scores = obj.scores
        else:
            self.scores = dict.fromkeys(_set_members(obj), 1.0)


def _set_members(v: Any) -> list[bytes]:
    """The members of a set value as bytes, whatever container its type uses."""
    return [m if type(m) is bytes else (b"%d" % m if type(m) is int else bytes(m)) for m in v]


def _aggregate(acc: float, val: float, how: int) -> float:
    """zunionInterAggregate: NaN sums become 0; a NaN operand never wins MIN/MAX."""
    if how == SUM:
        acc = acc + val
        return 0.0 if acc != acc else acc
    if how == MIN:
        return val if val < acc else acc
    return val if val > acc else acc


def _setop_keys(c: Any, argv: list[bytes], nk_index: int) -> tuple[int, list[bytes]]:
    n = parse_int(argv[nk_index])
    if n < 1:
        raise RedisError(f"ERR at least 1 input key is needed for '{c.cmd.fullname}' command")
    if n > len(argv) - nk_index - 1:
        raise RedisError(E.SYNTAX)
    return n, argv[nk_index + 1 : nk_index + 1 + n]


def zsetop_generic(c: Any, argv: list[bytes], nk_index: int, dst: bytes | None, op: int,
                   card_only: bool = False) -> None:
    """zunionInterDiffGenericCommand: inputs are checked for type before options."""
    setnum, keys = _setop_keys(c, argv, nk_index)
    db = c.db
    srcs = []
    for k in keys:
        v = db.lookup_read(k)
        if v is not None:
            tc = type_code(v)
            if tc != OBJ_ZSET and tc != OBJ_SET:
                raise RedisError(E.WRONGTYPE)
        srcs.append(v)
    how = SUM
    withscores = False
    limit = 0
    weights: list[float] | None = None
    j = nk_index + 1 + setnum
    n = len(argv)
    while j < n:
        remaining = n - j
        opt = argv[j].upper()
        if op != DIFF and not card_only and remaining >= setnum + 1 and opt == b"WEIGHTS":
            weights = [parse_score(argv[j + 1 + i], WEIGHT_NOT_FLOAT) for i in range(setnum)]
            j += 1 + setnum
        elif op != DIFF and not card_only and remaining >= 2 and opt == b"AGGREGATE":
            a = argv[j + 1].upper()
            if a == b"SUM":
                how = SUM
            elif a == b"MIN":
                how = MIN
            elif a == b"MAX":
                how = MAX
            else:
                raise RedisError(E.SYNTAX)
            j += 2
        elif remaining >= 1 and dst is None and not card_only and opt == b"WITHSCORES":
            withscores = True
            j += 1
        elif card_only and remaining >= 2 and opt == b"LIMIT":
            limit = parse_int(argv[j + 1], "ERR LIMIT can't be negative")
            if limit < 0:
                raise RedisError("ERR LIMIT can't be negative")
            j += 2
        else:
            raise RedisError(E.SYNTAX)
    src = [_Src(v) for v in srcs]
    if weights is not None:
        for s, wt in zip(src, weights, strict=True):
            s.weight = wt
    if op != DIFF:
        src.sort(key=lambda s: len(s.scores))  # smallest first, stable like glibc's msort
    result: dict[bytes, float] = {}
    cardinality = 0
    if op == INTER:
        first = src[0]
        if first.scores:
            w0 = first.weight
            others = src[1:]
            for m, sc in first.scores.items():
                score = w0 * sc
                if score != score:
                    score = 0.0
                for o in others:
                    if o.obj is first.obj:
                        val = sc * o.weight
                    else:
                        v = o.scores.get(m)
                        if v is None:
                            break
                        val = v * o.weight
                    score = _aggregate(score, val, how)
                else:
                    if card_only:
                        cardinality += 1
                        if limit and cardinality >= limit:
                            break
                    else:
                        result[m] = score
    elif op == UNION:
        for s in src:
            wt = s.weight
            for m, sc in s.scores.items():
                score = wt * sc
                if score != score:
                    score = 0.0
                cur = result.get(m)
                if cur is None:
                    result[m] = score
                else:
                    result[m] = _aggregate(cur, score, how)
    else:
        first = src[0].scores
        others = [s.scores for s in src[1:] if s.scores]
        for m, sc in first.items():
            for o in others:
                if m in o:
                    break
            else:
                result[m] = sc
    if card_only:
        c.w.integer(cardinality)
        return
    items = sorted((s, m) for m, s in result.items())
    if dst is not None:
        _store(c, dst, items, ("zunionstore", "zinterstore", "zdiffstore")[op])
    else:
        _reply_items(c.w, items, withscores)


@command("zunion")
def zunion_command(c: Any, argv: list[bytes]) -> None:
    """ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"""
    zsetop_generic(c, argv, 1, None, UNION)


@command("zinter")
def zinter_command(c: Any, argv: list[bytes]) -> None:
    """ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"""
    zsetop_generic(c, argv, 1, None, INTER)


@command("zdiff")
def zdiff_command(c: Any, argv: list[bytes]) -> None:
    """ZDIFF numkeys key [key ...] [WITHSCORES]"""
    zsetop_generic(c, argv, 1, None, DIFF)


@command("zunionstore")
def zunionstore_command(c: Any, argv: list[bytes]) -> None:
    """ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE SUM|MIN|MAX]"""
    zsetop_generic(c, argv, 2, argv[1], UNION)


@command("zinterstore")
def zinterstore_command(c: Any, argv: list[bytes]) -> None:
    """ZINTERSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE SUM|MIN|MAX]"""
    zsetop_generic(c, argv, 2, argv[1], INTER)


@command("zdiffstore")
def zdiffstore_command(c: Any, argv: list[bytes]) -> None:
    """ZDIFFSTORE destination numkeys key [key ...]"""
    zsetop_generic(c, argv, 2, argv[1], DIFF)


@command("zintercard")
def zintercard_command(c: Any, argv: list[bytes]) -> None:
    """ZINTERCARD numkeys key [key ...] [LIMIT limit]"""
    zsetop_generic(c, argv, 1, None, INTER, card_only=True)


# --- pops ---------------------------------------------------------------------------------
def zpop_generic(c: Any, keys: list[bytes], from_max: bool, emitkey: bool, count: int,
                 nested: bool, nil_when_empty: bool) -> tuple[bytes, int] | None:
    """genericZpopCommand: pop from the first existing key (WRONGTYPE stops the scan).
    `count` -1 is the plain single pop. Returns (key, popped) when something was popped."""
    db = c.db
    w = c.w
    z = None
    key = b""
    for key in keys:
        z = db.lookup_write(key)
        if z is None:
            continue
        if type(z) is not ZSet:
            raise RedisError(E.WRONGTYPE)
        break
    if z is None:
        if nil_when_empty:
            w.null_array()
        else:
            w.array(0)
        return None
    if count == 0:
        w.array(0)
        return None
    if count == -1:
        count = 1
    popped = z.pop(count, from_max)
    k = len(popped)
    if not emitkey:
        w.array(k if nested else 2 * k)
    elif not nested:
        w.array(2 * k + 1)
        w.bulk(key)
    else:
        w.array(2)
        w.bulk(key)
        w.array(k)
    for s, m in popped:
        if nested:
            w.array(2)
        w.bulk(m)
        w.double(s)
    srv = c.srv
    srv.dirty += k
    db.notify(N.ZSET, "zpopmax" if from_max else "zpopmin", key)
    db.signal_modified(key)
    _deleted_if_empty(c, key, z)
    return key, k


def _zpop_command(c: Any, argv: list[bytes], from_max: bool) -> None:
    """ZPOPMIN/ZPOPMAX key [count]"""
    if len(argv) > 3:
        raise RedisError(E.SYNTAX)
    count = -1
    if len(argv) == 3:
        count = parse_int(argv[2], E.NEGATIVE_COUNT)
        if count < 0:
            raise RedisError(E.NEGATIVE_COUNT)
    zpop_generic(c, [argv[1]], from_max, False, count, c.w.resp != 2 and count != -1, False)


@command("zpopmin")
def zpopmin_command(c: Any, argv: list[bytes]) -> None:
    """ZPOPMIN key [count]: RESP3 nests [member, score] pairs only when count is given."""
    _zpop_command(c, argv, False)


@command("zpopmax")
def zpopmax_command(c: Any, argv: list[bytes]) -> None:
    """ZPOPMAX key [count]"""
    _zpop_command(c, argv, True)


def _timeout_reply(c: Any) -> None:
    c.w.null_array()


def blocking_zpop(c: Any, keys: list[bytes], from_max: bool, timeout_arg: bytes, count: int,
                  zmpop: bool) -> None:
    """blockingGenericZpopCommand: pop now if some key has elements, else wait."""
    timeout = parse_timeout_seconds(timeout_arg)
    db = c.db
    for key in keys:
        z = db.lookup_write(key)
        if z is None:
            continue
        if type(z) is not ZSet:
            raise RedisError(E.WRONGTYPE)
        if not z.scores:
            continue
        res = zpop_generic(c, [key], from_max, True, count, zmpop, zmpop)
        name = b"ZPOPMAX" if from_max else b"ZPOPMIN"
        if res is not None:
            if zmpop:
                c.srv.rewrite_propagation([[name, key, b"%d" % res[1]]])
            else:
                c.srv.rewrite_propagation([[name, key]])
        return
    if c.deny_blocking:
        c.w.null_array()
        return
    c.srv.blocking.block_on_keys(c, keys, timeout, _timeout_reply, value_type=OBJ_ZSET)


@command("bzpopmin")
def bzpopmin_command(c: Any, argv: list[bytes]) -> None:
    """BZPOPMIN key [key ...] timeout"""
    blocking_zpop(c, argv[1:-1], False, argv[-1], -1, False)


@command("bzpopmax")
def bzpopmax_command(c: Any, argv: list[bytes]) -> None:
    """BZPOPMAX key [key ...] timeout"""
    blocking_zpop(c, argv[1:-1], True, argv[-1], -1, False)


def zmpop_generic(c: Any, argv: list[bytes], nk_index: int, blocking: bool) -> None:
    """zmpopGenericCommand: numkeys, keys, MIN|MAX, [COUNT n]."""
    numkeys = parse_int(argv[nk_index], "ERR numkeys should be greater than 0")
    if numkeys < 1:
        raise RedisError("ERR numkeys should be greater than 0")
    n = len(argv)
    where_idx = nk_index + numkeys + 1
    if where_idx >= n:
        raise RedisError(E.SYNTAX)
    where = argv[where_idx].upper()
    if where == b"MIN":
        from_max = False
    elif where == b"MAX":
        from_max = True
    else:
        raise RedisError(E.SYNTAX)
    count = -1
    j = where_idx + 1
    while j < n:
        if count == -1 and argv[j].upper() == b"COUNT" and j + 1 < n:
            count = parse_int(argv[j + 1], "ERR count should be greater than 0")
            if count < 1:
                raise RedisError("ERR count should be greater than 0")
            j += 2
        else:
            raise RedisError(E.SYNTAX)
    if count == -1:
        count = 1
    keys = argv[nk_index + 1 : where_idx]
    if blocking:
        blocking_zpop(c, keys, from_max, argv[1], count, True)
        return
    res = zpop_generic(c, keys, from_max, True, count, True, True)
    if res is not None:
        c.srv.rewrite_propagation([[b"ZPOPMAX" if from_max else b"ZPOPMIN", res[0], b"%d" % res[1]]])


@command("zmpop")
def zmpop_command(c: Any, argv: list[bytes]) -> None:
    """ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]"""
    zmpop_generic(c, argv, 1, False)


@command("bzmpop")
def bzmpop_command(c: Any, argv: list[bytes]) -> None:
    """BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]"""
    zmpop_generic(c, argv, 2, True)


# --- ZRANDMEMBER ------------------------------------------------------------------------------
@command("zrandmember")
def zrandmember_command(c: Any, argv: list[bytes]) -> None:
    """ZRANDMEMBER key [count [WITHSCORES]]: a negative count may repeat members."""
    n = len(argv)
    w = c.w
    if n == 2:
        z = _read(c, argv[1])
        if z is None:
            w.null()
        else:
            w.bulk(z.zsl[random.randrange(len(z.scores))][1])
        return
    lc = parse_int(argv[2])
    if lc < -LLONG_MAX:
        raise RedisError(f"ERR value is out of range, value must between {-LLONG_MAX} and {LLONG_MAX}")
    withscores = False
    if n > 3:
        if n == 4 and argv[3].upper() == b"WITHSCORES":
            withscores = True
            if lc < -(LLONG_MAX // 2) or lc > LLONG_MAX // 2:
                raise RedisError("ERR value is out of range")
        else:
            raise RedisError(E.SYNTAX)
    z = _read(c, argv[1])
    if z is None:
        w.array(0)
        return
    if lc == 0:
        w.array(0)
        return
    size = len(z.scores)
    zsl = z.zsl
    if lc < 0:
        items = [zsl[random.randrange(size)] for _ in range(-lc)]
    elif lc >= size:
        items = z.rev_slice(0, size)
    else:
        items = [zsl[i] for i in random.sample(range(size), lc)]
    _reply_items(w, items, withscores)


# --- ZSCAN ------------------------------------------------------------------------------------
@command("zscan")
def zscan_command(c: Any, argv: list[bytes]) -> None:
    """ZSCAN key cursor [MATCH pattern] [COUNT count]: small (listpack) sets come back
    whole with cursor 0; scores are bulk strings in every protocol."""
    cursor = parse_cursor(argv[2])
    z = _read(c, argv[1])
    w = c.w
    if z is None:
        w.array(2)
        w.bulk(b"0")
        w.array(0)
        return
    count, match, _, _ = parse_scan_options(argv, 3)
    scores = z.scores
    if type(z.zsl) is list:
        nxt = 0
        members = [m for _, m in z.zsl]
    else:
        nxt, members = scanner_for(c.srv).scan(cursor, lambda: list(scores), count,
                                               scores.__contains__, z)
    if match is not None:
        members = [m for m in members if match(m)]
    w.array(2)
    w.bulk(b"%d" % nxt)
    w.array(2 * len(members))
    for m in members:
        w.bulk(m)
        w.bulk(d2string(scores[m]))


# --- key extraction for COMMAND GETKEYS and cluster routing ------------------------------------
@getkeys("zunionstore", "zinterstore", "zdiffstore")
def _store_setop_keys(argv: list[bytes]) -> list[int]:
    keys = numkeys_positions(argv, 2)
    return [1, *keys] if keys else []


@getkeys("zunion", "zinter", "zdiff", "zintercard", "zmpop")
def _setop_keys_getkeys(argv: list[bytes]) -> list[int]:
    return numkeys_positions(argv, 1)


@getkeys("bzmpop")
def _bzmpop_keys(argv: list[bytes]) -> list[int]:
    return numkeys_positions(argv, 2)
