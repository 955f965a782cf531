"""DESIGN rule 2, ``licence_capacity``: each need draws on one licence (its pool) with capacity left."""
from __future__ import annotations

import datetime as dt

import numpy as np

from matching.arcs import Arcs
from matching.problem import Problem, Settings
from matching.rules import _explain_arc, evaluate_rules, explain
from tests.matching import records

from ..builders import arc_index, build, check, evaluated, licence, need, offer
from .cases import GARAGE, HANDLER, MAKER, PLANT, acid_offer, oil_problem


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


def test_general_intake_of_a_licensed_need_draws_on_its_licence():
    """A need that takes HW under licence L counts its general intake against L too (conservative)."""
    problem = Problem([records.offer("O-hw", "P1", code="900-214-08"), records.offer("O-general", "P2")],
                      [records.need("N-kiln", "K")], [records.licence("L-1", "K", ("HW08",))],
                      settings=Settings(today=dt.date(2026, 11, 23)))
    arcs = Arcs(offer=np.array([0, 1]), need=np.array([0, 0]), distance_km=np.array([5.0, 5.0]))
    evaluate_rules(problem, arcs)
    assert arcs.licence.tolist() == [0, 0]
    detail = {c.code: c for c in explain(problem, arcs, 1)}["licence_capacity"]
    assert detail.passed and "L-1" in detail.detail
