"""`moredis.Server`: a real server in a background thread, for tests and local tools.

    with moredis.Server() as srv:
        r = redis.Redis(port=srv.port)

It listens on 127.0.0.1 on a free port unless told otherwise; keyword arguments are
redis.conf directives with '_' for '-' (`Server(maxmemory="10mb", notify_keyspace_events="KEA")`).
Without a `dir`, its files (SAVE, DEBUG RELOAD, AOF) go to a private temporary directory
removed at stop, never into the caller's working directory.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from typing import Any

from moredis.cli import Startup, apply_directives, new_event_loop


class Server:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, builtin_modules: bool = True,
                 loglevel: str = "warning", quiet: bool = True, **directives: Any) -> None:
        self.host = host
        self._want_port = port
        self._directives = directives
        self._builtin = builtin_modules
        self._loglevel = loglevel
        self._quiet = quiet
        self.core: Any = None  # the RedisServer, for in-process inspection
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.port = 0
        self._tmpdir: str | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}"

    def _startup(self) -> Startup:
        st = Startup()
        st.config.chdir = False  # the caller's working directory is not ours to change
        items: list[tuple[str, list[str], int]] = [
            ("bind", [self.host], 0), ("port", [str(self._want_port)], 0),
            ("loglevel", [self._loglevel], 0), ("save", [""], 0),
            ("enable-debug-command", ["yes"], 0), ("enable-module-command", ["yes"], 0),
        ]
        if "dir" not in self._directives:
            self._tmpdir = tempfile.mkdtemp(prefix="moredis-embedded-")
            items.append(("dir", [self._tmpdir], 0))
        for k, v in self._directives.items():
            name = k.replace("_", "-")
            if name == "loadmodule":
                for spec in v if isinstance(v, list) else [v]:
                    parts = spec.split() if isinstance(spec, str) else list(spec)
                    items.append(("loadmodule", parts, 0))
                continue
            args = [str(x) for x in v] if isinstance(v, list | tuple) else [
                ("yes" if v else "no") if isinstance(v, bool) else str(v)]
            items.append((name, args, 0))
        st.builtin_modules = self._builtin
        apply_directives(st, items, [])
        return st

    def start(self) -> Server:
        st = self._startup()

        def run() -> None:
            from moredis.cli import build_server
            from moredis.server.admin import after_start

            loop = new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                srv = build_server(st)
                if "dir" not in self._directives and srv.rdb is not None:
                    srv.rdb.load_on_start = False  # only a server given a dir reads its dump.rdb
                srv.bind_explicit = True
                srv.log.quiet = self._quiet
                srv.ephemeral_port = self._want_port == 0
                self.core = srv

                async def main() -> None:
                    await srv.start()
                    await after_start(srv, st)
                    self.port = srv.port
                    self._ready.set()
                    await srv.wait_stopped()
                    await srv.close()

                loop.run_until_complete(main())
            except BaseException as e:  # surfaced to the starting thread
                self._error = e
                self._ready.set()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="moredis", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            self._remove_tmpdir()
            raise RuntimeError(f"moredis failed to start: {self._error!r}") from self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self.core is not None and self._thread is not None:
            try:
                self._loop.call_soon_threadsafe(self.core.request_stop)
            except RuntimeError:
                pass
            self._thread.join(10)
        self._thread = None
        self._remove_tmpdir()

    def _remove_tmpdir(self) -> None:
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def call_in_loop(self, fn: Any, *args: Any) -> Any:
        """Run fn(*args) on the server's thread and return its result (test helper)."""
        assert self._loop is not None
        fut: Any = asyncio.run_coroutine_threadsafe(_as_coro(fn, *args), self._loop)
        return fut.result(30)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


async def _as_coro(fn: Any, *args: Any) -> Any:
    return fn(*args)
