"""DESIGN rule 11, ``availability``: offer and need periods overlap (inclusive)."""
from __future__ import annotations

from ..builders import build, check, days, evaluated, need, offer
from .cases import HANDLER, PLANT


def test_availability_overlap_is_inclusive():
    p = build([offer("A", PLANT, available_from=days(0), available_to=days(30)),
               offer("B", PLANT, available_from=days(31), available_to=days(60)),
               offer("OPEN", PLANT)],
              [need("N", HANDLER, available_from=days(30), available_to=days(30))])
    arcs = evaluated(p)
    assert check(p, "A", "N", "availability", arcs).passed
    c = check(p, "B", "N", "availability", arcs)
    assert not c.passed and "no overlap" in c.detail
    assert check(p, "OPEN", "N", "availability", arcs).passed
