"""DESIGN rule 3, ``exemption`` (soft): flags the arcs where an exemption or an approval lifted ``hw_licence``."""
from __future__ import annotations

import numpy as np

from ..exemptions import EXEMPTION_RULES
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .licensing import licence_view, lifting

SPEC = RuleSpec(
    "exemption", False, "豁免管理", "Exemption",
    "Flags arcs where an exemption-list entry or a point-to-point approval lifted the licence requirement: its "
    "conditions must be verified by the coordinator.")


def check(b: ArcBatch) -> np.ndarray:
    """Passes unless something lifted the licence requirement (then the coordinator verifies it)."""
    return ~lifting(b).lifted


def explain(c: ArcCase) -> Verdict:
    """The approval or exemption row and the conditions to verify, or why none is needed."""
    if not c.hw:
        return True, "none needed: not hazardous waste"
    view = licence_view(c)
    if view.covering:
        return True, "none needed: a licence covers it" + view.transport_note
    if view.approval >= 0:
        ap = c.problem.approvals[view.approval]
        return False, (f"point-to-point approval {ap.number} (exemption list no. 32), valid "
                       f"{ap.valid_from}–{ap.valid_to or 'open'}: verify the provincial plan's conditions "
                       f"(utilisation as substitute raw material, risk controlled)")
    if view.exemption >= 0:
        rule = EXEMPTION_RULES[view.exemption]
        return False, (f"{rule.label()} {rule.name_zh} / {rule.name_en}; 条件 conditions: "
                       f"{rule.conditions_zh} / {rule.conditions_en} — coordinator to verify")
    return True, "no exemption applies" + view.transport_note


RULE = Rule(SPEC, check, explain)
