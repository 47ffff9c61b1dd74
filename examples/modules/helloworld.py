"""helloworld: the classic first module, in Python (after Redis's modules/helloworld.c).

Commands: hello.simple, hello.push.native, hello.push.call, hello.push.call2,
hello.list.sum.len, hello.list.splice, hello.list.splice.auto, hello.rand.array,
hello.repl1, hello.repl2, hello.toggle.case, hello.more.expire, hello.zsumrange,
hello.lexrange, hello.hcopy, hello.leftpad.
"""

from __future__ import annotations

import random

from moredis import module as rm


def hello_simple(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.SIMPLE: the selected database id."""
    return ctx.reply_with_long_long(ctx.get_selected_db())


def hello_push_native(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.PUSH.NATIVE key value: RPUSH through the key API, reply the new length."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    key.list_push(rm.LIST_TAIL, argv[2])
    n = key.value_length()
    return ctx.reply_with_long_long(n)


def hello_push_call(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.PUSH.CALL key value: RPUSH through ctx.call, reply its integer."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    reply = ctx.call("RPUSH", "ss", argv[1], argv[2])
    return ctx.reply_with_long_long(reply.integer())


def hello_push_call2(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.PUSH.CALL2 key value: forward RPUSH's reply as is."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    return ctx.reply_with_call_reply(ctx.call("RPUSH", "ss", argv[1], argv[2]))


def hello_list_sum_len(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.LIST.SUM.LEN key: the total length of the list's elements."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    reply = ctx.call("LRANGE", "sll", argv[1], 0, -1)
    total = sum(reply.array_element(i).length() for i in range(reply.length()))
    return ctx.reply_with_long_long(total)


def hello_list_splice(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.LIST.SPLICE srclist dstlist count: move `count` elements from the tail of
    srclist to the head of dstlist (fewer if srclist runs out); reply srclist's length."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    src = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    dst = ctx.open_key(argv[2], rm.READ | rm.WRITE)
    if src.type() not in (rm.KEYTYPE_LIST, rm.KEYTYPE_EMPTY) or dst.type() not in (rm.KEYTYPE_LIST,
                                                                                    rm.KEYTYPE_EMPTY):
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    count = rm.string_to_long_long(argv[3])
    if count is None or count < 0:
        return ctx.reply_with_error("ERR invalid count")
    while count > 0:
        ele = src.list_pop(rm.LIST_TAIL)
        if ele is None:
            break
        dst.list_push(rm.LIST_HEAD, ele)
        count -= 1
    return ctx.reply_with_long_long(src.value_length())


# In C this twin shows automatic memory management; keys and strings need none in Python.
hello_list_splice_auto = hello_list_splice


def hello_rand_array(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.RAND.ARRAY count: an array of random numbers, with a postponed length."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    count = rm.string_to_long_long(argv[1])
    if count is None or count < 0:
        return ctx.reply_with_error("ERR invalid count")
    ctx.reply_with_array(rm.POSTPONED_LEN)
    for _ in range(count):
        ctx.reply_with_long_long(random.randrange(1 << 31))
    ctx.reply_set_array_length(count)
    return rm.OK


def hello_repl1(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.REPL1: replicate ECHO foo, and INCR foo / INCR bar through calls with the
    '!' modifier; the three go to replicas and AOF wrapped in MULTI/EXEC. Replies 0."""
    ctx.replicate("ECHO", "c", "foo")
    ctx.call("INCR", "c!", "foo")
    ctx.call("INCR", "c!", "bar")
    return ctx.reply_with_long_long(0)


def hello_repl2(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.REPL2 key: add 1 to every list element (numbers), replicate the command."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    if key.type() != rm.KEYTYPE_LIST:
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    n = key.value_length()
    total = 0
    for _ in range(n):
        ele = key.list_pop(rm.LIST_TAIL)
        v = (rm.string_to_long_long(ele) or 0) + 1
        total += v
        key.list_push(rm.LIST_HEAD, b"%d" % v)
    ctx.replicate_verbatim()
    return ctx.reply_with_long_long(total)


def hello_toggle_case(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.TOGGLE.CASE key: swap the case of a string in place (direct memory access)."""
    if len(argv) != 2:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    t = key.type()
    if t not in (rm.KEYTYPE_STRING, rm.KEYTYPE_EMPTY):
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    if t == rm.KEYTYPE_STRING:
        buf = key.string_dma(rm.WRITE)
        buf[:] = bytes(buf).swapcase()
    key.close()
    ctx.reply_with_simple_string("OK")
    return ctx.replicate_verbatim()


def hello_more_expire(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.MORE.EXPIRE key milliseconds: add to the key's TTL if it has one."""
    if len(argv) != 3:
        return ctx.wrong_arity()
    addms = rm.string_to_long_long(argv[2])
    if addms is None:
        return ctx.reply_with_error("ERR invalid expire time")
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    expire = key.get_expire()
    if expire != rm.NO_EXPIRE:
        key.set_expire(expire + addms)
    return ctx.reply_with_simple_string("OK")


def hello_zsumrange(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.ZSUMRANGE key startscore endscore: the sum of the scores in the range, walked
    forward then backward with the range iterator; both sums, which should match."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    start = rm.string_to_double(argv[2])
    end = rm.string_to_double(argv[3])
    if start is None or end is None:
        return ctx.reply_with_error("ERR invalid range")
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    if key.type() != rm.KEYTYPE_ZSET:
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    sum_a = sum_b = 0.0
    key.zset_first_in_score_range(start, end, 0, 0)
    while not key.zset_range_end_reached():
        sum_a += key.zset_range_current_element()[1]
        key.zset_range_next()
    key.zset_range_stop()
    key.zset_last_in_score_range(start, end, 0, 0)
    while not key.zset_range_end_reached():
        sum_b += key.zset_range_current_element()[1]
        key.zset_range_prev()
    key.zset_range_stop()
    key.close()
    ctx.reply_with_array(2)
    ctx.reply_with_double(sum_a)
    return ctx.reply_with_double(sum_b)


def hello_lexrange(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.LEXRANGE key min_lex max_lex min_age max_age: the elements of a sorted set
    (all scored 0, named "<name>:<age>") within the lex range; as in the C original the
    ages are not checked."""
    if len(argv) != 6:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    if key.type() != rm.KEYTYPE_ZSET:
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    if key.zset_first_in_lex_range(argv[2], argv[3]) != rm.OK:
        return ctx.reply_with_error("invalid range")
    n = 0
    ctx.reply_with_array(rm.POSTPONED_LEN)
    while not key.zset_range_end_reached():
        ctx.reply_with_string(key.zset_range_current_element()[0])
        key.zset_range_next()
        n += 1
    key.zset_range_stop()
    ctx.reply_set_array_length(n)
    key.close()
    return rm.OK


def hello_hcopy(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.HCOPY key srcfield dstfield: copy a hash field's value to another field."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    t = key.type()
    if t not in (rm.KEYTYPE_HASH, rm.KEYTYPE_EMPTY):
        return ctx.reply_with_error(rm.ERRORMSG_WRONGTYPE)
    (old,) = key.hash_get(rm.HASH_NONE, argv[2])
    if old is not None:
        key.hash_set(rm.HASH_NONE, argv[3], old)
    return ctx.reply_with_long_long(1 if old is not None else 0)


def hello_leftpad(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLO.LEFTPAD str len ch: the famous left-pad."""
    if len(argv) != 4:
        return ctx.wrong_arity()
    padlen = rm.string_to_long_long(argv[2])
    if padlen is None:
        return ctx.reply_with_error("ERR invalid padding length")
    s = argv[1]
    if padlen >= 0 and len(s) >= padlen:  # C compares against padlen as an unsigned size
        return ctx.reply_with_string(s)
    ch = argv[3]
    if len(ch) != 1:
        return ctx.reply_with_error("ERR padding must be a single char")
    return ctx.reply_with_string(ch * (padlen - len(s)) + s)


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("helloworld", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for i, a in enumerate(args):
        ctx.log("warning", "Module loaded with ARGV[%d] = %s", i, a.decode("utf-8", "replace"))
    table = [
        ("hello.simple", hello_simple, "readonly", 0, 0, 0),
        ("hello.push.native", hello_push_native, "write deny-oom", 1, 1, 1),
        ("hello.push.call", hello_push_call, "write deny-oom", 1, 1, 1),
        ("hello.push.call2", hello_push_call2, "write deny-oom", 1, 1, 1),
        ("hello.list.sum.len", hello_list_sum_len, "readonly", 1, 1, 1),
        ("hello.list.splice", hello_list_splice, "write deny-oom", 1, 2, 1),
        ("hello.list.splice.auto", hello_list_splice_auto, "write deny-oom", 1, 2, 1),
        ("hello.rand.array", hello_rand_array, "readonly", 0, 0, 0),
        ("hello.repl1", hello_repl1, "write", 0, 0, 0),
        ("hello.repl2", hello_repl2, "write", 1, 1, 1),
        ("hello.toggle.case", hello_toggle_case, "write", 1, 1, 1),
        ("hello.more.expire", hello_more_expire, "write", 1, 1, 1),
        ("hello.zsumrange", hello_zsumrange, "readonly", 1, 1, 1),
        ("hello.lexrange", hello_lexrange, "readonly", 1, 1, 1),
        ("hello.hcopy", hello_hcopy, "write deny-oom", 1, 1, 1),
        ("hello.leftpad", hello_leftpad, "", 1, 1, 1),
    ]
    for name, fn, flags, fk, lk, st in table:
        if ctx.create_command(name, fn, flags, fk, lk, st) == rm.ERR:
            return rm.ERR
    return rm.OK
