"""The exact request parser: multibulk, inline, limits and Redis's error texts."""

import pytest

from moredis.errors import ProtocolError
from moredis.protocol.parser import RequestParser, split_args


def parse_all(data: bytes, **kw):
    p = RequestParser(**kw)
    p.feed(data)
    out = []
    while True:
        v = p.next()
        if v is None:
            return out, p
        out.append(v)


def test_multibulk_and_inline_mixed():
    out, p = parse_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n\r\n*0\r\n")
    assert out == [[b"GET", b"k"], [b"PING"], [], []]
    assert p.idle()


def test_partial_request_waits():
    p = RequestParser()
    p.feed(b"*2\r\n$3\r\nGET\r\n$5\r\nab")
    assert p.next() is None and not p.idle()
    p.feed(b"cde\r\n")
    assert p.next() == [b"GET", b"abcde"]


@pytest.mark.parametrize("data,text", [
    (b"*3000000000\r\n", "invalid multibulk length"),
    (b"*a\r\n", "invalid multibulk length"),
    (b"*1\r\n$-1\r\n", "invalid bulk length"),
    (b"*1\r\n$2000000000\r\n", "invalid bulk length"),
    (b"*1\r\nfoo\r\n", "expected '$', got 'f'"),
    (b"*1\r\n:1\r\n", "expected '$', got ':'"),
    (b'set "a b\r\n', "unbalanced quotes in request"),
    (b"x" * 70000, "too big inline request"),
    (b"*" + b"1" * 70000, "too big mbulk count string"),
])
def test_protocol_errors(data, text):
    with pytest.raises(ProtocolError) as e:
        parse_all(data)
    assert str(e.value) == text


def test_unauthenticated_limits():
    p = RequestParser()
    p.auth_required = True
    p.feed(b"*11\r\n")
    with pytest.raises(ProtocolError, match="unauthenticated multibulk length"):
        p.next()
    p = RequestParser()
    p.auth_required = True
    p.feed(b"*1\r\n$16385\r\n")
    with pytest.raises(ProtocolError, match="unauthenticated bulk length"):
        p.next()


def test_split_args_quotes_and_escapes():
    assert split_args(b'set a "x\\x41y\\n" \'q\\\'z\'') == [b"set", b"a", b"xAy\n", b"q'z"]
    assert split_args(b'  a   b  ') == [b"a", b"b"]
    assert split_args(b'"a"b') is None
    assert split_args(b"'a") is None
    assert split_args(b"") == []
