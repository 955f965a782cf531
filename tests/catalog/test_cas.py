"""CAS numbers: normalisation, shape and check digit."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.cas import cas_check_digit, cas_check_error, is_valid_cas, normalize_cas


@pytest.mark.parametrize("cas", ["75-09-2", "7732-18-5", "1763-23-1", "251099-16-8", "50-00-0", "7440-43-9"])
def test_known_numbers_are_valid(cas):
    assert is_valid_cas(cas)
    assert cas_check_error(cas) is None


def test_fullwidth_digits_and_dashes_are_folded():
    assert normalize_cas(" ７５－０９－２ ") == "75-09-2"
    assert normalize_cas("75‐09‐2") == "75-09-2"  # U+2010 hyphen
    assert normalize_cas("75 - 09 - 2") == "75-09-2"
    assert is_valid_cas("７５－０９－２")


def test_cas_prefix_is_dropped_but_names_are_not_mangled():
    assert normalize_cas("CAS 75-09-2") == "75-09-2"
    assert normalize_cas("CAS号：75-09-2") == "75-09-2"
    assert normalize_cas("CAS No. 75-09-2") == "75-09-2"
    assert normalize_cas("cashew") == "cashew"


def test_wrong_check_digit_names_both_digits():
    assert cas_check_error("75-09-3") == "check digit is 3, expected 2"
    assert not is_valid_cas("75-09-3")


@pytest.mark.parametrize("text", ["", "75092", "7-09-2", "12345678-09-2", "75-9-2", "75-09-22", "ab-cd-e", None])
def test_malformed_numbers_are_reported_as_shape_errors(text):
    assert cas_check_error(text) == "not of the form NNNNNNN-NN-N"
    assert not is_valid_cas(text)


@given(st.text(alphabet="0123456789", min_size=2, max_size=7), st.text(alphabet="0123456789", min_size=2, max_size=2))
def test_computed_check_digit_validates_and_any_other_digit_fails(head, middle):
    good = cas_check_digit(head + middle)
    assert is_valid_cas(f"{head}-{middle}-{good}")
    for wrong in set(range(10)) - {good}:
        assert cas_check_error(f"{head}-{middle}-{wrong}") == f"check digit is {wrong}, expected {good}"


@given(st.text(alphabet="0123456789", min_size=2, max_size=7), st.text(alphabet="0123456789", min_size=2, max_size=2))
def test_fullwidth_form_normalises_to_ascii(head, middle):
    cas = f"{head}-{middle}-{cas_check_digit(head + middle)}"
    wide = cas.translate({ord(str(i)): 0xFF10 + i for i in range(10)} | {ord("-"): 0xFF0D})
    assert normalize_cas(wide) == cas
