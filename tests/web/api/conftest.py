"""API test harness: one app per backend; each test runs in a transaction that is rolled back.

The app's request sessions are bound to the test's connection with savepoints, so a
view's ``commit`` ends a savepoint and the whole test is undone afterwards.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import load_api_park
from web.app import create_app


@dataclass
class ApiHarness:
    """The test client, the test's own session (same transaction) and a token per user key."""

    app: Flask
    client: FlaskClient
    session: Session
    tokens: dict[str, str]

    def call(self, method: str, path: str, as_: str | None = None, **kwargs: Any):
        headers = dict(kwargs.pop("headers", {}) or {})
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        url = path if path.startswith("/") else f"/api/v1/{path}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, path: str, as_: str | None = None, **kw: Any):
        return self.call("GET", path, as_, **kw)

    def post(self, path: str, as_: str | None = None, **kw: Any):
        return self.call("POST", path, as_, **kw)

    def patch(self, path: str, as_: str | None = None, **kw: Any):
        return self.call("PATCH", path, as_, **kw)

    def delete(self, path: str, as_: str | None = None, **kw: Any):
        return self.call("DELETE", path, as_, **kw)


@pytest.fixture(scope="session")
def api_app(engine) -> Iterator[Flask]:
    app = create_app({"database_url": engine.url.render_as_string(hide_password=False)})
    app.testing = True
    yield app
    app.extensions["wastematch.engine"].dispose()


@contextmanager
def app_in_rolled_back_transaction(app: Flask, engine: Engine) -> Iterator[Session]:
    """The app's request sessions and the yielded test session share one transaction, rolled back after:
    a view's ``commit`` only ends a savepoint."""
    with engine.connect() as conn:
        outer = conn.begin()
        factory = sessionmaker(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        saved = app.extensions["wastematch.sessions"]
        app.extensions["wastematch.sessions"] = factory
        app.extensions["wastematch.sign_in_throttle"].reset()  # each test starts with no failed sign-ins counted
        session = factory()
        try:
            yield session
        finally:
            session.close()
            app.extensions["wastematch.sessions"] = saved
            outer.rollback()


@pytest.fixture()
def api(api_app, engine) -> Iterator[ApiHarness]:
    """The API on the small two-park fixture with users admin, coord, coord_nk, e1–e4."""
    with app_in_rolled_back_transaction(api_app, engine) as session:
        tokens = load_api_park(session)
        session.commit()
        yield ApiHarness(api_app, api_app.test_client(), session, tokens)
