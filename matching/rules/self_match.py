"""DESIGN rule 12, ``self_match``: no enterprise is matched with itself."""
from __future__ import annotations

import numpy as np

from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .text import bilingual

SPEC = RuleSpec("self_match", True, "非同一企业", "Different enterprises", "No enterprise is matched with itself.")


def check(b: ArcBatch) -> np.ndarray:
    """Offer and need belong to different enterprises."""
    return b.po.enterprise[b.o] != b.ne


def explain(c: ArcCase) -> Verdict:
    """The enterprise, when it is the same on both sides."""
    same = c.offer.site.enterprise == c.need.site.enterprise
    if same:
        who = c.need.site.enterprise
        return False, bilingual(f"供需双方为同一企业 {who}", f"same enterprise {who}")
    return True, bilingual("供需双方为不同企业", "different enterprises")


RULE = Rule(SPEC, check, explain, pool_viability=True)
