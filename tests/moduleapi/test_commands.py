"""Command registration (F14): key specs, full command info, subcommands, ACL categories,
getkeys-api, getchannels-api, GetCommandKeys; as COMMAND INFO/DOCS/GETKEYS/LIST show
them (scenarios of Redis's keyspecs.tcl, subcommands.tcl, getkeys.tcl, cmdintrospection.tcl)."""

from __future__ import annotations

import re

import pytest
import redis

from .conftest import cmd


@pytest.fixture
def s(modsrv):
    return modsrv("cmdinfo")


def info(s, name):
    return cmd(s, "COMMAND", "INFO", name)[0]


def test_legacy_triple_becomes_full_access_spec(s):
    i = info(s, "kspec.none")
    assert i[:6] == [b"kspec.none", -1, [b"write", b"module"], 1, -1, 2]
    assert i[8] == [[b"flags", [b"RW", b"access", b"update"], b"begin_search",
                     [b"type", b"index", b"spec", [b"index", 1]], b"find_keys",
                     [b"type", b"range", b"spec", [b"lastkey", -1, b"keystep", 2, b"limit", 0]]]]
    assert i[6] == [] and i[7] == [] and i[9] == []


def test_legacy_with_getkeys_api_is_movable(s):
    i = info(s, "kspec.nonewithgetkeys")
    assert i[2] == [b"module", b"movablekeys"]
    assert i[3:6] == [1, 1, 1]


def test_two_ranges_glue_into_legacy_range(s):
    i = info(s, "kspec.tworanges")
    assert i[:6] == [b"kspec.tworanges", -2, [b"module"], 1, 2, 1]
    assert cmd(s, "COMMAND", "GETKEYSANDFLAGS", "kspec.tworanges", "a", "b") == [
        [b"a", [b"RO", b"access"]], [b"b", [b"RW", b"update"]]]


def test_two_ranges_with_gap_are_movable(s):
    i = info(s, "kspec.tworangeswithgap")
    assert i[:6] == [b"kspec.tworangeswithgap", -2, [b"module", b"movablekeys"], 1, 1, 1]
    assert cmd(s, "COMMAND", "GETKEYSANDFLAGS", "kspec.tworangeswithgap", "a", "skipme", "b") == [
        [b"a", [b"RO", b"access"]], [b"b", [b"RW", b"update"]]]


def test_keyword_only_spec(s):
    i = info(s, "kspec.keyword")
    assert i[:6] == [b"kspec.keyword", -2, [b"module", b"movablekeys"], 0, 0, 0]
    assert i[8][0][3] == [b"type", b"keyword", b"spec", [b"keyword", b"KEYS", b"startfrom", 1]]
    assert cmd(s, "COMMAND", "GETKEYS", "kspec.keyword", "foo", "KEYS", "bar", "baz") == [b"bar", b"baz"]


def test_complex_specs(s):
    i = info(s, "kspec.complex1")
    assert i[:6] == [b"kspec.complex1", -2, [b"module", b"movablekeys"], 1, 1, 1]
    assert cmd(s, "COMMAND", "GETKEYSANDFLAGS", "kspec.complex1", "a", "STORE", "b", "KEYS", "2", "c", "d") == [
        [b"a", [b"RO"]], [b"b", [b"RW", b"update"]], [b"c", [b"RO", b"access"]], [b"d", [b"RO", b"access"]]]
    assert cmd(s, "COMMAND", "GETKEYS", "kspec.complex1", "a") == [b"a"]


def test_list_filterby_module(s):
    names = sorted(cmd(s, "COMMAND", "LIST", "FILTERBY", "MODULE", "cmdinfo"))
    assert b"kspec.none" in names and b"subcommands.bitarray|set" in names
    assert b"subcommands.sub|get_fullname" in names and b"set" not in names
    assert cmd(s, "COMMAND", "LIST", "FILTERBY", "MODULE", "non_existing") == []


