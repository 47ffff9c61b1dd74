"""End-to-end basics through redis-py (RESP2 and RESP3) and the in-process harness."""

import pytest
import redis
from harness import Err


def test_ping_echo_select(r):
    assert r.ping() is True
    assert r.echo("hi") == b"hi"
    assert r.echo(b"\x00\xff") == b"\x00\xff"
    r.execute_command("SELECT", 3)
    r.set("k", "v3")
    r.execute_command("SELECT", 0)
    assert r.get("k") is None
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        r.execute_command("SELECT", 16)


def test_hello_switches_protocol(r):
    reply = r.execute_command("HELLO", "3")
    assert reply[b"proto"] == 3 and reply[b"server"] == b"redis" and reply[b"version"] == b"7.4.1"
    with pytest.raises(redis.ResponseError, match="NOPROTO"):
        r.execute_command("HELLO", "4")


def test_resp3_null_and_types(r3):
    assert r3.get("missing") is None
    r3.set("k", "1")
    assert r3.incr("k") == 2


def test_harness(run):
    assert run("set", "k", "v") == b"OK"
    assert run("get", "k") == b"v"
    assert run("incr", "k") == Err("ERR value is not an integer or out of range")
    assert run("nosuch") == Err("ERR unknown command 'nosuch', with args beginning with: ")
    assert run("get") == Err("ERR wrong number of arguments for 'get' command")


def test_unknown_command_args_truncated(run):
    long = "x" * 200
    msg = run("foo", long, "b")
    assert msg == Err("ERR unknown command 'foo', with args beginning with: '%s' " % ("x" * 128))
