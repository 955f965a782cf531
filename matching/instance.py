"""The allocation problem in integer units: ``Instance``, built by ``prepare`` for every solver.

Quantities are continuous tonnes; the solvers work on integers, so every capacity is
rounded *down* to a fixed resolution (``FLOW_UNITS_PER_T`` units per tonne: 1 unit = 1 kg
in flow mode, ``EXACT_UNITS_PER_T``: 1 unit = 10 kg in exact mode) and flows are whole
units. Rounding capacities down is what makes "never over-allocate" hold exactly in
integer arithmetic; the price is at most one unit per capacity, which is far below the
precision of any stated tonnage.

This module only reads ``problem.o.quantity``, ``problem.n.quantity`` and
``problem.lic_remaining``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from matching.arcs import Arcs
from matching.problem import Problem

FLOW_UNITS_PER_T = 1000  # flow/LP resolution: 1 unit = 0.001 t = 1 kg
EXACT_UNITS_PER_T = 100  # CP-SAT resolution: 1 unit = 0.01 t = 10 kg (smaller objective coefficients)
# No single capacity exceeds this many units (10^12 kg = a billion tonnes): an infinite
# licence or an unbounded arc becomes "more than anything can use" without overflowing int64.
MAX_UNITS = 10**12


@dataclass
class Instance:
    """The allocation problem in integer units, restricted to arcs that may carry flow.

    Built once per run by ``prepare``; the solvers in ``matching.flow``, ``matching.exact``
    and ``matching.greedy`` work on it and return integer units per (usable) arc.
    """

    units_per_t: int
    n_arcs: int  # arcs in the caller's Arcs (usable or not)
    n_offers: int
    n_needs: int
    n_licences: int
    index: np.ndarray  # int64: position in the caller's Arcs of each usable arc
    offer: np.ndarray  # int64 per usable arc
    need: np.ndarray  # int64
    licence: np.ndarray  # int64, -1 none
    weight: np.ndarray  # int64 objective units per tonne (> 0)
    cap: np.ndarray  # int64 units: min(max_t, offer, need, licence capacity), ≥ 1
    offer_cap: np.ndarray  # int64 units per offer
    need_cap: np.ndarray  # int64 units per need
    lic_cap: np.ndarray  # int64 units per licence
    component: np.ndarray  # int64 per usable arc: 0 .. n_components-1
    n_components: int
    mixed_need: np.ndarray  # bool per need: its arcs draw on more than one licence (or on one and on none)

    def __len__(self) -> int:
        return int(self.offer.shape[0])

    def to_tonnes(self, units: np.ndarray) -> np.ndarray:
        """Flow in tonnes aligned with the caller's arcs, from units per usable arc."""
        flow = np.zeros(self.n_arcs, dtype=np.float64)
        # Division by the integer resolution is correctly rounded: 300 units → 0.3 exactly as typed.
        flow[self.index] = units / self.units_per_t
        return flow

    def usage(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Units drawn from each offer, need and licence (exact integers)."""
        units = units.astype(np.int64, copy=False)
        by_offer = _int_bincount(self.offer, units, self.n_offers)
        by_need = _int_bincount(self.need, units, self.n_needs)
        lic = self.licence >= 0
        by_lic = _int_bincount(self.licence[lic], units[lic], self.n_licences)
        return by_offer, by_need, by_lic

    def check(self, units: np.ndarray) -> None:
        """Raise if ``units`` over-allocates anything: a solver bug must never reach a proposal."""
        by_offer, by_need, by_lic = self.usage(units)
        problems = []
        if np.any(units < 0) or np.any(units > self.cap):
            problems.append("arc bounds")
        if np.any(by_offer > self.offer_cap):
            problems.append("offer quantity")
        if np.any(by_need > self.need_cap):
            problems.append("need quantity")
        if np.any(by_lic > self.lic_cap):
            problems.append("licence capacity")
        if problems:
            raise RuntimeError(f"allocation violates {', '.join(problems)}; this is a solver bug")


def _int_bincount(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact int64 sums per index (np.bincount would go through float64)."""
    out = np.zeros(size, dtype=np.int64)
    if index.size:
        np.add.at(out, index, values)
    return out


def to_units(tonnes: np.ndarray, units_per_t: int) -> np.ndarray:
    """Tonnes → whole units, rounded down, never more than the tonnes given.

    ``floor(t × u)`` alone turns 1.005 t into 1004 kg (1.005 × 1000 = 1004.9999999999999), so a
    unit is added back when ``(k + 1) / u ≤ t`` still holds in floating point: the result is
    the largest k whose reported tonnage ``k / u`` does not exceed ``t``.
    """
    t = np.asarray(tonnes, dtype=np.float64)
    t = np.where(np.isnan(t), 0.0, t)
    k = np.floor(np.minimum(t, MAX_UNITS / units_per_t) * units_per_t)
    k = np.where((k + 1) / units_per_t <= t, k + 1, k)
    return np.clip(k, 0, MAX_UNITS).astype(np.int64)


def prepare(problem: Problem, arcs: Arcs, units_per_t: int, min_units: int = 1) -> Instance:
    """Integer capacities, usable arcs and connected components (vectorised; no loop over arcs).

    An arc is usable when its weight is positive and it can carry at least ``min_units``
    (exact mode passes the minimum lot here: an arc that cannot carry a lot is no option).
    """
    if arcs.weight is None:
        raise ValueError("arcs have no weight: run scoring before allocation")
    n_offers = int(np.asarray(problem.o.quantity).shape[0])
    n_needs = int(np.asarray(problem.n.quantity).shape[0])
    lic_remaining = np.asarray(problem.lic_remaining, dtype=np.float64).reshape(-1)
    n_licences = int(lic_remaining.shape[0])
    n_arcs = len(arcs)

    offer = np.asarray(arcs.offer, dtype=np.int64)
    need = np.asarray(arcs.need, dtype=np.int64)
    weight = np.asarray(arcs.weight, dtype=np.int64)
    licence = (np.full(n_arcs, -1, dtype=np.int64) if arcs.licence is None
               else np.asarray(arcs.licence, dtype=np.int64))
    max_t = (np.full(n_arcs, math.inf) if arcs.max_t is None else np.asarray(arcs.max_t, dtype=np.float64))
    if n_arcs and (offer.min() < 0 or offer.max() >= n_offers or need.min() < 0 or need.max() >= n_needs
                   or licence.min() < -1 or licence.max() >= n_licences):
        raise ValueError("arc offer/need/licence index out of range for this problem")

    offer_q = np.asarray(problem.o.quantity, dtype=np.float64)
    need_q = np.asarray(problem.n.quantity, dtype=np.float64)
    offer_cap = to_units(offer_q, units_per_t)
    need_cap = to_units(need_q, units_per_t)
    lic_cap = to_units(lic_remaining, units_per_t)

    # The tightest bound of each arc, in tonnes first (to_units is monotone, so one
    # conversion of the minimum equals the minimum of the conversions).
    cap_t = np.minimum(max_t, np.minimum(offer_q[offer], need_q[need]))
    has_lic = licence >= 0
    cap_t[has_lic] = np.minimum(cap_t[has_lic], lic_remaining[licence[has_lic]])
    usable = weight > 0
    cap = to_units(np.where(usable, cap_t, 0.0), units_per_t)
    usable &= cap >= max(1, min_units)
    del cap_t, max_t
    if usable.all():  # the regional engine sends usable arcs only: no second copy of every array
        index = np.arange(n_arcs, dtype=np.int64)
    else:
        index = np.flatnonzero(usable)
        offer, need, licence, weight, cap = offer[index], need[index], licence[index], weight[index], cap[index]
    del usable

    component, n_components = _components(n_offers, n_needs, n_licences, offer, need, licence)
    mixed_need = _mixed_needs(n_needs, need, licence)
    return Instance(units_per_t=units_per_t, n_arcs=n_arcs, n_offers=n_offers, n_needs=n_needs,
                    n_licences=n_licences, index=index, offer=offer, need=need, licence=licence,
                    weight=weight, cap=cap, offer_cap=offer_cap, need_cap=need_cap, lic_cap=lic_cap,
                    component=component, n_components=n_components, mixed_need=mixed_need)


def _components(n_offers: int, n_needs: int, n_licences: int, offer: np.ndarray, need: np.ndarray,
                licence: np.ndarray) -> tuple[np.ndarray, int]:
    """Component label per arc over the graph offers + needs + licences.

    Licence nodes join every need that draws on the same licence: those needs compete for
    one capacity, so they must be solved together. Labels are renumbered 0..C-1 over the
    components that hold at least one arc (isolated listings are not components).
    """
    if offer.size == 0:
        return np.zeros(0, dtype=np.int64), 0
    n_nodes = n_offers + n_needs + n_licences
    has_lic = licence >= 0
    rows = np.concatenate([offer, n_offers + need[has_lic]])
    cols = np.concatenate([n_offers + need, n_offers + n_needs + licence[has_lic]])
    graph = sparse.csr_matrix((np.ones(rows.shape[0], dtype=np.int8), (rows, cols)), shape=(n_nodes, n_nodes))
    n_labels, node_label = connected_components(graph, directed=True, connection="weak")
    label_of_arc = node_label[offer]
    # Renumber 0..C-1 over labels that hold an arc (a counting pass, no sort).
    present = np.zeros(n_labels, dtype=bool)
    present[label_of_arc] = True
    renumber = np.cumsum(present) - 1
    return renumber[label_of_arc].astype(np.int64), int(present.sum())


def _mixed_needs(n_needs: int, need: np.ndarray, licence: np.ndarray) -> np.ndarray:
    """Needs whose usable arcs do not all draw on the same licence (-1 counts as one "licence")."""
    lo = np.full(n_needs, np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(n_needs, np.iinfo(np.int64).min, dtype=np.int64)
    if need.size:
        np.minimum.at(lo, need, licence)
        np.maximum.at(hi, need, licence)
    return (hi > lo)


@dataclass(frozen=True)
class LocalRows:
    """A set of arcs' rows renumbered from 0: the offers, needs and licences they use, in ascending order."""

    offers: np.ndarray  # original offer row of each local offer
    needs: np.ndarray
    licences: np.ndarray
    offer: np.ndarray  # int64 local offer per arc
    need: np.ndarray
    licence: np.ndarray  # int64 local licence per arc, -1 none


def local_rows(offer: np.ndarray, need: np.ndarray, licence: np.ndarray) -> LocalRows:
    """The rows of the arcs (``offer``, ``need``, ``licence`` per arc; -1: no licence), numbered from 0."""
    offers, o = np.unique(offer, return_inverse=True)
    needs, n = np.unique(need, return_inverse=True)
    has = licence >= 0
    licences, li = np.unique(licence[has], return_inverse=True)
    local_lic = np.full(offer.shape[0], -1, dtype=np.int64)
    local_lic[has] = li
    return LocalRows(offers=offers, needs=needs, licences=licences, offer=o.ravel().astype(np.int64),
                     need=n.ravel().astype(np.int64), licence=local_lic)


def local_instance(offer: np.ndarray, need: np.ndarray, licence: np.ndarray, weight: np.ndarray,
                   cap: np.ndarray, offer_cap: np.ndarray, need_cap: np.ndarray, lic_cap: np.ndarray,
                   units_per_t: int = 1) -> Instance:
    """An ``Instance`` over arcs already numbered locally (every arc usable), with its components."""
    n_o, n_n, n_l = offer_cap.shape[0], need_cap.shape[0], lic_cap.shape[0]
    component, n_components = _components(n_o, n_n, n_l, offer, need, licence)
    m = offer.shape[0]
    return Instance(units_per_t=units_per_t, n_arcs=m, n_offers=n_o, n_needs=n_n, n_licences=n_l,
                    index=np.arange(m, dtype=np.int64), offer=offer, need=need, licence=licence,
                    weight=weight, cap=cap, offer_cap=offer_cap, need_cap=need_cap, lic_cap=lic_cap,
                    component=component, n_components=n_components,
                    mixed_need=_mixed_needs(n_n, need, licence))


def sub_instance(inst: Instance, idx: np.ndarray) -> Instance:
    """The usable arcs ``idx`` of ``inst`` as a self-contained instance, rows renumbered from 0 (small to ship)."""
    rows = local_rows(inst.offer[idx], inst.need[idx], inst.licence[idx])
    return local_instance(rows.offer, rows.need, rows.licence, inst.weight[idx], inst.cap[idx],
                          inst.offer_cap[rows.offers], inst.need_cap[rows.needs], inst.lic_cap[rows.licences],
                          units_per_t=inst.units_per_t)
