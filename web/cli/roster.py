"""`wastematch roster …`: compute and show the key-enterprise roster (重点管控新污染物企业名单), decide on its
entries and record obligations, as the local operator.

The roster service is imported at module level on purpose: importing it registers its scan hook with the
alerts module, so that `wastematch alerts scan` also re-evaluates banned_use and obligation_overdue.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import click

from marketplace.models.base import park_date
from marketplace.services.governance import roster as service

from .context import Cli
from .help_text import group
from .output import emit_json, json_option, say, text

SUBSTANCE_FIELDS = ("cas", "name", "list", "measure", "role", "quantity_t")
# An entry's status and a substance row's source in Chinese, as the roster page names them.
STATUS_ZH = {"proposed": "拟列入", "confirmed": "已确认", "removed": "已移出"}
SOURCE_ZH = {"declaration": "申报", "ledger": "台账"}


def contract_doc(year: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The roster as DESIGN.md's contract states it (removed entries are not on the roster)."""
    return {"year": year, "roster": [{
        "enterprise": r["enterprise"],
        "substances": [{k: s.get(k) for k in SUBSTANCE_FIELDS} for s in r["substances"]],
        "obligations": [{"code": o["code"], "due": o["due"], "status": o["status"]} for o in r["obligations"]],
        "violations": [{"code": v["code"], "cas": v["cas"], "detail": v["detail"]} for v in r["violations"]],
    } for r in rows if r["status"] != "removed"]}


def _today(value: dt.datetime | None) -> dt.date:
    return value.date() if value is not None else park_date()


def _print_entry(r: dict[str, Any]) -> None:
    """One roster entry: the enterprise, its substances, obligations and violations (stored codes in Chinese with
    --lang zh; in English as stored, as --json prints them and the options take them)."""
    from catalog.measures import ROLE_ZH
    from marketplace.services.governance.disclosures import MEASURE_TEXT, OBLIGATION_STATUS_TEXT, VIOLATION_TEXT
    from marketplace.services.traceability.ledger_review import LIST_ZH

    click.echo(f"{r['enterprise']:10s} {text(STATUS_ZH.get(r['status'], r['status']), r['status']):9s} "
               f"{r['enterprise_name']}")
    for s in r["substances"]:
        role, listed, measure, source, t = s["role"], s["list"], s["measure"], s["source"], s["quantity_t"]
        measure_zh = MEASURE_TEXT.get(measure, (measure,))[0]
        click.echo(f"    {s['cas'] or '-':12s} " + text(
            f"{s['name']}  {ROLE_ZH.get(role, role)} {t:g} t  "
            f"[{LIST_ZH.get(listed, listed)}，{measure_zh}]（{SOURCE_ZH.get(source, source)}）",
            f"{s.get('name_en') or s['name']}  {role} {t:g} t  [{listed}, {measure}] ({source})"))
    for o in r["obligations"]:
        state = OBLIGATION_STATUS_TEXT.get(o["status"], (o["status"],))[0]
        # in Chinese the due date first: the names' widths vary
        click.echo(f"    #{o['id']:<5d} " + text(f"截止 {o['due']}  {state:3s}  {o['name_zh']}",
                                                 f"{o['code']:24s} due {o['due']}  {o['status']}"))
    for v in r["violations"]:
        click.echo("    ! " + text(f"{VIOLATION_TEXT.get(v['code'], (v['code'],))[0]}：{v['reason_zh']}",
                                   f"{v['code']}: {v['reason_en']}"))


_TODAY = click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
                      help="Evaluate as of this park day (due dates, overdue); default: today.")


