"""Set commands (t_set.c): SADD, SREM, SMOVE, SISMEMBER, SMISMEMBER, SCARD, SMEMBERS,
SRANDMEMBER, SPOP, the algebra (SINTER, SINTERCARD, SUNION, SDIFF and their STORE forms)
and SSCAN.

The value is engine/types/set.py's `Set`; it converts between intset, listpack and
hashtable as setTypeAdd does, so this file only follows t_set.c's control flow: which
encoding a new or computed set starts with, the order members are visited in (a
result's reply order and encoding depend on it), what is propagated in place of SPOP,
and the keyspace events. Neighbours: engine/types/set.py, engine/scan.py (SSCAN).
"""

from __future__ import annotations

from typing import Any

from moredis import errors as E
from moredis.commands.registry import command, getkeys
from moredis.commands.util import cstr_lower, parse_scan_options
from moredis.engine import notify as N
from moredis.engine.scan import parse_cursor, scanner_for
from moredis.engine.types.set import HASHTABLE, INTSET, LISTPACK, Set, new_set
from moredis.errors import RedisError
from moredis.numbers import LLONG_MIN, parse_int

SRANDMEMBER_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
NUMKEYS = "ERR numkeys should be greater than 0"
TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"
SPOP_MOVE_STRATEGY_MUL = 5  # t_set.c: when SPOP keeps few members, build the kept set instead
SPOP_BATCH = 1024  # members per propagated SREM


def _read(c: Any, key: bytes) -> Set | None:
    v = c.db.lookup_read(key)
    if v is not None and type(v) is not Set:
        raise RedisError(E.WRONGTYPE)
    return v


def _write(c: Any, key: bytes) -> Set | None:
    v = c.db.lookup_write(key)
    if v is not None and type(v) is not Set:
        raise RedisError(E.WRONGTYPE)
    return v


def _reply_members(w: Any, s: Set) -> None:
    """The whole set as a RESP3 set (array in RESP2), in the encoding's order."""
    m = s.m
    w.set(len(m))
    bulk = w.bulk
    if s.enc == INTSET:
        for v in m:
            bulk(b"%d" % v)
    else:
        for x in m:
            bulk(x)


def _changed(c: Any, db: Any, key: bytes) -> None:
    if db.watched or c.srv.tracking_table is not None:
        db.signal_modified(key)


# --- single-key writes --------------------------------------------------------------------
@command("sadd")
def sadd_command(c: Any, argv: list[bytes]) -> None:
    """SADD key member [member ...]: a new key's encoding is chosen from the first
    member and the number of members (setTypeCreate)."""
    db = c.db
    key = argv[1]
    s = db.lookup_write(key)
    vals = c.srv.config.values
    n = len(argv) - 2
    if s is None:
        s = new_set(argv[2], n, vals)
        db.add(key, s)
    elif type(s) is not Set:
        raise RedisError(E.WRONGTYPE)
    elif s.enc != HASHTABLE:
        s.maybe_convert(n, vals)
    if n == 1:
        if s.enc == HASHTABLE and s.pick is None:
            m = s.m
            member = argv[2]
            if member in m:
                added = 0
            else:
                m.add(member)
                added = 1
        else:
            added = 1 if s.add(argv[2], vals) else 0
    elif s.enc == HASHTABLE and s.pick is None:
        m = s.m
        before = len(m)
        m.update(argv[2:])
        added = len(m) - before
    else:
        added = s.add_many(argv[2:], vals)
    srv = c.srv
    if added:
        _changed(c, db, key)
        if srv.notify_mask & N.SET:
            srv.notify(N.SET, "sadd", key, db.id)
        srv.dirty += added
    c.w.integer(added)


