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
    import selectors
    import socket
    import time

    def raw_all(port, cases):
        """Each case on its own connection, all at once: what each server answered, and
        <EOF> where it closed, once every connection is closed or quiet for a second."""
        sel = selectors.DefaultSelector()
        outs = [b""] * len(cases)
        for i, data in enumerate(cases):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(data)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, i)
        quiet_until = time.monotonic() + 1.2
        while sel.get_map() and time.monotonic() < quiet_until:
            for key, _ in sel.select(timeout=max(0.0, quiet_until - time.monotonic())):
                try:
                    chunk = key.fileobj.recv(65536)
                except OSError:
                    chunk = b""
                if chunk:
                    outs[key.data] += chunk
                    quiet_until = time.monotonic() + 1.0
                else:
                    outs[key.data] += b"<EOF>"
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
        for key in list(sel.get_map().values()):
            key.fileobj.close()
        sel.close()
        return outs

    cases = [b"*3000000000\r\n", b"*1\r\n$2000000000\r\n", b'set "a b\r\n', b"*1\r\nfoo\r\n",
             b"*1\r\n:1\r\n", b"*1\r\n$-1\r\n", b"*0\r\nPING\r\n", b"*-1\r\nPING\r\n", b"\r\n\r\nPING\r\n",
             b"PING\n", b"*1\r\n$4\r\nPING\r\nPING\r\n", b"*a\r\n", b"*1\r\n$a\r\n", b"get\r\n",
             b'set a "x\\x41y"\r\nget a\r\n', b"*1\r\n$4\r\nPING\r\n+PING\r\n", b"*2\r\n$4\r\nPING\r\n*1\r\n",
             b"ECHO 'it''s'\r\n",
             # counts too large for hiredis to allocate the list it builds up front
             b"*4294967295\r\n", b"*1\r\n~4294967295\r\n"]
    mine, theirs = raw_all(srv.port, cases), raw_all(ref.port, cases)
    assert any(o.endswith(b"<EOF>") for o in theirs) and any(not o.endswith(b"<EOF>") for o in theirs)
    for data, a, b in zip(cases, mine, theirs, strict=True):
        assert a == b, data
