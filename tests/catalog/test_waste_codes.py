"""HW codes as people type or copy them (``catalog.waste_codes.normalize_hw_code``)."""
from __future__ import annotations

import pytest

from catalog.waste_codes import is_hw_code, normalize_hw_code


@pytest.mark.parametrize("typed", [
    "900-214-08", " 900-214-08 ", "９００－２１４－０８", "900–214–08", "900—214—08", "900 214 08", "90021408",
    "900-21408", "HW08 900-214-08", "hw08：900-214-08", "HW08900-214-08",
])
def test_a_code_typed_or_copied_is_read_in_the_lists_form(typed):
    assert normalize_hw_code(typed) == "900-214-08"


@pytest.mark.parametrize("typed, kept", [
    ("HW09 900-214-08", "HW09 900-214-08"),  # the category contradicts the code: not guessed
    ("900-214-8", "900-214-8"),  # a short group is never padded
    ("9002140", "9002140"), ("HW08", "HW08"), ("SW01", "SW01"), ("９００", "900"), ("", ""),
])
def test_what_names_no_code_for_sure_stays_as_typed(typed, kept):
    assert normalize_hw_code(typed) == kept and not is_hw_code(normalize_hw_code(typed))
