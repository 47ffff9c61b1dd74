"""The example modules: helloworld, hellotype and hellodict behave as Redis's C originals."""

from __future__ import annotations

import threading
import time

import pytest
import redis


@pytest.fixture(scope="module")
def srv(modserver):
    return modserver("examples/helloworld", "examples/hellotype", "examples/hellodict")


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    return c


# --- helloworld ---------------------------------------------------------------------------
def test_hello_simple(r):
    assert r.execute_command("hello.simple") == 0
    r.execute_command("SELECT", 3)
    assert r.execute_command("hello.simple") == 3


def test_hello_push(r):
    assert r.execute_command("hello.push.native", "l", "a") == 1
    assert r.execute_command("hello.push.call", "l", "b") == 2
    assert r.execute_command("hello.push.call2", "l", "c") == 3
    assert r.lrange("l", 0, -1) == [b"a", b"b", b"c"]
    assert r.execute_command("hello.list.sum.len", "l") == 3
    r.set("s", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.execute_command("hello.push.call2", "s", "a")


@pytest.mark.parametrize("cmd", ["hello.list.splice", "hello.list.splice.auto"])
def test_hello_list_splice(r, cmd):
    r.rpush("src", "a", "b", "c", "d")
    assert r.execute_command(cmd, "src", "dst", 2) == 2
    assert r.lrange("dst", 0, -1) == [b"c", b"d"]
    assert r.execute_command(cmd, "src", "dst", 10) == 0  # as many as there are
    assert r.exists("src") == 0
    assert r.lrange("dst", 0, -1) == [b"a", b"b", b"c", b"d"]
    with pytest.raises(redis.ResponseError, match="invalid count"):
        r.execute_command(cmd, "dst", "x", -1)
    r.set("s", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.execute_command(cmd, "dst", "s", 1)
    assert r.execute_command(cmd, "dst", "dst", 1) == 4  # rotates a list onto itself


def test_hello_rand_array(r):
    got = r.execute_command("hello.rand.array", 5)
    assert len(got) == 5 and all(isinstance(x, int) for x in got)
    assert r.execute_command("hello.rand.array", 0) == []
    with pytest.raises(redis.ResponseError, match="invalid count"):
        r.execute_command("hello.rand.array", -1)


def test_hello_repl(r):
    assert r.execute_command("hello.repl1") == 0
    assert (r.get("foo"), r.get("bar")) == (b"1", b"1")
    r.rpush("l", 1, 2, "x")
    assert r.execute_command("hello.repl2", "l") == 2 + 3 + 1
    assert r.lrange("l", 0, -1) == [b"2", b"3", b"1"]
    r.rpush("one", 7)
    assert r.execute_command("hello.repl2", "one") == 8  # popped empty, pushed back
    assert r.lrange("one", 0, -1) == [b"8"]
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.execute_command("hello.repl2", "missing")


def test_hello_toggle_case_and_expire(r):
    r.set("s", "Hello World")
    assert r.execute_command("hello.toggle.case", "s") == b"OK"
    assert r.get("s") == b"hELLO wORLD"
    assert r.execute_command("hello.toggle.case", "missing") == b"OK"
    r.set("t", "v", px=100000)
    assert r.execute_command("hello.more.expire", "t", 100000) == b"OK"
    assert 150000 < r.pttl("t") <= 200000
    assert r.execute_command("hello.more.expire", "s", 1000) == b"OK"
    assert r.ttl("s") == -1  # no TTL: nothing to extend
    with pytest.raises(redis.ResponseError, match="invalid expire time"):
        r.execute_command("hello.more.expire", "t", "x")


def test_hello_zsumrange_and_lexrange(r):
    r.zadd("z", {"a": 1.5, "b": 2, "c": 3, "d": 10})
    assert [float(x) for x in r.execute_command("hello.zsumrange", "z", 1, 3)] == [6.5, 6.5]
    assert [float(x) for x in r.execute_command("hello.zsumrange", "z", 20, 30)] == [0, 0]
    with pytest.raises(redis.ResponseError, match="invalid range"):
        r.execute_command("hello.zsumrange", "z", "x", 3)
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.execute_command("hello.zsumrange", "missing", 1, 3)
    r.zadd("people", {"Anna:52": 0, "Bob:20": 0, "Carl:33": 0, "Dan:44": 0})
    assert r.execute_command("hello.lexrange", "people", "[B", "(D", 0, 100) == [b"Bob:20", b"Carl:33"]
    with pytest.raises(redis.ResponseError, match="invalid range"):
        r.execute_command("hello.lexrange", "people", "B", "D", 0, 100)


def test_hello_hcopy_and_leftpad(r):
    r.hset("h", "a", "1")
    assert r.execute_command("hello.hcopy", "h", "a", "b") == 1
    assert r.hgetall("h") == {b"a": b"1", b"b": b"1"}
    assert r.execute_command("hello.hcopy", "h", "zz", "c") == 0
    assert r.execute_command("hello.leftpad", "42", 5, "0") == b"00042"
    assert r.execute_command("hello.leftpad", "123456", 5, "0") == b"123456"
    assert r.execute_command("hello.leftpad", "123456", 5, "long") == b"123456"  # length first
    with pytest.raises(redis.ResponseError, match="single char"):
        r.execute_command("hello.leftpad", "1", 5, "ab")


# --- hellotype ----------------------------------------------------------------------------
def test_hellotype_commands(r):
    assert r.execute_command("hellotype.insert", "t", 5) == 1
    assert r.execute_command("hellotype.insert", "t", -3) == 2
    assert r.execute_command("hellotype.insert", "t", 10) == 3
    assert r.execute_command("hellotype.range", "t", 0, 10) == [-3, 5, 10]
    assert r.execute_command("hellotype.range", "t", 1, 2) == [-3, 5]  # `first` is not applied (C)
    assert r.execute_command("hellotype.len", "t") == 3
    assert r.execute_command("hellotype.len", "missing") == 0
    assert r.execute_command("hellotype.range", "missing", 0, 5) == []
    assert r.type("t") == b"hellotype"
    with pytest.raises(redis.ResponseError, match="must be a signed 64 bit integer"):
        r.execute_command("hellotype.insert", "t", "x")
    with pytest.raises(redis.ResponseError, match="invalid first or count"):
        r.execute_command("hellotype.range", "t", -1, 2)
    r.set("s", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.execute_command("hellotype.insert", "s", 1)
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.get("t")


def test_hellotype_keyspace(r):
    for v in (3, 1, 2):
        r.execute_command("hellotype.insert", "t", v)
    assert r.memory_usage("t") == 16 + 16 * 3 + 8 + 24  # the type's estimate, the key's sds, the entry
    with pytest.raises(redis.ResponseError, match="not supported for this module key"):
        r.copy("t", "t2")  # no copy callback
    payload = r.dump("t")
    r.restore("t3", 0, payload)
    assert r.execute_command("hellotype.range", "t3", 0, 10) == [1, 2, 3]
    assert r.execute_command("DEBUG", "DIGEST-VALUE", "t") == r.execute_command("DEBUG", "DIGEST-VALUE", "t3")
    r.execute_command("hellotype.insert", "t3", 4)
    assert r.execute_command("DEBUG", "DIGEST-VALUE", "t") != r.execute_command("DEBUG", "DIGEST-VALUE", "t3")
    assert r.execute_command("DEBUG", "RELOAD") == b"OK"
    assert r.execute_command("hellotype.range", "t", 0, 10) == [1, 2, 3]
    assert r.execute_command("hellotype.range", "t3", 0, 10) == [1, 2, 3, 4]


def test_hellotype_aof_rewrite_rebuilds(srv, r):
    from moredis.module.datatype import IO

    for v in (7, -1):
        r.execute_command("hellotype.insert", "t", v)
    value = srv.core.dbs[0].data[b"t"]
    io = IO(srv.core, value.mtype)
    value.mtype.methods.aof_rewrite(io, b"t", value.value)
    assert io.aof_cmds == [[b"HELLOTYPE.INSERT", b"t", b"-1"], [b"HELLOTYPE.INSERT", b"t", b"7"]]
    r.delete("t")
    for cmd in io.aof_cmds:
        r.execute_command(*cmd)
    assert r.execute_command("hellotype.range", "t", 0, 10) == [-1, 7]


def test_hellotype_brange(srv, r):
    got = []
    other = srv.client()
    t = threading.Thread(target=lambda: got.append(other.execute_command("hellotype.brange", "bk", 0, 10, 5000)))
    t.start()
    time.sleep(0.2)
    assert got == []
    r.execute_command("hellotype.insert", "bk", 42)  # signals the key as ready
    t.join(5)
    assert got == [[42]]
    assert r.execute_command("hellotype.brange", "bk", 0, 10, 5000) == [42]  # served at once
    assert r.execute_command("hellotype.brange", "none", 0, 10, 100) == b"Request timedout"
    with pytest.raises(redis.ResponseError, match="invalid timeout"):
        r.execute_command("hellotype.brange", "none", 0, 10, "x")


# --- hellodict ----------------------------------------------------------------------------
def test_hellodict(r):
    for k, v in (("b", "2"), ("a", "1"), ("d", "4"), ("c", "3"), ("e", "5")):
        assert r.execute_command("hellodict.set", k, v) == b"OK"
    assert r.execute_command("hellodict.get", "c") == b"3"
    assert r.execute_command("hellodict.get", "zz") is None
    assert r.execute_command("hellodict.set", "c", "changed") == b"OK"
    assert r.execute_command("hellodict.get", "c") == b"3"  # DictSet keeps the first value
    assert r.execute_command("hellodict.keyrange", "b", "d", 10) == [b"b", b"c", b"d"]
    assert r.execute_command("hellodict.keyrange", "b", "d", 2) == [b"b", b"c"]
    assert r.execute_command("hellodict.keyrange", "bb", "z", 10) == [b"c", b"d", b"e"]
    assert r.execute_command("hellodict.keyrange", "a", "a", 10) == [b"a"]
    assert r.execute_command("hellodict.keyrange", "f", "z", 10) == []
    assert r.execute_command("hellodict.keyrange", "a", "z", 0) == []
    with pytest.raises(redis.ResponseError, match="invalid count"):
        r.execute_command("hellodict.keyrange", "a", "z", "x")
    assert r.dbsize() == 0  # outside the keyspace
