"""The messy-input evaluation: it types the documented synergies as users do and measures all three variants.

Scores are the benchmark's to report (benchmarks/results/messy_eval.json). The test holds the
two promises that are not a matter of degree: no unrelated need in any top-5 list, and nothing
lost on clean input (every documented receiver still in its offer's top 5).
"""
from __future__ import annotations

import json

import pytest

from benchmarks.eval_messy import add_distractors, make_messy, run
from benchmarks.eval_synergies import DEFAULT_FILE


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_messy_offers_are_titled_in_chinese_only_and_half_their_rows_lose_the_cas(doc):
    messy = make_messy(doc, seed=3)
    offers = [x for x in messy["listings"] if x["kind"] == "offer"]
    assert all(not x.get("title") and x.get("title_zh") for x in offers)
    rows = [r for x in offers for r in x.get("composition") or []]
    named = [r for r in rows if "name" in r]
    assert all(("cas" in r) != ("name" in r) for r in rows)  # each row keeps one of the two
    assert 0.4 < len(named) / len(rows) < 0.65
    assert messy["expected"] == doc["expected"]


def test_distractors_are_nearby_needs_of_their_own(doc):
    more, refs = add_distractors(doc, per_park=2)
    parks = {e["park"] for e in doc["enterprises"]}
    assert len(refs) == 2 * len(parks)
    needs = {x["ref"]: x for x in more["listings"]}
    assert all(needs[r]["kind"] == "need" and needs[r]["enterprise"].startswith("X-") for r in refs)


def test_no_unrelated_need_in_any_top_five_and_clean_input_keeps_every_receiver(doc):
    result = run(doc, per_park=4)
    for name, variant in result["variants"].items():
        assert variant["distractors_in_top5"] == {"lists": 0, "entries": 0}, name
    assert result["variants"]["clean"]["hit@5"] == 1.0
    assert set(result["variants"]["messy"]) >= {"hit@1", "hit@5", "mrr"}
