"""Test module: blocking clients from threads and on keys, timers, thread-safe contexts,
the event loop, promises (after Redis's blockonbackground.c, blockonkeys.c,
blockedclient.c, timer.c, eventloop.c)."""

import os
import threading
import time

from moredis import module as rm

state = {"bc": None, "frees": 0, "disconnects": 0, "timer_fired": [], "promise": None, "ev": []}


# --- blocking from threads (blockonbackground.c) -----------------------------------------

def reply_privdata(ctx, argv):
    v = ctx.get_blocked_client_private_data()
    if isinstance(v, int):
        return ctx.reply_with_long_long(v)
    return ctx.reply_with_string(v)


def timeout_reply(ctx, argv):
    return ctx.reply_with_simple_string("Request timedout")


def free_privdata(ctx, privdata):
    state["frees"] += 1


def on_disconnect(ctx, bc):
    state["disconnects"] += 1


def block_debug(ctx, argv):
    """block.debug <sleep_ms> <timeout_ms>: a thread unblocks with a random number after sleep_ms."""
    delay = int(argv[1]) / 1000.0
    bc = ctx.block_client(reply_privdata, timeout_reply, free_privdata, int(argv[2]))
    bc.set_disconnect_callback(on_disconnect)

    def work():
        time.sleep(delay)
        bc.unblock(12345)

    threading.Thread(target=work, daemon=True).start()
    return rm.OK


def block_measure(ctx, argv):
    """block.measure <sleep_ms>: the background time counts in slowlog and commandstats."""
    delay = int(argv[1]) / 1000.0
    bc = ctx.block_client(reply_privdata, timeout_reply, None, 0)

    def work():
        bc.measure_time_start()
        time.sleep(delay)
        bc.measure_time_end()
        bc.unblock(1)

    threading.Thread(target=work, daemon=True).start()
    return rm.OK


def block_block(ctx, argv):
    """block.block <timeout_ms>: blocked until block.release; a timeout callback only with a timeout."""
    timeout = int(argv[1])
    state["bc"] = ctx.block_client(reply_privdata, timeout_reply if timeout else None, free_privdata, timeout)
    return rm.OK


def block_is_blocked(ctx, argv):
    return ctx.reply_with_long_long(1 if state["bc"] is not None else 0)


def block_release(ctx, argv):
    bc = state["bc"]
    if bc is None:
        return ctx.reply_with_error("ERR No blocked client")
    state["bc"] = None
    bc.unblock(argv[1])
    return ctx.reply_with_simple_string("OK")


def block_abort(ctx, argv):
    bc = state["bc"]
    state["bc"] = None
    return ctx.reply_with_long_long(bc.abort() if bc is not None else rm.ERR)


def block_stats(ctx, argv):
    ctx.reply_with_array(2)
    ctx.reply_with_long_long(state["frees"])
    return ctx.reply_with_long_long(state["disconnects"])


def block_in_multi(ctx, argv):
    """Blocking refused where the client may not block (MULTI): an error reply instead."""
    ctx.block_client(reply_privdata, timeout_reply, None, 100)
    return rm.OK


# --- blocking on keys (blockonkeys.c) ---------------------------------------------------

def popall_reply(ctx, argv):
    key = ctx.open_key(ctx.get_blocked_client_ready_key(), rm.READ | rm.WRITE)
    if key is None or key.type() != rm.KEYTYPE_LIST or key.value_length() == 0:
        return rm.ERR  # not ready after all: stay blocked
    items = []
    while key.value_length():
        items.append(key.list_pop(rm.LIST_HEAD))
    ctx.reply_with_array(len(items))
    for it in items:
        ctx.reply_with_string(it)
    return rm.OK


def popall_timeout(ctx, argv):
    return ctx.reply_with_null()


