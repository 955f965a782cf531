"""Loops worth closing: closed loops among the *legal candidates* of a park run, what closing each costs, and
a run that favours them.

``matching.chains`` finds loops in flows that exist (allocated or realised); this module looks at the arcs the
optimiser was allowed to use. A documented two-way loop (spent sulfuric acid A → B, surplus 98 % acid B → A) may be
legal and second-ranked for both offers, and the weight-optimal allocation may still send both elsewhere for a
2 % higher weight: it never shows up among the flows. Here it does, with its price.

Definitions:

* **candidate loop**: a directed cycle of 2..``max_length`` distinct enterprises in the graph whose edge A → B
  exists when some usable arc (legal, positive weight, room for a unit) joins an offer of A to a need of B. Each
  link of the loop is *one arc*: of the arcs between the two enterprises, the one that can carry the most
  (ties: the higher weight, then the lower index). Cycles are searched with ``chains.search_loops`` (bounded,
  most important first: by bottleneck tonnes), so the loops evaluated are the ``limit`` with the most tonnes
  that could go round;
* **closed**: an allocation closes a loop when every link's arc carries at least the link's *quantity*: what the
  arc can carry in full, ``min(offer, need, max_t, licence capacity)`` of its own listings. Not "anything
  above zero": a 1 kg token exchange is no loop, and the full quantity is what the two parties listed;
* **cost of closing** (CNY): the optimum's objective minus the best objective among allocations that close the
  loop. It is exact for the flow model: forcing ``x_a ≥ L_a`` is the same as moving ``L_a`` first (taking it out
  of the offer's, the need's and the licence's capacity and out of the arc's own) and optimising the rest; only
  the connected components the loop's arcs lie in are re-solved (min-cost flow, with the same exact LP fallback
  as ``matching.flow`` for needs that mix licences). A loop already closed by the run costs 0.

Favouring loops (``Settings.loop_bonus_cny`` > 0, off by default): each closed loop is worth the bonus on top of
Σ weight × tonnes. A fixed bonus per loop is not linear, so min-cost flow cannot carry it; instead, greedily:
among the evaluated loops, close the one with the largest ``bonus − cost`` > 0 (cost relative to the allocation so
far, with every loop accepted so far held closed), re-solve, and repeat until no loop pays for itself. Guarantee:
each accepted loop raises objective + bonus × loops; the final allocation is the weight optimum among allocations
that close the accepted loops (so a loop is never kept at more than its cost, and with the bonus off the
allocation is exactly the optimum's); loops beyond the ``limit`` evaluated are never forced, and the greedy choice
is not a proven optimum of the fixed-bonus problem (that would need a boolean per loop in a MILP; a loop's arcs
lie in different components, which the per-component CP-SAT of exact mode cannot hold). Exact mode therefore
does not favour loops (``loop_bonus_cny`` is refused there) and evaluates no opportunities.

No Flask, no SQLAlchemy, no I/O.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from matching.allocation import Allocation, objective_of
from matching.arcs import Arcs
from matching.chains import search_loops
from matching.flow import component_order, lp_units, min_cost_flow_units
from matching.instance import FLOW_UNITS_PER_T, Instance, prepare
from matching.problem import Problem

# The bonus per closed loop when a run is asked to favour loops without naming one (CLI ``--favour-loops``, the
# API's and the run page's option): a policy value, not a market price. It stands for what a closed loop is worth
# beyond its tonnes (a steady two-way partnership, less virgin acid bought, the 无废城市 programme's recognition)
# and is about 2 % of a loop of 1,000 t/a at 500 CNY/t, the margin by which the motivating loop lost.
DEFAULT_BONUS_CNY = 10_000.0
# The cycle search's budget of node expansions (``chains.search_loops``): ample for a park's enterprise graph,
# bounded on a dense one.
SEARCH_BUDGET = 100_000
# A routine run prices a loop only if the components it touches hold at most this many candidate pairs
# (each price is a re-solve of them: ~0.06 s at 10k × 10k, seconds for a 100k park's giant component).
PRICE_MAX_ARCS = 250_000


@dataclass(frozen=True, slots=True)
class LoopLink:
    """One link of a candidate loop: one arc, an offer of ``source`` to a need of ``target``."""

    source: str  # enterprise ref
    target: str
    offer: str  # listing refs
    need: str
    weight: int  # CNY/t
    quantity_t: float  # what closing the loop moves along this link (the arc's full capacity)
    carried_t: float  # what the run's allocation moves along it
    licence: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "offer": self.offer, "need": self.need,
                "weight": self.weight, "quantity_t": self.quantity_t, "carried_t": self.carried_t,
                "licence": self.licence}


@dataclass(frozen=True, slots=True)
class LoopOpportunity:
    """A candidate loop and what closing it costs against the weight optimum."""

    enterprises: tuple[str, ...]  # in flow order, smallest ref first
    links: tuple[LoopLink, ...]
    tonnes: float  # bottleneck: the smallest link quantity
    cost_cny: float | None  # optimum − best objective that closes it; None when it cannot be closed
    cost_pct: float | None  # cost as a percentage of the optimum's objective
    closed_by_run: bool  # the run's allocation closes it

    def as_dict(self) -> dict[str, Any]:
        return {"enterprises": list(self.enterprises), "links": [link.as_dict() for link in self.links],
                "tonnes": self.tonnes, "cost_cny": self.cost_cny, "cost_pct": self.cost_pct,
                "closed_by_run": self.closed_by_run}


@dataclass
class LoopReport:
    """What a run learnt about loops: the opportunities evaluated, and the loops it closed."""

    opportunities: list[LoopOpportunity] = field(default_factory=list)
    closed: list[dict[str, Any]] = field(default_factory=list)  # loops the allocation closes, with their bonus
    bonus_cny: float = 0.0  # per closed loop; 0: loops not favoured
    bonus_total_cny: float = 0.0
    optimum_objective: float = 0.0  # Σ weight × tonnes of the weight optimum (before favouring loops)
    objective: float = 0.0  # Σ weight × tonnes of the final allocation (the contract's objective)
    found: int = 0  # candidate loops the search kept (≤ limit)
    exhaustive: bool = True  # the cycle search finished within its budget
    limit: int = 0
    max_length: int = 0
    seconds: float = 0.0
    note: str | None = None

    @property
    def objective_with_bonus(self) -> float:
        return self.objective + self.bonus_total_cny

    def as_dict(self) -> dict[str, Any]:
        return {"opportunities": [o.as_dict() for o in self.opportunities], "closed": self.closed,
                "bonus_cny": self.bonus_cny, "bonus_total_cny": self.bonus_total_cny,
                "optimum_objective": self.optimum_objective, "objective": self.objective,
                "objective_with_bonus": self.objective_with_bonus, "found": self.found,
                "exhaustive": self.exhaustive, "limit": self.limit, "max_length": self.max_length,
                "seconds": round(self.seconds, 4), "note": self.note}


@dataclass(frozen=True, slots=True)
class _Loop:
    """A candidate loop as positions of its links' arcs in the ``Instance`` (flow order)."""

    nodes: tuple[int, ...]  # enterprise indices (Problem.enterprise_index)
    arcs: tuple[int, ...]


