"""The pure packages stay pure: ``matching/`` and ``catalog/`` never import Flask or SQLAlchemy."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("flask", "sqlalchemy", "alembic", "marketplace", "web", "werkzeug")
PURE = ("catalog", "matching")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PURE)
def test_no_forbidden_import_statement(package):
    offenders = {str(p.relative_to(REPO)): sorted(_imports(p) & set(FORBIDDEN))
                 for p in (REPO / package).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_pure_module_loads_neither_flask_nor_sqlalchemy():
    # A fresh interpreter: the test process itself has Flask and SQLAlchemy loaded.
    modules = sorted(
        ".".join(p.relative_to(REPO).with_suffix("").parts)
        for package in PURE for p in (REPO / package).rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
