"""Test module for RM_Scan / RM_ScanKey (after Redis's tests/modules/scan.c)."""

from __future__ import annotations

from moredis import module as rm


def _strings_cb(ctx: rm.Ctx, keyname: bytes, key: rm.Key, pd: list) -> None:
    opened = key is None
    if opened:
        key = ctx.open_key(keyname, rm.READ)
    if key.type() == rm.KEYTYPE_STRING:
        pd.append((keyname, bytes(key.string_dma(rm.READ))))
    if opened:
        key.close()


def scan_strings(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """SCAN.SCAN_STRINGS: [name, value] of every string key."""
    found: list = []
    cur = rm.scan_cursor_create()
    while ctx.scan(cur, _strings_cb, found):
        pass
    cur.destroy()
    ctx.reply_with_array(len(found))
    for name, value in found:
        ctx.reply_with_array(2)
        ctx.reply_with_string(name)
        ctx.reply_with_string(value)
    return rm.OK


def _key_cb(key: rm.Key, field: bytes, value: bytes | None, pd: list) -> None:
    pd.append((field, value))


def scan_key(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """SCAN.SCAN_KEY key: [field, value or null] of the key's elements."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ)
    if key is None:
        return ctx.reply_with_error("not found")
    found: list = []
    cur = rm.scan_cursor_create()
    while key.scan_key(cur, _key_cb, found):
        pass
    cur.destroy()
    ctx.reply_with_array(len(found))
    for f, v in found:
        ctx.reply_with_array(2)
        ctx.reply_with_string(f)
        if v is None:
            ctx.reply_with_null()
        else:
            ctx.reply_with_string(v)
    return rm.OK


def scan_all(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """SCAN.ALL [DELETE|ADD]: [name, key type] of every key, then how many scan calls
    returned 1 and the last call's result and errno on the finished cursor. DELETE
    removes each key from its callback, ADD creates a new key from each callback."""
    action = argv[1].lower() if len(argv) > 1 else b""
    found: list = []

    def cb(ctx: rm.Ctx, name: bytes, key: rm.Key, pd: list) -> None:
        pd.append((name, key.type()))
        if action == b"delete":
            ctx.call("DEL", "s", name)
        elif action == b"add":
            ctx.call("SET", "bc", b"new:" + name, "1")

    cur = rm.scan_cursor_create()
    calls = 0
    while ctx.scan(cur, cb, found):
        calls += 1
    again = ctx.scan(cur, cb, found)
    ctx.reply_with_array(2 * len(found) + 3)
    for name, t in found:
        ctx.reply_with_string(name)
        ctx.reply_with_long_long(t)
    ctx.reply_with_long_long(calls)
    ctx.reply_with_long_long(again)
    ctx.reply_with_long_long(ctx.errno)
    cur.restart()
    return rm.OK


def scan_key_errors(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """SCAN.KEY_ERRORS key: [result, errno] of a first ScanKey, then of one more on the
    finished cursor."""
    key = ctx.open_key(argv[1], rm.READ)
    cur = rm.scan_cursor_create()
    out = []
    while True:
        rc = key.scan_key(cur, lambda *a: None)
        if not rc:
            break
    out += [rc, ctx.errno]
    rc = key.scan_key(cur, lambda *a: None)
    out += [rc, ctx.errno]
    ctx.reply_with_array(len(out))
    for x in out:
        ctx.reply_with_long_long(x)
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("scan", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn, fk in (("scan.scan_strings", scan_strings, 0), ("scan.scan_key", scan_key, 0),
                         ("scan.all", scan_all, 0), ("scan.key_errors", scan_key_errors, 1)):
        if ctx.create_command(name, fn, "", fk, fk, fk) == rm.ERR:
            return rm.ERR
    return rm.OK
