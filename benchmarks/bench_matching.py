"""Benchmark of the matching engine on generated parks (see benchmarks/README.md).

    python benchmarks/bench_matching.py --offers 10000 --needs 10000 --bare --json --out benchmarks/results/x.json

Prints one JSON document (``--json``; otherwise the same figures as ``key: value`` lines).
Stage times come from ``run_park``'s own timings; ``generate_s`` and ``build_problem_s``
are reported separately and are not part of ``total_s``.

Options:
  --bare          the bare baseline (BallTree k-NN + dot-product similarity + min-cost flow,
                  no rules) on the same Problem: bare_total_s and ratio = total_s / bare_total_s
  --compare-milp  the same allocation instance as a PuLP/CBC MILP (continuous flows, binary
                  link variables x_a <= max_t_a * y_a, no fixed cost): milp_s, milp_objective,
                  speed ratios and objective agreement
  --recommend     Recommender build time and recommend(ref, top=5) latency (median, p95) over
                  200 random listings after 20 warm-up calls; consider(ref, top=5, excluded=5), what
                  one-click calls (partners plus "why not"), on the same listings
  --no-park       skip run_park (e.g. with --recommend only)
  --profile FILE  run run_park under pyinstrument and write its text report to FILE
  --stages        diagnostic: run the stages of run_park one by one (same functions), with the
                  time and resident memory after each; the explanation stage is timed on a
                  sample of proposals and extrapolated when it would exceed the time budget
  --threads N     limit BLAS/OpenMP thread pools to N (threadpoolctl) for the whole run
  --max-mem-gib G address-space limit for this process (default 16): a stage that would need
                  more fails with MemoryError, recorded in the JSON, instead of invoking the
                  kernel's OOM killer on a shared machine
  --time-limit S  give up on run_park after S seconds (default 1800), recorded in the JSON

Beyond one machine (issue 19; see "National scale" in benchmarks/README.md):
  --national      the national instance (benchmarks/national.py: provinces of parks, generated
                  park by park where a region needs them) instead of generate_park
  --engine E      local (default: run_park in this process) or dask (matching.regional.run_regions
                  on Dask workers; the driver never holds the instance)
  --workers N     Dask worker processes of the local cluster (default 2)
  --scheduler A   a running Dask scheduler (tcp://…) instead of a local cluster
  --max-region-offers M  offers per region (default: run_regions'); with --engine local it runs
                  run_regions on the local executor instead of run_park
  --compare-local also run run_park on the whole instance in this process (where it fits) and
                  report the relative objective difference
  A worker inherits --max-mem-gib (the address-space limit is set before the cluster starts).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import signal
import statistics
import sys
import time
import traceback
from pathlib import Path


def _early_threads(argv: list[str]) -> int:
    """``--threads N`` must take effect before NumPy/SciPy/scikit-learn load their thread pools."""
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return 0


if _early_threads(sys.argv) > 0:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = str(_early_threads(sys.argv))

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import SETTINGS, generate_park
from benchmarks.machine import machine as machine_record
from matching.problem import Problem

RECOMMEND_SAMPLES = 200
RECOMMEND_WARMUP = 20
BARE_K = 20
BARE_TRANSPORT_CNY_PER_T_KM = 0.6
BARE_QUALITY_CNY_PER_T = 400.0


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    # Linux: ru_maxrss is in kilobytes
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except OSError:
        return float("nan")


def machine() -> dict:
    """The shared machine record plus BLAS/OpenMP thread pools and their environment (they change timings)."""
    try:
        from threadpoolctl import threadpool_info

        pools = [{k: d.get(k) for k in ("user_api", "internal_api", "num_threads")} for d in threadpool_info()]
    except Exception:  # noqa: BLE001 - optional
        pools = []
    env = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    return {**machine_record("numpy", "scipy", "sklearn", "ortools", "pulp"), "thread_pools": pools, "thread_env": env}


def engine_fingerprint() -> dict:
    """sha1 (first 12 hex) of each engine file measured: the engine changes under us."""
    out = {}
    engine = ROOT / "matching"
    for path in sorted(engine.rglob("*.py")):  # packages too (matching/rules/…), keyed by relative path
        out[path.relative_to(engine).as_posix()] = hashlib.sha1(path.read_bytes()).hexdigest()[:12]
    return out


class BudgetExceeded(Exception):
    """run_park ran past --time-limit."""


def _alarm(signum, frame):
    raise BudgetExceeded("time limit reached")


def within_budget(fn, limit_s: float, doc: dict, key: str, label: str,
                  catch: tuple[type[BaseException], ...] = (MemoryError, BudgetExceeded)):
    """``fn()`` with the --time-limit alarm armed; a failure of a kind in ``catch`` is recorded in ``doc`` as
    ``<key>_error`` and ``<key>_failed_after_s`` (logged as ``label``) and gives None."""
    t = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        return fn()
    except catch as exc:
        doc[f"{key}_error"] = failure(exc)
        doc[f"{key}_failed_after_s"] = round(time.perf_counter() - t, 3)
        log(f"{label} failed: {doc[f'{key}_error']}")
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def failure(exc: BaseException) -> dict:
    """Where a stage failed: the exception and the innermost engine frames."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/matching/" in f.filename
              or "/catalog/" in f.filename]
    return {"error": f"{type(exc).__name__}: {str(exc)[:300]}",
            "where": [f"{Path(f.filename).parent.name}/{Path(f.filename).name}:{f.lineno} {f.name}: {f.line}"
                      for f in frames[-4:]]}


