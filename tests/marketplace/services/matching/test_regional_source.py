"""``DatabaseSource``: the database read region by region gives the records ``build_problem`` gives.

The source opens its own engine (as a dask worker does), so the park is committed in a scratch database
of each backend, not inside the rolled-back test transaction.
"""
from __future__ import annotations

import datetime as dt
import math
import pickle

import pytest
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.errors import NotFound
from marketplace.services.matching.engine_input import build_problem
from marketplace.services.matching.regional_source import DatabaseSource, scope_ids
from matching.problem import Problem, Settings
from matching.regions import Region, halo_km_for, needs_reaching, plan_regions
from tests.factories import commit_demo_park

SETTINGS = Settings(today=dt.date(2026, 11, 23))


@pytest.fixture(scope="module")
def committed(backend, fresh_database_url):
    """(url, engine) of a scratch database holding the demonstration park, committed."""
    url = fresh_database_url(backend)
    commit_demo_park(url)
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def _problem(engine, park: str | None = None) -> Problem:
    with Session(engine) as session:
        return build_problem(session, park=park, settings=SETTINGS)


def _everywhere(source: DatabaseSource) -> Region:
    return Region(key="R00", south=-90.0, north=90.0, west=-180.0, east=180.0, offers=0,
                  halo_km=halo_km_for(source))


@pytest.mark.parametrize("park", [None, "JC"])
def test_one_region_over_everything_is_build_problem(committed, park):
    url, engine = committed
    source = DatabaseSource(url, SETTINGS, park)
    data = source.load(_everywhere(source))
    problem = _problem(engine, park)
    assert len(problem.offers) >= 5 and len(problem.needs) >= 5
    assert data.offers == problem.offers
    assert data.needs == problem.needs
    by_number = lambda licences: sorted(licences, key=lambda lic: lic.number)
    assert by_number(data.licences) == by_number(problem.licences)
    producers = {o.site.enterprise for o in problem.offers}
    assert set(data.approvals) == {a for a in problem.approvals if a.producer in producers}


def test_each_region_holds_its_core_offers_and_the_needs_of_its_halo(committed):
    url, engine = committed
    source = DatabaseSource(url, SETTINGS)
    problem = _problem(engine)
    regions = plan_regions(source, max_offers=8)
    assert len(regions) > 2
    licences = {lic.number: lic for lic in problem.licences}
    seen = []
    for region in regions:
        data = source.load(region)
        assert data.offers == [o for o in problem.offers if region.contains(o.site.lat, o.site.lon)]
        # the needs of the halo box whose own reach meets the core (as InMemorySource loads them)
        assert data.needs == needs_reaching(region, [n for n in problem.needs
                                                     if region.in_halo(n.site.lat, n.site.lon)], SETTINGS)
        assert len(data.offers) == region.offers  # nothing reserved in the demo: every counted offer is loaded
        takers = {n.site.enterprise for n in data.needs}
        # Every licence of the region's receivers, with the global remaining capacity.
        assert {lic.number for lic in data.licences} >= {n for n, lic in licences.items() if lic.enterprise in takers}
        assert all(lic == licences[lic.number] for lic in data.licences)
        seen += [o.id for o in data.offers]
    assert sorted(seen) == sorted(o.id for o in problem.offers)  # every offer in exactly one region


def test_counts_and_reach_come_from_sql(committed):
    url, engine = committed
    source = DatabaseSource(url, SETTINGS)
    problem = _problem(engine)
    for cell in (0.5, 0.125, 3.0):
        expected: dict[tuple[int, int], int] = {}
        for o in problem.offers:
            key = (math.floor(o.site.lat / cell), math.floor(o.site.lon / cell))
            expected[key] = expected.get(key, 0) + 1
        assert source.offer_counts(cell) == expected
    assert source.max_reach_km() == max(n.max_distance_km or SETTINGS.default_max_distance_km for n in problem.needs)
    with pytest.raises(ValueError, match="cell_deg"):
        source.offer_counts(0.0)


def test_a_region_without_offers_loads_nothing_of_its_core(committed):
    url, _ = committed
    source = DatabaseSource(url, SETTINGS)
    # The South Atlantic: no site within reach.
    data = source.load(Region(key="R09", south=-40.0, north=-39.0, west=-20.0, east=-19.0, offers=0,
                              halo_km=halo_km_for(source)))
    assert data.offers == [] and data.needs == [] and data.licences == [] and data.approvals == []


def test_the_source_travels_as_its_url_and_opens_its_own_engine(committed):
    url, _ = committed
    source = DatabaseSource(url, SETTINGS, "JC")
    copy = pickle.loads(pickle.dumps(source))
    assert copy == source and copy.url == url
    assert copy.load(_everywhere(copy)).offers == source.load(_everywhere(source)).offers


def test_scope_ids_are_the_problem_listings(committed):
    _, engine = committed
    problem = _problem(engine, "JC")
    with Session(engine) as session:
        offers, needs = scope_ids(session, "JC")
        assert offers == sorted(o.id for o in problem.offers) and needs == sorted(n.id for n in problem.needs)
        with pytest.raises(NotFound):
            scope_ids(session, "NOPE")


def test_an_unknown_park_is_refused(committed):
    url, _ = committed
    with pytest.raises(NotFound):
        DatabaseSource(url, SETTINGS, "NOPE").offer_counts(0.5)
