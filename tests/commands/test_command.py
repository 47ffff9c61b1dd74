"""COMMAND and its subcommands, read off the one command table (in-process harness and
redis-py). Differential checks against Redis live in tests/differential/test_diff_command.py."""

from harness import Err

from moredis.commands import introspection as I
from moredis.commands import registry as R


def _unique(srv):
    return list(dict.fromkeys(srv.table.values()))


def test_count_and_bare_command_walk_unique_commands(run):
    srv = run.srv
    n = len(_unique(srv))
    assert len(srv.table) == 2 * n  # lowercase names plus uppercase aliases
    assert run("command", "count") == n
    everything = run("command")
    assert len(everything) == n
    assert len({e[0] for e in everything}) == n
    assert run("COMMAND", "INFO") == everything


def test_info_shape_and_unknown_names(run):
    get, nosuch, sub, bad = run("command", "info", "GET", "nosuch", "command|INFO", "get|x")
    assert get[:8] == [b"get", 2, [b"readonly", b"fast"], 1, 1, 1, [b"@read", b"@string", b"@fast"], []]
    assert get[8] == [{b"flags": [b"RO", b"access"],
                       b"begin_search": {b"type": b"index", b"spec": {b"index": 1}},
                       b"find_keys": {b"type": b"range", b"spec": {b"lastkey": 0, b"keystep": 1, b"limit": 0}}}]
    assert get[9] == []
    assert nosuch is None and bad is None
    assert sub[0] == b"command|info" and sub[1] == -2
    assert run("command", "info", "a|b|c") == [None]


def test_info_reply_types(run):
    node = run.raw("command", "info", "command")
    info = node.value[0].value
    assert [x.kind for x in info] == ["bulk", "integer", "set", "integer", "integer", "integer",
                                      "set", "set", "set", "array"]
    assert all(f.kind == "simple" for f in info[2].value)
    assert all(f.kind == "simple" for f in info[6].value)
    assert all(t.kind == "bulk" for t in info[7].value)
    subs = {s.value[0].value for s in info[9].value}
    assert subs == {b"command|" + s for s in (b"count", b"docs", b"getkeys", b"getkeysandflags", b"help",
                                               b"info", b"list")}
    # a command without subcommands answers an empty set there, as Redis does
    assert run.raw("command", "info", "get").value[0].value[9].kind == "set"


def test_flags_follow_redis_order(run):
    srv = run.srv
    for cmd in _unique(srv):
        for c in [cmd, *(cmd.subcommands or {}).values()]:
            names = c.flag_names()
            assert names == sorted(names, key=R.FLAG_ORDER.index)
            assert set(names) <= set(c.spec["flags"])


def test_docs(run):
    docs = run("command", "docs", "get", "nosuch", "command|count")
    assert list(docs) == [b"get", b"command|count"]
    get = docs[b"get"]
    assert get[b"since"] == b"1.0.0" and get[b"group"] == b"string" and get[b"summary"]
    assert get[b"arguments"] == [{b"name": b"key", b"type": b"key", b"display_text": b"key", b"key_spec_index": 0}]
    assert b"complexity" not in get and b"history" not in get  # Redis's prose is not copied
    cmd = run("command", "docs", "command")[b"command"]
    assert set(cmd[b"subcommands"]) == {b"command|" + s for s in (b"count", b"docs", b"getkeys",
                                                                   b"getkeysandflags", b"help", b"info", b"list")}
    assert len(run("command", "docs")) == run("command", "count")
    debug = run("command", "docs", "debug")[b"debug"]
    assert debug[b"doc_flags"] == [b"syscmd"]


def test_docs_nested_arguments_and_flags(run):
    lst = run("command", "docs", "command|list")[b"command|list"]
    (filterby,) = lst[b"arguments"]
    assert filterby[b"type"] == b"oneof" and b"display_text" not in filterby
    assert filterby[b"token"] == b"FILTERBY" and filterby[b"flags"] == [b"optional"]
    assert [a[b"token"] for a in filterby[b"arguments"]] == [b"MODULE", b"ACLCAT", b"PATTERN"]


def test_list_and_filters(run):
    every = run("command", "list")
    assert b"command|getkeys" in every and b"get" in every and b"GET" not in every
    assert len(every) == len(set(every))
    assert sorted(run("command", "list", "filterby", "pattern", "COMMAND|G*")) == [
        b"command|getkeys", b"command|getkeysandflags"]
    assert run("command", "list", "filterby", "pattern", "command") == [b"command"]
    strings = run("command", "list", "filterby", "aclcat", "STRING")
    assert b"get" in strings and b"set" in strings and b"ping" not in strings
    assert run("command", "list", "filterby", "aclcat", "nosuch") == []
    assert run("command", "list", "filterby", "module", "nosuch") == []
    for bad in (("filterby",), ("foo",), ("filterby", "pattern"), ("filterby", "pattern", "a", "b"),
                ("filterby", "nosuch", "x")):
        assert run("command", "list", *bad) == Err("ERR syntax error")


def test_getkeys(run):
    assert run("command", "getkeys", "get", "k") == [b"k"]
    assert run("command", "getkeys", "MSET", "a", "1", "b", "2") == [b"a", b"b"]
    assert run("command", "getkeysandflags", "set", "k", "v") == [[b"k", [b"OW", b"update"]]]
    assert run("command", "getkeysandflags", "set", "k", "v", "get") == [[b"k", [b"RW", b"access", b"update"]]]
    assert run("command", "getkeysandflags", "mget", "a", "b") == [[b"a", [b"RO", b"access"]],
                                                                  [b"b", [b"RO", b"access"]]]
    assert run("command", "getkeys", "nosuch") == Err("ERR Invalid command specified")
    assert run("command", "getkeys", "command", "nosuch") == Err("ERR Invalid command specified")
    assert run("command", "getkeys", "ping") == Err("ERR The command has no key arguments")
    assert run("command", "getkeys", "command") == Err("ERR The command has no key arguments")
    assert run("command", "getkeys", "get") == Err("ERR Invalid number of arguments specified for command")
    assert run("command", "getkeys") == Err("ERR wrong number of arguments for 'command|getkeys' command")


