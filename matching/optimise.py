"""Park-wide allocation: how many tonnes travel along each candidate arc.

The model (after rules and scoring have filled ``Arcs.weight`` and ``Arcs.max_t``)::

    maximise   Σ_a weight_a · x_a                       (objective units; weight is per tonne)
    subject to 0 ≤ x_a ≤ max_t_a                        (tonnes)
               Σ_{a from offer i} x_a ≤ quantity_i      (what the holder has)
               Σ_{a into need j}  x_a ≤ quantity_j      (what the taker can take in)
               Σ_{a on licence L} x_a ≤ remaining_L     (licensed capacity left this year)

Arcs with ``weight ≤ 0`` never carry anything (taking them could only lower the objective).

Solvers work in whole units of a fixed resolution (``matching.instance``: capacities are
rounded down, so nothing is ever over-allocated). The reported ``flow`` is
``units / units_per_t`` and the reported ``objective`` is recomputed from that reported
flow (``objective_of``), so the number a caller sees is exactly Σ weight × flow of what
is proposed.

Two modes (``Settings.exact``), dispatched by ``allocate``:

* flow (default, ``matching.flow``): OR-Tools min-cost flow per connected component
  (licences as node capacities; small components pooled into one call), and an exact
  HiGHS LP for the few components where a need that mixes licensed and unlicensed (or two
  licences') supply is binding;
* exact (``matching.exact``): CP-SAT per connected component with the side constraints
  flow cannot express (minimum lot, at most k suppliers per need, incompatible offers,
  fixed cost per link), warm-started from the flow optimum, reporting bound and gap.

``greedy`` (``matching.greedy``) is the baseline the optimum is measured against; it solves the
same problem as the mode it is compared with (resolution, side constraints, fixed cost).

Modules depend one way: ``instance`` and ``allocation`` (shared data) ← ``flow``,
``greedy`` ← ``exact`` ← ``optimise``. This module only reads ``problem.o.quantity``,
``problem.n.quantity``, ``problem.lic_remaining`` and ``problem.settings``.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from matching.allocation import (
    STATUS_EMPTY,
    STATUS_FEASIBLE,
    STATUS_OPTIMAL,
    Allocation,
    empty_allocation,
    objective_of,
)
from matching.arcs import Arcs
from matching.exact import allocate_exact, baseline_exact
from matching.flow import solve_flow
from matching.greedy import solve_greedy
from matching.instance import EXACT_UNITS_PER_T, FLOW_UNITS_PER_T, MAX_UNITS, Instance, prepare, to_units
from matching.problem import Problem, Settings

__all__ = [
    "allocate", "greedy", "side_constraints_active", "Allocation", "Instance", "prepare", "to_units",
    "objective_of", "empty_allocation", "FLOW_UNITS_PER_T", "EXACT_UNITS_PER_T", "MAX_UNITS",
    "STATUS_OPTIMAL", "STATUS_FEASIBLE", "STATUS_EMPTY",
]


def side_constraints_active(settings: Settings, conflicts: Sequence[tuple[int, int]]) -> list[str]:
    """Names of the exact-mode side constraints that the settings switch on."""
    active = []
    if settings.min_lot_t > 0:
        active.append("min_lot_t")
    if settings.max_suppliers_per_need is not None:
        active.append("max_suppliers_per_need")
    if len(conflicts):
        active.append("conflicts")
    if settings.fixed_cost_per_link:
        active.append("fixed_cost_per_link")
    return active


def allocate(problem: Problem, arcs: Arcs, settings: Settings | None = None,
             conflicts: Sequence[tuple[int, int]] = ()) -> Allocation:
    """Allocate tonnes to arcs: min-cost flow (+LP) by default, CP-SAT when ``settings.exact``.

    ``conflicts`` lists pairs of offer indices that must not both supply one need (exact
    mode only; flow mode cannot express it and says so in ``detail``).
    """
    settings = settings or problem.settings
    if settings.exact:
        return allocate_exact(problem, arcs, settings, conflicts)
    started = time.perf_counter()
    inst = prepare(problem, arcs, FLOW_UNITS_PER_T)
    ignored = side_constraints_active(settings, conflicts)
    if len(inst) == 0:
        return empty_allocation(inst, "min_cost_flow", started, {"ignored_side_constraints": ignored})
    units, detail = solve_flow(inst)
    _unscale(detail, inst.units_per_t)
    inst.check(units)
    flow = inst.to_tonnes(units)
    detail.update(resolution_t=1.0 / FLOW_UNITS_PER_T, arcs=inst.n_arcs, usable_arcs=len(inst),
                  used_arcs=int(np.count_nonzero(units)), ignored_side_constraints=ignored)
    solver = "min_cost_flow+lp" if detail["lp_components"] else "min_cost_flow"
    return Allocation(flow=flow, objective=objective_of(arcs, flow), status=STATUS_OPTIMAL, bound=None,
                      gap=0.0, solver=solver, components=inst.n_components,
                      seconds=time.perf_counter() - started, detail=detail)


def _unscale(detail: dict[str, Any], units_per_t: int) -> None:
    """Solver-internal figures (weight × units) as objective units; drop per-component arrays."""
    detail.pop("component_bound_scaled", None)
    for key in [k for k in detail if k.endswith("_scaled")]:
        detail[key.removesuffix("_scaled")] = detail.pop(key) / units_per_t


def greedy(problem: Problem, arcs: Arcs, settings: Settings | None = None,
           conflicts: Sequence[tuple[int, int]] = ()) -> Allocation:
    """Baseline: arcs by weight (descending), each takes as much as the capacities still allow.

    It solves the same problem as ``allocate`` with the same ``settings``: in exact mode
    at exact mode's resolution with its side constraints and fixed cost
    (``exact.baseline_exact``), so the optimum is never worse than the baseline beside it.
    """
    settings = settings or problem.settings
    if settings.exact:
        return baseline_exact(problem, arcs, settings, conflicts)
    started = time.perf_counter()
    inst = prepare(problem, arcs, FLOW_UNITS_PER_T)
    if len(inst) == 0:
        return empty_allocation(inst, "greedy", started, {})
    units = solve_greedy(inst)
    inst.check(units)
    flow = inst.to_tonnes(units)
    detail = {"resolution_t": 1.0 / FLOW_UNITS_PER_T, "arcs": inst.n_arcs, "usable_arcs": len(inst),
              "used_arcs": int(np.count_nonzero(units))}
    return Allocation(flow=flow, objective=objective_of(arcs, flow), status=STATUS_FEASIBLE, bound=None,
                      gap=None, solver="greedy", components=inst.n_components,
                      seconds=time.perf_counter() - started, detail=detail)
