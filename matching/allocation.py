"""What a solver returns: ``Allocation``, aligned with the caller's arcs, and its objective."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching.arcs import Arcs
from matching.instance import Instance

STATUS_OPTIMAL = "OPTIMAL"
STATUS_FEASIBLE = "FEASIBLE"
STATUS_EMPTY = "EMPTY"


@dataclass
class Allocation:
    """The result of one allocation run; ``flow`` is aligned with the ``Arcs`` given."""

    flow: np.ndarray  # float64 tonnes per arc, 0 where unused
    objective: float  # Σ weight × flow (minus fixed cost × used links in exact mode)
    status: str  # "OPTIMAL" | "FEASIBLE" (time limit, exact mode; greedy) | "EMPTY"
    bound: float | None  # best bound (exact mode); None when proven optimal by flow/LP
    gap: float | None  # (bound - objective) / max(1, |bound|); 0.0 when optimal
    solver: str  # "min_cost_flow" | "min_cost_flow+lp" | "cp_sat" | "greedy"
    components: int  # connected components of the candidate graph (arcs that may carry flow)
    seconds: float
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def used(self) -> np.ndarray:
        """Indices of the arcs that carry something."""
        return np.flatnonzero(self.flow > 0)


def objective_of(arcs: Arcs, flow: np.ndarray) -> float:
    """Σ weight × flow (objective units) of a flow aligned with ``arcs``."""
    if len(arcs) == 0:
        return 0.0
    return float(np.dot(np.asarray(arcs.weight, dtype=np.float64), np.asarray(flow, dtype=np.float64)))


def empty_allocation(inst: Instance, solver: str, started: float, detail: dict[str, Any]) -> Allocation:
    """Nothing can move: no arc has a positive weight and room for a unit."""
    detail = dict(detail, resolution_t=1.0 / inst.units_per_t, arcs=inst.n_arcs, usable_arcs=0, used_arcs=0)
    return Allocation(flow=np.zeros(inst.n_arcs, dtype=np.float64), objective=0.0, status=STATUS_EMPTY,
                      bound=None, gap=0.0, solver=solver, components=0,
                      seconds=time.perf_counter() - started, detail=detail)