def test_full_command_info_and_docs(s):
    i = info(s, "cmdintrospection.xadd")
    assert i[:6] == [b"cmdintrospection.xadd", -5, [b"write", b"denyoom", b"module", b"fast"], 1, 1, 1]
    assert i[7] == [b"nondeterministic_output"]
    assert i[8] == [[b"notes", b"UPDATE instead of INSERT because of the optional trimming feature",
                     b"flags", [b"RW", b"update"], b"begin_search", [b"type", b"index", b"spec", [b"index", 1]],
                     b"find_keys", [b"type", b"range", b"spec", [b"lastkey", 0, b"keystep", 1, b"limit", 0]]]]
    docs = cmd(s, "COMMAND", "DOCS", "cmdintrospection.xadd")
    assert docs[0] == b"cmdintrospection.xadd"
    d = docs[1]
    keys = d[::2]
    assert keys == [b"summary", b"since", b"group", b"complexity", b"module", b"history", b"arguments"]
    m = dict(zip(d[::2], d[1::2], strict=True))
    assert m[b"group"] == b"module" and m[b"module"] == b"cmdinfo" and m[b"since"] == b"5.0.0"
    assert m[b"history"] == [[b"6.2.0", b"Added the `NOMKSTREAM` option, `MINID` trimming strategy and the "
                              b"`LIMIT` option."], [b"7.0.0", b"Added support for the `<ms>-*` explicit ID form."]]
    args = m[b"arguments"]
    assert args[0] == [b"name", b"key", b"type", b"key", b"display_text", b"key", b"key_spec_index", 0]
    assert args[1] == [b"name", b"nomkstream", b"type", b"pure-token", b"display_text", b"nomkstream",
                       b"token", b"NOMKSTREAM", b"since", b"6.2.0", b"flags", [b"optional"]]
    trim = args[2]
    assert trim[:4] == [b"name", b"trim", b"type", b"block"]
    assert trim[4:6] == [b"flags", [b"optional"]]
    assert trim[7][0][:4] == [b"name", b"strategy", b"type", b"oneof"]
    assert args[4][-3:] == [b"arguments", [
        [b"name", b"field", b"type", b"string", b"display_text", b"field"],
        [b"name", b"value", b"type", b"string", b"display_text", b"value"]], ] or args[4][4:6] == [
        b"flags", [b"multiple"]]


def test_command_without_info_docs(s):
    assert cmd(s, "COMMAND", "DOCS", "kspec.none") == [b"kspec.none", [b"group", b"module", b"module", b"cmdinfo"]]


def test_subcommands_in_command_info_and_docs(s):
    i = info(s, "subcommands.bitarray")
    assert i[:6] == [b"subcommands.bitarray", -2, [b"module"], 0, 0, 0]
    subs = sorted(i[9])
    assert subs[0][:8] == [b"subcommands.bitarray|get", 3, [b"module"], 2, 2, 1, [], []]
    assert subs[0][8] == [[b"flags", [b"RO", b"access"], b"begin_search", [b"type", b"index", b"spec", [b"index", 2]],
                           b"find_keys", [b"type", b"range", b"spec", [b"lastkey", 0, b"keystep", 1, b"limit", 0]]]]
    assert subs[1][:6] == [b"subcommands.bitarray|set", -3, [b"module"], 2, 2, 1]
    assert cmd(s, "COMMAND", "GETKEYS", "subcommands.bitarray", "set", "k", "v") == [b"k"]
    docs = cmd(s, "COMMAND", "DOCS", "subcommands.bitarray")[1]
    m = dict(zip(docs[::2], docs[1::2], strict=True))
    subdocs = dict(zip(m[b"subcommands"][::2], m[b"subcommands"][1::2], strict=True))
    assert subdocs[b"subcommands.bitarray|get"] == [b"group", b"module", b"module", b"cmdinfo"]


def test_container_arity_and_subcommand_calls(s):
    r = s.client()
    with pytest.raises(redis.ResponseError,
                       match=re.escape("wrong number of arguments for 'subcommands.bitarray' command")):
        r.execute_command("subcommands.bitarray")
    assert r.execute_command("subcommands.bitarray", "get", "k1") == b"OK"
    with pytest.raises(redis.ResponseError,
                       match=re.escape("wrong number of arguments for 'subcommands.bitarray|get' command")):
        r.execute_command("subcommands.bitarray", "get", "k1", "extra")
    with pytest.raises(redis.ResponseError, match="unknown subcommand 'nope'"):
        r.execute_command("subcommands.bitarray", "nope")


