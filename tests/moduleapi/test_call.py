"""ctx.call: argument specifiers, modifiers (3 0 E S W M D K C), errno, CallReply
accessors over every RESP3 type, and ctx.get_context_flags (basics.tcl / misc.tcl scenarios)."""

from __future__ import annotations

import pytest
import redis

from moredis import module as rm


@pytest.fixture
def s(modsrv):
    return modsrv("calls")


@pytest.fixture
def r(s):
    return s.client()


def test_format_specifiers(r):
    assert r.execute_command("call.formats", "sval") == [
        5, [b"sval", b"buffer\x00with nul", b"-42", b"v1", b"v2"], b"EBADF"]


def test_default_is_resp2_and_3_gives_resp3(r):
    r.hset("h", mapping={"a": "1"})
    r.zadd("z", {"m": 1.5})
    assert r.execute_command("call.describe", "-", "HGETALL", "h") == [b"array", [b"string", b"a"], [b"string", b"1"]]
    assert r.execute_command("call.describe", "3", "HGETALL", "h") == [b"map", [b"string", b"a"], [b"string", b"1"]]
    assert r.execute_command("call.describe", "-", "ZSCORE", "z", "m") == [b"string", b"1.5"]
    assert r.execute_command("call.describe", "3", "ZSCORE", "z", "m") == [b"double", b"1.5"]
    r.sadd("s", "x")
    assert r.execute_command("call.describe", "3", "SMEMBERS", "s") == [b"set", [b"string", b"x"]]
    assert r.execute_command("call.describe", "3", "GET", "nokey") == [b"null", None]
    assert r.execute_command("call.describe", "-", "GET", "nokey") == [b"null", None]
    assert r.execute_command("call.describe", "3", "DEBUG", "PROTOCOL", "true") == [b"bool", 1]
    assert r.execute_command("call.describe", "3", "DEBUG", "PROTOCOL", "false") == [b"bool", 0]
    assert r.execute_command("call.describe", "3", "DEBUG", "PROTOCOL", "bignum") == [
        b"big_number", b"1234567999999999999999999999999999999"]
    assert r.execute_command("call.describe", "3", "DEBUG", "PROTOCOL", "verbatim") == [
        b"verbatim", b"txt:This is a verbatim\nstring"]
    assert r.execute_command("call.describe", "3", "DEBUG", "PROTOCOL", "double") == [b"double", b"3.141"]
    assert r.execute_command("call.describe", "-", "DEBUG", "PROTOCOL", "double") == [b"string", b"3.141"]
    assert r.execute_command("call.describe", "-", "INCR", "h") == [
        b"error", b"WRONGTYPE Operation against a key holding the wrong kind of value"]


def test_attribute_through_call(r):
    assert r.execute_command("call.attribute") == [
        b"key-popularity", [b"array", [b"string", b"key:123"], [b"integer", 90]],
        [b"string", b"Some real reply following the attribute"]]


def test_auto_mode_follows_the_caller(s):
    r2 = s.client(2)
    r3 = s.client(3)
    r2.hset("h", "a", "1")
    assert r2.execute_command("call.describe", "0", "HGETALL", "h")[0] == b"array"
    assert r3.execute_command("call.describe", "0", "HGETALL", "h")[0] == b"map"


def test_reply_with_call_reply_converts_to_client_protocol(s):
    r2 = s.raw(2)
    r3 = s.raw(3)
    r2.call("HSET", "h", "a", "1")
    assert r2.call("call.generic", "3", "HGETALL", "h") == b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert r3.call("call.generic", "-", "HGETALL", "h") == b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert r3.call("call.generic", "3", "HGETALL", "h") == b"%1\r\n$1\r\na\r\n$1\r\n1\r\n"


def test_proto_and_create_string(r):
    r.set("k", "val")
    assert r.execute_command("call.proto", "", "GET", "k") == [b"$3\r\nval\r\n", b"val"]
    assert r.execute_command("call.proto", "", "INCR", "n") == [b":1\r\n", b"1"]
    assert r.execute_command("call.proto", "3", "HGETALL", "nokey") == [b"%0\r\n", None]


def test_errno_conditions(r):
    with pytest.raises(redis.ResponseError, match=r"^ERRNO ENOENT$"):
        r.execute_command("call.generic", "-", "NOSUCHCMD")
    with pytest.raises(redis.ResponseError, match=r"^ERRNO EINVAL$"):
        r.execute_command("call.generic", "-", "GET")
    with pytest.raises(redis.ResponseError, match=r"^ERRNO ENOSPC$"):
        r.execute_command("call.generic", "W", "SET", "k", "v")
    with pytest.raises(redis.ResponseError, match=r"^ERRNO ESPIPE$"):
        r.execute_command("call.generic", "S", "MULTI")
    assert r.execute_command("call.generic", "W", "GET", "k") is None


