"""Allocation: flow mode against an independent LP, exact mode's side constraints, safety properties."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from matching import flow as flow_module
from matching.optimise import (
    FLOW_UNITS_PER_T,
    Allocation,
    allocate,
    greedy,
    objective_of,
    prepare,
    to_units,
)
from tests.matching.optimise_instances import (
    make_arcs,
    make_problem,
    random_instance,
    reference_lp,
)

TOL = 1e-9


def exact_settings(problem, **kw):
    return dataclasses.replace(problem.settings, exact=True, **kw)


def assert_feasible(problem, arcs, res: Allocation, *, tol: float = TOL) -> None:
    """Nothing over-allocated, no arc beyond max_t, nothing on arcs of non-positive weight."""
    f = res.flow
    assert f.shape == (len(arcs),)
    assert np.all(f >= 0)
    assert np.all(f <= np.asarray(arcs.max_t) + tol)
    assert np.all(f[np.asarray(arcs.weight) <= 0] == 0)
    by_offer = np.bincount(arcs.offer, weights=f, minlength=problem.o.size)
    by_need = np.bincount(arcs.need, weights=f, minlength=problem.n.size)
    assert np.all(by_offer <= problem.o.quantity * (1 + 1e-12) + tol)
    assert np.all(by_need <= problem.n.quantity * (1 + 1e-12) + tol)
    lic = np.asarray(arcs.licence)
    has = lic >= 0
    by_lic = np.bincount(lic[has], weights=f[has], minlength=problem.lic_remaining.size)
    assert np.all(by_lic <= problem.lic_remaining * (1 + 1e-12) + tol)


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


def test_resolution_rounds_down_and_reports_typed_tonnes():
    assert to_units(np.array([0.3, 1.005, 0.0004, 2.0015, np.inf, np.nan, -1.0]), 1000).tolist() == \
        [300, 1005, 0, 2001, 10**12, 0, 0]
    p = make_problem([1.005], [5.0], [])
    res = allocate(p, make_arcs([0], [0], [7]))
    assert res.flow[0] == 1.005 and res.objective == 7 * 1.005
    tiny = allocate(make_problem([0.0004], [5.0]), make_arcs([0], [0], [7]))
    assert tiny.status == "EMPTY"  # below one kg: nothing can move


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


def test_components_count_parks_and_licence_pools():
    # offers 0,1 → needs 0,1 (park A); offer 2 → need 2 (park B); need 3 joins need 2 via licence 0.
    p = make_problem([5, 5, 5, 5], [5, 5, 5, 5], [3])
    arcs = make_arcs(offer=[0, 1, 2, 3], need=[0, 1, 2, 3], weight=[1, 1, 1, 1], licence=[-1, -1, 0, 0])
    arcs_joined = make_arcs(offer=[0, 0, 1, 2, 3], need=[0, 1, 1, 2, 3], weight=[1, 1, 1, 1, 1],
                            licence=[-1, -1, -1, 0, 0])
    assert allocate(p, arcs).components == 3
    assert allocate(p, arcs_joined).components == 2


def test_flow_batches_pool_small_components_only():
    sizes = np.array([1, 1, 5000, 3, 1999, 2, 1])
    assert flow_module.flow_batches(sizes, 2000) == [(0, 2), (2, 3), (3, 5), (5, 7)]


# ---------------------------------------------------------------- exact mode

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


# ---------------------------------------------------------------- properties

@st.composite
def small_instances(draw):
    n_o = draw(st.integers(1, 5))
    n_n = draw(st.integers(1, 5))
    n_l = draw(st.integers(0, 2))
    qty = st.tuples(st.floats(0.0, 60.0, allow_nan=False), st.integers(0, 5)).map(lambda t: round(t[0], t[1]))
    offer_q = draw(st.lists(qty, min_size=n_o, max_size=n_o))
    need_q = draw(st.lists(qty, min_size=n_n, max_size=n_n))
    lic_q = draw(st.lists(qty, min_size=n_l, max_size=n_l))
    m = draw(st.integers(0, 14))
    arc = st.tuples(st.integers(0, n_o - 1), st.integers(0, n_n - 1), st.integers(-50, 120),
                    st.one_of(st.just(float("inf")), st.floats(0.0, 40.0, allow_nan=False)),
                    st.integers(-1, n_l - 1))
    arcs = draw(st.lists(arc, min_size=m, max_size=m))
    o, n, w, mx, lic = (list(c) for c in zip(*arcs)) if arcs else ([], [], [], [], [])
    return make_problem(offer_q, need_q, lic_q), make_arcs(o, n, w, mx, lic)


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


def test_prepare_drops_unusable_arcs_and_keeps_positions():
    p = make_problem([1, 1], [1, 1], [0])
    arcs = make_arcs(offer=[0, 1, 1, 0], need=[0, 1, 0, 1], weight=[1, 0, 2, 3], licence=[-1, -1, 0, -1])
    inst = prepare(p, arcs, FLOW_UNITS_PER_T)
    assert inst.index.tolist() == [0, 3]  # weight 0 and an exhausted licence drop out
    assert inst.cap.tolist() == [1000, 1000]
