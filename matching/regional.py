"""A park-wide run region by region, on any executor: ``run_regions``.

1. **Plan** (driver): ``plan_regions`` cuts the offers into regions of at most ``max_offers``;
   each region loads the needs within reach of its offers (the halo), so its candidates are
   the ones a single process would consider for those offers.
2. **Statistics** (a task per region, then the driver): load the region (its records kept in the
   worker as a compressed pickle for steps 3 and 5), build its ``Problem`` and count the statistics of the listings it owns (its core
   offers; each need by the first region that loads it): substance document frequencies,
   distinct texts, codes, a hash sample of listings (``matching.model_statistics``). The driver
   merges them and fits the text and retrieval bases: one ``ModelStatistics`` for the whole run,
   shared with the workers, so a pair has the same weight in every region that scores it.
3. **Prepare** (a task per region, where its statistics task ran): fit the similarity model
   through the run's statistics, find candidates, check the rules, score
   (``pipeline.prepare_arcs``: the code ``run_park`` runs). The task returns only compact arrays keyed by global ids (offer
   id, need id, licence number, weight, max_t) and the capacities of what it loaded; the
   region's Problem, model and what explain reads of its arcs stay in the worker (``_CACHE``) for
   step 5 while they fit its budget (``WASTEMATCH_REGION_CACHE_MB``); the others are prepared again there.
4. **Solve** (driver + tasks): the arrays make one global ``Instance`` (a need seen by two
   regions has one quantity, a licence one capacity). Its connected components (licence pools
   included) do not interact: batches of components are solved exactly as tasks
   (``matching.flow``, with the greedy baseline beside). On Dask, a component larger than
   ``split_arcs`` is solved part by part (``matching.split.solve_split``, parts = regions of
   the offers) with a proven upper bound; the local engine solves every component exactly.
5. **Explain** (a task per region, preferably on the worker that prepared it): the flows of
   its arcs become ``Proposal``s; its offers, and the needs it owns, that are left unserved
   say why. The driver concatenates.

With one region the run is ``run_park`` on that region's problem, as one task.
"""
from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .arcs import Arcs
from .collector import gc_paused
from .executors import Executor, release_memory, worker_name
from .flow import solve_flow
from .greedy import solve_greedy
from .instance import FLOW_UNITS_PER_T, Instance, prepare, sub_instance
from .model_statistics import ModelStatistics, PartialStatistics, merge_statistics, partial_statistics
from .packed_rows import PackedPart, PackedRows, sorted_by_score
from .packing import pack, unpack
from .pipeline import (
    QUANTITY_EPS_T,
    ParkRun,
    PreparedArcs,
    arc_counts,
    explain_flows,
    prepare_arcs,
    run_park,
    unmatched_listings,
)
from .problem import Problem
from .regions import Region, RegionData, RegionSource, need_reach_km, plan_regions
from .rules import HARD_CODES
from .similarity import SimilarityModel

MAX_OFFERS = 50_000  # offers per region: a region's Problem, model and candidates stay well within a worker
SPLIT_ARCS = 2_000_000  # a component larger than this is split by region (dask engine only)
TASK_ARCS = 250_000  # components are pooled into solve tasks of about this many arcs (independent of workers,
# so every engine solves the same batches and finds the same optimum among equal ones)
SPLIT_ROUNDS = 5


@dataclass(frozen=True)
class RegionProgress:
    """Where a regional run is: ``stage`` (prepare, solve, explain), the region just done, how many of how many."""

    stage: str
    region: str | None
    done: int
    total: int


@dataclass(frozen=True)
class _RunContext:
    """What every task of one run needs: the source (sent once), the run's cache token and its plan."""

    source: RegionSource
    token: str
    regions: tuple[Region, ...] = ()  # the plan: which region owns a need (the first whose halo holds it)


@dataclass
class _Cached:
    """What a worker keeps of a region until it is explained, compressed: its records (from the statistics
    task) and, once prepared, what explain reads of its arcs. The problem and similarity model are rebuilt
    from them at explain (seconds, deterministic with the run's statistics); the candidate search is not."""

    data: bytes  # the region's RegionData, a zlib-compressed pickle (~100 bytes a record)
    arcs: bytes | None = None  # (slim candidate arcs, legal, usable arcs), a zlib-compressed pickle

    @property
    def mb(self) -> float:
        return (len(self.data) + len(self.arcs or b"")) / 2**20


@dataclass
class _RegionStatistics:
    """What a statistics task sends back: its share of the run's model statistics, and where it ran."""

    key: str
    worker: str | None
    partial: PartialStatistics
    seconds: float


