"""Scripting state shared by EVAL and Functions: the script cache, the run context,
the rules checked before a script runs, propagation of its effects, and busy scripts.

`srv.scripting` is a `Scripting`. A script runs as `run_script` does (script.c
scriptPrepareForRun, luaCallFunction, scriptResetRun): the shebang flags are checked
against the server's state, the script client takes the caller's database, RESP2 and
user, the clock is frozen for key expiry, writes the script makes are captured and
propagated once it ends (wrapped in MULTI/EXEC when more than one), and the count hook
(prelude.py) calls `on_hook`, which past busy-reply-threshold lets other clients in
(busy.py) until the script ends or is killed.
Neighbours: lua.py (the Lua states), functions.py (libraries), busy.py,
commands/scripting.py and commands/functions.py (the commands).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from time import monotonic as _monotonic
from typing import Any

from moredis.errors import RedisError
from moredis.numbers import LLONG_MAX, LLONG_MIN
from moredis.protocol.parser import split_args
from moredis.scripting.capi import to_int

# script flags (script.h SCRIPT_FLAG_*)
NO_WRITES = 1 << 0
ALLOW_OOM = 1 << 1
ALLOW_STALE = 1 << 2
NO_CLUSTER = 1 << 3
EVAL_COMPAT = 1 << 4
ALLOW_CROSS_SLOT = 1 << 5
_RUN_MODE_FLAGS = NO_WRITES | ALLOW_OOM | NO_CLUSTER  # flags that change what a run may do
FLAG_NAMES = {b"no-writes": NO_WRITES, b"allow-oom": ALLOW_OOM, b"allow-stale": ALLOW_STALE,
              b"no-cluster": NO_CLUSTER, b"allow-cross-slot-keys": ALLOW_CROSS_SLOT}
FLAG_ORDER = [b"no-writes", b"allow-oom", b"allow-stale", b"no-cluster", b"allow-cross-slot-keys"]

LRU_LENGTH = 500  # scripts created by EVAL (not SCRIPT LOAD) kept before the oldest goes
BUSY_EVAL = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."


def parse_shebang(body: bytes) -> tuple[int, int]:
    """evalExtractShebangFlags: (flags, length of the shebang line) or RedisError."""
    if not body.startswith(b"#!"):
        return EVAL_COMPAT, 0
    end = body.find(b"\n")
    if end < 0:
        raise RedisError("ERR Invalid script shebang")
    parts = split_args(body[:end])
    if not parts:
        raise RedisError("ERR Invalid engine in script shebang")
    if parts[0] != b"#!lua":
        raise RedisError("ERR Unexpected engine in script shebang: " + parts[0].decode("utf-8", "replace"))
    flags = 0
    for p in parts[1:]:
        if not p.startswith(b"flags="):
            raise RedisError("ERR Unknown lua shebang option: " + p.decode("utf-8", "replace"))
        rest = p[6:]
        if not rest:
            continue
        for f in rest.split(b","):
            bit = FLAG_NAMES.get(f)
            if bit is None:
                raise RedisError("ERR Unexpected flag in script shebang: " + f.decode("utf-8", "replace"))
            flags |= bit
    return flags, end


class Rand48:
    """rand.c: the 48-bit generator behind math.random, one state for the whole process."""

    __slots__ = ("x",)

    def __init__(self) -> None:
        self.x = 0x1234ABCD330E

    def next31(self) -> int:
        self.x = (0x5DEECE66D * self.x + 0xB) & 0xFFFFFFFFFFFF
        return self.x >> 17

    def random(self, n: int, lo: Any = None, hi: Any = None) -> tuple[Any, ...]:
        """redis_math_random: (value,) or (None, True, argn) for an empty interval."""
        r = (self.next31() % 0x7FFFFFFF) / 0x7FFFFFFF
        if n == 0:
            return (r,)
        if n == 1:
            u = to_int(lo)
            if u < 1:
                return None, True, 1
            return (math.floor(r * u) + 1,)
        lo_i, u = to_int(lo), to_int(hi)
        if lo_i > u:
            return None, True, 2
        span = ((u - lo_i + 1 + 2**31) & 0xFFFFFFFF) - 2**31  # u-l+1 in C int arithmetic (it wraps)
        return (math.floor(r * span) + lo_i,)

    def seed(self, s: Any) -> None:
        v = to_int(s) & 0xFFFFFFFF
        self.x = (v << 16) | 0x330E


class Script:
    __slots__ = ("body", "flags", "fn", "in_lru", "name", "sha")

    def __init__(self, sha: bytes, body: bytes, flags: int, fn: Any, in_lru: bool) -> None:
        self.sha = sha
        self.name = sha.decode()  # the function name errors and logs give (f_<sha>'s digest)
        self.body = body
        self.flags = flags
        self.fn = fn
        self.in_lru = in_lru


class Run:
    """scriptRunCtx: what the current script may do and what it did."""

    __slots__ = ("acl", "allow_oom", "argv", "caller", "dirty", "engine", "eval_mode", "funcname", "killed",
                 "oom", "props", "read_only", "repl", "shutdown", "start", "timedout", "write_guard")

    def __init__(self) -> None:
        self.caller: Any = None
        self.engine: Any = None
        self.funcname = ""
        self.read_only = False
        self.allow_oom = False
        self.eval_mode = True
        self.dirty = False
        self.killed = False
        self.shutdown = False
        self.timedout = False
        self.start = 0.0
        self.repl = 3
        self.props: list = []
        self.oom = False
        self.argv: list[bytes] = []
        self.acl = False  # the caller's user has ACL rules to check
        self.write_guard = False  # writes need scriptCall's checks (read-only, OOM, replica)


class _FrozenClock:
    """`srv.mstime` while a script runs: the clock as it read when the script started
    (Redis's command time snapshot), read only if something asks for it."""

    __slots__ = ("clock", "now", "start")

    def __init__(self) -> None:
        self.clock: Any = None
        self.now: int | None = None
        self.start = 0.0

    def __call__(self) -> int:
        now = self.now
        if now is None:
            now = self.now = self.clock() - int((_monotonic() - self.start) * 1000)
        return now


class Scripting:
    """`srv.scripting`: the EVAL cache and state, the Functions libraries, the run."""

    def __init__(self, srv: Any) -> None:
        from moredis.scripting.functions import Functions

        self.srv = srv
        self.rand = Rand48()
        self._eval: Any = None
        self.scripts: dict[bytes, Script] = {}
        self.lru: OrderedDict[bytes, None] = OrderedDict()
        self.scripts_mem = 0
        self.run: Run | None = None
        self._spare = Run()
        self._frozen = _FrozenClock()
        self.fn = Functions(self)
        self.busy: Any = None
        self.load_deadline = 0.0
        srv.stat_evictedscripts = getattr(srv, "stat_evictedscripts", 0)

    # --- INFO memory fields (server/info.py reads these) -----------------------------------
    def lua_memory(self) -> int:
        return self._eval.memory() if self._eval is not None else 31744

    def functions_memory(self) -> int:
        return self.fn.memory()

    def scripts_eval_memory(self) -> int:
        return self.scripts_mem

    def cached_scripts(self) -> int:
        return len(self.scripts)

    def lua_caches(self) -> int:
        return self.scripts_mem

    def functions_caches(self) -> int:
        return self.fn.caches_memory()

    def functions(self) -> int:
        return self.fn.function_count()

    def libraries(self) -> int:
        return len(self.fn.libraries)

    # --- EVAL's state ----------------------------------------------------------------------
    @property
    def eval_engine(self) -> Any:
        if self._eval is None:
            from moredis.scripting.lua import LuaEngine

            self._eval = LuaEngine(self, "eval")
        return self._eval

    def flush_scripts(self) -> None:
        """SCRIPT FLUSH: a new Lua state and an empty cache (scriptingReset)."""
        self._eval = None
        self.scripts.clear()
        self.lru.clear()
        self.scripts_mem = 0

    def create_script(self, body: bytes, from_load: bool) -> bytes:
        """luaCreateFunction: the digest of `body`, compiling and caching it if new."""
        sha = hashlib.sha1(body).hexdigest().encode()
        s = self.scripts.get(sha)
        if s is not None:
            if from_load and s.in_lru:
                s.in_lru = False
                self.lru.pop(sha, None)
            return sha
        flags, sb_len = parse_shebang(body)
        eng = self.eval_engine
        src = body[sb_len:] if sb_len else body
        fn, err = eng.compile(src, b"@user_script")
        if fn is None:
            raise RedisError("ERR Error compiling script (new function): "
                             + err.decode("utf-8", "replace").replace("\r", " ").replace("\n", " "))
        if not from_load:
            while len(self.lru) >= LRU_LENGTH:
                old, _ = self.lru.popitem(last=False)
                dead = self.scripts.pop(old, None)
                if dead is not None:
                    self.scripts_mem -= len(dead.body) + 40
                self.srv.stat_evictedscripts = getattr(self.srv, "stat_evictedscripts", 0) + 1
            self.lru[sha] = None
        self.scripts[sha] = Script(sha, body, flags, fn, not from_load)
        self.scripts_mem += len(body) + 40
        return sha

    def lookup(self, sha: bytes) -> Script | None:
        if len(sha) != 40:
            return None
        s = self.scripts.get(sha)
        if s is None:
            s = self.scripts.get(sha.lower())
        return s

    def touch(self, sha: bytes) -> None:
        if sha in self.lru:
            self.lru.move_to_end(sha)

    # --- running -----------------------------------------------------------------------------
    def prepare(self, c: Any, flags: int, ro: bool) -> None:
        """scriptPrepareForRun's refusals (errors are raised, nothing ran)."""
        srv = self.srv
        if flags & EVAL_COMPAT:
            return
        if flags & NO_CLUSTER and srv.config["cluster-enabled"]:
            raise RedisError("ERR Can not run script on cluster, 'no-cluster' flag is set.")
        if not flags & NO_WRITES:
            if srv.is_replica and srv.config["replica-read-only"] and not c.is_master:
                raise RedisError("READONLY Can not run script with write flag on readonly replica")
            if ro:
                raise RedisError("ERR Can not execute a script with write flag using *_ro command.")
        if srv.maxmemory and not flags & (ALLOW_OOM | NO_WRITES) and not c.is_master and srv.over_maxmemory():
            raise RedisError("OOM allowed memory exceeded: Can not run script with write flag "
                             "if the memory limit is reached. Please consider using 'no-writes' flag "
                             "when possible.")

    def run_script(self, c: Any, engine: Any, fn: Any, funcname: str, flags: int, ro: bool,
                   argv: list[bytes], first: int, numkeys: int, eval_mode: bool) -> None:
        """Run `fn` for client `c` and write its reply (luaCallFunction + around it).

        This is every EVALSHA's and FCALL's path, so it does only what each run needs;
        the Run object of the last finished run is reused."""
        srv = self.srv
        if not (ro or flags & _RUN_MODE_FLAGS or srv.is_replica or srv.maxmemory):
            run_ro = allow_oom = False  # (the common case: nothing to refuse, nothing to relax)
        elif flags & EVAL_COMPAT:
            run_ro = ro
            allow_oom = False
        else:
            self.prepare(c, flags, ro)
            run_ro = ro or bool(flags & NO_WRITES)
            allow_oom = bool(flags & ALLOW_OOM)
        run = self._spare  # None while a run is in progress (a nested run makes its own)
        if run is None:
            run = Run()
        else:
            self._spare = None
        run.caller = c
        run.engine = engine
        run.funcname = funcname
        run.eval_mode = eval_mode
        run.read_only = run_ro
        run.allow_oom = allow_oom
        run.dirty = run.killed = run.shutdown = run.timedout = False
        run.repl = 3
        if run.props:
            run.props = []
        run.argv = argv
        run.oom = oom = srv.maxmemory and srv.over_maxmemory()
        run.write_guard = run_ro or oom or srv.is_replica
        sc = engine.client
        sc.db = c.db
        sc.user = user = c.user
        run.acl = user is not None and not user.unrestricted
        if sc.resp != 2:  # redis.setresp() of an earlier run
            sc.resp = engine.writer.level = 2
        props = srv.propagators
        if props:
            srv.propagators = [self._capture]
        run.start = start = _monotonic()
        clock = srv.mstime
        if type(clock) is not _FrozenClock:  # (a nested run keeps the outer run's instant)
            frozen = self._frozen
            frozen.clock = clock
            frozen.now = None
            frozen.start = start
            srv.mstime = frozen  # key expiry sees one instant for the whole script
        was_in_script = srv.in_script
        srv.in_script = True
        self.run = run
        try:
            nargs = len(argv) - first
            if nargs == 1:
                res = (engine.run_eval if eval_mode else engine.run_fn)(fn, numkeys, argv[first])
            elif nargs < 200:
                res = (engine.run_eval if eval_mode else engine.run_fn)(fn, numkeys, *argv[first:])
            else:
                tf = engine.table_from
                keys = tf(argv[first:first + numkeys])
                args = tf(argv[first + numkeys:])
                res = (engine.run_eval_t if eval_mode else engine.run_fn_t)(fn, keys, args)
        finally:
            self.run = None
            srv.in_script = was_in_script
            srv.mstime = clock
            if props:
                srv.propagators = props
            if self.busy is not None:
                self.busy.stop()
                self.busy = None
            self._spare = run
        if run.shutdown:
            c.close_after_reply = True
            return
        t = type(res)
        if t is int and LLONG_MIN <= res <= LLONG_MAX:
            c.w.integer(res)  # the commonest results, written here (engine.reply does the rest)
        elif t is bytes:
            c.w.bulk(res)
        else:
            engine.reply(c, res, funcname)
        if props:
            if run.props:
                self._propagate(c, run.props)
            srv.prop_override = []  # the script's own argv is never propagated
            srv.tail_pending = True

    def _capture(self, dbid: int, argvs: list[list[bytes]]) -> None:
        run = self.run
        if run is not None and run.repl:
            run.props.append((dbid, argvs, run.repl))

    def _propagate(self, c: Any, captured: list) -> None:
        """propagatePendingCommands: one command as is, several inside MULTI/EXEC (unless the
        caller is itself inside EXEC, whose own wrapping covers them)."""
        srv = self.srv
        cmds = [(dbid, a, repl) for dbid, argvs, repl in captured for a in argvs]
        if not cmds:
            return
        in_exec = c.deny_blocking and c.conn is not None
        wrap = len(cmds) > 1 and not in_exec
        for p in srv.propagators:
            target = getattr(p, "target", None)
            mask = 1 if target == "aof" else 2 if target == "replica" else 3
            mine = [(dbid, a) for dbid, a, repl in cmds if repl & mask]
            if not mine:
                continue
            if len(mine) == 1 or not wrap:
                cur = None
                for dbid, a in mine:
                    p(dbid, [a])
                    cur = dbid
                continue
            out: list[list[bytes]] = [[b"MULTI"]]
            first = cur = mine[0][0]
            for dbid, a in mine:
                if dbid != cur:
                    out.append([b"SELECT", b"%d" % dbid])
                    cur = dbid
                out.append(a)
            out.append([b"EXEC"])
            p(first, out)

    # --- the count hook, busy scripts, kill ---------------------------------------------------
    def on_hook(self) -> bytes | None:
        """luaMaskCountHook + scriptInterrupt: None to go on, the kill message to stop."""
        run = self.run
        if run is None:
            if self.load_deadline and time.monotonic() > self.load_deadline:
                return b"ERR FUNCTION LOAD timeout"
            return None
        if not run.timedout:
            limit = self.srv.config["busy-reply-threshold"]
            if limit <= 0:
                return None
            elapsed = (time.monotonic() - run.start) * 1000
            if elapsed < limit:
                return None
            self.srv.log.warning(
                "Slow script detected: still in execution after %d milliseconds. You can try killing "
                "the script using the %s command. Script name is: %s."
                % (elapsed, "SCRIPT KILL" if run.eval_mode else "FUNCTION KILL", run.funcname))
            run.timedout = True
            from moredis.scripting.busy import BusyPump

            self.busy = BusyPump(self.srv, self, run.caller)
            self.busy.start()
        if self.busy is not None:
            self.busy.pump()
        if run.shutdown:
            return b"ERR Script killed by a shutdown"
        if run.killed:
            msg = "Script killed by user with %s..." % ("SCRIPT KILL" if run.eval_mode else "FUNCTION KILL")
            self.srv.log.notice(msg)
            return b"ERR " + msg.encode()
        return None

    def busy_refusal(self, c: Any, cmd: Any, argv: list[bytes]) -> str | None:
        """processCommand's busy-script rule (and SHUTDOWN's: only NOSAVE gets through)."""
        run = self.run
        if run is None or c is run.caller:
            return None
        from moredis.commands import registry as R

        busy = BUSY_EVAL if run.eval_mode else BUSY_FUNCTION
        if not cmd.flags & R.ALLOW_BUSY:
            return busy
        if cmd.fullname == "shutdown":
            if not any(a.lower() == b"nosave" for a in argv[1:]):
                return busy
            run.shutdown = True
        return None

    def kill(self, is_eval: bool) -> None:
        """scriptKill: SCRIPT KILL / FUNCTION KILL while another client's script is busy."""
        run = self.run
        if run is None:
            raise RedisError("NOTBUSY No scripts in execution right now.")
        if run.caller.is_master:
            raise RedisError("UNKILLABLE The busy script was sent by a master instance in the context "
                             "of replication and cannot be killed.")
        if run.dirty:
            raise RedisError("UNKILLABLE Sorry the script already executed write commands against the "
                             "dataset. You can either wait the script termination or kill the server in a "
                             "hard way using the SHUTDOWN NOSAVE command.")
        if is_eval and not run.eval_mode:
            raise RedisError(BUSY_FUNCTION)
        if not is_eval and run.eval_mode:
            raise RedisError(BUSY_EVAL)
        run.killed = True


def get(srv: Any) -> Scripting:
    """The server's Scripting, created on first use."""
    sc = getattr(srv, "scripting", None)
    if sc is None:
        sc = Scripting(srv)
        srv.scripting = sc
    return sc

