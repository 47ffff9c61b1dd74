"""EVAL scripts (eval.c): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT.

The handlers are thin: scripting/core.py holds the cache and runs scripts, lua.py the
Lua state. EVAL and EVALSHA feed MONITOR themselves, before the script's own commands
(their spec says skip_monitor so call() does not feed them afterwards).
"""

from __future__ import annotations

from typing import Any

from moredis import errors as E
from moredis.commands.registry import command, getkeys
from moredis.commands.util import script_numkeys
from moredis.errors import RedisError
from moredis.numbers import SMALL_LL, string2ll
from moredis.scripting import core

NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL."


@getkeys("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro")
def _eval_keys(argv: list[bytes]) -> list[int]:
    """evalGetKeys: numkeys at argv[2], the keys right after it."""
    n = string2ll(argv[2]) if len(argv) > 2 else None
    if n is None or n < 0 or n > len(argv) - 3:
        return []
    return list(range(3, 3 + n))


def _eval_handler(evalsha: bool, ro: bool) -> Any:
    """evalGenericCommand, as the handler of EVAL, EVAL_RO, EVALSHA or EVALSHA_RO (one
    closure each, so a call goes straight to it)."""

    def handler(c: Any, argv: list[bytes]) -> None:
        srv = c.srv
        if srv.monitors:
            srv.feed_monitors(c, argv)
        sc = getattr(srv, "scripting", None) or core.get(srv)
        numkeys = SMALL_LL.get(argv[2])
        if evalsha:
            script = sc.scripts.get(argv[1])  # digests are cached lower-case, as clients send them
            if script is None:
                if len(argv[1]) != 40:
                    raise RedisError(NOSCRIPT)
                numkeys = script_numkeys(argv, E.NOT_INTEGER)
                script = sc.lookup(argv[1])
                if script is None:
                    raise RedisError(NOSCRIPT)
        if numkeys is None or numkeys > len(argv) - 3:
            numkeys = script_numkeys(argv, E.NOT_INTEGER)
        if not evalsha:
            script = sc.scripts[sc.create_script(argv[1], False)]
        sc.run_script(c, sc._eval or sc.eval_engine, script.fn, script.name, script.flags, ro, argv, 3, numkeys,
                      True)
        if script.in_lru:
            sc.touch(script.sha)

    return handler


command("eval")(_eval_handler(False, False))  # EVAL script numkeys [key ...] [arg ...]
command("eval_ro")(_eval_handler(False, True))  # EVAL_RO script numkeys [key ...] [arg ...]
command("evalsha")(_eval_handler(True, False))  # EVALSHA sha1 numkeys [key ...] [arg ...]
command("evalsha_ro")(_eval_handler(True, True))  # EVALSHA_RO sha1 numkeys [key ...] [arg ...]


# --- SCRIPT ---------------------------------------------------------------------------------

@command("script|load")
def script_load_command(c: Any, argv: list[bytes]) -> None:
    """SCRIPT LOAD script"""
    c.w.bulk(core.get(c.srv).create_script(argv[2], True))


@command("script|exists")
def script_exists_command(c: Any, argv: list[bytes]) -> None:
    """SCRIPT EXISTS sha1 [sha1 ...]"""
    sc = core.get(c.srv)
    w = c.w
    w.array(len(argv) - 2)
    for sha in argv[2:]:
        w.integer(1 if sc.lookup(sha) is not None else 0)


@command("script|flush")
def script_flush_command(c: Any, argv: list[bytes]) -> None:
    """SCRIPT FLUSH [ASYNC | SYNC]: both empty the cache at once here."""
    if len(argv) > 3 or (len(argv) == 3 and argv[2].lower() not in (b"sync", b"async")):
        raise RedisError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    core.get(c.srv).flush_scripts()
    c.w.ok()


@command("script|kill")
def script_kill_command(c: Any, argv: list[bytes]) -> None:
    """SCRIPT KILL: only reaches here while another client's script is busy."""
    core.get(c.srv).kill(True)
    c.w.ok()


@command("script|debug")
def script_debug_command(c: Any, argv: list[bytes]) -> None:
    """SCRIPT DEBUG YES|SYNC|NO: the mode is accepted; scripts then run without stepping
    (the Lua debugger protocol is not offered)."""
    mode = argv[2].lower()
    if mode not in (b"no", b"yes", b"sync"):
        raise RedisError("ERR Use SCRIPT DEBUG YES/SYNC/NO")
    if mode != b"no" and c.multi is not None:
        raise RedisError("ERR SCRIPT DEBUG must be called outside MULTI")
    c.w.ok()


_HELP = [
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Choose how the scripts this connection runs next are debugged.",
    "EXISTS <sha1> [<sha1> ...]",
    "    For each digest, 1 if that script is in the cache, else 0.",
    "FLUSH [ASYNC|SYNC]",
    "    Empty the script cache (use with care on replicas).",
    "    Without a mode, lazyfree-lazy-user-flush decides between the two:",
    "    * ASYNC: empty the cache in the background.",
    "    * SYNC: empty the cache right away.",
    "KILL",
    "    Stop the Lua script that is running now.",
    "LOAD <script>",
    "    Put a script in the cache without running it.",
    "HELP",
    "    Print this help.",
]


@command("script|help")
def script_help_command(c: Any, argv: list[bytes]) -> None:
    """SCRIPT HELP"""
    c.w.help(_HELP)
