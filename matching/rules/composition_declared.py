"""``composition_declared`` (soft, issue 16): a hazardous-waste offer without a declared composition is flagged.

Not a DESIGN rule of its own but the flag of "unknown is not zero": an HW-coded offer that
declares no component at all leaves every composition question open (what it carries,
what it may react with), so every pair of it is flagged for the coordinator with "needs an
analysis report" and ranks below pairs that pass (``Recommender.recommend``). Soft: the
licensed receiver's acceptance analysis can settle it, so the arc is not removed; the
composition-based hard checks the pair meets (a need's limits or wanted substances) are
unknown on their own account and do block it.
"""
from __future__ import annotations

import numpy as np

from .base import UNKNOWN, ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .text import bilingual

SPEC = RuleSpec(
    "composition_declared", False, "成分申报", "Composition declared",
    "A hazardous-waste offer declares its composition; without one the pair is flagged: needs an analysis report.")

FLAG = bilingual("危险废物未申报成分，需提供检测报告", "hazardous waste without a declared composition: "
                 "needs an analysis report")


def unknown(b: ArcBatch) -> np.ndarray:
    """HW offers declaring no component (a completeness flag on no component declares nothing)."""
    return b.hw & ~b.f.offer_declared[b.o]


def check(b: ArcBatch) -> np.ndarray:
    """Not HW, or a composition is declared."""
    return ~unknown(b)


def explain(c: ArcCase) -> Verdict:
    """Whether the offer is HW and how many components it declares."""
    if not c.hw:
        return True, bilingual("非危险废物", "not hazardous waste")
    if c.offer.composition:
        n = len(c.offer.composition)
        return True, bilingual(f"已申报 {n} 种成分", f"{n} component{'s' if n != 1 else ''} declared")
    return UNKNOWN, FLAG


RULE = Rule(SPEC, check, explain, unknown=unknown)