def blockonkeys_popall(ctx, argv):
    """blockonkeys.popall key timeout_ms: pop everything now, or wait for elements."""
    key = ctx.open_key(argv[1], rm.READ | rm.WRITE)
    if key is not None and key.type() == rm.KEYTYPE_LIST and key.value_length():
        items = []
        while key.value_length():
            items.append(key.list_pop(rm.LIST_HEAD))
        ctx.reply_with_array(len(items))
        for it in items:
            ctx.reply_with_string(it)
        return rm.OK
    ctx.block_client_on_keys(popall_reply, popall_timeout, None, int(argv[2]), [argv[1]])
    return rm.OK


def deleted_reply(ctx, argv):
    name = ctx.get_blocked_client_ready_key()
    if not ctx.key_exists(name):
        return ctx.reply_with_error("ERR Key deleted")
    return ctx.reply_with_simple_string("exists")


def blockonkeys_deleted(ctx, argv):
    """blockonkeys.deleted key: woken (with an error) when the key goes away."""
    ctx.block_client_on_keys_with_flags(deleted_reply, popall_timeout, None, 0, [argv[1]], None,
                                        rm.BLOCK_UNBLOCK_DELETED)
    return rm.OK


def signal_reply(ctx, argv):
    return ctx.reply_with_simple_string("signalled")


def blockonkeys_wait_signal(ctx, argv):
    """blockonkeys.wait_signal key: an empty key, woken only by SignalKeyAsReady."""
    ctx.block_client_on_keys(signal_reply, popall_timeout, None, 0, [argv[1]])
    return rm.OK


def blockonkeys_signal(ctx, argv):
    ctx.signal_key_as_ready(argv[1])
    return ctx.reply_with_simple_string("OK")


# --- timers (timer.c) --------------------------------------------------------------------

def timer_cb(ctx, data):
    state["timer_fired"].append(data)
    ctx.call("INCR", "c", "timer-fired")


def timer_create(ctx, argv):
    return ctx.reply_with_long_long(ctx.create_timer(int(argv[1]), timer_cb, argv[2]))


def timer_info(ctx, argv):
    rc, remaining, data = ctx.get_timer_info(int(argv[1]))
    if rc == rm.ERR:
        return ctx.reply_with_error("ERR invalid timer")
    ctx.reply_with_array(2)
    ctx.reply_with_long_long(remaining)
    return ctx.reply_with_string(data)


def timer_stop(ctx, argv):
    rc, data = ctx.stop_timer(int(argv[1]))
    if rc == rm.ERR:
        return ctx.reply_with_error("ERR invalid timer")
    return ctx.reply_with_string(data)


# --- thread-safe contexts (blockedclient.c) ---------------------------------------------

def thread_set(ctx, argv):
    """thread.set key value: a thread takes the server lock and writes; the command waits
    for it through a blocked client."""
    bc = ctx.block_client(reply_privdata, None, None, 0)
    key, value = argv[1], argv[2]

    def work():
        tctx = bc.get_thread_safe_context()
        tctx.thread_safe_context_lock()
        r = tctx.call("SET", "ss", key, value)
        tctx.thread_safe_context_unlock()
        tctx.free_thread_safe_context()
        bc.unblock(r.string_ptr())

    threading.Thread(target=work, daemon=True).start()
    return rm.OK


def thread_trylock(ctx, argv):
    """The loop holds the lock while it runs this command: a thread's try-lock fails."""
    res = []
    tctx = ctx.get_detached_thread_safe_context()

    def work():
        rc = tctx.thread_safe_context_try_lock()
        res.append(rc)
        if rc == rm.OK:
            tctx.thread_safe_context_unlock()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    return ctx.reply_with_long_long(res[0])


# --- promises (blockedclient.c do_rm_call_async) ------------------------------------------

def promise_done(ctx, reply, pd):
    state["promise"] = ("done", reply.to_python())


def call_async(ctx, argv):
    """call.async cmd args...: ctx.call with K; a promise when the command blocks."""
    r = ctx.call(argv[1], "Kv", argv[2:])
    if r.type() == rm.REPLY_PROMISE:
        r.promise_set_unblock_handler(promise_done, None)
        state["promise_reply"] = r
        return ctx.reply_with_simple_string("promise")
    return ctx.reply_with_call_reply(r)


