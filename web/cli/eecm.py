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
from .output import emit_json, info, json_option


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


@click.group("eecm")
def eecm() -> None:
    """EECM assessments: the indicator tree, self-assessments and scoring (EECM 评估)."""


@eecm.command("tree")
@click.option("--park", default=None, help="Park code (default: the built-in tree every park starts from).")
@click.option("--set", "tree_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Store this tree (JSON file, the shape --json prints) as the park's own.")
@click.option("--reset", is_flag=True, help="Forget the park's own tree: back to the default.")
@json_option
@click.pass_obj
def tree(cli: Cli, park: str | None, tree_file: Path | None, reset: bool) -> None:
    """Show or set a park's EECM indicator tree (指标体系)."""
    from marketplace.services.governance.eecm import park_tree_view, set_park_tree

    if tree_file is not None and reset:
        raise click.UsageError("--set and --reset exclude each other")
    if park is None and (tree_file is not None or reset):
        raise click.UsageError("--set and --reset need --park")
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
    info(f"园区 park {doc['park'] or '—'}: {'自定义 custom' if doc['custom'] else '默认 default'} "
         f"(评级加分上限 bonus max {doc['tree']['bonus_max']:g})")

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for n in nodes:
            click.echo(f"{'  ' * depth}{n['code']}  {n['name_zh']} / {n['name_en']}  ×{n['weight']:g}")
            walk(n.get("children", []), depth + 1)
    walk(doc["tree"]["elements"], 0)


@eecm.command("list")
@click.option("--park", default=None, help="Park code (default: every park).")
@click.option("--year", type=int, default=None, help="Assessment year.")
@json_option
@click.pass_obj
def list_cmd(cli: Cli, park: str | None, year: int | None) -> None:
    """The assessments, newest year first (评估列表)."""
    from marketplace.services.governance.eecm import assessment_views

    with cli.transaction() as session:
        rows = assessment_views(session, cli.operator(), park=park, year=year)
    if cli.as_json:
        emit_json({"assessments": [{k: r[k] for k in ("id", "enterprise", "park", "year", "status", "self_total",
                                                       "total", "bonus")} for r in rows]})
        return
    info(f"{len(rows)} 份评估 assessment(s)")
    for r in rows:
        total = "—" if r["total"] is None else f"{r['total'] * 100:.1f}"
        bonus = "—" if r["bonus"] is None else f"{r['bonus']:.4f}"
        click.echo(f"{r['id']:>5}  {r['year']}  {r['enterprise']['ref']:<12} {r['status']:<10} "
                   f"self {r['self_total'] * 100:.1f}  total {total}  bonus {bonus}")


@eecm.command("score")
@click.argument("assessment_id", type=int)
@click.option("--file", "scores_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON file {"LEAF": {"score": 0…1, "note": "…"}}.')
@json_option
@click.pass_obj
def score_cmd(cli: Cli, assessment_id: int, scores_file: Path) -> None:
    """Score a submitted assessment (评分): total over the park's tree and the rating bonus."""
    from marketplace.services.governance.eecm import assessment_view, score_assessment

    scores = _read_json(scores_file, "scores")
    with cli.transaction() as session:
        doc = assessment_view(session, score_assessment(session, cli.operator(), assessment_id, scores))
    if cli.as_json:
        emit_json(doc)
        return
    click.echo(f"评估 assessment {doc['id']} ({doc['enterprise']['ref']} {doc['year']}): "
               f"得分 total {doc['total'] * 100:.1f}, 加分 bonus {doc['bonus']:.4f}")
    if doc["missing"]:
        info(f"未评分（计 0）not scored (count 0): {', '.join(doc['missing'])}")
