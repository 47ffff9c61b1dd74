"""DEBUG: developer and test-suite tools (debug.c debugCommand).

Client test suites rely on a few of these: PROTOCOL (one reply of every RESP3 type),
SLEEP (a slow command), DIGEST/DIGEST-VALUE (compare datasets, see engine/digest.py),
POPULATE (many keys fast), OBJECT, SET-ACTIVE-EXPIRE, RELOAD. DEBUG runs only when
`enable-debug-command` allows it (embedded servers and tests turn it on); the check is
done here rather than in the dispatcher, so a refused DEBUG inside MULTI is queued and
fails at EXEC instead of aborting the transaction as Redis does.

Subcommands that crash or restart the server on purpose (SEGFAULT, PANIC, ASSERT, OOM,
RESTART, CRASH-AND-RECOVER) are refused. Persistence does not exist yet, so RELOAD
saves to and loads from an in-memory snapshot of the keyspace with RDB's rules (expired
keys are dropped on load, a duplicate key is an error unless MERGE).
Neighbours: introspection.py (COMMAND), engine/digest.py, server/server.py (flags).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import random
import re
import struct
import sys
import time
import weakref
from typing import Any

from moredis.commands.registry import command
from moredis.commands.util import c_atoi
from moredis.engine import notify as N
from moredis.engine.digest import object_digest
from moredis.engine.keyspace import LOOKUP_NONOTIFY, LOOKUP_NOTOUCH
from moredis.engine.objects import MEMORY, OBJ_STRING, copy_value, encoding, is_string, string_bytes
from moredis.errors import NO_SUCH_KEY, NOT_INTEGER, RedisError
from moredis.numbers import string2ll

NOT_ALLOWED = (
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", '
    "you can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server."
)
MUST_BE_POSITIVE = "ERR value is out of range, must be positive"
SHARED_REFCOUNT = 2147483647  # OBJ_SHARED_REFCOUNT: integers 0..9999 are shared objects
OBJ_SHARED_INTEGERS = 10000
PACKED_THRESHOLD_DEFAULT = 1 << 30
_LEAKED: list[bytes] = []  # DEBUG LEAK keeps its strings forever, on purpose
_SNAPSHOTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # srv -> RELOAD snapshot


def _strtod(b: bytes) -> float:
    """C strtod on a prefix: the longest leading number, 0 when there is none."""
    m = re.match(rb"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)", b)
    if m is None:
        return 0.0
    try:
        return float(m.group(1))
    except (ValueError, OverflowError):
        return 0.0


def _get_long(b: bytes, err: str = NOT_INTEGER) -> int:
    n = string2ll(b)
    if n is None:
        raise RedisError(err)
    return n


def _positive(b: bytes) -> int:
    """getPositiveLongFromObjectOrReply with Redis's default message for every failure."""
    n = string2ll(b)
    if n is None or n < 0:
        raise RedisError(MUST_BE_POSITIVE)
    return n


def _memtoull(b: bytes) -> int | None:
    """util.c memtoull: digits then an optional b/k/kb/m/mb/g/gb unit; None on error."""
    m = re.fullmatch(rb"(\d*)(b|k|kb|m|mb|g|gb)?", b.lower())
    if m is None:
        return None
    mul = {None: 1, b"b": 1, b"k": 1000, b"kb": 1024, b"m": 1000**2, b"mb": 1024**2,
           b"g": 1000**3, b"gb": 1024**3}[m.group(2)]
    digits = m.group(1)
    val = int(digits) if digits else 0
    if val > (1 << 64) - 1:
        val = (1 << 64) - 1  # strtoull saturates
    if val > ((1 << 64) - 1) // mul:
        return None
    return val * mul


def _allowed(c: Any) -> bool:
    """allowProtectedAction for enable-debug-command (internal callers have no socket)."""
    mode = c.srv.config["enable-debug-command"]
    if mode == "yes" or c.conn is None:
        return True
    if mode != "local":
        return False
    if c.unix:
        return True
    host = c.addr.rsplit(":", 1)[0].strip("[]")
    return host.startswith("127.") or host in ("::1", "::ffff:127.0.0.1")


def _syntax(argv: list[bytes]) -> RedisError:
    """addReplySubcommandSyntaxError."""
    return RedisError("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP." % (
        argv[1][:128].decode("utf-8", "replace"), argv[0].decode("utf-8", "replace").upper()))


