"""`wastematch eecm`: a park's EECM indicator tree, the assessments, and a coordinator's scoring (EECM 评估).

The commands act as the local operator (an admin). ``tree`` shows the tree in effect (``--json``: the
document ``--set`` takes, so it can be edited and stored back); ``list`` the assessments; ``score`` scores a
submitted assessment from a JSON file ``{leaf_code: {"score": 0…1, "note": "…"}}``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .context import Cli
from .help_text import group
from .output import emit_json, json_option, say, text


def _read_json(path: Path, field: str) -> dict[str, Any]:
    """A JSON object from ``path`` (a 422 naming ``field`` when it is unreadable or not an object)."""
    from marketplace.errors import ValidationFailed

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"cannot read {path}: {exc} (文件无法读取)",
                               {field: [f"{exc} (文件无法读取)"]}) from None
    if not isinstance(doc, dict):
        raise ValidationFailed(f"{path} must hold a JSON object (须为 JSON 对象)",
                               {field: ["must be a JSON object (须为 JSON 对象)"]})
    return doc


@group("eecm")
def eecm() -> None:
    """EECM assessments: the indicator tree, self-assessments and scoring."""


@eecm.command("tree")
@click.option("--park", default=None, help="Park code (default: the built-in tree every park starts from).")
@click.option("--set", "tree_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Store this tree (JSON file, the shape --json prints) as the park's own.")
@click.option("--reset", is_flag=True, help="Forget the park's own tree: back to the default.")
@json_option
@click.pass_obj
def tree(cli: Cli, park: str | None, tree_file: Path | None, reset: bool) -> None:
    """Show or set a park's EECM indicator tree."""
    from marketplace.services.governance.eecm import park_tree_view, set_park_tree

    if tree_file is not None and reset:
        raise click.UsageError(text("--set 与 --reset 不能同时使用", "--set and --reset exclude each other"))
    if park is None and (tree_file is not None or reset):
        raise click.UsageError(text("--set 和 --reset 须与 --park 一起使用", "--set and --reset need --park"))
    with cli.transaction() as session:
        if park is None:
            from catalog.eecm import DEFAULT_TREE, tree_dict

            doc = {"park": None, "custom": False, "override": None, "tree": tree_dict(DEFAULT_TREE)}
        elif tree_file is not None or reset:
            doc = set_park_tree(session, cli.operator(), park, None if reset else _read_json(tree_file, "tree"))
        else:
            doc = park_tree_view(session, cli.operator(), park)
    if cli.as_json:
        emit_json(doc["tree"])
        return
    park_code, bonus_max = doc["park"] or "—", doc["tree"]["bonus_max"]
    say(f"园区 {park_code}：{'自定义' if doc['custom'] else '默认'}指标体系（评级加分上限 {bonus_max:g}）",
        f"park {park_code}: {'custom' if doc['custom'] else 'default'} (bonus max {bonus_max:g})")

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for n in nodes:
            click.echo(f"{'  ' * depth}{n['code']}  {text(n['name_zh'], n['name_en'])}  ×{n['weight']:g}")
            walk(n.get("children", []), depth + 1)
    walk(doc["tree"]["elements"], 0)


@eecm.command("list")
@click.option("--park", default=None, help="Park code (default: every park).")
@click.option("--year", type=int, default=None, help="Assessment year.")
@json_option
@click.pass_obj
def list_cmd(cli: Cli, park: str | None, year: int | None) -> None:
    """The assessments, newest year first."""
    from marketplace.services.governance.eecm import STATUS_REASON, assessment_views

    with cli.transaction() as session:
        rows = assessment_views(session, cli.operator(), park=park, year=year)
    if cli.as_json:
        emit_json({"assessments": [{k: r[k] for k in ("id", "enterprise", "park", "year", "status", "self_total",
                                                       "total", "bonus")} for r in rows]})
        return
    # STATUS_REASON writes each status with its Chinese in brackets: "scored (已评分)"
    status_zh = {status: reason[len(status) + 2:-1] for status, reason in STATUS_REASON.items()}
    say(f"共 {len(rows)} 份 EECM 评估", f"{len(rows)} assessment(s)")
    for r in rows:
        total = "—" if r["total"] is None else f"{r['total'] * 100:.1f}"
        bonus = "—" if r["bonus"] is None else f"{r['bonus']:.4f}"
        status = text(status_zh.get(r["status"], r["status"]), r["status"])
        click.echo(f"{r['id']:>5}  {r['year']}  {r['enterprise']['ref']:<12} {status:<10} "
                   f"{text('自评', 'self')} {r['self_total'] * 100:.1f}  {text('总分', 'total')} {total}  "
                   f"{text('加分', 'bonus')} {bonus}")


@eecm.command("score")
@click.argument("assessment_id", type=int)
@click.option("--file", "scores_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON file {"LEAF": {"score": 0…1, "note": "…"}}.')
@json_option
@click.pass_obj
def score_cmd(cli: Cli, assessment_id: int, scores_file: Path) -> None:
    """Score a submitted assessment: total over the park's tree and the rating bonus."""
    from marketplace.services.governance.eecm import assessment_view, score_assessment

    scores = _read_json(scores_file, "scores")
    with cli.transaction() as session:
        doc = assessment_view(session, score_assessment(session, cli.operator(), assessment_id, scores))
    if cli.as_json:
        emit_json(doc)
        return
    ref, year, total, bonus = doc["enterprise"]["ref"], doc["year"], doc["total"] * 100, doc["bonus"]
    click.echo(text(f"EECM 评估 {doc['id']}（{ref} {year}）：总分 {total:.1f}，加分 {bonus:.4f}",
                    f"assessment {doc['id']} ({ref} {year}): total {total:.1f}, bonus {bonus:.4f}"))
    if doc["missing"]:
        missing = ", ".join(doc["missing"])
        say(f"未评分（计 0）：{missing}", f"not scored (count 0): {missing}")
