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


# --- unknown is not zero (issue 16) ---------------------------------------------------------------

SIO2, PB = "7631-86-9", "7439-92-1"


def cullet_park() -> Problem:
    """A lead-free furnace limiting lead to 0.1 %, and cullet offers declaring lead below, above or not at all."""
    offers = [offer("O-clean", "Clean", form="solid", comp={SIO2: 0.7, PB: 0.0001}, qty=100, title="Glass cullet",
                    lat=31.33, lon=120.63),
              # nearer and cheaper, so it weighs more; but it does not declare lead
              offer("O-silent", "Silent", form="solid", comp={SIO2: 0.7}, qty=100, title="Glass cullet",
                    lat=31.35, lon=120.65, price_cny_per_t=-200.0),
              offer("O-leaded", "Leaded", form="solid", comp={SIO2: 0.6, PB: 0.02}, qty=100, title="Glass cullet",
                    lat=31.35, lon=120.65),
              offer("O-complete", "Complete", form="solid", comp={SIO2: 0.7}, qty=100, title="Glass cullet",
                    lat=31.34, lon=120.64, composition_complete=True)]
    needs = [need("N-furnace", "Furnace", forms=("solid",), purpose="reuse", comp={SIO2: 0.7}, qty=1000,
                  title="Glass cullet", limits={PB: 0.001})]
    return Problem(offers, needs, settings=SETTINGS)


def test_recommend_ranks_an_unknown_pair_below_every_passing_one_whatever_its_weight():
    best = Recommender(cullet_park()).recommend("N-furnace", top=5)
    by_offer = {p.offer: p for p in best}
    assert [p.offer for p in best][-1] == "O-silent" and "O-leaded" not in by_offer
    assert set(by_offer) == {"O-clean", "O-complete", "O-silent"}
    silent = by_offer["O-silent"]
    assert silent.weight > max(by_offer["O-clean"].weight, by_offer["O-complete"].weight)
    assert [c.code for c in silent.unknown()] == ["contaminant_limit"]
    assert "needs an analysis report" in silent.unknown()[0].detail
    assert any(r.startswith("待核实（需检测报告）：") and "Unknown (needs an analysis report)" in r for r in silent.reasons)
    assert by_offer["O-clean"].unknown() == [] and by_offer["O-complete"].unknown() == []
    # from the offer's side the same pair comes back, with its unknown check
    (only,) = Recommender(cullet_park()).recommend("O-silent", top=5)
    assert only.need == "N-furnace" and only.unknown()


def test_blocked_answers_why_not_marking_unknown_checks():
    blocked = dict(Recommender(cullet_park()).blocked("N-furnace"))
    (leaded,) = blocked["O-leaded"]
    assert leaded.code == "contaminant_limit" and leaded.status == "failed"
    (silent,) = blocked["O-silent"]
    assert silent.code == "contaminant_limit" and silent.status == "unknown"
    assert "O-clean" not in blocked and "O-complete" not in blocked


def test_the_park_run_never_allocates_an_unknown_pair_and_says_a_report_is_needed():
    run = run_park(cullet_park())
    assert {p.offer for p in run.proposals} == {"O-clean", "O-complete"}
    assert all(not p.unknown() for p in run.proposals)
    reasons = {e["offer"]: e["reason"] for e in run.unmatched["offers"]}
    assert "needs an analysis report" in reasons["O-silent"] and "需提供检测报告" in reasons["O-silent"]
    assert "contaminant_limit×1" in reasons["O-silent"]
    assert "needs an analysis report" not in reasons["O-leaded"]
    assert run.counts["failed_contaminant_limit"] == 2 and run.counts["unknown_contaminant_limit"] == 1


def test_a_hazardous_offer_without_composition_is_flagged_and_ranks_below():
    offers = [offer("O-declared", "Plant", code="900-249-08", comp=OIL, qty=100, title="Waste oil"),
              offer("O-bare", "Garage", code="900-249-08", qty=100, title="Waste oil", lat=31.35, lon=120.65,
                    price_cny_per_t=-300.0)]
    problem = Problem(offers, [need("N-rerefine", "Handler", comp={"64742-54-7": 0.8}, qty=400, title="Waste oil")],
                      [licence("L-1", "Handler", ("HW08",))], settings=SETTINGS)
    best = Recommender(problem).recommend("N-rerefine", top=5)
    assert [p.offer for p in best] == ["O-declared", "O-bare"] and best[1].weight > best[0].weight
    (flag,) = best[1].unknown()
    assert flag.code == "composition_declared" and not flag.hard and flag in best[1].flags()
    # soft: the park run may still allocate it (the receiver's acceptance analysis settles it), flagged
    run = run_park(problem)
    bare = next(p for p in run.proposals if p.offer == "O-bare")
    assert [c.code for c in bare.flags()] == ["composition_declared"]


def test_the_collector_is_paused_for_the_run_and_left_as_the_caller_had_it(monkeypatch):
    import gc

    from matching import pipeline

    seen: list[bool] = []
    allocate = pipeline.allocate

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return allocate(*args, **kwargs)

    monkeypatch.setattr(pipeline, "allocate", watching)
    assert gc.isenabled()
    expected = run_park(oil_park())
    assert seen == [False] and gc.isenabled()  # paused while it ran, on again after
    gc.disable()
    try:
        again = run_park(oil_park())
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
    assert again.objective == expected.objective and len(again.proposals) == len(expected.proposals)

    def failing(*args, **kwargs):
        raise RuntimeError("solver failed")

    monkeypatch.setattr(pipeline, "allocate", failing)
    with pytest.raises(RuntimeError):
        run_park(oil_park())
    assert gc.isenabled()  # on again after a failure too
