"""document.py without a server: serde_json's parsing rules and messages, serde_json's
(ryu) printing, RedisJSON's pretty printer, types, equality and ijson's memory figures.
The expected texts are what RedisJSON 2.8 answers (see the differential tests)."""

import math
import random

import orjson
import pytest

from moredis.modules.json import document as D


def err(text: bytes | str) -> str:
    with pytest.raises(D.JsonError) as e:
        D.loads(text if isinstance(text, bytes) else text.encode())
    return e.value.msg


@pytest.mark.parametrize(("text", "msg"), [
    ("", "EOF while parsing a value at line 1 column 0"),
    ("x", "expected value at line 1 column 1"),
    ("{", "EOF while parsing an object at line 1 column 1"),
    ("[1,", "EOF while parsing a value at line 1 column 3"),
    ('{"a":}', "expected value at line 1 column 6"),
    ("[1 2]", "expected `,` or `]` at line 1 column 4"),
    ('"abc', "EOF while parsing a string at line 1 column 4"),
    ("nulL", "expected ident at line 1 column 4"),
    ("fals", "EOF while parsing a value at line 1 column 4"),
    ("{1:2}", "key must be a string at line 1 column 2"),
    ('"\\x"', "invalid escape at line 1 column 3"),
    ('"a\x01b"', "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3"),
    ("01", "invalid number at line 1 column 2"),
    ("-01", "invalid number at line 1 column 3"),
    ("1.", "EOF while parsing a value at line 1 column 2"),
    ("1.x", "invalid number at line 1 column 3"),
    ("1e+", "EOF while parsing a value at line 1 column 3"),
    ("[1,]", "trailing comma at line 1 column 4"),
    ('{"a":1,}', "trailing comma at line 1 column 8"),
    ('{"a" 1}', "expected `:` at line 1 column 6"),
    ('{"a":1 "b":2}', "expected `,` or `}` at line 1 column 8"),
    ('"\\ud800"', "unexpected end of hex escape at line 1 column 8"),
    ('"\\udc00"', "lone leading surrogate in hex escape at line 1 column 7"),
    ('"\\ud800\\ud800"', "lone leading surrogate in hex escape at line 1 column 13"),
    ('"\\uzzzz"', "invalid escape at line 1 column 4"),
    ('"\\u12"', "EOF while parsing a string at line 1 column 6"),
    ("\n\n  x", "expected value at line 3 column 3"),
    ("[\n1,\n2,\n]", "trailing comma at line 4 column 1"),
    ("1e400", "number out of range at line 1 column 5"),
    ("-1e309", "number out of range at line 1 column 6"),
    ("123456789e999", "number out of range at line 1 column 13"),
    ("[" * 128 + "]" * 128, "recursion limit exceeded at line 1 column 128"),
    ('{"a":' * 128 + "1" + "}" * 128, "recursion limit exceeded at line 1 column 636"),
    ("\x0c1", "expected value at line 1 column 1"),
])
def test_parse_errors(text, msg):
    assert err(text) == msg


def test_not_utf8():
    with pytest.raises(UnicodeDecodeError):
        D.loads(b'"\xff"')


@pytest.mark.parametrize(("text", "value"), [
    ("1 2", 1), ("[1]x", [1]), ('"a""b"', "a"), ("1,", 1), ("truex", True), ('{"a":1,"b":2,"a":3}', {"a": 3, "b": 2}),
    ("-0", -0.0), ("18446744073709551615", 18446744073709551615), ("-9223372036854775808", -9223372036854775808),
    ('"\\ud83d\\ude00"', "\U0001f600"), ("[" * 127 + "]" * 127, None), ("1e-400", 0.0),
])
def test_parse_values(text, value):
    v = D.loads(text.encode())
    if value is not None:
        assert v == value and type(v) is type(value)
    if text == "-0":
        assert math.copysign(1, v) < 0


def test_deep_documents_load_without_limit():
    assert D.loads(b"[" * 300 + b"]" * 300, limit=False) is not None


def test_numbers_are_read_as_serde_json_does():
    """Without float_roundtrip, serde_json multiplies or divides once by a power of ten:
    not always the correctly rounded double. orjson is; the exact parser takes over."""
    assert D.loads(b"82030920993190390e24") == 8.2030920993190385e40 != float("82030920993190390e24")
    assert D.loads(b"56177372662379443e-3") == 56177372662379.44
    assert D.loads(b"18446744073709551616") == 1.8446744073709552e19  # beyond u64: a double
    assert D.loads(b"-9223372036854775809") == -9.223372036854776e18  # below i64: a double
    assert type(D.loads(b"9223372036854775808")) is int  # a u64 stays an integer
    r = random.Random(7)
    for _ in range(2000):
        sig, exp = r.randint(1, 10**17), r.randint(-330, 310)
        text = f"{sig}e{exp}".encode()
        want = D.f64_from_parts(True, sig, exp)
        if want is None:
            assert "number out of range" in err(text)
        else:
            assert D.loads(text) == want == D.parse_exact(text)


