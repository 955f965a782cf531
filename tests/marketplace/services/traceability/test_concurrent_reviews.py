"""Two coordinators review the same park's ledgers at the same instant (PostgreSQL, real transactions):
the second waits for the first and finds its findings, so each problem has exactly one open finding."""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from marketplace.db import transaction
from marketplace.models import LedgerFinding, Park
from marketplace.services.traceability import ledger, ledger_review
from marketplace.services.accounts.users import Principal
from marketplace.services.listings.interchange import import_document
from tests.factories import small_document
from tests.marketplace.services.traceability.test_manifest_numbers import factory  # noqa: F401 - a fixture (skips on SQLite)

REVIEWERS = 4


def test_concurrent_reviews_raise_each_finding_once(factory):  # noqa: F811 - the fixture
    with transaction(factory) as session:
        import_document(session, small_document(), actor="test")
        park_id = session.scalar(select(Park.id).where(Park.code == "BH"))
        admin = Principal(user_id=None, email="admin@test", role="admin")
        # A chemical without CAS and one that leaves without having come in: two findings.
        ledger.create_entry(session, admin, {"enterprise": "E-1", "batch_code": "B-1", "direction": "in",
                                             "entry_date": dt.date(2026, 11, 2), "chemical_name": "助剂 additive",
                                             "quantity_t": 1.0, "counterparty_name": "某供应商"})
        ledger.create_entry(session, admin, {"enterprise": "E-1", "batch_code": "B-2", "direction": "consumed",
                                             "entry_date": dt.date(2026, 11, 3), "chemical_name": "xylene",
                                             "cas": "1330-20-7", "quantity_t": 2.0})
    coordinator = Principal(user_id=None, email="coord@bh.test", role="coordinator", park_ids=frozenset({park_id}))
    barrier = threading.Barrier(REVIEWERS)
    errors: list[BaseException] = []

    def review() -> None:
        try:
            barrier.wait(timeout=60)
            with transaction(factory) as session:
                ledger_review.review(session, coordinator)
        except Exception as exc:  # noqa: BLE001 - any failure fails the test
            errors.append(exc)

    threads = [threading.Thread(target=review) for _ in range(REVIEWERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a review hung"
    assert errors == []
    with transaction(factory) as session:
        open_ = dict(session.execute(select(LedgerFinding.code, func.count()).where(LedgerFinding.status == "open")
                                     .group_by(LedgerFinding.code)).all())
    assert open_.get("missing_cas") == 1 and open_.get("out_exceeds_in") == 1
