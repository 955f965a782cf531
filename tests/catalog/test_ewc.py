"""EU List of Waste loader: validation, counts of the published file, formatting."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from catalog.ewc import EwcCode, format_ewc, load_ewc, normalize_ewc, parse_ewc, typed_ewc

EWC_JSON = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ewc" / "ewc-codes.json"


def _entry(**overrides):
    entry = {"code": "130205", "isHazardous": True, "entryTypeDesc": "Absolute hazardous",
             "chapter": "Oil wastes", "subChapter": "Waste engine oils",
             "description": "Mineral-based non-chlorinated engine, gear and lubricating oils"}
    entry.update(overrides)
    return entry


@pytest.fixture(scope="module")
def codes() -> list[EwcCode]:
    if not EWC_JSON.exists():
        pytest.skip(f"{EWC_JSON} not present")
    return load_ewc(EWC_JSON)


def test_published_file_counts(codes):
    assert len(codes) == 842
    assert sum(c.hazardous for c in codes) == 408
    assert len({c.code for c in codes}) == 842


def test_mirror_and_absolute_split(codes):
    split = Counter((c.entry_type, c.hazardous) for c in codes)
    assert split == {("absolute", False): 256, ("absolute", True): 235, ("mirror", False): 178, ("mirror", True): 173}
    assert len({c.chapter_code for c in codes}) == 20


def test_specific_codes(codes):
    by = {c.code: c for c in codes}
    oil = by["130205"]
    assert oil.hazardous and oil.entry_type == "absolute"
    assert oil.description == "Mineral-based non-chlorinated engine, gear and lubricating oils"
    assert oil.sub_chapter == "Waste engine, gear and lubricating oils"
    assert oil.display == "13 02 05*" and oil.chapter_code == "13" and oil.sub_chapter_code == "1302"
    soil_h, soil = by["170503"], by["170504"]
    assert (soil_h.entry_type, soil_h.hazardous) == ("mirror", True)
    assert (soil.entry_type, soil.hazardous) == ("mirror", False)
    assert by["200301"].entry_type_desc == "Absolute non-hazardous" and by["200301"].display == "20 03 01"
    assert by["160601"].hazardous  # lead batteries


def test_format():
    assert format_ewc("130205") == "13 02 05"
    assert format_ewc("13 02 05*") == "13 02 05"
    assert normalize_ewc("13-02-05") == "130205"
    with pytest.raises(ValueError, match="six-digit"):
        format_ewc("1302")


@pytest.mark.parametrize("typed", ["13 02 05*", "13 02 05", "13-02-05", "13.02.05", "130205", " 13 02 05 * ",
                                   "１３　０２　０５＊", "13–02–05"])
def test_a_code_as_the_list_prints_it_or_people_type_it(typed):
    assert typed_ewc(typed) == "130205"


@pytest.mark.parametrize("typed", ["1-30-205", "13 0205", "13-02.05", "13 02 05**", "1302", "13 02 05 06"])
def test_what_is_no_way_of_writing_a_code_is_kept_for_the_check_to_refuse(typed):
    assert typed_ewc(typed) == typed.strip()


def test_parse_accepts_a_minimal_valid_file():
    (code,) = parse_ewc([_entry()])
    assert code == EwcCode("130205", "Oil wastes", "Waste engine oils",
                           "Mineral-based non-chlorinated engine, gear and lubricating oils",
                           True, "absolute", "Absolute hazardous")


@pytest.mark.parametrize("bad, message", [
    (_entry(code="13020"), r"\[1\]\.code"),
    (_entry(code=130205), r"\[1\]\.code"),
    (_entry(isHazardous="yes"), r"\[1\]\.isHazardous"),
    (_entry(entryTypeDesc="Absolute"), r"\[1\]\.entryTypeDesc"),
    (_entry(isHazardous=False), r"\[1\]\.isHazardous: False contradicts"),
    (_entry(description=""), r"\[1\]\.description"),
    (_entry(chapter=None), r"\[1\]\.chapter"),
    ("130205", r"\[1\]: expected an object"),
])
def test_parse_names_index_and_field_of_bad_entries(bad, message):
    good = _entry(code="010101", isHazardous=False, entryTypeDesc="Absolute non-hazardous")
    with pytest.raises(ValueError, match=message):
        parse_ewc([good, bad])


def test_parse_reports_duplicates_and_non_lists():
    with pytest.raises(ValueError, match=r"\[1\]\.code: duplicate of entry \[0\]"):
        parse_ewc([_entry(), _entry()])
    with pytest.raises(ValueError, match="JSON array"):
        parse_ewc({"codes": []})
    with pytest.raises(ValueError, match="no entries"):
        parse_ewc([])


def test_parse_lists_only_the_first_errors():
    with pytest.raises(ValueError) as info:
        parse_ewc([_entry(code=str(i)) for i in range(100)])
    text = str(info.value)
    assert "[0].code" in text and "[4].code" in text and "[5].code" not in text and text.endswith("…")


def test_load_rejects_invalid_json(tmp_path):
    path = tmp_path / "ewc.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_ewc(path)
    path.write_text(json.dumps([_entry()]), encoding="utf-8")
    assert [c.code for c in load_ewc(path)] == ["130205"]
