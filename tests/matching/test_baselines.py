"""Honest baselines (issue 17): the greedy figure shown beside an optimum solves the same problem.

``match --exact`` printed "OPTIMAL, objective 295,000,495 (greedy 295,002,025)": the greedy ran
at 1 kg without the exact mode's side constraints (a minimum lot, suppliers per need, conflicts,
a fixed cost per link), so it "beat" the optimum of a harder problem. Now the baseline of an exact
run is the side-constrained greedy at 10 kg, and no optimum is ever worse than it.
"""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from matching.optimise import allocate, greedy
from matching.pipeline import run_park
from tests.matching.allocation_checks import exact_settings, small_instances
from tests.matching.optimise_instances import make_arcs, make_problem, random_instance


def test_the_old_baseline_could_beat_the_exact_optimum_the_new_one_cannot():
    # Two offers of 7.005 t and 5 t into one need of 12 t that takes one supplier: the exact problem
    # allows 7 t at best (10 kg units, one supplier); plain greedy at 1 kg sends both.
    p = make_problem([7.005, 5.0], [12.0])
    arcs = make_arcs([0, 1], [0, 0], [100, 90])
    s = exact_settings(p, max_suppliers_per_need=1, time_limit_s=5.0)
    exact = allocate(p, arcs, s)
    unconstrained = greedy(p, arcs)  # another problem: no side constraint, 1 kg
    same = greedy(p, arcs, s)
    assert unconstrained.objective > exact.objective  # what the CLI used to print beside it
    assert same.objective <= exact.objective + 1e-9
    assert same.detail["resolution_t"] == exact.detail["resolution_t"] == 0.01


def test_the_fixed_cost_is_charged_to_the_baseline_too():
    p = make_problem([10.0, 10.0], [20.0])
    arcs = make_arcs([0, 1], [0, 0], [50, 5])
    s = exact_settings(p, fixed_cost_per_link=100.0, time_limit_s=5.0)
    base = greedy(p, arcs, s)
    # The second link carries 10 t × 5 = 50 CNY, less than its fixed cost: greedy does not open it.
    assert base.objective == pytest.approx(10 * 50 - 100)
    assert allocate(p, arcs, s).objective >= base.objective - 1e-9


@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances(), st.sampled_from([0.0, 2.5, 10.0]), st.sampled_from([None, 1, 2]),
       st.sampled_from([0, 30]), st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=3))
def test_property_the_exact_optimum_is_never_worse_than_its_baseline(case, lot, k, fixed, conflicts):
    p, arcs = case
    conflicts = [(a, b) for a, b in conflicts if a < p.o.size and b < p.o.size]
    s = exact_settings(p, min_lot_t=lot, max_suppliers_per_need=k, fixed_cost_per_link=fixed, time_limit_s=5.0)
    assert allocate(p, arcs, s, conflicts=conflicts).objective >= greedy(p, arcs, s, conflicts).objective - 1e-9


def test_a_larger_instance_under_a_tiny_time_limit_still_beats_its_baseline():
    inst = random_instance(120, 120, arcs_per_offer=8, seed=3)
    s = exact_settings(inst.problem, min_lot_t=5.0, max_suppliers_per_need=2, time_limit_s=0.2)
    assert allocate(inst.problem, inst.arcs, s).objective >= greedy(inst.problem, inst.arcs, s).objective - 1e-6


def test_a_park_run_reports_the_baseline_of_the_same_problem():
    from tests.matching.test_pipeline import oil_park

    problem = oil_park()
    exact = dataclasses.replace(problem.settings, exact=True, max_suppliers_per_need=1, time_limit_s=5.0)
    problem.settings = exact
    run = run_park(problem)
    b = run.baseline
    assert b["same_problem"] and b["side_constraints"] and b["resolution_t"] == 0.01
    assert b["objective"] == run.greedy_objective <= run.objective + 1e-6
    assert b["improvement"] == pytest.approx(run.objective - run.greedy_objective)
    assert run.totals()["tonnes"] == pytest.approx(sum(p.quantity_t for p in run.proposals))
