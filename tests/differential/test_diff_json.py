"""Differential: the ReJSON module (JSON.* commands) answers as RedisJSON 2.8 in Redis
Stack 7.4 does, byte for byte, in RESP2 and RESP3: both path dialects, every command's
errors, numbers and their printing, serde_json's parse errors, pest's path errors,
keyspace events, DUMP payloads, memory figures, and random documents and paths.

Where RedisJSON answers from a hash map (several paths in one JSON.GET, FORMAT EXPAND
objects) the order is random in Redis, so those replies are compared as values."""

import json
import os
import random
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from respclient import RawClient, parse_reply

DOC = (
    '{"a":{"b":[1,2,{"c":3}],"s":"ab","t":true,"f":false,"n":null,"o":{},"x":1.5,"i":0,"z":0.0},'
    '"s":"xyz","e":[],"t":false}'
)


def run(d, d3, script):
    """Each line: a command for RESP2 ("2"), RESP3 ("3") or both ("*"), then its args."""
    for line in script:
        mode, *args = line
        if mode in ("2", "*"):
            d.check(*args)
        if mode in ("3", "*"):
            d3.check(*args)


def both(*cmds):
    return [("*", *c) for c in cmds]


def check_json(d, *args):
    """The reply is a JSON text whose object order Redis leaves to a hash map."""
    mine, theirs = d.both(*args)
    if mine.startswith(b"$") and theirs.startswith(b"$"):
        assert json.loads(parse_reply(mine)) == json.loads(parse_reply(theirs)), args
    else:
        assert mine == theirs, args


def check_value(d, *args):
    """Compare parsed replies (RESP3 maps become dicts)."""
    mine, theirs = d.both(*args)
    assert parse_reply(mine) == parse_reply(theirs), (args, mine, theirs)


# --- JSON.SET / JSON.GET ---------------------------------------------------------------------


def test_set_basics(d):
    for args in [
        ("JSON.SET", "k", "$.a", "1"),
        ("JSON.SET", "k", ".a", "1"),
        ("JSON.SET", "k", "a", "1"),
        ("JSON.SET", "k", ".", '{"a":1}'),
        ("JSON.SET", "k2", "$", '{"a":1}', "NX"),
        ("JSON.SET", "k3", "$", '{"a":1}', "XX"),
        ("JSON.SET", "k2", "$", '{"a":2}', "NX"),
        ("JSON.SET", "k2", "$", '{"a":2}', "XX"),
        ("JSON.SET", "k2", "$", "1", "nx", "xx"),
        ("JSON.SET", "k2", "$", "1", "foo"),
        ("JSON.SET", "k2", "$", "1", "NX", "NX"),
        ("JSON.SET", "k2", "$", "1", "NX", "XX", "foo"),
        ("JSON.SET", "k2", "$", '{"a":2}'),
        ("JSON.SET", "k2", "$.b", "3"),
        ("JSON.SET", "k2", "$.b", "4", "NX"),
        ("JSON.SET", "k2", "$.c", "4", "XX"),
        ("JSON.SET", "k2", "$.c.d", "4"),
        ("JSON.SET", "k2", ".c.d", "4"),
        ("JSON.SET", "k2", "$.a.b", "4"),
        ("JSON.SET", "k2", "$[0]", "4"),
        ("JSON.SET", "k2", "[0]", "4"),
        ("JSON.SET", "k2", "$.*", "7"),
        ("JSON.SET", "k2", "$..x", "8"),
        ("JSON.SET", "k2", "$.arr", "[1,2,3]"),
        ("JSON.SET", "k2", "$.arr[5]", "8"),
        ("JSON.SET", "k2", "$.arr[1]", "8"),
        ("JSON.SET", "k2", "$.arr[-1]", "9"),
        ("JSON.SET", "k2", "$.arr[-4]", "9"),
        ("JSON.SET", "k2", ".arr[5]", "8"),
        ("JSON.SET", "k2", "$.arr[*]", "0"),
        ("JSON.SET", "k2", "$.arr[0]", "5", "NX"),
        ("JSON.SET", "k2", "$.arr[7]", "5", "NX"),
        ("JSON.SET", "k2", "$.arr[7]", "5", "XX"),
        ("JSON.GET", "k2"),
        ("JSON.SET", "k2", '$["new key"]', "1"),
        ("JSON.SET", "k2", '$["n1","n2"]', "1"),
        ("JSON.SET", "k2", "$.*.zz", "1"),
        ("JSON.SET", "k2", '$.q["z"]', "1"),
        ("JSON.SET", "k2", "$.nobj", "{}"),
        ("JSON.SET", "k2", '$.nobj["z"]', "1"),
        ("JSON.SET", "k2", "$.nobj.*", "1"),
        ("JSON.SET", "k2", "$..nobj.y", "2"),
        ("JSON.GET", "k2"),
        ("SET", "s", "x"),
        ("JSON.SET", "s", "$", "1"),
        ("JSON.GET", "s"),
        ("JSON.SET", "k2", "$"),
        ("JSON.SET", "k2"),
        ("JSON.SET", "k2", "$.a(", "1"),
        ("JSON.SET", "k2", "a(", "1"),
        ("JSON.SET", "k2", "a b", "1"),
        ("JSON.SET", "nk", "$", "bad"),
        ("JSON.SET", "nk", "$.a", "bad"),
        ("JSON.SET", "nk", "$(", "1"),
        ("JSON.SET", "k2", "$", "1", "FORMAT"),
        ("JSON.SET", "k2", "$", "2", "FORMAT", "JSON"),
        ("JSON.SET", "k2", "$", "1", "FORMAT", "json"),
        ("JSON.SET", "k2", "$", "3", "FORMAT", "STRING", "XX"),
        ("JSON.GET", "k2"),
        ("JSON.SET", "a", "$", "[1]"),
        ("JSON.SET", "a", "$.x", "1"),
        ("JSON.SET", "a", "$[0].x", "1"),
        ("JSON.SET", "o", "$", '{"a":{"b":1},"c":{"b":2},"d":[]}'),
        ("JSON.SET", "o", "$..b", "5"),
        ("JSON.SET", "o", "$.*.b", "6"),
        ("JSON.SET", "o", "$.*.x", "6"),
        ("JSON.SET", "o", '$["a","c"].e', "7"),
        ("JSON.SET", "o", "$.d.x", "1"),
        ("JSON.GET", "o"),
        ("JSON.SET", b"\xff", "$", "1"),
        ("JSON.SET", "o", b"$.\xff", "1"),
        ("JSON.SET", "o", "$.a", b"\xff"),
    ]:
        d.check(*args)


@pytest.mark.parametrize(
    "text",
    [
        "1e20",
        "1.0",
        "0.1",
        "-0.0",
        "1e308",
        "1e-7",
        "123456789012345678901234567890",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "1E400",
        "0.00001",
        "0.0001",
        "1e16",
        "1e15",
        "12345678901234567",
        "1.5e300",
        "2.0e-5",
        "100",
        "1.23e2",
        "-0",
        "5e-324",
        "1e-400",
        "4e-330",
        "82030920993190390e24",
        "56177372662379443e-3",
        "0.30000000000000004",
        "9007199254740993",
        "2.2250738585072011e-308",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "123456789e999",
        "0e999999999999",
        "1e-99999999999",
        '"\\u0000\\u0001\\u001f\\u007f\\u2028\\u00e9\\"\\\\\\/\\t\\n\\r\\b\\f\\ud83d\\ude00"',
        '{"a":1,"b":2,"a":3}',
        "1 2",
        "[1,2,3]]",
        '{"a":1}}',
        '{ "a" : 1 , "b" : [ ] }',
        "  1",
        "1x",
        "truex",
        "nullx",
        '"a""b"',
        "1,",
        "-0.0e0",
        "0e0",
        "1.5E+3",
    ],
)
def test_numbers_strings_and_printing(d, text):
    d.check("JSON.SET", "k", "$", text)
    d.check("JSON.GET", "k")
    d.check("JSON.GET", "k", "$")
    d.check("JSON.DEBUG", "MEMORY", "k")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "{",
        "[1,",
        '{"a"',
        '{"a":}',
        "[1 2]",
        '"abc',
        "nul",
        "tru",
        "{1:2}",
        '"\\x"',
        '"a\x01b"',
        "01",
        "1.",
        "-",
        "1e",
        ".5",
        "+1",
        "NaN",
        "Infinity",
        "[1,]",
        '{"a":1,}',
        '"\\ud800"',
        '"\\udc00"',
        '"\\ud800\\u0041"',
        '"\\u12"',
        " ",
        "\n\n  x",
        "[\n1,\n2,\n]",
        b'"\xff"',
        b"\xff",
        "1.x",
        "1ex",
        "1e+",
        "-01",
        "00",
        '{"a" 1}',
        '{"a":1 "b":2}',
        "[,1]",
        "{,}",
        '{"a":1,,}',
        '"\\uzzzz"',
        '"\\u00"',
        '"\\ud800\\"',
        '"\\ud800\\n"',
        '"\\ud800x"',
        '"\\ud800\\ud800"',
        "fals",
        "falsy",
        "nulL",
        "t",
        '"\t"',
        '["a","b"',
        "1e309",
        "-1e309",
        "[" * 127 + "]" * 127,
        "[" * 128 + "]" * 128,
        '{"a":' * 128 + "1" + "}" * 128,
        "[" * 200,
        "\x0c1",
    ],
)
def test_parse_errors(d, text):
    d.check("JSON.SET", "k", "$", text)
    d.check("JSON.ARRAPPEND", "k", "$", text)


