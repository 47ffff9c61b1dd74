"""Differential: COMMAND and its subcommands against Redis 7.4.

Where Redis's reply carries things we do not copy by design (key-spec "notes", DOCS
prose: summary, complexity, history, replaced_by) or an order Redis does not define
(subcommands come out in hash-table order), replies are compared parsed, with those
parts removed or sorted; everything else is compared byte for byte."""

import random

from respclient import RawClient, parse_reply

from moredis.commands import introspection as I
from moredis.commands import registry as R
from moredis.errors import RedisError

DOC_PROSE = {b"summary", b"complexity", b"history", b"replaced_by"}


def _names(x) -> list[str]:
    return [n.decode() for n in parse_reply(x.mine.call("COMMAND", "LIST"))]


def _drop_notes(spec):
    if isinstance(spec, dict):
        return {k: v for k, v in spec.items() if k != b"notes"}
    if spec[:1] == [b"notes"]:
        return spec[2:]
    return spec


def _norm_info(info):
    """One COMMAND INFO entry: notes removed, subcommands sorted by name."""
    if info is None:
        return None
    out = list(info)
    out[8] = [_drop_notes(ks) for ks in info[8]]
    out[9] = sorted((_norm_info(s) for s in info[9]), key=lambda s: s[0])
    return out


def _norm_docs(v):
    if isinstance(v, dict):
        return {k: _norm_docs(x) for k, x in v.items() if k not in DOC_PROSE}
    if isinstance(v, list):
        return [_norm_docs(x) for x in v]
    return v


def test_command_info_of_every_command(d, d3):
    for x in (d, d3):
        names = _names(x)
        assert len(names) > 100
        for n in names:
            mine, theirs = x.both("COMMAND", "INFO", n)
            if b"notes" in theirs or (b"|" not in n.encode() and parse_reply(theirs)[0][9]):
                assert _norm_info(parse_reply(mine)[0]) == _norm_info(parse_reply(theirs)[0]), n
            else:
                assert mine == theirs, n


def test_command_info_several_names_and_unknown(d, d3):
    for x in (d, d3):
        x.check("COMMAND", "INFO", "get", "nosuch", "SET|x", "GET", "mget")
        x.check("COMMAND", "INFO", "command|COUNT", "a|b|c", "command|", "|")
        x.check("COMMAND", "INFO", "nosuch")


def test_bare_command_and_count(d, d3):
    for x in (d, d3):
        mine = parse_reply(x.mine.call("COMMAND"))
        theirs = {c[0]: c for c in parse_reply(x.theirs.call("COMMAND"))}
        count = parse_reply(x.mine.call("COMMAND", "COUNT"))
        assert len(mine) == count <= parse_reply(x.theirs.call("COMMAND", "COUNT"))
        assert len({c[0] for c in mine}) == count
        for c in mine:
            assert _norm_info(c) == _norm_info(theirs[c[0]]), c[0]
        assert parse_reply(x.mine.call("COMMAND", "INFO")) == mine


def test_command_docs_of_every_command(d3):
    for n in _names(d3):
        mine, theirs = (parse_reply(r) for r in d3.both("COMMAND", "DOCS", n))
        assert _norm_docs(mine) == _norm_docs(theirs), n
        assert mine[n.encode()].get(b"summary"), n  # ours, in our own words


def test_command_docs_resp2_shape(d):
    """RESP2 flattens the maps: same keys in the same places once prose is dropped."""

    def strip(v):
        if isinstance(v, list):
            if len(v) % 2 == 0 and v and all(isinstance(k, bytes) for k in v[::2]) and v[0] in (
                    b"summary", b"since", b"group", b"name"):
                out = []
                for k, x in zip(v[::2], v[1::2], strict=True):
                    if k not in DOC_PROSE:
                        out += [k, strip(x)]
                return out
            return [strip(x) for x in v]
        return v

    for n in ("get", "set", "command|list", "client|kill", "zadd", "debug", "getset"):
        mine, theirs = d.both("COMMAND", "DOCS", n)
        assert parse_reply(mine) != [], n
        assert strip(parse_reply(mine)) == strip(parse_reply(theirs)), n
    d.check("COMMAND", "DOCS", "nosuch")
    d.check("COMMAND", "DOCS", "nosuch", "x|y")