@command("srem")
def srem_command(c: Any, argv: list[bytes]) -> None:
    """SREM key member [member ...]: the key goes away as soon as it is empty."""
    db = c.db
    key = argv[1]
    s = _write(c, key)
    if s is None:
        c.w.integer(0)
        return
    deleted = 0
    removed_key = False
    for j in range(2, len(argv)):
        if s.remove(argv[j]):
            deleted += 1
            if not s.m:
                db.delete(key)
                removed_key = True
                break
    if deleted:
        _changed(c, db, key)
        srv = c.srv
        if srv.notify_mask:
            db.notify(N.SET, "srem", key)
            if removed_key:
                db.notify(N.GENERIC, "del", key)
        srv.dirty += deleted
    c.w.integer(deleted)


@command("smove")
def smove_command(c: Any, argv: list[bytes]) -> None:
    """SMOVE source destination member: a missing source answers 0 whatever the
    destination holds; same source and destination only tells membership."""
    db = c.db
    src, dst, member = argv[1], argv[2], argv[3]
    srcset = db.lookup_write(src)
    dstset = db.lookup_write(dst)
    if srcset is None:
        c.w.integer(0)
        return
    if type(srcset) is not Set or (dstset is not None and type(dstset) is not Set):
        raise RedisError(E.WRONGTYPE)
    if srcset is dstset:
        c.w.integer(1 if member in srcset else 0)
        return
    if not srcset.remove(member):
        c.w.integer(0)
        return
    srv = c.srv
    db.notify(N.SET, "srem", src)
    if not srcset.m:
        db.delete(src)
        db.notify(N.GENERIC, "del", src)
    vals = srv.config.values
    if dstset is None:
        dstset = new_set(member, 1, vals)
        db.add(dst, dstset)
    db.signal_modified(src)
    srv.dirty += 1
    if dstset.add(member, vals):
        srv.dirty += 1
        db.signal_modified(dst)
        db.notify(N.SET, "sadd", dst)
    c.w.integer(1)


# --- reads ----------------------------------------------------------------------------------
@command("sismember")
def sismember_command(c: Any, argv: list[bytes]) -> None:
    """SISMEMBER key member"""
    s = c.db.lookup_read(argv[1])
    if s is None:
        c.w.integer(0)
    elif type(s) is not Set:
        raise RedisError(E.WRONGTYPE)
    elif s.enc != INTSET:
        c.w.integer(1 if argv[2] in s.m else 0)
    else:
        c.w.integer(1 if argv[2] in s else 0)


@command("smismember")
def smismember_command(c: Any, argv: list[bytes]) -> None:
    """SMISMEMBER key member [member ...]: one 0/1 integer per member."""
    s = _read(c, argv[1])
    w = c.w
    w.array(len(argv) - 2)
    for j in range(2, len(argv)):
        w.integer(1 if s is not None and argv[j] in s else 0)


@command("scard")
def scard_command(c: Any, argv: list[bytes]) -> None:
    """SCARD key"""
    s = _read(c, argv[1])
    c.w.integer(0 if s is None else len(s.m))


@command("smembers")
def smembers_command(c: Any, argv: list[bytes]) -> None:
    """SMEMBERS key: a RESP3 set; intsets ascending, listpacks in insertion order."""
    s = _read(c, argv[1])
    if s is None:
        c.w.set(0)
        return
    _reply_members(c.w, s)


# --- random members ----------------------------------------------------------------------------
@command("srandmember")
def srandmember_command(c: Any, argv: list[bytes]) -> None:
    """SRANDMEMBER key [count]: without count one member (or null); a negative count
    may repeat members, a positive one gives distinct members (an array in RESP3 too)."""
    if len(argv) > 3:
        raise RedisError(E.SYNTAX)
    w = c.w
    if len(argv) == 2:
        s = _read(c, argv[1])
        if s is None:
            w.null()
        else:
            w.bulk(s.random_member())
        return
    count = parse_int(argv[2])
    if count == LLONG_MIN:
        raise RedisError(SRANDMEMBER_RANGE)
    s = _read(c, argv[1])
    if s is None or count == 0:
        w.array(0)
        return
    size = len(s.m)
    if count < 0 or count == 1:  # CASE 1: independent draws, in random order
        picks = s.random_with_repeats(-count if count < 0 else 1)
    elif count >= size:  # CASE 2: the whole set, in its order
        w.array(size)
        bulk = w.bulk
        for x in s:
            bulk(x)
        return
    elif s.enc == LISTPACK:  # CASE 2.5: distinct members in listpack order
        picks = s.random_in_order(count)
    else:  # CASES 3 and 4: distinct members in no particular order
        picks = s.random_sample(count)
    w.array(len(picks))
    bulk = w.bulk
    for x in picks:
        bulk(x)


