"""The built-in modules are written against the public Modules API only: every file under
moredis/modules/ may import the standard library, third-party packages, `moredis.module`
and its own package, and nothing else from moredis (checked on the source with ast, so
an import inside a function counts too)."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "moredis" / "modules"
FILES = sorted(MODULES.rglob("*.py"))


def _package_of(path: Path) -> str:
    """The dotted package a file belongs to (moredis.modules.json for json/path.py)."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    else:
        parts.pop()
    return ".".join(parts)


def _top_package(path: Path) -> str:
    """The built-in module a file is part of: moredis.modules.<name> (or moredis.modules)."""
    rel = path.relative_to(MODULES)
    return "moredis.modules" + (f".{rel.parts[0]}" if len(rel.parts) > 1 else "")


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = _package_of(path).split(".")
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(path, node)
            names.append(mod)
            if mod == "moredis":  # `from moredis import module` names the submodule
                names += [f"moredis.{a.name}" for a in node.names]
    return names


def allowed(path: Path, name: str) -> bool:
    if name == "moredis.module" or name.startswith("moredis.module."):
        return True
    own = _top_package(path)
    if name == own or name.startswith(own + "."):
        return True
    if name == "moredis":
        return True  # only as `from moredis import module`, checked through the names it brings
    return not name.startswith("moredis")


def test_there_are_builtin_modules():
    names = {p.relative_to(MODULES).parts[0] for p in FILES if len(p.relative_to(MODULES).parts) > 1}
    assert "json" in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(MODULES)))
def test_imports_only_the_public_api(path):
    bad = [n for n in imported_names(path) if not allowed(path, n)]
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: built-in modules may use only moredis.module"


def test_the_checker_catches_reaching_around(tmp_path, monkeypatch):
    """A module importing the server's internals is refused; the public API is fine."""
    pkg = tmp_path / "moredis" / "modules" / "demo"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from moredis import module as rm\nfrom . import core\n")
    (pkg / "core.py").write_text("import json\nfrom moredis.engine import keyspace\n\ndef f():\n"
                                 "    from moredis.server.server import RedisServer\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "MODULES", tmp_path / "moredis" / "modules")
    init, core = pkg / "__init__.py", pkg / "core.py"
    assert [n for n in imported_names(init) if not allowed(init, n)] == []
    assert [n for n in imported_names(core) if not allowed(core, n)] == ["moredis.engine",
                                                                        "moredis.server.server"]
