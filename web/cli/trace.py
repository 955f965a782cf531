"""`wastematch trace CODE`: the whole path of a container, manifest or ledger batch (全程追溯).

The command acts as the local operator (an admin: every step is shown). Text mode prints the
path as an indented tree on stdout, each step in Chinese with its English line beneath, tonnes
and dates; ``--json`` prints the document of ``marketplace.services.traceability.trace`` as it is.
"""
from __future__ import annotations

from typing import Any

import click

from .context import Cli
from .output import emit_json, info, json_option

KIND_ZH = {"container": "容器 container", "manifest": "联单 manifest", "batch": "台账批次 ledger batch"}


def tree_lines(doc: dict[str, Any]) -> list[str]:
    """The trace as indented lines: a step's children below it, Chinese first, English beneath."""
    nodes = doc["nodes"]
    children: dict[int | None, list[dict[str, Any]]] = {}
    for n in nodes:
        children.setdefault(n["parent"], []).append(n)
    lines = [f"全程追溯 {doc['query']}（{KIND_ZH.get(doc['kind'], doc['kind'])}）  trace of {doc['query']}"]

    def walk(node: dict[str, Any], depth: int) -> None:
        pad = "    " * depth
        lead = "" if node["parent"] is None else f"└─ [{node['relation_zh']} {node['relation']}] "
        date = f"  {node['date']}" if node["date"] else ""
        mark = "  ◀ 查询 queried" if node["queried"] else ""
        lines.append(f"{pad}{lead}{node['label_zh']}{date}{mark}")
        lines.append(f"{pad}{' ' * (3 if lead else 0)}   {node['label_en']}")
        for child in children.get(node["index"], []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    s = doc["summary"]
    lines.append(f"合计：{s['text_zh']}")
    lines.append(f"Summary: {s['text_en']}")
    if doc["hidden"]:
        lines.append(f"另有 {doc['hidden']} 个环节未公开  {doc['hidden']} step(s) withheld")
    if doc["truncated"]:
        lines.append("路径过长，已截断  the path was truncated")
    return lines


@click.command("trace")
@click.argument("code")
@json_option
@click.pass_obj
def trace_cmd(cli: Cli, code: str) -> None:
    """The whole path of CODE: a container code, a manifest number, or a ledger batch REF:BATCH / ledger:ID.

    Producer → offer → match → shipment (manifest, containers) → receiver → what it became in
    the ledgers (全程追溯).
    """
    from marketplace.services.traceability.trace import trace

    with cli.transaction() as session:
        doc = trace(session, cli.operator(), code)
    if cli.as_json:
        emit_json(doc)
        return
    for line in tree_lines(doc):
        click.echo(line)
    info(f"{len(doc['nodes'])} steps (环节)")
