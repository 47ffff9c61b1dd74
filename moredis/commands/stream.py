"""Stream commands (t_stream.c): XADD, XRANGE/XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XREAD
and XREADGROUP (blocking), the consumer-group commands (XGROUP, XACK, XPENDING, XCLAIM,
XAUTOCLAIM) and XINFO.

Parsing follows Redis's order exactly, since which error a client sees depends on it.
What these commands replicate differs from what they receive, as in Redis: XADD with an
automatic ID or approximate trimming is rewritten to the exact effect; XREADGROUP, XCLAIM
and XAUTOCLAIM never replicate themselves but an idempotent XCLAIM ... FORCE JUSTID per
entry plus XGROUP SETID (or CREATECONSUMER) for the group state.
Blocked XREAD/XREADGROUP are re-executed when a stream they wait on gets entries (XADD
signals readiness), as Redis 7 does; XREADGROUP also wakes (and fails) when the key or
the group goes away. Neighbours: engine/types/stream.py (the value), server/blocking.py.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from typing import Any

from moredis import errors as E
from moredis.commands.registry import command, getkeys
from moredis.engine import notify as N
from moredis.engine.objects import OBJ_STREAM
from moredis.engine.types.stream import (
    ID_MAX,
    INVALID_ENTRIES_READ,
    LISTPACK_MAX_SIZE,
    MASK64,
    NACK,
    Consumer,
    Group,
    Stream,
    c_str,
    id_bytes,
    parse_add_id,
    parse_id,
)
from moredis.errors import RedisError
from moredis.numbers import LLONG_MAX, parse_int, string2ll
from moredis.protocol.writer import BIG, Resp2Writer, Resp3Writer

# --- error texts ----------------------------------------------------------------------------
XADD_ZERO = "ERR The ID specified in XADD must be greater than 0-0"
XADD_SMALLER = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
XADD_EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items"
TOO_LARGE = "ERR Elements are too large to be stored"
MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0."
LIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0."
BOTH_STRATEGIES = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
LIMIT_NO_STRATEGY = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
LIMIT_NO_APPROX = "ERR syntax error, LIMIT cannot be used without the special ~ option"
XTRIM_NO_STRATEGY = "ERR syntax error, XTRIM must be called with a trimming strategy"
BAD_START = "ERR invalid start ID for the interval"
BAD_END = "ERR invalid end ID for the interval"
NEED_KEY = ("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
            "to use the MKSTREAM option to create an empty stream automatically.")
BUSYGROUP = "BUSYGROUP Consumer Group name already exists"
ENTRIESREAD_RANGE = "ERR value for ENTRIESREAD must be positive or -1"
XSETID_SMALLER_DELETED = "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id"
XSETID_SMALLER_TOP = "ERR The ID specified in XSETID is smaller than the target stream top item"
XSETID_ENTRIES_SMALL = "ERR The entries_added specified in XSETID is smaller than the target stream length"
XSETID_ENTRIES_NEG = "ERR entries_added must be positive"
XSETID_SMALLER_GIVEN = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
TIMEOUT_NOT_INT = "ERR timeout is not an integer or out of range"
TIMEOUT_NEGATIVE = "ERR timeout is negative"
TIMEOUT_RANGE = "ERR timeout is out of range"
AUTOCLAIM_COUNT = "ERR COUNT must be > 0"
AUTOCLAIM_MEMORY = "ERR Insufficient memory, failed allocating transient memory, COUNT too high."
# ztrymalloc of COUNT stream IDs fails on the reference's host above about 80 TiB
AUTOCLAIM_ALLOC_LIMIT = 80 << 40

XGROUP_HELP = [
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Print this help.",
]
XINFO_HELP = [
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Print this help.",
]

_MAXLEN = 1
_MINID = 2


def _s(b: bytes) -> str:
    """A client-supplied name inside an error text, as C's %s prints it (up to a NUL)."""
    return c_str(b).decode("utf-8", "surrogateescape")


def _subcommand_syntax(argv: list[bytes]) -> RedisError:
    """addReplySubcommandSyntaxError."""
    return RedisError("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
                      % (c_str(argv[1])[:128].decode("utf-8", "surrogateescape"),
                         argv[0].decode("utf-8", "surrogateescape").upper()))


def _no_group(key: bytes, group: bytes, suffix: str = "") -> RedisError:
    return RedisError("NOGROUP No such key '%s' or consumer group '%s'%s" % (_s(key), _s(group), suffix))


def _get_stream(o: Any) -> Stream | None:
    if o is not None and type(o) is not Stream:
        raise RedisError(E.WRONGTYPE)
    return o


def _cannot_block(c: Any) -> bool:
    """CLIENT_DENY_BLOCKING: inside MULTI/EXEC or a script a blocking command times out."""
    return c.deny_blocking or c.multi is not None or c.in_script


def _signal(c: Any, key: bytes) -> None:
    db = c.db
    if db.watched or c.srv.tracking_table is not None:
        db.signal_modified(key)


def _notify(c: Any, event: str, key: bytes) -> None:
    srv = c.srv
    if srv.notify_mask & N.STREAM:
        srv.notify(N.STREAM, event, key, c.db.id)


def _parse_interval(arg: bytes, missing_seq: int) -> tuple[int, bool]:
    """streamParseIntervalIDOrReply: "(" makes the bound exclusive (strict ID after it)."""
    if len(arg) > 1 and arg[0] == 40:  # '('
        return parse_id(arg[1:], missing_seq, True), True
    return parse_id(arg, missing_seq), False


# --- replies --------------------------------------------------------------------------------
_WIRE = (Resp2Writer, Resp3Writer)  # arrays and bulks are spelled alike in both protocols


def _write_entry(w: Any, i: int, vals: tuple | None) -> None:
    w.array(2)
    w.bulk(b"%d-%d" % (i >> 64, i & MASK64))
    if vals is None:
        w.null_array()
        return
    w.array(len(vals))
    for x in vals:
        w.bulk(x)


