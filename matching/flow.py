"""The allocation LP solved as min-cost flow, with an exact LP for what flow cannot express.

Network (OR-Tools ``SimpleMinCostFlow``)::

    S ──q_i──▶ offer i ──max_t, cost −w──▶ need j ──q_j──▶ T                      (need without licence)
                                           need j ──q_j──▶ licence L ──cap_L──▶ T   (need drawing on L)
    S ──────────────── bypass, cost 0, cap Σq ─────────────────────────────▶ T

Supply Σq at S, demand Σq at T: the bypass absorbs what is not worth moving, so the
minimum cost is minus the maximum objective. A licence is a node capacity on the path
of the needs that draw on it; that works while each need draws on one licence (or on
none) — the capacity sets then form a tree (laminar family) on the need side.

A need whose arcs mix licence L with no licence (or with another licence) breaks that
structure: one node cannot hold both "≤ q_j over all its arcs" and "≤ cap_L over only
the L arcs". Such a need first enters the network split per licence, each part with the
need's whole quantity — a relaxation. If its optimum respects the need's quantity anyway
(often: the need is not the binding constraint), it is optimal. Otherwise the connected
component is solved exactly as an LP by HiGHS (``scipy.optimize.linprog`` on a sparse
matrix: no Python loop over arcs; measured on a 180k-arc component, HiGHS dual simplex
1.3 s and GLOP through model_builder 1.3 s — equal, and HiGHS comes with SciPy). The LP
solution is brought to whole units by rounding down and, where an LP tolerance had pushed
a row a hair over its capacity, scaling that row down, so it is feasible in exact integer
arithmetic; the loss (below one unit per fractional arc) is reported.

Components are solved in separate min-cost-flow calls (small ones pooled): OR-Tools'
cost-scaling push-relabel grows clearly faster than linearly with the network, so one
call over all components — which do not interact — is much slower than one per
component (measured, 2M arcs in 370 park-sized components: 22 s vs 2.3 s).
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy import sparse
from scipy.optimize import linprog

from matching.instance import Instance

_OK = min_cost_flow.SimpleMinCostFlow.OPTIMAL
# Components are pooled into one min-cost-flow call up to this many arcs. OR-Tools' cost
# scaling grows faster than linearly with the network (measured: 2M arcs in 370 park-sized
# components take 22 s in one call and 2.3 s in one call per component), so independent
# components are solved separately; only small ones are pooled, to save per-call overhead.
BATCH_ARCS = 2000


def solve_flow(inst: Instance) -> tuple[np.ndarray, dict[str, Any]]:
    """Optimal units per usable arc of ``inst``, and a detail dict (timings, sizes, bounds).

    One min-cost-flow call covers every component. A mixed need enters it split into one
    node per licence it draws on, each with the need's full quantity: a relaxation (the
    need could take up to its quantity per licence). Where the optimum of that relaxation
    happens to respect every mixed need's quantity, it is feasible, hence optimal, and the
    component is done; only the components where it does not are re-solved as an LP.

    ``detail["upper_bound_scaled"]`` is an upper bound on Σ weight × units (the optimum for
    flow components, the continuous LP optimum for LP components) and
    ``detail["component_bound_scaled"]`` the same per component (exact mode uses it).
    """
    mixed_component = np.zeros(inst.n_components, dtype=bool)
    mixed_component[inst.component[inst.mixed_need[inst.need]]] = True
    detail: dict[str, Any] = {"mixed_needs": int(inst.mixed_need.sum()),
                              "mixed_components": int(mixed_component.sum())}

    started = time.perf_counter()
    order, starts = component_order(inst)
    units = np.zeros(len(inst), dtype=np.int64)
    lp_component = np.zeros(inst.n_components, dtype=bool)
    statuses: dict[str, int] = {}
    batches = flow_batches(np.diff(starts))
    for c0, c1 in batches:  # a loop over batches of components, not over arcs
        idx = order[starts[c0]:starts[c1]]
        batch_units, status = min_cost_flow_units(inst, idx)
        statuses[status] = statuses.get(status, 0) + 1
        if batch_units is None:
            # Costs or capacities out of the range cost scaling handles (weights beyond
            # ~10^13 per tonne): the LP gives the same optimum, only slower.
            lp_component[c0:c1] = True
        else:
            units[idx] = batch_units
    _, by_need, _ = inst.usage(units)
    over = by_need > inst.need_cap  # only a split (mixed) need can exceed its quantity
    lp_component[inst.component[over[inst.need]]] = True
    detail["min_cost_flow_calls"] = len(batches)
    detail["min_cost_flow_status"] = statuses
    detail["flow_seconds"] = time.perf_counter() - started
    detail["flow_components"] = int(inst.n_components - lp_component.sum())
    detail["lp_components"] = int(lp_component.sum())
    detail["mixed_components_exact_by_flow"] = int((mixed_component & ~lp_component).sum())

    started = time.perf_counter()
    comp_bound = np.zeros(inst.n_components, dtype=np.float64)
    lp_ids = np.flatnonzero(lp_component)
    on_lp = lp_component[inst.component]
    detail["lp_arcs"] = int(on_lp.sum())
    if lp_ids.size:
        units[on_lp] = 0
        for c in lp_ids.tolist():  # a loop over LP components only: there are few
            idx = order[starts[c]:starts[c + 1]]
            units[idx], comp_bound[c] = lp_units(inst, idx)
    detail["lp_seconds"] = time.perf_counter() - started

    achieved = np.bincount(inst.component, weights=inst.weight * units.astype(np.float64),
                           minlength=inst.n_components)
    comp_bound = np.where(lp_component, np.maximum(comp_bound, achieved), achieved)
    detail["lp_bound_scaled"] = float(comp_bound[lp_component].sum())
    detail["lp_rounding_loss_scaled"] = float((comp_bound - achieved)[lp_component].sum())
    detail["upper_bound_scaled"] = float(comp_bound.sum())
    detail["component_bound_scaled"] = comp_bound
    return units, detail


def component_order(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Arc positions grouped by component, and where each component starts (length C+1)."""
    order = np.argsort(inst.component, kind="stable")
    starts = np.searchsorted(inst.component[order], np.arange(inst.n_components + 1))
    return order, starts


