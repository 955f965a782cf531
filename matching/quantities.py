"""Quantities on one horizon: the matcher compares tonnes per year unless told otherwise."""
from __future__ import annotations

# A one-off lot counts once within the horizon; monthly flows twelve times a year.
PERIODS_PER_YEAR = {"once": 1.0, "month": 12.0, "year": 1.0}


def annual_tonnes(quantity_t: float, period: str) -> float:
    """Tonnes over a one-year horizon for a quantity stated per ``period`` (once, month, year)."""
    try:
        return quantity_t * PERIODS_PER_YEAR[period]
    except KeyError:
        raise ValueError(f"unknown period {period!r}; expected one of {sorted(PERIODS_PER_YEAR)}") from None
