"""The key-enterprise roster: computed from accepted declarations and the ledger, its banned_use and
obligation_overdue violations as alerts, the rating caps they bring, decisions with reasons, obligations."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import Alert, AuditEvent, Notification, Obligation, RosterEntry
from marketplace.models.base import park_date
from marketplace.services.governance import roster
from marketplace.services.reports.document import build_report
from marketplace.services.traceability import alerts, ledger
from tests.factories import api_principals

from .roster_fixtures import DCM_SOLVENT, ETHANOL_USE, HBCDD_USE, declare_accepted

LISTED = dt.date(2026, 1, 10)  # before the 2025 disclosure is due (2026-03-15)
LATE = dt.date(2026, 4, 1)     # after it


@pytest.fixture
def p(session):
    return api_principals(session)


def _active(session, kind, ref=None):
    rows = session.scalars(select(Alert).where(Alert.kind == kind, Alert.status.in_(("open", "acknowledged"))))
    return [a for a in rows if ref is None or a.enterprise.ref == ref]


def _rating(session, p, ref, year=None):
    """The enterprise's rating in the park report of calendar ``year`` (default: this year up to today)."""
    today = park_date()
    start, end = (dt.date(year, 1, 1), dt.date(year, 12, 31)) if year else (today.replace(month=1, day=1), today)
    doc = build_report(session, p["coord"], park="BH", start=start, end=end)
    return next(r for r in doc["ratings"] if r["ref"] == ref)


def test_hbcdd_user_is_on_the_roster_with_a_banned_use_alert_and_a_d_cap(session, p):
    declare_accepted(session, "E-1", 2025, [HBCDD_USE])
    declare_accepted(session, "E-2", 2025, [ETHANOL_USE])
    entries = roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED)
    assert [e.enterprise.ref for e in entries] == ["E-1"]
    entry = entries[0]
    assert entry.status == "proposed"
    (sub,) = entry.substances
    assert (sub["cas"], sub["key"], sub["list"], sub["role"], sub["quantity_t"], sub["source"]) == (
        "25637-99-4", "hbcdd", "cn_new_pollutants_2023", "use", 1.5, "declaration")
    found = roster.violations(session, enterprise_id=entry.enterprise_id, year=2025, today=LISTED)
    assert [(v["code"], v["cas"]) for v in found] == [("banned_use", "25637-99-4")]
    assert "2021-12-26" in found[0]["detail"] and "禁止" in found[0]["detail"]
    (alert,) = _active(session, "banned_use")
    assert alert.severity == "critical" and alert.enterprise.ref == "E-1" and "六溴环十二烷" in alert.message
    assert not _active(session, "obligation_overdue")
    rating = _rating(session, p, "E-1", 2025)  # the report of the year the use was declared for
    assert rating["grade"] == "D"
    cap = next(c for c in rating["caps"] if c["code"] == "banned_use")
    assert "25637-99-4" in cap["text_zh"] and "prohibited" in cap["text_en"]
    assert cap["text_zh"] in rating["reasons_zh"] and cap["text_en"] in rating["reasons_en"]
    # A report of a later year only is not capped by it: the 2025 ban is 2025's (raised in 2026 or not).
    later = build_report(session, p["coord"], park="BH", start=dt.date(2027, 1, 1), end=dt.date(2027, 6, 30))
    assert not any(c["code"] == "banned_use" for r in later["ratings"] for c in r["caps"])
    # The ethanol user is not on the roster, and nothing of governance touches its rating.
    assert roster.violations(session, enterprise_id=_ent(session, "E-2"), year=2025, today=LISTED) == []


def _ent(session, ref):
    from marketplace.models import Enterprise
    return session.scalar(select(Enterprise.id).where(Enterprise.ref == ref))


def test_only_accepted_declarations_count(session, p):
    declare_accepted(session, "E-1", 2025, [HBCDD_USE], status="submitted")
    assert roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED) == []
    assert not _active(session, "banned_use")


def test_obligations_are_created_with_their_due_dates(session, p):
    declare_accepted(session, "E-3", 2025, [DCM_SOLVENT])
    (entry,) = roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED)
    obs = {o.code: o for o in session.scalars(select(Obligation).where(Obligation.enterprise_id == entry.enterprise_id))}
    assert obs["annual_disclosure"].due == dt.date(2026, 3, 15)
    assert obs["clean_production_audit"].due == dt.date(2027, 1, 10)
    # An allowed use of a restricted substance: on the roster, no violation.
    assert roster.violations(session, enterprise_id=entry.enterprise_id, year=2025, today=LISTED) == []


def test_an_overdue_obligation_raises_an_alert_and_caps_at_c_until_done(session, p):
    declare_accepted(session, "E-3", 2025, [DCM_SOLVENT])
    roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED)
    assert not _active(session, "obligation_overdue")
    result = roster.scan_governance(session, p["coord"], "BH", today=LATE)
    assert result.raised == 1
    (alert,) = _active(session, "obligation_overdue", "E-3")
    assert alert.severity == "warning" and alert.details["obligation"] == "annual_disclosure"
    rating = _rating(session, p, "E-3")
    assert rating["grade"] in ("C", "D")
    assert any(c["code"] == "obligation_overdue" and c["grade"] == "C" for c in rating["caps"])
    assert any("annual environmental disclosure" in r for r in rating["reasons_en"])  # in words, not the key
    ob = session.scalar(select(Obligation).where(Obligation.code == "annual_disclosure"))
    roster.record_obligation(session, p["coord"], ob.id, "done", "published on the park website", today=LATE)
    assert ob.status == "done" and ob.done_at == LATE
    assert not _active(session, "obligation_overdue")
    assert not any(c["code"] == "obligation_overdue" for c in _rating(session, p, "E-3")["caps"])


