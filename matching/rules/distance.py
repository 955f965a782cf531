"""DESIGN rule 9, ``distance``: road distance within the need's limit, and for HW within the parks' caps."""
from __future__ import annotations

import math

import numpy as np

from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .text import bilingual, fmt_km, fmt_km_zh

SPEC = RuleSpec(
    "distance", True, "运输距离", "Distance",
    "Road distance within the need's limit, and for HW within the parks' HW haulage caps.")


def check(b: ArcBatch) -> np.ndarray:
    """Within the need's limit and, for HW, the smaller of both parks' HW caps (NaN fails)."""
    cap = np.minimum(b.po.park_hw_max_km[b.o], b.pn.park_hw_max_km[b.n])
    return (b.d <= b.pn.max_distance_km[b.n]) & (~b.hw | (b.d <= cap))


def explain(c: ArcCase) -> Verdict:
    """The distance against the need's limit and, for HW, the park cap."""
    limit = float(c.problem.n.max_distance_km[c.ni])
    good = c.dist <= limit
    sign = '≤' if good else '>'
    zh = f"运输距离 {fmt_km_zh(c.dist)} {sign} {fmt_km_zh(limit)}"
    en = f"distance {fmt_km(c.dist)} {sign} {fmt_km(limit)}"
    if c.hw:
        cap = min(float(c.problem.o.park_hw_max_km[c.oi]), float(c.problem.n.park_hw_max_km[c.ni]))
        if not math.isinf(cap):
            good_cap = c.dist <= cap
            zh += f"；园区危废运输上限 {fmt_km_zh(cap)}{'，符合' if good_cap else '，已超出'}"
            en += f"; park HW haulage cap {fmt_km(cap)} {'met' if good_cap else 'exceeded'}"
            good = good and good_cap
    return bool(good), bilingual(zh, en)


RULE = Rule(SPEC, check, explain, pool_viability=True)
