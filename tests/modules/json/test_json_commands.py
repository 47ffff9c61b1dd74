"""The ReJSON module inside a running moredis (through redis-py): loaded by default and
switchable off, replication of the commands as received (and nothing for reads, no-ops
and errors), MULTI/EXEC and WATCH, persistence round trips (DEBUG RELOAD, a DUMP made by
Redis), COPY, redis-py's JSON client, error texts with non-ASCII characters."""

from __future__ import annotations

import pytest
import redis

import moredis


class Recorder:
    """A test propagator: what a replica or the AOF would receive."""

    def __init__(self) -> None:
        self.cmds: list[str] = []

    def __call__(self, dbid, argvs):
        for a in argvs:
            self.cmds.append(b" ".join(bytes(x) for x in a).decode())

    def take(self) -> list[str]:
        out, self.cmds = [c for c in self.cmds if not c.startswith("SELECT")], []
        return out


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with moredis.Server(dir=str(tmp_path_factory.mktemp("json"))) as s:
        yield s


@pytest.fixture
def r(server):
    c = redis.Redis(port=server.port)
    c.flushall()
    yield c
    c.close()


def test_loaded_by_default_and_switchable_off(r):
    mods = r.execute_command("MODULE", "LIST")
    assert any(m[b"name"] == b"ReJSON" and m[b"ver"] == 20803 for m in mods)
    with moredis.Server(builtin_modules=False) as bare:
        c = redis.Redis(port=bare.port)
        with pytest.raises(redis.ResponseError, match="unknown command"):
            c.execute_command("JSON.GET", "k")
        assert c.execute_command("MODULE", "LOAD", "moredis.modules.json") == b"OK"
        assert c.execute_command("JSON.SET", "k", "$", "[1]") == b"OK"
        with pytest.raises(redis.ResponseError, match="Error loading the extension"):
            c.execute_command("MODULE", "LOADEX", "moredis.modules.json", "ARGS", "odd")
        c.close()


def test_replication_is_verbatim(server, r):
    rec = Recorder()
    server.call_in_loop(lambda: server.core.propagators.append(rec))
    try:
        r.execute_command("JSON.SET", "k", "$", '{"a":[1],"n":1}')
        r.execute_command("JSON.GET", "k", "$.a")  # reads replicate nothing
        r.execute_command("JSON.SET", "k", "$", "1", "NX")  # nothing done: nothing replicated
        r.execute_command("JSON.NUMINCRBY", "k", "$.n", "2")
        r.execute_command("JSON.NUMINCRBY", "k", "$.zz", "2")  # no match
        r.execute_command("JSON.ARRAPPEND", "k", "$.a", "2", "3")
        with pytest.raises(redis.ResponseError):
            r.execute_command("JSON.SET", "k", "$.x.y", "bad")  # an error replicates nothing
        r.execute_command("JSON.MSET", "k", "$.n", "5", "k2", "$", "[]")
        r.execute_command("JSON.DEL", "k", "$.zz")
        r.execute_command("JSON.ARRPOP", "k2")  # legacy: replicated even with nothing to pop
        assert rec.take() == ['JSON.SET k $ {"a":[1],"n":1}', "JSON.NUMINCRBY k $.n 2", "JSON.ARRAPPEND k $.a 2 3",
                              "JSON.MSET k $.n 5 k2 $ []", "JSON.ARRPOP k2"]
    finally:
        server.call_in_loop(lambda: server.core.propagators.remove(rec))


def test_multi_exec_and_watch(server, r):
    r.execute_command("JSON.SET", "k", "$", '{"n":1}')
    p = r.pipeline(transaction=True)
    p.execute_command("JSON.NUMINCRBY", "k", "$.n", "1")
    p.execute_command("JSON.GET", "k", ".n")
    p.execute_command("JSON.SET", "k", "$.m", "2")
    assert p.execute() == [[2], b"2", b"OK"]  # redis-py parses NUMINCRBY's JSON reply
    w = redis.Redis(port=server.port)
    p = w.pipeline(transaction=True)
    p.watch("k")
    r.execute_command("JSON.SET", "k", "$.n", "1", "XX")  # a write to the key invalidates the watch
    p.multi()
    p.execute_command("JSON.GET", "k")
    with pytest.raises(redis.WatchError):
        p.execute()
    p.reset()
    p.watch("k")
    r.execute_command("JSON.GET", "k")  # a read does not, but
    r.execute_command("JSON.SET", "k", "$.zz", "1", "XX")  # a write that changes nothing does (as in Redis)
    p.multi()
    p.execute_command("JSON.GET", "k")
    with pytest.raises(redis.WatchError):
        p.execute()
    p.reset()
    w.close()


def test_reload_keeps_documents_and_ttls(r):
    r.execute_command("JSON.SET", "k", "$", '{"a":[1,2.5,"x",{"\u00e9":null}],"b":1e20,"c":18446744073709551615}')
    r.execute_command("JSON.SET", "deep", "$", "[" * 100 + "]" * 100)
    path = "$" + "[0]" * 99
    for _ in range(14):  # deeper than a parse may go, deeper than orjson goes (1024)
        r.execute_command("JSON.SET", "deep", path, "[" * 100 + "]" * 100)
        path += "[0]" * 99
    assert len(r.execute_command("JSON.GET", "deep", "$..*")) > 2_000_000  # every level, no stack trouble
    assert r.copy("deep", "deep2")
    r.expire("k", 1000)
    before = [r.execute_command("JSON.GET", k) for k in ("k", "deep", "deep2")]
    assert before[1] == before[2] and before[1].startswith(b"[" * 1400)
    assert r.execute_command("DEBUG", "RELOAD") == b"OK"
    assert [r.execute_command("JSON.GET", k) for k in ("k", "deep", "deep2")] == before
    assert 990 < r.ttl("k") <= 1000
    assert r.type("k") == b"ReJSON-RL"


