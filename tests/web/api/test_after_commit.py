"""A new listing's notices after the response: production computes them in the worker's background thread,
after the request committed; the answers are those computed inside the request (tests/marketplace/services/
test_after_commit.py compares them); a refused request defers nothing; outside production nothing changes."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import make_engine, upgrade_schema
from marketplace.models import Enterprise, Notification
from marketplace.services.catalog.reference import load_builtin_catalog
from tests.factories import OFFER, load_api_park
from tests.web.api.conftest import ApiHarness
from web.app import create_app
from web.database import AFTER_COMMIT_KEY, after_commit_runner

BODY = {**{k: v for k, v in OFFER.items() if k not in ("ref", "enterprise")},
        "title": "Spent oil, second workshop", "title_zh": "第二车间废油", "quantity_t": 150}


def _told(session, listing_id: int) -> set[str]:
    return set(session.scalars(select(Enterprise.ref).join(Notification, Notification.enterprise_id == Enterprise.id)
                               .where(Notification.kind == "listing_fit", Notification.listing_id == listing_id)))


def test_the_mode_is_background_in_production_and_inline_elsewhere(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert create_app({"database_url": url}).config[AFTER_COMMIT_KEY] == "inline"
    served = create_app({"database_url": url, "production": True, "secret_key": "k" * 40})
    assert served.config[AFTER_COMMIT_KEY] == "background"


@pytest.mark.parametrize("mode", ["inline", "after"])
def test_posting_notifies_the_same_enterprises_in_the_request_or_after_it(api, monkeypatch, mode):
    monkeypatch.setitem(api.app.config, AFTER_COMMIT_KEY, mode)
    runner = after_commit_runner(api.app)
    done = runner.done
    res = api.post("listings", as_="e2", json=BODY)
    assert res.status_code == 201, res.json
    assert _told(api.session, res.json["id"]) == {"E-1", "E-4"}  # the two needs, never the poster
    assert runner.done == done + (mode == "after") and runner.failures == []


def test_a_refused_post_leaves_nothing_to_run(api, monkeypatch):
    monkeypatch.setitem(api.app.config, AFTER_COMMIT_KEY, "after")
    runner = after_commit_runner(api.app)
    done = runner.done
    res = api.post("listings", as_="e2", json={**BODY, "enterprise": "E-1"})  # not theirs
    assert res.status_code in (403, 404), res.json
    assert runner.done == done and runner.failures == []


def test_in_production_the_notices_come_from_the_background_thread(backend, fresh_database_url, tmp_path):
    url = fresh_database_url(backend)  # a database of its own: the background thread commits for real
    engine = make_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session:
        load_builtin_catalog(session)
        tokens = load_api_park(session)
        session.commit()
    app = create_app({"database_url": url, "production": True, "secret_key": "k" * 40,
                      "instance_path": tmp_path})
    app.testing = True
    try:
        with Session(engine) as session:
            api = ApiHarness(app, app.test_client(), session, tokens)
            res = api.post("listings", as_="e2", json=BODY)
            assert res.status_code == 201, res.json
            runner = after_commit_runner(app)
            assert runner.drain(timeout=120)
            assert runner.done == 1 and runner.failures == []
            assert _told(session, res.json["id"]) == {"E-1", "E-4"}
            assert api.get("notifications", as_="e1").json["total"] == 1
    finally:
        app.extensions["wastematch.engine"].dispose()
        engine.dispose()