# Worker-local: (run token, region key) -> the region's state. A Dask worker process keeps it between the
# tasks of one run; explain drops its entry, and the driver clears the token at the end of the run.
# Bounded by ``cache_budget_mb()``: a region that does not fit is loaded and prepared again at explain.
_CACHE: dict[tuple[str, str], _Cached] = {}
CACHE_MB_ENV = "WASTEMATCH_REGION_CACHE_MB"
# A 6 GiB worker: ~0.5 GB of interpreter and libraries, the source's own cache (NationalSource: ~0.2 GB),
# ~2.5 GB at the peak of preparing a 50k-offer region; compressed, a 1M × 1M run's 16 regions a worker
# take some 0.5-1 GB.
DEFAULT_CACHE_MB = 1500.0


def cache_budget_mb() -> float:
    """The most a worker's cache of regions may hold (MB): ``WASTEMATCH_REGION_CACHE_MB``, else the default."""
    raw = os.environ.get(CACHE_MB_ENV)
    if raw is None or raw.strip() == "":
        return DEFAULT_CACHE_MB
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ValueError(f"{CACHE_MB_ENV}: 须为非负兆字节数 / must be a number of MB ≥ 0, got {raw!r}")
    return value


def _cached_mb() -> float:
    return sum(c.mb for c in _CACHE.values())


def _admit(key: tuple[str, str], entry: _Cached) -> bool:
    """Keep ``entry`` if it fits the budget, else only its records if they fit; whether it was kept whole.

    Not LRU: the stages visit the regions in plan order, so an LRU cache would evict exactly the
    regions the next stage asks for first. The first come stay whole; the others keep their records
    while they fit, so rebuilding them costs a prepare, not a load from the source.
    """
    _CACHE.pop(key, None)
    budget = cache_budget_mb()
    if _cached_mb() + entry.mb <= budget:
        _CACHE[key] = entry
        return True
    records = _Cached(data=entry.data)
    if entry.arcs is not None and _cached_mb() + records.mb <= budget:
        _CACHE[key] = records
    return False


def _explain_arcs(prep: PreparedArcs) -> tuple[Arcs, np.ndarray, Arcs]:
    """What the explain stage reads of prepared arcs: of every candidate only its offer, fit and hard checks
    (the unserved offers' reasons count them per offer), which candidates are legal, and the usable arcs."""
    a = prep.arcs
    hard = {code: a.checks[code] for code in HARD_CODES if code in a.checks}
    unknown = {code: a.unknown[code] for code in HARD_CODES if code in a.unknown}
    empty = np.zeros(0)
    slim = Arcs(offer=a.offer.astype(np.int32), need=empty, distance_km=empty, fit=a.fit, checks=hard,
                unknown=unknown)
    return slim, prep.legal, prep.feasible


@dataclass
class RegionArcs:
    """What a prepare task sends back: the region's usable arcs and capacities by global id, and its figures."""

    key: str
    worker: str | None
    # Per usable arc, in the smallest integer type that holds the values (``compact``): tens of millions
    # of arcs reach the driver at 1M × 1M, and int32 halves what it holds until the instance is built.
    offer_id: np.ndarray  # int32 (int64 for ids beyond 2^31)
    need_id: np.ndarray  # int32 (or int64)
    licence: np.ndarray  # int32: index into ``licence_numbers``, -1 none
    weight: np.ndarray  # int32 (or int64): CNY/t
    max_t: np.ndarray  # float64 per usable arc
    offer_ids: np.ndarray  # int64 per core offer
    offer_t: np.ndarray  # float64: its quantity
    need_ids: np.ndarray  # int64 per halo need
    need_t: np.ndarray
    licence_numbers: list[str]
    licence_t: np.ndarray  # float64: remaining capacity (the global figure)
    counts: dict[str, int]
    timings: dict[str, float]

    def drop_arcs(self) -> None:
        """Forget the per-arc arrays (the driver's global tables hold them now); capacities and figures stay."""
        empty = np.zeros(0, dtype=np.int32)
        self.offer_id = self.need_id = self.licence = self.weight = empty
        self.max_t = np.zeros(0)


@dataclass
class _ExplainJob:
    """A region's share of the solution: flows of its arcs, and the needs it reports on."""

    region: Region
    offer_id: np.ndarray  # int64 per arc with flow
    need_id: np.ndarray
    flow_t: np.ndarray  # float64 tonnes
    owned_need_ids: np.ndarray  # needs this region reports as unmatched (each need by one region)
    owned_shipped_t: np.ndarray  # float64: what every region together delivered to each of them


@dataclass
class _Explained:
    key: str
    # Packed where they were made: a million proposals as objects do not fit a driver (see ``packed_rows``)
    proposals: PackedPart  # sorted by score, highest first
    scores: np.ndarray  # float64, the proposals' scores in that order
    unmatched_offers: PackedPart
    unmatched_needs: PackedPart
    seconds: float
    reloaded: bool


@dataclass
class _SolveJob:
    """Components pooled for one task, as a local instance; ``exact`` False: only the greedy baseline."""

    inst: Instance
    exact: bool = True


