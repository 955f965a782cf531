"""The park overview's report: KPIs, targets and ratings of a park, kept while the data is unchanged.

The overview page is the coordinator's home: opened again and again, it would rebuild the year's report
each time (the costliest read of the product). Its document (``build_report(..., network=False)``) is
kept per process and reused while ``report_data_version`` and the minute are the same, so a page
shows a change of data at once and a change of time-based states (overdue, expired) within a minute.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import String, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from ...models import Base
from ...models.base import utcnow
from ..accounts.users import Principal
from .document import build_report, report_park

CACHE_SIZE = 32
# Tables no report reads: sign-in state, background jobs and deliveries. Everything else counts, so a new
# table is covered unless someone decides here that reports never read it.
IGNORED_TABLES = frozenset({"user_sessions", "api_tokens", "job_runs", "notice_channels", "notice_preferences",
                            "notice_deliveries", "notifications", "ranking_models"})

_CACHE: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_LOCK = threading.Lock()


def report_data_version(session: Session) -> str:
    """A fingerprint of what a report reads, in one statement: per table its highest id (a row added or
    removed) and latest ``updated_at`` where it has one; the audit trail's highest id catches the changes of
    state the product audits (approvals, status changes, policy edits)."""
    parts = []
    for table in Base.metadata.sorted_tables:
        if table.name in IGNORED_TABLES:
            continue
        if "id" in table.c:
            marker = func.coalesce(func.max(table.c.id), 0)
        else:
            marker = func.count()
        changed = func.max(table.c.updated_at) if "updated_at" in table.c else literal(None)
        parts.append(select(literal(table.name).label("t"), func.count().label("n"), marker.label("m"),
                            cast(changed, String).label("u"))
                     .select_from(table))
    rows = session.execute(union_all(*parts)).all()
    return hashlib.sha256(repr(sorted(tuple(str(v) for v in row) for row in rows)).encode("utf-8")).hexdigest()


def overview_report(session: Session, principal: Principal, *, park: str, start: dt.date | None,
                    end: dt.date | None, now: dt.datetime | None = None) -> dict[str, Any]:
    """The report of ``park`` for the overview page (``build_report`` without the flow network), as
    ``principal`` may see it; the same permission checks as ``build_report`` on every call.

    A copy of the cached document is returned, so a caller may change it freely.
    """
    now = (now or utcnow()).replace(second=0, microsecond=0)
    key = (str(session.get_bind().engine.url), park, start, end, now, principal.role, principal.enterprise_id,
           principal.park_ids, report_data_version(session))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
    if hit is None:
        hit = build_report(session, principal, park=park, start=start, end=end, now=now, network=False)
        with _LOCK:
            _CACHE[key] = hit
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    else:
        report_park(session, principal, park)  # the permission check is never cached
    return copy.deepcopy(hit)


def clear_overview_cache() -> None:
    """Forget every kept document (tests, and after a restore)."""
    with _LOCK:
        _CACHE.clear()


__all__ = ["CACHE_SIZE", "clear_overview_cache", "overview_report", "report_data_version"]