def candidate_loops(problem: Problem, inst: Instance, *, max_length: int, limit: int,
                    budget: int = SEARCH_BUDGET) -> tuple[list[_Loop], bool]:
    """The ``limit`` candidate loops with the most tonnes that could go round, and whether the search finished."""
    if len(inst) == 0 or limit <= 0:
        return [], True
    src = np.asarray(problem.o.enterprise)[inst.offer]
    dst = np.asarray(problem.n.enterprise)[inst.need]
    n_ent = max(1, len(problem.enterprise_index))
    keep = np.flatnonzero(src != dst)
    pair = src[keep] * n_ent + dst[keep]
    # One arc per enterprise pair: the largest capacity, then the higher weight, then the lower position.
    order = np.lexsort((keep, -inst.weight[keep], -inst.cap[keep], pair))
    first = np.ones(order.shape[0], dtype=bool)
    first[1:] = pair[order][1:] != pair[order][:-1]
    best = keep[order[first]]
    bs, bd = src[best], dst[best]
    # Only pairs inside a strongly connected component can lie on a cycle: prune the rest before networkx.
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components
    graph = sparse.csr_matrix((np.ones(best.shape[0], dtype=np.int8), (bs, bd)), shape=(n_ent, n_ent))
    _, label = connected_components(graph, directed=True, connection="strong")
    inner = label[bs] == label[bd]
    best, bs, bd = best[inner], bs[inner], bd[inner]
    if best.size == 0:
        return [], True
    # The heaviest pairs first: every loop through a lighter pair has a smaller bottleneck than every loop among
    # the heavier ones, so once the heaviest ``take`` pairs (all pairs as heavy as the lightest of them, for
    # ties) hold ``limit`` loops, those are the top ``limit`` of the whole graph. A park's candidate graph has
    # ~10^5 pairs; networkx and the search's index over all of them cost more than the search itself.
    tonnes = inst.cap[best] / inst.units_per_t
    by_weight = np.argsort(-tonnes, kind="stable")
    take = 64 * limit
    while True:
        if take < by_weight.shape[0]:
            floor = tonnes[by_weight[take - 1]]
            pick = by_weight[tonnes[by_weight] >= floor]
        else:
            pick = by_weight
        g = nx.DiGraph(level="enterprise")
        g.add_weighted_edges_from(zip(bs[pick].tolist(), bd[pick].tolist(), tonnes[pick].tolist()), weight="tonnes")
        found = search_loops(g, max_length=max_length, limit=limit, budget=budget)
        if len(found.chains) >= limit or pick.shape[0] == by_weight.shape[0] or not found.exhaustive:
            break
        take *= 8
    arc_of = {(int(u), int(v)): int(a) for u, v, a in zip(bs[pick].tolist(), bd[pick].tolist(), best[pick].tolist())}
    loops = []
    for chain in found.chains:
        nodes = tuple(int(x) for x in chain.nodes)
        arcs = tuple(arc_of[(u, v)] for u, v in zip(nodes, nodes[1:] + nodes[:1]))
        loops.append(_Loop(nodes=nodes, arcs=arcs))
    return loops, found.exhaustive


