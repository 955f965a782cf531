"""CAS Registry Numbers (CAS 号): normalisation and check-digit validation.

A CAS number has the form ``NNNNNNN-NN-N``: two to seven digits, two digits, one
check digit. The check digit is the sum of every other digit multiplied by its
position counted from the right (1, 2, 3, …), modulo 10. Input typed on Chinese
keyboards often carries fullwidth digits and dashes (``７５－０９－２``), so they are
folded to ASCII before any check. Pure Python, no I/O.
"""
from __future__ import annotations

import re

__all__ = ["CAS_RE", "cas_check_digit", "cas_check_error", "invalid_cas_message", "is_valid_cas", "normalize_cas"]

CAS_RE = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")

# Fullwidth digits U+FF10..U+FF19 and the dash-like characters people paste
# (fullwidth hyphen-minus, hyphen, non-breaking hyphen, figure/en/em dash, minus sign).
_FOLD = {0xFF10 + i: ord("0") + i for i in range(10)}
_FOLD.update({c: ord("-") for c in (0xFF0D, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212, 0xFE63)})
# Whitespace inside the number ("75 - 09 - 2") carries no meaning.
_SPACES = re.compile(r"\s+")


def normalize_cas(text: str) -> str:
    """Return ``text`` stripped, with fullwidth digits/dashes folded to ASCII.

    ``normalize_cas(" ７５－０９－２ ")`` → ``"75-09-2"``. Does not validate; pair it with
    :func:`is_valid_cas`. A ``CAS`` prefix such as ``"CAS 75-09-2"`` or ``"CAS号：75-09-2"``
    is dropped because spreadsheets exported from Chinese registries often carry it.
    """
    if text is None:
        return ""
    out = str(text).translate(_FOLD)
    out = out.replace("\u3000", " ").strip()
    out = re.sub(r"^CAS(?:\s*(?:No\.?|RN|号|號))?\s*[:：#]?\s*(?=\d)", "", out, flags=re.IGNORECASE)
    return _SPACES.sub("", out)


def cas_check_digit(body: str) -> int:
    """Check digit for the digits before it (``"7509"`` → 2), per the CAS rule."""
    digits = [int(c) for c in body if c.isdigit()]
    return sum(i * d for i, d in enumerate(reversed(digits), start=1)) % 10


def cas_check_error(text: str) -> str | None:
    """Why ``text`` is not a valid CAS number, or ``None`` if it is.

    Messages: ``"not of the form NNNNNNN-NN-N"`` for shape errors and
    ``"check digit is 3, expected 2"`` when only the check digit is wrong.
    """
    cas = normalize_cas(text)
    m = CAS_RE.match(cas)
    if not m:
        return "not of the form NNNNNNN-NN-N"
    expected = cas_check_digit(m.group(1) + m.group(2))
    actual = int(m.group(3))
    if actual != expected:
        return f"check digit is {actual}, expected {expected}"
    return None


def invalid_cas_message(value: object, text: str) -> str:
    """Why ``value`` (normalised: ``text``) is no valid CAS number, ``english (中文)``; ``""`` when it is one.

    ``invalid CAS number '64-17-6': check digit is 6, expected 5 (CAS 号无效：校验位为 6，应为 5)``. The value
    stays in the English half only: it may hold brackets, which would split the message in the wrong place.
    """
    problem = cas_check_error(text)
    if problem is None:
        return ""
    m = CAS_RE.match(normalize_cas(text))
    if m is None:
        zh = "格式须为 NNNNNNN-NN-N"
    else:
        zh = f"校验位为 {int(m.group(3))}，应为 {cas_check_digit(m.group(1) + m.group(2))}"
    return f"invalid CAS number {value!r}: {problem} (CAS 号无效：{zh})"


def is_valid_cas(text: str) -> bool:
    """True if ``text`` (after :func:`normalize_cas`) is a well-formed CAS number with a correct check digit."""
    return cas_check_error(text) is None