def test_command_list_and_filters(d, d3):
    for x in (d, d3):
        ours = set(_names(x))
        every = set(parse_reply(x.theirs.call("COMMAND", "LIST")))
        assert {n.encode() for n in ours} <= every
        for args in (("PATTERN", "z*"), ("PATTERN", "CLIENT|*"), ("pattern", "*|help"), ("PATTERN", "g[a-e]t*"),
                     ("ACLCAT", "string"), ("aclcat", "KEYSPACE"), ("ACLCAT", "dangerous"), ("ACLCAT", "nosuch"),
                     ("MODULE", "nosuch")):
            mine, theirs = (set(parse_reply(r)) for r in x.both("COMMAND", "LIST", "FILTERBY", *args))
            assert mine == {n for n in theirs if n.decode() in ours}, args
        for bad in ((), ("FILTERBY",), ("foo",), ("FILTERBY", "PATTERN"), ("FILTERBY", "x", "y"),
                    ("FILTERBY", "PATTERN", "a", "b")):
            if bad:
                x.check("COMMAND", "LIST", *bad)


def test_errors_and_arity(d, d3):
    for x in (d, d3):
        x.check("COMMAND", "NOSUCH")
        x.check("COMMAND", "COUNT", "x")
        x.check("COMMAND", "GETKEYS")
        x.check("COMMAND", "GETKEYSANDFLAGS")
        x.check("COMMAND", "INFO", "a|b|c")


# --- GETKEYS -----------------------------------------------------------------------------------
GETKEYS_LINES = [
    ("get", "k"), ("get",), ("set", "k", "v"), ("set", "k", "v", "GET"), ("set", "k", "v", "get", "EX", "1"),
    ("set", "k", "v", "NX", "EX", "10"), ("mset", "a", "1", "b", "2"), ("mset", "a", "1", "b"),
    ("msetnx", "a", "1", "b", "2"), ("mget", "a", "b", "c"), ("del", "a", "b"), ("exists", "a"),
    ("rename", "a", "b"), ("copy", "a", "b", "DB", "1"), ("object", "encoding", "k"), ("object", "help"),
    ("memory", "usage", "k", "SAMPLES", "5"), ("bitfield", "k", "GET", "u8", "0"),
    ("bitfield", "k", "SET", "u8", "0", "1"), ("bitfield", "k", "GET", "u8"), ("bitfield_ro", "k", "GET", "u8", "0"),
    ("bitop", "AND", "d", "a", "b"), ("lmove", "a", "b", "LEFT", "RIGHT"), ("blpop", "a", "b", "0"),
    ("lmpop", "2", "a", "b", "LEFT"), ("lmpop", "0", "a", "LEFT"), ("lmpop", "3", "a", "b", "LEFT"),
    ("lmpop", "x", "a", "LEFT"), ("blmpop", "0", "2", "a", "b", "LEFT"), ("zunionstore", "d", "2", "a", "b"),
    ("zunionstore", "d", "0", "a"), ("zunionstore", "d", "-1", "a"), ("zinterstore", "d", "1", "a", "WEIGHTS", "2"),
    ("zdiffstore", "d", "2", "a", "b"), ("zunion", "2", "a", "b"), ("zinter", "1", "a"), ("zdiff", "2", "a", "b"),
    ("zintercard", "2", "a", "b", "LIMIT", "1"), ("zrangestore", "d", "s", "0", "-1"), ("zmpop", "1", "z", "MIN"),
    ("bzmpop", "0", "1", "z", "MIN"), ("bzpopmin", "a", "b", "0"), ("sort", "k"), ("sort", "k", "STORE", "d"),
    ("sort", "k", "GET", "STORE", "STORE", "d"), ("sort_ro", "k", "BY", "x"), ("eval", "s", "2", "a", "b"),
    ("eval", "s", "0"), ("eval", "s", "3", "a"), ("evalsha_ro", "s", "1", "a"), ("fcall", "f", "1", "a"),
    ("xread", "COUNT", "1", "STREAMS", "a", "b", "0", "0"), ("xread", "STREAMS", "a"),
    ("xreadgroup", "GROUP", "g", "c", "STREAMS", "a", "0"), ("migrate", "h", "1", "k", "0", "5"),
    ("migrate", "h", "1", "", "0", "5", "KEYS", "a", "b"), ("georadius", "k", "1", "2", "3", "m", "STORE", "d"),
    ("georadius", "k", "1", "2", "3", "m", "STORE"), ("sintercard", "2", "a", "b"), ("smove", "a", "b", "m"),
    ("watch", "a", "b"), ("spublish", "ch", "m"), ("ping",), ("client", "list"), ("nosuch", "a"),
    ("client", "nosuch", "x"), ("memory",), ("command",), ("debug", "object", "k"), ("pfcount", "a", "b"),
    ("hset", "h", "f", "v"), ("hexpire", "h", "10", "FIELDS", "1", "f"), ("getex", "k", "PERSIST"),
]


