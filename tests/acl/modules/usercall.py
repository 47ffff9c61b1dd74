"""Test module "usercall" (after Redis's tests/modules/usercall.c): call() as a module user
(set_context_user + the C flag), the user's rules as a string, scripts under that user,
and the same from a thread-safe context."""

import threading

from moredis import module as rm

state = {"user": None}


def call_without_user(ctx, argv):
    if len(argv) < 2:
        return ctx.wrong_arity()
    rep = ctx.call(argv[1], "Ev", argv[2:])
    if rep is None:
        return ctx.reply_with_error("NULL reply returned")
    return ctx.reply_with_call_reply(rep)


def call_with_user_flag(ctx, argv):
    if len(argv) < 3:
        return ctx.wrong_arity()
    ctx.set_context_user(state["user"])
    rep = ctx.call(argv[2], argv[1].decode() + "Ev", argv[3:])
    if rep is None:
        return ctx.reply_with_error("NULL reply returned")
    return ctx.reply_with_call_reply(rep)


def _bg(bc, argv):
    tctx = bc.get_thread_safe_context()
    tctx.thread_safe_context_lock()
    tctx.set_context_user(state["user"])
    rep = tctx.call(argv[2], argv[1].decode() + "Ev", argv[3:])
    if rep is None:
        tctx.reply_with_error("NULL reply returned")
    else:
        tctx.reply_with_call_reply(rep)
    tctx.thread_safe_context_unlock()
    tctx.free_thread_safe_context()
    bc.unblock(None)


def call_with_user_bg(ctx, argv):
    bc = ctx.block_client(None, None, None, 0)
    threading.Thread(target=_bg, args=(bc, list(argv)), daemon=True).start()
    return rm.OK


def add_to_acl(ctx, argv):
    if len(argv) != 2:
        return ctx.wrong_arity()
    err = ctx.set_module_user_acl_string(state["user"], argv[1])
    if err is not None:
        return ctx.reply_with_error(err)
    return ctx.reply_with_simple_string("OK")


def get_acl(ctx, argv):
    if len(argv) != 1:
        return ctx.wrong_arity()
    return ctx.reply_with_string(ctx.get_module_user_acl_string(state["user"]))


def reset_user(ctx, argv):
    if len(argv) != 1:
        return ctx.wrong_arity()
    if state["user"] is not None:
        ctx.free_module_user(state["user"])
    state["user"] = ctx.create_module_user("module_user")
    return ctx.reply_with_simple_string("OK")


def on_load(ctx, args):
    if ctx.init("usercall", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn in (("usercall.call_without_user", call_without_user),
                     ("usercall.call_with_user_flag", call_with_user_flag),
                     ("usercall.call_with_user_bg", call_with_user_bg),
                     ("usercall.add_to_acl", add_to_acl),
                     ("usercall.reset_user", reset_user),
                     ("usercall.get_acl", get_acl)):
        if ctx.create_command(name, fn, "write", 0, 0, 0) == rm.ERR:
            return rm.ERR
    return rm.OK
