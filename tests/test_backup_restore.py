"""A backup restored into a fresh database gives identical exports (issue 18), on SQLite and PostgreSQL.

The source is the demo park with a park-wide match run, approved matches, shipments and ledger entries
(``seed_demo_history``); ``wastematch backup`` copies it (SQLite: the online backup API; PostgreSQL:
``pg_dump -Fc``) while another session holds an uncommitted write, and ``wastematch restore`` loads it
into a fresh database. The interchange export, the report JSON, the audit count and every table's row
count must be the same on both sides.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.demo.history import seed_demo_history
from marketplace.models import AuditEvent
from marketplace.services.matching.runs import run_matching
from tests.factories import commit_demo_park
from tests.web.cli.runner import chinese_words, english_sentences, run_in
from web.cli import main
from web.cli.backup import audit_count, libpq_target

# What differs between two writings of the same data: the report's moment of writing and its timings.
VOLATILE = {"generated_at", "as_of", "seconds", "timings"}


def _cli(url: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", url, *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def source(backend, fresh_database_url) -> str:
    """A database with the demo park matched, approved, shipped and booked in the ledger (committed)."""
    if backend == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("the PostgreSQL client tools (pg_dump, pg_restore) are not on PATH")
    url = fresh_database_url(backend)

    def matched_and_shipped(session: Session):
        run_matching(session, park=None, actor="test")
        return seed_demo_history(session)

    history = commit_demo_park(url, matched_and_shipped)
    assert history.approved and sum(history.shipments.values()) and history.ledger_entries
    return url


def _without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def _differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """The paths where two JSON documents differ (for a readable failure)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str) for d in _differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"[:200]]


def _row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(select(func.count()).select_from(text(f'"{t}"'))).scalar_one()
                    for t in sorted(inspect(conn).get_table_names())}
    finally:
        engine.dispose()


def _exports(url: str, folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    assert _cli(url, "export", str(folder / "export.json")).exit_code == 0
    result = _cli(url, "report", "--format", "json", "--out", str(folder / "report.json"),
                  "--from", "2025-01-01", "--to", "2026-12-31")
    assert result.exit_code == 0, result.output
    return {"export": json.loads((folder / "export.json").read_text(encoding="utf-8")),
            "report": _without_volatile(json.loads((folder / "report.json").read_text(encoding="utf-8"))),
            "audit": audit_count(url), "rows": _row_counts(url)}


def test_a_restored_backup_gives_identical_exports(source, backend, fresh_database_url, tmp_path):
    before = _exports(source, tmp_path / "before")
    assert before["audit"][1] > 0 and before["export"]["listings"] and before["report"]
    assert before["rows"]["shipments"] > 0 and before["rows"]["ledger_entries"] > 0

    # Online: another session holds an uncommitted write while the backup runs; the backup has the committed state.
    engine = make_engine(source)
    with Session(engine) as busy:
        busy.add(AuditEvent(actor="test", action="uncommitted", entity_type="test", entity_key="x", changes={},
                             context={}))
        busy.flush()
        dump = tmp_path / ("park.dump" if backend == "postgresql" else "park.sqlite3")
        made = _cli(source, "backup", str(dump))
        assert made.exit_code == 0, made.output
        busy.rollback()
    engine.dispose()
    assert dump.stat().st_size > 0

    target = fresh_database_url(backend)
    restored = _cli(target, "restore", str(dump))
    assert restored.exit_code == 0, restored.output
    after = _exports(target, tmp_path / "after")
    assert after["audit"] == before["audit"]
    assert after["rows"] == before["rows"]
    for part in ("export", "report"):
        differences = _differences(before[part], after[part])
        assert differences == [], "\n".join(differences)


def test_backup_and_restore_refuse_to_overwrite(source, backend, fresh_database_url, tmp_path):
    dump = tmp_path / "park.backup"
    assert _cli(source, "backup", str(dump)).exit_code == 0
    again = _cli(source, "backup", str(dump))
    assert again.exit_code != 0 and "--force" in again.output
    assert _cli(source, "backup", "--force", str(dump)).exit_code == 0
    # The source has a schema: restoring over it needs --replace, and nothing changed without it.
    before = audit_count(source)
    refused = _cli(source, "restore", str(dump))
    assert refused.exit_code != 0 and "--replace" in refused.output
    assert audit_count(source) == before
    assert _cli(source, "restore", "--replace", str(dump)).exit_code == 0
    assert audit_count(source) == before


def test_the_password_is_not_on_the_tools_command_line():
    target = libpq_target("postgresql+psycopg://wm:s3cret@db.example:5433/park")
    assert target.url == "postgresql://wm@db.example:5433/park"
    assert target.env["PGPASSWORD"] == "s3cret"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_backup_and_restore_speak_the_language_asked(fresh_database_url, tmp_path, lang):
    source, target, dump = fresh_database_url("sqlite"), fresh_database_url("sqlite"), tmp_path / "park.sqlite3"
    run_in(lang, source, "init")
    results = [run_in(lang, source, "backup", str(dump)), run_in(lang, source, "backup", str(dump), ok=False),
               run_in(lang, target, "restore", str(dump)), run_in(lang, target, "restore", str(dump), ok=False)]
    for result in results:
        if lang == "zh":
            assert english_sentences(result.stderr) == [], result.stderr
        else:
            assert chinese_words(result.stderr) == [], result.stderr
    backed_up, exists, restored, refused = (r.stderr for r in results)
    if lang == "zh":
        assert f"已备份到 {dump}" in backed_up and "审计事件" in backed_up and "如需覆盖请加 --force" in exists
        assert f"已从 {dump} 恢复" in restored and "--replace" in refused
    else:
        assert f"backed up to {dump}" in backed_up and "give --force" in exists
        assert f"restored from {dump}" in restored and "give --replace" in refused
