"""The warm recommender under concurrent requests: one build per data version, however many ask at once."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import OrderedDict

import pytest
from sqlalchemy import select, update

from marketplace.models import Listing
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching import recommendations
from matching.pipeline import Recommender
from matching.problem import Settings
from tests.conftest import DEMO_PARK


def test_concurrent_misses_build_the_recommender_once(session, monkeypatch):
    problem = recommendations.build_problem(session, settings=Settings())
    monkeypatch.setattr(recommendations, "_RECOMMENDERS", OrderedDict())
    monkeypatch.setattr(recommendations, "_data_state", lambda *_args, **_kwargs: ("one version for every thread", None))
    builds: list[int] = []
    release = threading.Event()

    def slow_build(*_args, **_kwargs):
        builds.append(1)
        assert release.wait(10), "the test never released the build"
        return problem

    monkeypatch.setattr(recommendations, "build_problem", slow_build)
    got: list[object] = []
    # The threads only look up the cache and wait: none of them queries the session.
    threads = [threading.Thread(target=lambda: got.append(recommendations.warm_recommender(session)))
               for _ in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while not builds and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.1)  # the other five reach the cache while the first build is still running
    release.set()
    for t in threads:
        t.join(10)
    assert len(builds) == 1
    assert len(got) == 6 and all(r is got[0] for r in got)
    assert recommendations.warm_recommender(session) is got[0] and len(builds) == 1


def _fits(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = recommendations.fit_statistics
    monkeypatch.setattr(recommendations, "fit_statistics", lambda problem: calls.append(1) or real(problem))
    return calls


def test_a_quantity_change_keeps_the_statistics_and_answers_as_a_fresh_fit(session, monkeypatch):
    """Reserved or changed tonnes rebuild the recommender (its quantities) but not its model statistics; the
    answers are those of a recommender fitted from scratch. New content (a title) fits them again."""
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    monkeypatch.setattr(recommendations, "_RECOMMENDERS", OrderedDict())
    monkeypatch.setattr(recommendations, "_STATISTICS", OrderedDict())
    fits = _fits(monkeypatch)
    first = recommendations.warm_recommender(session)
    assert len(fits) == 1
    offer = session.scalars(select(Listing).where(Listing.kind == "offer", Listing.status == "active")
                            .order_by(Listing.id)).first()
    offer.quantity_t = offer.quantity_t * 0.5
    session.flush()
    second = recommendations.warm_recommender(session)
    assert second is not first and len(fits) == 1  # rebuilt, statistics kept
    fresh = Recommender(recommendations.build_problem(session, settings=Settings()))
    for ref in second.problem.o.refs[:10]:
        kept = [(p.need, round(p.score, 6), p.quantity_t) for p in second.recommend(ref)]
        assert kept == [(p.need, round(p.score, 6), p.quantity_t) for p in fresh.recommend(ref)]
    offer.title = offer.title + " (re-listed)"
    session.flush()
    recommendations.warm_recommender(session)
    assert len(fits) == 2


def test_an_accepted_match_moves_the_warm_recommender_without_a_new_model(session, monkeypatch):
    """Reserved tonnes: the recommender follows with the same model and index (no fit, no index build)."""
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    monkeypatch.setattr(recommendations, "_RECOMMENDERS", OrderedDict())
    first = recommendations.warm_recommender(session)
    offer = session.scalars(select(Listing).where(Listing.kind == "offer", Listing.status == "active")
                            .order_by(Listing.id)).first()
    offer.quantity_t = offer.quantity_t * 0.5
    session.flush()
    fitted = []
    monkeypatch.setattr(recommendations._SharedRecommender, "__init__", lambda *a, **k: fitted.append(1))
    second = recommendations.warm_recommender(session)
    assert not fitted and second is not first and second.index.o_embed is first.index.o_embed
    assert second.problem.o.quantity[second.problem.o.ref_index[offer.ref]] != \
        first.problem.o.quantity[first.problem.o.ref_index[offer.ref]]


def test_a_worker_loads_what_another_worker_of_the_server_built(session, monkeypatch):
    """The first worker to miss after a write fits and keeps the recommender; another loads it, fitting nothing."""
    from marketplace import worker_cache

    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    with worker_cache.server_directory():
        monkeypatch.setattr(recommendations, "_RECOMMENDERS", OrderedDict())
        built = recommendations.warm_recommender(session)  # the first worker
        monkeypatch.setattr(recommendations, "_RECOMMENDERS", OrderedDict())  # another worker: nothing in memory
        monkeypatch.setattr(recommendations, "build_problem", lambda *a, **k: pytest.fail("built again"))
        loaded = recommendations.warm_recommender(session)
    assert loaded is not built and isinstance(loaded, recommendations._SharedRecommender)
    ref = built.problem.o.refs[0]
    assert [(p.need, p.score, p.quantity_t) for p in loaded.recommend(ref)] == \
        [(p.need, p.score, p.quantity_t) for p in built.recommend(ref)]
    assert loaded.consider(ref).counts == built.consider(ref).counts  # its lock was made anew


# ---- the previous recommender answers one-click pages while a newer one is being built ---------------------

def _aged_park(session, monkeypatch) -> tuple[Listing, Listing, Listing]:
    """The demo park with every listing last changed an hour ago, one (``b``) half an hour ago, and a third
    (``c``) to change later: (a, b, c), all active offers."""
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    for name in ("_RECOMMENDERS", "_STATISTICS"):
        monkeypatch.setattr(recommendations, name, OrderedDict())
    monkeypatch.setattr(recommendations, "_LATEST", {})
    now = dt.datetime.now(dt.UTC)
    session.execute(update(Listing).values(updated_at=now - dt.timedelta(hours=1)))
    a, b, c = session.scalars(select(Listing).where(Listing.kind == "offer", Listing.status == "active")
                              .order_by(Listing.id).limit(3)).all()
    session.execute(update(Listing).where(Listing.id == b.id).values(updated_at=now - dt.timedelta(minutes=30)))
    session.expire_all()
    return a, b, c


def _being_built_here(session) -> tuple[str, str]:
    """Mark the current data's recommender as being built by another thread of this process; its key."""
    key = (str(session.get_bind().engine.url), recommendations.data_version(session, Settings()))
    recommendations._BUILDING[key] = threading.Lock()
    return key


