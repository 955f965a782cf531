"""Engines, sessions and schema migrations (Alembic is the schema's history)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Select, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


# Execution option naming how an SQLite transaction begins ("BEGIN" or "BEGIN IMMEDIATE").
SQLITE_BEGIN = "wastematch_sqlite_begin"


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL, a busy timeout and real transactions.

    pysqlite by default runs SELECTs outside any transaction and begins one only at the
    first write, so a read-then-write is not atomic and savepoints misbehave. We take over
    (SQLAlchemy's documented recipe): every transaction begins with an explicit BEGIN, and
    a writer can ask for ``BEGIN IMMEDIATE`` (``writer_session``) so that concurrent writers
    queue on SQLite's lock instead of failing when their snapshot is stale.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            conn.exec_driver_sql(conn.get_execution_options().get(SQLITE_BEGIN, "BEGIN"))

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def begin_as_writer(session: Session) -> None:
    """Start the session's transaction holding SQLite's write lock (no-op on PostgreSQL, which locks rows).

    Call it before the first statement of a unit of work that will write.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={SQLITE_BEGIN: "BEGIN IMMEDIATE"})


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (the CLI prints them)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], *, writer: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception.

    ``writer`` takes SQLite's write lock up front so concurrent units of work serialise.
    """
    with factory() as session:
        with session.begin():
            if writer:
                begin_as_writer(session)
            yield session


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic configuration pointing at the package's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` (idempotent)."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def count_rows(session: Session, stmt: Select) -> int:
    """How many rows ``stmt`` selects."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def page_rows(session: Session, stmt: Select, page: int, per_page: int) -> tuple[list, int]:
    """One page of ``stmt``'s rows (1-based ``page``) and the count of all its rows."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return rows, total