def test_get_forms(d, d3):
    d.check("JSON.SET", "k", "$", DOC)
    run(
        d,
        d3,
        both(
            ("JSON.GET", "k"),
            ("JSON.GET", "k", "$"),
            ("JSON.GET", "k", "."),
            ("JSON.GET", "k", "$.a"),
            ("JSON.GET", "k", ".a.b"),
            ("JSON.GET", "k", "$..c"),
            ("JSON.GET", "k", ".zz"),
            ("JSON.GET", "k", "$.zz"),
            ("JSON.GET", "k", "$["),
            ("JSON.GET", "k", "["),
            ("JSON.GET", "k", "x"),
            ("JSON.GET", "k", "$a"),
            ("JSON.GET", "k", "INDENT", "\t", "NEWLINE", "\n", "SPACE", " ", "$"),
            ("JSON.GET", "k", "indent", "ab"),
            ("JSON.GET", "k", "NEWLINE", "NL", "SPACE", "SP", "$"),
            ("JSON.GET", "k", "SPACE", "SP", ".a"),
            ("JSON.GET", "k", "INDENT", "  ", "$.a.b[5]"),
            ("JSON.GET", "k", "FORMAT", "EXPAND1", "$.a"),
            ("JSON.GET", "k", "FORMAT", "STRINGS", "$.a"),
            ("JSON.GET", "k", "FORMAT", "foo", "$.a"),
            ("JSON.GET", "k", "FORMAT", "expand", "$.a"),
            ("JSON.GET", "k", "FORMAT", "STRING", "$.a"),
            ("JSON.GET", "k", "FORMAT", "EXPAND1", "$.a", ".zz", "$("),
            ("JSON.GET", "k", "INDENT", "_", "FORMAT", "EXPAND1", "$"),
            ("JSON.GET", "k", "FORMAT", "EXPAND", ".a.b"),
            ("JSON.GET", "k", "FORMAT"),
            ("JSON.GET", "k", "NOESCAPE", "$.s"),
            ("JSON.GET", "k", "NOESCAPE"),
            ("JSON.GET", "k", "INDENT"),
            ("JSON.GET", "k", ".zz", ".yy"),
            ("JSON.GET", "k", ".s", ".zz", ".yy"),
            ("JSON.GET", "k", b"\xff", "$.a"),
            ("JSON.GET", "nokey"),
            ("JSON.GET", "nokey", "$["),
            ("JSON.GET",),
        ),
    )
    d.check("SET", "str", "v")
    run(d, d3, both(("JSON.GET", "str"), ("JSON.GET", "str", "$")))


def test_get_several_paths(d, d3):
    d.check("JSON.SET", "k", "$", DOC)
    for c in (d, d3):
        for args in [
            ("$.a", "$.s"),
            (".a", ".s"),
            (".a", "$.s"),
            ("$.a", ".s"),
            ("$.s", "$.s", ".s"),
            ("$.s", "x("),
            (".s", "$[", ".a"),
            ("$.zz", "$.a"),
            ("INDENT", "  ", "$.a", "$.s"),
            ("$.a.b", "NEWLINE", "\n", ".s", "SPACE", " "),
        ]:
            check_json(c, "JSON.GET", "k", *args)
    for args in [("FORMAT", "EXPAND", "$.a"), ("$.a", "FORMAT", "EXPAND"), ("FORMAT", "EXPAND", "$..*", ".a")]:
        check_value(d3, "JSON.GET", "k", *args)
        d.check("JSON.GET", "k", *args)


def test_mget(d, d3):
    d.check("JSON.SET", "k", "$", DOC)
    d.check("JSON.SET", "k2", "$", '{"a":[5]}')
    d.check("SET", "str", "v")
    run(
        d,
        d3,
        both(
            ("JSON.MGET", "k", "nokey", "k2", "$.a"),
            ("JSON.MGET", "k", "nokey", "k2", ".a"),
            ("JSON.MGET", "k", "$["),
            ("JSON.MGET", "k", "$.zz"),
            ("JSON.MGET", "k", ".zz"),
            ("JSON.MGET", "k"),
            ("JSON.MGET", "k", "str", "$.a"),
            ("JSON.MGET", "k", "k2", "$..a"),
            ("JSON.MGET",),
        ),
    )


def _bson(*elems):
    body = b"".join(elems) + b"\x00"
    return struct.pack("<i", len(body) + 4) + body


def _el(t, payload, name=b"a"):
    return bytes([t]) + name + b"\x00" + payload


def _bstr(x):
    x = x.encode() + b"\x00"
    return struct.pack("<i", len(x)) + x


BSON_INPUTS = [
    _bson(_el(1, struct.pack("<d", 2.5))), _bson(_el(2, _bstr("h\u00e9llo"))),
    _bson(_el(4, _bson(_el(0x10, struct.pack("<i", 7), b"0"), _el(2, _bstr("x"), b"1")))),
    _bson(_el(3, _bson(_el(0x10, struct.pack("<i", 1), b"x"), _el(1, struct.pack("<d", 2.5), b"y")))),
    _bson(_el(5, struct.pack("<i", 3) + b"\x00abc")), _bson(_el(6, b"")), _bson(_el(7, bytes(range(12)))),
    _bson(_el(8, b"\x01")), _bson(_el(9, struct.pack("<q", 0x0000001122334455))),
    _bson(_el(9, struct.pack("<q", 0x0000001122334400))), _bson(_el(9, struct.pack("<q", 0))), _bson(_el(10, b"")),
    _bson(_el(11, b"ab+\x00i\x00")), _bson(_el(13, _bstr("x=1"))), _bson(_el(14, _bstr("sy"))),
    _bson(_el(0x11, struct.pack("<II", 2, 9))), _bson(_el(0x12, struct.pack("<q", 2**40))),
    _bson(_el(0x13, bytes(16))), _bson(_el(0x7F, b"")),
    _bson(_el(0x10, struct.pack("<i", 1)), _el(0x10, struct.pack("<i", 2), b"b")), _bson(),
    _bson(_el(0x7F, b"")) + b"trailing", b"", b"\x05\x00\x00\x00", b"\x05\x00\x00\x00\x01",
    b"\x06\x00\x00\x00\x00\x00", _bson(_el(0x10, b"\x01"))[:-2] + b"\x00",
    b"\x0c\x00\x00\x00\x20a\x00\x00\x00\x00\x00\x00", b"\x08\x00\x00\x00\x08a\x00\x02\x00",
    _bson(_el(2, struct.pack("<i", 10) + b"ab\x00")), _bson(_el(2, struct.pack("<i", 0))),
    _bson(_el(2, struct.pack("<i", 2) + b"ab")), _bson(_el(3, b"\x05\x00\x00\x00\x00")),
    _bson(_el(3, b"\x06\x00\x00\x00\x00")), b"\x04\x00\x00\x00", b"\x03\x00\x00\x00\x00",
    _bson(_el(0x10, struct.pack("<i", -5))),
]


