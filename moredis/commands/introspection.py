"""COMMAND and its subcommands: the command table described to clients (server.c
commandCommand, commandInfoCommand, commandDocsCommand, commandListCommand,
commandGetKeysCommand).

Everything here reads the one table, `srv.table` (registry.Command objects whose `.spec`
dicts come from specs/*.json or from modules). The table also holds an uppercase alias of
every name, so listings walk the unique commands. COMMAND DOCS shows the documentation
facts our specs keep (summary in our own words, since, group, doc_flags,
deprecated_since, arguments); Redis's prose (complexity, history, replaced_by, argument
summaries) is not copied, so DOCS differs from Redis there by design.

Keys (GETKEYS / GETKEYSANDFLAGS) are found as db.c getKeysFromCommandWithSpecs does:
the key specs first, unless a spec has variable flags; when a spec cannot be followed
(unknown, incomplete, bad numkeys) the command's @getkeys function is used instead,
as Redis falls back to the command's getkeys_proc. Neighbours: registry.py (the table),
debug.py.
"""

from __future__ import annotations

from typing import Any

from moredis.commands import registry as R
from moredis.commands.registry import command
from moredis.errors import SYNTAX, RedisError, unknown_subcommand
from moredis.numbers import string2ll
from moredis.util.glob import compile_glob

# key-spec flags, in the order Redis prints them (server.c addReplyFlagsForKeyArgs)
KEY_FLAG_ORDER = ("RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key",
                  "incomplete", "variable_flags")
# argument fields, in the order COMMAND DOCS prints them (addReplyCommandArgList)
_ARG_FIELDS = ("display_text", "value", "key_spec_index", "token", "summary", "since",
               "deprecated_since")

KeyRef = tuple[int, list[str]]


def unique_commands(srv: Any) -> list[R.Command]:
    """The top-level commands of the table, once each (it also holds uppercase aliases)."""
    return list(dict.fromkeys(srv.table.values()))


def _base(srv: Any, name: bytes) -> R.Command | None:
    table = srv.table
    cmd = table.get(name)
    if cmd is None:
        cmd = table.get(name.lower())
    return cmd


def lookup_by_name(srv: Any, name: bytes) -> R.Command | None:
    """lookupCommandBySds: "get" or "container|sub", case-insensitive; else None."""
    parts = name.split(b"|")
    if len(parts) > 2:
        return None
    base = _base(srv, parts[0])
    if base is None or len(parts) == 1:
        return base
    if base.subcommands is None:
        return None
    return base.subcommands.get(parts[1].lower())


def lookup_argv(srv: Any, argv: list[bytes]) -> R.Command | None:
    """lookupCommand: the subcommand when the first word is a container and there is a
    second word, otherwise the command itself."""
    base = _base(srv, argv[0])
    if base is None or len(argv) == 1 or base.subcommands is None:
        return base
    return base.subcommands.get(argv[1].lower())


# --- COMMAND INFO ----------------------------------------------------------------------------
def _reply_spec_value(w: Any, v: Any) -> None:
    """A key spec part: dicts are maps, lists are flag sets, the rest ints or strings."""
    if isinstance(v, dict):
        w.map(len(v))
        for k, x in v.items():
            w.bulk(k.encode())
            _reply_spec_value(w, x)
    elif isinstance(v, list):
        w.set(len(v))
        for f in v:
            w.simple(f)
    elif isinstance(v, int):
        w.integer(v)
    else:
        w.bulk(str(v).encode())


def reply_command_info(w: Any, cmd: R.Command) -> None:
    """addReplyCommandInfo: name, arity, flags, first/last/step, ACL categories, tips,
    key specs, subcommands."""
    spec = cmd.spec
    w.array(10)
    w.bulk(cmd.fullname.encode())
    w.integer(cmd.arity)
    flags = cmd.flag_names()
    w.set(len(flags))
    for f in flags:
        w.simple(f)
    w.integer(cmd.first_key)
    w.integer(cmd.last_key)
    w.integer(cmd.step)
    acl = cmd.acl
    w.set(len(acl))
    for a in acl:
        w.simple("@" + a)
    tips = spec.get("tips") or ()
    w.set(len(tips))
    for t in tips:
        w.bulk(t.encode())
    specs = cmd.key_specs
    w.set(len(specs))
    for ks in specs:
        _reply_spec_value(w, ks)
    subs = cmd.subcommands
    if subs:
        w.array(len(subs))
        for sub in subs.values():
            reply_command_info(w, sub)
    else:
        w.set(0)  # addReplyCommandSubCommands answers an empty set when there are none


