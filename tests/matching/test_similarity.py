"""The similarity model: IDF-weighted composition, elements, waste category, bilingual text."""
from __future__ import annotations

import numpy as np

from matching.problem import Problem
from matching.similarity import SimilarityModel
from tests.matching.records import SETTINGS, licence, need, offer

WATER, TOLUENE, ACETONE = "7732-18-5", "108-88-3", "67-64-1"


def sim(problem: Problem, o: int, n: int) -> float:
    model = SimilarityModel().fit(problem)
    return float(model.pair_similarity(np.array([o]), np.array([n]))[0])


def test_rare_components_count_more_than_water():
    offers = [offer("O1", comp={WATER: 0.9, TOLUENE: 0.1})] + [
        offer(f"W{i}", f"P{i}", comp={WATER: 0.95}) for i in range(5)]
    needs = [need("N-water", comp={WATER: 0.9, ACETONE: 0.1}), need("N-toluene", comp={TOLUENE: 0.3, WATER: 0.1})]
    model = SimilarityModel().fit(Problem(offers, needs, settings=SETTINGS))
    values, _ = model.pair_blocks(np.array([0, 0]), np.array([0, 1]))
    assert values[1, 0] > values[0, 0]  # composition block prefers the toluene taker


def test_elements_relate_a_salt_to_its_metal():
    etchant = offer("O1", comp={"7447-39-4": 0.2})  # copper(II) chloride
    copper_taker = need("N-cu", comp={"7440-50-8": 0.1})  # copper
    zinc_taker = need("N-zn", comp={"7440-66-6": 0.1})  # zinc
    model = SimilarityModel().fit(Problem([etchant], [copper_taker, zinc_taker], settings=SETTINGS))
    values, present = model.pair_blocks(np.array([0, 0]), np.array([0, 1]))
    assert present[:, 1].all()
    assert values[0, 1] > 0.5 > values[1, 1]


def test_chinese_and_english_titles():
    offers = [offer("O1", title="Used engine oil", title_zh="废机油")]
    needs = [need("N-oil", title="Waste mineral oil for re-refining", title_zh="废矿物油再生"),
             need("N-ash", title="Fly ash for cement", title_zh="粉煤灰")]
    model = SimilarityModel().fit(Problem(offers, needs, settings=SETTINGS))
    values, present = model.pair_blocks(np.array([0, 0]), np.array([0, 1]))
    assert present[:, 3].all() and values[0, 3] > values[1, 3]


def test_category_block_prefers_the_licensed_handler():
    oil = offer("O1", code="900-214-08")
    handler, cement = need("N-handler", "H"), need("N-cement", "C")
    problem = Problem([oil], [handler, cement], [licence("L1", "H", ("HW08",))], settings=SETTINGS)
    values, _ = SimilarityModel().fit(problem).pair_blocks(np.array([0, 0]), np.array([0, 1]))
    assert values[0, 2] == 1.0 and values[1, 2] == 0.0


def test_missing_blocks_do_not_punish_a_sparse_need():
    problem = Problem([offer("O1", comp={TOLUENE: 0.5}, title="toluene")], [need("N1", title="toluene")],
                      settings=SETTINGS)
    s = sim(problem, 0, 0)
    assert 0.5 < s <= 1.0


def test_similarity_is_bounded_and_deterministic():
    offers = [offer(f"O{i}", f"P{i}", comp={TOLUENE: 0.1 * i + 0.05, WATER: 0.3}, title=f"solvent {i}")
              for i in range(6)]
    needs = [need(f"N{j}", f"R{j}", comp={TOLUENE: 0.2, ACETONE: 0.1 * j}, title="solvent recovery")
             for j in range(4)]
    problem = Problem(offers, needs, settings=SETTINGS)
    oi, ni = np.repeat(np.arange(6), 4), np.tile(np.arange(4), 6)
    a = SimilarityModel().fit(problem).pair_similarity(oi, ni)
    b = SimilarityModel().fit(problem).pair_similarity(oi, ni)
    assert np.all((a >= 0) & (a <= 1)) and np.array_equal(a, b)
