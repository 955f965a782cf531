"""The park overview's report: KPIs, targets and ratings of a park, kept while the data is unchanged.

The overview page is the coordinator's home: opened again and again, it would rebuild the year's report
each time (the costliest read of the product). Its document (``build_report(..., network=False)``) is
kept per process (and shared with the other workers of the server, ``worker_cache``) and reused:

* while ``report_data_version`` and the minute are the same: a change of time-based states (overdue,
  expired) shows within a minute;
* after a change made by someone else, for at most ``STALE_S`` seconds within the same minute: the page
  says when its figures were made (``generated_at``). Under load every write (a match accepted anywhere in
  the park, a new listing) would otherwise rebuild the report for the next visitor of every worker;
* never after a change the viewer made themselves (an audited action of theirs since the build): what one
  has just done shows at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from ... import worker_cache
from ...models import AuditEvent, Base
from ...models.base import utcnow
from ..accounts.users import Principal
from .document import build_report, report_park

CACHE_SIZE = 32
# Tables no report reads: sign-in state, background jobs and deliveries. Everything else counts, so a new
# table is covered unless someone decides here that reports never read it.
IGNORED_TABLES = frozenset({"user_sessions", "api_tokens", "job_runs", "notice_channels", "notice_preferences",
                            "notice_deliveries", "notifications", "ranking_models"})

# Audited changes (entity type, action) that no report reads: they leave the fingerprint as it is. An alert's
# acknowledgement (a coordinator's note) changes no figure: reports count alerts raised and not cleared.
UNREAD_AUDITED = frozenset({("alert", "acknowledge")})

STALE_S = 30.0  # how long another user's change may take to show on the overview (within the same minute)


@dataclass(frozen=True)
class _Kept:
    """A built document (pickled: each caller gets its own copy, made ~10x faster than by copy.deepcopy)."""

    document: bytes
    version: str
    minute: dt.datetime
    audit_id: int  # the audit trail's highest id when it was built: later actions of the viewer make it stale
    built_at: float  # _clock() of the build


_clock = time.time  # the tests move it
_CACHE: OrderedDict[tuple, _Kept] = OrderedDict()  # per park, period and viewer scope: the latest build
_LOCK = threading.Lock()


def report_data_version(session: Session) -> str:
    """A fingerprint of what a report reads, in one statement: per table its highest id (a row added or
    removed) and latest ``updated_at`` where it has one; the audit trail's highest id catches the changes of
    state the product audits (approvals, status changes, policy edits), but for those no report reads
    (``UNREAD_AUDITED``)."""
    return _data_version(session)[0]


def _read_audit(table: Any) -> list[Any]:
    return [~and_(table.c.entity_type == kind, table.c.action == action) for kind, action in sorted(UNREAD_AUDITED)]


def _data_version(session: Session) -> tuple[str, int]:
    """``report_data_version`` and the highest id of the audit events it counts."""
    parts = []
    for table in Base.metadata.sorted_tables:
        if table.name in IGNORED_TABLES:
            continue
        if "id" in table.c:
            marker = func.coalesce(func.max(table.c.id), 0)
        else:
            marker = func.count()
        changed = func.max(table.c.updated_at) if "updated_at" in table.c else literal(None)
        part = select(literal(table.name).label("t"), func.count().label("n"), marker.label("m"),
                      cast(changed, String).label("u")).select_from(table)
        if table.name == AuditEvent.__tablename__:
            part = part.where(*_read_audit(table))
        parts.append(part)
    rows = session.execute(union_all(*parts)).all()
    audit_id = next(int(row[2]) for row in rows if row[0] == AuditEvent.__tablename__)  # (table, count, marker, …)
    return hashlib.sha256(repr(sorted(tuple(str(v) for v in row) for row in rows)).encode("utf-8")).hexdigest(), \
        audit_id


def _acted_since(session: Session, principal: Principal, audit_id: int) -> bool:
    """Whether the principal did something a report reads after audit event ``audit_id`` (an index range scan)."""
    table = AuditEvent.__table__
    return session.scalar(select(table.c.id).where(table.c.id > audit_id, table.c.actor == principal.actor,
                                                    *_read_audit(table)).limit(1)) is not None


def overview_report(session: Session, principal: Principal, *, park: str, start: dt.date | None,
                    end: dt.date | None, now: dt.datetime | None = None) -> dict[str, Any]:
    """The report of ``park`` for the overview page (``build_report`` without the flow network), as
    ``principal`` may see it; the same permission checks as ``build_report`` on every call. When it is a
    kept one (see the module docstring), ``generated_at`` says when it was made.

    A copy of the kept document is returned, so a caller may change it freely.
    """
    minute = (now or utcnow()).replace(second=0, microsecond=0)
    scope = (str(session.get_bind().engine.url), park, start, end, principal.role, principal.enterprise_id,
             principal.park_ids)
    version, audit_id = _data_version(session)
    with _LOCK:
        kept = _CACHE.get(scope)
    usable = kept is not None and kept.minute == minute and (
        kept.version == version
        or (_clock() - kept.built_at <= STALE_S and not _acted_since(session, principal, kept.audit_id)))
    built = False
    if not usable:
        shared = (*scope, minute, version)
        kept = worker_cache.load("overview-report", shared)  # another worker built it
        if kept is None:
            with worker_cache.one_builder("overview-report", shared):  # or is building it: wait, then load it
                kept = worker_cache.load("overview-report", shared)
                if kept is None:
                    report = build_report(session, principal, park=park, start=start, end=end, now=minute,
                                          network=False)
                    kept = _Kept(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL), version, minute, audit_id,
                                 _clock())
                    worker_cache.store("overview-report", shared, kept)
                    built = True
    if not built:
        report_park(session, principal, park)  # the permission check is never cached
    with _LOCK:
        _CACHE[scope] = kept
        _CACHE.move_to_end(scope)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return pickle.loads(kept.document)


def clear_overview_cache() -> None:
    """Forget every kept document (tests, and after a restore)."""
    with _LOCK:
        _CACHE.clear()


__all__ = ["CACHE_SIZE", "STALE_S", "clear_overview_cache", "overview_report", "report_data_version"]
