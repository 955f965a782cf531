"""`wastematch report`: the park's symbiosis chains, closed loops, zero-waste KPIs and ratings, to a file."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from .cli import Cli, emit_json, info, json_option, main

SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".json": "json", ".xlsx": "xlsx", ".csv": "csv", ".zip": "csv"}


def _read_policy(path: Path | None) -> dict[str, Any] | None:
    """The rating-policy overrides of a JSON file (a 422 naming the file when it is not a JSON object)."""
    if path is None:
        return None
    from marketplace.errors import ValidationFailed

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"cannot read the rating policy {path}: {exc}", {"rating_policy": [str(exc)]}) from None
    if not isinstance(doc, dict):
        raise ValidationFailed(f"the rating policy {path} must be a JSON object",
                               {"rating_policy": ["must be a JSON object of settings"]})
    return doc


def report_summary_lines(doc: dict[str, Any]) -> list[str]:
    """What the report found, in a few bilingual lines (for the terminal and the demo)."""
    k = doc["kpis"]["park"]
    r, a = k["realised"], k["approved"]
    grades: dict[str, int] = {}
    for row in doc["ratings"]:
        grades[row["grade"] or "-"] = grades.get(row["grade"] or "-", 0) + 1
    loops = [c for c in doc["loops"] if c["level"] == "enterprise"]
    chains = [c for c in doc["chains"] if c["level"] == "enterprise"]
    return [
        f"  {doc['title_zh']} ({doc['period']['from']} … {doc['period']['to']})",
        f"  offered 供给 {k['offered_t']:,.0f} t/a; approved 已批准 {a['tonnes']:,.0f} t/a "
        f"(utilisation 利用率 {100 * (k['utilisation_rate'] or 0):.0f}%); transferred 已转移 {r['tonnes']:,.1f} t "
        f"in {r['flows']} flows",
        f"  diverted 减少填埋 {r['diverted_landfill_t']:,.1f} t / 减少焚烧 {r['diverted_incineration_t']:,.1f} t; "
        f"{r['tonne_km']:,.0f} t·km; net avoided 净减排 {r['net_co2e_avoided_t']:,.1f} t CO2e",
        f"  enterprise-level chains 共生链 {len(chains)}, closed loops 闭环 {len(loops)}; ratings 评级 "
        + ", ".join(f"{g} {n}" for g, n in sorted(grades.items())),
    ]


def check_out(fmt: str, out: Path) -> None:
    """Refuse an ``--out`` that ``fmt`` cannot be written to, before the report is built (a usage error, exit 2).

    csv writes a ``.zip`` file when ``out`` ends with ``.zip``, else a folder (``report_render.write_csv``);
    html, json and xlsx write one file; ``-`` is stdout, for json only.
    """
    if str(out) == "-":
        if fmt != "json":
            raise click.UsageError(f"--out: - (标准输出) 仅用于 --format json / - (stdout) is only for --format json, "
                                   f"not {fmt}")
        return
    folder = fmt == "csv" and out.suffix.lower() != ".zip"
    if folder and out.exists() and not out.is_dir():
        raise click.UsageError(f"--out: {out} 是已存在的文件，CSV 需要一个文件夹或 .zip / is an existing file; "
                               "csv writes a folder or a .zip")
    if not folder and out.is_dir():
        zh, en = (".zip 文件", "a .zip file") if fmt == "csv" else (f" {fmt.upper()} 文件", f"one {fmt} file")
        raise click.UsageError(f"--out: {out} 是已存在的文件夹，需要一个{zh} / is an existing folder; "
                               f"{fmt} writes {en}")
    # The folders on the way are created when written: none of them may be a file.
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise click.UsageError(f"--out: {parent} 是文件，不是文件夹 / is a file, not a folder")
            break


def report_json(doc: dict[str, Any]) -> str:
    """The report document as JSON text (``wastematch.report.v1``), as ``report_render.render`` writes it."""
    return json.dumps(doc, ensure_ascii=False, indent=1)


def write_report(doc: dict[str, Any], fmt: str, out: Path) -> list[Path]:
    """Render ``doc`` as ``fmt`` to ``out`` (``-`` with json: stdout); the files written."""
    check_out(fmt, out)
    if str(out) == "-":
        click.echo(report_json(doc))
        return []
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        # Not through report_render: importing it (plotly, openpyxl, the matching engine via the manifests,
        # scikit-learn) takes about 2 s, only to dump the document.
        out.write_text(report_json(doc), encoding="utf-8")
        return [out]
    from marketplace.services.reports.render import render

    return list(render(doc, fmt, out))


@main.command("report")
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
    """Symbiosis chains, closed loops, zero-waste KPIs and enterprise ratings (产业共生与无废城市报告)."""
    from marketplace.services.reports.document import build_report

    fmt = fmt or SUFFIX_FORMATS.get(out.suffix.lower(), "html")
    check_out(fmt, out)                 # before the report is built: a wrong --out fails at once
    policy = _read_policy(policy_file)
    started = time.perf_counter()
    info(f"report {'park ' + park if park else 'of every park'} → {out} ({fmt})")

    def progress(step: str, done: int, total: int) -> None:
        info(f"  [{done}/{total}] {step} done ({time.perf_counter() - started:.2f} s)")

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
    info(f"  wrote {len(files)} file(s), {summary['bytes']:,} bytes, to {out} in {seconds:.2f} s "
         f"(built in {summary['build_seconds']:.2f} s)")
    if cli.as_json and str(out) != "-":
        emit_json(summary)


@main.command("rating-policy")
@click.argument("park")
@click.option("--set", "policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Store these overrides (JSON file) as the park's rating thresholds.")
@click.option("--reset", is_flag=True, help="Forget the park's overrides: back to the defaults.")
@json_option
@click.pass_obj
def rating_policy(cli: Cli, park: str, policy_file: Path | None, reset: bool) -> None:
    """Show or set a park's rating thresholds for its reports (评级参数)."""
    from marketplace.services.reports.rating_policy import rating_policy_view, set_rating_policy

    if policy_file is not None and reset:
        raise click.UsageError("--set and --reset exclude each other")
    with cli.transaction() as session:
        if policy_file is not None or reset:
            doc = set_rating_policy(session, cli.operator(), park, {} if reset else _read_policy(policy_file))
        else:
            doc = rating_policy_view(session, cli.operator(), park)
    if cli.as_json:
        emit_json(doc)
        return
    info(f"park {doc['park']}: overrides {json.dumps(doc['overrides'], ensure_ascii=False) or '{}'}")
    for key, value in doc["effective"].items():
        click.echo(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
