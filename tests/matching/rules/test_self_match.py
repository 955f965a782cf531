"""DESIGN rule 12, ``self_match``: no enterprise is matched with itself."""
from __future__ import annotations

from ..builders import build, check, evaluated, need, offer
from .cases import HANDLER, PLANT


def test_self_match():
    p = build([offer("O", HANDLER), offer("P", PLANT)], [need("N", HANDLER)])
    arcs = evaluated(p)
    c = check(p, "O", "N", "self_match", arcs)
    assert not c.passed and "same enterprise HANDLER" in c.detail
    assert check(p, "P", "N", "self_match", arcs).passed
