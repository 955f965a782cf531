"""The request's database session and the one place a request's transaction ends.

Every view runs inside ``transactional`` (``init_database`` wraps them all): a response
below 400 commits what the services did; an error response, an exception, or a view that
called ``discard_changes`` (a refused action shown on a page) keeps nothing. Views never
commit or roll back themselves.

Work a service defers to after the commit (``marketplace.services.after_commit``: a new listing's
notices) is handed to the app's runner once the request has committed, and dropped when it rolls
back. ``app.config["WASTEMATCH_AFTER_COMMIT"]`` says how: ``background`` (production's default:
one thread per worker process, after the response), ``after`` (right after the commit, in the
request's thread: tests), ``inline`` (the default outside production: the service does the work
in the request's own transaction, as the command line does).
"""
from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from marketplace.db import DatabaseTimeouts, begin_as_writer, make_engine, make_sessionmaker
from marketplace.services import after_commit

from .config import ensure_sqlite_dir

AFTER_COMMIT_KEY = "WASTEMATCH_AFTER_COMMIT"  # see the module docstring
AFTER_COMMIT_MODES = ("inline", "after", "background")
RUNNER_KEY = "wastematch.after_commit"


def init_database(app: Flask, url: str) -> None:
    """Create the engine and session factory of the app."""
    ensure_sqlite_dir(url)
    engine = make_engine(url, timeouts=DatabaseTimeouts.for_web())
    _fresh_pool_after_fork(engine)
    app.extensions["wastematch.engine"] = engine
    app.extensions["wastematch.sessions"] = make_sessionmaker(engine)
    app.config.setdefault(AFTER_COMMIT_KEY, "background" if app.config.get("WASTEMATCH_PRODUCTION") else "inline")
    # Sessions read at each job: the tests swap the factory for one bound to their transaction.
    app.extensions[RUNNER_KEY] = after_commit.Runner(lambda: app.extensions["wastematch.sessions"])
    app.teardown_appcontext(_close_session)


def after_commit_runner(app: Flask) -> after_commit.Runner:
    """The app's runner of deferred work (``drain()`` waits for it; ``failures`` lists what failed)."""
    return app.extensions[RUNNER_KEY]


def _fresh_pool_after_fork(engine: Engine) -> None:
    """A process forked from this one (a gunicorn worker of an app built before the fork) starts with an
    empty pool: the parent's connections stay the parent's (SQLAlchemy's documented recipe, ``close=False``).
    """
    ref = weakref.ref(engine)

    def reset() -> None:
        alive = ref()
        if alive is not None:
            alive.dispose(close=False)

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=reset)


def make_views_transactional(app: Flask) -> None:
    """Wrap every registered view in ``transactional`` (call once, after the blueprints are registered)."""
    for endpoint, view in list(app.view_functions.items()):
        if not getattr(view, "_transactional", False):
            app.view_functions[endpoint] = transactional(view)


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
        if _after_commit_mode() != "inline":
            after_commit.accept_deferred(session)
        g.db_session = session
    return g.db_session


def discard_changes() -> None:
    """Throw away what this request wrote so far and keep nothing of it at the end.

    For views that catch a refusal (a ``DomainError``) and still answer, e.g. with the form
    again or a redirect carrying the error: the refused action may have flushed part of its work.
    Also for a view that only renders after reading: ending its transaction early releases SQLite's
    lock while it renders (a large XLSX report takes seconds).
    """
    session: Session | None = g.get("db_session")
    if session is not None:
        session.rollback()
    g.db_discard = True


def keep_changes() -> None:
    """Commit what this request wrote even though it answers with an error (or raises a ``DomainError``).

    For refusals that must leave a trace: a failed sign-in's audit event and failure count.
    """
    g.db_keep = True


def transactional(view: Callable[..., Any]) -> Callable[..., Any]:
    """The request's unit of work around ``view``: commit on a response below 400 (or ``keep_changes``), else roll back."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except Exception:
            refused: Session | None = g.get("db_session")
            if refused is not None and g.pop("db_keep", False):
                _commit(refused)
            raise
        session: Session | None = g.get("db_session")
        if session is None:
            return response
        if g.pop("db_keep", False):
            _commit(session)
        elif response.status_code >= 400 or g.pop("db_discard", False):
            session.rollback()
            after_commit.take(session)  # a refused request's consequences never run
        else:
            _commit(session)
        return response

    wrapper._transactional = True  # type: ignore[attr-defined]
    return wrapper


def _after_commit_mode() -> str:
    mode = current_app.config.get(AFTER_COMMIT_KEY, "inline")
    if mode not in AFTER_COMMIT_MODES:
        raise ValueError(f"{AFTER_COMMIT_KEY} must be one of {AFTER_COMMIT_MODES}: {mode!r}")
    return mode


def _commit(session: Session) -> None:
    """Commit the request's work, then hand what it deferred to the app's runner."""
    session.commit()
    jobs = after_commit.take(session)
    if jobs:
        after_commit_runner(current_app).submit(jobs, background=_after_commit_mode() == "background")


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()  # whatever was not committed is not kept
        after_commit.take(session)  # nor is any work deferred to after a commit that did not happen
        session.close()
