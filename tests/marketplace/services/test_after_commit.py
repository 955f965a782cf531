"""Work deferred to after the commit: only when the session's owner accepts it, run in a transaction of its
own (in a thread or at once), retried once, failures logged and kept; a new listing's notices computed that
way are the ones computed inside the posting transaction."""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from marketplace.models import Notification
from marketplace.schemas.interchange import ListingSchema
from marketplace.services import after_commit
from marketplace.services.listings import listings
from tests.factories import OFFER, load_api_park
from tests.marketplace.services.matching.test_notifications import principal


@contextmanager
def rolled_back(engine):
    """Sessions of one connection whose outer transaction is rolled back: each job's commit ends a savepoint."""
    with engine.connect() as conn:
        outer = conn.begin()
        factory = sessionmaker(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield factory
        finally:
            outer.rollback()


def test_nothing_is_deferred_unless_the_owner_accepts(session):
    ran = []
    assert after_commit.defer(session, "job", lambda s: ran.append(1)) is False
    assert after_commit.take(session) == [] and ran == []
    after_commit.accept_deferred(session)
    assert after_commit.defer(session, "job", lambda s, x: ran.append(x), 7) is True
    jobs = after_commit.take(session)
    assert [(j.name, j.args) for j in jobs] == [("job", (7,))] and ran == []
    assert after_commit.take(session) == []  # taken once: handed over or dropped by the owner


def test_jobs_run_in_a_transaction_of_their_own_at_once_or_in_a_thread(engine):
    with rolled_back(engine) as factory:
        runner = after_commit.Runner(lambda: factory)
        seen = []

        def job(session, name):
            seen.append((threading.current_thread().name, session.in_transaction()))
            session.add(Notification(kind="test", data={"message": name}))

        runner.submit([after_commit.Deferred("add", job, ("now",))], background=False)
        runner.submit([after_commit.Deferred("add", job, ("later",))])
        assert runner.drain(timeout=60)
        assert seen == [(threading.current_thread().name, True), ("after-commit", True)]
        assert runner.done == 2 and runner.failures == []
        with factory() as check:
            kept = [n.data["message"] for n in check.scalars(select(Notification).where(Notification.kind == "test")
                                                              .order_by(Notification.id))]
            assert kept == ["now", "later"]


def test_a_failing_job_is_retried_once_then_logged_and_kept(engine, caplog):
    with rolled_back(engine) as factory:
        runner = after_commit.Runner(lambda: factory)
        tries = []

        def flaky(session):
            tries.append(1)
            if len(tries) == 1:
                raise RuntimeError("stale snapshot")

        def broken(session, listing_id):
            raise RuntimeError("no such thing")

        with caplog.at_level(logging.INFO, logger="wastematch.after_commit"):
            runner.submit([after_commit.Deferred("flaky", flaky), after_commit.Deferred("broken", broken, (42,))])
            assert runner.drain(timeout=60)
        assert len(tries) == 2 and runner.done == 1
        assert [(f.job, f.error) for f in runner.failures] == [("broken(42)", "RuntimeError: no such thing")]
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "broken(42)" in errors[0].getMessage() and errors[0].exc_info


def _fit_notices(session, listing_id: int) -> list[tuple]:
    """The listing's notices without their ids and times (which differ between two databases' runs)."""
    out = []
    for n in session.scalars(select(Notification).where(Notification.listing_id == listing_id)
                             .order_by(Notification.enterprise_id)):
        data = {**n.data, "listing": {k: v for k, v in n.data["listing"].items() if k != "id"}}
        out.append((n.kind, n.enterprise_id, n.own_listing_id, n.score, sorted(data.items())))
    return out


def _post(session):
    doc = {**OFFER, "ref": "O-NEW", "quantity_t": 200, "title": "More used oil", "title_zh": "废机油"}
    return listings.create_listing(session, principal(session, "e2"), ListingSchema().load(doc))


def test_a_new_listing_notifies_after_the_commit_as_it_did_inside_it(engine):
    with rolled_back(engine) as factory, factory() as session:
        load_api_park(session)
        session.commit()
        inline = _post(session)
        expected = _fit_notices(session, inline.id)
        assert len(expected) == 2  # E-1 and E-4, the two needs
        session.rollback()

        after_commit.accept_deferred(session)
        listing = _post(session)
        assert _fit_notices(session, listing.id) == []  # not inside the transaction
        session.commit()
        jobs = after_commit.take(session)
        assert [j.name for j in jobs] == ["notify_new_listing"]
        runner = after_commit.Runner(lambda: factory)
        runner.submit(jobs)
        assert runner.drain(timeout=120) and runner.failures == []
        session.expire_all()
        assert _fit_notices(session, listing.id) == expected


def test_a_listing_gone_before_its_job_notifies_nobody(session):
    assert listings._notify_committed(session, 10**9) == 0


def test_draining_an_idle_runner_returns_at_once(engine):
    assert after_commit.Runner(lambda: sessionmaker(bind=engine)).drain(0.0) is True