# --- COMMAND DOCS ----------------------------------------------------------------------------
def _module_name(cmd: R.Command) -> str | None:
    m = cmd.module if cmd.module is not None else (cmd.parent.module if cmd.parent is not None else None)
    if m is None:
        return None
    name = getattr(m, "name", m)
    return name.decode() if isinstance(name, bytes) else str(name)


def _reply_args(w: Any, args: list[dict]) -> None:
    """addReplyCommandArgList: one map per argument, nested for oneof/block."""
    w.array(len(args))
    for a in args:
        nested = a.get("type") in ("oneof", "block")
        fields: list[tuple[str, Any]] = [("name", a["name"]), ("type", a["type"])]
        for k in _ARG_FIELDS:
            if k == "display_text":
                if not nested:
                    fields.append((k, a.get(k, a["name"])))
            elif k in a:
                fields.append((k, a[k]))
        if a.get("flags"):
            fields.append(("flags", a["flags"]))
        if nested:
            fields.append(("arguments", a.get("arguments", [])))
        w.map(len(fields))
        for k, v in fields:
            w.bulk(k.encode())
            if k == "arguments":
                _reply_args(w, v)
            elif k == "flags":
                w.set(len(v))
                for f in v:
                    w.simple(f)
            elif isinstance(v, int):
                w.integer(v)
            else:
                w.bulk(str(v).encode())


def reply_command_docs(w: Any, cmd: R.Command) -> None:
    """addReplyCommandDocs, with the fields our specs keep."""
    spec = cmd.spec
    module = _module_name(cmd)
    fields: list[tuple[str, Any]] = []
    if spec.get("summary"):
        fields.append(("summary", spec["summary"]))
    if spec.get("since"):
        fields.append(("since", spec["since"]))
    fields.append(("group", "module" if module is not None else spec.get("group", "generic")))
    if spec.get("complexity"):  # module commands (RM_SetCommandInfo) only: core specs keep no prose
        fields.append(("complexity", spec["complexity"]))
    if module is not None:
        fields.append(("module", module))
    if spec.get("doc_flags"):
        fields.append(("doc_flags", spec["doc_flags"]))
    if spec.get("deprecated_since"):
        fields.append(("deprecated_since", spec["deprecated_since"]))
    if spec.get("history"):  # module commands only, as above
        fields.append(("history", spec["history"]))
    if spec.get("arguments"):
        fields.append(("arguments", spec["arguments"]))
    if cmd.subcommands:
        fields.append(("subcommands", cmd.subcommands))
    w.map(len(fields))
    for k, v in fields:
        w.bulk(k.encode())
        if k == "arguments":
            _reply_args(w, v)
        elif k == "doc_flags":
            w.set(len(v))
            for f in v:
                w.simple(f)
        elif k == "history":
            w.array(len(v))
            for since, changes in v:
                w.array(2)
                w.bulk(since.encode())
                w.bulk(changes.encode())
        elif k == "subcommands":
            w.map(len(v))
            for sub in v.values():
                w.bulk(sub.fullname.encode())
                reply_command_docs(w, sub)
        else:
            w.bulk(v.encode())


