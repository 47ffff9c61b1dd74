"""ACL and its subcommands (acl.c aclCommand): users, their rules, the log, the file.

The rules themselves, the checks and the registry live in acl/ (users.py, selector.py,
log.py); these handlers parse arguments and shape replies. Neighbours: commands/
connection.py (AUTH, HELLO), commands/introspection.py (command lookups).
"""

from __future__ import annotations

import os
from typing import Any

from moredis.acl.selector import OK, has_spaces
from moredis.acl.users import deny_message
from moredis.commands.introspection import lookup_argv, unique_commands
from moredis.commands.registry import command
from moredis.errors import RedisError
from moredis.numbers import parse_int

_NO_ACLFILE = ("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via "
               "the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration "
               "file set) in order to store users in the Redis configuration.")
GENPASS_MAX_BITS = 4096

_HELP = [
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    "HELP",
    "    Print this help.",
]


def _syntax_error(argv: list[bytes]) -> RedisError:
    """addReplySubcommandSyntaxError."""
    return RedisError("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
                      % (argv[1][:128].decode("utf-8", "replace"), argv[0].decode("utf-8", "replace").upper()))


def _redact_from(c: Any, argv: list[bytes], start: int) -> None:
    """Hide these arguments from SLOWLOG and MONITOR (redactClientCommandArgument)."""
    c.user_data["redacted"] = (argv, set(range(start, len(argv))))