# --- stage by stage (diagnostic) -------------------------------------------------------------

def run_stages(problem: Problem, budget_s: float, explain_sample: int = 300) -> dict:
    """The stages of ``run_park`` one by one, with time and memory after each.

    Uses the same functions ``run_park`` calls; the explanation stage (``_proposals``: one
    explained proposal per matched arc) is timed on ``explain_sample`` proposals first and
    only run in full when the extrapolation fits in the remaining budget.
    """
    from matching import pipeline as P
    from matching.candidates import CandidateIndex
    from matching.similarity import SimilarityModel

    st: dict = {}
    started = time.perf_counter()

    def mark(name: str, t0: float) -> None:
        st[name] = {"s": round(time.perf_counter() - t0, 3), "rss_mb": current_rss_mb(), "peak_rss_mb": peak_rss_mb()}
        log(f"stage {name}: {st[name]}")

    try:
        t = time.perf_counter()
        model = SimilarityModel().fit(problem)
        mark("similarity_fit", t)
        t = time.perf_counter()
        index = CandidateIndex(problem, model)
        mark("candidate_index", t)
        t = time.perf_counter()
        arcs = index.needs_for_offers()
        mark("candidate_query", t)
        st["candidate_query"]["arcs"] = len(arcs)
        t = time.perf_counter()
        P.evaluate_rules(problem, arcs)
        P.score(problem, arcs)
        mark("rules_score", t)
        legal = arcs.passed_hard(P.HARD_CODES)
        usable = legal & (arcs.weight > 0) & (arcs.max_t > P.QUANTITY_EPS_T)
        feasible = arcs.subset(usable)
        t = time.perf_counter()
        allocation = P.allocate(problem, feasible, problem.settings)
        mark("allocate", t)
        t = time.perf_counter()
        baseline = P.greedy(problem, feasible)
        mark("greedy", t)
        st["objective"], st["greedy_objective"] = allocation.objective, baseline.objective
        used = np.flatnonzero(allocation.flow > P.QUANTITY_EPS_T)
        st["matches"] = int(used.size)
        t = time.perf_counter()
        k = min(explain_sample, used.size)

        def explain_arcs(ks: np.ndarray) -> None:
            # vectorised numeric part, one explain() per proposal
            P._proposals(problem, model, feasible, ks, allocation.flow[ks])

        explain_arcs(used[:k])
        per = (time.perf_counter() - t) / max(k, 1)
        st["explain_per_proposal_ms"] = round(per * 1000, 3)
        remaining = budget_s - (time.perf_counter() - started)
        if per * (used.size - k) < remaining:
            explain_arcs(used[k:])
            mark("explain", t)
        else:
            st["explain"] = {"s": None, "estimated_s": round(per * used.size, 1),
                             "note": f"extrapolated from {k} proposals"}
        t = time.perf_counter()
        P._unmatched(problem, arcs, legal, feasible, allocation)
        mark("unmatched", t)
    except Exception as exc:  # noqa: BLE001 - a diagnostic records any failure (engine internals change)
        st["failed"] = failure(exc)
        log(f"stages failed: {st['failed']}")
    st["elapsed_s"] = round(time.perf_counter() - started, 3)
    return st


# --- the bare baseline -------------------------------------------------------------------

