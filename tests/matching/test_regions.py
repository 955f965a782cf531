"""Regions of a national run: planning by bisection, halos that hold every reachable need, the in-memory source."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.problem import PointToPointApproval, haversine_km
from matching.regions import CELL_DEG, InMemorySource, Region, plan_regions
from tests.matching.records import SETTINGS, TODAY, licence, need, offer

CLUSTERS = {"suzhou": (31.30, 120.60), "beijing": (39.90, 116.40), "guangzhou": (23.10, 113.30)}


def _clustered(per_cluster: int = 30, step: float = 0.15) -> InMemorySource:
    offers, needs = [], []
    for c, (lat, lon) in enumerate(CLUSTERS.values()):
        for i in range(per_cluster):
            # step 0.15: a cluster spans several cells; 0.01: one cell each
            dlat, dlon = (i % 6) * step, (i // 6) * step
            offers.append(offer(f"O-{c}-{i}", f"P{c}-{i}", lat=lat + dlat, lon=lon + dlon, id=c * 1000 + i))
            needs.append(need(f"N-{c}-{i}", f"R{c}-{i}", lat=lat + dlat, lon=lon + dlon, id=c * 1000 + i))
    return InMemorySource(offers, needs, settings=SETTINGS)


def _cluster_of(lat: float, lon: float) -> str:
    return min(CLUSTERS, key=lambda k: math.hypot(lat - CLUSTERS[k][0], lon - CLUSTERS[k][1]))


def test_three_clusters_become_three_regions():
    # each cluster within one cell: the median cuts fall between clusters
    source = _clustered(step=0.01)
    regions = plan_regions(source, max_offers=40)
    assert [r.key for r in regions] == ["R00", "R01", "R02"]
    assert [r.offers for r in regions] == [30, 30, 30]
    for r in regions:
        loaded = source.load(r)
        assert len(loaded.offers) == r.offers == 30
        assert len({_cluster_of(o.site.lat, o.site.lon) for o in loaded.offers}) == 1  # one cluster per region
        assert r.halo_km == pytest.approx(100.0 / SETTINGS.road_factor)  # the needs' longest reach, great-circle
    assert plan_regions(source, max_offers=40) == regions  # deterministic


def test_every_offer_is_in_exactly_one_region_and_none_exceeds_max_offers():
    source = _clustered()
    for max_offers in (7, 12, 25, 1000):
        regions = plan_regions(source, max_offers=max_offers)
        assert all(r.offers <= max_offers for r in regions)
        for o in source.offers:
            assert sum(bool(r.contains(o.site.lat, o.site.lon)) for r in regions) == 1
        assert sum(len(source.load(r).offers) for r in regions) == len(source.offers)
    assert len(plan_regions(source, max_offers=1000)) == 1  # everything fits: one region


def test_a_crowded_cell_refines_the_grid():
    # 40 offers inside one 0.5° cell, max 15: the grid becomes finer rather than a region too big
    offers = [offer(f"O{i}", f"P{i}", lat=31.01 + (i % 8) * 0.05, lon=120.01 + (i // 8) * 0.09, id=i)
              for i in range(40)]
    source = InMemorySource(offers, [need("N", "R", id=1)], settings=SETTINGS)
    assert len(source.offer_counts(CELL_DEG)) == 1
    regions = plan_regions(source, max_offers=15)
    assert len(regions) >= 3 and all(r.offers <= 15 for r in regions)
    assert sum(r.offers for r in regions) == 40


def test_bad_max_offers_names_the_field():
    with pytest.raises(ValueError, match="max_offers"):
        plan_regions(_clustered(), max_offers=0)


def test_the_source_needs_unique_ids():
    with pytest.raises(ValueError, match="offers: .*id"):
        InMemorySource([offer("O1", id=None)], [need("N1", id=1)])
    with pytest.raises(ValueError, match="needs: .*unique"):
        InMemorySource([offer("O1", id=1)], [need("N1", id=1), need("N2", id=1)])


def test_no_offers_no_regions():
    assert plan_regions(InMemorySource([], [need("N", id=1)], settings=SETTINGS), max_offers=10) == []


def test_a_region_loads_the_licences_of_its_needs_and_the_approvals_of_its_producers():
    source = InMemorySource(
        [offer("O1", "P1", lat=31.3, lon=120.6, id=1), offer("O2", "P2", lat=39.9, lon=116.4, id=2)],
        [need("N1", "R1", lat=31.35, lon=120.65, id=1), need("N2", "R2", lat=39.95, lon=116.45, id=2)],
        [licence("L1", "R1"), licence("L2", "R2")],
        [PointToPointApproval("A1", "P1", "R1", "HW08", TODAY, None),
         PointToPointApproval("A2", "P2", "R2", "HW08", TODAY, None)],
        settings=SETTINGS)
    regions = plan_regions(source, max_offers=1)
    assert len(regions) == 2
    south = source.load(regions[0])
    assert [o.ref for o in south.offers] == ["O1"] and [n.ref for n in south.needs] == ["N1"]
    assert [x.number for x in south.licences] == ["L1"] and [a.number for a in south.approvals] == ["A1"]


def test_a_halo_reaching_a_pole_or_the_antimeridian_takes_every_longitude():
    polar = Region("R00", 85.0, 86.0, 10.0, 11.0, offers=1, halo_km=500.0)
    assert polar.halo_box()[2:] == (-180.0, 180.0)
    east = Region("R00", 10.0, 11.0, 179.0, 179.5, offers=1, halo_km=200.0)
    assert east.halo_box()[2:] == (-180.0, 180.0)
    south, north, west, east_ = Region("R00", 30.0, 31.0, 120.0, 121.0, offers=1, halo_km=111.195).halo_box()
    assert south == pytest.approx(29.0) and north == pytest.approx(32.0)
    assert west < 120.0 - 1.0 and east_ > 121.0 + 1.0  # a degree of longitude is shorter at 31°


points = st.tuples(st.floats(min_value=18.0, max_value=50.0), st.floats(min_value=75.0, max_value=130.0))


@settings(max_examples=25, deadline=None)
@given(offer_sites=st.lists(points, min_size=1, max_size=40), need_sites=st.lists(points, min_size=1, max_size=40),
       reaches=st.lists(st.one_of(st.none(), st.floats(min_value=5.0, max_value=800.0)), min_size=1, max_size=40),
       max_offers=st.integers(min_value=1, max_value=12))
def test_every_need_within_reach_of_an_offer_is_in_its_region(offer_sites, need_sites, reaches, max_offers):
    offers = [offer(f"O{i}", f"P{i}", lat=lat, lon=lon, id=i) for i, (lat, lon) in enumerate(offer_sites)]
    needs = [need(f"N{j}", f"R{j}", lat=lat, lon=lon, max_km=reaches[j % len(reaches)], id=j)
             for j, (lat, lon) in enumerate(need_sites)]
    source = InMemorySource(offers, needs, settings=dataclasses.replace(SETTINGS, default_max_distance_km=300.0))
    regions = plan_regions(source, max_offers=max_offers)
    n_lat = np.radians([n.site.lat for n in needs])
    n_lon = np.radians([n.site.lon for n in needs])
    reach = np.array([n.max_distance_km or 300.0 for n in needs])
    for r in regions:
        loaded = source.load(r)
        ids = {n.id for n in loaded.needs}
        for o in loaded.offers:
            road = haversine_km(np.radians(o.site.lat), np.radians(o.site.lon), n_lat, n_lon) * SETTINGS.road_factor
            within = {needs[j].id for j in np.flatnonzero(road <= reach).tolist()}
            assert within <= ids, f"{r.key}: needs within reach of {o.ref} missing from its region"


def test_a_need_is_loaded_only_where_its_own_reach_meets_the_core():
    region = Region("R00", 30.0, 31.0, 120.0, 121.0, offers=1, halo_km=300.0 / SETTINGS.road_factor)
    # 1° north of the core's edge: ~111 km great-circle, ~144 km by road
    lat, lon = np.array([32.0, 32.0, 30.5]), np.array([120.5, 120.5, 120.5])
    reach_km = np.array([100.0, 300.0, 1.0]) / SETTINGS.road_factor
    assert region.reaches(lat, lon, reach_km).tolist() == [False, True, True]  # inside the core: always
    near, far = (need("N1", "R1", lat=32.0, lon=120.5, max_km=300.0, id=1),
                 need("N2", "R2", lat=32.0, lon=120.5, max_km=100.0, id=2))
    source = InMemorySource([offer("O1", "P1", lat=30.5, lon=120.5, id=1)], [near, far], settings=SETTINGS)
    (planned,) = plan_regions(source, max_offers=10)
    assert planned.in_halo(32.0, 120.5)  # both are in the halo box …
    assert [n.ref for n in source.load(planned).needs] == ["N1"]  # … the one that cannot reach the core is not loaded
