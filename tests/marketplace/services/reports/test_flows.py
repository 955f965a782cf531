"""Product deliveries from the chemical flow ledgers as report flows (a module of its own: the demo
park's module-wide transaction in ``test_reports`` would hold SQLite's write lock)."""
from __future__ import annotations

import datetime as dt

from marketplace.models.base import park_date
from marketplace.services.traceability import ledger
from marketplace.services.accounts.users import system_principal
from marketplace.services.reports.document import build_report
from tests.factories import load_small_park

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.timezone.utc)
TODAY = park_date(NOW)
ADMIN = system_principal("test")


def test_a_delivery_both_sides_booked_counts_once_whoever_booked_first(session):
    load_small_park(session)
    day = TODAY - dt.timedelta(days=3)
    common = {"chemical_name": "再生基础油 re-refined base oil", "cas": "64742-54-7", "quantity_t": 12.5,
              "entry_date": day}
    # The receiver books its receipt before the sender books the delivery.
    ledger.create_entry(session, ADMIN, {"enterprise": "E-2", "batch_code": "RB-1", "direction": "in",
                                         "counterparty": "E-1", **common})
    ledger.create_entry(session, ADMIN, {"enterprise": "E-1", "batch_code": "RB-1", "direction": "out",
                                         "counterparty": "E-2", **common})
    # A delivery only the receiver booked.
    ledger.create_entry(session, ADMIN, {"enterprise": "E-2", "batch_code": "RB-2", "direction": "in",
                                         "counterparty": "E-1", **common})
    doc = build_report(session, ADMIN, end=TODAY, now=NOW)
    products = sorted((f for f in doc["flows"] if f["kind"] == "product"), key=lambda f: f["confirmed"])
    assert [(f["source"], f["target"], f["confirmed"]) for f in products] == [("E-1", "E-2", False),
                                                                             ("E-1", "E-2", True)]
    assert all(f["tonnes"] == 12.5 and f["unit"] == "t" and f["distance_km"] > 0 for f in products)
    assert doc["kpis"]["park"]["realised"]["tonnes"] == 0  # products are not transfers
