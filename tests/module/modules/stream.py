"""Test module for the stream key API (after Redis's tests/modules/stream.c)."""

from __future__ import annotations

from moredis import module as rm

MAX = (1 << 64) - 1


def _id(b: bytes) -> tuple[int, int] | None:
    return rm.string_to_stream_id(b)


def _fmt(i: tuple[int, int]) -> bytes:
    return rm.create_string_from_stream_id(*i)


def stream_add(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """STREAM.ADD key field value [field value ...]: XADD * through the key API."""
    if len(argv) < 2 or len(argv) % 2:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.WRITE)
    sid = key.stream_add(rm.STREAM_ADD_AUTOID, None, argv[2:])
    if sid is None:
        return ctx.reply_with_error("ERR StreamAdd failed")
    return ctx.reply_with_string(_fmt(sid))


def stream_addn(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """STREAM.ADDN key n field value [field value ...]: n entries, replies how many."""
    if len(argv) < 3 or len(argv) % 2 == 0:
        return ctx.wrong_arity()
    n = rm.string_to_long_long(argv[2])
    if n is None:
        return ctx.reply_with_error("N must be a number")
    key = ctx.open_key(argv[1], rm.WRITE)
    fields = argv[3:]
    i = 0
    while i < n and key.stream_add(rm.STREAM_ADD_AUTOID, None, fields) is not None:
        i += 1
    return ctx.reply_with_long_long(i)


def stream_range(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """STREAM.RANGE key start end: like XRANGE, or XREVRANGE when start > end."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    start = None if argv[2] == b"-" else _id(argv[2])
    end = None if argv[3] == b"+" else _id(argv[3])
    flags = 0
    if argv[2] == b"+" and argv[3] == b"-":
        start = end = None
        flags = rm.STREAM_ITERATOR_REVERSE
    elif start is not None and end is not None and start > end:
        start, end = end, start
        flags = rm.STREAM_ITERATOR_REVERSE
    key = ctx.open_key(argv[1], rm.READ)
    if key is None or key.stream_iterator_start(flags, start, end) != rm.OK:
        return ctx.reply_with_error("ERR StreamIteratorStart failed")
    ctx.reply_with_array(rm.POSTPONED_LEN)
    n = 0
    while (nxt := key.stream_iterator_next_id()) is not None:
        sid, numfields = nxt
        ctx.reply_with_array(2)
        ctx.reply_with_string(_fmt(sid))
        ctx.reply_with_array(numfields * 2)
        while (fv := key.stream_iterator_next_field()) is not None:
            ctx.reply_with_string(fv[0])
            ctx.reply_with_string(fv[1])
        n += 1
    ctx.reply_set_array_length(n)
    key.stream_iterator_stop()
    return rm.OK


def stream_delrange(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """STREAM.DELRANGE key start end: delete the entries of the range while iterating."""
    key = ctx.open_key(argv[1], rm.WRITE)
    start = None if argv[2] == b"-" else _id(argv[2])
    end = None if argv[3] == b"+" else _id(argv[3])
    if key.stream_iterator_start(0, start, end) != rm.OK:
        return ctx.reply_with_error("ERR StreamIteratorStart failed")
    n = 0
    while key.stream_iterator_next_id() is not None:
        if key.stream_iterator_delete() == rm.OK:
            n += 1
    key.stream_iterator_stop()
    return ctx.reply_with_long_long(n)


def stream_trim(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """STREAM.TRIM key MAXLEN|MINID =|~ value"""
    if len(argv) != 5:
        return ctx.wrong_arity()
    flags = rm.STREAM_TRIM_APPROX if argv[3] == b"~" else 0
    key = ctx.open_key(argv[1], rm.WRITE)
    if argv[2].lower() == b"minid":
        minid = (0, 0) if argv[4] == b"-" else (MAX, MAX) if argv[4] == b"+" else _id(argv[4])
        n = key.stream_trim_by_id(flags, minid)
    else:
        n = key.stream_trim_by_length(flags, int(argv[4]))
    if n < 0:
        return ctx.reply_with_error("ERR Trimming failed")
    return ctx.reply_with_long_long(n)


def stream_ops(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """STREAM.OPS key mode op ...: rc * 1000 + errno per op (see the test for the forms)."""
    mode = (rm.READ if b"r" in argv[2] else 0) | (rm.WRITE if b"w" in argv[2] else 0)
    key = ctx.open_key(argv[1], mode)
    if key is None:
        return ctx.reply_with_error("ERR no key")
    out: list = []
    i = 3

    def arg() -> bytes:
        nonlocal i
        i += 1
        return argv[i - 1]

    def opt_id(b: bytes) -> tuple[int, int] | None:
        return None if b == b"-" else _id(b)

    while i < len(argv):
        op = arg().decode()
        ctx.errno = 0
        if op == "add":
            sid = arg()
            flags = rm.STREAM_ADD_AUTOID if sid == b"auto" else 0
            got = key.stream_add(flags, None if flags else _id(sid), [arg(), arg()])
            out.extend([(got is None) * 1000 + ctx.errno, None if got is None else _fmt(got)])
        elif op == "del":
            rc = key.stream_delete(_id(arg()))
            out.append(rc * 1000 + ctx.errno)
        elif op == "start":
            flags = int(arg())
            s, e = opt_id(arg()), opt_id(arg())
            out.append(key.stream_iterator_start(flags, s, e) * 1000 + ctx.errno)
        elif op == "nextid":
            got = key.stream_iterator_next_id()
            out.extend([(got is None) * 1000 + ctx.errno, None if got is None else _fmt(got[0]),
                        -1 if got is None else got[1]])
        elif op == "nextf":
            got = key.stream_iterator_next_field()
            out.extend([(got is None) * 1000 + ctx.errno, *(got if got is not None else (None, None))])
        elif op == "idel":
            out.append(key.stream_iterator_delete() * 1000 + ctx.errno)
        elif op == "stop":
            out.append(key.stream_iterator_stop() * 1000 + ctx.errno)
        elif op == "trimlen":
            flags = int(arg())
            out.extend([key.stream_trim_by_length(flags, int(arg())), ctx.errno])
        elif op == "trimid":
            flags = int(arg())
            out.extend([key.stream_trim_by_id(flags, _id(arg())), ctx.errno])
        elif op == "len":
            out.append(key.value_length())
        else:
            return ctx.reply_with_error("ERR unknown op")
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
    if ctx.init("stream", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn in (("stream.add", stream_add), ("stream.addn", stream_addn), ("stream.range", stream_range),
                     ("stream.delrange", stream_delrange), ("stream.trim", stream_trim),
                     ("stream.ops", stream_ops)):
        if ctx.create_command(name, fn, "", 1, 1, 1) == rm.ERR:
            return rm.ERR
    return rm.OK