def run_bare(problem: Problem) -> dict:
    """BallTree (haversine) k-NN of needs per offer + dot-product similarity on dense composition
    vectors + OR-Tools SimpleMinCostFlow; no rules, no text, no explanations."""
    from ortools.graph.python import min_cost_flow
    from sklearn.neighbors import BallTree
    from sklearn.preprocessing import normalize

    p = problem
    out: dict = {}
    t0 = time.perf_counter()
    o_vec = normalize(p.o.composition.toarray().astype(np.float32))
    n_vec = normalize(p.n.composition.toarray().astype(np.float32))
    t1 = time.perf_counter()
    tree = BallTree(np.column_stack([p.n.lat_rad, p.n.lon_rad]), metric="haversine")
    k = min(BARE_K, p.n.size)
    dist_rad, nbr = tree.query(np.column_stack([p.o.lat_rad, p.o.lon_rad]), k=k)
    oi = np.repeat(np.arange(p.o.size), k)
    ni = nbr.ravel()
    dist_km = dist_rad.ravel() * 6371.0088 * p.settings.road_factor
    t2 = time.perf_counter()
    sim = np.einsum("ij,ij->i", o_vec[oi], n_vec[ni])
    weight = np.rint(BARE_QUALITY_CNY_PER_T * sim - BARE_TRANSPORT_CNY_PER_T_KM * dist_km).astype(np.int64)
    keep = weight > 0
    oi, ni, weight = oi[keep], ni[keep], weight[keep]
    t3 = time.perf_counter()
    units = 1000  # kg, like the engine
    o_cap = np.floor(p.o.quantity * units).astype(np.int64)
    n_cap = np.floor(p.n.quantity * units).astype(np.int64)
    n_o, n_n = p.o.size, p.n.size
    source, sink = 0, 1
    tails = np.concatenate([2 + oi, np.full(n_o, source), 2 + n_o + np.arange(n_n), [source]])
    heads = np.concatenate([2 + n_o + ni, 2 + np.arange(n_o), np.full(n_n, sink), [sink]])
    total = int(o_cap.sum())
    caps = np.concatenate([np.minimum(o_cap[oi], n_cap[ni]), o_cap, n_cap, [total]])
    costs = np.zeros(tails.shape[0], dtype=np.int64)
    costs[:oi.size] = -weight
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps, costs)
    smcf.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([total, -total], dtype=np.int64))
    status = smcf.solve()
    flows = np.asarray(smcf.flows(np.arange(oi.size, dtype=np.int32)), dtype=np.int64)
    t4 = time.perf_counter()
    out.update(bare_vectors_s=round(t1 - t0, 4), bare_knn_s=round(t2 - t1, 4), bare_similarity_s=round(t3 - t2, 4),
               bare_solve_s=round(t4 - t3, 4), bare_total_s=round(t4 - t0, 4), bare_arcs=int(oi.size),
               bare_status=getattr(status, "name", str(status)),
               bare_objective=float(np.dot(weight.astype(np.float64), flows / units)))
    return out


# --- the MILP comparison ---------------------------------------------------------------------

