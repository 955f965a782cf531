"""Page test harness: the app on SQLite with the small two-park fixture, a signed-in browser client.

Pages call the same services as the API, which are tested on both backends; the pages
themselves (forms, redirects, texts, CSRF) do not depend on the database, so they run on
SQLite only, in a transaction rolled back after each test.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from marketplace.db import make_engine, upgrade_schema
from marketplace.services.catalog.reference import load_builtin_catalog
from tests.factories import API_PASSWORD, API_USERS, load_api_park
from tests.web.api.conftest import app_in_rolled_back_transaction
from web.app import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class PageHarness:
    """A browser-like client (cookies kept) and the test's own session (same transaction)."""

    app: Flask
    client: FlaskClient
    session: Session

    def csrf(self, path: str = "/signin") -> str:
        """The session's CSRF token, read from a page's form as a browser would."""
        res = self.client.get(path)
        found = CSRF.search(res.get_data(as_text=True))
        assert found, f"no CSRF field on {path} ({res.status_code})"
        return found.group(1)

    def sign_in(self, key: str) -> None:
        """Sign in as one of ``tests.factories.API_USERS`` (admin, coord, coord_nk, e1–e4)."""
        res = self.client.post("/signin", data={"email": API_USERS[key][0], "password": API_PASSWORD,
                                                "csrf_token": self.csrf()})
        assert res.status_code == 302, res.get_data(as_text=True)[:500]

    def language(self, code: str) -> None:
        """Switch the pages to ``zh_CN`` or ``en``."""
        assert self.client.get(f"/lang/{code}").status_code == 302

    def get(self, path: str, **kw: Any):
        return self.client.get(path, **kw)

    def text(self, path: str, status: int = 200) -> str:
        """The page's HTML, asserting its status."""
        res = self.client.get(path)
        assert res.status_code == status, (path, res.status_code, res.get_data(as_text=True)[:800])
        return res.get_data(as_text=True)

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any):
        """POST a form with the session's CSRF token, as the page's form would send it."""
        form = dict(data or {})
        form.setdefault("csrf_token", self.csrf(kw.pop("csrf_from", "/signin")))
        return self.client.post(path, data=form, **kw)


@pytest.fixture(scope="session")
def pages_engine(tmp_path_factory) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'wastematch.sqlite3'}")
    upgrade_schema(eng)
    with Session(eng) as session, session.begin():
        load_builtin_catalog(session)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def pages_app(pages_engine, tmp_path_factory) -> Iterator[Flask]:
    app = create_app({"database_url": pages_engine.url.render_as_string(hide_password=False),
                      "instance_path": tmp_path_factory.mktemp("pages-instance")})
    app.testing = True
    yield app
    app.extensions["wastematch.engine"].dispose()


@contextmanager
def _harness(app: Flask, engine: Engine) -> Iterator[PageHarness]:
    with app_in_rolled_back_transaction(app, engine) as session:
        load_api_park(session)
        session.commit()
        yield PageHarness(app, app.test_client(), session)


@pytest.fixture()
def pages(pages_app, pages_engine) -> Iterator[PageHarness]:
    """The pages on the small two-park fixture (users admin, coord, coord_nk, e1–e4), signed out."""
    with _harness(pages_app, pages_engine) as harness:
        yield harness


@pytest.fixture(scope="session")
def backend_pages_app(engine, tmp_path_factory) -> Iterator[Flask]:
    """The app on the shared database of each backend (SQLite, and PostgreSQL when it is configured)."""
    app = create_app({"database_url": engine.url.render_as_string(hide_password=False),
                      "instance_path": tmp_path_factory.mktemp("backend-pages-instance")})
    app.testing = True
    yield app
    app.extensions["wastematch.engine"].dispose()


@pytest.fixture()
def pages_on_backend(backend_pages_app, engine) -> Iterator[PageHarness]:
    """``pages`` on every backend, for the page flows that must hold on PostgreSQL too."""
    with _harness(backend_pages_app, engine) as harness:
        yield harness
