"""Exact mode: CP-SAT per connected component with the side constraints flow cannot express.

Side constraints (``Settings``):

* ``min_lot_t``: a link carries nothing or at least the lot (one bool ``u_a`` per arc,
  ``lot·u_a ≤ x_a ≤ cap_a·u_a``); arcs that cannot carry a lot are dropped up front;
* ``max_suppliers_per_need = k``: at most k distinct offers supply a need;
* ``conflicts``: pairs of offers that must not both supply the same need;
* ``fixed_cost_per_link = F``: objective units charged once per used link.

The reported objective is Σ weight × flow − F × (links with flow > 0).

Resolution: ``EXACT_UNITS_PER_T`` (1 unit = 10 kg). CP-SAT's objective is then
Σ w·x_units − F·100·Σ u, integers of moderate size (the LP relaxation inside CP-SAT
runs in doubles, so coefficients are kept small); capacities are rounded down to 10 kg
as in flow mode, so nothing is ever over-allocated.

Plan of a run:

1. ``prepare`` at 10 kg resolution, dropping arcs that cannot carry a lot.
2. Solve the relaxation (``matching.flow``: the same LP without side constraints). Its
   value per component is an upper bound on the exact optimum (side constraints only
   remove solutions, fixed costs only subtract).
3. Per component: one arc → solved in closed form; relaxation optimum already satisfies
   every side constraint and there is no fixed cost → it is optimal; otherwise CP-SAT,
   hinted with a feasible repair of the relaxation (``greedy.side_greedy``), which is also
   the fallback when CP-SAT finds nothing in its time.
4. ``time_limit_s`` is the wall budget of the run; CP-SAT components are solved smallest
   first, each getting the remaining time × its share of the remaining arcs, so time a
   small component does not use passes on to the larger ones.

``_solve_component`` is staged as OR-Tools' samples are: data (``_component``), a
feasible start (``_heuristic``), model and hints (``_build_model``, ``_add_hints``),
solve (``_solve``), read back. CP-SAT itself is imported on the first exact run only:
flow mode never pays for loading it.
"""
from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.allocation import STATUS_FEASIBLE, STATUS_OPTIMAL, Allocation, empty_allocation, objective_of
from matching.arcs import Arcs
from matching.flow import component_order, solve_flow
from matching.greedy import side_greedy
from matching.instance import EXACT_UNITS_PER_T, Instance, prepare
from matching.problem import Problem, Settings

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

MIN_SLICE_S = 0.005  # below this a CP-SAT call cannot even finish presolve; the heuristic stands
# CP-SAT's portfolio (LP, core-based, LNS, feasibility jump, ...) needs about 8 workers to
# be diverse; on a small machine they time-share. Measured on 12 hard 200-arc instances at
# 3 s on 2 cores: mean gap 0.5 % with 8 workers against 6.6 % with 2.
MIN_WORKERS = 8
CP_STATS_KEPT = 50  # per-component CP-SAT statistics kept in ``detail`` (the largest components)
MAX_WORKERS = 16