class _Solver:
    """Re-solves the components a set of forced arcs touches; the rest of the allocation stays as it is."""

    def __init__(self, inst: Instance, units: np.ndarray) -> None:
        self.inst = inst
        self.order, self.starts = component_order(inst)
        self.units = units.astype(np.int64, copy=True)  # the current allocation (optimal given ``forced``)
        self.forced: dict[int, int] = {}  # arc position → units it must carry

    def value(self, units: np.ndarray, arcs: np.ndarray) -> int:
        return int(np.dot(self.inst.weight[arcs], units[arcs]))

    def closes(self, loop: _Loop, units: np.ndarray | None = None) -> bool:
        units = self.units if units is None else units
        return all(units[a] >= self.inst.cap[a] for a in loop.arcs)

    def with_loop(self, loop: _Loop) -> tuple[np.ndarray, np.ndarray] | None:
        """The best allocation closing ``loop`` on top of what is forced already (units), and the arcs of the
        components re-solved; None when the capacities left cannot hold it."""
        inst = self.inst
        forced = dict(self.forced)
        for a in loop.arcs:
            forced[a] = max(forced.get(a, 0), int(inst.cap[a]))
        idx = np.fromiter(forced, dtype=np.int64, count=len(forced))
        amount = np.fromiter(forced.values(), dtype=np.int64, count=len(forced))
        offer_cap, need_cap, lic_cap = inst.offer_cap.copy(), inst.need_cap.copy(), inst.lic_cap.copy()
        np.subtract.at(offer_cap, inst.offer[idx], amount)
        np.subtract.at(need_cap, inst.need[idx], amount)
        lic = inst.licence[idx] >= 0
        np.subtract.at(lic_cap, inst.licence[idx][lic], amount[lic])
        if offer_cap.min(initial=0) < 0 or need_cap.min(initial=0) < 0 or lic_cap.min(initial=0) < 0:
            return None  # two forced links draw on one offer, need or licence beyond what it holds
        cap = inst.cap.copy()
        cap[idx] -= amount
        residual = dataclasses.replace(inst, cap=cap, offer_cap=offer_cap, need_cap=need_cap, lic_cap=lic_cap)
        comps = np.unique(inst.component[np.asarray(loop.arcs, dtype=np.int64)])
        arcs = np.concatenate([self.order[self.starts[c]:self.starts[c + 1]] for c in comps.tolist()])
        units = self.units.copy()
        for c in comps.tolist():
            part = self.order[self.starts[c]:self.starts[c + 1]]
            units[part] = _solve_part(residual, part)
        # Forced arcs of components not re-solved keep their units (they already carry them).
        in_part = np.isin(idx, arcs)
        units[idx[in_part]] += amount[in_part]
        return units, arcs

    def accept(self, loop: _Loop, units: np.ndarray) -> None:
        for a in loop.arcs:
            self.forced[a] = max(self.forced.get(a, 0), int(self.inst.cap[a]))
        self.units = units


