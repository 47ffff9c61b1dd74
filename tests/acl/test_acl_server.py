"""ACL on a server of its own: the ACL file (SAVE/LOAD round trip, errors, what LOAD does
to connected clients), `user` directives at start-up, CONFIG REWRITE's user lines,
redaction in SLOWLOG, and the dispatcher's fast path for restricted users."""

from __future__ import annotations

import os

import pytest
import redis

from .helpers import wait_for


def test_aclfile_save_and_load_round_trip(aclsrv, tmp_path):
    acl = tmp_path / "users.acl"
    acl.write_text("user default on nopass ~* &* +@all\nuser alice on >pw ~a* &ch* -@all +get (+set ~b*)\n")
    s = aclsrv(dir=str(tmp_path), aclfile="users.acl")
    r = s.client()
    lst = r.execute_command("ACL", "LIST")
    assert lst == [b"user alice on sanitize-payload #" + _sha(b"pw") + b" ~a* resetchannels &ch* -@all +get "
                   b"(~b* resetchannels -@all +set)",
                   b"user default on nopass sanitize-payload ~* &* +@all"]
    r.execute_command("ACL", "SETUSER", "bob", "on", ">x", "%R~r*", "+@read")
    r.execute_command("ACL", "DELUSER", "alice")
    assert r.execute_command("ACL", "SAVE") == b"OK"
    text = acl.read_bytes()
    assert text == b"".join(line + b"\n" for line in r.execute_command("ACL", "LIST"))
    assert not [f for f in os.listdir(tmp_path) if ".tmp-" in f]
    r.execute_command("ACL", "SETUSER", "carol", "on")
    assert r.execute_command("ACL", "LOAD") == b"OK"
    assert r.execute_command("ACL", "USERS") == [b"bob", b"default"]
    assert r.execute_command("ACL", "LIST")[0].startswith(b"user bob on sanitize-payload #")


