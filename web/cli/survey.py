"""``wastematch survey …``: the annual chemical survey (化学物质环境信息调查) from the command line.

``import`` loads a ``wastematch.survey.v1`` file (JSON, or the Excel template) as declarations
submitted for review, all or nothing; ``template`` writes the empty workbook; ``list``, ``show``,
``return`` and ``accept`` review declarations as the local operator (an admin's reach).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from .context import Cli
from .help_text import group
from .ledger import check_line
from .output import emit_json, json_option, say, text

# The quality checks' codes in Chinese, as the survey pages name them.
CHECK_ZH = {"cas_invalid": "CAS号无效", "incomplete": "信息不完整", "magnitude_change": "数量与上年相比相差一个数量级",
            "ledger_mismatch": "与台账不符", "undeclared_controlled": "废物挂牌中含管控物质但未申报"}


def _read(path: Path) -> tuple[Any, Any]:
    """The document of a .json or .xlsx file, and a function naming an error path in that file's terms."""
    from marketplace.errors import ValidationFailed

    if path.suffix.lower() == ".xlsx":
        from marketplace.services.governance.survey_files import read_template

        return read_template(path)
    from marketplace.schemas.json_text import JsonTextError, read_json

    try:
        return read_json(path.read_bytes()), (lambda p: p)
    except JsonTextError as exc:
        raise ValidationFailed(f"{path.name} is not valid JSON (不是有效的JSON文件)", {"$": [str(exc)]}) from None


@group("survey")
def survey() -> None:
    """Annual chemical survey declarations."""


@survey.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def import_(cli: Cli, file: Path) -> None:
    """Import a wastematch.survey.v1 FILE (.json or .xlsx) as declarations submitted for review: all or nothing."""
    from marketplace.errors import DomainError
    from marketplace.services.governance.survey_files import import_survey
    from marketplace.services.governance.surveys import STATUS_ZH

    started = time.perf_counter()
    doc, locate = _read(file)
    with cli.transaction() as session:
        try:
            result = import_survey(session, cli.operator(), doc, source=file.name)
        except DomainError as exc:
            exc.errors = {locate(p): v for p, v in exc.errors.items()}
            raise
    out = {"file": str(file), **result.as_dict(), "seconds": round(time.perf_counter() - started, 3)}
    if cli.as_json:
        emit_json(out)
        return
    say(f"新建申报 {result.created:5d}  替换申报 {result.replaced:5d}  "
        f"物质 {result.substances:6d}  核查发现 {result.findings:5d}",
        f"declarations created {result.created:5d}  replaced {result.replaced:5d}  "
        f"substances {result.substances:6d}  findings {result.findings:5d}")
    for status, n in sorted(result.by_status.items()):
        say(f"  {STATUS_ZH.get(status, status):12s} {n:5d}  （待审核）", f"  {status:12s} {n:5d}  (awaiting review)")
    say(f"已导入 {file}，用时 {out['seconds']} 秒", f"imported {file} in {out['seconds']} s")


@survey.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template(out: Path) -> None:
    """Write the empty Excel template OUT.xlsx (sheets declarations and substances)."""
    from marketplace.services.governance.survey_files import write_template

    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out)
    say(f"年度调查 Excel 模板已写入 {out}", f"wrote the survey template to {out}")


def _line(d: dict[str, Any]) -> str:
    ent = d["enterprise"]
    rows, checks = len(d["substances"]), len(d["checks"])
    flagged = sum(1 for c in d["checks"] if c["severity"] == "error")
    counts = text(f"{rows:3d} 种物质  {checks:3d} 项核查发现（错误 {flagged} 项）",
                  f"{rows:3d} substances  {checks:3d} findings ({flagged} errors)")
    status = text(d["status_zh"], d["status"])
    return f"{d['id']:6d}  {d['year']}  {ent['ref']:10s} {status:12s} {counts}  {ent['name']}"


