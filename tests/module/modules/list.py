"""Test module for the list key API (after Redis's tests/modules/list.c)."""

from __future__ import annotations

import errno

from moredis import module as rm


def _reply_by_errno(ctx: rm.Ctx) -> int:
    if ctx.errno == errno.EDOM:
        return ctx.reply_with_error("ERR index out of bounds")
    if ctx.errno == errno.ENOTSUP:
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    return ctx.reply_with_error(f"ERR errno {ctx.errno}")


def _index(ctx: rm.Ctx, arg: bytes) -> int | None:
    n = rm.string_to_long_long(arg)
    if n is None:
        ctx.reply_with_error("ERR index must be a number")
    return n


def list_getall(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """LIST.GETALL key [REVERSE]"""
    if not 2 <= len(argv) <= 3:
        return ctx.wrong_arity()
    reverse = len(argv) == 3 and argv[2].lower() == b"reverse"
    key = ctx.open_key(argv[1], rm.READ)
    if key is None or key.type() != rm.KEYTYPE_LIST:
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    n = key.value_length()
    ctx.reply_with_array(n)
    for i in (range(-1, -n - 1, -1) if reverse else range(n)):
        ctx.reply_with_string(key.list_get(i))
    assert key.list_get(n) is None and ctx.errno == errno.EDOM
    return rm.OK


def list_edit(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """LIST.EDIT key [REVERSE] cmdstr [value ..]: k keep, d delete, i insert, r replace.
    Replies i, d, r counts, the last index and the entry there."""
    if len(argv) < 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    if key.type() != rm.KEYTYPE_LIST:
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    pos = 2
    reverse = False
    if len(argv) >= 4 and argv[2].lower() == b"reverse":
        reverse = True
        pos = 3
    cmdstr = argv[pos].decode()
    pos += 1
    if len(argv) < pos + sum(c in "ir" for c in cmdstr):
        return ctx.reply_with_error("ERR too few args")
    if key.value_length() < sum(c in "drk" for c in cmdstr):
        return ctx.reply_with_error("ERR list too short")
    step = -1 if reverse else 1
    index = -1 if reverse else 0
    counts = {"i": 0, "d": 0, "r": 0}
    for c in cmdstr:
        if c == "i":
            assert key.list_insert(index, argv[pos]) == rm.OK
            pos += 1
            index += step
        elif c == "d":
            assert key.list_delete(index) == rm.OK
        elif c == "r":
            assert key.list_set(index, argv[pos]) == rm.OK
            pos += 1
            index += step
        elif c == "k":
            index += step
        if c in counts:
            counts[c] += 1
    entry = key.list_get(index) if key.type() == rm.KEYTYPE_LIST else None
    items = [(k, v) for k, v in counts.items() if v] + [("index", index)]
    ctx.reply_with_array(2 * len(items) + (2 if entry is not None else 0))
    for k, v in items:
        ctx.reply_with_simple_string(k)
        ctx.reply_with_long_long(v)
    if entry is not None:
        ctx.reply_with_simple_string("entry")
        ctx.reply_with_string(entry)
    return rm.OK


def list_get(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """LIST.GET key index"""
    if len(argv) != 3:
        return ctx.wrong_arity()
    index = _index(ctx, argv[2])
    if index is None:
        return rm.OK
    key = ctx.open_key(argv[1], rm.READ)
    value = key.list_get(index) if key is not None else None
    if value is not None:
        return ctx.reply_with_string(value)
    if key is None:
        ctx.errno = errno.ENOTSUP
    return _reply_by_errno(ctx)


def list_set(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """LIST.SET key index value"""
    if len(argv) != 4:
        return ctx.wrong_arity()
    index = _index(ctx, argv[2])
    if index is None:
        return rm.OK
    key = ctx.open_key(argv[1], rm.WRITE)
    if key.list_set(index, argv[3]) == rm.OK:
        return ctx.reply_with_simple_string("OK")
    return _reply_by_errno(ctx)


def list_insert(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """LIST.INSERT key index value"""
    if len(argv) != 4:
        return ctx.wrong_arity()
    index = _index(ctx, argv[2])
    if index is None:
        return rm.OK
    key = ctx.open_key(argv[1], rm.WRITE)
    if key.list_insert(index, argv[3]) == rm.OK:
        return ctx.reply_with_simple_string("OK")
    return _reply_by_errno(ctx)


def list_delete(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """LIST.DELETE key index"""
    if len(argv) != 3:
        return ctx.wrong_arity()
    index = _index(ctx, argv[2])
    if index is None:
        return rm.OK
    key = ctx.open_key(argv[1], rm.WRITE)
    if key.list_delete(index) == rm.OK:
        return ctx.reply_with_simple_string("OK")
    return _reply_by_errno(ctx)


def list_ops(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """LIST.OPS key mode op arg value [op arg value ...]: each op's [rc, errno, element]
    then the key type; mode letters r (READ) and w (WRITE)."""
    mode = (rm.READ if b"r" in argv[2] else 0) | (rm.WRITE if b"w" in argv[2] else 0)
    key = ctx.open_key(argv[1], mode)
    if key is None:
        return ctx.reply_with_error("ERR no key")
    out: list = []
    for j in range(3, len(argv) - 2, 3):
        op, arg, value = argv[j].decode(), int(argv[j + 1]), argv[j + 2]
        ctx.errno = 0
        ele = None
        if op == "push":
            rc = key.list_push(arg, value)
        elif op == "pop":
            ele = key.list_pop(arg)
            rc = rm.OK if ele is not None else rm.ERR
        elif op == "get":
            ele = key.list_get(arg)
            rc = rm.OK if ele is not None else rm.ERR
        elif op == "set":
            rc = key.list_set(arg, value)
        elif op == "ins":
            rc = key.list_insert(arg, value)
        elif op == "del":
            rc = key.list_delete(arg)
        elif op == "none":
            rc = key.list_push(arg, None)
        else:
            return ctx.reply_with_error("ERR unknown op")
        out.extend([rc, ctx.errno, ele])
    out.append(key.type())
    ctx.reply_with_array(len(out))
    for x in out:
        if x is None:
            ctx.reply_with_null()
        elif isinstance(x, bytes):
            ctx.reply_with_string(x)
        else:
            ctx.reply_with_long_long(x)
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("list", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn in (("list.getall", list_getall), ("list.edit", list_edit), ("list.get", list_get),
                     ("list.set", list_set), ("list.insert", list_insert), ("list.delete", list_delete),
                     ("list.ops", list_ops)):
        if ctx.create_command(name, fn, "write", 1, 1, 1) == rm.ERR:
            return rm.ERR
    return rm.OK
