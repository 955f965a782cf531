"""`wastematch trace CODE`: the whole path of a container, manifest or ledger batch (全程追溯).

The command acts as the local operator (an admin: every step is shown). Text mode prints the
path as an indented tree on stdout, each step in the invocation's language (with ``--lang both``, in
Chinese with its English line beneath), tonnes and dates; ``--json`` prints the document of
``marketplace.services.traceability.trace`` as it is.
"""
from __future__ import annotations

from typing import Any

import click

from .context import Cli
from .help_text import command
from .output import emit_json, json_option, say

# What the code named, in Chinese and in English.
KIND_NAMES = {"container": ("容器", "container"), "manifest": ("联单", "manifest"), "batch": ("台账批次", "ledger batch")}


def tree_lines(doc: dict[str, Any], lang: str = "both") -> list[str]:
    """The trace as indented lines, a step's children below it, in ``lang`` (``Cli.lang``): ``zh``, ``en``, or
    ``both`` with each step's Chinese line first and its English line beneath."""
    zh, en = lang != "en", lang != "zh"

    def pair(zh_text: str, en_text: str, sep: str = "  ") -> str:
        """A short text in the language(s) asked, both on one line."""
        return sep.join(t for t, wanted in ((zh_text, zh), (en_text, en)) if wanted)

    nodes = doc["nodes"]
    children: dict[int | None, list[dict[str, Any]]] = {}
    for n in nodes:
        children.setdefault(n["parent"], []).append(n)
    kind_zh, kind_en = KIND_NAMES.get(doc["kind"], (doc["kind"], doc["kind"]))
    q = doc["query"]
    header_en = f"trace of {q}" + ("" if zh else f" ({kind_en})")  # in both, the kind is in the Chinese bracket
    lines = [pair(f"全程追溯 {q}（{pair(kind_zh, kind_en, ' ')}）", header_en)]

    def walk(node: dict[str, Any], depth: int) -> None:
        pad = "    " * depth
        lead = "" if node["parent"] is None else f"└─ [{pair(node['relation_zh'], node['relation'], ' ')}] "
        date = f"  {node['date']}" if node["date"] else ""
        mark = f"  ◀ {pair('查询', 'queried', ' ')}" if node["queried"] else ""
        if zh:
            lines.append(f"{pad}{lead}{node['label_zh']}{date}{mark}")
        if zh and en:  # the English line beneath the Chinese, aligned with its text
            lines.append(f"{pad}{' ' * (3 if lead else 0)}   {node['label_en']}")
        elif en:
            lines.append(f"{pad}{lead}{node['label_en']}{date}{mark}")
        for child in children.get(node["index"], []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    s = doc["summary"]
    if zh:
        lines.append(f"合计：{s['text_zh']}")
    if en:
        lines.append(f"Summary: {s['text_en']}")
    if doc["hidden"]:
        lines.append(pair(f"另有 {doc['hidden']} 个环节未公开", f"{doc['hidden']} step(s) withheld"))
    if doc["truncated"]:
        lines.append(pair("路径过长，已截断", "the path was truncated"))
    return lines


@command("trace")
@click.argument("code")
@json_option
@click.pass_obj
def trace_cmd(cli: Cli, code: str) -> None:
    """The whole path of CODE: a container code, a manifest number, or a ledger batch REF:BATCH / ledger:ID.

    Producer → offer → match → shipment (manifest, containers) → receiver → what it became in
    the ledgers.
    """
    from marketplace.services.traceability.trace import trace

    with cli.transaction() as session:
        doc = trace(session, cli.operator(), code)
    if cli.as_json:
        emit_json(doc)
        return
    for line in tree_lines(doc, cli.lang):
        click.echo(line)
    say(f"{len(doc['nodes'])} 个环节", f"{len(doc['nodes'])} steps")