def allocate_exact(problem: Problem, arcs: Arcs, settings: Settings,
                   conflicts: Sequence[tuple[int, int]] = ()) -> Allocation:
    """Exact mode of ``matching.optimise.allocate`` (see the module docstring)."""
    started = time.perf_counter()
    deadline = started + max(0.0, float(settings.time_limit_s))
    scale = EXACT_UNITS_PER_T
    lot = max(1, math.ceil(settings.min_lot_t * scale - 1e-9)) if settings.min_lot_t > 0 else 1
    k = settings.max_suppliers_per_need
    fixed_scaled = int(settings.fixed_cost_per_link) * scale  # F in Σ w·x_units terms
    partners = _partners(conflicts, int(np.asarray(problem.o.quantity).shape[0]))

    inst = prepare(problem, arcs, scale, min_units=lot)
    base = {"resolution_t": 1.0 / scale, "min_lot_units": lot, "max_suppliers_per_need": k,
            "fixed_cost_per_link": settings.fixed_cost_per_link, "conflicts": len(conflicts)}
    if len(inst) == 0 or (k is not None and k <= 0):
        return empty_allocation(inst, "cp_sat", started, base)

    relax, rdetail = solve_flow(inst)
    comp_bound = rdetail["component_bound_scaled"]
    size = np.bincount(inst.component, minlength=inst.n_components)
    hard = _components_needing_search(inst, relax, lot, k, partners, fixed_scaled)
    order, starts = component_order(inst)

    units = relax.copy()
    status_of = np.full(inst.n_components, "relaxation", dtype=object)
    bound = np.array(comp_bound, dtype=np.float64)
    counts = {"relaxation": 0, "closed_form": 0, "cp_sat_optimal": 0, "cp_sat_feasible": 0, "heuristic": 0}
    cp_stats: list[dict[str, Any]] = []

    # Single arcs: all of it if it pays its fixed cost, else nothing.
    for c in np.flatnonzero(size == 1).tolist():
        a = order[starts[c]]
        take = int(inst.cap[a]) if inst.weight[a] * inst.cap[a] > fixed_scaled else 0
        units[a] = take
        bound[c] = inst.weight[a] * take - (fixed_scaled if take else 0)
        status_of[c] = "closed_form"
    counts["closed_form"] = int((size == 1).sum())
    counts["relaxation"] = int(((size > 1) & ~hard).sum())
    # The relaxation is feasible and optimal there; its bound is what it achieved.
    easy = np.flatnonzero((size > 1) & ~hard)
    if easy.size:
        achieved = np.bincount(inst.component, weights=inst.weight * units.astype(np.float64),
                               minlength=inst.n_components)
        bound[easy] = achieved[easy]

    search = np.flatnonzero(hard)
    search = search[np.argsort(size[search], kind="stable")]  # smallest first: leftovers flow to big ones
    remaining_arcs = int(size[search].sum())
    workers = max(MIN_WORKERS, min(MAX_WORKERS, os.cpu_count() or 1))
    for c in search.tolist():
        idx = order[starts[c]:starts[c + 1]]
        share = max(0.0, deadline - time.perf_counter()) * size[c] / max(1, remaining_arcs)
        remaining_arcs -= int(size[c])
        x, comp_status, cp_bound, stats = _solve_component(inst, idx, relax[idx], lot=lot, k=k, partners=partners,
                                                           fixed_scaled=fixed_scaled, time_s=share,
                                                           workers=workers)
        units[idx] = x
        achieved = float(np.dot(inst.weight[idx], x)) - fixed_scaled * int(np.count_nonzero(x))
        # A bound below what was achieved would be a solver defect; never let it shrink the gap.
        trusted = cp_bound is not None and cp_bound >= achieved - 1e-6 * max(1.0, abs(achieved))
        bound[c] = min(comp_bound[c], cp_bound) if trusted else comp_bound[c]
        status_of[c] = comp_status
        counts[comp_status] += 1
        stats["component"] = c
        cp_stats.append(stats)

    inst.check(units)
    flow = inst.to_tonnes(units)
    links = int(np.count_nonzero(units))
    objective = objective_of(arcs, flow) - settings.fixed_cost_per_link * links
    proven = all(s != "cp_sat_feasible" and s != "heuristic" for s in status_of)
    total_bound = float(bound.sum()) / scale
    if proven:
        total_bound = objective  # every component closed: the bound is the value itself
    # Each component's bound is ≥ what it achieved; only float summation can put the total
    # a hair below the objective.
    total_bound = max(total_bound, objective)
    gap = 0.0 if proven else (total_bound - objective) / max(1.0, abs(total_bound))
    detail = dict(base, arcs=inst.n_arcs, usable_arcs=len(inst), used_arcs=links,
                  flow_value=objective_of(arcs, flow), fixed_cost=settings.fixed_cost_per_link * links,
                  relaxation_bound=rdetail["upper_bound_scaled"] / scale,
                  relaxation_seconds=rdetail["flow_seconds"] + rdetail["lp_seconds"],
                  relaxation_lp_components=rdetail["lp_components"], component_solvers=counts,
                  cp_sat_components=sorted(cp_stats, key=lambda d: -d["arcs"])[:CP_STATS_KEPT],
                  cp_sat_components_total=len(cp_stats), workers=workers)
    return Allocation(flow=flow, objective=objective, status=STATUS_OPTIMAL if proven else STATUS_FEASIBLE,
                      bound=total_bound, gap=gap, solver="cp_sat", components=inst.n_components,
                      seconds=time.perf_counter() - started, detail=detail)