@dataclass
class _Solved:
    units: np.ndarray | None  # int64 per arc of the job's instance (None when not solved here)
    greedy: np.ndarray  # int64 per arc
    bound_scaled: float  # Σ of component upper bounds, weight × units
    lp_components: int
    seconds: float


def run_regions(source: RegionSource, executor: Executor, *, max_offers: int = MAX_OFFERS,
                split_arcs: int = SPLIT_ARCS, progress: Callable[[RegionProgress], None] | None = None) -> ParkRun:
    """Allocate every offer of ``source`` to the needs that serve best, region by region on ``executor``.

    The same ``ParkRun`` as ``run_park`` (with one region it is ``run_park`` of that region's
    problem), plus ``engine``, ``workers``, ``regions`` (one dict per region) and
    ``solver["bound"]``/``solver["gap"]``: the gap is 0 unless a component was split.
    """
    started = time.perf_counter()
    tell = progress or (lambda _p: None)
    regions = plan_regions(source, max_offers=max_offers)
    plan_s = time.perf_counter() - started
    if len(regions) <= 1:
        return _single(source, executor, regions, started, plan_s, tell)
    if source.settings.exact:
        raise ValueError("settings.exact: 精确模式（附加约束）仅支持单区域运行，请增大 max_offers / "
                         "exact mode (side constraints) runs in one region only: raise max_offers")
    token = uuid.uuid4().hex
    # The source travels to the workers once
    ctx = executor.share(_RunContext(source=source, token=token, regions=tuple(regions)))
    try:
        return _multi(source, executor, ctx, regions, started, plan_s, split_arcs, tell)
    finally:
        executor.run_everywhere(_drop_run, token)


def _single(source: RegionSource, executor: Executor, regions: list[Region], started: float, plan_s: float,
            tell: Callable[[RegionProgress], None]) -> ParkRun:
    """One region (or none): ``run_park`` of its problem, as one task."""
    region = regions[0] if regions else None
    tell(RegionProgress("prepare", None, 0, 1))
    run = next(iter(executor.map(_run_whole, [region], label="park", shared=executor.share(source))))[1]
    tell(RegionProgress("explain", region.key if region else None, 1, 1))
    run.engine, run.workers = executor.name, executor.workers
    run.regions = [] if region is None else [{
        "key": region.key, "box": [region.south, region.north, region.west, region.east], "offers": run.counts["offers"],
        "needs": run.counts["needs"], "arcs": run.counts["arcs"], "usable_arcs": run.counts["usable_arcs"],
        "seconds": run.timings.get("total_s", 0.0)}]
    if run.solver.get("bound") is None:  # flow mode proves its optimum: the bound is the objective
        run.solver["bound"] = run.objective
        run.solver["gap"] = 0.0
    run.timings["plan_s"] = round(plan_s, 4)
    run.timings["wall_s"] = round(time.perf_counter() - started, 4)
    return run


def _run_whole(region: Region | None, source: RegionSource) -> ParkRun:
    """Task: ``run_park`` over one region's records (or an empty problem)."""
    if region is None:
        return run_park(Problem([], [], settings=source.settings))
    data = source.load(region)
    return run_park(Problem(data.offers, data.needs, data.licences, data.approvals, settings=source.settings))


