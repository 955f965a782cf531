"""Allocation (``matching.optimise``): flow mode against an independent LP, components, greedy, safety properties."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings

from matching import flow as flow_module
from matching.optimise import allocate, greedy, objective_of
from tests.matching.allocation_checks import assert_feasible, exact_settings, small_instances
from tests.matching.optimise_instances import make_arcs, make_problem, random_instance, reference_lp

# ---------------------------------------------------------------- flow mode = the LP optimum

@pytest.mark.parametrize("seed", range(24))
def test_flow_objective_equals_independent_lp(seed):
    inst = random_instance(120, 120, seed=seed, park_size=30, pool_size=4, hw_share=0.25, mixed=5)
    p, arcs = inst.problem, inst.arcs
    res = allocate(p, arcs)
    assert res.status == "OPTIMAL" and res.gap == 0.0 and res.bound is None
    assert res.objective == objective_of(arcs, res.flow)
    assert_feasible(p, arcs, res)
    ref = reference_lp(p, arcs)
    # Quantities have 3 decimals, so flow components are exact at 1 kg; LP components may
    # lose under 1 kg per fractional arc to rounding, which the detail reports.
    loss = res.detail["lp_rounding_loss"]
    assert loss <= 1e-3 * float(np.abs(arcs.weight).max()) * max(1, res.detail["lp_arcs"])
    assert res.objective == pytest.approx(ref, rel=1e-6, abs=loss + 1e-6)
    assert res.objective <= ref * (1 + 1e-9)


def test_random_instances_exercise_both_lp_and_relaxation_paths():
    lp, by_flow = 0, 0
    for seed in range(24):
        d = allocate(*_pa(random_instance(120, 120, seed=seed, park_size=30, pool_size=4, hw_share=0.25,
                                          mixed=5))).detail
        lp += d["lp_components"]
        by_flow += d["mixed_components_exact_by_flow"]
    assert lp > 0 and by_flow > 0


def _pa(inst):
    return inst.problem, inst.arcs


@pytest.mark.parametrize("seed", range(4))
def test_unrounded_quantities_lose_at_most_the_resolution(seed):
    inst = random_instance(80, 80, seed=100 + seed, park_size=20, pool_size=4, hw_share=0.25, mixed=3,
                           decimals=None)
    p, arcs = inst.problem, inst.arcs
    res = allocate(p, arcs)
    assert_feasible(p, arcs, res, tol=0.0)
    ref = reference_lp(p, arcs)
    n_rows = p.o.size + p.n.size + p.lic_remaining.size + len(arcs)
    assert ref - n_rows * 1e-3 * float(arcs.weight.max()) <= res.objective <= ref * (1 + 1e-9)


def test_mixed_need_binding_goes_to_lp_and_is_exact():
    # Need 0 takes up to 10 t: 10 t under licence 0 (shared with need 1) or 10 t exempt.
    p = make_problem([10, 10, 10], [10, 10], [10])
    arcs = make_arcs(offer=[0, 1, 2], need=[0, 0, 1], weight=[10, 5, 8], licence=[0, -1, 0])
    res = allocate(p, arcs)
    assert res.solver == "min_cost_flow+lp" and res.detail["lp_components"] == 1
    # Best: need 0 takes the exempt 10 t (50) and leaves the licence to need 1 (80); the
    # split relaxation would have given need 0 both its 10 t licensed and 10 t exempt.
    assert res.flow.tolist() == [0.0, 10.0, 10.0]
    assert res.objective == pytest.approx(reference_lp(p, arcs)) == pytest.approx(130.0)
    assert_feasible(p, arcs, res)


def test_mixed_need_not_binding_is_solved_by_the_flow_relaxation():
    p = make_problem([4, 4], [20], [50])
    arcs = make_arcs(offer=[0, 1], need=[0, 0], weight=[10, 5], licence=[0, -1])
    res = allocate(p, arcs)
    assert res.solver == "min_cost_flow" and res.detail["mixed_components_exact_by_flow"] == 1
    assert res.flow.tolist() == [4.0, 4.0]


def test_licence_is_a_node_capacity_shared_by_its_pool():
    p = make_problem([10, 10], [10, 10], [12])
    arcs = make_arcs(offer=[0, 1], need=[0, 1], weight=[3, 2], licence=[0, 0])
    res = allocate(p, arcs)
    assert res.flow.tolist() == [10.0, 2.0]
    assert res.objective == 34.0


def test_flow_beats_greedy_where_greedy_is_myopic():
    p = make_problem([1, 1], [1, 1], [])
    arcs = make_arcs(offer=[0, 0, 1], need=[0, 1, 0], weight=[10, 9, 8])
    assert greedy(p, arcs).objective == 10.0
    assert allocate(p, arcs).objective == 17.0


def test_non_positive_weights_carry_nothing_and_empty_inputs_are_empty():
    p = make_problem([5, 5], [5, 5], [])
    arcs = make_arcs(offer=[0, 0, 1], need=[0, 1, 1], weight=[0, -3, 4])
    res = allocate(p, arcs)
    assert res.flow.tolist() == [0.0, 0.0, 5.0]
    for problem, a in ((p, make_arcs([], [], [])), (p, make_arcs([0, 1], [0, 1], [0, -1]))):
        for r in (allocate(problem, a), allocate(problem, a, exact_settings(problem)), greedy(problem, a)):
            assert r.status == "EMPTY" and r.objective == 0.0 and r.components == 0
            assert r.flow.shape == (len(a),) and not r.flow.any()


def test_unbounded_licence_and_arc_limits():
    p = make_problem([7], [9], [float("inf")])
    res = allocate(p, make_arcs([0], [0], [2], max_t=[np.inf], licence=[0]))
    assert res.flow.tolist() == [7.0]


def test_lp_fallback_when_min_cost_flow_fails(monkeypatch):
    inst = random_instance(60, 60, seed=3, park_size=20, pool_size=4, hw_share=0.25, mixed=2)
    want = allocate(inst.problem, inst.arcs).objective
    monkeypatch.setattr(flow_module, "min_cost_flow_units", lambda inst, arcs: (None, "BAD_COST_RANGE"))
    res = allocate(inst.problem, inst.arcs)
    assert res.detail["lp_components"] == res.components
    assert res.objective == pytest.approx(want, rel=1e-9)


# ---------------------------------------------------------------- components

def _combine(a, b):
    """Two instances side by side: indices of the second shifted past the first."""
    pa, pb = a.problem, b.problem
    p = make_problem(np.concatenate([pa.o.quantity, pb.o.quantity]), np.concatenate([pa.n.quantity, pb.n.quantity]),
                     np.concatenate([pa.lic_remaining, pb.lic_remaining]))
    lic_b = np.where(b.arcs.licence >= 0, b.arcs.licence + pa.lic_remaining.size, -1)
    arcs = make_arcs(np.concatenate([a.arcs.offer, b.arcs.offer + pa.o.size]),
                     np.concatenate([a.arcs.need, b.arcs.need + pa.n.size]),
                     np.concatenate([a.arcs.weight, b.arcs.weight]),
                     np.concatenate([a.arcs.max_t, b.arcs.max_t]),
                     np.concatenate([a.arcs.licence, lic_b]))
    return p, arcs


def test_disjoint_sub_parks_solve_the_same_together_as_apart():
    a = random_instance(50, 40, seed=7, park_size=1000, pool_size=4, hw_share=0.25, mixed=2)
    b = random_instance(30, 45, seed=8, park_size=1000, pool_size=4, hw_share=0.25, mixed=2)
    ra, rb = allocate(a.problem, a.arcs), allocate(b.problem, b.arcs)
    p, arcs = _combine(a, b)
    both = allocate(p, arcs)
    assert both.components == ra.components + rb.components
    assert both.objective == pytest.approx(ra.objective + rb.objective, rel=1e-12)
    np.testing.assert_allclose(both.flow[: len(a.arcs)] @ a.arcs.weight, ra.objective, rtol=1e-12)
    # Exact mode too (no side constraints bind ⇒ each part is solved by its relaxation).
    ea = allocate(a.problem, a.arcs, exact_settings(a.problem))
    eb = allocate(b.problem, b.arcs, exact_settings(b.problem))
    eboth = allocate(p, arcs, exact_settings(p))
    assert eboth.objective == pytest.approx(ea.objective + eb.objective, rel=1e-12)


def test_flow_batches_pool_small_components_only():
    sizes = np.array([1, 1, 5000, 3, 1999, 2, 1])
    assert flow_module.flow_batches(sizes, 2000) == [(0, 2), (2, 3), (3, 5), (5, 7)]


# ---------------------------------------------------------------- properties

@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_property_flow_never_over_allocates_and_beats_greedy(case):
    p, arcs = case
    res = allocate(p, arcs)
    g = greedy(p, arcs)
    assert_feasible(p, arcs, res)
    assert_feasible(p, arcs, g)
    assert res.objective == objective_of(arcs, res.flow)
    assert res.objective >= g.objective - 1e-9 * max(1.0, abs(g.objective))
    if len(arcs):
        assert res.objective == pytest.approx(reference_lp(p, arcs), rel=1e-6,
                                              abs=1e-3 * 120 * (len(arcs) + p.o.size + p.n.size + 2))