def test_the_alert_scan_runs_the_governance_hook(session, p):
    declare_accepted(session, "E-3", 2025, [DCM_SOLVENT])
    roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED)
    assert "governance" in alerts.scan_hooks()
    noon = dt.datetime(2026, 4, 1, 4, tzinfo=dt.timezone.utc)
    result = alerts.scan(session, now=noon, park_id=_park(session, "BH"))
    assert result.by_kind["obligation_overdue"] == 1
    # A scan of every park keeps the governance alerts (it clears only the kinds it finds itself).
    alerts.scan(session, now=noon)
    assert len(_active(session, "obligation_overdue")) == 1


def _park(session, code):
    from marketplace.models import Park
    return session.scalar(select(Park.id).where(Park.code == code))


def test_the_ledger_puts_an_enterprise_on_the_roster(session, p):
    ledger.create_entry(session, p["e4"], {"batch_code": "PF-1", "direction": "consumed", "entry_date": "2025-06-01",
                                           "chemical_name": "PFOS", "cas": "1763-23-1", "quantity_t": 0.4,
                                           "content_ratio": 0.5, "permit_number": "P-1"})
    (entry,) = roster.compute_roster(session, p["coord_nk"], park="NK", year=2025, today=LISTED)
    (sub,) = entry.substances
    assert (sub["key"], sub["role"], sub["source"], sub["quantity_t"]) == ("pfos", "use", "ledger", 0.2)
    assert _active(session, "banned_use", "E-4")


def test_recomputing_drops_unsupported_proposals_and_clears_their_alerts(session, p):
    decl = declare_accepted(session, "E-1", 2025, [HBCDD_USE])
    roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED)
    decl.status = "returned"
    session.flush()
    assert roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED) == []
    assert session.scalar(select(RosterEntry)) is None
    assert session.scalar(select(Obligation)) is None
    assert not _active(session, "banned_use")


def test_confirm_and_remove_with_reasons_are_audited_and_notified(session, p):
    declare_accepted(session, "E-1", 2025, [HBCDD_USE])
    roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED)
    entry = roster.confirm(session, p["coord"], "E-1", 2025, today=LISTED)
    assert entry.status == "confirmed" and entry.decided_by == "coordinator:coord-bh@wm.test"
    with pytest.raises(Conflict):
        roster.confirm(session, p["coord"], "E-1", 2025, today=LISTED)
    with pytest.raises(ValidationFailed) as exc:
        roster.remove(session, p["coord"], "E-1", 2025, "  ", today=LISTED)
    assert exc.value.errors == {"reason": ["required"]}
    roster.remove(session, p["coord"], "E-1", 2025, "HBCDD stock sold in 2024; declaration error", today=LISTED)
    assert entry.status == "removed" and not _active(session, "banned_use")
    notices = session.scalars(select(Notification).where(Notification.kind == "roster_decision")
                              .order_by(Notification.id)).all()
    assert [n.data["decision"] for n in notices] == ["confirm", "remove"]
    assert "declaration error" in notices[1].data["message"]
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "roster_entry")).all()
    assert {"propose", "confirm", "remove"} <= set(actions)
    # Recomputing leaves the coordinator's removal as it is; restoring needs a reason.
    roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED)
    assert entry.status == "removed"
    with pytest.raises(ValidationFailed):
        roster.confirm(session, p["coord"], "E-1", 2025, today=LISTED)
    roster.confirm(session, p["coord"], "E-1", 2025, "audit found current use", today=LISTED)
    assert entry.status == "confirmed" and _active(session, "banned_use", "E-1")


def test_who_may_compute_and_decide(session, p):
    declare_accepted(session, "E-1", 2025, [HBCDD_USE])
    with pytest.raises(Forbidden):
        roster.compute_roster(session, p["e1"], park="BH", year=2025)
    with pytest.raises(Forbidden):
        roster.compute_roster(session, p["coord_nk"], park="BH", year=2025)
    with pytest.raises(NotFound):
        roster.compute_roster(session, p["coord"], park="XX", year=2025)
    with pytest.raises(ValidationFailed) as exc:
        roster.compute_roster(session, p["coord"], park="BH", year=1800)
    assert "year" in exc.value.errors
    roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED)
    with pytest.raises(NotFound):
        roster.confirm(session, p["coord_nk"], "E-1", 2025)
    ob = session.scalar(select(Obligation).where(Obligation.code == "monitoring"))
    # The enterprise records its own obligation done; it may not waive it, nor see another's.
    with pytest.raises(Forbidden):
        roster.record_obligation(session, p["e1"], ob.id, "waived", "no")
    with pytest.raises(NotFound):
        roster.record_obligation(session, p["e2"], ob.id, "done", "report")
    with pytest.raises(ValidationFailed) as exc:
        roster.record_obligation(session, p["e1"], ob.id, "done", "")
    assert exc.value.errors == {"evidence": ["required"]}
    roster.record_obligation(session, p["e1"], ob.id, "done", "monitoring report 2026-03")
    assert ob.status == "done" and ob.recorded_by == "enterprise:handler@e1.test"


def test_roster_rows_show_obligations_overdue_and_violations(session, p):
    declare_accepted(session, "E-1", 2025, [HBCDD_USE])
    roster.compute_roster(session, p["coord"], park="BH", year=2025, today=LISTED)
    (row,) = roster.roster_rows(session, p["coord"], park="BH", year=2025, today=LATE)
    assert row["enterprise"] == "E-1" and row["status"] == "proposed"
    status = {o["code"]: o["status"] for o in row["obligations"]}
    assert status["annual_disclosure"] == "overdue" and status["monitoring"] == "open"
    assert {v["code"] for v in row["violations"]} == {"banned_use", "obligation_overdue"}
