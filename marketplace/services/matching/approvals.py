"""What coordinators decide on and what they decided: the approval queue and the decisions with their reasons.

``/api/v1/decisions`` and the approvals page read the same decisions through ``decided_matches``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session, selectinload

from ...models import Enterprise, Listing, Match
from ..accounts.users import Principal
from . import workflow

QUEUE_STATUS = "accepted"  # both parties accepted: the coordinator decides


def with_parties(stmt: Select) -> Select:
    """``stmt`` loading both listings, their enterprises and parks, and components with the matches (no N+1)."""
    return stmt.options(
        selectinload(Match.offer).selectinload(Listing.enterprise).selectinload(Enterprise.park),
        selectinload(Match.offer).selectinload(Listing.components),
        selectinload(Match.need).selectinload(Listing.enterprise).selectinload(Enterprise.park),
        selectinload(Match.need).selectinload(Listing.components))


def queue(session: Session, principal: Principal, *, status: str = QUEUE_STATUS, park: str | None = None) -> Select:
    """The matches of ``status`` the principal may decide on (or see), of one park if named, newest first."""
    return with_parties(workflow.filtered_matches(session, principal, status=status, park=park))


def decided_matches(session: Session, principal: Principal, *, decision: str | None = None,
                    since: dt.datetime | None = None, park: str | None = None) -> Select:
    """Approved and rejected matches the principal sees (touching ``park`` if named), newest decision first."""
    stmt = workflow.decisions_stmt(principal, decision=decision, since=since)
    if park is not None:
        in_park = workflow.filtered_matches(session, principal, park=park).with_only_columns(Match.id).order_by(None)
        stmt = stmt.where(Match.id.in_(in_park))
    return stmt


def recent_decisions(session: Session, principal: Principal, *, park: str | None = None,
                     limit: int = 10) -> list[dict[str, Any]]:
    """The latest approvals and rejections with their reasons, each naming producer, receiver and material."""
    matches = list(session.scalars(with_parties(decided_matches(session, principal, park=park)).limit(limit)))
    rows = workflow.decision_views(session, matches)
    for row, m in zip(rows, matches):
        row.update(producer=m.offer.enterprise.name, receiver=m.need.enterprise.name, waste_code=m.offer.waste_code,
                   title=m.offer.title, title_zh=m.offer.title_zh)
    return rows


__all__ = ["QUEUE_STATUS", "decided_matches", "queue", "recent_decisions", "with_parties"]