@pytest.mark.parametrize("data", BSON_INPUTS)
def test_format_bson(d, data):
    d.check("JSON.SET", "b", "$", data, "FORMAT", "BSON")
    d.check("JSON.GET", "b")
    d.check("JSON.MERGE", "b", "$", data, "FORMAT", "BSON")
    d.check("JSON.GET", "b")


# --- reading commands ----------------------------------------------------------------------


def test_type_len_keys_resp_debug(d, d3):
    d.check("JSON.SET", "k", "$", DOC)
    d.check("SET", "str", "v")
    cmds = []
    for p in [
        None,
        "$",
        ".",
        "$.a",
        ".a",
        "$..s",
        "..s",
        "$.a.*",
        ".a.*",
        "$.zz",
        ".zz",
        "$[",
        "[",
        "$..*",
        ".a.b",
        ".s",
        ".a.t",
        "$.a.b[*]",
    ]:
        extra = () if p is None else (p,)
        for name in ("JSON.TYPE", "JSON.STRLEN", "JSON.OBJKEYS", "JSON.OBJLEN", "JSON.ARRLEN", "JSON.RESP"):
            cmds.append((name, "k", *extra))
            cmds.append((name, "nokey", *extra))
        cmds.append(("JSON.DEBUG", "MEMORY", "k", *extra))
        cmds.append(("JSON.DEBUG", "MEMORY", "nokey", *extra))
    for name in ("JSON.TYPE", "JSON.STRLEN", "JSON.OBJKEYS", "JSON.OBJLEN", "JSON.ARRLEN", "JSON.RESP"):
        cmds += [(name,), (name, "str"), (name, "k", "$", "extra")]
    cmds += [
        ("JSON.DEBUG",),
        ("JSON.DEBUG", "HELP"),
        ("JSON.DEBUG", "help"),
        ("JSON.DEBUG", "foo"),
        ("JSON.DEBUG", "MEMORY"),
        ("JSON.DEBUG", "MEMORY", "str"),
        ("JSON.DEBUG", "MEMORY", "k", "$.a", "x"),
    ]
    run(d, d3, both(*cmds))


def test_resp_and_expand_values(d, d3):
    d.check(
        "JSON.SET",
        "k",
        "$",
        "[0.1,1e20,1.0,-0.0,1e-7,123456789012345680000.0,5e-324,1.7976931348623157e308,"
        '3.0e15,1e16,18446744073709551615,-9223372036854775808,true,false,null,"s",[],{}]',
    )
    run(
        d,
        d3,
        both(
            ("JSON.RESP", "k"),
            ("JSON.RESP", "k", "$"),
            ("JSON.RESP", "k", "$[*]"),
            ("JSON.GET", "k", "FORMAT", "EXPAND", "$"),
            ("JSON.GET", "k", "FORMAT", "EXPAND1", "$[*]"),
            ("JSON.ARRPOP", "k", "FORMAT", "EXPAND", "$"),
            ("JSON.ARRPOP", "k", "FORMAT", "EXPAND1", "$", "0"),
        ),
    )


@pytest.mark.parametrize("v", ["+1", "01", "-0", "0", "-01", " 1", "1 ", "00", "9223372036854775807",
                               "-9223372036854775808", "9223372036854775808", "1.0", "1e2", "", "-1"])
def test_integer_arguments(d, v):
    d.check("JSON.SET", "k", "$", '{"a":[1,2,3,4,5]}')
    d.check("JSON.ARRINSERT", "k", "$.a", v, "9")
    d.check("JSON.ARRINDEX", "k", "$.a", "3", v)
    d.check("JSON.ARRINDEX", "k", "$.a", "3", "0", v)
    d.check("JSON.ARRTRIM", "k", "$.a", v, "3")
    d.check("JSON.ARRPOP", "k", "$.a", v)
    d.check("JSON.GET", "k")


def test_arrindex(d, d3):
    d.check("JSON.SET", "k", "$", '{"a":[1,2,3,2.0,"2",[2],{"x":2},null,true,2],"e":[],"s":"x","n":[[1,2]]}')
    cmds = []
    for p in ["$.a", ".a", "$..*", ".s", "$.e", ".e", "$.zz", ".zz", "$.n[*]"]:
        for v in ["2", "2.0", '"2"', "[2]", '{"x":2}', "null", "true", "9"]:
            cmds.append(("JSON.ARRINDEX", "k", p, v))
    for rng in [
        ("1",),
        ("1", "2"),
        ("-3",),
        ("-3", "-1"),
        ("0", "0"),
        ("5", "2"),
        ("100",),
        ("-100", "100"),
        ("x",),
        ("1", "x"),
        ("1", "2", "3"),
        ("9223372036854775808",),
    ]:
        cmds.append(("JSON.ARRINDEX", "k", "$.a", "2", *rng))
        cmds.append(("JSON.ARRINDEX", "k", ".a", "2", *rng))
    cmds += [
        ("JSON.ARRINDEX", "k", "$.a", "bad"),
        ("JSON.ARRINDEX", "k", "$.a", "2 3"),
        ("JSON.ARRINDEX", "k", "$.a", ""),
        ("JSON.ARRINDEX", "nokey", "$.a", "2"),
        ("JSON.ARRINDEX", "nokey", ".a", "2"),
        ("JSON.ARRINDEX", "k", "$.a"),
        ("JSON.ARRINDEX", "k", "$(", "2"),
    ]
    run(d, d3, both(*cmds))


# --- writing commands ------------------------------------------------------------------------


def test_toggle_strappend_clear(d, d3):
    d.check("JSON.SET", "k", "$", DOC)
    run(
        d,
        d3,
        both(
            ("JSON.TOGGLE", "k", "$.t"),
            ("JSON.TOGGLE", "k", ".t"),
            ("JSON.TOGGLE", "k", "$..t"),
            ("JSON.TOGGLE", "k", "..t"),
            ("JSON.TOGGLE", "k", "$.a.*"),
            ("JSON.TOGGLE", "k", ".a.*"),
            ("JSON.TOGGLE", "k", "$.zz"),
            ("JSON.TOGGLE", "k", ".zz"),
            ("JSON.TOGGLE", "k", "$.s"),
            ("JSON.TOGGLE", "k", ".s"),
            ("JSON.TOGGLE", "k"),
            ("JSON.TOGGLE", "nokey", "$"),
            ("JSON.TOGGLE", "nokey", ".t"),
            ("JSON.TOGGLE", "k", "$.t", "x"),
            ("JSON.STRAPPEND", "k", "$.s", '"q"'),
            ("JSON.STRAPPEND", "k", ".s", '"q"'),
            ("JSON.STRAPPEND", "k", "$..s", '"q"'),
            ("JSON.STRAPPEND", "k", "..s", '"q"'),
            ("JSON.STRAPPEND", "k", "$.a.*", '"q"'),
            ("JSON.STRAPPEND", "k", ".a.*", '"q"'),
            ("JSON.STRAPPEND", "k", "$.zz", '"q"'),
            ("JSON.STRAPPEND", "k", ".zz", '"q"'),
            ("JSON.STRAPPEND", "k", "$.s", "q"),
            ("JSON.STRAPPEND", "k", "$.s", "1"),
            ("JSON.STRAPPEND", "k", ".s", "1"),
            ("JSON.STRAPPEND", "k", "$.zz", "1"),
            ("JSON.STRAPPEND", "k", ".t", "1"),
            ("JSON.STRAPPEND", "k", "$.s", '"\\u00e9"'),
            ("JSON.STRAPPEND", "k", '"x"'),
            ("JSON.STRAPPEND", "k", "$", '"x"'),
            ("JSON.STRAPPEND", "k", ".", '"x"'),
            ("JSON.STRAPPEND", "k", "$.s", '"a"x'),
            ("JSON.STRAPPEND", "k", "$.s", '"a" trailing'),
            ("JSON.STRAPPEND", "nokey", "$", '"a"'),
            ("JSON.STRAPPEND", "nokey", '"a"'),
            ("JSON.STRAPPEND", "k"),
            ("JSON.STRAPPEND", "k", "$.s", '"a"', '"b"'),
            ("JSON.GET", "k"),
            ("JSON.CLEAR", "k", "$.a.*"),
            ("JSON.GET", "k"),
        ),
    )
    run(d, d3, [("2", "JSON.SET", "k", "$", DOC), ("*", "JSON.CLEAR", "k", ".a.*"), ("*", "JSON.GET", "k")])
    run(
        d,
        d3,
        both(
            ("JSON.CLEAR", "k", "$.zz"),
            ("JSON.CLEAR", "k", ".zz"),
            ("JSON.CLEAR", "k", "$["),
            ("JSON.CLEAR", "k", "["),
            ("JSON.CLEAR", "nokey"),
            ("JSON.CLEAR", "nokey", "$"),
            ("JSON.CLEAR", "k"),
            ("JSON.GET", "k"),
            ("JSON.CLEAR",),
            ("JSON.SET", "k", "$", "5"),
            ("JSON.CLEAR", "k"),
            ("JSON.GET", "k"),
            ("JSON.SET", "k", "$", '"s"'),
            ("JSON.CLEAR", "k"),
            ("JSON.SET", "k", "$", '{"a":[1,{"b":2}],"c":{"d":[3]}}'),
            ("JSON.CLEAR", "k", "$..*"),
            ("JSON.GET", "k"),
            ("JSON.SET", "k", "$", "[1,[2,[3]]]"),
            ("JSON.CLEAR", "k", "$..*"),
            ("JSON.GET", "k"),
            ("JSON.SET", "k", "$", "18446744073709551615"),
            ("JSON.CLEAR", "k"),
            ("JSON.GET", "k"),
        ),
    )


