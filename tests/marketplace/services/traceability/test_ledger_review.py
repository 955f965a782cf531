"""The coordinator's ledger review: each rule fires and does not fire (the balance rule at its exact
boundary), findings are upserted by key, resolved by correction, dismissed with a note, notified once."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, LedgerFinding, Notification, Park
from marketplace.models.base import park_date
from marketplace.services.traceability import ledger, ledger_review
from tests.factories import api_principals

TODAY = park_date()
DAY1, DAY2 = TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=5)


@pytest.fixture
def p(session):
    return api_principals(session)


def add(session, who, **kw):
    values = {"batch_code": "B-1", "direction": "in", "entry_date": DAY1, "chemical_name": "丙酮 acetone",
              "cas": "67-64-1", "quantity_t": 10.0, "counterparty": "E-3", **kw}
    return ledger.create_entry(session, who, values)


def open_findings(session, code=None):
    stmt = select(LedgerFinding).where(LedgerFinding.status == "open")
    if code:
        stmt = stmt.where(LedgerFinding.code == code)
    return list(session.scalars(stmt.order_by(LedgerFinding.id)))


def review(session, p):
    return ledger_review.review(session, p["coord"])


# --- out_exceeds_in ------------------------------------------------------------------------------

def test_out_equal_to_in_does_not_fire(session, p):
    add(session, p["e1"], quantity_t=10.0, content_ratio=0.5)                      # 5 t acetone in
    add(session, p["e1"], batch_code="O-1", direction="out", entry_date=DAY2, quantity_t=4.0)
    add(session, p["e1"], batch_code="U-1", direction="consumed", entry_date=DAY2, quantity_t=2.0,
        content_ratio=0.5, counterparty=None)                                      # 4 + 1 = 5 t out
    review(session, p)
    assert open_findings(session, "out_exceeds_in") == []


def test_out_beyond_in_fires_at_the_entry_where_the_balance_goes_negative(session, p):
    add(session, p["e1"], quantity_t=5.0)
    over = add(session, p["e1"], batch_code="O-1", direction="out", entry_date=DAY2, quantity_t=5.001)
    add(session, p["e1"], batch_code="I-2", entry_date=TODAY, quantity_t=50.0)    # later purchases do not cover it
    review(session, p)
    [f] = open_findings(session, "out_exceeds_in")
    assert (f.key, f.entry_id, f.severity) == ("out_exceeds_in:67-64-1", over.id, "error")
    assert f.details["short_t"] == pytest.approx(0.001) and "出" in f.message and "short" in f.message


def test_an_out_before_its_in_fires_even_when_totals_balance(session, p):
    add(session, p["e1"], entry_date=DAY2, quantity_t=5.0)
    add(session, p["e1"], batch_code="O-1", direction="out", entry_date=DAY1, quantity_t=5.0)
    review(session, p)
    assert len(open_findings(session, "out_exceeds_in")) == 1


# --- source_exceeded -----------------------------------------------------------------------------

def test_sinks_drawing_more_than_their_source_fire_and_exactly_all_does_not(session, p):
    src = add(session, p["e1"], quantity_t=10.0, content_ratio=0.4)               # 4 t
    add(session, p["e1"], batch_code="CAP", quantity_t=100.0)                     # keeps the running balance positive
    add(session, p["e1"], batch_code="O-1", direction="out", entry_date=DAY2, quantity_t=2.0, source_batch="B-1")
    add(session, p["e1"], batch_code="O-2", direction="out", entry_date=DAY2, quantity_t=2.0, source_batch="B-1")
    review(session, p)
    assert open_findings(session, "source_exceeded") == []
    add(session, p["e1"], batch_code="O-3", direction="consumed", entry_date=DAY2, quantity_t=0.1,
        source_batch="B-1", counterparty=None)
    review(session, p)
    [f] = open_findings(session, "source_exceeded")
    assert (f.entry_id, f.details["held_t"], f.details["batches"]) == (src.id, 4.0, ["O-1", "O-2", "O-3"])
    assert open_findings(session, "out_exceeds_in") == []


# --- unknown_counterparty ------------------------------------------------------------------------

def test_unknown_counterparty(session, p):
    nobody = add(session, p["e1"], counterparty=None)
    outsider = add(session, p["e1"], batch_code="B-2", counterparty=None, counterparty_name="某外省化工公司")
    named_member = add(session, p["e1"], batch_code="B-3", counterparty=None, counterparty_name="开发区汽车维修中心")
    add(session, p["e1"], batch_code="B-4")                                         # a registered counterparty
    add(session, p["e1"], batch_code="U-1", direction="consumed", quantity_t=1.0, counterparty=None)  # none needed
    review(session, p)
    found = {f.entry_id: f.severity for f in open_findings(session, "unknown_counterparty")}
    assert found == {nobody.id: "error", outsider.id: "warning"}
    assert named_member.id not in found
    warning = next(f for f in open_findings(session, "unknown_counterparty") if f.entry_id == outsider.id)
    assert "cannot be traced" in warning.message and "无法追溯" in warning.message


# --- missing_cas ---------------------------------------------------------------------------------

def test_missing_cas_is_an_error_for_a_chemical_and_a_warning_for_a_mixture(session, p):
    pure = add(session, p["e1"], cas=None)
    mixture = add(session, p["e1"], batch_code="B-2", cas=None, chemical_name="废矿物油", waste_code="900-214-08")
    add(session, p["e1"], batch_code="B-3")
    review(session, p)
    assert {f.entry_id: f.severity for f in open_findings(session, "missing_cas")} == {
        pure.id: "error", mixture.id: "warning"}


# --- controlled_without_permit -------------------------------------------------------------------

def test_a_controlled_substance_needs_a_permit(session, p):
    bare = add(session, p["e1"], cas="85535-84-8", chemical_name="短链氯化石蜡")
    add(session, p["e1"], batch_code="B-2", cas="85535-84-8", chemical_name="短链氯化石蜡", permit_number="P-9")
    add(session, p["e1"], batch_code="B-3")                                          # acetone is not controlled
    review(session, p)
    [f] = open_findings(session, "controlled_without_permit")
    assert f.entry_id == bare.id and f.details["catalogue_id"] == "sccp" and f.details["measure"]
    assert "斯德哥尔摩" in f.message and "stockholm" in f.message


# --- lifecycle -----------------------------------------------------------------------------------

def test_re_review_is_idempotent_and_notifies_once(session, p):
    add(session, p["e1"], cas=None)
    add(session, p["e1"], batch_code="B-2", counterparty=None)
    add(session, p["e2"], cas=None)
    first = review(session, p)
    assert (first.raised, first.still_open, first.resolved, first.enterprises_notified) == (3, 0, 0, 2)
    assert first.by_code == {"missing_cas": 2, "unknown_counterparty": 1}
    again = review(session, p)
    assert (again.raised, again.still_open, again.resolved, again.enterprises_notified) == (0, 3, 0, 0)
    assert len(open_findings(session)) == 3
    notices = list(session.scalars(select(Notification).where(Notification.kind == "ledger_findings")))
    assert sorted(n.data["count"] for n in notices) == [1, 2]
    assert all(f.sent_at is not None for f in open_findings(session))


def test_a_correction_resolves_the_finding(session, p):
    e = add(session, p["e1"], cas=None)
    review(session, p)
    [f] = open_findings(session)
    ledger.update_entry(session, p["e1"], e.id, {"cas": "67-64-1"})
    result = review(session, p)
    assert (result.resolved, f.status, f.closed_by) == (1, "resolved", "coordinator:coord-bh@wm.test")
    assert f.closed_at is not None
    # The problem coming back is a new finding (the resolved one stays as history).
    ledger.update_entry(session, p["e1"], e.id, {"cas": None})
    assert review(session, p).raised == 1
    assert session.scalar(select(func.count()).select_from(LedgerFinding)) == 2


def test_dismiss_with_a_note(session, p):
    add(session, p["e1"], cas=None)
    review(session, p)
    [f] = open_findings(session)
    with pytest.raises(Forbidden):
        ledger_review.dismiss(session, p["e1"], f.id, "ok")
    with pytest.raises(NotFound):
        ledger_review.dismiss(session, p["coord_nk"], f.id, "ok")
    with pytest.raises(ValidationFailed):
        ledger_review.dismiss(session, p["coord"], f.id, "  ")
    ledger_review.dismiss(session, p["coord"], f.id, "供应商无CAS号，已核实 supplier gives none; verified")
    assert (f.status, f.note) == ("dismissed", "供应商无CAS号，已核实 supplier gives none; verified")
    with pytest.raises(Conflict):
        ledger_review.dismiss(session, p["coord"], f.id, "again")
    assert review(session, p).raised == 0  # a dismissed problem is not raised again
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "ledger.review")) == 2
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "ledger_finding")))
    assert actions == {"ledger_finding.raise", "ledger_finding.dismiss"}


def test_review_is_for_coordinators_of_their_parks(session, p):
    add(session, p["e1"], cas=None)   # BH
    add(session, p["e4"], cas=None)   # NK
    with pytest.raises(Forbidden):
        ledger_review.review(session, p["e1"])
    nk = session.scalar(select(Park.id).where(Park.code == "NK"))
    with pytest.raises(Forbidden):
        ledger_review.review(session, p["coord"], park_id=nk)
    assert ledger_review.review(session, p["coord"]).raised == 1
    assert ledger_review.review(session, p["admin"], park_id=nk).raised == 1
    # Enterprises read their own findings only.
    assert [f.enterprise.ref for f in session.scalars(ledger_review.visible_findings(p["e1"]))] == ["E-1"]
    assert list(session.scalars(ledger_review.visible_findings(p["e2"]))) == []
    assert {f.enterprise.ref for f in session.scalars(ledger_review.visible_findings(p["coord"]))} == {"E-1"}