def _multi(source: RegionSource, executor: Executor, ctx: Any, regions: list[Region], started: float,
           plan_s: float, split_arcs: int, tell: Callable[[RegionProgress], None]) -> ParkRun:
    timings: dict[str, float] = {"plan_s": plan_s}
    n = len(regions)
    t = time.perf_counter()
    shares: list[_RegionStatistics | None] = [None] * n
    for done, (i, share) in enumerate(executor.map(_region_statistics, regions, label="statistics", shared=ctx), 1):
        shares[i] = share
        tell(RegionProgress("statistics", regions[i].key, done, n))
    stats = merge_statistics([s.partial for s in shares if s is not None])
    shared = (ctx, executor.share(stats))  # a few MB, sent once; every region scores through it
    timings["statistics_s"] = time.perf_counter() - t

    t = time.perf_counter()
    prepared: list[RegionArcs | None] = [None] * n
    stats_where = [s.worker if s is not None else None for s in shares]
    for done, (i, result) in enumerate(executor.map(_prepare_region, regions, label="prepare", shared=shared,
                                                    where=stats_where), 1):
        prepared[i] = result
        tell(RegionProgress("prepare", regions[i].key, done, n))
    parts: list[RegionArcs] = [p for p in prepared if p is not None]
    timings["prepare_s"] = time.perf_counter() - t

    t = time.perf_counter()
    world = _World.build(parts)  # drops the regions' arc arrays as it copies them
    inst = world.instance()
    # The driver's memory is per usable arc (~30M at 1M × 1M): the instance holds weights, caps and
    # licences now; explain reads only the arcs' offers and needs.
    world.arcs.licence = world.arcs.weight = world.arcs.max_t = None
    units, greedy_units, bound_scaled, solver = _solve(inst, world, executor, split_arcs, tell)
    inst.check(units)
    inst.check(greedy_units)
    timings["solve_s"] = time.perf_counter() - t
    upt = inst.units_per_t
    objective = float(np.dot(inst.weight.astype(np.float64), units / upt))
    greedy_objective = float(np.dot(inst.weight.astype(np.float64), greedy_units / upt))
    bound = bound_scaled / upt

    t = time.perf_counter()
    jobs = world.explain_jobs(regions, inst, units)
    # The proposals come back next (~0.1 GB a region at 1M × 1M): the per-arc tables go first. The 1M run's
    # driver held 3.3 GB of them through explain and ran out at 5.3 GB with 18 of 32 regions' proposals.
    n_components = inst.n_components
    del inst, units, greedy_units
    world.arcs = world.arc_region = None  # type: ignore[assignment]
    release_memory()
    where = [p.worker for p in parts]
    explained: list[_Explained | None] = [None] * n
    for done, (i, result) in enumerate(executor.map(_explain_region, jobs, label="explain", shared=shared,
                                                    where=where), 1):
        explained[i] = result
        tell(RegionProgress("explain", regions[i].key, done, n))
    timings["explain_s"] = time.perf_counter() - t

    done_regions = [e for e in explained if e is not None]
    proposals = sorted_by_score([e.proposals for e in done_regions], [e.scores for e in done_regions])
    unmatched = {"offers": PackedRows([e.unmatched_offers for e in done_regions]),
                 "needs": PackedRows([e.unmatched_needs for e in done_regions])}
    counts = _sum_counts(parts, needs=int(world.need_ids.shape[0]))
    counts.update(matches=len(proposals), components=n_components)
    for key in ("similarity_s", "candidate_s", "rules_s"):
        timings[f"worker_{key}"] = sum(p.timings.get(key, 0.0) for p in parts)
    timings["total_s"] = time.perf_counter() - started
    exact = solver["split_components"] == 0
    region_rows = [{"key": r.key, "box": [r.south, r.north, r.west, r.east], "offers": p.counts["offers"],
                    "needs": p.counts["needs"], "arcs": p.counts["arcs"], "usable_arcs": p.counts["usable_arcs"],
                    "seconds": round(p.timings.get("prepare_s", 0.0), 4),
                    "explain_seconds": round(e.seconds, 4) if e else None,
                    "reloaded": bool(e.reloaded) if e else None, "worker": p.worker,
                    "statistics_seconds": round(st.seconds, 4) if st else None}
                   for r, p, e, st in zip(regions, parts, explained, shares, strict=True)]
    # Σ of per-component bounds and the dot product round differently: within 1e-9 they are the same number.
    if bound - objective <= 1e-9 * max(abs(bound), 1.0):
        bound = objective
    solver.update(bound=bound, gap=(bound - objective) / bound if bound > 0 else 0.0,
                  seconds=round(timings["solve_s"], 4))
    return ParkRun(status="OPTIMAL" if exact or bound == objective else "FEASIBLE", objective=objective,
                   greedy_objective=greedy_objective, proposals=proposals, unmatched=unmatched,
                   timings={k: round(v, 4) for k, v in timings.items()}, counts=counts, solver=solver,
                   baseline={"solver": "greedy", "objective": greedy_objective, "compared_with": objective,
                             "improvement": objective - greedy_objective, "resolution_t": 1.0 / upt,
                             "side_constraints": False, "same_problem": True, "loops_favoured": False},
                   engine=executor.name, workers=executor.workers, regions=region_rows)


@gc_paused()  # a task builds a region's records and arrays: many objects, few cycles
def _region_statistics(region: Region, ctx: _RunContext) -> _RegionStatistics:
    """Task: load a region, keep its problem here for ``_prepare_region``, return the statistics of what it owns."""
    started = time.perf_counter()
    data = ctx.source.load(region)
    _admit((ctx.token, region.key), _Cached(data=pack(data)))
    problem = _problem(data, ctx.source)
    del data
    partial = partial_statistics(problem, np.arange(problem.o.size), _owned_needs(problem, region, ctx.regions))
    return _RegionStatistics(key=region.key, worker=worker_name(), partial=partial,
                             seconds=time.perf_counter() - started)


