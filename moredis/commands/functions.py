"""Functions (functions.c): FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP,
FCALL and FCALL_RO. The libraries themselves live in scripting/functions.py.
"""

from __future__ import annotations

import time
from typing import Any

from moredis.commands.registry import command
from moredis.commands.util import script_numkeys
from moredis.errors import RedisError
from moredis.numbers import SMALL_LL
from moredis.scripting import core
from moredis.scripting.functions import ENGINE, LOAD_TIMEOUT_MS
from moredis.util.glob import glob_match


def _fcall_handler(ro: bool) -> Any:
    """fcallCommandGeneric, as the handler of FCALL or FCALL_RO."""

    def handler(c: Any, argv: list[bytes]) -> None:
        srv = c.srv
        if srv.monitors:
            srv.feed_monitors(c, argv)
        fns = (getattr(srv, "scripting", None) or core.get(srv)).fn
        f = fns.functions.get(argv[1])  # names are kept lower-case (found case-insensitively)
        if f is None:
            f = fns.functions.get(argv[1].lower())
            if f is None:
                raise RedisError("ERR Function not found")
        n = SMALL_LL.get(argv[2])
        if n is None or n > len(argv) - 3:
            n = script_numkeys(argv, "ERR Bad number of keys provided")
        fns.sc.run_script(c, fns._engine or fns.engine, f.fn, f.str_name, f.flags, ro, argv, 3, n, False)

    return handler


command("fcall")(_fcall_handler(False))  # FCALL function numkeys [key ...] [arg ...]
command("fcall_ro")(_fcall_handler(True))  # FCALL_RO function numkeys [key ...] [arg ...]


@command("function|load")
def function_load_command(c: Any, argv: list[bytes]) -> None:
    """FUNCTION LOAD [REPLACE] function-code"""
    replace = False
    i = 2
    while i < len(argv) - 1:
        opt = argv[i]
        i += 1
        if opt.lower() == b"replace":
            replace = True
            continue
        raise RedisError("ERR Unknown option given: " + opt.decode("utf-8", "replace"))
    if i >= len(argv):
        raise RedisError("ERR Function code was not given")
    timeout = 0 if c.is_master else LOAD_TIMEOUT_MS
    name = core.get(c.srv).fn.load(argv[i], replace, timeout)
    c.srv.dirty += 1
    c.w.bulk(name)


@command("function|delete")
def function_delete_command(c: Any, argv: list[bytes]) -> None:
    """FUNCTION DELETE library-name"""
    core.get(c.srv).fn.delete(argv[2])
    c.srv.dirty += 1
    c.w.ok()


@command("function|flush")
def function_flush_command(c: Any, argv: list[bytes]) -> None:
    """FUNCTION FLUSH [ASYNC | SYNC]"""
    if len(argv) > 3:
        raise RedisError("ERR unknown subcommand or wrong number of arguments for '%s'. Try FUNCTION HELP."
                         % argv[1].decode("utf-8", "replace"))
    if len(argv) == 3 and argv[2].lower() not in (b"sync", b"async"):
        raise RedisError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    core.get(c.srv).fn.flush()
    c.srv.dirty += 1
    c.w.ok()


@command("function|list")
def function_list_command(c: Any, argv: list[bytes]) -> None:
    """FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]"""
    with_code = False
    pattern = None
    i = 2
    n = len(argv)
    while i < n:
        a = argv[i]
        low = a.lower()
        if not with_code and low == b"withcode":
            with_code = True
        elif pattern is None and low == b"libraryname":
            if i >= n - 1:
                raise RedisError("ERR library name argument was not given")
            i += 1
            pattern = argv[i]
        else:
            raise RedisError("ERR Unknown argument " + a.decode("utf-8", "replace"))
        i += 1
    libs = [lib for lib in core.get(c.srv).fn.libraries.values()
            if pattern is None or glob_match(pattern, lib.name, nocase=True)]
    w = c.w
    w.array(len(libs))
    for lib in libs:
        w.map(4 if with_code else 3)
        w.bulk(b"library_name")
        w.bulk(lib.name)
        w.bulk(b"engine")
        w.bulk(ENGINE.encode())
        w.bulk(b"functions")
        w.array(len(lib.functions))
        for f in lib.functions.values():
            w.map(3)
            w.bulk(b"name")
            w.bulk(f.name)
            w.bulk(b"description")
            w.bulk_or_null(f.desc)
            w.bulk(b"flags")
            w.set(len(f.flag_names))
            for fl in f.flag_names:
                w.simple(fl)
        if with_code:
            w.bulk(b"library_code")
            w.bulk(lib.code)


