"""DESIGN rule 7, ``required_component``: the need's minimum fractions are hard.

A wanted substance missing from a declared composition fails (the material is not what the
need wants); it is unknown only when the offer declares no composition at all.
"""
from __future__ import annotations

from ..builders import build, check, need, offer
from .cases import HANDLER, OIL, PB, PLANT


def wanted_problem(offer_comp, wanted, *, complete=False):
    return build([offer("O", PLANT, composition=offer_comp, complete=complete)],
                 [need("N", HANDLER, wanted=wanted, names={OIL: "base oil"})])


def test_required_component_met():
    c = check(wanted_problem({OIL: 0.85}, {OIL: 0.6}), "O", "N", "required_component")
    assert c.passed and c.status == "passed" and "≥ min 60%" in c.detail and "≥ 最低 60%" in c.detail


def test_required_component_below_fails():
    c = check(wanted_problem({OIL: 0.5}, {OIL: 0.6}), "O", "N", "required_component")
    assert c.status == "failed" and c.detail == "基础油 50% < 最低 60% / base oil 50% < min 60%"


def test_missing_component_from_a_declared_composition_fails():
    c = check(wanted_problem({PB: 0.5}, {OIL: 0.6}), "O", "N", "required_component")
    assert c.status == "failed" and "not declared (the offer's declared composition does not include it" in c.detail


def test_missing_component_from_a_complete_composition_fails():
    c = check(wanted_problem({PB: 0.5}, {OIL: 0.6}, complete=True), "O", "N", "required_component")
    assert c.status == "failed" and not c.unknown


def test_missing_composition_is_unknown():
    c = check(wanted_problem({}, {OIL: 0.6}), "O", "N", "required_component")
    assert c.status == "unknown" and not c.passed
    assert c.detail == ("基础油 未申报（供给未申报任何成分），需提供检测报告（需 ≥ 60%） / base oil not declared "
                        "(the offer declares no composition): needs an analysis report (needs ≥ 60%)")


def test_no_wanted_passes_whatever_is_declared():
    assert check(wanted_problem({}, {}), "O", "N", "required_component").passed
