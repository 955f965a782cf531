"""DESIGN rule 4, ``pops_destruction_only``: POPs at or above their limit go only to licensed destruction."""
from __future__ import annotations

from ..builders import build, check, evaluated, licence, need, offer
from .cases import HANDLER, PFOS, PLANT


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
