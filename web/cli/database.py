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
from .context import Cli
from .output import emit_json, info, json_option


@click.command()
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
        info(f"schema: {before or 'empty'} → {after} ({result['database']})")
        info(f"catalogue: {load.categories} HW categories, {load.codes} built-in codes added "
             f"({result['seconds']} s)")
    # Said even with --json (on stderr): a partial HW list changes what the matcher can check.
    for line in status.lines():
        info(line)


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


@click.command("import")
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
                                     progress=lambda stage, done, total: info(f"  {stage} {done}/{total}"))
        except ValidationFailed as exc:
            exc.errors = {locate(p): v for p, v in exc.errors.items()}
            raise
    result = {"file": str(file), **report.as_dict(), "seconds": round(time.perf_counter() - started, 3)}
    if cli.as_json:
        emit_json(result)
    else:
        for kind in ("parks", "enterprises", "licences", "listings"):
            info(f"{kind:12s} created {report.created[kind]:4d}  updated {report.updated[kind]:4d}  "
                 f"unchanged {report.unchanged[kind]:4d}  deleted {report.deleted[kind]:4d}")
        info(f"imported {file} in {result['seconds']} s")


@click.command()
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
    info(f"exported {len(doc['parks'])} parks, {len(doc['enterprises'])} enterprises, "
         f"{len(doc['listings'])} listings to {file}")
