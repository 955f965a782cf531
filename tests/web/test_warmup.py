"""What a worker does before taking requests: the warm recommender built, the native thread pools at one thread."""
from __future__ import annotations

import logging
from collections import OrderedDict

from threadpoolctl import threadpool_info, threadpool_limits

from marketplace.services.matching import recommendations
from web.app import create_app
from web.warmup import warm_up

KEY = "warm-up-test-" + "k" * 32


def test_warm_up_builds_the_recommender_and_keeps_native_pools_to_one_thread(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(recommendations, "_RECOMMENDERS", OrderedDict())
    app = create_app({"database_url": engine.url.render_as_string(hide_password=False),
                      "instance_path": tmp_path, "secret_key": KEY})
    try:
        with threadpool_limits(limits=None):  # puts the pools back as they were for the other tests
            seconds = warm_up(app)
            assert {p["num_threads"] for p in threadpool_info()} == {1}
        assert seconds is not None and seconds >= 0
        [(url, _version)] = recommendations._RECOMMENDERS
        assert url == str(engine.url)
    finally:
        app.extensions["wastematch.engine"].dispose()


def test_a_failed_warm_up_is_logged_and_the_worker_still_starts(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(recommendations, "_RECOMMENDERS", OrderedDict())
    empty = tmp_path / "no-schema.sqlite3"  # no tables: the build fails
    app = create_app({"database_url": f"sqlite:///{empty}", "instance_path": tmp_path, "secret_key": KEY})
    try:
        with threadpool_limits(limits=None), caplog.at_level(logging.WARNING, logger="wastematch.server"):
            assert warm_up(app) is None
        assert "could not warm the recommender up" in caplog.text
        assert not recommendations._RECOMMENDERS
    finally:
        app.extensions["wastematch.engine"].dispose()


def test_a_worker_freezes_what_it_holds_and_collects_less_often():
    import gc

    from web.warmup import GC_THRESHOLDS, tune_collector

    before = gc.get_threshold()
    try:
        tune_collector()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # the modules, the app: out of every later collection
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
