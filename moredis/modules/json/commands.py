"""The JSON.* commands of the ReJSON module, on the public Modules API.

Each handler reads its arguments the way RedisJSON 2.8 does (so errors come in the
same order and with the same words), evaluates paths with path.py on the document of
document.py, and replies. Two path dialects: JSONPath ("$..."), which answers with an
array per match (null where the match has the wrong type), and the legacy dialect,
which answers with one value and errors when nothing matches. Writes notify
"json.<command>" (class module) and replicate verbatim, as RedisJSON does.
Neighbours: __init__.py (registration, data type), document.py, path.py.
"""

from __future__ import annotations

import re
from typing import Any

from moredis import module as rm

from . import bson as B
from . import document as D
from . import path as P

JSON_TYPE: Any = None  # the ReJSON-RL module type, set by on_load

E_TYPE = "Existing key has wrong Redis type"
E_NOKEY = "ERR could not perform this operation on a key that doesn't exist"
E_UTF8 = "Couldn't parse as UTF-8 string"
E_INT = "Couldn't parse as integer"
E_ROOT = "ERR new objects must be created at the root"
E_GONE = "ERR Path does not exist"  # a match that an earlier change in the same command removed

_NOTIFY = rm.NOTIFY_MODULE
_RESP3 = rm.CTX_FLAGS_RESP3
_loads = D.loads
_dumps = D.dumps
_select = P.select
_compile = P.compile_path
_Doc = D.Doc
_KEYWORDS = frozenset((b"INDENT", b"NEWLINE", b"SPACE", b"FORMAT", b"NOESCAPE"))


class _Arity(Exception):
    """RedisError::WrongArity: the dispatcher's 'wrong number of arguments' text."""


# --- arguments -----------------------------------------------------------------------------