@command("function|dump")
def function_dump_command(c: Any, argv: list[bytes]) -> None:
    """FUNCTION DUMP"""
    c.w.bulk(core.get(c.srv).fn.dump())


@command("function|restore")
def function_restore_command(c: Any, argv: list[bytes]) -> None:
    """FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]"""
    if len(argv) > 4:
        raise RedisError("ERR unknown subcommand or wrong number of arguments for '%s'. Try FUNCTION HELP."
                         % argv[1].decode("utf-8", "replace"))
    policy = "append"
    if len(argv) == 4:
        policy = argv[3].decode("utf-8", "replace").lower()
        if policy not in ("append", "replace", "flush"):
            raise RedisError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
    core.get(c.srv).fn.restore(argv[2], policy)
    c.srv.dirty += 1
    c.w.ok()


@command("function|stats")
def function_stats_command(c: Any, argv: list[bytes]) -> None:
    """FUNCTION STATS: the function running now (during a busy one), and the engine's counts."""
    sc = core.get(c.srv)
    run = sc.run
    if run is not None and run.eval_mode:
        raise RedisError(core.BUSY_EVAL)
    w = c.w
    w.map(2)
    w.bulk(b"running_script")
    if run is None:
        w.null()
    else:
        w.map(3)
        w.bulk(b"name")
        w.bulk(run.funcname.encode("utf-8", "surrogateescape"))
        w.bulk(b"command")
        w.bulk_array(run.argv)
        w.bulk(b"duration_ms")
        w.integer(int((time.monotonic() - run.start) * 1000))
    w.bulk(b"engines")
    w.map(1)
    w.bulk(ENGINE.encode())
    w.map(2)
    w.bulk(b"libraries_count")
    w.integer(len(sc.fn.libraries))
    w.bulk(b"functions_count")
    w.integer(sc.fn.function_count())


@command("function|kill")
def function_kill_command(c: Any, argv: list[bytes]) -> None:
    """FUNCTION KILL"""
    core.get(c.srv).kill(False)
    c.w.ok()


_HELP = [
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a library from the given code (its first line names it and its engine).",
    "DELETE <LIBRARY NAME>",
    "    Remove the named library and its functions.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Describe the loaded libraries:",
    "    * its name",
    "    * the engine that runs it",
    "    * its functions",
    "    * its code (with WITHCODE)",
    "    LIBRARYNAME keeps only the libraries whose name matches the pattern.",
    "STATS",
    "    Describe the function running now, if any:",
    "    * its name",
    "    * the command that started it",
    "    * how long it has been running, in milliseconds",
    "    Nil when nothing runs.",
    "    Also lists the engines and how many libraries and functions each holds.",
    "KILL",
    "    Stop the function running now.",
    "FLUSH [ASYNC|SYNC]",
    "    Remove every library.",
    "    Without a mode, lazyfree-lazy-user-flush decides between the two:",
    "    * ASYNC: remove them in the background.",
    "    * SYNC: remove them right away.",
    "DUMP",
    "    A binary payload holding every library, for FUNCTION RESTORE.",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Load the libraries of a payload; what happens to the current ones (default APPEND):",
    "    * FLUSH: they are removed first.",
    "    * APPEND: the new ones are added; a name already taken aborts.",
    "    * REPLACE: the new ones are added, replacing libraries of the same name (a function",
    "      name taken by another library still aborts).",
    "HELP",
    "    Print this help.",
]


@command("function|help")
def function_help_command(c: Any, argv: list[bytes]) -> None:
    """FUNCTION HELP"""
    c.w.help(_HELP)