def run_milp(problem: Problem, candidates: list[dict], msg: bool = False) -> dict:
    """The allocation as a PuLP/CBC MILP: continuous x_a, binary y_a, x_a <= max_t_a * y_a.

    Capacities are floored to whole kilograms exactly as the engine does (``to_units``),
    so both solve the same instance at the engine's declared resolution.
    """
    import pulp

    from matching.optimise import FLOW_UNITS_PER_T, to_units

    p = problem
    u = FLOW_UNITS_PER_T
    lic_index = {lic.number: i for i, lic in enumerate(p.licences)}
    o_idx = np.array([p.o.ref_index[c["offer"]] for c in candidates], dtype=np.int64)
    n_idx = np.array([p.n.ref_index[c["need"]] for c in candidates], dtype=np.int64)
    l_idx = np.array([lic_index[c["licence"]] if c["licence"] is not None else -1 for c in candidates],
                     dtype=np.int64)
    weight = np.array([c["weight"] for c in candidates], dtype=np.int64)
    o_cap = to_units(p.o.quantity, u) / u
    n_cap = to_units(p.n.quantity, u) / u
    l_cap = to_units(p.lic_remaining, u) / u if len(p.licences) else np.zeros(0)
    arc_cap = np.minimum(to_units(np.array([c["max_t"] for c in candidates], dtype=np.float64), u) / u,
                         np.minimum(o_cap[o_idx], n_cap[n_idx]))
    has = l_idx >= 0
    arc_cap[has] = np.minimum(arc_cap[has], l_cap[l_idx[has]])

    t0 = time.perf_counter()
    prob = pulp.LpProblem("wastematch_allocation", pulp.LpMaximize)
    m = len(candidates)
    x = [pulp.LpVariable(f"x{a}", lowBound=0.0, upBound=float(arc_cap[a])) for a in range(m)]
    y = [pulp.LpVariable(f"y{a}", cat=pulp.LpBinary) for a in range(m)]
    prob += pulp.lpSum(int(weight[a]) * x[a] for a in range(m))
    for a in range(m):
        prob += x[a] - float(arc_cap[a]) * y[a] <= 0
    by_offer: dict[int, list[int]] = {}
    by_need: dict[int, list[int]] = {}
    by_lic: dict[int, list[int]] = {}
    for a in range(m):
        by_offer.setdefault(int(o_idx[a]), []).append(a)
        by_need.setdefault(int(n_idx[a]), []).append(a)
        if l_idx[a] >= 0:
            by_lic.setdefault(int(l_idx[a]), []).append(a)
    for i, arcs in by_offer.items():
        prob += pulp.lpSum(x[a] for a in arcs) <= float(o_cap[i])
    for j, arcs in by_need.items():
        prob += pulp.lpSum(x[a] for a in arcs) <= float(n_cap[j])
    for lic, arcs in by_lic.items():
        prob += pulp.lpSum(x[a] for a in arcs) <= float(l_cap[lic])
    t1 = time.perf_counter()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(msg=msg, gapRel=0.0, threads=1, logPath=str(log_path))
        status = prob.solve(solver)
        t2 = time.perf_counter()
        cbc_log = log_path.read_text(errors="replace") if log_path.exists() else ""
    cbc_wall = None
    for line in cbc_log.splitlines():  # "Total time (CPU seconds):       4.21   (Wallclock seconds):       4.30"
        if "Wallclock seconds" in line:
            try:
                cbc_wall = float(line.rsplit(":", 1)[1].split()[0])
            except (IndexError, ValueError):
                pass
    xs = np.array([v.varValue or 0.0 for v in x])
    return {"milp_build_s": round(t1 - t0, 4), "milp_s": round(t2 - t1, 4), "milp_cbc_wall_s": cbc_wall,
            "milp_status": pulp.LpStatus[status], "milp_objective": float(np.dot(weight.astype(np.float64), xs)),
            "milp_arcs": m, "milp_binaries": m, "milp_rows": m + len(by_offer) + len(by_need) + len(by_lic),
            "milp_solver": "CBC " + (solver.getSolverVersion() if hasattr(solver, "getSolverVersion") else ""),
            "milp_capacity_resolution_t": 1.0 / u}


# --- recommendations ------------------------------------------------------------------------

def run_recommend(problem: Problem, seed: int) -> dict:
    from matching.pipeline import Recommender

    t0 = time.perf_counter()
    rec = Recommender(problem)
    build = time.perf_counter() - t0
    rng = random.Random(seed + 7)
    refs = problem.o.refs + problem.n.refs
    picks = rng.sample(refs, RECOMMEND_WARMUP + RECOMMEND_SAMPLES)
    warm, sample = picks[:RECOMMEND_WARMUP], picks[RECOMMEND_WARMUP:]
    first = None
    t_warm = time.perf_counter()
    for i, ref in enumerate(warm):
        t = time.perf_counter()
        rec.recommend(ref, top=5)
        if i == 0:
            first = time.perf_counter() - t
    t_warm = time.perf_counter() - t_warm
    # the lazily built offer index (for needs) must be warm too: make sure a need was asked
    if not any(r in problem.n.ref_index for r in warm):
        rec.recommend(problem.n.refs[0], top=5)
    times, kinds, found = [], [], []
    for ref in sample:
        t = time.perf_counter()
        res = rec.recommend(ref, top=5)
        times.append((time.perf_counter() - t) * 1000.0)
        kinds.append("offer" if ref in problem.o.ref_index else "need")
        found.append(len(res))
    ms = np.array(times)
    by = {k: np.array([t for t, kk in zip(times, kinds) if kk == k]) for k in ("offer", "need")}
    # What one-click calls since issue 17: the ranked partners plus "why not" (the most similar excluded).
    considered = []
    for ref in sample:
        t = time.perf_counter()
        rec.consider(ref, top=5, excluded=5)
        considered.append((time.perf_counter() - t) * 1000.0)
    cms = np.array(considered)
    return {"recommend_build_s": round(build, 3), "recommend_warmup_s": round(t_warm, 3),
            "recommend_first_call_ms": round(first * 1000.0, 2) if first is not None else None,
            "recommend_samples": len(sample), "recommend_median_ms": round(float(np.median(ms)), 2),
            "recommend_p95_ms": round(float(np.percentile(ms, 95)), 2),
            "recommend_max_ms": round(float(ms.max()), 2), "recommend_mean_ms": round(float(ms.mean()), 2),
            "recommend_offer_median_ms": round(float(np.median(by["offer"])), 2) if by["offer"].size else None,
            "recommend_need_median_ms": round(float(np.median(by["need"])), 2) if by["need"].size else None,
            "recommend_mean_results": round(statistics.fmean(found), 2),
            "recommend_empty": int(sum(1 for f in found if f == 0)),
            "consider_median_ms": round(float(np.median(cms)), 2),
            "consider_p95_ms": round(float(np.percentile(cms, 95)), 2),
            "active_listings": problem.o.size + problem.n.size}


