"""path.py without a server: RedisJSON 2.8's JSONPath grammar (what parses, and pest's
messages for what does not), the legacy dialect, and evaluation: children, wildcards,
recursive descent order, indexes and slices, unions, filters, tracked paths."""

import pytest

from moredis.modules.json import path as P

DOC = {"a": {"b": [1, 2, 3, {"c": 4}], "x y": 5, "1": 6, "d": "xyz"}, "arr": [10, 20, 30, 40, 50], "s": "str",
       "n": None, "t": True, "a^b": 2}


def get(path, doc=DOC):
    return P.select(P.compile_path(path).steps, doc)


def error(path):
    with pytest.raises(P.PathError) as e:
        P.compile_path(path)
    return e.value.msg


@pytest.mark.parametrize(("path", "want"), [
    ("$", [DOC]), ("$.a.b[0]", [1]), ("$.a.b[-1]", [{"c": 4}]), ("$.a.b[*]", [1, 2, 3, {"c": 4}]),
    ('$["a","s"]', [DOC["a"], "str"]), ("$['s']", ["str"]), ('$.a["x y"]', [5]), ("$.a.1", [6]), ("$.a^b", [2]),
    ("$.arr[1:3]", [20, 30]), ("$.arr[::2]", [10, 30, 50]), ("$.arr[-2:]", [40, 50]), ("$.arr[:-2]", [10, 20, 30]),
    ("$.arr[:]", [10, 20, 30, 40, 50]), ("$.arr[1::3]", [20, 50]), ("$.arr[3:1]", []),
    ("$.arr[0,2,4]", [10, 30, 50]), ("$.arr[0,0]", [10, 10]), ("$.arr[5]", []), ("$.arr[-6]", [10]),
    ("$.arr[?(@>20)]", [30, 40, 50]), ("$.arr[?(@ > 20 && @ < 50)]", [30, 40]), ("$.arr[?@>20]", [30, 40, 50]),
    ("$.arr[?(@<20 || @>40)]", [10, 50]), ("$.arr[?(@>10 && @<50 || @==10)]", [10, 20, 30, 40]),
    ("$..[?(@.c==4)]", [{"c": 4}]), ("$.a.b[?(@.c)]", [{"c": 4}]), ('$.*[?(@ =~ "^x")]', ["xyz"]),
    ('$.*[?(@ =~ "(?<=x)y")]', []), ("$.a.*[?(@ == $.a.b[0])]", [1]), ("$.arr.length", []), ("$[0]", []),
    ("$.arr.[0]", [10]), ("$.a..c", [4]), ("$..b..c", [4]), ("$.t[?(@==true)]", [True]), ("$.s[?(@>'a')]", ["str"]),
    ("$.n[?(@==null)]", [None]), ("$.arr[?(@==10.0)]", [10]), ("$.a.b[?(@==@)]", [1, 2, 3, {"c": 4}]),
])
def test_select(path, want):
    assert get(path) == want


def test_recursive_descent_order():
    doc = {"a": {"b": [1, {"c": 2}]}, "d": [3]}
    assert get("$..*", doc) == [{"b": [1, {"c": 2}]}, [3], [1, {"c": 2}], 1, {"c": 2}, 2, 3]


def test_tracked_paths():
    got = P.select(P.compile_path("$..c").steps, {"a": [{"c": 1}], "c": 2}, True)
    assert got == [(2, ("c",)), (1, ("a", 0, "c"))]
    # an object's filtered members are tracked by position in RedisJSON 2.8
    got = P.select(P.compile_path("$[?(@>1)]").steps, {"x": 1, "y": 2}, True)
    assert got == [(2, (1,))]


def test_quoted_keys_plain_and_tracked():
    doc = {'k"q': 1, 'k\\"q': 2}
    p = P.compile_path('$["k\\"q"]')
    assert P.select(p.steps, doc) == [1]  # looked up as k"q
    assert P.select(p.steps, doc, True) == [(2, ('k\\"q',))]  # tracked: unescaped the other way


@pytest.mark.parametrize(("path", "text", "legacy"), [
    ("$", "$", False), ("$.a", "$.a", False), ("$[0]", "$[0]", False), (".", "$", True), (".a", "$.a", True),
    ("a", "$.a", True), ("$a", "$.$a", True), ("$ .a", "$.$ .a", True), ("[0]", "$.[0]", True), ("", "$.", True),
])
def test_legacy_dialect(path, text, legacy):
    assert P.fix_legacy(path) == (text, legacy)


def test_legacy_paths_compile_in_jsonpath():
    assert get("a.b[0]") == [1]
    assert get("..c") == [4]
    assert get("$a") == []


@pytest.mark.parametrize(("path", "msg"), [
    ("$.a.é", "Error occurred on position 4, \"$.a. ---->>>> é\", expected one of the following: <string>, '*'."),
    ("$.a[b]", "Error occurred on position 4, \"$.a[ ---->>>> b]\", expected one of the following: "
     "'<string>[,<string>,...]', '<number>', ['start:end:steps'], '*'."),
    ("$.arr[::-1]", "Error occurred on position 8, \"$.arr[:: ---->>>> -1]\", expected one of the following: "
     "pos_number."),
    ("$.a.b[?(!@.c)]", "Error occurred on position 8, \"$.a.b[?( ---->>>> !@.c)]\", expected one of the "
     "following: single_filter."),
    ("$.a.x y", "Error occurred on position 6, \"$.a.x  ---->>>> y\", expected one of the following: EOI, '..'."),
    ("$..", "Error occurred on position 3, \"$.. <<<<----\", expected one of the following: <string>, '*'."),
    ('$["a"', "Error occurred on position 2, \"$[ ---->>>> \"a\"\", expected one of the following: '<number>', "
     "['start:end:steps']."),
    ("$[?(@==1e3)]", "Error occurred on position 8, \"$[?(@==1 ---->>>> e3)]\", expected one of the following: "
     "and, or."),
    ("$[?(@==.5)]", "Error occurred on position 7, \"$[?(@== ---->>>> .5)]\", expected one of the following: "
     "decimal, from_current, from_root, boolean_true, boolean_false, null."),
    ("$[]", "Error occurred on position 2, \"$[ ---->>>> ]\", expected one of the following: "
     "'<string>[,<string>,...]', '<number>', ['start:end:steps'], '*'."),
    ("$.a@b", "Error occurred on position 3, \"$.a ---->>>> @b\", expected one of the following: EOI, '..'."),
    ("$[\"é\"](", "Error occurred on position 7, \"$[\"é\"] ---->>>> (\", expected one of the following: EOI, "
     "'..'."),
])
def test_errors(path, msg):
    assert error(path) == msg


def test_cache_and_static():
    p = P.compile_path("$.a.b")
    assert P.compile_path("$.a.b") is p and p.static and p.keys == ["a", "b"]
    assert not P.compile_path("$.a[*]").static and P.compile_path("$.a[0]").static
    assert not P.compile_path("$.a[0,1]").static and P.compile_path('$["a"]').static
    with pytest.raises(P.PathError):
        P.compile_path("$[")
    with pytest.raises(P.PathError):
        P.compile_path("$[")  # cached failures fail again


def test_rust_regex_only_constructs_do_not_match():
    doc = ["abc", "aab"]
    assert get('$[?(@ =~ "a+")]', doc) == ["abc", "aab"]
    assert get('$[?(@ =~ "(a)\\\\1")]', doc) == []  # back-references: Rust's regex refuses them
    assert get('$[?(@ =~ "[")]', doc) == []  # a bad pattern matches nothing
