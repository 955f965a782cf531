"""The 46 categories HW01–HW50 of the 2021 National Hazardous Waste List."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.hw_categories import HW_CATEGORIES, hw_category, is_hw_category, normalize_category
from catalog.waste_codes import HW_CATEGORY_RE, HwCategory

PDF = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hw-list-2021" / "gjwxfwml.pdf"


def test_46_categories_with_the_known_gaps():
    codes = [c.code for c in HW_CATEGORIES]
    assert len(codes) == 46 == len(set(codes))
    assert codes == sorted(codes)
    expected = [f"HW{n:02d}" for n in range(1, 51) if not 41 <= n <= 44]
    assert codes == expected


def test_records_are_well_formed():
    for c in HW_CATEGORIES:
        assert isinstance(c, HwCategory)
        assert HW_CATEGORY_RE.match(c.code)
        assert c.name_zh and c.name_en
        assert re.search(r"[\u4e00-\u9fff]", c.name_zh), c
        assert c.name_en.isascii(), c


@pytest.mark.parametrize("code, name", [
    ("HW08", "废矿物油与含矿物油废物"),
    ("HW09", "油/水、烃/水混合物或乳化液"),
    ("HW10", "多氯（溴）联苯类废物"),
    ("HW11", "精（蒸）馏残渣"),
    ("HW45", "含有机卤化物废物"),
    ("HW50", "废催化剂"),
])
def test_some_names(code, name):
    assert hw_category(code).name_zh == name


@pytest.mark.parametrize("spelling", ["HW08", "hw08", "hw8", "HW 08", "08", "8", "ＨＷ０８"])
def test_lookup_accepts_user_spellings(spelling):
    assert normalize_category(spelling) == "HW08"
    assert hw_category(spelling).code == "HW08"
    assert is_hw_category(spelling)


@pytest.mark.parametrize("code", ["HW41", "HW44", "HW51", "HW00"])
def test_unused_numbers_raise_key_error_naming_the_code(code):
    with pytest.raises(KeyError, match=code):
        hw_category(code)
    assert not is_hw_category(code)


@pytest.mark.parametrize("code", ["HWx", "", "HW123", "waste oil"])
def test_malformed_codes_raise_key_error(code):
    with pytest.raises(KeyError, match="not an HW category"):
        hw_category(code)


@pytest.mark.slow
def test_names_equal_the_official_pdf():
    if not PDF.exists():
        pytest.skip(f"{PDF} not present")
    pdfplumber = pytest.importorskip("pdfplumber")
    found: dict[str, str] = {}
    with pdfplumber.open(PDF) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                for row in table:
                    cell = (row[0] or "").replace("\n", "").replace(" ", "")
                    m = re.match(r"^(HW\d{2})(.+?)\d*$", cell)  # a trailing digit is a footnote mark
                    if m:
                        found.setdefault(m.group(1), m.group(2))
    assert found == {c.code: c.name_zh for c in HW_CATEGORIES}
