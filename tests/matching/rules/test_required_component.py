"""DESIGN rule 7, ``required_component``: the need's minimum fractions are hard."""
from __future__ import annotations

from ..builders import build, check, need, offer
from .cases import HANDLER, OIL, PB, PLANT


def wanted_problem(offer_comp, wanted):
    return build([offer("O", PLANT, composition=offer_comp)], [need("N", HANDLER, wanted=wanted)])


def test_required_component_met():
    c = check(wanted_problem({OIL: 0.85}, {OIL: 0.6}), "O", "N", "required_component")
    assert c.passed and "≥ min 60%" in c.detail


def test_required_component_below_or_missing_fails():
    assert not check(wanted_problem({OIL: 0.5}, {OIL: 0.6}), "O", "N", "required_component").passed
    c = check(wanted_problem({PB: 0.5}, {OIL: 0.6}), "O", "N", "required_component")
    assert not c.passed and "not declared" in c.detail
