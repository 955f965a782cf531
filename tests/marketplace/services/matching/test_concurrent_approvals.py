"""Twenty coordinators approve competing matches at the same instant, each in its own thread,
session and transaction, against a real committed database (SQLite and PostgreSQL).

Nothing may be allocated beyond what exists, exactly as many approvals as fit succeed,
every other one is a 409, and nothing else goes wrong (no deadlock, no lost update).
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from marketplace.db import make_engine, make_sessionmaker, transaction, upgrade_schema
from marketplace.errors import Conflict
from marketplace.models import Enterprise, Listing, Match, Park
from marketplace.services.matching import workflow
from marketplace.services.accounts.users import Principal
from marketplace.services.catalog.reference import load_builtin_catalog
from marketplace.services.listings.interchange import import_document
from tests.factories import GARAGE, HANDLER, NEED, OFFER, PARK

THREADS = 20


def _handler(i: int, capacity: float = 5000) -> dict:
    h = copy.deepcopy(HANDLER)
    h.update(ref=f"H-{i}", name=f"处置厂{i}号", lat=39.0 + i * 0.002)
    h["licences"][0].update(number=f"LIC-{i}", annual_capacity_t=capacity)
    return h


def _garage(i: int) -> dict:
    return {**GARAGE, "ref": f"G-{i}", "name": f"维修厂{i}号", "lat": 39.05 + i * 0.002}


def offer_competition() -> dict:
    """One 100 t/year offer, twenty needs of twenty handlers each wanting 30 t: three fit."""
    needs = [{**NEED, "ref": f"N-{i}", "enterprise": f"H-{i}", "quantity_t": 30} for i in range(THREADS)]
    return {"format": "wastematch.v1", "parks": [PARK], "enterprises": [GARAGE] + [_handler(i) for i in range(THREADS)],
            "listings": [{**OFFER, "quantity_t": 100}] + needs}


def licence_competition() -> dict:
    """Twenty garages' 30 t offers to twenty needs of one handler whose licence allows 100 t a year: three fit."""
    handler = _handler(0, capacity=100)
    offers = [{**OFFER, "ref": f"O-{i}", "enterprise": f"G-{i}", "quantity_t": 30} for i in range(THREADS)]
    needs = [{**NEED, "ref": f"N-{i}", "enterprise": "H-0", "quantity_t": 1000} for i in range(THREADS)]
    return {"format": "wastematch.v1", "parks": [PARK], "enterprises": [handler] + [_garage(i) for i in range(THREADS)],
            "listings": offers + needs}


def _party(enterprise: Enterprise) -> Principal:
    return Principal(user_id=None, email=f"user@{enterprise.ref.lower()}.test", role="enterprise",
                     enterprise_id=enterprise.id, enterprise_ref=enterprise.ref)


@pytest.fixture()
def factory(backend, fresh_database_url) -> Iterator:
    engine = make_engine(fresh_database_url(backend), pool_size=THREADS + 5, max_overflow=5)
    upgrade_schema(engine)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        load_builtin_catalog(session)
    yield sessions
    engine.dispose()


def _accepted_matches(factory, doc: dict, pairs: list[tuple[str, str]]) -> tuple[list[int], Principal]:
    """Import ``doc``, propose each pair, have both parties accept; committed. Returns ids and a coordinator."""
    with transaction(factory) as session:
        import_document(session, doc, actor="test")
        park_id = session.scalar(select(Park.id).where(Park.code == "BH"))
        coordinator = Principal(user_id=None, email="coord@bh.test", role="coordinator", park_ids=frozenset({park_id}))
        listings = {x.ref: x for x in session.scalars(select(Listing))}
        ids = []
        for offer_ref, need_ref in pairs:
            offer, need = listings[offer_ref], listings[need_ref]
            m = workflow.propose(session, coordinator, offer.id, need.id)
            # The parties confirm over-committing the offer: approval is what must refuse to over-allocate.
            workflow.decide(session, _party(offer.enterprise), m.id, "accept", confirm=True)
            workflow.decide(session, _party(need.enterprise), m.id, "accept", confirm=True)
            assert m.status == "accepted" and m.quantity_t == pytest.approx(30)
            ids.append(m.id)
    return ids, coordinator


