"""Replies from module commands under RESP2 and RESP3 (reply.tcl scenarios), compared
byte for byte; where a core command produces the same kind of reply, the bytes are also
compared with the reference Redis."""

from __future__ import annotations

import pytest
import redis

from .conftest import parse


@pytest.fixture
def s(modsrv):
    return modsrv("replies")


CASES = [
    # (command, RESP2 bytes, RESP3 bytes)
    (("rw.string", "Redis"), b"$5\r\nRedis\r\n", b"$5\r\nRedis\r\n"),
    (("rw.cstring",), b"$15\r\nA simple string\r\n", b"$15\r\nA simple string\r\n"),
    (("rw.simple", "fine"), b"+fine\r\n", b"+fine\r\n"),
    (("rw.bignumber", "123456778901234567890"), b"$21\r\n123456778901234567890\r\n",
     b"(123456778901234567890\r\n"),
    (("rw.int", "42"), b":42\r\n", b":42\r\n"),
    (("rw.int", "-9223372036854775808"), b":-9223372036854775808\r\n", b":-9223372036854775808\r\n"),
    (("rw.double", "3.141"), b"$5\r\n3.141\r\n", b",3.141\r\n"),
    (("rw.double", "inf"), b"$3\r\ninf\r\n", b",inf\r\n"),
    (("rw.double", "-inf"), b"$4\r\n-inf\r\n", b",-inf\r\n"),
    (("rw.double", "0", "0"), b"$3\r\nnan\r\n", b",nan\r\n"),
    (("rw.longdouble", "0.00000000000000001"), b"$19\r\n0.00000000000000001\r\n", b",0.00000000000000001\r\n"),
    (("rw.longdouble", "1.5"), b"$3\r\n1.5\r\n", b",1.5\r\n"),
    (("rw.array", "3"), b"*3\r\n:0\r\n:1\r\n:2\r\n", b"*3\r\n:0\r\n:1\r\n:2\r\n"),
    (("rw.array", "0"), b"*0\r\n", b"*0\r\n"),
    (("rw.map", "2"), b"*4\r\n:0\r\n$1\r\n0\r\n:1\r\n$3\r\n1.5\r\n", b"%2\r\n:0\r\n,0\r\n:1\r\n,1.5\r\n"),
    (("rw.set", "2"), b"*2\r\n:0\r\n:1\r\n", b"~2\r\n:0\r\n:1\r\n"),
    (("rw.attribute", "2"), b"-Attributes aren't supported by RESP 2\r\n",
     b"|2\r\n:0\r\n,0\r\n:1\r\n,1.5\r\n+OK\r\n"),
    (("rw.bool",), b"*2\r\n:0\r\n:1\r\n", b"*2\r\n#f\r\n#t\r\n"),
    (("rw.null",), b"$-1\r\n", b"_\r\n"),
    (("rw.null_array",), b"*-1\r\n", b"_\r\n"),
    (("rw.empty",), b"*2\r\n*0\r\n$0\r\n\r\n", b"*2\r\n*0\r\n$0\r\n\r\n"),
    (("rw.error",), b"-An error\r\n", b"-An error\r\n"),
    (("rw.error_format", "An error: %s", "foo"), b"-An error: foo\r\n", b"-An error: foo\r\n"),
    (("rw.error_format", "-ERR An error: %s", "foo2"), b"--ERR An error: foo2\r\n", b"--ERR An error: foo2\r\n"),
    (("rw.error_format", "ERR An error: %s", "foo4"), b"-ERR An error: foo4\r\n", b"-ERR An error: foo4\r\n"),
    (("rw.error_format", "WRONGTYPE A type error: %s", "foo5"), b"-WRONGTYPE A type error: foo5\r\n",
     b"-WRONGTYPE A type error: foo5\r\n"),
    (("rw.verbatim", "This is a verbatim\nstring"), b"$25\r\nThis is a verbatim\nstring\r\n",
     b"=29\r\ntxt:This is a verbatim\nstring\r\n"),
    (("rw.verbatim_type", "# title"), b"$7\r\n# title\r\n", b"=11\r\nmkd:# title\r\n"),
    # the format is always three bytes: a short one is padded with spaces, a long one cut
    (("rw.verbatim_type", "x", "md"), b"$1\r\nx\r\n", b"=5\r\nmd :x\r\n"),
    (("rw.verbatim_type", "x", "mdxx"), b"$1\r\nx\r\n", b"=5\r\nmdx:x\r\n"),
    (("rw.postponed",), b"*3\r\n:1\r\n*2\r\n$1\r\nk\r\n*2\r\n:7\r\n:8\r\n*0\r\n",
     b"*3\r\n:1\r\n%1\r\n$1\r\nk\r\n~2\r\n:7\r\n:8\r\n*0\r\n"),
    (("rw.postponed_attribute",), b"-Attributes aren't supported by RESP 2\r\n", b"|1\r\n$1\r\na\r\n:1\r\n:5\r\n"),
    (("rw.wrong_arity", "x"), b"-ERR wrong number of arguments for 'rw.wrong_arity' command\r\n",
     b"-ERR wrong number of arguments for 'rw.wrong_arity' command\r\n"),
    (("rw.raise_error",), b"-ERR raised from the module\r\n", b"-ERR raised from the module\r\n"),
]


@pytest.mark.parametrize("resp", [2, 3])
def test_reply_bytes(s, resp):
    c = s.raw(resp)
    for args, want2, want3 in CASES:
        got = c.call(*args)
        assert got == (want2 if resp == 2 else want3), args


def test_module_exception_is_an_error_and_server_lives(s):
    c = s.raw()
    got = c.call("rw.raise")
    assert got.startswith(b"-ERR ") and b"boom" in got
    assert c.call("PING") == b"+PONG\r\n"


def test_errors_counted_in_errorstats(s):
    r = s.client()
    r.execute_command("CONFIG", "RESETSTAT")
    with pytest.raises(redis.ResponseError):
        r.execute_command("rw.error_format", "WRONGTYPE A type error: %s", "x")
    stats = r.info("errorstats")
    assert stats["errorstat_WRONGTYPE"]["count"] == 1


@pytest.mark.parametrize("resp", [2, 3])
def test_doubles_match_reference(s, ref, resp):
    """reply_with_double formats like ZSCORE's double reply; reply_with_long_double like
    INCRBYFLOAT's human long double (RESP2)."""
    from respclient import RawBytesClient

    c = s.raw(resp)
    theirs = RawBytesClient(port=ref.port)
    if resp == 3:
        theirs.call("HELLO", "3")
    try:
        for v in ("3.141", "1e300", "-0.1", "123456789.125", "1e-5", "0.30000000000000004", "inf", "-inf"):
            theirs.call("DEL", "mzs")
            theirs.call("ZADD", "mzs", v, "m")
            assert c.call("rw.double", v) == theirs.call("ZSCORE", "mzs", "m"), v
        if resp == 2:
            for v in ("1.5", "0.1", "3.0e3", "1.23456789012345678"):
                theirs.call("DEL", "mflt")
                assert c.call("rw.longdouble", v) == theirs.call("INCRBYFLOAT", "mflt", v), v
    finally:
        theirs.call("DEL", "mzs", "mflt")
        theirs.close()


def test_parse_helpers(s):
    assert parse(s.raw(3).call("rw.map", "1")) == {0: 0.0}
