"""DESIGN rule 10, ``cross_province_transfer`` (soft): an HW transfer between provinces needs approval."""
from __future__ import annotations

import numpy as np

from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .text import bilingual

SPEC = RuleSpec(
    "cross_province_transfer", False, "跨省转移", "Inter-provincial transfer",
    "An HW transfer between provinces needs provincial approval (flag).")


def check(b: ArcBatch) -> np.ndarray:
    """Not HW, or both ends in the same known province (an unknown province is flagged: check it)."""
    unknown = b.problem.province_index.get("", -1)
    prov_o, prov_n = b.po.province[b.o], b.pn.province[b.n]
    return ~b.hw | ((prov_o == prov_n) & (prov_o != unknown))


def explain(c: ArcCase) -> Verdict:
    """Both provinces, and the approval an inter-provincial transfer needs."""
    p_o, p_n = c.offer.site.province or "", c.need.site.province or ""
    if not c.hw:
        return True, bilingual("不是危险废物", "not hazardous waste")
    if not p_o or not p_n:
        return False, bilingual("省份未知：跨省转移需省级生态环境部门审批，请核实",
                                "province unknown: an inter-provincial transfer needs provincial approval, check")
    if p_o != p_n:
        return False, bilingual(f"跨省转移需省级生态环境部门审批（{p_o} → {p_n}）",
                                f"inter-provincial transfer needs provincial approval ({p_o} → {p_n})")
    return True, bilingual(f"同一省份（{p_o}）", f"same province ({p_o})")


RULE = Rule(SPEC, check, explain)