def test_current_command_fullname(s):
    r = s.client()
    assert r.execute_command("subcommands.parent_get_fullname") == b"subcommands.parent_get_fullname"
    assert r.execute_command("subcommands.sub", "get_fullname") == b"subcommands.sub|get_fullname"


def test_getkeys_api(s):
    assert cmd(s, "COMMAND", "GETKEYS", "getkeys.command", "arg", "key", "foo", "key", "bar") == [b"foo", b"bar"]
    assert cmd(s, "COMMAND", "GETKEYSANDFLAGS", "getkeys.command", "key", "foo") == [
        [b"foo", [b"RW", b"access", b"update"]]]
    assert cmd(s, "COMMAND", "GETKEYSANDFLAGS", "getkeys.command_with_flags", "ro", "a", "rw", "b") == [
        [b"a", [b"RO", b"access"]], [b"b", [b"RW", b"update"]]]
    # the command itself still runs normally
    assert s.client().execute_command("getkeys.command", "key", "x") == [b"x"]
    i = info(s, "getkeys.command")
    assert i[2] == [b"module", b"movablekeys"]
    with pytest.raises(redis.ResponseError, match="Invalid arguments specified for command"):
        s.client().execute_command("COMMAND", "GETKEYS", "getkeys.command", "nokeys")


def test_get_command_keys_on_builtin_commands(s):
    r = s.client()
    assert r.execute_command("getkeys.introspect", 0, "set", "x", "y") == [b"x"]
    assert r.execute_command("getkeys.introspect", 0, "zunionstore", "dst", 2, "a", "b") == [b"dst", b"a", b"b"]
    assert r.execute_command("getkeys.introspect", 1, "set", "x", "y") == [[b"x", 4 | 32]]   # OW update
    assert r.execute_command("getkeys.introspect", 1, "get", "x") == [[b"x", 1 | 16]]        # RO access
    with pytest.raises(redis.ResponseError, match="Invalid arguments"):
        r.execute_command("getkeys.introspect", 0, "nosuchcommand", "x")
    with pytest.raises(redis.ResponseError, match="Invalid arguments"):
        r.execute_command("getkeys.introspect", 0, "get")
    with pytest.raises(redis.ResponseError, match="Invalid arguments"):
        r.execute_command("getkeys.introspect", 0, "ping")


def test_getchannels_api(s):
    mods = s.core.modules
    c = s.core.lookup_command([b"getchannels.command"])
    got = s.in_loop(mods.get_command_channels, c, [b"getchannels.command", b"subscribe", b"a", b"publish", b"b",
                                                     b"psubscribe", b"c*"])
    from moredis import module as rm

    assert got == [(2, rm.CMD_CHANNEL_SUBSCRIBE), (4, rm.CMD_CHANNEL_PUBLISH),
                   (6, rm.CMD_CHANNEL_SUBSCRIBE | rm.CMD_CHANNEL_PATTERN)]
    assert s.client().execute_command("getchannels.command", "subscribe", "a") == 0
    assert mods.get_command_channels(s.core.lookup_command([b"get"]), [b"get", b"x"]) is None


def test_acl_categories(s):
    i = info(s, "cmdinfo.withcats")
    assert sorted(i[6]) == [b"@foocat", b"@write"]
    assert sorted(cmd(s, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "foocat")) == [b"cmdinfo.withcats"]


def test_create_command_outside_on_load_fails(s):
    assert s.client().execute_command("cmdinfo.late_create") == 1  # rm.ERR
    assert cmd(s, "COMMAND", "INFO", "cmdinfo.late") == [None]


def test_unload_removes_commands(s):
    r = s.client()
    assert r.execute_command("MODULE", "UNLOAD", "cmdinfo") == b"OK"
    assert cmd(s, "COMMAND", "INFO", "kspec.none", "subcommands.bitarray") == [None, None]
    with pytest.raises(redis.ResponseError, match="unknown command"):
        r.execute_command("kspec.none")
