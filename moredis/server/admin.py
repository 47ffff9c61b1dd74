"""Start-up and administration helpers that sit above the server core: renamed
commands, loading modules and data at start, the pid file.
"""

from __future__ import annotations

import os
from typing import Any


def rename_command(srv: Any, old: str, new: str) -> None:
    """rename-command: an empty new name removes the command."""
    cmd = srv.table.pop(old.lower().encode(), None)
    srv.table.pop(old.upper().encode(), None)
    if cmd is None:
        raise SystemExit(f"Unknown command '{old}' in rename-command")
    if new:
        srv.table[new.lower().encode()] = cmd
        srv.table[new.upper().encode()] = cmd


class StartupError(Exception):
    """A module or data file that fails at start-up stops the server, as in Redis."""


def load_startup_modules(srv: Any, st: Any) -> None:
    """loadmodule directives (built-in modules first unless switched off), then the
    module configs that named no loaded module are an error."""
    from moredis.errors import RedisError

    mods = srv.modules
    mods.pending_configs.update(st.module_configs)
    wanted: list[tuple[str, list[str]]] = []
    if st.builtin_modules:
        try:
            from moredis.modules import BUILTIN
        except ImportError:
            BUILTIN = []
        wanted.extend((name, []) for name in BUILTIN)
    wanted.extend(st.modules)
    for path, args in wanted:
        try:
            mods.load(path, [a.encode() if isinstance(a, str) else a for a in args])
        except RedisError:
            srv.log.warning(f"Module {path} failed to load: see the lines above")
            raise StartupError(f"Module {path} failed to load") from None
    if mods.pending_configs:
        name = next(iter(mods.pending_configs))
        srv.log.warning(f"Module Configuration detected without loadmodule directive or no ApplyConfig "
                        f"call: aborting ({name})")
        raise StartupError(f"unknown module config {name}")


async def after_start(srv: Any, st: Any) -> None:
    """Everything a started server does before serving: pid file, modules, data."""
    pidfile = srv.config["pidfile"]
    if pidfile:
        try:
            with open(pidfile, "w") as f:
                f.write(f"{os.getpid()}\n")
        except OSError as e:
            srv.log.warning(f"Failed to write PID file: {e.strerror}")
