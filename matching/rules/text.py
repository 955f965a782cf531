"""How the explanations write fractions, days, distances and substance names."""
from __future__ import annotations

import datetime as dt
import math

from ..problem import DAY_MAX, DAY_MIN


def fmt_fraction(x: float) -> str:
    """A mass fraction: a percentage down to 0.1 %, mg/kg below."""
    if x == 0:
        return "0"
    if abs(x) >= 1e-3:
        return f"{x * 100:.4g}%"
    return f"{x * 1e6:.4g} mg/kg"


def fmt_day(ordinal: int) -> str:
    """An ISO date, or ``open`` for an unbounded end of a period."""
    if ordinal <= DAY_MIN or ordinal >= DAY_MAX:
        return "open"
    return dt.date.fromordinal(int(ordinal)).isoformat()


def fmt_km(x: float) -> str:
    """Kilometres to one decimal, or ``no limit``."""
    return "no limit" if math.isinf(x) else f"{x:.1f} km"


def substance_name(key: str, *records) -> str:
    """The name the first of ``records`` gives substance ``key``, else the key itself."""
    for r in records:
        if key in r.names:
            return r.names[key]
    return key.removeprefix("name:")


def bilingual(zh: str, en: str) -> str:
    """A detail in both languages, ``中文 / English``: the pages show the half of their language.

    The Chinese half never contains `` / `` (parts are joined with ``；``), so the split
    (``web.i18n.split_bilingual``) is the one between the halves.
    """
    return f"{zh} / {en}"


def joined(parts: list[tuple[str, str]], empty: tuple[str, str]) -> str:
    """(中文, English) parts of a detail as one bilingual detail; ``empty`` when there are none."""
    if not parts:
        return bilingual(*empty)
    return bilingual("；".join(zh for zh, _ in parts), "; ".join(en for _, en in parts))
