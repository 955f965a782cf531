"""The demo park's governance year: declarations in every state (one returned and corrected), a roster with exactly
one banned use and one overdue audit (their alerts and rating caps), EECM results, targets with their progress and
two published disclosures; the dates move with ``today``, and a second run changes nothing."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from marketplace.demo.accounts import seed_demo_accounts
from marketplace.demo.governance import DCM_REASON, LISTED_DAYS_AGO, published_disclosures, seed_demo_governance
from marketplace.demo.history import seed_demo_history
from marketplace.models import (
    Alert,
    AnnualDisclosure,
    EecmAssessment,
    Notification,
    Obligation,
    RosterEntry,
    SurveyDeclaration,
    Target,
)
from marketplace.models.base import park_date
from marketplace.services.accounts.users import system_principal
from marketplace.services.governance import disclosures
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.runs import run_matching
from marketplace.services.reports.document import build_report
from tests.conftest import DEMO_PARK, savepoint_session, shared_data

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 1)


def _demo(session, today: dt.date):
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    run_matching(session, park=None, actor="test")
    seed_demo_history(session, now=NOW)
    seed_demo_accounts(session, actor="test")
    return seed_demo_governance(session, today=today)


def _active(session, kind):
    return list(session.scalars(select(Alert).where(Alert.kind == kind, Alert.status.in_(("open", "acknowledged")))))


def _by_ref(session, model, **where):
    rows = session.scalars(select(model).where(*(getattr(model, k) == v for k, v in where.items())))
    return {r.enterprise.ref: r for r in rows}


@pytest.fixture(scope="module")
def seeded(engine):
    """The demo's governance year, seeded once for the module (~15 s); each test reads it in its own savepoint."""
    with shared_data(engine, lambda session: _demo(session, TODAY)) as shared:
        yield shared


@pytest.fixture()
def demo(seeded):
    conn, report = seeded
    with savepoint_session(conn) as session:
        yield session, report


def test_last_years_declarations_in_every_state_one_returned_and_corrected(demo):
    session, report = demo
    assert report.year == 2025 and not report.skipped
    decls = _by_ref(session, SurveyDeclaration, year=2025)
    assert {ref: d.status for ref, d in decls.items()} == {
        "E-054": "accepted", "E-022": "accepted", "E-017": "accepted", "E-039": "accepted", "E-056": "accepted",
        "E-019": "submitted", "E-021": "draft"}
    assert report.declarations == {"accepted": 5, "submitted": 1, "draft": 1} and report.returned == 1
    # The pharmaceutical plant's slip: returned with the reason on its field, told so, corrected, resubmitted.
    pharma = decls["E-022"]
    assert pharma.returned_reasons == {"substances.0.quantity_t": [DCM_REASON]}
    assert pharma.substances[0].cas == "75-09-2" and pharma.substances[0].quantity_t == 36.0
    events = [n.data["event"] for n in session.scalars(select(Notification).where(
        Notification.enterprise_id == pharma.enterprise_id, Notification.kind == "survey_transition")
        .order_by(Notification.id))]
    assert events == ["return", "accept"]
    # The submissions reached the demo coordinators of the park.
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "survey_transition", Notification.user_id.is_not(None))) >= 7
    hbcdd = decls["E-054"].substances[0]
    assert (hbcdd.cas, hbcdd.substance_key, hbcdd.role) == ("25637-99-4", "hbcdd", "use")


