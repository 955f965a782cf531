"""DESIGN rule 10, ``cross_province_transfer``: HW between provinces is flagged, not blocked."""
from __future__ import annotations

from ..builders import build, check, evaluated, licence, need, offer, site
from .cases import GARAGE, HANDLER


def test_cross_province_hw_is_flagged():
    zj = site("ZJ", province="浙江省", lat=30.9, industry="8111")
    p = build([offer("HW", zj, code="900-214-08"), offer("X", zj), offer("IN", GARAGE, code="900-214-08")],
              [need("N", HANDLER)], [licence("L", "HANDLER", categories=["HW08"])])
    arcs = evaluated(p)
    c = check(p, "HW", "N", "cross_province_transfer", arcs)
    assert not c.passed and not c.hard and "跨省转移需省级生态环境部门审批" in c.detail and "浙江省 → 江苏省" in c.detail
    assert check(p, "HW", "N", "hw_licence", arcs).passed  # soft: the arc stays
    assert check(p, "X", "N", "cross_province_transfer", arcs).passed
    assert check(p, "IN", "N", "cross_province_transfer", arcs).passed


def test_unknown_province_is_flagged_for_hw():
    nowhere = site("NOWHERE", province=None, industry="8111")
    p = build([offer("HW", nowhere, code="900-214-08")], [need("N", HANDLER)])
    c = check(p, "HW", "N", "cross_province_transfer")
    assert not c.passed and "unknown" in c.detail