def flow_batches(sizes: np.ndarray, batch_arcs: int = BATCH_ARCS) -> list[tuple[int, int]]:
    """Consecutive component ranges [c0, c1) for one min-cost-flow call each.

    A component of ``batch_arcs`` arcs or more is solved alone; smaller ones are pooled
    until the pool reaches ``batch_arcs`` (so thousands of one-arc components do not pay
    thousands of calls).
    """
    batches: list[tuple[int, int]] = []
    c0, pooled = 0, 0
    for c, size in enumerate(sizes.tolist()):
        if size >= batch_arcs:
            if pooled:
                batches.append((c0, c))
            batches.append((c, c + 1))
            c0, pooled = c + 1, 0
            continue
        pooled += size
        if pooled >= batch_arcs:
            batches.append((c0, c + 1))
            c0, pooled = c + 1, 0
    if pooled:
        batches.append((c0, len(sizes)))
    return batches


def min_cost_flow_units(inst: Instance, arcs: np.ndarray) -> tuple[np.ndarray | None, str]:
    """Optimal units on ``arcs`` (positions in ``inst``) by one min-cost-flow call.

    A need node is keyed by (need, licence): one node per need unless the need is mixed,
    which is then split per licence (see ``solve_flow``). Only the nodes the arcs touch
    enter the network (compact numbering keeps the cost scaling factor — the number of
    nodes — and the memory small). Returns ``None`` when the solver reports anything but
    OPTIMAL, with the status name.
    """
    offer, need, licence = inst.offer[arcs], inst.need[arcs], inst.licence[arcs]
    offers, o_local = np.unique(offer, return_inverse=True)
    keys, k_local = np.unique(need * (inst.n_licences + 1) + (licence + 1), return_inverse=True)
    key_need = keys // (inst.n_licences + 1)
    key_lic = keys % (inst.n_licences + 1) - 1
    has_lic = key_lic >= 0
    lics, l_local = np.unique(key_lic[has_lic], return_inverse=True)

    n_o, n_k, n_l = offers.shape[0], keys.shape[0], lics.shape[0]
    source, sink = 0, 1
    o_node = 2 + np.arange(n_o)
    k_node = 2 + n_o + np.arange(n_k)
    l_node = 2 + n_o + n_k + np.arange(n_l)
    key_head = np.full(n_k, sink, dtype=np.int64)
    key_head[has_lic] = l_node[l_local]

    offer_cap = inst.offer_cap[offers]
    total = int(offer_cap.sum())
    n_match = arcs.shape[0]
    tails = np.concatenate([o_node[o_local], np.full(n_o, source), k_node, l_node, [source]])
    heads = np.concatenate([k_node[k_local], o_node, key_head, np.full(n_l, sink), [sink]])
    caps = np.concatenate([inst.cap[arcs], offer_cap, inst.need_cap[key_need], inst.lic_cap[lics], [total]])
    costs = np.zeros(tails.shape[0], dtype=np.int64)
    costs[:n_match] = -inst.weight[arcs]  # maximise Σ w·x = minimise Σ (−w)·x

    smcf = min_cost_flow.SimpleMinCostFlow()
    # The match arcs are added first, so their arc ids are 0 .. n_match-1.
    smcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32),
                                              caps.astype(np.int64), costs)
    smcf.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([total, -total], dtype=np.int64))
    status = smcf.solve()
    name = getattr(status, "name", str(status))
    if status != _OK:
        return None, name
    return np.asarray(smcf.flows(np.arange(n_match, dtype=np.int32)), dtype=np.int64), name