def _text(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


@command("acl|setuser")
def acl_setuser_command(c: Any, argv: list[bytes]) -> None:
    """ACL SETUSER username [rule [rule ...]]: all rules apply, or none."""
    name = argv[2]
    if has_spaces(name):
        raise RedisError("ERR Usernames can't contain spaces or null characters")
    acl = c.srv.acl
    err = acl.set_user(acl.get_user(name), _text(name), argv[3:])
    if err is not None:
        raise RedisError("ERR " + err.replace("\r", " ").replace("\n", " "))
    c.w.ok()


@command("acl|deluser")
def acl_deluser_command(c: Any, argv: list[bytes]) -> None:
    """ACL DELUSER username [username ...]: their connections are closed."""
    _redact_from(c, argv, 2)
    if any(name == b"default" for name in argv[2:]):
        raise RedisError("ERR The 'default' user cannot be removed")
    acl = c.srv.acl
    deleted = 0
    for name in argv[2:]:
        if acl.delete_user(name):
            deleted += 1
    c.w.integer(deleted)


def _reply_selector(w: Any, s: Any) -> int:
    """aclAddReplySelectorDescription: commands, keys, channels."""
    w.bulk(b"commands")
    w.bulk(s.describe_commands())
    w.bulk(b"keys")
    w.bulk(s.describe_keys())
    w.bulk(b"channels")
    w.bulk(s.describe_channels())
    return 3


@command("acl|getuser")
def acl_getuser_command(c: Any, argv: list[bytes]) -> None:
    """ACL GETUSER username: flags, passwords, the root selector's rules and the others."""
    _redact_from(c, argv, 2)
    u = c.srv.acl.get_user(argv[2])
    w = c.w
    if u is None:
        w.null()
        return
    w.map(6)
    w.bulk(b"flags")
    flags = u.flag_names()
    w.set(len(flags))
    for f in flags:
        w.bulk(f)
    w.bulk(b"passwords")
    w.array(len(u.passwords))
    for p in u.passwords:
        w.bulk(p.encode())
    _reply_selector(w, u.root)
    w.bulk(b"selectors")
    w.array(len(u.selectors) - 1)
    for s in u.selectors[1:]:
        w.map(3)
        _reply_selector(w, s)


@command("acl|list")
def acl_list_command(c: Any, argv: list[bytes]) -> None:
    """ACL LIST: every user as a config line."""
    c.w.bulk_array(c.srv.acl.user_lines())


@command("acl|users")
def acl_users_command(c: Any, argv: list[bytes]) -> None:
    """ACL USERS"""
    c.w.bulk_array([u.name.encode("utf-8", "surrogateescape") for u in c.srv.acl.sorted_users()])


@command("acl|whoami")
def acl_whoami_command(c: Any, argv: list[bytes]) -> None:
    """ACL WHOAMI"""
    if c.user is None:
        c.w.null()
    else:
        c.w.bulk(c.user.name.encode("utf-8", "surrogateescape"))


@command("acl|load")
def acl_load_command(c: Any, argv: list[bytes]) -> None:
    """ACL LOAD: the ACL file replaces every user, unless it has an error."""
    srv = c.srv
    if not srv.config["aclfile"]:
        raise RedisError(_NO_ACLFILE)
    err = srv.acl.load_file()
    if err is not None:
        raise RedisError("ERR " + err)
    c.w.ok()


@command("acl|save")
def acl_save_command(c: Any, argv: list[bytes]) -> None:
    """ACL SAVE"""
    srv = c.srv
    if not srv.config["aclfile"]:
        raise RedisError(_NO_ACLFILE)
    if not srv.acl.save_file():
        raise RedisError("ERR There was an error trying to save the ACLs. Please check the server logs for more "
                         "information")
    c.w.ok()


@command("acl|cat")
def acl_cat_command(c: Any, argv: list[bytes]) -> None:
    """ACL CAT [category]: the categories, or the commands (and subcommands) in one."""
    acl = c.srv.acl
    w = c.w
    if len(argv) == 2:
        w.bulk_array([name.encode() for name in acl.categories()])
        return
    if len(argv) != 3:
        raise _syntax_error(argv)
    want = argv[2].lower().decode("utf-8", "surrogateescape")
    if not acl.category_exists(want):
        raise RedisError("ERR Unknown category '%s'" % argv[2][:128].decode("utf-8", "surrogateescape"))
    names: list[bytes] = []
    for cmd in unique_commands(c.srv):
        if want in (a.lower() for a in cmd.acl):
            names.append(cmd.fullname.encode())
        for sub in (cmd.subcommands or {}).values():
            if want in (a.lower() for a in sub.acl):
                names.append(sub.fullname.encode())
    w.bulk_array(names)


@command("acl|genpass")
def acl_genpass_command(c: Any, argv: list[bytes]) -> None:
    """ACL GENPASS [bits]: random hex, 256 bits unless asked otherwise."""
    if len(argv) > 3:
        raise _syntax_error(argv)
    bits = 256
    if len(argv) == 3:
        bits = parse_int(argv[2])
    if bits <= 0 or bits > GENPASS_MAX_BITS:
        raise RedisError("ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
                         "number up to %d" % GENPASS_MAX_BITS)
    chars = (bits + 3) // 4
    c.w.bulk(os.urandom((chars + 1) // 2).hex()[:chars].encode())


@command("acl|log")
def acl_log_command(c: Any, argv: list[bytes]) -> None:
    """ACL LOG [count | RESET]"""
    if len(argv) > 3:
        raise _syntax_error(argv)
    log = c.srv.acl.log
    count = 10
    if len(argv) == 3:
        if argv[2].lower() == b"reset":
            log.reset()
            c.w.ok()
            return
        count = max(parse_int(argv[2]), 0)
    log.reply(c.w, count)


@command("acl|dryrun")
def acl_dryrun_command(c: Any, argv: list[bytes]) -> None:
    """ACL DRYRUN username command [arg ...]: OK, or why the user would be refused."""
    srv = c.srv
    u = srv.acl.get_user(argv[2])
    if u is None:
        raise RedisError("ERR User '%s' not found" % _text(argv[2]))
    line = argv[3:]
    cmd = lookup_argv(srv, line)
    if cmd is None:
        raise RedisError("ERR Command '%s' not found" % _text(argv[3]))
    n, a = len(line), cmd.arity
    if (a > 0 and a != n) or n < -a:
        raise RedisError("ERR wrong number of arguments for '%s' command" % cmd.fullname)
    code, idx = u.check(cmd, line)
    if code != OK:
        c.w.bulk(deny_message(code, u, cmd, line[idx], True).encode("utf-8", "surrogateescape"))
        return
    c.w.ok()


@command("acl|help")
def acl_help_command(c: Any, argv: list[bytes]) -> None:
    """ACL HELP"""
    c.w.help(_HELP)
