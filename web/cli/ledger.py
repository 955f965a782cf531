"""`wastematch ledger …`: the chemical flow ledger (化学物质流向台账) and its review, as the local operator."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from marketplace.errors import ValidationFailed
from marketplace.models.ledger import FINDING_CODES, FINDING_STATUSES, LEDGER_DIRECTIONS

from ..i18n import message_halves
from .context import Cli
from .help_text import group
from .output import emit_json, info, json_option, pad, say, text

IMPORT_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}
# A finding's or a check's severity as the pages name it (their labels are page translations, not usable here).
SEVERITY_ZH = {"error": "错误", "warning": "提示", "info": "信息"}


def check_line(check: dict[str, Any], labels_zh: dict[str, str]) -> str:
    """A declaration's quality check as ``show`` prints it (survey and HW declarations): its field, its code
    (``labels_zh`` names it in Chinese), severity and message."""
    code, severity = check["code"], check["severity"]
    zh, en = message_halves(check["message"])
    return f"  ! {check['field']} " + text(f"{labels_zh.get(code, code)}（{SEVERITY_ZH.get(severity, severity)}）：{zh}",
                                            f"{code} ({severity}): {en}")


@group()
def ledger() -> None:
    """Chemical flow ledger: record, import, list, review and findings."""


def _line(v: dict[str, Any]) -> str:
    from marketplace.services.traceability.ledger import DIRECTION_ZH

    who = v["counterparty"] or v["counterparty_name"] or "-"
    direction = text(DIRECTION_ZH.get(v["direction"], v["direction"]), v["direction"])
    return (f"#{v['id']:<5d} {v['enterprise']:8s} {v['entry_date']} {direction:8s} {v['batch_code']:20s} "
            f"{v['cas'] or '-':12s} {v['quantity_t']:>10g} t ×{v['content_ratio']:<6g} {v['chemical_name'] or '-'} "
            f"[{who}]")


@ledger.command("add")
@click.option("--enterprise", required=True, help="The enterprise's ref.")
@click.option("--batch", "batch_code", required=True, help="The enterprise's batch number.")
@click.option("--direction", type=click.Choice(LEDGER_DIRECTIONS), required=True)
@click.option("--date", "entry_date", default=None, help="YYYY-MM-DD (default: today in the park).")
@click.option("--chemical", "chemical_name", default=None, help="Chemical name.")
@click.option("--cas", default=None)
@click.option("--quantity", "quantity_t", type=float, required=True, help="Tonnes of the batch.")
@click.option("--ratio", "content_ratio", type=float, default=None, help="Mass fraction of the chemical (default 1).")
@click.option("--waste-code", default=None, help="NNN-NNN-NN, for a waste.")
@click.option("--product", default=None, help="The product it went into.")
@click.option("--counterparty", default=None, help="Ref of a registered enterprise.")
@click.option("--counterparty-name", default=None, help="Name of one outside the platform.")
@click.option("--source-batch", default=None, help="out/consumed: the in/produced batch it drew on.")
@click.option("--permit", "permit_number", default=None)
@click.option("--note", default=None)
@json_option
@click.pass_obj
def ledger_add(cli: Cli, **values: Any) -> None:
    """Record one ledger entry; prints it."""
    from marketplace.models.base import park_date
    from marketplace.services.traceability import ledger as service

    values = {k: v for k, v in values.items() if v is not None}
    values.setdefault("entry_date", park_date().isoformat())
    with cli.transaction() as session:
        principal = cli.operator()
        doc = service.entry_view(principal, service.create_entry(session, principal, values))
    if cli.as_json:
        emit_json(doc)
        return
    click.echo(_line(doc))


@ledger.command("list")
@click.option("--enterprise", default=None, help="Enterprise ref.")
@click.option("--cas", default=None)
@click.option("--direction", type=click.Choice(LEDGER_DIRECTIONS), default=None)
@click.option("--batch", default=None)
@json_option
@click.pass_obj
def ledger_list(cli: Cli, enterprise: str | None, cas: str | None, direction: str | None, batch: str | None) -> None:
    """Ledger entries, newest day first."""
    from marketplace.services.traceability import ledger as service

    with cli.transaction() as session:
        principal = cli.operator()
        entries = service.list_entries(session, principal, enterprise=enterprise, cas=cas, direction=direction,
                                       batch=batch)
        rows = [service.entry_view(principal, e) for e in entries]
    if cli.as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(_line(r))
    say(f"共 {len(rows)} 条台账条目", f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")


@ledger.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def ledger_import(cli: Cli, file: Path) -> None:
    """Import entries from a CSV (header row of field names), JSON (a list) or XLSX file, all or nothing.

    On any error nothing is imported, every error is printed with its row and field, and the exit code is 1.
    """
    from marketplace.services.traceability import ledger as service

    fmt = IMPORT_FORMATS.get(file.suffix.lower())
    if fmt is None:
        raise ValidationFailed(f"unknown file type {file.suffix!r}: use .csv, .json or .xlsx "
                               "(文件类型须为 .csv、.json 或 .xlsx)",
                               {"file": ["use .csv, .json or .xlsx (须为 .csv、.json 或 .xlsx)"]})
    rows = service.parse_rows(file.read_bytes(), fmt)
    with cli.transaction() as session:
        result = service.import_entries(session, cli.operator(), rows)
    if cli.as_json:
        emit_json(result.as_dict())
        return
    for ref, n in sorted(result.by_enterprise.items()):
        info(f"{ref:10s} {n:5d}")
    directions = sorted(result.by_direction.items())
    say(f"已导入 {result.created} 条台账条目（"
        + "，".join(f"{service.DIRECTION_ZH.get(d, d)} {n}" for d, n in directions) + "）",
        f"imported {result.created} entries (" + ", ".join(f"{d} {n}" for d, n in directions) + ")")


@ledger.command("review")
@click.option("--park", default=None, help="Only this park (code); default: every park.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Record the review as of this day (default: now).")
@json_option
@click.pass_obj
def ledger_review_cmd(cli: Cli, park: str | None, today: dt.datetime | None) -> None:
    """Review the ledgers and update the findings; prints the open findings per code and who was notified."""
    from marketplace.models.base import utcnow
    from marketplace.services.traceability import ledger as service
    from marketplace.services.traceability import ledger_review

    now = today.replace(hour=12, tzinfo=dt.timezone.utc) if today is not None else utcnow()
    with cli.transaction() as session:
        p = service.park_of_code(session, park)
        result = ledger_review.review(session, cli.operator(), park_id=p.id if p is not None else None, now=now)
    doc = {**result.as_dict(), "park": park}
    if cli.as_json:
        emit_json(doc)
        return
    for code in FINDING_CODES:
        n = result.by_code.get(code, 0)
        say(f"{pad(ledger_review.CODE_ZH[code], 20)} {n:4d} 条{ledger_review.STATUS_ZH['open']}", f"{code:26s} {n:4d} open")
    say(f"新发现 {result.raised} 项，仍待整改 {result.still_open} 项，已整改 {result.resolved} 项；"
        f"已通知 {result.enterprises_notified} 家企业",
        f"raised {result.raised}, still open {result.still_open}, resolved {result.resolved}; "
        f"{result.enterprises_notified} enterprise(s) notified")


@ledger.command("findings")
@click.option("--park", default=None, help="Park code.")
@click.option("--status", type=click.Choice(FINDING_STATUSES), default=None)
@click.option("--code", type=click.Choice(FINDING_CODES), default=None)
@click.option("--enterprise", default=None, help="Enterprise ref.")
@json_option
@click.pass_obj
def ledger_findings(cli: Cli, park: str | None, status: str | None, code: str | None, enterprise: str | None) -> None:
    """The review's findings, newest first."""
    from marketplace.services.traceability import ledger_review

    with cli.transaction() as session:
        findings = ledger_review.list_findings(session, cli.operator(), status=status, code=code,
                                               enterprise=enterprise, park=park)
        rows = [ledger_review.finding_view(f) for f in findings]
    if cli.as_json:
        emit_json(rows)
        return
    for r in rows:
        status, code = text(r["status_zh"], r["status"]), text(r["code_zh"], r["code"])
        severity = text(SEVERITY_ZH.get(r["severity"], r["severity"]), r["severity"])
        click.echo(f"#{r['id']:<5d} {status:9s} {severity:7s} {r['enterprise']:8s} {code:26s} "
                   + text(*message_halves(r["message"])))
        if r["note"]:
            by, note = r["closed_by"], r["note"]
            click.echo("       " + text(f"备注（{by}）：{note}", f"note ({by}): {note}"))
    say(f"共 {len(rows)} 项核查发现", f"{len(rows)} finding(s)")


@ledger.command("dismiss")
@click.argument("finding_id", type=int)
@click.option("--note", required=True, help="Why the finding is acceptable (required).")
@json_option
@click.pass_obj
def ledger_dismiss(cli: Cli, finding_id: int, note: str) -> None:
    """Dismiss an open finding with a note."""
    from marketplace.services.traceability import ledger_review

    with cli.transaction() as session:
        doc = ledger_review.finding_view(ledger_review.dismiss(session, cli.operator(), finding_id, note))
    if cli.as_json:
        emit_json(doc)
        return
    click.echo(text(f"#{doc['id']} {doc['status_zh']}：{doc['note']}", f"#{doc['id']} {doc['status']}: {doc['note']}"))
