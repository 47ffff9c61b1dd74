"""Command specs as data, and the table the dispatcher reads.

Each core command has one spec in `specs/<group>.json` (facts read off Redis's COMMAND
INFO/DOCS by tools/specgen.py, with our own one-line summary) and one handler,
registered with `@command("name")` (subcommands as "container|sub"). `build_table()`
joins them and fails if either side is missing. Module commands create `Command`
objects the same way at runtime (module/ does that), so dispatch, arity, ACL, COMMAND
INFO/DOCS/GETKEYS/LIST all read one structure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

# --- flags (server.h CMD_*) ---------------------------------------------------------------
WRITE = 1 << 0
READONLY = 1 << 1
DENYOOM = 1 << 2
MODULE = 1 << 3
ADMIN = 1 << 4
PUBSUB = 1 << 5
NOSCRIPT = 1 << 6
BLOCKING = 1 << 8
LOADING = 1 << 9
STALE = 1 << 10
SKIP_MONITOR = 1 << 11
SKIP_SLOWLOG = 1 << 12
ASKING = 1 << 13
FAST = 1 << 14
NO_AUTH = 1 << 15
MAY_REPLICATE = 1 << 16
SENTINEL = 1 << 17
ONLY_SENTINEL = 1 << 18
NO_MANDATORY_KEYS = 1 << 19
PROTECTED = 1 << 20
MODULE_GETKEYS = 1 << 21
MODULE_NO_CLUSTER = 1 << 22
NO_ASYNC_LOADING = 1 << 23
NO_MULTI = 1 << 24
MOVABLE_KEYS = 1 << 25
ALLOW_BUSY = 1 << 26
MODULE_GETCHANNELS = 1 << 27
TOUCHES_ARBITRARY_KEYS = 1 << 28

FLAG_NAMES: dict[str, int] = {
    "write": WRITE, "readonly": READONLY, "denyoom": DENYOOM, "module": MODULE, "admin": ADMIN,
    "pubsub": PUBSUB, "noscript": NOSCRIPT, "blocking": BLOCKING, "loading": LOADING,
    "stale": STALE, "skip_monitor": SKIP_MONITOR, "skip_slowlog": SKIP_SLOWLOG,
    "asking": ASKING, "fast": FAST, "no_auth": NO_AUTH, "may_replicate": MAY_REPLICATE,
    "sentinel": SENTINEL, "only_sentinel": ONLY_SENTINEL, "no_mandatory_keys": NO_MANDATORY_KEYS,
    "protected": PROTECTED, "module_no_cluster": MODULE_NO_CLUSTER,
    "no_async_loading": NO_ASYNC_LOADING, "no_multi": NO_MULTI, "movablekeys": MOVABLE_KEYS,
    "allow_busy": ALLOW_BUSY, "touches_arbitrary_keys": TOUCHES_ARBITRARY_KEYS,
}
# the order Redis prints flags in COMMAND INFO (server.c addReplyCommandFlags)
FLAG_ORDER = ["write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
              "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
              "may_replicate", "no_mandatory_keys", "no_async_loading", "no_multi", "movablekeys",
              "allow_busy"]

Handler = Callable[[Any, list[bytes]], Any]


class Command:
    """A command or subcommand: its spec, handler, flags bitmask and statistics."""

    __slots__ = (
        "acl",
        "arity",
        "calls",
        "extra_flags",
        "failed_calls",
        "first_key",
        "flags",
        "fullname",
        "getkeys",
        "handler",
        "id",
        "key_specs",
        "last_key",
        "latency_hist",
        "module",
        "name",
        "parent",
        "rejected_calls",
        "spec",
        "step",
        "subcommands",
        "usec",
    )

    def __init__(self, fullname: str, spec: dict, handler: Handler | None,
                 parent: Command | None = None, module: Any = None) -> None:
        self.fullname = fullname
        self.name = fullname.split("|")[-1]
        self.spec = spec
        self.handler = handler
        self.arity = spec["arity"]
        flags = 0
        for f in spec.get("flags", ()):
            flags |= FLAG_NAMES.get(f, 0)
        self.flags = flags
        self.first_key = spec.get("first_key", 0)
        self.last_key = spec.get("last_key", 0)
        self.step = spec.get("step", 0)
        self.key_specs = spec.get("key_specs", [])
        self.acl = spec.get("acl", [])
        self.subcommands: dict[bytes, Command] | None = None
        self.parent = parent
        self.module = module
        self.getkeys: Callable[[list[bytes]], list[int]] | None = None
        self.calls = 0
        self.usec = 0
        self.rejected_calls = 0
        self.failed_calls = 0
        self.id = 0
        self.extra_flags: set[str] = set()  # module-only flags (getkeys-api, getchannels-api, no-cluster)
        self.latency_hist: list | None = None  # calls per usec, for INFO latencystats (server/latency.py)

    def __repr__(self) -> str:
        return f"<Command {self.fullname}>"

    def has(self, flag: int) -> bool:
        return bool(self.flags & flag)

    def flag_names(self) -> list[str]:
        names = [n for n in FLAG_ORDER if self.flags & FLAG_NAMES[n]]
        return names


# --- registration -------------------------------------------------------------------------
_HANDLERS: dict[str, Handler] = {}
_GETKEYS: dict[str, Callable[[list[bytes]], list[int]]] = {}


def command(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler for core command(s); the spec must exist in specs/*.json."""

    def deco(fn: Handler) -> Handler:
        for n in names:
            if n in _HANDLERS:
                raise RuntimeError(f"command {n} registered twice")
            _HANDLERS[n] = fn
        return fn

    return deco


