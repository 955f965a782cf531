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


# ---- import circles -------------------------------------------------------------------------------

LAYERED = ("marketplace", "matching", "web", "catalog")


def _module_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports, at any depth of its code (imports inside functions count).

    A package importing its own submodules is not an edge (that is what an ``__init__`` does)."""
    files = {}
    for root in LAYERED:
        for path in (REPO / root).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            files[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {m: set() for m in files}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for target in targets:
                if target in files and target != module and not target.startswith(module + "."):
                    graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circle_between_modules():
    assert _cycles(_module_graph()) == []


def test_no_import_circle_between_service_packages():
    """The domains of ``marketplace/services`` import each other in one direction only."""
    prefix = "marketplace.services."
    packages: dict[str, set[str]] = {}
    for module, targets in _module_graph().items():
        if module.startswith(prefix):
            source = module[len(prefix):].split(".")[0]
            packages.setdefault(source, set()).update(
                t[len(prefix):].split(".")[0] for t in targets if t.startswith(prefix))
    for source, targets in packages.items():
        targets.discard(source)
    assert _cycles({p: targets & set(packages) for p, targets in packages.items()}) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# ---- the web layer only parses, calls and renders -------------------------------------------------

# The modules that own a transaction: a request's (web/database.py) and a command's (web/cli/context.py).
TRANSACTION_WRAPPERS = (REPO / "web" / "database.py", REPO / "web" / "cli" / "context.py")
QUERY_CONSTRUCTS = {"select", "func", "or_", "and_", "not_", "text", "update", "delete", "insert",
                    "exists", "case", "literal", "union", "aliased", "selectinload", "joinedload"}
SESSION_CALLS = {"commit", "rollback", "scalars", "scalar", "execute", "query", "flush", "add", "add_all",
                 "delete", "merge", "begin", "begin_nested", "refresh"}


def _web_offences(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            bad = sorted(a.name for a in node.names if a.name in QUERY_CONSTRUCTS)
            if bad:
                out.append(f"{node.lineno}: imports {', '.join(bad)} from {node.module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else (
                owner.func.id if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) else "")
            if name in SESSION_CALLS and ("session" in owner_name.lower() or owner_name in ("db", "s")):
                out.append(f"{node.lineno}: {owner_name}.{name}()")
            elif (name == "get" and node.args and isinstance(node.args[0], ast.Name)
                  and node.args[0].id[:1].isupper() and not node.args[0].id.isupper()  # a model, not a KEY
                  and ("session" in owner_name.lower() or owner_name == "db")):
                out.append(f"{node.lineno}: {owner_name}.get({node.args[0].id}, …)")
    return out


def test_web_neither_queries_nor_ends_transactions():
    """Views, pages and CLI commands parse, call a service and render: no SQL, no commit or rollback.

    The exceptions are the transaction wrappers themselves."""
    offenders = {}
    for path in sorted((REPO / "web").rglob("*.py")):
        if path in TRANSACTION_WRAPPERS:
            continue
        found = _web_offences(path)
        if found:
            offenders[str(path.relative_to(REPO))] = found
    assert offenders == {}


def test_the_web_check_sees_a_query_and_a_commit(tmp_path):
    sample = tmp_path / "view.py"
    sample.write_text("from sqlalchemy import select\n"
                      "def v():\n    session = db_session()\n    session.scalar(select(X))\n"
                      "    db_session().commit()\n    db.get(Enterprise, 1)\n", encoding="utf-8")
    assert [line.split(":")[0] for line in _web_offences(sample)] == ["1", "4", "5", "6"]
