"""The ratings' fairness rule (docs/ratings.md): taking part never lowers a grade.

A property test over hand-made KPI blocks (any indicators, alerts, findings and weights), and the demo
park: an offer and a need posted by every enterprise leave every grade where it was, offers left a whole
season without a partner never pull a grade below what not listing would give, and no compliant
enterprise is graded C or D for utilisation alone.
"""
from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.demo.history import seed_demo_history
from marketplace.models import Listing
from marketplace.models.base import park_date, utcnow
from marketplace.services.accounts.users import system_principal
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.runs import run_matching
from marketplace.services.reports.document import build_report
from marketplace.services.reports.kpis import EnterpriseFacts
from marketplace.services.reports.ratings import GRADES, INDICATORS, policy_from, rate
from tests.conftest import DEMO_PARK, savepoint_session, shared_data

BASES = ("proposed", "approved", "realised")
ADMIN = system_principal("test")
UNRATED = len(GRADES)  # an unrated enterprise ranks below D here: becoming rated is never a loss


def _rank(rating: dict) -> int:
    return GRADES.index(rating["grade"]) if rating["grade"] else UNRATED


share = st.one_of(st.none(), st.floats(0.0, 1.0))
offer_age = st.tuples(st.floats(0.1, 5000.0), st.integers(-30, 400))  # (t/a, days on the market)


@st.composite
def enterprise(draw):
    """A KPI block and its facts: any shares, offers of any age, in-force tonnes, alerts and findings."""
    ages = draw(st.lists(offer_age, max_size=4))
    offered = sum(t for t, _ in ages)
    in_force = draw(st.floats(0.0, max(offered, 0.0))) if ages else 0.0
    kpi = {"ref": "E-900", "name": "测试企业", "park": "CH", "offers": len(ages), "offered_t": offered,
           "in_force_t": in_force, "utilisation_rate": (in_force / offered) if offered else None,
           "shipments": draw(st.integers(0, 3)), "ledger_entries": draw(st.integers(0, 3)),
           "sent": {b: {"flows": 0} for b in BASES}, "received_t": dict.fromkeys(BASES, 0.0),
           "on_time_share": draw(share), "ledger_complete_share": draw(share)}
    alerts = [SimpleNamespace(kind="late_receipt", severity=draw(st.sampled_from(["warning", "critical"])), details={})
              for _ in range(draw(st.integers(0, 2)))]
    findings = [SimpleNamespace(severity="warning", code="missing_cas") for _ in range(draw(st.integers(0, 3)))]
    return kpi, EnterpriseFacts(alerts=alerts, findings=findings, offers_on_market=tuple(ages))


weights = st.fixed_dictionaries({name: st.floats(0.0, 10.0) for name in INDICATORS}).filter(
    lambda w: w["compliance"] > 0)  # the compliance indicator is what every rated enterprise has
policies = st.builds(lambda w, days, target: policy_from({"weights": w, "fair_chance_days": days,
                                                          "utilisation_target": target}),
                     weights, st.integers(0, 365), st.floats(0.05, 1.0))


def _with_offer(kpi: dict, facts: EnterpriseFacts, tonnes: float, days: int) -> tuple[dict, EnterpriseFacts]:
    """The same enterprise with one more offer, ``days`` on the market, not matched (nothing more in force)."""
    offered = kpi["offered_t"] + tonnes
    more = {**kpi, "offers": kpi["offers"] + 1, "offered_t": offered,
            "utilisation_rate": kpi["in_force_t"] / offered}
    return more, EnterpriseFacts(alerts=facts.alerts, findings=facts.findings,
                                 offers_on_market=(*facts.offers_on_market, (tonnes, days)))


@settings(max_examples=400, deadline=None)
@given(enterprise(), policies, st.floats(0.1, 5000.0), st.data())
def test_posting_an_offer_never_lowers_a_grade_or_score(ent, policy, tonnes, data):
    kpi, facts = ent
    before = rate(kpi, facts, policy)
    fresh_days = data.draw(st.integers(-30, max(policy.fair_chance_days - 1, -30)))
    if policy.fair_chance_days > 0:  # with no fair-chance window there are no fresh offers
        after = rate(*_with_offer(kpi, facts, tonnes, fresh_days), policy)
        assert _rank(after) <= _rank(before)
        if before["score"] is not None:
            assert after["score"] == before["score"]


@settings(max_examples=400, deadline=None)
@given(enterprise(), policies)
def test_an_enterprise_that_lists_is_never_graded_below_one_that_did_not(ent, policy):
    kpi, facts = ent
    listed = rate(kpi, facts, policy)
    unlisted_kpi = {**kpi, "offers": 0, "offered_t": 0.0, "in_force_t": 0.0, "utilisation_rate": None}
    unlisted = rate(unlisted_kpi, EnterpriseFacts(alerts=facts.alerts, findings=facts.findings, offers_on_market=()),
                    policy)
    assert _rank(listed) <= _rank(unlisted)
    if listed["score"] is not None and unlisted["score"] is not None:
        assert listed["score"] >= unlisted["score"]


