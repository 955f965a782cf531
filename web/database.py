"""The request's database session: one per request, rolled back unless the view committed."""
from __future__ import annotations

from flask import Flask, current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from marketplace.db import begin_as_writer, make_engine, make_sessionmaker

from .config import ensure_sqlite_dir


def init_database(app: Flask, url: str) -> None:
    """Create the engine and session factory of the app."""
    ensure_sqlite_dir(url)
    engine = make_engine(url)
    app.extensions["wastematch.engine"] = engine
    app.extensions["wastematch.sessions"] = make_sessionmaker(engine)
    app.teardown_appcontext(_close_session)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def db_session() -> Session:
    """The session of the current request (created on first use).

    A request that may write begins as a writer, so that on SQLite concurrent writes
    queue for the lock instead of failing on a stale snapshot.
    """
    if "db_session" not in g:
        session = current_app.extensions["wastematch.sessions"]()
        if request.method not in SAFE_METHODS and isinstance(session.bind, Engine):
            begin_as_writer(session)
        g.db_session = session
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()  # whatever the view did not commit is not kept
        session.close()
