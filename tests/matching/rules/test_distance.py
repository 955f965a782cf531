"""DESIGN rule 9, ``distance``: the need's limit, and the parks' HW haulage caps."""
from __future__ import annotations

import math

import numpy as np

from matching.arcs import Arcs
from matching.rules import evaluate_rules

from ..builders import build, check, evaluated, licence, need, offer, site
from .cases import HANDLER, PLANT


def test_distance_within_and_beyond_need_limit():
    far = site("FAR", lat=32.3, lon=120.6)  # about 111 km north, ×1.3 on the road
    p = build([offer("NEAR", PLANT), offer("FAR", far)], [need("N", HANDLER, max_km=100)])
    arcs = evaluated(p)
    c = check(p, "NEAR", "N", "distance", arcs)
    assert c.passed and "≤ 100.0 km" in c.detail
    assert not check(p, "FAR", "N", "distance", arcs).passed


def test_distance_park_cap_applies_to_hw_only():
    capped = site("CAPPED", lat=31.30, lon=120.90, hw_cap=20.0, industry="8111")  # ~37 km road
    p = build([offer("HW", capped, code="900-214-08"), offer("X", capped)], [need("N", HANDLER, max_km=150)],
              [licence("L", "HANDLER", categories=["HW08"])])
    arcs = evaluated(p)
    c = check(p, "HW", "N", "distance", arcs)
    assert not c.passed and "park HW haulage cap 20.0 km exceeded" in c.detail
    assert check(p, "X", "N", "distance", arcs).passed


def test_distance_without_limit_passes():
    p = build([offer("O", PLANT)], [need("N", site("FAR", lat=39.0, lon=117.7))])
    c = check(p, "O", "N", "distance")
    assert c.passed and "no limit" in c.detail


def test_distance_nan_blocks():
    p = build([offer("O", PLANT)], [need("N", HANDLER, max_km=10)])
    arcs = Arcs(offer=np.array([0]), need=np.array([0]), distance_km=np.array([math.nan]))
    evaluate_rules(p, arcs)
    assert not arcs.checks["distance"][0]
