"""DESIGN rule 2, ``licence_capacity``: the licence an arc draws on has capacity left this year."""
from __future__ import annotations

import numpy as np

from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .licensing import CAPACITY_CODE, arc_pool, licence_view, lifting, pools

SPEC = RuleSpec(
    CAPACITY_CODE, True, "许可经营规模", "Licence capacity",
    "The licence an arc draws on has capacity left this year; each need draws on one licence, whose remaining "
    "capacity the optimiser shares among its suppliers.")


def check(b: ArcBatch) -> np.ndarray:
    """Not HW, or lifted, or covered by its need's licence pool and that licence has capacity left."""
    chosen_ok, licence = pools(b)
    has_room = np.zeros(b.size, dtype=bool)
    has_room[chosen_ok] = b.problem.lic_remaining[licence[chosen_ok]] > 0
    return ~b.hw | lifting(b).lifted | has_room


def explain(c: ArcCase) -> Verdict:
    """The pool and what is left in it, or why the arc cannot draw on it."""
    licences, rem = c.problem.licences, c.problem.lic_remaining
    licence, chosen = arc_pool(c)
    if not c.hw or licence_view(c).lifted:
        why = "not hazardous waste" if not c.hw else "exempted"
        if licence >= 0:
            return True, (f"{why}; counted against licence {licences[licence].number} with the rest of this need's "
                          f"intake ({rem[licence]:.1f} t left)")
        return True, f"not applicable: {why}, draws on no licence"
    if not licence_view(c).covering:
        return False, "no licence to draw capacity from (see hw_licence)"
    if licence == chosen and rem[chosen] > 0:
        return True, (f"licence {licences[chosen].number}: {rem[chosen]:.1f} t capacity left this year, shared by "
                      f"this need's suppliers")
    if rem[licence] <= 0:
        return False, f"licence {licences[licence].number} has no capacity left this year (许可经营规模已满)"
    own = licences[licence]
    pool = licences[chosen].number if chosen >= 0 else "another licence"
    scope = ", ".join(sorted(own.categories) + sorted(own.codes))
    return False, (f"this need draws on licence {pool}; {c.offer.waste_code} falls under licence {own.number} "
                   f"({scope}) — post a separate need for that licence's scope / 请按许可证{own.number}的经营范围"
                   f"另行发布需求")


RULE = Rule(SPEC, check, explain)
