"""`wastematch targets`: a park's plan targets for a year and their progress (规划目标), set or cleared here;
`wastematch survey-report`: the park survey report (调查报告) of a year, as HTML or XLSX.

Both act as the local operator (an admin). ``--set KEY=VALUE`` takes a share as 0.8 or 80%.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from marketplace.errors import ValidationFailed

from .context import Cli
from .help_text import command
from .output import emit_json, json_option, say, text

SURVEY_FORMATS = {".html": "html", ".htm": "html", ".xlsx": "xlsx"}


def parse_setting(setting: str) -> tuple[str, float]:
    """``KEY=VALUE`` with VALUE a number or a percentage (``80%`` = 0.8); a 422 naming ``set`` otherwise."""
    key, sep, raw = setting.partition("=")
    raw = raw.strip()
    try:
        if not sep or not key.strip():
            raise ValueError
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ValidationFailed(f"--set {setting!r}: expected KEY=VALUE, e.g. roster_audit_rate=100% (目标格式有误)",
                               {"set": [f"{setting!r} is not KEY=VALUE with a number (须为“目标=数值”格式)"]}) from None
    return key.strip(), value


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def progress_lines(code: str, year: int, rows: list[dict[str, Any]]) -> list[str]:
    """One park's targets as lines: name, target, actual, met, trend; its key (what --set takes) beneath."""
    lines = [text(f"园区 {code} {year} 年规划目标", f"targets of park {code}, {year}")]
    for r in rows:
        target = f"{r['direction']} {_pct(r['target'])}" if r["target"] is not None else "—"
        met_zh, met_en = {True: ("达成", "met"), False: ("未达成", "not met")}.get(r["met"], ("—", "—"))
        trend = ", ".join(f"{p['year']}: {_pct(p['actual'])}" for p in r["trend"]) or "—"
        actual = _pct(r["actual"])
        lines.append("  " + text(f"{r['name_zh']}：目标 {target}  实际 {actual}  {met_zh}  往年 {trend}",
                                 f"{r['name_en']}: target {target}  actual {actual}  {met_en}  previous years {trend}"))
        lines.append(f"    ({r['key']})")
    return lines


@command("targets")
@click.option("--park", default=None, help="Park code (default: every park).")
@click.option("--year", type=int, default=None, help="The year (default: this year in the park).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Set a target of --park and --year, e.g. roster_audit_rate=100% (repeatable).")
@click.option("--clear", "clears", multiple=True, metavar="KEY", help="Remove a target of --park and --year.")
@click.option("--note", default="", help="A note kept with the targets set.")
@json_option
@click.pass_obj
def targets_cmd(cli: Cli, park: str | None, year: int | None, settings: tuple[str, ...], clears: tuple[str, ...],
                note: str) -> None:
    """Plan targets per park and year with their progress; --set / --clear change them."""
    from marketplace.models.base import park_date
    from marketplace.services.accounts.parks import coordinated_parks
    from marketplace.services.reports import targets

    year = year if year is not None else park_date().year
    parsed = [parse_setting(s) for s in settings]
    if (parsed or clears) and not park:
        raise ValidationFailed("name the park whose targets to change (请指定园区)",
                               {"park": ["required with --set (使用 --set 时必填)"]})
    with cli.transaction() as session:
        principal = cli.operator()
        for key, value in parsed:
            targets.set_target(session, principal, park, year, key, value, note)
        for key in clears:
            targets.clear_target(session, principal, park, year, key)
        codes = [park] if park else [p.code for p in coordinated_parks(session, principal)]
        out = [{"park": code, "targets": targets.targets_progress(session, principal, code, year)} for code in codes]
    if cli.as_json:
        emit_json({"year": year, "park": park, "targets": out[0]["targets"]} if park else {"year": year, "parks": out})
        return
    for block in out:
        for line in progress_lines(block["park"], year, block["targets"]):
            click.echo(line)
    if parsed or clears:
        say(f"目标已更新：设置 {len(parsed)} 项，清除 {len(clears)} 项", f"{len(parsed)} target(s) set, {len(clears)} cleared")


@command("survey-report")
@click.option("--park", required=True, help="Park code.")
@click.option("--year", type=int, required=True, help="The survey year.")
@click.option("--format", "fmt", type=click.Choice(("html", "xlsx")), default=None,
              help="Output format (default: from the --out suffix, else html).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The file to write.")
@json_option
@click.pass_obj
def survey_report_cmd(cli: Cli, park: str, year: int, fmt: str | None, out: Path) -> None:
    """The park survey report of a year: coverage, roster, violations,
    EECM results, targets and recommendations."""
    from marketplace.services.governance.survey_report import render_survey_html, render_survey_xlsx
    from marketplace.services.reports.targets import survey_report

    fmt = fmt or SURVEY_FORMATS.get(out.suffix.lower(), "html")
    with cli.transaction() as session:
        doc = survey_report(session, cli.operator(), park, year)
    data = render_survey_html(doc).encode("utf-8") if fmt == "html" else render_survey_xlsx(doc)
    try:
        out.write_bytes(data)
    except OSError as exc:
        # the system says why in English only: the Chinese says what to check
        raise click.ClickException(text(f"无法写入文件 {out}：请检查其文件夹是否存在、是否可写",
                                        f"cannot write {out}: {exc}")) from None
    summary = {"park": park, "year": year, "format": fmt, "out": str(out), "bytes": len(data),
               "enterprises": doc["coverage"]["enterprises"], "roster": len(doc["roster"]),
               "violations": len(doc["violations"]), "recommendations": len(doc["recommendations"])}
    say(f"园区 {park} {year} 年调查报告 → {out}（{fmt}，{len(data):,} 字节；"
        f"名单企业 {summary['roster']} 家，违规 {summary['violations']} 项）",
        f"survey report of park {park}, {year} → {out} ({fmt}, {len(data):,} bytes; "
        f"{summary['roster']} roster entries, {summary['violations']} violations)")
    if cli.as_json:
        emit_json(summary)


__all__ = ["parse_setting", "progress_lines", "survey_report_cmd", "targets_cmd"]
