"""Greedy baselines: the yardstick for the optimum, and exact mode's first feasible solution.

Greedy is sequential by definition (each arc sees what earlier arcs left), so it is a
plain loop over arcs on Python ints (faster than NumPy scalar indexing); it is a
baseline and a fallback, never the production path for large parks.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.instance import Instance


def solve_greedy(inst: Instance) -> np.ndarray:
    """Units per usable arc: arcs by weight descending (ties by position), each as much as fits."""
    order = np.argsort(-inst.weight, kind="stable")
    rem_o = inst.offer_cap.tolist()
    rem_n = inst.need_cap.tolist()
    rem_l = inst.lic_cap.tolist()
    offer, need, licence, cap = (inst.offer.tolist(), inst.need.tolist(), inst.licence.tolist(),
                                 inst.cap.tolist())
    units = [0] * len(offer)
    for a in order.tolist():
        i, j, lic = offer[a], need[a], licence[a]
        take = min(cap[a], rem_o[i], rem_n[j])
        if lic >= 0:
            take = min(take, rem_l[lic])
            if take > 0:
                rem_l[lic] -= take
        if take > 0:
            rem_o[i] -= take
            rem_n[j] -= take
            units[a] = take
    return np.asarray(units, dtype=np.int64)


def side_greedy(offer: Sequence[int], need: Sequence[int], licence: Sequence[int], weight: Sequence[int],
                cap: Sequence[int], rem_o: dict[int, int], rem_n: dict[int, int], rem_l: dict[int, int], *,
                lot: int, max_suppliers: int | None, partners: dict[int, set[int]], fixed_scaled: int,
                first: Sequence[tuple[int, int]] = ()) -> list[int]:
    """A solution that satisfies exact mode's side constraints (one component, local arc ids).

    ``first`` is a list of (arc, target units) taken first, in that order — exact mode
    passes the flow optimum there, so the heuristic keeps what the relaxation liked and
    repairs only what the side constraints forbid. Then every arc, by weight, is topped up
    as far as the capacities allow. A new link is opened only if it can carry a full lot,
    the need has fewer than ``max_suppliers`` suppliers, no supplier already there is a
    ``partners`` conflict of this offer, and it pays its fixed cost (``fixed_scaled`` in
    weight × units). The capacity dicts are consumed.
    """
    x = [0] * len(offer)
    suppliers: dict[int, set[int]] = {}

    def take(a: int, want: int) -> None:
        i, j, lic = offer[a], need[a], licence[a]
        amount = min(want, cap[a] - x[a], rem_o[i], rem_n[j])
        if lic >= 0:
            amount = min(amount, rem_l[lic])
        if amount <= 0:
            return
        if x[a] == 0:
            if amount < lot or weight[a] * amount <= fixed_scaled:
                return
            have = suppliers.setdefault(j, set())
            if i not in have:
                if max_suppliers is not None and len(have) >= max_suppliers:
                    return
                if partners.get(i) and partners[i] & have:
                    return
                have.add(i)
        x[a] += amount
        rem_o[i] -= amount
        rem_n[j] -= amount
        if lic >= 0:
            rem_l[lic] -= amount

    for a, want in first:
        take(a, want)
    for a in sorted(range(len(offer)), key=lambda a: -weight[a]):
        take(a, cap[a])
    return x
