"""Eight producers' clerks plan shipments at the same instant, each in its own thread, session and
transaction, against a real committed PostgreSQL database.

Every plan gets its own manifest number, the numbers of the park's day are consecutive
from 0001 with none lost, nothing else goes wrong, and plans of one match never carry
more than the match allows (the match row lock serialises them).
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from marketplace.db import make_engine, make_sessionmaker, transaction, upgrade_schema
from marketplace.errors import Conflict
from marketplace.models import Listing, ManifestSequence, Park, Shipment
from marketplace.services.traceability import transfers
from marketplace.services.matching import workflow
from marketplace.services.accounts.users import Principal
from marketplace.services.catalog.reference import load_builtin_catalog
from marketplace.services.listings.interchange import import_document
from tests.factories import small_document

THREADS = 8
NOW = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def factory(backend, fresh_database_url) -> Iterator:
    if backend != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers with BEGIN IMMEDIATE)")
    engine = make_engine(fresh_database_url(backend), pool_size=THREADS + 5, max_overflow=5)
    upgrade_schema(engine)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        load_builtin_catalog(session)
    yield sessions
    engine.dispose()


def _approved_match(factory, quantity: float) -> tuple[int, Principal]:
    """Import the small park, propose, accept on both sides, approve; committed. Returns the match and the
    coordinator."""
    with transaction(factory) as session:
        import_document(session, small_document(), actor="test")
        park_id = session.scalar(select(Park.id).where(Park.code == "BH"))
        coordinator = Principal(user_id=None, email="coord@bh.test", role="coordinator", park_ids=frozenset({park_id}))
        listings = {x.ref: x for x in session.scalars(select(Listing))}
        offer, need = listings["O-1"], listings["N-1"]
        m = workflow.propose(session, coordinator, offer.id, need.id, quantity)
        for listing in (offer, need):
            party = Principal(user_id=None, email=f"user@{listing.enterprise.ref.lower()}.test", role="enterprise",
                              enterprise_id=listing.enterprise_id, enterprise_ref=listing.enterprise.ref)
            workflow.decide(session, party, m.id, "accept")
        workflow.decide(session, coordinator, m.id, "approve")
        return m.id, coordinator


def _plan_all_at_once(factory, match_id: int, principal: Principal) -> tuple[list[str], list[Conflict], list]:
    barrier = threading.Barrier(THREADS)
    numbers, conflicts, errors = [], [], []
    lock = threading.Lock()

    def plan(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            with transaction(factory) as session:
                s = transfers.create_shipment(session, principal, match_id, quantity_t=1.0,
                                              containers=[{"packaging": "drum", "quantity_t": 0.5}] * 2,
                                              vehicle=f"津A{i:05d}", now=NOW)
                number = s.manifest_number
            with lock:
                numbers.append(number)
        except Conflict as exc:
            with lock:
                conflicts.append(exc)
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=plan, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a plan hung (deadlock?)"
    return numbers, conflicts, errors


def test_concurrent_plans_get_distinct_consecutive_numbers(factory):
    match_id, coordinator = _approved_match(factory, quantity=50)
    numbers, conflicts, errors = _plan_all_at_once(factory, match_id, coordinator)
    assert errors == [] and conflicts == []
    assert sorted(numbers) == [f"BH-20261201-{i:04d}" for i in range(1, THREADS + 1)]
    with transaction(factory) as session:
        assert session.scalar(select(ManifestSequence.last).where(ManifestSequence.park_code == "BH")) == THREADS
        assert session.scalar(select(func.count(func.distinct(Shipment.vehicle)))) == THREADS
        # one more, later the same day, continues the sequence
        s = transfers.create_shipment(session, coordinator, match_id, quantity_t=1.0,
                                      containers=[{"packaging": "bag", "quantity_t": 1.0}],
                                      now=NOW + dt.timedelta(hours=3))
        assert s.manifest_number == f"BH-20261201-{THREADS + 1:04d}"


def test_concurrent_plans_never_exceed_the_match(factory):
    match_id, coordinator = _approved_match(factory, quantity=5)
    numbers, conflicts, errors = _plan_all_at_once(factory, match_id, coordinator)
    assert errors == []
    assert (len(numbers), len(conflicts)) == (5, THREADS - 5)
    assert all("quantity_t" in c.errors for c in conflicts)
    assert sorted(numbers) == [f"BH-20261201-{i:04d}" for i in range(1, 6)]  # refused plans take no number
    with transaction(factory, writer=False) as session:
        total = session.scalar(select(func.sum(Shipment.quantity_t)).where(Shipment.match_id == match_id))
        assert total == pytest.approx(5.0)
