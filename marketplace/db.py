"""Engines, sessions and schema migrations (Alembic is the schema's history)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Select, create_engine, event, func, make_url, select
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


# Execution option naming how an SQLite transaction begins ("BEGIN" or "BEGIN IMMEDIATE").
SQLITE_BEGIN = "wastematch_sqlite_begin"


@dataclass(frozen=True)
class DatabaseTimeouts:
    """PostgreSQL's ``statement_timeout`` and ``idle_in_transaction_session_timeout``, in seconds (0: none).

    A statement running longer is cancelled, and a session that keeps a transaction open without a
    statement for longer is ended, so that no request can hold a core of the database, its locks or its
    snapshot for minutes. SQLite has no such settings (its writers already wait at most 30 s for the lock).
    """

    statement_s: float = 0.0
    idle_in_transaction_s: float = 0.0

    # The web app: a request's statements take milliseconds; a page-started park run reads, then holds its
    # transaction while the solver works (at most 60 s per solve, MAX_TIME_LIMIT_S of the API) before writing.
    WEB_STATEMENT_S = 30.0
    WEB_IDLE_IN_TRANSACTION_S = 300.0
    # The command line: every command is one transaction, and `wastematch match --time-limit S` may solve for
    # as long as the operator asks; only a runaway statement is cancelled.
    CLI_STATEMENT_S = 600.0
    CLI_IDLE_IN_TRANSACTION_S = 0.0

    ENV_STATEMENT = "WASTEMATCH_STATEMENT_TIMEOUT_S"
    ENV_IDLE = "WASTEMATCH_IDLE_IN_TRANSACTION_TIMEOUT_S"
    ENV_CLI_STATEMENT = "WASTEMATCH_CLI_STATEMENT_TIMEOUT_S"

    @classmethod
    def for_web(cls) -> DatabaseTimeouts:
        """The web app's: ``WASTEMATCH_STATEMENT_TIMEOUT_S`` (default 30) and
        ``WASTEMATCH_IDLE_IN_TRANSACTION_TIMEOUT_S`` (default 300)."""
        return cls(_seconds(cls.ENV_STATEMENT, cls.WEB_STATEMENT_S), _seconds(cls.ENV_IDLE, cls.WEB_IDLE_IN_TRANSACTION_S))

    @classmethod
    def for_cli(cls) -> DatabaseTimeouts:
        """The command line's: ``WASTEMATCH_CLI_STATEMENT_TIMEOUT_S`` (default 600), no idle limit."""
        return cls(_seconds(cls.ENV_CLI_STATEMENT, cls.CLI_STATEMENT_S), cls.CLI_IDLE_IN_TRANSACTION_S)

    def options(self) -> str:
        """The libpq ``options`` that set them on every new connection (``-c name=milliseconds``)."""
        return (f"-c statement_timeout={round(self.statement_s * 1000)} "
                f"-c idle_in_transaction_session_timeout={round(self.idle_in_transaction_s * 1000)}")


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of seconds") from None
    if not 0 <= value <= 86_400:
        raise ValueError(f"{name}={raw!r}: give 0 (no limit) to 86400 seconds")
    return value


def make_engine(url: str, *, timeouts: DatabaseTimeouts | None = None, **kwargs) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL, a busy timeout and real transactions.

    pysqlite by default runs SELECTs outside any transaction and begins one only at the
    first write, so a read-then-write is not atomic and savepoints misbehave. We take over
    (SQLAlchemy's documented recipe): every transaction begins with an explicit BEGIN, and
    a writer can ask for ``BEGIN IMMEDIATE`` (``writer_session``) so that concurrent writers
    queue on SQLite's lock instead of failing when their snapshot is stale.

    On PostgreSQL, ``timeouts`` (the web app's and the CLI's, see :class:`DatabaseTimeouts`) are set on
    every connection; None leaves the server's defaults.
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
    if timeouts is not None and url.startswith("postgresql"):
        connect_args = dict(kwargs.pop("connect_args", {}))
        # Added to options the URL may carry (``?options=...``), not replacing them.
        given = connect_args.get("options") or make_url(url).query.get("options") or ""
        connect_args["options"] = f"{given} {timeouts.options()}".strip()
        kwargs["connect_args"] = connect_args
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
    with factory() as session, session.begin():
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
