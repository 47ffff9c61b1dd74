"""docs/module-api.md maps all 362 RedisModule_* names of redismodule.h.

The names are redismodule.h's exported functions grouped as the fact sheet groups them
(families F1-F41), kept in tests/module/data/redismodule_names.json (names only: facts).
Every one must have a row in the family's table of the doc, and every Python
form the doc names (`ctx.open_key(...)`, `key.string_set(...)`, `rm.create_string(...)`,
...) must exist on the object its receiver stands for (the doc's receivers table).
A row without a Python form must say why.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import moredis.module as rm

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "module-api.md"
NAMES = Path(__file__).resolve().parent / "data" / "redismodule_names.json"

HEADING_RE = re.compile(r"^## F(\d+)\. (.+?) \((\d+)\)$", re.M)
CODE_RE = re.compile(r"`([^`]+)`")
FORM_RE = re.compile(r"^([A-Za-z_]\w*)\.([A-Za-z_]\w*)(?:\(.*\))?$")
NO_FORM = ("Not needed in Python, because", "Declared but not implemented in Redis either")


def _cells(line: str) -> list[str]:
    """A markdown table row split on unescaped pipes, `\\|` restored."""
    parts = re.split(r"(?<!\\)\|", line.strip())
    return [p.strip().replace("\\|", "|") for p in parts[1:-1]]


def spec_families() -> dict[int, tuple[str, list[str]]]:
    """F-number -> (title, names), from the names file."""
    import json

    data = json.loads(NAMES.read_text())
    return {int(k): (v["title"], v["names"]) for k, v in data.items()}


def doc_rows() -> dict[int, list[list[str]]]:
    """F-number -> the rows of that family's table in the doc (header rows dropped)."""
    text = DOC.read_text()
    heads = list(HEADING_RE.finditer(text))
    out: dict[int, list[list[str]]] = {}
    for i, m in enumerate(heads):
        body = text[m.end():heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        body = body.split("\n## ", 1)[0]
        rows = [_cells(line) for line in body.splitlines() if line.startswith("| `RedisModule_")]
        out[int(m.group(1))] = rows
    return out


def receivers() -> dict[str, object]:
    """The doc's receivers table: `ctx` -> moredis.module.Ctx, and so on."""
    text = DOC.read_text()
    table = text[text.index("| Receiver |"):]
    out: dict[str, object] = {}
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = _cells(line)
        name = cells[0].strip("`")
        dotted = cells[2].strip("`")
        try:
            out[name] = importlib.import_module(dotted)
        except ImportError:
            modname, _, attr = dotted.rpartition(".")
            out[name] = getattr(importlib.import_module(modname), attr)
    return out


SPEC_FAMILIES = spec_families()
DOC_ROWS = doc_rows()


def test_fact_sheet_lists_362_names_in_41_families():
    names = [n for _, ns in SPEC_FAMILIES.values() for n in ns]
    assert sorted(SPEC_FAMILIES) == list(range(1, 42))
    assert len(names) == 362
    assert len(set(names)) == 362


def test_doc_has_one_section_per_family_with_the_fact_sheets_title_and_count():
    text = DOC.read_text()
    got = {int(m.group(1)): (m.group(2), int(m.group(3))) for m in HEADING_RE.finditer(text)}
    want = {num: (title, len(names)) for num, (title, names) in SPEC_FAMILIES.items()}
    assert got == want


@pytest.mark.parametrize("num", sorted(SPEC_FAMILIES))
def test_every_name_of_the_family_has_a_row(num):
    _, names = SPEC_FAMILIES[num]
    rows = DOC_ROWS.get(num, [])
    documented = [r[0].strip("`").removeprefix("RedisModule_") for r in rows]
    assert sorted(documented) == sorted(names), f"F{num}"
    assert len(documented) == len(set(documented))
    for r in rows:
        assert len(r) == 4 and all(r), f"F{num}: incomplete row {r}"


def test_all_362_names_appear_in_the_doc():
    text = DOC.read_text()
    missing = [n for _, ns in SPEC_FAMILIES.values() for n in ns if f"`RedisModule_{n}`" not in text]
    assert missing == []


def test_receivers_are_the_public_objects():
    recv = receivers()
    assert recv["rm"] is rm
    assert recv["ctx"] is rm.Ctx
    assert recv["key"] is rm.Key
    assert recv["reply"] is rm.CallReply
    assert recv["io"] is rm.IO
    assert recv["d"] is rm.Dict


def _forms() -> list[tuple[str, str, str]]:
    out = []
    for num, rows in DOC_ROWS.items():
        for r in rows:
            for code in CODE_RE.findall(r[2]):
                out.append((f"F{num} {r[0]}", code, r[3]))
    return out


@pytest.mark.parametrize("where,form,_", _forms())
def test_python_form_exists(where, form, _):
    recv = receivers()
    m = FORM_RE.match(form)
    assert m, f"{where}: {form!r} is not of the form receiver.name(...)"
    obj, attr = m.groups()
    assert obj in recv, f"{where}: unknown receiver {obj!r} in {form!r}"
    target = recv[obj]
    assert hasattr(target, attr), f"{where}: {form!r}: {getattr(target, '__name__', target)} has no {attr!r}"
    assert callable(getattr(target, attr)), f"{where}: {form!r} is not callable"


def test_rows_without_python_form_say_why():
    without = []
    for num, rows in DOC_ROWS.items():
        for r in rows:
            python, returns = r[2], r[3]
            if CODE_RE.search(python):
                continue
            assert python == "—", f"F{num} {r[0]}: neither a Python form nor '—'"
            assert returns.startswith(NO_FORM), f"F{num} {r[0]}: no Python form and no reason"
            without.append(r[0].strip("`").removeprefix("RedisModule_"))
    # the C-only calls (memory management, string lifetimes, GetApi, frees, _Assert) and
    # ReplySetPushLength, which Redis itself never implemented; everything else has a form
    assert sorted(without) == sorted([
        "GetApi", "Alloc", "TryAlloc", "Calloc", "TryCalloc", "Realloc", "TryRealloc", "Free", "Strdup",
        "PoolAlloc", "AutoMemory", "MallocSize", "MallocUsableSize", "MallocSizeString", "MallocSizeDict",
        "FreeString", "RetainString", "HoldString", "StringPtrLen", "TrimStringAllocation", "FreeCallReply",
        "ReplySetPushLength", "RdbStreamFree", "FreeClusterNodesList", "_Assert"])


def test_memory_management_has_no_python_form_and_push_length_is_unimplemented_in_redis():
    rows = {r[0].strip("`"): r for rows in DOC_ROWS.values() for r in rows}
    for name in ("Alloc", "Free", "AutoMemory", "RetainString", "HoldString", "FreeString",
                 "TrimStringAllocation", "PoolAlloc", "MallocSize", "MallocSizeString", "MallocSizeDict",
                 "MallocUsableSize", "Calloc", "Realloc", "Strdup"):
        r = rows[f"RedisModule_{name}"]
        assert r[2] == "—" and r[3].startswith("Not needed in Python, because"), name
    push = rows["RedisModule_ReplySetPushLength"]
    assert push[2] == "—" and push[3].startswith("Declared but not implemented in Redis either")


def test_mechanical_names_where_the_form_is_a_method():
    """Spot checks of the naming rule on rows the doc maps 1:1."""
    rows = {r[0].strip("`"): r[2] for rows in DOC_ROWS.values() for r in rows}
    assert rows["RedisModule_ReplyWithLongLong"] == "`ctx.reply_with_long_long(n)`"
    assert rows["RedisModule_OpenKey"] == "`ctx.open_key(name, mode)`"
    assert rows["RedisModule_StringSet"] == "`key.string_set(s)`"
    assert rows["RedisModule_Yield"] == "`ctx.yield_(flags, busy_reply)`"
