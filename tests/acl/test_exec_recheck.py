"""EXEC checks queued commands against the ACL rules as they are at EXEC time."""

from respclient import RawBytesClient  # tools/ is on sys.path (tests/conftest.py)


def test_exec_refuses_commands_revoked_after_queueing(d):
    for port in (d.mine, d.theirs):
        port.call("ACL", "SETUSER", "tu", "on", "nopass", "~*", "+@all")
    mine = RawBytesClient(port=d.mine.sock.getpeername()[1])
    theirs = RawBytesClient(port=d.theirs.sock.getpeername()[1])
    try:
        for c in (mine, theirs):
            c.call("AUTH", "tu", "x")
            c.call("MULTI")
            c.call("SET", "k", "v")
            c.call("GET", "k")
        d.both("ACL", "SETUSER", "tu", "-set")
        assert mine.call("EXEC") == theirs.call("EXEC")
        d.check("ACL", "LOG", "RESET")
    finally:
        d.both("ACL", "DELUSER", "tu")
        mine.close()
        theirs.close()
