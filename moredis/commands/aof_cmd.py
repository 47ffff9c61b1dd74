"""BGREWRITEAOF (server group): the AOF side of the persistence commands.

The decisions are aof.c bgrewriteaofCommand's, in persistence/aof.py: already running
is an error; another child (BGSAVE, a module fork) or a running EXEC schedules the
rewrite for the cron; otherwise the child starts now. It works with appendonly no too:
the rewrite then only makes a new base in the AOF directory.
Neighbours: persistence/aof.py (srv.aof), commands/persistence_cmd.py (SAVE, BGSAVE).
"""

from __future__ import annotations

from typing import Any

from moredis.commands.registry import command


@command("bgrewriteaof")
def bgrewriteaof_command(c: Any, argv: list[bytes]) -> None:
    """BGREWRITEAOF"""
    in_exec = bool(c.deny_blocking) and not c.in_script and c.conn is not None  # EXEC runs with deny_blocking
    c.w.simple(c.srv.aof.bgrewriteaof_command(in_exec).encode())
