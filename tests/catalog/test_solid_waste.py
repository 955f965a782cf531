"""General industrial solid waste categories SW01–SW59."""
from __future__ import annotations

import re

import pytest

from catalog.solid_waste import SOLID_WASTE_CATEGORIES, SolidWasteCategory, is_solid_waste_category, solid_waste_category

EXPECTED = {
    "SW01": "冶炼废渣", "SW02": "粉煤灰", "SW03": "炉渣", "SW04": "煤矸石", "SW05": "尾矿", "SW06": "脱硫石膏",
    "SW07": "污泥", "SW09": "赤泥", "SW10": "磷石膏", "SW11": "工业副产石膏", "SW12": "钻井岩屑",
    "SW13": "食品残渣", "SW14": "纺织皮革业废物", "SW15": "造纸印刷业废物", "SW16": "化工废物",
    "SW17": "可再生类废物", "SW59": "其他工业固体废物",
}


def test_categories_and_names():
    assert {c.code: c.name_zh for c in SOLID_WASTE_CATEGORIES} == EXPECTED
    codes = [c.code for c in SOLID_WASTE_CATEGORIES]
    assert codes == sorted(codes)
    assert "SW08" not in codes  # left unused by the classification


def test_records_are_well_formed():
    for c in SOLID_WASTE_CATEGORIES:
        assert isinstance(c, SolidWasteCategory)
        assert re.match(r"^SW\d{2}$", c.code)
        assert c.name_en.isascii() and c.name_en
        assert c.uses and all(u.isascii() for u in c.uses)
        assert len(c.uses_zh) == len(c.uses)


@pytest.mark.parametrize("spelling", ["SW02", "sw02", "sw2", "S02", "441-001-S02", "４４１－００１－Ｓ０２".upper()])
def test_lookup_spellings(spelling):
    assert solid_waste_category(spelling).name_zh == "粉煤灰"
    assert is_solid_waste_category(spelling)


@pytest.mark.parametrize("code", ["SW08", "SW18", "SW60", "HW08", "", "fly ash"])
def test_unknown_raises_key_error_with_message(code):
    with pytest.raises(KeyError, match="no general industrial solid waste category"):
        solid_waste_category(code)
    assert not is_solid_waste_category(code)
