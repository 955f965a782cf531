"""DESIGN rule 6, ``contaminant_limit``: the need's maximum fractions are hard."""
from __future__ import annotations

from ..builders import build, check, need, offer
from .cases import HANDLER, OIL, PB, PLANT


def limit_problem(offer_comp, limits):
    return build([offer("O", PLANT, composition=offer_comp, names={PB: "Pb"})],
                 [need("N", HANDLER, limits=limits, names={PB: "Pb"})])


def test_contaminant_above_limit_fails_with_detail():
    c = check(limit_problem({PB: 0.003}, {PB: 0.001}), "O", "N", "contaminant_limit")
    assert not c.passed and c.detail == "Pb 0.3% > limit 0.1%"


def test_contaminant_at_or_below_limit_passes():
    assert check(limit_problem({PB: 0.001}, {PB: 0.001}), "O", "N", "contaminant_limit").passed
    assert check(limit_problem({PB: 0.0005}, {PB: 0.001}), "O", "N", "contaminant_limit").passed


def test_undeclared_contaminant_counts_as_zero():
    c = check(limit_problem({OIL: 0.9}, {PB: 0.001}), "O", "N", "contaminant_limit")
    assert c.passed and "not declared" in c.detail


def test_limit_of_zero_is_meaningful():
    p = limit_problem({PB: 1e-9}, {PB: 0.0})
    assert p.n.limits.nnz == 1 and p.n.limits.data.tolist() == [0.0]  # the explicit zero is stored
    assert not check(p, "O", "N", "contaminant_limit").passed
    assert check(limit_problem({OIL: 0.9}, {PB: 0.0}), "O", "N", "contaminant_limit").passed
    assert check(limit_problem({PB: 0.0}, {PB: 0.0}), "O", "N", "contaminant_limit").passed


def test_no_limits_passes():
    assert check(limit_problem({PB: 0.5}, {}), "O", "N", "contaminant_limit").passed
