"""Bitmap commands (bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
BITFIELD_RO. Bitmaps are ordinary string values; writes turn them into a bytearray
(Redis's raw encoding) grown in place with zero bytes.
Neighbours: engine/bitops.py (the algorithms), string.py (the other string commands).
"""

from __future__ import annotations

from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.commands.string import unshare_string
from moredis.commands.util import cstr
from moredis.engine import bitops
from moredis.engine import notify as N
from moredis.engine.objects import check_string
from moredis.errors import RedisError
from moredis.numbers import parse_int, string2ll

BIT_ARG = "ERR The bit argument must be 1 or 0."
BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key."
BITFIELD_TYPE = ("ERR Invalid bitfield type. Use something like i16 u8. "
                 "Note that u64 is not supported but i64 is.")
BITFIELD_OVERFLOW = "ERR Invalid OVERFLOW type specified"
BITFIELD_RO_ONLY_GET = "ERR BITFIELD_RO only supports the GET subcommand"
_INT64 = 1 << 64


def bit_offset(c: Any, arg: bytes, bits: int = 0) -> int:
    """getBitOffsetFromArgument: a bit offset, or "#n" meaning n * bits for BITFIELD.
    The product wraps like the C long long it is computed in; the limit is
    proto-max-bulk-len bytes (not for the master or the AOF loader)."""
    usehash = bits > 0 and arg[:1] == b"#"
    n = string2ll(arg[1:] if usehash else arg)
    if n is None:
        raise RedisError(E.BIT_OFFSET)
    if usehash:
        n = (n * bits) & (_INT64 - 1)
        if n >= 1 << 63:
            n -= _INT64
    if n < 0 or ((n >> 3) >= c.srv.proto_max_bulk_len and not (c.is_master or c.srv.loading)):
        raise RedisError(E.BIT_OFFSET)
    return n


def string_for_bits(c: Any, key: bytes, maxbit: int) -> tuple[bytearray, bool]:
    """lookupStringForBitCommand: the value as a bytearray at least (maxbit >> 3) + 1
    long, created if missing; the flag says whether it was created or grown."""
    need = (maxbit >> 3) + 1
    db = c.db
    v = db.lookup_write(key)
    if v is None:
        ba = bytearray(need)
        db.add(key, ba)
        return ba, True
    check_string(v)
    ba = unshare_string(db, key, v)
    if len(ba) < need:
        ba.extend(bytes(need - len(ba)))
        return ba, True
    return ba, False


def _read_string(c: Any, key: bytes) -> Any:
    """The bytes to read bits from, None for a missing key, WRONGTYPE for others."""
    v = c.db.lookup_read(key)
    if v is None:
        return None
    check_string(v)
    return b"%d" % v if type(v) is int else v


@command("setbit")
def setbit_command(c: Any, argv: list[bytes]) -> None:
    """SETBIT key offset value: answers the old bit. Nothing is signalled, notified or
    replicated when the bit already had that value and the string did not grow."""
    key = argv[1]
    offset = bit_offset(c, argv[2])
    on = parse_int(argv[3], E.BIT_VALUE)
    if on & ~1:
        raise RedisError(E.BIT_VALUE)
    ba, grown = string_for_bits(c, key, offset)
    byte = offset >> 3
    shift = 7 - (offset & 7)
    cur = ba[byte]
    old = (cur >> shift) & 1
    if grown or old != on:
        ba[byte] = (cur & ~(1 << shift)) | (on << shift)
        db = c.db
        db.signal_modified(key)
        db.notify(N.STRING, "setbit", key)
        c.srv.dirty += 1
    c.w.integer(old)


@command("getbit")
def getbit_command(c: Any, argv: list[bytes]) -> None:
    """GETBIT key offset: bits past the end read as 0."""
    offset = bit_offset(c, argv[2])
    s = _read_string(c, argv[1])
    byte = offset >> 3
    if s is None or byte >= len(s):
        c.w.integer(0)
        return
    c.w.integer((s[byte] >> (7 - (offset & 7))) & 1)


def _bit_or_byte(arg: bytes) -> bool:
    u = cstr(arg).upper()
    if u == b"BIT":
        return True
    if u == b"BYTE":
        return False
    raise RedisError(E.SYNTAX)


@command("bitcount")
def bitcount_command(c: Any, argv: list[bytes]) -> None:
    """BITCOUNT key [start end [BYTE | BIT]]"""
    n = len(argv)
    if n == 4 or n == 5:
        start = parse_int(argv[2])
        end = parse_int(argv[3])
        isbit = _bit_or_byte(argv[4]) if n == 5 else False
        s = _read_string(c, argv[1])
        if s is None:
            c.w.integer(0)
            return
        c.w.integer(bitops.bitcount(s, start, end, isbit))
    elif n == 2:
        s = _read_string(c, argv[1])
        c.w.integer(0 if s is None else bitops.popcount(s))
    else:
        raise RedisError(E.SYNTAX)


@command("bitpos")
def bitpos_command(c: Any, argv: list[bytes]) -> None:
    """BITPOS key bit [start [end [BYTE | BIT]]]

    A missing key is an endless run of zeros (0 for a clear bit, -1 for a set one).
    Without an explicit end, looking for a clear bit in all-ones bytes answers the
    first bit past them; with one, -1."""
    bit = parse_int(argv[2])
    if bit != 0 and bit != 1:
        raise RedisError(BIT_ARG)
    n = len(argv)
    start = end = None
    isbit = False
    if 4 <= n <= 6:
        start = parse_int(argv[3])
        if n == 6:
            isbit = _bit_or_byte(argv[5])
        if n >= 5:
            end = parse_int(argv[4])
    elif n != 3:
        raise RedisError(E.SYNTAX)
    s = _read_string(c, argv[1])
    if s is None:
        c.w.integer(-1 if bit else 0)
        return
    c.w.integer(bitops.bitpos(s, bit, start, end, isbit))


