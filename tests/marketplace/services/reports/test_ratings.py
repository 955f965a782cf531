"""Ratings of single enterprises from hand-made KPI blocks: the grade follows the score it shows, and an
enterprise none of whose applicable indicators weighs anything is not rated."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from marketplace.errors import ValidationFailed

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


def _alert(kind: str, severity: str, **details) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, severity=severity, details=details)


def test_an_active_banned_use_caps_at_d_with_its_reason():
    facts = EnterpriseFacts(alerts=[_alert("banned_use", "critical", cas="25637-99-4")], findings=[])
    r = rate(_kpi(on_time_share=1.0), facts, policy_from(None))
    assert r["grade"] == "D"
    cap = next(c for c in r["caps"] if c["code"] == "banned_use")
    assert "25637-99-4" in cap["text_zh"] and cap["text_en"] in r["reasons_en"]


def test_an_overdue_obligation_caps_at_c_and_the_cap_is_configurable():
    facts = EnterpriseFacts(alerts=[_alert("obligation_overdue", "warning", obligation="annual_disclosure")],
                            findings=[])
    r = rate(_kpi(on_time_share=1.0), facts, policy_from(None))
    # Named in words in both languages, never by the internal key.
    assert r["grade"] == "C" and any("annual environmental disclosure" in x for x in r["reasons_en"])
    assert any("企业环境信息依法披露" in x for x in r["reasons_zh"])
    assert not any("annual_disclosure" in x for x in r["reasons_zh"] + r["reasons_en"])
    assert rate(_kpi(on_time_share=1.0), facts, policy_from({"overdue_obligation_cap": "B"}))["grade"] == "B"
    assert rate(_kpi(on_time_share=1.0), EnterpriseFacts(alerts=[], findings=[]), policy_from(None))["grade"] == "A"


def test_a_governance_alert_alone_makes_an_enterprise_rated():
    idle = _kpi(shipments=0, on_time_share=None)
    assert rate(idle, EnterpriseFacts(alerts=[], findings=[]), policy_from(None))["grade"] is None
    r = rate(idle, EnterpriseFacts(alerts=[_alert("banned_use", "critical", cas="1763-23-1")], findings=[]),
             policy_from(None))
    assert r["grade"] == "D"


def test_the_eecm_bonus_is_added_up_to_the_policy_maximum():
    # Compliance 1 and timeliness 0.5 score 0.83, a B; the bonus, cut to its 0.05 maximum, lifts it to an A.
    base = rate(_kpi(on_time_share=0.5), EnterpriseFacts(alerts=[], findings=[]), policy_from(None))
    assert base["grade"] == "B"
    r = rate(_kpi(on_time_share=0.5), EnterpriseFacts(alerts=[], findings=[], eecm_bonus=0.3, eecm_year=2026),
             policy_from(None))
    assert r["score"] == pytest.approx(base["score"] + 0.05, abs=1e-4) and r["grade"] == "A"
    assert any("EECM" in x and "+0.050" in x for x in r["reasons_en"])
    with pytest.raises(ValidationFailed):
        policy_from({"eecm_bonus_max": 0.5})