def _find(c: Any, key: bytes) -> Any:
    """dbFind: the value even when logically expired, no side effects; else 'no such key'."""
    v = c.db.data.get(key)
    if v is None:
        raise RedisError(NO_SUCH_KEY)
    return v


def _lookup(c: Any, key: bytes) -> Any:
    """objectCommandLookupOrReply: a read lookup that neither touches nor notifies."""
    v = c.db.lookup(key, LOOKUP_NOTOUCH | LOOKUP_NONOTIFY)
    if v is None:
        raise RedisError(NO_SUCH_KEY)
    return v


def _elements(v: Any) -> list:
    try:
        return list(v)
    except TypeError:
        return []


# --- sizes of our structures, for OBJECT, QUICKLIST, HTSTATS --------------------------------
def _len_prefix(n: int) -> int:
    """rdbSaveLen: bytes of an RDB length."""
    if n < 64:
        return 1
    if n < 16384:
        return 2
    if n <= 0xFFFFFFFF:
        return 5
    return 9


def _int_len(n: int) -> int | None:
    """rdbEncodeInteger: bytes of an integer-encoded RDB string, None if it does not fit."""
    if -(1 << 7) <= n < (1 << 7):
        return 2
    if -(1 << 15) <= n < (1 << 15):
        return 3
    if -(1 << 31) <= n < (1 << 31):
        return 5
    return None


def _string_rdb_len(s: bytes) -> int:
    """rdbSaveRawString without LZF: short canonical integers are stored as integers."""
    if len(s) <= 11:
        n = string2ll(s)
        if n is not None:
            r = _int_len(n)
            if r is not None:
                return r
    return _len_prefix(len(s)) + len(s)


def serialized_length(v: Any) -> int:
    """DEBUG OBJECT serializedlength: exact for strings (LZF left out); for other types the
    type's memory estimate stands in for the RDB payload."""
    if is_string(v):
        return _string_rdb_len(string_bytes(v))
    fn = MEMORY.get(type(v))
    if fn is not None:
        try:
            return int(fn(v, 0))
        except Exception:  # an estimate must never fail the command
            return 0
    return 0


def _packed_threshold(srv: Any) -> int:
    return getattr(srv, "quicklist_packed_threshold", PACKED_THRESHOLD_DEFAULT)


def quicklist_layout(srv: Any, v: Any) -> list[tuple[int, int, bool]]:
    """How a quicklist would split this list into nodes: (entries, bytes, plain) each,
    following list-max-listpack-size (negative: a byte limit, positive: an entry limit)
    and the packed threshold above which an element gets a plain node of its own."""
    fill = srv.config["list-max-listpack-size"]
    limit_bytes = 4096 << (min(-fill, 5) - 1) if fill < 0 else 0
    threshold = _packed_threshold(srv)
    nodes: list[tuple[int, int, bool]] = []
    count = 0
    size = 7  # listpack header and terminator
    for e in _elements(v):
        n = len(string_bytes(e)) if is_string(e) else len(repr(e))
        if n >= threshold:
            if count:
                nodes.append((count, size, False))
                count, size = 0, 7
            nodes.append((1, n, True))
            continue
        entry = n + _len_prefix(n) + 1
        full = (count >= fill) if fill > 0 else (size + entry > limit_bytes)
        if count and full:
            nodes.append((count, size, False))
            count, size = 0, 7
        count += 1
        size += entry
    if count:
        nodes.append((count, size, False))
    return nodes


def _table_size(n: int) -> int:
    """Slots of a Python dict holding n entries (at most two thirds full, at least 8)."""
    size = 8
    while size * 2 // 3 < n:
        size <<= 1
    return size


def _ht_stats(n: int, full: bool) -> str:
    """dictGetStats' text for one of our dicts (open addressing: one entry per slot)."""
    if n == 0:
        return "No stats available for empty dictionaries\n"
    size = _table_size(n)
    lines = ["Hash table 0 stats (main hash table):", f" table size: {size}", f" number of elements: {n}"]
    if full:
        lines += [
            f" different slots: {n}", " max chain length: 1",
            " avg chain length (counted): 1.00", " avg chain length (computed): 1.00",
            " Chain length distribution:",
            "   0: %d (%.02f%%)" % (size - n, (size - n) * 100.0 / size),
            "   1: %d (%.02f%%)" % (n, n * 100.0 / size),
        ]
    return "\n".join(lines) + "\n"


