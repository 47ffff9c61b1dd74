"""Test module "aclcheck" (after Redis's tests/modules/aclcheck.c): ACL checks on
commands, keys and channels for the current user and a module user, log entries,
call() with the C flag, and commands in module-added ACL categories."""

import errno

from moredis import module as rm

_KEY_FLAGS = {b"W": rm.CMD_KEY_UPDATE, b"R": rm.CMD_KEY_ACCESS, b"*": rm.CMD_KEY_UPDATE | rm.CMD_KEY_ACCESS,
              b"~": 0}


def _current_user(ctx):
    return ctx.get_module_user_from_user_name(ctx.get_current_user_name())


def set_check_key(ctx, argv):
    """aclcheck.set.check.key <W|R|*|~> key value"""
    if len(argv) < 4:
        return ctx.wrong_arity()
    perms = _KEY_FLAGS.get(argv[1].upper())
    if perms is None:
        return ctx.reply_with_error("INVALID FLAGS")
    user = _current_user(ctx)
    if ctx.acl_check_key_permissions(user, argv[2], perms) != rm.OK:
        ctx.free_module_user(user)
        return ctx.reply_with_error("DENIED KEY")
    rep = ctx.call("SET", "v", argv[2:])
    ctx.free_module_user(user)
    if rep is None:
        return ctx.reply_with_error("NULL reply returned")
    return ctx.reply_with_call_reply(rep)


def publish_check_channel(ctx, argv):
    """aclcheck.publish.check.channel channel message"""
    if len(argv) != 3:
        return ctx.wrong_arity()
    user = _current_user(ctx)
    if ctx.acl_check_channel_permissions(user, argv[1], rm.CMD_CHANNEL_SUBSCRIBE) != rm.OK:
        ctx.free_module_user(user)
        return ctx.reply_with_error("DENIED CHANNEL")
    rep = ctx.call("PUBLISH", "v", argv[1:])
    ctx.free_module_user(user)
    if rep is None:
        return ctx.reply_with_error("NULL reply returned")
    return ctx.reply_with_call_reply(rep)


def _call_checked(ctx, user, argv):
    if len(argv) < 2:
        return ctx.wrong_arity()
    if ctx.acl_check_command_permissions(user, argv[1:]) != rm.OK:
        ctx.reply_with_error("DENIED CMD")
        ctx.acl_add_log_entry(user, argv[1], rm.ACL_LOG_CMD)
        return rm.OK
    rep = ctx.call(argv[1], "v", argv[2:])
    if rep is None:
        return ctx.reply_with_error("NULL reply returned")
    return ctx.reply_with_call_reply(rep)


def check_cmd_default_user(ctx, argv):
    """aclcheck.rm_call.check.cmd cmd args...: checked as the current user first."""
    user = _current_user(ctx)
    try:
        return _call_checked(ctx, user, argv)
    finally:
        ctx.free_module_user(user)


def check_cmd_module_user(ctx, argv):
    """aclcheck.rm_call.check.cmd.module.user cmd args...: as a module user with every right."""
    user = ctx.create_module_user("testuser1")
    ctx.set_module_user_acl(user, "allcommands")
    ctx.set_module_user_acl(user, "allkeys")
    ctx.set_module_user_acl(user, "on")
    ctx.authenticate_client_with_user(user)
    try:
        return _call_checked(ctx, user, argv)
    finally:
        ctx.authenticate_client_with_acl_user("default")  # so freeing testuser1 leaves us connected
        ctx.free_module_user(user)


def rm_call_with_errors(ctx, argv):
    """aclcheck.rm_call_with_errors cmd args...: call with E and C."""
    if len(argv) < 2:
        return ctx.wrong_arity()
    rep = ctx.call(argv[1], "vEC", argv[2:])
    return ctx.reply_with_call_reply(rep)


def rm_call(ctx, argv):
    """aclcheck.rm_call cmd args...: call with C; errno as ERR NOPERM / ERR errno=<n>."""
    if len(argv) < 2:
        return ctx.wrong_arity()
    rep = ctx.call(argv[1], "vC", argv[2:])
    if rep is None:
        if ctx.errno == errno.EACCES:
            return ctx.reply_with_error("ERR NOPERM")
        return ctx.reply_with_error("ERR errno=%d" % ctx.errno)
    return ctx.reply_with_call_reply(rep)


def reply_ok(ctx, argv):
    return ctx.reply_with_simple_string("OK")


def check_key_flags(ctx, argv):
    """aclcheck.key.flags <flags-int> key: the raw API answer and errno name."""
    user = _current_user(ctx)
    ctx.errno = 0
    rc = ctx.acl_check_key_permissions(user, argv[2], int(argv[1]))
    ctx.free_module_user(user)
    return ctx.reply_with_simple_string("OK" if rc == rm.OK else "ERR " + errno.errorcode.get(ctx.errno, "0"))


def check_channel_flags(ctx, argv):
    """aclcheck.channel.flags <flags-int> channel"""
    user = _current_user(ctx)
    ctx.errno = 0
    rc = ctx.acl_check_channel_permissions(user, argv[2], int(argv[1]))
    ctx.free_module_user(user)
    return ctx.reply_with_simple_string("OK" if rc == rm.OK else "ERR " + errno.errorcode.get(ctx.errno, "0"))


def check_command_errno(ctx, argv):
    """aclcheck.cmd.errno cmd args...: OK or the errno name of the check."""
    user = _current_user(ctx)
    ctx.errno = 0
    rc = ctx.acl_check_command_permissions(user, argv[1:])
    ctx.free_module_user(user)
    return ctx.reply_with_simple_string("OK" if rc == rm.OK else "ERR " + errno.errorcode.get(ctx.errno, "0"))


def on_load(ctx, args):
    if ctx.init("aclcheck", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    cmds = [
        ("aclcheck.set.check.key", set_check_key, "write"),
        ("aclcheck.publish.check.channel", publish_check_channel, ""),
        ("aclcheck.rm_call.check.cmd", check_cmd_default_user, ""),
        ("aclcheck.rm_call.check.cmd.module.user", check_cmd_module_user, ""),
        ("aclcheck.rm_call", rm_call, "write"),
        ("aclcheck.rm_call_with_errors", rm_call_with_errors, "write"),
        ("aclcheck.key.flags", check_key_flags, ""),
        ("aclcheck.channel.flags", check_channel_flags, ""),
        ("aclcheck.cmd.errno", check_command_errno, ""),
        ("aclcheck.module.command.aclcategories.write", reply_ok, "write"),
        ("aclcheck.module.command.aclcategories.write.function.read.category", reply_ok, "write"),
        ("aclcheck.module.command.aclcategories.read.only.category", reply_ok, ""),
        ("aclcheck.module.command.test.add.new.aclcategories", reply_ok, ""),
    ]
    for name, fn, flags in cmds:
        if ctx.create_command(name, fn, flags, 0, 0, 0) == rm.ERR:
            return rm.ERR
    if ctx.add_acl_category("foocategory") == rm.ERR:
        return rm.ERR
    if ctx.add_acl_category("barcategory") == rm.ERR:
        return rm.ERR
    cats = {"aclcheck.module.command.aclcategories.write": "write",
            "aclcheck.module.command.aclcategories.write.function.read.category": "read",
            "aclcheck.module.command.aclcategories.read.only.category": "read",
            "aclcheck.module.command.test.add.new.aclcategories": "foocategory"}
    for name, cat in cats.items():
        if ctx.get_command(name).set_command_acl_categories(cat) == rm.ERR:
            return rm.ERR
    return rm.OK
