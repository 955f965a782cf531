"""DESIGN rule 6, ``contaminant_limit``: the need's ``limits`` (max fraction per substance) are hard."""
from __future__ import annotations

import numpy as np

from .arrays import all_per_arc
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .features import substance_bounds
from .text import fmt_fraction, substance_name

SPEC = RuleSpec(
    "contaminant_limit", True, "杂质限值", "Contaminant limits",
    "Every substance the need limits is at or below its maximum fraction in the offer.")


def check(b: ArcBatch) -> np.ndarray:
    """Every limited substance at or below its limit; undeclared counts as 0."""
    arc, _, value, limit = substance_bounds(b.problem, b.f, b.o, b.n, b.pn.limits)
    return all_per_arc(b.size, arc, value <= limit)


def explain(c: ArcCase) -> Verdict:
    """Each limited substance: its fraction in the offer against the limit."""
    offer, need = c.offer, c.need
    parts, ok = [], True
    for key, mx in need.limits.items():
        declared = key in offer.composition
        v = float(offer.composition.get(key, 0.0))
        good = v <= mx
        ok &= good
        shown = fmt_fraction(v) if declared else "not declared (0)"
        parts.append(f"{substance_name(key, need, offer)} {shown} {'≤' if good else '>'} limit {fmt_fraction(mx)}")
    return ok, "; ".join(parts) if parts else "the need sets no limits"


RULE = Rule(SPEC, check, explain, pool_viability=True)