_BITOPS = {b"AND": "and", b"OR": "or", b"XOR": "xor", b"NOT": "not"}


@command("bitop")
def bitop_command(c: Any, argv: list[bytes]) -> None:
    """BITOP AND | OR | XOR | NOT destkey key [key ...]: missing keys are empty
    strings; an empty result deletes destkey. Answers the result's length."""
    op = _BITOPS.get(cstr(argv[1]).upper())
    if op is None:
        raise RedisError(E.SYNTAX)
    if op == "not" and len(argv) != 4:
        raise RedisError(BITOP_NOT_ONE_KEY)
    srcs = []
    for key in argv[3:]:
        s = _read_string(c, key)
        srcs.append(b"" if s is None else s)
    res = bitops.bitop(op, srcs)
    db = c.db
    target = argv[2]
    if res:
        db.lookup_write(target)  # setKey's lookup (expiry, LRU)
        db.set_key(target, bytearray(res))
        db.notify(N.STRING, "set", target)
        c.srv.dirty += 1
    elif db.delete(target):
        db.signal_modified(target)
        db.notify(N.GENERIC, "del", target)
        c.srv.dirty += 1
    c.w.integer(len(res))


_OVERFLOW = {b"WRAP": "wrap", b"SAT": "sat", b"FAIL": "fail"}
_GET, _SET, _INCRBY = 0, 1, 2


def _bitfield_type(arg: bytes) -> tuple[bool, int]:
    """getBitfieldTypeFromArgument: i1..i64 or u1..u63 (lowercase letter only)."""
    sign = arg[:1]
    if sign != b"i" and sign != b"u":
        raise RedisError(BITFIELD_TYPE)
    bits = string2ll(cstr(arg[1:]))
    signed = sign == b"i"
    if bits is None or bits < 1 or bits > (64 if signed else 63):
        raise RedisError(BITFIELD_TYPE)
    return signed, bits


def bitfield_generic(c: Any, argv: list[bytes], readonly_cmd: bool) -> None:
    """bitfieldGeneric: parse every operation first (any error aborts them all), then
    run them in order on one value."""
    ops = []
    owtype = "wrap"
    writes = False
    highest = 0
    n = len(argv)
    j = 2
    while j < n:
        rem = n - j - 1
        sub = cstr(argv[j]).upper()
        if sub == b"GET" and rem >= 2:
            opcode = _GET
        elif sub == b"SET" and rem >= 3:
            opcode = _SET
        elif sub == b"INCRBY" and rem >= 3:
            opcode = _INCRBY
        elif sub == b"OVERFLOW" and rem >= 1:
            owtype = _OVERFLOW.get(cstr(argv[j + 1]).upper())
            if owtype is None:
                raise RedisError(BITFIELD_OVERFLOW)
            j += 2
            continue
        else:
            raise RedisError(E.SYNTAX)
        signed, bits = _bitfield_type(argv[j + 1])
        offset = bit_offset(c, argv[j + 2], bits)
        value = 0
        if opcode != _GET:
            writes = True
            if highest < offset + bits - 1:
                highest = offset + bits - 1
            value = parse_int(argv[j + 3])
        ops.append((opcode, signed, bits, offset, value, owtype))
        j += 3 if opcode == _GET else 4
    key = argv[1]
    grown = False
    if not writes:
        src = _read_string(c, key)
        buf = src if src is not None else b""
    else:
        if readonly_cmd:
            raise RedisError(BITFIELD_RO_ONLY_GET)
        buf, grown = string_for_bits(c, key, highest)
    w = c.w
    w.array(len(ops))
    changes = 0
    for opcode, signed, bits, offset, value, ow in ops:
        if opcode == _GET:
            if signed:
                w.integer(bitops.get_signed(buf, offset, bits))
            else:
                w.integer(bitops.get_unsigned(buf, offset, bits))
            continue
        if signed:
            old = bitops.get_signed(buf, offset, bits)
            check = bitops.signed_overflow
        else:
            old = bitops.get_unsigned(buf, offset, bits)
            check = bitops.unsigned_overflow
        if opcode == _INCRBY:
            ovf, new = check(old, value, bits, ow)
            ret = new
        else:
            ovf, new = check(value, 0, bits, ow)
            ret = old
        if ovf and ow == "fail":
            w.null()
            continue
        w.integer(ret)
        bitops.set_field(buf, offset, bits, new)
        if grown or old != new:
            changes += 1
    if changes:
        db = c.db
        db.signal_modified(key)
        db.notify(N.STRING, "setbit", key)
        c.srv.dirty += changes


@command("bitfield")
def bitfield_command(c: Any, argv: list[bytes]) -> None:
    """BITFIELD key [GET enc offset | [OVERFLOW WRAP | SAT | FAIL] SET enc offset value
    | INCRBY enc offset increment ...]: FAIL answers nil and writes nothing."""
    bitfield_generic(c, argv, False)


@command("bitfield_ro")
def bitfield_ro_command(c: Any, argv: list[bytes]) -> None:
    """BITFIELD_RO key [GET enc offset ...]"""
    bitfield_generic(c, argv, True)

