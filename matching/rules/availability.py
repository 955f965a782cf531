"""DESIGN rule 11, ``availability``: offer and need periods overlap."""
from __future__ import annotations

import numpy as np

from ..problem import DAY_MAX, DAY_MIN
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .text import bilingual, fmt_day, fmt_day_zh

SPEC = RuleSpec("availability", True, "供需时间", "Availability", "Offer and need periods overlap.")


def check(b: ArcBatch) -> np.ndarray:
    """The later start is on or before the earlier end (open ends are far dates)."""
    return np.maximum(b.po.available_from[b.o], b.pn.available_from[b.n]) \
        <= np.minimum(b.po.available_to[b.o], b.pn.available_to[b.n])


def explain(c: ArcCase) -> Verdict:
    """Both periods and whether they overlap."""
    offer, need = c.offer, c.need
    of = offer.available_from.toordinal() if offer.available_from else DAY_MIN
    ot = offer.available_to.toordinal() if offer.available_to else DAY_MAX
    nf = need.available_from.toordinal() if need.available_from else DAY_MIN
    nt = need.available_to.toordinal() if need.available_to else DAY_MAX
    good = max(of, nf) <= min(ot, nt)
    return good, bilingual(
        f"供给 {fmt_day_zh(of)}–{fmt_day_zh(ot)}，需求 {fmt_day_zh(nf)}–{fmt_day_zh(nt)}：{'时间重叠' if good else '时间不重叠'}",
        f"offer {fmt_day(of)}–{fmt_day(ot)}, need {fmt_day(nf)}–{fmt_day(nt)}: {'overlap' if good else 'no overlap'}")


RULE = Rule(SPEC, check, explain, pool_viability=True)
