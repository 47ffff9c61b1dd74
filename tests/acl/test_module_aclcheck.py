"""Modules API ACL checks (Redis's aclcheck.tcl, usercall.tcl and getchannels.tcl scenarios):
command, key and channel checks for the current user and module users, log entries,
call() with the C flag, module ACL categories, module users' rule strings, scripts and
threads running as a module user, channels declared through the getchannels-api."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

SCRIPT_SET = "#!lua\nredis.call('set','x',1)\nreturn 1"
SCRIPT_GET = "#!lua\nredis.call('get','x')\nreturn 1"


def _entry(r) -> dict:
    return r.acl_log()[0]


def test_check_command_key_channel_permissions(aclsrv):
    s = aclsrv("aclcheck")
    r = s.client()
    assert r.execute_command("aclcheck.rm_call.check.cmd", "set", "x", 5) == b"OK"
    r.execute_command("ACL", "SETUSER", "default", "-set")
    with pytest.raises(redis.ResponseError, match="DENIED CMD"):
        r.execute_command("aclcheck.rm_call.check.cmd", "set", "x", 5)
    e = _entry(r)
    assert (e["username"], e["context"], e["object"], e["reason"]) == ("default", "module", "set", "command")

    r.execute_command("ACL", "SETUSER", "default", "+set", "resetkeys", "~x", "%W~y", "%R~z")
    assert r.execute_command("aclcheck.set.check.key", "*", "x", 5) == b"OK"
    for flag, ok, bad in (("*", "x", "v"), ("W", "y", "v"), ("R", "z", "v"), ("~", "x", "v")):
        assert r.execute_command("aclcheck.set.check.key", flag, ok, 5) == b"OK"
        with pytest.raises(redis.ResponseError, match="DENIED KEY"):
            r.execute_command("aclcheck.set.check.key", flag, bad, 5)
    with pytest.raises(redis.ResponseError, match="DENIED KEY"):
        r.execute_command("aclcheck.set.check.key", "R", "y", 5)  # y is write-only
    with pytest.raises(redis.ResponseError, match="INVALID FLAGS"):
        r.execute_command("aclcheck.set.check.key", "Q", "x", 5)
    # the module user may touch every key
    assert r.execute_command("aclcheck.rm_call.check.cmd.module.user", "set", "y", 5) == b"OK"
    assert r.execute_command("ACL", "WHOAMI") == b"default"

    r.execute_command("ACL", "SETUSER", "default", "resetchannels", "&ch1")
    assert r.execute_command("aclcheck.publish.check.channel", "ch1", "msg") == 0
    with pytest.raises(redis.ResponseError, match="DENIED CHANNEL"):
        r.execute_command("aclcheck.publish.check.channel", "ch2", "msg")


def test_check_apis_errno(aclsrv):
    s = aclsrv("aclcheck")
    r = s.client()
    r.execute_command("ACL", "SETUSER", "default", "resetkeys", "%R~r*", "resetchannels", "&c*", "&p*", "-incr")
    access, update, ro = 1 << 4, 1 << 5, 1 << 0
    assert r.execute_command("aclcheck.key.flags", access, "r1") == b"OK"
    assert r.execute_command("aclcheck.key.flags", update, "r1") == b"ERR EACCES"
    assert r.execute_command("aclcheck.key.flags", 0, "r1") == b"OK"
    assert r.execute_command("aclcheck.key.flags", 0, "zz") == b"ERR EACCES"
    assert r.execute_command("aclcheck.key.flags", ro, "r1") == b"ERR EINVAL"  # only the logical flags
    sub, unsub, pat, pub = 1 << 2, 1 << 3, 1 << 0, 1 << 1
    assert r.execute_command("aclcheck.channel.flags", sub, "c1") == b"OK"
    assert r.execute_command("aclcheck.channel.flags", pub, "zz") == b"ERR EACCES"
    assert r.execute_command("aclcheck.channel.flags", unsub, "zz") == b"OK"  # always allowed
    assert r.execute_command("aclcheck.channel.flags", sub | pat, "p*") == b"OK"
    assert r.execute_command("aclcheck.channel.flags", sub | pat, "p1*") == b"ERR EACCES"  # literal compare
    assert r.execute_command("aclcheck.channel.flags", 1 << 7, "c1") == b"ERR EINVAL"
    assert r.execute_command("aclcheck.cmd.errno", "get", "r1") == b"OK"
    assert r.execute_command("aclcheck.cmd.errno", "get", "zz") == b"ERR EACCES"
    assert r.execute_command("aclcheck.cmd.errno", "incr", "r1") == b"ERR EACCES"
    assert r.execute_command("aclcheck.cmd.errno", "nosuchcmd") == b"ERR ENOENT"
    assert r.execute_command("aclcheck.cmd.errno", "config", "nosub") == b"ERR ENOENT"


def test_call_with_acl_check(aclsrv):
    s = aclsrv("aclcheck")
    r = s.client()
    r.execute_command("ACL", "SETUSER", "default", "resetkeys", "~x", "%W~y", "%R~z")
    assert r.execute_command("aclcheck.rm_call", "set", "x", 5) == b"OK"
    assert r.execute_command("aclcheck.rm_call", "set", "y", 5) == b"OK"  # a plain SET only writes
    with pytest.raises(redis.ResponseError, match="NOPERM"):
        r.execute_command("aclcheck.rm_call", "set", "z", 5)  # z is read-only
    e = _entry(r)
    assert (e["username"], e["context"], e["object"], e["reason"]) == ("default", "module", "z", "key")
    c = s.raw()  # without E: NULL and errno EACCES (the module says ERR NOPERM); with E: the error
    assert c.call("aclcheck.rm_call", "set", "z", 5) == b"-ERR NOPERM\r\n"
    assert c.call("aclcheck.rm_call_with_errors", "set", "z", 5) == \
        b"-NOPERM No permissions to access a key\r\n"
    r.execute_command("ACL", "SETUSER", "default", "-set")
    with pytest.raises(redis.ResponseError, match="NOPERM"):
        r.execute_command("aclcheck.rm_call", "set", "x", 5)
    e = _entry(r)
    assert (e["username"], e["context"], e["object"], e["reason"]) == ("default", "module", "set", "command")
    assert e["client-info"]["cmd"] == "aclcheck.rm_call"
    # with E the refusal is the error reply
    with pytest.raises(redis.exceptions.NoPermissionError, match="User default has no permissions to run"):
        r.execute_command("aclcheck.rm_call_with_errors", "set", "x", 5)
    assert r.execute_command("aclcheck.rm_call_with_errors", "get", "x") == b"5"


def test_module_acl_categories(aclsrv):
    s = aclsrv("aclcheck")
    r = s.client()
    cats = r.execute_command("ACL", "CAT")
    assert cats[-2:] == [b"foocategory", b"barcategory"]
    assert r.execute_command("ACL", "CAT", "foocategory") == [b"aclcheck.module.command.test.add.new.aclcategories"]
    assert r.execute_command("ACL", "CAT", "barcategory") == []
    assert b"aclcheck.module.command.aclcategories.read.only.category" in r.execute_command("ACL", "CAT", "read")
    info = s.raw().call("COMMAND", "INFO", "aclcheck.module.command.test.add.new.aclcategories")
    assert b"*1\r\n+@foocategory\r\n" in info

    r.execute_command("ACL", "SETUSER", "m", "on", "nopass", "-@all", "+@foocategory", "+@read")
    d = lambda *a: r.execute_command("ACL", "DRYRUN", "m", *a)  # noqa: E731
    assert d("aclcheck.module.command.test.add.new.aclcategories") == b"OK"
    assert d("aclcheck.module.command.aclcategories.read.only.category") == b"OK"
    assert d("aclcheck.module.command.aclcategories.write").startswith(b"User m has no permissions")
    r.execute_command("ACL", "SETUSER", "m", "-@FOOCATEGORY")
    assert d("aclcheck.module.command.test.add.new.aclcategories").startswith(b"User m has no permissions")
    assert r.execute_command("ACL", "GETUSER", "m")[5] == b"-@all +@read -@foocategory"
    with pytest.raises(redis.ResponseError, match="Unknown command or category"):
        r.execute_command("ACL", "SETUSER", "m", "+@nosuchcat")
    # +@all covers module commands, also those loaded later (the future-commands bit)
    r.execute_command("ACL", "SETUSER", "all", "on", "nopass", "+@all", "-@foocategory")
    assert r.execute_command("ACL", "DRYRUN", "all", "aclcheck.module.command.aclcategories.write") == b"OK"
    r.execute_command("MODULE", "LOAD", str(Path(__file__).parent / "modules" / "getchannels.py"))
    assert r.execute_command("ACL", "DRYRUN", "all", "getchannels.command") == b"OK"
    assert r.execute_command("ACL", "DRYRUN", "m", "getchannels.command").startswith(b"User m has no")


def test_getchannels_api_through_acl(aclsrv):
    s = aclsrv("getchannels")
    r = s.client()
    r.execute_command("ACL", "SETUSER", "testuser", "+@all", "resetchannels", "&channel", "&pattern*")

    def dry(*a):
        return r.execute_command("ACL", "DRYRUN", "testuser", "getchannels.command", *a)

    for op in ("subscribe", "publish", "unsubscribe"):
        assert dry(op, "literal", "channel", op, "literal", "pattern1") == b"OK"
        assert dry(op, "pattern", "pattern*") == b"OK"
    no = b"User testuser has no permissions to access the '%s' channel"
    assert dry("subscribe", "literal", "channel", "subscribe", "literal", "nopattern1") == no % b"nopattern1"
    assert dry("publish", "literal", "channel", "subscribe", "literal", "nopattern1") == no % b"nopattern1"
    assert dry("unsubscribe", "literal", "channel", "unsubscribe", "literal", "nopattern1") == b"OK"
    assert dry("subscribe", "literal", "otherchannel", "subscribe", "literal", "pattern1") == no % b"otherchannel"
    assert dry("publish", "literal", "otherchannel", "subscribe", "literal", "pattern1") == no % b"otherchannel"
    assert dry("subscribe", "pattern", "pattern1", "subscribe", "pattern", "pattern*") == no % b"pattern1"
    assert dry("publish", "pattern", "pattern1", "subscribe", "pattern", "pattern*") == no % b"pattern1"
    assert dry("unsubscribe", "pattern", "pattern1", "unsubscribe", "pattern", "pattern*") == b"OK"
    assert dry("subscribe", "pattern", "otherpattern*", "subscribe", "pattern", "pattern*") == \
        no % b"otherpattern*"
    # and through a connection authenticated as the user
    r.execute_command("ACL", "SETUSER", "testuser", "on", "nopass")
    c = s.raw()
    assert c.call("AUTH", "testuser", "x") == b"+OK\r\n"
    assert c.call("getchannels.command", "publish", "literal", "channel") == b"+OK\r\n"
    assert c.call("getchannels.command", "publish", "literal", "nope") == \
        b"-NOPERM No permissions to access a channel\r\n"
    assert r.acl_log()[0]["object"] == "nope"


def test_module_user_calls(aclsrv):
    s = aclsrv("usercall")
    r = s.client()
    assert r.execute_command("usercall.reset_user") == b"OK"
    assert r.execute_command("usercall.add_to_acl", "~* &* +@all -set") == b"OK"
    assert r.execute_command("usercall.call_without_user", "set", "x", 5) == b"OK"
    assert r.execute_command("usercall.get_acl") == b"off sanitize-payload ~* &* +@all -set"
    # the user is set but without C nothing is checked
    assert r.execute_command("usercall.call_with_user_flag", "", "set", "x", 10) == b"OK"
    assert r.get("x") == b"10"
    r.set("x", 5)
    r.acl_log_reset()
    with pytest.raises(redis.ResponseError, match="User module_user has no permissions"):
        r.execute_command("usercall.call_with_user_flag", "C", "set", "x", 10)
    assert r.execute_command("usercall.call_with_user_flag", "C", "get", "x") == b"5"
    e = _entry(r)
    assert (e["username"], e["context"], e["object"], e["reason"]) == ("module_user", "module", "set", "command")
    assert e["client-info"]["cmd"] == "usercall.call_with_user_flag"
    # errors of the rule string, and nothing applied then
    with pytest.raises(redis.ResponseError, match="Error in ACL SETUSER modifier 'bogus': Syntax error"):
        r.execute_command("usercall.add_to_acl", "+get bogus")
    assert r.execute_command("usercall.get_acl") == b"off sanitize-payload ~* &* +@all -set"
    with pytest.raises(redis.ResponseError, match="Unmatched parenthesis"):
        r.execute_command("usercall.add_to_acl", "(+get")


def test_module_user_calls_from_a_thread(aclsrv):
    s = aclsrv("usercall")
    r = s.client()
    r.execute_command("usercall.reset_user")
    r.execute_command("usercall.add_to_acl", "~* &* +@all -set")
    r.set("x", 5)
    r.acl_log_reset()
    with pytest.raises(redis.ResponseError, match="User module_user has no permissions"):
        r.execute_command("usercall.call_with_user_bg", "C", "set", "x", 10)
    assert r.execute_command("usercall.call_with_user_bg", "C", "get", "x") == b"5"
    e = _entry(r)
    assert (e["username"], e["context"], e["object"]) == ("module_user", "module", "set")


def test_scripts_run_as_the_module_user(aclsrv):
    s = aclsrv("usercall")
    r = s.client()
    sha_set = r.script_load(SCRIPT_SET)
    sha_get = r.script_load(SCRIPT_GET)
    assert r.execute_command("usercall.call_without_user", "evalsha", sha_set, 0) == 1
    r.execute_command("usercall.reset_user")
    r.execute_command("usercall.add_to_acl", "~* &* +@all -set")
    assert r.execute_command("usercall.call_with_user_flag", "", "evalsha", sha_set, 0) == 1
    r.acl_log_reset()
    with pytest.raises(redis.ResponseError, match="ACL failure in script: User module_user"):
        r.execute_command("usercall.call_with_user_flag", "C", "evalsha", sha_set, 0)
    assert r.execute_command("usercall.call_with_user_flag", "C", "evalsha", sha_get, 0) == 1
    e = _entry(r)
    assert (e["username"], e["context"], e["object"], e["reason"]) == ("module_user", "lua", "set", "command")
    assert e["client-info"]["cmd"] == "usercall.call_with_user_flag"


def test_freeing_a_module_user_disconnects_its_clients(aclsrv):
    s = aclsrv("testacl")
    a, b = s.raw(), s.raw()
    assert a.call("auth.createmoduleuser") == b"+OK\r\n"
    assert b.call("auth.authmoduleuser").startswith(b":")
    assert a.call("auth.createmoduleuser") == b"+OK\r\n"  # frees the previous "global"
    with pytest.raises((ConnectionError, OSError)):
        b.call("PING")
    assert a.call("PING") == b"+PONG\r\n"