def test_errors_as_replies(r):
    with pytest.raises(redis.ResponseError, match=r"^Unknown Redis command 'NOSUCHCMD'\.$"):
        r.execute_command("call.generic", "E", "NOSUCHCMD")
    with pytest.raises(redis.ResponseError, match=r"^Wrong number of args calling Redis command 'get'\.$"):
        r.execute_command("call.generic", "E", "GET")
    with pytest.raises(redis.ResponseError, match=r"^Write command 'set' was called while write is not allowed\.$"):
        r.execute_command("call.generic", "EW", "SET", "k", "v")
    with pytest.raises(redis.ResponseError, match=r"^command 'multi' is not allowed on script mode$"):
        r.execute_command("call.generic", "ES", "MULTI")


def test_oom_with_m(s, r):
    r.config_set("maxmemory", "1")
    try:
        with pytest.raises(redis.ResponseError, match=r"^ERRNO ENOSPC$"):
            r.execute_command("call.generic", "M", "SET", "k", "v")
        with pytest.raises(redis.exceptions.OutOfMemoryError,
                           match=r"^command not allowed when used memory > 'maxmemory'\.$"):
            r.execute_command("call.generic", "ME", "SET", "k", "v")
        # without M the module may write even over maxmemory
        assert r.execute_command("call.generic", "-", "SET", "k", "v") == b"OK"
    finally:
        r.config_set("maxmemory", "0")


def test_dry_run(r):
    assert r.execute_command("call.generic", "D", "SET", "k", "v") == b"NULL"
    assert r.get("k") is None
    with pytest.raises(redis.ResponseError, match="Wrong number of args"):
        r.execute_command("call.generic", "D", "SET", "k")


def test_blocking_command_without_k_does_not_block(r):
    assert r.execute_command("call.generic", "-", "BLPOP", "nolist", "0") is None


def test_select_db(r):
    assert r.execute_command("call.select", 3) == [0, rm.OK, 3]
    # RM_SelectDb: the client keeps the db the module selected
    assert r.execute_command("call.select", 99) == [3, rm.ERR, 3]


def test_call_uses_callers_db(s):
    r = s.client(db=2)
    r.set("k", "in2")
    assert r.execute_command("call.generic", "-", "GET", "k") == b"in2"


def test_context_flags(s, r):
    f = r.execute_command("call.ctxflags")
    assert f & rm.CTX_FLAGS_MASTER
    assert not f & (rm.CTX_FLAGS_MULTI | rm.CTX_FLAGS_LUA | rm.CTX_FLAGS_RESP3 | rm.CTX_FLAGS_SLAVE)
    assert not f & rm.CTX_FLAGS_DENY_BLOCKING
    assert s.client(3).execute_command("call.ctxflags") & rm.CTX_FLAGS_RESP3
    p = r.pipeline(transaction=True)
    p.execute_command("call.ctxflags")
    (f_multi,) = p.execute()
    assert f_multi & rm.CTX_FLAGS_MULTI and f_multi & rm.CTX_FLAGS_DENY_BLOCKING
    # called through ctx.call: the fake client cannot block unless K is given
    assert r.execute_command("call.ctxflags_via_call") & rm.CTX_FLAGS_DENY_BLOCKING
    assert not r.execute_command("call.ctxflags_via_call", "K") & rm.CTX_FLAGS_DENY_BLOCKING
    assert r.execute_command("call.ctxflags_via_call", "3") & rm.CTX_FLAGS_RESP3
    r.config_set("maxmemory", "100gb")
    try:
        f = r.execute_command("call.ctxflags")
        assert f & rm.CTX_FLAGS_MAXMEMORY and not f & rm.CTX_FLAGS_EVICT
        r.config_set("maxmemory-policy", "allkeys-lru")
        assert r.execute_command("call.ctxflags") & rm.CTX_FLAGS_EVICT
    finally:
        r.config_set("maxmemory", "0")
        r.config_set("maxmemory-policy", "noeviction")


def test_context_flags_multi_dirty(s, r):
    r2 = s.client()
    r.execute_command("WATCH", "w")
    r2.set("w", "changed")
    r.execute_command("MULTI")
    r.execute_command("call.ctxflags")
    (f,) = r.execute_command("EXEC") or [0]
    assert f == 0  # EXEC aborted: nil
    r.execute_command("WATCH", "w")
    r2.set("w", "again")
    assert r.execute_command("call.ctxflags") & rm.CTX_FLAGS_MULTI_DIRTY
    r.execute_command("UNWATCH")


def test_context_flags_inside_lua(r):
    f = r.eval("return redis.call('call.ctxflags')", 0)
    assert f & rm.CTX_FLAGS_LUA
    assert f & rm.CTX_FLAGS_DENY_BLOCKING
    assert not f & rm.CTX_FLAGS_MULTI


def test_module_call_reaching_lua(r):
    assert r.execute_command("call.generic", "-", "EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1",
                             "lk", "lv") == b"OK"
    assert r.get("lk") == b"lv"
