"""Modules API authentication (Redis's auth.tcl and moduleauth.tcl scenarios): module users,
authenticating clients with the user-changed callback, DeauthenticateAndCloseClient,
redacted arguments, and auth callbacks of two modules, non-blocking and blocking."""

from __future__ import annotations

import time

import pytest
import redis

from .helpers import cmdstat, wait_for

BLOCK = 0.05  # seconds the test module's auth thread takes


def _blocked(r) -> int:
    return r.info("clients")["blocked_clients"]


# --- auth.tcl ------------------------------------------------------------------------------------
def test_module_users_and_user_changed_callback(aclsrv):
    s = aclsrv("testacl")
    c = s.raw()
    assert c.call("AUTH", "default", "") == b"+OK\r\n"
    assert c.call("ACL", "WHOAMI") == b"$7\r\ndefault\r\n"
    assert c.call("auth.createmoduleuser") == b"+OK\r\n"
    cid = c.call("auth.authmoduleuser")
    assert c.call("CLIENT", "ID") == cid
    assert c.call("ACL", "WHOAMI") == b"$6\r\nglobal\r\n"
    assert b"global" not in c.call("ACL", "USERS")  # module users are not listed
    assert b" user=global " in c.call("CLIENT", "INFO")

    # freeing the module user disconnects its clients; the callback saw the change
    assert c.call("auth.changecount") == b":0\r\n"
    assert c.call("auth.createmoduleuser") == b"+OK\r\n"
    with pytest.raises((ConnectionError, OSError)):
        c.call("PING")
    r2 = s.client()
    wait_for(lambda: r2.execute_command("auth.changecount") == 1)

    # ACL users
    with pytest.raises(redis.ResponseError, match="Invalid user"):
        r2.execute_command("auth.authrealuser", "auth-module-test-fake")
    r3 = s.client(single_connection_client=True)
    r3.execute_command("ACL", "SETUSER", "auth-module-test", "on", "allkeys", "allcommands")
    cid = r3.execute_command("auth.authrealuser", "auth-module-test")
    assert r3.execute_command("CLIENT", "ID") == cid
    assert r3.execute_command("ACL", "WHOAMI") == b"auth-module-test"
    assert r3.execute_command("auth.changecount") == 0
    r3.execute_command("auth.authrealuser", "auth-module-test")
    assert r3.execute_command("auth.changecount") == 1
    r3.execute_command("AUTH", "default", "")
    assert r3.execute_command("auth.changecount") == 1
    r3.execute_command("AUTH", "default", "")
    assert r3.execute_command("auth.changecount") == 0
    assert r3.execute_command("ACL", "WHOAMI") == b"default"
    # a disabled ACL user cannot be used
    r3.execute_command("ACL", "SETUSER", "auth-module-test", "off")
    with pytest.raises(redis.ResponseError, match="Invalid user"):
        r3.execute_command("auth.authrealuser", "auth-module-test")
    assert r3.execute_command("auth.certificate") is None


def test_user_changed_callback_fires_on_disconnect_and_reset(aclsrv):
    s = aclsrv("testacl")
    r = s.client(single_connection_client=True)
    r.execute_command("ACL", "SETUSER", "u", "on", "allkeys", "allcommands")
    r.execute_command("auth.authrealuser", "u")
    r.execute_command("RESET")
    assert r.execute_command("ACL", "WHOAMI") == b"default"
    assert r.execute_command("auth.changecount") == 1
    other = s.client(single_connection_client=True)
    other.execute_command("auth.authrealuser", "u")
    other.close()
    wait_for(lambda: r.execute_command("auth.changecount") == 1)


def test_deauthenticate_and_close_client(aclsrv):
    s = aclsrv("testacl")
    r = s.raw()
    victim = s.raw()
    vid = int(victim.call("CLIENT", "ID")[1:-2])
    assert r.call("auth.deauth", vid) == b":0\r\n"
    with pytest.raises((ConnectionError, OSError)):
        victim.call("PING")
    assert r.call("auth.deauth", 999999) == b":1\r\n"
    # the calling client itself: the reply comes, then the connection closes
    me = int(r.call("CLIENT", "ID")[1:-2])
    assert r.call("auth.deauth", me) == b":0\r\n"
    with pytest.raises((ConnectionError, OSError)):
        r.call("PING")