def _write_entries(w: Any, entries: list) -> None:
    """An array of [id, [field, value, ...]] entries. On the wire writers the bytes are
    built here in one pass (the hot part of XRANGE/XREAD); other writers get typed calls."""
    if type(w) not in _WIRE:
        w.array(len(entries))
        for i, vals in entries:
            _write_entry(w, i, vals)
        return
    out = w.out
    append = out.append
    append(b"*%d\r\n" % len(entries))
    for i, vals in entries:
        ib = b"%d-%d" % (i >> 64, i & MASK64)
        if vals is None:
            append(b"*2\r\n$%d\r\n%b\r\n" % (len(ib), ib))
            w.null_array()
            continue
        if len(vals) == 2:
            f, v = vals
            if len(v) < BIG and len(f) < BIG:
                append(b"*2\r\n$%d\r\n%b\r\n*2\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n"
                       % (len(ib), ib, len(f), f, len(v), v))
                continue
        append(b"*2\r\n$%d\r\n%b\r\n*%d\r\n" % (len(ib), ib, len(vals)))
        for x in vals:
            if len(x) < BIG:
                append(b"$%d\r\n%b\r\n" % (len(x), x))
            else:
                w.bulk(x)


def _collect(s: Stream, start: int, end: int, count: int, rev: bool = False) -> list:
    """Up to `count` live entries (0 or less: all) between start and end."""
    return s.range(start, end, count if count > 0 else 0, rev)


# --- XADD / XTRIM -----------------------------------------------------------------------------
class _AddTrimArgs:
    __slots__ = ("approx", "arg_idx", "id", "id_given", "idpos", "limit", "maxlen", "minid", "nomkstream",
                 "seq_given", "strategy")

    def __init__(self) -> None:
        self.strategy = 0
        self.maxlen = -1
        self.minid = 0
        self.approx = False
        self.limit = 0
        self.arg_idx = 0
        self.nomkstream = False
        self.id = 0
        self.id_given = False
        self.seq_given = True
        self.idpos = 0


def _parse_add_trim(c: Any, argv: list[bytes], xadd: bool) -> _AddTrimArgs:
    """streamParseAddOrTrimArgsOrReply: options up to the ID (XADD) or the end (XTRIM)."""
    a = _AddTrimArgs()
    n = len(argv)
    i = 2
    limit_given = False
    while i < n:
        more = n - 1 - i
        opt = argv[i]
        if xadd and opt == b"*":
            break
        lo = c_str(opt).lower()
        if lo == b"maxlen" and more:
            if a.strategy:
                raise RedisError(BOTH_STRATEGIES)
            a.approx = False
            nxt = c_str(argv[i + 1])
            if more >= 2 and nxt == b"~":
                a.approx = True
                i += 1
            elif more >= 2 and nxt == b"=":
                i += 1
            v = parse_int(argv[i + 1])
            if v < 0:
                raise RedisError(MAXLEN_NEGATIVE)
            i += 1
            a.maxlen = v
            a.strategy = _MAXLEN
            a.arg_idx = i
        elif lo == b"minid" and more:
            if a.strategy:
                raise RedisError(BOTH_STRATEGIES)
            a.approx = False
            nxt = c_str(argv[i + 1])
            if more >= 2 and nxt == b"~":
                a.approx = True
                i += 1
            elif more >= 2 and nxt == b"=":
                i += 1
            a.minid = parse_id(argv[i + 1], 0, True)
            i += 1
            a.strategy = _MINID
            a.arg_idx = i
        elif lo == b"limit" and more:
            v = parse_int(argv[i + 1])
            if v < 0:
                raise RedisError(LIMIT_NEGATIVE)
            a.limit = v
            limit_given = True
            i += 1
        elif xadd and lo == b"nomkstream":
            a.nomkstream = True
        elif xadd:
            if c_str(opt) == b"*":
                break
            a.id, a.seq_given = parse_add_id(opt)
            a.id_given = True
            break
        else:
            raise RedisError(E.SYNTAX)
        i += 1
    a.idpos = i
    if a.limit and not a.strategy:
        raise RedisError(LIMIT_NO_STRATEGY)
    if not xadd and not a.strategy:
        raise RedisError(XTRIM_NO_STRATEGY)
    if c.is_master or c.srv.loading:
        a.limit = 0  # mustObeyClient: the trim argument was rewritten to the exact effect
    elif limit_given:
        if not a.approx:
            raise RedisError(LIMIT_NO_APPROX)
    elif a.approx:
        a.limit = c.srv.config.values["stream-node-max-entries"] * 100
        if a.limit <= 0 or a.limit > LLONG_MAX:
            a.limit = 10000
    else:
        a.limit = 0
    return a


def _trim(s: Stream, a: _AddTrimArgs) -> int:
    if a.strategy == _MAXLEN:
        return s.trim(a.maxlen, None, a.approx, a.limit)
    return s.trim(None, a.minid, a.approx, a.limit)


def _rewrite_trim(s: Stream, a: _AddTrimArgs, prop: list[bytes]) -> None:
    """streamRewriteApproxSpecifier + streamRewriteTrimArgument: replicate the exact effect."""
    prop[a.arg_idx - 1] = b"="
    if a.strategy == _MAXLEN:
        prop[a.arg_idx] = b"%d" % s.length
    else:
        prop[a.arg_idx] = id_bytes(s.first_id_with_tombstones())


