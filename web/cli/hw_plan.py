"""``wastematch hw-plan …``: hazardous waste management plans (危险废物管理计划) from the command line.

``draft`` makes (or shows) an enterprise's plan of a year from what the platform knows; ``save`` replaces parts
of it from a JSON file; ``submit`` stores the findings and sends it to the park's coordinators, who ``return``
or ``accept`` (file) it; ``revise`` reopens a filed plan as a new revision; ``list`` and ``show`` read. The
command line acts as the local operator, with an admin's reach, as every command does.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..i18n import message_halves
from .context import Cli
from .help_text import group
from .ledger import SEVERITY_ZH
from .output import columns, emit_json, info, json_option, pad, say, text

# Where last year's figure comes from, as the plan's page names it.
SOURCE_WORDS = {"declaration": ("年度申报", "annual declaration"), "ledger": ("管理台账", "ledger"),
                "manifests": ("转移联单", "manifests")}


@group("hw-plan")
def hw_plan() -> None:
    """Hazardous waste management plans, filed with the park."""


def _words(table: dict[str, tuple[str, str]], key: str) -> str:
    """``key`` in the invocation's language from a (中文, English) words table."""
    zh, en = table.get(key, (key, key))
    return text(zh, en)


def _t(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _table(header: list[str], rows: list[list[str]], numbers: int = 0) -> list[str]:
    """Rows lined up by terminal columns (a Chinese character is two), the last ``numbers`` cells to the right."""
    widths = [max(columns(row[i]) for row in [header, *rows]) for i in range(len(header))]
    first_number = len(header) - numbers

    def cell(i: int, value: str) -> str:
        return " " * (widths[i] - columns(value)) + value if i >= first_number else pad(value, widths[i])
    return ["    " + "  ".join(cell(i, v) for i, v in enumerate(row)).rstrip() for row in [header, *rows]]


def _line(d: dict[str, Any]) -> str:
    """A plan in one line: id, year, revision, enterprise, status, tier, how many wastes and findings, filing."""
    from marketplace.services.traceability.hw_plans import STATUS_EN, STATUS_ZH, TIER_WORDS

    wastes, checks = len(d["wastes"]), len(d["checks"])
    counts = text(f"{wastes:3d} 种废物  {checks:3d} 项核查",
                  f"{wastes:3d} waste{'s' if wastes != 1 else ' '}  {checks:3d} finding{'s' if checks != 1 else ''}")
    status = pad(text(d["status_zh"], STATUS_EN[d["status"]]),
                 max(columns(text(zh, STATUS_EN[key])) for key, zh in STATUS_ZH.items()))
    tier = pad(_words(TIER_WORDS, d["tier"]), max(columns(text(*words)) for words in TIER_WORDS.values()))
    revision = text(f"第{d['revision']}版", f"rev {d['revision']}")
    return (f"{d['id']:6d}  {d['year']}  {pad(revision, 6)}  {pad(d['enterprise'], 10)} {status}  {tier}  {counts}  "
            f"{d['filing_number'] or '—'}  {d['enterprise_name']}")


def _check(check: dict[str, Any]) -> str:
    """A finding: its field, what it is (CHECK_WORDS), its severity and message."""
    from marketplace.services.traceability.hw_plans import CHECK_WORDS

    severity = check["severity"]
    what_zh, what_en = CHECK_WORDS.get(check["code"], (check["code"], check["code"]))
    zh, en = message_halves(check["message"])
    return f"    ! {check['field']} " + text(f"{what_zh}（{SEVERITY_ZH.get(severity, severity)}）：{zh}",
                                              f"{what_en} ({severity}): {en}")


def _section(name: str, required: list[str]) -> str:
    from marketplace.services.traceability.hw_plans import SECTION_WORDS

    zh, en = SECTION_WORDS[name]
    return text(f"{zh}（必填）", f"{en} (required)") if name in required else text(zh, en)


def _header(doc: dict[str, Any]) -> list[str]:
    from marketplace.services.traceability.hw_plans import STATUS_EN, TIER_WORDS

    # Each half of a line built from its own half of the words: ``--lang both`` gives "中文 / English" once.
    tier_zh, tier_en = TIER_WORDS.get(doc["tier"], (doc["tier"], doc["tier"]))
    halves = [message_halves(r["message"]) for r in doc["tier_reasons"]]
    tier = text(tier_zh + "".join(("：" if i == 0 else "；") + zh for i, (zh, _) in enumerate(halves)),
                tier_en + "".join((": " if i == 0 else "; ") + en for i, (_, en) in enumerate(halves)))
    source_zh, source_en = SOURCE_WORDS.get(doc["last_year_source"] or "", ("", ""))
    last_year = _t(doc["last_year_t"])
    last_year = text(f"{last_year} 吨" + (f"（来源：{source_zh}）" if source_zh else ""),
                     f"{last_year} t" + (f" (from the {source_en})" if source_en else ""))
    due = text(f"{doc['due_date']}（逾期提交）", f"{doc['due_date']} (submitted late)") if doc["late"] else doc["due_date"]
    fields = [(text("状态", "status"), text(doc["status_zh"], STATUS_EN[doc["status"]])),
              (text("管理类别", "tier"), tier),
              (text("上年产生量", "last year"), last_year),
              (text("备案期限", "due by"), due),
              (text("备案编号", "filing number"), doc["filing_number"] or "—")]
    if doc["returned_reason"]:
        fields.append((text("退回原因", "returned because"), doc["returned_reason"]))
    width = max(columns(label) for label, _ in fields)
    title = text(f"管理计划 {doc['id']}：{doc['enterprise']} {doc['enterprise_name']}，{doc['year']} 年，第 {doc['revision']} 版",
                 f"plan {doc['id']}: {doc['enterprise']} {doc['enterprise_name']}, {doc['year']}, "
                 f"revision {doc['revision']}")
    return [title, *(f"  {pad(label, width)}  {value}" for label, value in fields)]


def _wastes(doc: dict[str, Any]) -> list[str]:
    from marketplace.services.traceability.hw_plans import HW_PLAN_TONNES, TONNES_WORDS

    header = [text("废物代码", "code"), text("名称", "name"), text("产生环节", "source"),
              *(_words(TONNES_WORDS, name) for name in HW_PLAN_TONNES),
              text("上年产生量", "last year"), text("本年联单量", "manifests t"), text("联单份数", "manifests")]
    rows = [[w["waste_code"], w["name"] or "—", w["source"] or "—", *(_t(w[name]) for name in HW_PLAN_TONNES),
             _t(w["last_year_t"]), _t(w["manifests_t"]), str(w["manifests"])] for w in doc["wastes"]]
    return _table(header, rows, numbers=len(HW_PLAN_TONNES) + 3)


def _transfers(doc: dict[str, Any]) -> list[str]:
    header = [text("废物代码", "code"), text("接收单位", "receiver"), text("许可证编号", "licence"),
              text("计划转移量", "planned t")]
    rows = [[x["waste_code"], x["receiver"], x["licence_number"] or "—", _t(x["planned_t"])] for x in doc["transfers"]]
    return _table(header, rows, numbers=1)


def _facilities(doc: dict[str, Any]) -> list[str]:
    from marketplace.services.traceability.hw_plans import FACILITY_WORDS

    header = [text("类型", "kind"), text("名称", "name"), text("能力（吨）", "capacity t")]
    rows = [[_words(FACILITY_WORDS, x["kind"]), x["name"], _t(x["capacity_t"])] for x in doc["facilities"]]
    return _table(header, rows, numbers=1)


def _show(cli: Cli, doc: dict[str, Any]) -> None:
    """The plan: JSON with ``--json``, else its header, its three lists, its reduction plan and its findings."""
    if cli.as_json:
        emit_json(doc)
        return
    none = "    " + text("（无）", "(none)")
    out = _header(doc)
    for name, rows in (("wastes", _wastes), ("transfers", _transfers), ("facilities", _facilities)):
        out += [f"  {_section(name, doc['required'])}", *(rows(doc) if doc[name] else [none])]
    # The label in the invocation's language, the enterprise's own text once after it.
    sep = "：" if cli.lang == "zh" else ": "
    pct = doc["reduction_target_pct"]
    target = text("（未定）", "(none set)") if pct is None else f"{pct:g}%"
    measures = doc["reduction_measures"] or text("（未填）", "(none)")
    out += [f"  {_section('reduction', doc['required'])}", f"    {text('减量目标', 'target')}{sep}{target}",
            f"    {text('措施', 'measures')}{sep}{measures}",
            f"  {text('核查发现', 'findings')}", *([_check(c) for c in doc["checks"]] or [none])]
    click.echo("\n".join(out))


def _run(cli: Cli, action: Any, done: Callable[[dict[str, Any]], str] | None = None) -> None:
    """``action(session, principal)`` in one transaction; the plan it returns shown, then ``done(plan)`` said."""
    from marketplace.services.traceability.hw_plans import plan_view

    with cli.transaction() as session:
        doc = plan_view(action(session, cli.operator()))
    _show(cli, doc)
    if done:
        info(done(doc))


def _read_body(file: Path) -> Any:
    """The JSON document of ``file``; an unreadable one is refused with its reason (line and column)."""
    from marketplace.errors import ValidationFailed
    from marketplace.schemas.json_text import JsonTextError, read_json

    try:
        return read_json(file.read_bytes(), object_only=True)
    except JsonTextError as exc:
        raise ValidationFailed(f"{file.name} is not valid JSON (不是有效的 JSON 文件)", {"$": [str(exc)]}) from None


@hw_plan.command("draft")
@click.argument("enterprise")
@click.option("--year", type=int, required=True, help="The plan's year.")
@json_option
@click.pass_obj
def draft(cli: Cli, enterprise: str, year: int) -> None:
    """The plan of ENTERPRISE (a ref) for --year; a new one is drafted from what the platform knows."""
    from marketplace.services.traceability import hw_plans

    _run(cli, lambda s, p: hw_plans.draft(s, p, enterprise, year))


@hw_plan.command("show")
@click.argument("plan_id", type=int)
@json_option
@click.pass_obj
def show(cli: Cli, plan_id: int) -> None:
    """One plan in full: tier and why, due date, filing number, wastes, transfers, facilities, findings."""
    from marketplace.services.traceability import hw_plans

    _run(cli, lambda s, p: hw_plans.get_plan(s, p, plan_id))


@hw_plan.command("save")
@click.argument("plan_id", type=int)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help='A JSON object with any of "wastes", "transfers", "facilities", "reduction_measures", '
                   '"reduction_target_pct" (absent: unchanged).')
