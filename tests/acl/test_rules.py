"""ACL rules without a server: how rules combine, how a user is described, the
unrestricted fast-path flag, selector argument merging, config line checks."""

from __future__ import annotations

import pytest

from moredis.acl.selector import ALL, READ, WRITE, RuleError, key_need
from moredis.acl.users import ACL, User, check_user_directive, merge_selector_args


@pytest.fixture
def acl():
    return ACL()  # no server: commands cannot be looked up, categories can


def _user(acl, *rules: bytes) -> User:
    u = acl.new_user("u")
    for r in rules:
        u.apply(r)
    u.refresh()
    return u


def test_default_user(acl):
    d = acl.default_user
    assert d.describe() == b"on nopass sanitize-payload ~* &* +@all"
    assert d.unrestricted and d.check_password(b"anything")
    assert acl.sorted_users() == [d]


def test_passwords(acl):
    u = _user(acl, b"on", b">a", b">b", b">a")
    assert len(u.passwords) == 2 and not u.nopass
    assert u.check_password(b"a") and u.check_password(b"b") and not u.check_password(b"c")
    u.apply(b"<a")
    assert not u.check_password(b"a")
    with pytest.raises(RuleError) as e:
        u.apply(b"<a")
    assert e.value.code == "ENODEV"
    u.apply(b"nopass")
    assert u.passwords == [] and u.check_password(b"x")
    u.apply(b"off")
    assert not u.check_password(b"x")
    with pytest.raises(RuleError) as e:
        u.apply(b"#" + b"G" * 64)
    assert e.value.code == "EBADMSG"


def test_category_rules_are_kept_in_order_and_compacted(acl):
    u = _user(acl, b"+@read", b"-@write", b"+@READ", b"-@all", b"+@hash", b"+@read")
    assert u.root.describe_commands() == b"-@all +@hash +@read"
    u.apply(b"allcommands")
    assert u.root.describe_commands() == b"+@all"
    with pytest.raises(RuleError) as e:
        u.apply(b"+@nosuch")
    assert e.value.code == "ENOENT"
    with pytest.raises(RuleError):
        u.apply(b"+get")  # no command table here: unknown


def test_key_patterns(acl):
    u = _user(acl, b"%R~r*", b"%W~w*", b"~a*", b"%W~r*", b"%rw~b*")
    assert u.root.describe_keys() == b"~r* %W~w* ~a* ~b*"
    assert u.key_ok(b"r1", READ) and u.key_ok(b"r1", WRITE) and u.key_ok(b"w1", WRITE)
    assert not u.key_ok(b"w1", READ) and u.key_ok(b"w1", 0) and not u.key_ok(b"zz", 0)
    u.apply(b"allkeys")
    assert u.root.describe_keys() == b"~*" and u.key_ok(b"zz", ALL)
    for bad, code in ((b"~x", "EEXIST"), (b"%R~y", "EEXIST")):
        with pytest.raises(RuleError) as e:
            u.apply(bad)
        assert e.value.code == code
    u.apply(b"resetkeys")
    for bad in (b"%X~a", b"%RR~a", b"~a b", b"~a\x00"):
        with pytest.raises(RuleError) as e:
            u.apply(bad)
        assert e.value.code == "EINVAL"


def test_channels(acl):
    u = _user(acl, b"&news.*", b"&exact")
    assert u.channel_ok(b"news.1", False) and u.channel_ok(b"exact", False)
    assert not u.channel_ok(b"other", False)
    assert u.channel_ok(b"news.*", True) and not u.channel_ok(b"news.1*", True)  # patterns: literal
    u.apply(b"allchannels")
    with pytest.raises(RuleError) as e:
        u.apply(b"&x")
    assert e.value.code == "EISDIR"


def test_selectors_and_reset(acl):
    u = _user(acl, b"on", b">p", b"~a", b"(~b* &c)", b"()")
    assert u.describe().endswith(b" ~a resetchannels -@all (~b* resetchannels &c -@all) (resetchannels -@all)")
    assert u.key_ok(b"b1", READ)
    u.apply(b"clearselectors")
    assert len(u.selectors) == 1
    u.apply(b"reset")
    assert u.describe() == b"off sanitize-payload resetchannels -@all"
    with pytest.raises(RuleError):
        u.apply(b"(on)")


def test_unrestricted_flag(acl):
    u = _user(acl, b"+@all", b"~*", b"&*")
    assert u.unrestricted
    u.apply(b"resetchannels")
    u.refresh()
    assert not u.unrestricted
    u.apply(b"(+@all ~* &*)")  # any selector allowing everything will do
    u.refresh()
    assert u.unrestricted


def test_merge_selector_args():
    assert merge_selector_args([b"on", b"(~a", b"+get)", b"(~b)"]) == ([b"on", b"(~a +get)", b"(~b)"], 0)
    assert merge_selector_args([b"on", b"(~a", b"+get"]) == (None, 1)
    assert merge_selector_args([b"(", b")"]) == ([b"( )"], 0)


def test_key_need():
    assert key_need(["RW", "access", "update"]) == READ | WRITE
    assert key_need(["RO", "access"]) == READ
    assert key_need(["OW", "update"]) == WRITE
    assert key_need(["RM", "delete"]) == WRITE
    assert key_need(["RO"]) == 0


def test_user_directive_checks():
    assert check_user_directive(["alice", "on", ">p", "+nosuchcmd", "~a*"], []) is None  # commands: later
    assert check_user_directive(["alice", "bogus"], []) == "Error in user declaration 'user': Syntax error"
    # the index of the unmatched selector counts the rules, but is shown from the whole line
    assert check_user_directive(["alice", "on", "(~a"], []) == "Error in user declaration 'alice': Syntax error"
    assert "Duplicate user found" in check_user_directive(["alice"], [["alice", "on"]])
    assert check_user_directive([], []) == "Bad directive or wrong number of arguments"
