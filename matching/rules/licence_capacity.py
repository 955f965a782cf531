"""DESIGN rule 2, ``licence_capacity``: the licence an arc draws on has capacity left this year."""
from __future__ import annotations

import numpy as np

from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .licensing import CAPACITY_CODE, arc_pool, licence_view, lifting, pools
from .text import bilingual

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
        why = ("不是危险废物", "not hazardous waste") if not c.hw else ("已豁免", "exempted")
        if licence >= 0:
            number = licences[licence].number
            return True, bilingual(
                f"{why[0]}；与该需求的其他来源一并计入许可证 {number}（剩余 {rem[licence]:.1f} t）",
                (f"{why[1]}; counted against licence {number} with the rest of this need's "
                 f"intake ({rem[licence]:.1f} t left)"))
        return True, bilingual(f"不适用：{why[0]}，不占用许可证规模", f"not applicable: {why[1]}, draws on no licence")
    if not licence_view(c).covering:
        return False, bilingual("没有可占用规模的许可证（见“危险废物经营许可证”）",
                                "no licence to draw capacity from (see HW business licence)")
    if licence == chosen and rem[chosen] > 0:
        number = licences[chosen].number
        return True, bilingual(f"许可证 {number}：本年度剩余经营规模 {rem[chosen]:.1f} t，由该需求的各供给方共享",
                               (f"licence {number}: {rem[chosen]:.1f} t capacity left this year, shared by "
                                f"this need's suppliers"))
    if rem[licence] <= 0:
        number = licences[licence].number
        return False, bilingual(f"许可证 {number} 本年度经营规模已满",
                                f"licence {number} has no capacity left this year")
    own = licences[licence]
    pool = licences[chosen].number if chosen >= 0 else None
    scope = ", ".join(sorted(own.categories) + sorted(own.codes))
    code = c.offer.waste_code
    return False, bilingual(
        (f"该需求占用许可证 {pool or '另一许可证'}；{code} 属于许可证 {own.number}（{scope}）的经营范围，"
         f"请按许可证 {own.number} 的经营范围另行发布需求"),
        (f"this need draws on licence {pool or 'another licence'}; {code} falls under licence {own.number} "
         f"({scope}): post a separate need for that licence's scope"))


RULE = Rule(SPEC, check, explain)