def baseline_exact(problem: Problem, arcs: Arcs, settings: Settings,
                   conflicts: Sequence[tuple[int, int]] = ()) -> Allocation:
    """The greedy baseline of *this* problem: exact mode's resolution, side constraints and fixed cost.

    A yardstick shown beside the exact optimum must solve the same problem, or it can
    "beat" the optimum (plain greedy at 1 kg ignores the minimum lot, the suppliers' cap,
    the conflicts and the fixed cost). This is ``side_greedy`` without the relaxation's
    guidance over the whole instance: per component it is exactly the "plain" candidate
    of ``_heuristic`` (components share no capacity, and arcs keep their relative order),
    so every component the exact run solves is at least as good as it.
    """
    started = time.perf_counter()
    scale = EXACT_UNITS_PER_T
    lot = max(1, math.ceil(settings.min_lot_t * scale - 1e-9)) if settings.min_lot_t > 0 else 1
    k = settings.max_suppliers_per_need
    fixed_scaled = int(settings.fixed_cost_per_link) * scale
    partners = _partners(conflicts, int(np.asarray(problem.o.quantity).shape[0]))
    inst = prepare(problem, arcs, scale, min_units=lot)
    base = {"resolution_t": 1.0 / scale, "min_lot_units": lot, "max_suppliers_per_need": k,
            "fixed_cost_per_link": settings.fixed_cost_per_link, "conflicts": len(conflicts)}
    if len(inst) == 0 or (k is not None and k <= 0):
        return empty_allocation(inst, "greedy", started, base)
    comp = _component(inst, np.arange(len(inst)), fixed_scaled)
    units = np.asarray(side_greedy(comp.offer, comp.need, comp.licence, comp.weight, comp.cap, dict(comp.o_cap),
                                   dict(comp.n_cap), dict(comp.l_cap), lot=lot, max_suppliers=k,
                                   partners=partners, fixed_scaled=fixed_scaled), dtype=np.int64)
    inst.check(units)
    flow = inst.to_tonnes(units)
    links = int(np.count_nonzero(units))
    detail = dict(base, arcs=inst.n_arcs, usable_arcs=len(inst), used_arcs=links)
    return Allocation(flow=flow, objective=objective_of(arcs, flow) - settings.fixed_cost_per_link * links,
                      status=STATUS_FEASIBLE, bound=None, gap=None, solver="greedy", components=inst.n_components,
                      seconds=time.perf_counter() - started, detail=detail)


def _partners(conflicts: Sequence[tuple[int, int]], n_offers: int) -> dict[int, set[int]]:
    """Offer → offers it must not share a need with."""
    partners: dict[int, set[int]] = {}
    for i1, i2 in conflicts:
        i1, i2 = int(i1), int(i2)
        if not (0 <= i1 < n_offers and 0 <= i2 < n_offers):
            raise ValueError(f"conflict ({i1}, {i2}) names an offer index out of range")
        if i1 != i2:
            partners.setdefault(i1, set()).add(i2)
            partners.setdefault(i2, set()).add(i1)
    return partners


def _components_needing_search(inst: Instance, relax: np.ndarray, lot: int, k: int | None,
                               partners: dict[int, set[int]], fixed_scaled: int) -> np.ndarray:
    """Components (with ≥ 2 arcs) where the relaxation optimum is not provably exact-optimal.

    It is when it already satisfies every side constraint and there is no fixed cost (a
    fixed cost changes the objective, so the relaxation value is then only a bound).
    """
    size = np.bincount(inst.component, minlength=inst.n_components)
    multi = size > 1
    if fixed_scaled > 0:
        return multi
    hard = np.zeros(inst.n_components, dtype=bool)
    used = relax > 0
    if lot > 1:
        hard[inst.component[used & (relax < lot)]] = True
    pair = inst.offer[used] * inst.n_needs + inst.need[used]
    pair_comp = inst.component[used]
    pairs, first = np.unique(pair, return_index=True)
    pair_offer, pair_need, pair_comp = pairs // inst.n_needs, pairs % inst.n_needs, pair_comp[first]
    if k is not None:
        per_need = np.bincount(pair_need, minlength=inst.n_needs)
        hard[pair_comp[per_need[pair_need] > k]] = True
    if partners:
        needs_of: dict[int, set[int]] = {}
        involved = np.isin(pair_offer, np.fromiter(partners, dtype=np.int64))
        for i, j, c in zip(pair_offer[involved].tolist(), pair_need[involved].tolist(),
                           pair_comp[involved].tolist()):
            needs_of.setdefault(i, set()).add(j)
            hard_here = any(j in needs_of.get(p, ()) for p in partners[i])
            if hard_here:
                hard[c] = True
    return hard & multi


