"""A report document on its way out: written as html, json, csv or xlsx, and summarised on the terminal.

Shared by ``wastematch report`` and ``wastematch demo``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .output import text


def report_summary_lines(doc: dict[str, Any]) -> list[str]:
    """What the report found, in a few lines in the invocation's language (for the terminal and the demo)."""
    from marketplace.services.reports.ratings import GRADE_ZH

    k = doc["kpis"]["park"]
    r, a = k["realised"], k["approved"]
    grades: dict[str | None, int] = {}
    for row in doc["ratings"]:
        grades[row["grade"]] = grades.get(row["grade"], 0) + 1
    # An enterprise without a grade: "-" in English, 未评级 in Chinese.
    graded = sorted(grades.items(), key=lambda item: item[0] or "-")
    loops = [c for c in doc["loops"] if c["level"] == "enterprise"]
    chains = [c for c in doc["chains"] if c["level"] == "enterprise"]
    period = f"{doc['period']['from']} … {doc['period']['to']}"
    utilisation = f"{100 * (k['utilisation_rate'] or 0):.0f}%"
    return ["  " + line for line in (
        text(f"{doc['title_zh']}（{period}）", f"{doc['title_en']} ({period})"),
        text(f"供给 {k['offered_t']:,.0f} t/年；已批准 {a['tonnes']:,.0f} t/年（利用率 {utilisation}）；"
             f"已转移 {r['tonnes']:,.1f} t，共 {r['flows']} 条物料流",
             f"offered {k['offered_t']:,.0f} t/a; approved {a['tonnes']:,.0f} t/a (utilisation {utilisation}); "
             f"transferred {r['tonnes']:,.1f} t in {r['flows']} flows"),
        text(f"减少填埋 {r['diverted_landfill_t']:,.1f} t、减少焚烧 {r['diverted_incineration_t']:,.1f} t；"
             f"{r['tonne_km']:,.0f} t·km；净减排 {r['net_co2e_avoided_t']:,.1f} t CO2e",
             f"diverted from landfill {r['diverted_landfill_t']:,.1f} t / from incineration "
             f"{r['diverted_incineration_t']:,.1f} t; {r['tonne_km']:,.0f} t·km; "
             f"net avoided {r['net_co2e_avoided_t']:,.1f} t CO2e"),
        text(f"企业级共生链 {len(chains)} 条，闭环 {len(loops)} 个；评级 "
             + "、".join(f"{g or GRADE_ZH[None]} {n}" for g, n in graded),
             f"enterprise-level chains {len(chains)}, closed loops {len(loops)}; ratings "
             + ", ".join(f"{g or '-'} {n}" for g, n in graded)),
    )]


def check_out(fmt: str, out: Path) -> None:
    """Refuse an ``--out`` that ``fmt`` cannot be written to, before the report is built (a usage error, exit 2).

    csv writes a ``.zip`` file when ``out`` ends with ``.zip``, else a folder (``report_render.write_csv``);
    html, json and xlsx write one file; ``-`` is stdout, for json only.
    """
    if str(out) == "-":
        if fmt != "json":
            raise click.UsageError(text(f"--out: -（标准输出）仅用于 --format json，不能用于 {fmt}",
                                        f"--out: - (stdout) is only for --format json, not {fmt}"))
        return
    folder = fmt == "csv" and out.suffix.lower() != ".zip"
    if folder and out.exists() and not out.is_dir():
        raise click.UsageError(text(f"--out: {out} 是已存在的文件，CSV 需要一个文件夹或 .zip",
                                    f"--out: {out} is an existing file; csv writes a folder or a .zip"))
    if not folder and out.is_dir():
        zh, en = (".zip 文件", "a .zip file") if fmt == "csv" else (f" {fmt.upper()} 文件", f"one {fmt} file")
        raise click.UsageError(text(f"--out: {out} 是已存在的文件夹，需要一个{zh}",
                                    f"--out: {out} is an existing folder; {fmt} writes {en}"))
    # The folders on the way are created when written: none of them may be a file.
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise click.UsageError(text(f"--out: {parent} 是文件，不是文件夹",
                                            f"--out: {parent} is a file, not a folder"))
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
        # Not through report_render: importing it (openpyxl, the matching engine via the manifests,
        # scikit-learn) takes seconds, only to dump the document.
        out.write_text(report_json(doc), encoding="utf-8")
        return [out]
    from marketplace.services.reports.render import render

    return list(render(doc, fmt, out))