@json_option
@click.pass_obj
def save(cli: Cli, plan_id: int, file: Path) -> None:
    """Replace parts of an editable plan from a JSON file: all or nothing."""
    from marketplace.services.traceability import hw_plans

    body = _read_body(file)
    _run(cli, lambda s, p: hw_plans.save_plan(s, p, plan_id, body),
         lambda d: text(f"管理计划 {d['id']} 已保存", f"plan {d['id']} saved"))


def _submitted(d: dict[str, Any]) -> str:
    n = len(d["checks"])
    return text(f"管理计划 {d['id']} 已提交，核查发现 {n} 项", f"plan {d['id']} submitted, {n} findings")


@hw_plan.command("submit")
@click.argument("plan_id", type=int)
@json_option
@click.pass_obj
def submit(cli: Cli, plan_id: int) -> None:
    """Submit a plan to the park's coordinators; its findings are stored (a plan without wastes is refused)."""
    from marketplace.services.traceability import hw_plans

    _run(cli, lambda s, p: hw_plans.submit(s, p, plan_id), _submitted)


@hw_plan.command("return")
@click.argument("plan_id", type=int)
@click.option("--reason", required=True, help="Why it goes back (the enterprise reads it).")
@json_option
@click.pass_obj
def return_(cli: Cli, plan_id: int, reason: str) -> None:
    """Return a plan under review to its enterprise with a reason (the enterprise is told)."""
    from marketplace.services.traceability import hw_plans

    _run(cli, lambda s, p: hw_plans.return_plan(s, p, plan_id, reason),
         lambda d: text(f"管理计划 {d['id']} 已退回", f"plan {d['id']} returned"))


