"""DESIGN rule 6, ``contaminant_limit``: the need's maximum fractions are hard, and unknown is not zero.

A limited substance passes only on what the offer declares, or as 0 on a composition declared
complete (by the holder, or by fractions summing to 0.999); otherwise the check is unknown:
not passed, and the detail asks for an analysis report in both languages.
"""
from __future__ import annotations

from matching.rules.features import composition_is_complete

from ..builders import build, check, evaluated, need, offer
from .cases import H2SO4, HANDLER, OIL, PB, PLANT


def limit_problem(offer_comp, limits, *, complete=False, code=None):
    return build([offer("O", PLANT, composition=offer_comp, names={PB: "Pb"}, complete=complete, code=code)],
                 [need("N", HANDLER, limits=limits, names={PB: "Pb"})])


def test_contaminant_above_limit_fails_with_detail():
    c = check(limit_problem({PB: 0.003}, {PB: 0.001}), "O", "N", "contaminant_limit")
    assert not c.passed and not c.unknown and c.status == "failed"
    assert c.detail == "铅 0.3% > 限值 0.1% / Pb 0.3% > limit 0.1%"  # the Chinese half: the Chinese name


def test_contaminant_at_or_below_limit_passes():
    for fraction in (0.001, 0.0005):
        c = check(limit_problem({PB: fraction}, {PB: 0.001}), "O", "N", "contaminant_limit")
        assert c.passed and c.status == "passed" and "≤ limit 0.1%" in c.detail


def test_missing_composition_is_unknown_not_zero():
    # the case: a lead limit and an offer declaring nothing at all
    c = check(limit_problem({}, {PB: 0.001}), "O", "N", "contaminant_limit")
    assert not c.passed and c.unknown and c.status == "unknown"
    assert c.detail == ("铅 7439-92-1 未申报，需提供检测报告（限值 0.1%） / "
                        "Pb 7439-92-1 not declared: needs an analysis report (limit 0.1%)")


def test_missing_component_on_an_incomplete_composition_is_unknown():
    c = check(limit_problem({OIL: 0.9}, {PB: 0.001}), "O", "N", "contaminant_limit")
    assert c.unknown and not c.passed and "not declared: needs an analysis report" in c.detail


def test_missing_component_on_a_complete_composition_counts_as_zero():
    c = check(limit_problem({OIL: 0.9}, {PB: 0.001}, complete=True), "O", "N", "contaminant_limit")
    assert c.passed and not c.unknown
    assert "composition declared complete: 0 ≤ limit 0.1%" in c.detail and "成分已声明完整" in c.detail


def test_fractions_summing_to_0999_are_a_complete_composition():
    assert composition_is_complete(offer("O", PLANT, composition={OIL: 0.9, H2SO4: 0.099}))
    assert not composition_is_complete(offer("O", PLANT, composition={OIL: 0.9, H2SO4: 0.098}))
    # the holder's word on no component at all declares nothing
    assert not composition_is_complete(offer("O", PLANT, complete=True))
    assert check(limit_problem({OIL: 0.9, H2SO4: 0.099}, {PB: 0.001}), "O", "N", "contaminant_limit").passed
    assert check(limit_problem({OIL: 0.9, H2SO4: 0.098}, {PB: 0.001}), "O", "N", "contaminant_limit").unknown
    assert check(limit_problem({}, {PB: 0.001}, complete=True), "O", "N", "contaminant_limit").unknown


def test_a_declared_excess_fails_even_beside_an_unknown():
    p = build([offer("O", PLANT, composition={PB: 0.01}, names={PB: "Pb"})],
              [need("N", HANDLER, limits={PB: 0.001, H2SO4: 0.05})])
    c = check(p, "O", "N", "contaminant_limit")
    assert not c.passed and not c.unknown  # no report can lift a declared excess
    assert "Pb 1% > limit 0.1%" in c.detail and "7664-93-9 not declared: needs an analysis report" in c.detail


def test_limit_of_zero_is_meaningful():
    p = limit_problem({PB: 1e-9}, {PB: 0.0})
    assert p.n.limits.nnz == 1 and p.n.limits.data.tolist() == [0.0]  # the explicit zero is stored
    assert not check(p, "O", "N", "contaminant_limit").passed
    assert check(limit_problem({OIL: 0.9}, {PB: 0.0}, complete=True), "O", "N", "contaminant_limit").passed
    assert check(limit_problem({PB: 0.0}, {PB: 0.0}), "O", "N", "contaminant_limit").passed


def test_no_limits_passes():
    c = check(limit_problem({PB: 0.5}, {}), "O", "N", "contaminant_limit")
    assert c.passed and c.detail == "需求未设杂质限值 / the need sets no limits"
    assert check(limit_problem({}, {}), "O", "N", "contaminant_limit").passed


def test_unknown_arcs_are_marked_in_the_vectorised_columns():
    p = build([offer("D", PLANT, composition={PB: 0.0005}), offer("E", PLANT),
               offer("F", PLANT, composition={OIL: 0.5}, complete=True), offer("G", PLANT, composition={PB: 0.5})],
              [need("N", HANDLER, limits={PB: 0.001})])
    arcs = evaluated(p)
    assert arcs.checks["contaminant_limit"].tolist() == [True, False, True, False]
    assert arcs.unknown["contaminant_limit"].tolist() == [False, True, False, False]
    assert arcs.failed_hard(("contaminant_limit",)).tolist() == [False, False, False, True]
