"""Shared by the report services' tests: the demo park matched once (with its history, once per module), and a
coordinator of one of its parks."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from marketplace.demo.history import seed_demo_history
from marketplace.models import Match, MatchRun, Park
from marketplace.services.accounts.users import Principal
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.runs import run_matching
from tests.conftest import DEMO_PARK, savepoint_session, shared_data


def _matched_demo(session: Session) -> None:
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    run_matching(session, park=None, actor="test")


@pytest.fixture(scope="module")
def matched_demo(engine):
    """The demo park imported and matched over every park, once for the module (~3 s)."""
    with shared_data(engine, _matched_demo) as shared:
        yield shared[0]


@pytest.fixture()
def demo(matched_demo):
    """The matched demo park, in the test's own savepoint (rolled back after)."""
    with savepoint_session(matched_demo) as session:
        yield session


def coordinator_of(session, code: str) -> Principal:
    """A coordinator answering for park ``code`` only."""
    park_id = session.scalar(select(Park.id).where(Park.code == code))
    return Principal(user_id=None, email=f"coord-{code.lower()}", role="coordinator", park_ids=frozenset({park_id}))


def _history_played(session: Session, now: dt.datetime) -> None:
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    run_matching(session, park=None, actor="test")
    # The run happened on the wall clock; the history is played up to ``now``: put the run just before it.
    ran = now - dt.timedelta(days=1)
    session.execute(update(MatchRun).values(started_at=ran, finished_at=ran))
    session.execute(update(Match).values(created_at=ran))
    seed_demo_history(session, now=now)


@contextmanager
def demo_with_history(engine: Engine, now: dt.datetime) -> Iterator[Session]:
    """The demo park matched and its four months of history played up to ``now``, in a transaction rolled back
    after (for a module's fixture: built once, read by every test of the module through one session)."""
    with shared_data(engine, lambda session: _history_played(session, now)) as (conn, _), \
            savepoint_session(conn) as session:
        yield session