def _owned_needs(problem: Problem, region: Region, plan: tuple[Region, ...]) -> np.ndarray:
    """Rows of the needs ``region`` counts in the statistics: those no earlier region of the plan loads.

    Each need is counted once, by the first region that loads it (its reach meets that core: the
    region that reports it); offers by the region whose core holds them. A need no core reaches is in
    no region: it cannot be in any arc, and is neither counted nor reported.
    """
    lat = np.array([x.site.lat for x in problem.needs], dtype=np.float64)
    lon = np.array([x.site.lon for x in problem.needs], dtype=np.float64)
    reach = need_reach_km(problem.needs, problem.settings)
    mine = np.ones(lat.shape[0], dtype=bool)
    for other in plan:
        if other.key == region.key:
            break
        mine &= ~other.reaches(lat, lon, reach)
    return np.flatnonzero(mine)


@gc_paused()  # a task builds a region's records and arrays: many objects, few cycles
def _prepare_region(region: Region, shared: tuple[_RunContext, ModelStatistics]) -> RegionArcs:
    """Task: prepare a region's arcs through the run's statistics, keep its state here, return its arcs by id."""
    started = time.perf_counter()
    ctx, stats = shared
    data, problem, prep, timings = _load_and_prepare(region, ctx, stats)
    counts = arc_counts(problem, prep, matches=0, components=0)
    kept = _admit((ctx.token, region.key), _Cached(data=data, arcs=pack(_explain_arcs(prep))))
    timings["cached"] = float(kept)
    f = prep.feasible
    offer_ids = np.array([o.id for o in problem.offers], dtype=np.int64)
    need_ids = np.array([x.id for x in problem.needs], dtype=np.int64)
    timings["prepare_s"] = time.perf_counter() - started
    return RegionArcs(key=region.key, worker=worker_name(), offer_id=compact(offer_ids[f.offer]),
                      need_id=compact(need_ids[f.need]),
                      licence=(np.full(len(f), -1, dtype=np.int32) if f.licence is None
                               else compact(np.asarray(f.licence, dtype=np.int64))),
                      weight=compact(np.asarray(f.weight, dtype=np.int64)), max_t=np.asarray(f.max_t, dtype=np.float64),
                      offer_ids=offer_ids, offer_t=problem.o.quantity.copy(), need_ids=need_ids,
                      need_t=problem.n.quantity.copy(), licence_numbers=[x.number for x in problem.licences],
                      licence_t=problem.lic_remaining.copy(),
                      counts=counts, timings=timings)


def compact(values: np.ndarray) -> np.ndarray:
    """Integers as int32 when every value fits (the same numbers in half the bytes), else int64."""
    values = np.asarray(values)
    i32 = np.iinfo(np.int32)
    if values.size == 0 or (int(values.min()) >= i32.min and int(values.max()) <= i32.max):
        return values.astype(np.int32)
    return values.astype(np.int64)


def _problem(data: RegionData, source: RegionSource) -> Problem:
    return Problem(data.offers, data.needs, data.licences, data.approvals, settings=source.settings)


def _load_and_prepare(region: Region, ctx: _RunContext,
                      stats: ModelStatistics) -> tuple[bytes, Problem, PreparedArcs, dict[str, float]]:
    """The region's compressed records (kept by its statistics task, else loaded again), problem and prepared arcs."""
    cached = _CACHE.pop((ctx.token, region.key), None)  # prepare keeps it again if it fits
    timings: dict[str, float] = {}
    t = time.perf_counter()
    if cached is not None:
        packed, data = cached.data, unpack(cached.data)
    else:
        data = ctx.source.load(region)
        packed = pack(data)
    problem = _problem(data, ctx.source)
    del data
    timings["load_s"] = time.perf_counter() - t
    if problem.o.size == 0 or problem.n.size == 0:
        return packed, problem, _nothing_prepared(problem), timings
    return packed, problem, prepare_arcs(problem, timings, statistics=stats), timings


def _nothing_prepared(problem: Problem) -> PreparedArcs:
    """A region without needs in reach (or without offers): no candidate at all."""
    empty = np.zeros(0, dtype=np.int64)
    arcs = Arcs(offer=empty, need=empty, distance_km=np.zeros(0), similarity=np.zeros(0),
                fit=np.zeros(0, dtype=bool), licence=empty, exemption=empty, approval=empty,
                weight=empty, max_t=np.zeros(0))
    return PreparedArcs(model=None, arcs=arcs, legal=np.zeros(0, dtype=bool), feasible=arcs)  # type: ignore[arg-type]


