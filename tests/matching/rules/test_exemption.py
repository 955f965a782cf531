"""DESIGN rule 3, ``exemption``: the exemption list and point-to-point approvals lift ``hw_licence``, flagged."""
from __future__ import annotations

from ..builders import TODAY, approval, arc_index, build, check, checked, days, evaluated, licence, need, offer, site
from .cases import HANDLER, MAKER, NACN, PB, PLANT, RECYCLER, SMELTER, WWTP, acid_offer, idx, oil_problem


def test_exemption_not_needed_for_non_hw_or_licensed():
    p = build([offer("X", PLANT)], [need("N", HANDLER)])
    c = check(p, "X", "N", "exemption")
    assert c.passed and "none needed" in c.detail
    c = check(oil_problem(licence("L", "HANDLER", categories=["HW08"])), "O", "N", "exemption")
    assert c.passed and "none needed" in c.detail


def test_spent_acid_as_raw_material_is_exempted_and_flagged():
    p = build([acid_offer()], [need("N", MAKER)])
    arcs = evaluated(p)
    cs = checked(p, arcs, "A", "N")
    assert cs["hw_licence"].passed and "exemption list no. 20" in cs["hw_licence"].detail
    assert not cs["exemption"].passed and "生产原料" in cs["exemption"].detail
    assert cs["licence_capacity"].passed
    k = arc_index(p, arcs, "A", "N")
    assert arcs.exemption[k] == idx("20-acid-raw-material") and arcs.licence[k] == -1 and arcs.approval[k] == -1


def test_spent_acid_as_neutraliser_at_wastewater_plant():
    p = build([acid_offer()], [need("N", WWTP)])
    arcs = evaluated(p)
    assert checked(p, arcs, "A", "N")["hw_licence"].passed
    assert arcs.exemption[0] == idx("20-acid-neutraliser")


def test_spent_acid_exemption_conditions_block_when_not_met():
    # lead above the neutraliser threshold (a tenth of GB 5085.3 / plant standard)
    p = build([acid_offer(**{PB: 1e-6})], [need("N", WWTP)])
    c = check(p, "A", "N", "hw_licence")
    assert not c.passed and "not exempted" in c.detail
    # the same acid may still be a raw material (below the GB 5085.3 limit itself)
    assert check(build([acid_offer(**{PB: 1e-6})], [need("N", MAKER)]), "A", "N", "hw_licence").passed
    # a cyanide in it: not "corrosivity only"
    assert not check(build([acid_offer(**{NACN: 0.001})], [need("N", MAKER)]), "A", "N", "hw_licence").passed
    # the exemption is for utilisation, not disposal, and not for any receiver
    assert not check(build([acid_offer()], [need("N", MAKER, purpose="dispose")]), "A", "N", "hw_licence").passed
    assert not check(build([acid_offer()], [need("N", site("SHOP", industry="5211"))]), "A", "N",
                     "hw_licence").passed
    assert not check(build([acid_offer()], [need("N", site("ANON"))]), "A", "N", "hw_licence").passed


def test_nitric_acid_with_oxidiser_group_is_not_only_corrosive():
    nitric = offer("A", PLANT, code="900-306-34", composition={"7697-37-2": 0.1})
    assert not check(build([nitric], [need("N", MAKER)]), "A", "N", "hw_licence").passed


def test_oil_drum_exemption_needs_solid_drums_at_a_smelter():
    drums = offer("D", PLANT, form="solid", code="900-249-08", title_zh="废铁质油桶（已压块）")
    oil = offer("W", PLANT, form="liquid", code="900-249-08", title_zh="废油")
    p = build([drums, oil], [need("S", SMELTER, forms=["solid", "liquid"]),
                             need("R", RECYCLER, forms=["solid", "liquid"])])
    arcs = evaluated(p)
    assert check(p, "D", "S", "hw_licence", arcs).passed
    assert not check(p, "D", "S", "exemption", arcs).passed
    assert not check(p, "W", "S", "hw_licence", arcs).passed
    assert not check(p, "D", "R", "hw_licence", arcs).passed  # scrap yard: not smelting


def test_transport_only_exemption_does_not_lift_licence():
    batteries = offer("B", PLANT, form="solid", code="900-052-31", title="intact lead-acid batteries")
    p = build([batteries], [need("N", site("PB", industry="3212"), forms=["solid"])])
    cs = checked(p, evaluated(p), "B", "N")
    assert not cs["hw_licence"].passed
    assert "no. 18" in cs["hw_licence"].detail and "transport-only" in cs["hw_licence"].detail
    assert cs["exemption"].passed and "no. 18" in cs["exemption"].detail


def test_licence_takes_precedence_over_exemption():
    p = build([acid_offer()], [need("N", MAKER)], [licence("L34", "MAKER", categories=["HW34"])])
    arcs = evaluated(p)
    cs = checked(p, arcs, "A", "N")
    assert cs["hw_licence"].passed and cs["exemption"].passed and arcs.exemption[0] == -1 and arcs.licence[0] == 0


def p2p_problem(*apps, purpose="recycle"):
    other = site("OTHER", industry="2614", lat=31.31)
    offers = [offer("A", PLANT, code="261-057-34", composition={"7664-39-3": 0.1}),
              offer("B", other, code="261-057-34", composition={"7664-39-3": 0.1}),
              offer("C", PLANT, code="261-058-34", composition={"7664-39-3": 0.1})]
    return build(offers, [need("N", site("USER", industry="3041", lat=31.33), purpose=purpose)], [], list(apps))


def test_point_to_point_approval_lifts_only_its_pair_and_code():
    p = p2p_problem(approval("SU-P2P-7", "PLANT", "USER", "261-057-34"))
    arcs = evaluated(p)
    cs = checked(p, arcs, "A", "N")
    assert cs["hw_licence"].passed and "SU-P2P-7" in cs["hw_licence"].detail
    assert not cs["exemption"].passed and "SU-P2P-7" in cs["exemption"].detail
    k = arc_index(p, arcs, "A", "N")
    assert arcs.exemption[k] == -2 and arcs.approval[k] == 0 and arcs.licence[k] == -1
    assert cs["licence_capacity"].passed
    assert not check(p, "B", "N", "hw_licence", arcs).passed  # another producer
    assert not check(p, "C", "N", "hw_licence", arcs).passed  # another code


def test_point_to_point_approval_only_while_valid_and_for_utilisation():
    expired = approval("OLD", "PLANT", "USER", "261-057-34", valid_from=days(-400), valid_to=days(-1))
    future = approval("NEW", "PLANT", "USER", "261-057-34", valid_from=days(1))
    assert not check(p2p_problem(expired), "A", "N", "hw_licence").passed
    assert not check(p2p_problem(future), "A", "N", "hw_licence").passed
    assert check(p2p_problem(approval("LAST", "PLANT", "USER", "261-057-34", valid_to=TODAY)), "A", "N",
                 "hw_licence").passed
    valid = approval("OK", "PLANT", "USER", "261-057-34")
    assert not check(p2p_problem(valid, purpose="dispose"), "A", "N", "hw_licence").passed
    assert not check(p2p_problem(valid, purpose="recover_energy"), "A", "N", "hw_licence").passed
    # an approval in the other direction does not count
    assert not check(p2p_problem(approval("REV", "USER", "PLANT", "261-057-34")), "A", "N", "hw_licence").passed
