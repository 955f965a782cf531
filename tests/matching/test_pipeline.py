"""The whole pipeline on small parks: legal, explained, optimal against the greedy baseline."""
from __future__ import annotations

import pytest

from matching.pipeline import Recommender, run_park
from matching.problem import Problem
from matching.rules import RULES
from tests.matching.records import SETTINGS, licence, need, offer

OIL = {"64742-54-7": 0.85, "7732-18-5": 0.1}


def oil_park() -> Problem:
    offers = [offer("O-oil", "Garage", code="900-214-08", comp=OIL, qty=300, title="Used engine oil", title_zh="废机油"),
              offer("O-oil2", "Plant", code="900-249-08", comp=OIL, qty=200, title="Waste lubricating oil",
                    title_zh="废润滑油"),
              offer("O-ash", "Power", form="powder", comp={"1305-78-8": 0.3, "7631-86-9": 0.5}, qty=5000,
                    title="Fly ash", title_zh="粉煤灰")]
    needs = [need("N-rerefine", "Handler", comp={"64742-54-7": 0.8}, qty=400, title="Waste oil for re-refining",
                  title_zh="废矿物油再生"),
             need("N-unlicensed", "Shed", comp={"64742-54-7": 0.8}, qty=1000, title="Waste oil wanted",
                  title_zh="收废油", lat=31.31, lon=120.61),
             need("N-cement", "Cement", forms=("powder",), purpose="reuse", comp={"1305-78-8": 0.4}, qty=3000,
                  title="Fly ash for cement", title_zh="水泥掺合料粉煤灰")]
    return Problem(offers, needs, [licence("L-1", "Handler", ("HW08",), remaining=450)], settings=SETTINGS)


def test_every_proposal_is_legal_and_explained():
    run = run_park(oil_park())
    assert run.status == "OPTIMAL" and run.proposals
    for p in run.proposals:
        assert [c.code for c in p.checks] == [r.code for r in RULES]
        assert all(c.passed for c in p.checks if c.hard)
        assert p.reasons and p.terms["weight"] == p.weight
    pairs = {(p.offer, p.need) for p in run.proposals}
    assert ("O-oil", "N-unlicensed") not in pairs and ("O-oil2", "N-unlicensed") not in pairs
    assert ("O-ash", "N-cement") in pairs


def test_objective_is_the_sum_of_weight_times_quantity_and_at_least_greedy():
    run = run_park(oil_park(), with_candidates=True)
    assert run.objective == pytest.approx(sum(p.weight * p.quantity_t for p in run.proposals), rel=1e-9)
    assert run.objective >= run.greedy_objective - 1e-6
    assert {(c["offer"], c["need"]) for c in run.candidates} >= {(p.offer, p.need) for p in run.proposals}


def test_licence_capacity_is_shared_between_offers():
    run = run_park(oil_park())
    through_licence = sum(p.quantity_t for p in run.proposals if p.licence == "L-1")
    assert through_licence <= 450 + 1e-6
    assert run.unmatched["offers"], "500 t of oil against 450 t of licence leaves some oil unplaced"


def test_unmatched_offers_say_why():
    problem = Problem([offer("O-lonely", "P", code="900-214-08", comp=OIL)],
                      [need("N-shed", "Shed", comp={"64742-54-7": 0.8})], settings=SETTINGS)
    run = run_park(problem)
    assert not run.proposals
    (entry,) = run.unmatched["offers"]
    assert entry["offer"] == "O-lonely" and "hw_licence" in entry["reason"]


def test_recommend_ranks_legal_needs_and_explains_why_not():
    rec = Recommender(oil_park())
    best = rec.recommend("O-oil", top=3)
    assert [p.need for p in best] == ["N-rerefine"]
    assert best[0].quantity_t == pytest.approx(300)
    blocked = dict(rec.blocked("O-oil"))
    assert any(c.code == "hw_licence" for c in blocked["N-unlicensed"])
    needs_view = rec.recommend("N-cement", top=3)
    assert [p.offer for p in needs_view] == ["O-ash"]
    with pytest.raises(KeyError):
        rec.recommend("nope")


@pytest.mark.parametrize("side", ["offers", "needs"])
def test_a_park_with_one_side_empty_is_an_empty_run_not_an_error(side):
    park = oil_park()
    offers, needs = (park.offers, []) if side == "offers" else ([], park.needs)
    problem = Problem(offers, needs, park.licences, settings=SETTINGS)
    run = run_park(problem)
    assert run.status == "EMPTY" and run.proposals == [] and run.objective == 0
    left = run.unmatched["offers"] if side == "offers" else run.unmatched["needs"]
    assert len(left) == len(offers or needs)
    ref = (offers or needs)[0].ref
    assert Recommender(problem).recommend(ref) == []
    with pytest.raises(KeyError):
        Recommender(problem).recommend("no-such-ref")
