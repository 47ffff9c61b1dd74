"""List commands (t_list.c): pushes, pops, ranges, LINSERT/LSET/LREM/LTRIM/LPOS, the
moves, LMPOP and the blocking variants.

Values are engine/types/list.py containers; an encoding conversion replaces the
container, so every write that may convert stores the result back into `db.data`.
Blocking commands park through server/blocking.py and are re-executed when a key they
wait on is created, as Redis 7 does; served in arrival order, keys tried in argument
order. Neighbours: engine/types/list.py (the data structure), commands/util.py (timeouts).
"""

from __future__ import annotations

from typing import Any

from moredis import errors as E
from moredis.commands.args import Args
from moredis.commands.registry import command, getkeys
from moredis.commands.util import numkeys_positions, parse_timeout_seconds
from moredis.engine import notify as N
from moredis.engine.objects import OBJ_LIST
from moredis.engine.types.list import (
    LP_EMPTY,
    ListpackList,
    QuicklistList,
    exceeds_limit,
    is_int_entry,
    shrink_check,
    to_quicklist,
)
from moredis.errors import RedisError
from moredis.numbers import LLONG_MAX, parse_int

FILL = "list-max-listpack-size"
RANK_ZERO = ("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
             "or use negative to start from the end of the list")
LONG_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
NUMKEYS = "ERR numkeys should be greater than 0"
COUNT_GT0 = "ERR count should be greater than 0"


def _new_list() -> ListpackList:
    return ListpackList((), LP_EMPTY)


def _check(o: Any) -> None:
    t = type(o)
    if t is not ListpackList and t is not QuicklistList:
        raise RedisError(E.WRONGTYPE)


def _grow(c: Any, key: bytes, o: Any, add_bytes: int, add_len: int, stored: bool = True) -> Any:
    """listTypeTryConversionAppend: convert a listpack about to outgrow its limit."""
    if type(o) is ListpackList:
        fill = c.srv.config.values[FILL]
        if exceeds_limit(fill, o.lpsz + add_bytes, len(o) + add_len):
            o = to_quicklist(o, fill)
            if stored:
                c.db.data[key] = o
    return o


def _shrink(c: Any, key: bytes, o: Any) -> None:
    """listTypeTryConversion(LIST_CONV_SHRINKING) after elements went away."""
    if type(o) is QuicklistList and len(o.nodes) == 1:
        n = shrink_check(o, c.srv.config.values[FILL])
        if n is not o:
            c.db.data[key] = n


def _signal(c: Any, db: Any, key: bytes) -> None:
    if db.watched or c.srv.tracking_table is not None:
        db.signal_modified(key)


def _elements_removed(c: Any, key: bytes, head: bool, o: Any, count: int) -> None:
    """listElementsRemoved: pop event, delete (and 'del') when emptied, else maybe shrink."""
    db = c.db
    srv = c.srv
    if srv.notify_mask & N.LIST:
        srv.notify(N.LIST, "lpop" if head else "rpop", key, db.id)
    if not o:
        db.delete(key)
        if srv.notify_mask & N.GENERIC:
            srv.notify(N.GENERIC, "del", key, db.id)
    elif type(o) is QuicklistList and len(o.nodes) == 1:
        _shrink(c, key, o)
    _signal(c, db, key)
    srv.dirty += count


def _null_array(c: Any) -> None:
    c.w.null_array()


def _cannot_block(c: Any) -> bool:
    """CLIENT_DENY_BLOCKING: inside MULTI/EXEC or a script a blocking command times out."""
    return c.deny_blocking or c.multi is not None or c.in_script


# --- pushes ---------------------------------------------------------------------------
def push_generic(c: Any, argv: list[bytes], head: bool, xx: bool) -> None:
    """pushGenericCommand (LPUSH, RPUSH, LPUSHX, RPUSHX)."""
    db = c.db
    key = argv[1]
    o = db.lookup_write(key)
    created = o is None
    if created:
        if xx:
            c.w.integer(0)
            return
        o = _new_list()
    else:
        t = type(o)
        if t is not ListpackList and t is not QuicklistList:
            raise RedisError(E.WRONGTYPE)
    n = len(argv) - 2
    if type(o) is ListpackList:
        if n == 1:
            add = len(argv[2])
        else:
            add = 0
            for j in range(2, n + 2):
                add += len(argv[j])
        o = _grow(c, key, o, add, n, not created)
    if created:
        db.add(key, o)
    if n == 1:
        if head:
            o.push_head(argv[2])
        else:
            o.push_tail(argv[2])
    else:
        push = o.push_head if head else o.push_tail
        for j in range(2, n + 2):
            push(argv[j])
    srv = c.srv
    srv.dirty += n
    c.w.integer(len(o))
    if db.watched or srv.tracking_table is not None:
        db.signal_modified(key)
    if srv.notify_mask & N.LIST:
        srv.notify(N.LIST, "lpush" if head else "rpush", key, db.id)


