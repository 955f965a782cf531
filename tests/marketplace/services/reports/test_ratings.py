"""Ratings of single enterprises from hand-made KPI blocks: the grade follows the score it shows, and an
enterprise none of whose applicable indicators weighs anything is not rated."""
from __future__ import annotations

from types import SimpleNamespace

from marketplace.services.reports.kpis import EnterpriseFacts
from marketplace.services.reports.ratings import policy_from, rate

BASES = ("proposed", "approved", "realised")


def _kpi(**over) -> dict:
    kpi = {"ref": "E-900", "name": "测试企业", "park": "CH", "offers": 0, "shipments": 4, "ledger_entries": 0,
           "sent": {b: {"flows": 0} for b in BASES}, "received_t": dict.fromkeys(BASES, 0.0),
           "utilisation_rate": None, "on_time_share": 0.75, "ledger_complete_share": None}
    kpi.update(over)
    return kpi


def _findings(n: int, severity: str = "warning") -> list:
    return [SimpleNamespace(severity=severity, code="missing_cas") for _ in range(n)]


def test_a_score_on_the_a_threshold_is_an_a():
    # Compliance 0.90 (two warning findings) × 0.4 and timeliness 0.75 × 0.2 over 0.6 is 0.85 exactly,
    # which floating point sums to 0.8499999…
    r = rate(_kpi(), EnterpriseFacts(alerts=[], findings=_findings(2)), policy_from(None))
    assert r["score"] == 0.85 and r["grade"] == "A"
    assert r["reasons_en"][0].startswith("score 0.85 (A ≥ 0.85")


def test_a_score_just_below_the_threshold_is_a_b():
    r = rate(_kpi(on_time_share=0.74), EnterpriseFacts(alerts=[], findings=_findings(2)), policy_from(None))
    assert r["score"] < 0.85 and r["grade"] == "B"


def test_nothing_weighted_to_score_is_not_rated():
    # A receiver with manifest steps only, when the policy gives compliance and timeliness no weight.
    policy = policy_from({"weights": {"compliance": 0, "manifest_timeliness": 0}})
    r = rate(_kpi(), EnterpriseFacts(alerts=[], findings=[]), policy)
    assert r["grade"] is None and r["score"] is None
    assert "weight" in r["reasons_en"][0]


def test_an_enterprise_with_an_applicable_weighted_indicator_is_rated():
    policy = policy_from({"weights": {"compliance": 0}})
    r = rate(_kpi(on_time_share=1.0), EnterpriseFacts(alerts=[], findings=[]), policy)
    assert r["grade"] == "A" and r["score"] == 1.0