def test_utilisation_counts_when_it_raises_the_score_and_says_so_when_it_does_not():
    kpi = {"ref": "E-900", "name": "测试企业", "park": "CH", "offers": 1, "offered_t": 100.0, "in_force_t": 80.0,
           "utilisation_rate": 0.8, "shipments": 2, "ledger_entries": 0, "sent": {b: {"flows": 0} for b in BASES},
           "received_t": dict.fromkeys(BASES, 0.0), "on_time_share": 0.5, "ledger_complete_share": None}
    policy = policy_from(None)
    seasoned = rate(kpi, EnterpriseFacts(alerts=[], findings=[], offers_on_market=((100.0, 200),)), policy)
    assert seasoned["indicators"]["utilisation"]["counted"]
    # (0.25·1 + 0.40·1 + 0.20·0.5) / 0.85 = 0.88: the bonus lifts a B (0.83 without it) to an A.
    assert (seasoned["grade"], seasoned["score"]) == ("A", pytest.approx(0.8824, abs=1e-4))
    idle = rate({**kpi, "in_force_t": 0.0, "utilisation_rate": 0.0},
                EnterpriseFacts(alerts=[], findings=[], offers_on_market=((100.0, 200),)), policy)
    assert not idle["indicators"]["utilisation"]["counted"]
    assert (idle["grade"], idle["score"]) == ("B", pytest.approx(0.8333, abs=1e-4))
    assert any("not counted" in r for r in idle["reasons_en"]) and any("未计入" in r for r in idle["reasons_zh"])
    fresh = rate({**kpi, "in_force_t": 0.0, "utilisation_rate": 0.0},
                 EnterpriseFacts(alerts=[], findings=[], offers_on_market=((100.0, 10),)), policy)
    assert not fresh["indicators"]["utilisation"]["applicable"] and fresh["score"] == idle["score"]
    assert any("fewer than 90 days" in r for r in fresh["reasons_en"])


# --- the demo park ---------------------------------------------------------------------------------

def _served_demo(session: Session) -> None:
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    run_matching(session, park=None, actor="test")
    seed_demo_history(session, now=utcnow())


@pytest.fixture(scope="module")
def demo(engine):
    """The demo park as ``make demo`` serves it (history played up to now), in a transaction rolled back after."""
    with shared_data(engine, _served_demo) as (conn, _), savepoint_session(conn) as session:
        yield session


def _grades(session: Session) -> dict[str, dict]:
    report = build_report(session, ADMIN, end=park_date(), now=utcnow())
    return {r["ref"]: r for r in report["ratings"]}


def _post_for_everyone(session: Session, refs: list[str]) -> list[str]:
    """Every enterprise posts one offer and one need through the import service; returns the new refs."""
    listings = []
    for i, ref in enumerate(refs):
        listings.append({"ref": f"O-FAIR-{i}", "kind": "offer", "enterprise": ref, "title": "Waste packaging drums",
                         "title_zh": "废包装桶", "description": "", "waste_code": "900-041-49", "form": "solid",
                         "composition": [], "quantity_t": 40, "period": "year", "available_from": "2026-01-01",
                         "available_to": None, "price_cny_per_t": -300, "current_route": "incineration"})
        listings.append({"ref": f"N-FAIR-{i}", "kind": "need", "enterprise": ref, "title": "Steel drums for reuse",
                         "title_zh": "回用钢桶", "form": None, "forms": ["solid"], "quantity_t": 20, "period": "year",
                         "available_from": "2026-01-01", "available_to": None, "price_cny_per_t": 50,
                         "purpose": "reuse", "max_distance_km": 50, "wanted": [], "limits": []})
    import_document(session, {"format": "wastematch.v1", "listings": listings}, actor="test")
    return [x["ref"] for x in listings]


def test_on_the_demo_taking_part_never_lowers_a_grade(demo):
    before = _grades(demo)
    assert len([r for r in before.values() if r["grade"]]) >= 50
    # No compliant enterprise (no alert, finding or cap; every counted indicator full) is graded C or D.
    for r in before.values():
        others = [i for n, i in r["indicators"].items() if i["applicable"] and n != "utilisation"]
        if r["grade"] and not r["caps"] and all(i["score"] == 1.0 for i in others):
            assert r["grade"] == "A", r["ref"]
    new_refs = _post_for_everyone(demo, sorted(before))
    posted = _grades(demo)
    for ref, r in before.items():
        assert _rank(posted[ref]) <= _rank(r), (ref, r["grade"], posted[ref]["grade"])
        if r["score"] is not None:
            assert posted[ref]["score"] == r["score"], ref  # fresh offers and needs change no score
    # A season later, still without a partner: never below the grade of an enterprise that listed nothing.
    demo.execute(update(Listing).where(Listing.ref.in_(new_refs))
                 .values(created_at=utcnow() - dt.timedelta(days=200)))
    seasoned = _grades(demo)
    assert demo.scalar(select(Listing.id).where(Listing.ref == "O-FAIR-0")) is not None
    for ref, r in before.items():
        assert _rank(seasoned[ref]) <= _rank(r), (ref, r["grade"], seasoned[ref]["grade"])