def test_help_and_unknown_subcommand(run):
    lines = run("command", "help")
    assert lines[0].startswith(b"COMMAND <subcommand>")
    for sub in (b"COUNT", b"LIST", b"INFO", b"DOCS", b"GETKEYS", b"GETKEYSANDFLAGS", b"HELP"):
        assert any(line.startswith(sub) for line in lines), sub
    assert run("command", "nosuch") == Err("ERR unknown subcommand 'nosuch'. Try COMMAND HELP.")
    assert run("command", "count", "x") == Err("ERR wrong number of arguments for 'command|count' command")


# --- the key-spec engine on synthetic specs ------------------------------------------------------
def _cmd(name, arity, key_specs, flags=(), getkeys=None):
    spec = {"arity": arity, "flags": list(flags), "acl": [], "key_specs": key_specs}
    c = R.Command(name, spec, None)
    c.getkeys = getkeys
    return c


def _range(index, lastkey=0, step=1, limit=0, flags=("RO", "access")):
    return {"flags": list(flags), "begin_search": {"type": "index", "spec": {"index": index}},
            "find_keys": {"type": "range", "spec": {"lastkey": lastkey, "keystep": step, "limit": limit}}}


def _argv(*a):
    return [x.encode() for x in a]


def test_spec_engine_keynum_and_keyword():
    zunion = _cmd("zu", -3, [_range(1, flags=("OW", "update")),
                             {"flags": ["RO", "access"], "begin_search": {"type": "index", "spec": {"index": 2}},
                              "find_keys": {"type": "keynum", "spec": {"keynumidx": 0, "firstkey": 1, "keystep": 1}}}])
    assert I.get_keys(zunion, _argv("zu", "d", "2", "a", "b", "WEIGHTS", "1", "2")) == [
        (1, ["OW", "update"]), (3, ["RO", "access"]), (4, ["RO", "access"])]
    assert I.keys_from_specs(zunion, _argv("zu", "d", "3", "a", "b")) is None  # past the end
    assert I.keys_from_specs(zunion, _argv("zu", "d", "x", "a")) is None  # numkeys not a number
    assert I.keys_from_specs(zunion, _argv("zu", "d", "0")) is None  # zero keys: last < first
    xread = _cmd("xr", -4, [{"flags": ["RO", "access"],
                             "begin_search": {"type": "keyword", "spec": {"keyword": "STREAMS", "startfrom": 1}},
                             "find_keys": {"type": "range", "spec": {"lastkey": -1, "keystep": 1, "limit": 2}}}])
    assert [p for p, _ in I.get_keys(xread, _argv("xr", "COUNT", "1", "streams", "a", "b", "0", "0"))] == [4, 5]
    assert I.get_keys(xread, _argv("xr", "COUNT", "1", "a")) == []  # keyword absent: no keys


def test_spec_engine_falls_back_to_getkeys_function():
    def sortkeys(argv):
        out = [1]
        for i, a in enumerate(argv):
            if a.lower() == b"store" and i + 1 < len(argv):
                out[1:] = [i + 1]
        return out

    unknown = {"flags": ["RO", "access"], "begin_search": {"type": "unknown", "spec": {}},
               "find_keys": {"type": "unknown", "spec": {}}}
    store = dict(unknown, flags=["OW", "update"])
    sort = _cmd("sort", -2, [_range(1), unknown, store], flags=("movablekeys",), getkeys=sortkeys)
    assert I.get_keys(sort, _argv("sort", "k", "STORE", "a", "STORE", "b")) == [
        (1, ["RO", "access"]), (5, ["OW", "update"])]
    incomplete = _cmd("mig", -6, [_range(3, flags=("RW", "access", "delete")),
                                  {"flags": ["RW", "access", "delete", "incomplete"],
                                   "begin_search": {"type": "keyword", "spec": {"keyword": "KEYS", "startfrom": -2}},
                                   "find_keys": {"type": "range", "spec": {"lastkey": -1, "keystep": 1, "limit": 0}}}],
                      getkeys=lambda argv: [7, 8])
    assert I.get_keys(incomplete, _argv("mig", "h", "p", "", "0", "5", "KEYS", "a", "b")) == [
        (7, ["RW", "access", "delete"]), (8, ["RW", "access", "delete"])]
    explicit = _cmd("x", -2, [unknown], getkeys=lambda argv: [(1, ["RM"])])
    assert I.get_keys(explicit, _argv("x", "k")) == [(1, ["RM"])]


def test_bare_command_in_multi(run):
    assert run("multi") == b"OK"
    assert run("command", "count") == b"QUEUED"
    assert run("command") == b"QUEUED"
    count, everything = run("exec")
    assert len(everything) == count


def test_resp3_shapes(srv):
    from respclient import RawClient

    c = RawClient(port=srv.port, resp=3)
    try:
        docs = c.call("COMMAND", "DOCS", "get")
        assert isinstance(docs, dict) and docs[b"get"][b"group"] == b"string"
        (info,) = c.call("COMMAND", "INFO", "get")
        assert info[0] == b"get" and info[2] == [b"readonly", b"fast"]
        assert c.call("COMMAND", "COUNT") == len(c.call("COMMAND"))
    finally:
        c.close()