@command("lpush")
def lpush_command(c: Any, argv: list[bytes]) -> None:
    """LPUSH key element [element ...]"""
    push_generic(c, argv, True, False)


@command("rpush")
def rpush_command(c: Any, argv: list[bytes]) -> None:
    """RPUSH key element [element ...]"""
    push_generic(c, argv, False, False)


@command("lpushx")
def lpushx_command(c: Any, argv: list[bytes]) -> None:
    """LPUSHX key element [element ...]"""
    push_generic(c, argv, True, True)


@command("rpushx")
def rpushx_command(c: Any, argv: list[bytes]) -> None:
    """RPUSHX key element [element ...]"""
    push_generic(c, argv, False, True)


# --- pops -----------------------------------------------------------------------------
def _parse_positive(b: bytes, err: str = E.NEGATIVE_COUNT) -> int:
    """getPositiveLongFromObjectOrReply: a non-integer gets the same message."""
    n = parse_int(b, err)
    if n < 0:
        raise RedisError(err)
    return n


def pop_generic(c: Any, argv: list[bytes], head: bool) -> None:
    """popGenericCommand: LPOP/RPOP key [count]."""
    n = len(argv)
    if n > 3:
        raise E.wrong_arity(c.cmd.fullname if c.cmd is not None else ("lpop" if head else "rpop"))
    count = _parse_positive(argv[2]) if n == 3 else -1
    key = argv[1]
    o = c.db.lookup_write(key)
    if o is None:
        if count >= 0:
            c.w.null_array()
        else:
            c.w.null()
        return
    t = type(o)
    if t is not ListpackList and t is not QuicklistList:
        raise RedisError(E.WRONGTYPE)
    if count < 0:  # the common case, listElementsRemoved inlined
        c.w.bulk(o.pop_head() if head else o.pop_tail())
        db = c.db
        srv = c.srv
        if srv.notify_mask & N.LIST:
            srv.notify(N.LIST, "lpop" if head else "rpop", key, db.id)
        if not o:
            db.delete(key)
            if srv.notify_mask & N.GENERIC:
                srv.notify(N.GENERIC, "del", key, db.id)
        elif type(o) is QuicklistList and len(o.nodes) == 1:
            _shrink(c, key, o)
        if db.watched or srv.tracking_table is not None:
            db.signal_modified(key)
        srv.dirty += 1
        return
    if count == 0:
        c.w.array(0)
        return
    vals = o.pop_many(count, head)
    c.w.bulk_array(vals)
    _elements_removed(c, key, head, o, len(vals))


@command("lpop")
def lpop_command(c: Any, argv: list[bytes]) -> None:
    """LPOP key [count]: with a count the reply is an array (a null array when missing)."""
    pop_generic(c, argv, True)


@command("rpop")
def rpop_command(c: Any, argv: list[bytes]) -> None:
    """RPOP key [count]"""
    pop_generic(c, argv, False)


def _pop_range_with_key(c: Any, key: bytes, o: Any, head: bool, count: int) -> None:
    """listPopRangeAndReplyWithKey, replicated as [LR]POP key count."""
    llen = len(o)
    vals = o.pop_many(count, head)
    w = c.w
    w.array(2)
    w.bulk(key)
    w.bulk_array(vals)
    _elements_removed(c, key, head, o, len(vals))
    c.srv.rewrite_propagation([[b"LPOP" if head else b"RPOP", key, b"%d" % (count if count < llen else llen)]])


def _mpop(c: Any, keys: list[bytes], head: bool, count: int) -> None:
    """mpopGenericCommand: the first non-empty list among keys."""
    db = c.db
    for key in keys:
        o = db.lookup_write(key)
        if o is None:
            continue
        _check(o)
        if not o:
            continue
        _pop_range_with_key(c, key, o, head, count)
        return
    c.w.null_array()


