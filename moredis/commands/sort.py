"""SORT and SORT_RO (sort.c): sort a list, set or sorted set numerically or
lexicographically, by its own elements or by external keys (BY pattern, hash fields with
`->`), fetch other keys per element (GET, `#` for the element), LIMIT, and STORE the
result as a list.

Redis's comparison rules are kept: numbers parsed as strtod parses them (leading
spaces, hex, inf; trailing bytes, NaN and out-of-range values are errors reported after
sorting), ties broken by the element bytes; ALPHA compares with strcoll (bytes up to the
first NUL in the C locales) except when storing, which compares whole byte strings; a
missing BY value sorts first. glibc's qsort is a stable merge sort, which a Python sort
reproduces; SORT ... BY ... LIMIT uses Redis's partial quicksort (util/pqsort.py), whose
order of equal elements differs. Keys named by BY/GET patterns are read with the same
lookups as Redis (hit/miss statistics, keymiss events, lazy expiry of hash fields).
Neighbours: engine/types/list.py (the stored result), util/pqsort.py, commands/geo.py.
"""

from __future__ import annotations

import binascii
import ctypes
import locale
import re
from collections.abc import Callable
from fractions import Fraction
from itertools import islice
from typing import Any

from moredis import errors as E
from moredis.commands import hash as hash_cmds
from moredis.commands.registry import command, getkeys
from moredis.commands.util import cstr
from moredis.engine import notify as N
from moredis.engine.objects import OBJ_SET, is_string, string_bytes, type_code
from moredis.engine.types.hash import Hash, field_expiry
from moredis.engine.types.list import ListpackList, QuicklistList, auto_convert, new_quicklist
from moredis.engine.types.zset import ZSet
from moredis.errors import RedisError
from moredis.numbers import LLONG_MAX, LLONG_MIN
from moredis.util.pqsort import pqsort

SCORE_ERROR = "ERR One or more scores can't be converted into double"
_DBL_MIN = 2.2250738585072014e-308


# --- strtod as SORT uses it -------------------------------------------------------------------
_NUM = re.compile(
    rb"[+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    rb"|(?i:infinity|inf|nan)"
    rb"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
)
_SPACES = b" \t\n\v\f\r"


def _exact(text: bytes) -> Fraction:
    """The exact value of a decimal or hexadecimal number text."""
    t = text.lower()
    neg = t[:1] == b"-"
    t = t.lstrip(b"+-")
    if t[:2] == b"0x":
        mant, _, exp = t[2:].partition(b"p")
        ip, _, fp = mant.partition(b".")
        v = Fraction(int((ip + fp) or b"0", 16), 16 ** len(fp)) * Fraction(2) ** int(exp or b"0")
    else:
        v = Fraction(t.decode())
    return -v if neg else v


def sort_score(v: bytes) -> tuple[float, bool]:
    """sortCommandGeneric's strtod: (value, ok). Leading spaces are skipped and the number
    may end at a NUL byte (or be empty: 0); anything else after it, NaN, overflow, or a
    result below the normal range that is not exact (ERANGE) is an error."""
    if v.isdigit() and len(v) < 300:
        return float(v), True
    i = 0
    n = len(v)
    while i < n and v[i] in _SPACES:
        i += 1
    m = _NUM.match(v, i)
    if m is None:  # no conversion: strtod points back at the start
        return 0.0, (n == 0 or v[0] == 0)
    text = m.group()
    end = m.end()
    ok = end == n or v[end] == 0
    low = text.lower().lstrip(b"+-")
    if low[:1] in (b"i", b"n"):
        f = float(text)
        return f, ok and f == f
    try:
        f = float.fromhex(text.decode()) if b"x" in low else float(text)
    except OverflowError:  # a hexadecimal number beyond the double range
        return (float("-inf") if text[:1] == b"-" else float("inf")), False
    if f in (float("inf"), float("-inf")):
        return f, False
    if abs(f) < _DBL_MIN and _exact(text) != Fraction(f):
        return f, False  # underflow: ERANGE
    return f, ok


def _int_encoded(v: bytes) -> bool:
    """Whether Redis would hold this string as an integer (createStringObjectFromLongLong,
    tryObjectEncoding), which SORT reads with a cast rather than strtod."""
    if not v or len(v) > 20:
        return False
    try:
        i = int(v)
    except ValueError:
        return False
    return b"%d" % i == v and LLONG_MIN <= i <= LLONG_MAX