def _implemented(srv, line) -> bool:
    return I.lookup_argv(srv, [a.encode() for a in line]) is not None


def test_getkeys_broad(srv, d, d3):
    core = srv.core
    checked = 0
    for line in GETKEYS_LINES:
        if not _implemented(core, line) and line[0] != "nosuch":
            continue
        checked += 1
        for x in (d, d3):
            x.check("COMMAND", "GETKEYS", *line)
            x.check("COMMAND", "GETKEYSANDFLAGS", *line)
    assert checked > 40


def test_getkeys_random_lines_for_every_command(d):
    words = ["k1", "k2", "2", "1", "0", "-1", "GET", "STORE", "STREAMS", "KEYS", "x", "BY", "3", "FIELDS"]
    rnd = random.Random(7)
    for n in sorted(set(_names(d))):
        base = n.split("|")
        for _ in range(6):
            line = base + [rnd.choice(words) for _ in range(rnd.randint(0, 6))]
            d.check("COMMAND", "GETKEYSANDFLAGS", *line)
        d.check("COMMAND", "GETKEYS", *base)


def _command_from_info(info, parent=None) -> R.Command:
    """A Command built from the reference's COMMAND INFO (RESP3), as specgen would."""

    def dec(v):
        if isinstance(v, dict):
            return {k.decode(): dec(x) for k, x in v.items()}
        if isinstance(v, list):
            return [dec(x) for x in v]
        return v.decode() if isinstance(v, bytes) else v

    spec = {"arity": info[1], "flags": dec(info[2]), "first_key": info[3], "last_key": info[4], "step": info[5],
            "acl": [a.decode()[1:] for a in info[6]], "key_specs": [dec(ks) for ks in info[8]]}
    cmd = R.Command(info[0].decode(), spec, None, parent=parent)
    if info[9]:
        cmd.subcommands = {}
        for s in info[9]:
            sub = _command_from_info(s, cmd)
            cmd.subcommands[sub.name.encode()] = sub
    return cmd


def test_key_spec_engine_on_every_reference_command(ref):
    """Our key-spec walk against Redis for all of Redis's commands, implemented or not:
    specs taken from the reference, random command lines, GETKEYSANDFLAGS compared.
    Lines Redis answers through a getkeys_proc (unusable specs) are left out."""
    c = RawClient(port=ref.port, resp=3)
    try:
        cmds = []
        for info in c.call("COMMAND"):
            top = _command_from_info(info)
            cmds += [top, *(top.subcommands or {}).values()]
        words = [b"k1", b"k2", b"2", b"1", b"0", b"-1", b"3", b"STORE", b"STREAMS", b"KEYS", b"GET", b"STOREDIST",
                 b"x", b"FIELDS", b"LIMIT", b"WEIGHTS"]
        rnd = random.Random(11)
        compared = 0
        for cmd in cmds:
            if cmd.flags & R.MODULE:
                continue
            prefix = cmd.fullname.encode().split(b"|")
            for _ in range(12):
                line = prefix + [rnd.choice(words) for _ in range(rnd.randint(0, 8))]
                n, a = len(line), cmd.arity
                if not I.has_keys(cmd) or (a > 0 and a != n) or n < -a:
                    continue
                varflags = any("variable_flags" in ks["flags"] for ks in cmd.key_specs)
                found = I.keys_from_specs(cmd, line)
                if (varflags and cmd.fullname not in I.VARIABLE_FLAGS) or (not varflags and found is None):
                    continue
                theirs = c.call(b"COMMAND", b"GETKEYSANDFLAGS", *line)
                try:
                    keys = I.get_keys(cmd, line)
                    if not keys and not cmd.flags & R.NO_MANDATORY_KEYS:
                        raise RedisError("ERR Invalid arguments specified for command")
                    mine = [[line[p], [f.encode() for f in fl]] for p, fl in keys]
                except RedisError as e:
                    mine = e.message
                if isinstance(theirs, Exception):
                    theirs = str(theirs)
                assert mine == theirs, line
                compared += 1
        assert compared > 1000
    finally:
        c.close()
