"""The declarative layer (moredis.module.Module, DataType, Args) through hellodecl."""

from __future__ import annotations

import pytest
import redis

from moredis import module as rm

from .conftest import cmd


@pytest.fixture
def s(modsrv):
    return modsrv("examples/hellodecl")


@pytest.fixture
def r(s):
    return s.client()


def test_commands_and_replies(s, r):
    assert r.execute_command("hellodecl.incrby", "c") == 1
    assert r.execute_command("hellodecl.incrby", "c", 41) == 42
    assert r.execute_command("hellodecl.get", "c") == 42
    assert r.execute_command("hellodecl.get", "nokey") is None
    assert r.type("c") == b"hellodecl"
    assert r.execute_command("hellodecl.echo", "a", "b") == [b"a", b"b"]
    assert r.execute_command("hellodecl.echo") == []
    assert s.client(3).execute_command("hellodecl.stats") == {b"incrby": 2, b"step": 1}
    assert r.execute_command("hellodecl.stats") == [b"incrby", 2, b"step", 1]
    assert r.execute_command("hellodecl.keys", "get", "c") == 42
    assert r.execute_command("hellodecl.keys", "count") == b"2 calls"
    raw = s.raw()
    assert raw.call("hellodecl.keys", "count") == b"+2 calls\r\n"


def test_errors(r):
    r.set("str", "x")
    with pytest.raises(redis.ResponseError, match=r"^WRONGTYPE"):
        r.execute_command("hellodecl.incrby", "str")
    with pytest.raises(redis.ResponseError, match=r"^value is not an integer or out of range$"):
        r.execute_command("hellodecl.incrby", "c", "notanumber")
    with pytest.raises(redis.ResponseError, match=r"^syntax error$"):
        r.execute_command("hellodecl.incrby", "c", 1, "extra")
    with pytest.raises(redis.ResponseError, match=r"wrong number of arguments for 'hellodecl\.get' command"):
        r.execute_command("hellodecl.get")
    with pytest.raises(redis.ResponseError, match=r"wrong number of arguments for 'hellodecl\.keys\|get' command"):
        r.execute_command("hellodecl.keys", "get")


def test_config_drives_the_default_increment(r):
    assert r.config_get("hellodecl.step") == {"hellodecl.step": "1"}
    r.config_set("hellodecl.step", 5)
    assert r.execute_command("hellodecl.incrby", "c") == 5
    with pytest.raises(redis.ResponseError, match="argument must be between 1 and 1000000 inclusive"):
        r.config_set("hellodecl.step", 0)


def test_command_info_from_declarations(s):
    i = cmd(s, "COMMAND", "INFO", "hellodecl.incrby")[0]
    assert i[:6] == [b"hellodecl.incrby", -2, [b"write", b"denyoom", b"module", b"fast"], 1, 1, 1]
    docs = cmd(s, "COMMAND", "DOCS", "hellodecl.incrby")[1]
    assert docs[:4] == [b"summary", b"Add to a counter", b"since", b"1.0.0"]
    i = cmd(s, "COMMAND", "INFO", "hellodecl.keys")[0]
    assert sorted(sub[0] for sub in i[9]) == [b"hellodecl.keys|count", b"hellodecl.keys|get"]
    assert cmd(s, "COMMAND", "GETKEYS", "hellodecl.keys", "get", "k") == [b"k"]


def test_info_section(s):
    r = s.client()
    r.execute_command("hellodecl.incrby", "c")
    from .conftest import parse

    assert b"hellodecl_incrby_calls:1" in parse(s.raw().call("INFO", "hellodecl"))


def test_replication_of_declared_command(s, r):
    from .test_propagation import Recorder, attach

    rec = attach(s, Recorder())
    r.execute_command("hellodecl.incrby", "c", 3)
    assert rec.take() == ["hellodecl.incrby c 3"]


def test_args_cursor_unit():
    a = rm.Args([b"cmd", b"10", b"NX", b"1.5", b"tail1", b"tail2"])
    assert len(a) == 5 and a.next_int() == 10
    assert a.check("XX", "NX") == "NX" and a.check("XX") is None
    assert a.next_float() == 1.5
    assert a.rest() == [b"tail1", b"tail2"] and not a
    with pytest.raises(rm.WrongArity):
        a.next()
    a.finish()
    with pytest.raises(rm.Error, match="syntax error"):
        rm.Args([b"c", b"x"]).finish()


def test_reply_value_types(modsrv):
    s = modsrv("decl_values")
    raw2, raw3 = s.raw(2), s.raw(3)
    assert raw3.call("decl.values") == (b"*8\r\n:1\r\n#t\r\n,1.5\r\n$3\r\nabc\r\n$3\r\nstr\r\n+OK\r\n_\r\n"
                                        b"%1\r\n$1\r\nk\r\n~1\r\n:2\r\n")
    assert raw2.call("decl.values") == (b"*8\r\n:1\r\n:1\r\n$3\r\n1.5\r\n$3\r\nabc\r\n$3\r\nstr\r\n+OK\r\n$-1\r\n"
                                        b"*2\r\n$1\r\nk\r\n*1\r\n:2\r\n")
    assert raw2.call("decl.noreply") == b"+done by hand\r\n"
