"""Test module for the generic key calls (after Redis's tests/modules/misc.c) and for a
module misbehaving: raising, writing through keys opened for reading, wrong types."""

from __future__ import annotations

from moredis import module as rm

_MODES = {"r": rm.READ, "w": rm.WRITE, "T": rm.OPEN_KEY_NOTOUCH, "N": rm.OPEN_KEY_NONOTIFY,
          "S": rm.OPEN_KEY_NOSTATS, "X": rm.OPEN_KEY_NOEXPIRE, "E": rm.OPEN_KEY_NOEFFECTS}


def _mode(s: bytes) -> int:
    m = 0
    for ch in s.decode():
        m |= _MODES[ch]
    return m


def test_keyexists(ctx: rm.Ctx, argv: list[bytes]) -> int:
    return ctx.reply_with_long_long(1 if ctx.key_exists(argv[1]) else 0)


def test_dbsize(ctx: rm.Ctx, argv: list[bytes]) -> int:
    return ctx.reply_with_long_long(ctx.db_size())


def test_randomkey(ctx: rm.Ctx, argv: list[bytes]) -> int:
    k = ctx.random_key()
    return ctx.reply_with_null() if k is None else ctx.reply_with_string(k)


def test_flushall(ctx: rm.Ctx, argv: list[bytes]) -> int:
    ctx.reset_dataset(True, False)
    return ctx.reply_with_simple_string("Ok")


def test_getlru(ctx: rm.Ctx, argv: list[bytes]) -> int:
    key = ctx.open_key(argv[1], rm.READ | rm.OPEN_KEY_NOTOUCH)
    lru = key.get_lru() if key is not None else None
    return ctx.reply_with_long_long(-1 if lru is None else lru)


def test_setlru(ctx: rm.Ctx, argv: list[bytes]) -> int:
    key = ctx.open_key(argv[1], rm.READ | rm.OPEN_KEY_NOTOUCH)
    ok = key is not None and key.set_lru(int(argv[2])) == rm.OK
    return ctx.reply_with_long_long(1 if ok else 0)


def test_getlfu(ctx: rm.Ctx, argv: list[bytes]) -> int:
    key = ctx.open_key(argv[1], rm.READ | rm.OPEN_KEY_NOTOUCH)
    lfu = key.get_lfu() if key is not None else None
    return ctx.reply_with_long_long(-1 if lfu is None else lfu)


def test_setlfu(ctx: rm.Ctx, argv: list[bytes]) -> int:
    key = ctx.open_key(argv[1], rm.READ | rm.OPEN_KEY_NOTOUCH)
    ok = key is not None and key.set_lfu(int(argv[2])) == rm.OK
    return ctx.reply_with_long_long(1 if ok else 0)


def test_open(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TEST.OPEN key mode: the key type seen, or -1 when open_key gives None."""
    key = ctx.open_key(argv[1], _mode(argv[2]))
    return ctx.reply_with_long_long(-1 if key is None else key.type())


def test_raise(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TEST.RAISE [key]: writes the key, then fails with a Python exception."""
    if len(argv) > 1:
        ctx.open_key(argv[1], rm.WRITE).list_push(rm.LIST_TAIL, b"before-the-error")
    raise ValueError("boom")


def test_readwrite(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TEST.READWRITE key: every write through a key opened READ; the results."""
    key = ctx.open_key(argv[1], rm.READ)
    if key is None:
        return ctx.reply_with_error("ERR no key")
    got = [
        key.list_push(rm.LIST_TAIL, b"x"),
        0 if key.list_pop(rm.LIST_HEAD) is None else 1,
        key.hash_set(rm.HASH_NONE, b"f", b"v"),
        key.zset_add(1.0, b"m")[0],
        0 if key.stream_add(rm.STREAM_ADD_AUTOID, None, [b"f", b"v"]) is None else 1,
        key.string_set(b"new"),
        key.string_truncate(0),
        key.delete(),
        key.unlink(),
        key.set_expire(1000),
        key.set_abs_expire(1),
    ]
    ctx.reply_with_array(len(got))
    for x in got:
        ctx.reply_with_long_long(x)
    return rm.OK


def test_wrongtype(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """TEST.WRONGTYPE key: typed writes of every kind on the key (opened READ|WRITE)."""
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    got = [
        key.list_push(rm.LIST_TAIL, b"x"),
        key.hash_set(rm.HASH_NONE, b"f", b"v"),
        key.zset_add(1.0, b"m")[0],
        0 if key.stream_add(rm.STREAM_ADD_AUTOID, None, [b"f", b"v"]) is None else 1,
        key.zset_first_in_score_range(rm.NEGATIVE_INFINITE, rm.POSITIVE_INFINITE, 0, 0),
        key.stream_iterator_start(0, None, None),
    ]
    ctx.reply_with_array(len(got))
    for x in got:
        ctx.reply_with_long_long(x)
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("misc", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn, fk in (("test.keyexists", test_keyexists, 1), ("test.dbsize", test_dbsize, 0),
                         ("test.randomkey", test_randomkey, 0), ("test.flushall", test_flushall, 0),
                         ("test.getlru", test_getlru, 1), ("test.setlru", test_setlru, 1),
                         ("test.getlfu", test_getlfu, 1), ("test.setlfu", test_setlfu, 1),
                         ("test.open", test_open, 1), ("test.raise", test_raise, 0),
                         ("test.readwrite", test_readwrite, 1), ("test.wrongtype", test_wrongtype, 1)):
        if ctx.create_command(name, fn, "write" if fk else "", fk, fk, fk) == rm.ERR:
            return rm.ERR
    return rm.OK