@command("spop")
def spop_command(c: Any, argv: list[bytes]) -> None:
    """SPOP key [count]: replicated as SREM of what was popped (DEL/UNLINK when a count
    empties the set), as t_set.c spopCommand does."""
    if len(argv) == 3:
        _spop_with_count(c, argv)
        return
    if len(argv) > 3:
        raise RedisError(E.SYNTAX)
    db = c.db
    key = argv[1]
    s = _write(c, key)
    if s is None:
        c.w.null()
        return
    member = s.pop_random()
    srv = c.srv
    if srv.notify_mask & N.SET:
        srv.notify(N.SET, "spop", key, db.id)
    srv.rewrite_propagation([[b"SREM", key, member]])
    c.w.bulk(member)
    if not s.m:
        db.delete(key)
        db.notify(N.GENERIC, "del", key)
    _changed(c, db, key)
    srv.dirty += 1


def _spop_with_count(c: Any, argv: list[bytes]) -> None:
    """spopWithCountCommand: the whole set when count reaches its size; else random
    members popped one by one, or, when few would stay, the survivors drawn instead.
    A listpack gives its popped members in listpack order."""
    count = parse_int(argv[2], E.NEGATIVE_COUNT)
    if count < 0:
        raise RedisError(E.NEGATIVE_COUNT)
    db = c.db
    key = argv[1]
    s = _write(c, key)
    w = c.w
    if s is None or count == 0:
        w.set(0)
        return
    srv = c.srv
    size = len(s.m)
    db.notify(N.SET, "spop", key)
    srv.dirty += count if count < size else size
    if count >= size:
        db.lookup_read(key)  # sunionDiffGenericCommand of the set alone: a keyspace hit
        whole = Set(INTSET)
        whole.union_update(s, srv.config.values)
        _reply_members(w, whole)
        db.delete(key)
        db.notify(N.GENERIC, "del", key)
        srv.rewrite_propagation([[b"UNLINK" if srv.config.values["lazyfree-lazy-server-del"] else b"DEL", key]])
        db.signal_modified(key)
        return
    remaining = size - count
    enc = s.enc
    if remaining * SPOP_MOVE_STRATEGY_MUL > count:  # CASE 2
        if enc == LISTPACK:
            popped = s.random_in_order(count)
            m = s.m
            for x in popped:
                del m[x]
        else:
            pop = s.pop_random
            popped = [pop() for _ in range(count)]
    else:  # CASE 3: draw the survivors, pop the rest in the set's order
        kept = s.random_in_order(remaining) if enc == LISTPACK else s.random_sample(remaining)
        keep = set(kept)
        popped = [x for x in s if x not in keep]
        s.keep_only(kept, srv.config.values)
    w.set(len(popped))
    bulk = w.bulk
    for x in popped:
        bulk(x)
    srv.rewrite_propagation([[b"SREM", key, *popped[i:i + SPOP_BATCH]]
                             for i in range(0, len(popped), SPOP_BATCH)])
    db.signal_modified(key)


# --- set algebra --------------------------------------------------------------------------------
def _lookup_all(c: Any, keys: list[bytes]) -> list[Set | None]:
    """Every key is looked up (and counted) before the first wrong type stops all."""
    db = c.db
    sets = []
    wrong = False
    for k in keys:
        v = db.lookup_read(k)
        if v is not None and type(v) is not Set:
            wrong = True
            break
        sets.append(v)
    if wrong:
        raise RedisError(E.WRONGTYPE)
    return sets


