"""Reconciliation alerts: each kind firing and not firing at its threshold, overrides, re-scans that
update rather than duplicate, acknowledgement, clearing, park scope, and persistence across a restart."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.db import make_engine, upgrade_schema
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import Alert, AuditEvent, Licence, Listing, Match, Park
from marketplace.models.base import CHINA_TZ, as_utc, utcnow
from marketplace.services.traceability import alerts, transfers
from marketplace.services.accounts import enterprises
from marketplace.services.matching import workflow
from marketplace.services.accounts.users import Principal, resolve_token
from marketplace.services.traceability.alerts import AlertSettings
from marketplace.services.catalog.reference import load_builtin_catalog
from tests.factories import load_api_park

ADMIN = Principal(user_id=None, email="test", role="admin")
# A fixed clock: 04:00 UTC is noon in the parks, so the park's today is unambiguous.
NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.timezone.utc)
TODAY = NOW.astimezone(CHINA_TZ).date()


@dataclass
class World:
    session: Session
    p: dict[str, Principal]
    ids: dict[str, int]

    def approved(self, offer: str = "O-1", need: str = "N-1", quantity: float | None = None) -> Match:
        """A match proposed, accepted by both parties and approved by the BH coordinator."""
        owner = {"O-1": "e2", "O-2": "e3", "N-1": "e1", "N-2": "e4"}
        m = workflow.propose(self.session, self.p["coord"], self.ids[offer], self.ids[need], quantity)
        workflow.decide(self.session, self.p[owner[offer]], m.id, "accept")
        workflow.decide(self.session, self.p[owner[need]], m.id, "accept")
        workflow.decide(self.session, self.p["coord"], m.id, "approve", "verified")
        assert m.status == "approved"
        return m

    def licence(self, number: str = "TJ-HW-0001") -> Licence:
        return self.session.scalar(select(Licence).where(Licence.number == number))

    def set_licence(self, number: str = "TJ-HW-0001", ref: str = "E-1", **values) -> None:
        enterprises.update_licence(self.session, ADMIN, ref, number, values)

    def active(self, kind: str | None = None) -> list[Alert]:
        stmt = select(Alert).where(Alert.status.in_(("open", "acknowledged"))).order_by(Alert.id)
        if kind:
            stmt = stmt.where(Alert.kind == kind)
        return list(self.session.scalars(stmt))

    def park(self, code: str) -> int:
        return self.session.scalar(select(Park.id).where(Park.code == code))


@pytest.fixture()
def w(session) -> World:
    tokens = load_api_park(session)
    principals = {k: resolve_token(session, t) for k, t in tokens.items()}
    ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
    return World(session, principals, ids)


def keys(result_alerts: list[Alert]) -> list[str]:
    return [a.key for a in result_alerts]


# --- licence_expiring ------------------------------------------------------------------------------

def test_licence_expiring_fires_on_the_last_day_of_the_window_not_the_day_after(w):
    w.set_licence(valid_to=TODAY + dt.timedelta(days=61))
    r = alerts.scan(w.session, now=NOW)
    assert r.by_kind["licence_expiring"] == 0 and not w.active("licence_expiring")
    w.set_licence(valid_to=TODAY + dt.timedelta(days=60))
    r = alerts.scan(w.session, now=NOW)
    assert (r.raised, r.by_kind["licence_expiring"]) == (1, 1)
    (a,) = w.active("licence_expiring")
    assert a.key == "licence_expiring:TJ-HW-0001" and a.severity == "warning" and a.status == "open"
    assert a.details["days_left"] == 60 and a.details["valid_to"] == str(TODAY + dt.timedelta(days=60))
    assert a.message.startswith("许可证 TJ-HW-0001") and "60 days" in a.message
    assert a.park_id == w.park("BH") and a.enterprise.ref == "E-1" and a.licence_number == "TJ-HW-0001"


def test_licence_expiring_today_fires_and_a_shorter_window_override_does_not(w):
    w.set_licence(valid_to=TODAY)
    assert alerts.scan(w.session, now=NOW, settings=AlertSettings(licence_expiry_days=0)).raised == 1
    w.set_licence(valid_to=TODAY + dt.timedelta(days=30))
    r = alerts.scan(w.session, now=NOW, settings=AlertSettings(licence_expiry_days=29))
    assert r.cleared == 1 and not w.active("licence_expiring")


def test_an_expired_licence_is_critical_only_while_a_match_uses_it(w):
    w.set_licence(number="TJ-HW-0002", ref="E-4", valid_from=dt.date(2025, 1, 1), valid_to=TODAY - dt.timedelta(days=1))
    assert alerts.scan(w.session, now=NOW).by_kind["licence_expiring"] == 0  # expired, unused: nothing to do
    m = w.approved()  # uses TJ-HW-0001, still valid today
    assert m.licence_number == "TJ-HW-0001"
    w.set_licence(valid_to=TODAY - dt.timedelta(days=1))
    r = alerts.scan(w.session, now=NOW)
    (a,) = w.active("licence_expiring")
    assert r.by_kind["licence_expiring"] == 1 and a.severity == "critical" and a.details["expired"] is True
    assert a.details["matches"] == 1 and "已于" in a.message and "expired" in a.message
    workflow.decide(w.session, w.p["coord"], m.id, "cancel", "licence lapsed")
    assert alerts.scan(w.session, now=NOW).cleared == 1 and not w.active("licence_expiring")


# --- licence_capacity ------------------------------------------------------------------------------

def test_licence_capacity_fires_above_ninety_percent_not_at_it(w):
    w.approved(quantity=270)
    w.set_licence(annual_capacity_t=300)  # 270 / 300 = 90 % exactly
    now = utcnow()
    assert alerts.scan(w.session, now=now).by_kind["licence_capacity"] == 0
    w.set_licence(annual_capacity_t=299.7)  # 90.09 %
    r = alerts.scan(w.session, now=now)
    (a,) = w.active("licence_capacity")
    assert r.raised == 1 and a.key == f"licence_capacity:TJ-HW-0001:{now.year}" and a.severity == "warning"
    assert a.details["used_t"] == 270 and a.details["used_pct"] == pytest.approx(90.09, abs=0.01)
    assert "270 t approved" in a.message and "超过 90%" in a.message
    # a stricter ratio is an override; a laxer one clears it
    r = alerts.scan(w.session, now=now, settings=AlertSettings(capacity_ratio=0.95))
    assert r.cleared == 1 and not w.active("licence_capacity")


def test_licence_capacity_override_and_critical_when_over_capacity(w):
    w.approved(quantity=200)
    now = utcnow()
    assert alerts.scan(w.session, now=now).by_kind["licence_capacity"] == 0  # 200 of 5000 t
    r = alerts.scan(w.session, now=now, settings=AlertSettings(capacity_ratio=0.03))
    assert r.by_kind["licence_capacity"] == 1 and w.active("licence_capacity")[0].severity == "warning"
    w.set_licence(annual_capacity_t=200)  # 100 %: still warning (not above capacity)
    alerts.scan(w.session, now=now)
    assert w.active("licence_capacity")[0].severity == "warning"
    # the approved tonnes of another year do not count in this one
    assert alerts.scan(w.session, now=now.replace(year=now.year + 1)).by_kind["licence_capacity"] == 0


# --- re-scan, acknowledgement, clearing ------------------------------------------------------------

def test_rescan_updates_the_one_active_alert_and_acknowledged_stays_acknowledged(w):
    w.set_licence(valid_to=TODAY + dt.timedelta(days=10))
    first = alerts.scan(w.session, now=NOW)
    (a,) = w.active("licence_expiring")
    again = alerts.scan(w.session, now=NOW + dt.timedelta(days=1))
    assert (first.raised, again.raised, again.still_active) == (1, 0, 1)
    assert len(w.active("licence_expiring")) == 1 and a.details["days_left"] == 9
    alerts.acknowledge(w.session, w.p["coord"], a.id, "  renewal filed with the bureau  ")
    assert (a.status, a.acknowledgement, a.acknowledged_by) == (
        "acknowledged", "renewal filed with the bureau", "coordinator:coord-bh@wm.test")
    alerts.scan(w.session, now=NOW + dt.timedelta(days=2))
    assert a.status == "acknowledged" and a.acknowledgement == "renewal filed with the bureau"
    assert a.details["days_left"] == 8 and w.session.scalar(select(func.count()).select_from(Alert)) == 1
    # renewed: the condition goes away, the alert is cleared, kept with its note
    w.set_licence(valid_to=dt.date(2031, 12, 31))
    r = alerts.scan(w.session, now=NOW + dt.timedelta(days=3))
    assert r.cleared == 1 and a.status == "cleared" and a.cleared_at is not None
    assert a.acknowledgement == "renewal filed with the bureau"
    # ... and a new condition on the same licence is a new alert, the old one stays cleared
    w.set_licence(valid_to=TODAY + dt.timedelta(days=5))
    assert alerts.scan(w.session, now=NOW).raised == 1
    assert w.session.scalar(select(func.count()).select_from(Alert)) == 2
    actions = list(w.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "alert")
                                     .order_by(AuditEvent.id)))
    assert actions == ["raise", "acknowledge", "clear", "raise"]


def test_acknowledge_rules(w):
    w.set_licence(valid_to=TODAY + dt.timedelta(days=10))
    alerts.scan(w.session, now=NOW)
    (a,) = w.active()
    with pytest.raises(ValidationFailed) as exc:
        alerts.acknowledge(w.session, w.p["coord"], a.id, "   ")
    assert "note" in exc.value.errors
    with pytest.raises(Forbidden):
        alerts.acknowledge(w.session, w.p["e1"], a.id, "mine")
    with pytest.raises(NotFound):  # another park's coordinator does not see it
        alerts.acknowledge(w.session, w.p["coord_nk"], a.id, "seen")
    with pytest.raises(NotFound):
        alerts.acknowledge(w.session, w.p["coord"], 2**40, "seen")
    alerts.acknowledge(w.session, w.p["admin"], a.id, "seen by admin")
    event = w.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "alert",
                                                      AuditEvent.action == "acknowledge"))
    assert event.park_id == w.park("BH") and event.changes["acknowledgement"] == [None, "seen by admin"]
    w.set_licence(valid_to=dt.date(2031, 12, 31))
    alerts.scan(w.session, now=NOW)
    with pytest.raises(Conflict):
        alerts.acknowledge(w.session, w.p["coord"], a.id, "too late")


def test_visibility_and_park_scoped_scan(w):
    w.set_licence(valid_to=TODAY + dt.timedelta(days=10))
    w.set_licence(number="TJ-HW-0002", ref="E-4", valid_to=TODAY + dt.timedelta(days=20))
    r = alerts.scan(w.session, now=NOW, park_id=w.park("NK"))
    assert r.raised == 1 and keys(w.active()) == ["licence_expiring:TJ-HW-0002"]
    assert alerts.scan(w.session, now=NOW).raised == 1
    seen = {k: sorted(keys(list(w.session.scalars(alerts.visible_alerts(w.p[k])))))
            for k in ("admin", "coord", "coord_nk", "e1")}
    assert seen["admin"] == ["licence_expiring:TJ-HW-0001", "licence_expiring:TJ-HW-0002"]
    assert seen["coord"] == ["licence_expiring:TJ-HW-0001"] and seen["coord_nk"] == ["licence_expiring:TJ-HW-0002"]
    assert seen["e1"] == []
    # a scan of one park never clears another park's alerts
    w.set_licence(valid_to=dt.date(2031, 12, 31))
    assert alerts.scan(w.session, now=NOW, park_id=w.park("NK")).cleared == 0
    assert alerts.scan(w.session, now=NOW, park_id=w.park("BH")).cleared == 1
    listed = list(w.session.scalars(alerts.filtered_alerts(w.session, w.p["admin"], park="NK")))
    assert keys(listed) == ["licence_expiring:TJ-HW-0002"]
    with pytest.raises(NotFound):
        alerts.filtered_alerts(w.session, w.p["admin"], park="XX")


def test_settings_overrides_are_validated():
    assert alerts.settings_from({"weight_tolerance": 0.1, "receipt_days": None}) == AlertSettings(weight_tolerance=0.1)
    with pytest.raises(ValidationFailed) as exc:
        alerts.settings_from({"weight_tolerance": -1, "licence_expiry_days": 1.5, "nonsense": 1})
    assert set(exc.value.errors) == {"weight_tolerance", "licence_expiry_days", "nonsense"}


# --- persistence -----------------------------------------------------------------------------------

def test_alerts_and_acknowledgements_survive_a_restart(backend, fresh_database_url):
    url = fresh_database_url(backend)
    engine = make_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session, session.begin():
        load_builtin_catalog(session)
        load_api_park(session)
        enterprises.update_licence(session, ADMIN, "E-1", "TJ-HW-0001", {"valid_to": TODAY + dt.timedelta(days=7)})
        alerts.scan(session, now=NOW)
        alert_id = session.scalar(select(Alert.id))
        alerts.acknowledge(session, ADMIN, alert_id, "call the handler")
    engine.dispose()

    engine = make_engine(url)  # the service restarts
    try:
        with Session(engine) as session, session.begin():
            a = session.get(Alert, alert_id)
            assert (a.kind, a.status, a.acknowledgement, a.acknowledged_by) == (
                "licence_expiring", "acknowledged", "call the handler", "admin:test")
            r = alerts.scan(session, now=NOW + dt.timedelta(days=1))
            assert (r.raised, r.still_active) == (0, 1)
            assert session.scalar(select(func.count()).select_from(Alert)) == 1 and a.status == "acknowledged"
    finally:
        engine.dispose()


# --- shipment kinds --------------------------------------------------------------------------------
# Shipments are built only through the transfer service, its clock (now=) set so that time is controlled.

T0 = utcnow().replace(microsecond=0) - dt.timedelta(days=40)
DAY, MINUTE = dt.timedelta(days=1), dt.timedelta(minutes=1)


def ship(w: World, match: Match, tonnes: float = 100.0, *, at: dt.datetime = T0):
    """A shipment planned at ``at`` and dispatched an hour later."""
    s = transfers.create_shipment(w.session, w.p["coord"], match.id, quantity_t=tonnes,
                                  containers=[{"packaging": "drum", "quantity_t": tonnes}], now=at)
    transfers.dispatch(w.session, w.p["coord"], s.id, now=at + dt.timedelta(hours=1))
    return s


def receive(w: World, s, tonnes: float, at: dt.datetime):
    return transfers.receive(w.session, w.p["coord"], s.id, quantity_received_t=tonnes, now=at)


def test_not_received_fires_after_three_days_not_at_them_and_clears_on_receipt(w):
    s = ship(w, w.approved())
    sent = s.dispatched_at
    assert alerts.scan(w.session, now=sent + 3 * DAY).by_kind["not_received"] == 0
    r = alerts.scan(w.session, now=sent + 3 * DAY + MINUTE)
    (a,) = w.active("not_received")
    assert r.raised == 1 and a.key == f"not_received:shipment:{s.id}" and a.severity == "warning"
    assert a.shipment_id == s.id and a.park_id == w.park("BH") and a.details["limit_days"] == 3
    assert s.manifest_number in a.message and "未接收" in a.message and "not received" in a.message
    alerts.scan(w.session, now=sent + 6 * DAY + MINUTE)
    assert a.severity == "critical" and len(w.active("not_received")) == 1
    # a longer receipt window is an override
    assert alerts.scan(w.session, now=sent + 6 * DAY + MINUTE, settings=AlertSettings(receipt_days=7)).cleared == 1
    alerts.scan(w.session, now=sent + 6 * DAY + MINUTE)
    receive(w, s, 100, sent + 7 * DAY)  # the receipt refreshes the shipment's alerts itself
    assert a.status == "cleared" and a.cleared_at is not None and not w.active("not_received")
    assert alerts.refresh_for_shipment(w.session, s, now=sent + 7 * DAY).cleared == 0  # idempotent


def test_not_received_clears_when_rejected_at_the_gate(w):
    s = ship(w, w.approved())
    alerts.scan(w.session, now=s.dispatched_at + 4 * DAY)
    assert w.active("not_received")
    transfers.reject(w.session, w.p["coord"], s.id, reason="drums leaking", now=s.dispatched_at + 4 * DAY)
    assert not w.active()  # cleared by the rejection
    r = alerts.scan(w.session, now=s.dispatched_at + 30 * DAY)
    assert (r.raised, r.cleared) == (0, 0) and not w.active()  # rejected is final: no manifest_open either


def test_weight_mismatch_fires_beyond_five_percent_not_at_it(w):
    m = w.approved()
    exact = ship(w, m, 100)
    receive(w, exact, 95.0, T0 + DAY)  # 5 % short
    above = ship(w, m, 100)
    receive(w, above, 105.0, T0 + DAY)  # 5 % over
    assert alerts.scan(w.session, now=T0 + DAY).by_kind["weight_mismatch"] == 0
    short = ship(w, m, 100)
    receive(w, short, 94.9, T0 + DAY)  # 5.1 % short: raised by the receipt itself
    (a,) = w.active("weight_mismatch")
    r = alerts.scan(w.session, now=T0 + DAY)
    assert (r.raised, r.still_active, r.by_kind["weight_mismatch"]) == (0, 1, 1)
    assert a.key == f"weight_mismatch:shipment:{short.id}" and a.severity == "warning"
    assert a.details["dispatched_t"] == 100 and a.details["received_t"] == 94.9
    assert a.details["difference_t"] == pytest.approx(-5.1) and a.details["difference_pct"] == pytest.approx(-5.1)
    assert "94.9" in a.message and "-5.1%" in a.message and "beyond the 5 % tolerance" in a.message
    # a 6 % tolerance is an override: nothing beyond it
    assert alerts.scan(w.session, now=T0 + DAY, settings=AlertSettings(weight_tolerance=0.06)).cleared == 1


def test_weight_mismatch_is_critical_beyond_twice_the_tolerance_and_raised_on_refresh(w):
    s = ship(w, w.approved(), 100)
    receive(w, s, 89.9, T0 + DAY)
    (a,) = w.active("weight_mismatch")  # raised by the receipt, through refresh_for_shipment
    assert a.severity == "critical" and as_utc(a.raised_at) == as_utc(s.received_at)
    r = alerts.refresh_for_shipment(w.session, s, now=T0 + DAY)
    assert (r.raised, r.still_active) == (0, 1)
    again = alerts.scan(w.session, now=T0 + 2 * DAY)
    assert again.raised == 0 and len(w.active("weight_mismatch")) == 1
    transfers.close(w.session, w.p["coord"], s.id, now=T0 + 2 * DAY)
    alerts.scan(w.session, now=T0 + 3 * DAY)
    assert w.active("weight_mismatch") == [a]  # a closed shipment keeps its mismatch


def test_manifest_open_fires_seven_days_after_receipt_and_clears_on_close(w):
    s = ship(w, w.approved(), 100)
    receive(w, s, 100, T0 + DAY)
    got = s.received_at
    assert alerts.scan(w.session, now=got + 7 * DAY).by_kind["manifest_open"] == 0
    r = alerts.scan(w.session, now=got + 7 * DAY + MINUTE)
    (a,) = w.active("manifest_open")
    assert r.raised == 1 and a.key == f"manifest_open:shipment:{s.id}" and "未办结" in a.message
    assert alerts.scan(w.session, now=got + 7 * DAY + MINUTE, settings=AlertSettings(close_days=10)).cleared == 1
    alerts.scan(w.session, now=got + 8 * DAY)
    transfers.close(w.session, w.p["coord"], s.id, now=got + 8 * DAY)  # closing clears it at once
    assert a.status == "cleared" and not w.active()


def test_receipts_over_licence_fire_above_capacity_not_at_it(w):
    m = w.approved(quantity=270)
    w.set_licence(annual_capacity_t=300)
    first, second = ship(w, m, 150), ship(w, m, 120)
    receive(w, first, 150, T0 + DAY)
    receive(w, second, 150, T0 + DAY)  # Σ 300 t = the capacity
    year = (T0 + DAY).astimezone(CHINA_TZ).year
    assert alerts.scan(w.session, now=T0 + DAY).by_kind["receipts_over_licence"] == 0
    w.set_licence(annual_capacity_t=299.9)
    r = alerts.scan(w.session, now=T0 + DAY)
    (a,) = w.active("receipts_over_licence")
    assert r.by_kind["receipts_over_licence"] == 1 and a.severity == "critical"
    assert a.key == f"receipts_over_licence:TJ-HW-0001:{year}" and a.details["received_t"] == 300
    assert a.details["excess_t"] == pytest.approx(0.1) and "超出年许可能力" in a.message


def test_a_cross_park_shipment_alert_is_seen_by_both_parks_coordinators(w):
    s = ship(w, w.approved("O-2", "N-2", quantity=100), 100)  # BH garage → NK cement kiln
    r = alerts.scan(w.session, now=s.dispatched_at + 4 * DAY, park_id=w.park("NK"))  # in NK's scope: the receiver
    assert r.raised == 1
    (a,) = w.active("not_received")
    assert a.park_id == w.park("BH") and a.enterprise.ref == "E-4"
    for who in ("coord", "coord_nk", "admin"):
        assert [x.id for x in w.session.scalars(alerts.visible_alerts(w.p[who]))] == [a.id]
    assert list(w.session.scalars(alerts.filtered_alerts(w.session, w.p["admin"], park="NK"))) == [a]
    alerts.acknowledge(w.session, w.p["coord_nk"], a.id, "carrier called: delayed at the toll station")
    assert a.status == "acknowledged"


def test_a_key_raised_by_another_transaction_is_updated_not_duplicated(w):
    """The partial unique index is the backstop when two scans race: the loser updates the winner's alert."""
    w.set_licence(valid_to=TODAY + dt.timedelta(days=10))
    alerts.scan(w.session, now=NOW)
    (a,) = w.active()
    finding = alerts._licence_findings(w.session, [w.licence()], NOW, AlertSettings())[0]
    assert alerts._raise(w.session, finding, NOW) is None  # refused by uq_alerts_active_key, session still usable
    r = alerts._reconcile(w.session, [finding], [], NOW + DAY, alerts.LICENCE_KINDS)  # as if a's scan were unseen
    assert (r.raised, r.still_active) == (0, 1) and w.active() == [a] and a.last_seen_at == NOW + DAY
