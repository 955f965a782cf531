"""Alembic environment: uses the connection handed over by ``marketplace.db`` or a URL."""
from __future__ import annotations

import os

from alembic import context
from sqlalchemy import pool

from marketplace.db import make_engine
from marketplace.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("WASTEMATCH_DATABASE_URL")
        or "sqlite:///instance/wastematch.sqlite3"
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), poolclass=pool.NullPool)
    with engine.begin() as conn:
        _run(conn)


def _run(connection) -> None:
    # Batch mode lets ALTER TABLE work on SQLite as well as PostgreSQL.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
