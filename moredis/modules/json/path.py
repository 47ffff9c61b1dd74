"""The JSONPath engine of the ReJSON module: RedisJSON 2.8's path grammar and semantics.

Parsing is a small PEG interpreter that behaves as pest does (implicit spaces between
the parts of non-atomic rules, rule attempts tracked at the furthest position), so a
bad path gets RedisJSON's own message:
    Error occurred on position 4, "$.a[ ---->>>> b]", expected one of the following: ...
The parse tree compiles to a list of steps; `select` runs them over a document and
yields the matches, with their concrete paths (tuples of keys and indexes) when a
command is going to change them. Compiled paths are cached.

Legacy paths (not starting with "$." / "$[" / being "$") are rewritten into JSONPath
first, as RedisJSON does: "." is "$", ".a" is "$.a", "a" is "$.a".
Neighbours: document.py (values), commands.py (commands).
"""

from __future__ import annotations

import re
from typing import Any

# --- grammar -----------------------------------------------------------------------------
# Expressions: ("lit", s) ("set", chars) ("range", lo, hi) ("seq", [..]) ("alt", [..])
# ("opt", e) ("star", e) ("plus", e) ("ref", name) ("not", e) ("any",) ("soi",) ("eoi",)
# Rules: name -> (kind, expr), kind "n" normal, "a" atomic (@), "s" silent (_).


def _lit(s: str) -> tuple:
    return ("lit", s)


def _ref(n: str) -> tuple:
    return ("ref", n)


def _seq(*e: Any) -> tuple:
    return ("seq", [_lit(x) if isinstance(x, str) else x for x in e])


def _alt(*e: Any) -> tuple:
    return ("alt", [_lit(x) if isinstance(x, str) else x for x in e])


def _opt(e: Any) -> tuple:
    return ("opt", _lit(e) if isinstance(e, str) else e)


def _star(e: Any) -> tuple:
    return ("star", e)