def _str(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        raise rm.Error(E_UTF8) from None


def _arg(argv: list[bytes], i: int) -> bytes:
    if i >= len(argv):
        raise _Arity
    return argv[i]


_INT_RE = re.compile(rb"(?:0|-?[1-9][0-9]*)\Z")


def _int(b: bytes) -> int:
    """RedisString::parse_integer (Redis's string2ll): no sign but '-', no leading zero."""
    if _INT_RE.match(b) is None:
        raise rm.Error(E_INT)
    n = int(b)
    if not -(1 << 63) <= n < 1 << 63:
        raise rm.Error(E_INT)
    return n


class _PathArg:
    """A path argument. Its dialect is known at once, but it compiles only when first
    searched, as RedisJSON compiles a path only once it has a document to search (a
    bad path on a missing key is no error)."""

    __slots__ = ("_p", "legacy", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        self.text, self.legacy = P.fix_legacy(original)
        self._p: P.Path | None = None

    @property
    def compiled(self) -> P.Path:
        p = self._p
        if p is None:
            try:
                p = self._p = _compile(self.original)
            except P.PathError as e:
                raise rm.Error(e.msg) from None
        return p

    @property
    def steps(self) -> list:
        return self.compiled.steps

    @property
    def keys(self) -> list | None:
        return self.compiled.keys

    @property
    def static(self) -> bool:
        return self.compiled.static


def _path(b: bytes) -> Any:
    """A path argument (UTF-8 checked now, compiled when searched)."""
    return _PathArg(_str(b))


def _parse_json(b: bytes) -> Any:
    """manager.from_str: serde_json's message as is (no ERR prefix)."""
    try:
        return _loads(b)
    except D.JsonError as e:
        raise rm.Error(e.msg) from None
    except UnicodeDecodeError:
        raise rm.Error(E_UTF8) from None


def _parse_json_err(b: bytes) -> Any:
    """serde_json::from_str converted with an ERR prefix (STRAPPEND, numbers, ARRINDEX)."""
    try:
        return D.loads_strict(b)
    except D.JsonError as e:
        raise rm.Error("ERR " + e.msg) from None
    except UnicodeDecodeError:
        raise rm.Error(E_UTF8) from None


def _resp3(ctx: rm.Ctx) -> bool:
    return bool(ctx.get_context_flags() & _RESP3)


# --- keys ----------------------------------------------------------------------------------

def _read(ctx: rm.Ctx, name: bytes) -> D.Doc | None:
    """The key's document, None when missing; another type is an error. (Only this
    module makes Doc values, so a Doc is a ReJSON-RL value.)"""
    key = ctx.open_key(name, rm.READ)
    if key is None:
        return None
    v = key.module_type_get_value()
    if type(v) is _Doc:
        return v
    if key.type() == rm.KEYTYPE_EMPTY:
        return None
    raise rm.Error(E_TYPE)


def _write(ctx: rm.Ctx, name: bytes) -> tuple[Any, D.Doc | None]:
    key = ctx.open_key(name, rm.READ | rm.WRITE)
    v = key.module_type_get_value()
    if type(v) is _Doc:
        return key, v
    if key.type() != rm.KEYTYPE_EMPTY:
        raise rm.Error(E_TYPE)
    return key, None


def _changed(ctx: rm.Ctx, event: str, name: bytes) -> None:
    """apply_changes: the keyspace event, then replicate the command as received."""
    ctx.notify_keyspace_event(_NOTIFY, event, name)
    ctx.replicate_verbatim()


def _set_root(key: Any, doc: D.Doc | None, value: Any) -> None:
    if doc is None:
        key.module_type_set_value(JSON_TYPE, D.Doc(value))
    else:
        doc.root = value
        doc.caps = None


# --- walking concrete paths (RedisJSON's update/replace over path strings) ------------------

def _step(node: Any, tok: Any) -> tuple[bool, Any]:
    """One path element: object keys and array indexes, converted as RedisJSON's string
    paths are (an index names a key "0" in an object, a digit key indexes an array)."""
    t = type(node)
    if t is dict:
        k = tok if type(tok) is str else str(tok)
        if k in node:
            return True, k
        return False, None
    if t is list:
        if type(tok) is int:
            i = tok
        else:
            s = tok[1:] if tok[:1] == "+" else tok
            if not s.isdigit() or not s.isascii():
                return False, None
            i = int(s)
        if i < len(node):
            return True, i
    return False, None


def _locate(doc: D.Doc, path: tuple) -> tuple[Any, Any] | None:
    """(container, key) of the element `path` names, or None (missing). Like RedisJSON's
    update(), the last object on the way is asked for an entry (see Doc.touch)."""
    node = doc.root
    last = len(path) - 1
    for n, tok in enumerate(path):
        if n == last and type(node) is dict:
            doc.touch(node)
        ok, k = _step(node, tok)
        if not ok:
            return None
        if n == last:
            return node, k
        node = node[k]
    return None


def _dict_remove(d: dict, k: str) -> None:
    """IObject::remove swaps the last entry into the hole (ijson keeps keys in a vector)."""
    keys = list(d)
    if keys[-1] == k:
        del d[k]
        return
    items = list(d.items())
    pos = keys.index(k)
    last = items.pop()
    items[pos] = last
    d.clear()
    d.update(items)


def _remove(doc: D.Doc, holder: Any, k: Any) -> None:
    n = len(holder)
    if type(holder) is dict:
        _dict_remove(holder, k)
    else:
        del holder[k]
    doc.keep(holder, n)


def _dict_add(doc: D.Doc, holder: Any, key: str, value: Any) -> bool:
    if type(holder) is not dict or key in holder:
        return False
    n = len(holder)
    holder[key] = value
    doc.grow(holder, n, 1)
    return True


# --- replies -------------------------------------------------------------------------------

def _reply_int_or_null(ctx: rm.Ctx, values: list) -> None:
    ctx.reply_with_array(len(values))
    for v in values:
        if v is None:
            ctx.reply_with_null()
        else:
            ctx.reply_with_long_long(v)


def _reply_number(ctx: rm.Ctx, n: Any) -> None:
    if n is None:
        ctx.reply_with_null()
    elif type(n) is int:
        ctx.reply_with_long_long(n)
    else:
        ctx.reply_with_double(n)


def _reply_resp3(ctx: rm.Ctx, v: Any, expand: bool, fmt: tuple | None) -> None:
    """value_to_resp3: EXPAND converts containers too; EXPAND1 sends them as JSON text."""
    t = type(v)
    if v is None:
        ctx.reply_with_null()
    elif t is bool:
        ctx.reply_with_bool(v)
    elif t is int:
        if -(1 << 63) <= v < 1 << 63:
            ctx.reply_with_long_long(v)
        else:
            ctx.reply_with_double(float(v))
    elif t is float:
        ctx.reply_with_double(v)
    elif not expand:
        ctx.reply_with_string(_serialize(v, fmt))
    elif t is str:
        ctx.reply_with_string(v.encode("utf-8"))
    elif t is list:
        ctx.reply_with_array(len(v))
        for c in v:
            _reply_resp3(ctx, c, True, fmt)
    else:
        ctx.reply_with_map(len(v))
        for k, c in v.items():
            ctx.reply_with_string(k.encode("utf-8"))
            _reply_resp3(ctx, c, True, fmt)


def _serialize(v: Any, fmt: tuple | None) -> bytes:
    if fmt is None:
        return _dumps(v)
    return D.dumps_pretty(v, *fmt)


def _first(doc: D.Doc, p: P.Path) -> Any:
    """KeyValue::get_first: the first match or ERR Path '<path>' does not exist."""
    vals = _select(p.steps, doc.root)
    if not vals:
        raise rm.Error(f"ERR Path '{p.text}' does not exist")
    return vals[0]


# --- JSON.GET / JSON.MGET --------------------------------------------------------------------

def json_get(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.GET key [INDENT s] [NEWLINE s] [SPACE s] [NOESCAPE] [FORMAT fmt] [path ...]"""
    n = len(argv)
    if n < 2:
        raise _Arity
    name = argv[1]
    # the common case: one path
    if n == 3 and (len(argv[2]) > 8 or argv[2].upper() not in _KEYWORDS):
        try:
            p = _compile(argv[2].decode("utf-8"))
        except (UnicodeDecodeError, P.PathError):
            p = None
        if p is not None:
            doc = _read(ctx, name)
            if doc is None:
                return ctx.reply_with_null()
            if p.legacy:
                return ctx.reply_with_string(_dumps(_first(doc, p)))
            keys = p.keys
            if keys is not None:
                node = doc.root
                for k in keys:
                    if type(node) is not dict or k not in node:
                        return ctx.reply_with_string(b"[]")
                    node = node[k]
                return ctx.reply_with_string(b"[" + _dumps(node) + b"]")
            return ctx.reply_with_string(_dumps(_select(p.steps, doc.root)))
    paths: list[bytes] = []
    indent = newline = space = None
    fmt_kind = "STRING"
    resp3 = None
    i = 2
    while i < n:
        raw = argv[i]
        i += 1
        try:
            arg = raw.decode("utf-8")
        except UnicodeDecodeError:
            break  # RedisJSON stops reading arguments at the first non-UTF-8 one
        if len(arg) > 8:
            paths.append(raw)
            continue
        up = arg.upper()
        if up == "FORMAT":
            if resp3 is None:
                resp3 = _resp3(ctx)
            if not resp3 and not paths:
                raise rm.Error("ERR FORMAT argument is not supported on RESP2")
            nxt = _str(_arg(argv, i))
            i += 1
            if nxt not in ("STRING", "EXPAND1", "EXPAND"):
                raise rm.Error("ERR wrong reply format")
            fmt_kind = nxt
        elif up == "INDENT":
            indent = _str(_arg(argv, i)).encode()
            i += 1
        elif up == "NEWLINE":
            newline = _str(_arg(argv, i)).encode()
            i += 1
        elif up == "SPACE":
            space = _str(_arg(argv, i)).encode()
            i += 1
        elif up == "NOESCAPE":
            continue
        else:
            paths.append(raw)
    if not paths:
        paths.append(b".")
    fmt = None if indent is None and newline is None and space is None else \
        (indent or b"", newline or b"", space or b"")
    doc = _read(ctx, name)
    if doc is None:
        return ctx.reply_with_null()
    if fmt_kind != "STRING":
        if resp3 is None:
            resp3 = _resp3(ctx)
        if resp3:
            expand = fmt_kind == "EXPAND"
            ctx.reply_with_array(len(paths))
            for raw in paths:
                try:
                    vals = _select(_compile(raw.decode("utf-8")).steps, doc.root)
                except P.PathError:
                    vals = []
                ctx.reply_with_array(len(vals))
                for v in vals:
                    _reply_resp3(ctx, v, expand, fmt)
            return rm.OK
    if len(paths) == 1:
        p = _path(paths[0])
        if p.legacy:
            return ctx.reply_with_string(_serialize(_first(doc, p), fmt))
        return ctx.reply_with_string(_serialize(_select(p.steps, doc.root), fmt))
    compiled: list[P.Path] = []
    for raw in paths:
        try:
            compiled.append(_compile(raw.decode("utf-8")))
        except P.PathError:
            continue  # RedisJSON skips paths that do not compile here
    legacy = all(P.fix_legacy(raw.decode("utf-8"))[1] for raw in paths)
    out: dict[str, Any] = {}
    missing = None
    for p in compiled:
        vals = _select(p.steps, doc.root)
        if legacy:
            if not vals:
                if missing is None:
                    missing = p.original
                continue
            out[p.original] = vals[0]
        else:
            out[p.original] = vals
    if missing is not None:
        raise rm.Error(f"ERR Path '{missing}' does not exist")
    return ctx.reply_with_string(_serialize(out, fmt))


def json_mget(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.MGET key [key ...] path"""
    if len(argv) < 3:
        raise _Arity
    try:
        p: P.Path | None = _compile(_str(argv[-1]))
    except P.PathError:
        p = None
    keys = argv[1:-1]
    ctx.reply_with_array(len(keys))
    for name in keys:
        try:
            doc = _read(ctx, name)
        except rm.Error:
            doc = None
        if doc is None or p is None:
            ctx.reply_with_null()
            continue
        vals = _select(p.steps, doc.root)
        if p.legacy:
            if vals:
                ctx.reply_with_string(_dumps(vals[0]))
            else:
                ctx.reply_with_null()
        else:
            ctx.reply_with_string(_dumps(vals))
    return rm.OK


# --- JSON.SET / JSON.MSET / JSON.MERGE ---------------------------------------------------------

def _format_arg(argv: list[bytes], i: int) -> str:
    fmt = _str(_arg(argv, i))
    if fmt not in ("STRING", "JSON", "BSON"):
        raise rm.Error("ERR wrong format")
    return fmt


def _parse_value(raw: bytes, fmt: str) -> Any:
    """The value argument of SET/MERGE: JSON text, or (FORMAT BSON) a BSON document whose
    first element is the value, passed through JSON text as RedisJSON does."""
    if fmt != "BSON":
        return _parse_json(raw)
    _str(raw)
    try:
        v = B.first_value(raw)
    except B.BsonError as e:
        raise rm.Error(e.msg) from None
    return _parse_json(_dumps(v))


def _find_add_paths(doc: D.Doc, p: P.Path) -> list:
    """Where a missing path may be created: ("add", parent path, key) for a new object
    key; an index that does not exist is an error."""
    if not p.static:
        raise rm.Error("Err wrong static path")
    last = p.steps[-1]
    if last[0] == "key":
        if len(p.steps) == 1:
            return [("add", (), last[3])]
        return [("add", path, last[3]) for _v, path in _select(p.steps[:-1], doc.root, True)]
    if not _select(p.steps, doc.root, True):
        raise rm.Error("ERR array index out of range")
    return []


def _find_paths(doc: D.Doc, p: P.Path, nx: bool = False, xx: bool = False) -> list:
    """KeyValue::find_paths: existing matches to replace, else where to add."""
    if not nx:
        found = _select(p.steps, doc.root, True)
        if found:
            return [("set", path, None) for _v, path in found]
    if xx:
        return []
    return _find_add_paths(doc, p)


def _apply_set(doc: D.Doc, updates: list, value: Any) -> bool:
    many = len(updates) > 1
    updated = False
    for kind, path, key in updates:
        v = value
        if many:
            v = D.clone(value)
        if kind == "set":
            if not path:
                doc.root = v
                doc.caps = None
                ok = True
            else:
                loc = _locate(doc, path)
                ok = loc is not None
                if ok:
                    loc[0][loc[1]] = v
        else:
            if not path:
                holder = doc.root
            else:
                loc = _locate(doc, path)
                holder = loc[0][loc[1]] if loc is not None else None
            ok = holder is not None and _dict_add(doc, holder, key, v)
        if ok and many:
            doc.cloned(v)
        updated = ok or updated
    return updated


def _value_args(argv: list[bytes], conditions: bool) -> tuple[str, bytes, bool, bool, str]:
    """JSON.SET and JSON.MERGE: key path value, then [NX | XX] (SET only) and [FORMAT fmt].
    Returns (path text, raw value, nx, xx, format); the value must be UTF-8 already."""
    n = len(argv)
    if n < 4:
        raise _Arity
    raw_path = _str(argv[2])
    raw_value = argv[3]
    if not raw_value.isascii():
        _str(raw_value)
    nx = xx = False
    fmt = "JSON"
    i = 4
    while i < n:
        a = _str(argv[i]).upper()
        i += 1
        if conditions and a == "NX" and not (nx or xx):
            nx = True
        elif conditions and a == "XX" and not (nx or xx):
            xx = True
        elif a == "FORMAT":
            fmt = _format_arg(argv, i)
            i += 1
        else:
            raise rm.Error("ERR syntax error")
    return raw_path, raw_value, nx, xx, fmt


def json_set(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.SET key path value [NX | XX] [FORMAT fmt]"""
    raw_path, raw_value, nx, xx, fmt = _value_args(argv, True)
    name = argv[1]
    key, doc = _write(ctx, name)
    value = _parse_value(raw_value, fmt)
    p_text, _legacy = P.fix_legacy(raw_path)
    if doc is not None:
        if p_text == "$":
            if nx:
                return ctx.reply_with_null()
            doc.root = value
            doc.caps = None
        else:
            p = _path(argv[2])
            # fast lane: "$.a.b" replacing an existing value
            keys = p.keys
            if keys is not None and not nx:
                node = doc.root
                for k in keys[:-1]:
                    if type(node) is not dict or k not in node:
                        node = None
                        break
                    node = node[k]
                if type(node) is dict and keys[-1] in node:
                    doc.touch(node)
                    node[keys[-1]] = value
                    _changed(ctx, "json.set", name)
                    return ctx.reply_with_simple_string("OK")
            updates = _find_paths(doc, p, nx, xx)
            if not updates or not _apply_set(doc, updates, value):
                return ctx.reply_with_null()
    elif xx:
        return ctx.reply_with_null()
    elif p_text == "$":
        _set_root(key, None, value)
    else:
        raise rm.Error(E_ROOT)
    _changed(ctx, "json.set", name)
    return ctx.reply_with_simple_string("OK")


def json_mset(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.MSET key path value [key path value ...]"""
    n = len(argv)
    if n < 4:
        raise _Arity
    actions = []
    i = 1
    while i < n:
        name = argv[i]
        key, doc = _write(ctx, name)
        raw_path = _str(_arg(argv, i + 1))
        if P.fix_legacy(raw_path)[0] == "$":
            updates = None
        elif doc is not None:
            updates = _find_paths(doc, _path(argv[i + 1]))
        else:
            raise rm.Error(E_ROOT)
        value = _parse_json(_arg(argv, i + 2))
        actions.append((name, key, updates, value))
        i += 3
    for name, key, updates, value in actions:
        _k, doc = key, key.module_type_get_value()
        if updates is None:
            _set_root(key, doc, value)
            updated = True
        else:
            updated = bool(updates) and doc is not None and _apply_set(doc, updates, value)
        if updated:
            ctx.notify_keyspace_event(_NOTIFY, "json.mset", name)
    ctx.replicate_verbatim()
    return ctx.reply_with_simple_string("OK")


def _merge(doc: D.Doc, target: Any, patch: Any) -> Any:
    """IValue::merge (RFC 7386): the merged value (target may be changed in place)."""
    if type(patch) is not dict:
        v = D.clone(patch)
        doc.cloned(v)
        return v
    if type(target) is not dict:
        target = {}
    for k, pv in patch.items():
        if pv is None:
            if k in target:
                _remove(doc, target, k)
            continue
        doc.touch(target)  # entry(k).or_insert(null)
        target[k] = _merge(doc, target.get(k), pv)
    return target


def json_merge(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.MERGE key path value [FORMAT fmt]"""
    raw_path, raw_value, _, _, fmt = _value_args(argv, False)
    name = argv[1]
    key, doc = _write(ctx, name)
    value = _parse_value(raw_value, fmt)
    root = P.fix_legacy(raw_path)[0] == "$"
    if doc is None:
        if not root:
            raise rm.Error(E_ROOT)
        _set_root(key, None, value)
    elif root:
        doc.root = _merge(doc, doc.root, value)
    else:
        updates = _find_paths(doc, _path(argv[2]))
        if not updates:
            return ctx.reply_with_null()
        res = False
        for kind, path, k in updates:
            if kind == "set":
                if not path:
                    doc.root = _merge(doc, doc.root, value)
                    res = True
                    continue
                loc = _locate(doc, path)
                if loc is None:
                    continue
                holder, hk = loc
                holder[hk] = _merge(doc, holder[hk], value)
                res = True
            else:
                holder = doc.root if not path else None
                if path:
                    loc = _locate(doc, path)
                    holder = loc[0][loc[1]] if loc is not None else None
                v = D.clone(value) if len(updates) > 1 else value
                if holder is not None and _dict_add(doc, holder, k, v):
                    if len(updates) > 1:
                        doc.cloned(v)
                    res = True
        if not res:
            return ctx.reply_with_null()
    _changed(ctx, "json.merge", name)
    return ctx.reply_with_simple_string("OK")


# --- JSON.DEL / JSON.FORGET ------------------------------------------------------------------

def _search_first(sorted_paths: list[str], target: str) -> int:
    """slice::binary_search as Rust had it before 1.82: the first probe that is equal."""
    size = len(sorted_paths)
    left, right = 0, size
    while left < right:
        mid = left + size // 2
        v = sorted_paths[mid]
        if v == target:
            return mid
        if v < target:
            left = mid + 1
        else:
            right = mid
        size = right - left
    return left


def _cmp_paths(a: tuple, b: tuple) -> int:
    """prepare_paths_for_updating's order: keys before indexes, higher indexes first,
    longer paths first when one is a prefix of the other."""
    for x, y in zip(a, b, strict=False):  # the common prefix
        xs, ys = _as_text(x), _as_text(y)
        xi, yi = _as_index(xs), _as_index(ys)
        if xi is None and yi is None:
            if xs != ys:
                return -1 if xs < ys else 1
        elif xi is not None and yi is None:
            return 1
        elif xi is None:
            return -1
        elif xi != yi:
            return -1 if xi > yi else 1
    if len(a) != len(b):
        return -1 if len(a) > len(b) else 1
    return 0


def _as_text(x: Any) -> str:
    return x if type(x) is str else str(x)


def _as_index(s: str) -> int | None:
    """str::parse::<usize>: digits with an optional '+'."""
    t = s[1:] if s[:1] == "+" else s
    if t and t.isascii() and t.isdigit():
        return int(t)
    return None


def _prepare_paths(paths: list[tuple]) -> list[tuple]:
    """prepare_paths_for_updating: order the deletions so indexes stay valid, and keep
    only the topmost of nested paths (by RedisJSON's string-prefix test)."""
    if len(paths) < 2:
        return paths
    import functools

    paths = sorted(paths, key=functools.cmp_to_key(_cmp_paths))
    texts = sorted(",".join(_as_text(x) for x in p) for p in paths)
    kept = []
    for p in paths:
        s = ",".join(_as_text(x) for x in p)
        found = _search_first(texts, s)
        if not any(s.startswith(t) for t in texts[:found]):
            kept.append(p)
    return kept


def json_del(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.DEL key [path]  (JSON.FORGET is the same command)"""
    if len(argv) < 2:
        raise _Arity
    name = argv[1]
    raw = _str(argv[2]) if len(argv) > 2 else "."
    key, doc = _write(ctx, name)
    if doc is None:
        return ctx.reply_with_long_long(0)
    if P.fix_legacy(raw)[0] == "$":
        key.delete()
        deleted = 1
    else:
        p = _path(argv[2])
        found = [path for _v, path in _select(p.steps, doc.root, True)]
        deleted = 0
        for path in _prepare_paths(found):
            if not path:
                continue
            loc = _locate(doc, path)
            if loc is not None:
                _remove(doc, loc[0], loc[1])
                deleted += 1
    if deleted:
        _changed(ctx, "json.del", name)
    return ctx.reply_with_long_long(deleted)


# --- JSON.TYPE / STRLEN / OBJKEYS / OBJLEN / ARRLEN / RESP / DEBUG -----------------------------

def _opt_path(argv: list[bytes]) -> P.Path:
    return _path(argv[2]) if len(argv) > 2 else P.ROOT


def json_type(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.TYPE key [path]"""
    if len(argv) < 2:
        raise _Arity
    resp3 = _resp3(ctx)
    p = _opt_path(argv)
    doc = _read(ctx, argv[1])
    vals = None
    if doc is not None:
        try:
            vals = _select(p.steps, doc.root)
        except rm.Error:
            if not p.legacy:
                raise
            # legacy: a path that does not parse is just "nothing there"
    if resp3:
        ctx.reply_with_array(1)
    if vals is None:
        return ctx.reply_with_null()
    if p.legacy:
        if not vals:
            return ctx.reply_with_null()
        return ctx.reply_with_string(D.type_name(vals[0]))
    ctx.reply_with_array(len(vals))
    for v in vals:
        ctx.reply_with_string(D.type_name(v))
    return rm.OK


def json_strlen(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.STRLEN key [path]"""
    if len(argv) < 2:
        raise _Arity
    p = _opt_path(argv)
    doc = _read(ctx, argv[1])
    if p.legacy:
        if doc is None:
            return ctx.reply_with_null()
        v = _first(doc, p)
        if type(v) is not str:
            raise rm.Error(_expected("string", v))
        return ctx.reply_with_long_long(_utf8_len(v))
    if doc is None:
        raise rm.Error(E_NOKEY)
    vals = [v for v, _path in _select(p.steps, doc.root, True)]
    _reply_int_or_null(ctx, [_utf8_len(v) if type(v) is str else None for v in vals])
    return rm.OK


def _utf8_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-8"))


def _expected(what: str, v: Any) -> str:
    return f"WRONGTYPE wrong type of path value - expected {what} but found {D.type_name(v).decode()}"


def _legacy_select(doc: D.Doc | None, p: Any) -> list | None:
    """Matches for OBJKEYS/OBJLEN's legacy form, where a path that does not parse, like
    one that finds nothing, just answers null."""
    if doc is None:
        return None
    try:
        return _select(p.steps, doc.root)
    except rm.Error:
        return None


def json_objkeys(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.OBJKEYS key [path]"""
    if len(argv) < 2:
        raise _Arity
    p = _opt_path(argv)
    doc = _read(ctx, argv[1])
    if p.legacy:
        vals = _legacy_select(doc, p)
        if not vals:
            return ctx.reply_with_null()
        v = vals[0]
        if type(v) is not dict:
            raise rm.Error(f"ERR Path '{p.text}' does not exist or not an object")
        ctx.reply_with_array(len(v))
        for k in v:
            ctx.reply_with_string(k.encode("utf-8"))
        return rm.OK
    if doc is None:
        raise rm.Error(E_NOKEY)
    vals = [v for v, _path in _select(p.steps, doc.root, True)]
    ctx.reply_with_array(len(vals))
    for v in vals:
        if type(v) is dict:
            ctx.reply_with_array(len(v))
            for k in v:
                ctx.reply_with_string(k.encode("utf-8"))
        else:
            ctx.reply_with_null()
    return rm.OK


def json_objlen(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.OBJLEN key [path]"""
    if len(argv) < 2:
        raise _Arity
    p = _opt_path(argv)
    doc = _read(ctx, argv[1])
    if p.legacy:
        vals = _legacy_select(doc, p)
        if not vals:
            return ctx.reply_with_null()
        v = vals[0]
        if type(v) is not dict:
            raise rm.Error(_expected("object", v))
        return ctx.reply_with_long_long(len(v))
    if doc is None:
        raise rm.Error(f"ERR Path '{p.text}' does not exist or not an object")
    vals = [v for v, _path in _select(p.steps, doc.root, True)]
    _reply_int_or_null(ctx, [len(v) if type(v) is dict else None for v in vals])
    return rm.OK


def json_arrlen(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.ARRLEN key [path]"""
    if len(argv) < 2:
        raise _Arity
    p = _opt_path(argv)
    doc = _read(ctx, argv[1])
    if doc is None:
        if p.legacy:
            return ctx.reply_with_null()
        raise rm.Error(E_NOKEY)
    vals = [v for v, _path in _select(p.steps, doc.root, True)]
    if p.legacy:
        if not vals:
            raise rm.Error(f"ERR Path '{p.original}' does not exist")
        if type(vals[0]) is not list:
            raise rm.Error(f"ERR Path '{p.original}' does not exist or not an array")
        return ctx.reply_with_long_long(len(vals[0]))
    _reply_int_or_null(ctx, [len(v) if type(v) is list else None for v in vals])
    return rm.OK


def _reply_resp(ctx: rm.Ctx, v: Any) -> None:
    """JSON.RESP's encoding: arrays and objects start with '[' / '{' simple strings."""
    t = type(v)
    if v is None:
        ctx.reply_with_null()
    elif t is bool:
        ctx.reply_with_simple_string("true" if v else "false")
    elif t is int:
        if -(1 << 63) <= v < 1 << 63:
            ctx.reply_with_long_long(v)
        else:
            ctx.reply_with_double(float(v))
    elif t is float:
        ctx.reply_with_double(v)
    elif t is str:
        ctx.reply_with_string(v.encode("utf-8"))
    elif t is list:
        ctx.reply_with_array(len(v) + 1)
        ctx.reply_with_simple_string("[")
        for c in v:
            _reply_resp(ctx, c)
    else:
        ctx.reply_with_array(2 * len(v) + 1)
        ctx.reply_with_simple_string("{")
        for k, c in v.items():
            ctx.reply_with_string(k.encode("utf-8"))
            _reply_resp(ctx, c)


def json_resp(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.RESP key [path]"""
    if len(argv) < 2:
        raise _Arity
    p = _opt_path(argv)
    doc = _read(ctx, argv[1])
    if doc is None:
        return ctx.reply_with_null()
    if p.legacy:
        _reply_resp(ctx, _first(doc, p))
        return rm.OK
    vals = _select(p.steps, doc.root)
    ctx.reply_with_array(len(vals))
    for v in vals:
        _reply_resp(ctx, v)
    return rm.OK


_DEBUG_HELP = [b"MEMORY <key> [path] - reports memory usage", b"HELP                - this message"]


def json_debug(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.DEBUG MEMORY key [path] | JSON.DEBUG HELP"""
    sub = _str(_arg(argv, 1)).upper()
    if sub == "MEMORY":
        name = _arg(argv, 2)
        p = _path(argv[3]) if len(argv) > 3 else P.ROOT
        doc = _read(ctx, name)
        if p.legacy:
            if doc is None:
                return ctx.reply_with_long_long(0)
            return ctx.reply_with_long_long(doc.memory(_first(doc, p)))
        if doc is None:
            return ctx.reply_with_array(0)
        vals = _select(p.steps, doc.root)
        ctx.reply_with_array(len(vals))
        for v in vals:
            ctx.reply_with_long_long(doc.memory(v))
        return rm.OK
    if sub == "HELP":
        ctx.reply_with_array(len(_DEBUG_HELP))
        for line in _DEBUG_HELP:
            ctx.reply_with_string(line)
        return rm.OK
    raise rm.Error("ERR unknown subcommand - try `JSON.DEBUG HELP`")


# --- numbers -------------------------------------------------------------------------------

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1
_U64 = 1 << 64


def _wrap(n: int) -> int:
    n &= _U64 - 1
    return n - _U64 if n > _I64_MAX else n


def _parse_number_arg(raw: bytes) -> int | float:
    if 0 < len(raw) < 19 and raw.isdigit() and (raw[0] != 0x30 or len(raw) == 1):
        return int(raw)  # the common case: a plain small integer
    v = _parse_json_err(raw)
    if type(v) is not int and type(v) is not float:
        raise rm.Error("bad input number")
    return v


def _num_op(op: str, cur: Any, arg: int | float) -> int | float:
    """do_num_op: i64 arithmetic (wrapping) when both are i64, else f64 that must stay
    finite."""
    if type(cur) is int and _I64_MIN <= cur <= _I64_MAX and type(arg) is int and _I64_MIN <= arg <= _I64_MAX:
        if op == "incr":
            return _wrap(cur + arg)
        if op == "mult":
            return _wrap(cur * arg)
        return _wrap(pow(cur, arg & 0xFFFFFFFF, _U64))
    a, b = float(cur), float(arg)
    try:
        if op == "incr":
            r = a + b
        elif op == "mult":
            r = a * b
        else:
            r = _powf(a, b)
    except (OverflowError, ZeroDivisionError):
        r = float("inf")
    if r != r or r in (float("inf"), float("-inf")):
        raise rm.Error("ERR result is not a number")
    return r


def _powf(a: float, b: float) -> float:
    try:
        r = a ** b
    except OverflowError:
        return float("inf")
    except ZeroDivisionError:
        return float("inf")
    if type(r) is complex:
        return float("nan")
    return r


def _num_command(ctx: rm.Ctx, argv: list[bytes], op: str, event: str) -> int:
    if len(argv) < 4:
        raise _Arity
    name = argv[1]
    p = _path(argv[2])
    raw_num = argv[3]
    if not raw_num.isascii():
        _str(raw_num)
    _key, doc = _write(ctx, name)
    resp3 = _resp3(ctx)
    if doc is None:
        raise rm.Error(E_NOKEY)
    arg: Any = None
    # fast lane: "$.a.b" naming one number
    keys = p.keys
    if keys and not p.legacy:
        node = doc.root
        for k in keys[:-1]:
            if type(node) is not dict or k not in node:
                node = None
                break
            node = node[k]
        if type(node) is dict and keys[-1] in node:
            cur = node[keys[-1]]
            tc = type(cur)
            if tc is int or tc is float:
                arg = _parse_number_arg(raw_num)
                doc.touch(node)
                r = _num_op(op, cur, arg)
                node[keys[-1]] = r
                _changed(ctx, event, name)
                if resp3:
                    ctx.reply_with_array(1)
                    _reply_number(ctx, r)
                    return rm.OK
                return ctx.reply_with_string(b"[" + _dumps(r) + b"]")
    found = _select(p.steps, doc.root, True)
    results: list = []
    changed = False
    for v, path in found:
        tv = type(v)
        if tv is not int and tv is not float:
            if not p.legacy or resp3:
                results.append(None)
            continue
        if arg is None:
            arg = _parse_number_arg(raw_num)
        loc = _locate(doc, path) if path else None
        if path and loc is None:
            raise rm.Error(E_GONE)
        cur = loc[0][loc[1]] if loc is not None else doc.root
        if type(cur) is not int and type(cur) is not float:
            raise rm.Error(E_GONE)  # another match changed it (RedisJSON would crash here)
        r = _num_op(op, cur, arg)
        if loc is not None:
            loc[0][loc[1]] = r
        else:
            doc.root = r
        results.append(r)
        changed = True
    if p.legacy and not resp3:
        if not results:
            raise rm.Error(f"ERR Path '{p.text}' does not exist or does not contains a number")
        _changed(ctx, event, name)
        return ctx.reply_with_string(_dumps(results[-1]))
    if changed:
        _changed(ctx, event, name)
    if resp3:
        ctx.reply_with_array(len(results))
        for r in results:
            _reply_number(ctx, r)
        return rm.OK
    return ctx.reply_with_string(_dumps(results))


def json_numincrby(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.NUMINCRBY key path number"""
    return _num_command(ctx, argv, "incr", "json.numincrby")


def json_nummultby(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.NUMMULTBY key path number"""
    return _num_command(ctx, argv, "mult", "json.nummultby")


def json_numpowby(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.NUMPOWBY key path number"""
    return _num_command(ctx, argv, "pow", "json.numpowby")


# --- commands that change each match of a given type --------------------------------------

def _targets(doc: D.Doc, p: P.Path, want: Any) -> list:
    """find_all_paths: (path or None when the match is not of type `want`)."""
    return [path if type(v) is want else None for v, path in _select(p.steps, doc.root, True)]


def _get_at(doc: D.Doc, path: tuple) -> tuple[bool, Any, Any]:
    """(found, holder, key) with holder None for the root."""
    if not path:
        return True, None, None
    loc = _locate(doc, path)
    if loc is None:
        return False, None, None
    return True, loc[0], loc[1]


def _each(doc: D.Doc, p: P.Path, want: Any, fn: Any, what: str, name_path: str | None = None) -> list:
    """Run fn(path) on every match of type `want`: a list with None for the others
    (JSONPath), or only the results (legacy, where no match at all is an error)."""
    targets = _targets(doc, p, want)
    if p.legacy:
        paths = [t for t in targets if t is not None]
        if not paths:
            raise rm.Error(f"ERR Path '{name_path or p.text}' does not exist or not {what}")
        return [fn(path) for path in paths]
    return [None if t is None else fn(t) for t in targets]


def _mutate(doc: D.Doc, path: tuple, want: Any, change: Any) -> Any:
    """Replace the value at `path` (of type `want`) by change(value) -> (new, result)."""
    found, holder, k = _get_at(doc, path)
    if not found:
        raise rm.Error(E_GONE)
    cur = doc.root if holder is None else holder[k]
    if type(cur) is not want:
        raise rm.Error(E_GONE)
    new, res = change(cur)
    if holder is None:
        doc.root = new
    else:
        holder[k] = new
    return res


def _finish_each(ctx: rm.Ctx, name: bytes, p: P.Path, out: list, event: str) -> None:
    """Notify when something changed; reply the legacy single value or the list."""
    if p.legacy or any(r is not None for r in out):
        _changed(ctx, event, name)
    if p.legacy:
        ctx.reply_with_long_long(out[-1])
    else:
        _reply_int_or_null(ctx, out)


def json_toggle(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.TOGGLE key path"""
    if len(argv) < 3:
        raise _Arity
    name = argv[1]
    p = _path(argv[2])
    _key, doc = _write(ctx, name)
    if doc is None:
        raise rm.Error(E_NOKEY)
    out = _each(doc, p, bool, lambda path: _mutate(doc, path, bool, lambda v: (not v, not v)), "a bool")
    if p.legacy:
        _changed(ctx, "json.toggle", name)
        return ctx.reply_with_string(b"true" if out[-1] else b"false")
    if any(r is not None for r in out):
        _changed(ctx, "json.toggle", name)
    _reply_int_or_null(ctx, [None if r is None else int(r) for r in out])
    return rm.OK


def json_strappend(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.STRAPPEND key [path] value"""
    if len(argv) < 3:
        raise _Arity
    name = argv[1]
    if len(argv) > 3:
        p = _path(argv[2])
        raw = argv[3]
    else:
        _str(argv[2])
        p = P.ROOT
        raw = argv[2]
    _key, doc = _write(ctx, name)
    if doc is None:
        raise rm.Error(E_NOKEY)
    text = _str(raw)

    def append(path: tuple) -> int:
        s = _parse_json_err(raw)  # parsed for each match, as RedisJSON does
        if type(s) is not str:
            raise rm.Error(f"WRONGTYPE wrong type of path value - expected string but found {text}")
        return _mutate(doc, path, str, lambda v: (v + s, _utf8_len(v + s)))

    _finish_each(ctx, name, p, _each(doc, p, str, append, "a string"), "json.strappend")
    return rm.OK


def _clear_at(doc: D.Doc, path: tuple) -> bool:
    found, holder, k = _get_at(doc, path)
    if not found:
        return False
    cur = doc.root if holder is None else holder[k]
    t = type(cur)
    if t is dict or t is list:
        n = len(cur)
        cur.clear()
        doc.keep(cur, n)
        return True
    if t is int or t is float:
        if holder is None:
            doc.root = 0
        else:
            holder[k] = 0
        return True
    return False


def json_clear(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.CLEAR key [path]"""
    if len(argv) < 2:
        raise _Arity
    name = argv[1]
    p = _opt_path(argv)
    _key, doc = _write(ctx, name)
    if doc is None:
        raise rm.Error(E_NOKEY)
    paths = []
    for v, path in _select(p.steps, doc.root, True):
        t = type(v)
        if ((t is dict or t is list) and v) or (t is int and v != 0) or (t is float and v != 0.0):
            paths.append(path)
    cleared = sum(1 for path in paths if _clear_at(doc, path))
    if cleared:
        _changed(ctx, "json.clear", name)
    return ctx.reply_with_long_long(cleared)


# --- arrays --------------------------------------------------------------------------------

def _values(argv: list[bytes], start: int) -> list:
    if start >= len(argv):
        raise _Arity
    return [_parse_json(a) for a in argv[start:]]


def _array_change(doc: D.Doc, path: tuple, change: Any, typed: bool = False) -> Any:
    """change(the array at path); a match gone is an error, and so is one that is no
    longer an array where RedisJSON checks (`typed`: pop, trim)."""
    found, holder, k = _get_at(doc, path)
    if not found:
        raise rm.Error(E_GONE)
    arr = doc.root if holder is None else holder[k]
    if type(arr) is not list:
        raise rm.Error(_expected("array", arr) if typed else E_GONE)
    return change(arr)


def json_arrappend(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.ARRAPPEND key path value [value ...]"""
    if len(argv) < 3:
        raise _Arity
    name = argv[1]
    p = _path(argv[2])
    values = _values(argv, 3)
    _key, doc = _write(ctx, name)
    if doc is None:
        raise rm.Error(E_NOKEY)

    def append(arr: list) -> int:
        n = len(arr)
        for v in values:
            c = D.clone(v)  # each append stores a clone
            arr.append(c)
            doc.cloned(c)
        doc.grow(arr, n, len(values))
        return len(arr)

    out = _each(doc, p, list, lambda path: _array_change(doc, path, append), "an array", p.original)
    _finish_each(ctx, name, p, out, "json.arrappend")
    return rm.OK


def json_arrinsert(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.ARRINSERT key path index value [value ...]"""
    if len(argv) < 4:
        raise _Arity
    name = argv[1]
    p = _path(argv[2])
    index = _int(argv[3])
    values = _values(argv, 4)
    _key, doc = _write(ctx, name)
    if doc is None:
        raise rm.Error(E_NOKEY)

    def insert(arr: list) -> int:
        n = len(arr)
        i = index + n if index < 0 else index
        if not 0 <= i <= n:
            raise rm.Error("ERR index out of bounds")
        doc.reserve(arr, n, len(values))
        for v in values:
            c = D.clone(v)
            arr.insert(i, c)
            doc.cloned(c)
            i += 1
        return len(arr)

    out = _each(doc, p, list, lambda path: _array_change(doc, path, insert), "an array")
    _finish_each(ctx, name, p, out, "json.arrinsert")
    return rm.OK


def _norm_start(index: int, n: int) -> int:
    """normalize_arr_start_index."""
    return max(0, n + index) if index < 0 else min(index, n - 1)


def _pop_at(doc: D.Doc, path: tuple, index: int) -> tuple[bool, Any]:
    """(popped, value)."""
    found, holder, k = _get_at(doc, path)
    if not found:
        return False, None
    arr = doc.root if holder is None else holder[k]
    if type(arr) is not list:
        raise rm.Error(_expected("array", arr))
    if not arr:
        return False, None
    n = len(arr)
    v = arr.pop(_norm_start(index, n))
    doc.keep(arr, n)
    return True, v


def json_arrpop(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.ARRPOP key [FORMAT fmt] [path [index]]"""
    if len(argv) < 2:
        raise _Arity
    name = argv[1]
    i = 2
    fmt_kind = "STRINGS"
    resp3 = _resp3(ctx)
    raw_path: bytes | None = None
    if len(argv) > 2:
        first = _str(argv[2])
        if first.upper() == "FORMAT" and len(argv) > 3:
            f = _str(argv[3])
            if f not in ("STRING", "STRINGS", "EXPAND1", "EXPAND"):
                raise rm.Error("ERR wrong reply format")
            if f == "STRING":
                raise rm.Error("ERR wrong reply format")
            if not resp3:
                raise rm.Error("ERR FORMAT argument is not supported on RESP2")
            fmt_kind = f
            i = 4
        raw_path = argv[i] if i < len(argv) else None
    if raw_path is None:
        p = P.ROOT
        index = _I64_MAX
    else:
        p = _path(raw_path)
        try:
            index = _int(argv[i + 1]) if i + 1 < len(argv) else -1
        except rm.Error:
            index = -1
    _key, doc = _write(ctx, name)
    if p.legacy and fmt_kind != "STRINGS":
        raise rm.Error("Legacy paths are supported only with FORMAT STRINGS")
    if doc is None:
        raise rm.Error(E_NOKEY)
    targets = _targets(doc, p, list)
    if p.legacy:
        paths = [t for t in targets if t is not None]
        if not paths:
            raise rm.Error(f"ERR Path '{p.text}' does not exist or not an array")
        last: Any = None
        for path in paths:
            popped, v = _pop_at(doc, path, index)
            last = _dumps(v) if popped else None
        _changed(ctx, "json.arrpop", name)
        if last is None:
            return ctx.reply_with_null()
        return ctx.reply_with_string(last)
    results: list = []
    notify = False
    for path in targets:
        if path is None:
            results.append((False, None))
            continue
        popped, v = _pop_at(doc, path, index)
        results.append((popped, v))
        notify = notify or popped
    if notify:
        _changed(ctx, "json.arrpop", name)
    ctx.reply_with_array(len(results))
    expand = fmt_kind == "EXPAND"
    for popped, v in results:
        if not popped:
            ctx.reply_with_null()
        elif resp3 and fmt_kind in ("EXPAND", "EXPAND1"):
            _reply_resp3(ctx, v, expand, None)
        else:
            ctx.reply_with_string(_dumps(v))
    return rm.OK


def _norm_index(i: int, n: int) -> int:
    """ArrayIndex::normalize as RedisJSON 2.8 computes it, wrapping in 64 bits the way a
    release build does (i64::MIN lands far past the end)."""
    if i < 0:
        neg = _I64_MIN if i == _I64_MIN else -i
        v = n - min(n, neg)
    else:
        v = min(n - 1, i)
    return v % _U64


def _trim(doc: D.Doc, arr: list, start: int, stop: int) -> int:
    """arr_trim: rotate the kept part to the front and truncate (so a stop normalized
    past the end keeps a rotated array, as in RedisJSON)."""
    n = len(arr)
    stop_n = _norm_index(stop, n)
    start_n = _norm_index(start, n) if start < 0 or start < n else (stop_n + 1) % _U64
    if start_n > stop_n or n == 0 or start_n > n:
        arr.clear()
    else:
        keep = (stop_n + 1 - start_n) % _U64
        arr[:] = (arr[start_n:] + arr[:start_n])[:keep]
    doc.keep(arr, n)
    return len(arr)


def json_arrtrim(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.ARRTRIM key path start stop"""
    if len(argv) < 5:
        raise _Arity
    name = argv[1]
    p = _path(argv[2])
    start = _int(argv[3])
    stop = _int(argv[4])
    _key, doc = _write(ctx, name)
    if doc is None:
        raise rm.Error(E_NOKEY)
    out = _each(doc, p, list, lambda path: _array_change(doc, path, lambda a: _trim(doc, a, start, stop), True),
                "an array")
    _finish_each(ctx, name, p, out, "json.arrtrim")
    return rm.OK


def _normalize_indices(start: int, end: int, n: int) -> tuple[int, int]:
    """normalize_arr_indices: end 0 means the end of the array."""
    start = max(0, n + start) if start < 0 else min(start, n - 1)
    if end == 0:
        end = n
    elif end < 0:
        end = max(0, n + end)
    else:
        end = min(end, n)
    return start, end


def _index_of(arr: Any, value: Any, start: int, end: int) -> int | None:
    if type(arr) is not list:
        return None
    n = len(arr)
    if n == 0:
        return -1
    s, e = _normalize_indices(start, end, n)
    for i in range(s, e):
        if D.values_equal(arr[i], value):
            return i
    return -1


def json_arrindex(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """JSON.ARRINDEX key path value [start [stop]]"""
    if len(argv) < 4:
        raise _Arity
    name = argv[1]
    raw_path = _str(argv[2])
    raw_value = _str(argv[3])
    start = _int(argv[4]) if len(argv) > 4 else 0
    end = _int(argv[5]) if len(argv) > 5 else 0
    if len(argv) > 6:
        raise _Arity
    doc = _read(ctx, name)
    value = _parse_json_err(raw_value.encode("utf-8"))
    p = _path(argv[2])
    if doc is None:
        raise rm.Error(f"ERR Path '{raw_path}' does not exist")
    vals = _select(p.steps, doc.root)
    if p.legacy:
        if not vals:
            raise rm.Error(f"ERR Path '{p.text}' does not exist")
        r = _index_of(vals[0], value, start, end)
        if r is None:
            raise rm.Error(_expected("array", vals[0]))
        return ctx.reply_with_long_long(r)
    _reply_int_or_null(ctx, [_index_of(v, value, start, end) for v in vals])
    return rm.OK