def blocking_pop(c: Any, keys: list[bytes], head: bool, timeout_arg: bytes, count: int) -> None:
    """blockingPopGenericCommand: count -1 for BLPOP/BRPOP (key, element) replies."""
    timeout = parse_timeout_seconds(timeout_arg)
    db = c.db
    for key in keys:
        o = db.lookup_write(key)
        if o is None:
            continue
        _check(o)
        if not o:
            continue
        if count != -1:
            _pop_range_with_key(c, key, o, head, count)
            return
        v = o.pop_head() if head else o.pop_tail()
        w = c.w
        w.array(2)
        w.bulk(key)
        w.bulk(v)
        _elements_removed(c, key, head, o, 1)
        c.srv.rewrite_propagation([[b"LPOP" if head else b"RPOP", key]])
        return
    if _cannot_block(c):
        c.w.null_array()
        return
    c.srv.blocking.block_on_keys(c, keys, timeout, _null_array, value_type=OBJ_LIST)


@command("blpop")
def blpop_command(c: Any, argv: list[bytes]) -> None:
    """BLPOP key [key ...] timeout"""
    blocking_pop(c, argv[1:-1], True, argv[-1], -1)


@command("brpop")
def brpop_command(c: Any, argv: list[bytes]) -> None:
    """BRPOP key [key ...] timeout"""
    blocking_pop(c, argv[1:-1], False, argv[-1], -1)


def lmpop_generic(c: Any, argv: list[bytes], numkeys_idx: int, block: bool) -> None:
    """lmpopGenericCommand: [timeout] numkeys key [key ...] LEFT|RIGHT [COUNT count]."""
    numkeys = parse_int(argv[numkeys_idx], NUMKEYS)
    if numkeys < 1:
        raise RedisError(NUMKEYS)
    where_idx = numkeys_idx + numkeys + 1
    n = len(argv)
    if where_idx >= n:
        raise RedisError(E.SYNTAX)
    where = argv[where_idx].lower()
    if where == b"left":
        head = True
    elif where == b"right":
        head = False
    else:
        raise RedisError(E.SYNTAX)
    count = -1
    a = Args(argv, where_idx + 1)
    while a.more():
        if count == -1 and a.upper() == b"COUNT" and a.more():
            count = a.next_int(COUNT_GT0)
            if count < 1:
                raise RedisError(COUNT_GT0)
        else:
            a.syntax()
    if count == -1:
        count = 1
    keys = argv[numkeys_idx + 1: where_idx]
    if block:
        blocking_pop(c, keys, head, argv[1], count)
    else:
        _mpop(c, keys, head, count)


@command("lmpop")
def lmpop_command(c: Any, argv: list[bytes]) -> None:
    """LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]"""
    lmpop_generic(c, argv, 1, False)


@command("blmpop")
def blmpop_command(c: Any, argv: list[bytes]) -> None:
    """BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: numkeys, the
    direction and COUNT are checked before the timeout."""
    lmpop_generic(c, argv, 2, True)


@getkeys("lmpop")
def _lmpop_keys(argv: list[bytes]) -> list[int]:
    return numkeys_positions(argv, 1)


@getkeys("blmpop")
def _blmpop_keys(argv: list[bytes]) -> list[int]:
    return numkeys_positions(argv, 2)


# --- reading --------------------------------------------------------------------------
@command("llen")
def llen_command(c: Any, argv: list[bytes]) -> None:
    """LLEN key"""
    o = c.db.lookup_read(argv[1])
    if o is None:
        c.w.integer(0)
        return
    t = type(o)
    if t is not ListpackList and t is not QuicklistList:
        raise RedisError(E.WRONGTYPE)
    c.w.integer(len(o))


@command("lindex")
def lindex_command(c: Any, argv: list[bytes]) -> None:
    """LINDEX key index: the key is looked up before the index is parsed."""
    o = c.db.lookup_read(argv[1])
    if o is None:
        c.w.null()
        return
    t = type(o)
    if t is not ListpackList and t is not QuicklistList:
        raise RedisError(E.WRONGTYPE)
    i = parse_int(argv[2])
    n = len(o)
    if i < 0:
        i += n
    if 0 <= i < n:
        c.w.bulk(o[i])
    else:
        c.w.null()


def _range_reply(c: Any, o: Any, start: int, end: int) -> None:
    """addListRangeReply without reverse: negative indexes count from the tail."""
    llen = len(o)
    if start < 0:
        start += llen
    if end < 0:
        end += llen
    if start < 0:
        start = 0
    w = c.w
    if start > end or start >= llen:
        w.array(0)
        return
    if end >= llen:
        end = llen - 1
    w.bulk_array(o.range(start, end + 1))


@command("lrange")
def lrange_command(c: Any, argv: list[bytes]) -> None:
    """LRANGE key start stop: the indexes are parsed before the lookup."""
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    o = c.db.lookup_read(argv[1])
    if o is None:
        c.w.array(0)
        return
    t = type(o)
    if t is not ListpackList and t is not QuicklistList:
        raise RedisError(E.WRONGTYPE)
    _range_reply(c, o, start, end)


