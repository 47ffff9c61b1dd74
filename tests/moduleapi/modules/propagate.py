"""Test module: replication from commands, timers, threads and detached contexts
(after Redis's tests/modules/propagate.c)."""

import threading

from moredis import module as rm


def simple(ctx, argv):
    ctx.replicate("INCR", "c", "counter-1")
    ctx.replicate("INCR", "c", "counter-2")
    return ctx.reply_with_simple_string("OK")


def single(ctx, argv):
    ctx.replicate("INCR", "c", "only")
    return ctx.reply_with_simple_string("OK")


def mixed(ctx, argv):
    ctx.call("INCR", "c!", "using-call")
    ctx.replicate("INCR", "c", "counter-1")
    ctx.replicate("INCR", "c", "counter-2")
    ctx.call("INCR", "c!", "after-call")
    return ctx.reply_with_simple_string("OK")


def nested(ctx, argv):
    """A module command calling another module command with '!', then without."""
    ctx.call("propagate-test.simple", "!")
    ctx.call("propagate-test.simple", "")
    ctx.call("INCR", "c!", "after-nested")
    return ctx.reply_with_simple_string("OK")


def no_bang(ctx, argv):
    """ctx.call without '!': the write happens but is not replicated."""
    ctx.call("INCR", "c", "silent")
    return ctx.reply_with_simple_string("OK")


def verbatim(ctx, argv):
    ctx.call("INCR", "c", "verbatim-effect")
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def targets(ctx, argv):
    ctx.replicate("INCR", "cA", "replicas-only")
    ctx.replicate("INCR", "cR", "aof-only")
    ctx.call("INCR", "c!A", "call-replicas-only")
    return ctx.reply_with_simple_string("OK")


def bad_format(ctx, argv):
    return ctx.reply_with_long_long(ctx.replicate("INCR", "x", "k"))


def select_and_replicate(ctx, argv):
    ctx.replicate("SET", "cc", "k", "db0")
    ctx.select_db(1)
    ctx.replicate("SET", "cc", "k", "db1")
    ctx.select_db(0)
    return ctx.reply_with_simple_string("OK")


_times = {"n": 0}


def timer_handler(ctx, data):
    ctx.replicate("INCR", "c", "timer")
    _times["n"] += 1
    if _times["n"] < 3:
        ctx.create_timer(10, timer_handler, None)
    else:
        _times["n"] = 0


def timer_cmd(ctx, argv):
    ctx.create_timer(10, timer_handler, None)
    return ctx.reply_with_simple_string("OK")


def timer_mixed_handler(ctx, data):
    ctx.call("INCR", "c!", "timer-call")
    ctx.replicate("INCR", "c", "timer-replicate")


def timer_mixed(ctx, argv):
    ctx.create_timer(10, timer_mixed_handler, None)
    return ctx.reply_with_simple_string("OK")


def thread_main(tctx):
    for _ in range(3):
        tctx.thread_safe_context_lock()
        tctx.replicate("INCR", "c", "a-from-thread")
        tctx.call("INCR", "c!", "thread-call")
        tctx.replicate("INCR", "c", "b-from-thread")
        tctx.thread_safe_context_unlock()
    tctx.free_thread_safe_context()


def thread_cmd(ctx, argv):
    tctx = ctx.get_detached_thread_safe_context() if argv[1:] == [b"detached"] else \
        ctx.get_thread_safe_context(None)
    t = threading.Thread(target=thread_main, args=(tctx,))
    t.start()
    return ctx.reply_with_simple_string("OK")


def notification(ctx, type_, event, key):
    if key != b"notifications":
        ctx.call("INCR", "c!", "notifications")
    return rm.OK


def on_load(ctx, args):
    if ctx.init("propagate-test", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn in [("propagate-test.simple", simple), ("propagate-test.single", single),
                     ("propagate-test.mixed", mixed), ("propagate-test.nested", nested),
                     ("propagate-test.nobang", no_bang), ("propagate-test.verbatim", verbatim),
                     ("propagate-test.targets", targets), ("propagate-test.badformat", bad_format),
                     ("propagate-test.select", select_and_replicate), ("propagate-test.timer", timer_cmd),
                     ("propagate-test.timer-mixed", timer_mixed), ("propagate-test.thread", thread_cmd)]:
        if ctx.create_command(name, fn, "write", 0, 0, 0) == rm.ERR:
            return rm.ERR
    if args and args[0] == b"notify":
        ctx.subscribe_to_keyspace_events(rm.NOTIFY_STRING, notification)
    return rm.OK