def test_the_roster_holds_exactly_the_banned_use_and_the_overdue_audit(demo):
    session, report = demo
    entries = _by_ref(session, RosterEntry, year=2025)
    # Dichloromethane is listed (restricted): the pharma plant is on it; NMP, toluene, ethanol, chlorine are not.
    assert set(entries) == {"E-054", "E-022"} == set(report.roster)
    assert all(e.status == "confirmed" and e.reason for e in entries.values())
    assert report.violations == {"banned_use": 1, "obligation_overdue": 1}
    (banned,) = _active(session, "banned_use")
    assert banned.enterprise.ref == "E-054" and banned.severity == "critical" and banned.details["cas"] == "25637-99-4"
    (overdue,) = _active(session, "obligation_overdue")
    assert overdue.enterprise.ref == "E-022" and overdue.details["obligation"] == "clean_production_audit"
    # Overdue relative to today: listed about 13 months ago, the audit was due a year after listing.
    audit = session.scalar(select(Obligation).where(Obligation.id == overdue.details["obligation_id"]))
    assert audit.status == "open" and audit.due == TODAY - dt.timedelta(days=LISTED_DAYS_AGO) + dt.timedelta(days=365)
    assert audit.due < TODAY
    others = session.scalars(select(Obligation).where(Obligation.year == 2025, Obligation.id != audit.id)).all()
    assert len(others) == 7 and all(o.status == "done" and o.evidence and o.done_at <= TODAY for o in others)
    # The caps the violations bring: D for the banned use, C for the overdue audit, each with its reason, in the
    # report of the survey year or of this year so far (the alerts were raised now, about the survey year).
    end = park_date()
    caps: dict[str, list[dict]] = {}
    for start, stop in ((dt.date(2025, 1, 1), dt.date(2025, 12, 31)), (end.replace(month=1, day=1), end)):
        for r in build_report(session, system_principal(), park="CH", start=start, end=stop)["ratings"]:
            caps.setdefault(r["ref"], []).extend(r["caps"])
    assert any(c["code"] == "banned_use" and c["grade"] == "D" and "25637-99-4" in c["text_zh"] for c in caps["E-054"])
    assert any(c["code"] == "obligation_overdue" and c["grade"] == "C" for c in caps["E-022"])
    assert not caps.get("E-017")


def test_eecm_results_targets_and_two_published_disclosures(demo):
    session, report = demo
    assessments = _by_ref(session, EecmAssessment, year=2025)
    assert {ref: a.status for ref, a in assessments.items()} == {
        "E-039": "scored", "E-017": "scored", "E-022": "scored", "E-054": "submitted"}
    scored = [a for a in assessments.values() if a.status == "scored"]
    assert all(0 < a.total < 1 and a.bonus > 0 for a in scored)
    assert assessments["E-039"].total > assessments["E-022"].total  # the strong profile scores higher
    assert assessments["E-054"].total is None and assessments["E-054"].self_scores
    # Targets set for the survey year and the current one, with their progress.
    assert session.scalar(select(func.count()).select_from(Target)) == 5
    progress = {(t["park"], t["year"], t["key"]): t for t in report.targets}
    audit = progress[("CH", 2025, "roster_audit_rate")]
    assert (audit["target"], audit["actual"], audit["met"]) == (1.0, 0.5, False)
    # 4 accepted of the park's 56 enterprises (54, and since issue 20 the grain co-operative and the kitchen-waste
    # plant of the other waste streams)
    assert progress[("CH", 2025, "survey_acceptance_rate")]["actual"] == pytest.approx(4 / 56)
    assert ("CH", 2026, "hazardous_waste_utilisation_rate") in progress
    # Two disclosures published, frozen, public; the HBCDD one names its banned use.
    published = published_disclosures(session)
    assert [d.enterprise.ref for d in published] == ["E-054", "E-022"] == [
        session.get(AnnualDisclosure, i).enterprise.ref for i in report.published]
    assert session.scalar(select(func.count()).select_from(AnnualDisclosure)) == 2
    public = {d.enterprise.ref: disclosures.get_published(session, d.id).content for d in published}
    assert [v["code"] for v in public["E-054"]["violations"]] == ["banned_use"]
    assert [v["code"] for v in public["E-022"]["violations"]] == ["obligation_overdue"]
    assert public["E-022"]["audits"][0]["overdue"] is True
    assert {s["cas"] for s in public["E-054"]["substances"]} == {"25637-99-4"}
