"""Differential: the implemented basics answer byte for byte as Redis 7.4 does."""


def test_connection_commands(d, d3):
    for x in (d, d3):
        x.check("PING")
        x.check("PING", "hello")
        x.check("PING", "a", "b")
        x.check("ECHO", "x")
        x.check("SELECT", "abc")
        x.check("SELECT", "-1")
        x.check("SELECT", "99")
        x.check("HELLO", "4")
        x.check("HELLO", "x")
        x.check("HELLO", "2", "SETNAME", "a b")
        x.check("HELLO", "2", "FOO")
        x.check("AUTH", "pw")
        x.check("AUTH", "a", "b", "c")


def test_string_basics(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("GET", "k")
        x.check("SET", "k", "v")
        x.check("GET", "k")
        x.check("SET", "k", "v2", "NX")
        x.check("SET", "k", "v2", "XX", "GET")
        x.check("SET", "n", "v", "XX")
        x.check("SET", "k", "v", "EX", "0")
        x.check("SET", "k", "v", "EX", "abc")
        x.check("SET", "k", "v", "PX", "-5")
        x.check("SET", "k", "v", "EX", "10", "PX", "10")
        x.check("SET", "k", "v", "KEEPTTL", "EX", "10")
        x.check("SET", "k", "v", "NX", "XX")
        x.check("SET", "k", "v", "EX", "9223372036854775807")
        x.check("SET", "k", "v", "FOO")
        x.check("INCR", "c")
        x.check("INCRBY", "c", "10")
        x.check("DECRBY", "c", "-9223372036854775808")
        x.check("INCRBY", "c", "9223372036854775807")
        x.check("INCR", "k")
        x.check("INCRBY", "c", "1.5")
        x.check("DECR", "c")
        x.check("MSET", "a", "1", "b")
        x.check("MSET", "a", "1", "b", "2")
        x.check("MGET", "a", "b", "nope")
        x.check("DEL", "a", "b", "nope")
        x.check("EXISTS", "k", "k", "nope")
        x.check("DBSIZE")
        x.check("FLUSHDB", "BAD")
        x.check("FLUSHALL", "ASYNC")


def test_protocol_errors_close_the_connection(srv, ref):
    import socket
    import time

    def raw(port, data):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(data)
        time.sleep(0.2)
        s.settimeout(1)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    out += b"<EOF>"
                    break
                out += chunk
        except OSError:
            pass
        s.close()
        return out

    cases = [b"*3000000000\r\n", b"*1\r\n$2000000000\r\n", b'set "a b\r\n', b"*1\r\nfoo\r\n",
             b"*1\r\n:1\r\n", b"*1\r\n$-1\r\n", b"*0\r\nPING\r\n", b"*-1\r\nPING\r\n", b"\r\n\r\nPING\r\n",
             b"PING\n", b"*1\r\n$4\r\nPING\r\nPING\r\n", b"*a\r\n", b"*1\r\n$a\r\n", b"get\r\n",
             b'set a "x\\x41y"\r\nget a\r\n', b"*1\r\n$4\r\nPING\r\n+PING\r\n", b"*2\r\n$4\r\nPING\r\n*1\r\n",
             b"ECHO 'it''s'\r\n"]
    for data in cases:
        assert raw(srv.port, data) == raw(ref.port, data), data
