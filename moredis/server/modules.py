"""Loading Python modules and keeping what they register (module.c's bookkeeping).

A module is a Python file or an importable package exposing `on_load(ctx, args)` and
optionally `on_unload(ctx)`. `ModuleManager.load` runs on_load inside a context flagged
`onload`; if it fails (returns ERR, raises, or never calls ctx.init), everything it
registered is rolled back. Registries kept per module: commands, data types, configs,
server-event and keyspace subscriptions, command filters, timers, exported APIs,
INFO callback. The manager is also `srv.module_hooks`, the one place the server calls
to fire module events; each hook is a no-op unless a module subscribed:

    client_connected(c) / client_closed(c)      ClientChange (connection.py, free_client)
    flushed(dbnum, start, sync)                 FlushDB START before, END after (dbnum -1: all)
    swapdb(a, b), config_changed(names)         SwapDB, Config (commands/server.py)
    shutting_down()                             Shutdown (server.prepare_shutdown)
    fire_persistence(sub)                       Persistence: RDB/AOF start, sync start, ended, failed
    fire_loading(sub), fire_loading_progress(sub, progress 0..1024)
    fire_fork_child(sub)                        ForkChild BORN / DIED
    fire_role_changed(sub, ReplicationInfo), fire_replica_change(sub),
    fire_master_link(sub), fire_repl_async_load(sub)   (for replication)
    srv.key_event_hook(sub, db, key, value)     Key: set only while subscribed; the keyspace
                                                calls it before a key goes (srv.key_del_reason:
                                                0 deleted, 1 expired, 2 evicted) or is overwritten
    srv.eventloop_hook()                        EventLoop: set only while subscribed
CronLoop and ModuleChange are fired from here. Replication of module effects goes through
`self.prop` (module/propagation.py).
Neighbours: module/ (the public API), commands/module_cmd.py (MODULE command).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
import types
from typing import Any

from moredis.commands import registry as R
from moredis.errors import RedisError
from moredis.module import constants as K
from moredis.module.context import Ctx
from moredis.module.datatype import ModuleType, TypeMethods, encode_type_id

LOAD_ERR = "ERR Error loading the extension. Please check the server logs."

# CreateCommand's flag words (module.c commandFlagsFromString)
_CMD_FLAGS = {
    "write": "write", "readonly": "readonly", "admin": "admin", "deny-oom": "denyoom",
    "deny-script": "noscript", "allow-loading": "loading", "pubsub": "pubsub", "random": None,
    "blocking": "blocking", "allow-stale": "stale", "no-monitor": "skip_monitor",
    "no-slowlog": "skip_slowlog", "fast": "fast", "no-auth": "no_auth", "may-replicate": "may_replicate",
    "getkeys-api": "getkeys-api", "getchannels-api": "getchannels-api", "no-cluster": "no-cluster",
    "no-mandatory-keys": "no_mandatory_keys", "allow-busy": "allow_busy",
}


class Module:
    """A loaded module and everything it registered."""

    def __init__(self, path: str, args: list[bytes]) -> None:
        self.name = ""
        self.ver = 0
        self.apiver = 0
        self.path = path
        self.args = args
        self.options = 0
        self.py: types.ModuleType | None = None
        self.commands: list[R.Command] = []
        self.types: list[ModuleType] = []
        self.configs: list[str] = []
        self.event_subs: dict[int, Any] = {}
        self.keyspace_subs: list[tuple[int, Any]] = []
        self.filters: list[Any] = []
        self.timers: set[Any] = set()
        self.exported: dict[str, Any] = {}
        self.using: set[str] = set()
        self.info_func: Any = None
        self.acl_categories: list[str] = []
        self.auth_callbacks: list[Any] = []
        self.blocked_clients = 0
        self.loaded = False

    def __repr__(self) -> str:
        return f"<Module {self.name or self.path}>"


class ModuleManager:
    def __init__(self, srv: Any) -> None:
        self.srv = srv
        self.modules: dict[str, Module] = {}
        self.loading: Module | None = None
        self.filters: list[Any] = []
        self.post_jobs: list[tuple[Any, Any, Any, Any]] = []
        self._fake_pool: list[Any] = []
        self.event_subs: dict[int, list[tuple[Module, Any]]] = {}
        self.in_notification = 0
        self.pending_configs: dict[str, str] = {}  # `<module>.<name>` values seen before the module loaded
        self.types_by_name: dict[str, ModuleType] = {}
        self.acl_categories: dict[str, Module] = {}
        self.channel_getters: dict[Any, Any] = {}
        from moredis.module.propagation import Propagation

        self.prop = Propagation(srv)
        srv.module_prop = self.prop  # the server's propagate_command / call() consult it
        srv.key_del_reason = 0  # what a deletion is for the Key event: 1 expired, 2 evicted
        srv.eventloop_hook = None  # set while a module listens to EventLoop (connection.py calls it)
        self._awake = False
        self._expire_unit = False
        srv.modules = self

    # --- queries ------------------------------------------------------------------------
    def get(self, name: str) -> Module | None:
        return self.modules.get(name)

    def find_type_by_name(self, name: str) -> ModuleType | None:
        return self.types_by_name.get(name)

    def info_lines(self) -> list[str]:
        """The `module:name=...` lines of INFO modules."""
        out = []
        for m in self.modules.values():
            usedby = ",".join(sorted(o.name for o in self.modules.values() if m.name in o.using))
            using = ",".join(sorted(m.using))
            opts = []
            if m.options & K.OPTIONS_HANDLE_IO_ERRORS:
                opts.append("handle-io-errors")
            if m.options & K.OPTIONS_HANDLE_REPL_ASYNC_LOAD:
                opts.append("handle-repl-async-load")
            if m.options & K.OPTION_NO_IMPLICIT_SIGNAL_MODIFIED:
                opts.append("no-implicit-signal-modified")
            out.append(f"module:name={m.name},ver={m.ver},api={m.apiver},filters={len(m.filters)},"
                       f"usedby=[{usedby}],using=[{using}],options=[{'|'.join(opts)}]")
        return out

    def config_lines(self) -> list[str]:
        """CONFIG REWRITE keeps one `loadmodule path args...` line per loaded module
        (rewriteConfigLoadmoduleOption)."""
        out = []
        for m in self.modules.values():
            parts = [m.path] + [a.decode("utf-8", "surrogateescape") for a in m.args]
            out.append("loadmodule " + " ".join(parts))
        return out

    def list_for_hello(self) -> list[list[tuple[bytes, Any]]]:
        return [[(b"name", m.name.encode()), (b"ver", m.ver), (b"path", m.path.encode()),
                 (b"args", [a for a in m.args])] for m in self.modules.values()]

    # --- loading ------------------------------------------------------------------------
    def _import(self, path: str) -> types.ModuleType:
        """A .py file, a package directory, or a dotted importable name."""
        if os.path.isdir(path) and os.path.exists(os.path.join(path, "__init__.py")):
            parent = os.path.dirname(os.path.abspath(path))
            name = os.path.basename(os.path.abspath(path))
            if parent not in sys.path:
                sys.path.insert(0, parent)
            return importlib.import_module(name)
        if path.endswith(".py") or os.path.sep in path:
            if not os.path.exists(path):
                raise FileNotFoundError(path)
            modname = "moredis_module_" + os.path.splitext(os.path.basename(path))[0].replace("-", "_") + \
                "_%x" % (abs(hash(os.path.abspath(path))) & 0xFFFFFF)
            spec = importlib.util.spec_from_file_location(modname, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {path}")
            mod = importlib.util.module_from_spec(spec)
            sys.modules[modname] = mod
            try:
                spec.loader.exec_module(mod)
            except BaseException:
                sys.modules.pop(modname, None)
                raise
            return mod
        return importlib.import_module(path)

    def load(self, path: str, args: list[bytes], configs: list[tuple[str, str]] | None = None) -> Module:
        """moduleLoad: import, run on_load, apply LOADEX configs; roll back on failure."""
        srv = self.srv
        log = srv.log
        m = Module(path, args)
        try:
            pym = self._import(path)
        except Exception as e:
            log.warning(f"Module {path} failed to load: {e!r}")
            raise RedisError(LOAD_ERR) from None
        onload = getattr(pym, "on_load", None) or getattr(pym, "RedisModule_OnLoad", None)
        if onload is None:
            log.warning(f"Module {path} does not export on_load() symbol. Module not loaded.")
            raise RedisError(LOAD_ERR)
        m.py = pym
        self.loading = m
        ctx = Ctx(srv, m, self.fake_client(2))
        ctx.onload = True
        saved_pending = dict(self.pending_configs)
        if configs:
            for name, value in configs:
                self.pending_configs[name] = value
        ok = False
        try:
            rc = onload(ctx, list(args))
            ok = rc in (None, K.OK) and bool(m.name)
            if ok and configs:
                leftover = [n for n, _ in configs if n in self.pending_configs]
                if leftover:
                    log.warning(f"Module Configuration detected without loadmodule directive or no "
                                f"ApplyConfig call: aborting ({leftover[0]})")
                    ok = False
            if not ok:
                log.warning(f"Module {path} initialization failed. Module not loaded")
        except Exception as e:
            log.warning(f"Module {path} initialization failed: {e!r}\n{traceback.format_exc()}")
        finally:
            self.loading = None
            ctx._finish()
        if not ok:
            self._rollback(m)
            self.pending_configs = saved_pending
            raise RedisError(LOAD_ERR)
        m.loaded = True
        self.modules[m.name] = m
        self.release_fake_client(ctx.client)
        log.notice(f"Module '{m.name}' loaded from {path}")
        self.fire(K.EVENT_MODULE_CHANGE, K.SUBEVENT_MODULE_LOADED, _ModuleChange(m.name, m.ver))
        return m

    def set_attribs(self, ctx: Ctx, name: str, ver: int, apiver: int) -> int:
        """RedisModule_Init: refuses a name in use or a second call."""
        m = ctx.module
        if m is None or m.name or not ctx.onload:
            return K.ERR
        if name in self.modules or (self.loading is not None and self.loading is not m and
                                    self.loading.name == name):
            return K.ERR
        m.name = name
        m.ver = ver
        m.apiver = apiver
        return K.OK

    def _rollback(self, m: Module) -> None:
        srv = self.srv
        for cmd in m.commands:
            self._remove_command(cmd)
        m.commands.clear()
        for t in m.types:
            self.types_by_name.pop(t.name, None)
        m.types.clear()
        from moredis.module.configs import unregister_all

        unregister_all(self, m)
        for ev in list(m.event_subs):
            self._unsubscribe_event(m, ev)
        m.keyspace_subs.clear()
        self._recompute_keyspace()
        for f in list(m.filters):
            self.unregister_filter(f)
        for t in list(m.timers):
            t.cancel()
        m.timers.clear()
        for cat in m.acl_categories:
            self.acl_categories.pop(cat, None)
        for name in m.exported:
            srv.shared_apis.pop(name, None) if hasattr(srv, "shared_apis") else None

    def unload(self, name: str) -> None:
        """moduleUnload with Redis's refusals."""
        m = self.modules.get(name)
        if m is None:
            raise RedisError("ERR Error unloading module: no such module with that name")
        if m.types:
            raise RedisError("ERR Error unloading module: the module exports one or more module-side "
                             "data types, can't unload")
        if any(m.name in o.using for o in self.modules.values() if o is not m):
            raise RedisError("ERR Error unloading module: the module exports APIs used by other modules. "
                             "Please unload them first and try again")
        if m.blocked_clients:
            raise RedisError("ERR Error unloading module: the module has blocked clients. Please wait for "
                             "them to be unblocked and try again")
        if m.timers:
            raise RedisError("ERR Error unloading module: the module holds timer that is not fired. Please "
                             "stop the timer or wait until it fires.")
        onunload = getattr(m.py, "on_unload", None) or getattr(m.py, "RedisModule_OnUnload", None)
        if onunload is not None:
            ctx = Ctx(self.srv, m, self.fake_client(2))
            try:
                rc = onunload(ctx)
            except Exception as e:
                self.srv.log.warning(f"Module {name} OnUnload failed: {e!r}")
                rc = K.ERR
            finally:
                ctx._finish()
                self.release_fake_client(ctx.client)
            if rc == K.ERR:
                self.srv.log.warning(f"Module {name} OnUnload failed.  Unload canceled.")
                raise RedisError("ERR Error unloading module: operation not possible.")
        self._rollback(m)
        from moredis.module.acl import module_unloaded

        module_unloaded(self.srv, m)  # its auth callbacks go, clients it authenticated are closed
        for o in self.modules.values():
            o.using.discard(m.name)
        del self.modules[name]
        self.srv.log.notice(f"Module {name} unloaded")
        self.fire(K.EVENT_MODULE_CHANGE, K.SUBEVENT_MODULE_UNLOADED, _ModuleChange(m.name, m.ver))

    # --- commands -----------------------------------------------------------------------
    def _parse_flags(self, strflags: str) -> tuple[list[str], set[str]] | None:
        flags: list[str] = ["module"]
        extra: set[str] = set()
        for w in (strflags or "").split():
            w = w.lower()
            if w not in _CMD_FLAGS:
                return None
            f = _CMD_FLAGS[w]
            if f is None:
                continue
            if f in ("getkeys-api", "getchannels-api", "no-cluster"):
                extra.add(f)
            else:
                flags.append(f)
        return flags, extra

    def make_handler(self, m: Module, fn: Any) -> Any:
        srv = self.srv

        def handler(c: Any, argv: list[bytes]) -> None:
            ctx = Ctx(srv, m, c, argv)
            try:
                fn(ctx, argv)
            finally:
                ctx._finish()
                if srv.propagators and srv.current_client is c and srv.prop_override is None:
                    srv.prop_override = []  # a module command replicates only what it asks to
                    srv.tail_pending = True

        handler.module_fn = fn  # type: ignore[attr-defined]
        return handler

    def create_command(self, ctx: Ctx, name: str, fn: Any, strflags: str, firstkey: int, lastkey: int,
                       keystep: int) -> int:
        """RM_CreateCommand: only during on_load; a None fn makes a container for subcommands."""
        m = ctx.module
        if m is None or not ctx.onload or self.loading is not m:
            return K.ERR
        return self._create(m, None, name, fn, strflags, firstkey, lastkey, keystep)

    def create_subcommand(self, m: Module, parent: R.Command, name: str, fn: Any, strflags: str,
                          firstkey: int, lastkey: int, keystep: int) -> int:
        """RM_CreateSubcommand: one level only, under a container (fn None) of the same module."""
        if self.loading is not m or parent.module is not m:
            return K.ERR
        if parent.handler is not None or parent.parent is not None:
            return K.ERR
        return self._create(m, parent, name, fn, strflags, firstkey, lastkey, keystep)

    def _create(self, m: Module, parent: R.Command | None, name: str, fn: Any, strflags: str,
                firstkey: int, lastkey: int, keystep: int) -> int:
        if not name or any(ch in name for ch in " \r\n"):
            return K.ERR
        parsed = self._parse_flags(strflags)
        if parsed is None:
            return K.ERR
        flags, extra = parsed
        if parent is not None and fn is None:
            return K.ERR  # a subcommand cannot be a container
        lname = name.lower()
        table = self.srv.table
        if parent is None and lname.encode() in table:
            return K.ERR
        if parent is not None and parent.subcommands is not None and lname.encode() in parent.subcommands:
            return K.ERR
        spec: dict = {"arity": -1 if fn is not None else -2, "flags": flags, "first_key": firstkey,
                      "last_key": lastkey, "step": keystep, "acl": [], "tips": [], "key_specs": [],
                      "summary": "", "group": "module", "module": m.name}
        if firstkey:
            # RM_CreateCommand: the legacy triple becomes one range spec with full access
            spec["key_specs"] = [{"flags": ["RW", "access", "update"],
                                  "begin_search": {"type": "index", "spec": {"index": firstkey}},
                                  "find_keys": {"type": "range", "spec": {
                                      "lastkey": lastkey - firstkey if lastkey >= 0 else lastkey,
                                      "keystep": keystep, "limit": 0}}}]
        fullname = lname if parent is None else f"{parent.name}|{lname}"
        handler = self.make_handler(m, fn) if fn is not None else None
        cmd = R.Command(fullname, spec, handler, parent=parent, module=m)
        cmd.extra_flags = extra
        if "getkeys-api" in extra:
            from moredis.module.commandinfo import keys_via_api

            cmd.getkeys = lambda argv, _fn=fn, _m=m: keys_via_api(self, _m, _fn, argv)
            cmd.flags |= R.MOVABLE_KEYS
        if "getchannels-api" in extra:
            from moredis.module.commandinfo import channels_via_api

            self.channel_getters[cmd] = lambda argv, _fn=fn, _m=m: channels_via_api(self, _m, _fn, argv)
        if fn is None:
            cmd.subcommands = {}
        if parent is None:
            table[lname.encode()] = cmd
            table[lname.upper().encode()] = cmd
        else:
            if parent.subcommands is None:
                parent.subcommands = {}
            parent.subcommands[lname.encode()] = cmd
        m.commands.append(cmd)
        cmd.id = len(table)
        return K.OK

    def get_command_channels(self, cmd: R.Command, argv: list[bytes]) -> list[tuple[int, int]] | None:
        """For ACL channel checks: (position, CMD_CHANNEL_* flags) of the channels a
        getchannels-api module command names, None for other commands."""
        fn = self.channel_getters.get(cmd)
        return fn(argv) if fn is not None else None

    def _remove_command(self, cmd: R.Command) -> None:
        self.channel_getters.pop(cmd, None)
        table = self.srv.table
        if cmd.parent is None:
            for k in (cmd.name.encode(), cmd.name.upper().encode()):
                if table.get(k) is cmd:
                    del table[k]
        elif cmd.parent.subcommands is not None:
            cmd.parent.subcommands.pop(cmd.name.encode(), None)

    def get_module_command(self, m: Module, name: str) -> Any:
        """RM_GetCommand: a handle on a command of module m ("name" or "parent|sub")."""
        from moredis.module.commandinfo import Command

        parts = name.lower().encode().split(b"|")
        cmd = self.srv.table.get(parts[0])
        if cmd is not None and len(parts) == 2:
            cmd = cmd.subcommands.get(parts[1]) if cmd.subcommands is not None else None
        elif len(parts) > 2:
            cmd = None
        if cmd is None or m is None or cmd.module is not m:
            return None
        return Command(self, m, cmd)

    def add_acl_category(self, ctx: Ctx, name: str) -> int:
        if not ctx.onload or not name or any(not (ch.isalnum() or ch in "-_") for ch in name):
            return K.ERR
        if name in self.acl_categories or name in _CORE_ACL_CATEGORIES:
            return K.ERR
        self.acl_categories[name] = ctx.module
        ctx.module.acl_categories.append(name)
        return K.OK

    # --- data types -------------------------------------------------------------------
    def create_data_type(self, ctx: Ctx, name: str, encver: int, methods: Any) -> ModuleType | None:
        m = ctx.module
        if m is None or not ctx.onload:
            return None
        if not encode_type_id(name, encver):
            self.srv.log.warning(f"Invalid module type name or encoding version for '{name}'")
            return None
        if name in self.types_by_name:
            self.srv.log.warning(f"Module type name '{name}' is already in use")
            return None
        tm = TypeMethods.of(methods)
        mt = ModuleType(name, encver, m, tm)
        self.types_by_name[name] = mt
        m.types.append(mt)
        self.srv.on_delete = _module_value_deleted
        return mt

    # --- fake clients -------------------------------------------------------------------
    def fake_client(self, resp: int = 2) -> Any:
        """An internal client for RM_Call and callbacks, from a small pool."""
        from moredis.protocol.writer import CaptureWriter

        srv = self.srv
        if self._fake_pool:
            c = self._fake_pool.pop()
            c.w = CaptureWriter(resp, srv.record_error)
            c.out = c.w.out
            c.resp = resp
            c.db = srv.dbs[0]
            return c
        c = srv.new_client(None, CaptureWriter(resp, srv.record_error))
        c.authenticated = True
        c.is_fake = True  # type: ignore[attr-defined]
        c.refresh_guard()
        return c

    def release_fake_client(self, c: Any) -> None:
        if c is None or c.conn is not None or len(self._fake_pool) > 32:
            return
        c.blocked = None
        c.multi = None
        c.in_script = False
        c.deny_blocking = False
        c.user = self.srv.acl.default_user
        c.cmd = None
        c.argv = None
        self._fake_pool.append(c)

    # --- keyspace notifications ---------------------------------------------------------
    def subscribe_keyspace(self, m: Module, types_mask: int, cb: Any) -> int:
        m.keyspace_subs.append((types_mask, cb))
        self._recompute_keyspace()
        return K.OK

    def _recompute_keyspace(self) -> None:
        srv = self.srv
        mask = 0
        for m in list(self.modules.values()) + ([self.loading] if self.loading is not None else []):
            for t, _ in m.keyspace_subs:
                mask |= t
        srv.module_notify_mask = mask
        srv._recompute_notify_mask()
        if self._on_keyspace not in srv.keyspace_listeners:
            srv.keyspace_listeners.append(self._on_keyspace)

    def _on_keyspace(self, cls: int, event: str, key: bytes, dbid: int) -> None:
        """moduleNotifyKeyspaceEvent: every subscriber whose mask matches, nested calls
        suppressed unless the module allows them."""
        srv = self.srv
        mods = list(self.modules.values())
        if self.loading is not None:
            mods.append(self.loading)
        for m in mods:
            for mask, cb in list(m.keyspace_subs):
                if not mask & cls:
                    continue
                if self.in_notification and not m.options & K.OPTIONS_ALLOW_NESTED_KEYSPACE_NOTIFICATIONS:
                    continue
                c = self.fake_client(2)
                c.db = srv.dbs[dbid]
                ctx = Ctx(srv, m, c)
                self.in_notification += 1
                try:
                    cb(ctx, cls, event, key)
                except Exception as e:
                    srv.log.warning(f"<{m.name}> keyspace notification callback failed: {e!r}")
                finally:
                    self.in_notification -= 1
                    ctx._finish()
                    self.release_fake_client(c)
        if not self.in_notification and self.post_jobs and srv.current_client is None:
            if cls & K.NOTIFY_EXPIRED:
                # active expiry: the DEL is propagated right after this notification; the
                # jobs run once it joined the unit (expire_propagated), as
                # deleteExpiredKeyAndPropagate ends its own execution unit
                if not self._expire_unit:
                    self._expire_unit = True
                    self.prop.begin()
                    if srv.loop is not None:
                        srv.loop.call_soon(self._finish_expire_unit)  # no DEL came (no propagation)
            else:
                self.prop.begin()
                try:
                    self.run_post_jobs()
                finally:
                    self.prop.end()

    def expire_propagated(self, db: Any, key: bytes) -> bool:
        """server.propagate_expire while a unit is open: the DEL joins it. True when taken."""
        srv = self.srv
        took = bool(srv.propagators) and self.prop.capture(db.id, [[b"DEL", key]])
        if self._expire_unit and srv.current_client is None:
            self._finish_expire_unit()
        return took

    def _finish_expire_unit(self) -> None:
        if not self._expire_unit:
            return
        self._expire_unit = False
        try:
            self.run_post_jobs()
        finally:
            self.prop.end()

    def add_post_job(self, m: Module, fn: Any, data: Any, free_data: Any) -> int:
        """RM_AddPostNotificationJob: fn(ctx, data) once the current notification and the
        command (or expiry) that caused it are done, in the same execution unit."""
        if self.srv.loading and not self.in_notification:
            return K.ERR
        self.post_jobs.append((m, fn, data, free_data))
        self.srv.tail_pending = True
        if self.srv.current_client is not None:
            self.prop.open()  # the command's own propagation joins the unit, the jobs' after it
        return K.OK

    def run_post_jobs(self) -> None:
        """Jobs queued by notification callbacks run after the command, each in its own
        context, and their effects replicate after the command's (postExecutionUnit)."""
        self.prop.begin()  # one unit with what caused them: nested calls must not flush it
        try:
            self._run_post_jobs()
        finally:
            self.prop.end()

    def _run_post_jobs(self) -> None:
        srv = self.srv
        while self.post_jobs:
            jobs = self.post_jobs
            self.post_jobs = []
            for m, fn, data, free_data in jobs:
                c = self.fake_client(2)
                ctx = Ctx(srv, m, c)
                try:
                    fn(ctx, data)
                except Exception as e:
                    srv.log.warning(f"<{m.name}> post-notification job failed: {e!r}")
                finally:
                    ctx._finish()
                    self.release_fake_client(c)
                    if free_data is not None:
                        free_data(data)

    # --- server events -------------------------------------------------------------------
    def subscribe_event(self, m: Module, event: int, cb: Any) -> int:
        if not 0 <= event < K._EVENT_NEXT:
            return K.ERR  # ReplBackup is accepted (and never fired), as in Redis
        if cb is None:
            self._unsubscribe_event(m, event)
            return K.OK
        self._unsubscribe_event(m, event)
        m.event_subs[event] = cb
        self.event_subs.setdefault(event, []).append((m, cb))
        if event == K.EVENT_CRON_LOOP and self._cron_event not in self.srv.cron_hooks:
            self.srv.cron_hooks.append(self._cron_event)
        if event == K.EVENT_KEY:
            self.srv.key_event_hook = self._key_event
        if event == K.EVENT_EVENTLOOP:
            self.srv.eventloop_hook = self._eventloop_wake
            if self._eventloop_wake not in self.srv.cron_hooks:
                self.srv.cron_hooks.append(self._eventloop_wake)
        return K.OK

    def _unsubscribe_event(self, m: Module, event: int) -> None:
        m.event_subs.pop(event, None)
        subs = self.event_subs.get(event)
        if subs:
            self.event_subs[event] = [(mm, cb) for mm, cb in subs if mm is not m]
            if not self.event_subs[event]:
                del self.event_subs[event]
                if event == K.EVENT_KEY:
                    self.srv.key_event_hook = None
                elif event == K.EVENT_EVENTLOOP:
                    self.srv.eventloop_hook = None
                    if self._eventloop_wake in self.srv.cron_hooks:
                        self.srv.cron_hooks.remove(self._eventloop_wake)
                elif event == K.EVENT_CRON_LOOP and self._cron_event in self.srv.cron_hooks:
                    self.srv.cron_hooks.remove(self._cron_event)

    def has_subscribers(self, event: int) -> bool:
        return event in self.event_subs

    def fire(self, event: int, sub: int, data: Any = None, dbid: int = 0) -> None:
        """moduleFireServerEvent: each subscribed module's callback, in its own context."""
        subs = self.event_subs.get(event)
        if not subs:
            return
        prop = self.prop
        prop.begin()
        try:
            self._fire_subs(subs, event, sub, data, dbid)
        finally:
            prop.end()

    def _fire_subs(self, subs: list, event: int, sub: int, data: Any, dbid: int) -> None:
        srv = self.srv
        for m, cb in list(subs):
            c = self.fake_client(2)
            c.db = srv.dbs[dbid] if 0 <= dbid < len(srv.dbs) else srv.dbs[0]
            ctx = Ctx(srv, m, c)
            try:
                cb(ctx, event, sub, data)
            except Exception as e:
                srv.log.warning(f"<{m.name}> server event callback failed: {e!r}")
            finally:
                ctx._finish()
                self.release_fake_client(c)

    def _cron_event(self) -> None:
        self.fire(K.EVENT_CRON_LOOP, 0, _CronLoop(self.srv.hz))

    def _key_event(self, sub: int, db: Any, key: bytes, value: Any) -> None:
        from moredis.module.key import Key

        k = Key(None, db, key, K.READ, value)  # type: ignore[arg-type]
        self.fire(K.EVENT_KEY, sub, _KeyInfo(k), db.id)

    def _eventloop_wake(self) -> None:
        """The loop woke up for an event (a read, the cron): AFTER_SLEEP now, BEFORE_SLEEP
        once the callbacks of this iteration are done (call_soon runs before the loop
        polls again), so each wake-up gives one pair without keeping the loop busy."""
        if self._awake:
            return
        self._awake = True
        self.fire(K.EVENT_EVENTLOOP, K.SUBEVENT_EVENTLOOP_AFTER_SLEEP)
        loop = self.srv.loop
        if loop is not None:
            loop.call_soon(self._before_sleep)

    def _before_sleep(self) -> None:
        self._awake = False
        gil = self.srv.gil
        if gil is not None:
            with gil:
                self.fire(K.EVENT_EVENTLOOP, K.SUBEVENT_EVENTLOOP_BEFORE_SLEEP)
        else:
            self.fire(K.EVENT_EVENTLOOP, K.SUBEVENT_EVENTLOOP_BEFORE_SLEEP)

    # server-side hook points ---------------------------------------------------------------
    # (persistence, replication and fork call these; each is a no-op unless subscribed)
    def swapdb(self, a: int, b: int) -> None:
        if K.EVENT_SWAPDB in self.event_subs:
            self.fire(K.EVENT_SWAPDB, 0, _SwapDbInfo(a, b))

    def config_changed(self, names: list[str]) -> None:
        """CONFIG SET succeeded: the Config event with the names, as given, lowercased."""
        if K.EVENT_CONFIG in self.event_subs:
            self.fire(K.EVENT_CONFIG, K.SUBEVENT_CONFIG_CHANGE, _ConfigChange(names))

    def shutting_down(self) -> None:
        if K.EVENT_SHUTDOWN in self.event_subs:
            self.fire(K.EVENT_SHUTDOWN, 0)

    def fire_persistence(self, sub: int) -> None:
        """Persistence: RDB_START / AOF_START (a child starts), SYNC_RDB_START / SYNC_AOF_START
        (SAVE, DEBUG RELOAD ...), ENDED, FAILED."""
        if K.EVENT_PERSISTENCE in self.event_subs:
            self.fire(K.EVENT_PERSISTENCE, sub)

    def fire_loading(self, sub: int) -> None:
        """Loading: RDB_START / AOF_START / REPL_START before loading, ENDED or FAILED after."""
        if K.EVENT_LOADING in self.event_subs:
            self.fire(K.EVENT_LOADING, sub)

    def fire_loading_progress(self, sub: int, progress: int) -> None:
        """LoadingProgress: RDB or AOF, progress 0..1024 (-1 unknown), while loading."""
        if K.EVENT_LOADING_PROGRESS in self.event_subs:
            self.fire(K.EVENT_LOADING_PROGRESS, sub, _LoadingProgress(self.srv.hz, progress))

    def fire_fork_child(self, sub: int) -> None:
        """ForkChild: BORN after fork() in the parent, DIED when the child is reaped."""
        if K.EVENT_FORK_CHILD in self.event_subs:
            self.fire(K.EVENT_FORK_CHILD, sub)

    def fire_role_changed(self, sub: int, info: Any) -> None:
        """ReplicationRoleChanged (with replication): NOW_MASTER / NOW_REPLICA and a
        ReplicationInfo."""
        if K.EVENT_REPLICATION_ROLE_CHANGED in self.event_subs:
            self.fire(K.EVENT_REPLICATION_ROLE_CHANGED, sub, info)

    def fire_replica_change(self, sub: int) -> None:
        if K.EVENT_REPLICA_CHANGE in self.event_subs:
            self.fire(K.EVENT_REPLICA_CHANGE, sub)

    def fire_master_link(self, sub: int) -> None:
        if K.EVENT_MASTER_LINK_CHANGE in self.event_subs:
            self.fire(K.EVENT_MASTER_LINK_CHANGE, sub)

    def fire_repl_async_load(self, sub: int) -> None:
        if K.EVENT_REPL_ASYNC_LOAD in self.event_subs:
            self.fire(K.EVENT_REPL_ASYNC_LOAD, sub)

    def client_connected(self, c: Any) -> None:
        if K.EVENT_CLIENT_CHANGE in self.event_subs:
            self.fire(K.EVENT_CLIENT_CHANGE, K.SUBEVENT_CLIENT_CHANGE_CONNECTED, _client_info(c))

    def client_closed(self, c: Any) -> None:
        from moredis.module.blocking import client_gone

        client_gone(self, c)
        if K.EVENT_CLIENT_CHANGE in self.event_subs and c.conn is not None:
            self.fire(K.EVENT_CLIENT_CHANGE, K.SUBEVENT_CLIENT_CHANGE_DISCONNECTED, _client_info(c))

    def flushed(self, dbid: int, start: bool = False, sync: bool = True) -> None:
        if K.EVENT_FLUSHDB in self.event_subs:
            # moduleFireServerEvent selects the flushed db (when it is one) for the callback
            self.fire(K.EVENT_FLUSHDB, K.SUBEVENT_FLUSHDB_START if start else K.SUBEVENT_FLUSHDB_END,
                      _FlushInfo(1 if sync else 0, dbid), max(dbid, 0))

    # --- command filters (F15) -------------------------------------------------------------
    def register_filter(self, m: Module, cb: Any, flags: int) -> Any:
        from moredis.module.filters import CommandFilter

        f = CommandFilter(m, cb, flags)
        self.filters.append(f)
        m.filters.append(f)
        self.srv.command_filters = self.filters
        return f

    def unregister_filter(self, f: Any) -> int:
        if f not in self.filters:
            return K.ERR
        self.filters.remove(f)
        f.module.filters.remove(f)
        if not self.filters:
            self.srv.command_filters = None
        return K.OK

    def run_filters(self, c: Any, argv: list[bytes], from_module: Any = None, from_module_call: bool = False,
                    **_: Any) -> list[bytes]:
        from moredis.module.filters import run_filters

        return run_filters(self, c, argv, from_module)


