"""A sandboxed Lua 5.1 state (lupa) and the Python half of its `redis` API.

`LuaEngine("eval")` is the state EVAL scripts share (rebuilt by SCRIPT FLUSH);
`LuaEngine("function")` the one Functions libraries live in. prelude.py builds the
sandbox inside the state; this file answers the bridge calls: `redis.call`/`pcall`
(script.c scriptCall: lookup, arity, noscript, ACL, read-only, OOM, then the server's
`call()`), log, sha1hex, setresp, set_repl, acl_check_cmd, the count hook, math.random,
register_function, and the libraries of libs.py. It also turns a script's flattened
result into a reply (script_lua.c luaReplyToRedisReply).
Neighbours: core.py (the run context, caches, busy mode), writer.py (command replies
for Lua), prelude.py, libs.py.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from lupa.lua51 import LuaRuntime

from moredis import errors as E
from moredis.commands import registry as R
from moredis.numbers import LLONG_MAX, LLONG_MIN, fpconv_dtoa
from moredis.protocol.writer import Resp2Writer, Resp3Writer
from moredis.scripting import libs
from moredis.scripting.capi import to_ll
from moredis.scripting.core import FLAG_NAMES
from moredis.scripting.prelude import PRELUDE
from moredis.scripting.writer import ERROR, NIL, STATUS, VALUE, LuaWriter, lua_error_text
from moredis.version import REDIS_VERSION

HALF = 1 << 62  # double2ll: only doubles within +-LLONG_MAX/2 print as integers
STACK_LIMIT = b"ERR reached lua stack limit"
ERR_ARGS = b"ERR Lua redis lib command arguments must be strings or integers"
ERR_NOARGS = b"ERR Please specify at least one argument for this redis lib call"
UNKNOWN_COMMAND = "ERR Unknown Redis command called from script"


def _version_num() -> int:
    a, b, c = (int(x) for x in REDIS_VERSION.split(".")[:3])
    return (a << 16) | (b << 8) | c


def _deny_attributes(obj: Any, name: Any, setting: bool) -> Any:
    """lupa's attribute filter: a script never reaches a Python attribute."""
    raise AttributeError("access denied")


def arg_bytes(a: Any) -> bytes | None:
    """luaArgsToRedisArgv for one argument: strings as they are, numbers as integers when
    exact (double2ll) else fpconv_dtoa; anything else is refused (None)."""
    t = type(a)
    if t is bytes:
        return a
    if t is int:
        if -HALF <= a <= HALF:
            return b"%d" % a
        return fpconv_dtoa(float(a)).encode()
    if t is float:
        if -HALF <= a <= HALF:  # false for nan and the infinities
            i = int(a)
            if i == a:
                return b"%d" % i
        elif a != a:
            return b"-nan" if math.copysign(1.0, a) < 0 else b"nan"
        elif a == math.inf or a == -math.inf:
            return b"inf" if a > 0 else b"-inf"
        return fpconv_dtoa(a).encode()
    return None


class ScriptRaise(Exception):
    """redis.call's error, raised through lupa into Lua (prelude.py `conv` unwraps it)."""

    def __init__(self, table: Any) -> None:
        super().__init__("script error")
        self.table = table


