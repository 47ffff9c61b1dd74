"""What module code replicates, grouped in execution units (server.c alsoPropagate /
postExecutionUnitOperations, module.c RM_Replicate).

Everything module code asks to replicate (ctx.replicate, ctx.replicate_verbatim,
ctx.call with '!') joins the current execution unit: the outermost command being run,
or a timer / thread-safe-context lock / event callback outside any command. Once a unit
holds module effects, the commands the server itself propagates during it join too, in
order (a nested call's effects before the command that caused them). When the unit
ends, its commands go to `srv.propagators` (callables `fn(dbid, argvs)`) at once,
wrapped in MULTI/EXEC when there is more than one, with SELECT between databases.

Inside ctx.call without '!', nothing propagates (server.replication_allowed = 0).
The A and R modifiers keep a command away from the AOF or from the replicas: a
propagator tagged `fn.propagation_target = "aof"` (or "replicas") receives only what
is meant for it; untagged propagators receive everything.

The server calls `capture(dbid, argvs)` from propagate_command and `flush_unit()` at the
end of its outermost call(). Neighbours: server/modules.py (owner), module/call.py.
"""

from __future__ import annotations

from typing import Any

TO_AOF = 1
TO_REPLICAS = 2
TO_ALL = 3


class Propagation:
    __slots__ = ("depth", "no_repl", "srv", "target", "unit")

    def __init__(self, srv: Any) -> None:
        self.srv = srv
        self.unit: list[tuple[int, list[bytes], int]] | None = None
        self.depth = 0  # explicit units (timers, thread locks, events outside commands)
        self.no_repl = 0  # inside ctx.call without '!'
        self.target = TO_ALL  # A / R of the ctx.call being run

    # --- units -----------------------------------------------------------------------
    def begin(self) -> None:
        self.depth += 1
        if self.unit is None:
            self.unit = []
            self.srv.tail_pending = True  # call()'s tail flushes the unit

    def end(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.srv.current_client is None:
            self.flush_unit()

    def flush_unit(self) -> None:
        """postExecutionUnitOperations: send the unit, MULTI/EXEC wrapped if needed."""
        if self.depth:
            return
        items = self.unit
        self.unit = None
        if items:
            self.emit(items)

    # --- entries ----------------------------------------------------------------------
    def also_propagate(self, dbid: int, argvs: list[list[bytes]], target: int = TO_ALL) -> None:
        """alsoPropagate for module code."""
        if self.no_repl or not self.srv.propagators:
            return
        target &= self.target
        if self.unit is None:
            if self.srv.current_client is None:  # outside any command: a unit of its own
                self.emit([(dbid, a, target) for a in argvs])
                return
            self.unit = []
            self.srv.tail_pending = True  # call()'s tail flushes the unit
        self.unit.extend((dbid, a, target) for a in argvs)

    def open(self) -> None:
        """A ctx.call with '!' is about to run: its effects join the unit."""
        if self.unit is None and not self.no_repl and self.srv.propagators:
            self.unit = []
            self.srv.tail_pending = True  # call()'s tail flushes the unit

    def capture(self, dbid: int, argvs: list[list[bytes]]) -> bool:
        """The server's own propagation while module effects are pending (or suppressed):
        True when taken here."""
        if self.no_repl:
            return True
        if self.unit is None:
            return False
        if len(argvs) == 1 and argvs[0][0].lower() == b"exec":
            return True  # a transaction inside the unit: the unit's own MULTI/EXEC wraps it
        t = self.target
        self.unit.extend((dbid, a, t) for a in argvs)
        return True

    def emit(self, items: list[tuple[int, list[bytes], int]]) -> None:
        srv = self.srv
        for p in list(srv.propagators):
            kind = getattr(p, "propagation_target", None)
            want = TO_AOF if kind == "aof" else TO_REPLICAS if kind == "replicas" else 0
            mine = [it for it in items if not want or it[2] & want]
            if not mine:
                continue
            first = mine[0][0]
            if len(mine) == 1:
                p(first, [mine[0][1]])
                continue
            argvs: list[list[bytes]] = [[b"MULTI"]]
            cur = first
            for dbid, a, _ in mine:
                if dbid != cur:
                    argvs.append([b"SELECT", b"%d" % dbid])
                    cur = dbid
                argvs.append(a)
            argvs.append([b"EXEC"])
            p(first, argvs)