def _store_result(c: Any, dst: bytes, result: Set, event: str) -> None:
    """setKey the non-empty result (dropping dst's TTL), or delete dst when empty."""
    db = c.db
    srv = c.srv
    if result.m:
        db.set_key(dst, result)
        c.w.integer(len(result.m))
        db.notify(N.SET, event, dst)
        srv.dirty += 1
    else:
        c.w.integer(0)
        if db.delete(dst):
            srv.dirty += 1
            db.signal_modified(dst)
            db.notify(N.GENERIC, "del", dst)


def sinter_generic(c: Any, keys: list[bytes], dst: bytes | None, card_only: bool = False,
                   limit: int = 0) -> None:
    """sinterGenericCommand: walk the smallest set (ties keep key order), keep what every
    other set holds. A stored result starts as an intset when the smallest set is one,
    else as a listpack, and ends as an intset when it holds only integers."""
    sets = _lookup_all(c, keys)
    w = c.w
    if None in sets:
        if dst is not None:
            _store_result(c, dst, Set(INTSET), "sinterstore")
        elif card_only:
            w.integer(0)
        else:
            w.set(0)
        return
    sets.sort(key=len)
    first = sets[0]
    others = [s for s in sets[1:] if s is not first]
    tests = [o.m.__contains__ if o.enc != INTSET else o.__contains__ for o in others]
    if card_only:
        n = 0
        if not tests:
            n = len(first.m)
        elif len(tests) == 1:
            t = tests[0]
            for x in first:
                if t(x):
                    n += 1
                    if n == limit:
                        break
        else:
            for x in first:
                for t in tests:
                    if not t(x):
                        break
                else:
                    n += 1
                    if n == limit:
                        break
        w.integer(min(n, limit) if limit else n)
        return
    found: Any
    if not others:
        found = list(first)
    elif first.enc == INTSET and all(o.enc == INTSET for o in others):
        common = set(first.m)
        for o in others:
            common.intersection_update(o.m)
        found = [b"%d" % v for v in sorted(common)]
    elif first.enc == HASHTABLE:  # no order to keep
        found = list(first.m.intersection(*[o.m if o.enc != INTSET else o.members() for o in others]))
    elif len(tests) == 1:
        t = tests[0]
        found = [x for x in first if t(x)]
    else:
        found = [x for x in first if all(t(x) for t in tests)]
    if dst is None:
        w.set(len(found))
        bulk = w.bulk
        for x in found:
            bulk(x)
        return
    vals = c.srv.config.values
    result = Set(INTSET if first.enc == INTSET else LISTPACK)
    result.add_many(found, vals)
    result.maybe_to_intset(vals)
    _store_result(c, dst, result, "sinterstore")


SET_OP_UNION = 0
SET_OP_DIFF = 1


def sunion_diff_generic(c: Any, keys: list[bytes], dst: bytes | None, op: int) -> None:
    """sunionDiffGenericCommand: the result is built as an intset that converts as it
    grows, so its encoding and order follow the inputs' orders. SDIFF picks Redis's
    algorithm (test each member of the first set, or add it all then remove the
    others), since the two can leave different encodings."""
    sets = _lookup_all(c, keys)
    vals = c.srv.config.values
    result = Set(INTSET)
    first = sets[0]
    if op == SET_OP_UNION:
        for s in sets:
            if s is not None:
                result.union_update(s, vals)
    elif first is not None and not any(s is first for s in sets[1:]):
        others = [s for s in sets[1:] if s is not None]
        algo_one = len(first) * (len(others) + 1) // 2
        algo_two = len(first) + sum(len(s) for s in others)
        if algo_one <= algo_two:
            result.add_many([x for x in first if not any(x in o for o in others)], vals)
        else:
            result.union_update(first, vals)
            for o in others:
                if not result.m:
                    break
                if result.enc == HASHTABLE and o.enc != INTSET:
                    rm = result.m
                    before = len(rm)
                    rm.difference_update(o.m)
                    if result.pick is not None and len(rm) != before:
                        result.pick = None
                else:
                    remove = result.remove
                    for x in o:
                        remove(x)
    if dst is None:
        _reply_members(c.w, result)
    else:
        _store_result(c, dst, result, "sunionstore" if op == SET_OP_UNION else "sdiffstore")