# --- collation ----------------------------------------------------------------------------------
_libc: Any = None


def _strxfrm(b: bytes) -> bytes:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None)
        _libc.strxfrm.restype = ctypes.c_size_t
        _libc.strxfrm.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    s = cstr(b)
    n = _libc.strxfrm(None, s, 0)
    buf = ctypes.create_string_buffer(n + 1)
    _libc.strxfrm(buf, s, n + 1)
    return buf.raw[:n]


def collate_key() -> Callable[[bytes], bytes]:
    """A sort key equivalent to strcoll under the process's LC_COLLATE (set by the
    locale-collate config): the bytes up to the first NUL in the C locales."""
    loc = locale.setlocale(locale.LC_COLLATE)
    if loc in ("C", "POSIX") or loc.startswith(("C.", "POSIX.")):
        return cstr
    return _strxfrm


# --- cluster slots (the BY/GET restriction in cluster mode) --------------------------------------
def _crc16(b: bytes) -> int:
    return binascii.crc_hqx(b, 0)


def key_slot(key: bytes) -> int:
    """keyHashSlot: the hash tag between the first '{' and the next '}' if non-empty."""
    s = key.find(b"{")
    if s >= 0:
        e = key.find(b"}", s + 1)
        if e > s + 1:
            return _crc16(key[s + 1 : e]) & 0x3FFF
    return _crc16(key) & 0x3FFF


def pattern_slot(p: bytes) -> int:
    """patternHashSlot: the one slot every key the pattern can form hashes to, or -1."""
    s = -1
    for i, ch in enumerate(p):
        if ch in (0x2A, 0x3F, 0x5B, 0x5C):  # * ? [ \
            return -1
        if s == -1 and ch == 0x7B:  # {
            s = i
        elif s >= 0 and ch == 0x7D:  # }
            if i == s + 1:
                s = -2
            else:
                return _crc16(p[s + 1 : i]) & 0x3FFF
    return _crc16(p) & 0x3FFF


def _full_key_access(c: Any) -> bool:
    """ACLUserCheckCmdWithUnrestrictedKeyAccess: the user may touch every key."""
    u = c.user
    if u is None or u.unrestricted:
        return True
    check = getattr(u, "has_all_keys", None)
    if check is not None:
        return bool(check(c.cmd))
    return b"*" in getattr(u, "key_patterns", ())


# --- patterns -------------------------------------------------------------------------------------
def lookup_by_pattern(c: Any, pattern: bytes, subst: bytes) -> bytes | None:
    """lookupKeyByPattern: "#" is the element itself; the first '*' takes the element;
    "key->field" reads a hash field. A pattern without '*' names nothing; a key of the
    wrong type reads as missing."""
    if pattern[:1] == b"#" and (len(pattern) == 1 or pattern[1] == 0):
        return subst
    cp = cstr(pattern)
    p = cp.find(b"*")
    if p < 0:
        return None
    f = cp.find(b"->", p + 1)
    fieldlen = 0
    if f >= 0 and f + 2 < len(pattern) and pattern[f + 2] != 0:
        fieldlen = len(pattern) - f - 2
    postfix = len(pattern) - (p + 1) - (fieldlen + 2 if fieldlen else 0)
    key = pattern[:p] + subst + pattern[p + 1 : p + 1 + postfix]
    db = c.db
    o = db.lookup_read(key)
    if o is None:
        return None
    if fieldlen:
        if type(o) is not Hash:
            return None
        t = o.ttl
        if t is not None and (t.key != key or t.db is not db):
            field_expiry(c.srv).track(db, key, o)
        return hash_cmds._field_value(c, key, o, pattern[f + 2 :])
    if not is_string(o):
        return None
    return string_bytes(o)


# --- the command ------------------------------------------------------------------------------------
def _parse_long(b: bytes) -> int:
    """getLongFromObjectOrReply."""
    try:
        n = int(b)
    except ValueError:
        raise RedisError(E.NOT_INTEGER) from None
    if b"%d" % n != b or n > LLONG_MAX or n < LLONG_MIN:
        raise RedisError(E.NOT_INTEGER)
    return n


