"""``wastematch matches expire``: the system job that lapses unanswered proposals."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.models import AuditEvent, Match
from tests.conftest import DEMO_PARK
from tests.web.test_cli import db_url, run, run_json  # noqa: F401 - db_url is a fixture


def _count(url: str, stmt) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.scalar(stmt)
    finally:
        engine.dispose()


def test_expire_lapses_only_overdue_proposals(db_url):  # noqa: F811
    run(db_url, "import", str(DEMO_PARK))
    run(db_url, "match", "--today", "2026-11-23")
    proposed = _count(db_url, select(func.count()).select_from(Match).where(Match.status == "proposed"))
    assert proposed > 30
    assert run_json(db_url, "matches", "expire") == {"expired": 0}  # fresh proposals run 30 days
    engine = make_engine(db_url)
    try:  # a month passes for three of them
        with Session(engine) as session, session.begin():
            ids = list(session.scalars(select(Match.id).where(Match.status == "proposed").order_by(Match.id)))[:3]
            session.execute(update(Match).where(Match.id.in_(ids)).values(
                expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)))
    finally:
        engine.dispose()
    trail = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "match", AuditEvent.action == "transition",
        AuditEvent.entity_key.in_([str(i) for i in ids]))
    before = _count(db_url, trail)
    assert run_json(db_url, "matches", "expire") == {"expired": 3}
    assert _count(db_url, select(func.count()).select_from(Match).where(Match.status == "expired")) == 3
    assert _count(db_url, trail) == before + 3  # each expiry is in the audit trail
    assert "0 match(es) expired" in run(db_url, "matches", "expire").output
