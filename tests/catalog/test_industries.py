"""GB/T 4754-2017 industry classes: the table, its sections and groups, and the demo park's coverage."""
from __future__ import annotations

import json
import re

import pytest

from catalog.builtin_codes import BUILTIN_HW_CODES
from catalog.industries import INDUSTRIES, industries_in_group, industry, section_of
from tests.conftest import DEMO_PARK


def test_table_is_well_formed():
    codes = [i.code for i in INDUSTRIES]
    assert 60 <= len(codes) <= 100
    assert len(set(codes)) == len(codes) and codes == sorted(codes)
    for i in INDUSTRIES:
        assert re.match(r"^\d{4}$", i.code)
        assert re.search(r"[\u4e00-\u9fff]", i.name_zh) and i.name_en.isascii()
        assert i.section in {"B", "C", "D", "G", "K", "M", "N", "O", "Q"}


@pytest.mark.parametrize("code, name", [
    ("2511", "原油加工及石油制品制造"), ("2614", "有机化学原料制造"), ("2710", "化学药品原料药制造"),
    ("3011", "水泥制造"), ("3360", "金属表面处理及热处理加工"), ("3670", "汽车零部件及配件制造"),
    ("3982", "电子电路制造"),
])
def test_lookup(code, name):
    assert industry(code).name_zh == name


def test_every_industry_of_the_demo_park_has_its_chinese_name():
    # Reports and pages name an enterprise's industry in Chinese from this table; the demo file
    # only carries English names.
    doc = json.loads(DEMO_PARK.read_text(encoding="utf-8"))
    used = {e["industry"] for e in doc["enterprises"] if e.get("industry")}
    assert len(used) >= 40
    assert sorted(c for c in used if c not in {i.code for i in INDUSTRIES}) == []


def test_unknown_class_is_a_key_error():
    with pytest.raises(KeyError, match="9999"):
        industry("9999")


def test_sections_and_groups():
    assert section_of("0610") == "B" and section_of("2614") == "C" and section_of("4411") == "D"
    assert section_of("7724") == "N" and section_of("8111") == "O" and section_of("8411") == "Q"
    assert section_of("5431") == "G" and section_of("7020") == "K" and section_of("7452") == "M"
    assert {i.code for i in industries_in_group("261")} == {"2611", "2612", "2613", "2614", "2619"}


def test_single_class_groups_match_the_hw_lists_industry_names():
    # Where a group has a single class of the same name (336 → 3360, 312 → 3120), the
    # HW list's industry source for codes starting with that group must be that name.
    names = {i.code[:3]: i.name_zh for i in INDUSTRIES if i.code.endswith("0")}
    checked = 0
    for c in BUILTIN_HW_CODES:
        group = c.code[:3]
        if group in names:
            assert c.industry == names[group], c.code
            checked += 1
    assert checked >= 5