@survey.command("list")
@click.option("--park", default=None, help="Park code.")
@click.option("--year", type=int, default=None, help="Survey year.")
@click.option("--status", default=None, help="draft, submitted, returned, resubmitted or accepted.")
@json_option
@click.pass_obj
def list_(cli: Cli, park: str | None, year: int | None, status: str | None) -> None:
    """Declarations, newest first."""
    from marketplace.services.governance.surveys import declaration_view, list_declarations

    with cli.transaction() as session:
        docs = [declaration_view(d) for d in list_declarations(session, cli.operator(), park=park, year=year,
                                                               status=status)]
    if cli.as_json:
        emit_json({"declarations": docs})
        return
    for d in docs:
        click.echo(_line(d))
    say(f"共 {len(docs)} 份申报", f"{len(docs)} declarations")


def _listed(controlled: dict[str, Any] | None) -> str:
    """A row's control-list entry: the substance and its measure."""
    if not controlled:
        return ""
    return ("  [" + text(f"{controlled['name_zh']}：{controlled['measure_zh']}",
                         f"{controlled['measure']}: {controlled['name_en']}") + "]")


def _show(cli: Cli, doc: dict[str, Any]) -> None:
    from catalog.measures import ROLE_ZH

    if cli.as_json:
        emit_json(doc)
        return
    click.echo(_line(doc))
    for i, s in enumerate(doc["substances"]):
        role = text(ROLE_ZH.get(s["role"], s["role"]), s["role"])
        click.echo(f"  substances.{i}: {s['cas'] or '-':12s} {s['name'] or '':24s} {role:9s} "
                   f"{s['quantity_t']:g} t  {s['use']}{_listed(s['controlled'])}")
    for c in doc["checks"]:
        click.echo(check_line(c, CHECK_ZH))
    for field, reasons in doc["returned_reasons"].items():
        for r in reasons:
            click.echo(f"  ↩ {field}: {r}")


@survey.command("show")
@click.argument("declaration_id", type=int)
@json_option
@click.pass_obj
def show(cli: Cli, declaration_id: int) -> None:
    """One declaration: its rows, quality findings and reasons of the last return."""
    from marketplace.services.governance.surveys import declaration_view, get_declaration

    with cli.transaction() as session:
        doc = declaration_view(get_declaration(session, cli.operator(), declaration_id))
    _show(cli, doc)


@survey.command("return")
@click.argument("declaration_id", type=int)
@click.option("--reason", "reasons", multiple=True, required=True, metavar="FIELD=TEXT",
              help="A reason for one field (substances.N.<field>, substances or general); repeatable.")
@json_option
@click.pass_obj
def return_(cli: Cli, declaration_id: int, reasons: tuple[str, ...]) -> None:
    """Return a submitted declaration to its enterprise with reasons per field (the enterprise is told)."""
    from marketplace.errors import ValidationFailed
    from marketplace.services.governance.surveys import declaration_view, return_declaration

    by_field: dict[str, list[str]] = {}
    for r in reasons:
        field, sep, reason = r.partition("=")
        if not sep:
            raise ValidationFailed("a reason is FIELD=TEXT (格式：字段=理由)",
                                   {"--reason": [f"no '=' in {r!r} (缺少“=”)"]})
        by_field.setdefault(field.strip(), []).append(reason)
    with cli.transaction() as session:
        doc = declaration_view(return_declaration(session, cli.operator(), declaration_id, by_field))
    _show(cli, doc)
    say(f"申报 {declaration_id} 已退回", f"declaration {declaration_id} returned")


@survey.command("accept")
@click.argument("declaration_id", type=int)
@json_option
@click.pass_obj
def accept(cli: Cli, declaration_id: int) -> None:
    """Accept a submitted declaration (the enterprise is told)."""
    from marketplace.services.governance.surveys import accept as accept_declaration
    from marketplace.services.governance.surveys import declaration_view

    with cli.transaction() as session:
        doc = declaration_view(accept_declaration(session, cli.operator(), declaration_id))
    _show(cli, doc)
    say(f"申报 {declaration_id} 已通过", f"declaration {declaration_id} accepted")
