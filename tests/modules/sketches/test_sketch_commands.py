"""The sketches of the `bf` module inside a running moredis (redis-py): what the commands
replicate (the command verbatim, and nothing for reads or refusals), MULTI, the short
TOPK.INCRBY array inside a script, the AOF rewrite callbacks (RESTORE of the DUMP),
several servers in one process, and the import rule of built-in modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import redis

import moredis

ROOT = Path(__file__).resolve().parents[3]
MINE = ["cms.py", "topk.py", "tdigest.py", "commands_sketch.py", "sketches.py"]


class Recorder:
    """A test propagator: the commands a replica/AOF would receive."""

    def __init__(self) -> None:
        self.cmds: list[str] = []

    def __call__(self, dbid, argvs):
        for a in argvs:
            self.cmds.append(b" ".join(bytes(x) for x in a).decode())

    def take(self) -> list[str]:
        out, self.cmds = self.cmds, []
        return [c for c in out if not c.startswith("SELECT")]


@pytest.fixture(scope="module")
def server():
    with moredis.Server() as s:
        yield s


@pytest.fixture
def r(server):
    c = redis.Redis(port=server.port)
    c.response_callbacks.clear()  # the server's replies as they are (no client-side parsing)
    c.flushall()
    yield c
    c.close()


def test_commands_are_registered_with_the_modules_flags(r):
    info = r.execute_command("COMMAND", "INFO", "cms.incrby", "topk.count", "tdigest.quantile")
    flags = {i[0]: set(i[2]) for i in info}
    assert flags[b"cms.incrby"] == {b"write", b"denyoom", b"module"}
    assert flags[b"topk.count"] == {b"write", b"module"}  # a write command in RedisBloom too
    assert flags[b"tdigest.quantile"] == {b"readonly", b"module"}


def test_replication_is_verbatim(server, r):
    rec = Recorder()
    server.call_in_loop(lambda: server.core.propagators.append(rec))
    try:
        r.execute_command("CMS.INITBYDIM", "c", "10", "2")
        r.execute_command("CMS.INCRBY", "c", "a", "1")
        r.execute_command("CMS.QUERY", "c", "a")  # reads replicate nothing
        with pytest.raises(redis.ResponseError):
            r.execute_command("CMS.INCRBY", "c", "a", "x")  # refused before any change
        r.execute_command("CMS.MERGE", "c", "1", "c", "WEIGHTS", "2")
        r.execute_command("TOPK.RESERVE", "t", "2")
        r.execute_command("TOPK.ADD", "t", "x", "y")
        r.execute_command("TOPK.COUNT", "t", "x")
        r.execute_command("TDIGEST.CREATE", "d")
        r.execute_command("TDIGEST.ADD", "d", "1", "2")
        r.execute_command("TDIGEST.QUANTILE", "d", "0.5")  # compresses, replicates nothing
        r.execute_command("TDIGEST.MERGE", "d2", "1", "d")
        r.execute_command("TDIGEST.RESET", "d")
        assert rec.take() == [
            "CMS.INITBYDIM c 10 2", "CMS.INCRBY c a 1", "CMS.MERGE c 1 c WEIGHTS 2", "TOPK.RESERVE t 2",
            "TOPK.ADD t x y", "TDIGEST.CREATE d", "TDIGEST.ADD d 1 2", "TDIGEST.MERGE d2 1 d", "TDIGEST.RESET d"]
    finally:
        server.call_in_loop(lambda: server.core.propagators.remove(rec))


def test_multi_exec(r):
    p = r.pipeline(transaction=True)
    p.execute_command("CMS.INITBYDIM", "c", "10", "2")
    p.execute_command("CMS.INCRBY", "c", "a", "3")
    p.execute_command("TOPK.RESERVE", "t", "1")
    p.execute_command("TOPK.ADD", "t", "a", "b")
    p.execute_command("TDIGEST.CREATE", "d")
    p.execute_command("TDIGEST.ADD", "d", "1", "2", "3")
    p.execute_command("TDIGEST.QUANTILE", "d", "0.5")
    got = p.execute()
    assert got[:6] == [b"OK", [3], b"OK", [None, b"a"], b"OK", b"OK"]
    assert [float(x) for x in got[6]] == [2.0]  # (redis-py may turn the bulk double into a float)


def test_short_incrby_array_is_padded_inside_scripts(r):
    """Outside scripts TOPK.INCRBY's array comes out short after a bad increment, as in
    RedisBloom (see the differential tests); a script gets the missing elements as nulls
    (the reference's Lua reader just fails on the short array)."""
    r.execute_command("TOPK.RESERVE", "t", "3", "50", "3", "1")
    got = r.eval("return redis.pcall('TOPK.INCRBY', KEYS[1], 'a', '2', 'b', '-1', 'c', '1')", 1, "t")
    assert len(got) == 3 and got[0] is None and isinstance(got[1], redis.ResponseError) and got[2] is None
    assert r.execute_command("TOPK.LIST", "t", "WITHCOUNT") == [b"a", 2]


def test_aof_rewrite_emits_restore_of_the_dump(server, r):
    r.execute_command("SELECT", "0")
    r.execute_command("CMS.INITBYDIM", "c", "10", "2")
    r.execute_command("CMS.INCRBY", "c", "a", "7")
    r.execute_command("TOPK.RESERVE", "t", "2")
    r.execute_command("TOPK.ADD", "t", "x")
    r.execute_command("TDIGEST.CREATE", "d")
    r.execute_command("TDIGEST.ADD", "d", "1", "2", "3")

    def rewrite():
        from moredis import module as rm

        core = server.core
        out = {}
        for key in (b"c", b"t", b"d"):
            mv = core.dbs[0].data[key]
            io = rm.IO(core, mv.mtype, key=key, dbid=0)
            mv.mtype.methods.aof_rewrite(io, key, mv.value)
            out[key] = io.aof_cmds
        return out

    cmds = server.call_in_loop(rewrite)
    for key, got in cmds.items():
        assert len(got) == 1 and got[0][:3] == [b"RESTORE", key, b"0"]
        assert got[0][3] == r.dump(key.decode())
        r.restore(key.decode() + "-copy", 0, got[0][3])
    assert r.execute_command("CMS.QUERY", "c-copy", "a") == [7]
    assert r.execute_command("TOPK.LIST", "t-copy") == [b"x"]
    assert float(r.execute_command("TDIGEST.MAX", "d-copy")) == 3.0


def test_two_servers_in_one_process(r):
    """Each server loads the module with its own data types: handlers are bound to their
    server's types, so keys of one never look like another's."""
    r.execute_command("CMS.INITBYDIM", "c", "10", "2")
    r.execute_command("CMS.INCRBY", "c", "a", "1")
    with moredis.Server() as other:
        c = redis.Redis(port=other.port)
        c.execute_command("CMS.INITBYDIM", "c", "10", "2")
        assert c.execute_command("CMS.QUERY", "c", "a") == [0]
        c.close()
    assert r.execute_command("CMS.INCRBY", "c", "a", "1") == [2]
    assert r.type("c") == b"CMSk-TYPE"


def test_copy_is_refused_like_redisbloom(r):
    r.execute_command("TOPK.RESERVE", "t", "2")
    with pytest.raises(redis.ResponseError, match="not supported for this module key"):
        r.copy("t", "t2")


def test_module_files_import_only_the_public_api():
    """Built-in modules may import nothing from moredis but moredis.module (and their own
    package's files)."""
    for name in MINE:
        tree = ast.parse((ROOT / "moredis" / "modules" / "bloom" / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            for m in mods:
                if m == "moredis" or m.startswith("moredis."):
                    assert m in ("moredis", "moredis.module") or m.startswith("moredis.modules.bloom"), (name, m)
                    if m == "moredis":
                        assert [a.name for a in node.names] == ["module"], (name, m)