def _sha(pw: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(pw).hexdigest().encode()


def test_aclfile_errors_change_nothing(aclsrv, tmp_path):
    acl = tmp_path / "users.acl"
    acl.write_text("user default on nopass ~* &* +@all\n")
    s = aclsrv(dir=str(tmp_path), aclfile="users.acl")
    r = s.client()
    r.execute_command("ACL", "SETUSER", "keep", "on")
    acl.write_text("user a on +nosuchcmd\n\nnotuser x\nuser b bogus also-bogus\nuser a on\nuser c (+get\n"
                   "user d%sx on\n" % " ")
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("ACL", "LOAD")
    msg = str(e.value)
    assert "users.acl:1: Error in applying operation '+nosuchcmd': Unknown command or category name in ACL. " in msg
    assert "users.acl:3 should start with user keyword followed by the username. " in msg
    assert "users.acl:4: Syntax error. " in msg and "also-bogus" not in msg  # only the first syntax error
    assert "WARNING: Duplicate user 'a' found on line 5. " in msg
    assert "users.acl:6: Unmatched parenthesis in selector definition." in msg
    assert msg.endswith("WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
    assert r.execute_command("ACL", "USERS") == [b"default", b"keep"]
    os.unlink(acl)
    with pytest.raises(redis.ResponseError, match=r"Error loading ACLs, opening file 'users\.acl': No such file"):
        r.execute_command("ACL", "LOAD")


def test_acl_load_and_connected_clients(aclsrv, tmp_path):
    acl = tmp_path / "users.acl"
    acl.write_text("user default on nopass ~* &* +@all\nuser gone on nopass +@all ~*\n"
                   "user stays on nopass +@all ~* &news*\n")
    s = aclsrv(dir=str(tmp_path), aclfile="users.acl")
    r = s.client()
    gone, stays, sub = s.raw(), s.raw(), s.raw()
    assert gone.call("AUTH", "gone", "x") == b"+OK\r\n"
    assert stays.call("AUTH", "stays", "x") == b"+OK\r\n"
    assert sub.call("AUTH", "stays", "x") == b"+OK\r\n"
    assert sub.call("SUBSCRIBE", "news1").startswith(b"*3")
    acl.write_text("user default on nopass ~* &* +@all\nuser stays on nopass -@all +ping &other\n")
    assert r.execute_command("ACL", "LOAD") == b"OK"
    for c in (gone, sub):  # a user that disappeared; a subscription no longer allowed
        with pytest.raises((ConnectionError, OSError)):
            c.call("PING")
    assert stays.call("PING") == b"+PONG\r\n"  # re-pointed to the new "stays"
    assert stays.call("GET", "x") == b"-NOPERM User stays has no permissions to run the 'get' command\r\n"
    # the default user keeps its identity: new rules apply to existing default connections
    acl.write_text("user default on nopass ~* &* +@all -flushall\n")
    assert r.execute_command("ACL", "LOAD") == b"OK"
    with pytest.raises(redis.exceptions.NoPermissionError):
        r.execute_command("FLUSHALL")
    assert r.execute_command("ACL", "USERS") == [b"default"]
    # a file without the default user: it comes back with its initial rules
    acl.write_text("user x on nopass\n")
    assert r.execute_command("ACL", "LOAD") == b"OK"
    assert r.execute_command("FLUSHALL") is True


def test_acl_save_failure(aclsrv, tmp_path):
    import shutil

    d = tmp_path / "sub"
    d.mkdir()
    (d / "users.acl").write_text("user default on nopass ~* &* +@all\n")
    s = aclsrv(dir=str(tmp_path), aclfile=str(d / "users.acl"))
    r = s.client()
    shutil.rmtree(d)  # the temporary file cannot be created any more
    with pytest.raises(redis.ResponseError, match="There was an error trying to save the ACLs"):
        r.execute_command("ACL", "SAVE")


def test_user_directives_at_startup(aclsrv, tmp_path):
    conf = tmp_path / "users.conf"
    conf.write_text("user alice on >pw ~a* +@read (~b* +set)\nuser default on nopass ~* &* +@all -debug\n"
                    "user bob\n")
    s = aclsrv(include=str(conf))
    r = s.client()
    assert r.execute_command("ACL", "USERS") == [b"alice", b"bob", b"default"]
    lines = r.execute_command("ACL", "LIST")
    assert lines[0].endswith(b" ~a* resetchannels -@all +@read (~b* resetchannels -@all +set)")
    assert lines[1] == b"user bob off sanitize-payload resetchannels -@all"
    assert lines[2] == b"user default on nopass sanitize-payload ~* &* +@all -debug"
    c = s.raw()
    assert c.call("AUTH", "alice", "pw") == b"+OK\r\n"
    assert c.call("GET", "a1") == b"$-1\r\n"
    # CONFIG REWRITE's user lines (acl.c ACLDescribeUser)
    assert s.core.acl.config_lines() == [line.decode() for line in lines]


def test_user_directive_errors(tmp_path, capsys):
    import moredis

    for line, expected in (
        (["alice", "on", "bogus"], "Error in user declaration 'alice': Syntax error"),
        (["alice", "#xyz"], "Error in user declaration 'user': The password hash must be exactly 64 characters"),
        (["alice", "(+get"], "Error in user declaration 'user': Syntax error"),
    ):
        with pytest.raises(SystemExit):
            moredis.Server(builtin_modules=False, user=line).start()
        assert expected in capsys.readouterr().err
    conf = tmp_path / "dup.conf"
    conf.write_text("user a on\nuser a off\n")
    with pytest.raises(SystemExit):
        moredis.Server(builtin_modules=False, include=str(conf)).start()
    assert "Duplicate user found" in capsys.readouterr().err
    # an unknown command is only found at start-up, which then stops
    with pytest.raises(RuntimeError, match="moredis failed to start"):
        moredis.Server(builtin_modules=False, user=["a", "+nosuchcommand"]).start()
    # a missing ACL file stops the start-up
    with pytest.raises(RuntimeError, match="Error loading ACLs, opening file"):
        moredis.Server(builtin_modules=False, dir=str(tmp_path), aclfile="missing.acl").start()
    # users in the config file and an ACL file at once
    (tmp_path / "x.acl").write_text("user default on nopass ~* &* +@all\n")
    with pytest.raises(RuntimeError, match="moredis failed to start"):
        moredis.Server(builtin_modules=False, user=["a", "on"], dir=str(tmp_path), aclfile="x.acl").start()


def test_config_rewrite_user_lines(aclsrv, tmp_path):
    from moredis.server.config import rewrite_config

    s = aclsrv()
    r = s.client()
    r.execute_command("ACL", "SETUSER", "u", "on", ">p", "~k*", "+get")
    path = tmp_path / "redis.conf"
    path.write_text("port 0\nuser old on nopass\n")
    s.in_loop(rewrite_config, s.core, str(path))
    text = path.read_text()
    assert "user old" not in text
    assert "user default on nopass sanitize-payload ~* &* +@all" in text
    assert "user u on sanitize-payload #%s ~k* resetchannels -@all +get" % _sha(b"p").decode() in text


def test_config_rewrite_with_aclfile_drops_user_lines(aclsrv, tmp_path):
    from moredis.server.config import rewrite_config

    (tmp_path / "users.acl").write_text("user default on nopass ~* &* +@all\n")
    s = aclsrv(dir=str(tmp_path), aclfile="users.acl")
    path = tmp_path / "redis.conf"
    path.write_text("user old on nopass\n")
    s.in_loop(rewrite_config, s.core, str(path))
    assert "user " not in path.read_text()


def test_slowlog_hides_acl_arguments(aclsrv):
    s = aclsrv()
    r = s.client()
    c = s.raw()
    r.config_set("slowlog-log-slower-than", 0)
    r.slowlog_reset()
    c.call("ACL", "SETUSER", "zz", "on", ">pw")
    c.call("ACL", "GETUSER", "zz")
    c.call("ACL", "DELUSER", "zz", "other")
    c.call("AUTH", "zz", "pw")
    c.call("ACL", "DRYRUN", "default", "get", "x")
    r.config_set("slowlog-log-slower-than", -1)
    args = [e[3] for e in r.execute_command("SLOWLOG", "GET", 10)]
    assert [b"ACL", b"SETUSER", b"(redacted)", b"(redacted)", b"(redacted)"] in args
    assert [b"ACL", b"GETUSER", b"(redacted)"] in args
    assert [b"ACL", b"DELUSER", b"(redacted)", b"(redacted)"] in args
    assert [b"AUTH", b"(redacted)", b"(redacted)"] in args
    assert [b"ACL", b"DRYRUN", b"default", b"get", b"x"] in args


def test_restricting_the_default_user_reaches_open_connections(aclsrv):
    s = aclsrv()
    c = s.raw()
    assert c.call("GET", "k") == b"$-1\r\n"  # the fast path: default user unrestricted
    r = s.client()
    r.execute_command("ACL", "SETUSER", "default", "-get")
    assert c.call("GET", "k") == b"-NOPERM User default has no permissions to run the 'get' command\r\n"
    r.execute_command("ACL", "SETUSER", "default", "+get")
    assert c.call("GET", "k") == b"$-1\r\n"
    assert s.core.acl.default_user.unrestricted is False  # "+@all -get +get" clears allcommands
    r.execute_command("ACL", "SETUSER", "default", "+@all")
    assert s.core.acl.default_user.unrestricted is True
    assert not any(cl.guard for cl in s.core.clients.values() if cl.multi is None and cl.authenticated)


def test_module_user_is_not_in_the_registry_and_acl_load_leaves_it(aclsrv, tmp_path):
    (tmp_path / "users.acl").write_text("user default on nopass ~* &* +@all\nuser global on nopass +@all\n")
    s = aclsrv("testacl", dir=str(tmp_path), aclfile="users.acl")
    c = s.raw()
    assert c.call("auth.createmoduleuser") == b"+OK\r\n"
    assert c.call("auth.authmoduleuser").startswith(b":")
    r = s.client()
    assert r.execute_command("ACL", "LOAD") == b"OK"
    assert c.call("ACL", "WHOAMI") == b"$6\r\nglobal\r\n"  # still the module user, still connected
    assert c.call("auth.createmoduleuser") == b"+OK\r\n"  # freeing it closes the connection
    with pytest.raises((ConnectionError, OSError)):
        c.call("PING")
    wait_for(lambda: len(r.client_list()) == 1)