@gc_paused()  # a task builds a region's records and arrays: many objects, few cycles
def _explain_region(job: _ExplainJob, shared: tuple[_RunContext, ModelStatistics]) -> _Explained:
    """Task: the region's proposals and its unserved offers and owned needs, from the global flows."""
    started = time.perf_counter()
    ctx, stats = shared
    cached = _CACHE.pop((ctx.token, job.region.key), None)
    reloaded = cached is None or cached.arcs is None
    if cached is None or cached.arcs is None:
        # Another worker prepared it, it did not fit the cache, or the worker restarted: the stages are
        # deterministic with the run's statistics (from the compressed records, if this worker kept them).
        if cached is not None:
            _CACHE[(ctx.token, job.region.key)] = cached
        _packed, problem, prep, _ = _load_and_prepare(job.region, ctx, stats)
    else:
        # The model is the similarity stage alone (the run's statistics make it the prepared one)
        problem = _problem(unpack(cached.data), ctx.source)
        slim, legal, feasible = unpack(cached.arcs)
        model = SimilarityModel().fit(problem, stats) if problem.o.size and problem.n.size else None
        prep = PreparedArcs(model=model, arcs=slim, legal=legal, feasible=feasible)  # type: ignore[arg-type]
    f = prep.feasible
    flow = np.zeros(len(f), dtype=np.float64)
    if job.offer_id.size:
        offer_ids = np.array([o.id for o in problem.offers], dtype=np.int64)
        need_ids = np.array([x.id for x in problem.needs], dtype=np.int64)
        # Each (offer, need) pair is one usable arc: find the job's pairs among them by a sorted key
        stride = int(max(need_ids.max(), job.need_id.max())) + 1
        keys = offer_ids[f.offer] * stride + need_ids[f.need]
        order = np.argsort(keys, kind="stable")
        wanted = job.offer_id * stride + job.need_id
        at = np.searchsorted(keys[order], wanted)
        if np.any(at >= keys.shape[0]) or np.any(keys[order][np.minimum(at, keys.shape[0] - 1)] != wanted):
            raise RuntimeError(f"{job.region.key}: a flow names an arc the region did not prepare")
        flow[order[at]] = job.flow_t
    used = np.flatnonzero(flow > QUANTITY_EPS_T)
    proposals = explain_flows(problem, prep.model, f, used, flow[used]) if used.size else []
    if problem.n.size and problem.o.size:
        offers_left = unmatched_listings(problem, prep, flow)["offers"]
    else:
        offers_left = [{"offer": o.ref, "remaining_t": round(o.quantity_t, 3), "placed_t": 0.0,
                        "reason": "no active need to match (无可匹配需求)"} for o in problem.offers]
    index = {x.id: j for j, x in enumerate(problem.needs)}
    needs_left = []
    for need_id, shipped in zip(job.owned_need_ids.tolist(), job.owned_shipped_t.tolist(), strict=True):
        need = problem.needs[index[need_id]]
        if need.quantity_t - shipped > QUANTITY_EPS_T:
            needs_left.append({"need": need.ref, "remaining_t": round(float(need.quantity_t - shipped), 3),
                               "filled_t": round(float(shipped), 3)})
    proposals.sort(key=lambda x: -x.score)  # stable: the driver merges the regions as one sort would
    return _Explained(key=job.region.key, proposals=PackedPart.of(proposals),
                      scores=np.array([x.score for x in proposals], dtype=np.float64),
                      unmatched_offers=PackedPart.of(offers_left), unmatched_needs=PackedPart.of(needs_left),
                      seconds=time.perf_counter() - started, reloaded=reloaded)


def _drop_run(token: str) -> None:
    """Forget every cached region of run ``token`` in this process."""
    for key in [k for k in _CACHE if k[0] == token]:
        del _CACHE[key]