def _solve_part(inst: Instance, part: np.ndarray) -> np.ndarray:
    """Optimal units on one component (positions ``part``): min-cost flow, or the exact LP where a need mixes
    licences and the flow's relaxation over-fills it (as ``matching.flow.solve_flow`` does)."""
    units, _status = min_cost_flow_units(inst, part)
    if units is not None:
        by_need = np.zeros(inst.n_needs, dtype=np.int64)
        np.add.at(by_need, inst.need[part], units)
        if not np.any(by_need > inst.need_cap):
            return units
    return lp_units(inst, part)[0]


def evaluate_loops(problem: Problem, arcs: Arcs, flow: np.ndarray, *, bonus_cny: float = 0.0, max_length: int = 4,
                   limit: int = 10) -> tuple[np.ndarray, LoopReport]:
    """Candidate loops of ``arcs`` (the run's usable arcs) with their closing cost against ``flow`` (the weight
    optimum, tonnes aligned with ``arcs``); with ``bonus_cny`` > 0 the loops worth it are closed.

    Returns the final flow (``flow`` itself, unchanged, when the bonus is 0) and the report.
    """
    started = time.perf_counter()
    report = LoopReport(bonus_cny=float(bonus_cny), limit=limit, max_length=max_length)
    weight = np.asarray(arcs.weight, dtype=np.float64) if len(arcs) else np.zeros(0)
    report.optimum_objective = report.objective = float(np.dot(weight, flow)) if len(arcs) else 0.0
    inst = prepare(problem, arcs, FLOW_UNITS_PER_T)
    loops, report.exhaustive = candidate_loops(problem, inst, max_length=max_length, limit=limit)
    report.found = len(loops)
    if not loops:
        report.seconds = time.perf_counter() - started
        return flow, report
    base = np.rint(np.asarray(flow)[inst.index] * inst.units_per_t).astype(np.int64)
    solver = _Solver(inst, base)
    optimum = report.optimum_objective
    costs: dict[int, int | None] = {}  # loop → cost in weight × units against the current allocation
    unpriced = 0
    for i, loop in enumerate(loops):
        # Pricing re-solves every component the loop touches: past PRICE_MAX_ARCS (a national-scale component)
        # a routine run lists the loop unpriced rather than spend seconds per loop; a bonus prices it anyway.
        if bonus_cny <= 0 and _touched_arcs(solver, loop) > PRICE_MAX_ARCS:
            costs[i] = None
            unpriced += 1
            continue
        costs[i] = _cost(solver, loop)
    if unpriced:
        report.note = (f"{unpriced} loop(s) not priced: they lie in a connected component of more than "
                       f"{PRICE_MAX_ARCS:,} candidate pairs (a bonus prices them) "
                       f"({unpriced} 个闭环未计算代价：所在连通分量过大)")
    report.opportunities = [_opportunity(problem, inst, loop, base, costs[i], optimum)
                            for i, loop in enumerate(loops)]

    paid: dict[int, int] = {}  # loops closed for the bonus → their cost when accepted (weight × units)
    if bonus_cny > 0:
        bonus_units = bonus_cny * inst.units_per_t
        open_loops = set(range(len(loops)))
        while open_loops:
            best, best_net = None, 0.0
            for i in sorted(open_loops):
                if costs[i] is None:
                    continue
                net = bonus_units - costs[i]
                if net > best_net:
                    best, best_net = i, net
            if best is None:
                break
            open_loops.discard(best)
            result = (solver.units, np.zeros(0, dtype=np.int64)) if costs[best] == 0 and solver.closes(loops[best]) \
                else solver.with_loop(loops[best])
            if result is None:
                continue
            best_units, touched = result
            solver.accept(loops[best], best_units)
            paid[best] = costs[best] or 0
            # Only loops in a re-solved component can have a new cost (sharing an offer, a need or a licence
            # puts two loops in one component).
            touched_set = set(np.unique(inst.component[touched]).tolist())
            for i in sorted(open_loops):
                if touched_set & set(inst.component[list(loops[i].arcs)].tolist()):
                    costs[i] = _cost(solver, loops[i])
        flow = inst.to_tonnes(solver.units)
        report.objective = float(np.dot(weight, flow))
    final = solver.units
    for i, loop in enumerate(loops):
        if solver.closes(loop, final):
            row = _opportunity(problem, inst, loop, final, paid.get(i, 0), optimum).as_dict()
            del row["closed_by_run"]
            # cost_cny: what closing it cost when it was accepted (0: the weight optimum closes it anyway).
            report.closed.append({**row, "favoured": not report.opportunities[i].closed_by_run,
                                  "bonus_cny": float(bonus_cny)})
    report.bonus_total_cny = float(bonus_cny) * len(report.closed) if bonus_cny > 0 else 0.0
    report.seconds = time.perf_counter() - started
    return flow, report


