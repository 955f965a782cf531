"""DESIGN rule 7, ``required_component``: the need's ``wanted`` (min fraction per substance) are hard.

Declared at or above the minimum passes, below fails. A wanted substance the offer does
not declare fails when the offer declares a composition (the holder listed what the
material is, and the wanted substance is not among it: usually not that material at all,
and a report would not make it so), and is *unknown* only when the offer declares no
composition whatever: then nothing is known either way
and an analysis report decides. Unknown is not passed: the arc is blocked like a failure.
"""
from __future__ import annotations

import numpy as np

from .arrays import all_per_arc
from .base import UNKNOWN, ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .features import substance_bounds
from .text import fmt_fraction, joined, substance_name, substance_name_zh

SPEC = RuleSpec(
    "required_component", True, "必需组分", "Required components",
    "Every substance the need wants is declared in the offer at or above its minimum fraction (unknown when the "
    "offer declares no composition at all).")


def _undecided(b: ArcBatch) -> np.ndarray:
    """Per arc: the offer declares no component at all."""
    return ~b.f.offer_declared[b.o]


def outcome(b: ArcBatch) -> tuple[np.ndarray, np.ndarray]:
    """(passed, unknown) per arc: a shared stage, so ``check`` and ``unknown`` compute it once."""
    arc, declared, value, minimum = substance_bounds(b.problem, b.f, b.o, b.n, b.pn.wanted)
    met = all_per_arc(b.size, arc, declared & (value >= minimum))
    # an offer declaring nothing declares no wanted substance: every unmet arc of it is undecided
    unknown = ~met & _undecided(b)
    return met, unknown


def check(b: ArcBatch) -> np.ndarray:
    """Every wanted substance declared at or above its minimum."""
    return b.shared(outcome)[0]


def unknown(b: ArcBatch) -> np.ndarray:
    """A wanted substance, and the offer declares no composition at all."""
    return b.shared(outcome)[1]


def explain(c: ArcCase) -> Verdict:
    """Each wanted substance: its declared fraction against the minimum, or why it is missing or unknown."""
    offer, need = c.offer, c.need
    undecided = not offer.composition
    parts, ok = [], True
    for key, mn in need.wanted.items():
        name, low = substance_name(key, need, offer), fmt_fraction(mn)
        name_zh = substance_name_zh(key, need, offer)  # the Chinese half names it in Chinese, else by CAS
        if key not in offer.composition:
            ok = False
            if undecided:
                parts.append((f"{name_zh} 未申报（供给未申报任何成分），需提供检测报告（需 ≥ {low}）",
                              (f"{name} not declared (the offer declares no composition): needs an analysis report "
                               f"(needs ≥ {low})")))
            else:
                parts.append((f"{name_zh} 未申报（供给已申报成分，其中没有该物质；需 ≥ {low}）",
                              (f"{name} not declared (the offer's declared composition does not include it; "
                               f"needs ≥ {low})")))
            continue
        v = float(offer.composition[key])
        good = v >= mn
        ok &= good
        sign = "≥" if good else "<"
        parts.append((f"{name_zh} {fmt_fraction(v)} {sign} 最低 {low}", f"{name} {fmt_fraction(v)} {sign} min {low}"))
    passed = True if ok else (UNKNOWN if undecided else False)
    return passed, joined(parts, ("需求未要求特定组分", "the need wants no particular component"))


RULE = Rule(SPEC, check, explain, pool_viability=True, unknown=unknown)
