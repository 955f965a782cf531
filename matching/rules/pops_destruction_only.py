"""DESIGN rule 4, ``pops_destruction_only``: POPs above their limit go only to licensed destruction."""
from __future__ import annotations

import numpy as np

from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .features import features, pop_hits
from .licensing import valid_disposer
from .text import bilingual, fmt_fraction, purpose_zh

SPEC = RuleSpec(
    "pops_destruction_only", True, "持久性有机污染物仅限销毁", "POPs: destruction only",
    "Offers holding a POP or key new pollutant at or above its limit go only to licensed disposal.")


def check(b: ArcBatch) -> np.ndarray:
    """No POP at or above its limit, or disposal at an enterprise holding a valid dispose licence."""
    return ~b.f.offer_pop[b.o] | (b.dispose & b.f.ent_dispose_licence[b.ne])


def explain(c: ArcCase) -> Verdict:
    """The POPs found with their fractions, and where they may go."""
    # The per-offer flag is cached; only a flagged offer needs the detail.
    hits = pop_hits(c.offer) if features(c.problem).offer_pop[c.oi] else []
    if not hits:
        return True, bilingual("无达到限值的持久性有机污染物或重点管控新污染物",
                               "no POP / key new pollutant at or above its limit")
    what_zh = "、".join(f"{s.name_zh or s.name_en} {fmt_fraction(v)} ≥ {fmt_fraction(s.threshold_fraction)}"
                       for s, v in hits)
    what = ", ".join(f"{s.name_en} {fmt_fraction(v)} ≥ {fmt_fraction(s.threshold_fraction)}" for s, v in hits)
    disposer = [li for li in c.receiver_licences if valid_disposer(c.problem, li)]
    purpose = c.need.purpose
    if purpose != "dispose":
        return False, bilingual(f"{what_zh}：仅可销毁，但需求用途为{purpose_zh(purpose)}",
                                f"{what}: destruction only, but the need's purpose is {purpose}")
    if not disposer:
        return False, bilingual(f"{what_zh}：仅可销毁，接收方无含处置经营方式的有效许可证",
                                f"{what}: destruction only, and the receiver holds no valid licence with the dispose "
                                "activity")
    number = c.problem.licences[disposer[0]].number
    return True, bilingual(f"{what_zh}：交由持证单位销毁（{number}）",
                           f"{what}: goes to licensed destruction ({number})")


RULE = Rule(SPEC, check, explain, pool_viability=True)
