"""Shipment transitions bring the shipment's own alerts up to date at once, without waiting for a scan."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from marketplace.models import Alert
from marketplace.services.traceability import alerts, transfers
from tests.marketplace.services.traceability.test_transfers import approved, plan
from tests.marketplace.services.matching.test_workflow import World

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _alerts(w: World, shipment_id: int) -> dict[str, str]:
    return {a.kind: a.status for a in w.session.scalars(select(Alert).where(Alert.shipment_id == shipment_id))}


def test_a_short_weight_receipt_raises_its_alert_at_once_and_an_exact_one_does_not(w):
    m = approved(w)
    short, exact = plan(w, m, quantity=2.0, now=T0), plan(w, m, quantity=2.0, now=T0)
    for s, got in ((short, 1.8), (exact, 2.0)):
        transfers.dispatch(w.session, w.p["e2"], s.id, now=T0 + dt.timedelta(hours=1))
        transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=got, now=T0 + dt.timedelta(hours=5))
    assert _alerts(w, short.id) == {"weight_mismatch": "open"}
    assert _alerts(w, exact.id) == {}


def test_receiving_a_late_load_clears_its_not_received_alert(w):
    m = approved(w)
    s = plan(w, m, quantity=1.0, now=T0)
    transfers.dispatch(w.session, w.p["e2"], s.id, now=T0)
    # Four days on the road: the daily scan flags it …
    late = T0 + dt.timedelta(days=4)
    alerts.scan(w.session, now=late)
    assert _alerts(w, s.id) == {"not_received": "open"}
    # … and its receipt clears it in the same transaction.
    transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=1.0, now=late + dt.timedelta(hours=1))
    assert _alerts(w, s.id) == {"not_received": "cleared"}