@command("lpos")
def lpos_command(c: Any, argv: list[bytes]) -> None:
    """LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]"""
    ele = argv[2]
    rank = 1
    count = -1  # -1: no COUNT option
    maxlen = 0
    a = Args(argv, 3)
    while a.more():
        opt = a.upper()
        if opt == b"RANK" and a.more():
            rank = a.next_int()
            if rank < -LLONG_MAX:
                raise RedisError(LONG_RANGE)
            if rank == 0:
                raise RedisError(RANK_ZERO)
        elif opt == b"COUNT" and a.more():
            count = _parse_positive(a.next(), "ERR COUNT can't be negative")
        elif opt == b"MAXLEN" and a.more():
            maxlen = _parse_positive(a.next(), "ERR MAXLEN can't be negative")
        else:
            a.syntax()
    forward = rank > 0
    if not forward:
        rank = -rank
    o = c.db.lookup_read(argv[1])
    w = c.w
    if o is None:
        if count != -1:
            w.array(0)
        else:
            w.null()
        return
    _check(o)
    llen = len(o)
    stop = llen if maxlen == 0 or maxlen > llen else maxlen
    found: list[int] = []
    matches = 0
    if forward:
        if type(o) is ListpackList:
            it = enumerate(o[:stop])
        else:
            it = enumerate(o)
        for idx, x in it:
            if idx >= stop:
                break
            if x == ele:
                matches += 1
                if matches >= rank:
                    found.append(idx)
                    if count == -1 or (count and len(found) >= count):
                        break
    else:
        last = llen - 1
        for idx, x in enumerate(reversed(o)):
            if idx >= stop:
                break
            if x == ele:
                matches += 1
                if matches >= rank:
                    found.append(last - idx)
                    if count == -1 or (count and len(found) >= count):
                        break
    if count != -1:
        w.array(len(found))
        for i in found:
            w.integer(i)
    elif found:
        w.integer(found[0])
    else:
        w.null()


