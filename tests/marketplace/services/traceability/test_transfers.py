"""Transfers: every manifest step allowed and refused (state, side, visibility), the match's quantity cap,
approved → in_transfer → completed, manifest numbering, container codes, audit, notices, realised flows."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, Enterprise, LedgerEntry, Match, Notification, Park, Shipment, User
from marketplace.models.base import as_utc, park_date, utcnow
from marketplace.services.traceability import transfers
from tests.marketplace.services.matching.test_workflow import World

UTC = dt.timezone.utc
ONE_DRUM = [{"packaging": "drum", "quantity_t": 1.0}]


def approved(w: World, offer: str = "O-1", need: str = "N-1", quantity: float = 10) -> Match:
    """A match both parties accepted and the BH coordinator approved."""
    m = w.accepted(offer, need, quantity)
    w.act("coord", m, "approve")
    assert m.status == "approved"
    return m


def plan(w: World, m: Match, who: str = "e2", quantity: float = 1.0, containers=None, **kw) -> Shipment:
    containers = containers if containers is not None else [{"packaging": "drum", "quantity_t": quantity}]
    return transfers.create_shipment(w.session, w.p[who], m.id, quantity_t=quantity, containers=containers, **kw)


def in_state(w: World, m: Match, status: str, quantity: float = 1.0) -> Shipment:
    """A shipment of ``m`` brought to ``status`` by the parties themselves."""
    s = plan(w, m, quantity=quantity)
    if status == "cancelled":
        transfers.cancel(w.session, w.p["e2"], s.id, reason="truck unavailable")
    if status in ("dispatched", "received", "closed", "rejected"):
        transfers.dispatch(w.session, w.p["e2"], s.id)
    if status == "rejected":
        transfers.reject(w.session, w.p["e1"], s.id, reason="drums leaking")
    if status in ("received", "closed"):
        transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=quantity)
    if status == "closed":
        transfers.close(w.session, w.p["e1"], s.id)
    assert s.status == status
    return s


def attempt(w: World, who: str, s: Shipment, action: str):
    return transfers.apply_event(w.session, w.p[who], s.id, action, quantity_received_t=1.0, reason="because")


def trail(w: World, s: Shipment) -> list[AuditEvent]:
    return list(w.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "shipment", AuditEvent.entity_key == str(s.id)).order_by(AuditEvent.id)))


# --- planning ----------------------------------------------------------------------------------------

def test_plan_numbers_the_manifest_and_each_container(w):
    m = approved(w)
    now = dt.datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # already 2 December in the park (UTC+8)
    s = plan(w, m, quantity=1.5, now=now, carrier="津运危化", vehicle="津A12345", driver="王师傅",
             containers=[{"packaging": "drum", "quantity_t": 0.5}, {"packaging": "ibc", "quantity_t": 1.0}])
    assert s.manifest_number == "BH-20261202-0001"
    assert [(c.code, c.sequence, c.packaging) for c in s.containers] == [
        ("BH-20261202-0001-01", 1, "drum"), ("BH-20261202-0001-02", 2, "ibc")]
    bh = w.session.scalar(select(Park.id).where(Park.code == "BH"))
    assert (s.status, s.park_id, s.material, s.waste_code, s.licence_number) == (
        "planned", bh, "废机油", "900-214-08", "TJ-HW-0001")
    assert (s.producer.ref, s.receiver.ref, s.created_by) == ("E-2", "E-1", "enterprise:garage@e2.test")
    assert transfers.find_container(w.session, "BH-20261202-0001-02").shipment is s
    assert transfers.find_container(w.session, "BH-20261202-0001-03") is None
    [event] = trail(w, s)
    assert (event.park_id, event.changes["status"], event.context["action"]) == (bh, [None, "planned"], "plan")


def test_plan_notifies_the_other_party_and_the_coordinators_not_the_actor(w):
    m = approved(w)
    s = plan(w, m, who="e2")
    notices = list(w.session.scalars(select(Notification).where(Notification.kind == "shipment_event")))
    e1 = w.session.scalar(select(Enterprise.id).where(Enterprise.ref == "E-1"))
    coord = w.session.scalar(select(User.id).where(User.email == "coord-bh@wm.test"))
    assert {(n.enterprise_id, n.user_id) for n in notices} == {(e1, None), (None, coord)}
    assert all(n.data["manifest_number"] == s.manifest_number and s.manifest_number in n.data["message"]
               for n in notices)
    transfers.dispatch(w.session, w.p["coord"], s.id)  # a coordinator acted: both parties hear of it
    dispatched = list(w.session.scalars(select(Notification).where(Notification.kind == "shipment_event",
                                                                   Notification.id.not_in([n.id for n in notices]))))
    e2 = w.session.scalar(select(Enterprise.id).where(Enterprise.ref == "E-2"))
    assert {(n.enterprise_id, n.user_id) for n in dispatched} == {(e1, None), (e2, None)}
    assert {n.data["event"] for n in dispatched} == {"dispatch"}


def test_numbers_are_consecutive_per_park_and_day(w):
    m = approved(w)
    day1 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    day2 = dt.datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 2 December, 01:00 in the park
    numbers = [plan(w, m, now=t).manifest_number for t in (day1, day1, day2, day1, day2)]
    assert numbers == ["BH-20261201-0001", "BH-20261201-0002", "BH-20261202-0001", "BH-20261201-0003",
                       "BH-20261202-0002"]


def test_a_parkless_producer_numbers_under_wm(w):
    m = approved(w)
    w.session.get(Enterprise, m.offer.enterprise_id).park_id = None
    s = plan(w, m, now=dt.datetime(2026, 3, 4, 5, 0, tzinfo=UTC))
    assert s.manifest_number == "WM-20260304-0001" and s.park_id is None


def test_either_party_or_a_coordinator_of_the_parks_may_plan(w):
    m = approved(w)
    for who in ("e2", "e1", "coord", "admin"):
        assert plan(w, m, who=who).status == "planned"
    for who in ("e3", "e4", "coord_nk"):  # a third enterprise, a coordinator of another park
        with pytest.raises(NotFound):
            plan(w, m, who=who)


def test_a_cross_park_match_is_planned_and_followed_by_both_parks(w):
    m = w.accepted("O-1", "N-2", 20)  # BH garage → NK cement kiln
    w.act("coord_nk", m, "approve")
    s = plan(w, m, who="coord_nk")
    assert s.manifest_number.startswith("BH-")  # the producer's park numbers it
    for who in ("coord", "coord_nk", "e2", "e4"):
        assert transfers.get_shipment(w.session, w.p[who], s.id) is s
    with pytest.raises(NotFound):
        transfers.get_shipment(w.session, w.p["e1"], s.id)
    ids = {who: set(w.session.scalars(transfers.visible_shipments(w.p[who]).with_only_columns(Shipment.id)))
           for who in ("coord", "coord_nk", "e1", "e2", "e3", "e4", "admin")}
    assert ids == {"coord": {s.id}, "coord_nk": {s.id}, "e1": set(), "e2": {s.id}, "e3": set(), "e4": {s.id},
                   "admin": {s.id}}


def test_only_approved_or_in_transfer_matches_ship(w):
    m = w.accepted("O-1", "N-1", 10)
    with pytest.raises(Conflict) as exc:
        plan(w, m)
    assert "match" in exc.value.errors
    w.act("coord", m, "approve")
    plan(w, m)
    w.act("e2", m, "start_transfer")
    assert plan(w, m).status == "planned"  # in_transfer still ships


@pytest.mark.parametrize("containers, quantity, field", [
    ([], 1.0, "containers"),
    ([{"packaging": "drum", "quantity_t": 0.4}], 1.0, "containers"),  # 0.4 t ≠ 1 t
    ([{"packaging": "barrel", "quantity_t": 1.0}], 1.0, "containers"),
    ([{"packaging": "drum", "quantity_t": 0}], 1.0, "containers"),
    ([{"packaging": "drum", "quantity_t": 1.0}], 0, "quantity_t"),
    ([{"packaging": "drum", "quantity_t": float("nan")}], float("nan"), "quantity_t"),
])
def test_bad_quantities_and_containers_are_422_naming_the_field(w, containers, quantity, field):
    m = approved(w)
    with pytest.raises(ValidationFailed) as exc:
        plan(w, m, quantity=quantity, containers=containers)
    assert field in exc.value.errors


def test_containers_add_up_within_a_microtonne(w):
    m = approved(w)
    s = plan(w, m, quantity=1.0, containers=[{"packaging": "bag", "quantity_t": 1 / 3}] * 3)
    assert len(s.containers) == 3
    with pytest.raises(ValidationFailed):
        plan(w, m, quantity=1.0, containers=[{"packaging": "bag", "quantity_t": 0.333}] * 3)


def test_over_long_text_is_422(w):
    m = approved(w)
    with pytest.raises(ValidationFailed) as exc:
        plan(w, m, vehicle="津" * 21)
    assert "vehicle" in exc.value.errors


def test_shipments_cannot_carry_more_than_the_match(w):
    m = approved(w, quantity=10)
    first = plan(w, m, quantity=6)
    plan(w, m, quantity=3.5)
    with pytest.raises(Conflict) as exc:
        plan(w, m, quantity=0.6)  # 10.1 t > 10 t
    assert "quantity_t" in exc.value.errors
    assert plan(w, m, quantity=0.5).quantity_t == 0.5  # exactly 10 t fits
    transfers.cancel(w.session, w.p["e2"], first.id, reason="re-planned")  # a cancelled plan frees its tonnes
    plan(w, m, quantity=6)
    with pytest.raises(Conflict):
        plan(w, m, quantity=0.01)


def test_a_rejected_shipment_frees_its_tonnes(w):
    m = approved(w, quantity=2)
    s = in_state(w, m, "rejected", quantity=2)
    assert s.status_reason == "drums leaking" and s.rejected_at is not None
    assert plan(w, m, quantity=2).status == "planned"


# --- the state machine ---------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["planned", "dispatched", "received", "closed", "rejected", "cancelled"])
def test_each_action_is_allowed_only_from_its_states(w, status):
    m = approved(w, quantity=20)
    for action in transfers.ACTIONS:
        s = in_state(w, m, status)
        if status in transfers.FROM_STATES[action]:
            attempt(w, "admin", s, action)
            assert s.status == transfers.TO_STATE[action], action
        else:
            with pytest.raises(Conflict) as exc:
                attempt(w, "admin", s, action)
            assert "status" in exc.value.errors and s.status == status, action


@pytest.mark.parametrize("action, allowed, refused", [
    ("dispatch", ("e2", "coord", "admin"), ("e1",)),
    ("cancel", ("e2", "coord", "admin"), ("e1",)),
    ("receive", ("e1", "coord", "admin"), ("e2",)),
    ("reject", ("e1", "coord", "admin"), ("e2",)),
    ("close", ("e1", "coord", "admin"), ("e2",)),
])
def test_each_action_belongs_to_its_side(w, action, allowed, refused):
    m = approved(w, quantity=20)
    start = {"dispatch": "planned", "cancel": "planned", "receive": "dispatched", "reject": "dispatched",
             "close": "received"}[action]
    for who in refused:
        s = in_state(w, m, start)
        with pytest.raises(Forbidden) as exc:
            attempt(w, who, s, action)
        assert "action" in exc.value.errors and s.status == start
    for who in ("e3", "e4", "coord_nk"):  # invisible: 404, not 403
        s = in_state(w, m, start)
        with pytest.raises(NotFound):
            attempt(w, who, s, action)
    for who in allowed:
        s = in_state(w, m, start)
        attempt(w, who, s, action)
        assert s.status == transfers.TO_STATE[action]
        assert trail(w, s)[-1].actor == w.p[who].actor


def test_unknown_ids_and_actions(w):
    with pytest.raises(NotFound):
        transfers.get_shipment(w.session, w.p["admin"], 999999)
    with pytest.raises(NotFound):
        transfers.dispatch(w.session, w.p["admin"], 2**40)
    with pytest.raises(NotFound):
        transfers.create_shipment(w.session, w.p["admin"], 999999, quantity_t=1, containers=ONE_DRUM)
    s = plan(w, approved(w))
    with pytest.raises(ValidationFailed):
        transfers.apply_event(w.session, w.p["admin"], s.id, "teleport")


def test_reject_and_cancel_need_a_reason(w):
    m = approved(w)
    s = in_state(w, m, "dispatched")
    with pytest.raises(ValidationFailed) as exc:
        transfers.reject(w.session, w.p["e1"], s.id, reason="  ")
    assert "reason" in exc.value.errors
    p = plan(w, m)
    with pytest.raises(ValidationFailed):
        transfers.cancel(w.session, w.p["e2"], p.id, reason="")
    transfers.cancel(w.session, w.p["e2"], p.id, reason="vehicle broke down")
    assert (p.status, p.status_reason) == ("cancelled", "vehicle broke down")


def test_past_events_may_be_recorded_but_never_in_the_future_or_out_of_order(w):
    m = approved(w)
    now = utcnow()
    s = plan(w, m, now=now - dt.timedelta(days=3))
    with pytest.raises(ValidationFailed) as exc:
        transfers.dispatch(w.session, w.p["e2"], s.id, at=now + dt.timedelta(minutes=5), now=now)
    assert "at" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        transfers.dispatch(w.session, w.p["e2"], s.id, at=now - dt.timedelta(days=4), now=now)
    assert "at" in exc.value.errors and s.status == "planned"
    left = now - dt.timedelta(days=2)
    transfers.dispatch(w.session, w.p["e2"], s.id, at=left, now=now)
    assert as_utc(s.dispatched_at) == left
    with pytest.raises(ValidationFailed) as exc:
        transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=1, at=left - dt.timedelta(hours=1), now=now)
    assert "at" in exc.value.errors
    with pytest.raises(ValidationFailed):
        transfers.reject(w.session, w.p["e1"], s.id, reason="late", at=left - dt.timedelta(seconds=1), now=now)
    transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=1, at=left + dt.timedelta(hours=3), now=now)
    with pytest.raises(ValidationFailed):
        transfers.close(w.session, w.p["e1"], s.id, at=left, now=now)
    transfers.close(w.session, w.p["e1"], s.id, now=now)
    assert as_utc(s.closed_at) == now
    assert [e.context["at"] for e in trail(w, s)][1:] == [
        left.isoformat(), (left + dt.timedelta(hours=3)).isoformat(), now.isoformat()]


# --- receipt ----------------------------------------------------------------------------------

def test_receipt_books_the_receivers_ledger(w):
    m = approved(w)
    s = in_state(w, m, "dispatched", quantity=1.0)
    transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=0.98, remark="过磅复核")
    assert (s.status, s.quantity_received_t, s.status_reason, s.received_by) == (
        "received", 0.98, "过磅复核", "enterprise:handler@e1.test")
    [entry] = w.session.scalars(select(LedgerEntry).where(LedgerEntry.shipment_id == s.id))
    assert (entry.direction, entry.enterprise_id, entry.quantity_t, entry.batch_code) == (
        "in", s.receiver_id, 0.98, s.manifest_number)


def test_receipt_needs_a_nonnegative_quantity(w):
    m = approved(w)
    s = in_state(w, m, "dispatched")
    for bad in (None, -0.1, float("inf"), "1"):
        with pytest.raises(ValidationFailed) as exc:
            transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=bad)
        assert "quantity_received_t" in exc.value.errors
    transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=0)  # all spilt: recorded, alerts flag it
    assert s.quantity_received_t == 0


def test_receipt_per_container(w):
    m = approved(w)
    s = plan(w, m, quantity=1.0, containers=[{"packaging": "drum", "quantity_t": 0.5}] * 2)
    transfers.dispatch(w.session, w.p["e2"], s.id)
    a, b = (c.code for c in s.containers)
    for containers in ({"XX-1": 0.5}, {a: 0.5, b: 0.4}, {a: 1.2}, {a: -1}):
        with pytest.raises(ValidationFailed) as exc:
            transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=1.0, containers=containers)
        assert "containers" in exc.value.errors, containers
    transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=1.1, containers={a: 0.6})  # above: allowed
    assert [c.quantity_received_t for c in s.containers] == [0.6, None]


# --- the match follows its shipments --------------------------------------------------------

def test_first_dispatch_starts_the_transfer_and_last_close_completes_the_match(w):
    m = approved(w, quantity=10)
    first, second = plan(w, m, quantity=6), plan(w, m, quantity=4)
    transfers.dispatch(w.session, w.p["e2"], first.id)
    assert m.status == "in_transfer"
    transfers.dispatch(w.session, w.p["e2"], second.id)
    for s, received in ((first, 6.0), (second, 3.5)):  # 9.5 t = exactly 95 %
        transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=received)
    transfers.close(w.session, w.p["e1"], first.id)
    assert m.status == "in_transfer"  # the second is still open
    with pytest.raises(Conflict) as exc:
        w.act("e1", m, "complete")
    assert second.manifest_number in exc.value.message
    transfers.close(w.session, w.p["e1"], second.id)
    assert m.status == "completed"
    events = {e.context["action"]: e for e in w.trail(m)}
    assert list(events)[-2:] == ["start_transfer", "complete"]
    assert events["start_transfer"].changes["status"] == ["approved", "in_transfer"]
    assert (events["start_transfer"].context["role"], events["complete"].context["role"]) == (
        "offer_party", "need_party")


def test_below_95_percent_the_match_stays_in_transfer_and_may_be_completed_by_hand(w):
    m = approved(w, quantity=10)
    s = in_state(w, m, "received", quantity=9.5)
    s.quantity_received_t = 9.49  # 94.9 %
    transfers.close(w.session, w.p["e1"], s.id)
    assert m.status == "in_transfer"
    w.act("e1", m, "complete")  # nothing open any more: the receiver may close the match
    assert m.status == "completed"


def test_complete_is_refused_while_a_shipment_is_planned_dispatched_or_received(w):
    m = approved(w, quantity=10)
    w.act("e2", m, "start_transfer")
    for status in ("planned", "dispatched", "received"):
        s = in_state(w, m, status)
        with pytest.raises(Conflict):
            w.act("e1", m, "complete")
        transfers.apply_event(w.session, w.p["admin"], s.id, "cancel" if status == "planned" else
                              "reject" if status == "dispatched" else "close", reason="test")
    w.act("e1", m, "complete")
    assert m.status == "completed"


def test_a_match_that_is_no_longer_approved_cannot_dispatch(w):
    m = approved(w)
    s = plan(w, m)
    w.act("coord", m, "cancel", "licence suspended")
    with pytest.raises(Conflict) as exc:
        transfers.dispatch(w.session, w.p["e2"], s.id)
    assert "match" in exc.value.errors


# --- views, history, flows ----------------------------------------------------------------------

def test_the_other_partys_users_stay_anonymous_in_views(w):
    m = approved(w)
    s = in_state(w, m, "dispatched")
    as_e1 = transfers.shipment_view(s, transfers.actor_masker(w.session, w.p["e1"]))
    as_e2 = transfers.shipment_view(s, transfers.actor_masker(w.session, w.p["e2"]))
    as_coord = transfers.shipment_view(s, transfers.actor_masker(w.session, w.p["coord"]))
    assert as_e1["dispatched_by"] == transfers.HIDDEN_ACTOR and as_e1["producer"]["name"] == "开发区汽车维修中心"
    assert as_e2["dispatched_by"] == as_coord["dispatched_by"] == "enterprise:garage@e2.test"
    events = [transfers.event_view(e, transfers.actor_masker(w.session, w.p["e1"]))
              for e in w.session.scalars(transfers.history_query(s))]
    assert [(e["action"], e["from"], e["to"], e["actor"]) for e in events] == [
        ("plan", None, "planned", transfers.HIDDEN_ACTOR),
        ("dispatch", "planned", "dispatched", transfers.HIDDEN_ACTOR)]


def test_filters(w):
    m = approved(w, quantity=20)
    a, b = in_state(w, m, "dispatched"), plan(w, m)
    other = w.accepted("O-2", "N-1", 10)
    w.act("coord", other, "approve")
    c = plan(w, other, who="e3")
    admin = w.p["admin"]

    def ids(**kw):
        return [s.id for s in w.session.scalars(transfers.filtered_shipments(w.session, admin, **kw))]

    assert ids() == [c.id, b.id, a.id]
    assert ids(status="dispatched") == [a.id]
    assert ids(match=other.id) == [c.id]
    assert ids(park="BH") == [c.id, b.id, a.id] and ids(park="NK") == []
    assert ids(since=utcnow() + dt.timedelta(minutes=1)) == []
    assert ids(until=utcnow() + dt.timedelta(minutes=1)) == [c.id, b.id, a.id]
    with pytest.raises(NotFound):
        ids(park="ZZ")
    with pytest.raises(NotFound):
        transfers.get_by_manifest(w.session, w.p["e4"], a.manifest_number)
    assert transfers.get_by_manifest(w.session, w.p["e1"], f" {a.manifest_number} ") is a


def test_realised_flows_sum_received_tonnes_by_match_within_the_period(w):
    m = approved(w, quantity=20)
    now = utcnow()
    days = [now - dt.timedelta(days=d) for d in (10, 5, 1)]
    shipments = []
    for when, received in zip(days, (3.0, 2.5, 1.0), strict=True):
        s = plan(w, m, quantity=3.0, now=when - dt.timedelta(hours=5))
        transfers.dispatch(w.session, w.p["e2"], s.id, now=when - dt.timedelta(hours=3))
        transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=received, now=when)
        shipments.append(s)
    transfers.close(w.session, w.p["e1"], shipments[0].id, now=now)
    in_state(w, m, "rejected")
    in_state(w, m, "dispatched")  # neither counts
    [flow] = transfers.realised_flows(w.session)
    assert (flow.match_id, flow.offer_id, flow.need_id, flow.waste_code, flow.material) == (
        m.id, m.offer_id, m.need_id, "900-214-08", "废机油")
    assert (flow.tonnes, flow.shipments) == (pytest.approx(6.5), 3)
    assert (flow.first_received, flow.last_received) == (park_date(days[0]), park_date(days[2]))
    [recent] = transfers.realised_flows(w.session, start=park_date(days[1]), end=park_date(days[2]))
    assert (recent.tonnes, recent.shipments) == (pytest.approx(3.5), 2)
    assert transfers.realised_flows(w.session, end=park_date(days[0]) - dt.timedelta(days=1)) == []
    nk = w.session.scalar(select(Park.id).where(Park.code == "NK"))
    bh = w.session.scalar(select(Park.id).where(Park.code == "BH"))
    assert transfers.realised_flows(w.session, park_id=nk) == []
    assert len(transfers.realised_flows(w.session, park_id=bh)) == 1
