"""``wastematch hw-declaration …``: annual hazardous waste declarations (危险废物年度申报) from the command line.

``draft`` makes (or shows) an enterprise's declaration of a year from its manifests; ``lines`` replaces its
lines from a JSON file; ``submit`` reconciles it with the manifests (a mismatch is a ledger finding);
``return`` and ``accept`` review it; ``list`` and ``show`` read. The command line acts as the local
operator, with an admin's reach.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .context import Cli
from .help_text import group
from .ledger import check_line
from .output import emit_json, info, json_option, say, text

TONNES = ("stock_start_t", "generated_t", "utilised_own_t", "disposed_own_t", "transferred_t", "stock_end_t")
# The reconciliation checks' codes in Chinese, as the declaration page names them.
CHECK_ZH = {"manifest_mismatch": "与联单不符", "unbalanced": "数量不平衡"}


@group("hw-declaration")
def hw_declaration() -> None:
    """Annual hazardous waste declarations, reconciled with the manifests."""


def _line(d: dict[str, Any]) -> str:
    """A declaration in one line: id, year, enterprise, status, how many codes and checks."""
    codes, checks = len(d["lines"]), len(d["checks"])
    counts = text(f"{codes:3d} 个废物代码  {checks:3d} 项核查", f"{codes:3d} codes  {checks:3d} checks")
    status = text(d["status_zh"], d["status"])
    return f"{d['id']:6d}  {d['year']}  {d['enterprise']:10s} {status:12s} {counts}  {d['enterprise_name']}"


def _show(cli: Cli, doc: dict[str, Any]) -> None:
    from marketplace.services.traceability.hw_declarations import TONNES_WORDS

    if cli.as_json:
        emit_json(doc)
        return
    click.echo(_line(doc))
    for i, x in enumerate(doc["lines"]):
        figures = text("  ".join(f"{TONNES_WORDS[name][0]} {x[name]:g}" for name in TONNES),
                       "  ".join(f"{name[:-2]} {x[name]:g}" for name in TONNES))
        manifests = text(f"（联单：{x['manifests_t']:g} t，{x['manifests']} 份）",
                         f"(manifests: {x['manifests_t']:g} t, {x['manifests']})")
        click.echo(f"  lines.{i}: {x['waste_code']}  {figures}  {manifests}")
    for c in doc["checks"]:
        click.echo(check_line(c, CHECK_ZH))
    if doc["returned_reason"]:
        click.echo(f"  ↩ {doc['returned_reason']}")


def _run(cli: Cli, action: Any, done: str | None = None) -> None:
    from marketplace.services.traceability.hw_declarations import declaration_view

    with cli.transaction() as session:
        doc = declaration_view(action(session, cli.operator()))
    _show(cli, doc)
    if done:
        info(done)


@hw_declaration.command("draft")
@click.argument("enterprise")
@click.option("--year", type=int, required=True, help="Declaration year.")
@json_option
@click.pass_obj
def draft(cli: Cli, enterprise: str, year: int) -> None:
    """The declaration of ENTERPRISE (a ref) for --year; a new one is drafted from the year's manifests."""
    from marketplace.services.traceability import hw_declarations

    _run(cli, lambda s, p: hw_declarations.draft(s, p, enterprise, year))


@hw_declaration.command("lines")
@click.argument("declaration_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def lines(cli: Cli, declaration_id: int, file: Path) -> None:
    """Replace the lines of an editable declaration from FILE: a JSON list of {"waste_code", tonnes…}."""
    from marketplace.errors import ValidationFailed
    from marketplace.schemas.json_text import JsonTextError, read_json
    from marketplace.services.traceability import hw_declarations

    try:
        rows = read_json(file.read_bytes())
    except JsonTextError as exc:
        raise ValidationFailed(f"{file.name} is not valid JSON (不是有效的JSON文件)", {"$": [str(exc)]}) from None
    _run(cli, lambda s, p: hw_declarations.save_lines(s, p, declaration_id, rows),
         text(f"申报 {declaration_id}：明细已保存", f"declaration {declaration_id}: lines saved"))


@hw_declaration.command("submit")
@click.argument("declaration_id", type=int)
@json_option
@click.pass_obj
def submit(cli: Cli, declaration_id: int) -> None:
    """Submit a declaration: reconciled with the manifests; a mismatch becomes a ledger finding."""
    from marketplace.services.traceability import hw_declarations

    _run(cli, lambda s, p: hw_declarations.submit(s, p, declaration_id),
         text(f"申报 {declaration_id} 已提交", f"declaration {declaration_id} submitted"))


@hw_declaration.command("return")
@click.argument("declaration_id", type=int)
@click.option("--reason", required=True, help="Why it goes back (the enterprise reads it).")
@json_option
@click.pass_obj
def return_(cli: Cli, declaration_id: int, reason: str) -> None:
    """Return a declaration under review to its enterprise with a reason (the enterprise is told)."""
    from marketplace.services.traceability import hw_declarations

    _run(cli, lambda s, p: hw_declarations.return_declaration(s, p, declaration_id, reason),
         text(f"申报 {declaration_id} 已退回", f"declaration {declaration_id} returned"))


@hw_declaration.command("accept")
@click.argument("declaration_id", type=int)
@json_option
@click.pass_obj
def accept(cli: Cli, declaration_id: int) -> None:
    """Accept a declaration under review (the enterprise is told)."""
    from marketplace.services.traceability import hw_declarations

    _run(cli, lambda s, p: hw_declarations.accept(s, p, declaration_id),
         text(f"申报 {declaration_id} 已通过", f"declaration {declaration_id} accepted"))


@hw_declaration.command("show")
@click.argument("declaration_id", type=int)
@json_option
@click.pass_obj
def show(cli: Cli, declaration_id: int) -> None:
    """One declaration: its lines, the manifests' figures and the checks of its last submission."""
    from marketplace.services.traceability import hw_declarations

    _run(cli, lambda s, p: hw_declarations.get_declaration(s, p, declaration_id))


@hw_declaration.command("list")
@click.option("--year", type=int, default=None, help="Declaration year.")
@click.option("--status", default=None, help="draft, submitted, returned, resubmitted or accepted.")
@json_option
@click.pass_obj
def list_(cli: Cli, year: int | None, status: str | None) -> None:
    """Declarations, newest year first."""
    from marketplace.services.traceability.hw_declarations import declaration_view, list_declarations

    with cli.transaction() as session:
        docs = [declaration_view(d) for d in list_declarations(session, cli.operator(), year=year, status=status)]
    if cli.as_json:
        emit_json({"declarations": docs})
        return
    for d in docs:
        click.echo(_line(d))
    say(f"共 {len(docs)} 份危险废物申报", f"{len(docs)} declarations")