def test_modules_can_redact_arguments(aclsrv):
    s = aclsrv("testacl")
    r = s.client()
    r.config_set("slowlog-log-slower-than", 0)
    r.slowlog_reset()
    r.execute_command("auth.redact", 1, 2, 3, 4)
    r.execute_command("auth.redact", 1, 2, 3)
    assert r.execute_command("auth.redactbad") == b"OK"
    r.config_set("slowlog-log-slower-than", -1)
    log = r.execute_command("SLOWLOG", "GET")
    args = [e[3] for e in log]
    assert args[-1] == [b"SLOWLOG", b"RESET"]
    assert [b"auth.redact", b"1", b"(redacted)", b"3", b"(redacted)"] in args
    assert [b"auth.redact", b"(redacted)", b"2", b"(redacted)"] in args


def test_redacted_arguments_in_monitor(aclsrv):
    s = aclsrv("testacl")
    mon = s.raw()
    mon.call("MONITOR")
    r = s.raw()
    r.call("auth.redact", "a", "b", "c")
    line = mon.read()
    assert b'"auth.redact" "(redacted)" "b" "(redacted)"' in line, line


# --- moduleauth.tcl ----------------------------------------------------------------------------
@pytest.fixture
def authsrv(aclsrv):
    s = aclsrv(("testacl", str(BLOCK)), "moduleauthtwo", "plain")
    r = s.client(single_connection_client=True)
    assert r.execute_command("testmoduleone.rm_register_blocking_auth_cb") == b"OK"
    assert r.execute_command("testmoduletwo.rm_register_auth_cb") == b"OK"
    assert r.execute_command("testmoduleone.rm_register_auth_cb") == b"OK"
    return s, r


def test_module_auth_unknown_and_disabled_users(authsrv):
    s, r = authsrv
    c = s.raw()
    r.config_resetstat()
    assert c.call("AUTH", "foo", "pwd").startswith(b"-WRONGPASS")
    st = cmdstat(r, "auth")
    assert (st["calls"], st["rejected_calls"], st["failed_calls"]) == (1, 0, 1)
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "off", "~*", "&*", "+@all")
    assert c.call("AUTH", "foo", "pwd").startswith(b"-WRONGPASS")
    assert cmdstat(r, "auth")["failed_calls"] == 2


@pytest.mark.parametrize("blocking", [False, True])
def test_module_auth(authsrv, blocking):
    s, r = authsrv
    c = s.raw()
    allow, deny = ("block_allow", "block_deny") if blocking else ("allow", "deny")
    r.config_resetstat()
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    assert c.call("AUTH", "foo", allow) == b"+OK\r\n"
    assert c.call("AUTH", "foo", deny).startswith(b"-ERR Auth denied by Misc Module")
    st = cmdstat(r, "auth")
    assert (st["calls"], st["failed_calls"]) == (2, 1)
    assert c.call("AUTH", "foo", "nomatch").startswith(b"-WRONGPASS")
    assert c.call("AUTH", "foo", "pwd") == b"+OK\r\n"
    r.execute_command("ACL", "SETUSER", "foo", "on", "~*", "&*", "+@all", "nopass")
    assert c.call("AUTH", "foo", allow) == b"+OK\r\n"
    assert c.call("AUTH", "foo", deny).startswith(b"-ERR Auth denied by Misc Module")
    st = cmdstat(r, "auth")
    assert (st["calls"], st["rejected_calls"], st["failed_calls"]) == (6, 0, 3)
    assert c.call("AUTH", "foo", "nomatch") == b"+OK\r\n"
    if blocking:  # the time the module measured in its thread counts
        assert cmdstat(r, "auth")["usec_per_call"] >= BLOCK * 1e6 / 2
    entry = r.acl_log()[0]
    assert (entry["username"], entry["context"], entry["reason"], entry["object"]) == \
        ("foo", "module", "auth", "Module Auth")
    assert entry["client-info"]["cmd"] == "auth"
    r.acl_log_reset()


