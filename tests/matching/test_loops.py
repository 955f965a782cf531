"""Loops worth closing (matching.loops): the motivating two-way sulfuric-acid loop of issue 16.

E-A uses 98 % sulfuric acid and produces spent acid; E-B regenerates spent acid and has surplus 98 % acid. The
loop A → B (spent acid) and B → A (98 % acid) is legal, but a third party closer to each offer (E-C for the spent
acid, E-D for the 98 % acid) is worth a few yuan per tonne more, so the weight optimum sends both elsewhere.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matching.arcs import Arcs
from matching.loops import evaluate_loops
from matching.pipeline import run_park
from matching.problem import Problem
from tests.matching.records import SETTINGS, licence, need, offer

SPENT = {"7664-93-9": 0.70, "7732-18-5": 0.28}
ACID = {"7664-93-9": 0.98, "7732-18-5": 0.02}


def acid_park(bonus: float = 0.0, **settings) -> Problem:
    """The documented loop with a slightly better third-party receiver for each offer (C and D sit nearer)."""
    offers = [offer("O-spent", "E-A", code="900-300-34", comp=SPENT, qty=1000, title="Spent sulfuric acid",
                    title_zh="废硫酸", lat=31.30, lon=120.60),
              offer("O-acid", "E-B", comp=ACID, qty=600, title="Surplus sulfuric acid 98%", title_zh="98%硫酸",
                    lat=31.30, lon=120.70)]
    needs = [need("N-spent-B", "E-B", comp=SPENT, qty=1000, title="Spent sulfuric acid for regeneration",
                  title_zh="废硫酸再生", lat=31.30, lon=120.70),
             need("N-spent-C", "E-C", comp=SPENT, qty=1000, title="Spent sulfuric acid for regeneration",
                  title_zh="废硫酸再生", lat=31.30, lon=120.66),
             need("N-acid-A", "E-A", comp=ACID, qty=600, title="Sulfuric acid 98%", title_zh="浓硫酸", purpose="reuse",
                  lat=31.30, lon=120.60),
             need("N-acid-D", "E-D", comp=ACID, qty=600, title="Sulfuric acid 98%", title_zh="浓硫酸", purpose="reuse",
                  lat=31.30, lon=120.67)]
    lics = [licence("L-B", "E-B", ("HW34",)), licence("L-C", "E-C", ("HW34",))]
    return Problem(offers, needs, lics, settings=dataclasses.replace(SETTINGS, loop_bonus_cny=bonus, **settings))


def _weights(run) -> dict[tuple[str, str], int]:
    return {(c["offer"], c["need"]): c["weight"] for c in run.candidates}


def test_the_default_run_does_not_close_the_loop_and_lists_it_with_its_cost():
    run = run_park(acid_park(), with_candidates=True)
    pairs = {(p.offer, p.need): p.quantity_t for p in run.proposals}
    assert pairs == {("O-spent", "N-spent-C"): 1000.0, ("O-acid", "N-acid-D"): 600.0}
    w = _weights(run)
    # Both loop arcs are legal and second-ranked for their offer.
    assert w["O-spent", "N-spent-C"] > w["O-spent", "N-spent-B"] > 0
    assert w["O-acid", "N-acid-D"] > w["O-acid", "N-acid-A"] > 0
    (opp,) = run.loops["opportunities"]
    assert opp["enterprises"] == ["E-A", "E-B"] and not opp["closed_by_run"]
    assert [(link["offer"], link["need"], link["quantity_t"], link["carried_t"]) for link in opp["links"]] == [
        ("O-spent", "N-spent-B", 1000.0, 0.0), ("O-acid", "N-acid-A", 600.0, 0.0)]
    # By hand: all 1000 t of spent acid to B instead of C, all 600 t of acid to A instead of D; nothing else moves.
    cost = 1000 * (w["O-spent", "N-spent-C"] - w["O-spent", "N-spent-B"]) \
        + 600 * (w["O-acid", "N-acid-D"] - w["O-acid", "N-acid-A"])
    assert opp["cost_cny"] == pytest.approx(cost)
    assert opp["cost_pct"] == pytest.approx(100 * cost / run.objective, abs=1e-4)
    assert opp["tonnes"] == 600.0
    assert run.loops["closed"] == [] and run.loops["bonus_total_cny"] == 0.0
    assert run.loops["objective"] == run.objective == run.loops["optimum_objective"]


def test_a_bonus_above_the_cost_closes_the_loop_and_below_it_does_not():
    plain = run_park(acid_park(), with_candidates=True)
    cost = plain.loops["opportunities"][0]["cost_cny"]
    assert cost > 0

    below = run_park(acid_park(bonus=cost - 1))
    assert {(p.offer, p.need) for p in below.proposals} == {(p.offer, p.need) for p in plain.proposals}
    assert below.objective == plain.objective and below.loops["closed"] == []

    above = run_park(acid_park(bonus=cost + 1))
    assert {(p.offer, p.need): p.quantity_t for p in above.proposals} == {
        ("O-spent", "N-spent-B"): 1000.0, ("O-acid", "N-acid-A"): 600.0}
    assert above.objective == pytest.approx(plain.objective - cost)  # the contract's objective: Σ weight × tonnes
    (closed,) = above.loops["closed"]
    assert closed["enterprises"] == ["E-A", "E-B"] and closed["favoured"] and closed["cost_cny"] == pytest.approx(cost)
    assert [link["carried_t"] for link in closed["links"]] == [1000.0, 600.0]
    assert above.loops["bonus_total_cny"] == cost + 1
    assert above.loops["objective_with_bonus"] == pytest.approx(above.objective + cost + 1)
    assert above.loops["optimum_objective"] == pytest.approx(plain.objective)
    assert above.solver["name"] == "min_cost_flow+loops" and above.status == "OPTIMAL"
    assert all(all(c.passed for c in p.checks if c.hard) for p in above.proposals)


def test_loops_off_gives_exactly_the_old_allocation():
    on = run_park(acid_park())
    off = run_park(acid_park(loop_opportunities=0))
    assert [(p.offer, p.need, p.quantity_t) for p in on.proposals] == \
        [(p.offer, p.need, p.quantity_t) for p in off.proposals]
    assert on.objective == off.objective and off.loops["opportunities"] == [] and off.solver["name"] == "min_cost_flow"


def test_exact_mode_refuses_a_loop_bonus_and_evaluates_nothing():
    with pytest.raises(ValueError, match="exact"):
        run_park(acid_park(bonus=1000.0, exact=True, time_limit_s=2))
    run = run_park(acid_park(exact=True, time_limit_s=2))
    assert run.loops["opportunities"] == [] and "exact" in run.loops["note"]


def _engine(weights: dict[tuple[int, int], int], caps: tuple[list[float], list[float]]):
    """A problem with fixed arc weights: offers 0 (E-A), 1 (E-B); needs 0 (E-B), 1 (E-C), 2 (E-A), 3 (E-D)."""
    o_q, n_q = caps
    offers = [offer("O-spent", "E-A", qty=o_q[0]), offer("O-acid", "E-B", qty=o_q[1])]
    needs = [need("N-spent-B", "E-B", qty=n_q[0]), need("N-spent-C", "E-C", qty=n_q[1]),
             need("N-acid-A", "E-A", qty=n_q[2]), need("N-acid-D", "E-D", qty=n_q[3])]
    problem = Problem(offers, needs, settings=SETTINGS)
    keys = sorted(weights)
    o = np.array([k[0] for k in keys]), np.array([k[1] for k in keys])
    arcs = Arcs(offer=o[0], need=o[1], distance_km=np.zeros(len(keys)), licence=np.full(len(keys), -1),
                weight=np.array([weights[k] for k in keys], dtype=np.int64),
                max_t=np.minimum(np.array(o_q)[o[0]], np.array(n_q)[o[1]]))
    return problem, arcs


def test_the_cost_is_what_the_forced_links_displace_when_the_third_party_takes_only_part():
    # C takes only 400 t: the optimum already sends 600 t of spent acid to B. Closing the loop moves the other
    # 400 t from C to B (400 × 6) and the 600 t of acid from D to A (600 × 10).
    weights = {(0, 0): 300, (0, 1): 306, (1, 2): 500, (1, 3): 510}
    problem, arcs = _engine(weights, ([1000, 600], [1000, 400, 600, 600]))
    from matching.optimise import allocate
    optimum = allocate(problem, arcs)
    flow, report = evaluate_loops(problem, arcs, optimum.flow)
    assert flow is optimum.flow
    (opp,) = report.opportunities
    assert [link.carried_t for link in opp.links] == [600.0, 0.0]
    assert opp.cost_cny == 400 * 6 + 600 * 10
    flow, report = evaluate_loops(problem, arcs, optimum.flow, bonus_cny=400 * 6 + 600 * 10 + 0.5)
    assert report.objective == pytest.approx(optimum.objective - 8400)
    assert len(report.closed) == 1 and report.bonus_total_cny == 8400.5


def test_a_loop_the_optimum_closes_costs_nothing_and_counts_as_closed():
    weights = {(0, 0): 320, (0, 1): 306, (1, 2): 520, (1, 3): 510}
    problem, arcs = _engine(weights, ([1000, 600], [1000, 1000, 600, 600]))
    from matching.optimise import allocate
    optimum = allocate(problem, arcs)
    flow, report = evaluate_loops(problem, arcs, optimum.flow, bonus_cny=100.0)
    (opp,) = report.opportunities
    assert opp.closed_by_run and opp.cost_cny == 0
    assert np.array_equal(flow, optimum.flow) or report.objective == pytest.approx(optimum.objective)
    (closed,) = report.closed
    assert not closed["favoured"] and report.bonus_total_cny == 100.0
