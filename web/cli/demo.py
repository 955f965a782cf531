"""``wastematch demo``: the demonstration park, set up by the other commands in turn, then served."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from ..config import AppConfig, configured_secret_key, demo_secret_key, hw_list_pdf
from .context import Cli
from .output import StderrProgress, info
from .report_output import report_summary_lines, write_report

DEMO_FILE = Path(__file__).resolve().parents[2] / "marketplace" / "demo" / "demo_park.json"


def _run(ctx: click.Context, *path: str, **params: Any) -> Any:
    """Invoke the command at ``path`` (``"catalog", "import-hw-list"``) as ``wastematch`` would, with ``params``.

    Found by name on the root group, so this module needs no import of the command modules it drives.
    """
    command = ctx.find_root().command
    for name in path:
        command = command.get_command(ctx, name)
    return ctx.invoke(command, **params)


def _seed_demo_accounts(cli: Cli) -> list:
    """The demo park's accounts (created once; a re-run leaves them alone)."""
    from marketplace.demo.accounts import seed_demo_accounts

    with cli.transaction() as session:
        return seed_demo_accounts(session, actor=cli.actor())


def _seed_demo_history(cli: Cli) -> None:
    """Approved matches, shipments with manifests, ledger entries, findings and alerts (once)."""
    from marketplace.demo.history import seed_demo_history

    with cli.transaction() as session:
        report = seed_demo_history(session, progress=StderrProgress("  history"))
    if report.skipped:
        info("  transfers already recorded: history left as it is; alerts re-scanned "
             f"({sum(report.alerts.values())} active)")
        return
    shipped = ", ".join(f"{n} {status}" for status, n in sorted(report.shipments.items()))
    info(f"  {report.approved} matches approved, {sum(report.shipments.values())} shipments ({shipped}), "
         f"{report.tonnes_received:.1f} t received, {report.completed_matches} match(es) completed")
    info(f"  {report.ledger_entries} ledger entries; findings: "
         + (", ".join(f"{code} {n}" for code, n in sorted(report.findings.items())) or "none"))
    info("  alerts: " + (", ".join(f"{kind} {n}" for kind, n in sorted(report.alerts.items()) if n) or "none")
         + f"  ({report.seconds:.1f} s; see `wastematch alerts list`, `wastematch transfers list`)")


def _seed_demo_zero_waste(cli: Cli) -> None:
    """Play the pooled collection round and the field devices and say what they made."""
    from marketplace.demo.zero_waste import seed_demo_zero_waste

    with cli.transaction() as session:
        report = seed_demo_zero_waste(session)
    if report.skipped:
        info("  a collection round is already recorded: left as it is")
        return
    info(f"  round {report.round_id} of E-036: {report.pick_ups} pick-ups, {report.round_km:.1f} km "
         f"(nearest neighbour {report.baseline_km:.1f} km), {report.manifests} manifests")
    info(f"  weighings {report.weighings}, track points {report.track_points}; alerts: "
         + ", ".join(f"{kind} {n}" for kind, n in report.alerts.items()))


def _seed_demo_governance(cli: Cli) -> None:
    """Last year's chemical survey, roster, EECM, targets and published disclosures (once)."""
    from marketplace.demo.governance import seed_demo_governance

    with cli.transaction() as session:
        report = seed_demo_governance(session)
    if report.skipped:
        info(f"  {report.year} declarations already recorded: the governance year left as it is")
        return
    counted = lambda d: ", ".join(f"{n} {k}" for k, n in sorted(d.items())) or "none"
    info(f"  {report.year} survey: {sum(report.declarations.values())} declarations ({counted(report.declarations)}), "
         f"{report.returned} returned and corrected")
    info(f"  roster: {', '.join(report.roster) or 'none'}; violations: {counted(report.violations)}; "
         f"obligations: {counted(report.obligations)}")
    met = sum(1 for t in report.targets if t["met"])
    info(f"  EECM assessments: {counted(report.eecm)}; targets: {len(report.targets)} set, {met} met; "
         f"{len(report.published)} disclosures published  ({report.seconds:.1f} s; see `wastematch roster`, "
         "/public/disclosures)")


def _write_demo_report(cli: Cli) -> Path:
    """The demo park's HTML report of the last year, in the instance folder."""
    from marketplace.services.reports.document import build_report

    out = AppConfig.from_env().instance_path / "reports" / "demo-report.html"
    with cli.transaction() as session:
        doc = build_report(session, cli.operator())
    write_report(doc, "html", out)
    for line in report_summary_lines(doc):
        info(line)
    return out


def _print_demo_accounts(seeded: list) -> None:
    """The sign-in table of the demo accounts, on stderr."""
    info("demo accounts (演示账户) — sign in on the pages (/signin) or the API (POST /api/v1/auth/token):")
    rows = [("email", "role", "enterprise/park", "password")]
    for s in seeded:
        d = s.as_dict()
        rows.append((d["email"], d["role"], s.account.scope, d["password"] or "(changed since seeding)"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        info("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set everything up, then stop instead of serving.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Set up the demonstration park on the embedded database and serve the web app."""
    cli: Cli = ctx.obj
    started = time.perf_counter()
    info("[1/9] database schema and built-in catalogue")
    _run(ctx, "init")
    hw_pdf = hw_list_pdf()
    if hw_pdf.exists():
        info(f"[2/9] official HW list from {hw_pdf}")
        _run(ctx, "catalog", "import-hw-list", pdf=hw_pdf)
    else:
        info(f"[2/9] official HW list PDF not found at {hw_pdf} (set WASTEMATCH_SHARED_DATA to its data folder); "
             "using the built-in catalogue")
    info(f"[3/9] demonstration park from {DEMO_FILE}")
    _run(ctx, "import", file=DEMO_FILE)
    info("[4/9] park-wide matching (一键资源匹配)")
    _run(ctx, "match", park=None, exact=False, time_limit=None, min_lot=None, max_suppliers=None, today=None,
         with_candidates=False)
    info("[5/9] four months of transfers, manifests and ledger entries (转移联单与化学物质台账)")
    _seed_demo_history(cli)
    info("[6/9] demonstration accounts (演示账户)")
    seeded = _seed_demo_accounts(cli)
    info("[7/9] last year's chemical survey, roster, EECM and disclosures (化学物质调查、重点企业名单与信息披露)")
    _seed_demo_governance(cli)
    info("[8/9] a pooled collection round, weighbridges and a GPS track (小微企业集中收集、地磅与车载定位)")
    _seed_demo_zero_waste(cli)
    info("[9/9] park report: symbiosis chains, loops, KPIs, ratings (产业共生与无废城市报告)")
    report_file = _write_demo_report(cli)
    info(f"demo ready in {time.perf_counter() - started:.1f} s; report: {report_file} "
         f"(and on the page /reports after signing in as a coordinator)")
    _print_demo_accounts(seeded)
    # The demo's own session key (kept in the data folder): a restarted demo signs nobody out, and
    # `WASTEMATCH_SECRET_KEY_FILE=<that file> wastematch serve` serves the demo with the same key.
    instance = AppConfig.from_env().instance_path
    key = configured_secret_key() or demo_secret_key(instance)
    if not no_serve:
        info(f"open http://{host}:{port}/ in a browser: 企业用户 e022@… (enterprise), 园区管理者 coord-ch@… "
             "(coordinator); 中文 by default, English by the switch at the top right")
        from .serve import run_server

        run_server(cli.url, host, port, secret_key=key, server="waitress", threads=8, log_format="text")


