"""The Flask app: factory, health check, the JSON error shape and the overview page."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from marketplace.db import make_engine, upgrade_schema
from marketplace.services.catalog.reference import load_builtin_catalog
from tests.factories import load_small_park
from web.app import create_app


@pytest.fixture()
def client(backend, fresh_database_url):
    url = fresh_database_url(backend)
    engine = make_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session, session.begin():
        load_builtin_catalog(session)
        load_small_park(session)
    engine.dispose()
    app = create_app({"database_url": url})
    app.testing = True
    yield app.test_client()
    app.extensions["wastematch.engine"].dispose()


def test_healthz(client):
    """Public: ok or unavailable, nothing more (the details are for operators: tests/web/test_operations.py)."""
    res = client.get("/healthz")
    assert res.status_code == 200 and res.json == {"status": "ok"}


def test_healthz_reports_a_database_without_schema(backend, fresh_database_url):
    app = create_app({"database_url": fresh_database_url(backend)})
    res = app.test_client().get("/healthz")
    assert res.status_code == 503 and res.json == {"status": "unavailable"}
    app.extensions["wastematch.engine"].dispose()


def test_unknown_api_path_has_the_error_shape(client):
    res = client.get("/api/v1/does-not-exist")
    assert res.status_code == 404
    assert set(res.json) == {"code", "status", "message", "errors"}
    assert res.json["code"] == 404 and res.json["status"] == "Not Found"


def test_overview_page_is_chinese_first_and_switches_to_english(client):
    res = client.get("/")
    html = res.get_data(as_text=True)
    assert res.status_code == 200
    assert '<html lang="zh-CN">' in html and "园区概览" in html and "滨海新区" in html
    assert client.get("/lang/en?next=/").headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Parks at a glance" in html and "Binhai New Area" in html
