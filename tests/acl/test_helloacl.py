"""The helloacl example behaves like Redis's modules/helloacl.c."""

from __future__ import annotations

import pytest

from .helpers import wait_for


def test_authglobal_and_revoke(aclsrv):
    s = aclsrv("examples/helloacl", requirepass="secret")
    a = s.raw()
    assert a.call("GET", "x") == b"-NOAUTH Authentication required.\r\n"
    assert a.call("helloacl.authglobal") == b"+OK\r\n"  # no-auth: allowed before AUTH
    assert a.call("ACL", "WHOAMI") == b"$6\r\nglobal\r\n"
    assert a.call("SET", "x", "1") == b"+OK\r\n"
    b = s.raw()
    assert b.call("AUTH", "secret") == b"+OK\r\n"
    assert b.call("helloacl.authglobal") == b"-Global user currently used\r\n"
    assert b.call("helloacl.revoke") == b"+OK\r\n"
    with pytest.raises((ConnectionError, OSError)):
        a.call("PING")
    # the user-changed callback freed the slot
    wait_for(lambda: b.call("helloacl.revoke") == b"-Global user currently not used\r\n")
    assert b.call("helloacl.authglobal") == b"+OK\r\n"
    assert b.call("ACL", "WHOAMI") == b"$6\r\nglobal\r\n"
    assert b.call("AUTH", "secret") == b"+OK\r\n"  # switching user frees the slot too
    assert b.call("helloacl.revoke") == b"-Global user currently not used\r\n"


def test_reset_disconnects_the_global_user(aclsrv):
    s = aclsrv("examples/helloacl")
    a, b = s.raw(), s.raw()
    assert a.call("helloacl.authglobal") == b"+OK\r\n"
    assert b.call("helloacl.reset") == b"+OK\r\n"
    with pytest.raises((ConnectionError, OSError)):
        a.call("PING")
    wait_for(lambda: b.call("helloacl.revoke") == b"-Global user currently not used\r\n")
    c = s.raw()
    assert c.call("helloacl.authglobal") == b"+OK\r\n"  # the new "global" works
    assert c.call("ACL", "WHOAMI") == b"$6\r\nglobal\r\n"


def test_authasync(aclsrv):
    s = aclsrv("examples/helloacl", requirepass="secret")
    admin = s.raw()
    admin.call("AUTH", "secret")
    admin.call("ACL", "SETUSER", "alice", "on", "nopass", "+@all", "~*")
    admin.call("ACL", "SETUSER", "offuser", "off", "+@all")
    a = s.raw()
    assert a.call("helloacl.authasync", "alice") == b"+OK\r\n"
    assert a.call("ACL", "WHOAMI") == b"$5\r\nalice\r\n"
    assert a.call("helloacl.authasync", "nobody") == b"-Invalid Username or password\r\n"
    assert a.call("helloacl.authasync", "offuser") == b"-Invalid Username or password\r\n"
    assert a.call("ACL", "WHOAMI") == b"$5\r\nalice\r\n"
    assert a.call("helloacl.authasync") == b"-ERR wrong number of arguments for 'helloacl.authasync' command\r\n"