def _solve_component(inst: Instance, idx: np.ndarray, relax: np.ndarray, *, lot: int, k: int | None,
                     partners: dict[int, set[int]], fixed_scaled: int, time_s: float,
                     workers: int) -> tuple[np.ndarray, str, float | None, dict[str, Any]]:
    """One component: feasible heuristic, then CP-SAT hinted with it. Units per arc of ``idx``.

    Returns (units, "cp_sat_optimal" | "cp_sat_feasible" | "heuristic", CP-SAT bound or None, stats).
    """
    # Data: the component's arcs as Python ints, local ids 0..m-1.
    comp = _component(inst, idx, fixed_scaled)

    # Heuristic: a feasible start; it stands when CP-SAT has no time or finds nothing.
    best = _heuristic(comp, relax, lot=lot, k=k, partners=partners)
    stats: dict[str, Any] = {"arcs": len(comp.offer), "time_limit_s": time_s,
                             "heuristic_value": comp.value(best) / inst.units_per_t}
    if time_s < MIN_SLICE_S:
        stats["cp_sat_status"] = "skipped (no time left)"
        return np.asarray(best, dtype=np.int64), "heuristic", None, stats

    # Model, warm-started from the heuristic.
    model = _build_model(comp, lot=lot, k=k, partners=partners)
    _add_hints(model, best)

    # Solve.
    solver, status = _solve(model.model, time_s, workers)

    # Read back: CP-SAT's solution where it is at least as good as the heuristic.
    stats.update(cp_sat_status=status, wall_s=solver.wall_time,
                 cp_bound=solver.best_objective_bound / inst.units_per_t)
    if status in ("OPTIMAL", "FEASIBLE"):
        sol = [int(solver.value(v)) for v in model.x]
        if comp.value(sol) >= comp.value(best):
            best = sol
        stats["cp_value"] = comp.value(sol) / inst.units_per_t
        if status == "OPTIMAL":
            return np.asarray(best, dtype=np.int64), "cp_sat_optimal", float(comp.value(best)), stats
        return np.asarray(best, dtype=np.int64), "cp_sat_feasible", float(solver.best_objective_bound), stats
    if status == "UNKNOWN":
        # No solution within the time: CP-SAT then reports best_objective_bound = 0 (seen
        # with OR-Tools 9.15), not a bound; the relaxation's bound stands instead.
        return np.asarray(best, dtype=np.int64), "heuristic", None, stats
    raise RuntimeError(f"CP-SAT returned {status} on an allocation component; "
                       "the model always admits the empty allocation, so this is a bug")


@dataclass
class _Component:
    """One component's arcs as Python ints (local ids 0..m-1) and the capacities they touch, in units."""

    offer: list[int]
    need: list[int]
    licence: list[int]  # -1 none
    weight: list[int]
    cap: list[int]
    o_cap: dict[int, int]
    n_cap: dict[int, int]
    l_cap: dict[int, int]
    fixed_scaled: int

    def value(self, x: list[int]) -> int:
        """Σ weight × units minus the fixed cost of every used arc (weight × units)."""
        return sum(w * v for w, v in zip(self.weight, x)) - self.fixed_scaled * sum(1 for v in x if v > 0)


def _component(inst: Instance, idx: np.ndarray, fixed_scaled: int) -> _Component:
    """The data stage: arcs ``idx`` of ``inst`` as plain lists and dicts (CP-SAT's API takes Python ints)."""
    offer, need, licence = inst.offer[idx].tolist(), inst.need[idx].tolist(), inst.licence[idx].tolist()
    return _Component(offer=offer, need=need, licence=licence, weight=inst.weight[idx].tolist(),
                      cap=inst.cap[idx].tolist(), o_cap={i: int(inst.offer_cap[i]) for i in set(offer)},
                      n_cap={j: int(inst.need_cap[j]) for j in set(need)},
                      l_cap={lic: int(inst.lic_cap[lic]) for lic in set(licence) if lic >= 0},
                      fixed_scaled=fixed_scaled)


