"""Smoke test of benchmarks/bench_governance.py: its generated survey is a valid document, and a tiny run works."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from catalog.control_lists import controlled_by_cas
from marketplace.schemas.survey import SurveyDocumentSchema

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import bench_governance as bench  # noqa: E402


def _args(**kw):
    base = {"substances": 20, "controlled_share": 0.1, "banned": 3}
    return SimpleNamespace(**{**base, **kw})


def test_generated_survey_is_valid_and_plants_what_it_says():
    _park, refs = bench.park_document(60, 2, random.Random(0))
    doc, planted = bench.declarations(refs, 2025, _args(), random.Random(1))
    SurveyDocumentSchema().load(doc)  # raises on any error
    assert planted["declarations"] == 60 and planted["rows"] == 60 * 20
    assert planted["banned_enterprises"] == 3 and planted["controlled_enterprises"] == 6
    banned = {cas for cas, *_ in bench.BANNED}
    assert sum(1 for d in doc["declarations"] for r in d["substances"] if r["cas"] in banned) == 3
    for cas, _name in bench.ordinary_pool():  # ordinary chemicals put nobody on the roster
        assert not any({"cn_new_pollutants_2023", "stockholm"} & set(s.lists) for s in controlled_by_cas(cas))


def test_a_tiny_run_prints_one_json_document_with_counts(tmp_path):
    out = tmp_path / "gov.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_governance.py"), "--enterprises", "30",
                           "--substances", "5", "--banned", "2", "--repeats", "1", "--no-cli", "--out", str(out)],
                          capture_output=True, text=True, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(out.read_text(encoding="utf-8"))
    counts = doc["counts"]
    assert counts["declarations"] == {"accepted": 30} and counts["rows"] == 150
    assert counts["violations"]["banned_use"] == 2  # exactly the planted prohibited uses
    assert counts["roster_entries"] >= 2 and set(doc["median_s"]) >= {"import_s", "checks_s", "roster_s"}
