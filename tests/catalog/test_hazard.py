"""Hazard characteristics T, C, I, R, In and the parser of the list's hazard cells."""
from __future__ import annotations

import pytest

from catalog.hazard import HAZARD_CODES, HAZARDS, Hazard, format_hazards, hazard, parse_hazards


def test_five_characteristics_in_the_lists_order():
    assert HAZARD_CODES == ("T", "C", "I", "R", "In")
    assert [h.name_zh for h in HAZARDS] == ["毒性", "腐蚀性", "易燃性", "反应性", "感染性"]
    assert [h.name_en for h in HAZARDS] == ["Toxicity", "Corrosivity", "Ignitability", "Reactivity", "Infectivity"]
    assert Hazard.In.name_zh == "感染性" and Hazard.T.code == "T"
    assert hazard("C").name_en == "Corrosivity"


def test_unknown_hazard_lookup_is_a_key_error():
    with pytest.raises(KeyError, match="X"):
        hazard("X")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("T，I", ("T", "I")),
        ("T,I", ("T", "I")),
        ("T/In", ("T", "In")),
        ("In", ("In",)),
        ("T，I，R", ("T", "I", "R")),
        ("T/C/I/R/In", ("T", "C", "I", "R", "In")),
        ("C，T", ("C", "T")),  # the list's own order is kept (HW34)
        ("R，T", ("R", "T")),
        (" T ， I ", ("T", "I")),
        ("T／C", ("T", "C")),  # fullwidth slash
        ("T、I", ("T", "I")),
        ("t, in", ("T", "In")),
    ],
)
def test_parse_accepts_the_lists_spellings(text, expected):
    assert parse_hazards(text) == expected


@pytest.mark.parametrize("text, token", [("T，X", "X"), ("T/Inf", "Inf"), ("TI", "TI"), ("T;Q", "Q")])
def test_parse_names_the_bad_token(text, token):
    with pytest.raises(ValueError, match=repr(token)):
        parse_hazards(text)


@pytest.mark.parametrize("text", ["", "  ", None, "，", "/"])
def test_parse_rejects_empty_text(text):
    with pytest.raises(ValueError):
        parse_hazards(text)


def test_parse_rejects_a_repeated_code():
    with pytest.raises(ValueError, match="repeated"):
        parse_hazards("T，T")


def test_format_joins_codes():
    assert format_hazards(("T", "In")) == "T/In"
    assert format_hazards(["C", "T"], sep="，") == "C，T"
