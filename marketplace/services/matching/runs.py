"""Park-wide matching runs: who may run which park, the engine over the active listings, stored as a run of
proposals."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.pipeline import ParkRun, run_park
from matching.problem import Settings
from matching.scoring import explain_value

from ...errors import Forbidden, ValidationFailed
from ...models import Match, MatchRun, Park
from ..accounts import audit, parks
from ..accounts.users import Principal
from . import workflow
from .engine_input import build_problem, fill_match, load_listings, proposal_dict
from .run_history import run_summary
from .warm import warm_park_run


def run_scope(session: Session, principal: Principal, park: str | None) -> Park | None:
    """The park ``principal`` may run the matching of; ``None`` (no park named) is every park, admins only.

    The one check behind ``POST /api/v1/match-runs`` and the pages' run form: only admins and
    coordinators run (403); a coordinator names one of their parks (none named: 422; an unknown
    code: 404; another's park: 403).
    """
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden(f"match runs are for coordinators and admins; you are {principal.role} (权限不足)",
                        {"role": ["requires admin or coordinator"]})
    if park is None:
        if principal.is_admin:
            return None
        raise ValidationFailed("coordinators run one of their parks (请选择园区)", {"park": ["required"]})
    return parks.coordinated_park(session, principal, park, field="park")


def check_settings(settings: Settings) -> None:
    """Refuse what the engine cannot run (422): favouring loops is a min-cost-flow feature (``matching.loops``)."""
    if settings.loop_bonus_cny < 0 or not math.isfinite(settings.loop_bonus_cny):
        raise ValidationFailed("the loop bonus must be a number ≥ 0 (闭环奖励须为非负数)",
                               {"loop_bonus": ["must be a finite number ≥ 0"]})
    if settings.exact and settings.loop_bonus_cny > 0:
        raise ValidationFailed("favouring loops works with the min-cost-flow allocation, not the exact mode "
                               "(闭环优先仅适用于最小费用流模式)",
                               {"favour_loops": ["not with exact"]})


def start_run(session: Session, principal: Principal, *, park: str | None, settings: Settings | None = None,
              progress: Callable[[str], None] | None = None) -> tuple[MatchRun, ParkRun]:
    """Run the matching of ``park`` (``None``: every park) as ``principal``, if ``run_scope`` allows it."""
    run_scope(session, principal, park)
    return run_matching(session, park=park, actor=principal.actor, settings=settings, progress=progress, warm=True)


def run_job(session: Session, *, park: str | None, actor: str, settings: Settings,
            progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The body of a run the pages started in the background (``run_scope`` allowed it in the request):
    run the matching, then say what it did (``run_history.run_summary``). The caller owns the transaction."""
    run, _result = run_matching(session, park=park, actor=actor, settings=settings, progress=progress, warm=True)
    return run_summary(session, run)


def run_matching(session: Session, *, park: str | None, actor: str, settings: Settings | None = None,
                 with_candidates: bool = False,
                 progress: Callable[[str], None] | None = None,
                 warm: bool = False) -> tuple[MatchRun, ParkRun]:
    """Run the park-wide optimisation and store it as a match run with its proposals.

    ``warm`` (the pages and the API, never the command line): the local engine reuses the last run's model,
    arcs and explanations while the data are unchanged (``warm.warm_park_run``); same result.

    ``progress`` (optional) is told each stage as it starts: ``load``, the engine's stages
    (``similarity``, ``candidates``, ``optimise``, ``explain``), then ``store``.

    Re-running never duplicates: a pair proposed again updates its open proposal (a new
    quantity clears the acceptances already given); a pair the parties already accepted
    is left to its accepted match; open proposals the new run no longer makes become
    ``superseded``. Stale proposals expire first. Every change of state is audited.
    """
    settings = settings or Settings()
    check_settings(settings)
    step = progress or (lambda _stage: None)
    now = dt.datetime.now(dt.timezone.utc)
    step("load")
    workflow.expire_stale(session, now)
    if warm:
        problem, result = warm_park_run(session, park=park, settings=settings, with_candidates=with_candidates,
                                        progress=progress)
    else:
        problem = build_problem(session, park=park, settings=settings)
        result = run_park(problem, with_candidates=with_candidates, progress=progress)
    step("store")
    park_row = session.scalar(select(Park).where(Park.code == park)) if park else None
    run = MatchRun(park_id=park_row.id if park_row else None, actor=actor, exact=settings.exact,
                   parameters=_parameters(settings, park), status=result.status, objective=result.objective,
                   greedy_objective=result.greedy_objective, timings=result.timings,
                   # What the run achieved in users' terms rides in counts (``run_history.run_outcome``).
                   counts={**result.counts, "tonnes_matched": result.totals()["tonnes"],
                           "value_cny": result.totals()["value_cny"]},
                   # The loops (opportunities with their cost, loops closed) ride in the solver's JSON: what the
                   # optimiser learnt beside its allocation, no column of their own (``run_history.run_loops``).
                   solver={**result.solver, "loops": result.loops, "baseline": result.baseline},
                   unmatched=result.unmatched,
                   finished_at=dt.datetime.now(dt.timezone.utc))
    session.add(run)
    session.flush()
    scope = [o.id for o in problem.offers]
    # Only proposals this run could have made (offer and need both in its problem) may be superseded:
    # a park run must not retire a cross-park or out-of-scope pair it never considered.
    need_scope = [n.id for n in problem.needs]
    # Locked and re-read: a party accepting one of them meanwhile must not be overwritten
    # (superseded, or re-quantified without clearing the acceptance); it waits for this run instead.
    open_matches = {(m.offer_id, m.need_id): m for m in session.scalars(
        select(Match).where(Match.status == "proposed", Match.offer_id.in_(scope), Match.need_id.in_(need_scope))
        .order_by(Match.id).with_for_update(key_share=True).execution_options(populate_existing=True))}
    agreed = {tuple(row) for row in session.execute(select(Match.offer_id, Match.need_id).where(
        Match.status == "accepted", Match.offer_id.in_(scope)))}
    created, kept = [], 0
    for p in result.proposals:
        key = (p.offer_id, p.need_id)
        if key in agreed:
            continue  # both parties already accepted this pair: its match stands, no second proposal
        m = open_matches.pop(key, None)
        if m is None:
            m = Match(offer_id=p.offer_id, need_id=p.need_id, source="run", status="proposed",
                      expires_at=now + workflow.PROPOSAL_TTL)
            session.add(m)
            created.append(m)
        else:
            before = m.quantity_t
            fill_match(m, p)
            if abs(before - m.quantity_t) > 1e-9:
                workflow.clear_acceptances(session, m, actor=actor, quantity_from=before, run_id=run.id)
            if m.expires_at is None:
                m.expires_at = now + workflow.PROPOSAL_TTL
        m.run_id = run.id
        fill_match(m, p)
        kept += 1
    session.flush()
    # Auditing and notifying read both listings of every match: load them all at once, not one by one
    # (and hold them: the session's identity map keeps only what someone references).
    listings = load_listings(session, {i for m in created + list(open_matches.values())
                                        for i in (m.offer_id, m.need_id)})
    for m in created:
        workflow.record_proposal(session, m, actor=actor, role="system", action="propose", run_id=run.id)
    for m in open_matches.values():
        workflow.supersede(session, m, actor=actor, run_id=run.id)
    audit.record(session, actor=actor, action="match-run", entity_type="match_run", entity_key=str(run.id),
                 changes={"status": [None, run.status], "objective": [None, run.objective],
                          "matches": [None, kept], "superseded": [None, len(open_matches)]},
                 context={"park": park, "exact": settings.exact}, park_id=run.park_id)
    session.flush()
    del listings
    return run, result


def _parameters(settings: Settings, park: str | None) -> dict[str, Any]:
    out = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(settings).items()}
    out["park"] = park
    return out


def run_document(run: MatchRun, result: ParkRun, *, with_candidates: bool = False) -> dict[str, Any]:
    """The ``wastematch match --json`` document of the CLI contract."""
    doc = {"run": run.id, "status": result.status, "objective": result.objective,
           "greedy_objective": result.greedy_objective, "matches": [proposal_dict(p) for p in result.proposals],
           "unmatched": result.unmatched, "counts": result.counts, "timings": result.timings,
           "solver": result.solver, "parameters": run.parameters}
    doc["loops"] = result.loops  # added by issue 16; the keys above are the contract's
    # Added by issue 17: the run in users' terms, each match's value explained, the baseline's problem.
    doc["totals"] = result.totals()
    doc["baseline"] = result.baseline
    for row, p in zip(doc["matches"], result.proposals):
        row["value"] = explain_value(p.terms, p.weight, p.quantity_t)
    if with_candidates:
        doc["candidates"] = result.candidates
        doc["capacities"] = result.capacities
    return doc

