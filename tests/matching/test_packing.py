"""Compressed record pickles (matching.packing): the same records back, shared sites still shared."""
from __future__ import annotations

import pickle

from benchmarks.generate import generate_park
from matching.packing import pack, unpack
from matching.problem import Site
from matching.regions import RegionData


def test_records_come_back_equal_with_their_sites_shared():
    offers, needs, licences = generate_park(60, 60, seed=4)
    data = RegionData(offers=offers, needs=needs, licences=licences, approvals=[])
    back = unpack(pack(data))
    assert back == data
    by_site = {}
    for r in back.offers + back.needs:
        by_site.setdefault((r.site.enterprise, r.site.lat, r.site.lon), set()).add(id(r.site))
    assert all(len(ids) == 1 for ids in by_site.values())  # one object per site, as generated
    assert len(by_site) < len(back.offers) + len(back.needs)


def test_ordinary_pickling_is_left_alone():
    site = Site(enterprise="E1", lat=30.0, lon=120.0)
    assert b"_rebuild" not in pickle.dumps(site)  # only pack() uses the fast reducer
    assert unpack(pack([site]))[0] == site