@command("xadd")
def xadd_command(c: Any, argv: list[bytes]) -> None:
    """XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]"""
    if argv[2] == b"*":  # the common form: no option, an automatic ID
        a = None
        idpos = 2
        id_given = False
        seq_given = True
        given = 0
    else:
        a = _parse_add_trim(c, argv, True)
        idpos = a.idpos
        id_given = a.id_given
        seq_given = a.seq_given
        given = a.id
    fpos = idpos + 1
    nf = len(argv) - fpos
    if nf < 2 or nf & 1:
        raise E.wrong_arity("xadd")
    if id_given and seq_given and given == 0:
        raise RedisError(XADD_ZERO)
    db = c.db
    key = argv[1]
    srv = c.srv
    s = db.lookup_write(key)
    if s is None:
        if a is not None and a.nomkstream:
            c.w.null()
            return
        s = Stream()
        db.add(key, s)
    elif type(s) is not Stream:
        raise RedisError(E.WRONGTYPE)
    last = s.last_id
    if last == ID_MAX:
        raise RedisError(XADD_EXHAUSTED)
    if not id_given:
        now = srv.mstime()
        new = now << 64 if now > last >> 64 else last + 1  # streamNextID
    elif not seq_given:
        new = given
        if last >> 64 == new >> 64:
            if last & MASK64 == MASK64:
                raise RedisError(XADD_SMALLER)
            new = last + 1
    else:
        new = given
    if new <= last:
        raise RedisError(XADD_SMALLER)
    fv = argv[fpos:]
    total = 0
    for x in fv:
        total += len(x)
    if total > LISTPACK_MAX_SIZE:
        raise RedisError(TOO_LARGE)
    cfg = srv.config.values
    s.append(new, fv, cfg["stream-node-max-bytes"], cfg["stream-node-max-entries"], total)
    idb = b"%d-%d" % (new >> 64, new & MASK64)
    c.w.bulk(idb)
    if db.watched or srv.tracking_table is not None:
        db.signal_modified(key)
    if srv.notify_mask & N.STREAM:
        srv.notify(N.STREAM, "xadd", key, db.id)
    srv.dirty += 1
    prop = None
    if a is not None and a.strategy:
        if _trim(s, a):
            _notify(c, "xtrim", key)
        if a.approx:
            prop = list(argv)
            _rewrite_trim(s, a, prop)
    if not id_given or not seq_given:
        if prop is None:
            prop = list(argv)
        prop[idpos] = idb
    if prop is not None:
        srv.rewrite_propagation([prop])
    if db.blocking and key in db.blocking:
        srv.signal_key_ready(db, key)


@command("xtrim")
def xtrim_command(c: Any, argv: list[bytes]) -> None:
    """XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]"""
    a = _parse_add_trim(c, argv, False)
    key = argv[1]
    s = _get_stream(c.db.lookup_write(key))
    if s is None:
        c.w.integer(0)
        return
    deleted = _trim(s, a)
    if deleted:
        _notify(c, "xtrim", key)
        if a.approx:
            prop = list(argv)
            _rewrite_trim(s, a, prop)
            c.srv.rewrite_propagation([prop])
        _signal(c, key)
        c.srv.dirty += deleted
    c.w.integer(deleted)


# --- reading ------------------------------------------------------------------------------
def xrange_generic(c: Any, argv: list[bytes], rev: bool) -> None:
    """xrangeGenericCommand: inclusive bounds, '(' exclusive, incomplete IDs completed
    with seq 0 (start) or the maximum seq (end)."""
    sarg, earg = (argv[3], argv[2]) if rev else (argv[2], argv[3])
    start, ex = _parse_interval(sarg, 0)
    if ex:
        if start == ID_MAX:
            raise RedisError(BAD_START)
        start += 1
    end, ex = _parse_interval(earg, MASK64)
    if ex:
        if end == 0:
            raise RedisError(BAD_END)
        end -= 1
    count = -1
    n = len(argv)
    j = 4
    while j < n:
        if n - j - 1 >= 1 and c_str(argv[j]).lower() == b"count":
            count = parse_int(argv[j + 1])
            if count < 0:
                count = 0
            j += 2
        else:
            raise RedisError(E.SYNTAX)
    s = _get_stream(c.db.lookup_read(argv[1]))
    w = c.w
    if s is None:
        w.array(0)
        return
    if count == 0:
        w.null_array()
        return
    if rev:
        _write_entries(w, _collect(s, start, end, count, True))
    else:
        _write_entries(w, _collect(s, start, end, count))


@command("xrange")
def xrange_command(c: Any, argv: list[bytes]) -> None:
    """XRANGE key start end [COUNT count]"""
    xrange_generic(c, argv, False)


@command("xrevrange")
def xrevrange_command(c: Any, argv: list[bytes]) -> None:
    """XREVRANGE key end start [COUNT count]"""
    xrange_generic(c, argv, True)


@command("xlen")
def xlen_command(c: Any, argv: list[bytes]) -> None:
    """XLEN key"""
    s = _get_stream(c.db.lookup_read(argv[1]))
    c.w.integer(s.length if s is not None else 0)


# --- XDEL / XSETID ------------------------------------------------------------------------
@command("xdel")
def xdel_command(c: Any, argv: list[bytes]) -> None:
    """XDEL key id [id ...]: all IDs are checked before anything is deleted."""
    key = argv[1]
    s = _get_stream(c.db.lookup_write(key))
    if s is None:
        c.w.integer(0)
        return
    ids = [parse_id(a, 0, True) for a in argv[2:]]
    deleted = s.xdel(ids)
    if deleted:
        _signal(c, key)
        _notify(c, "xdel", key)
        c.srv.dirty += deleted
    c.w.integer(deleted)


@command("xsetid")
def xsetid_command(c: Any, argv: list[bytes]) -> None:
    """XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]"""
    new = parse_id(argv[2], 0, True)
    entries_added = -1
    max_xdel = 0
    n = len(argv)
    i = 3
    while i < n:
        more = n - 1 - i
        opt = c_str(argv[i]).lower()
        if opt == b"entriesadded" and more:
            entries_added = parse_int(argv[i + 1])
            if entries_added < 0:
                raise RedisError(XSETID_ENTRIES_NEG)
            i += 2
        elif opt == b"maxdeletedid" and more:
            max_xdel = parse_id(argv[i + 1], 0, True)
            if new < max_xdel:
                raise RedisError(XSETID_SMALLER_GIVEN)
            i += 2
        else:
            raise RedisError(E.SYNTAX)
    key = argv[1]
    o = c.db.lookup_write(key)
    if o is None:
        raise RedisError(E.NO_SUCH_KEY)
    s = _get_stream(o)
    assert s is not None
    if new < s.max_deleted:
        raise RedisError(XSETID_SMALLER_DELETED)
    if s.length:
        if new < s.last_valid_id():
            raise RedisError(XSETID_SMALLER_TOP)
        if entries_added != -1 and s.length > entries_added:
            raise RedisError(XSETID_ENTRIES_SMALL)
    s.last_id = new
    if entries_added != -1:
        s.entries_added = entries_added
    if max_xdel:
        s.max_deleted = max_xdel
    c.w.ok()
    c.srv.dirty += 1
    _notify(c, "xsetid", key)


