"""MODULE LOAD, LOADEX, UNLOAD, LIST, HELP (module.c moduleCommand), gated by
enable-module-command because loading a module runs its code.
Neighbours: server/modules.py (the loader and registries).
"""

from __future__ import annotations

from typing import Any

from moredis.commands.registry import command
from moredis.errors import RedisError

_REFUSED = ('ERR MODULE command not allowed. If the enable-module-command option is set to "local", '
            "you can run it from a local connection, otherwise you need to set this option in the "
            "configuration file, and then restart the server.")


def _check_allowed(c: Any) -> None:
    mode = c.srv.config["enable-module-command"]
    if mode == "yes":
        return
    if mode == "local" and (c.unix or c.addr.startswith(("127.", "::1", "[::1]")) or c.conn is None):
        return
    raise RedisError(_REFUSED)


@command("module|load")
def module_load_command(c: Any, argv: list[bytes]) -> None:
    """MODULE LOAD path [arg ...]"""
    _check_allowed(c)
    c.srv.modules.load(argv[2].decode("utf-8", "surrogateescape"), list(argv[3:]))
    c.w.ok()


@command("module|loadex")
def module_loadex_command(c: Any, argv: list[bytes]) -> None:
    """MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...]"""
    _check_allowed(c)
    path = argv[2].decode("utf-8", "surrogateescape")
    configs: list[tuple[str, str]] = []
    args: list[bytes] = []
    i = 3
    while i < len(argv):
        opt = argv[i].upper()
        if opt == b"CONFIG" and i + 2 < len(argv):
            name = argv[i + 1].decode("utf-8", "surrogateescape").lower()
            if any(n == name for n, _ in configs):
                c.srv.log.warning(f"Module Configuration detected twice: {name}")
                raise RedisError("ERR Error loading the extension. Please check the server logs.")
            configs.append((name, argv[i + 2].decode("utf-8", "surrogateescape")))
            i += 3
        elif opt == b"ARGS":
            args = list(argv[i + 1:])
            break
        else:
            c.srv.log.warning("Module LOADEX syntax error")
            raise RedisError("ERR Error loading the extension. Please check the server logs.")
    c.srv.modules.load(path, args, configs)
    c.w.ok()


@command("module|unload")
def module_unload_command(c: Any, argv: list[bytes]) -> None:
    """MODULE UNLOAD name"""
    _check_allowed(c)
    c.srv.modules.unload(argv[2].decode("utf-8", "surrogateescape"))
    c.w.ok()


@command("module|list")
def module_list_command(c: Any, argv: list[bytes]) -> None:
    """MODULE LIST: name, ver, path and args of each loaded module."""
    mods = list(c.srv.modules.modules.values())
    w = c.w
    w.array(len(mods))
    for m in mods:
        w.map(4)
        w.bulk(b"name")
        w.bulk(m.name.encode())
        w.bulk(b"ver")
        w.integer(m.ver)
        w.bulk(b"path")
        w.bulk(m.path.encode("utf-8", "surrogateescape"))
        w.bulk(b"args")
        w.array(len(m.args))
        for a in m.args:
            w.bulk(a)


@command("module|help")
def module_help_command(c: Any, argv: list[bytes]) -> None:
    """MODULE HELP"""
    c.w.help([
        "MODULE <subcommand> [<arg> ...]. Subcommands:",
        "LIST",
        "    The loaded modules: name, version, path and arguments.",
        "LOAD <path> [<arg> ...]",
        "    Load the Python module at <path> (a .py file, a package, or a dotted name).",
        "LOADEX <path> [CONFIG <name> <value> ...] [ARGS ...]",
        "    Load a module, setting its configs before it starts.",
        "UNLOAD <name>",
        "    Unload a module, if nothing depends on it.",
        "HELP",
        "    This text.",
    ])