def _approve_all_at_once(factory, ids: list[int], coordinator: Principal) -> tuple[list[int], list[Conflict], list]:
    barrier = threading.Barrier(len(ids))
    approved, conflicts, errors = [], [], []
    lock = threading.Lock()

    def approve(match_id: int) -> None:
        try:
            barrier.wait(timeout=60)
            with transaction(factory) as session:
                workflow.decide(session, coordinator, match_id, "approve", "concurrent approval test")
            with lock:
                approved.append(match_id)
        except Conflict as exc:
            with lock:
                conflicts.append(exc)
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an approval hung (deadlock?)"
    return approved, conflicts, errors


def _approved_tonnes(factory, *where) -> float:
    with transaction(factory, writer=False) as session:
        return float(session.scalar(select(func.coalesce(func.sum(Match.quantity_t), 0.0))
                                    .where(Match.status == "approved", *where)))


def test_twenty_concurrent_approvals_never_over_allocate_an_offer(factory):
    ids, coordinator = _accepted_matches(factory, offer_competition(), [("O-1", f"N-{i}") for i in range(THREADS)])
    approved, conflicts, errors = _approve_all_at_once(factory, ids, coordinator)
    assert errors == []
    assert len(approved) == 3 and len(conflicts) == THREADS - 3
    assert all(set(c.errors) == {"offer"} and "10.000 t left" in c.errors["offer"][0] for c in conflicts)
    total = _approved_tonnes(factory)
    assert total <= 100 and total == pytest.approx(90)


def test_twenty_concurrent_approvals_never_over_allocate_a_licence(factory):
    ids, coordinator = _accepted_matches(factory, licence_competition(),
                                         [(f"O-{i}", f"N-{i}") for i in range(THREADS)])
    approved, conflicts, errors = _approve_all_at_once(factory, ids, coordinator)
    assert errors == []
    assert len(approved) == 3 and len(conflicts) == THREADS - 3
    assert all(set(c.errors) == {"licence"} and "LIC-0" in c.errors["licence"][0] for c in conflicts)
    total = _approved_tonnes(factory, Match.licence_number == "LIC-0")
    assert total <= 100 and total == pytest.approx(90)


def test_a_run_never_overwrites_an_acceptance_given_while_it_runs(factory, backend, monkeypatch):
    """A party accepts a proposal after the run has read it: the run must not re-quantify the
    now accepted match behind the parties' backs (on PostgreSQL the accept waits for the run)."""
    if backend == "sqlite":
        pytest.skip("SQLite writers serialise: the accept cannot interleave with the run")
    from marketplace.services.matching import runs
    from tests.factories import small_document

    with transaction(factory) as session:
        import_document(session, small_document(), actor="test")
        park_id = session.scalar(select(Park.id).where(Park.code == "BH"))
        coordinator = Principal(user_id=None, email="coord@bh.test", role="coordinator", park_ids=frozenset({park_id}))
        offer, need = (session.scalar(select(Listing).where(Listing.ref == r)) for r in ("O-1", "N-1"))
        m = workflow.propose(session, coordinator, offer.id, need.id, 100)  # the run will propose 300 t
        workflow.decide(session, _party(offer.enterprise), m.id, "accept")
        match_id, need_party = m.id, _party(need.enterprise)
    outcome: list = []

    def accept() -> None:
        try:
            with transaction(factory) as session:
                workflow.decide(session, need_party, match_id, "accept")
            outcome.append("accepted")
        except Exception as exc:  # noqa: BLE001 - recorded and checked below
            outcome.append(exc)

    original, started = runs.fill_match, []

    def fill_after_a_concurrent_accept(match, proposal):
        if not started:
            started.append(threading.Thread(target=accept))
            started[0].start()
            started[0].join(timeout=3)  # with the row locked, the accept waits for the run
        original(match, proposal)

    monkeypatch.setattr(runs, "fill_match", fill_after_a_concurrent_accept)
    with transaction(factory) as session:
        runs.run_matching(session, park="BH", actor="test", settings=None)
    started[0].join(timeout=30)
    assert outcome == ["accepted"]
    with transaction(factory, writer=False) as session:
        m = session.get(Match, match_id)
        # The run re-proposed 300 t and cleared the offer's acceptance; only the need's (given after) stands.
        assert (m.status, m.quantity_t) == ("proposed", pytest.approx(300))
        assert m.offer_accepted_at is None and m.need_accepted_at is not None