def test_numbers(d, d3):
    d.check(
        "JSON.SET",
        "k",
        "$",
        '{"i":5,"f":1.5,"s":"x","b":true,"n":null,"a":[1,2.0],"big":9223372036854775807,'
        '"u":18446744073709551615,"neg":-9223372036854775808,"z":0}',
    )
    cmds = []
    for v in [
        "1",
        "1.0",
        "-1",
        "1e2",
        "1x",
        '"1"',
        "abc",
        "",
        " 1",
        "1 ",
        "true",
        "null",
        "[1]",
        "9223372036854775807",
        "1e400",
        "0.5",
        "01",
        "-0",
        "1.5e-3",
        "18446744073709551616",
    ]:
        cmds.append(("JSON.NUMINCRBY", "k", "$.i", v))
    cmds += [
        ("JSON.NUMINCRBY", "k", "$.big", "1"),
        ("JSON.NUMINCRBY", "k", ".big", "1"),
        ("JSON.NUMINCRBY", "k", "$.u", "1"),
        ("JSON.NUMINCRBY", "k", "$.neg", "-1"),
        ("JSON.NUMMULTBY", "k", "$.big", "2"),
        ("JSON.NUMMULTBY", "k", "$.f", "1e308"),
        ("JSON.NUMINCRBY", "k", "$.*", "1"),
        ("JSON.NUMINCRBY", "k", ".*", "1"),
        ("JSON.NUMINCRBY", "k", "$.x", "1"),
        ("JSON.NUMINCRBY", "k", ".x", "1"),
        ("JSON.NUMINCRBY", "k", ".s", "1"),
        ("JSON.NUMINCRBY", "k", "$.s", "1"),
        ("JSON.NUMINCRBY", "k", "$.s", "abc"),
        ("JSON.NUMINCRBY", "k", ".s", "abc"),
        ("JSON.NUMINCRBY", "nokey", "$.s", "1"),
        ("JSON.NUMINCRBY", "nokey", ".s", "1"),
        ("JSON.NUMINCRBY", "k", "$.s"),
        ("JSON.NUMINCRBY", "k", "$.a[*]", "2"),
        ("JSON.NUMINCRBY", "k", "$..*", "0"),
        ("JSON.NUMINCRBY", "k", "$.a[0,0]", "1"),
        ("JSON.NUMINCRBY", "k", ".a[0,0]", "1"),
        ("JSON.NUMINCRBY", "k", "$(", "1"),
        ("JSON.GET", "k"),
    ]
    cmds += [("JSON.SET", "k", "$", '{"i":2,"f":1.5,"neg":-3,"z":0}')]
    for op, p, v in [
        ("POW", "$.i", "3"),
        ("POW", "$.i", "0.5"),
        ("POW", "$.i", "-1"),
        ("POW", "$.neg", "0.5"),
        ("POW", "$.z", "-1"),
        ("POW", "$.neg", "63"),
        ("POW", "$.neg", "64"),
        ("POW", "$.f", "1000"),
        ("MULT", "$.z", "1e400"),
        ("MULT", "$.i", "-0.0"),
        ("MULT", ".f", "3"),
        ("POW", ".f", "2"),
    ]:
        cmds.append((f"JSON.NUM{op}BY", "k", p, v))
    cmds += [
        ("JSON.SET", "k", "$", "5"),
        ("JSON.NUMINCRBY", "k", "$", "1"),
        ("JSON.NUMINCRBY", "k", ".", "1"),
        ("JSON.NUMINCRBY", "k", "..", "1"),
        ("JSON.GET", "k"),
    ]
    run(d, d3, both(*cmds))