# --- XREAD / XREADGROUP -----------------------------------------------------------------------
def _xclaim_argv(key: bytes, groupname: bytes, g: Group, idarg: bytes, nack: NACK) -> list[bytes]:
    """streamPropagateXCLAIM: an idempotent XCLAIM recreating the NACK on a replica."""
    owner = nack.consumer
    return [b"XCLAIM", key, groupname, owner.name if owner is not None else b"", b"0", idarg,
            b"TIME", b"%d" % nack.delivery_time, b"RETRYCOUNT", b"%d" % nack.delivery_count,
            b"FORCE", b"JUSTID", b"LASTID", id_bytes(g.last_id)]


def _setid_argv(key: bytes, groupname: bytes, g: Group) -> list[bytes]:
    """streamPropagateGroupID."""
    return [b"XGROUP", b"SETID", key, groupname, id_bytes(g.last_id), b"ENTRIESREAD", b"%d" % g.entries_read]


def _create_consumer(c: Any, g: Group, name: bytes, key: bytes, now: int) -> Consumer | None:
    """streamCreateConsumer (SCC_DEFAULT): dirties and notifies."""
    cons = g.create_consumer(name, now)
    if cons is None:
        return None
    c.srv.dirty += 1
    _notify(c, "xgroup-createconsumer", key)
    return cons


def _deliver_new(s: Stream, g: Group, cons: Consumer, start: int, count: int, noack: bool, now: int,
                 key: bytes, groupname: bytes, prop: list | None) -> list:
    """streamReplyWithRange with a group: new entries move the group's last ID and
    entries-read counter and (without NOACK) enter the PELs, each replicated as XCLAIM."""
    out = []
    moved = False
    pel = g.pel
    for i, vals in s.iter_range(start, ID_MAX):
        if i > g.last_id:
            if g.entries_read != INVALID_ENTRIES_READ and not s.range_has_tombstones(i):
                g.entries_read += 1
            elif s.entries_added:
                g.entries_read = s.estimate_distance(i)
            g.last_id = i
            moved = True
        out.append((i, vals))
        if not noack:
            nack = pel.get(i)
            if nack is None:
                nack = NACK(cons, now)
                g.pel_insert(i, nack)
                cons.pel_add(i)
            else:
                old = nack.consumer
                if old is not None:
                    old.pel_remove(i)
                nack.consumer = cons
                nack.delivery_time = now
                nack.delivery_count = 1
                cons.pel_add(i)
            cons.active_time = now
            if prop is not None:
                prop.append(_xclaim_argv(key, groupname, g, id_bytes(i), nack))
        if count and len(out) == count:
            break
    if moved and prop is not None:
        prop.append(_setid_argv(key, groupname, g))
    return out


def _deliver_history(s: Stream, g: Group, cons: Consumer, start: int, count: int, now: int) -> list:
    """streamReplyWithRangeFromConsumerPEL: the consumer's pending entries from `start`;
    deleted ones come back as (id, None)."""
    out: list = []
    pel = cons.pel
    j = bisect_left(pel, start)
    n = len(pel)
    while j < n and (not count or len(out) < count):
        i = pel[j]
        vals = s.get(i)
        if vals is not None:
            nack = g.pel[i]
            nack.delivery_time = now
            nack.delivery_count += 1
        out.append((i, vals))
        j += 1
    return out


def _parse_block_timeout(arg: bytes) -> int:
    """getTimeoutFromObjectOrReply (milliseconds): 0 waits forever."""
    t = string2ll(arg)
    if t is None:
        raise RedisError(TIMEOUT_NOT_INT)
    if t < 0:
        raise RedisError(TIMEOUT_NEGATIVE)
    if t > 0 and t > LLONG_MAX - time.time_ns() // 1_000_000:
        raise RedisError(TIMEOUT_RANGE)
    return t


