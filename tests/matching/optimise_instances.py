"""Random allocation instances for the optimiser's tests and benchmark.

Parks are spatial clusters; each offer gets candidate arcs to its nearest needs (as the
candidate stage would); ~5 % of needs receive hazardous waste under licences shared by
pools of ~20 needs; a few of those needs are "mixed" (some arcs exempt from the licence,
so they draw on the pool and on nothing), which is what sends a component to the LP.

Run as a benchmark::

    .venv/bin/python -m tests.matching.optimise_instances            # 10k × 10k and 100k × 100k
    .venv/bin/python -m tests.matching.optimise_instances 10000      # one size
"""
from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.spatial import cKDTree

from matching.arcs import Arcs
from matching.problem import (
    LicenceRecord,
    NeedRecord,
    OfferRecord,
    Problem,
    Settings,
    Site,
)

KM_PER_DEG = 111.0


def make_problem(offer_q, need_q, lic_remaining=(), *, offer_xy=None, need_xy=None,
                 settings: Settings | None = None) -> Problem:
    """A ``Problem`` built from records (as the marketplace does), with the given quantities."""
    offer_q = np.asarray(offer_q, dtype=np.float64)
    need_q = np.asarray(need_q, dtype=np.float64)
    offer_xy = np.zeros((offer_q.size, 2)) if offer_xy is None else offer_xy
    need_xy = np.zeros((need_q.size, 2)) if need_xy is None else need_xy
    offers = [OfferRecord(ref=f"O{i}", site=Site(f"EO{i}", 31.0 + float(offer_xy[i, 1]), 120.0 + float(offer_xy[i, 0])),
                          quantity_t=float(q), form="solid") for i, q in enumerate(offer_q.tolist())]
    needs = [NeedRecord(ref=f"N{j}", site=Site(f"EN{j}", 31.0 + float(need_xy[j, 1]), 120.0 + float(need_xy[j, 0])),
                        quantity_t=float(q), forms=frozenset({"solid"}), purpose="recycle")
             for j, q in enumerate(need_q.tolist())]
    licences = [LicenceRecord(number=f"L{k}", enterprise=f"EL{k}", kind="hw_comprehensive",
                              categories=frozenset({"HW08"}), codes=frozenset(), activities=frozenset({"utilise"}),
                              valid_from=dt.date(2020, 1, 1), valid_to=None, remaining_t=float(r))
                for k, r in enumerate(np.asarray(lic_remaining, dtype=np.float64).tolist())]
    return Problem(offers, needs, licences, settings=settings or Settings(today=dt.date(2025, 6, 1)))


def make_arcs(offer, need, weight, max_t=None, licence=None) -> Arcs:
    """``Arcs`` with only the columns the optimiser reads."""
    offer = np.asarray(offer, dtype=np.int64)
    n = offer.size
    return Arcs(offer=offer, need=np.asarray(need, dtype=np.int64), distance_km=np.zeros(n),
                weight=np.asarray(weight, dtype=np.int64),
                max_t=np.full(n, np.inf) if max_t is None else np.asarray(max_t, dtype=np.float64),
                licence=np.full(n, -1, dtype=np.int64) if licence is None else np.asarray(licence, dtype=np.int64))


@dataclass
class Instance:
    problem: Problem
    arcs: Arcs
    mixed_needs: np.ndarray


