"""The documented-synergies benchmark: its data are sound and its evaluation runs end to end.

No target score is asserted here: the benchmark measures the engine, the tests only
check that it can.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "eval_synergies.py"
DATA = REPO / "benchmarks" / "synergies" / "documented_synergies.json"


def _load_module():
    spec = importlib.util.spec_from_file_location("eval_synergies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and typing look the module up by name
    spec.loader.exec_module(module)
    return module


ev = _load_module()


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result(doc) -> dict:
    return ev.evaluate(doc, top=5)


def test_shipped_file_is_a_valid_document_whose_expected_refs_all_exist(doc):
    assert doc["format"] == "wastematch.v1"
    assert ev.document_errors(doc, schema=True) == []
    kinds = {x["ref"]: x["kind"] for x in doc["listings"]}
    assert len(doc["expected"]) >= 40
    for offer, needs in doc["expected"].items():
        assert kinds[offer] == "offer"
        assert needs and all(kinds[n] == "need" for n in needs)
    receivers = {n for needs in doc["expected"].values() for n in needs}
    distractors = [r for r, k in kinds.items() if k == "need" and r not in receivers]
    assert len(distractors) >= 80


def test_records_from_document_converts_every_listing_and_licence(doc):
    offers, needs, licences = ev.records_from_document(doc, ev.DEFAULT_TODAY)
    kinds = [x["kind"] for x in doc["listings"]]
    assert len(offers) == kinds.count("offer") and len(needs) == kinds.count("need")
    assert len(licences) == sum(len(e.get("licences") or []) for e in doc["enterprises"])
    by_ref = {o.ref: o for o in offers}
    spl = by_ref["GLD-O-SPL"]
    assert spl.waste_code == "321-023-48" and spl.site.province == "Queensland" and spl.site.park == "GLD"
    assert "7681-49-4" in spl.composition  # keyed by CAS
    assert any(k.startswith("name:") for o in offers for k in o.composition)  # name-only components


def test_records_annualise_and_key_by_normalised_cas():
    doc = {"format": "wastematch.v1",
           "parks": [{"code": "P", "name": "园区", "province": "天津市", "lat": 39.0, "lon": 117.7,
                      "hw_max_distance_km": 80}],
           "enterprises": [{"ref": "A", "name": "A", "park": "P", "lat": 39.0, "lon": 117.7, "industry": "3982"},
                           {"ref": "B", "name": "B", "park": "P", "lat": 39.1, "lon": 117.6, "licences": [
                               {"number": "L1", "kind": "hw_comprehensive", "categories": ["HW22"],
                                "activities": ["utilise"], "annual_capacity_t": 500, "valid_from": "2025-01-01"}]}],
           "listings": [
               {"ref": "O", "kind": "offer", "enterprise": "A", "title": "etchant", "form": "liquid",
                "waste_code": "398-004-22", "quantity_t": 10, "period": "month",
                "composition": [{"cas": "７４４７－３９－４", "fraction": 0.25}, {"name": "Water  X", "fraction": 0.7}]},
               {"ref": "N", "kind": "need", "enterprise": "B", "title_zh": "回收铜", "forms": ["liquid"],
                "purpose": "recycle", "quantity_t": 100, "wanted": [{"cas": "7447-39-4", "min_fraction": 0.1}]}],
           "expected": {"O": ["N"]}}
    offers, needs, licences = ev.records_from_document(doc, dt.date(2026, 1, 1))
    assert offers[0].quantity_t == 120  # 10 t a month
    assert offers[0].composition == {"7447-39-4": 0.25, "name:water x": 0.7}
    assert offers[0].site.park_hw_max_km == 80 and offers[0].site.province == "天津市"
    assert needs[0].wanted == {"7447-39-4": 0.1} and needs[0].forms == frozenset({"liquid"})
    assert licences[0].remaining_t == 500 and licences[0].valid_to is None
    result = ev.evaluate(doc, top=1, today=dt.date(2026, 1, 1))
    assert result["cases"] == 1 and 0.0 <= result["metrics"]["mrr"] <= 1.0


def test_evaluation_reports_metrics_in_unit_interval(doc, result):
    assert result["cases"] == len(doc["expected"])
    for name in ("hit@1", "hit@5", "mrr"):
        assert 0.0 <= result["metrics"][name] <= 1.0
    assert result["metrics"]["hit@1"] <= result["metrics"]["hit@5"]
    ranks = [c["rank"] for c in result["per_case"]]
    assert all(r is None or 1 <= r <= ev.MRR_DEPTH for r in ranks)
    assert {c["offer"] for c in result["per_case"]} == set(doc["expected"])
    for miss in result["misses"]:
        assert "reasons" in miss


def test_misses_carry_the_engines_reasons(doc):
    # At top 1 some real receivers rank lower: each miss explains itself.
    r = ev.evaluate(doc, top=1)
    for miss in r["misses"]:
        reasons = miss["reasons"]
        assert "blocked_near" in reasons
        assert "expected_pairs" in reasons or "expected_pairs_error" in reasons


def test_command_line_prints_one_json_document(tmp_path, capsys, doc):
    # A held-out file of the same format: here a subset written elsewhere.
    keep = {"TEDA"}
    ents = [e for e in doc["enterprises"] if e["park"] in keep]
    refs = {e["ref"] for e in ents}
    small = {"format": "wastematch.v1", "parks": [p for p in doc["parks"] if p["code"] in keep],
             "enterprises": ents, "listings": [x for x in doc["listings"] if x["enterprise"] in refs],
             "expected": {o: n for o, n in doc["expected"].items() if o.startswith("TEDA-")}}
    path = tmp_path / "held_out.json"
    path.write_text(json.dumps(small, ensure_ascii=False), encoding="utf-8")
    assert ev.main([str(path), "--json", "--top", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cases"] == len(small["expected"]) and out["top"] == 3
    assert set(out["metrics"]) >= {"hit@1", "hit@5", "hit@3", "mrr"}


def test_command_line_rejects_a_dangling_expected_ref(tmp_path, capsys, doc):
    bad = dict(doc, expected={"NO-SUCH-OFFER": ["KAL-N-GYP"]})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    assert ev.main([str(path), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert any("NO-SUCH-OFFER" in e for e in out["errors"])
