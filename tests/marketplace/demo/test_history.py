"""The demo park's four months of transfers and ledger entries: every state, alert and finding shows up."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from marketplace.demo.history import HISTORY_DAYS, seed_demo_history
from marketplace.models import Alert, Container, LedgerEntry, LedgerFinding, Match, Shipment
from marketplace.services.accounts.users import system_principal
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.runs import run_matching
from marketplace.services.traceability import trace
from tests.conftest import DEMO_PARK, savepoint_session, shared_data

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)


def _history(session):
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    run_matching(session, park=None, actor="test")
    return seed_demo_history(session, now=NOW)


@pytest.fixture(scope="module")
def seeded(engine):
    """The demo's history, played once for the module (~10 s); each test reads it in its own savepoint."""
    with shared_data(engine, _history) as shared:
        yield shared


@pytest.fixture()
def history(seeded):
    conn, report = seeded
    with savepoint_session(conn) as session:
        yield session, report


def test_history_spans_months_and_every_shipment_state(history):
    session, report = history
    assert not report.skipped
    statuses = dict(session.execute(select(Shipment.status, func.count()).group_by(Shipment.status)).all())
    assert {"planned", "dispatched", "received", "closed", "rejected"} <= set(statuses)
    assert statuses == report.shipments
    assert sum(statuses.values()) >= 40
    first, last = session.execute(select(func.min(Shipment.dispatched_at), func.max(Shipment.dispatched_at))).one()
    assert (last - first).days >= 90 and (NOW - _aware(first)).days <= HISTORY_DAYS
    # The SCCP oil was shipped in full: that match is completed; the others are still under way.
    assert report.completed_matches >= 1
    assert session.scalar(select(func.count()).select_from(Match).where(Match.status == "completed")) >= 1
    assert session.scalar(select(func.count()).select_from(Match).where(Match.status == "in_transfer")) >= 5
    numbers = list(session.scalars(select(Shipment.manifest_number)))
    assert len(numbers) == len(set(numbers)) and all(n[:3] in ("CH-", "JC-") for n in numbers)


def test_history_raises_each_kind_of_alert(history):
    session, report = history
    kinds = set(session.scalars(select(Alert.kind).where(Alert.status == "open")))
    assert {"weight_mismatch", "not_received", "manifest_open", "licence_expiring", "licence_capacity"} <= kinds
    assert sum(report.alerts.values()) >= 5


def test_history_review_finds_ledger_problems(history):
    session, report = history
    codes = set(session.scalars(select(LedgerFinding.code).where(LedgerFinding.status == "open")))
    assert {"out_exceeds_in", "unknown_counterparty", "missing_cas", "controlled_without_permit"} <= codes
    assert report.ledger_entries == session.scalar(select(func.count()).select_from(LedgerEntry)) - \
        session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.shipment_id.is_not(None)))


def test_history_traces_nmp_from_battery_maker_to_cathode_slurry(history):
    session, _ = history
    code = session.scalar(select(Container.code).join(Shipment).where(Shipment.status == "closed",
                                                                      Shipment.material.like("%NMP%"))
                          .order_by(Shipment.id))
    doc = json.dumps(trace.trace(session, system_principal("test"), code), ensure_ascii=False, default=str)
    for expected in ("E-017", "E-039", code, "电池级再生NMP", "正极浆料"):
        assert expected in doc


def test_seeding_twice_leaves_the_history_alone(history):
    session, _ = history
    before = session.scalar(select(func.count()).select_from(Shipment))
    again = seed_demo_history(session, now=NOW)
    assert again.skipped
    assert session.scalar(select(func.count()).select_from(Shipment)) == before


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