class LuaEngine:
    """One Lua state and the script client its commands run as."""

    def __init__(self, scripting: Any, flavour: str) -> None:
        self.sc = scripting
        self.srv = scripting.srv
        self.flavour = flavour
        rt = LuaRuntime(encoding=None, register_eval=False, register_builtins=False,
                        unpack_returned_tuples=True, attribute_filter=_deny_attributes)
        self.rt = rt
        self.table_from = rt.table_from
        init = rt.execute(libs.LUA + PRELUDE)
        call, bind_call = self._make_call(False)
        pcall, bind_pcall = self._make_call(True)
        bridge = rt.table_from([
            call, pcall, self._unwrap, self._log, self._sha1, self._acl, self._setresp, self._setrepl,
            scripting.on_hook, scripting.rand.random, scripting.rand.seed, self._register,
            rt.table_from({k: rt.table_from(v) for k, v in libs.build_all(self).items()}),
            rt.table_from({name: True for name in FLAG_NAMES}), None, None,
            REDIS_VERSION.encode(), _version_num(),
        ])
        api = init(flavour.encode(), bridge)
        self.compile = api[b"compile"]
        self.run_eval = api[b"run_eval"]
        self.run_eval_t = api[b"run_eval_t"]
        self.run_fn = api[b"run_fn"]
        self.run_fn_t = api[b"run_fn_t"]
        self.load_library = api[b"load_library"]
        self._memory = api[b"memory"]
        self.dec = api[b"dec"]
        self.where = api[b"where"]
        self.callee = api[b"callee"]
        self.build = api[b"build"]
        self.mk_ok = api[b"mk_ok"]
        self.mk_err = api[b"mk_err"]
        self.mk_oks = api[b"mk_oks"]
        self.gc = api[b"gc"]
        self.writer = LuaWriter(self.srv.record_error)
        c = self.srv.new_client(None, self.writer)
        c.authenticated = True
        c.in_script = True
        c.deny_blocking = True
        c.addr = ""
        c.refresh_guard()
        self.client = c
        bind_call()
        bind_pcall()
        self.registering: Any = None  # the library being loaded (FUNCTION LOAD)

    def raise_at(self, msg: bytes) -> None:
        """luaL_error from a Python "C function": the caller's position, then the message."""
        raise ScriptRaise(self.where() + msg)

    def memory(self) -> int:
        return int(self._memory() * 1024)

    # --- redis.call / redis.pcall ----------------------------------------------------------
    def _make_call(self, protected: bool) -> tuple[Any, Any]:
        """redis.call (or, `protected`, redis.pcall) and the function that binds it to the
        state once that exists: scriptCall's checks, then call(); the reply comes back as
        a Lua value, errors are raised as a Lua error table (pcall returns it). A closure
        over what every call needs, as it runs for each redis.call of every script."""
        sc = self.sc
        srv = self.srv
        table = srv.table
        table_from = self.table_from
        refusal = self._refusal
        oks: list = []  # fresh {ok='OK'} tables made 32 at a time (one Python->Lua crossing)
        client = writer = mk_ok = mk_err = mk_oks = dec = None

        def bind() -> None:
            nonlocal client, writer, mk_ok, mk_err, mk_oks, dec
            client, writer = self.client, self.writer
            mk_ok, mk_err, mk_oks, dec = self.mk_ok, self.mk_err, self.mk_oks, self.dec

        def fail(kind: int, msg: bytes) -> Any:
            """kind 2: a command's own error (already counted), 3: a bad redis.call."""
            t = mk_err(msg, kind == 2)
            if protected:
                return t
            raise ScriptRaise(t)

        noscript, write, write_flags = R.NOSCRIPT, R.WRITE, R.WRITE | R.MAY_REPLICATE

        def call(*args: Any) -> Any:
            run = sc.run
            if run is None:
                return fail(3, b"ERR redis.call/pcall can only be called inside a script invocation")
            if not args:
                return fail(3, ERR_NOARGS)
            argv = list(args)
            i = 0
            for a in args:
                if type(a) is not bytes:  # numbers become strings (luaArgsToRedisArgv)
                    if type(a) is int and -HALF <= a <= HALF:  # (what lupa makes of a whole number)
                        argv[i] = b"%d" % a
                    else:
                        a = argv[i] = arg_bytes(a)
                        if a is None:
                            return fail(3, ERR_ARGS)
                i += 1  # noqa: SIM113 (enumerate() costs more, and this runs for every redis.call)
            if srv.command_filters:  # module command filters see scripts' calls too
                argv = srv.modules.run_filters(client, argv)
                if not argv:
                    return fail(2, self._refuse(None, UNKNOWN_COMMAND))
            cmd = table.get(argv[0])
            if cmd is None:
                cmd = table.get(argv[0].lower())
                if cmd is None:
                    return fail(2, self._refuse(None, UNKNOWN_COMMAND))
            n = len(argv)
            if cmd.subcommands is not None and n > 1:
                cmd = cmd.subcommands.get(argv[1].lower())
                if cmd is None:
                    return fail(2, self._refuse(None, UNKNOWN_COMMAND))
            a = cmd.arity
            flags = cmd.flags
            if ((n != a if a > 0 else n < -a) or flags & noscript or run.acl
                    or (flags & write_flags and run.write_guard)):
                err = refusal(run, cmd, argv)  # (which also marks the run dirty)
                if err is not None:
                    return fail(2, self._refuse(cmd, err))
            elif flags & write:
                run.dirty = True
            srv.call(client, cmd, argv)
            f = writer.flat
            writer.flat = []
            if len(f) == 2:
                tag = f[0]
                if tag == VALUE:
                    return f[1]
                if tag == STATUS:
                    v = f[1]
                    if v != b"OK":
                        return mk_ok(v)
                    if not oks:
                        oks.extend(mk_oks(v, 32))
                    return oks.pop()
                if tag == ERROR:
                    return fail(2, f[1])
            elif len(f) == 1 and f[0] == NIL:
                return None
            return dec(table_from(f))

        return call, bind

    def _refusal(self, run: Any, cmd: Any, argv: list[bytes]) -> str | None:
        """scriptCall's checks before a command runs: the error, or None to run it."""
        n, a, flags = len(argv), cmd.arity, cmd.flags
        if (a > 0 and n != a) or n < -a:
            return "ERR Wrong number of args calling Redis command from script"
        if flags & R.NOSCRIPT:
            return "ERR This Redis command is not allowed from script"
        c = self.client
        srv = self.srv
        if c.user is not None and not c.user.unrestricted:
            err = srv.acl_check(c, cmd, argv)
            if err is not None:
                return "ERR ACL failure in script: " + (err[7:] if err.startswith("NOPERM ") else err)
        if run.read_only and flags & (R.WRITE | R.MAY_REPLICATE):
            return "ERR Write commands are not allowed from read-only scripts."
        if flags & R.WRITE and not run.dirty:
            if srv.is_replica and srv.config["replica-read-only"] and not run.caller.is_master:
                return E.READONLY
            if (not run.allow_oom and srv.maxmemory and run.oom and flags & R.DENYOOM
                    and not run.caller.is_master):
                return E.OOM
        if flags & R.WRITE:
            run.dirty = True
        return None

    @staticmethod
    def _unwrap(e: Any) -> Any:
        """The Lua error table carried by a ScriptRaise that crossed into Lua."""
        return e.table if isinstance(e, ScriptRaise) else None

    def _refuse(self, cmd: Any, msg: str) -> bytes:
        """A command refused before running: counted as an error and a rejected call."""
        self.srv.record_error(msg)
        if cmd is not None:
            cmd.rejected_calls += 1
        return lua_error_text(msg)

    # --- the rest of the redis table -------------------------------------------------------
    def _log(self, level: int, msg: bytes) -> None:
        lg = self.srv.log
        text = msg.decode("utf-8", "surrogateescape")
        if level <= 0:
            lg.debug(text)
        elif level == 1:
            lg.verbose(text)
        elif level == 2:
            lg.notice(text)
        else:
            lg.warning(text)

    @staticmethod
    def _sha1(s: bytes) -> bytes:
        return hashlib.sha1(s).hexdigest().encode()

    def _setresp(self, v: int) -> None:
        self.writer.level = v
        self.client.resp = v

    def _setrepl(self, v: int) -> None:
        if self.sc.run is not None:
            self.sc.run.repl = v

    def _acl(self, *args: Any) -> tuple[int, Any]:
        argv = []
        for a in args:
            b = arg_bytes(a)
            if b is None:
                return 3, ERR_ARGS
            argv.append(b)
        srv = self.srv
        cmd = srv.table.get(argv[0]) or srv.table.get(argv[0].lower())
        if cmd is not None and cmd.subcommands is not None and len(argv) > 1:
            cmd = cmd.subcommands.get(argv[1].lower())
        if cmd is None:
            return 3, b"ERR Invalid command passed to redis.acl_check_cmd()"
        run = self.sc.run
        caller = run.caller if run is not None else self.client
        user = caller.user
        if user is None or user.unrestricted:
            return 0, True
        checker = getattr(user, "check_command", None)
        if checker is None:
            return 0, True
        return 0, checker(srv, caller, cmd, argv) is None

    def _register(self, name: bytes, fn: Any, flags: Any, desc: Any) -> bytes | None:
        lib = self.registering
        if lib is None:
            return b"ERR redis.register_function can only be called on FUNCTION LOAD command"
        return self.sc.fn.register(lib, name, fn, [flags[i] for i in range(1, len(flags) + 1)], desc)

    # --- results ---------------------------------------------------------------------------
    def reply(self, c: Any, res: Any, funcname: str) -> None:
        """Write what prelude.py `result` returned to the caller (luaCallFunction)."""
        w = c.w
        t = type(res)
        if t is not tuple:  # a plain value
            if t is bytes:
                w.bulk(res)
            elif t is int and LLONG_MIN <= res <= LLONG_MAX:
                w.integer(res)
            elif t is int or t is float:
                w.integer(to_ll(res))
            elif t is bool:
                self._bool(w, res)
            else:
                w.null()
            return
        kind = res[0]
        if kind == 1:
            self._emit(w, res, 1)
            return
        if kind == 2:
            flat = list(res[1].values())
            self._emit(w, flat, 0)
            return
        self._error(c, res, funcname)

    def _bool(self, w: Any, v: bool) -> None:
        if self.client.resp == 2:
            if v:
                w.integer(1)
            else:
                w.null()
        else:
            w.boolean(v)

    def _emit(self, w: Any, f: Any, i: int) -> None:
        n = len(f)
        while i < n:
            tag = f[i]
            if tag == 1:
                w.bulk(f[i + 1])
                i += 2
            elif tag == 2:
                w.integer(to_ll(f[i + 1]))
                i += 2
            elif tag == 12:
                w.array(f[i + 1])
                i += 2
            elif tag == 3:
                self._bool(w, f[i + 1])
                i += 2
            elif tag == 4:
                w.null()
                i += 1
            elif tag == 5:
                raw_error(w, c_string(f[i + 1]).replace(b"\r", b" ").replace(b"\n", b" "), not f[i + 2])
                i += 3
            elif tag == 6:
                w.simple(c_string(f[i + 1]).replace(b"\r", b" ").replace(b"\n", b" "))
                i += 2
            elif tag == 7:
                w.double(float(f[i + 1]))
                i += 2
            elif tag == 8:
                w.big_number(f[i + 1].replace(b"\r", b" ").replace(b"\n", b" "))
                i += 2
            elif tag == 9:
                w.verbatim(f[i + 2], f[i + 1])
                i += 3
            elif tag == 10:
                w.map(f[i + 1])
                i += 2
            elif tag == 11:
                w.set(f[i + 1])
                i += 2
            elif tag == 14:
                w.double(-0.0)
                i += 1
            else:  # 13: luaReplyToRedisReply's lua_checkstack failure
                w.error(STACK_LIMIT.decode())
                i += 1

    def _error(self, c: Any, res: tuple, funcname: str) -> None:
        """A script that raised: "-<msg> script: <name>, on <source>:<line>." as Redis
        builds it (CR/LF inside the message go out as they are, as Redis sends them)."""
        msg = res[1]
        if msg is not None:
            msg = c_string(msg)
        if len(res) == 2:  # not a table: "Error running script ..."
            text = b"ERR Error running script %s, %s" % (funcname.encode(), (msg or b"execution failure")[:100])
            c.w.error(text.decode("utf-8", "surrogateescape"))
            return
        src, line, ignore = res[2], res[3], res[4]
        body = msg if msg is not None else b""
        if src is not None and line is not None:
            body += b" script: %s, on %s:%s." % (funcname.encode(), src, line)
        raw_error(c.w, body, not ignore)
        if c.cmd is not None:
            c.cmd.failed_calls += 1


def c_string(s: bytes) -> bytes:
    """The text Redis takes from a Lua string it reads as a C string (status and error
    replies, script errors): everything before the first NUL."""
    i = s.find(b"\0")
    return s if i < 0 else s[:i]


def raw_error(w: Any, body: bytes, count: bool = True) -> None:
    """An error reply whose text is sent exactly as given (no ERR added, bytes kept)."""
    if isinstance(w, (Resp2Writer, Resp3Writer)):
        if count and w.errors is not None:
            w.errors(body.decode("utf-8", "surrogateescape").replace("\r", " ").replace("\n", " "))
        w.raw(b"-%b\r\n" % body)
        return
    errs = w.errors
    if not count:
        w.errors = None
    try:
        w.error(body.decode("utf-8", "surrogateescape"))
    finally:
        w.errors = errs
