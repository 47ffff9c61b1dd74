"""Requests split across reads at awkward places answer as in Redis: the fast hiredis
path and the exact parser hand over without losing or misreading bytes."""

import socket
import time


def _exchange(port, chunks, wait=0.15):
    s = socket.create_connection(("127.0.0.1", port))
    for ch in chunks:
        s.sendall(ch)
        time.sleep(0.05)  # separate reads on the server
    time.sleep(wait)
    s.settimeout(0.5)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except OSError:
        pass
    s.close()
    return out


CASES = [
    # a pipeline split at an element boundary whose element equals the previous request's last arg
    [b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nv\r\n*5\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nv\r\n",
     b"$2\r\nEX\r\n$3\r\n100\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n"],
    # a value split in the middle, its continuation not starting with '*'
    [b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc", b"defghij\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"],
    # continuation starting with '*' inside the payload
    [b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\nabc", b"*ef\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"],
    # a complete request, then an inline command in the next read
    [b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", b"PING\r\n", b"ECHO hi\r\n"],
    # a request in three pieces, then inline
    [b"*2\r\n$4\r\nEC", b"HO\r\n$2\r\nhi\r\n", b"PING\r\n"],
    # a lone bad header after a good request in an earlier read
    [b"*1\r\n$4\r\nPING\r\n", b"*1\r\n$-5\r\n"],
]


def test_split_requests_match_reference(srv, ref):
    for chunks in CASES:
        for port in (srv.port, ref.port):
            _exchange(port, [b"*1\r\n$8\r\nFLUSHALL\r\n"])
        assert _exchange(srv.port, chunks) == _exchange(ref.port, chunks), chunks