# --- event data structures (RedisModule*Info), attribute names as in C -------------------------

class _ModuleChange:
    __slots__ = ("module_name", "module_version", "version")

    def __init__(self, name: str, ver: int) -> None:
        self.version = 1
        self.module_name = name
        self.module_version = ver


class _CronLoop:
    __slots__ = ("hz", "version")

    def __init__(self, hz: int) -> None:
        self.version = 1
        self.hz = hz


class _FlushInfo:
    __slots__ = ("dbnum", "sync", "version")

    def __init__(self, sync: int, dbnum: int) -> None:
        self.version = 1
        self.sync = sync
        self.dbnum = dbnum


class _SwapDbInfo:
    __slots__ = ("dbnum_first", "dbnum_second", "version")

    def __init__(self, a: int, b: int) -> None:
        self.version = 1
        self.dbnum_first = a
        self.dbnum_second = b


class _ConfigChange:
    __slots__ = ("config_names", "num_changes", "version")

    def __init__(self, names: list[str]) -> None:
        self.version = 1
        self.num_changes = len(names)
        self.config_names = names


class _LoadingProgress:
    __slots__ = ("hz", "progress", "version")

    def __init__(self, hz: int, progress: int) -> None:
        self.version = 1
        self.hz = hz
        self.progress = progress


