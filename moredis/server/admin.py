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


async def after_start(srv: Any, st: Any) -> None:
    """Everything a started server does before serving: pid file, modules, data."""
    pidfile = srv.config["pidfile"]
    if pidfile:
        try:
            with open(pidfile, "w") as f:
                f.write(f"{os.getpid()}\n")
        except OSError as e:
            srv.log.warning(f"Failed to write PID file: {e.strerror}")