@dataclass
class _World:
    """The global tables built from every region's arrays (ids → positions), and the global arcs."""

    offer_ids: np.ndarray  # sorted unique
    offer_t: np.ndarray
    offer_region: np.ndarray  # int64 per offer: the region whose core holds it
    need_ids: np.ndarray  # sorted unique
    need_t: np.ndarray
    need_owner: np.ndarray  # int64 per need: the first region (in plan order) that loaded it
    licence_t: np.ndarray
    arcs: Arcs
    arc_region: np.ndarray  # per arc (int16 or int32): the region that prepared it

    @classmethod
    def build(cls, parts: list[RegionArcs]) -> _World:
        """Merge the regions' tables: an offer belongs to one region, a need or a licence may be in several."""
        all_offers = np.concatenate([p.offer_ids for p in parts])
        offer_ids, first = np.unique(all_offers, return_index=True)
        if offer_ids.shape[0] != all_offers.shape[0]:
            raise RuntimeError("an offer was loaded by two regions: the source's core boxes overlap")
        offer_t = np.concatenate([p.offer_t for p in parts])[first]
        offer_region = np.concatenate([np.full(p.offer_ids.shape[0], r, dtype=np.int64)
                                       for r, p in enumerate(parts)])[first]
        all_needs = np.concatenate([p.need_ids for p in parts])
        need_ids, n_first = np.unique(all_needs, return_index=True)  # the first occurrence: the lowest region
        need_t = np.concatenate([p.need_t for p in parts])[n_first]
        need_owner = np.concatenate([np.full(p.need_ids.shape[0], r, dtype=np.int64)
                                     for r, p in enumerate(parts)])[n_first]
        numbers: dict[str, int] = {}
        remaining: list[float] = []
        lic_maps = []
        for p in parts:
            local = np.empty(len(p.licence_numbers) + 1, dtype=np.int64)
            local[-1] = -1  # index -1 (no licence) stays -1
            for j, (number, cap) in enumerate(zip(p.licence_numbers, p.licence_t.tolist(), strict=True)):
                if number not in numbers:
                    numbers[number] = len(remaining)
                    remaining.append(cap)
                local[j] = numbers[number]
            lic_maps.append(compact(local))
        # The arcs region by region into preallocated compact arrays, each region's arrays dropped as soon as
        # they are copied: the driver never holds two copies of tens of millions of arcs.
        m = sum(p.offer_id.shape[0] for p in parts)
        pos_type = compact(np.array([offer_ids.shape[0], need_ids.shape[0], len(remaining)])).dtype
        weight_type = np.result_type(*[p.weight.dtype for p in parts]) if parts else np.int32
        offer, need = np.empty(m, dtype=pos_type), np.empty(m, dtype=pos_type)
        licence, weight = np.empty(m, dtype=pos_type), np.empty(m, dtype=weight_type)
        max_t = np.empty(m, dtype=np.float64)
        arc_region = np.empty(m, dtype=compact(np.array([len(parts)])).dtype)
        at = 0
        for r, (lic_map, p) in enumerate(zip(lic_maps, parts, strict=True)):
            end = at + p.offer_id.shape[0]
            offer[at:end] = np.searchsorted(offer_ids, p.offer_id)
            need[at:end] = np.searchsorted(need_ids, p.need_id)
            licence[at:end] = lic_map[p.licence]
            weight[at:end], max_t[at:end], arc_region[at:end] = p.weight, p.max_t, r
            p.drop_arcs()
            at = end
        arcs = Arcs(offer=offer, need=need, distance_km=np.zeros(0),  # not read by the allocation (instance.prepare)
                    licence=licence, weight=weight, max_t=max_t)
        return cls(offer_ids=offer_ids, offer_t=offer_t, offer_region=offer_region, need_ids=need_ids, need_t=need_t,
                   need_owner=need_owner, licence_t=np.asarray(remaining, dtype=np.float64), arcs=arcs,
                   arc_region=arc_region)

    def instance(self) -> Instance:
        """The global allocation problem in integer units (``matching.instance.prepare``)."""
        return prepare(_Capacities(self.offer_t, self.need_t, self.licence_t), self.arcs, FLOW_UNITS_PER_T)

    def explain_jobs(self, regions: list[Region], inst: Instance, units: np.ndarray) -> list[_ExplainJob]:
        """Each region's arcs with flow, and the needs it owns with what they received in total."""
        flow_t = units / inst.units_per_t
        carried = units > 0
        arc_pos = inst.index[carried]
        region_of = self.arc_region[arc_pos]
        shipped = np.bincount(inst.need[carried], weights=flow_t[carried], minlength=self.need_ids.shape[0])
        jobs = []
        for r, region in enumerate(regions):
            mine = region_of == r
            owned = np.flatnonzero(self.need_owner == r)
            jobs.append(_ExplainJob(region=region, offer_id=self.offer_ids[self.arcs.offer[arc_pos[mine]]],
                                    need_id=self.need_ids[self.arcs.need[arc_pos[mine]]],
                                    flow_t=flow_t[carried][mine], owned_need_ids=self.need_ids[owned],
                                    owned_shipped_t=shipped[owned]))
        return jobs


@dataclass
class _Side:
    quantity: np.ndarray


@dataclass
class _Capacities:
    """What ``instance.prepare`` reads of a Problem (quantities and licence capacity), by global position."""

    offer_t: np.ndarray
    need_t: np.ndarray
    lic_remaining: np.ndarray
    o: _Side = field(init=False)
    n: _Side = field(init=False)

    def __post_init__(self) -> None:
        self.o, self.n = _Side(self.offer_t), _Side(self.need_t)