def promise_state(ctx, argv):
    p = state["promise"]
    if p is None:
        return ctx.reply_with_null()
    ctx.reply_with_array(2)
    ctx.reply_with_cstring(p[0])
    v = p[1]
    if isinstance(v, list):
        ctx.reply_with_array(len(v))
        for x in v:
            ctx.reply_with_string(x)
        return rm.OK
    return ctx.reply_with_null() if v is None else ctx.reply_with_string(v)


def promise_abort(ctx, argv):
    r = state.pop("promise_reply", None)
    return ctx.reply_with_long_long(r.promise_abort() if r is not None else rm.ERR)


# --- event loop (eventloop.c) ---------------------------------------------------------------

def eventloop_pipe(ctx, argv):
    """eventloop.pipe payload: a thread writes payload to a pipe; the loop's read handler
    unblocks the client with it, then removes itself."""
    rfd, wfd = os.pipe()
    bc = ctx.block_client(reply_privdata, None, None, 0)

    def on_read(fd, data, mask):
        got = os.read(fd, 1024)
        state["ev"].append((mask, got))
        data["ctx"].event_loop_del(fd, rm.EVENTLOOP_READABLE)
        os.close(fd)
        bc.unblock(got)

    holder = {"ctx": ctx.get_detached_thread_safe_context()}
    if ctx.event_loop_add(rfd, rm.EVENTLOOP_READABLE, on_read, holder) == rm.ERR:
        return ctx.reply_with_error("ERR add failed")

    def work():
        time.sleep(0.02)
        os.write(wfd, argv[1])
        os.close(wfd)

    threading.Thread(target=work, daemon=True).start()
    return rm.OK


def eventloop_oneshot(ctx, argv):
    """eventloop.oneshot: a thread schedules a oneshot that unblocks the client."""
    bc = ctx.block_client(reply_privdata, None, None, 0)
    tctx = ctx.get_detached_thread_safe_context()

    def cb(data):
        bc.unblock(data)

    def work():
        tctx.event_loop_add_oneshot(cb, b"oneshot-ran")

    threading.Thread(target=work, daemon=True).start()
    return rm.OK


def eventloop_bad(ctx, argv):
    ctx.reply_with_array(3)
    ctx.reply_with_long_long(ctx.event_loop_add(-1, rm.EVENTLOOP_READABLE, lambda *a: None))
    ctx.reply_with_long_long(ctx.event_loop_add(0, 0, lambda *a: None))
    return ctx.reply_with_long_long(ctx.event_loop_del(-1, rm.EVENTLOOP_READABLE))


def on_load(ctx, args):
    if ctx.init("block", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn, flags in [
            ("block.debug", block_debug, ""), ("block.measure", block_measure, ""), ("block.block", block_block, ""),
            ("block.is_blocked", block_is_blocked, ""), ("block.release", block_release, ""),
            ("block.abort", block_abort, ""), ("block.stats", block_stats, ""),
            ("block.in_multi", block_in_multi, ""),
            ("blockonkeys.popall", blockonkeys_popall, "write"), ("blockonkeys.deleted", blockonkeys_deleted, ""),
            ("blockonkeys.wait_signal", blockonkeys_wait_signal, ""), ("blockonkeys.signal", blockonkeys_signal, ""),
            ("timer.create", timer_create, ""), ("timer.info", timer_info, ""), ("timer.stop", timer_stop, ""),
            ("thread.set", thread_set, "write"), ("thread.trylock", thread_trylock, ""),
            ("call.async", call_async, ""), ("promise.state", promise_state, ""),
            ("promise.abort", promise_abort, ""),
            ("eventloop.pipe", eventloop_pipe, ""), ("eventloop.oneshot", eventloop_oneshot, ""),
            ("eventloop.bad", eventloop_bad, "")]:
        if ctx.create_command(name, fn, flags, 0, 0, 0) == rm.ERR:
            return rm.ERR
    return rm.OK