# --- beyond one machine: run_regions on an executor (issue 19) --------------------------------

def run_regional(args: argparse.Namespace, doc: dict) -> None:
    """``matching.regional.run_regions`` on the chosen executor; figures, time split, memory, comparison."""
    from matching.executors import make_executor
    from matching.regional import MAX_OFFERS, run_regions
    from matching.regions import InMemorySource, plan_regions

    t = time.perf_counter()
    records = None
    if args.national:
        from benchmarks.national import NationalSource

        source = NationalSource(args.offers, args.needs, args.seed, SETTINGS)
        if args.store:
            from benchmarks.national import write_store

            log(f"writing the instance's parks to {args.store} (reused if complete)")
            t_store = time.perf_counter()
            stored = write_store(source, args.store, processes=args.workers,
                                 progress=lambda done, total: log(f"store {done}/{total} parks"))
            doc["store"] = {"directory": str(args.store), "parks": stored["parks"], "mb": round(stored["bytes"] / 2**20, 1),
                            "reused": stored["reused"], "seconds": round(time.perf_counter() - t_store, 3)}
            log(f"store: {stored['parks']} parks, {doc['store']['mb']} MB, {doc['store']['seconds']} s"
                + (" (reused)" if stored["reused"] else ""))
            source = NationalSource(args.offers, args.needs, args.seed, SETTINGS, store=str(args.store))
        doc["parks"] = len(source.parks)
        doc["provinces"] = len({p.province for p in source.parks})
        doc["offers"], doc["needs"] = args.offers, args.needs  # planned: the driver generates nothing
    else:
        records = generate_park(args.offers, args.needs, args.seed)
        source = InMemorySource(*records, settings=SETTINGS)
        doc["offers"], doc["needs"], doc["licences"] = (len(x) for x in records)
    doc["generate_s"] = round(time.perf_counter() - t, 3)  # national: the plan only
    max_offers = args.max_region_offers or MAX_OFFERS
    doc["max_region_offers"] = max_offers
    doc["halo_km"] = round(source.max_reach_km() / SETTINGS.road_factor, 1)

    log(f"starting the {args.engine} executor" + (f" ({args.workers} workers)" if args.engine == "dask" else ""))
    t = time.perf_counter()
    executor = make_executor(args.engine, args.scheduler, args.workers if args.engine == "dask" else None)
    doc["executor_start_s"] = round(time.perf_counter() - t, 3)
    doc["workers"] = executor.workers

    def progress(p) -> None:
        log(f"{p.stage} {p.done}/{p.total}" + (f" {p.region}" if p.region else ""))

    def regional():
        log(f"run_regions: {len(plan_regions(source, max_offers=max_offers))} regions of ≤ {max_offers} offers")
        return run_regions(source, executor, max_offers=max_offers, progress=progress)

    t = time.perf_counter()
    # Any failure is recorded: a worker's MemoryError arrives as itself, a lost worker as Dask's error.
    run = within_budget(regional, args.time_limit, doc, "run", "run_regions", catch=(Exception,))
    wall = time.perf_counter() - t
    try:
        doc["peak_worker_rss_mb"] = round(executor.peak_rss_mb(), 1)
    except Exception as exc:  # noqa: BLE001 - a dead cluster cannot say; the failure is already recorded
        doc["peak_worker_rss_mb"] = None
        log(f"peak worker RSS unavailable: {exc}")
    executor.close()
    doc["driver_peak_rss_mb"] = peak_rss_mb()
    doc["run_wall_s"] = round(wall, 3)
    if run is None:
        doc["regions"] = None
        return
    rows = run.regions
    tm = run.timings
    doc.update(regions=len(rows), region_rows=rows, status=run.status, objective=run.objective,
               bound=run.solver.get("bound"), gap=run.solver.get("gap"), greedy_objective=run.greedy_objective,
               optimum_vs_greedy=round(run.objective / run.greedy_objective, 6) if run.greedy_objective else None,
               matches=run.counts.get("matches"), arcs=run.counts.get("arcs"),
               legal_arcs=run.counts.get("legal_arcs"), usable_arcs=run.counts.get("usable_arcs"),
               components=run.counts.get("components"), total_s=tm.get("total_s"),
               solver={k: v for k, v in run.solver.items() if isinstance(v, (int, float, str, type(None)))},
               split=run.solver.get("split", []),
               unmatched_offers=len(run.unmatched["offers"]), unmatched_needs=len(run.unmatched["needs"]))
    if args.national:
        doc["licences"] = None  # only the regions' loads see licences
    region_needs = sum(r.get("needs", 0) for r in rows)
    doc["halo_need_factor"] = round(region_needs / max(1, doc["needs"]), 3)  # needs loaded per need, over regions
    prepare_sum = sum(r.get("seconds") or 0.0 for r in rows)
    statistics_sum = sum(r.get("statistics_seconds") or 0.0 for r in rows)
    stages = {k: tm.get(f"worker_{k}", 0.0) for k in ("similarity_s", "candidate_s", "rules_s")}
    # A region's tasks = load (generate or read) + Problem (+ its share of the model statistics, where
    # run_regions has that stage) + similarity + candidates + rules; the rest is load and Problem.
    doc["engine_timings"] = dict(tm)
    doc["time_split"] = {
        "plan_s": tm.get("plan_s"), "executor_start_s": doc["executor_start_s"],
        "statistics_wall_s": tm.get("statistics_s"),
        "prepare_wall_s": tm.get("prepare_s"), "solve_wall_s": tm.get("solve_s"), "explain_wall_s": tm.get("explain_s"),
        "run_wall_s": doc["run_wall_s"],
        "regions_statistics_sum_s": round(statistics_sum, 3),
        "regions_prepare_sum_s": round(prepare_sum, 3),
        "regions_load_and_problem_sum_s": round(prepare_sum + statistics_sum - sum(stages.values()), 3),
        "regions_similarity_sum_s": round(stages["similarity_s"], 3),
        "regions_candidate_sum_s": round(stages["candidate_s"], 3),
        "regions_rules_sum_s": round(stages["rules_s"], 3),
        "regions_explain_sum_s": round(sum(r.get("explain_seconds") or 0.0 for r in rows), 3)}
    log(f"run_regions done in {wall:.1f} s: {len(rows)} regions, objective {run.objective:.6g}, "
        f"gap {run.solver.get('gap')}, peak worker RSS {doc['peak_worker_rss_mb']} MB")
    del run

    if args.compare_local:
        log("compare: run_park on the whole instance in this process")
        t = time.perf_counter()
        if records is None:
            from benchmarks.national import national_records

            records = national_records(args.offers, args.needs, args.seed)
        problem = Problem(*records, settings=SETTINGS)
        from matching.pipeline import run_park

        try:
            local = run_park(problem)
        except MemoryError as exc:
            doc["local_error"] = failure(exc)
            return
        doc.update(local_objective=local.objective, local_total_s=local.timings.get("total_s"),
                   local_matches=local.counts["matches"], local_wall_s=round(time.perf_counter() - t, 3),
                   local_peak_rss_mb=peak_rss_mb())
        ref = max(1.0, abs(local.objective))
        doc["objective_rel_diff"] = abs(doc["objective"] - local.objective) / ref
        doc["objectives_agree"] = bool(doc["objective_rel_diff"] <= 1e-6)
        log(f"local objective {local.objective:.6g}: relative difference {doc['objective_rel_diff']:.3g}")