def test_arrays(d, d3):
    run(d, d3, [("2", "JSON.SET", "k", "$", '{"a":[1,2,3,4,5],"e":[],"s":"x","o":{"p":1,"q":[1]},"n":[[1],[2,3]]}')])
    run(
        d,
        d3,
        both(
            ("JSON.ARRPOP", "k", "$.a"),
            ("JSON.ARRPOP", "k", ".a"),
            ("JSON.ARRPOP", "k", "$.a", "0"),
            ("JSON.ARRPOP", "k", "$.a", "-1"),
            ("JSON.ARRPOP", "k", "$.a", "100"),
            ("JSON.ARRPOP", "k", ".a", "1"),
            ("JSON.ARRPOP", "k", "$.a", "x"),
            ("JSON.ARRPOP", "k", "$.e"),
            ("JSON.ARRPOP", "k", ".e"),
            ("JSON.ARRPOP", "k", "$.s"),
            ("JSON.ARRPOP", "k", ".s"),
            ("JSON.ARRPOP", "k", "$.zz"),
            ("JSON.ARRPOP", "k", ".zz"),
            ("JSON.ARRPOP", "k", "$..*"),
            ("JSON.ARRPOP", "k", "..*"),
            ("JSON.ARRPOP", "k", "$.n[*]"),
            ("JSON.ARRPOP", "k"),
            ("JSON.ARRPOP", "nokey"),
            ("JSON.ARRPOP", "nokey", "$.a"),
            ("JSON.ARRPOP",),
        ),
    )
    run(d, d3, [("2", "JSON.SET", "k", "$.o.q", '[1,{"a":[1,2]},3.5,"x",2,3]')])
    run(
        d,
        d3,
        both(
            ("JSON.ARRPOP", "k", "FORMAT", "EXPAND1", "$.o.q", "0"),
            ("JSON.ARRPOP", "k", "FORMAT"),
            ("JSON.ARRPOP", "k", "FORMAT", "STRING", "$.a"),
            ("JSON.ARRPOP", "k", "FORMAT", "STRINGS", ".a"),
            ("JSON.ARRPOP", "k", "FORMAT", "EXPAND1", ".a"),
            ("JSON.ARRPOP", "k", "FORMAT", "BOO", "$.a"),
            ("JSON.ARRPOP", "k", "FORMAT", "STRINGS", "$.o.q"),
            ("JSON.ARRPOP", "k", "$.a", "1", "extra"),
            ("JSON.SET", "k", "$", "[1,2,3]"),
            ("JSON.ARRPOP", "k"),
        ),
    )
    check_value(d3, "JSON.ARRPOP", "k", "FORMAT", "EXPAND", "$")
    run(d, d3, [("2", "JSON.SET", "k", "$", '{"a":[1,2,3,4,5],"e":[],"s":"x","o":{"p":1,"q":[1]}}')])
    for rng in [
        ("0", "1"),
        ("-2", "-1"),
        ("3", "1"),
        ("0", "100"),
        ("100", "200"),
        ("-100", "-50"),
        ("2", "-9223372036854775808"),
        ("-9223372036854775808", "3"),
        ("0", "-9223372036854775807"),
        ("-9223372036854775807", "2"),
        ("9223372036854775807", "-1"),
        ("-1", "9223372036854775807"),
        ("x", "1"),
        ("1",),
        ("0", "0"),
        ("9223372036854775807", "9223372036854775808"),
        ("-1", "-1"),
        ("1", "-1"),
    ]:
        for p in ("$.a", ".a", ".s", "$.s", ".zz", "$.e", "$..*"):
            run(d, d3, [("2", "JSON.SET", "k", "$.a", "[1,2,3,4,5]"), ("*", "JSON.ARRTRIM", "k", p, *rng)])
            run(d, d3, [("2", "JSON.SET", "k", "$.a", "[1,2,3,4,5]"), ("*", "JSON.ARRTRIM", "k", p, *rng)])
    run(d, d3, both(("JSON.ARRTRIM", "nokey", "$", "0", "1"), ("JSON.GET", "k")))
    for args in [
        ("0", "0"),
        ("-1", "9"),
        ("5", "9"),
        ("60", "9"),
        ("-60", "9"),
        ("-5", "9"),
        ("x", "9"),
        ("0",),
        ("0", "bad"),
        ("0", "[1,2]", '{"a":1}'),
        ("1", '"s"', "null"),
    ]:
        # (no "$..*": RedisJSON crashes when an insertion shifts another match's index)
        for p in ("$.a", ".a", "$.s", ".s", "$.*", "$.zz"):
            run(
                d,
                d3,
                [
                    ("2", "JSON.SET", "k", "$.a", "[1,2,3,4,5]"),
                    ("*", "JSON.ARRINSERT", "k", p, *args),
                    ("2", "JSON.GET", "k"),
                ],
            )
    run(
        d,
        d3,
        both(
            ("JSON.ARRINSERT", "nokey", "$", "0", "1"),
            ("JSON.ARRAPPEND", "k", "$.a", "1"),
            ("JSON.ARRAPPEND", "k", ".a", "1", "2"),
            ("JSON.ARRAPPEND", "k", "$..*", "1"),
            ("JSON.ARRAPPEND", "k", "..*", "1"),
            ("JSON.ARRAPPEND", "k", "$.zz", "1"),
            ("JSON.ARRAPPEND", "k", ".zz", "1"),
            ("JSON.ARRAPPEND", "k", ".s", "1"),
            ("JSON.ARRAPPEND", "k", "zz", "1"),
            ("JSON.ARRAPPEND", "k", "$.a"),
            ("JSON.ARRAPPEND", "k", "$.a", "bad"),
            ("JSON.ARRAPPEND", "nokey", "$.a", "1"),
            ("JSON.ARRAPPEND", "nokey", ".a", "1"),
            ("JSON.GET", "k"),
            ("JSON.DEBUG", "MEMORY", "k"),
            ("JSON.DEBUG", "MEMORY", "k", "$..*"),
        ),
    )


def test_del_forget(d, d3):
    cmds = [("JSON.SET", "k", "$", DOC)]
    for p in ["$.a.b[1]", "$..c", ".a.b[-1]", "$.a.b[0,0]", "$.a.b[*]", "$.zz", ".zz", '$.a["s","t"]', "$..*"]:
        cmds += [("JSON.DEL", "k", p), ("JSON.GET", "k")]
    cmds += [
        ("JSON.SET", "k", "$", "[0,1,2,3,4,5,6,7,8,9,10,11,12]"),
        ("JSON.DEL", "k", "$[1,10,2,11,3]"),
        ("JSON.GET", "k"),
        ("JSON.SET", "k", "$", '{"a":1,"b":2,"c":3,"d":4,"e":5}'),
        ("JSON.DEL", "k", "$.b"),
        ("JSON.GET", "k"),
        ("JSON.DEL", "k", '$["a","e"]'),
        ("JSON.GET", "k"),
        ("JSON.DEL", "nokey"),
        ("JSON.DEL", "nokey", "$.a"),
        ("JSON.DEL", "k", "$["),
        ("JSON.DEL", "k", "["),
        ("JSON.DEL", "k", "$.a", "x"),
        ("JSON.DEL",),
        ("SET", "str", "v"),
        ("JSON.DEL", "str"),
    ]
    for arr, p in [
        ("[1,2,3]", "$[0,0]"),
        ("[1,2,3]", "$[1,1]"),
        ("[1,2,3]", "$[0,1]"),
        ("[1,2,3]", "$[2,2,0]"),
        ("[1,2,3]", "$[0,0,1]"),
        ("[1,2,3]", "$[*]"),
        ("[1,2,3]", "$[0,-3]"),
        ("[1,2,3]", "$[1,0,0]"),
        ('{"a":1,"b":2}', '$["a","a"]'),
        ('{"a":1,"b":2}', '$["a","b","a"]'),
        ('{"a":{"a":{"a":1}}}', "$..a"),
        ("[[1,2],[3,4]]", "$..[0]"),
        ("[[1,2],[3,4]]", "$..*"),
        ('{"x":[{"x":1},{"y":[1,{"x":2}]}]}', "$..x"),
        ("[1,2,3]", "$"),
        ("[1,2,3]", "."),
        ('{"a":1,"b":2,"c":3,"d":4}', "$.a"),
        ('{"a":1,"b":2,"c":3,"d":4}', "$.d"),
    ]:
        cmds += [
            ("JSON.SET", "k", "$", arr),
            ("JSON.DEL", "k", p),
            ("JSON.GET", "k"),
            ("JSON.SET", "k", "$", arr),
            ("JSON.FORGET", "k", p),
            ("JSON.GET", "k"),
        ]
    run(d, d3, [("2", *c) for c in cmds])
    run(d, d3, both(("JSON.SET", "k", "$", "1"), ("JSON.FORGET", "k"), ("JSON.GET", "k"), ("JSON.FORGET",)))


def test_merge(d):
    for args in [
        ("JSON.SET", "o", "$", '{"a":{"b":1},"c":{"b":2},"d":[]}'),
        ("JSON.MERGE", "o", "$", '{"a":{"b":null,"z":1},"new":[1,2],"d":null}'),
        ("JSON.GET", "o"),
        ("JSON.MERGE", "o", "$.a", '{"q":{"r":null,"s":1}}'),
        ("JSON.GET", "o"),
        ("JSON.MERGE", "o", "$.a", "null"),
        ("JSON.GET", "o"),
        ("JSON.MERGE", "o", "$.zz", "1"),
        ("JSON.MERGE", "o", "$.c", "5"),
        ("JSON.MERGE", "o", "$.*.x", "5"),
        ("JSON.MERGE", "o", "$..b", "9"),
        ("JSON.MERGE", "o", ".c", '{"b":3}'),
        ("JSON.GET", "o"),
        ("JSON.MERGE", "nokey", "$.a", "1"),
        ("JSON.MERGE", "nokey", "$", '{"a":null,"b":{"c":null}}'),
        ("JSON.GET", "nokey"),
        ("JSON.MERGE", "nokey", "$", "bad"),
        ("JSON.MERGE", "nokey", "$", "1", "FORMAT", "JSON"),
        ("JSON.MERGE", "nokey", "$", "1", "foo"),
        ("JSON.MERGE", "nokey", "$"),
        ("SET", "s", "v"),
        ("JSON.MERGE", "s", "$", "1"),
        ("JSON.MERGE", "o", "$[0]", "1"),
        ("JSON.MERGE", "o", "$.new[5]", "1"),
        ("JSON.MERGE", "o", "$.new[0]", '{"a":1}'),
        ("JSON.GET", "o"),
        ("JSON.MERGE", "o", "$", "[1]"),
        ("JSON.GET", "o"),
        ("JSON.SET", "o", "$", '{"a":1,"b":2,"c":3,"d":4}'),
        ("JSON.MERGE", "o", "$", '{"a":null,"e":{"f":{"g":null}}}'),
        ("JSON.GET", "o"),
        ("JSON.DEBUG", "MEMORY", "o"),
        ("JSON.MERGE", "o", "$..x", '{"y":1}'),
        ("JSON.MERGE", "o", "$.e", '{"f":[1,2,3]}'),
        ("JSON.DEBUG", "MEMORY", "o"),
        ("JSON.GET", "o"),
    ]:
        d.check(*args)