def _touched_arcs(solver: _Solver, loop: _Loop) -> int:
    """How many arcs the components of ``loop`` hold: what pricing it would re-solve."""
    comps = np.unique(solver.inst.component[np.asarray(loop.arcs, dtype=np.int64)])
    return int(sum(solver.starts[c + 1] - solver.starts[c] for c in comps.tolist()))


def _cost(solver: _Solver, loop: _Loop) -> int | None:
    """Weight × units lost by closing ``loop`` on top of the current allocation (0 if it is closed already)."""
    if solver.closes(loop):
        return 0  # the current allocation is optimal given what is forced, and it closes the loop too
    result = solver.with_loop(loop)
    if result is None:
        return None
    units, arcs = result
    return max(0, solver.value(solver.units, arcs) - solver.value(units, arcs))


def _opportunity(problem: Problem, inst: Instance, loop: _Loop, units: np.ndarray, cost: int | None,
                 optimum: float) -> LoopOpportunity:
    refs = list(problem.enterprise_index)  # enterprise_index is built from a sorted list: position = index
    links = []
    for a in loop.arcs:
        o, n, lic = int(inst.offer[a]), int(inst.need[a]), int(inst.licence[a])
        links.append(LoopLink(source=refs[int(problem.o.enterprise[o])], target=refs[int(problem.n.enterprise[n])],
                              offer=problem.o.refs[o], need=problem.n.refs[n], weight=int(inst.weight[a]),
                              quantity_t=float(inst.cap[a]) / inst.units_per_t,
                              carried_t=float(units[a]) / inst.units_per_t,
                              licence=problem.licences[lic].number if lic >= 0 else None))
    cost_cny = None if cost is None else cost / inst.units_per_t
    pct = None if cost_cny is None else (100.0 * cost_cny / optimum if optimum > 0 else (0.0 if cost_cny == 0
                                                                                          else math.inf))
    return LoopOpportunity(enterprises=tuple(link.source for link in links), links=tuple(links),
                           tonnes=min(link.quantity_t for link in links), cost_cny=cost_cny,
                           cost_pct=None if pct is None else round(pct, 4),
                           closed_by_run=all(units[a] >= inst.cap[a] for a in loop.arcs))


