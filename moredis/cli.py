"""The `moredis` command: redis-server's command line and config file handling.

    moredis [/path/to/redis.conf] [--port 6380] [--bind 127.0.0.1] [--loadmodule path args ...]

Options are redis.conf directives with `--` in front; a directive's arguments follow it
until the next `--`. A bad directive prints Redis's FATAL CONFIG FILE ERROR block and
exits with status 1. Neighbours: server/config.py (the directives), server/server.py.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from moredis.server.config import Config, ConfigError, parse_config_file_text
from moredis.version import REDIS_VERSION, __version__

EXTRA_DIRECTIVES = ("loadmodule", "include", "rename-command", "user", "moredis-builtin-modules")


class Startup:
    """What the command line asks for beyond plain configs."""

    def __init__(self) -> None:
        self.config = Config()
        self.modules: list[tuple[str, list[str]]] = []
        self.renames: list[tuple[str, str]] = []
        self.users: list[list[str]] = []
        self.config_file: str | None = None
        self.builtin_modules = True
        self.module_configs: dict[str, str] = {}  # `<module>.<name> value` lines, applied at load


def _fatal(lineno: int, line: str, msg: str) -> None:
    sys.stderr.write(
        f"\n*** FATAL CONFIG FILE ERROR (moredis {__version__}, Redis {REDIS_VERSION}) ***\n"
        f"Reading the configuration file, at line {lineno}\n>>> '{line}'\n{msg}\n")
    sys.exit(1)


def apply_directives(st: Startup, directives: list[tuple[str, list[str], int]], text_lines: list[str]) -> None:
    for name, args, lineno in directives:
        line = text_lines[lineno - 1].strip() if 0 < lineno <= len(text_lines) else " ".join([name, *args])
        try:
            if name == "loadmodule":
                if not args:
                    raise ConfigError("Bad directive or wrong number of arguments")
                st.modules.append((args[0], args[1:]))
            elif name == "include":
                if len(args) != 1:
                    raise ConfigError("Bad directive or wrong number of arguments")
                with open(args[0]) as f:
                    text = f.read()
                apply_directives(st, parse_config_file_text(text), text.splitlines())
            elif name == "rename-command":
                if len(args) != 2:
                    raise ConfigError("Bad directive or wrong number of arguments")
                st.renames.append((args[0], args[1]))
            elif name == "user":
                from moredis.acl.users import check_user_directive

                err = check_user_directive(args, st.users)  # ACLAppendUserForLoading
                if err is not None:
                    raise ConfigError(err)
                st.users.append(args)
            elif name == "moredis-builtin-modules":
                if len(args) != 1 or args[0].lower() not in ("yes", "no"):
                    raise ConfigError("argument must be 'yes' or 'no'")
                st.builtin_modules = args[0].lower() == "yes"
            elif "." in name and st.config.resolve(name) is None:
                st.module_configs[name.lower()] = " ".join(args)
            else:
                st.config.set_from_file(name, args)
        except ConfigError as e:
            _fatal(lineno, line, str(e))
        except OSError as e:
            _fatal(lineno, line, f"Fatal error, can't open config file '{args[0] if args else ''}': {e.strerror}")


def parse_command_line(argv: list[str]) -> Startup:
    st = Startup()
    text = ""
    i = 0
    if argv and not argv[0].startswith("--"):
        st.config_file = argv[0]
        i = 1
        try:
            if argv[0] == "-":
                text = sys.stdin.read()
            else:
                with open(argv[0]) as f:
                    text = f.read()
        except OSError as e:
            sys.stderr.write(f"Fatal error, can't open config file '{argv[0]}': {e.strerror}\n")
            sys.exit(1)
    options: list[list[str]] = []
    for a in argv[i:]:
        if a.startswith("--") and len(a) > 2:
            options.append([a[2:]])
        elif options:
            options[-1].append(a)
        else:
            _fatal(0, a, "Bad directive or wrong number of arguments")
    for opt in options:
        if opt[0] == "save" and len(opt) == 1:
            opt.append("")
        quoted = " ".join(_q(x) for x in opt)
        text += "\n" + quoted
    lines = text.splitlines()
    try:
        directives = parse_config_file_text(text)
    except ConfigError as e:
        _fatal(0, "", str(e))
    apply_directives(st, directives, lines)
    if st.config_file and st.config_file != "-":
        st.config_file = os.path.abspath(st.config_file)
    return st


def _q(s: str) -> str:
    if s == "" or any(ch in s for ch in " \"'\t\\"):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        return asyncio.new_event_loop()


def build_server(st: Startup) -> Any:
    from moredis.server.server import RedisServer

    srv = RedisServer(st.config)
    srv.config_file = st.config_file
    srv.log.configure(level=st.config["loglevel"], path=st.config["logfile"])
    srv.startup = st
    srv.bind_explicit = True
    for old, new in st.renames:
        from moredis.server.admin import rename_command

        rename_command(srv, old, new)
    from moredis.acl.users import load_startup_users
    from moredis.server.admin import load_startup_modules

    srv.preload_hooks.append(lambda: load_startup_modules(srv, st))
    srv.preload_hooks.append(lambda: load_startup_users(srv, st))  # after modules, as ACLLoadUsersAtStartup
    return srv


async def serve(srv: Any, st: Startup) -> None:
    await srv.start()
    srv.install_signal_handlers()
    srv.banner()
    from moredis.server.admin import after_start

    await after_start(srv, st)
    await srv.wait_stopped()
    await srv.close()


def tune_malloc() -> None:
    """Pin glibc's mmap threshold at 128 KB. By default it grows after big blocks are
    freed (dict tables, reply buffers), and later big blocks then come from the heap
    and stay in RSS after they are freed: with a million keys that is ~40 MB."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-v", "--version"):
        print(f"moredis v={__version__} redis_version={REDIS_VERSION} python={sys.version.split()[0]}")
        return 0
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if args and args[0] in ("check-aof", "check-rdb"):
        from moredis.persistence import check

        return check.main(args)
    st = parse_command_line(args)
    tune_malloc()
    srv = build_server(st)
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(serve(srv, st))
    except OSError as e:
        srv.log.warning(f"Failed listening on port {st.config['port']} (tcp), aborting: {e.strerror}")
        return 1
    except Exception as e:
        from moredis.server.admin import StartupError

        if isinstance(e, StartupError):
            return 1
        raise
    finally:
        loop.close()
    return 0