def getkeys(*names: str):
    """Register a key-extraction function for commands with movable keys (COMMAND GETKEYS)."""

    def deco(fn):
        for n in names:
            _GETKEYS[n] = fn
        return fn

    return deco


SKIPPED_SPEC_FILES: list[str] = []  # spec files with no handler at all (work in progress)


def load_specs() -> dict[str, dict]:
    """All core specs by name, from every file under specs/.

    A file none of whose commands has a handler yet is skipped (and listed in
    SKIPPED_SPEC_FILES, which the test suite requires to be empty): a group being
    written does not stop the server; a half-written group does."""
    specs: dict[str, dict] = {}
    SKIPPED_SPEC_FILES.clear()
    pkg = resources.files("moredis.commands") / "specs"
    for entry in sorted(pkg.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        table = json.loads(entry.read_text())
        names = set(table)
        for spec in table.values():
            names.update(spec.get("subcommands", {}))
        if table and not names & set(_HANDLERS):
            SKIPPED_SPEC_FILES.append(entry.name)
            continue
        for name, spec in table.items():
            if name in specs:
                raise RuntimeError(f"spec {name} defined twice")
            specs[name] = spec
    return specs


def import_command_modules() -> None:
    """Import every commands/*.py so their @command decorators run."""
    import importlib
    import pkgutil

    import moredis.commands as pkg

    for m in pkgutil.iter_modules(pkg.__path__):
        if not m.name.startswith("_") and m.name not in ("registry", "args"):
            importlib.import_module(f"moredis.commands.{m.name}")


def build_table() -> dict[bytes, Command]:
    """The dispatch table, keyed by lowercase name. Fails on any spec/handler mismatch."""
    import_command_modules()
    specs = load_specs()
    table: dict[bytes, Command] = {}
    used: set[str] = set()
    missing: list[str] = []
    for name, spec in specs.items():
        cmd = Command(name, spec, _HANDLERS.get(name))
        if name in _HANDLERS:
            used.add(name)
        subs = spec.get("subcommands")
        if subs:
            cmd.subcommands = {}
            for full, sspec in subs.items():
                sub = Command(full, sspec, _HANDLERS.get(full), parent=cmd)
                if full in _HANDLERS:
                    used.add(full)
                else:
                    missing.append(full)
                sub.getkeys = _GETKEYS.get(full)
                cmd.subcommands[sub.name.encode()] = sub
        elif cmd.handler is None:
            missing.append(name)
        cmd.getkeys = _GETKEYS.get(name)
        if cmd.flags & MOVABLE_KEYS and cmd.getkeys is None and not subs:
            missing.append(f"{name} (getkeys)")
        table[name.encode()] = cmd
    extra = sorted(set(_HANDLERS) - used)
    if missing or extra:
        raise RuntimeError(f"command table mismatch: specs without handler {missing}, handlers without spec {extra}")
    for i, c in enumerate(table.values()):
        c.id = i
    return table
