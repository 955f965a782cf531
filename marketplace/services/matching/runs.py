"""Park-wide matching runs: who may run which park, the engine over the active listings, stored as a run of
proposals."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from matching.executors import ENGINES, Executor, LocalExecutor, make_executor
from matching.pipeline import ParkRun, run_park
from matching.problem import Settings
from matching.regional import MAX_OFFERS, RegionProgress, run_regions
from matching.regions import InMemorySource
from matching.scoring import explain_value

from ...errors import Forbidden, ValidationFailed
from ...models import Enterprise, Listing, Match, MatchRun, Park
from ..accounts import audit, parks
from ..accounts.users import Principal
from . import workflow
from .engine_input import build_problem, fill_match, load_listings, match_values, park_id_of, proposal_dict
from .regional_source import DatabaseSource, scope_ids
from .run_history import run_summary
from .warm import warm_park_run

# Rows per INSERT executemany when a run's proposals are written back, and ids per IN (…) when reading.
BATCH_ROWS = 5000
# What a regional run's stages are on the progress page and the command line (``run_matching``'s stages).
REGION_STAGES = {"statistics": "similarity", "prepare": "candidates", "solve": "optimise", "explain": "explain"}


class EngineRefused(ValidationFailed):
    """The engine options cannot run as given (a scheduler that does not answer, an option the engine lacks).

    Raised before anything is written; the command line says it in one line and exits 2.
    """


def run_scope(session: Session, principal: Principal, park: str | None) -> Park | None:
    """The park ``principal`` may run the matching of; ``None`` (no park named) is every park, admins only.

    The one check behind ``POST /api/v1/match-runs`` and the pages' run form: only admins and
    coordinators run (403); a coordinator names one of their parks (none named: 422; an unknown
    code: 404; another's park: 403).
    """
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden(f"match runs are for coordinators and admins; you are {principal.role} (权限不足)",
                        {"role": ["requires admin or coordinator (仅限系统管理员或园区管理者)"]})
    if park is None:
        if principal.is_admin:
            return None
        raise ValidationFailed("coordinators run one of their parks (请选择园区)", {"park": ["required"]})
    return parks.coordinated_park(session, principal, park, field="park")


def check_engine(settings: Settings, engine: str, *, scheduler: str | None = None, workers: int | None = None,
                 max_region_offers: int | None = None, with_candidates: bool = False) -> None:
    """Refuse engine options that cannot run (``EngineRefused``, naming the option): an unknown engine, a
    scheduler or workers without dask, what the regional engine does not do (exact mode, favoured loops, the
    candidate list)."""
    if engine not in ENGINES:
        raise EngineRefused(f"--engine: must be one of {', '.join(ENGINES)} (引擎须为 local 或 dask)",
                            {"engine": [f"one of {', '.join(ENGINES)} (须为 {'、'.join(ENGINES)} 之一)"]})
    if max_region_offers is not None and max_region_offers < 1:
        raise EngineRefused("--max-region-offers: at least 1 (每个区域至少 1 条供给)",
                            {"max_region_offers": ["must be at least 1"]})
    if engine == "local":
        for name, given in (("scheduler", scheduler), ("workers", workers)):
            if given is not None:
                option = "--" + name.replace("_", "-")
                raise EngineRefused(f"{option} works with --engine dask only ({option} 仅适用于 --engine dask)",
                                    {name: ["only with --engine dask (仅适用于 --engine dask)"]})
        return
    if workers is not None and workers < 1:
        raise EngineRefused("--workers: at least 1 (工作进程数至少为 1)", {"workers": ["must be at least 1"]})
    for name, used in (("exact", settings.exact), ("favour_loops", settings.loop_bonus_cny > 0),
                       ("with_candidates", with_candidates)):
        if used:
            option = "--" + name.replace("_", "-")
            raise EngineRefused(f"{option} works with --engine local only: the dask engine solves region by "
                                f"region without it (dask 引擎不支持 {option}，请用 --engine local)",
                                {name: ["not with --engine dask (不适用于 --engine dask)"]})


def _open_executor(engine: str, scheduler: str | None, workers: int | None) -> Executor:
    """The dask executor, or ``EngineRefused`` naming ``--scheduler`` when the scheduler does not answer."""
    try:
        return make_executor(engine, scheduler, workers)
    except (OSError, TimeoutError) as exc:
        where = f"scheduler {scheduler}" if scheduler else "the local dask cluster"
        option = "--scheduler" if scheduler else "--workers"
        raise EngineRefused(f"{option}: {where} did not answer ({type(exc).__name__}: {exc}) "
                            f"(无法连接 dask 调度器)", {option.lstrip("-"): ["did not answer (无应答)"]}) from exc


def _database_url(session: Session) -> str:
    """The URL the dask workers open (password included: they are our processes), refused when they cannot."""
    bind = session.get_bind()
    url = getattr(bind, "engine", bind).url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise EngineRefused("--engine dask needs a database other processes can open, not an in-memory SQLite "
                            "(dask 引擎需要可共享的数据库)", {"engine": ["needs a file or server database (需要文件或服务器数据库)"]})
    return url.render_as_string(hide_password=False)


def check_settings(settings: Settings) -> None:
    """Refuse what the engine cannot run (422): favouring loops is a min-cost-flow feature (``matching.loops``)."""
    if settings.loop_bonus_cny < 0 or not math.isfinite(settings.loop_bonus_cny):
        raise ValidationFailed("the loop bonus must be a number ≥ 0 (闭环奖励须为非负数)",
                               {"loop_bonus": ["must be a finite number ≥ 0"]})
    if settings.exact and settings.loop_bonus_cny > 0:
        raise ValidationFailed("favouring loops works with the min-cost-flow allocation, not the exact mode "
                               "(闭环优先仅适用于最小费用流模式)",
                               {"favour_loops": ["not with exact (不适用于精确求解模式)"]})


def start_run(session: Session, principal: Principal, *, park: str | None, settings: Settings | None = None,
              progress: Callable[[str], None] | None = None) -> tuple[MatchRun, ParkRun]:
    """Run the matching of ``park`` (``None``: every park) as ``principal``, if ``run_scope`` allows it."""
    run_scope(session, principal, park)
    return run_matching(session, park=park, actor=principal.actor, settings=settings, progress=progress, warm=True)


def run_job(session: Session, *, park: str | None, actor: str, settings: Settings,
            progress: Callable[[str], None] | None = None,
            region_progress: Callable[[RegionProgress], None] | None = None) -> dict[str, Any]:
    """The body of a run the pages started in the background (``run_scope`` allowed it in the request):
    run the matching, then say what it did (``run_history.run_summary``). The caller owns the transaction.
    ``region_progress`` hears of each region done when the engine runs by region."""
    run, _result = run_matching(session, park=park, actor=actor, settings=settings, progress=progress,
                                region_progress=region_progress, warm=True)
    return run_summary(session, run)


def run_matching(session: Session, *, park: str | None, actor: str, settings: Settings | None = None,
                 with_candidates: bool = False, progress: Callable[[str], None] | None = None,
                 engine: str = "local", scheduler: str | None = None, workers: int | None = None,
                 max_region_offers: int | None = None,
                 region_progress: Callable[[RegionProgress], None] | None = None,
                 warm: bool = False) -> tuple[MatchRun, ParkRun]:
    """Run the park-wide optimisation and store it as a match run with its proposals.

    ``warm`` (the pages and the API, never the command line): the local engine reuses the last run's model,
    arcs and explanations while the data are unchanged (``warm.warm_park_run``); same result.

    ``engine`` ``local`` runs in this process over ``build_problem``; ``dask`` runs region by region
    (``matching.regional.run_regions``) on a local cluster of ``workers`` processes or the cluster of
    ``scheduler``, each worker reading its region from the database (``DatabaseSource``): the workers see
    what was committed before the run started, not this transaction's writes. ``max_region_offers``
    bounds a region (default ``matching.regional.MAX_OFFERS``).

    ``progress`` (optional) is told each stage as it starts: ``load``, the engine's stages
    (``similarity``, ``candidates``, ``optimise``, ``explain``), then ``store``; ``region_progress`` is
    told each region done by the dask engine (``RegionProgress``).

    Re-running never duplicates: a pair proposed again updates its open proposal (a new
    quantity clears the acceptances already given); a pair the parties already accepted
    is left to its accepted match; open proposals the new run no longer makes become
    ``superseded``. Stale proposals expire first. Every change of state is audited. New proposals
    are inserted ``BATCH_ROWS`` at a time, all in the caller's one transaction: all or nothing.
    """
    settings = settings or Settings()
    check_settings(settings)
    check_engine(settings, engine, scheduler=scheduler, workers=workers, max_region_offers=max_region_offers,
                 with_candidates=with_candidates)
    step = progress or (lambda _stage: None)
    now = dt.datetime.now(dt.UTC)
    step("load")
    if engine == "local":
        workflow.expire_stale(session, now)
        max_offers = max_region_offers or MAX_OFFERS
        if regional_locally(settings, offers=_active_offers(session, park), max_offers=max_offers,
                            with_candidates=with_candidates):
            # More offers than one region holds: the dask engine's algorithm in this process (same regions,
            # same statistics, same components), so both engines give one answer.
            problem = build_problem(session, park=park, settings=settings)
            source = InMemorySource(problem.offers, problem.needs, problem.licences, problem.approvals, settings)
            result = run_regions(source, LocalExecutor(), max_offers=max_offers,
                                 progress=_regional_progress(step, region_progress))
        elif warm:
            problem, result = warm_park_run(session, park=park, settings=settings, with_candidates=with_candidates,
                                            progress=progress)
        else:
            problem = build_problem(session, park=park, settings=settings)
            result = run_park(problem, with_candidates=with_candidates, progress=progress)
        offer_ids, need_ids = [o.id for o in problem.offers], [n.id for n in problem.needs]
    else:
        if park is not None:
            park_id_of(session, park)  # an unknown park is refused before a cluster starts
        source = DatabaseSource(_database_url(session), settings, park)
        executor = _open_executor(engine, scheduler, workers)  # before any write: a refusal leaves nothing
        try:
            workflow.expire_stale(session, now)
            # Taken before the workers read: a listing committed during the run, which the run never
            # considered, keeps its open proposals.
            offer_ids, need_ids = scope_ids(session, park)
            result = run_regions(source, executor, max_offers=max_region_offers or MAX_OFFERS,
                                 progress=_regional_progress(step, region_progress))
        finally:
            executor.close()
    step("store")
    return _store(session, result, park=park, actor=actor, settings=settings, now=now,
                  offer_ids=offer_ids, need_ids=need_ids), result


def regional_locally(settings: Settings, *, offers: int, max_offers: int, with_candidates: bool = False) -> bool:
    """Whether the local engine runs region by region: more offers than one region holds, and nothing asked
    that only a run over one problem does (exact mode, favoured loops, the candidate list)."""
    return offers > max_offers and not (settings.exact or settings.loop_bonus_cny > 0 or with_candidates)


def _active_offers(session: Session, park: str | None) -> int:
    """How many active offers a run of ``park`` (None: every park) reads (before tonnes already reserved)."""
    q = select(func.count(Listing.id)).where(Listing.status == "active", Listing.kind == "offer")
    if park is not None:
        q = q.join(Listing.enterprise).where(Enterprise.park_id == park_id_of(session, park))
    return session.scalar(q) or 0


def _regional_progress(step: Callable[[str], None],
                       region_progress: Callable[[RegionProgress], None] | None) -> Callable[[RegionProgress], None]:
    """Tell ``step`` each stage of a regional run as it starts and ``region_progress`` every region done."""
    seen: set[str] = set()

    def tell(p: RegionProgress) -> None:
        stage = REGION_STAGES.get(p.stage, p.stage)
        if stage not in seen:
            seen.add(stage)
            step(stage)
        if region_progress is not None:
            region_progress(p)
    return tell


def _store(session: Session, result: ParkRun, *, park: str | None, actor: str, settings: Settings,
           now: dt.datetime, offer_ids: Sequence[int], need_ids: Sequence[int]) -> MatchRun:
    """The run row and its proposals: open ones updated, new ones inserted in batches, the rest superseded."""
    park_row = session.scalar(select(Park).where(Park.code == park)) if park else None
    totals = result.totals()
    run = MatchRun(park_id=park_row.id if park_row else None, actor=actor, exact=settings.exact,
                   parameters=_parameters(settings, park, result), status=result.status,
                   objective=result.objective, greedy_objective=result.greedy_objective, timings=result.timings,
                   # What the run achieved in users' terms rides in counts (``run_history.run_outcome``).
                   counts={**result.counts, "tonnes_matched": totals["tonnes"], "value_cny": totals["value_cny"]},
                   # The loops (opportunities with their cost, loops closed) ride in the solver's JSON: what the
                   # optimiser learnt beside its allocation, no column of their own (``run_history.run_loops``).
                   # So do a regional run's regions.
                   solver={**result.solver, "loops": result.loops, "baseline": result.baseline,
                           **({"regions": result.regions} if result.engine != "local" else {})},
                   unmatched=_lists(result.unmatched),
                   finished_at=dt.datetime.now(dt.UTC))
    session.add(run)
    session.flush()
    # Only proposals this run could have made (offer and need both in its problem) may be superseded:
    # a park run must not retire a cross-park or out-of-scope pair it never considered.
    open_matches = _open_proposals(session, offer_ids, need_ids)
    agreed = _accepted_pairs(session, offer_ids)
    rows: list[dict[str, Any]] = []
    kept = 0
    for p in result.proposals:
        key = (p.offer_id, p.need_id)
        if key in agreed:
            continue  # both parties already accepted this pair: its match stands, no second proposal
        m = open_matches.pop(key, None)
        kept += 1
        if m is None:
            rows.append({**match_values(p), "offer_id": p.offer_id, "need_id": p.need_id, "source": "run",
                         "status": "proposed", "expires_at": now + workflow.PROPOSAL_TTL, "run_id": run.id})
            continue
        before = m.quantity_t
        fill_match(m, p)
        if abs(before - m.quantity_t) > 1e-9:
            workflow.clear_acceptances(session, m, actor=actor, quantity_from=before, run_id=run.id)
        if m.expires_at is None:
            m.expires_at = now + workflow.PROPOSAL_TTL
        m.run_id = run.id
    session.flush()
    created: list[Match] = []
    for chunk in _chunks(rows):
        created += _insert_batch(session, chunk)
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
    return run


def _insert_batch(session: Session, rows: list[dict[str, Any]]) -> list[Match]:
    """One INSERT … RETURNING executemany of new proposals; the rows come back as matches, in order."""
    return list(session.scalars(insert(Match).returning(Match, sort_by_parameter_order=True), rows))


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), BATCH_ROWS):
        yield items[i:i + BATCH_ROWS]


def _open_proposals(session: Session, offer_ids: Sequence[int], need_ids: Sequence[int]) -> dict[tuple[int, int], Match]:
    """The open proposals between offers and needs of the run, locked in id order and re-read.

    Locked: a party accepting one of them meanwhile must not be overwritten (superseded, or re-quantified
    without clearing the acceptance); it waits for this run instead. Found by offer, ``BATCH_ROWS`` ids per
    query, then locked by id, so a national run never sends a million ids in one statement.
    """
    needs = set(need_ids)
    ids: list[int] = []
    for chunk in _chunks(offer_ids):
        ids += [match_id for match_id, need_id in session.execute(select(Match.id, Match.need_id).where(
            Match.status == "proposed", Match.offer_id.in_(chunk))) if need_id in needs]
    ids.sort()
    found: dict[tuple[int, int], Match] = {}
    for chunk in _chunks(ids):
        for m in session.scalars(select(Match).where(Match.id.in_(chunk), Match.status == "proposed")
                                 .order_by(Match.id).with_for_update(key_share=True)
                                 .execution_options(populate_existing=True)):
            found[(m.offer_id, m.need_id)] = m
    return found


def _accepted_pairs(session: Session, offer_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(offer, need) of the matches both parties accepted, among the run's offers."""
    pairs: set[tuple[int, int]] = set()
    for chunk in _chunks(offer_ids):
        pairs |= {(o, n) for o, n in session.execute(select(Match.offer_id, Match.need_id).where(
            Match.status == "accepted", Match.offer_id.in_(chunk)))}
    return pairs


def _parameters(settings: Settings, park: str | None, result: ParkRun) -> dict[str, Any]:
    out = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(settings).items()}
    out["park"] = park
    out["engine"], out["workers"] = result.engine, result.workers  # added by issue 19
    return out


