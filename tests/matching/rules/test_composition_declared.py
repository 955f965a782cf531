"""``composition_declared`` (soft): a hazardous offer without a composition is flagged, needs an analysis report."""
from __future__ import annotations

from ..builders import build, checked, evaluated, licence, need, offer
from .cases import HANDLER, OIL, PB, PLANT

HW_OIL = "900-249-08"


def problem(*offers, limits=None):
    return build(list(offers), [need("N", HANDLER, limits=limits or {})],
                 [licence("L", "HANDLER", categories=["HW08"])])


def test_hazardous_offer_without_composition_is_flagged_unknown():
    p = problem(offer("O", PLANT, code=HW_OIL))
    c = checked(p, evaluated(p), "O", "N")["composition_declared"]
    assert not c.hard and not c.passed and c.unknown and c.status == "unknown"
    assert c.detail == ("危险废物未申报成分，需提供检测报告 / hazardous waste without a declared composition: "
                        "needs an analysis report")


def test_the_flag_does_not_block_but_the_limits_it_meets_are_unknown():
    p = problem(offer("O", PLANT, code=HW_OIL), limits={PB: 0.001})
    arcs = evaluated(p)
    checks = checked(p, arcs, "O", "N")
    assert checks["hw_licence"].passed  # the licensed handler could take it …
    assert checks["contaminant_limit"].unknown  # … but the need's lead limit is not decided
    assert not arcs.failed_hard(("contaminant_limit",))[0] and not arcs.passed_hard(("contaminant_limit",))[0]
    assert arcs.any_unknown().tolist() == [True]


def test_declared_or_non_hazardous_offers_pass():
    p = problem(offer("O", PLANT, code=HW_OIL, composition={OIL: 0.8}), offer("G", PLANT))
    arcs = evaluated(p)
    declared, general = checked(p, arcs, "O", "N")["composition_declared"], checked(p, arcs, "G", "N")[
        "composition_declared"]
    assert declared.passed and declared.detail == "已申报 1 种成分 / 1 component declared"
    assert general.passed and general.detail == "非危险废物 / not hazardous waste"
    # a completeness flag on no component at all declares nothing
    p = problem(offer("O", PLANT, code=HW_OIL, complete=True))
    assert checked(p, evaluated(p), "O", "N")["composition_declared"].unknown