def test_fast_path_agrees_with_exact_parser():
    r = random.Random(3)
    pieces = ["1", "-0", "0.5", "1e5", "12345678901234567890", "3.14159265358979323846", '"0e8a"', '"2020-01-01"',
              "true", "null", '"x"', "1.7976931348623157e308", "-0.0", "2.5E-3", "-92233720368547751808",
              "184467440737095516160", "-9223372036854775809", "56177372662379443e-3", "-123.45678901234567",
              "0.000000000000000000000001", "1e-7", "9007199254740993", '"-0"', "4.9e-324"]
    for _ in range(1500):
        doc = "[" + ",".join(r.choice(pieces) for _ in range(r.randint(1, 6))) + "]"
        a, b = D.loads(doc.encode()), D.parse_exact(doc.encode())
        assert D.dumps(a) == D.dumps(b), doc


def test_strict_end():
    assert D.loads_strict(b" 1 ") == 1
    with pytest.raises(D.JsonError) as e:
        D.loads_strict(b"1x")
    assert e.value.msg == "trailing characters at line 1 column 2"


@pytest.mark.parametrize(("value", "text"), [
    (1e20, b"1e20"), (1.0, b"1.0"), (0.1, b"0.1"), (-0.0, b"-0.0"), (1e-7, b"1e-7"), (1e15, b"1000000000000000.0"),
    (1e16, b"1e16"), (0.00001, b"0.00001"), (123.0, b"123.0"), (5e-324, b"5e-324"), (1.2345678901234568e29,
                                                                                     b"1.2345678901234568e29"),
    ("\x00\x1f\x7f\u2028\u00e9\"\\/\t\n\r\b\f", b'"\\u0000\\u001f\x7f\xe2\x80\xa8\xc3\xa9\\"\\\\/\\t\\n\\r\\b\\f"'),
    (18446744073709551615, b"18446744073709551615"),
])
def test_printing(value, text):
    assert D.dumps(value) == text


def test_deep_printing_past_orjsons_limit():
    v: list = [1]
    for _ in range(300):
        v = [v, {"a": v[-1] if isinstance(v[-1], int) else 2}]
    assert D.dumps(v) == D.dumps_pretty(v, b"", b"", b"")
    assert orjson.loads(D.dumps(v)) == v


def test_pretty():
    doc = {"a": [1, 2, {"b": None, "c": True}], "d": {}, "e": []}
    assert D.dumps_pretty(doc, b"\t", b"\n", b" ") == (
        b'{\n\t"a": [\n\t\t1,\n\t\t2,\n\t\t{\n\t\t\t"b": null,\n\t\t\t"c": true\n\t\t}\n\t],\n\t"d": {},\n\t"e": []\n}')
    assert D.dumps_pretty([doc], b"ab", b"", b"") == (
        b'[ab{abab"a":[ababab1,ababab2,ababab{abababab"b":null,abababab"c":trueababab}abab],abab"d":{},abab"e":[]ab}]')
    assert D.dumps_pretty(5, b"x", b"y", b"z") == b"5"


def test_types_clone_equality():
    assert [D.type_name(v) for v in ({}, [], "s", True, 1, 1.5, None, 18446744073709551615)] == [
        b"object", b"array", b"string", b"boolean", b"integer", b"number", b"null", b"integer"]
    a = {"x": [1, {"y": 2}]}
    b = D.clone(a)
    assert b == a and b["x"] is not a["x"] and b["x"][1] is not a["x"][1]
    assert D.values_equal(1, 1) and not D.values_equal(1, 1.0) and not D.values_equal(True, 1)
    assert D.values_equal({"a": [1, "x"]}, {"a": [1, "x"]}) and not D.values_equal({"a": 1}, {"b": 1})


@pytest.mark.parametrize(("text", "size"), [
    ("null", 8), ("1", 8), ("1.0", 24), ("-1", 8), ('"string"', 14), ("[]", 8), ("{}", 8), ('"Olá"', 12),
    ("[1]", 64), ("[1, 2]", 72), ("[1, 2, 3]", 80), ('[1, "string", {}]', 86), ("383", 8), ("384", 12),
    ("-129", 12), ("8388607", 12), ("8388608", 24), ("-8388608", 24), ("18446744073709551615", 24),
    ('{"a":[1,2.5,"x"],"b":null}', 227),
])
def test_memory_of_parsed_values(text, size):
    doc = D.Doc(D.loads(text.encode()))
    assert doc.memory(doc.root) == size


def test_capacities_follow_ijson():
    """Parsed and pushed containers double from 4; shrinking keeps the allocation; an
    object entry reserves room for one more; clones are exactly as long as they are."""
    sizes = [D.default_capacity(n) for n in (0, 1, 4, 5, 8, 9, 16, 17)]
    assert sizes == [0, 4, 4, 8, 8, 16, 16, 32]
    arr = [1, 2, 3, 4, 5, 6]
    doc = D.Doc(arr)
    del arr[2:]
    doc.keep(arr, 6)  # after the change, with the length before
    assert doc.capacity(arr) == 8
    doc.reserve(arr, 2, 10)
    assert doc.capacity(arr) == 16  # max(2 * 8, 2 + 10, 4)
    obj = {"a": 1, "b": 2, "c": 3, "d": 4}
    doc2 = D.Doc(obj)
    doc2.touch(obj)
    assert doc2.capacity(obj) == 8
    c = D.clone([[1, 2, 3], {"a": 1}])
    doc3 = D.Doc(c)
    doc3.cloned(c)
    assert [doc3.capacity(x) for x in (c, c[0], c[1])] == [2, 3, 1]
    doc3.grow(c[0], 3, 1)
    c[0].append(4)
    assert doc3.capacity(c[0]) == 6
    doc3.root = []
    doc3.prune()
    assert doc3.caps is None
