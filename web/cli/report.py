"""`wastematch report`: the park's symbiosis chains, closed loops, zero-waste KPIs and ratings, to a file.

Also ``wastematch rating-policy``, the park's rating thresholds those reports grade with.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from .context import Cli
from .help_text import command
from .output import emit_json, info, json_option, say, text
from .report_output import check_out, report_summary_lines, write_report

SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".json": "json", ".xlsx": "xlsx", ".csv": "csv", ".zip": "csv"}
# The report's build steps (``reports.document.STEPS``) as the Chinese progress line names them.
STEP_ZH = {"flows": "物料流", "kpis": "无废指标", "chains": "共生链与闭环", "ratings": "企业评级"}


def _read_policy(path: Path | None) -> dict[str, Any] | None:
    """The rating-policy overrides of a JSON file (a 422 naming the file when it is not a JSON object)."""
    if path is None:
        return None
    from marketplace.errors import ValidationFailed

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"cannot read the rating policy {path}: {exc} (无法读取评级参数文件)",
                               {"rating_policy": [f"{exc} (文件无法读取)"]}) from None
    if not isinstance(doc, dict):
        raise ValidationFailed(f"the rating policy {path} must be a JSON object (评级参数文件须为 JSON 对象)",
                               {"rating_policy": ["must be a JSON object of settings (须为参数设置的 JSON 对象)"]})
    return doc


@command("report")
@click.option("--park", default=None, help="Park code (default: every park).")
@click.option("--format", "fmt", type=click.Choice(("html", "json", "csv", "xlsx")), default=None,
              help="Output format (default: from the --out suffix, else html). csv writes a folder, or a .zip.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Where to write the report ('-': stdout, with --format json).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First park day of the period (default: the 365 days ending on --to, both included).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last park day (default: today).")
@click.option("--rating-policy", "policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="JSON file of rating thresholds over the park's own and the defaults.")
@json_option
@click.pass_obj
def report(cli: Cli, park: str | None, fmt: str | None, out: Path, start, end, policy_file: Path | None) -> None:
    """Symbiosis chains, closed loops, zero-waste KPIs and enterprise ratings."""
    from marketplace.services.reports.document import build_report

    fmt = fmt or SUFFIX_FORMATS.get(out.suffix.lower(), "html")
    check_out(fmt, out)                 # before the report is built: a wrong --out fails at once
    policy = _read_policy(policy_file)
    started = time.perf_counter()
    say(f"{'园区 ' + park + ' ' if park else '全部园区'}报告 → {out}（{fmt}）",
        f"report {'park ' + park if park else 'of every park'} → {out} ({fmt})")

    def progress(step: str, done: int, total: int) -> None:
        seconds = time.perf_counter() - started
        info("  " + text(f"[{done}/{total}] {STEP_ZH.get(step, step)}已完成（{seconds:.2f} 秒）",
                         f"[{done}/{total}] {step} done ({seconds:.2f} s)"))

    with cli.transaction() as session:
        doc = build_report(session, cli.operator(), park=park, start=start.date() if start else None,
                           end=end.date() if end else None, policy=policy, progress=progress)
    built = time.perf_counter()
    files = write_report(doc, fmt, out)
    seconds = time.perf_counter() - started
    summary = {"format": fmt, "out": str(out), "files": [str(f) for f in files],
               "bytes": sum(f.stat().st_size for f in files if f.is_file()),
               "period": doc["period"], "park": doc["park"], "flows": doc["stats"]["flows"],
               "chains": doc["stats"]["chains"], "loops": doc["stats"]["loops"],
               "ratings": len(doc["ratings"]), "build_seconds": round(built - started, 3),
               "seconds": round(seconds, 3)}
    for line in report_summary_lines(doc):
        info(line)
    info("  " + text(f"已写入 {len(files)} 个文件，共 {summary['bytes']:,} 字节，至 {out}，用时 {seconds:.2f} 秒"
                     f"（生成 {summary['build_seconds']:.2f} 秒）",
                     f"wrote {len(files)} file(s), {summary['bytes']:,} bytes, to {out} in {seconds:.2f} s "
                     f"(built in {summary['build_seconds']:.2f} s)"))
    if cli.as_json and str(out) != "-":
        emit_json(summary)


@command("rating-policy")
@click.argument("park")
@click.option("--set", "policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Store these overrides (JSON file) as the park's rating thresholds.")
@click.option("--reset", is_flag=True, help="Forget the park's overrides: back to the defaults.")
@json_option
@click.pass_obj
def rating_policy(cli: Cli, park: str, policy_file: Path | None, reset: bool) -> None:
    """Show or set a park's rating thresholds for its reports."""
    from marketplace.services.reports.rating_policy import rating_policy_view, set_rating_policy

    if policy_file is not None and reset:
        raise click.UsageError(text("--set 与 --reset 不能同时使用", "--set and --reset exclude each other"))
    with cli.transaction() as session:
        if policy_file is not None or reset:
            doc = set_rating_policy(session, cli.operator(), park, {} if reset else _read_policy(policy_file))
        else:
            doc = rating_policy_view(session, cli.operator(), park)
    if cli.as_json:
        emit_json(doc)
        return
    overrides = json.dumps(doc["overrides"], ensure_ascii=False)
    say(f"园区 {doc['park']}：自定义评级参数 {overrides}", f"park {doc['park']}: overrides {overrides}")
    for key, value in doc["effective"].items():
        click.echo(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