def test_mset(d):
    for args in [
        ("JSON.MSET", "m1", "$", "1", "m2", "$", '{"a":2}'),
        ("JSON.MSET", "m1", "$", "1", "m2"),
        ("JSON.MSET", "m1", "$", "1", "m2", "$.a", "3", "m3", "$.x", "1"),
        ("JSON.MSET", "m1", "$", "1", "m2", "$.a", "3"),
        ("JSON.MGET", "m1", "m2", "$"),
        ("JSON.MSET", "m2", "$.b", "4", "m2", "$.b", "5"),
        ("JSON.MGET", "m1", "m2", "."),
        ("JSON.MSET", "m2", "$.zz.zz", "4"),
        ("JSON.MSET", "m2", "$", "bad"),
        ("SET", "s", "v"),
        ("JSON.MSET", "s", "$", "1"),
        ("JSON.MSET", "m2", "$(", "1"),
        ("JSON.MSET", "m2", "$..x", "1"),
        ("JSON.MGET", "m1", "m2", "."),
        ("JSON.MSET",),
        ("JSON.MSET", "m1"),
        ("JSON.MSET", "m1", "$"),
        ("JSON.MSET", "m1", ".", "[]", "m2", ".a", "7"),
        ("JSON.MGET", "m1", "m2", "$"),
    ]:
        d.check(*args)


def test_escaped_keys_in_paths(d, d3):
    """RedisJSON unescapes quoted keys differently when it tracks paths (writes): keep it."""
    d.check("JSON.SET", "e", "$", '{"k\\"q":1, "k\'q":2, "a\\\\b":3}')
    run(
        d,
        d3,
        both(
            ("JSON.GET", "e", '$["k\\"q"]'),
            ("JSON.GET", "e", "$['k\\'q']"),
            ("JSON.GET", "e", '$["a\\\\b"]'),
            ("JSON.NUMINCRBY", "e", '$["k\\"q"]', "1"),
            ("JSON.NUMINCRBY", "e", "$['k\\'q']", "1"),
            ("JSON.NUMINCRBY", "e", '$["k\'q"]', "1"),
            ("JSON.NUMINCRBY", "e", '$["a\\\\b"]', "1"),
            ("JSON.SET", "e", '$["k\\"q"]', "7"),
            ("JSON.SET", "e", "$['k\\'q']", "8"),
            ("JSON.SET", "e", "$['n\\'q']", "9"),
            ("JSON.SET", "e", '$["n\\"q"]', "10"),
            ("JSON.SET", "e", '$["a\\\\b"]', "11"),
            ("JSON.GET", "e"),
            ("JSON.TYPE", "e", '$["k\\"q"]'),
            ("JSON.STRLEN", "e", '$["k\\"q"]'),
            ("JSON.GET", "e", '$[?(@=="x\\"")]'),
            ("JSON.DEL", "e", '$["k\\"q"]'),
            ("JSON.GET", "e"),
        ),
    )


# --- paths -----------------------------------------------------------------------------------

PATHS = [
    "$",
    "$.a",
    "$a",
    "$..b",
    "$.a.b[0]",
    "$.a.b[-1]",
    "$.a.b[*]",
    "$.a[*]",
    "$.*",
    "$..*",
    "$.a.*",
    '$["a"]',
    "$['a']",
    "$['a','s']",
    '$["a","s"]',
    '$.a["x y"]',
    "$.a.1",
    "$.a.é",
    "$.arr[1:3]",
    "$.arr[::2]",
    "$.arr[::-1]",
    "$.arr[-2:]",
    "$.arr[:-2]",
    "$.arr[0,2,4]",
    "$.arr[0,0]",
    "$.arr[5]",
    "$.arr[-6]",
    "$.arr[1:3:-1]",
    "$.arr[3:1:-1]",
    "$.arr[::0]",
    "$.arr[?(@>20)]",
    "$.arr[?(@ > 20 && @ < 50)]",
    "$.arr[?@>20]",
    "$..[?(@.c==4)]",
    "$.a.b[?(@.c)]",
    "$.a.b[?(!@.c)]",
    "$.arr.length",
    "$.a..c",
    "$..c",
    "$[0]",
    "$.arr.[0]",
    "$.arr.0",
    "$[*]",
    "$.a[b]",
    '$."a"',
    '$.a."x y"',
    "$.a[x y]",
    "$.a.x y",
    "$ .a",
    "$.a ",
    '$[ "a" ]',
    "$.arr[ 0 ]",
    "$.arr[0 , 1]",
    "$.arr[ 1 : 3 ]",
    "$.a.b[3].c",
    "$..b..c",
    "$.a^b",
    "$.a/b",
    "$.a:b",
    "$.a$b",
    "$.a@b",
    "$.a!b",
    "$.a%b",
    "$.a&b",
    "$.a=b",
    "$..",
    "$...a",
    "$..[0]",
    "$.",
    "$[",
    "$[]",
    '$["a"',
    '$["a"]]',
    "$[?(@)]",
    "$[?()]",
    "$.*[?(@>=1)]",
    "$[?(@.b==1)]",
    '$[?(@.b=~"1")]',
    "$[?(@==1.5)]",
    "$[?(@ == -1)]",
    "$[?(@==1e3)]",
    "$[?(@==01)]",
    "$[?(@==.5)]",
    "$[?(@==$.n)]",
    "$[?($.n==0)]",
    "$[?(@.c==3)&&(@.c<4)]",
    "$[?((@.c==3))]",
    "$[?(@.c==1) ]",
    "$[? (@.c==1)]",
    "$[?(@.c == 1 && @.c != 2 || @.c)]",
    "$[?(@.c === 1)]",
    "$[?(@.c <> 1)]",
    "$..[?(@==true)]",
    "$..[?(@==null)]",
    '$..[?(@=="x")]',
    "$..[?(@=='s')]",
    "$[?(@.c==tru)]",
    "$..[?(@[0]==1)]",
    "$..[?(@..c==3)]",
    "$..[?(@.*==3)]",
    '$..[?(@ =~ "^a")]',
    '$..[?(@.d =~ "[xy]+")]',
    "$..[?(@ > 'a')]",
    "$..[?(@ >= 1.5)]",
    "$..[?(@ != null)]",
    "$..[?(@ == @)]",
    "$..[?(@.c == $.a.b[2].c)]",
    "a",
    ".a",
    "a.b[0]",
    "..c",
    ".*",
    "[0]",
    "..*",
    "a[*]",
    ".a.b[?(@.c)]",
    "x(",
    ".",
    "..",
    "",
]


@pytest.mark.parametrize("path", PATHS)
def test_paths(d, path):
    d.check(
        "JSON.SET",
        "k",
        "$",
        '{"a":{"b":[1,2,3,{"c":4}],"x y":5,"1":6,"\u00e9":7,"d":"xyz"},"arr":[10,20,30,40,50],'
        '"s":"str","n":null,"t":true,"a^b":2,"a/b":3,"a:b":4,"a$b":5}',
    )
    d.check("JSON.GET", "k", path)
    d.check("JSON.TYPE", "k", path)
    d.check("JSON.DEBUG", "MEMORY", "k", path)


# --- the rest of the server's view -----------------------------------------------------------