def test_while_a_newer_build_runs_an_unchanged_listing_is_answered_by_the_previous_recommender(session, monkeypatch):
    a, _b, c = _aged_park(session, monkeypatch)
    previous = recommendations.warm_recommender(session)
    c.title = c.title + " (re-listed)"  # new content: the current data's recommender is a new fit
    c.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    key = _being_built_here(session)
    try:
        got = recommendations.warm_recommender(session, previous_for={a.ref: a.updated_at})
        assert got is previous
        # Asked nothing to lag for (the park run, a new listing's notices): the current data, built here.
        fresh = recommendations.warm_recommender(session)
    finally:
        recommendations._BUILDING.pop(key, None)
    assert fresh is not previous and c.title in [r.title for r in fresh.problem.offers]


def test_a_listing_changed_since_or_just_before_the_previous_build_waits_for_the_current_data(session, monkeypatch):
    _a, b, c = _aged_park(session, monkeypatch)
    previous = recommendations.warm_recommender(session)
    c.title = c.title + " (re-listed)"
    c.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    key = _being_built_here(session)
    try:
        # c changed after the previous build; b changed last before it (it may have committed after it).
        for listing in (c, b):
            got = recommendations.warm_recommender(session, previous_for={listing.ref: listing.updated_at})
            assert got is not previous, listing.ref
            assert c.title in [r.title for r in got.problem.offers]
    finally:
        recommendations._BUILDING.pop(key, None)


def test_with_no_other_build_under_way_a_page_gets_the_current_data(session, monkeypatch):
    """Sequential use never lags: a listing posted before the page is asked for is among its candidates."""
    a, _b, c = _aged_park(session, monkeypatch)
    previous = recommendations.warm_recommender(session)
    c.title = c.title + " (re-listed)"
    c.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    got = recommendations.warm_recommender(session, previous_for={a.ref: a.updated_at})
    assert got is not previous and c.title in [r.title for r in got.problem.offers]


def test_another_workers_build_lets_a_page_be_answered_by_the_previous_recommender(session, monkeypatch):
    from marketplace import worker_cache

    a, _b, c = _aged_park(session, monkeypatch)
    with worker_cache.server_directory():
        previous = recommendations.warm_recommender(session)
        c.title = c.title + " (re-listed)"
        c.updated_at = dt.datetime.now(dt.UTC)
        session.flush()
        key = (str(session.get_bind().engine.url), recommendations.data_version(session, Settings()))
        assert not worker_cache.being_built("recommender", key)
        held, release = threading.Event(), threading.Event()

        def other_worker() -> None:
            with worker_cache.one_builder("recommender", key):
                held.set()
                release.wait(10)

        thread = threading.Thread(target=other_worker)
        thread.start()
        try:
            assert held.wait(10)
            assert worker_cache.being_built("recommender", key)
            assert recommendations.warm_recommender(session, previous_for={a.ref: a.updated_at}) is previous
        finally:
            release.set()
            thread.join(10)
        assert not worker_cache.being_built("recommender", key)
        got = recommendations.warm_recommender(session, previous_for={a.ref: a.updated_at})
    assert got is not previous and c.title in [r.title for r in got.problem.offers]