def _solve(inst: Instance, world: _World, executor: Executor, split_arcs: int,
           tell: Callable[[RegionProgress], None]) -> tuple[np.ndarray, np.ndarray, float, dict[str, Any]]:
    """Units and greedy units per arc of ``inst``, the Σ of component bounds (scaled), the solver's figures."""
    units = np.zeros(len(inst), dtype=np.int64)
    greedy_units = np.zeros(len(inst), dtype=np.int64)
    if len(inst) == 0:
        return units, greedy_units, 0.0, {"name": "min_cost_flow", "components": 0, "split_components": 0,
                                          "tasks": 0}
    order = np.argsort(inst.component, kind="stable")
    starts = np.searchsorted(inst.component[order], np.arange(inst.n_components + 1))
    sizes = np.diff(starts)
    splittable = executor.name != "local"
    big = np.flatnonzero(sizes > split_arcs) if splittable else np.zeros(0, dtype=np.int64)
    exact_ids = np.setdiff1d(np.arange(inst.n_components), big)
    batches = _batches(exact_ids, sizes)
    jobs = [_SolveJob(sub_instance(inst, _arcs_of(order, starts, ids))) for ids in batches]
    jobs += [_SolveJob(sub_instance(inst, _arcs_of(order, starts, [c])), exact=False) for c in big.tolist()]
    positions = [_arcs_of(order, starts, ids) for ids in batches] + [_arcs_of(order, starts, [c]) for c in big.tolist()]
    bound_scaled, lp_components = 0.0, 0
    for done, (i, solved) in enumerate(executor.map(_solve_job, jobs, label="solve"), 1):
        if solved.units is not None:
            units[positions[i]] = solved.units
        greedy_units[positions[i]] = solved.greedy
        bound_scaled += solved.bound_scaled
        lp_components += solved.lp_components
        tell(RegionProgress("solve", None, done, len(jobs) + big.size))
    n_jobs = len(jobs)
    del jobs  # a giant component's greedy job holds a copy of its arcs
    split_figures = []
    for c in big.tolist():
        idx = _arcs_of(order, starts, [c])
        result = _split(inst, idx, world.offer_region[inst.offer[idx]], executor)
        units[idx] = result.units
        bound_scaled += float(result.upper)
        split_figures.append({"arcs": int(idx.size), "parts": result.parts, "rounds": result.rounds,
                              "lower": float(result.lower) / inst.units_per_t,
                              "upper": float(result.upper) / inst.units_per_t, "gap": result.gap,
                              "shared_needs": result.shared_needs, "shared_licences": result.shared_licences,
                              "boundary_arcs": result.boundary_arcs,
                              "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
                              "history": [{k: v / inst.units_per_t for k, v in h.items()} for h in result.history]})
        tell(RegionProgress("solve", None, n_jobs + len(split_figures), n_jobs + big.size))
    name = "min_cost_flow+lp" if lp_components else "min_cost_flow"
    return units, greedy_units, bound_scaled, {
        "name": f"regional:{name}" + ("+split" if big.size else ""), "components": inst.n_components,
        "split_components": int(big.size), "lp_components": lp_components, "tasks": n_jobs,
        "largest_component_arcs": int(sizes.max()), "split": split_figures, "resolution_t": 1.0 / inst.units_per_t,
        "usable_arcs": len(inst), "used_arcs": int(np.count_nonzero(units))}


def _split(inst: Instance, idx: np.ndarray, part: np.ndarray, executor: Executor) -> Any:
    """One oversized component by ``matching.split.solve_split``, its parts solved as executor tasks."""
    from .split import solve_split

    def map_parts(fn: Callable[[Any], Any], items: list[Any]) -> Iterator[Any]:
        done: dict[int, Any] = dict(executor.map(fn, items, label="split"))
        return iter([done[i] for i in range(len(items))])

    return solve_split(inst, idx, part, rounds=SPLIT_ROUNDS, map_parts=map_parts)


def _arcs_of(order: np.ndarray, starts: np.ndarray, components: Any) -> np.ndarray:
    """Positions (in the instance) of the arcs of ``components``, component by component."""
    return np.concatenate([order[starts[c]:starts[c + 1]] for c in components]) if len(components) \
        else np.zeros(0, dtype=np.int64)


def _batches(components: np.ndarray, sizes: np.ndarray) -> list[list[int]]:
    """Components pooled in order into tasks of about ``TASK_ARCS`` arcs (a bigger one alone)."""
    out: list[list[int]] = []
    current: list[int] = []
    pooled = 0
    for c in components.tolist():
        current.append(c)
        pooled += int(sizes[c])
        if pooled >= TASK_ARCS:
            out.append(current)
            current, pooled = [], 0
    if current:
        out.append(current)
    return out


def _solve_job(job: _SolveJob) -> _Solved:
    """Task: the optimum of a batch of components (min-cost flow, LP where needed) and the greedy baseline."""
    started = time.perf_counter()
    greedy_units = solve_greedy(job.inst)
    if not job.exact:
        return _Solved(units=None, greedy=greedy_units, bound_scaled=0.0, lp_components=0,
                       seconds=time.perf_counter() - started)
    units, detail = solve_flow(job.inst)
    job.inst.check(units)
    return _Solved(units=units, greedy=greedy_units, bound_scaled=float(detail["upper_bound_scaled"]),
                   lp_components=int(detail["lp_components"]), seconds=time.perf_counter() - started)


def _sum_counts(parts: list[RegionArcs], *, needs: int) -> dict[str, int]:
    """The regions' figures added up (offers and arcs are each in one region; needs counted once)."""
    out: dict[str, int] = {}
    for p in parts:
        for key, value in p.counts.items():
            out[key] = out.get(key, 0) + int(value)
    out["needs"] = needs
    return out