def test_type_dump_restore_memory(d, d3):
    d.check("JSON.SET", "d", "$", '{"a":[1,2.5,"x",{"\u00e9":null}],"b":true}')
    payload = parse_reply(d.check("DUMP", "d"))
    d.check("RESTORE", "r", "0", payload)
    d.check("JSON.GET", "r")
    d.check("RESTORE", "r", "0", payload)
    d.check("RESTORE", "r", "0", payload, "REPLACE")
    for args in [
        ("TYPE", "d"),
        ("OBJECT", "ENCODING", "d"),
        ("MEMORY", "USAGE", "d"),
        ("DEBUG", "DIGEST-VALUE", "d"),
        ("COPY", "d", "c"),
        ("JSON.GET", "c"),
        ("JSON.DEBUG", "MEMORY", "c"),
        ("MEMORY", "USAGE", "c"),
        ("RENAME", "c", "c2"),
        ("JSON.GET", "c2"),
        ("EXISTS", "c", "c2"),
    ]:
        d.check(*args)
    mine, theirs = d.both("SCAN", "0", "TYPE", "ReJSON-RL")
    assert sorted(parse_reply(mine)[1]) == sorted(parse_reply(theirs)[1]) == [b"c2", b"d", b"r"]
    d3.check("TYPE", "d")


def test_command_info(d):
    names = [
        "json.del",
        "json.get",
        "json.mget",
        "json.set",
        "json.mset",
        "json.type",
        "json.numincrby",
        "json.toggle",
        "json.nummultby",
        "json.numpowby",
        "json.strappend",
        "json.strlen",
        "json.arrappend",
        "json.arrindex",
        "json.arrinsert",
        "json.arrlen",
        "json.arrpop",
        "json.arrtrim",
        "json.objkeys",
        "json.objlen",
        "json.clear",
        "json.debug",
        "json.forget",
        "json.resp",
        "json.merge",
    ]
    for n in names:
        d.check("COMMAND", "INFO", n)
    d.check("COMMAND", "GETKEYS", "json.mset", "a", "$", "1", "b", "$", "2")
    d.check("COMMAND", "GETKEYS", "json.debug", "memory", "k")
    d.check("COMMAND", "GETKEYS", "json.get", "k", "$")


def test_module_list_and_info(srv, ref):
    mine, theirs = RawClient(port=srv.port), RawClient(port=ref.port)
    try:

        def rejson(c):
            return next(m for m in c.call("MODULE", "LIST") if m[1] == b"ReJSON")

        a, b = rejson(mine), rejson(theirs)
        assert a[:4] == b[:4] and a[6:] == b[6:]  # name and ver; args (the path differs)

        def info_line(c):
            lines = c.call("INFO", "modules").decode().split("\r\n")
            return next(x for x in lines if x.startswith("module:name=ReJSON"))

        # RediSearch uses ReJSON's shared API in Redis Stack: usedby=[search] there
        assert info_line(mine) == info_line(theirs).replace("usedby=[search]", "usedby=[]")
    finally:
        mine.close()
        theirs.close()


def _events(port, cmds):
    c = RawClient(port=port)
    c.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
    sub = RawClient(port=port)
    sub.call("PSUBSCRIBE", "__key*__:*")
    sub.call("SUBSCRIBE", "end")
    out = []
    try:
        for cmd in cmds:
            c.call(*cmd)
        c.call("PUBLISH", "end", "x")  # a marker: everything before it has been delivered
        while True:
            m = sub.read()
            if m[0] == b"message" and m[1] == b"end":
                break
            if m[0] == b"pmessage":
                out.append((m[2], m[3]))
    finally:
        c.call("CONFIG", "SET", "notify-keyspace-events", "")
        c.close()
        sub.close()
    return out


def test_keyspace_events(srv, ref, d):
    cmds = [
        ("JSON.SET", "n", "$", '{"a":1,"b":[1,2],"s":"x","t":true,"o":{"p":1}}'),
        ("JSON.SET", "n", "$.a", "2"),
        ("JSON.SET", "n", "$.zz", "2", "XX"),
        ("JSON.NUMINCRBY", "n", "$.a", "1"),
        ("JSON.NUMINCRBY", "n", "$.s", "1"),
        ("JSON.NUMMULTBY", "n", "$.a", "2"),
        ("JSON.NUMPOWBY", "n", "$.a", "2"),
        ("JSON.STRAPPEND", "n", "$.s", '"y"'),
        ("JSON.ARRAPPEND", "n", "$.b", "3"),
        ("JSON.ARRINSERT", "n", "$.b", "0", "0"),
        ("JSON.ARRPOP", "n", "$.b"),
        ("JSON.ARRTRIM", "n", "$.b", "0", "0"),
        ("JSON.TOGGLE", "n", "$.t"),
        ("JSON.CLEAR", "n", "$.o"),
        ("JSON.CLEAR", "n", "$.o"),
        ("JSON.MERGE", "n", "$", '{"m":1}'),
        ("JSON.MSET", "n", "$.a", "5", "n2", "$", "1"),
        ("JSON.DEL", "n", "$.zz"),
        ("JSON.DEL", "n", "$.m"),
        ("JSON.FORGET", "n", "$.a"),
        ("JSON.GET", "n"),
        ("JSON.DEL", "n"),
        ("JSON.SET", "n", "$", "[]"),
        ("JSON.ARRPOP", "n"),
        ("JSON.ARRAPPEND", "n", ".", "1"),
        ("JSON.ARRPOP", "n"),
        ("JSON.ARRPOP", "n", "$"),
        ("JSON.TOGGLE", "n", "$.zz"),
        ("JSON.DEL", "n", "$"),
    ]
    assert _events(srv.port, cmds) == _events(ref.port, cmds)


def test_dirty_and_stats(d):
    def changes(c):
        text = c.call("INFO", "persistence").decode()
        return int(text.split("rdb_changes_since_last_save:")[1].split("\r\n")[0])

    def hits(c):
        text = c.call("INFO", "stats").decode()
        return [int(text.split(f"{f}:")[1].split("\r\n")[0]) for f in ("keyspace_hits", "keyspace_misses")]

    from respclient import RawClient as RC

    mine, theirs = RC(port=d.mine.sock.getpeername()[1]), RC(port=d.theirs.sock.getpeername()[1])
    try:
        base = (changes(mine), changes(theirs))
        h0 = (hits(mine), hits(theirs))
        for cmd in [
            ("JSON.SET", "x", "$", "1"),
            ("JSON.SET", "x", "$", "1", "NX"),
            ("JSON.GET", "x"),
            ("JSON.GET", "nokey"),
            ("JSON.NUMINCRBY", "x", "$", "2"),
            ("JSON.MSET", "x", "$", "1", "y", "$", "2"),
            ("JSON.DEL", "y"),
            ("JSON.DEL", "y"),
            ("JSON.SET", "x", "$.q", "1"),
            ("JSON.MGET", "x", "zz", "$"),
            ("JSON.TYPE", "x"),
            ("JSON.STRLEN", "nokey"),
        ]:
            d.check(*cmd)
            assert changes(mine) - base[0] == changes(theirs) - base[1], cmd
        h1 = (hits(mine), hits(theirs))
        assert [a - b for a, b in zip(h1[0], h0[0], strict=True)] == [a - b for a, b in zip(h1[1], h0[1], strict=True)]
    finally:
        mine.close()
        theirs.close()


def test_wrong_type_everywhere(d, d3):
    d.check("SET", "str", "v")
    d.check("RPUSH", "lst", "v")
    cmds = []
    for name in ("str", "lst"):
        cmds += [
            ("JSON.SET", name, "$", "1"),
            ("JSON.SET", name, "$.a", "1"),
            ("JSON.GET", name),
            ("JSON.DEL", name),
            ("JSON.MERGE", name, "$", "1"),
            ("JSON.NUMINCRBY", name, "$", "1"),
            ("JSON.TOGGLE", name, "$"),
            ("JSON.STRAPPEND", name, '"a"'),
            ("JSON.ARRAPPEND", name, "$", "1"),
            ("JSON.ARRINSERT", name, "$", "0", "1"),
            ("JSON.ARRPOP", name),
            ("JSON.ARRTRIM", name, "$", "0", "1"),
            ("JSON.ARRINDEX", name, "$", "1"),
            ("JSON.CLEAR", name),
            ("JSON.MSET", name, "$", "1"),
        ]
    run(d, d3, both(*cmds))


# --- random documents, paths and changes ----------------------------------------------------------

KEYS = ["a", "b", "c", "d", "e", "arr", "x y", "s", "1", "n", "zz", "k'q"]


def _key(r):
    return r.choice(KEYS)