def apply_loops(problem: Problem, arcs: Arcs, allocation: Allocation) -> tuple[Allocation, LoopReport]:
    """The run's hook: evaluate the loop opportunities of ``allocation`` (over the usable ``arcs``) and, when
    ``problem.settings.loop_bonus_cny`` > 0, close the loops worth it. The allocation is returned unchanged
    unless a loop was closed for its bonus.

    Exact mode evaluates nothing (see the module docstring) and refuses a bonus (``ValueError``).
    """
    s = problem.settings
    if s.loop_bonus_cny < 0 or not math.isfinite(s.loop_bonus_cny):
        raise ValueError(f"loop_bonus_cny must be a finite number ≥ 0, got {s.loop_bonus_cny}")
    if s.exact:
        if s.loop_bonus_cny > 0:
            raise ValueError("favouring loops works with the min-cost-flow allocation, not in exact mode "
                             "(闭环奖励仅适用于最小费用流模式)")
        return allocation, LoopReport(optimum_objective=allocation.objective, objective=allocation.objective,
                                      note="exact mode: loop opportunities are not evaluated")
    if s.loop_opportunities <= 0 or len(arcs) == 0:
        return allocation, LoopReport(bonus_cny=s.loop_bonus_cny, optimum_objective=allocation.objective,
                                      objective=allocation.objective, limit=max(0, s.loop_opportunities),
                                      max_length=s.loop_max_length)
    flow, report = _evaluated(problem, arcs, allocation.flow)
    if flow is allocation.flow:
        return allocation, report
    favoured = sum(1 for c in report.closed if c["favoured"])
    detail = dict(allocation.detail, loops_favoured=favoured, optimum_objective=allocation.objective,
                  used_arcs=int(np.count_nonzero(flow)))
    # Still optimal, for the objective plus the bonus of the loops accepted: the weight optimum among the
    # allocations that close them (the greedy choice of loops is the heuristic part; see the module docstring).
    return dataclasses.replace(allocation, flow=flow, objective=objective_of(arcs, flow),
                               solver=allocation.solver + "+loops", detail=detail), report


def _evaluated(problem: Problem, arcs: Arcs, flow: np.ndarray) -> tuple[np.ndarray, LoopReport]:
    """``evaluate_loops`` with the run's settings, answered from ``keep_loops``' memo when ``arcs`` were evaluated
    against this very flow before (the final flow is ``flow`` itself when the allocation is unchanged)."""
    s = problem.settings
    key = (s.loop_bonus_cny, s.loop_max_length, s.loop_opportunities)
    memo = _KEPT.get(id(arcs))
    if memo is not None and memo.get("key") == key and np.array_equal(memo["flow"], flow):
        final = flow if memo["final"] is None else memo["final"].copy()
        return final, copy.deepcopy(memo["report"])
    final, report = evaluate_loops(problem, arcs, flow, bonus_cny=s.loop_bonus_cny, max_length=s.loop_max_length,
                                   limit=s.loop_opportunities)
    if memo is not None:
        memo.update(key=key, flow=np.array(flow, copy=True), final=None if final is flow else final.copy(),
                    report=copy.deepcopy(report))
    return final, report


# id(arcs) -> the last evaluation over those arcs (settings, flow, final flow, report), for arcs kept by ``keep_loops``.
_KEPT: dict[int, dict[str, Any]] = {}


def keep_loops(arcs: Arcs) -> None:
    """Remember the loop evaluation of a run over ``arcs`` so that a later run with the same flow reuses it.

    The evaluation is a function of the arcs, the flow and the loop settings only; a warm run
    (``marketplace.services.matching.warm``) keeps its arcs between runs and, when its optimisation
    gives the same flow again, skips the cycle search and the re-solves that price each loop.
    The memory goes with the arcs.
    """
    if id(arcs) not in _KEPT:
        _KEPT[id(arcs)] = {}
        weakref.finalize(arcs, _KEPT.pop, id(arcs), None)


__all__ = ["DEFAULT_BONUS_CNY", "LoopLink", "LoopOpportunity", "LoopReport", "apply_loops", "candidate_loops",
           "evaluate_loops", "keep_loops"]
