"""DESIGN rule 7, ``required_component``: the need's ``wanted`` (min fraction per substance) are hard."""
from __future__ import annotations

import numpy as np

from .arrays import all_per_arc
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .features import substance_bounds
from .text import fmt_fraction, substance_name

SPEC = RuleSpec(
    "required_component", True, "必需组分", "Required components",
    "Every substance the need wants is declared in the offer at or above its minimum fraction.")


def check(b: ArcBatch) -> np.ndarray:
    """Every wanted substance declared at or above its minimum."""
    arc, declared, value, minimum = substance_bounds(b.problem, b.f, b.o, b.n, b.pn.wanted)
    return all_per_arc(b.size, arc, declared & (value >= minimum))


def explain(c: ArcCase) -> Verdict:
    """Each wanted substance: its fraction in the offer against the minimum."""
    offer, need = c.offer, c.need
    parts, ok = [], True
    for key, mn in need.wanted.items():
        if key not in offer.composition:
            ok = False
            parts.append(f"{substance_name(key, need, offer)} not declared (needs ≥ {fmt_fraction(mn)})")
            continue
        v = float(offer.composition[key])
        good = v >= mn
        ok &= good
        parts.append(f"{substance_name(key, need, offer)} {fmt_fraction(v)} {'≥' if good else '<'} min "
                     f"{fmt_fraction(mn)}")
    return ok, "; ".join(parts) if parts else "the need wants no particular component"


RULE = Rule(SPEC, check, explain, pool_viability=True)
