"""DESIGN rule 6, ``contaminant_limit``: the need's ``limits`` (max fraction per substance) are hard.

Unknown is not zero: a limited substance passes only on what the offer declares. Declared
at or below the limit passes, above fails; not declared passes as 0 only when the offer's
composition is complete (``features.composition_is_complete``: the holder says so, or the
declared fractions sum to 0.999); otherwise the check is *unknown*: not passed (the arc is
blocked like a failure) and the detail asks for an analysis report. A substance declared
above its limit fails the arc outright even when another limited substance is unknown: no
report can lift that.
"""
from __future__ import annotations

import numpy as np

from .arrays import all_per_arc
from .base import UNKNOWN, ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .features import composition_is_complete, substance_bounds
from .text import fmt_fraction, joined, substance_name, substance_name_zh

SPEC = RuleSpec(
    "contaminant_limit", True, "杂质限值", "Contaminant limits",
    "Every substance the need limits is declared in the offer at or below its maximum fraction (an undeclared "
    "one counts as 0 only on a composition declared complete; otherwise the check is unknown).")

REPORT_ZH, REPORT_EN = "需提供检测报告", "needs an analysis report"


def outcome(b: ArcBatch) -> tuple[np.ndarray, np.ndarray]:
    """(passed, unknown) per arc: a shared stage, so ``check`` and ``unknown`` compute it once."""
    arc, declared, value, limit = substance_bounds(b.problem, b.f, b.o, b.n, b.pn.limits)
    over = declared & (value > limit)
    undecided = ~declared & ~b.f.offer_complete[b.o[arc]]
    failed = ~all_per_arc(b.size, arc, ~over)
    unknown = ~failed & ~all_per_arc(b.size, arc, ~undecided)
    return ~failed & ~unknown, unknown


def check(b: ArcBatch) -> np.ndarray:
    """Every limited substance declared at or below its limit, or undeclared on a complete composition."""
    return b.shared(outcome)[0]


def unknown(b: ArcBatch) -> np.ndarray:
    """No limited substance declared above its limit, but one undeclared on an incomplete composition."""
    return b.shared(outcome)[1]


def explain(c: ArcCase) -> Verdict:
    """Each limited substance: its declared fraction against the limit, or why it is taken as 0 or unknown."""
    offer, need = c.offer, c.need
    complete = composition_is_complete(offer)
    parts, failed, undecided = [], False, False
    for key, mx in need.limits.items():
        name, lim = substance_name(key, need, offer), fmt_fraction(mx)
        name_zh = substance_name_zh(key, need, offer)  # the Chinese half names it in Chinese, else by CAS
        label = name if name == key or key.startswith("name:") else f"{name} {key}"
        label_zh = name_zh if name_zh == key or key.startswith("name:") else f"{name_zh} {key}"
        if key in offer.composition:
            v = float(offer.composition[key])
            good = v <= mx
            failed |= not good
            sign = "≤" if good else ">"
            parts.append((f"{name_zh} {fmt_fraction(v)} {sign} 限值 {lim}",
                          f"{name} {fmt_fraction(v)} {sign} limit {lim}"))
        elif complete:
            parts.append((f"{label_zh} 未申报，成分已声明完整，按 0 计 ≤ 限值 {lim}",
                          f"{label} not declared, composition declared complete: 0 ≤ limit {lim}"))
        else:
            undecided = True
            parts.append((f"{label_zh} 未申报，{REPORT_ZH}（限值 {lim}）",
                          f"{label} not declared: {REPORT_EN} (limit {lim})"))
    passed = False if failed else (UNKNOWN if undecided else True)
    return passed, joined(parts, ("需求未设杂质限值", "the need sets no limits"))


RULE = Rule(SPEC, check, explain, pool_viability=True, unknown=unknown)
