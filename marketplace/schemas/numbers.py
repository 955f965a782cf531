"""Numbers typed by people: one reader for every form field that takes a quantity, a price or a percentage.

A form field is text; what a user types into it depends on their keyboard and habits:
full-width digits from a Chinese input method (２０．５), a decimal comma ("20,5"), thousands
separators ("20,500" or "1,234,567"), a unit typed after the number ("20吨", "300 kg", "2万吨").
:func:`read_number` reads such text into a value, or says why it will not: it never guesses.

- Full-width characters are folded (NFKC); the ideographic full stop between digits ("20。5")
  is a decimal point (it cannot be anything else there).
- A single comma followed by other than three digits ("20,5", "0,25") can only be a decimal
  comma; several comma groups of three ("1,234,567") or a comma before a point ("1,234.5")
  can only be thousands separators. One comma followed by exactly three digits ("20,500") is
  either 20.5 or 20500 depending on where the writer learnt to write numbers: refused, with both
  readings in the reason so the user picks one.
- Exponents ("1e9") are refused: a form asks for a quantity, not a formula, and "1e9" is far
  more often a slip than a billion. So are infinities, "nan" and negative numbers.
- Spaces inside the digits ("20 5") are refused: a typo, not 205.
- A unit after the number is read when it is one the caller offers (``units``): mass units map
  to tonnes, volume units are refused (a volume needs a density to become tonnes).

Pure Python (no Flask): the pages translate the ``problem`` codes into the page's language.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["MASS_UNITS", "PROBLEMS", "Reading", "read_number", "read_tonnes"]

# Problem codes, with the English reason (the pages show their own translated sentence for each code).
PROBLEMS = {
    "empty": "required",
    "not_a_number": "not a number",
    "exponent": "exponents such as 1e9 are not accepted: write the number out",
    "not_finite": "not a finite number",
    "negative": "must not be negative",
    "ambiguous_comma": "the comma could be a decimal mark or a thousands separator",
    "volume_unit": "a volume cannot be converted to tonnes without the density",
    "unknown_unit": "unknown unit",
}

# Mass units a user may type after a quantity, in tonnes. 万吨 is ten thousand tonnes.
MASS_UNITS: dict[str, float] = {
    "t": 1.0, "吨": 1.0, "tonne": 1.0, "tonnes": 1.0, "ton": 1.0, "tons": 1.0, "公吨": 1.0,
    "万吨": 1e4, "万t": 1e4, "kt": 1e3, "千吨": 1e3,
    "kg": 1e-3, "千克": 1e-3, "公斤": 1e-3, "kgs": 1e-3,
    "g": 1e-6, "克": 1e-6,
}
VOLUME_UNITS = frozenset({"m3", "m^3", "立方", "立方米", "方", "l", "升", "ml", "毫升", "cbm"})
PERCENT = "%"
NON_FINITE = frozenset({"inf", "infinity", "nan", "∞", "+inf", "-inf", "-infinity", "+infinity"})

_NUMBER = re.compile(r"^(?P<sign>[+\-−])?(?P<digits>[0-9][0-9.,]*|[.,][0-9][0-9.,]*)(?P<rest>.*)$")
_EXPONENT = re.compile(r"[0-9.]\s*(?:[eE][+\-]?[0-9]|[×x*]\s*10\s*[\^*])")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+$")
_GROUPED_POINTS = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3}){2,}$")


@dataclass(frozen=True)
class Reading:
    """What a typed number says: its ``value`` (in the typed unit's base: tonnes for masses), or a ``problem``.

    ``unit`` is the unit typed after the number (normalised, e.g. ``"吨"`` → ``"t"``; None when
    none was typed); ``readings`` are the candidate values of an ambiguous text ("20,500": 20.5
    and 20500), for the reason shown to the user.
    """

    value: float | None
    problem: str | None = None
    unit: str | None = None
    readings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.problem is None


def _fold(text: str) -> str:
    clean = unicodedata.normalize("NFKC", text or "").strip()
    # "20。5": an IME's full stop between digits is a decimal point.
    return re.sub(r"(?<=[0-9])。(?=[0-9])", ".", clean)


def _plain(digits: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """``digits`` (digits, points, commas) as a plain decimal string, or ``(None, problem, readings)``."""
    has_comma, points = "," in digits, digits.count(".")
    if not has_comma:
        if points <= 1:
            return digits, None, ()
        # "1.234.567": several point groups of three are thousands separators; anything else is a typo.
        return (digits.replace(".", ""), None, ()) if _GROUPED_POINTS.match(digits) else (None, "not_a_number", ())
    if points:
        last_comma, last_point = digits.rfind(","), digits.rfind(".")
        if last_point > last_comma and points == 1:  # "1,234.5": commas group thousands
            whole, frac = digits.split(".")
            return (whole.replace(",", "") + "." + frac, None, ()) if _GROUPED.match(whole) else (None, "not_a_number", ())
        if last_comma > last_point and digits.count(",") == 1:  # "1.234,5": points group thousands
            whole, frac = digits.split(",")
            grouped = re.match(r"^[0-9]{1,3}(?:\.[0-9]{3})+$", whole)
            return (whole.replace(".", "") + "." + frac, None, ()) if grouped else (None, "not_a_number", ())
        return None, "not_a_number", ()
    parts = digits.split(",")
    if len(parts) == 2:
        whole, frac = parts
        if not frac:
            return None, "not_a_number", ()
        if len(frac) == 3 and whole.strip("0"):
            # "20,500": 20.5 to a decimal-comma writer, 20500 to a thousands-comma writer.
            return None, "ambiguous_comma", (_g(float(f"{whole or '0'}.{frac}")), str(int(whole + frac)))
        return f"{whole or '0'}.{frac}", None, ()  # "20,5", "0,500": a decimal comma, nothing else
    if _GROUPED.match(digits):
        return digits.replace(",", ""), None, ()
    return None, "not_a_number", ()


def _g(value: float) -> str:
    return f"{value:.12g}"


def read_number(text: str | None, *, units: dict[str, float] | None = None,
                percent: bool = False, negative: bool = False) -> Reading:
    """Read one typed number (see the module docstring); ``units`` maps the unit words accepted after it to
    factors (e.g. :data:`MASS_UNITS`), ``percent`` accepts a trailing ``%``, ``negative`` a minus sign (a
    price may be negative; a quantity may not). The value is multiplied by the typed unit's factor."""
    clean = _fold(text or "")
    if not clean:
        return Reading(None, "empty")
    if clean.casefold().replace(" ", "") in NON_FINITE:
        return Reading(None, "not_finite")
    if _EXPONENT.search(clean):
        return Reading(None, "exponent")
    m = _NUMBER.match(clean)
    if m is None:
        return Reading(None, "not_a_number")
    plain, problem, readings = _plain(m.group("digits"))
    if problem:
        return Reading(None, problem, readings=readings)
    rest = m.group("rest").strip()
    factor, unit = 1.0, None
    if rest:
        word = rest.casefold().replace(" ", "").replace("³", "3")
        if rest[0].isdigit() or rest[0] in ".,":
            return Reading(None, "not_a_number")  # "20 5": a typo, not 205
        if percent and word == PERCENT:
            unit = PERCENT
        elif units is not None and word in units:
            factor, unit = units[word], ("t" if units is MASS_UNITS and units[word] == 1.0 else word)
        elif word in VOLUME_UNITS:
            return Reading(None, "volume_unit")
        else:
            return Reading(None, "unknown_unit")
    try:
        value = float(plain) + 0.0  # + 0.0: "-0" is 0, not -0.0
    except ValueError:
        return Reading(None, "not_a_number")
    if m.group("sign") in ("-", "−"):
        value = -value + 0.0
    if not math.isfinite(value):
        return Reading(None, "not_finite")
    if value < 0 and not negative:
        return Reading(None, "negative")
    value *= factor
    return Reading(value, None, unit) if math.isfinite(value) else Reading(None, "not_finite")


def read_tonnes(text: str | None) -> Reading:
    """A mass typed in a tonnes field: a unit typed after the number (吨, kg, 万吨 …) is converted to tonnes."""
    return read_number(text, units=MASS_UNITS)