# --- COMMAND GETKEYS -------------------------------------------------------------------------
def _cdiv(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def keys_from_specs(cmd: R.Command, argv: list[bytes]) -> list[KeyRef] | None:
    """getKeysUsingKeySpecs: (position, flags) of every key, or None when a spec cannot
    be followed (unknown begin/find type, bad numkeys, out of range, incomplete)."""
    argc = len(argv)
    out: list[KeyRef] = []
    for ks in cmd.key_specs:
        flags = ks["flags"]
        if "not_key" in flags:
            continue
        bs = ks["begin_search"]
        btype = bs["type"]
        if btype == "index":
            first = bs["spec"]["index"]
        elif btype == "keyword":
            kw = bs["spec"]["keyword"].encode().lower()
            startfrom = bs["spec"]["startfrom"]
            start = startfrom if startfrom > 0 else argc + startfrom
            end = argc - 1 if startfrom > 0 else 1
            step = 1 if start <= end else -1
            first = 0
            i = start
            while i != end:
                if i >= argc or i < 1:
                    break
                if argv[i].lower() == kw:
                    first = i + 1
                    break
                i += step
            if not first:
                continue  # keyword absent: this spec names no key
        else:
            return None
        fk = ks["find_keys"]
        ftype = fk["type"]
        fspec = fk["spec"]
        if ftype == "range":
            step = fspec["keystep"]
            lastkey = fspec["lastkey"]
            if lastkey >= 0:
                last = first + lastkey
            elif not fspec["limit"]:
                last = argc + lastkey
            else:
                last = first + (_cdiv(argc - first, fspec["limit"]) + lastkey)
        elif ftype == "keynum":
            step = fspec["keystep"]
            idx = fspec["keynumidx"]
            if idx >= argc - first:
                return None
            numkeys = string2ll(argv[first + idx])
            if numkeys is None or numkeys < 0:
                return None
            first += fspec["firstkey"]
            last = first + numkeys - 1
        else:
            return None
        if last >= argc or last < first or first >= argc:
            return None
        for i in range(first, last + 1, step):
            out.append((i, flags))
        if "incomplete" in flags:
            return None
    return out


def _set_keys(argv: list[bytes]) -> list[KeyRef]:
    """t_string.c setGetKeys: with GET the key is read too."""
    for a in argv[3:]:
        if a.lower() == b"get":
            return [(1, ["RW", "access", "update"])]
    return [(1, ["OW", "update"])]


def _bitfield_keys(argv: list[bytes]) -> list[KeyRef]:
    """bitops.c bitfieldGetKeys: read-only unless a SET/INCRBY (or a syntax error) shows up."""
    readonly = True
    argc = len(argv)
    i = 2
    while i < argc:
        rem = argc - i - 1
        op = argv[i].lower()
        if op == b"get" and rem >= 2:
            i += 2
        elif op in (b"set", b"incrby") and rem >= 3:
            readonly = False
            break
        elif op == b"overflow" and rem >= 1:
            i += 1
        else:
            readonly = False
            break
        i += 1
    return [(1, ["RO", "access"] if readonly else ["RW", "access", "update"])]


# commands whose key specs carry variable_flags: their flags depend on the arguments
VARIABLE_FLAGS = {"set": _set_keys, "bitfield": _bitfield_keys}


def _fallback_keys(cmd: R.Command, argv: list[bytes]) -> list[KeyRef]:
    """Keys from the command's @getkeys function. Plain positions take the flags Redis's
    getkeys_procs give: the first key those of the first key spec, later keys (a STORE
    destination, the KEYS of MIGRATE) those of the last spec."""
    fn = cmd.getkeys
    if fn is None:
        return []
    found = fn(argv) or []
    specs = cmd.key_specs
    out: list[KeyRef] = []
    for j, item in enumerate(found):
        if isinstance(item, tuple):
            out.append((item[0], list(item[1])))
            continue
        if specs:
            src = specs[0] if j == 0 else specs[-1]
            flags = [f for f in src["flags"] if f not in ("incomplete", "variable_flags")]
        else:
            flags = []
        out.append((item, flags))
    return out


def has_keys(cmd: R.Command) -> bool:
    """doesCommandHaveKeys."""
    if cmd.getkeys is not None or cmd.fullname in VARIABLE_FLAGS:
        return True
    return any("not_key" not in ks["flags"] for ks in cmd.key_specs)


def get_keys(cmd: R.Command, argv: list[bytes]) -> list[KeyRef]:
    """getKeysFromCommandWithSpecs: `argv` is the full command line (argv[0] its name)."""
    specs = cmd.key_specs
    has_spec = any("not_key" not in ks["flags"] for ks in specs)
    var_flags = any("variable_flags" in ks["flags"] for ks in specs)
    if has_spec and not var_flags:
        found = keys_from_specs(cmd, argv)
        if found is not None:
            return found
    fn = VARIABLE_FLAGS.get(cmd.fullname)
    if fn is not None:
        return fn(argv)
    return _fallback_keys(cmd, argv)


def _getkeys_generic(c: Any, argv: list[bytes], with_flags: bool) -> None:
    """commandGetKeysCommand / commandGetKeysAndFlagsCommand (getKeysSubcommandImpl)."""
    line = argv[2:]
    cmd = lookup_argv(c.srv, line)
    if cmd is None:
        raise RedisError("ERR Invalid command specified")
    if not has_keys(cmd):
        raise RedisError("ERR The command has no key arguments")
    n = len(line)
    a = cmd.arity
    if (a > 0 and a != n) or n < -a:
        raise RedisError("ERR Invalid number of arguments specified for command")
    keys = get_keys(cmd, line)
    w = c.w
    if not keys:
        if cmd.flags & R.NO_MANDATORY_KEYS:
            w.array(0)
            return
        raise RedisError("ERR Invalid arguments specified for command")
    w.array(len(keys))
    for pos, flags in keys:
        if with_flags:
            w.array(2)
            w.bulk(line[pos])
            w.set(len(flags))
            for f in flags:
                w.simple(f)
        else:
            w.bulk(line[pos])


# --- handlers ------------------------------------------------------------------------------
@command("command")
def command_command(c: Any, argv: list[bytes]) -> None:
    """COMMAND: COMMAND INFO for every command. (Reached with no subcommand only.)"""
    if len(argv) > 1:  # an internal caller passing an unknown subcommand
        raise unknown_subcommand(argv[1], "command")
    cmds = unique_commands(c.srv)
    w = c.w
    w.array(len(cmds))
    for cmd in cmds:
        reply_command_info(w, cmd)


@command("command|count")
def command_count_command(c: Any, argv: list[bytes]) -> None:
    """COMMAND COUNT: top-level commands only."""
    c.w.integer(len(unique_commands(c.srv)))


@command("command|info")
def command_info_command(c: Any, argv: list[bytes]) -> None:
    """COMMAND INFO [command-name ...]: nil for unknown names; all commands when none given."""
    w = c.w
    srv = c.srv
    if len(argv) == 2:
        cmds = unique_commands(srv)
        w.array(len(cmds))
        for cmd in cmds:
            reply_command_info(w, cmd)
        return
    w.array(len(argv) - 2)
    for name in argv[2:]:
        cmd = lookup_by_name(srv, name)
        if cmd is None:
            w.null()
        else:
            reply_command_info(w, cmd)


@command("command|docs")
def command_docs_command(c: Any, argv: list[bytes]) -> None:
    """COMMAND DOCS [command-name ...]: a map name -> docs; unknown names are left out."""
    srv = c.srv
    w = c.w
    if len(argv) == 2:
        cmds = unique_commands(srv)
    else:
        cmds = [cmd for cmd in (lookup_by_name(srv, n) for n in argv[2:]) if cmd is not None]
    w.map(len(cmds))
    for cmd in cmds:
        w.bulk(cmd.fullname.encode())
        reply_command_docs(w, cmd)


def _walk(cmds: list[R.Command]):
    for cmd in cmds:
        yield cmd
        if cmd.subcommands:
            yield from cmd.subcommands.values()


@command("command|list")
def command_list_command(c: Any, argv: list[bytes]) -> None:
    """COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: full names,
    subcommands included (server.c commandListWithFilter)."""
    n = len(argv)
    if n != 2 and (n != 5 or argv[2].lower() != b"filterby"):
        raise RedisError(SYNTAX)
    cmds = _walk(unique_commands(c.srv))
    if n == 5:
        kind = argv[3].lower()
        arg = argv[4]
        if kind == b"module":
            want = arg.decode("utf-8", "surrogateescape").lower()
            names = []
            for cmd in cmds:
                m = _module_name(cmd)
                if m is not None and m.lower() == want:
                    names.append(cmd.fullname)
        elif kind == b"aclcat":
            cat = arg.decode("utf-8", "surrogateescape").lower()
            names = [cmd.fullname for cmd in cmds if cat in cmd.acl]
        elif kind == b"pattern":
            match = compile_glob(arg, True)
            names = [cmd.fullname for cmd in cmds if match(cmd.fullname.encode())]
        else:
            raise RedisError(SYNTAX)
    else:
        names = [cmd.fullname for cmd in cmds]
    w = c.w
    w.array(len(names))
    for name in names:
        w.bulk(name.encode())


@command("command|getkeys")
def command_getkeys_command(c: Any, argv: list[bytes]) -> None:
    """COMMAND GETKEYS command [arg ...]"""
    _getkeys_generic(c, argv, False)


@command("command|getkeysandflags")
def command_getkeysandflags_command(c: Any, argv: list[bytes]) -> None:
    """COMMAND GETKEYSANDFLAGS command [arg ...]: each key with its key-spec flags."""
    _getkeys_generic(c, argv, True)


@command("command|help")
def command_help_command(c: Any, argv: list[bytes]) -> None:
    """COMMAND HELP"""
    c.w.help([
        "COMMAND <subcommand> [<arg> ...]. Subcommands:",
        "(no subcommand)",
        "    Describe every command: arity, flags, key positions, ACL categories, key specs.",
        "COUNT",
        "    How many commands the server knows.",
        "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
        "    Names of all commands and subcommands, or of those passing the filter.",
        "INFO [<command-name> ...]",
        "    Describe the named commands (all of them when no name is given).",
        "DOCS [<command-name> ...]",
        "    Documentation facts of the named commands (all of them when no name is given).",
        "GETKEYS <full-command>",
        "    Which arguments of the given command line are keys.",
        "GETKEYSANDFLAGS <full-command>",
        "    Like GETKEYS, with the way each key is accessed.",
        "HELP",
        "    This text.",
    ])