# --- main ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--offers", type=int, required=True)
    ap.add_argument("--needs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")
    ap.add_argument("--compare-milp", action="store_true")
    ap.add_argument("--bare", action="store_true")
    ap.add_argument("--recommend", action="store_true")
    ap.add_argument("--no-park", action="store_true", help="skip run_park")
    ap.add_argument("--out", type=Path, help="also write the JSON document to this file")
    ap.add_argument("--profile", type=Path, help="profile run_park with pyinstrument, text report to this file")
    ap.add_argument("--milp-log", action="store_true", help="show CBC's log on stderr")
    ap.add_argument("--stages", action="store_true", help="diagnostic stage-by-stage run (see module doc)")
    ap.add_argument("--threads", type=int, default=0,
                    help="limit BLAS/OpenMP thread pools to N for the whole run (threadpoolctl); 0: library default")
    ap.add_argument("--max-mem-gib", type=float, default=16.0)
    ap.add_argument("--time-limit", type=float, default=1800.0)
    ap.add_argument("--national", action="store_true", help="the national instance (benchmarks/national.py)")
    ap.add_argument("--engine", choices=("local", "dask"), default="local")
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes (--engine dask)")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler (--engine dask)")
    ap.add_argument("--store", type=Path, default=None,
                    help="--national: generate the parks into this directory first (reused when complete) and "
                         "read regions from it, as from a database; without it the workers generate parks as "
                         "regions ask (the generator's time is then inside the run)")
    ap.add_argument("--max-region-offers", type=int, default=None, help="offers per region (run_regions)")
    ap.add_argument("--compare-local", action="store_true",
                    help="also run run_park on the whole instance here and compare objectives")
    args = ap.parse_args(argv)
    regional = args.engine == "dask" or args.max_region_offers is not None
    if regional and (args.compare_milp or args.bare or args.recommend or args.stages or args.profile
                     or args.no_park):
        ap.error("--engine dask / --max-region-offers: only --compare-local among the comparisons")
    if args.workers < 1:
        ap.error("--workers: at least 1")
    if args.threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=args.threads)
    if args.max_mem_gib > 0:
        limit = int(args.max_mem_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    doc: dict = {"benchmark": "wastematch.bench_matching", "version": 1,
                 "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "seed": args.seed,
                 "today": SETTINGS.today.isoformat(), "machine": machine(),
                 "max_mem_gib": args.max_mem_gib, "time_limit_s": args.time_limit,
                 "engine_sha1": engine_fingerprint(), "instance": "national" if args.national else "park",
                 "engine": args.engine, "workers": args.workers if args.engine == "dask" else 1}
    if regional:
        run_regional(args, doc)
        return finish(args, doc)
    log(f"generating {args.offers} offers × {args.needs} needs (seed {args.seed})")
    t = time.perf_counter()
    if args.national:
        from benchmarks.national import national_records

        offers, needs, licences = national_records(args.offers, args.needs, args.seed)
    else:
        offers, needs, licences = generate_park(args.offers, args.needs, args.seed)
    doc["generate_s"] = round(time.perf_counter() - t, 3)
    doc["offers"], doc["needs"], doc["licences"] = len(offers), len(needs), len(licences)
    doc["hw_offers"] = sum(1 for o in offers if o.waste_code)
    doc["parks"] = len({o.site.park for o in offers} | {n.site.park for n in needs})

    log("building Problem")
    t = time.perf_counter()
    problem = Problem(offers, needs, licences, settings=SETTINGS)
    doc["build_problem_s"] = round(time.perf_counter() - t, 3)
    doc["rss_before_run_mb"] = current_rss_mb()

    run = None
    if not args.no_park:
        from matching.pipeline import run_park

        log("run_park")
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.005)
            profiler.start()
        t = time.perf_counter()
        run = within_budget(lambda: run_park(problem, with_candidates=args.compare_milp), args.time_limit, doc,
                            "run_park", "run_park")
        wall = time.perf_counter() - t
        if profiler is not None:
            profiler.stop()
            args.profile.parent.mkdir(parents=True, exist_ok=True)
            args.profile.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
            log(f"profile written to {args.profile}")
    if run is not None:
        tm = run.timings
        doc.update(arcs=run.counts["arcs"], legal_arcs=run.counts["legal_arcs"],
                   usable_arcs=run.counts["usable_arcs"], matches=run.counts["matches"],
                   components=run.counts["components"],
                   candidate_s=tm.get("candidate_s"), similarity_s=tm.get("similarity_s"),
                   rules_s=tm.get("rules_s"), solve_s=tm.get("solve_s"), greedy_s=tm.get("greedy_s"),
                   explain_s=tm.get("explain_s"),
                   total_s=tm.get("total_s"), run_park_wall_s=round(wall, 3),
                   status=run.status, objective=run.objective, greedy_objective=run.greedy_objective,
                   optimum_vs_greedy=round(run.objective / run.greedy_objective, 6) if run.greedy_objective else None,
                   allocate_s=round(run.solver.get("seconds", 0.0), 4),
                   solver={k: v for k, v in run.solver.items() if isinstance(v, (int, float, str, type(None)))},
                   unmatched_offers=len(run.unmatched["offers"]), unmatched_needs=len(run.unmatched["needs"]))
        doc["peak_rss_after_park_mb"] = peak_rss_mb()
        doc.update(regions=1, peak_worker_rss_mb=doc["peak_rss_after_park_mb"])  # the contract's keys: one process
        log(f"run_park done in {wall:.2f} s: {run.counts}")

        if args.compare_milp:
            log(f"MILP (PuLP/CBC) on {len(run.candidates)} usable arcs")
            milp = run_milp(problem, run.candidates, msg=args.milp_log)
            doc.update(milp)
            ref = max(1.0, abs(milp["milp_objective"]))
            doc["objective_rel_diff"] = abs(run.objective - milp["milp_objective"]) / ref
            doc["objectives_agree"] = bool(doc["objective_rel_diff"] <= 1e-6)
            doc["milp_over_solve"] = round(milp["milp_s"] / max(doc["solve_s"], 1e-9), 2)
            doc["milp_over_allocate"] = round(milp["milp_s"] / max(doc["allocate_s"], 1e-9), 2)
            doc["milp_over_total"] = round(milp["milp_s"] / max(doc["total_s"], 1e-9), 2)
            if milp.get("milp_cbc_wall_s"):
                doc["milp_cbc_over_solve"] = round(milp["milp_cbc_wall_s"] / max(doc["solve_s"], 1e-9), 2)
            del run.candidates[:]
        del run

    if args.stages:
        log("stage-by-stage diagnostic run")
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, args.time_limit)
        try:
            # a fresh Problem: engine stages cache per-problem features on it
            fresh = Problem(offers, needs, licences, settings=SETTINGS)
            doc["stages"] = run_stages(fresh, args.time_limit)
            del fresh
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    if args.bare:
        log("bare baseline")
        doc.update(run_bare(problem))
        if doc.get("total_s"):
            doc["ratio"] = round(doc["total_s"] / doc["bare_total_s"], 3)

    if args.recommend:
        log("Recommender")
        doc.update(run_recommend(problem, args.seed))

    return finish(args, doc)


