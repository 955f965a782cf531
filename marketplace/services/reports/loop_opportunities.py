"""Loops worth closing in a park report (闭环机会): the candidate loops of the park's latest match run.

The report's chains and loops (``document.chains_and_loops``) are those of flows that exist. A loop the engine
could legally form but that the weight-optimal allocation leaves open never becomes a flow; the match run finds
such loops among its legal candidates and prices them (``matching.loops``: the objective lost by carrying every
link in full) and stores them with the run (``run_history.run_loops``). The report shows those of the latest run
of its scope (the park's runs; for a report over every park, the runs over every park) started by the end of the
period, with the run's number and time: the opportunities belong to the listings active at that run.

Enterprises are named as everywhere in the report (``Names``: pseudonyms for another park's enterprise the reader
may not identify yet, whose listing refs are then withheld).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Enterprise, MatchRun, Park
from ...models.base import iso_utc
from ..matching.run_history import run_loops
from .flows import Period


def latest_run(session: Session, park: Park | None, period: Period) -> MatchRun | None:
    """The scope's latest match run started by the end of ``period`` (runs over every park for ``park=None``)."""
    scope = MatchRun.park_id.is_(None) if park is None else MatchRun.park_id == park.id
    return session.scalar(select(MatchRun).where(scope, MatchRun.started_at < period.after_instant)
                          .order_by(MatchRun.started_at.desc(), MatchRun.id.desc()).limit(1))


def loop_opportunities(session: Session, park: Park | None, period: Period, names: Any) -> dict[str, Any] | None:
    """The report's ``loop_opportunities`` block (docs/report-format.md), or None when no run exists."""
    run = latest_run(session, park, period)
    if run is None:
        return None
    loops = run_loops(run)
    items = loops.get("opportunities") or []
    refs = {ref for item in items for ref in item.get("enterprises") or []}
    ents = {e.ref: e for e in session.scalars(select(Enterprise).where(Enterprise.ref.in_(sorted(refs))))} \
        if refs else {}
    closed = {tuple(c.get("enterprises") or []) for c in loops.get("closed") or []}

    def node(ref: str) -> dict[str, str]:
        e = ents.get(ref)
        if e is None:
            return {"key": ref, "label_zh": ref, "label_en": ref}
        return {"key": names.ref(e), "label_zh": names.name(e), "label_en": names.ref(e)}

    def hidden(ref: str) -> bool:
        e = ents.get(ref)
        return e is not None and e.id in names.hidden

    rows = []
    for rank, item in enumerate(items, start=1):
        links = [{"source": node(link["source"])["key"], "target": node(link["target"])["key"],
                  "offer": None if hidden(link["source"]) else link.get("offer"),
                  "need": None if hidden(link["target"]) else link.get("need"),
                  "weight": link.get("weight"), "quantity_t": link.get("quantity_t"),
                  "carried_t": link.get("carried_t")} for link in item.get("links") or []]
        enterprises = list(item.get("enterprises") or [])
        rows.append({"rank": rank, "nodes": [node(ref) for ref in enterprises], "links": links,
                     "tonnes": item.get("tonnes"), "unit": "t/a", "cost_cny": item.get("cost_cny"),
                     "cost_pct": item.get("cost_pct"), "closed_by_run": bool(item.get("closed_by_run")),
                     "closed_after_run": tuple(enterprises) in closed})
    return {"run": run.id, "run_at": iso_utc(run.started_at), "bonus_cny": loops.get("bonus_cny", 0.0),
            "objective": run.objective, "optimum_objective": loops.get("optimum_objective", run.objective),
            "limit": loops.get("limit"), "max_length": loops.get("max_length"),
            "exhaustive": loops.get("exhaustive", True), "note": loops.get("note"), "items": rows}


__all__ = ["latest_run", "loop_opportunities"]
