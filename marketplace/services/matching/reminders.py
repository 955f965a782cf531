"""Matches waiting for an answer do not go unnoticed: one reminder to the parties that have not answered.

The scheduler's ``remind_matches`` job calls ``remind_unanswered`` every hour; a proposal still
unanswered ``REMIND_AFTER`` after it was made gets one reminder (a ``match_proposed`` notice with
event ``remind``, which goes out by e-mail and webhook by default), never a second one.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import Match, Notification
from ...models.base import as_utc, utcnow
from .notifications import notify_match_reminder

REMIND_AFTER = dt.timedelta(days=3)


def remind_unanswered(session: Session, now: dt.datetime | None = None, *, after: dt.timedelta = REMIND_AFTER) -> int:
    """Remind the waiting parties of each proposal older than ``after`` not reminded yet; returns how many notices."""
    now = as_utc(now) or utcnow()
    waiting = list(session.scalars(select(Match).where(Match.status == "proposed", Match.created_at <= now - after)
                                   .options(selectinload(Match.offer), selectinload(Match.need)).order_by(Match.id)))
    if not waiting:
        return 0
    # Reminders are notices of the match with event "remind"; the event lives in the JSON data (read here,
    # not in SQL, so that SQLite and PostgreSQL read it alike).
    told = {(match_id, (data or {}).get("event")) for match_id, data in session.execute(
        select(Notification.match_id, Notification.data)
        .where(Notification.kind == "match_proposed", Notification.match_id.in_([m.id for m in waiting])))}
    return sum(notify_match_reminder(session, m) for m in waiting if (m.id, "remind") not in told)