# --- subcommands -----------------------------------------------------------------------------
def _help(c: Any, argv: list[bytes]) -> None:
    c.w.help([
        "DEBUG <subcommand> [<arg> ...]. Subcommands:",
        "AOF-FLUSH-SLEEP <microsec>",
        "    Remember a delay to apply before AOF flushes (testing aid).",
        "CHANGE-REPL-ID",
        "    Pick a new replication ID and forget the previous one.",
        "CLIENT-EVICTION",
        "    Show client memory figures used by maxmemory-clients.",
        "DICT-RESIZING <0|1>",
        "    Allow or forbid hash table resizing.",
        "DIGEST",
        "    A hex fingerprint of the whole dataset (all zeros when empty).",
        "DIGEST-VALUE <key> [<key> ...]",
        "    A hex fingerprint of each key's value (all zeros for a missing key).",
        "DROP-CLUSTER-PACKET-FILTER <packet-type>",
        "    Drop cluster bus packets of that type (-1 drops none).",
        "ERROR <string>",
        "    Reply with <string> as an error, verbatim.",
        "HTSTATS <dbid> [FULL]",
        "    Hash table statistics of a database's key and expire tables.",
        "HTSTATS-KEY <key> [FULL]",
        "    Hash table statistics of a value stored as a hash table.",
        "LEAK <string>",
        "    Keep <string> in memory forever.",
        "LISTPACK <key>",
        "    Write the entries of a listpack-encoded value to the log.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Low level facts about a key's value: encoding, sizes, LRU clock.",
        "PAUSE-CRON <0|1>",
        "    Suspend or resume the periodic server tasks.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create string keys <prefix>:0 .. <prefix>:<count-1> (prefix 'key') holding",
        "    value:<n>, cut or zero-padded to <size> bytes; existing keys are left alone.",
        "PROTOCOL <type>",
        "    Reply with a sample of a RESP type: string, integer, double, bignum, null,",
        "    array, set, map, attrib, push, verbatim, true or false.",
        "QUICKLIST <key> [<0|1>]",
        "    Write the node layout of a quicklist-encoded list to the log.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Elements from this size on get a plain quicklist node (0 restores 1gb).",
        "RELOAD [MERGE] [NOFLUSH] [NOSAVE]",
        "    Snapshot the dataset and load it back (NOSAVE: load the last snapshot,",
        "    NOFLUSH: keep current keys, MERGE: snapshot keys win on conflicts).",
        "REPLICATE <command> [<arg> ...]",
        "    Send a command to replicas only.",
        "REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|ms> | REPLYBUFFER RESIZING <0|1>",
        "    Tune how client reply buffers shrink.",
        "SDSLEN <key>",
        "    Lengths and allocation sizes of a string key and its value.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Turn the background expiry of keys off (0) or back on (1).",
        "SET-DISABLE-DENY-SCRIPTS <0|1>",
        "    Let scripts run commands normally denied to them.",
        "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
        "    Skip checksum checks of RDB files and RESTORE payloads.",
        "SLEEP <seconds>",
        "    Block the server for that long (decimals allowed).",
        "STRINGMATCH-TEST",
        "    Fuzz the glob matcher with random patterns and subjects.",
        "STRUCTSIZE",
        "    Sizes of the core in-memory structures.",
        "ASSERT | CRASH-AND-RECOVER | OOM | PANIC | RESTART | SEGFAULT",
        "    Refused: moredis does not crash or restart itself on request.",
        "HELP",
        "    This text.",
    ])


def _refuse(c: Any, argv: list[bytes]) -> None:
    name = argv[1].decode("utf-8", "replace").upper()
    raise RedisError(f"ERR DEBUG {name} is disabled in moredis: it would crash or restart the server on purpose")


def _ok(c: Any) -> None:
    c.w.ok()


def _log(c: Any, argv: list[bytes]) -> None:
    c.srv.log.warning("DEBUG LOG: " + argv[2].decode("utf-8", "surrogateescape"))
    _ok(c)


def _leak(c: Any, argv: list[bytes]) -> None:
    _LEAKED.append(argv[2])
    _ok(c)


def _error(c: Any, argv: list[bytes]) -> None:
    """The argument itself is the error line (no ERR prefix); newlines become spaces."""
    text = argv[2].replace(b"\r", b" ").replace(b"\n", b" ")
    c.w.error(text.decode("utf-8", "surrogateescape"))