@pytest.mark.parametrize("blocking", [False, True])
def test_module_hello_auth(authsrv, blocking):
    s, r = authsrv
    allow, deny = ("block_allow", "block_deny") if blocking else ("allow", "deny")
    c = s.raw()
    hello2 = c.call("HELLO", "2")
    hello3 = c.call("HELLO", "3")
    c.call("HELLO", "2")
    r.config_resetstat()
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    assert c.call("HELLO", "2", "AUTH", "foo", "pwd") == hello2
    assert c.call("HELLO", "2", "AUTH", "foo", allow) == hello2
    assert c.call("HELLO", "3", "AUTH", "foo", "pwd") == hello3
    assert c.call("HELLO", "3", "AUTH", "foo", allow) == hello3
    assert c.call("ACL", "WHOAMI") == b"$3\r\nfoo\r\n"
    assert c.call("HELLO", "2", "AUTH", "foo", deny).startswith(b"-ERR Auth denied by Misc Module")
    assert c.call("HELLO", "2", "AUTH", "foo", "nomatch").startswith(b"-WRONGPASS")
    assert c.call("HELLO", "3", "AUTH", "foo", deny).startswith(b"-ERR Auth denied by Misc Module")
    assert c.call("HELLO", "3", "AUTH", "foo", "nomatch").startswith(b"-WRONGPASS")
    st = cmdstat(r, "hello")
    assert (st["calls"], st["rejected_calls"], st["failed_calls"]) == (8, 0, 4)
    if blocking:
        assert st["usec_per_call"] >= BLOCK * 1e6 / 2
    entry = r.acl_log()[1]
    assert (entry["username"], entry["context"], entry["reason"], entry["object"]) == \
        ("foo", "module", "auth", "Module Auth")
    assert entry["client-info"]["cmd"] == "hello"
    # SETNAME applies only when authentication succeeds
    assert c.call("HELLO", "2", "AUTH", "foo", allow, "SETNAME", "client2") == hello2
    assert c.call("CLIENT", "GETNAME") == b"$7\r\nclient2\r\n"
    c.call("CLIENT", "SETNAME", "client0")
    assert c.call("HELLO", "2", "AUTH", "foo", deny, "SETNAME", "client1").startswith(b"-ERR Auth denied")
    assert c.call("HELLO", "2", "AUTH", "foo", "nomatch", "SETNAME", "client1").startswith(b"-WRONGPASS")
    assert c.call("CLIENT", "GETNAME") == b"$7\r\nclient0\r\n"


def test_callbacks_of_two_modules_in_order(authsrv):
    s, r = authsrv
    c = s.raw()
    r.execute_command("testmoduleone.rm_register_blocking_auth_cb")
    r.execute_command("testmoduleone.rm_register_auth_cb")
    r.execute_command("testmoduletwo.rm_register_auth_cb")
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    r.config_resetstat()
    assert c.call("AUTH", "foo", "allow") == b"+OK\r\n"
    assert c.call("AUTH", "foo", "deny").startswith(b"-ERR Auth denied")
    assert c.call("AUTH", "foo", "block_allow") == b"+OK\r\n"
    assert c.call("AUTH", "foo", "block_deny").startswith(b"-ERR Auth denied")
    assert c.call("AUTH", "foo", "allow_two") == b"+OK\r\n"
    assert c.call("AUTH", "foo", "deny_two").startswith(b"-ERR Auth denied")
    r.config_resetstat()
    t0 = time.time()
    assert c.call("AUTH", "foo", "nomatch").startswith(b"-WRONGPASS")
    assert time.time() - t0 >= 2 * BLOCK  # both blocking callbacks were tried
    assert c.call("AUTH", "foo", "pwd") == b"+OK\r\n"
    st = cmdstat(r, "auth")
    assert (st["calls"], st["failed_calls"]) == (2, 1)


def test_module_auth_while_another_client_is_blocked(authsrv):
    s, r = authsrv
    c = s.raw()
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    r.config_resetstat()
    a, b = s.raw(), s.raw()
    a.send("AUTH", "foo", "block_allow")
    wait_for(lambda: _blocked(r) == 1)
    assert c.call("AUTH", "foo", "allow") == b"+OK\r\n"
    assert c.call("AUTH", "foo", "allow_two") == b"+OK\r\n"
    assert _blocked(r) in (0, 1)
    b.send("AUTH", "foo", "block_allow")
    assert a.read() == b"+OK\r\n"
    assert b.read() == b"+OK\r\n"
    wait_for(lambda: _blocked(r) == 0)
    st = cmdstat(r, "auth")
    assert (st["calls"], st["failed_calls"]) == (4, 0)


def test_module_auth_inside_multi(authsrv):
    s, r = authsrv
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    r.config_resetstat()
    raw = s.raw()
    assert raw.call("MULTI") == b"+OK\r\n"
    assert raw.call("AUTH", "foo", "allow") == b"+QUEUED\r\n"
    assert raw.call("EXEC") == b"*1\r\n+OK\r\n"
    raw.call("MULTI")
    raw.call("AUTH", "foo", "block_allow")
    assert raw.call("EXEC") == b"*1\r\n-ERR Blocking module command called from transaction\r\n"
    st = cmdstat(r, "auth")
    assert (st["calls"], st["rejected_calls"], st["failed_calls"]) == (2, 0, 1)
    wait_for(lambda: _unloadable(r))  # the refused block was released: no blocked client left


