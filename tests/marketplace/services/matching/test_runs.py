"""Matching use cases on the database: runs are stored, re-runs never duplicate, approvals count."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from marketplace.errors import NotFound, ValidationFailed
from marketplace.models import Match, MatchRun
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.engine_input import build_problem
from marketplace.services.matching.point_to_point import register_approval
from marketplace.services.matching.recommendations import recommend
from marketplace.services.matching.runs import run_document, run_matching
from matching.problem import Settings
from tests.conftest import DEMO_PARK

SETTINGS = Settings(today=dt.date(2026, 11, 23))


@pytest.fixture()
def demo(session):
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    return session


def test_run_is_stored_with_its_proposals(demo):
    run, result = run_matching(demo, park=None, actor="tester", settings=SETTINGS)
    assert run.id and run.status == "OPTIMAL" and run.objective == pytest.approx(result.objective)
    matches = list(demo.scalars(select(Match).where(Match.run_id == run.id)))
    assert len(matches) == len(result.proposals) > 30
    assert sum(m.score for m in matches) == pytest.approx(run.objective, rel=1e-6)
    # DESIGN's 13 checks, the composition_declared flag and stream_permit
    assert all(len(m.checks) == 15 and all(c["passed"] for c in m.checks if c["hard"]) for m in matches)
    doc = run_document(run, result)
    assert set(doc) >= {"run", "status", "objective", "matches", "unmatched"}
    assert doc["matches"][0].keys() >= {"offer", "need", "quantity_t", "score", "distance_km", "checks"}


def test_a_run_reports_its_stages_in_order(demo):
    stages: list[str] = []
    run_matching(demo, park="JC", actor="t", settings=SETTINGS, progress=stages.append)
    assert stages == ["load", "similarity", "candidates", "optimise", "explain", "store"]


def test_rerun_updates_and_never_duplicates(demo):
    first, _ = run_matching(demo, park=None, actor="t", settings=SETTINGS)
    second, result = run_matching(demo, park=None, actor="t", settings=SETTINGS)
    open_now = demo.scalar(select(func.count()).select_from(Match).where(Match.status == "proposed"))
    assert open_now == len(result.proposals)
    assert demo.scalar(select(func.count()).select_from(MatchRun)) == 2
    pairs = demo.execute(select(Match.offer_id, Match.need_id).where(Match.status == "proposed")).all()
    assert len(pairs) == len(set(pairs))
    assert all(m.run_id == second.id for m in demo.scalars(select(Match).where(Match.status == "proposed")))


def test_run_of_one_park_only_uses_its_listings(demo):
    _, result = run_matching(demo, park="JC", actor="t", settings=SETTINGS)
    problem = build_problem(demo, park="JC", settings=SETTINGS)
    assert {p.offer for p in result.proposals} <= set(problem.o.refs)
    with pytest.raises(NotFound):
        run_matching(demo, park="NOPE", actor="t", settings=SETTINGS)


def test_approved_quantities_are_reserved(demo):
    run, result = run_matching(demo, park=None, actor="t", settings=SETTINGS)
    m = demo.scalars(select(Match).where(Match.run_id == run.id).order_by(Match.score.desc())).first()
    offer_ref = m.offer.ref
    before = build_problem(demo, settings=SETTINGS)
    qty_before = before.o.quantity[before.o.ref_index[offer_ref]]
    m.status = "approved"
    demo.flush()
    after = build_problem(demo, settings=SETTINGS)
    left = after.o.quantity[after.o.ref_index[offer_ref]] if offer_ref in after.o.ref_index else 0.0
    assert left == pytest.approx(qty_before - m.quantity_t)
    if m.licence_number:
        i = [lic.number for lic in after.licences].index(m.licence_number)
        j = [lic.number for lic in before.licences].index(m.licence_number)
        assert after.lic_remaining[i] == pytest.approx(before.lic_remaining[j] - m.quantity_t)


def test_recommend_contract(demo):
    doc = recommend(demo, ["O-025", "N-024"], top=3, settings=SETTINGS)
    assert [r["listing"] for r in doc["results"]] == ["O-025", "N-024"]
    recs = doc["results"][0]["recommendations"]
    assert 0 < len(recs) <= 3
    for r in recs:
        assert r.keys() >= {"listing", "enterprise", "score", "distance_km", "quantity_t", "checks", "reasons"}
        assert {c["code"] for c in r["checks"]} >= {"hw_licence", "distance", "form"}
    with pytest.raises(NotFound):
        recommend(demo, ["O-404"], settings=SETTINGS)
    with pytest.raises(ValidationFailed):
        recommend(demo, ["O-025"], top=0, settings=SETTINGS)


def test_point_to_point_approval_is_validated_and_lifts_the_licence_check(demo):
    with pytest.raises(ValidationFailed) as exc:
        register_approval(demo, number="P2P-1", producer="E-404", receiver="E-001", waste_code="900-300",
                          valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2025, 1, 1), actor="t")
    assert set(exc.value.errors) == {"producer", "waste_code", "valid_to"}
    problem = build_problem(demo, settings=SETTINGS)
    assert problem.approvals == []
    register_approval(demo, number="P2P-1", producer="E-001", receiver="E-002", waste_code="900-300-34",
                      valid_from=dt.date(2026, 1, 1), valid_to=None, actor="t")
    assert [a.number for a in build_problem(demo, settings=SETTINGS).approvals] == ["P2P-1"]
    with pytest.raises(ValidationFailed):
        register_approval(demo, number="P2P-1", producer="E-001", receiver="E-002", waste_code="900-300-34",
                          valid_from=dt.date(2026, 1, 1), valid_to=None, actor="t")
