"""DESIGN rule 1, ``hw_licence``: HW goes only to a receiver whose valid licence covers it."""
from __future__ import annotations

import numpy as np

from ..exemptions import EXEMPTION_RULES
from . import stream_permit
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .licensing import coverage, licence_view, lifting
from .text import bilingual, exemption_label_en, exemption_label_zh, joined, purpose_zh

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
        if stream_permit.requirement(c.offer) in (stream_permit.HW_ANY, stream_permit.HW_DISPOSE):
            # Household hazardous waste, pesticide packaging, a hazardous offer without a code: no code to check here.
            return True, bilingual("无危险废物代码：所需许可证见“建筑垃圾、生活垃圾接收许可”检查",
                                   "no HW code: the licence it needs is checked under stream_permit")
        return True, bilingual("不是危险废物", "not hazardous waste")
    view = licence_view(c)
    if view.covering:
        return True, joined(list(view.covered), ("", ""))
    if view.approval >= 0:
        ap = c.problem.approvals[view.approval]
        return True, bilingual(
            f"点对点定向利用批复 {ap.number} 免除许可证要求：{ap.producer} → {ap.receiver}，{ap.waste_code}",
            (f"point-to-point approval {ap.number} lifts the licence requirement for "
             f"{ap.producer} → {ap.receiver}, {ap.waste_code}"))
    if view.exemption >= 0:
        rule = EXEMPTION_RULES[view.exemption]
        return True, bilingual(
            f"豁免：{exemption_label_zh(rule)}（{rule.name_zh}）免除许可证要求；条件见“豁免管理”",
            (f"exempted: {exemption_label_en(rule)} ({rule.name_en}) lifts the licence requirement; "
             f"conditions under 'exemption'"))
    code, purpose = c.offer.waste_code, c.need.purpose
    if not c.receiver_licences:
        head = ("接收方无危险废物经营许可证", "receiver holds no HW business licence")
    else:
        head = ("接收方的许可证均不覆盖：" + "；".join(zh for zh, _ in view.reasons),
                "no licence of the receiver covers it: " + "; ".join(en for _, en in view.reasons))
    lifted = (("；未获豁免：" + "；".join(zh for zh, _ in view.why_not),
               "; not exempted: " + "; ".join(en for _, en in view.why_not)) if view.why_not else ("", ""))
    note_zh, note_en = view.transport_note
    return False, bilingual(f"{head[0]}（{code}，用途 {purpose_zh(purpose)}）{lifted[0]}{note_zh}",
                            f"{head[1]} ({code}, purpose {purpose}){lifted[1]}{note_en}")


RULE = Rule(SPEC, check, explain)
