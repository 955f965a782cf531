"""DESIGN rule 8, ``form``: the offer's form is one the need accepts."""
from __future__ import annotations

from ..builders import build, check, evaluated, need, offer
from .cases import HANDLER, PLANT


def test_form():
    p = build([offer("L", PLANT, form="liquid"), offer("S", PLANT, form="solid")],
              [need("N", HANDLER, forms=["liquid", "sludge"])])
    arcs = evaluated(p)
    assert check(p, "L", "N", "form", arcs).passed
    c = check(p, "S", "N", "form", arcs)
    assert not c.passed and "solid not accepted" in c.detail