def _sleep(c: Any, argv: list[bytes]) -> None:
    """Blocks the whole server, as Redis's nanosleep does; unparsable means 0."""
    secs = _strtod(argv[2])
    if secs > 0 and math.isfinite(secs):
        time.sleep(int(secs * 1_000_000) / 1_000_000)
    _ok(c)


def _flag(attr: str):
    """Subcommands that just store atoi(arg) in a server setting."""
    def run(c: Any, argv: list[bytes]) -> None:
        setattr(c.srv, attr, c_atoi(argv[2]))
        _ok(c)
    return run


def _set_active_expire(c: Any, argv: list[bytes]) -> None:
    c.srv.active_expire_enabled = c_atoi(argv[2]) != 0
    _ok(c)


def _pause_cron(c: Any, argv: list[bytes]) -> None:
    c.srv.pause_cron = c_atoi(argv[2]) != 0
    _ok(c)


def _packed_threshold_cmd(c: Any, argv: list[bytes]) -> None:
    """quicklistSetPackedThreshold: up to 4gb minus 1mb; 0 restores the 1gb default."""
    sz = _memtoull(argv[2])
    if sz is None or sz > (1 << 32) - (1 << 20):
        raise RedisError("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
    c.srv.quicklist_packed_threshold = sz or PACKED_THRESHOLD_DEFAULT
    _ok(c)


def _replybuffer(c: Any, argv: list[bytes]) -> None:
    srv = c.srv
    what = argv[2].lower()
    if what == b"peak-reset-time":
        arg = argv[3].lower()
        if arg == b"never":
            srv.reply_buffer_peak_reset_time = -1
        elif arg == b"reset":
            srv.reply_buffer_peak_reset_time = 5000
        else:
            srv.reply_buffer_peak_reset_time = _get_long(argv[3])
    elif what == b"resizing":
        srv.reply_buffer_resizing_enabled = c_atoi(argv[3]) != 0
    else:
        raise _syntax(argv)
    _ok(c)


def _drop_packet_filter(c: Any, argv: list[bytes]) -> None:
    c.srv.cluster_drop_packet_filter = _get_long(argv[2])
    _ok(c)


def _change_repl_id(c: Any, argv: list[bytes]) -> None:
    """changeReplicationId + clearReplicationId2."""
    srv = c.srv
    srv.log.notice("Changing replication IDs after receiving DEBUG change-repl-id")
    srv.replid = "%040x" % random.getrandbits(160)
    srv.replid2 = "0" * 40
    srv.second_replid_offset = -1
    _ok(c)


def _replicate(c: Any, argv: list[bytes]) -> None:
    """Feed argv[2:] to the propagation targets as if a command had produced it."""
    srv = c.srv
    for p in list(srv.propagators):
        p(c.db.id, [list(argv[2:])])
    _ok(c)


def _protocol(c: Any, argv: list[bytes]) -> None:
    """One sample reply of the named RESP type (the values Redis's test suites expect)."""
    w = c.w
    name = argv[2].lower()
    if name == b"string":
        w.bulk(b"Hello World")
    elif name == b"integer":
        w.integer(12345)
    elif name == b"double":
        w.double(3.141)
    elif name == b"bignum":
        w.big_number(b"1234567999999999999999999999999999999")
    elif name == b"null":
        w.null()
    elif name == b"array":
        w.array(3)
        for j in range(3):
            w.integer(j)
    elif name == b"set":
        w.set(3)
        for j in range(3):
            w.integer(j)
    elif name == b"map":
        w.map(3)
        for j in range(3):
            w.integer(j)
            w.boolean(j == 1)
    elif name == b"attrib":
        if w.resp >= 3:
            w.attribute(1)
            w.bulk(b"key-popularity")
            w.array(2)
            w.bulk(b"key:123")
            w.integer(90)
        w.bulk(b"Some real reply following the attribute")
    elif name == b"push":
        if w.resp < 3:
            raise RedisError("ERR RESP2 is not supported by this command")
        # Redis defers pushes made while a command runs until after its reply
        w.bulk(b"Some real reply following the push reply")
        w.push(2)
        w.bulk(b"server-cpu-usage")
        w.integer(42)
    elif name == b"true":
        w.boolean(True)
    elif name == b"false":
        w.boolean(False)
    elif name == b"verbatim":
        w.verbatim(b"This is a verbatim\nstring", b"txt")
    else:
        raise RedisError("ERR Wrong protocol type name. Please use one of the following: "
                         "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")


def _hex(d: bytes | bytearray) -> bytes:
    return bytes(d).hex().encode()


_SHA1 = hashlib.sha1
_STRING_CODE = int.from_bytes(_SHA1(struct.pack(">I", OBJ_STRING)).digest(), "big")
_EXPIRE_MARK = int.from_bytes(_SHA1(b"!!expire!!").digest(), "big")


def fast_dataset_digest(dbs: list) -> bytes:
    """engine/digest.py dataset_digest, with the 20-byte states held as ints so that a
    million string keys take seconds rather than minutes; other types go through their
    registered digest functions (object_digest)."""
    sha1 = _SHA1
    frombytes = int.from_bytes
    final = 0
    for db in dbs:
        data = db.data
        if not data:
            continue
        mixed = final ^ frombytes(sha1(struct.pack(">I", db.id)).digest(), "big")
        final = frombytes(sha1(mixed.to_bytes(20, "big")).digest(), "big")
        expires = db.expires
        for key, v in data.items():
            d = sha1(sha1(key).digest()).digest()  # the key mixed into a zero state
            t = type(v)
            if t is bytes or t is bytearray or t is int:
                d = sha1((frombytes(d, "big") ^ _STRING_CODE).to_bytes(20, "big")).digest()
                raw = v if t is bytes else (b"%d" % v if t is int else bytes(v))
                x = frombytes(d, "big") ^ frombytes(sha1(raw).digest(), "big")
                d = sha1(x.to_bytes(20, "big")).digest()
                if expires and key in expires:
                    d = (frombytes(d, "big") ^ _EXPIRE_MARK).to_bytes(20, "big")
            else:
                d = bytes(object_digest(db, key, v, bytearray(d)))
            final ^= frombytes(sha1(d).digest(), "big")  # xorDigest hashes what it folds in
    return final.to_bytes(20, "big")


def _digest(c: Any, argv: list[bytes]) -> None:
    c.w.simple(_hex(fast_dataset_digest(c.srv.dbs)))


def _digest_value(c: Any, argv: list[bytes]) -> None:
    """Works on logically expired keys too (no lookup, as debug.c)."""
    db = c.db
    w = c.w
    w.array(len(argv) - 2)
    for key in argv[2:]:
        v = db.data.get(key)
        w.simple(_hex(object_digest(db, key, v)) if v is not None else b"0" * 40)


def _is_shared_int(srv: Any, v: Any) -> bool:
    """Redis keeps 0..9999 as shared objects unless maxmemory evicts by LRU/LFU."""
    if encoding(v) != "int":
        return False
    n = v if type(v) is int else int(v)
    if not 0 <= n < OBJ_SHARED_INTEGERS:
        return False
    return not (srv.maxmemory and srv.config["maxmemory-policy"].endswith(("lru", "lfu")))


def _object(c: Any, argv: list[bytes]) -> None:
    """Value at:<addr> refcount:<n> encoding:<enc> serializedlength:<n> lru:<clock>
    lru_seconds_idle:<s>, plus the ql_* fields for quicklists."""
    srv = c.srv
    key = argv[2]
    v = _find(c, key)
    enc = encoding(v)
    shared = _is_shared_int(srv, v)
    lru = int(srv.start_time) & 0xFFFFFF if shared else c.db.access.get(key, srv.lru_clock)
    extra = ""
    if enc == "quicklist":
        nodes = quicklist_layout(srv, v)
        count = sum(n for n, _, _ in nodes)
        extra = " ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d ql_uncompressed_size:%d" % (
            len(nodes), count / len(nodes) if nodes else 0.0, srv.config["list-max-listpack-size"],
            1 if srv.config["list-compress-depth"] else 0, sum(s for _, s, _ in nodes))
    c.w.simple("Value at:%#x refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d%s" % (
        id(v), SHARED_REFCOUNT if shared else 1, enc, serialized_length(v), lru,
        srv.idle_seconds(lru), extra))


def _sdslen(c: Any, argv: list[bytes]) -> None:
    key = argv[2]
    v = _find(c, key)
    if not is_string(v) or encoding(v) == "int":
        raise RedisError("ERR Not an sds encoded string.")
    avail = 0
    if type(v) is bytearray:
        avail = max(0, sys.getsizeof(v) - sys.getsizeof(bytearray()) - len(v) - 1)
    c.w.simple("key_sds_len:%d, key_sds_avail:0, key_zmalloc: %d, val_sds_len:%d, val_sds_avail:%d, "
               "val_zmalloc: %d" % (len(key), sys.getsizeof(key), len(v), avail, sys.getsizeof(v)))


SHOW_MAX_LINES = 1000  # a structure dump stops there instead of flooding the log


def _show(c: Any, title: str, lines: list[str]) -> None:
    log = c.srv.log
    log.notice(title)
    for line in lines[:SHOW_MAX_LINES]:
        log.notice(line)
    if len(lines) > SHOW_MAX_LINES:
        log.notice(f"  ... {len(lines) - SHOW_MAX_LINES} more lines")


def _listpack(c: Any, argv: list[bytes]) -> None:
    v = _lookup(c, argv[2])
    enc = encoding(v)
    if enc not in ("listpack", "listpackex"):
        raise RedisError("ERR Not a listpack encoded object.")
    items = _elements(v)
    lines = [f"  [{i}] {e!r}" for i, e in enumerate(items)]
    _show(c, f"{{listpack key={argv[2]!r} type={type(v).__name__} entries={len(items)}}}", lines)
    c.w.simple(b"Listpack structure printed on stdout")


def _quicklist(c: Any, argv: list[bytes]) -> None:
    v = _lookup(c, argv[2])
    full = c_atoi(argv[3]) if len(argv) == 4 else 0
    if encoding(v) != "quicklist":
        raise RedisError("ERR Not a quicklist encoded object.")
    srv = c.srv
    nodes = quicklist_layout(srv, v)
    items = _elements(v) if full else []
    lines = []
    pos = 0
    for i, (n, size, plain) in enumerate(nodes):
        lines.append(f"  node {i}: {'plain' if plain else 'packed'} entries={n} bytes={size}")
        for e in items[pos:pos + n]:
            lines.append(f"    {e!r}")
        pos += n
    _show(c, "{quicklist key=%r count=%d nodes=%d fill=%d compress=%d}" % (
        argv[2], sum(n for n, _, _ in nodes), len(nodes), srv.config["list-max-listpack-size"],
        srv.config["list-compress-depth"]), lines)
    c.w.simple(b"Quicklist structure printed on stdout")


def _htstats(c: Any, argv: list[bytes]) -> None:
    srv = c.srv
    dbid = _get_long(argv[2])
    full = len(argv) >= 4 and argv[3].lower() == b"full"
    if dbid < 0 or dbid >= len(srv.dbs):
        raise RedisError("ERR Out of range database")
    db = srv.dbs[dbid]
    text = "[Dictionary HT]\n" + _ht_stats(len(db.data), full) + "[Expires HT]\n" + _ht_stats(len(db.expires), full)
    c.w.verbatim(text.encode(), b"txt")


def _htstats_key(c: Any, argv: list[bytes]) -> None:
    v = _lookup(c, argv[2])
    full = len(argv) >= 4 and argv[3].lower() == b"full"
    if encoding(v) not in ("hashtable", "skiplist"):
        raise RedisError("ERR The value stored at the specified key is not represented using an hash table")
    c.w.verbatim(_ht_stats(len(v), full).encode(), b"txt")


def _structsize(c: Any, argv: list[bytes]) -> None:
    """Sizes (bytes) of the Python objects our keyspace is made of."""
    sizes = [("bits", 64), ("bytes", sys.getsizeof(b"")), ("bytearray", sys.getsizeof(bytearray())),
             ("int", sys.getsizeof(1)), ("dict", sys.getsizeof({})), ("list", sys.getsizeof([])),
             ("set", sys.getsizeof(set())), ("float", sys.getsizeof(0.0))]
    c.w.bulk("".join(f"{k}:{v} " for k, v in sizes).encode())


def _client_eviction(c: Any, argv: list[bytes]) -> None:
    srv = c.srv
    if not srv.config["maxmemory-clients"]:
        raise RedisError("ERR maxmemory-clients is disabled.")
    lines = []
    for cl in list(srv.clients.values()):
        out = sum(len(x) for x in cl.out if x is not None)
        lines.append(f"client id={cl.id} addr={cl.addr} reply_bytes={out}")
    c.w.bulk(("\n".join(lines) + "\n").encode())


def _stringmatch_test(c: Any, argv: list[bytes]) -> None:
    """stringmatchlen_fuzz_test: random patterns against random subjects must not fail."""
    from moredis.util.glob import glob_match

    rnd = random.Random()
    alphabet = b"ab*?[]^-\\x"
    for _ in range(2000):
        pat = bytes(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        s = bytes(rnd.choice(b"abx-]") for _ in range(rnd.randint(0, 12)))
        glob_match(pat, s, nocase=bool(rnd.getrandbits(1)))
    c.w.simple(b"Apparently Redis did not crash: test passed")


# --- POPULATE ------------------------------------------------------------------------------
def _populate_limit() -> int:
    """Counts whose key table alone (8 bytes a slot) exceeds physical memory fail, as
    dictTryExpand fails to allocate it in Redis."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 8
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 1 << 40


def _populate(c: Any, argv: list[bytes]) -> None:
    """POPULATE count [prefix] [size]: keys "<prefix>:<n>" (cut to 127 bytes like the C
    buffer) holding "value:<n>" cut or zero-padded to size. Existing keys are skipped;
    nothing is propagated and dirty is not counted, as in Redis."""
    count = _positive(argv[2])
    if count > _populate_limit():
        raise RedisError("ERR OOM in dictTryExpand")
    size = _positive(argv[4]) if len(argv) == 5 else 0
    prefix = argv[3].split(b"\0", 1)[0] if len(argv) >= 4 else b"key"
    fmt = prefix.replace(b"%", b"%%") + b":%d"
    keys = [fmt % j for j in range(count)]
    truncated = len(prefix) + 1 + len(b"%d" % max(count - 1, 0)) > 127
    if truncated:
        keys = [k[:127] for k in keys]
    if size:
        vals = [(b"value:%d" % j)[:size].ljust(size, b"\0") for j in range(count)]
    else:
        vals = [b"value:%d" % j for j in range(count)]
    db = c.db
    srv = c.srv
    data = db.data
    lru = srv.lru_new()
    if not data and not truncated:
        data.update(zip(keys, vals, strict=True))
        db.access.update(zip(keys, itertools.repeat(lru)))  # no temporary dict: RSS counts
        added = keys
    else:
        added = []
        access = db.access
        expires = db.expires
        for k, v in zip(keys, vals, strict=True):
            if k in data and not (expires and k in expires and db.lookup_write(k) is None):
                continue
            data[k] = v
            access[k] = lru
            added.append(k)
    if db.blocking:
        for k in [k for k in db.blocking if k in data]:
            srv.signal_key_ready(db, k)
    if srv.notify_mask & N.NEW:
        for k in added:
            srv.notify(N.NEW, "new", k, db.id)
    if db.watched or srv.tracking_table is not None:
        for k in added:
            db.signal_modified(k)
    _ok(c)


# --- RELOAD --------------------------------------------------------------------------------
class _ModulePayload:
    """A module value in a snapshot: what its type's rdb_save wrote (module types need
    not have a copy callback, but rdbSave always goes through rdb_save)."""

    __slots__ = ("payload",)

    def __init__(self, payload: bytes) -> None:
        self.payload = payload


def _freeze(srv: Any, key: bytes, v: Any, dbid: int) -> Any:
    from moredis.module.datatype import ModuleValue, save_value

    if type(v) is ModuleValue:
        return _ModulePayload(save_value(srv, v, key, dbid))
    return copy_value(v)


def _thaw(srv: Any, key: bytes, v: Any, dbid: int) -> Any:
    if type(v) is _ModulePayload:
        from moredis.module.datatype import load_value
        from moredis.persistence.rdbio import Reader

        return load_value(srv, Reader(v.payload), key, dbid)
    return copy_value(v)


def _snapshot(srv: Any) -> list[list[tuple[bytes, Any, int | None]]]:
    """What rdbSave would write: every key (expired ones too), value and expire time."""
    snap = []
    for db in srv.dbs:
        exp = db.expires
        snap.append([(k, _freeze(srv, k, v, db.id), exp.get(k) if exp else None) for k, v in db.data.items()])
    return snap


def _load_snapshot(srv: Any, snap: list, merge: bool) -> bool:
    """rdbLoad into the current dataset; False on a duplicate key without MERGE."""
    now = srv.mstime()
    master = not srv.is_replica
    for db, items in zip(srv.dbs, snap, strict=False):
        data = db.data
        access = db.access
        for k, v, when in items:
            if when is not None and master and when < now:
                continue  # rdbLoad drops keys that expired while on disk
            if k in data:
                if not merge:
                    srv.log.warning(f"RDB has duplicated key '{k.decode('utf-8', 'replace')}' in DB {db.id}")
                    return False
                db.delete(k)
            data[k] = _thaw(srv, k, v, db.id)
            access[k] = srv.lru_new()
            if when is not None:
                db.set_expire(k, when)
    return True


def _reload(c: Any, argv: list[bytes]) -> None:
    """RELOAD [MERGE] [NOFLUSH] [NOSAVE]: a real round trip through the RDB file
    (dir/dbfilename), as Redis does it."""
    srv = c.srv
    merge = False
    save = flush = True
    for opt in argv[2:]:
        o = opt.lower()
        if o == b"merge":
            merge = True
        elif o == b"noflush":
            flush = False
        elif o == b"nosave":
            save = False
        else:
            raise RedisError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
    srv.rdb.debug_reload(merge=merge, flush=flush, save=save)
    srv.rewrite_propagation([])  # a reload is not a write to replicate
    _ok(c)


def _loadaof(c: Any, argv: list[bytes]) -> None:
    """LOADAOF: flush the AOF buffer, empty the dataset and replay the AOF files."""
    srv = c.srv
    if srv.aof is None or not srv.aof.debug_loadaof():  # with appendonly off there is no manifest
        raise RedisError("ERR Error trying to load the AOF files, check server logs.")
    srv.rewrite_propagation([])
    srv.log.notice("Append Only File loaded by DEBUG LOADAOF")
    _ok(c)


# name -> (accepts(argc), handler); a name whose argc does not fit gets the syntax error
_SUBS: dict[bytes, tuple[Any, Any]] = {
    b"help": (lambda n: n == 2, _help),
    b"segfault": (lambda n: True, _refuse),
    b"panic": (lambda n: True, _refuse),
    b"assert": (lambda n: True, _refuse),
    b"oom": (lambda n: True, _refuse),
    b"restart": (lambda n: n in (2, 3), _refuse),
    b"crash-and-recover": (lambda n: n in (2, 3), _refuse),
    b"log": (lambda n: n == 3, _log),
    b"leak": (lambda n: n == 3, _leak),
    b"error": (lambda n: n == 3, _error),
    b"reload": (lambda n: True, _reload),
    b"loadaof": (lambda n: n == 2, _loadaof),
    b"object": (lambda n: n == 3, _object),
    b"sdslen": (lambda n: n == 3, _sdslen),
    b"listpack": (lambda n: n == 3, _listpack),
    b"quicklist": (lambda n: n in (3, 4), _quicklist),
    b"populate": (lambda n: 3 <= n <= 5, _populate),
    b"digest": (lambda n: n == 2, _digest),
    b"digest-value": (lambda n: n >= 2, _digest_value),
    b"protocol": (lambda n: n == 3, _protocol),
    b"sleep": (lambda n: n == 3, _sleep),
    b"set-active-expire": (lambda n: n == 3, _set_active_expire),
    b"quicklist-packed-threshold": (lambda n: n == 3, _packed_threshold_cmd),
    b"set-skip-checksum-validation": (lambda n: n == 3, _flag("skip_checksum_validation")),
    b"aof-flush-sleep": (lambda n: n == 3, _flag("aof_flush_sleep")),
    b"replicate": (lambda n: n >= 3, _replicate),
    b"structsize": (lambda n: n == 2, _structsize),
    b"htstats": (lambda n: n >= 3, _htstats),
    b"htstats-key": (lambda n: n >= 3, _htstats_key),
    b"change-repl-id": (lambda n: n == 2, _change_repl_id),
    b"stringmatch-test": (lambda n: n == 2, _stringmatch_test),
    b"set-disable-deny-scripts": (lambda n: n == 3, _flag("script_disable_deny_script")),
    b"client-eviction": (lambda n: n == 2, _client_eviction),
    b"pause-cron": (lambda n: n == 3, _pause_cron),
    b"replybuffer": (lambda n: n == 4, _replybuffer),
    b"dict-resizing": (lambda n: n == 3, _flag("dict_resizing")),
    b"drop-cluster-packet-filter": (lambda n: n == 3, _drop_packet_filter),
}


@command("debug")
def debug_command(c: Any, argv: list[bytes]) -> None:
    """DEBUG subcommand [arg ...]"""
    if not _allowed(c):
        raise RedisError(NOT_ALLOWED)
    entry = _SUBS.get(argv[1].lower())
    if entry is None or not entry[0](len(argv)):
        raise _syntax(argv)
    entry[1](c, argv)