def finish(args: argparse.Namespace, doc: dict) -> int:
    """Close the document (peak memory, load, targets), write and print it."""
    doc["peak_rss_mb"] = peak_rss_mb()
    doc["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    doc["targets"] = targets(doc)
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=float)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
        log(f"written {args.out}")
    if args.json:
        print(text)
    else:
        for k, v in doc.items():
            if not isinstance(v, dict):
                print(f"{k:28s} {v}")
        for k, v in doc["targets"].items():
            print(f"target {k:21s} {v}")
    return 0


def targets(doc: dict) -> dict:
    """Which targets of the brief this run can judge, and whether each is met."""
    out = {}
    if "ratio" in doc and doc["offers"] >= 10000 and doc["needs"] >= 10000:
        out["ratio_le_2_at_10k"] = doc["ratio"] <= 2.0
    if "milp_s" in doc and doc["offers"] >= 5000:
        out["milp_20x_faster_at_5k"] = doc["milp_over_solve"] >= 20.0
        out["milp_same_objective"] = doc["objectives_agree"]
    if doc.get("region_rows") is not None or "run_error" in doc:  # a regional run (issue 19)
        if "objectives_agree" in doc:
            out["same_objective_as_local"] = doc["objectives_agree"]
        if doc["offers"] >= 1_000_000 and doc.get("workers") == 2:
            ok = "run_error" not in doc
            out["wall_le_15min_at_1m_2_workers"] = ok and doc["run_wall_s"] <= 900.0
            peaks = [doc.get("peak_worker_rss_mb"), doc.get("driver_peak_rss_mb")]
            out["every_process_le_6gib"] = ok and None not in peaks and max(peaks) <= 6144.0
        return out
    if doc["offers"] >= 100000 and (doc.get("total_s") is not None or "run_park_error" in doc):
        ok = "run_park_error" not in doc
        out["total_le_60s_at_100k"] = ok and doc["total_s"] <= 60.0
        out["peak_rss_le_4gib_at_100k"] = ok and doc["peak_rss_mb"] <= 4096.0
    if "recommend_median_ms" in doc and doc["active_listings"] >= 100000:
        out["recommend_median_le_50ms_at_100k_listings"] = doc["recommend_median_ms"] <= 50.0
    return out


if __name__ == "__main__":
    sys.exit(main())
