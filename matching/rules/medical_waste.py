"""DESIGN rule 5, ``medical_waste``: HW01 goes only to disposal under a licence covering it."""
from __future__ import annotations

import numpy as np

from catalog.waste_codes import is_hw_code

from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .licensing import DISPOSAL, coverage, licence_verdict, valid_disposer
from .text import bilingual, purpose_zh
from .vocabulary import DISPOSE_BIT

SPEC = RuleSpec(
    "medical_waste", True, "医疗废物", "Medical waste",
    "HW01 goes only to disposal under a valid licence covering HW01 with the dispose activity.")


def check(b: ArcBatch) -> np.ndarray:
    """Not HW01, or disposal under a comprehensive licence covering it (== coverage for dispose needs)."""
    cov = coverage(b)
    med_ok = np.zeros(b.size, dtype=bool)
    med_ok[cov.arc[cov.scope & ~cov.collection & ((cov.activities & DISPOSE_BIT) != 0)]] = True
    return (b.po.category[b.o] != 1) | ~b.hw | (b.dispose & med_ok)


def explain(c: ArcCase) -> Verdict:
    """The disposal licence HW01 goes under, or why it may not go here."""
    offer = c.offer
    if not (is_hw_code(offer.waste_code or "") and offer.waste_code.endswith("-01")):
        return True, bilingual("不是医疗废物（HW01）", "not medical waste (HW01)")
    med = [li for li in c.receiver_licences if valid_disposer(c.problem, li)
           and licence_verdict(c.problem, li, offer, DISPOSAL, False)[0]]
    purpose = c.need.purpose
    if purpose != "dispose":
        return False, bilingual(f"HW01 仅可交由持证单位处置；需求用途为{purpose_zh(purpose)}",
                                f"HW01 only to licensed disposal; purpose is {purpose}")
    if not med:
        return False, bilingual("HW01 仅可交由持证单位处置；无覆盖 HW01 且含处置经营方式的有效许可证",
                                "HW01 only to licensed disposal; no valid licence covers HW01 with dispose")
    number = c.problem.licences[med[0]].number
    return True, bilingual(f"HW01 交由持证单位处置（{number}）", f"HW01 to licensed disposal ({number})")


RULE = Rule(SPEC, check, explain, pool_viability=True)