def _lists(unmatched: dict[str, Sequence[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    # A regional run's unserved listings come packed (``matching.packed_rows``): JSON wants lists.
    return {k: list(v) for k, v in unmatched.items()}


def run_document(run: MatchRun, result: ParkRun, *, with_candidates: bool = False) -> dict[str, Any]:
    """The ``wastematch match --json`` document of the CLI contract."""
    doc = {"run": run.id, "status": result.status, "objective": result.objective,
           "greedy_objective": result.greedy_objective, "matches": [proposal_dict(p) for p in result.proposals],
           "unmatched": _lists(result.unmatched), "counts": result.counts, "timings": result.timings,
           "solver": result.solver, "parameters": run.parameters}
    doc["loops"] = result.loops  # added by issue 16; the keys above are the contract's
    # Added by issue 17: the run in users' terms, each match's value explained, the baseline's problem.
    doc["totals"] = result.totals()
    doc["baseline"] = result.baseline
    # Added by issue 19: where it ran (the local engine is one region of one process).
    doc["engine"], doc["workers"], doc["regions"] = result.engine, result.workers, result.regions
    for row, p in zip(doc["matches"], result.proposals):
        row["value"] = explain_value(p.terms, p.weight, p.quantity_t)
    if with_candidates:
        doc["candidates"] = result.candidates
        doc["capacities"] = result.capacities
    return doc

