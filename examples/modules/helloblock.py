"""helloblock: blocking commands served by threads (after Redis's modules/helloblock.c).

HELLO.BLOCK <delay> <timeout>: block the client; a thread sleeps <delay> seconds and
    then unblocks it with a random number. <timeout> is in milliseconds (0: none);
    on timeout the reply is "Request timedout".
HELLO.KEYS: reply with every key of the selected database, scanned by a thread that
    runs SCAN through a thread-safe context while holding the server lock.
"""

from __future__ import annotations

import random
import threading
import time

from moredis import module as rm


def _reply(ctx: rm.Ctx, argv: list[bytes]) -> int:
    return ctx.reply_with_long_long(ctx.get_blocked_client_private_data())


def _timeout(ctx: rm.Ctx, argv: list[bytes]) -> int:
    return ctx.reply_with_simple_string("Request timedout")


def _free(ctx: rm.Ctx, privdata: object) -> None:
    """Nothing to release in Python; kept to show the callback."""


def _disconnected(ctx: rm.Ctx, bc: rm.BlockedClient) -> None:
    ctx.log("warning", "Blocked client %r disconnected!", bc)


def hello_block(ctx: rm.Ctx, argv: list[bytes]) -> int:
    if len(argv) != 3:
        return ctx.wrong_arity()
    delay = rm.string_to_long_long(argv[1])
    if delay is None:
        return ctx.reply_with_error("ERR invalid count")
    timeout = rm.string_to_long_long(argv[2])
    if timeout is None:
        return ctx.reply_with_error("ERR invalid count")
    bc = ctx.block_client(_reply, _timeout, _free, timeout)
    bc.set_disconnect_callback(_disconnected)

    def thread_main() -> None:
        time.sleep(delay)
        bc.unblock(random.randrange(1 << 31))

    try:
        threading.Thread(target=thread_main, daemon=True).start()
    except RuntimeError:
        bc.abort()
        return ctx.reply_with_error("-ERR Can't start thread")
    return rm.OK


def hello_keys(ctx: rm.Ctx, argv: list[bytes]) -> int:
    if len(argv) != 1:
        return ctx.wrong_arity()
    bc = ctx.block_client(None, None, None, 0)

    def thread_main() -> None:
        tctx = bc.get_thread_safe_context()
        cursor = 0
        replylen = 0
        tctx.reply_with_array(rm.POSTPONED_LEN)
        while True:
            tctx.thread_safe_context_lock()
            reply = tctx.call("SCAN", "l", cursor)
            tctx.thread_safe_context_unlock()
            cursor = int(reply.array_element(0).create_string())
            keys = reply.array_element(1)
            for j in range(keys.length()):
                tctx.reply_with_call_reply(keys.array_element(j))
                replylen += 1
            if cursor == 0:
                break
        tctx.reply_set_array_length(replylen)
        tctx.free_thread_safe_context()
        bc.unblock(None)

    threading.Thread(target=thread_main, daemon=True).start()
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("helloblock", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    if ctx.create_command("hello.block", hello_block, "", 0, 0, 0) == rm.ERR:
        return rm.ERR
    if ctx.create_command("hello.keys", hello_keys, "", 0, 0, 0) == rm.ERR:
        return rm.ERR
    return rm.OK
