"""Test fixtures: every database test runs on SQLite, and on PostgreSQL when
``WASTEMATCH_TEST_DATABASE_URL`` is set; each test gets a transaction that is rolled back.

On PostgreSQL the suite creates a scratch database beside the one the URL names (and
drops it at the end), so a run never depends on, nor leaves, state in the shared one.
"""
from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from marketplace.db import make_engine, upgrade_schema
from marketplace.services.catalog.reference import load_builtin_catalog

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
HW_LIST_PDF = SHARED_DATA / "hw-list-2021" / "gjwxfwml.pdf"
EWC_JSON = SHARED_DATA / "ewc" / "ewc-codes.json"
DEMO_PARK = REPO / "marketplace" / "demo" / "demo_park.json"
PG_ENV = "WASTEMATCH_TEST_DATABASE_URL"
T = TypeVar("T")

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(PG_ENV) else [])
# The command line's lines for people in both languages whatever the machine's locale (``wastematch --lang``):
# the tests read either half. Subprocesses inherit it; tests of the language choice set their own.
os.environ["WASTEMATCH_LANG"] = "both"


class PostgresScratch:
    """Creates throw-away databases on the server of ``WASTEMATCH_TEST_DATABASE_URL``."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        self.dropping: list[Future] = []
        self._dropper = ThreadPoolExecutor(max_workers=4, thread_name_prefix="drop-scratch")

    def new_url(self, template: str | None = None) -> str:
        """A new scratch database (a copy of database ``template`` when given), dropped with the others."""
        name = f"wm_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def copy_of(self, url: str) -> str:
        """A new scratch database holding what the database at ``url`` holds (its connections are closed first:
        PostgreSQL copies only a database nobody is connected to)."""
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        return self.new_url(template=name)

    def drop_soon(self, url: str) -> None:
        """Drop the scratch database at ``url`` in the background: a drop waits on the server's disk (0.2-0.5 s),
        and several at once take little longer than one."""
        name = make_url(url).database
        self.created.remove(name)
        self.dropping.append(self._dropper.submit(self._drop, name))

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def drop_all(self) -> None:
        for name in self.created:
            self.dropping.append(self._dropper.submit(self._drop, name))
        self._dropper.shutdown(wait=True)
        for dropped in self.dropping:
            dropped.result()  # a drop that failed says so
        self.admin.dispose()


@pytest.fixture(autouse=True, scope="session")
def _no_writes_to_the_users_data_folder(tmp_path_factory) -> Iterator[None]:
    """The default data folder is per user (~/.local/share/wastematch): tests use a temporary one.

    A test that needs its own sets ``WASTEMATCH_INSTANCE_PATH`` again with ``monkeypatch``.
    """
    before = os.environ.get("WASTEMATCH_INSTANCE_PATH")
    os.environ["WASTEMATCH_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    yield
    if before is None:
        os.environ.pop("WASTEMATCH_INSTANCE_PATH", None)
    else:
        os.environ["WASTEMATCH_INSTANCE_PATH"] = before


@pytest.fixture(autouse=True)
def _no_overview_kept_from_another_test():
    """The park overview may show a document up to 30 s old (``overview_report.STALE_S``) when the data changed
    by someone else. Every test starts from the same database URL with its own rolled-back data (SQLite even
    reuses the ids): a document kept from the test before would pass for one."""
    from marketplace.services.reports.overview_report import clear_overview_cache

    clear_overview_cache()


@pytest.fixture(autouse=True)
def _refusals_in_both_languages() -> Iterator[None]:
    """A domain error raised during the test speaks Chinese and English (``tests.bilingual_guard``)."""
    from tests import bilingual_guard

    bilingual_guard.install()
    bilingual_guard.seen.clear()
    yield
    found, bilingual_guard.seen[:] = list(dict.fromkeys(bilingual_guard.seen)), []
    assert not found, "English-only refusals (write them 'english (中文)'):\n" + "\n".join(found)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """scrypt at production cost takes ~50 ms a hash; tests hash many passwords. The stored
    hash records its cost, so verification is unchanged."""
    from marketplace.services.accounts import users as accounts

    monkeypatch.setattr(accounts, "SCRYPT_N", 2**8)


@pytest.fixture(scope="session")
def pg_scratch() -> Iterator[PostgresScratch | None]:
    url = os.environ.get(PG_ENV)
    if not url:
        yield None
        return
    scratch = PostgresScratch(url)
    yield scratch
    scratch.drop_all()


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory, pg_scratch):
    """A factory of empty databases of a backend: ``fresh_database_url("sqlite")``."""
    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'wastematch.sqlite3'}"
        assert pg_scratch is not None, "PostgreSQL requested but WASTEMATCH_TEST_DATABASE_URL is not set"
        return pg_scratch.new_url()
    return make


@pytest.fixture(scope="session")
def _database_builds() -> dict[tuple[str, str], tuple[str, object]]:
    """(backend, key) -> (URL, what the build returned) of each database ``database_copy`` copies."""
    return {}


@pytest.fixture()
def database_copy(fresh_database_url, pg_scratch, _database_builds,
                  request) -> Callable[[str, str, Callable[[str], T]], tuple[str, T]]:
    """``database_copy(backend, key, build)``: ``(url, what build returned)``, the URL naming a new database of
    ``backend`` that holds what ``build(url)`` wrote into an empty one.

    For tests that need a committed database of their own (the command line, other processes and connections
    read it) that starts from the same data: ``build`` runs once per backend and ``key`` in a test process, and
    each call copies its result (SQLite's backup; PostgreSQL's ``CREATE DATABASE … TEMPLATE``), which costs a
    small part of running ``wastematch init`` and an import again. ``key`` names what ``build`` makes: the same
    key must always mean the same build, and what it returns must hold for every copy (ids, codes). A
    PostgreSQL copy is dropped in the background once the test is over.
    """
    def copy(backend: str, key: str, build: Callable[[str], T]) -> tuple[str, T]:
        if (backend, key) not in _database_builds:
            source = fresh_database_url(backend)
            _database_builds[(backend, key)] = (source, build(source))
        source, result = _database_builds[(backend, key)]
        if backend != "sqlite":
            target = pg_scratch.copy_of(source)
            request.addfinalizer(lambda: pg_scratch.drop_soon(target))
            return target, result
        target = fresh_database_url(backend)
        with closing(sqlite3.connect(make_url(source).database)) as src, \
                closing(sqlite3.connect(make_url(target).database)) as dst:
            src.backup(dst)
        return target, result

    return copy


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def engine(backend, fresh_database_url) -> Iterator[Engine]:
    """A migrated database with the built-in catalogue, shared by the tests of one backend."""
    eng = make_engine(fresh_database_url(backend))
    upgrade_schema(eng)
    with Session(eng) as session, session.begin():
        load_builtin_catalog(session)
    yield eng
    eng.dispose()


@pytest.fixture()
def session(engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    Services may flush and even call ``commit`` on savepoints; nothing reaches the database.
    """
    with engine.connect() as conn:
        outer = conn.begin()
        sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield sess
        finally:
            sess.close()
            outer.rollback()


@contextmanager
def shared_data(engine: Engine, build: Callable[[Session], object]) -> Iterator[tuple[Connection, object]]:
    """Data the tests of a module share, built once by ``build(session)`` in a transaction rolled back after.

    For a module fixture: each test reads it through ``savepoint_session`` (its own session in a savepoint on the
    same connection, rolled back after the test), so what one test writes no other test sees. Yields the
    connection and what ``build`` returned (plain values: the builder's session is closed). A test of such a
    module must not write through the ``session`` fixture (another connection): on PostgreSQL an insert of a
    key the shared, uncommitted data holds waits for the module's transaction, which ends after the test.
    """
    with engine.connect() as conn:
        outer = conn.begin()
        with Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False) as builder:
            result = build(builder)
            builder.commit()  # releases the builder's savepoint into the outer transaction (closing would undo it)
        try:
            yield conn, result
        finally:
            outer.rollback()


@contextmanager
def savepoint_session(conn: Connection) -> Iterator[Session]:
    """A session over ``shared_data``'s connection inside a savepoint that is rolled back after the test."""
    savepoint = conn.begin_nested()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        if savepoint.is_active:
            savepoint.rollback()
