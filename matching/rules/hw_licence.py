"""DESIGN rule 1, ``hw_licence``: HW goes only to a receiver whose valid licence covers it."""
from __future__ import annotations

import numpy as np

from ..exemptions import EXEMPTION_RULES
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .licensing import coverage, licence_view, lifting

SPEC = RuleSpec(
    "hw_licence", True, "危险废物经营许可证", "HW business licence",
    "An HW offer goes only to a receiver holding a valid licence whose categories or codes cover it and whose "
    "activities fit the need's purpose (utilise for reuse/recycle/co-process/energy, dispose for dispose), "
    "unless an exemption or a point-to-point approval lifts the requirement.")


def check(b: ArcBatch) -> np.ndarray:
    """Not HW, or covered by a licence, or lifted by an approval or an exemption."""
    return ~b.hw | coverage(b).covered | lifting(b).lifted


def explain(c: ArcCase) -> Verdict:
    """The covering licences, the approval or exemption that lifts the requirement, or why none does."""
    if not c.hw:
        return True, "不是危险废物 / not hazardous waste"
    view = licence_view(c)
    if view.covering:
        return True, "; ".join(r for r in view.reasons if r.startswith("licence "))
    if view.approval >= 0:
        ap = c.problem.approvals[view.approval]
        return True, (f"点对点定向利用 / point-to-point approval {ap.number} lifts the licence requirement for "
                      f"{ap.producer} → {ap.receiver}, {ap.waste_code}")
    if view.exemption >= 0:
        rule = EXEMPTION_RULES[view.exemption]
        return True, (f"豁免 / exempted: {rule.label()} ({rule.name_en}) lifts the licence requirement; "
                      f"conditions under 'exemption'")
    head = "receiver holds no HW business licence (无危险废物经营许可证)" if not c.receiver_licences \
        else "no licence of the receiver covers it: " + "; ".join(view.reasons)
    lifted = ("; not exempted: " + "; ".join(view.why_not)) if view.why_not else ""
    return False, f"{head} ({c.offer.waste_code}, purpose {c.need.purpose}){lifted}{view.transport_note}"


RULE = Rule(SPEC, check, explain)
