"""``wastematch demo --no-serve``: the demonstration park set up end to end, twice."""
from __future__ import annotations

import json

import pytest

from tests.conftest import DEMO_PARK, HW_LIST_PDF

from .runner import run, run_json


@pytest.mark.skipif(not DEMO_PARK.exists(), reason="demo park not written yet")
def test_demo_sets_up_everything_without_serving(backend, fresh_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("WASTEMATCH_INSTANCE_PATH", str(tmp_path))
    url = fresh_database_url(backend)
    result = run(url, "demo", "--no-serve")
    assert "demo ready" in result.stderr
    # The park report: written where the summary says, with chains and the NMP loop.
    report = tmp_path / "reports" / "demo-report.html"
    assert str(report) in result.stderr and "closed loops 闭环" in result.stderr
    assert "常熟澄源溶剂再生有限公司" in report.read_text(encoding="utf-8")
    doc = json.loads(run(url, "export", "-").stdout)
    assert len(doc["enterprises"]) >= 50 and len(doc["listings"]) >= 120
    if HW_LIST_PDF.exists():
        assert len(run_json(url, "catalog", "codes")) == 467
    # Four months of transfers with manifests, ledger entries, findings and alerts.
    assert "shipments (" in result.stderr and "ledger entries" in result.stderr
    shipments = run_json(url, "transfers", "list")
    assert len(shipments) >= 40
    kinds = {a["kind"] for a in run_json(url, "alerts", "list")}
    assert {"weight_mismatch", "not_received", "manifest_open", "licence_expiring", "licence_capacity"} <= kinds
    # Last year's governance: the roster with its banned use and overdue audit, two disclosures published.
    assert "roster: E-022, E-054; violations: 1 banned_use, 1 obligation_overdue" in result.stderr
    assert "2 disclosures published" in result.stderr
    again = run(url, "demo", "--no-serve")  # twice is fine: refs update in place, the history is kept
    assert "history left as it is" in again.stderr and "governance year left as it is" in again.stderr
    assert len(json.loads(run(url, "export", "-").stdout)["listings"]) == len(doc["listings"])
    assert len(run_json(url, "transfers", "list")) == len(shipments)
    assert kinds <= {a["kind"] for a in run_json(url, "alerts", "list", "--status", "open")}