def _num(r):
    return str(r.choice([0, 1, 2, -1, -2, 3, 5, 10, -10, 100]))


def _term(r, depth):
    x = r.random()
    if x < 0.35:
        return "@" + _sel(r, depth + 1)
    if x < 0.4:
        return "$" + _sel(r, depth + 1)
    if x < 0.6:
        return r.choice(["1", "2", "-1", "0", "1.5", "2.0", "3", "7", "10"])
    if x < 0.75:
        return r.choice(['"abc"', "'x'", '"ab"', '"b"', '"^a"', '"a.*"', '"[a-c]+$"', "'s'"])
    return r.choice(["true", "false", "null"])


def _filter(r, depth):
    parts = []
    for i in range(r.randint(1, 3)):
        if i:
            parts.append(r.choice([" && ", "&&", " || ", "||"]))
        x = r.random()
        if x < 0.15 and depth < 2:
            parts.append("(" + _filter(r, depth + 1) + ")")
        elif x < 0.4:
            parts.append(_term(r, depth))
        else:
            parts.append(_term(r, depth) + r.choice(["==", "!=", ">", ">=", "<", "<=", "=~", " == "]) + _term(r, depth))
    return "".join(parts)


def _bracket(r, depth, filters=True):
    x = r.random()
    if x < 0.2:
        return ",".join(_num(r) for _ in range(r.randint(1, 3)))
    if x < 0.4:
        return (
            r.choice(["", _num(r)])
            + ":"
            + r.choice(["", _num(r)])
            + r.choice(["", ":", ":" + r.choice(["1", "2", "3"])])
        )
    if x < 0.6:
        q = r.choice(['"', "'"])
        return ",".join(q + _key(r).replace(q, "\\" + q) + q for _ in range(r.randint(1, 2)))
    if x < 0.7 or depth > 2 or not filters:
        return "*"
    return "?" + r.choice(["(" + _filter(r, depth) + ")", _filter(r, depth)])


def _sel(r, depth=0, scan=True):
    """A path after '$'. Without `scan`: no '..' and no filters (RedisJSON 2.8 tracks an
    object's filtered members by position, and crashes when such a position names a
    key of another type in the commands that assume the type)."""
    out = []
    for _ in range(r.randint(0 if depth else 1, 3)):
        x = r.random()
        k = _key(r)
        if x < 0.35:
            out.append("." + (k if " " not in k and "'" not in k else "a"))
        elif x < 0.45 and scan:
            out.append(".." + r.choice(["a", "b", "c", "*"]))
        elif x < 0.55:
            out.append(".*")
        elif x < 0.65 and scan:
            out.append("..[" + _bracket(r, depth) + "]")
        else:
            out.append(r.choice(["", "."]) + "[" + _bracket(r, depth, scan) + "]")
    return "".join(out)


def _path(r, scan=True):
    p = "$" + _sel(r, 0, scan)
    x = r.random()
    if x < 0.15:
        p = p[1:].lstrip(".") if r.random() < 0.5 else p[1:]  # the legacy dialect
    elif x < 0.25 and scan:
        s = list(p)
        for _ in range(r.randint(1, 2)):
            i = r.randint(0, len(s))
            if r.random() < 0.5 and s:
                del s[min(i, len(s) - 1)]
            else:
                s.insert(i, r.choice(list("[]().,*?@$'\":&|!=<>~ ab01-")))
        p = "".join(s)
    return p


def _value(r, depth=0, index_keys=True):
    x = r.random()
    if depth > 3 or x < 0.4:
        return r.choice([0, 1, -1, 2, 1.5, 2.0, -0.5, 1e20, 10, 3, "abc", "x", "ab", "b", "s", "", True, False, None])
    if x < 0.7:
        return [_value(r, depth + 1, index_keys) for _ in range(r.randint(0, 4))]
    keys = [_key(r) for _ in range(r.randint(0, 4))]
    return {k: _value(r, depth + 1, index_keys) for k in keys if index_keys or k != "1"}


def _doc(r):
    return {k: _value(r) for k in r.sample(KEYS, r.randint(2, 7))}


def _doc_no_index_keys(r):
    """Without the key "1": RedisJSON 2.8 walks an object's filtered members by position,
    and crashes when that position names a key whose value is of another kind."""
    return {k: _value(r, 0, False) for k in r.sample([k for k in KEYS if k != "1"], r.randint(2, 7))}


_N = int(os.environ.get("MOREDIS_JSON_EXAMPLES", "60"))  # more for a long local hunt
READS = ["JSON.GET", "JSON.TYPE", "JSON.STRLEN", "JSON.ARRLEN", "JSON.OBJLEN", "JSON.OBJKEYS", "JSON.RESP"]


@settings(
    max_examples=_N,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.integers(0, 2**32))
def test_random_paths_read(d, d3, seed):
    r = random.Random(seed)
    d.check("JSON.SET", "k", "$", json.dumps(_doc(r)))
    for _ in range(12):
        p = _path(r)
        for cmd in r.sample(READS, 3):
            d.check(cmd, "k", p)
        d3.check(r.choice(READS), "k", p)
        d.check("JSON.ARRINDEX", "k", p, json.dumps(_value(r, 3)))
        d.check("JSON.DEBUG", "MEMORY", "k", p)


def _write_cmd(r, p):
    """A random change. DEL, CLEAR and TOGGLE take any path; the others get paths without
    '..' or filters, where one match cannot contain another (RedisJSON crashes when a
    change to one match leaves another's path naming a value of another kind)."""
    x = r.random()
    v = json.dumps(_value(r, 2, False))
    if x < 0.1:
        return ("JSON.DEL", "k", p)
    if x < 0.17:
        return ("JSON.CLEAR", "k", p)
    if x < 0.23:
        return ("JSON.TOGGLE", "k", p)
    safe = _path(r, scan=False)
    if x < 0.35:
        return ("JSON.SET", "k", safe, v, *r.choice([(), (), ("NX",), ("XX",)]))
    if x < 0.42:
        return ("JSON.MERGE", "k", safe, v)
    if x < 0.48:
        return ("JSON.ARRPOP", "k", safe, *r.choice([(), ("0",), ("-1",), ("1",), ("100",)]))
    if x < 0.54:
        return ("JSON.ARRTRIM", "k", safe, _num(r), _num(r))
    if x < 0.64:
        return (r.choice(["JSON.NUMINCRBY", "JSON.NUMMULTBY"]), "k", safe, r.choice(["1", "-2", "0.5", "3", "1e3"]))
    if x < 0.72:
        return ("JSON.STRAPPEND", "k", safe, r.choice(['"x"', '"\\u00e9"', '""']))
    if x < 0.82:
        return ("JSON.ARRAPPEND", "k", safe, v, *r.choice([(), ("1",)]))
    if x < 0.92:
        return ("JSON.ARRINSERT", "k", safe, r.choice(["0", "1", "-1", "5"]), v)
    return ("JSON.MSET", "k", safe, v)


@settings(
    max_examples=_N,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.integers(0, 2**32))
def test_random_changes(d, d3, seed):
    r = random.Random(seed)
    d.check("JSON.SET", "k", "$", json.dumps(_doc_no_index_keys(r)))
    for _ in range(15):
        cmd = _write_cmd(r, _path(r))
        (d3 if r.random() < 0.3 else d).check(*cmd)
        d.check("JSON.GET", "k")
        d.check("JSON.DEBUG", "MEMORY", "k")


def test_ttl_survives_changes(d):
    d.check("JSON.SET", "k", "$", '{"a":1}')
    d.check("EXPIREAT", "k", "4102444800")
    for cmd in [("JSON.SET", "k", "$", "[1]"), ("JSON.ARRAPPEND", "k", "$", "2"), ("JSON.MSET", "k", "$", '{"b":2}'),
                ("JSON.MERGE", "k", "$", '{"c":3}'), ("JSON.DEL", "k", "$.b"), ("JSON.CLEAR", "k")]:
        d.check(*cmd)
        d.check("EXPIRETIME", "k")
    d.check("JSON.DEL", "k", "$")
    d.check("EXPIRETIME", "k")
    d.check("JSON.SET", "k", "$", "1")
    d.check("EXPIRETIME", "k")
