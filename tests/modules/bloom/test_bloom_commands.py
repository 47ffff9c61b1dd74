"""The `bf` module inside a running moredis (through redis-py): loaded by default and
switchable off, what BF/CF commands replicate (the command verbatim, as RedisBloom's
RedisModule_ReplicateVerbatim), MULTI, and several servers in one process each with its
own types."""

from __future__ import annotations

import pytest
import redis

import moredis


class Recorder:
    """A test propagator: the commands a replica/AOF would receive."""

    def __init__(self) -> None:
        self.cmds: list[str] = []

    def __call__(self, dbid, argvs):
        for a in argvs:
            self.cmds.append(b" ".join(bytes(x) for x in a).decode())

    def take(self) -> list[str]:
        out, self.cmds = self.cmds, []
        return out


@pytest.fixture(scope="module")
def server():
    with moredis.Server() as s:
        yield s


@pytest.fixture
def r(server):
    c = redis.Redis(port=server.port)
    c.flushall()
    yield c
    c.close()


def test_loaded_by_default_and_switchable_off(r):
    mods = r.execute_command("MODULE", "LIST")
    assert any(m[b"name"] == b"bf" and m[b"ver"] == 20802 for m in mods)
    with moredis.Server(builtin_modules=False) as bare:
        c = redis.Redis(port=bare.port)
        with pytest.raises(redis.ResponseError, match="unknown command"):
            c.execute_command("BF.ADD", "k", "x")
        c.close()


def test_replication_is_verbatim(server, r):
    rec = Recorder()
    server.call_in_loop(lambda: server.core.propagators.append(rec))
    try:
        r.execute_command("BF.ADD", "b", "x")
        r.execute_command("BF.EXISTS", "b", "x")  # reads replicate nothing
        r.execute_command("BF.INSERT", "b2", "CAPACITY", "10", "ITEMS", "a", "b")
        r.execute_command("CF.ADD", "c", "x")
        r.execute_command("CF.DEL", "c", "x")
        r.execute_command("CF.COUNT", "c", "x")
        with pytest.raises(redis.ResponseError):
            r.execute_command("BF.RESERVE", "b", "0.01", "10")  # exists: nothing replicated
        assert [c for c in rec.take() if not c.startswith("SELECT")] == [
            "BF.ADD b x", "BF.INSERT b2 CAPACITY 10 ITEMS a b", "CF.ADD c x", "CF.DEL c x"]
    finally:
        server.call_in_loop(lambda: server.core.propagators.remove(rec))


def test_multi_exec(r):
    p = r.pipeline(transaction=True)
    p.execute_command("BF.ADD", "b", "x")
    p.execute_command("BF.EXISTS", "b", "x")
    p.execute_command("CF.ADD", "c", "y")
    p.execute_command("CF.COUNT", "c", "y")
    assert p.execute() == [1, 1, 1, 1]


def test_two_servers_in_one_process(r):
    """Each server loads the module with its own data types; values never mix."""
    r.execute_command("BF.ADD", "b", "x")
    with moredis.Server() as other:
        c = redis.Redis(port=other.port)
        assert c.execute_command("BF.ADD", "b", "y") == 1
        assert c.execute_command("BF.EXISTS", "b", "x") == 0
        c.close()
    assert r.execute_command("BF.EXISTS", "b", "x") == 1
    assert r.execute_command("BF.ADD", "b", "x") == 0
    assert r.type("b") == b"MBbloom--"
