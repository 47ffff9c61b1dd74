"""Test module for the sorted set key API (after Redis's tests/modules/zset.c)."""

from __future__ import annotations

from moredis import module as rm

_FLAGS = {ord("x"): rm.ZADD_XX, ord("n"): rm.ZADD_NX, ord("g"): rm.ZADD_GT, ord("l"): rm.ZADD_LT}


def _flags(s: bytes) -> int:
    f = 0
    for ch in s:
        f |= _FLAGS.get(ch, 0)
    return f


def _mode(s: bytes) -> int:
    return (rm.READ if b"r" in s else 0) | (rm.WRITE if b"w" in s else 0)


def _score(ctx: rm.Ctx, b: bytes) -> float | None:
    try:
        return float(b)
    except ValueError:
        ctx.reply_with_error("value is not a valid float")
        return None


def zset_rem(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """ZSET.REM key element"""
    if len(argv) != 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    rc, deleted = key.zset_rem(argv[2])
    if rc == rm.OK:
        return ctx.reply_with_long_long(deleted)
    return ctx.reply_with_error("ERR ZsetRem failed")


def zset_add(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """ZSET.ADD key score member"""
    if len(argv) != 4:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    score = _score(ctx, argv[2])
    if score is None:
        return rm.OK
    if key.zset_add(score, argv[3])[0] == rm.OK:
        return ctx.reply_with_simple_string("OK")
    return ctx.reply_with_error("ERR ZsetAdd failed")


def zset_incrby(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """ZSET.INCRBY key member increment"""
    if len(argv) != 4:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    score = _score(ctx, argv[3])
    if score is None:
        return rm.OK
    rc, _, newscore = key.zset_incrby(score, argv[2])
    if rc == rm.OK:
        return ctx.reply_with_double(newscore)
    return ctx.reply_with_error("ERR ZsetIncrby failed")


def zset_addx(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """ZSET.ADDX key mode flags score member: [rc, out flags, key type]."""
    key = ctx.open_key(argv[1], _mode(argv[2]))
    rc, out = key.zset_add(float(argv[4]), argv[5], _flags(argv[3]))
    ctx.reply_with_array(3)
    for x in (rc, out, key.type()):
        ctx.reply_with_long_long(x)
    return rm.OK


def zset_incrx(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """ZSET.INCRX key mode flags incr member: [rc, out flags, new score or null, key type]."""
    key = ctx.open_key(argv[1], _mode(argv[2]))
    rc, out, new = key.zset_incrby(float(argv[4]), argv[5], _flags(argv[3]))
    ctx.reply_with_array(4)
    ctx.reply_with_long_long(rc)
    ctx.reply_with_long_long(out)
    if new is None:
        ctx.reply_with_null()
    else:
        ctx.reply_with_double(new)
    return ctx.reply_with_long_long(key.type())


def zset_remx(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """ZSET.REMX key mode member: [rc, deleted, score (null when ERR), key type]."""
    key = ctx.open_key(argv[1], _mode(argv[2]))
    rc, deleted = key.zset_rem(argv[3])
    score = key.zset_score(argv[3])
    ctx.reply_with_array(4)
    ctx.reply_with_long_long(rc)
    ctx.reply_with_long_long(deleted)
    if score is None:
        ctx.reply_with_null()
    else:
        ctx.reply_with_double(score)
    return ctx.reply_with_long_long(key.type())


def zset_range(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """ZSET.RANGE key score first|last min max minex maxex
    ZSET.RANGE key lex first|last min max: member, score pairs in iteration order."""
    if len(argv) not in (6, 8):
        return ctx.wrong_arity()
    reverse = argv[3].lower() == b"last"
    key = ctx.open_key(argv[1], rm.READ)
    if argv[2].lower() == b"score" and len(argv) == 8:
        fn = key.zset_last_in_score_range if reverse else key.zset_first_in_score_range
        status = fn(float(argv[4]), float(argv[5]), int(argv[6]), int(argv[7]))
    elif argv[2].lower() == b"lex" and len(argv) == 6:
        fn = key.zset_last_in_lex_range if reverse else key.zset_first_in_lex_range
        status = fn(argv[4], argv[5])
    else:
        return ctx.reply_with_error("ERR invalid range mode")
    if status == rm.ERR:
        return ctx.reply_with_error("ERR range setup failed")
    ctx.reply_with_array(rm.POSTPONED_LEN)
    n = 0
    while not key.zset_range_end_reached():
        cur = key.zset_range_current_element()
        if cur is None:
            break
        ctx.reply_with_string(cur[0])
        ctx.reply_with_double(cur[1])
        n += 2
        if reverse:
            key.zset_range_prev()
        else:
            key.zset_range_next()
    key.zset_range_stop()
    ctx.reply_set_array_length(n)
    return rm.OK


def zset_iter(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """ZSET.ITER key score|lex first|last min max [minex maxex] ops: [status, end flag]
    then per op: c -> member, score (nulls when none); n / p -> next / prev result;
    e -> end flag; s -> stop; A -> add 'ins' at 2.5; D -> remove 'b'; C -> ZREM b via call."""
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    last = argv[3] == b"last"
    if argv[2] == b"score":
        fn = key.zset_last_in_score_range if last else key.zset_first_in_score_range
        status = fn(float(argv[4]), float(argv[5]), int(argv[6]), int(argv[7]))
        ops = argv[8] if len(argv) > 8 else b""
    else:
        fn = key.zset_last_in_lex_range if last else key.zset_first_in_lex_range
        status = fn(argv[4], argv[5])
        ops = argv[6] if len(argv) > 6 else b""
    out: list = [status, key.zset_range_end_reached()]
    for op in ops.decode():
        if op == "c":
            cur = key.zset_range_current_element()
            out.extend(cur if cur is not None else (None, None))
        elif op == "n":
            out.append(key.zset_range_next())
        elif op == "p":
            out.append(key.zset_range_prev())
        elif op == "e":
            out.append(key.zset_range_end_reached())
        elif op == "s":
            key.zset_range_stop()
        elif op == "A":
            key.zset_add(2.5, b"ins")
        elif op == "D":
            key.zset_rem(b"b")
        elif op == "C":
            ctx.call("ZREM", "sc", argv[1], "b")
    ctx.reply_with_array(len(out))
    for x in out:
        if x is None:
            ctx.reply_with_null()
        elif isinstance(x, bytes):
            ctx.reply_with_string(x)
        elif isinstance(x, float):
            ctx.reply_with_double(x)
        else:
            ctx.reply_with_long_long(x)
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("zset", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn, flags in (("zset.rem", zset_rem, "write"), ("zset.add", zset_add, "write"),
                            ("zset.incrby", zset_incrby, "write"), ("zset.addx", zset_addx, "write"),
                            ("zset.incrx", zset_incrx, "write"), ("zset.remx", zset_remx, "write"),
                            ("zset.range", zset_range, "readonly"), ("zset.iter", zset_iter, "write")):
        if ctx.create_command(name, fn, flags, 1, 1, 1) == rm.ERR:
            return rm.ERR
    return rm.OK