def lp_units(inst: Instance, arcs: np.ndarray) -> tuple[np.ndarray, float]:
    """Units on ``arcs`` (one component) by HiGHS, made integral and feasible; and the LP optimum.

    The LP is stated in units (kg in flow mode) so its capacities are the same integers the
    flow uses.
    """
    offer, need, licence = inst.offer[arcs], inst.need[arcs], inst.licence[arcs]
    offers, o_row = np.unique(offer, return_inverse=True)
    needs, n_row = np.unique(need, return_inverse=True)
    has_lic = licence >= 0
    lics, l_row = np.unique(licence[has_lic], return_inverse=True)
    n_o, n_n, n_l = offers.shape[0], needs.shape[0], lics.shape[0]
    m = arcs.shape[0]
    col = np.arange(m)
    rows = np.concatenate([o_row, n_o + n_row, n_o + n_n + l_row])
    cols = np.concatenate([col, col, col[has_lic]])
    a_ub = sparse.csr_matrix((np.ones(rows.shape[0]), (rows, cols)), shape=(n_o + n_n + n_l, m))
    b_ub = np.concatenate([inst.offer_cap[offers], inst.need_cap[needs], inst.lic_cap[lics]]).astype(np.float64)
    cap = inst.cap[arcs]
    res = linprog(-inst.weight[arcs].astype(np.float64), A_ub=a_ub, b_ub=b_ub,
                  bounds=np.column_stack([np.zeros(m), cap.astype(np.float64)]), method="highs")
    if res.status != 0:
        raise RuntimeError(f"HiGHS failed on an allocation LP component: {res.message}")

    # Whole units: values within 1e-6 of an integer are that integer (LP round-off), others
    # are rounded down. Then every row still over its capacity (only possible through LP
    # tolerances) is scaled down; flooring the scaled values keeps each row within its
    # capacity because Σ floor(x·f) ≤ f·Σx = capacity for the row's factor f ≤ 1.
    x = np.minimum(np.floor(np.clip(res.x, 0.0, None) + 1e-6), cap)
    usage = a_ub @ x
    if np.any(usage > b_ub):
        factor = np.ones_like(b_ub)
        over = usage > b_ub
        factor[over] = b_ub[over] / usage[over]
        by_col = a_ub.tocsc()  # every column has ≥ 2 entries (its offer and its need row)
        f_arc = np.minimum.reduceat(factor[by_col.indices], by_col.indptr[:-1])
        x = np.floor(x * f_arc)
    return x.astype(np.int64), float(-res.fun)