class ReplicationInfo:
    """RedisModuleReplicationInfo (for the replication engineer to fill)."""

    __slots__ = ("master", "masterhost", "masterport", "repl1_offset", "repl2_offset", "replid1", "replid2",
                 "version")

    def __init__(self, master: bool, masterhost: str, masterport: int, replid1: str, replid2: str,
                 repl1_offset: int, repl2_offset: int) -> None:
        self.version = 1
        self.master = master
        self.masterhost = masterhost
        self.masterport = masterport
        self.replid1 = replid1
        self.replid2 = replid2
        self.repl1_offset = repl1_offset
        self.repl2_offset = repl2_offset


class _KeyInfo:
    __slots__ = ("key", "version")

    def __init__(self, key: Any) -> None:
        self.version = 1
        self.key = key


class ClientInfo:
    """RedisModuleClientInfo."""

    __slots__ = ("addr", "db", "flags", "id", "port", "version")

    def __init__(self, flags: int, cid: int, addr: str, port: int, db: int) -> None:
        self.version = 1
        self.flags = flags
        self.id = cid
        self.addr = addr
        self.port = port
        self.db = db


def _client_info(c: Any) -> ClientInfo:
    flags = 0
    if c.channels or c.patterns or c.shard_channels:
        flags |= K.CLIENTINFO_FLAG_PUBSUB
    if c.blocked is not None:
        flags |= K.CLIENTINFO_FLAG_BLOCKED
    if c.tracking is not None:
        flags |= K.CLIENTINFO_FLAG_TRACKING
    if c.unix:
        flags |= K.CLIENTINFO_FLAG_UNIXSOCKET
    if c.multi is not None:
        flags |= K.CLIENTINFO_FLAG_MULTI
    host, _, port = (c.addr or "").rpartition(":")
    try:
        p = int(port)
    except ValueError:
        p = 0
    return ClientInfo(flags, c.id, host, p, c.db.id)


def _module_value_deleted(db: Any, key: bytes, value: Any) -> None:
    """Free/unlink callbacks of module values leaving the keyspace."""
    from moredis.module.datatype import KeyOptCtx, ModuleValue

    if type(value) is not ModuleValue:
        return
    m = value.mtype.methods
    try:
        if m.unlink2 is not None:
            m.unlink2(KeyOptCtx(key, db.id), value.value)
        elif m.unlink is not None:
            m.unlink(key, value.value)
        if m.free is not None:
            m.free(value.value)
    except Exception as e:  # pragma: no cover - module bug
        db.srv.log.warning(f"module type {value.mtype.name} free/unlink failed: {e!r}")


_CORE_ACL_CATEGORIES = {"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
                        "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
                        "dangerous", "connection", "transaction", "scripting"}