def _heuristic(comp: _Component, relax: np.ndarray, *, lot: int, k: int | None,
               partners: dict[int, set[int]]) -> list[int]:
    """The better of: the relaxation's links first (largest first), repaired; and plain greedy."""
    rel = relax.tolist()
    first = sorted(((a, rel[a]) for a in range(len(rel)) if rel[a] > 0), key=lambda t: -t[1])
    common = dict(lot=lot, max_suppliers=k, partners=partners, fixed_scaled=comp.fixed_scaled)
    guided = side_greedy(comp.offer, comp.need, comp.licence, comp.weight, comp.cap, dict(comp.o_cap),
                         dict(comp.n_cap), dict(comp.l_cap), first=first, **common)
    plain = side_greedy(comp.offer, comp.need, comp.licence, comp.weight, comp.cap, dict(comp.o_cap),
                        dict(comp.n_cap), dict(comp.l_cap), **common)
    return guided if comp.value(guided) >= comp.value(plain) else plain


@dataclass
class _Model:
    """A component's CP-SAT model and the variables read back or hinted."""

    model: cp_model.CpModel
    x: list[cp_model.IntVar]  # units per arc
    u: list[cp_model.IntVar]  # arc used
    link: dict[tuple[int, int], cp_model.IntVar]  # (offer, need) supplies: u of its one arc, or z over several
    pair_arcs: dict[tuple[int, int], list[int]]  # (offer, need) → its arcs


def _build_model(comp: _Component, *, lot: int, k: int | None, partners: dict[int, set[int]]) -> _Model:
    """Variables, capacity rows, links between offers and needs, side constraints, objective."""
    from ortools.sat.python import cp_model  # loaded on the first exact run only (flow mode never needs it)

    model = cp_model.CpModel()
    m = len(comp.offer)
    cap = comp.cap
    x = [model.new_int_var(0, cap[a], f"x{a}") for a in range(m)]
    u = [model.new_bool_var(f"u{a}") for a in range(m)]
    for a in range(m):
        model.add(x[a] <= cap[a] * u[a])
        if lot > 1:
            model.add(x[a] >= lot * u[a])
    # Capacity rows; a row that its arcs cannot fill anyway is left out.
    for key, limit in ((comp.offer, comp.o_cap), (comp.need, comp.n_cap), (comp.licence, comp.l_cap)):
        rows: dict[int, list[int]] = {}
        for a, r in enumerate(key):
            if r >= 0:
                rows.setdefault(r, []).append(a)
        for r, members in rows.items():
            if sum(cap[a] for a in members) > limit[r]:
                model.add(cp_model.LinearExpr.sum([x[a] for a in members]) <= limit[r])
    # Links between an offer and a need (several arcs may join the same pair).
    pair_arcs: dict[tuple[int, int], list[int]] = {}
    for a in range(m):
        pair_arcs.setdefault((comp.offer[a], comp.need[a]), []).append(a)
    link: dict[tuple[int, int], cp_model.IntVar] = {}
    for p, members in pair_arcs.items():
        if len(members) == 1:
            link[p] = u[members[0]]
        else:
            z = model.new_bool_var(f"z{p[0]}_{p[1]}")
            for a in members:
                model.add_implication(u[a], z)
            link[p] = z
    # Side constraints on the links: at most k suppliers per need, no conflicting pair at one need.
    by_need: dict[int, list[int]] = {}
    for i, j in pair_arcs:
        by_need.setdefault(j, []).append(i)
    for j, offers in by_need.items():
        if k is not None and len(offers) > k:
            model.add(cp_model.LinearExpr.sum([link[(i, j)] for i in offers]) <= k)
        if partners:
            here = set(offers)
            for i in offers:
                for p in partners.get(i, ()):
                    if p in here and i < p:
                        model.add_bool_or([~link[(i, j)], ~link[(p, j)]])
    model.maximize(cp_model.LinearExpr.weighted_sum(x + u, comp.weight + [-comp.fixed_scaled] * m))
    return _Model(model=model, x=x, u=u, link=link, pair_arcs=pair_arcs)


def _add_hints(m: _Model, best: list[int]) -> None:
    """Warm start: CP-SAT begins its search from the heuristic's solution."""
    for a, (x, u) in enumerate(zip(m.x, m.u)):
        m.model.add_hint(x, best[a])
        m.model.add_hint(u, best[a] > 0)
    for p, members in m.pair_arcs.items():
        if len(members) > 1:
            m.model.add_hint(m.link[p], any(best[a] > 0 for a in members))


def _solve(model: cp_model.CpModel, time_s: float, workers: int) -> tuple[cp_model.CpSolver, str]:
    """Solve within ``time_s`` (seed fixed); the solver (for values and bound) and its status name."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    return solver, solver.status_name(status)
