"""Scores as what they mean (issue 17): value created per tonne with its signed parts, and reasons written
``中文 / English`` with no bare internal numbers."""
from __future__ import annotations

import re

import pytest

from matching.pipeline import Recommender, run_park
from matching.scoring import TERM_ORDER, explain_value
from tests.matching.test_pipeline import oil_park

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_parts_add_up_to_the_value_per_tonne_and_the_total_is_for_the_tonnes():
    run = run_park(oil_park())
    assert run.proposals
    for p in run.proposals:
        v = explain_value(p.terms, p.weight, p.quantity_t)
        assert [x["term"] for x in v["parts"]] == list(TERM_ORDER)
        assert sum(x["cny_per_t"] for x in v["parts"]) == pytest.approx(p.weight, abs=1.0)  # whole-yuan rounding
        assert v["cny_per_t"] == p.weight and v["total_cny"] == pytest.approx(round(p.score))
        transport = next(x for x in v["parts"] if x["term"] == "transport")
        assert transport["cny_per_t"] <= 0 and "1.5" in transport["meaning_zh"] and "1.5" in transport["meaning_en"]
        assert all(CJK.search(x["name_zh"]) and CJK.search(x["meaning_zh"]) for x in v["parts"])
        assert all(not CJK.search(x["name_en"] + x["meaning_en"]) for x in v["parts"])


def test_a_hidden_price_is_left_out_and_said_so():
    terms = {"quality": 300.0, "hierarchy": 150.0, "diversion": 0.0, "transport": -12.0}
    v = explain_value(terms, 518, 10.0)
    assert v["price_hidden"] and "price" not in [x["term"] for x in v["parts"]]
    assert v["cny_per_t"] == 518 and v["total_cny"] == 5180


def test_every_reason_is_chinese_then_english_with_fits_as_percentages():
    best = Recommender(oil_park()).recommend("O-ash", top=3)
    assert best
    for p in best:
        for reason in p.reasons:
            zh, sep, en = reason.partition(" / ")
            assert sep and CJK.search(zh) and not CJK.search(en), reason
            assert en[:1].isupper()
        joined = " ".join(p.reasons)
        assert "fit 0." not in joined and "composition fit" not in joined.replace("(composition fit", "")
        assert re.search(r"成分吻合度 \d+ %", joined) and re.search(r"composition fit \d+ %", joined)
        # money is per tonne with its sign and unit
        assert re.search(r"运输 [\d.]+ km：[−+]\d[\d,]* 元/吨", joined)
        assert re.search(r"Transport [\d.]+ km: [−+]\d[\d,]* CNY/t", joined)
