"""Why a number typed into a form was not read, in the page's language: one rule for every page.

Every quantity field reads what was typed with ``marketplace.schemas.numbers`` (``read_tonnes`` for tonnes: "20,5"
and "２０．５" are 20.5, "300 kg" is 0.3 t, "20,500" is refused with both of its readings); this module holds the
sentences that say why a text was refused, so that "20,5" is not read on one page and refused on another.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.schemas.numbers import Reading, read_tonnes

NUMBER_PROBLEMS = {
    "empty": _l("Required."),
    "not_a_number": _l("Not a valid number."),
    "not_finite": _l("Not a valid number."),
    "exponent": _l("Write the number out in digits: exponents such as 1e9 are not accepted."),
    "negative": _l("Must not be negative."),
    "ambiguous_comma": _l("“%(typed)s” could be %(decimal)s or %(grouped)s: write %(decimal)s or %(grouped)s."),
    "volume_unit": _l("A volume cannot be turned into tonnes without its density: give the mass (t or kg)."),
    "unknown_unit": _l("Type the number only, and choose the unit beside the field."),
}
# For a tonnes field with no unit beside it: a word after the number, or no number, gets this instead.
NOT_TONNES = _l("Not a number of tonnes: type e.g. 20.5, or 300 kg.")


def number_reason(reading: Reading, typed: str) -> str:
    """Why ``typed`` was not read as a number, in the page's language."""
    text = NUMBER_PROBLEMS.get(reading.problem or "", NUMBER_PROBLEMS["not_a_number"])
    if reading.problem == "ambiguous_comma":
        return str(text) % {"typed": typed, "decimal": reading.readings[0], "grouped": reading.readings[1]}
    return str(text)


def tonnes_reason(reading: Reading, typed: str) -> str:
    """``number_reason`` for a tonnes field with no unit chosen beside it (a unit is typed after the number)."""
    if reading.problem in ("unknown_unit", "not_a_number"):
        return str(NOT_TONNES)
    return number_reason(reading, typed)


def typed_tonnes(typed: str) -> tuple[float | None, str | None]:
    """``(tonnes, None)`` for a typed mass (a unit after the number is converted), else ``(None, reason)``."""
    reading = read_tonnes(typed)
    if not reading.ok:
        return None, tonnes_reason(reading, typed)
    return reading.value, None
