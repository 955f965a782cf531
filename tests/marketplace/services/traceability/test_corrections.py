"""Manifest corrections and return manifests (issue 20): who may ask and decide (each refused and allowed), one
open request per shipment, values checked as planning and receipt check them, the ledger corrected with the
receipt, a rejection changing nothing, a rejected load's return linked both ways and only once."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import Alert, AuditEvent, Enterprise, LedgerEntry, ManifestCorrection, Notification, Park
from marketplace.services.traceability import corrections, trace, transfers
from tests.marketplace.services.traceability.test_transfers import approved, in_state, plan


def ask(w, who, s, reason="mistyped at the weighbridge", **changes):
    return corrections.request_correction(w.session, w.p[who], s.id, changes=changes, reason=reason)


def decide(w, who, s, c, decision="approve", note=None):
    return corrections.decide_correction(w.session, w.p[who], s.id, c.id, decision=decision, note=note)


def move_receiver_to_nk(w):
    nk = w.session.scalar(select(Park.id).where(Park.code == "NK"))
    w.session.scalar(select(Enterprise).where(Enterprise.ref == "E-1")).park_id = nk
    w.session.flush()


# --- asking -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["e2", "e1", "coord", "admin"])
def test_parties_and_coordinators_may_ask(w, who):
    s = plan(w, approved(w), vehicle="津A12345")
    c = ask(w, who, s, vehicle="津A54321")
    assert (c.status, c.changes, c.requested_by) == ("requested", {"vehicle": ["津A12345", "津A54321"]},
                                                     w.p[who].actor)
    assert s.vehicle == "津A12345"  # nothing applied before the decision


@pytest.mark.parametrize("who", ["e3", "coord_nk"])
def test_anybody_else_is_told_the_shipment_does_not_exist(w, who):
    s = plan(w, approved(w))
    with pytest.raises(NotFound):
        ask(w, who, s, vehicle="津A54321")


def test_a_coordinator_of_the_receivers_park_may_ask(w):
    s = plan(w, approved(w))
    move_receiver_to_nk(w)
    assert ask(w, "coord_nk", s, driver="李师傅").status == "requested"


def test_one_open_request_per_shipment(w):
    s = plan(w, approved(w))
    first = ask(w, "e2", s, driver="李师傅")
    with pytest.raises(Conflict) as exc:
        ask(w, "e1", s, vehicle="津A54321")
    assert str(first.id) in str(exc.value)
    decide(w, "coord", s, first, "reject", note="the driver was right")
    assert ask(w, "e1", s, vehicle="津A54321").status == "requested"  # decided: a new one may be asked


def test_a_cancelled_shipment_takes_no_correction(w):
    s = in_state(w, approved(w), "cancelled")
    with pytest.raises(Conflict):
        ask(w, "e2", s, driver="李师傅")


@pytest.mark.parametrize("changes, field", [
    ({"quantity_t": 0}, "quantity_t"), ({"quantity_t": "1"}, "quantity_t"), ({"quantity_t": float("nan")}, "quantity_t"),
    ({"quantity_received_t": 0.9}, "quantity_received_t"),  # not received yet
    ({"waste_code": "HW08"}, "waste_code"), ({"vehicle": "x" * 21}, "vehicle"), ({"planned_on": "1.12."}, "planned_on"),
    ({"status": "closed"}, "status"), ({"carrier": None}, "carrier"),  # unknown field; already empty
    ({"quantity_t": 11.0}, "quantity_t"),  # more than the match has left
])
def test_values_are_checked_as_planning_and_receipt_check_them(w, changes, field):
    s = plan(w, approved(w, quantity=10))
    with pytest.raises(ValidationFailed) as exc:
        ask(w, "e2", s, **changes)
    assert field in exc.value.errors


def test_a_reason_is_required_and_bounded(w):
    s = plan(w, approved(w))
    for reason in ("", "   ", "x" * 2001, None):
        with pytest.raises(ValidationFailed) as exc:
            ask(w, "e2", s, reason=reason, driver="李师傅")
        assert "reason" in exc.value.errors
    with pytest.raises(ValidationFailed):
        corrections.request_correction(w.session, w.p["e2"], s.id, changes={}, reason="nothing")


def test_asking_is_audited_and_notified(w):
    s = plan(w, approved(w))
    c = ask(w, "e2", s, driver="李师傅")
    event = w.session.scalar(select(AuditEvent).where(AuditEvent.action == "correction.request"))
    assert (event.entity_key, event.context["correction"], event.changes) == (str(s.id), c.id,
                                                                              {"driver": [None, "李师傅"]})
    notices = list(w.session.scalars(select(Notification).where(Notification.kind == "shipment_event")
                                     .where(Notification.data["event"].as_string() == "correction_requested")))
    assert notices and all("申请更正联单" in n.data["message"] and "correction requested" in n.data["message"]
                           for n in notices)


# --- deciding ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["e2", "e1", "e3"])
def test_enterprises_never_decide(w, who):
    s = plan(w, approved(w))
    c = ask(w, "coord", s, driver="李师傅")
    with pytest.raises((Forbidden, NotFound)):
        decide(w, who, s, c)
    assert c.status == "requested" and s.driver is None


def test_the_receivers_park_coordinator_does_not_decide(w):
    s = plan(w, approved(w))
    move_receiver_to_nk(w)
    c = ask(w, "e1", s, driver="李师傅")
    with pytest.raises(Forbidden):
        decide(w, "coord_nk", s, c)
    assert decide(w, "coord", s, c).status == "approved" and s.driver == "李师傅"


def test_the_requester_never_decides_even_as_coordinator(w):
    s = plan(w, approved(w))
    c = ask(w, "coord", s, driver="李师傅")
    with pytest.raises(Forbidden):
        decide(w, "coord", s, c)
    assert decide(w, "admin", s, c).status == "approved"


def test_a_decided_request_is_not_decided_again_and_rejection_needs_a_note(w):
    s = plan(w, approved(w))
    c = ask(w, "e2", s, driver="李师傅")
    with pytest.raises(ValidationFailed):
        decide(w, "coord", s, c, "reject")
    decide(w, "coord", s, c, "reject", note="no evidence")
    with pytest.raises(Conflict):
        decide(w, "coord", s, c, "approve")
    with pytest.raises(NotFound):
        corrections.decide_correction(w.session, w.p["coord"], s.id, c.id + 99, decision="approve")


def test_a_rejection_changes_nothing_but_the_request(w):
    s = in_state(w, approved(w), "received", quantity=2.0)
    entry = w.session.scalar(select(LedgerEntry).where(LedgerEntry.shipment_id == s.id))
    c = ask(w, "e1", s, quantity_received_t=1.8, vehicle="津A54321")
    before = (s.quantity_received_t, s.vehicle, entry.quantity_t, s.updated_at)
    audits = w.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    decide(w, "coord", s, c, "reject", note="the weighbridge ticket says 2.0 t")
    assert (s.quantity_received_t, s.vehicle, entry.quantity_t, s.updated_at) == before
    assert (c.status, c.decision_note, c.decided_by) == ("rejected", "the weighbridge ticket says 2.0 t",
                                                          w.p["coord"].actor)
    assert [e.action for e in w.session.scalars(select(AuditEvent).where(AuditEvent.id > audits))] == [
        "correction.rejected"]


def test_approval_corrects_the_received_quantity_and_the_receivers_ledger(w):
    s = in_state(w, approved(w), "received", quantity=2.0)
    entry = w.session.scalar(select(LedgerEntry).where(LedgerEntry.shipment_id == s.id))
    assert entry.quantity_t == 2.0
    c = ask(w, "e1", s, quantity_received_t=1.6, waste_code="900-249-08")
    decide(w, "coord", s, c, note="ticket 4411 checked")
    assert (s.quantity_received_t, s.waste_code, s.containers[0].quantity_received_t) == (1.6, "900-249-08", 1.6)
    assert (entry.quantity_t, entry.waste_code) == (1.6, "900-249-08")
    applied = w.session.scalar(select(AuditEvent).where(AuditEvent.action == "correction.approved"))
    assert applied.changes == {"quantity_received_t": [2.0, 1.6], "waste_code": ["900-214-08", "900-249-08"]}
    ledger_audit = w.session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.correct"))
    assert ledger_audit.changes["quantity_t"] == [2.0, 1.6]
    # 20 % short of what was dispatched: the receipt's alert is raised at once, as receive raises it
    assert w.session.scalar(select(Alert).where(Alert.shipment_id == s.id, Alert.kind == "weight_mismatch"))


def test_approval_of_a_planned_quantity_scales_the_containers_within_the_match(w):
    m = approved(w, quantity=10)
    s = plan(w, m, quantity=3.0, containers=[{"packaging": "drum", "quantity_t": 1.0},
                                             {"packaging": "ibc", "quantity_t": 2.0}])
    plan(w, m, quantity=6.0)
    with pytest.raises(ValidationFailed):
        ask(w, "e2", s, quantity_t=4.5)  # 6 t are planned elsewhere: at most 4 t here
    decide(w, "coord", s, ask(w, "e2", s, quantity_t=3.9, planned_on="2026-12-09"))
    assert [round(c.quantity_t, 9) for c in s.containers] == [1.3, 2.6]
    assert s.quantity_t == 3.9 and s.planned_on == dt.date(2026, 12, 9)


def test_a_request_gone_stale_is_refused(w):
    s = plan(w, approved(w), driver="王师傅")
    c = ask(w, "e1", s, driver="李师傅")
    s.driver = "赵师傅"  # changed by another path since
    with pytest.raises(Conflict):
        decide(w, "coord", s, c)
    transfers.cancel(w.session, w.p["e2"], s.id, reason="truck unavailable")
    with pytest.raises(Conflict):
        decide(w, "coord", s, c)


def test_approval_notifies_both_parties(w):
    s = plan(w, approved(w))
    c = ask(w, "e2", s, driver="李师傅")
    decide(w, "coord", s, c)
    notices = list(w.session.scalars(select(Notification).where(
        Notification.data["event"].as_string() == "correct")))
    refs = {w.session.get(Enterprise, n.enterprise_id).ref for n in notices if n.enterprise_id}
    assert refs == {"E-1", "E-2"}
    assert all("联单已更正" in n.data["message"] and "manifest corrected" in n.data["message"] for n in notices)
    assert [x.id for x in corrections.list_corrections(w.session, w.p["e1"], s.id)] == [c.id]
    assert w.session.scalar(select(ManifestCorrection.status)) == "approved"


# --- returns ----------------------------------------------------------------------------------------

def test_a_rejected_load_goes_back_under_a_linked_return_manifest(w):
    m = approved(w, quantity=10)
    s = in_state(w, m, "rejected", quantity=2.0)
    back = transfers.create_return(w.session, w.p["e2"], s.id, vehicle="津A99999")
    assert (back.direction, back.returned_from_id, back.status, back.match_id) == ("return", s.id, "planned", m.id)
    assert (back.producer.ref, back.receiver.ref) == ("E-1", "E-2")  # from the gate back to the producer
    assert (s.licence_number, back.licence_number) == ("TJ-HW-0001", None)  # no licence counts the return
    assert back.manifest_number != s.manifest_number and back.manifest_number.startswith("BH-")
    assert [(c.packaging, c.quantity_t) for c in back.containers] == [(c.packaging, c.quantity_t)
                                                                       for c in s.containers]
    assert s.returned_by is back
    views = transfers.shipment_view(s), transfers.shipment_view(back)
    assert views[0]["returned_by"]["manifest_number"] == back.manifest_number
    assert views[1]["returned_from"]["manifest_number"] == s.manifest_number
    # a return does not take from the match: the full 10 t may still be planned
    assert transfers.plannable(w.session, w.p["e2"], m.id).left_t == pytest.approx(10.0)
    with pytest.raises(Conflict):
        transfers.create_return(w.session, w.p["coord"], s.id)  # only once
    # the return runs the usual steps with the sides swapped, and is not a realised flow of the match
    transfers.dispatch(w.session, w.p["e1"], back.id)
    transfers.receive(w.session, w.p["e2"], back.id, quantity_received_t=2.0)
    assert back.status == "received" and m.status == "in_transfer"  # as the original's dispatch left it
    assert transfers.realised_flows(w.session) == []


def test_who_may_return_and_from_what(w):
    m = approved(w, quantity=10)
    for status in ("planned", "dispatched", "received", "cancelled"):
        s = in_state(w, m, status)
        with pytest.raises(Conflict):
            transfers.create_return(w.session, w.p["e2"], s.id)
    rejected = in_state(w, m, "rejected")
    with pytest.raises(Forbidden):
        transfers.create_return(w.session, w.p["e1"], rejected.id)  # the receiver sends it back, not asks for it
    with pytest.raises(NotFound):
        transfers.create_return(w.session, w.p["e3"], rejected.id)
    assert transfers.create_return(w.session, w.p["coord"], rejected.id).returned_from_id == rejected.id
    other = in_state(w, m, "rejected")
    back = transfers.create_return(w.session, w.p["e2"], other.id)
    transfers.dispatch(w.session, w.p["e1"], back.id)
    transfers.reject(w.session, w.p["e2"], back.id, reason="not ours")
    with pytest.raises(Conflict):
        transfers.create_return(w.session, w.p["e1"], back.id)  # a return is not returned again


def test_the_trace_shows_the_link_both_ways(w):
    s = in_state(w, approved(w), "rejected")
    back = transfers.create_return(w.session, w.p["e2"], s.id)
    for who in ("coord", "e2"):
        [forward] = [n for n in trace.trace(w.session, w.p[who], s.manifest_number)["nodes"] if n["queried"]]
        [backward] = [n for n in trace.trace(w.session, w.p[who], back.manifest_number)["nodes"] if n["queried"]]
        assert (forward["returned_by"], forward["returned_from"]) == (back.manifest_number, None)
        assert (backward["returned_from"], backward["returned_by"]) == (s.manifest_number, None)


# --- drafts -----------------------------------------------------------------------------------------

def test_a_draft_has_no_number_reserves_nothing_and_is_its_authors_only(w):
    m = approved(w, quantity=10)
    d = transfers.save_draft(w.session, w.p["e2"], m.id, quantity_t=4.0, vehicle="津A12345",
                             containers=[{"packaging": "drum", "quantity_t": 1.0}])
    assert (d.status, d.manifest_number) == ("draft", None)
    assert transfers.plannable(w.session, w.p["e2"], m.id).left_t == pytest.approx(10.0)
    assert [x.id for x in transfers.list_drafts(w.session, w.p["e2"])] == [d.id]
    for who in ("e1", "coord", "admin"):  # the other party and the coordinators: no list, no page, no draft
        assert transfers.list_drafts(w.session, w.p[who]) == []
        assert all(s.id != d.id for s in transfers.list_shipments(w.session, w.p[who]))
        with pytest.raises(NotFound):
            transfers.get_shipment(w.session, w.p[who], d.id)
        with pytest.raises(NotFound):
            transfers.update_draft(w.session, w.p[who], d.id, driver="x")
        with pytest.raises(NotFound):
            transfers.delete_draft(w.session, w.p[who], d.id)
    assert all(s.id != d.id for s in transfers.list_shipments(w.session, w.p["e2"]))
    with pytest.raises(NotFound):
        transfers.apply_event(w.session, w.p["e2"], d.id, "dispatch")
    with pytest.raises(NotFound):
        ask(w, "e2", d, driver="李师傅")
    assert transfers.find_container(w.session, d.containers[0].code) is None
    with pytest.raises(NotFound):
        trace.trace(w.session, w.p["e2"], d.containers[0].code)
    assert transfers.realised_flows(w.session) == []
    assert not list(w.session.scalars(select(Notification).where(Notification.kind == "shipment_event")))


def test_a_draft_is_edited_then_planned_with_every_check_of_planning(w):
    m = approved(w, quantity=10)
    d = transfers.save_draft(w.session, w.p["e2"], m.id, quantity_t=2.0,
                             containers=[{"packaging": "drum", "quantity_t": 1.0}])
    with pytest.raises(ValidationFailed):  # the containers hold 1 t of 2 t: planning refuses it
        transfers.plan_draft(w.session, w.p["e2"], d.id)
    with pytest.raises(ValidationFailed):
        transfers.update_draft(w.session, w.p["e2"], d.id, quantity_t=-1)
    with pytest.raises(ValidationFailed):
        transfers.update_draft(w.session, w.p["e2"], d.id, status="planned")
    transfers.update_draft(w.session, w.p["e2"], d.id, containers=[{"packaging": "ibc", "quantity_t": 2.0}],
                           driver="王师傅")
    draft_id = d.id
    s = transfers.plan_draft(w.session, w.p["e2"], draft_id)
    assert (s.status, s.quantity_t, s.driver, [c.packaging for c in s.containers]) == ("planned", 2.0, "王师傅",
                                                                                       ["ibc"])
    assert s.manifest_number.startswith("BH-") and s.containers[0].code == f"{s.manifest_number}-01"
    assert w.session.get(type(s), draft_id) is None
    with pytest.raises(NotFound):
        transfers.plan_draft(w.session, w.p["e2"], draft_id)


def test_a_draft_is_deleted_by_its_author_and_needs_an_approved_match(w):
    m = approved(w, quantity=10)
    d = transfers.save_draft(w.session, w.p["coord"], m.id, quantity_t=1.0)
    transfers.delete_draft(w.session, w.p["coord"], d.id)
    assert transfers.list_drafts(w.session, w.p["coord"]) == []
    with pytest.raises(ValidationFailed):
        transfers.save_draft(w.session, w.p["e2"], m.id)  # no quantity
    with pytest.raises(NotFound):
        transfers.save_draft(w.session, w.p["e3"], m.id, quantity_t=1.0)
    pending = w.accepted("O-2", "N-1", 5)
    with pytest.raises(Conflict):
        transfers.save_draft(w.session, w.p["coord"], pending.id, quantity_t=1.0)


def test_a_draft_is_no_shipment_of_the_alerts_or_the_devices(w):
    from marketplace.services.traceability import alerts, devices
    m = approved(w, quantity=10)
    d = transfers.save_draft(w.session, w.p["e2"], m.id, quantity_t=1.0)
    d.created_at = d.created_at - dt.timedelta(days=30)  # old enough for any time-based alert
    result = alerts.scan(w.session, now=d.created_at + dt.timedelta(days=30))
    assert result is not None
    assert not list(w.session.scalars(select(Alert).where(Alert.shipment_id == d.id)))
    token, _device = devices.register_device(w.session, w.p["e2"], purpose="gps", name="车载定位")
    with pytest.raises(NotFound):
        devices.post_track(w.session, token, [{"reading_id": "r1", "shipment_id": d.id, "lat": 39.0, "lon": 117.0,
                                               "measured_at": "2026-12-01T08:00:00+08:00"}])
