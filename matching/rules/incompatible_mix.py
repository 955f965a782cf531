"""DESIGN rule 13, ``incompatible_mix``: wastes of incompatible reactivity groups never go to one need.

A set constraint, not a per-arc one: every arc passes here, and the optimiser enforces
it in exact mode with the pairs of :func:`conflicting_offer_pairs`.
"""
from __future__ import annotations

import numpy as np

from catalog.reactivity import INCOMPATIBLE_PAIRS, groups_of
from catalog.reactivity import incompatible as _groups_incompatible

from ..arcs import Arcs
from ..problem import Problem
from .arrays import expand
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .features import features
from .text import bilingual, groups_zh_en

SPEC = RuleSpec(
    "incompatible_mix", True, "禁忌混合", "Incompatible mix",
    "Wastes of incompatible reactivity groups are not allocated to the same need; a set constraint enforced by "
    "the optimiser in exact mode with conflicting_offer_pairs.")


def check(b: ArcBatch) -> np.ndarray:
    """Always passes per arc (see the module docstring)."""
    return np.ones(b.size, dtype=bool)


def explain(c: ArcCase) -> Verdict:
    """Where it is enforced, and the offer's reactivity groups."""
    groups = groups_of(c.offer.waste_code, c.offer.composition.items())
    zh, en = groups_zh_en(groups)
    return True, bilingual("精确模式下对该需求的所有供给方统一执行" + (f"（供给的反应性类别：{zh}）" if groups else ""),
                           "enforced across the need's suppliers in exact mode"
                           + (f" (offer reactivity: {en})" if groups else ""))


RULE = Rule(SPEC, check, explain)


def reactivity_groups(problem: Problem) -> np.ndarray:
    """Per offer, the bitmask of reactivity groups (:mod:`catalog.reactivity`), int64 (a copy)."""
    return features(problem).offer_groups.copy()


def incompatible(groups_a: int, groups_b: int) -> bool:
    """True if two offers with these reactivity masks must not go to the same need."""
    return _groups_incompatible(int(groups_a), int(groups_b))


def conflicting_offer_pairs(problem: Problem, arcs: Arcs) -> list[tuple[int, int]]:
    """Offer index pairs ``(a, b)``, ``a < b``, that are incompatible and share a need among ``arcs``.

    Pass the arcs the optimiser may use (e.g. those passing the hard checks); every
    pair returned needs a constraint "not both to that need" in exact mode. Sorted.
    """
    g = features(problem).offer_groups
    n_off = max(len(problem.offers), 1)
    o = np.asarray(arcs.offer, dtype=np.int64)
    n = np.asarray(arcs.need, dtype=np.int64)
    sel = g[o] != 0
    key = np.unique(n[sel] * n_off + o[sel])  # sorted by need, then offer
    nn, oo = key // n_off, key % n_off
    found: list[np.ndarray] = []
    for pair in INCOMPATIBLE_PAIRS:
        a = (g[oo] & pair.a) != 0
        b = (g[oo] & pair.b) != 0
        a_need, a_off, b_need, b_off = nn[a], oo[a], nn[b], oo[b]
        lo = np.searchsorted(b_need, a_need, side="left")
        hi = np.searchsorted(b_need, a_need, side="right")
        item, pos = expand(lo, hi - lo)
        x, y = a_off[item], b_off[pos]
        keep = x != y
        found.append(np.minimum(x[keep], y[keep]) * n_off + np.maximum(x[keep], y[keep]))
    if not found:
        return []
    pairs = np.unique(np.concatenate(found))
    return [(int(p // n_off), int(p % n_off)) for p in pairs]
