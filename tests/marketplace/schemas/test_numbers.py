"""The one reader of typed numbers: what it reads, and what it refuses (never guessing)."""
from __future__ import annotations

import pytest

from marketplace.schemas.numbers import read_number, read_tonnes


@pytest.mark.parametrize(("typed", "tonnes", "unit"), [
    ("20.5", 20.5, None),
    ("２０．５", 20.5, None),         # full-width digits and point (a Chinese input method)
    ("20。5", 20.5, None),            # the ideographic full stop between digits
    ("20,5", 20.5, None),             # a comma followed by one digit: a decimal comma, nothing else
    ("0,500", 0.5, None),             # 0,500 cannot be five hundred
    ("1,234,567", 1234567.0, None),   # several groups of three: thousands separators
    ("1,234.5", 1234.5, None),
    ("1.234,5", 1234.5, None),
    (" 12 ", 12.0, None),
    ("+5", 5.0, None),
    ("-0", 0.0, None),
    (".5", 0.5, None),
    ("20吨", 20.0, "t"),
    ("5 t", 5.0, "t"),
    ("300 kg", 0.3, "kg"),
    ("３００ｋｇ", 0.3, "kg"),
    ("300公斤", 0.3, "公斤"),
    ("2万吨", 20000.0, "万吨"),
    ("99999999999999999999", 1e20, None),  # read as typed: the bounds of the field refuse it, saying why
    ("0.0000001", 1e-7, None),
])
def test_numbers_people_type_are_read(typed, tonnes, unit):
    reading = read_tonnes(typed)
    assert reading.ok and reading.value == pytest.approx(tonnes) and reading.unit == unit


@pytest.mark.parametrize(("typed", "problem"), [
    ("", "empty"),
    ("   ", "empty"),
    ("20,500", "ambiguous_comma"),    # 20.5 or 20500: refused, never guessed
    ("1e9", "exponent"),
    ("1E3", "exponent"),
    ("2×10^6", "exponent"),
    ("inf", "not_finite"),
    ("nan", "not_finite"),
    ("-3", "negative"),
    ("−3", "negative"),               # the minus sign
    ("abc", "not_a_number"),
    ("20 5", "not_a_number"),         # a typo, not 205
    ("20\u00a05", "not_a_number"),
    ("1,5,0", "not_a_number"),
    ("1,23,456", "not_a_number"),
    ("20,", "not_a_number"),
    ("5 m³", "volume_unit"),
    ("5立方", "volume_unit"),
    ("12 apples", "unknown_unit"),
])
def test_what_cannot_be_read_safely_is_refused_with_a_reason(typed, problem):
    reading = read_tonnes(typed)
    assert reading.value is None and reading.problem == problem


def test_an_ambiguous_comma_names_both_readings():
    assert read_tonnes("20,500").readings == ("20.5", "20500")
    assert read_tonnes("1,500").readings == ("1.5", "1500")


def test_options_percent_and_negative():
    assert read_number("45 %", percent=True).value == 45.0
    assert read_number("45 %").problem == "unknown_unit"
    assert read_number("-300", negative=True).value == -300.0
    assert read_number("20 kg").problem == "unknown_unit"  # no units offered: the field takes a bare number