@hw_plan.command("accept")
@click.argument("plan_id", type=int)
@json_option
@click.pass_obj
def accept(cli: Cli, plan_id: int) -> None:
    """Accept (file) a plan under review: it gets its filing number (the enterprise is told)."""
    from marketplace.services.traceability import hw_plans

    _run(cli, lambda s, p: hw_plans.accept(s, p, plan_id),
         lambda d: text(f"管理计划 {d['id']} 已备案，备案编号 {d['filing_number']}",
                        f"plan {d['id']} accepted, filing number {d['filing_number']}"))


@hw_plan.command("revise")
@click.argument("plan_id", type=int)
@json_option
@click.pass_obj
def revise(cli: Cli, plan_id: int) -> None:
    """Reopen a filed plan as a new revision (a draft, reviewed again once submitted)."""
    from marketplace.services.traceability import hw_plans

    _run(cli, lambda s, p: hw_plans.revise(s, p, plan_id),
         lambda d: text(f"管理计划 {d['id']} 已转为第 {d['revision']} 版草稿",
                        f"plan {d['id']} reopened as revision {d['revision']}, a draft"))


@hw_plan.command("list")
@click.option("--year", type=int, default=None, help="The plans' year.")
@click.option("--status", default=None, help="draft, submitted, returned, resubmitted or accepted (filed).")
@click.option("--tier", default=None, help="key, simplified or registration.")
@json_option
@click.pass_obj
def list_(cli: Cli, year: int | None, status: str | None, tier: str | None) -> None:
    """Plans, newest year first."""
    from marketplace.services.traceability.hw_plans import list_plans, plan_view

    with cli.transaction() as session:
        principal = cli.operator()
        docs = [plan_view(x) for x in list_plans(session, principal, year=year, status=status, tier=tier)]
    if cli.as_json:
        emit_json({"plans": docs})
        return
    for d in docs:
        click.echo(_line(d))
    say(f"共 {len(docs)} 份危险废物管理计划", f"{len(docs)} plan" + ("" if len(docs) == 1 else "s"))