# --- changing elements ----------------------------------------------------------------
@command("lset")
def lset_command(c: Any, argv: list[bytes]) -> None:
    """LSET key index element: a listpack may turn into a quicklist even when the index
    is out of range (the conversion check runs first, as in Redis), and the index wraps
    to 32 bits (LSET l 4294967296 x sets the first element)."""
    db = c.db
    key = argv[1]
    o = db.lookup_write(key)
    if o is None:
        raise RedisError(E.NO_SUCH_KEY)
    _check(o)
    i = parse_int(argv[2])
    i = ((i + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)  # listTypeReplaceAtIndex takes an int
    v = argv[3]
    o = _grow(c, key, o, len(v), 1)
    n = len(o)
    if i < 0:
        i += n
    if not 0 <= i < n:
        raise RedisError(E.OUT_OF_RANGE)
    o.replace(i, v)
    c.w.ok()
    _signal(c, db, key)
    db.notify(N.LIST, "lset", key)
    c.srv.dirty += 1
    _shrink(c, key, o)


@command("linsert")
def linsert_command(c: Any, argv: list[bytes]) -> None:
    """LINSERT key BEFORE|AFTER pivot element: -1 when the pivot is missing."""
    where = argv[2].lower()
    if where == b"after":
        after = True
    elif where == b"before":
        after = False
    else:
        raise RedisError(E.SYNTAX)
    db = c.db
    key = argv[1]
    o = db.lookup_write(key)
    if o is None:
        c.w.integer(0)
        return
    _check(o)
    v = argv[4]
    o = _grow(c, key, o, len(v), 1)
    try:
        i = o.index(argv[3])
    except ValueError:
        c.w.integer(-1)
        return
    o.insert_at(i, v, after)
    _signal(c, db, key)
    db.notify(N.LIST, "linsert", key)
    c.srv.dirty += 1
    c.w.integer(len(o))


@command("lrem")
def lrem_command(c: Any, argv: list[bytes]) -> None:
    """LREM key count element: count > 0 from the head, < 0 from the tail, 0 all."""
    count = parse_int(argv[2])
    if count < -LLONG_MAX:
        raise RedisError(LONG_RANGE)
    db = c.db
    key = argv[1]
    o = db.lookup_write(key)
    if o is None:
        c.w.integer(0)
        return
    _check(o)
    removed = o.remove_matches(argv[3], count)
    srv = c.srv
    srv.dirty += removed
    if removed:
        _signal(c, db, key)
        db.notify(N.LIST, "lrem", key)
    if not o:
        db.delete(key)
        db.notify(N.GENERIC, "del", key)
    elif removed:
        _shrink(c, key, o)
    c.w.integer(removed)


@command("ltrim")
def ltrim_command(c: Any, argv: list[bytes]) -> None:
    """LTRIM key start stop: 'ltrim' is notified even when nothing was removed."""
    start = parse_int(argv[2])
    end = parse_int(argv[3])
    db = c.db
    key = argv[1]
    o = db.lookup_write(key)
    if o is None:
        c.w.ok()
        return
    _check(o)
    llen = len(o)
    if start < 0:
        start += llen
    if end < 0:
        end += llen
    if start < 0:
        start = 0
    if start > end or start >= llen:
        ltrim, rtrim = llen, 0
    else:
        if end >= llen:
            end = llen - 1
        ltrim, rtrim = start, llen - end - 1
    o.trim(ltrim, rtrim)
    db.notify(N.LIST, "ltrim", key)
    if not o:
        db.delete(key)
        db.notify(N.GENERIC, "del", key)
    else:
        _shrink(c, key, o)
    _signal(c, db, key)
    c.srv.dirty += ltrim + rtrim
    c.w.ok()


# --- moves ----------------------------------------------------------------------------
def _where(b: bytes) -> bool:
    """getListPositionFromObjectOrReply: True for LEFT (head)."""
    w = b.lower()
    if w == b"left":
        return True
    if w == b"right":
        return False
    raise RedisError(E.SYNTAX)


def lmove_generic(c: Any, argv: list[bytes], from_head: bool, to_head: bool, rewrite: list[bytes] | None) -> None:
    """lmoveGenericCommand: the push to the destination is notified before the pop."""
    db = c.db
    src = argv[1]
    dst = argv[2]
    so = db.lookup_write(src)
    if so is None:
        c.w.null()
        return
    _check(so)
    if not so:
        c.w.null()
        return
    do = db.lookup_write(dst)
    if do is not None:
        _check(do)
    from_ql = type(so) is QuicklistList
    v = so.pop_head() if from_head else so.pop_tail()
    # lmoveHandlePush. An integer popped from a quicklist comes back as an int-encoded
    # object, which listTypeTryConversionAppend does not count in the added bytes.
    if do is None:
        do = _new_list()
        db.add(dst, do)
    _signal(c, db, dst)
    do = _grow(c, dst, do, 0 if from_ql and is_int_entry(v) else len(v), 1)
    if to_head:
        do.push_head(v)
    else:
        do.push_tail(v)
    db.notify(N.LIST, "lpush" if to_head else "rpush", dst)
    c.w.bulk(v)
    if src == dst:
        so = do
    _elements_removed(c, src, from_head, so, 1)
    if rewrite is not None:
        c.srv.rewrite_propagation([rewrite])


@command("lmove")
def lmove_command(c: Any, argv: list[bytes]) -> None:
    """LMOVE source destination LEFT|RIGHT LEFT|RIGHT"""
    from_head = _where(argv[3])
    to_head = _where(argv[4])
    lmove_generic(c, argv, from_head, to_head, None)


@command("rpoplpush")
def rpoplpush_command(c: Any, argv: list[bytes]) -> None:
    """RPOPLPUSH source destination"""
    lmove_generic(c, argv, False, True, None)


def blmove_generic(c: Any, argv: list[bytes], from_head: bool, to_head: bool, timeout: int,
                   rewrite: list[bytes]) -> None:
    """blmoveGenericCommand: wait for the source; a null bulk when blocking is denied."""
    o = c.db.lookup_write(argv[1])
    if o is not None:
        _check(o)
        lmove_generic(c, argv, from_head, to_head, rewrite)
        return
    if _cannot_block(c):
        c.w.null()
        return
    c.srv.blocking.block_on_keys(c, [argv[1]], timeout, _null_array, value_type=OBJ_LIST)


@command("blmove")
def blmove_command(c: Any, argv: list[bytes]) -> None:
    """BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: replicated as LMOVE."""
    from_head = _where(argv[3])
    to_head = _where(argv[4])
    timeout = parse_timeout_seconds(argv[5])
    blmove_generic(c, argv, from_head, to_head, timeout, [b"LMOVE", argv[1], argv[2], argv[3], argv[4]])


@command("brpoplpush")
def brpoplpush_command(c: Any, argv: list[bytes]) -> None:
    """BRPOPLPUSH source destination timeout: replicated as RPOPLPUSH."""
    timeout = parse_timeout_seconds(argv[3])
    blmove_generic(c, argv, False, True, timeout, [b"RPOPLPUSH", argv[1], argv[2]])
