"""Stored match runs: which runs a principal sees, and what each run did to the proposals.

One rule for the API (``/api/v1/match-runs``) and the pages (``/runs``): admins see every run;
coordinators the runs of their parks and the runs over every park (``park_id`` NULL), which
proposed in their parks too; nobody else sees any.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ...errors import NotFound
from ...models import AuditEvent, Match, MatchRun
from ...models.base import MAX_ID
from ..accounts.parks import get_park
from ..accounts.users import Principal


def visible_runs(principal: Principal) -> Select:
    """``SELECT`` of the runs ``principal`` may see, newest first: admins all; coordinators their parks' and the
    runs over every park (which proposed in their parks too: the demo's first run is one); others none."""
    stmt = select(MatchRun).options(selectinload(MatchRun.park)).order_by(MatchRun.id.desc())
    if principal.is_admin:
        return stmt
    if principal.is_coordinator:
        return stmt.where(or_(MatchRun.park_id.in_(sorted(principal.park_ids)), MatchRun.park_id.is_(None)))
    return stmt.where(MatchRun.id.is_(None))


def runs_of(session: Session, principal: Principal, *, park: str | None = None) -> Select:
    """The runs ``principal`` sees, only those of ``park`` when it names one (an unknown code is ``NotFound``)."""
    stmt = visible_runs(principal)
    if park is not None:
        stmt = stmt.where(MatchRun.park_id == get_park(session, park, field="park").id)
    return stmt


def get_run(session: Session, principal: Principal, run_id: int) -> MatchRun:
    """One run ``principal`` sees (else ``NotFound``: whether it exists is not told)."""
    run = session.scalar(visible_runs(principal).where(MatchRun.id == run_id)) if 0 < run_id <= MAX_ID else None
    if run is None:
        raise NotFound(f"match run {run_id} not found (无此匹配批次)",
                       {"run": [f"no run {run_id} you can see (没有您可查看的匹配批次 {run_id})"]})
    return run


def _superseded(event: AuditEvent) -> int:
    return int(((event.changes or {}).get("superseded") or [None, 0])[1] or 0)


def superseded_by(session: Session, run_id: int) -> int:
    """How many open proposals the run retired (its audit record says so)."""
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "match_run",
                                                    AuditEvent.entity_key == str(run_id),
                                                    AuditEvent.action == "match-run").limit(1))
    return _superseded(event) if event is not None else 0


def superseded_counts(session: Session, runs: Iterable[MatchRun]) -> dict[int, int]:
    """Run id → how many open proposals it retired, for the runs that have their audit record."""
    keys = [str(r.id) for r in runs]
    if not keys:
        return {}
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "match_run",
                                                      AuditEvent.action == "match-run",
                                                      AuditEvent.entity_key.in_(keys)))
    return {int(e.entity_key): _superseded(e) for e in events}


def new_proposals(session: Session, run: MatchRun) -> int:
    """How many of the run's proposals are new pairs (the others updated open proposals in place)."""
    return session.scalar(select(func.count()).select_from(Match).where(
        Match.run_id == run.id, Match.created_at >= run.started_at)) or 0


def run_loops(run: MatchRun) -> dict[str, Any]:
    """The loops a stored run found (``matching.loops.LoopReport.as_dict``: opportunities with their cost, the
    loops its allocation closes); empty for runs made before issue 16."""
    return dict((run.solver or {}).get("loops") or {})


def previous_run(session: Session, run: MatchRun) -> MatchRun | None:
    """The run of the same scope (the same park, or every park) made just before ``run``."""
    scope = MatchRun.park_id.is_(None) if run.park_id is None else MatchRun.park_id == run.park_id
    return session.scalar(select(MatchRun).where(scope, MatchRun.id < run.id).order_by(MatchRun.id.desc()).limit(1))


OUTCOME_KEYS = ("tonnes_matched", "value_cny")  # stored in a run's counts since issue 17 (floats)


def run_outcome(run: MatchRun) -> dict[str, Any]:
    """What a run achieved in users' terms: tonnes matched, pairs proposed, value created (CNY a year).

    ``tonnes`` and ``value_cny`` are None for runs stored before issue 17 (a later run takes their
    matches over, so they cannot be recounted).
    """
    counts = run.counts or {}
    return {"tonnes": counts.get("tonnes_matched"), "pairs": int(counts.get("matches", 0)),
            "value_cny": counts.get("value_cny")}


def run_comparison(session: Session, run: MatchRun) -> dict[str, Any]:
    """``run_outcome`` of this run and of the previous one of its scope, with the change where both are known."""
    now = run_outcome(run)
    before_run = previous_run(session, run)
    before = run_outcome(before_run) if before_run is not None else None
    change = {k: (now[k] - before[k] if before and now[k] is not None and before[k] is not None else None)
              for k in now}
    return {"now": now, "previous": before, "previous_run": before_run.id if before_run is not None else None,
            "change": change}


def run_baseline(run: MatchRun) -> dict[str, Any]:
    """The greedy baseline a stored run measured itself against (same problem); empty before issue 17."""
    return dict((run.solver or {}).get("baseline") or {})


def run_summary(session: Session, run: MatchRun) -> dict[str, Any]:
    """What a run did, as the pages' progress report shows it: tonnes, pairs and value first (with the previous
    run's), proposals (new, superseded), counts, the loops it closed and the loop opportunities it priced."""
    return {"run": run.id, "status": run.status, "objective": run.objective,
            "outcome": run_comparison(session, run),
            "proposals": int((run.counts or {}).get("matches", 0)), "new": new_proposals(session, run),
            "superseded": superseded_by(session, run.id),
            "counts": dict(run.counts or {}), "timings": dict(run.timings or {}), "loops": run_loops(run),
            "baseline": run_baseline(run)}


__all__ = ["OUTCOME_KEYS", "get_run", "new_proposals", "previous_run", "run_baseline", "run_comparison", "run_loops",
           "run_outcome", "run_summary", "runs_of", "superseded_by",
           "superseded_counts", "visible_runs"]
