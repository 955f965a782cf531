"""DESIGN rule 3, ``exemption`` (soft): flags the arcs where an exemption or an approval lifted ``hw_licence``."""
from __future__ import annotations

import numpy as np

from ..exemptions import EXEMPTION_RULES
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .licensing import licence_view, lifting
from .text import bilingual, exemption_label_en, exemption_label_zh

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
        return True, bilingual("无需豁免：不是危险废物", "none needed: not hazardous waste")
    view = licence_view(c)
    note_zh, note_en = view.transport_note
    if view.covering:
        return True, bilingual("无需豁免：已有许可证覆盖" + note_zh, "none needed: a licence covers it" + note_en)
    if view.approval >= 0:
        ap = c.problem.approvals[view.approval]
        until_zh, until_en = ap.valid_to or "长期", ap.valid_to or "open"
        return False, bilingual(
            (f"点对点定向利用批复 {ap.number}（豁免清单第32项），有效期 {ap.valid_from}–{until_zh}："
             f"请核实省级方案的条件（作为替代原料利用，风险可控）"),
            (f"point-to-point approval {ap.number} (exemption list no. 32), valid "
             f"{ap.valid_from}–{until_en}: verify the provincial plan's conditions "
             f"(utilisation as substitute raw material, risk controlled)"))
    if view.exemption >= 0:
        rule = EXEMPTION_RULES[view.exemption]
        return False, bilingual(
            f"{exemption_label_zh(rule)} {rule.name_zh}；条件：{rule.conditions_zh}；由协调员核实",
            f"{exemption_label_en(rule)} {rule.name_en}; conditions: {rule.conditions_en}: coordinator to verify")
    return True, bilingual("无适用的豁免" + note_zh, "no exemption applies" + note_en)


RULE = Rule(SPEC, check, explain)