def test_user_disabled_during_blocking_auth(authsrv):
    s, r = authsrv
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    r.config_resetstat()
    a = s.raw()
    a.send("AUTH", "foo", "pwd")  # every callback passes: passwords decide, after the block
    wait_for(lambda: _blocked(r) == 1)
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "off")
    assert a.read().startswith(b"-WRONGPASS")
    st = cmdstat(r, "auth")
    assert (st["calls"], st["failed_calls"]) == (1, 1)


def test_client_killed_during_blocking_auth(authsrv):
    s, r = authsrv
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    r.config_resetstat()
    a = s.raw()
    cid = int(a.call("CLIENT", "ID")[1:-2])
    a.send("AUTH", "foo", "pwd")
    wait_for(lambda: _blocked(r) == 1)
    r.execute_command("CLIENT", "KILL", "ID", cid)
    wait_for(lambda: _blocked(r) == 0)
    with pytest.raises((ConnectionError, OSError)):
        a.read()
    time.sleep(BLOCK * 3)
    assert cmdstat(r, "auth") == {}  # the AUTH never completed: not counted
    wait_for(lambda: _unloadable(r))  # the module's handle was released once its thread ended


def test_abort_block_during_module_auth(authsrv):
    s, r = authsrv
    c = s.raw()
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    r.config_resetstat()
    assert c.call("AUTH", "foo", "block_abort").startswith(b"-WRONGPASS")
    st = cmdstat(r, "auth")
    assert (st["calls"], st["failed_calls"]) == (1, 1)


def test_register_callback_during_blocking_auth(authsrv):
    s, r = authsrv
    r.execute_command("ACL", "SETUSER", "foo", ">defaultpwd", "on", "~*", "&*", "+@all")
    r.config_resetstat()
    a = s.raw()
    a.send("AUTH", "foo", "defaultpwd")
    wait_for(lambda: _blocked(r) == 1)
    assert r.execute_command("testmoduleone.rm_register_blocking_auth_cb") == b"OK"
    assert r.execute_command("testmoduletwo.rm_register_auth_cb") == b"OK"
    assert a.read() == b"+OK\r\n"
    st = cmdstat(r, "auth")
    assert (st["calls"], st["failed_calls"]) == (1, 0)


def test_module_unload_during_blocking_auth(authsrv):
    s, r = authsrv
    c = s.raw()
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    r.config_resetstat()
    a = s.raw()
    a.send("AUTH", "foo", "block_allow")
    wait_for(lambda: _blocked(r) == 1)
    with pytest.raises(redis.ResponseError, match="the module has blocked clients"):
        r.execute_command("MODULE", "UNLOAD", "testacl")
    assert r.execute_command("MODULE", "UNLOAD", "moduleauthtwo") == b"OK"
    assert r.execute_command("MODULE", "UNLOAD", "plain") == b"OK"
    assert a.read() == b"+OK\r\n"
    assert c.call("AUTH", "foo", "allow") == b"+OK\r\n"
    wait_for(lambda: _unloadable(r))
    assert c.call("AUTH", "foo", "block_allow").startswith(b"-WRONGPASS")
    assert c.call("AUTH", "foo", "allow_two").startswith(b"-WRONGPASS")
    assert c.call("AUTH", "foo", "allow").startswith(b"-WRONGPASS")
    st = cmdstat(r, "auth")
    assert (st["calls"], st["failed_calls"]) == (5, 3)


def _unloadable(r) -> bool:
    try:
        r.execute_command("MODULE", "UNLOAD", "testacl")
        return True
    except redis.ResponseError:
        return False


def test_blocking_auth_from_threads_is_thread_safe(authsrv):
    """Several clients in blocking module auth at once, each answered."""
    s, r = authsrv
    r.execute_command("ACL", "SETUSER", "foo", ">pwd", "on", "~*", "&*", "+@all")
    clients = [s.raw() for _ in range(5)]
    for c in clients:
        c.send("AUTH", "foo", "block_allow")
    replies = [c.read() for c in clients]
    assert replies == [b"+OK\r\n"] * 5
    assert all(c.call("ACL", "WHOAMI") == b"$3\r\nfoo\r\n" for c in clients)