def _elements(v: Any) -> list[bytes]:
    """Members of a list or set value as bytes, in the value's own order."""
    return [m if type(m) is bytes else (b"%d" % m if type(m) is int else bytes(m)) for m in v]


def sort_generic(c: Any, argv: list[bytes], readonly: bool) -> None:
    """sortCommandGeneric."""
    desc = alpha = dontsort = False
    limit_start, limit_count = 0, -1
    sortby: bytes | None = None
    storekey: bytes | None = None
    gets: list[bytes] = []
    srv = c.srv
    cluster = srv.config["cluster-enabled"]
    full_access: bool | None = None
    n = len(argv)
    j = 2
    while j < n:
        left = n - j - 1
        opt = cstr(argv[j]).lower()
        if opt == b"asc":
            desc = False
        elif opt == b"desc":
            desc = True
        elif opt == b"alpha":
            alpha = True
        elif opt == b"limit" and left >= 2:
            limit_start = _parse_long(argv[j + 1])
            limit_count = _parse_long(argv[j + 2])
            j += 2
        elif not readonly and opt == b"store" and left >= 1:
            storekey = argv[j + 1]
            j += 1
        elif opt == b"by" and left >= 1:
            sortby = argv[j + 1]
            if b"*" not in cstr(sortby):
                dontsort = True
            else:
                if cluster and pattern_slot(sortby) != key_slot(argv[1]):
                    raise RedisError("ERR BY option of SORT denied in Cluster mode when keys formed by "
                                     "the pattern may be in different slots.")
                if full_access is None:
                    full_access = _full_key_access(c)
                if not full_access:
                    raise RedisError("ERR BY option of SORT denied due to insufficient ACL permissions.")
            j += 1
        elif opt == b"get" and left >= 1:
            pat = argv[j + 1]
            if cluster and cstr(pat) != b"#" and pattern_slot(pat) != key_slot(argv[1]):
                raise RedisError("ERR GET option of SORT denied in Cluster mode when keys formed by "
                                 "the pattern may be in different slots.")
            if full_access is None:
                full_access = _full_key_access(c)
            if not full_access:
                raise RedisError("ERR GET option of SORT denied due to insufficient ACL permissions.")
            gets.append(pat)
            j += 1
        else:
            raise RedisError(E.SYNTAX)
        j += 1

    db = c.db
    v = db.lookup_read(argv[1])
    t = type(v)
    is_list = t is ListpackList or t is QuicklistList
    is_zset = t is ZSet
    is_set = False
    if v is not None and not is_list and not is_zset:
        if type_code(v) != OBJ_SET:
            raise RedisError(E.WRONGTYPE)
        is_set = True
    if v is None:
        is_list = True
        v = ()

    if dontsort and is_set and (storekey is not None or c.in_script):
        # a set has no order of its own: sort it so replicas and scripts agree
        dontsort = False
        alpha = True
        sortby = None
    if is_zset:
        v.to_skiplist()  # zsetConvert: SORT leaves a sorted set skiplist-encoded
    vectorlen = len(v)

    start = min(max(limit_start, 0), vectorlen)
    limit_count = min(max(limit_count, -1), vectorlen)
    end = vectorlen - 1 if limit_count < 0 else start + limit_count - 1
    if start >= vectorlen:
        start = vectorlen - 1
        end = vectorlen - 2
    if end >= vectorlen:
        end = vectorlen - 1
    if (is_zset or is_list) and dontsort and (start != 0 or end != vectorlen - 1):
        vectorlen = end - start + 1

    # load the elements
    if is_list and dontsort:
        if end >= start:
            if desc:
                vector = list(islice(reversed(v), start, start + vectorlen))
            else:
                vector = list(islice(v, start, start + vectorlen))
            vector = _elements(vector)
            end -= start
            start = 0
        else:
            vector = []
    elif is_list or is_set:
        vector = _elements(v)
    elif is_zset and dontsort:
        zsl = v.zsl
        if desc:
            top = len(zsl) - start
            vector = [m for _, m in zsl.islice(max(top - vectorlen, 0), top, reverse=True)] if vectorlen > 0 else []
        else:
            vector = [m for _, m in zsl.islice(start, start + vectorlen)] if vectorlen > 0 else []
        end -= start
        start = 0
    else:
        vector = list(v.scores)

    error = False
    if not dontsort and vector:
        error, vector = _sort(c, vector, sortby, alpha, desc, storekey is not None, start, end)

    outputlen = (len(gets) if gets else 1) * max(end - start + 1, 0)
    if error:
        raise RedisError(SCORE_ERROR)
    w = c.w
    if storekey is None:
        w.array(outputlen)
        for k in range(start, end + 1):
            elem = vector[k]
            if not gets:
                w.bulk(elem)
            for pat in gets:
                val = lookup_by_pattern(c, pat, elem)
                if val is None:
                    w.null()
                else:
                    w.bulk(val)
        return

    fill = srv.config.values["list-max-listpack-size"]
    out = new_quicklist(fill)
    for k in range(start, end + 1):
        elem = vector[k]
        if not gets:
            out.push_tail(elem)
        for pat in gets:
            val = lookup_by_pattern(c, pat, elem)
            out.push_tail(b"" if val is None else val)
    if outputlen:
        db.set_key(storekey, auto_convert(out, fill))
        db.notify(N.LIST, "sortstore", storekey)
        srv.dirty += outputlen
    elif db.delete(storekey):
        db.signal_modified(storekey)
        db.notify(N.GENERIC, "del", storekey)
        srv.dirty += 1
    w.integer(outputlen)


