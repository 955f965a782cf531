"""No fit, no recommendation: a pair needs evidence that the material suits the need.

The hierarchy, diversion and price terms rank fitting pairs; they never create one. Each
kind of evidence is tested with a pair that has it (recommended) and one that does not.
"""
from __future__ import annotations

import numpy as np

from matching.pipeline import Recommender, run_park
from matching.problem import Problem
from matching.similarity import EVIDENCE, SimilarityModel
from tests.matching.records import SETTINGS, licence, need, offer

WATER, SIO2, AL2O3, LACTOSE, LI2CO3 = "7732-18-5", "7631-86-9", "1344-28-1", "63-42-3", "554-13-2"
FLY_ASH = {SIO2: 0.5, AL2O3: 0.27, WATER: 0.01}


def _evidence(problem: Problem, o: int, n: int) -> dict[str, bool]:
    model = SimilarityModel().fit(problem)
    row = model.pair_evidence(np.array([o]), np.array([n]))[0]
    return dict(zip(EVIDENCE, row.tolist()))


def _fly_ash(**kw):
    return offer("ASH", "PLANT", form="powder", qty=1000.0, comp=dict(FLY_ASH), title_zh="燃煤电厂粉煤灰",
                 current_route="landfill", **kw)


def _lactose_buyer(**kw):
    # a rich buyer right next door: price and hierarchy terms would put it first if they could create a fit
    return need("LACT", "PHARMA", forms=("powder",), purpose="reuse", comp={LACTOSE: 0.99}, qty=500.0,
                title="Pharmaceutical lactose", title_zh="药用乳糖", price_cny_per_t=20000.0, lat=31.301, **kw)


def test_an_unrelated_need_is_never_recommended_whatever_it_pays():
    cement = need("CEM", "CEMENT", forms=("powder",), comp={SIO2: 0.45, AL2O3: 0.2}, title="Fly ash as cement extender",
                  lat=31.40)
    problem = Problem([_fly_ash()], [_lactose_buyer(), cement], settings=SETTINGS)
    recs = Recommender(problem).recommend("ASH", top=5)
    assert [r.need for r in recs] == ["CEM"]
    assert recs[0].reasons[0].startswith("适配依据：成分、名称（粉煤灰") and " / Evidence of fit: composition, title (fly ash" in recs[0].reasons[0]


def test_the_park_run_never_allocates_a_pair_without_evidence():
    problem = Problem([_fly_ash()], [_lactose_buyer()], settings=SETTINGS)
    run = run_park(problem)
    assert run.proposals == []
    (left,) = run.unmatched["offers"]
    assert "none with evidence that the material fits" in left["reason"]


def test_composition_evidence_is_a_specific_substance_not_water():
    wet = offer("WET", "P", form="liquid", comp={WATER: 0.9, SIO2: 0.1})
    water_only = need("DI", "FAB", forms=("liquid",), comp={WATER: 0.9999}, title="Deionised water")
    silica = need("SIL", "FOUNDRY", forms=("liquid",), comp={SIO2: 0.3, WATER: 0.7}, title="Silica sol")
    problem = Problem([wet], [water_only, silica], settings=SETTINGS)
    assert _evidence(problem, 0, 0) == {"composition": False, "text": False, "code": False}
    assert _evidence(problem, 0, 1)["composition"] is True
    assert [r.need for r in Recommender(problem).recommend("WET")] == ["SIL"]


def test_titles_in_different_languages_naming_the_same_material_are_evidence():
    ash = offer("ASH", "PLANT", form="powder", title_zh="燃煤电厂粉煤灰")  # no composition, Chinese only
    cement = need("CEM", "CEMENT", forms=("powder",), title="Fly ash as cement extender")  # English only
    lithium = need("LI", "CATHODE", forms=("powder",), title="Battery-grade lithium carbonate", comp={LI2CO3: 0.995})
    problem = Problem([ash], [cement, lithium], settings=SETTINGS)
    assert _evidence(problem, 0, 0)["text"] is True
    assert not any(_evidence(problem, 0, 1).values())
    model = SimilarityModel().fit(problem)
    values, present = model.pair_blocks(np.array([0, 0]), np.array([0, 1]))
    assert present[0, 3] and values[0, 3] > values[1, 3]  # the glossary gives the two languages shared n-grams
    assert [r.need for r in Recommender(problem).recommend("ASH")] == ["CEM"]


def test_a_receiver_licensed_for_the_category_is_evidence():
    oil = offer("OIL", "GARAGE", code="900-214-08", form="liquid")  # no composition, no title
    handler = need("REG", "HANDLER", forms=("liquid",))
    other = need("OTHER", "ANYONE", forms=("liquid",), lat=31.36)
    problem = Problem([oil], [handler, other], [licence("L-1", "HANDLER", ("HW08",))], settings=SETTINGS)
    assert _evidence(problem, 0, 0)["code"] is True
    assert not any(_evidence(problem, 0, 1).values())
    assert [r.need for r in Recommender(problem).recommend("OIL")] == ["REG"]


def test_a_need_naming_the_offer_code_is_evidence():
    slag = offer("SLAG", "MILL", form="solid", code="SW01")
    named = need("ROAD", "ROADS", forms=("solid",), waste_code="SW01")
    unnamed = need("ANY", "ANYONE", forms=("solid",), lat=31.36)
    problem = Problem([slag], [named, unnamed], settings=SETTINGS)
    assert _evidence(problem, 0, 0)["code"] is True
    assert not any(_evidence(problem, 0, 1).values())
