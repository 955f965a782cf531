"""``wastematch init | import | export``: the schema, the built-in catalogue, and the interchange documents."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from marketplace.db import schema_revision, upgrade_schema

from ..config import ensure_sqlite_dir
from .catalog import say_catalog_note
from .context import Cli
from .help_text import command
from .output import emit_json, info, json_option, pad, say, text

# The interchange document's sections, as ``import`` and ``export`` name them in Chinese.
SECTION_ZH = {"parks": "园区", "enterprises": "企业", "licences": "许可证", "listings": "挂牌信息"}
# The stages ``import_document`` reports progress of (its ``progress(stage, done, total)``).
IMPORT_STAGE_ZH = {"validated rows": "已校验行", **SECTION_ZH}


@command()
@json_option
@click.pass_obj
def init(cli: Cli) -> None:
    """Create or upgrade the schema and load the built-in catalogue (idempotent)."""
    from marketplace.services.catalog.reference import catalog_status, load_builtin_catalog

    started = time.perf_counter()
    ensure_sqlite_dir(cli.url)
    before = schema_revision(cli.engine)
    upgrade_schema(cli.engine)
    after = schema_revision(cli.engine)
    with cli.transaction() as session:
        load = load_builtin_catalog(session)
        status = catalog_status(session)
    result = {"database": cli.engine.url.render_as_string(hide_password=True), "schema_from": before,
              "schema_to": after, "catalog": load.as_dict(), "catalog_status": status.as_dict(),
              "seconds": round(time.perf_counter() - started, 3)}
    if cli.as_json:
        emit_json(result)
    else:
        say(f"数据库结构: {before or '空'} → {after}（{result['database']}）",
            f"schema: {before or 'empty'} → {after} ({result['database']})")
        say(f"名录: {load.categories} 个危险废物类别，新增内置代码 {load.codes} 个（用时 {result['seconds']} 秒）",
            f"catalogue: {load.categories} HW categories, {load.codes} built-in codes added ({result['seconds']} s)")
    # Said even with --json (on stderr): a partial HW list changes what the matcher can check.
    say_catalog_note(status)


def _read_document(path: Path) -> tuple[Any, Callable[[str], str]]:
    """A document from JSON or xlsx, and a function that names an error path in that file's terms."""
    if path.suffix.lower() == ".xlsx":
        from marketplace.services.listings.interchange_xlsx import read_workbook

        return read_workbook(path)
    from marketplace.schemas.json_text import JsonTextError, read_json

    try:
        # Read as the API reads a body: deep nesting or a lone surrogate is a reason, not a traceback.
        return read_json(path.read_bytes()), (lambda p: p)
    except JsonTextError as exc:
        from marketplace.errors import ValidationFailed

        raise ValidationFailed(f"{path.name} is not valid JSON (不是有效的 JSON 文件)", {"$": [str(exc)]}) from None


def _import_progress(stage: str, done: int, total: int) -> None:
    info(f"  {text(IMPORT_STAGE_ZH.get(stage, stage), stage)} {done}/{total}")


@command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def import_(cli: Cli, file: Path) -> None:
    """Import a wastematch.v1 JSON document (or its xlsx variant): all or nothing."""
    from marketplace.errors import ValidationFailed
    from marketplace.services.listings.interchange import import_document

    started = time.perf_counter()
    doc, locate = _read_document(file)
    with cli.transaction() as session:
        try:
            report = import_document(session, doc, actor=cli.actor(), source=file.name,
                                     progress=_import_progress)
        except ValidationFailed as exc:
            exc.errors = {locate(p): v for p, v in exc.errors.items()}
            raise
    result = {"file": str(file), **report.as_dict(), "seconds": round(time.perf_counter() - started, 3)}
    if cli.as_json:
        emit_json(result)
    else:
        for kind, zh in SECTION_ZH.items():
            c, u, n, d = report.created[kind], report.updated[kind], report.unchanged[kind], report.deleted[kind]
            say(f"{pad(zh, 8)} 新增 {c:4d}  更新 {u:4d}  未变 {n:4d}  删除 {d:4d}",
                f"{kind:12s} created {c:4d}  updated {u:4d}  unchanged {n:4d}  deleted {d:4d}")
        say(f"已导入 {file}，用时 {result['seconds']} 秒", f"imported {file} in {result['seconds']} s")


@command()
@click.option("--park", default=None, help="Only this park's enterprises and listings.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export(cli: Cli, park: str | None, file: Path) -> None:
    """Export to FILE (.json, or .xlsx for park staff; '-' for stdout)."""
    from marketplace.services.listings.interchange import export_document

    with cli.transaction() as session:
        doc = export_document(session, park=park)
    if str(file) == "-":
        emit_json(doc)
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    if file.suffix.lower() == ".xlsx":
        from marketplace.services.listings.interchange_xlsx import write_workbook

        write_workbook(doc, file)
    else:
        file.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    say(f"已导出 {len(doc['parks'])} 个园区、{len(doc['enterprises'])} 家企业、{len(doc['listings'])} 条挂牌信息到 {file}",
        f"exported {len(doc['parks'])} parks, {len(doc['enterprises'])} enterprises, "
        f"{len(doc['listings'])} listings to {file}")