def random_instance(n_offers: int, n_needs: int, *, arcs_per_offer: int = 20, hw_share: float = 0.05,
                    pool_size: int = 20, mixed: int = 3, park_size: int = 200, seed: int = 0,
                    decimals: int | None = 3, negative_share: float = 0.1) -> Instance:
    """Spatially clustered offers and needs, arcs to the nearest needs, HW licence pools, mixed needs."""
    rng = np.random.default_rng(seed)
    n_parks = max(1, (n_offers + n_needs) // (2 * park_size))
    centre = rng.uniform(0, 1.4 * np.sqrt(n_parks), size=(n_parks, 2))  # degrees; ~1.4° (150 km) between parks
    o_park = rng.integers(0, n_parks, n_offers)
    n_park = rng.integers(0, n_parks, n_needs)
    offer_xy = centre[o_park] + rng.normal(0, 0.08, size=(n_offers, 2))
    need_xy = centre[n_park] + rng.normal(0, 0.08, size=(n_needs, 2))

    def qty(n: int) -> np.ndarray:
        q = rng.lognormal(mean=4.0, sigma=1.0, size=n)
        return np.round(q, decimals) if decimals is not None else q

    offer_q, need_q = qty(n_offers), qty(n_needs)
    k = min(arcs_per_offer, n_needs)
    _, nearest = cKDTree(need_xy).query(offer_xy, k=k)
    nearest = np.asarray(nearest).reshape(n_offers, k)
    offer = np.repeat(np.arange(n_offers, dtype=np.int64), k)
    need = nearest.reshape(-1).astype(np.int64)
    dist_km = np.linalg.norm(offer_xy[offer] - need_xy[need], axis=1) * KM_PER_DEG

    # HW receivers: pools of up to pool_size needs of one park share one licence (a licence
    # belongs to one receiving facility, so its pool does not straddle parks).
    n_hw = round(hw_share * n_needs)
    hw_needs = rng.choice(n_needs, size=n_hw, replace=False) if n_hw else np.zeros(0, dtype=np.int64)
    hw_needs = hw_needs[np.argsort(n_park[hw_needs], kind="stable")]
    park_of_hw = n_park[hw_needs]
    rank = np.arange(n_hw) - np.searchsorted(park_of_hw, park_of_hw)
    _, pool = np.unique(park_of_hw * n_needs + rank // pool_size, return_inverse=True)
    n_lic = int(pool.max()) + 1 if n_hw else 0
    need_lic = np.full(n_needs, -1, dtype=np.int64)
    need_lic[hw_needs] = pool
    licence = need_lic[need]
    lic_remaining = (np.bincount(need_lic[hw_needs], weights=need_q[hw_needs], minlength=n_lic) * 0.4
                     if n_lic else np.zeros(0))
    if decimals is not None:
        lic_remaining = np.round(lic_remaining, decimals)

    # Mixed needs: half of their arcs are exempt (licence -1) — they no longer fit a tree.
    mixed_needs = rng.choice(hw_needs, size=min(mixed, n_hw), replace=False) if n_hw else np.zeros(0, np.int64)
    for j in mixed_needs.tolist():
        on = np.flatnonzero(need == j)
        licence[on[: max(1, on.size // 2)]] = -1

    hw = licence >= 0
    similarity = rng.uniform(0, 1, offer.size)
    weight = np.round(2000 * similarity + rng.choice([0, 200, 400], offer.size) - 6 * dist_km * np.where(hw, 2, 1))
    weight[rng.uniform(size=offer.size) < negative_share] *= -1
    max_t = np.where(rng.uniform(size=offer.size) < 0.3,
                     np.minimum(offer_q[offer], need_q[need]) * rng.uniform(0.2, 1.0, offer.size), np.inf)
    if decimals is not None:
        max_t = np.where(np.isfinite(max_t), np.round(max_t, decimals), max_t)
    problem = make_problem(offer_q, need_q, lic_remaining,
                           offer_xy=offer_xy, need_xy=need_xy)  # degrees east/north of (120E, 31N)
    arcs = make_arcs(offer, need, weight.astype(np.int64), max_t, licence)
    arcs.distance_km = dist_km
    return Instance(problem, arcs, np.sort(mixed_needs))


def reference_lp(problem: Problem, arcs: Arcs) -> float:
    """The allocation LP solved independently: HiGHS over tonnes, every arc, no rounding."""
    w = np.asarray(arcs.weight, dtype=np.float64)
    m = w.size
    if m == 0:
        return 0.0
    n_o, n_n = problem.o.quantity.size, problem.n.quantity.size
    n_l = problem.lic_remaining.size
    col = np.arange(m)
    lic = np.asarray(arcs.licence)
    has = lic >= 0
    rows = np.concatenate([arcs.offer, n_o + arcs.need, n_o + n_n + lic[has]])
    cols = np.concatenate([col, col, col[has]])
    a_ub = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n_o + n_n + n_l, m))
    b_ub = np.concatenate([problem.o.quantity, problem.n.quantity, problem.lic_remaining])
    upper = np.where(w > 0, np.minimum(arcs.max_t, 1e12), 0.0)
    res = linprog(-w, A_ub=a_ub, b_ub=b_ub, bounds=np.column_stack([np.zeros(m), upper]), method="highs")
    assert res.status == 0, res.message
    return float(-res.fun)


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def benchmark(n: int, seed: int = 0) -> None:
    from matching.optimise import FLOW_UNITS_PER_T, allocate, greedy, prepare

    t0 = time.perf_counter()
    inst = random_instance(n, n, seed=seed, mixed=max(3, n // 5000))
    t1 = time.perf_counter()
    base_rss = _peak_rss_mb()
    _reset_peak()
    t2 = time.perf_counter()
    prep = prepare(inst.problem, inst.arcs, FLOW_UNITS_PER_T)
    t3 = time.perf_counter()
    res = allocate(inst.problem, inst.arcs)
    peak = _peak_rss_mb()
    d = res.detail
    print(f"n={n}: arcs={len(inst.arcs)} usable={len(prep)} components={res.components} "
          f"(lp={d['lp_components']}, lp_arcs={d['lp_arcs']}, mixed_needs={d['mixed_needs']}) "
          f"licences={inst.problem.lic_remaining.size}")
    print(f"  generate {t1 - t0:.2f}s  prepare {t3 - t2:.3f}s  allocate total {res.seconds:.3f}s "
          f"(min-cost flow {d['flow_seconds']:.3f}s, LP {d['lp_seconds']:.3f}s)  status={res.status} "
          f"solver={res.solver} objective={res.objective:.6g}")
    print(f"  peak RSS during allocate {peak:.0f} MB (after generation {base_rss:.0f} MB)")
    t4 = time.perf_counter()
    g = greedy(inst.problem, inst.arcs)
    print(f"  greedy {time.perf_counter() - t4:.2f}s objective={g.objective:.6g} "
          f"(flow/greedy = {res.objective / g.objective:.4f})")


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    for size in sizes:
        benchmark(size)