@group(invoke_without_command=True)
@click.option("--park", default=None, help="Park code; default: every park.")
@click.option("--year", type=int, default=None, help="Survey year; default: last year.")
@_TODAY
@json_option
@click.pass_context
def roster(ctx: click.Context, park: str | None, year: int | None, today: dt.datetime | None) -> None:
    """Compute (update) the roster of a year from accepted declarations and the ledger, then print it.

    Each enterprise with its listed substances (role, tonnes, measure), obligations (due, status:
    open/done/waived/overdue) and violations (banned_use, obligation_overdue).
    """
    if ctx.invoked_subcommand is not None:
        return
    cli: Cli = ctx.obj
    day = _today(today)
    year = year if year is not None else day.year - 1
    with cli.transaction() as session:
        service.compute_roster(session, cli.operator(), park=park, year=year, today=day)
        rows = service.roster_rows(session, cli.operator(), park=park, year=year, today=day)
    doc = contract_doc(year, rows)
    if cli.as_json:
        emit_json(doc)
        return
    for r in rows:
        _print_entry(r)
    n = len(doc["roster"])
    say(f"{year} 年重点管控企业名单共 {n} 家企业", f"{n} enterprise(s) on the {year} roster")


@roster.command("confirm")
@click.argument("enterprise")
@click.option("--year", type=int, required=True)
@click.option("--reason", default=None, help="Why (required to restore a removed entry).")
@_TODAY
@json_option
@click.pass_obj
def roster_confirm(cli: Cli, enterprise: str, year: int, reason: str | None, today: dt.datetime | None) -> None:
    """Confirm ENTERPRISE (its ref) on the roster of --year, or restore it after a removal."""
    _decide(cli, service.confirm, enterprise, year, reason, today)


@roster.command("remove")
@click.argument("enterprise")
@click.option("--year", type=int, required=True)
@click.option("--reason", required=True, help="Why it is removed (required).")
@_TODAY
@json_option
@click.pass_obj
def roster_remove(cli: Cli, enterprise: str, year: int, reason: str, today: dt.datetime | None) -> None:
    """Remove ENTERPRISE from the roster of --year, with a reason."""
    _decide(cli, service.remove, enterprise, year, reason, today)


def _decide(cli: Cli, action: Any, enterprise: str, year: int, reason: str | None, today: dt.datetime | None) -> None:
    with cli.transaction() as session:
        entry = action(session, cli.operator(), enterprise, year, reason, today=_today(today))
        doc = {"enterprise": enterprise, "year": entry.year, "status": entry.status, "reason": entry.reason}
    if cli.as_json:
        emit_json(doc)
        return
    say(f"{enterprise} {year} 年：{STATUS_ZH.get(doc['status'], doc['status'])}", f"{enterprise} {year}: {doc['status']}")


@roster.command("obligation")
@click.argument("obligation_id", type=int)
@click.option("--done", "status", flag_value="done", help="Record it done (evidence required).")
@click.option("--waive", "status", flag_value="waived", help="Waive it (evidence: the reason).")
@click.option("--reopen", "status", flag_value="open", help="Open it again.")
@click.option("--evidence", default=None, help="What shows it was done, or why it is waived.")
@_TODAY
@json_option
@click.pass_obj
def roster_obligation(cli: Cli, obligation_id: int, status: str | None, evidence: str | None,
                      today: dt.datetime | None) -> None:
    """Record obligation OBLIGATION_ID (its id in `wastematch roster`) done, waived or open again."""
    from marketplace.services.governance.disclosures import OBLIGATION_STATUS_TEXT

    if status is None:
        raise click.UsageError(text("请指定 --done、--waive 或 --reopen", "give --done, --waive or --reopen"))
    day = _today(today)
    with cli.transaction() as session:
        ob = service.record_obligation(session, cli.operator(), obligation_id, status, evidence, today=day)
        doc = service.obligation_view(ob, day)
    if cli.as_json:
        emit_json(doc)
        return
    state = OBLIGATION_STATUS_TEXT.get(doc["status"], (doc["status"],))[0]
    say(f"义务 #{doc['id']} {doc['name_zh']}：{state}", f"obligation #{doc['id']} {doc['code']}: {doc['status']}")
