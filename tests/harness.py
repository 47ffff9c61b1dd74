"""The in-process harness: run commands against a RedisServer with no sockets.

    h = Harness()
    assert h("set", "k", "v") == b"OK"
    assert h("get", "k") == b"v"
    h.raw("get", "k")  -> the captured Reply tree (kinds tell bulk from simple)

Errors come back as `Err(text)` so tests can compare them like values.
"""

from __future__ import annotations

from moredis.protocol.writer import Reply
from moredis.server.server import RedisServer


class Err(str):
    pass


def to_value(node: Reply):
    if node.kind == "error":
        return Err(node.value)
    if node.kind in ("array", "set", "push"):
        return [to_value(x) for x in node.value]
    if node.kind in ("map", "attribute"):
        v = node.value
        return {_h(to_value(v[i])): to_value(v[i + 1]) for i in range(0, len(v), 2)}
    if node.kind in ("null", "null_array"):
        return None
    return node.value


def _h(x):
    return tuple(x) if isinstance(x, list) else x


_FILES_DIR: str | None = None


def _files_dir() -> str:
    """A private directory for each harness server's files (SAVE, FLUSHALL with the
    default save points, DEBUG RELOAD write dump.rdb): never the working directory, and
    never another harness's (a leftover dump.rdb would leak keys into it)."""
    global _FILES_DIR
    import tempfile

    if _FILES_DIR is None:
        import atexit
        import shutil

        _FILES_DIR = tempfile.mkdtemp(prefix="moredis-harness-")
        atexit.register(shutil.rmtree, _FILES_DIR, True)
    return tempfile.mkdtemp(dir=_FILES_DIR)


class Harness:
    def __init__(self, resp: int = 2) -> None:
        self.srv = RedisServer()
        self.srv.config.values["dir"] = _files_dir()  # set directly: no chdir of the test process
        self.client = self.srv.internal_client(resp)

    def raw(self, *args) -> Reply:
        argv = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        self.srv.process_command(self.client, argv)
        w = self.client.w
        return w.take()

    def __call__(self, *args):
        return to_value(self.raw(*args))
