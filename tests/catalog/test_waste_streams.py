"""The waste streams and our category codes of the construction, household and agricultural streams."""
from __future__ import annotations

import re

import pytest

from catalog.solid_waste import SOLID_WASTE_CATEGORIES, is_solid_waste_category
from catalog.waste_codes import is_hw_code
from catalog.waste_streams import (
    CONSTRUCTION_PERMIT,
    HOUSEHOLD_PERMIT,
    HW_PERMIT,
    HW_PERMIT_FOR_DISPOSAL,
    PERMITS,
    STREAM_CATEGORIES,
    STREAM_KEYS,
    STREAMS,
    category_stream,
    infer_stream,
    is_stream_category,
    normalise_category,
    stream_category,
    stream_conflict,
)

# The categories the standards define, by our code (CJJ/T 134-2019, GB/T 19095-2019, the agricultural residues).
EXPECTED = {
    "CW01": "工程渣土", "CW02": "工程泥浆", "CW03": "工程垃圾", "CW04": "拆除垃圾", "CW05": "装修垃圾",
    "HH01": "可回收物", "HH02": "有害垃圾", "HH03": "厨余垃圾", "HH04": "其他垃圾", "HH05": "大件垃圾",
    "AG01": "秸秆", "AG02": "畜禽粪污", "AG03": "废旧农膜", "AG04": "农药包装废弃物",
}


def test_the_five_streams_of_the_contract():
    assert STREAM_KEYS == ("industrial", "hazardous", "household", "construction", "agricultural")
    for s in STREAMS:
        assert s.name_zh and s.name_en.isascii()


def test_categories_and_names():
    assert {c.code: c.name_zh for c in STREAM_CATEGORIES} == EXPECTED
    by_prefix = {"CW": "construction", "HH": "household", "AG": "agricultural"}
    for c in STREAM_CATEGORIES:
        assert c.stream == by_prefix[c.code[:2]]
        assert c.name_en.isascii() and c.name_en
        assert c.receivers and len(c.receivers_zh) == len(c.receivers)
        assert all(r.isascii() for r in c.receivers)


def test_our_codes_cannot_be_taken_for_hw_or_sw_codes():
    for c in STREAM_CATEGORIES:
        assert re.fullmatch(r"(CW|HH|AG)\d{2}", c.code)
        assert not is_hw_code(c.code)
        assert not is_solid_waste_category(c.code)
    for c in SOLID_WASTE_CATEGORIES:
        assert not is_stream_category(c.code)


def test_permits_follow_the_rules():
    assert {c.code for c in STREAM_CATEGORIES if c.permit == CONSTRUCTION_PERMIT} == {f"CW0{i}" for i in range(1, 6)}
    assert {c.code for c in STREAM_CATEGORIES if c.permit == HOUSEHOLD_PERMIT} == {"HH01", "HH03", "HH04", "HH05"}
    assert stream_category("HH02").permit == HW_PERMIT and stream_category("HH02").hazardous
    assert stream_category("AG04").permit == HW_PERMIT_FOR_DISPOSAL and not stream_category("AG04").hazardous
    assert all(stream_category(c).permit is None for c in ("AG01", "AG02", "AG03"))
    assert "139" in PERMITS[CONSTRUCTION_PERMIT].source and "157" in PERMITS[HOUSEHOLD_PERMIT].source


@pytest.mark.parametrize("spelling", ["CW04", "cw04", "cw4", " CW04 ", "ＣＷ０４"])
def test_lookup_spellings(spelling):
    assert stream_category(spelling).name_zh == "拆除垃圾"
    assert normalise_category(spelling) == "CW04"


@pytest.mark.parametrize("code", ["CW00", "CW06", "HH06", "AG05", "SW02", "HW08", "", "straw"])
def test_unknown_categories(code):
    assert not is_stream_category(code)
    with pytest.raises(KeyError):
        stream_category(code)


@pytest.mark.parametrize(("code", "category", "stream"), [
    ("900-214-08", None, "hazardous"),
    (None, "SW02", "industrial"),
    (None, "441-001-S02", "industrial"),
    (None, "CW04", "construction"),
    (None, "hh3", "household"),
    (None, "AG01", "agricultural"),
    ("AG02", None, "agricultural"),  # a category typed where the code goes still names its stream
    (None, None, "industrial"),  # a surplus chemical
    (None, "no such code", "industrial"),
])
def test_infer_stream(code, category, stream):
    assert infer_stream(code, category) == stream


def test_category_stream_of_nothing():
    assert category_stream(None) is None and category_stream("") is None


def test_conflicts_are_explained_in_both_languages():
    assert stream_conflict("hazardous", "900-214-08") is None
    assert stream_conflict("construction", None, "CW04") is None
    assert stream_conflict("industrial", None, None) is None
    why = stream_conflict("household", "900-214-08")
    assert why and "危险废物" in why and "hazardous" in why
    why = stream_conflict("agricultural", None, "CW04")
    assert why and "建筑垃圾" in why and "construction" in why
