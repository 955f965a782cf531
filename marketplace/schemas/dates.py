"""Dates typed by people or written by Excel: one reader for the days an import or a form takes as text.

Excel on Chinese Windows writes a date cell into a CSV file as ``2026/1/5`` (``2026/1/5 0:00`` for a date
and time), people type ``2026年1月5日``, ``2026.1.5`` or ``20260105``, and an input method gives full-width
digits. :func:`read_date` reads each of those, with the year first; it never guesses a day-month order
(``1/5/2026`` is the 1st of May or the 5th of January depending on the writer) or a century (``26/1/5``).

Pure Python (no Flask).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

__all__ = ["DATE_EXAMPLES", "read_date"]

# What a refusal shows the user, in both languages' order of habit.
DATE_EXAMPLES = "2026-01-05, 2026/1/5, 2026年1月5日"

_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_FORMS = (
    re.compile(r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)


def read_date(text: str | None) -> dt.date | None:
    """The day ``text`` names, year first (see the module docstring), or None when it names none for sure."""
    clean = unicodedata.normalize("NFKC", text or "").strip()
    clean = _TIME.sub("", clean).strip()  # Excel's "2026/1/5 0:00": the day is what a date column means
    for form in _FORMS:
        m = form.match(clean)
        if m:
            try:
                return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:  # 2026-02-30
                return None
    return None