_DIGIT = ("range", "0", "9")
_NZDIGIT = ("range", "1", "9")
_LITERAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_`~+#%$^/:")
_RANGE_TAIL = _opt(_alt(_seq(":", _ref("pos_number")), ":"))

# Declaration order is pest's Rule order (EOI first), which sorts the expected rules.
_RULES: list[tuple[str, str, Any]] = [
    ("EOI", "n", ("eoi",)),
    ("literal", "a", ("plus", ("set", _LITERAL_CHARS))),
    ("string", "s", _alt(_seq("'", _ref("string_value"), "'"), _seq('"', _ref("string_value"), '"'),
                         _seq('"', _ref("string_value_escape_1"), '"'),
                         _seq("'", _ref("string_value_escape_2"), "'"))),
    ("string_escape", "a", _lit("\\")),
    ("string_value", "a", _star(("plus", _seq(("not", _alt('"', "\\", "'")), ("any",))))),
    ("string_value_escape_1", "a", _star(_alt(("plus", _seq(("not", _alt('"', "\\")), ("any",))),
                                              _seq(_ref("string_escape"), _alt('"', "\\"))))),
    ("string_value_escape_2", "a", _star(_alt(("plus", _seq(("not", _alt("'", "\\")), ("any",))),
                                              _seq(_ref("string_escape"), _alt("'", "\\"))))),
    ("string_list", "n", _seq(_ref("string"), _star(_seq(",", _ref("string"))))),
    ("pos_number", "a", _seq(_NZDIGIT, _star(_DIGIT))),
    ("number", "a", _alt(_seq(_opt("-"), _NZDIGIT, _star(_DIGIT)), _seq(_opt("-"), _DIGIT))),
    ("decimal", "a", _seq(_ref("number"), _opt(_seq(".", ("plus", _DIGIT))))),
    ("numbers_list", "n", _seq(_ref("number"), _star(_seq(",", _ref("number"))))),
    ("numbers_range", "n", _alt(_ref("full_range"), _ref("right_range"), _ref("all_range"), _ref("left_range"))),
    ("right_range", "n", _seq(":", _ref("number"), _RANGE_TAIL)),
    ("all_range", "n", _seq(":", _RANGE_TAIL)),
    ("left_range", "n", _seq(_ref("number"), ":", _RANGE_TAIL)),
    ("full_range", "n", _seq(_ref("number"), ":", _ref("number"), _RANGE_TAIL)),
    ("from_current", "n", _seq("@", _opt(_ref("root")))),
    ("from_root", "n", _seq("$", _opt(_ref("root")))),
    ("select_term", "s", _alt(_ref("from_current"), _ref("from_root"))),
    ("op", "s", _alt(_ref("ge"), _ref("gt"), _ref("le"), _ref("lt"), _ref("eq"), _ref("ne"), _ref("re"))),
    ("ge", "a", _lit(">=")),
    ("gt", "a", _lit(">")),
    ("le", "a", _lit("<=")),
    ("lt", "a", _lit("<")),
    ("eq", "a", _lit("==")),
    ("ne", "a", _lit("!=")),
    ("re", "a", _lit("=~")),
    ("boolean", "s", _alt(_ref("boolean_true"), _ref("boolean_false"))),
    ("boolean_true", "a", _lit("true")),
    ("boolean_false", "a", _lit("false")),
    ("null", "a", _lit("null")),
    ("term", "s", _alt(_ref("select_term"), _ref("decimal"), _ref("string"), _ref("boolean"), _ref("null"))),
    ("single_filter", "n", _alt(_seq(_ref("term"), _ref("op"), _ref("term")), _ref("term"))),
    ("filter_relation", "s", _alt(_ref("and"), _ref("or"))),
    ("and", "n", _lit("&&")),
    ("or", "n", _lit("||")),
    ("inner_filter", "s", _alt(_ref("single_filter"), _seq("(", _ref("filter"), ")"))),
    ("filter", "n", _seq(_ref("inner_filter"), _star(_seq(_ref("filter_relation"), _ref("inner_filter"))))),
    ("all", "n", _lit("*")),
    ("full_scan", "n", _lit("..")),
    ("bracket", "s", _alt(_ref("numbers_range"), _ref("numbers_list"), _ref("string_list"), _ref("all"),
                          _seq("?", _ref("filter")))),
    ("element", "s", _alt(_seq(".", _ref("literal")),
                          _seq(_ref("full_scan"),
                               _alt(_ref("literal"), _ref("all"), _seq("[", _ref("bracket"), "]"))),
                          _seq(".", _ref("all")),
                          _seq(_opt("."), "[", _ref("bracket"), "]"))),
    ("first_element", "s", _alt(_ref("literal"), _ref("all"))),
    ("root", "n", _seq(_alt(_ref("element"), _ref("first_element")), _star(_ref("element")))),
    ("query", "s", _seq(("soi",), "$", _opt(_ref("root")), _ref("EOI"))),
    ("WHITESPACE", "s", _lit(" ")),
]
_RULE = {name: (kind, expr) for name, kind, expr in _RULES}
_ORDER = {name: i for i, (name, _, _) in enumerate(_RULES)}
_SHOWN = {"literal": "<string>", "all": "'*'", "full_scan": "'..'", "numbers_list": "'<number>[,<number>,...]'",
          "string_list": "'<string>[,<string>,...]'", "numbers_range": "['start:end:steps']",
          "number": "'<number>'", "filter": "'[?(filter_expression)]'"}


class PathError(Exception):
    """A path that does not parse: the text is RedisJSON's."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


class _Peg:
    """pest's ParserState, reduced to what this grammar uses."""

    __slots__ = ("atomic", "attempt_pos", "neg", "pos_attempts", "s")

    def __init__(self, s: str) -> None:
        self.s = s
        self.attempt_pos = 0
        self.pos_attempts: list[str] = []
        self.atomic = False
        self.neg = False

    def _track(self, rule: str, pos: int, idx: int, prev: int) -> None:
        if self.atomic:
            return
        cur = len(self.pos_attempts) if self.attempt_pos == pos else 0
        if cur > prev and cur - prev == 1:
            return  # one nested attempt explains the failure better than this rule
        if pos == self.attempt_pos:
            del self.pos_attempts[idx:]
        if pos > self.attempt_pos:
            self.pos_attempts.clear()
            self.attempt_pos = pos
        if pos == self.attempt_pos and not self.neg:
            self.pos_attempts.append(rule)

    def _skip(self, pos: int) -> int:
        if self.atomic:
            return pos
        s = self.s
        while pos < len(s) and s[pos] == " ":
            pos += 1
        return pos

    def rule(self, name: str, pos: int, out: list | None) -> int:
        """Run a rule; -1 on failure. Pairs (name, start, end, children) go to `out`."""
        kind, expr = _RULE[name]
        if kind == "s":
            return self.run(expr, pos, out)
        idx = len(self.pos_attempts) if pos == self.attempt_pos else 0
        prev = len(self.pos_attempts) if pos == self.attempt_pos else 0
        children: list | None = [] if out is not None and kind == "n" and not self.atomic else None
        saved = self.atomic
        if kind == "a":
            self.atomic = True
        end = self.run(expr, pos, children)
        self.atomic = saved
        if end < 0:
            self._track(name, pos, idx, prev)
            return -1
        if out is not None and not self.atomic:
            out.append((name, pos, end, children or []))
        return end

    def run(self, e: tuple, pos: int, out: list | None) -> int:
        op = e[0]
        s = self.s
        if op == "lit":
            t = e[1]
            return pos + len(t) if s.startswith(t, pos) else -1
        if op == "ref":
            return self.rule(e[1], pos, out)
        if op == "seq":
            mark = len(out) if out is not None else 0
            p = pos
            first = True
            for x in e[1]:
                if not first:
                    p = self._skip(p)
                first = False
                p = self.run(x, p, out)
                if p < 0:
                    if out is not None:
                        del out[mark:]
                    return -1
            return p
        if op == "alt":
            for x in e[1]:
                p = self.run(x, pos, out)
                if p >= 0:
                    return p
            return -1
        if op == "opt":
            p = self.run(e[1], pos, out)
            return pos if p < 0 else p
        if op in ("star", "plus"):
            p = self.run(e[1], pos, out)
            if p < 0:
                return pos if op == "star" else -1
            while True:
                mark = len(out) if out is not None else 0
                q = self.run(e[1], self._skip(p), out)
                if q < 0:
                    if out is not None:
                        del out[mark:]
                    return p
                if q == p:
                    return p
                p = q
        if op == "set":
            return pos + 1 if pos < len(s) and s[pos] in e[1] else -1
        if op == "range":
            return pos + 1 if pos < len(s) and e[1] <= s[pos] <= e[2] else -1
        if op == "not":
            saved = self.neg
            self.neg = not saved
            p = self.run(e[1], pos, None)
            self.neg = saved
            return pos if p < 0 else -1
        if op == "any":
            return pos + 1 if pos < len(s) else -1
        if op == "soi":
            return pos if pos == 0 else -1
        if op == "eoi":
            return pos if pos == len(s) else -1
        raise AssertionError(op)


def parse(path: str) -> list:
    """The pairs of the `root` rule (empty for "$"), or PathError."""
    p = _Peg(path)
    out: list = []
    if p.run(_RULE["query"][1], 0, out) >= 0:
        for name, _a, _b, children in out:
            if name == "root":
                return children
        return []
    pos = p.attempt_pos
    expected = sorted(set(p.pos_attempts), key=_ORDER.__getitem__)
    what = "expected one of the following: " + ", ".join(_SHOWN.get(r, r) for r in expected) if expected \
        else "parsing error"
    bpos = len(path[:pos].encode("utf-8"))
    if pos == len(path):
        msg = f'"{path} <<<<----", {what}.'
    else:
        msg = f'"{path[:pos]} ---->>>> {path[pos:]}", {what}.'
    raise PathError(f"Error occurred on position {bpos}, {msg}")


# --- compiled steps --------------------------------------------------------------------------
# ("key", plain, tracked, raw) ("keys", [(plain, tracked, raw)..]) ("all",) ("scan",)
# ("idx", [i..]) ("slice", kind, [bounds], step)
# ("filter", f)   where f is ("or", [("and", [single..])..]) and a single is
# (term,) or (term, op, term); terms: ("v", python value) ("cur", steps) ("root", steps)


def _unescape(rule: str, text: str, swapped: bool = False) -> str:
    """A quoted key's text. RedisJSON unescapes \\" in double-quoted and \\' in
    single-quoted strings when it looks keys up plainly, but the other way round
    (`swapped`) when it tracks result paths and in filter operands."""
    if rule == "string_value":
        return text
    double = (rule == "string_value_escape_1") != swapped
    text = text.replace("\\\\", "\\")
    return text.replace('\\"', '"') if double else text.replace("\\'", "'")


def _key(rule: str, text: str) -> tuple[str, str, str]:
    """(plain lookup, tracked lookup, raw text): see _unescape."""
    return _unescape(rule, text), _unescape(rule, text, True), text


def _compile_steps(pairs: list, src: str) -> list:
    steps: list = []
    for name, a, b, ch in pairs:
        if name == "literal":
            k = src[a:b]
            steps.append(("key", k, k, k))
        elif name == "all":
            steps.append(("all",))
        elif name == "full_scan":
            steps.append(("scan",))
        elif name == "string_list":
            keys = [_key(r, src[x:y]) for r, x, y, _ in ch]
            steps.append(("key", *keys[0]) if len(keys) == 1 else ("keys", keys))
        elif name == "numbers_list":
            steps.append(("idx", [int(src[x:y]) for _, x, y, _ in ch]))
        elif name == "numbers_range":
            kind, _x, _y, nums = ch[0]
            vals = [(r, int(src[x:y])) for r, x, y, _ in nums]
            ints = [v for r, v in vals if r == "number"]
            step = next((v for r, v in vals if r == "pos_number"), 1)
            steps.append(("slice", kind, ints, step))
        elif name == "filter":
            steps.append(("filter", _compile_filter(ch, src)))
        else:  # pragma: no cover - the grammar produces nothing else here
            raise AssertionError(name)
    return steps


def _compile_term(t: tuple, src: str) -> tuple:
    name, a, b, ch = t
    text = src[a:b]
    if name == "decimal":
        try:
            n = int(text)
            if -(1 << 63) <= n < 1 << 63:
                return ("v", n)
        except ValueError:
            pass
        return ("v", float(text))
    if name == "boolean_true":
        return ("v", True)
    if name == "boolean_false":
        return ("v", False)
    if name == "null":
        return ("v", None)
    if name in ("string_value", "string_value_escape_1", "string_value_escape_2"):
        return ("v", _unescape(name, text, True))
    if name == "from_current":
        return ("cur", _compile_steps(ch[0][3], src) if ch else None)
    if name == "from_root":
        return ("root", _compile_steps(ch[0][3], src) if ch else None)
    raise AssertionError(name)  # pragma: no cover


_OPS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!=", "re": "=~"}


def _compile_filter(ch: list, src: str) -> tuple:
    """A filter's children alternate operands and and/or: AND binds tighter than OR."""
    groups: list[list] = [[]]
    for name, _a, _b, sub in ch:
        if name == "or":
            groups.append([])
        elif name == "and":
            continue
        elif name == "filter":
            groups[-1].append(("sub", _compile_filter(sub, src)))
        else:  # single_filter
            if len(sub) == 3:
                groups[-1].append((_compile_term(sub[0], src), _OPS[sub[1][0]], _compile_term(sub[2], src)))
            else:
                groups[-1].append((_compile_term(sub[0], src),))
    return ("or", groups)


class Path:
    """A compiled path. `legacy` paths answer with one value and errors; `text` is the
    JSONPath form (what RedisJSON names in its errors); `original` what the user sent."""

    __slots__ = ("keys", "legacy", "original", "static", "steps", "text")

    def __init__(self, original: str, text: str, legacy: bool, steps: list) -> None:
        self.original = original
        self.text = text
        self.legacy = legacy
        self.steps = steps
        self.static = all(s[0] in ("key", "idx") and (s[0] == "key" or len(s[1]) == 1) for s in steps)
        # a plain chain of object keys: the fast lane for the common "$.a.b"
        plain = all(s[0] == "key" and s[1] == s[2] == s[3] for s in steps)
        self.keys = [s[1] for s in steps] if plain else None

    @property
    def is_root(self) -> bool:
        return not self.steps

    def __repr__(self) -> str:
        return f"<Path {self.original!r}>"


def fix_legacy(path: str) -> tuple[str, bool]:
    """RedisJSON's Path::new: (JSONPath text, is_legacy)."""
    if path.startswith("$") and (len(path) < 2 or path[1] in ".["):
        return path, False
    if path == ".":
        return "$", True
    if path.startswith("."):
        return "$" + path, True
    return "$." + path, True


_CACHE: dict[str, Path | PathError] = {}
_CACHE_MAX = 4096


def compile_path(path: str) -> Path:
    """Compile (with a cache) or raise PathError."""
    hit = _CACHE.get(path)
    if hit is not None:
        if type(hit) is PathError:
            raise hit
        return hit  # type: ignore[return-value]
    text, legacy = fix_legacy(path)
    try:
        res: Path | PathError = Path(path, text, legacy, _compile_steps(parse(text), text))
    except PathError as e:
        res = e
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[path] = res
    if type(res) is PathError:
        raise res
    return res  # type: ignore[return-value]


ROOT = compile_path(".")  # the default path of most commands: legacy root


# --- evaluation ----------------------------------------------------------------------------

def _abs_index(i: int, n: int) -> int:
    return min(i, n) if i >= 0 else max(i + n, 0)


def _slice_bounds(kind: str, ints: list[int], n: int) -> tuple[int, int]:
    if kind == "full_range":
        return _abs_index(ints[0], n), _abs_index(ints[1], n)
    if kind == "left_range":
        return _abs_index(ints[0], n), n
    if kind == "right_range":
        return 0, _abs_index(ints[0], n)
    return 0, n


def select(steps: list, root: Any, with_paths: bool = False) -> list:
    """Matches of `steps` in `root`: values, or (value, path-tuple) pairs."""
    out: list = []
    _walk(steps, 0, root, () if with_paths else None, out, root)
    return out


def _emit(node: Any, path: tuple | None, out: list) -> None:
    out.append(node if path is None else (node, path))


def _walk(steps: list, i: int, node: Any, path: tuple | None, out: list, root: Any) -> None:
    n = len(steps)
    # follow single-child steps iteratively; branch with recursion
    while i < n:
        st = steps[i]
        kind = st[0]
        if kind == "key":
            if type(node) is not dict:
                return
            if path is None:
                k = st[1]
                if k not in node:
                    return
                node = node[k]
            else:
                k = st[2]
                if k not in node:
                    return
                node = node[k]
                path = (*path, st[3])
            i += 1
            continue
        t = type(node)
        if kind == "scan":
            _walk(steps, i + 1, node, path, out, root)
            _scan(steps, i + 1, node, path, out, root)
            return
        if kind == "all":
            if t is dict:
                for k, c in node.items():
                    _walk(steps, i + 1, c, None if path is None else (*path, k), out, root)
            elif t is list:
                for j, c in enumerate(node):
                    _walk(steps, i + 1, c, None if path is None else (*path, j), out, root)
            return
        if kind == "keys":
            if t is dict:
                for plain, tracked, raw in st[1]:
                    if path is None:
                        if plain in node:
                            _walk(steps, i + 1, node[plain], None, out, root)
                    elif tracked in node:
                        _walk(steps, i + 1, node[tracked], (*path, raw), out, root)
            return
        if kind == "idx":
            if t is not list:
                return
            ln = len(node)
            if len(st[1]) == 1:  # one index: follow it without recursion (deep static paths)
                j = _abs_index(st[1][0], ln)
                if j >= ln:
                    return
                node = node[j]
                if path is not None:
                    path = (*path, j)
                i += 1
                continue
            for raw in st[1]:
                j = _abs_index(raw, ln)
                if j < ln:
                    _walk(steps, i + 1, node[j], None if path is None else (*path, j), out, root)
            return
        if kind == "slice":
            if t is not list:
                return
            ln = len(node)
            a, b = _slice_bounds(st[1], st[2], ln)
            for j in range(a, b, st[3]):
                _walk(steps, i + 1, node[j], None if path is None else (*path, j), out, root)
            return
        if kind == "filter":
            f = st[1]
            if t is dict:
                # RedisJSON 2.8 tracks an object's filtered members by position, not key
                for j, c in enumerate(list(node.values())):
                    if _test(f, c, root):
                        _walk(steps, i + 1, c, None if path is None else (*path, j), out, root)
            elif t is list:
                for j, c in enumerate(list(node)):
                    if _test(f, c, root):
                        _walk(steps, i + 1, c, None if path is None else (*path, j), out, root)
            elif _test(f, node, root):
                i += 1
                continue
            return
        raise AssertionError(kind)  # pragma: no cover
    _emit(node, path, out)


def _children(node: Any, path: tuple | None) -> Any:
    if type(node) is dict:
        if path is None:
            return ((c, None) for c in node.values())
        return ((c, (*path, k)) for k, c in node.items())
    if path is None:
        return ((c, None) for c in node)
    return ((c, (*path, j)) for j, c in enumerate(node))


def _scan(steps: list, i: int, node: Any, path: tuple | None, out: list, root: Any) -> None:
    """Recursive descent: every descendant, depth first, each before its own children
    (iterative, so deep documents do not exhaust Python's stack)."""
    if type(node) is not dict and type(node) is not list:
        return
    stack = [_children(node, path)]
    while stack:
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            continue
        c, p = nxt
        _walk(steps, i, c, p, out, root)
        if type(c) is dict or type(c) is list:
            stack.append(_children(c, p))


# --- filters -----------------------------------------------------------------------------

_INVALID = object()
_I64 = (-(1 << 63), (1 << 63) - 1)


def _term(t: tuple, node: Any, root: Any) -> Any:
    kind = t[0]
    if kind == "v":
        return t
    steps = t[1]
    base = node if kind == "cur" else root
    if steps is None:
        return ("n", base)
    res: list = []
    _walk(steps, 0, base, None, res, root)
    return ("n", res[0]) if len(res) == 1 else _INVALID


def _scalar(term: Any) -> tuple[int, Any]:
    """(kind, value) for comparison: 0 int, 1 float, 2 str, 3 bool, 4 null, -1 neither."""
    v = term[1]
    t = type(v)
    if t is bool:
        return 3, v
    if t is int:
        return (0, v) if term[0] == "v" or _I64[0] <= v <= _I64[1] else (1, float(v))
    if t is float:
        return 1, v
    if t is str:
        return 2, v
    if v is None:
        return 4, None
    return -1, None


def _cmp(a: Any, b: Any) -> int | None:
    """TermEvaluationResult::cmp: -1/0/1, or None when the two do not compare."""
    if a is _INVALID or b is _INVALID:
        return None
    ka, va = _scalar(a)
    kb, vb = _scalar(b)
    if ka < 0 or kb < 0:
        return None
    if ka <= 1 and kb <= 1:
        if ka == 1 or kb == 1:
            va, vb = float(va), float(vb)
        return (va > vb) - (va < vb)
    if ka != kb:
        return None
    if ka == 4:
        return 0
    return (va > vb) - (va < vb)


def _json_eq(a: Any, b: Any) -> bool:
    """IValue equality (two document values compared with ==)."""
    ta, tb = type(a), type(b)
    if ta in (int, float) and tb in (int, float):
        return a == b
    if ta is not tb:
        return False
    if ta is dict:
        return len(a) == len(b) and all(k in b and _json_eq(v, b[k]) for k, v in a.items())
    if ta is list:
        return len(a) == len(b) and all(_json_eq(x, y) for x, y in zip(a, b, strict=True))
    return a == b


_RE_CACHE: dict[str, Any] = {}
# constructs Rust's regex crate refuses (look-around, back-references): no match
_RE_UNSUPPORTED = re.compile(r"\(\?<?[=!]|\\[1-9]|\(\?P=")


def _regex(pattern: str) -> Any:
    r = _RE_CACHE.get(pattern)
    if r is None:
        try:
            r = False if _RE_UNSUPPORTED.search(pattern) else re.compile(pattern)
        except re.error:
            r = False
        if len(_RE_CACHE) > 1024:
            _RE_CACHE.clear()
        _RE_CACHE[pattern] = r
    return r


def _single(sf: tuple, node: Any, root: Any) -> bool:
    a = _term(sf[0], node, root)
    if len(sf) == 1:
        return a is not _INVALID
    op = sf[1]
    b = _term(sf[2], node, root)
    if op == "=~":
        if a is _INVALID or b is _INVALID or a[0] != "n" or type(a[1]) is not str:
            return False
        if b[0] == "v":
            if type(b[1]) is not str:
                return False
        elif type(b[1]) is not str:
            return False
        r = _regex(b[1])
        return bool(r) and r.search(a[1]) is not None
    if op in ("==", "!="):
        if a is not _INVALID and b is not _INVALID and a[0] == "n" and b[0] == "n":
            eq = _json_eq(a[1], b[1])
        else:
            eq = _cmp(a, b) == 0
        return eq if op == "==" else not eq
    c = _cmp(a, b)
    if c is None:
        return False
    if op == ">":
        return c > 0
    if op == ">=":
        return c >= 0
    if op == "<":
        return c < 0
    return c <= 0


def _test(f: tuple, node: Any, root: Any) -> bool:
    for group in f[1]:
        ok = True
        for sf in group:
            if not (_test(sf[1], node, root) if sf[0] == "sub" else _single(sf, node, root)):
                ok = False
                break
        if ok:
            return True
    return False
