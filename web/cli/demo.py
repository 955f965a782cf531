"""``wastematch demo``: the demonstration park, set up by the other commands in turn, then served."""
from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import click

from ..config import AppConfig, configured_secret_key, demo_secret_key, hw_list_pdf
from .context import Cli
from .help_text import command
from .output import StderrProgress, columns, info, pad, say, text
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


def _tally(counts: Iterable[tuple[str, int]], names_zh: Mapping[str, str], *,
           count_first: bool = False) -> tuple[str, str]:
    """(中文, English) of ``(code, n)`` counts: ``已办结 48、已发运 1`` and ``closed 48, dispatched 1`` (``48 closed``
    with ``count_first``); the Chinese names the codes through ``names_zh``, the English keeps them (data)."""
    counts = list(counts)
    zh = "、".join(f"{names_zh.get(code, code)} {n}" for code, n in counts) or "无"
    en = ", ".join(f"{n} {code}" if count_first else f"{code} {n}" for code, n in counts) or "none"
    return zh, en


def _detail(zh: str, en: str) -> None:
    """A line under a step of the demo, indented once in any language."""
    info("  " + text(zh, en))


def _zh_names(table: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """The Chinese names of a ``{code: (中文, English)}`` table."""
    return {code: zh for code, (zh, _en) in table.items()}


def _seed_demo_history(cli: Cli) -> None:
    """Approved matches, shipments with manifests, ledger entries, findings and alerts (once)."""
    from marketplace.demo.history import seed_demo_history
    from marketplace.services.traceability import alerts, ledger_review, transfers

    with cli.transaction() as session:
        report = seed_demo_history(session, progress=StderrProgress("  " + text("历史记录", "history")))
    if report.skipped:
        active = sum(report.alerts.values())
        _detail(f"已有转移记录：历史数据保持不变；已重新扫描预警（{active} 条有效）",
                f"transfers already recorded: history left as it is; alerts re-scanned ({active} active)")
        return
    shipped_zh, shipped = _tally(sorted(report.shipments.items()), transfers.STATUS_ZH, count_first=True)
    shipments = sum(report.shipments.values())
    _detail(f"已批准 {report.approved} 个匹配，转移 {shipments} 次（{shipped_zh}），"
            f"已接收 {report.tonnes_received:.1f} t，{report.completed_matches} 个匹配已完成",
            f"{report.approved} matches approved, {shipments} shipments ({shipped}), "
            f"{report.tonnes_received:.1f} t received, {report.completed_matches} match(es) completed")
    findings_zh, findings = _tally(sorted(report.findings.items()), ledger_review.CODE_ZH)
    _detail(f"台账记录 {report.ledger_entries} 条；核查发现：{findings_zh}",
            f"{report.ledger_entries} ledger entries; findings: {findings}")
    raised_zh, raised = _tally(sorted((kind, n) for kind, n in report.alerts.items() if n), alerts.KIND_ZH)
    _detail(f"预警：{raised_zh}（用时 {report.seconds:.1f} 秒；"
            "查看 `wastematch alerts list`、`wastematch transfers list`）",
            f"alerts: {raised}  ({report.seconds:.1f} s; see `wastematch alerts list`, `wastematch transfers list`)")


def _seed_demo_zero_waste(cli: Cli) -> None:
    """Play the pooled collection round and the field devices and say what they made."""
    from marketplace.demo.zero_waste import seed_demo_zero_waste
    from marketplace.services.traceability import alerts

    with cli.transaction() as session:
        report = seed_demo_zero_waste(session)
    if report.skipped:
        _detail("已有一轮集中收集记录：保持不变", "a collection round is already recorded: left as it is")
        return
    _detail(f"E-036 收集轮次 {report.round_id}：{report.pick_ups} 个收集点，路线 {report.round_km:.1f} km"
            f"（最近邻法 {report.baseline_km:.1f} km），联单 {report.manifests} 份",
            f"round {report.round_id} of E-036: {report.pick_ups} pick-ups, {report.round_km:.1f} km "
            f"(nearest neighbour {report.baseline_km:.1f} km), {report.manifests} manifests")
    raised_zh, raised = _tally(report.alerts.items(), alerts.KIND_ZH)
    _detail(f"地磅称重 {report.weighings} 次，轨迹点 {report.track_points} 个；预警：{raised_zh}",
            f"weighings {report.weighings}, track points {report.track_points}; alerts: {raised}")


def _seed_demo_hw_plans(cli: Cli) -> None:
    """This year's hazardous waste management plans: one filed, one submitted late (once)."""
    from marketplace.demo.hw_plans import seed_demo_hw_plans
    from marketplace.services.traceability.hw_plans import CHECK_WORDS, STATUS_EN, STATUS_ZH, TIER_WORDS

    with cli.transaction() as session:
        report = seed_demo_hw_plans(session)
    if report.skipped:
        _detail("已有危险废物管理计划：保持不变", "hazardous waste management plans already recorded: left as they are")
        return
    for ref, p in report.plans.items():
        found_zh = "、".join(CHECK_WORDS[c][0] for c in dict.fromkeys(p["checks"])) or "无"
        found = ", ".join(CHECK_WORDS[c][1] for c in dict.fromkeys(p["checks"])) or "none"
        filed_zh, filed = (f"，备案编号 {p['filing_number']}", f", filing number {p['filing_number']}") \
            if p["filing_number"] else ("", "")
        _detail(f"{ref} 管理计划：{STATUS_ZH[p['status']]}，{TIER_WORDS[p['tier']][0]}，危险废物 {p['wastes']} 种"
                f"{filed_zh}；问题：{found_zh}",
                f"{ref} management plan: {STATUS_EN[p['status']]}, {TIER_WORDS[p['tier']][1]}, "
                f"{p['wastes']} waste{'s' if p['wastes'] != 1 else ''}{filed}; "
                f"findings: {found}")
    _detail("查看 `wastematch hw-plan list`、/hw-plans", "see `wastematch hw-plan list`, /hw-plans")


def _seed_demo_governance(cli: Cli) -> None:
    """Last year's chemical survey, roster, EECM, targets and published disclosures (once)."""
    from marketplace.demo.governance import seed_demo_governance
    from marketplace.services.governance import survey_report as names

    with cli.transaction() as session:
        report = seed_demo_governance(session)
    if report.skipped:
        _detail(f"已有 {report.year} 年度申报记录：该年度的化学物质管理数据保持不变",
                f"{report.year} declarations already recorded: the governance year left as it is")
        return
    declared_zh, declared = _tally(sorted(report.declarations.items()), _zh_names(names.DECLARATION_STATUS_TEXT),
                                   count_first=True)
    _detail(f"{report.year} 年度调查：申报 {sum(report.declarations.values())} 份（{declared_zh}），"
            f"{report.returned} 份退回后已更正",
            f"{report.year} survey: {sum(report.declarations.values())} declarations ({declared}), "
            f"{report.returned} returned and corrected")
    violations_zh, violations = _tally(sorted(report.violations.items()), _zh_names(names.VIOLATION_TEXT),
                                       count_first=True)
    obligations_zh, obligations = _tally(sorted(report.obligations.items()),
                                         _zh_names(names.OBLIGATION_STATUS_TEXT), count_first=True)
    _detail(f"重点企业名单：{'、'.join(report.roster) or '无'}；违规：{violations_zh}；管控义务：{obligations_zh}",
            f"roster: {', '.join(report.roster) or 'none'}; violations: {violations}; obligations: {obligations}")
    met = sum(1 for t in report.targets if t["met"])
    eecm_zh, eecm = _tally(sorted(report.eecm.items()), _zh_names(names.EECM_STATUS_TEXT), count_first=True)
    _detail(f"EECM 评估：{eecm_zh}；规划目标：已设定 {len(report.targets)} 项，已达成 {met} 项；"
            f"已发布信息披露 {len(report.published)} 份（用时 {report.seconds:.1f} 秒；查看 `wastematch roster`、"
            "/public/disclosures）",
            f"EECM assessments: {eecm}; targets: {len(report.targets)} set, {met} met; "
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
    """The sign-in table of the demo accounts, on stderr (the roles by the names the pages give them)."""
    from ..api.common import ROLE_ZH

    say("演示账户 — 在网页（/signin）或 API（POST /api/v1/auth/token）登录：",
        "demo accounts — sign in on the pages (/signin) or the API (POST /api/v1/auth/token):")
    rows = [(text("邮箱", "email"), text("角色", "role"), text("企业/园区", "enterprise/park"),
             text("密码", "password"))]
    for s in seeded:
        d = s.as_dict()
        rows.append((d["email"], text(ROLE_ZH.get(d["role"], d["role"]), d["role"]), s.account.scope,
                     d["password"] or text("（初始化后已修改）", "(changed since seeding)")))
    widths = [max(columns(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        info("  " + "  ".join(pad(cell, w) for cell, w in zip(r, widths)).rstrip())


@command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set everything up, then stop instead of serving.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Set up the demonstration park on the embedded database and serve the web app."""
    cli: Cli = ctx.obj
    started = time.perf_counter()
    say("[1/9] 数据库结构与内置名录", "[1/9] database schema and built-in catalogue")
    _run(ctx, "init")
    hw_pdf = hw_list_pdf()
    if hw_pdf.exists():
        say(f"[2/9] 导入官方《国家危险废物名录》：{hw_pdf}", f"[2/9] official HW list from {hw_pdf}")
        _run(ctx, "catalog", "import-hw-list", pdf=hw_pdf)
    else:
        say(f"[2/9] 未找到官方危险废物名录 PDF：{hw_pdf}（可将 WASTEMATCH_SHARED_DATA 设为其所在的数据文件夹）；"
            "使用内置名录",
            f"[2/9] official HW list PDF not found at {hw_pdf} (set WASTEMATCH_SHARED_DATA to its data folder); "
            "using the built-in catalogue")
    say(f"[3/9] 示范园区：{DEMO_FILE}", f"[3/9] demonstration park from {DEMO_FILE}")
    _run(ctx, "import", file=DEMO_FILE)
    say("[4/9] 全园区一键资源匹配", "[4/9] park-wide matching")
    _run(ctx, "match", park=None, exact=False, time_limit=None, min_lot=None, max_suppliers=None, today=None,
         with_candidates=False)
    say("[5/9] 四个月的转移联单与化学物质台账", "[5/9] four months of transfers, manifests and ledger entries")
    _seed_demo_history(cli)
    say("[6/9] 演示账户", "[6/9] demonstration accounts")
    seeded = _seed_demo_accounts(cli)
    say("[7/9] 上一年度化学物质调查、重点企业名单、EECM 与信息披露",
        "[7/9] last year's chemical survey, roster, EECM and disclosures")
    _seed_demo_governance(cli)
    say("[8/9] 小微企业集中收集、地磅与车载定位、危险废物管理计划",
        "[8/9] a pooled collection round, weighbridges, a GPS track and this year's HW management plans")
    _seed_demo_zero_waste(cli)
    _seed_demo_hw_plans(cli)
    say("[9/9] 产业共生与无废城市报告：共生链、闭环、KPI、企业评级",
        "[9/9] park report: symbiosis chains, loops, KPIs, ratings")
    report_file = _write_demo_report(cli)
    seconds = time.perf_counter() - started
    say(f"演示环境已就绪，用时 {seconds:.1f} 秒；报告：{report_file}（以园区管理者身份登录后也可在 /reports 页面查看）",
        f"demo ready in {seconds:.1f} s; report: {report_file} "
        "(and on the page /reports after signing in as a coordinator)")
    _print_demo_accounts(seeded)
    # The demo's own session key (kept in the data folder): a restarted demo signs nobody out, and
    # `WASTEMATCH_SECRET_KEY_FILE=<that file> wastematch serve` serves the demo with the same key.
    instance = AppConfig.from_env().instance_path
    key = configured_secret_key() or demo_secret_key(instance)
    if not no_serve:
        say(f"在浏览器中打开 http://{host}:{port}/：企业用户 e022@…，园区管理者 coord-ch@…；默认中文，"
            "右上角可切换为 English",
            f"open http://{host}:{port}/ in a browser: e022@… (enterprise), coord-ch@… (coordinator); "
            "Chinese by default, English by the switch at the top right")
        from .serve import run_server

        run_server(cli.url, host, port, secret_key=key, server="waitress", threads=8, log_format="text")


