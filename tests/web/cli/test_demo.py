"""``wastematch demo --no-serve``: the demonstration park set up end to end, twice; in Chinese, in English."""
from __future__ import annotations

import json

import pytest

from tests.conftest import DEMO_PARK, HW_LIST_PDF

from .runner import chinese_words, english_sentences, run, run_in, run_json


@pytest.mark.skipif(not DEMO_PARK.exists(), reason="demo park not written yet")
def test_demo_sets_up_everything_without_serving(backend, fresh_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("WASTEMATCH_INSTANCE_PATH", str(tmp_path))
    url = fresh_database_url(backend)
    result = run_in("en", url, "demo", "--no-serve")  # in English: every line for people in English only
    assert "demo ready" in result.stderr and chinese_words(result.stderr) == [], result.stderr
    # The park report: written where the summary says, with chains and the NMP loop.
    report = tmp_path / "reports" / "demo-report.html"
    assert str(report) in result.stderr and "closed loops " in result.stderr
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


@pytest.mark.skipif(not DEMO_PARK.exists(), reason="demo park not written yet")
def test_demo_in_chinese_says_everything_in_chinese(fresh_database_url, tmp_path, monkeypatch):
    """A park coordinator's first run (``--lang zh``): every step, summary and the accounts' table in Chinese."""
    monkeypatch.setenv("WASTEMATCH_INSTANCE_PATH", str(tmp_path))
    result = run_in("zh", fresh_database_url("sqlite"), "demo", "--no-serve")
    assert english_sentences(result.stderr) == [], result.stderr
    assert "演示环境已就绪" in result.stderr and "[9/9] 产业共生与无废城市报告" in result.stderr
    assert "重点企业名单：E-022、E-054；违规：禁用物质违规使用 1、义务逾期未履行 1" in result.stderr
    assert "园区管理者" in result.stderr and "coordinator" not in result.stderr  # the accounts' roles by their names