def _sort(c: Any, vector: list[bytes], sortby: bytes | None, alpha: bool, desc: bool, store: bool,
          start: int, end: int) -> tuple[bool, list[bytes]]:
    """Weigh every element and sort (sortCompare); returns (conversion error, order)."""
    error = False
    n = len(vector)
    keys: list[Any] = [None] * n
    if alpha:
        if sortby is None:
            kf = None if store else collate_key()
            keys = vector if kf is None else [kf(e) for e in vector]
        else:
            kf = None if store else collate_key()
            for i, e in enumerate(vector):
                bv = lookup_by_pattern(c, sortby, e)
                if bv is None:
                    keys[i] = (0, b"")
                else:
                    keys[i] = (1, bv if kf is None else kf(bv))
    else:
        for i, e in enumerate(vector):
            if sortby is None:
                bv: bytes | None = e
            else:
                bv = lookup_by_pattern(c, sortby, e)
            if bv is None:
                keys[i] = (0.0, e)
                continue
            if _int_encoded(bv):
                keys[i] = (float(int(bv)), e)
                continue
            f, ok = sort_score(bv)
            if not ok:
                error = True
            keys[i] = (f, e)
    partial = sortby is not None and (start != 0 or end != n - 1)
    order = list(range(n))
    if partial and len(set(keys)) != n:
        # equal weights: Redis's partial quicksort decides their order
        sign = -1 if desc else 1

        def cmp(a: int, b: int) -> int:
            ka, kb = keys[a], keys[b]
            return sign * ((ka > kb) - (ka < kb))

        pqsort(order, cmp, start, end)
    else:
        order.sort(key=keys.__getitem__, reverse=desc)
    return error, [vector[i] for i in order]


@command("sort")
def sort_command(c: Any, argv: list[bytes]) -> None:
    """SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]
    [STORE destination]"""
    sort_generic(c, argv, False)


@command("sort_ro")
def sort_ro_command(c: Any, argv: list[bytes]) -> None:
    """SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]"""
    sort_generic(c, argv, True)


@getkeys("sort")
def _sort_keys(argv: list[bytes]) -> list[Any]:
    """sortGetKeys: the key, and the last STORE destination; LIMIT, GET and BY skip
    their arguments, other words none (so a STORE argument is read as a word too)."""
    out: list[Any] = [1]
    store = -1
    n = len(argv)
    i = 2
    while i < n:
        a = cstr(argv[i]).lower()
        if a == b"limit":
            i += 2
        elif a in (b"get", b"by"):
            i += 1
        elif a == b"store" and i + 1 < n:
            store = i + 1
        i += 1
    if store >= 0:
        out.append((store, ["OW", "update"]))
    return out


@getkeys("sort_ro")
def _sort_ro_keys(argv: list[bytes]) -> list[int]:
    return [1]
