"""Exact mode (``matching.exact``, CP-SAT): each side constraint, bound and gap, and agreement with flow mode."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from matching.optimise import allocate, objective_of
from tests.matching.allocation_checks import TOL, assert_feasible, exact_settings, small_instances
from tests.matching.optimise_instances import make_arcs, make_problem, random_instance


def test_exact_min_lot_is_respected():
    # The flow optimum splits offer 0 into 3 t + 7 t; a 5 t lot forbids the 3 t link.
    p = make_problem([10, 3], [7, 6], [])
    arcs = make_arcs(offer=[0, 0, 1], need=[0, 1, 1], weight=[10, 9, 1])
    assert allocate(p, arcs).flow.tolist() == [7.0, 3.0, 3.0]
    res = allocate(p, arcs, exact_settings(p, min_lot_t=5.0))
    assert res.flow.tolist() == [5.0, 5.0, 0.0]  # 50 + 45 beats 7 t alone (70)
    assert res.objective == 95.0
    assert res.status == "OPTIMAL" and res.gap == 0.0


def test_exact_max_suppliers_per_need():
    p = make_problem([3, 3, 3], [9], [])
    arcs = make_arcs(offer=[0, 1, 2], need=[0, 0, 0], weight=[5, 6, 7])
    res = allocate(p, arcs, exact_settings(p, max_suppliers_per_need=1))
    assert np.count_nonzero(res.flow) == 1 and res.flow[2] == 3.0
    res2 = allocate(p, arcs, exact_settings(p, max_suppliers_per_need=2))
    assert sorted(np.flatnonzero(res2.flow).tolist()) == [1, 2]
    assert res.status == res2.status == "OPTIMAL"


def test_exact_several_arcs_of_one_pair_count_as_one_supplier():
    p = make_problem([10, 10], [10], [2])
    arcs = make_arcs(offer=[0, 0, 1], need=[0, 0, 0], weight=[9, 8, 7], licence=[0, -1, -1])
    res = allocate(p, arcs, exact_settings(p, max_suppliers_per_need=1))
    assert res.flow.tolist() == [2.0, 8.0, 0.0]


def test_exact_conflicting_offers_never_share_a_need():
    p = make_problem([4, 4, 4], [8, 8], [])
    arcs = make_arcs(offer=[0, 1, 0, 1, 2], need=[0, 0, 1, 1, 1], weight=[10, 9, 2, 1, 1])
    free = allocate(p, arcs, exact_settings(p))
    assert free.flow[0] > 0 and free.flow[1] > 0
    res = allocate(p, arcs, exact_settings(p), conflicts=[(0, 1)])
    for j in range(2):
        suppliers = set(arcs.offer[(arcs.need == j) & (res.flow > 0)].tolist())
        assert not {0, 1} <= suppliers
    assert res.status == "OPTIMAL"
    assert res.objective == pytest.approx(4 * 10 + 4 * 1 + 4 * 1)  # 0→0, 1→1, 2→1
    flow_mode = allocate(p, arcs, conflicts=[(0, 1)])
    assert flow_mode.detail["ignored_side_constraints"] == ["conflicts"]


def test_exact_fixed_cost_is_counted_in_the_objective():
    p = make_problem([10, 15], [15, 10], [])
    # Link 2 earns 1 × 5 t = 5 < fixed cost 20: flow mode uses it, exact mode does not open it.
    arcs = make_arcs(offer=[0, 1, 1], need=[0, 1, 0], weight=[10, 10, 1])
    assert allocate(p, arcs).flow.tolist() == [10.0, 10.0, 5.0]
    res = allocate(p, arcs, exact_settings(p, fixed_cost_per_link=20))
    assert res.flow.tolist() == [10.0, 10.0, 0.0]
    assert res.objective == objective_of(arcs, res.flow) - 20 * 2 == 160.0
    assert res.detail["fixed_cost"] == 40 and res.detail["flow_value"] == 200.0
    assert res.status == "OPTIMAL" and res.bound == res.objective and res.gap == 0.0


def test_exact_reports_bound_and_gap_and_feasible_under_a_tiny_time_limit():
    inst = random_instance(20, 20, seed=1, arcs_per_offer=10, mixed=1, park_size=1000, pool_size=5,
                           hw_share=0.2)
    p, arcs = inst.problem, inst.arcs
    assert len(arcs) == 200
    hard = {"min_lot_t": 20.0, "fixed_cost_per_link": 5000}
    res = allocate(p, arcs, exact_settings(p, time_limit_s=0.02, **hard), conflicts=[(0, 1), (2, 3)])
    assert res.status == "FEASIBLE"
    assert res.bound is not None and res.bound > res.objective > 0
    assert res.gap == pytest.approx((res.bound - res.objective) / max(1.0, abs(res.bound)))
    assert res.bound <= allocate(p, arcs).objective * (1 + 1e-9)  # never above the relaxation
    used = res.flow[res.flow > 0]
    assert np.all(used >= 20.0 - TOL)
    assert res.objective == pytest.approx(objective_of(arcs, res.flow) - 5000 * used.size)
    assert_feasible(p, arcs, res)


def test_exact_without_side_constraints_is_the_flow_optimum_at_its_resolution():
    inst = random_instance(60, 60, seed=5, park_size=20, pool_size=4, hw_share=0.25, mixed=2)
    p, arcs = inst.problem, inst.arcs
    ex = allocate(p, arcs, exact_settings(p))
    fl = allocate(p, arcs)
    assert ex.status == "OPTIMAL" and ex.solver == "cp_sat" and ex.gap == 0.0
    # 10 kg grid instead of 1 kg: at most one 10 kg step per capacity row lost.
    rows = p.o.size + p.n.size + p.lic_remaining.size + len(arcs)
    assert fl.objective - rows * 0.01 * float(arcs.weight.max()) <= ex.objective <= fl.objective + 1e-6


@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances(), st.sampled_from([0.0, 2.5, 10.0]), st.sampled_from([None, 1, 2]),
       st.sampled_from([0, 30]), st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=3))
def test_property_exact_respects_every_constraint(case, lot, k, fixed, conflicts):
    p, arcs = case
    conflicts = [(a, b) for a, b in conflicts if a < p.o.size and b < p.o.size]
    s = exact_settings(p, min_lot_t=lot, max_suppliers_per_need=k, fixed_cost_per_link=fixed, time_limit_s=5.0)
    res = allocate(p, arcs, s, conflicts=conflicts)
    assert_feasible(p, arcs, res)
    used = res.flow > 0
    assert np.all(res.flow[used] >= lot - TOL)
    for j in range(p.n.size):
        suppliers = set(arcs.offer[used & (arcs.need == j)].tolist())
        if k is not None:
            assert len(suppliers) <= k
        for a, b in conflicts:
            assert not (a != b and {a, b} <= suppliers)
    assert res.objective == pytest.approx(objective_of(arcs, res.flow) - fixed * int(used.sum()), abs=1e-9)
    assert res.objective <= allocate(p, arcs).objective + 1e-9
    if res.status != "EMPTY":
        assert res.bound is not None and res.bound >= res.objective - 1e-9 and res.gap is not None
