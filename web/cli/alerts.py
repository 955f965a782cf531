"""`wastematch alerts …`: scan, list and acknowledge the reconciliation alerts (对账预警) as the local operator."""
from __future__ import annotations

import datetime as dt

import click

from marketplace.models import ALERT_KINDS, ALERT_STATUSES
from marketplace.models.base import CHINA_TZ, utcnow

from ..i18n import message_halves
from .context import Cli
from .help_text import group
from .output import emit_json, json_option, pad, say, text

# An alert's severity as the alerts page names it.
SEVERITY_ZH = {"warning": "提示", "critical": "严重"}


@group()
def alerts() -> None:
    """Reconciliation alerts for coordinators: weights, overdue receipts and manifests, licences."""


@alerts.command("scan")
@click.option("--park", default=None, help="Only this park (code); default: every park.")
@click.option("--tolerance", "weight_tolerance", type=float, default=None,
              help="Weight mismatch tolerance as a share of the dispatched tonnes (default 0.05).")
@click.option("--receipt-days", type=float, default=None, help="Days from dispatch to receipt (default 3).")
@click.option("--close-days", type=float, default=None, help="Days from receipt to closing (default 7).")
@click.option("--expiry-days", "licence_expiry_days", type=int, default=None,
              help="Warn this many days before a licence ends (default 60).")
@click.option("--capacity-ratio", type=float, default=None, help="Share of a licence's capacity (default 0.9).")
@click.option("--scale-tolerance", type=float, default=None,
              help="Two weighbridges of one load: share of the dispatch net (default 0.02).")
@click.option("--corridor-km", type=float, default=None, help="Km either side of the planned line (default 5).")
@click.option("--stop-minutes", type=float, default=None, help="Minutes standing still on the way (default 30).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Evaluate as of noon of this park day (default: now).")
@json_option
@click.pass_obj
def alerts_scan(cli: Cli, park: str | None, today: dt.datetime | None, **thresholds: float | None) -> None:
    """Evaluate every alert kind and update the stored alerts; prints the counts per kind and the total open."""
    from marketplace.services.traceability import alerts as service

    settings = service.settings_from(thresholds)
    now = (dt.datetime.combine(today.date(), dt.time(12), tzinfo=CHINA_TZ).astimezone(dt.timezone.utc)
           if today is not None else utcnow())
    with cli.transaction() as session:
        park_id = service.park_id_of(session, park) if park is not None else None
        result = service.scan(session, now=now, settings=settings, park_id=park_id, actor=cli.actor())
        counts = service.active_counts(session, cli.operator(), park_id=park_id)
    doc = {**result.as_dict(), "park": park, "now": now.isoformat(), "settings": settings.as_dict(),
           "open": counts["open"], "acknowledged": counts["acknowledged"]}
    if cli.as_json:
        emit_json(doc)
        return
    for kind in ALERT_KINDS:
        n = result.by_kind.get(kind, 0)
        say(f"{pad(service.KIND_ZH[kind], 20)} {n:4d} 条未解除", f"{kind:22s} {n:4d} active")
    say(f"新增 {result.raised} 条，仍未解除 {result.still_active} 条，已解除 {result.cleared} 条；"
        f"未处理 {counts['open']} 条，已确认 {counts['acknowledged']} 条",
        f"raised {result.raised}, still active {result.still_active}, cleared {result.cleared}; "
        f"open {counts['open']}, acknowledged {counts['acknowledged']}")


@alerts.command("list")
@click.option("--park", default=None, help="Park code.")
@click.option("--status", type=click.Choice(ALERT_STATUSES), default=None)
@click.option("--kind", type=click.Choice(ALERT_KINDS), default=None)
@json_option
@click.pass_obj
def alerts_list(cli: Cli, park: str | None, status: str | None, kind: str | None) -> None:
    """The alerts, newest first."""
    from marketplace.services.traceability import alerts as service

    with cli.transaction() as session:
        rows = [service.alert_view(a)
                for a in service.list_alerts(session, cli.operator(), status=status, kind=kind, park=park)]
    if cli.as_json:
        emit_json(rows)
        return
    for r in rows:
        state, what = text(r["status_zh"], r["status"]), text(r["kind_zh"], r["kind"])
        severity = text(SEVERITY_ZH.get(r["severity"], r["severity"]), r["severity"])
        click.echo(f"#{r['id']:<5d} {state:12s} {severity:8s} {what:22s} {r['park'] or '-':6s} "
                   + text(*message_halves(r["message"])))
        if r["acknowledgement"]:
            click.echo(f"       {text('备注', 'note')} ({r['acknowledged_by']}): {r['acknowledgement']}")
    say(f"{len(rows)} 条预警", f"{len(rows)} alert(s)")


@alerts.command("ack")
@click.argument("alert_id", type=int)
@click.option("--note", required=True, help="What was done or decided (required).")
@json_option
@click.pass_obj
def alerts_ack(cli: Cli, alert_id: int, note: str) -> None:
    """Acknowledge alert ALERT_ID with a note (recorded and audited)."""
    from marketplace.services.traceability import alerts as service

    with cli.transaction() as session:
        doc = service.alert_view(service.acknowledge(session, cli.operator(), alert_id, note))
    if cli.as_json:
        emit_json(doc)
    else:
        zh, en = message_halves(doc["message"])
        say(f"预警 #{doc['id']} 已确认: {zh}", f"alert #{doc['id']} acknowledged: {en}")