def xread_generic(c: Any, argv: list[bytes], xreadgroup: bool) -> None:
    """xreadCommand: serve what is there, else block (BLOCK) or reply a null array."""
    n = len(argv)
    timeout = -1
    count = 0
    streams_arg = 0
    nstreams = 0
    groupname = consumername = None
    noack = False
    i = 1
    while i < n:
        more = n - i - 1
        o = c_str(argv[i]).lower()
        if o == b"block" and more:
            i += 1
            timeout = _parse_block_timeout(argv[i])
        elif o == b"count" and more:
            i += 1
            count = parse_int(argv[i])
            if count < 0:
                count = 0
        elif o == b"streams" and more:
            streams_arg = i + 1
            nstreams = n - streams_arg
            if nstreams % 2:
                raise RedisError("ERR Unbalanced '%s' list of streams: for each stream key an ID or '%s' must "
                                 "be specified." % (c.cmd.fullname if c.cmd is not None else "xread",
                                                    ">" if xreadgroup else "$"))
            nstreams //= 2
            break
        elif o == b"group" and more >= 2:
            if not xreadgroup:
                raise RedisError("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
            groupname = argv[i + 1]
            consumername = argv[i + 2]
            i += 2
        elif o == b"noack":
            if not xreadgroup:
                raise RedisError("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
            noack = True
        else:
            raise RedisError(E.SYNTAX)
        i += 1
    if not streams_arg:
        raise RedisError(E.SYNTAX)
    if xreadgroup and groupname is None:
        raise RedisError("ERR Missing GROUP option for XREADGROUP")
    db = c.db
    keys = argv[streams_arg:streams_arg + nstreams]
    ids = [0] * nstreams
    groups: list[Any] = [None] * nstreams
    dollar: list[int] = []
    for k in range(nstreams):
        key = keys[k]
        s = _get_stream(db.lookup_read(key))
        if groupname is not None:
            g = s.group(groupname) if s is not None else None
            if g is None:
                raise _no_group(key, groupname, " in XREADGROUP with GROUP option")
            groups[k] = g
        arg = argv[streams_arg + nstreams + k]
        a = c_str(arg)
        if a == b"$":
            if xreadgroup:
                raise RedisError(
                    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
                    "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID "
                    "would just return an empty result set.")
            ids[k] = s.last_id if s is not None else 0
            dollar.append(k)
        elif a == b"+":
            if xreadgroup:
                raise RedisError(
                    "ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history of "
                    "this consumer by specifying a proper ID, or use the > ID to get new messages. The + ID "
                    "would just return an empty result set.")
            if s is not None:
                if s.last_id == 0:
                    raise RedisError("ERR the stream last element ID is 0-0")
                ids[k] = s.last_id - 1
        elif a == b">":
            if not xreadgroup:
                raise RedisError("ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
                                 "<group> <consumer> option.")
            ids[k] = ID_MAX
        else:
            ids[k] = parse_id(arg, 0, True)

    srv = c.srv
    now = srv.mstime() if xreadgroup else 0
    results = []
    prop: list[list[bytes]] | None = [] if srv.propagators else None  # no AOF, no replica: skip
    for k in range(nstreams):
        key = keys[k]
        s = db.lookup_read(key)
        if s is None:
            continue
        gt = ids[k]
        serve = history = False
        cons = None
        if xreadgroup:
            g = groups[k]
            if gt != ID_MAX:
                serve = history = True
            elif s.length and s.last_valid_id() > g.last_id:
                serve = True
                gt = g.last_id
            cons = g.consumers.get(consumername)
            if cons is None:
                cons = _create_consumer(c, g, consumername, key, now)
                if noack and prop is not None:
                    prop.append([b"XGROUP", b"CREATECONSUMER", key, groupname, consumername])
            cons.seen_time = now
        elif s.length and s.last_valid_id() > gt:
            serve = True
        if not serve:
            continue
        start = gt + 1
        if not xreadgroup:
            entries = _collect(s, start, ID_MAX, count)
        elif history:
            entries = _deliver_history(s, groups[k], cons, start, count, now)
        else:
            entries = _deliver_new(s, groups[k], cons, start, count, noack, now, key, groupname, prop)
        if xreadgroup:
            srv.dirty += 1
        results.append((key, entries))
    if xreadgroup:
        srv.rewrite_propagation(prop or [])
    w = c.w
    if results:
        if w.resp == 3:
            w.map(len(results))
            for key, entries in results:
                w.bulk(key)
                _write_entries(w, entries)
        else:
            w.array(len(results))
            for key, entries in results:
                w.array(2)
                w.bulk(key)
                _write_entries(w, entries)
        return
    if timeout == -1 or _cannot_block(c):
        w.null_array()
        return
    if dollar:
        # '$' becomes the last ID seen now, or the re-executed command would wait forever
        new_argv = list(argv)
        for k in dollar:
            new_argv[streams_arg + nstreams + k] = id_bytes(ids[k])
        c.argv = new_argv
    srv.blocking.block_on_keys(c, list(keys), timeout, _null_array, unblock_on_nokey=xreadgroup,
                               value_type=None if xreadgroup else OBJ_STREAM)


def _null_array(c: Any) -> None:
    c.w.null_array()


@command("xread")
def xread_command(c: Any, argv: list[bytes]) -> None:
    """XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]"""
    xread_generic(c, argv, False)


@command("xreadgroup")
def xreadgroup_command(c: Any, argv: list[bytes]) -> None:
    """XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]"""
    xread_generic(c, argv, True)


@getkeys("xread", "xreadgroup")
def _xread_keys(argv: list[bytes]) -> list[int]:
    """xreadGetKeys: the keys are the first half of what follows STREAMS."""
    n = len(argv)
    pos = -1
    i = 1
    while i < n:
        a = argv[i].lower()
        if a in (b"block", b"count"):
            i += 1
        elif a == b"group":
            i += 2
        elif a == b"noack":
            pass
        elif a == b"streams":
            pos = i
            break
        else:
            break
        i += 1
    num = n - pos - 1
    if pos == -1 or num == 0 or num % 2:
        return []
    return list(range(pos + 1, pos + 1 + num // 2))


# --- XGROUP ---------------------------------------------------------------------------------
def _xgroup_lookup(c: Any, argv: list[bytes], sub: str, mkstream: bool) -> tuple[Stream | None, Group | None]:
    """The common part of xgroupCommand: the key must exist (unless MKSTREAM), and
    SETID/CREATECONSUMER/DELCONSUMER need the group."""
    s = _get_stream(c.db.lookup_write(argv[2]))
    if s is None and not mkstream:
        raise RedisError(NEED_KEY)
    g = s.group(argv[3]) if s is not None else None
    if g is None and sub in ("setid", "createconsumer", "delconsumer"):
        raise RedisError("NOGROUP No such consumer group '%s' for key name '%s'" % (_s(argv[3]), _s(argv[2])))
    return s, g


def _parse_entries_read(arg: bytes) -> int:
    v = parse_int(arg)
    if v < 0 and v != INVALID_ENTRIES_READ:
        raise RedisError(ENTRIESREAD_RANGE)
    return v


@command("xgroup|create")
def xgroup_create_command(c: Any, argv: list[bytes]) -> None:
    """XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]"""
    n = len(argv)
    mkstream = False
    entries_read = INVALID_ENTRIES_READ
    i = 5
    while i < n:
        opt = c_str(argv[i]).lower()
        if opt == b"mkstream":
            mkstream = True
            i += 1
        elif opt == b"entriesread" and i + 1 < n:
            entries_read = _parse_entries_read(argv[i + 1])
            i += 2
        else:
            raise _subcommand_syntax(argv)
    s, _ = _xgroup_lookup(c, argv, "create", mkstream)
    if n > 8:
        raise _subcommand_syntax(argv)
    key = argv[2]
    if c_str(argv[4]) == b"$":
        gid = s.last_id if s is not None else 0
    else:
        gid = parse_id(argv[4], 0, True)
    if s is None:
        s = Stream()
        c.db.add(key, s)
        _signal(c, key)
    if s.create_group(argv[3], gid, entries_read) is None:
        raise RedisError(BUSYGROUP)
    c.w.ok()
    c.srv.dirty += 1
    _notify(c, "xgroup-create", key)


@command("xgroup|setid")
def xgroup_setid_command(c: Any, argv: list[bytes]) -> None:
    """XGROUP SETID key group id|$ [ENTRIESREAD entries-read]"""
    n = len(argv)
    entries_read = INVALID_ENTRIES_READ
    if n == 7:
        if c_str(argv[5]).lower() != b"entriesread":
            raise _subcommand_syntax(argv)
        entries_read = _parse_entries_read(argv[6])
    elif n != 5:
        raise _subcommand_syntax(argv)
    s, g = _xgroup_lookup(c, argv, "setid", False)
    assert s is not None and g is not None
    if c_str(argv[4]) == b"$":
        gid = s.last_id
    else:
        gid = parse_id(argv[4], 0)
    g.last_id = gid
    g.entries_read = entries_read
    c.w.ok()
    c.srv.dirty += 1
    _notify(c, "xgroup-setid", argv[2])


@command("xgroup|destroy")
def xgroup_destroy_command(c: Any, argv: list[bytes]) -> None:
    """XGROUP DESTROY key group: XREADGROUP clients blocked on the group get NOGROUP."""
    s, g = _xgroup_lookup(c, argv, "destroy", False)
    if g is None or s is None or s.groups is None:
        c.w.integer(0)
        return
    del s.groups[g.name]
    c.w.integer(1)
    c.srv.dirty += 1
    key = argv[2]
    _notify(c, "xgroup-destroy", key)
    if c.db.blocking and key in c.db.blocking:
        c.srv.signal_key_ready(c.db, key)


@command("xgroup|createconsumer")
def xgroup_createconsumer_command(c: Any, argv: list[bytes]) -> None:
    """XGROUP CREATECONSUMER key group consumer"""
    _, g = _xgroup_lookup(c, argv, "createconsumer", False)
    assert g is not None
    cons = _create_consumer(c, g, argv[4], argv[2], c.srv.mstime())
    c.w.integer(1 if cons is not None else 0)


@command("xgroup|delconsumer")
def xgroup_delconsumer_command(c: Any, argv: list[bytes]) -> None:
    """XGROUP DELCONSUMER key group consumer: replies how many entries it had pending."""
    _, g = _xgroup_lookup(c, argv, "delconsumer", False)
    assert g is not None
    cons = g.consumers.get(argv[4])
    pending = 0
    if cons is not None:
        pending = len(cons.pel)
        g.delete_consumer(cons)
        c.srv.dirty += 1
        _notify(c, "xgroup-delconsumer", argv[2])
    c.w.integer(pending)


@command("xgroup|help")
def xgroup_help_command(c: Any, argv: list[bytes]) -> None:
    """XGROUP HELP"""
    c.w.help(XGROUP_HELP)


# --- XACK / XPENDING ---------------------------------------------------------------------
def _lookup_group_read(c: Any, key: bytes, groupname: bytes) -> tuple[Stream | None, Group | None]:
    s = _get_stream(c.db.lookup_read(key))
    return s, (s.group(groupname) if s is not None else None)


@command("xack")
def xack_command(c: Any, argv: list[bytes]) -> None:
    """XACK key group id [id ...]: all or nothing, IDs are checked first."""
    _, g = _lookup_group_read(c, argv[1], argv[2])
    if g is None:
        c.w.integer(0)
        return
    ids = [parse_id(a, 0, True) for a in argv[3:]]
    acked = 0
    for i in ids:
        if g.pel_delete(i) is not None:
            acked += 1
    c.srv.dirty += acked
    c.w.integer(acked)


@command("xpending")
def xpending_command(c: Any, argv: list[bytes]) -> None:
    """XPENDING key group [[IDLE min-idle-time] start end count [consumer]]"""
    n = len(argv)
    if n != 3 and (n < 6 or n > 9):
        raise RedisError(E.SYNTAX)
    minidle = 0
    count = 0
    start = end = 0
    consumername = None
    if n >= 6:
        si = 3
        if c_str(argv[3]).lower() == b"idle":
            minidle = parse_int(argv[4])
            if n < 8:
                raise RedisError(E.SYNTAX)
            si += 2
        count = parse_int(argv[si + 2])
        if count < 0:
            count = 0
        start, ex = _parse_interval(argv[si], 0)
        if ex:
            if start == ID_MAX:
                raise RedisError(BAD_START)
            start += 1
        end, ex = _parse_interval(argv[si + 1], MASK64)
        if ex:
            if end == 0:
                raise RedisError(BAD_END)
            end -= 1
        if si + 3 < n:
            consumername = argv[si + 3]
    key = argv[1]
    _, g = _lookup_group_read(c, key, argv[2])
    if g is None:
        raise _no_group(key, argv[2])
    w = c.w
    if n == 3:
        w.array(4)
        w.integer(len(g.pel))
        if not g.pel:
            w.null()
            w.null()
            w.null_array()
            return
        w.bulk(id_bytes(g.pel_ids[0]))
        w.bulk(id_bytes(g.pel_ids[-1]))
        owners = [cons for cons in g.sorted_consumers() if cons.pel]
        w.array(len(owners))
        for cons in owners:
            w.array(2)
            w.bulk(cons.name)
            w.bulk(b"%d" % len(cons.pel))
        return
    if consumername is not None:
        cons = g.consumers.get(consumername)
        if cons is None:
            w.array(0)
            return
        ids = cons.pel
    else:
        ids = g.pel_ids
    now = c.srv.mstime()
    pel = g.pel
    out = []
    j = bisect_left(ids, start)
    while count and j < len(ids) and ids[j] <= end:
        i = ids[j]
        j += 1
        nack = pel[i]
        if minidle and now - nack.delivery_time < minidle:
            continue
        out.append((i, nack))
        count -= 1
    w.array(len(out))
    for i, nack in out:
        w.array(4)
        w.bulk(id_bytes(i))
        w.bulk(nack.consumer.name if nack.consumer is not None else b"")
        elapsed = now - nack.delivery_time
        w.integer(elapsed if elapsed > 0 else 0)
        w.integer(nack.delivery_count)


# --- XCLAIM / XAUTOCLAIM -------------------------------------------------------------------
def _claim(g: Group, i: int, nack: NACK, cons: Consumer) -> None:
    """Move a NACK to `cons` (both PELs)."""
    old = nack.consumer
    if old is not cons:
        if old is not None:
            old.pel_remove(i)
        cons.pel_add(i)
        nack.consumer = cons


def _write_claimed(w: Any, s: Stream, claimed: list, justid: bool) -> None:
    w.array(len(claimed))
    for i in claimed:
        if justid:
            w.bulk(id_bytes(i))
        else:
            _write_entry(w, i, s.get(i))


@command("xclaim")
def xclaim_command(c: Any, argv: list[bytes]) -> None:
    """XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-ms]
    [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]"""
    key = argv[1]
    groupname = argv[2]
    s, g = _lookup_group_read(c, key, groupname)
    if g is None or s is None:
        raise _no_group(key, groupname)
    minidle = parse_int(argv[4], "ERR Invalid min-idle-time argument for XCLAIM")
    if minidle < 0:
        minidle = 0
    n = len(argv)
    j = 5
    while j < n:
        try:
            parse_id(argv[j], 0, True)
        except RedisError:
            break
        j += 1
    last_id_arg = j - 1
    srv = c.srv
    now = srv.mstime()
    force = justid = False
    retrycount = -1
    deliverytime = -1
    lastid = 0
    while j < n:
        more = n - 1 - j
        opt = c_str(argv[j]).lower()
        if opt == b"force":
            force = True
        elif opt == b"justid":
            justid = True
        elif opt == b"idle" and more:
            j += 1
            deliverytime = now - parse_int(argv[j], "ERR Invalid IDLE option argument for XCLAIM")
        elif opt == b"time" and more:
            j += 1
            deliverytime = parse_int(argv[j], "ERR Invalid TIME option argument for XCLAIM")
        elif opt == b"retrycount" and more:
            j += 1
            retrycount = parse_int(argv[j], "ERR Invalid RETRYCOUNT option argument for XCLAIM")
        elif opt == b"lastid" and more:
            j += 1
            lastid = parse_id(argv[j], 0, True)
        else:
            raise RedisError("ERR Unrecognized XCLAIM option '%s'" % _s(argv[j]))
        j += 1
    propagate_last = False
    if lastid > g.last_id:
        g.last_id = lastid
        propagate_last = True
    if deliverytime != -1:
        if deliverytime < 0 or deliverytime > now:
            deliverytime = now
    else:
        deliverytime = now
    cons = g.consumers.get(argv[3])
    if cons is None:
        cons = _create_consumer(c, g, argv[3], key, now)
    assert cons is not None
    cons.seen_time = now
    prop: list[list[bytes]] = []
    claimed = []
    pel = g.pel
    for j in range(5, last_id_arg + 1):
        i = parse_id(argv[j], 0, True)
        nack = pel.get(i)
        if not s.exists(i):
            if nack is not None:
                prop.append(_xclaim_argv(key, groupname, g, argv[j], nack))
                propagate_last = False
                srv.dirty += 1
                g.pel_delete(i)
            continue
        if force and nack is None:
            nack = NACK(None, now)
            g.pel_insert(i, nack)
        if nack is None:
            continue
        if nack.consumer is not None and minidle and now - nack.delivery_time < minidle:
            continue
        _claim(g, i, nack, cons)
        nack.delivery_time = deliverytime
        if retrycount >= 0:
            nack.delivery_count = retrycount
        elif not justid:
            nack.delivery_count += 1
        claimed.append(i)
        cons.active_time = now
        prop.append(_xclaim_argv(key, groupname, g, argv[j], nack))
        propagate_last = False
        srv.dirty += 1
    if propagate_last:
        prop.append(_setid_argv(key, groupname, g))
        srv.dirty += 1
    srv.rewrite_propagation(prop)
    _write_claimed(c.w, s, claimed, justid)


@command("xautoclaim")
def xautoclaim_command(c: Any, argv: list[bytes]) -> None:
    """XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]: replies
    the next cursor, the claimed entries, and the IDs dropped because they were deleted."""
    minidle = parse_int(argv[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM")
    if minidle < 0:
        minidle = 0
    start, ex = _parse_interval(argv[5], 0)
    if ex:
        if start == ID_MAX:
            raise RedisError(BAD_START)
        start += 1
    count = 100
    justid = False
    n = len(argv)
    j = 6
    while j < n:
        more = n - 1 - j
        opt = c_str(argv[j]).lower()
        if opt == b"count" and more:
            v = string2ll(argv[j + 1])
            if v is None or v < 1 or v > LLONG_MAX // 16:
                raise RedisError(AUTOCLAIM_COUNT)
            count = v
            j += 1
        elif opt == b"justid":
            justid = True
        else:
            raise RedisError(E.SYNTAX)
        j += 1
    key = argv[1]
    groupname = argv[2]
    s, g = _lookup_group_read(c, key, groupname)
    if g is None or s is None:
        raise _no_group(key, groupname)
    if count * 16 >= AUTOCLAIM_ALLOC_LIMIT:
        raise RedisError(AUTOCLAIM_MEMORY)
    srv = c.srv
    now = srv.mstime()
    cons = g.consumers.get(argv[3])
    if cons is None:
        cons = _create_consumer(c, g, argv[3], key, now)
    assert cons is not None
    cons.seen_time = now
    attempts = count * 10
    prop: list[list[bytes]] = []
    claimed = []
    deleted = []
    pel = g.pel
    ids = g.pel_ids
    j = bisect_left(ids, start)
    while attempts and count and j < len(ids):
        attempts -= 1
        i = ids[j]
        nack = pel[i]
        if not s.exists(i):
            prop.append(_xclaim_argv(key, groupname, g, id_bytes(i), nack))
            srv.dirty += 1
            g.pel_delete(i)  # ids[j] is now the next one
            deleted.append(i)
            count -= 1
            continue
        j += 1
        if minidle and now - nack.delivery_time < minidle:
            continue
        _claim(g, i, nack, cons)
        nack.delivery_time = now
        if not justid:
            nack.delivery_count += 1
        claimed.append(i)
        count -= 1
        cons.active_time = now
        prop.append(_xclaim_argv(key, groupname, g, id_bytes(i), nack))
        srv.dirty += 1
    srv.rewrite_propagation(prop)
    w = c.w
    w.array(3)
    w.bulk(id_bytes(ids[j]) if j < len(ids) else b"0-0")
    _write_claimed(w, s, claimed, justid)
    w.array(len(deleted))
    for i in deleted:
        w.bulk(id_bytes(i))


# --- XINFO --------------------------------------------------------------------------------
def _xinfo_stream(c: Any, argv: list[bytes]) -> None:
    """xinfoReplyWithStreamInfo: XINFO STREAM key [FULL [COUNT count]] (the key is looked
    up before the options are read)."""
    s = _xinfo_lookup(c, argv[2])
    n = len(argv) - 3
    full = True
    count = 10
    if n == 0:
        full = False
    elif n in (1, 3):
        if c_str(argv[3]).lower() != b"full":
            raise _subcommand_syntax(argv)
        if n == 3:
            if c_str(argv[4]).lower() != b"count":
                raise _subcommand_syntax(argv)
            count = parse_int(argv[5])
            if count < 0:
                count = 10
    else:
        raise _subcommand_syntax(argv)
    w = c.w
    w.map(9 if full else 10)
    w.bulk(b"length")
    w.integer(s.length)
    w.bulk(b"radix-tree-keys")
    w.integer(len(s.nodes))
    w.bulk(b"radix-tree-nodes")
    w.integer(s.rax_nodes())
    w.bulk(b"last-generated-id")
    w.bulk(id_bytes(s.last_id))
    w.bulk(b"max-deleted-entry-id")
    w.bulk(id_bytes(s.max_deleted))
    w.bulk(b"entries-added")
    w.integer(s.entries_added)
    w.bulk(b"recorded-first-entry-id")
    w.bulk(id_bytes(s.first_id))
    if not full:
        w.bulk(b"groups")
        w.integer(len(s.groups) if s.groups else 0)
        w.bulk(b"first-entry")
        first = _collect(s, 0, ID_MAX, 1)
        if first:
            _write_entry(w, *first[0])
        else:
            w.null()
        w.bulk(b"last-entry")
        last = _collect(s, 0, ID_MAX, 1, True)
        if last:
            _write_entry(w, *last[0])
        else:
            w.null()
        return
    w.bulk(b"entries")
    _write_entries(w, _collect(s, 0, ID_MAX, count))
    w.bulk(b"groups")
    groups = s.sorted_groups()
    w.array(len(groups))
    for g in groups:
        w.map(7)
        w.bulk(b"name")
        w.bulk(g.name)
        w.bulk(b"last-delivered-id")
        w.bulk(id_bytes(g.last_id))
        w.bulk(b"entries-read")
        _write_entries_read(w, g)
        w.bulk(b"lag")
        _write_lag(w, s, g)
        w.bulk(b"pel-count")
        w.integer(len(g.pel))
        w.bulk(b"pending")
        pids = g.pel_ids if not count else g.pel_ids[:count]
        w.array(len(pids))
        for i in pids:
            nack = g.pel[i]
            w.array(4)
            w.bulk(id_bytes(i))
            w.bulk(nack.consumer.name if nack.consumer is not None else b"")
            w.integer(nack.delivery_time)
            w.integer(nack.delivery_count)
        w.bulk(b"consumers")
        conss = g.sorted_consumers()
        w.array(len(conss))
        for cons in conss:
            w.map(5)
            w.bulk(b"name")
            w.bulk(cons.name)
            w.bulk(b"seen-time")
            w.integer(cons.seen_time)
            w.bulk(b"active-time")
            w.integer(cons.active_time)
            w.bulk(b"pel-count")
            w.integer(len(cons.pel))
            w.bulk(b"pending")
            cids = cons.pel if not count else cons.pel[:count]
            w.array(len(cids))
            for i in cids:
                nack = g.pel[i]
                w.array(3)
                w.bulk(id_bytes(i))
                w.integer(nack.delivery_time)
                w.integer(nack.delivery_count)


def _write_entries_read(w: Any, g: Group) -> None:
    if g.entries_read != INVALID_ENTRIES_READ:
        w.integer(g.entries_read)
    else:
        w.null()


def _write_lag(w: Any, s: Stream, g: Group) -> None:
    lag = s.group_lag(g)
    if lag is None:
        w.null()
    else:
        w.integer(lag)


def _xinfo_lookup(c: Any, key: bytes) -> Stream:
    s = _get_stream(c.db.lookup_read(key))
    if s is None:
        raise RedisError(E.NO_SUCH_KEY)
    return s


@command("xinfo|stream")
def xinfo_stream_command(c: Any, argv: list[bytes]) -> None:
    """XINFO STREAM key [FULL [COUNT count]]"""
    _xinfo_stream(c, argv)


@command("xinfo|groups")
def xinfo_groups_command(c: Any, argv: list[bytes]) -> None:
    """XINFO GROUPS key"""
    s = _xinfo_lookup(c, argv[2])
    groups = s.sorted_groups()
    w = c.w
    w.array(len(groups))
    for g in groups:
        w.map(6)
        w.bulk(b"name")
        w.bulk(g.name)
        w.bulk(b"consumers")
        w.integer(len(g.consumers))
        w.bulk(b"pending")
        w.integer(len(g.pel))
        w.bulk(b"last-delivered-id")
        w.bulk(id_bytes(g.last_id))
        w.bulk(b"entries-read")
        _write_entries_read(w, g)
        w.bulk(b"lag")
        _write_lag(w, s, g)


@command("xinfo|consumers")
def xinfo_consumers_command(c: Any, argv: list[bytes]) -> None:
    """XINFO CONSUMERS key group"""
    s = _xinfo_lookup(c, argv[2])
    g = s.group(argv[3])
    if g is None:
        raise RedisError("NOGROUP No such consumer group '%s' for key name '%s'" % (_s(argv[3]), _s(argv[2])))
    now = c.srv.mstime()
    conss = g.sorted_consumers()
    w = c.w
    w.array(len(conss))
    for cons in conss:
        inactive = now - cons.active_time if cons.active_time != -1 else -1
        idle = now - cons.seen_time
        w.map(4)
        w.bulk(b"name")
        w.bulk(cons.name)
        w.bulk(b"pending")
        w.integer(len(cons.pel))
        w.bulk(b"idle")
        w.integer(idle if idle > 0 else 0)
        w.bulk(b"inactive")
        w.integer(inactive)


@command("xinfo|help")
def xinfo_help_command(c: Any, argv: list[bytes]) -> None:
    """XINFO HELP"""
    c.w.help(XINFO_HELP)