def test_restore_a_dump_made_by_redis(r):
    # DUMP of {"a":[1,2.5,"x"],"b":null} from Redis Stack 7.4 (RedisJSON 2.8.3)
    payload = (b'\x07\x81E\xe2R8\xdf\x91,\x03\x05\x1a{"a":[1,2.5,"x"],"b":null}\x00\x0c\x00<QF\xc1=\xb8\xf2\x04')
    assert r.restore("k", 0, payload) == b"OK"
    assert r.execute_command("JSON.GET", "k") == b'{"a":[1,2.5,"x"],"b":null}'
    assert r.dump("k") == payload
    assert r.execute_command("JSON.DEBUG", "MEMORY", "k") == 227


def test_copy_and_memory(r):
    r.execute_command("JSON.SET", "k", "$", '{"a":[1,2,3,4,5,6]}')
    assert r.execute_command("JSON.DEBUG", "MEMORY", "k") == 257
    assert r.copy("k", "k2")
    assert r.execute_command("JSON.GET", "k2") == r.execute_command("JSON.GET", "k")
    assert r.execute_command("JSON.DEBUG", "MEMORY", "k2") == 169  # a clone is exactly as long as it is
    r.execute_command("JSON.ARRAPPEND", "k2", "$.a", "7")
    assert r.execute_command("JSON.GET", "k", "$.a") == b"[[1,2,3,4,5,6]]"  # no sharing
    assert r.memory_usage("k") > r.execute_command("JSON.DEBUG", "MEMORY", "k")


def test_redis_py_json_client(server):
    c = redis.Redis(port=server.port, decode_responses=True)
    c.flushall()
    j = c.json()
    assert j.set("doc", "$", {"name": "x", "tags": ["a"], "n": 1})
    assert j.get("doc", "$.name") == ["x"]
    assert j.arrappend("doc", "$.tags", "b") == [2]
    assert j.numincrby("doc", "$.n", 2) == [3]
    assert j.type("doc", "$.tags") == ["array"]
    assert j.objkeys("doc") == ["name", "tags", "n"]
    assert j.delete("doc", "$.tags") == 1
    assert j.get("doc") == {"name": "x", "n": 3}
    c.close()


def test_resp3_through_redis_py(server):
    c = redis.Redis(port=server.port, protocol=3)
    c.flushall()
    c.execute_command("JSON.SET", "k", "$", '{"a":1.5,"b":[1]}')
    assert c.execute_command("JSON.NUMINCRBY", "k", "$.a", "1") == [2.5]
    assert c.execute_command("JSON.GET", "k", "FORMAT", "EXPAND", "$") == [[{b"a": 2.5, b"b": [1]}]]
    assert c.execute_command("JSON.TYPE", "k", "$.b") == [[b"array"]]
    c.close()


def test_error_texts_are_sent_as_redisjson_sends_them(server):
    """Every character of an error text goes out as one byte (the code point cut to 8
    bits), as redis-module-rs does."""
    from respclient import RawBytesClient

    c = RawBytesClient(port=server.port)
    try:
        c.call("JSON.SET", "k", "$", "{}")
        assert c.call("JSON.GET", "k", "$.a.\u00e9\u20ac") == (
            b'-Error occurred on position 4, "$.a. ---->>>> \xe9\xac", expected one of the following: '
            b"<string>, '*'.\r\n")
        assert c.call("JSON.GET", "k", '["\u00e9"]') == b"-ERR Path '$.[\"\xe9\"]' does not exist\r\n"
        assert c.call("JSON.STRAPPEND", "k", "$", "1") == b"*1\r\n$-1\r\n"
    finally:
        c.close()


def test_type_callbacks_without_a_server():
    """rdb_save/rdb_load round trip (encoding version 3, and 2 with its old aux field),
    aof_rewrite emits one JSON.SET of the whole document, copy deep-copies."""
    from moredis import module as rm
    from moredis.modules import json as J
    from moredis.modules.json import document as D
    from moredis.persistence import rdbio

    doc = D.Doc(D.loads(b'{"a":[1,2.5,"x"],"b":{"c":null}}'))
    out = bytearray()
    J.rdb_save(rm.IO(None, None, out=out), doc)
    back = J.rdb_load(rm.IO(None, None, reader=rdbio.Reader(bytes(out))), 3)
    assert back is not None and back.root == doc.root
    old = bytearray()
    io = rm.IO(None, None, out=old)
    io.save_string(b"[1]")
    io.save_unsigned(1)
    io.save_string(b"x")
    io.save_string(b"y")
    assert J.rdb_load(rm.IO(None, None, reader=rdbio.Reader(bytes(old))), 2).root == [1]
    aof = rm.IO(None, None)
    J.aof_rewrite(aof, b"k", doc)
    assert aof.aof_cmds == [[b"JSON.SET", b"k", b"$", b'{"a":[1,2.5,"x"],"b":{"c":null}}']]
    c = J.copy(b"k", b"k2", doc)
    assert c.root == doc.root and c.root["a"] is not doc.root["a"]
    assert J.mem_usage(c) < J.mem_usage(doc)  # clones are exactly as long as they are
