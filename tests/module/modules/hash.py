"""Test module for the hash key API (after Redis's tests/modules/hash.c)."""

from __future__ import annotations

import errno

from moredis import module as rm

_FLAGS = {ord("n"): rm.HASH_NX, ord("x"): rm.HASH_XX, ord("a"): rm.HASH_COUNT_ALL, ord("c"): rm.HASH_CFIELDS,
          ord("z"): 1 << 7}
_MODES = {ord("r"): rm.READ, ord("w"): rm.WRITE, ord("E"): rm.OPEN_KEY_ACCESS_EXPIRED}


def _bits(table: dict, s: bytes) -> int:
    f = 0
    for ch in s:
        f |= table.get(ch, 0)
    return f


def _value(v: bytes):
    return rm.HASH_DELETE if v == b":delete:" else v


def hash_set(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HASH.SET key flags field value [field value ...]: flags n (NX), x (XX), a (COUNT_ALL);
    ':delete:' as a value deletes the field. Replies what RM_HashSet returns."""
    if len(argv) < 5 or len(argv) % 2 == 0:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.WRITE)
    ctx.errno = 0
    n = key.hash_set(_bits(_FLAGS, argv[2]), *[_value(v) if i % 2 else v for i, v in enumerate(argv[3:])])
    if n == 0 and ctx.errno == errno.ENOTSUP:
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    return ctx.reply_with_long_long(n)


def hash_setx(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HASH.SETX key mode flags field value ...: [count, errno], the key opened with `mode`
    (r, w, E for OPEN_KEY_ACCESS_EXPIRED); flags also c (CFIELDS, str fields) and z (unknown)."""
    key = ctx.open_key(argv[1], _bits(_MODES, argv[2]))
    if key is None:
        return ctx.reply_with_error("ERR no key")
    flags = _bits(_FLAGS, argv[3])
    args = [_value(v) if i % 2 else (v.decode() if flags & rm.HASH_CFIELDS else v) for i, v in enumerate(argv[4:])]
    ctx.errno = 0
    n = key.hash_set(flags, *args)
    ctx.reply_with_array(2)
    ctx.reply_with_long_long(n)
    return ctx.reply_with_long_long(ctx.errno)


def hash_get(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HASH.GET key mode flags field ...: flags e for HASH_EXISTS. Replies the values (or
    1/0), or an error when RM_HashGet returns ERR."""
    key = ctx.open_key(argv[1], _bits(_MODES, argv[2]))
    if key is None:
        return ctx.reply_with_error("ERR no key")
    flags = rm.HASH_EXISTS if b"e" in argv[3] else rm.HASH_NONE
    got = key.hash_get(flags, *argv[4:])
    if got is None:
        return ctx.reply_with_error("ERR HashGet failed")
    ctx.reply_with_array(len(got))
    for v in got:
        if v is None:
            ctx.reply_with_null()
        elif isinstance(v, int):
            ctx.reply_with_long_long(v)
        else:
            ctx.reply_with_string(v)
    return rm.OK


def hash_scan(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HASH.SCAN key mode: field, value pairs through RM_ScanKey."""
    key = ctx.open_key(argv[1], _bits(_MODES, argv[2]))
    if key is None:
        return ctx.reply_with_error("ERR no key")
    out: list = []
    cur = rm.scan_cursor_create()
    while key.scan_key(cur, lambda k, f, v, pd: pd.extend((f, v)), out):
        pass
    cur.destroy()
    ctx.reply_with_array(len(out))
    for x in out:
        ctx.reply_with_string(x)
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("hash", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn in (("hash.set", hash_set), ("hash.setx", hash_setx), ("hash.get", hash_get),
                     ("hash.scan", hash_scan)):
        if ctx.create_command(name, fn, "write", 1, 1, 1) == rm.ERR:
            return rm.ERR
    return rm.OK
