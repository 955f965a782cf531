"""``wastematch trace CODE [--json]``: the path as one JSON document, or as an indented bilingual tree."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from tests.factories import load_api_park
from tests.marketplace.services.traceability.test_trace import CLINKER, FULL_PATH, PRODUCT, build_chain, principals

from .conftest import init, written
from .runner import chinese_words, english_sentences, run, run_in, run_json


def _chain(session: Session) -> dict[str, str]:
    """The traced chain of the API park: its container's and manifest's codes."""
    c = build_chain(session, principals(session, load_api_park(session)))
    return {"container": c.shipment.containers[1].code, "manifest": c.shipment.manifest_number}


@pytest.fixture()
def traced(backend, database_copy):
    return database_copy(backend, "init+api-park+chain", lambda url: (init(url), written(url, _chain))[1])


def test_json_is_the_trace_document(traced):
    url, codes = traced
    doc = run_json(url, "trace", codes["container"])
    assert (doc["query"], doc["kind"], doc["hidden"]) == (codes["container"], "container", 0)
    assert [n["type"] for n in doc["nodes"]] == FULL_PATH  # the operator sees every step
    assert [p["product"] for p in doc["summary"]["products"]] == [PRODUCT, CLINKER]
    assert run_json(url, "trace", "E-4:U-RB-001")["nodes"][0]["ref"] == "E-2"


def test_text_is_an_indented_tree_chinese_first(traced):
    url, codes = traced
    result = run(url, "trace", codes["manifest"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"全程追溯 {codes['manifest']}")
    producer = next(i for i, line in enumerate(lines) if line.startswith("产生单位"))
    assert lines[producer + 1].strip().startswith("Producer")  # English beneath the Chinese
    manifest = next(line for line in lines if "转移联单" in line)
    container = next(line for line in lines if "容器 " + codes["container"] in line)
    product = next(line for line in lines if PRODUCT in line and "台账出库" in line)
    indent = lambda line: len(line) - len(line.lstrip())
    assert indent(manifest) < indent(container) < indent(product)
    assert "发运 40 吨" in manifest and "接收 39.6 吨" in manifest and re.search(r"  \d{4}-\d{2}-\d{2}", manifest)
    assert "含量 0.3" in product and "◀ 查询" in manifest and "◀ 查询" not in container
    assert lines[-2].startswith("合计：发运 40 吨") and lines[-1].startswith("Summary: dispatched 40 t")
    assert "steps" in result.stderr


def test_an_unknown_code_fails_naming_it(traced):
    url, _ = traced
    result = run(url, "trace", "NO-SUCH-CODE", ok=False)
    assert result.exit_code == 1 and "NO-SUCH-CODE" in result.stderr
    doc = run_json(url, "trace", "NO-SUCH-CODE", ok=False)
    assert doc["code"] == 404 and "code" in doc["errors"]


def test_the_tree_in_one_language(traced):
    url, codes = traced
    zh = run_in("zh", url, "trace", codes["manifest"])
    # What was typed in English (the chain's chemicals and products: "base oil") is data, not the tree's words.
    nodes = run_json(url, "trace", codes["manifest"])["nodes"]
    said = zh.stderr + zh.stdout
    for typed in sorted({n[f] for n in nodes for f in ("chemical_name", "product") if n[f]}, key=len, reverse=True):
        said = said.replace(typed, " ")
    assert english_sentences(said) == [], said
    lines = zh.stdout.splitlines()
    assert lines[0] == f"全程追溯 {codes['manifest']}（联单）" and lines[-1].startswith("合计：发运 40 吨")
    assert "◀ 查询" in zh.stdout and "queried" not in zh.stdout and "个环节" in zh.stderr
    en = run_in("en", url, "trace", codes["manifest"])
    lines = en.stdout.splitlines()
    assert chinese_words(en.stderr) == [] and not any(line.lstrip().startswith("产生单位") for line in lines)
    assert lines[0] == f"trace of {codes['manifest']} (manifest)" and lines[-1].startswith("Summary: dispatched 40 t")
    producer = next(i for i, line in enumerate(lines) if line.startswith("Producer"))
    assert lines[producer + 1].lstrip().startswith("└─ [listed] Offer")  # one line a step, its relation in English
    assert "◀ queried" in en.stdout and "steps" in en.stderr