@command("sinter")
def sinter_command(c: Any, argv: list[bytes]) -> None:
    """SINTER key [key ...]"""
    sinter_generic(c, argv[1:], None)


@command("sinterstore")
def sinterstore_command(c: Any, argv: list[bytes]) -> None:
    """SINTERSTORE destination key [key ...]"""
    sinter_generic(c, argv[2:], argv[1])


@command("sintercard")
def sintercard_command(c: Any, argv: list[bytes]) -> None:
    """SINTERCARD numkeys key [key ...] [LIMIT limit]"""
    numkeys = parse_int(argv[1], NUMKEYS)
    if numkeys < 1:
        raise RedisError(NUMKEYS)
    if numkeys > len(argv) - 2:
        raise RedisError(TOO_MANY_KEYS)
    limit = 0
    j = 2 + numkeys
    n = len(argv)
    while j < n:
        if cstr_lower(argv[j]) == b"limit" and j + 1 < n:
            limit = parse_int(argv[j + 1], LIMIT_NEGATIVE)
            if limit < 0:
                raise RedisError(LIMIT_NEGATIVE)
            j += 2
        else:
            raise RedisError(E.SYNTAX)
    sinter_generic(c, argv[2:2 + numkeys], None, True, limit)


@command("sunion")
def sunion_command(c: Any, argv: list[bytes]) -> None:
    """SUNION key [key ...]"""
    sunion_diff_generic(c, argv[1:], None, SET_OP_UNION)


@command("sunionstore")
def sunionstore_command(c: Any, argv: list[bytes]) -> None:
    """SUNIONSTORE destination key [key ...]"""
    sunion_diff_generic(c, argv[2:], argv[1], SET_OP_UNION)


@command("sdiff")
def sdiff_command(c: Any, argv: list[bytes]) -> None:
    """SDIFF key [key ...]"""
    sunion_diff_generic(c, argv[1:], None, SET_OP_DIFF)


@command("sdiffstore")
def sdiffstore_command(c: Any, argv: list[bytes]) -> None:
    """SDIFFSTORE destination key [key ...]"""
    sunion_diff_generic(c, argv[2:], argv[1], SET_OP_DIFF)


# --- SSCAN ----------------------------------------------------------------------------------------
@command("sscan")
def sscan_command(c: Any, argv: list[bytes]) -> None:
    """SSCAN key cursor [MATCH pattern] [COUNT count]: intsets and listpacks come back
    whole with cursor 0; a missing key answers before the options are read."""
    cursor = parse_cursor(argv[2])
    s = _read(c, argv[1])
    w = c.w
    if s is None:
        w.array(2)
        w.bulk(b"0")
        w.array(0)
        return
    count, match, _, _ = parse_scan_options(argv, 3)
    if s.enc != HASHTABLE:
        nxt = 0
        members = s.members()
    else:
        nxt, members = scanner_for(c.srv).scan(cursor, lambda: list(s.m), count, s.__contains__, s)
    if match is not None:
        members = [x for x in members if match(x)]
    w.array(2)
    w.bulk(b"%d" % nxt)
    w.array(len(members))
    bulk = w.bulk
    for x in members:
        bulk(x)


# --- key extraction for COMMAND GETKEYS ---------------------------------------------------------
@getkeys("sintercard")
def _sintercard_keys(argv: list[bytes]) -> list[int]:
    """The numkeys keys after SINTERCARD's numkeys (none when numkeys is unusable)."""
    try:
        num = int(argv[1]) if len(argv) > 1 else 0
    except ValueError:
        num = 0
    if num < 1 or num > len(argv) - 2:
        return []
    return list(range(2, 2 + num))
