"""The 13 checks of DESIGN on tiny problems: each feasible and infeasible, and explain == evaluate.

Every test goes through ``builders.check``/``checked``, which also asserts that the
scalar ``explain`` agrees with the vectorised ``evaluate_rules`` on every check and on
the licence/exemption/approval columns of the arc.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.reactivity import ACID, CYANIDE
from matching.arcs import Arcs
from matching.exemptions import EXEMPTION_RULES
from matching.problem import FORMS, PURPOSES
from matching.rules import (
    HARD_CODES,
    RULES,
    SOFT_CODES,
    _explain_arc,
    conflicting_offer_pairs,
    evaluate_rules,
    explain,
    incompatible,
    reactivity_groups,
)

from .builders import (
    TODAY,
    all_arcs,
    approval,
    arc_index,
    build,
    check,
    checked,
    days,
    evaluated,
    licence,
    need,
    offer,
    site,
)

OIL = "64742-54-7"
PB = "7439-92-1"
PFOS = "1763-23-1"
H2SO4 = "7664-93-9"
NACN = "143-33-9"

GARAGE = site("GARAGE", industry="8111")
PLANT = site("PLANT", industry="2614", lat=31.32)  # chemical plant, produces industrial wastes
HANDLER = site("HANDLER", industry="7724", lat=31.35)  # licensed HW treatment
MAKER = site("MAKER", industry="2611", lat=31.33)  # inorganic acid maker: raw-material user
WWTP = site("WWTP", industry="4620", lat=31.31)  # industrial wastewater plant
SMELTER = site("SMELTER", industry="3120", lat=31.34)
RECYCLER = site("RECYCLER", industry="4210", lat=31.36)


def idx(code: str) -> int:
    return next(i for i, r in enumerate(EXEMPTION_RULES) if r.key == code)


# --- rule table --------------------------------------------------------------------------

def test_thirteen_rules_in_design_order():
    assert [r.code for r in RULES] == [
        "hw_licence", "licence_capacity", "exemption", "pops_destruction_only", "medical_waste",
        "contaminant_limit", "required_component", "form", "distance", "cross_province_transfer",
        "availability", "self_match", "incompatible_mix"]
    assert SOFT_CODES == ("exemption", "cross_province_transfer")
    assert set(HARD_CODES) == {r.code for r in RULES} - set(SOFT_CODES)
    assert all(r.name_zh and r.name_en and r.description for r in RULES)


def test_every_code_is_filled_for_every_arc():
    p = build([offer("O", GARAGE, code="900-214-08"), offer("X", PLANT)], [need("N", HANDLER), need("M", PLANT)],
              [licence("L", "HANDLER", categories=["HW08"])])
    arcs = evaluated(p)
    assert set(arcs.checks) == {r.code for r in RULES}
    assert all(v.dtype == bool and v.shape == (4,) for v in arcs.checks.values())
    assert arcs.licence.dtype == arcs.exemption.dtype == arcs.approval.dtype == np.int64
    for k in range(len(arcs)):
        assert [c.code for c in explain(p, arcs, k)] == [r.code for r in RULES]


# --- 1 hw_licence ------------------------------------------------------------------------------

def oil_problem(*lics, offer_site=GARAGE, code="900-214-08", purpose="recycle"):
    return build([offer("O", offer_site, code=code, composition={OIL: 0.9})],
                 [need("N", HANDLER, purpose=purpose)], list(lics))


def test_non_hw_passes():
    p = build([offer("O", PLANT, composition={OIL: 0.9})], [need("N", HANDLER)])
    c = check(p, "O", "N", "hw_licence")
    assert c.passed and "not hazardous waste" in c.detail


def test_licence_by_category_passes_and_names_licence():
    p = oil_problem(licence("JS-HW-0012", "HANDLER", categories=["HW08"], activities=["utilise"],
                            valid_to=dt.date(2029, 12, 31)))
    c = check(p, "O", "N", "hw_licence")
    assert c.passed
    assert "JS-HW-0012" in c.detail and "HW08" in c.detail and "utilise" in c.detail and "2029-12-31" in c.detail


def test_no_licence_fails():
    c = check(oil_problem(), "O", "N", "hw_licence")
    assert not c.passed and "no HW business licence" in c.detail


def test_expired_and_future_licences_fail():
    expired = licence("OLD", "HANDLER", categories=["HW08"], valid_from=days(-800), valid_to=days(-1))
    c = check(oil_problem(expired), "O", "N", "hw_licence")
    assert not c.passed and "OLD expired" in c.detail
    future = licence("NEW", "HANDLER", categories=["HW08"], valid_from=days(1), valid_to=days(900))
    c = check(oil_problem(future), "O", "N", "hw_licence")
    assert not c.passed and "valid only from" in c.detail
    # valid on its last day, inclusive
    assert check(oil_problem(licence("EDGE", "HANDLER", categories=["HW08"], valid_to=TODAY)), "O", "N",
                 "hw_licence").passed


def test_licence_of_wrong_category_fails():
    c = check(oil_problem(licence("L6", "HANDLER", categories=["HW06"])), "O", "N", "hw_licence")
    assert not c.passed and "covers HW06, not 900-214-08" in c.detail


@pytest.mark.parametrize("activities, purpose, ok", [
    (["utilise"], "recycle", True), (["utilise"], "reuse", True), (["utilise"], "co_process", True),
    (["utilise"], "recover_energy", True), (["utilise"], "dispose", False),
    (["dispose"], "dispose", True), (["dispose"], "recycle", False),
    (["collect", "store"], "recycle", False), (["collect", "store"], "dispose", False),
])
def test_activity_must_fit_purpose(activities, purpose, ok):
    p = oil_problem(licence("L", "HANDLER", categories=["HW08"], activities=activities), purpose=purpose)
    c = check(p, "O", "N", "hw_licence")
    assert c.passed is ok, c.detail


def test_codes_only_licence_covers_just_its_codes():
    lic = licence("CODES", "HANDLER", codes=["900-214-08"])
    assert check(oil_problem(lic), "O", "N", "hw_licence").passed
    c = check(oil_problem(lic, offer_site=PLANT, code="900-249-08"), "O", "N", "hw_licence")
    assert not c.passed and "covers 900-214-08, not 900-249-08" in c.detail


def collection(**kw):
    return licence("COL-1", "HANDLER", kind="hw_collection", categories=["HW08", "HW49"],
                   activities=["collect", "store"], **kw)


def test_collection_licence_takes_vehicle_repair_oil():
    c = check(oil_problem(collection()), "O", "N", "hw_licence")
    assert c.passed and "collection" in c.detail


def test_collection_licence_refuses_industrial_oil_other_sources_and_disposal():
    # industrial waste oil, even from a garage
    c = check(oil_problem(collection(), code="900-249-08"), "O", "N", "hw_licence")
    assert not c.passed and "collection licence" in c.detail
    # vehicle oil code, but the producer is not a vehicle repairer
    assert not check(oil_problem(collection(), offer_site=PLANT), "O", "N", "hw_licence").passed
    # disposal is never within a collection licence, whatever its activities say
    lic = licence("COL-2", "HANDLER", kind="hw_collection", categories=["HW08"], activities=["collect", "dispose"])
    c = check(oil_problem(lic, purpose="dispose"), "O", "N", "hw_licence")
    assert not c.passed and "no disposal" in c.detail
    # a collection licence without the collect activity
    lic = licence("COL-3", "HANDLER", kind="hw_collection", categories=["HW08"], activities=["store"])
    assert not check(oil_problem(lic), "O", "N", "hw_licence").passed


def test_collection_licence_household_cd_ni_batteries():
    sanitation = site("SAN", industry="7820")
    batteries = offer("B", sanitation, form="solid", code="900-044-49", title_zh="居民废镍镉电池")
    crt = offer("C", sanitation, form="solid", code="900-044-49", title="CRT glass")
    factory_batt = offer("F", PLANT, form="solid", code="900-044-49", title="Ni-Cd batteries")
    p = build([batteries, crt, factory_batt], [need("N", HANDLER, forms=["solid"])], [collection()])
    arcs = evaluated(p)
    assert check(p, "B", "N", "hw_licence", arcs).passed
    assert not check(p, "C", "N", "hw_licence", arcs).passed
    assert not check(p, "F", "N", "hw_licence", arcs).passed


def test_licence_covering_by_category_or_code():
    lic = licence("BOTH", "HANDLER", categories=["HW06"], codes=["900-214-08"])
    assert check(oil_problem(lic), "O", "N", "hw_licence").passed


# --- 3 exemption (and exemptions lifting hw_licence) ------------------------------------------

def acid_offer(ref="A", where=PLANT, **comp):
    composition = {H2SO4: 0.2}
    composition.update(comp)
    return offer(ref, where, code="900-300-34", composition=composition, title_zh="废硫酸")


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


# point-to-point approvals

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


# --- 2 licence_capacity ------------------------------------------------------------------------

def pool_problem(oils=2, solvents=1, rem_oil=100.0, rem_solvent=500.0):
    """One need of an enterprise holding two licences (HW08 oil, HW06 solvents)."""
    offers = [offer(f"OIL{i}", GARAGE, code="900-214-08") for i in range(oils)]
    offers += [offer(f"SOL{i}", PLANT, code="900-404-06") for i in range(solvents)]
    lics = [licence("L-OIL", "HANDLER", categories=["HW08"], remaining_t=rem_oil),
            licence("L-SOL", "HANDLER", categories=["HW06"], remaining_t=rem_solvent)]
    return build(offers, [need("N", HANDLER)], lics)


def test_pool_is_the_licence_shared_by_most_arcs():
    p = pool_problem(oils=2, solvents=1)
    arcs = evaluated(p)
    for ref in ("OIL0", "OIL1"):
        c = check(p, ref, "N", "licence_capacity", arcs)
        assert c.passed and "L-OIL" in c.detail
        assert arcs.licence[arc_index(p, arcs, ref, "N")] == 0
    c = check(p, "SOL0", "N", "licence_capacity", arcs)
    assert not c.passed and "separate need" in c.detail and "L-SOL" in c.detail
    assert check(p, "SOL0", "N", "hw_licence", arcs).passed  # licensed, only in another pool


def test_pool_tie_goes_to_larger_remaining_capacity():
    p = pool_problem(oils=1, solvents=1, rem_oil=100.0, rem_solvent=500.0)
    arcs = evaluated(p)
    assert check(p, "SOL0", "N", "licence_capacity", arcs).passed
    assert not check(p, "OIL0", "N", "licence_capacity", arcs).passed


def test_pool_prefers_a_licence_with_capacity_left():
    p = pool_problem(oils=2, solvents=1, rem_oil=0.0)
    arcs = evaluated(p)
    assert check(p, "SOL0", "N", "licence_capacity", arcs).passed
    c = check(p, "OIL0", "N", "licence_capacity", arcs)
    assert not c.passed and "L-OIL has no capacity left" in c.detail


def test_explaining_a_subset_reports_the_pool_that_was_evaluated():
    # L-A covers oil only (900 t left), L-B oil and solvents (100 t left): with both oils and the
    # solvent, L-B covers most arcs. Explaining the oils alone (as a proposal subset does) must
    # still name L-B, although on the oils alone L-A would win the tie on remaining capacity.
    offers = [offer("OIL0", GARAGE, code="900-214-08"), offer("OIL1", GARAGE, code="900-214-08"),
              offer("SOL0", PLANT, code="900-404-06")]
    lics = [licence("L-A", "HANDLER", categories=["HW08"], remaining_t=900.0),
            licence("L-B", "HANDLER", categories=["HW06", "HW08"], remaining_t=100.0)]
    p = build(offers, [need("N", HANDLER)], lics)
    arcs = evaluated(p)
    assert arcs.licence.tolist() == [1, 1, 1] and arcs.checks["licence_capacity"].all()
    oils = arcs.subset(np.array([0, 1]))
    c = {x.code: x for x in explain(p, oils, 0)}["licence_capacity"]
    assert c.passed and "L-B" in c.detail
    assert "L-A" in {x.code: x for x in _explain_arc(p, oils, 0, recompute_pool=True)[0]}["licence_capacity"].detail


def test_exhausted_licence_fails():
    p = oil_problem(licence("FULL", "HANDLER", categories=["HW08"], remaining_t=0.0))
    c = check(p, "O", "N", "licence_capacity")
    assert not c.passed and "no capacity left" in c.detail


def test_pool_ignores_arcs_that_fail_other_hard_checks():
    # two oils the need cannot take (wrong form), one solvent it can: the pool is the solvent licence
    offers = [offer(f"OIL{i}", GARAGE, code="900-214-08", form="sludge") for i in range(2)]
    offers += [offer("SOL0", PLANT, code="900-404-06")]
    lics = [licence("L-OIL", "HANDLER", categories=["HW08"], remaining_t=900.0),
            licence("L-SOL", "HANDLER", categories=["HW06"], remaining_t=100.0)]
    p = build(offers, [need("N", HANDLER, forms=["liquid"])], lics)
    arcs = evaluated(p)
    assert check(p, "SOL0", "N", "licence_capacity", arcs).passed
    assert arcs.licence[arc_index(p, arcs, "OIL0", "N")] == 0  # its own licence, though failing


def test_capacity_not_applicable_to_non_hw_and_exempted():
    p = build([offer("X", PLANT), acid_offer()], [need("N", MAKER)])
    arcs = evaluated(p)
    for ref in ("X", "A"):
        c = check(p, ref, "N", "licence_capacity", arcs)
        assert c.passed and "not applicable" in c.detail
        assert arcs.licence[arc_index(p, arcs, ref, "N")] == -1


def test_capacity_fails_without_any_licence():
    assert not check(oil_problem(), "O", "N", "licence_capacity").passed


# --- 4 pops_destruction_only ---------------------------------------------------------------------

def pops_problem(fraction, purpose="recycle", licences=None, code=None):
    lics = licences if licences is not None else [licence("D", "HANDLER", categories=["HW06", "HW08"])]
    return build([offer("P", PLANT, code=code, composition={PFOS: fraction})],
                 [need("N", HANDLER, purpose=purpose)], lics)


def test_pop_just_below_threshold_may_be_reused():
    c = check(pops_problem(49e-6), "P", "N", "pops_destruction_only")
    assert c.passed and "no POP" in c.detail


def test_pop_at_or_above_threshold_goes_only_to_licensed_destruction():
    c = check(pops_problem(50e-6), "P", "N", "pops_destruction_only")
    assert not c.passed and "destruction only" in c.detail and "50 mg/kg" in c.detail
    assert check(pops_problem(120e-6, purpose="dispose"), "P", "N", "pops_destruction_only").passed
    c = check(pops_problem(120e-6, purpose="dispose", licences=[]), "P", "N", "pops_destruction_only")
    assert not c.passed and "no valid licence" in c.detail
    utilise_only = [licence("U", "HANDLER", categories=["HW06"], activities=["utilise"])]
    assert not check(pops_problem(120e-6, purpose="dispose", licences=utilise_only), "P", "N",
                     "pops_destruction_only").passed


def test_pop_sum_group_counts_congeners_together():
    # decaBDE 300 mg/kg + tetraBDE 300 mg/kg: each below 500, the PBDE sum above
    comp = {"1163-19-5": 300e-6, "40088-47-9": 300e-6}
    p = build([offer("P", PLANT, composition=comp)], [need("N", HANDLER)])
    assert not check(p, "P", "N", "pops_destruction_only").passed


def test_pop_flag_is_computed_once_per_problem():
    p = pops_problem(1e-3)
    evaluated(p)
    cached = p.__dict__["_wastematch_rule_features"]
    evaluated(p)
    assert p.__dict__["_wastematch_rule_features"] is cached and cached.offer_pop.tolist() == [True]


# --- 5 medical_waste ------------------------------------------------------------------------------

def medical(purpose="dispose", **lic):
    lics = [licence("MED", "HANDLER", **lic)] if lic else []
    return build([offer("M", site("HOSP", industry="8411"), form="solid", code="841-001-01")],
                 [need("N", HANDLER, forms=["solid"], purpose=purpose)], lics)


def test_medical_waste_to_licensed_disposal():
    c = check(medical(categories=["HW01"], activities=["dispose"]), "M", "N", "medical_waste")
    assert c.passed and "MED" in c.detail


def test_medical_waste_elsewhere_fails():
    assert not check(medical(purpose="recycle", categories=["HW01"]), "M", "N", "medical_waste").passed
    assert not check(medical(categories=["HW08"], activities=["dispose"]), "M", "N", "medical_waste").passed
    assert not check(medical(categories=["HW01"], activities=["utilise"]), "M", "N", "medical_waste").passed
    assert not check(medical(), "M", "N", "medical_waste").passed
    expired = {"categories": ["HW01"], "activities": ["dispose"], "valid_from": days(-900), "valid_to": days(-10)}
    assert not check(medical(**expired), "M", "N", "medical_waste").passed


def test_not_medical_waste_passes():
    c = check(oil_problem(), "O", "N", "medical_waste")
    assert c.passed and "not medical" in c.detail


# --- 6 contaminant_limit --------------------------------------------------------------------------

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


# --- 7 required_component ---------------------------------------------------------------------------

def wanted_problem(offer_comp, wanted):
    return build([offer("O", PLANT, composition=offer_comp)], [need("N", HANDLER, wanted=wanted)])


def test_required_component_met():
    c = check(wanted_problem({OIL: 0.85}, {OIL: 0.6}), "O", "N", "required_component")
    assert c.passed and "≥ min 60%" in c.detail


def test_required_component_below_or_missing_fails():
    assert not check(wanted_problem({OIL: 0.5}, {OIL: 0.6}), "O", "N", "required_component").passed
    c = check(wanted_problem({PB: 0.5}, {OIL: 0.6}), "O", "N", "required_component")
    assert not c.passed and "not declared" in c.detail


# --- 8 form ---------------------------------------------------------------------------------------

def test_form():
    p = build([offer("L", PLANT, form="liquid"), offer("S", PLANT, form="solid")],
              [need("N", HANDLER, forms=["liquid", "sludge"])])
    arcs = evaluated(p)
    assert check(p, "L", "N", "form", arcs).passed
    c = check(p, "S", "N", "form", arcs)
    assert not c.passed and "solid not accepted" in c.detail


# --- 9 distance -------------------------------------------------------------------------------------

def test_distance_within_and_beyond_need_limit():
    far = site("FAR", lat=32.3, lon=120.6)  # about 111 km north, ×1.3 on the road
    p = build([offer("NEAR", PLANT), offer("FAR", far)], [need("N", HANDLER, max_km=100)])
    arcs = evaluated(p)
    c = check(p, "NEAR", "N", "distance", arcs)
    assert c.passed and "≤ 100.0 km" in c.detail
    assert not check(p, "FAR", "N", "distance", arcs).passed


def test_distance_park_cap_applies_to_hw_only():
    capped = site("CAPPED", lat=31.30, lon=120.90, hw_cap=20.0, industry="8111")  # ~37 km road
    p = build([offer("HW", capped, code="900-214-08"), offer("X", capped)], [need("N", HANDLER, max_km=150)],
              [licence("L", "HANDLER", categories=["HW08"])])
    arcs = evaluated(p)
    c = check(p, "HW", "N", "distance", arcs)
    assert not c.passed and "park HW haulage cap 20.0 km exceeded" in c.detail
    assert check(p, "X", "N", "distance", arcs).passed


def test_distance_without_limit_passes():
    p = build([offer("O", PLANT)], [need("N", site("FAR", lat=39.0, lon=117.7))])
    c = check(p, "O", "N", "distance")
    assert c.passed and "no limit" in c.detail


# --- 10 cross_province_transfer ---------------------------------------------------------------------

def test_cross_province_hw_is_flagged():
    zj = site("ZJ", province="浙江省", lat=30.9, industry="8111")
    p = build([offer("HW", zj, code="900-214-08"), offer("X", zj), offer("IN", GARAGE, code="900-214-08")],
              [need("N", HANDLER)], [licence("L", "HANDLER", categories=["HW08"])])
    arcs = evaluated(p)
    c = check(p, "HW", "N", "cross_province_transfer", arcs)
    assert not c.passed and not c.hard and "跨省转移需省级生态环境部门审批" in c.detail and "浙江省 → 江苏省" in c.detail
    assert check(p, "HW", "N", "hw_licence", arcs).passed  # soft: the arc stays
    assert check(p, "X", "N", "cross_province_transfer", arcs).passed
    assert check(p, "IN", "N", "cross_province_transfer", arcs).passed


def test_unknown_province_is_flagged_for_hw():
    nowhere = site("NOWHERE", province=None, industry="8111")
    p = build([offer("HW", nowhere, code="900-214-08")], [need("N", HANDLER)])
    c = check(p, "HW", "N", "cross_province_transfer")
    assert not c.passed and "unknown" in c.detail


# --- 11 availability --------------------------------------------------------------------------------

def test_availability_overlap_is_inclusive():
    p = build([offer("A", PLANT, available_from=days(0), available_to=days(30)),
               offer("B", PLANT, available_from=days(31), available_to=days(60)),
               offer("OPEN", PLANT)],
              [need("N", HANDLER, available_from=days(30), available_to=days(30))])
    arcs = evaluated(p)
    assert check(p, "A", "N", "availability", arcs).passed
    c = check(p, "B", "N", "availability", arcs)
    assert not c.passed and "no overlap" in c.detail
    assert check(p, "OPEN", "N", "availability", arcs).passed


# --- 12 self_match ----------------------------------------------------------------------------------

def test_self_match():
    p = build([offer("O", HANDLER), offer("P", PLANT)], [need("N", HANDLER)])
    arcs = evaluated(p)
    c = check(p, "O", "N", "self_match", arcs)
    assert not c.passed and "same enterprise HANDLER" in c.detail
    assert check(p, "P", "N", "self_match", arcs).passed


# --- 13 incompatible_mix -------------------------------------------------------------------------------

def reactive_problem():
    acid1 = offer("ACID1", PLANT, code="900-300-34")
    acid2 = offer("ACID2", site("P2", industry="3360"), composition={H2SO4: 0.3})
    cyanide = offer("CN", site("P3", industry="3360"), code="336-104-33")
    sulfide = offer("S", site("P4", industry="1910"), composition={"1313-82-2": 0.05})
    peroxide = offer("OX", site("P5"), composition={"7722-84-1": 0.3})
    solvent = offer("ORG", site("P6"), code="900-404-06")
    needs = [need("N1", HANDLER, purpose="dispose"), need("N2", WWTP, purpose="dispose")]
    return build([acid1, acid2, cyanide, sulfide, peroxide, solvent], needs)


def test_incompatible_mix_per_arc_always_passes():
    p = reactive_problem()
    c = check(p, "CN", "N1", "incompatible_mix")
    assert c.passed and c.detail.startswith("enforced across the need's suppliers in exact mode")
    assert "cyanide" in c.detail


def test_conflicting_offer_pairs_find_acid_and_cyanide_sharing_a_need():
    p = reactive_problem()
    r = p.o.ref_index
    arcs = evaluated(p)
    pairs = conflicting_offer_pairs(p, arcs)
    assert (r["ACID1"], r["CN"]) in pairs and (r["ACID2"], r["CN"]) in pairs
    assert (r["ACID1"], r["S"]) in pairs and (r["OX"], r["ORG"]) in pairs
    assert (r["ACID1"], r["ACID2"]) not in pairs and (r["CN"], r["S"]) not in pairs
    assert all(a < b for a, b in pairs) and pairs == sorted(set(pairs))


def test_conflicting_offer_pairs_need_a_shared_need():
    p = reactive_problem()
    r = p.o.ref_index
    o = np.array([r["ACID1"], r["CN"]], dtype=np.int64)
    n = np.array([0, 1], dtype=np.int64)  # acid to N1, cyanide to N2
    arcs = Arcs(offer=o, need=n, distance_km=p.distance_km(o, n))
    assert conflicting_offer_pairs(p, arcs) == []
    arcs = Arcs(offer=o, need=np.array([1, 1]), distance_km=p.distance_km(o, np.array([1, 1])))
    assert conflicting_offer_pairs(p, arcs) == [(r["ACID1"], r["CN"])]


def test_reactivity_groups_per_offer():
    p = reactive_problem()
    g = reactivity_groups(p)
    r = p.o.ref_index
    assert g[r["ACID1"]] == ACID and g[r["ACID2"]] == ACID and g[r["CN"]] == CYANIDE
    assert incompatible(g[r["ACID1"]], g[r["CN"]]) and not incompatible(g[r["ACID1"]], g[r["ACID2"]])


# --- explain agrees with evaluate_rules on random small problems -------------------------------------

CODES = ["900-214-08", "900-249-08", "900-300-34", "261-057-34", "841-001-01", "900-404-06", "900-052-31",
         "336-104-33", "900-044-49", "772-002-18", "X-NOT-A-CODE"]
SUBS = [OIL, PB, PFOS, H2SO4, NACN, "7440-43-9", "name:sludge"]
INDUSTRIES = [None, "8111", "7820", "2614", "2611", "4620", "3120", "3011", "7724"]
CATS = ["HW01", "HW06", "HW08", "HW34", "HW49", "HW18"]
DAYS = st.integers(-40, 40).map(days)


@st.composite
def small_problems(draw):
    n_ent = draw(st.integers(1, 4))
    sites = [site(f"E{i}", lat=31.3 + draw(st.floats(0, 1.5)), lon=120.6,
                  province=draw(st.sampled_from(["江苏省", "浙江省", None])),
                  industry=draw(st.sampled_from(INDUSTRIES)),
                  hw_cap=draw(st.sampled_from([None, 30.0, 100.0]))) for i in range(n_ent)]
    fractions = st.sampled_from([0.0, 1e-9, 49e-6, 50e-6, 1e-3, 0.05, 0.5])
    comps = st.dictionaries(st.sampled_from(SUBS), fractions, max_size=3)
    dates = st.one_of(st.none(), DAYS)
    offers = [offer(f"O{i}", draw(st.sampled_from(sites)), form=draw(st.sampled_from(FORMS)),
                    code=draw(st.sampled_from([None, *CODES])), composition=draw(comps),
                    title=draw(st.sampled_from(["", "Ni-Cd batteries", "废铁质油桶"])),
                    available_from=draw(dates), available_to=draw(dates))
              for i in range(draw(st.integers(1, 5)))]
    needs = [need(f"N{i}", draw(st.sampled_from(sites)), forms=draw(st.sets(st.sampled_from(FORMS), max_size=3)),
                  purpose=draw(st.sampled_from(PURPOSES)), wanted=draw(comps), limits=draw(comps),
                  max_km=draw(st.sampled_from([None, 20.0, 100.0])),
                  available_from=draw(dates), available_to=draw(dates))
             for i in range(draw(st.integers(1, 4)))]
    lics = [licence(f"L{i}", f"E{draw(st.integers(0, n_ent - 1))}",
                    kind=draw(st.sampled_from(["hw_comprehensive", "hw_collection"])),
                    categories=draw(st.sets(st.sampled_from(CATS), max_size=2)),
                    codes=draw(st.sets(st.sampled_from(CODES), max_size=2)),
                    activities=draw(st.sets(st.sampled_from(["collect", "store", "utilise", "dispose"]), max_size=3)),
                    valid_from=days(draw(st.integers(-400, 10))), valid_to=days(draw(st.integers(-10, 400))),
                    remaining_t=draw(st.sampled_from([0.0, 50.0, 500.0])))
            for i in range(draw(st.integers(0, 4)))]
    apps = [approval(f"A{i}", f"E{draw(st.integers(0, n_ent - 1))}", f"E{draw(st.integers(0, n_ent - 1))}",
                     draw(st.sampled_from(CODES)), valid_from=days(draw(st.integers(-30, 5))),
                     valid_to=draw(st.sampled_from([None, days(-1), days(0), days(30)])))
            for i in range(draw(st.integers(0, 2)))]
    p = build(offers, needs, lics, apps)
    arcs = all_arcs(p)
    keep = draw(st.lists(st.integers(0, len(arcs) - 1), min_size=1, max_size=len(arcs) + 2))
    return p, arcs.subset(np.array(keep, dtype=np.int64))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_explain_agrees_with_evaluate(case):
    p, arcs = case
    evaluate_rules(p, arcs)
    for k in range(len(arcs)):
        for recompute in (True, False):
            checks, lic, ex, ap = _explain_arc(p, arcs, k, recompute_pool=recompute)
            for c in checks:
                assert bool(arcs.checks[c.code][k]) == c.passed, (k, recompute, c)
                assert c.detail
            assert (int(arcs.licence[k]), int(arcs.exemption[k]), int(arcs.approval[k])) == (lic, ex, ap), k
    # licence pools: every arc that passed licence_capacity draws on its need's single licence
    ok = arcs.checks["licence_capacity"] & (arcs.licence >= 0)
    for need_index in np.unique(arcs.need[ok]):
        assert len(set(arcs.licence[ok & (arcs.need == need_index)].tolist())) == 1


def test_distance_nan_blocks():
    p = build([offer("O", PLANT)], [need("N", HANDLER, max_km=10)])
    arcs = Arcs(offer=np.array([0]), need=np.array([0]), distance_km=np.array([math.nan]))
    evaluate_rules(p, arcs)
    assert not arcs.checks["distance"][0]


def test_general_intake_of_a_licensed_need_draws_on_its_licence():
    """A need that takes HW under licence L counts its general intake against L too (conservative)."""
    import datetime as dt

    import numpy as np

    from matching.arcs import Arcs
    from matching.problem import Problem, Settings
    from matching.rules import evaluate_rules, explain
    from tests.matching.records import licence, need, offer

    problem = Problem([offer("O-hw", "P1", code="900-214-08"), offer("O-general", "P2")],
                      [need("N-kiln", "K")], [licence("L-1", "K", ("HW08",))],
                      settings=Settings(today=dt.date(2026, 11, 23)))
    arcs = Arcs(offer=np.array([0, 1]), need=np.array([0, 0]), distance_km=np.array([5.0, 5.0]))
    evaluate_rules(problem, arcs)
    assert arcs.licence.tolist() == [0, 0]
    detail = {c.code: c for c in explain(problem, arcs, 1)}["licence_capacity"]
    assert detail.passed and "L-1" in detail.detail
