"""The migration history is the schema: models and migrations must agree on every backend."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from marketplace.db import head_revision, schema_revision, upgrade_schema
from marketplace.models import Base


def test_migrations_match_models(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_database_is_at_head_and_upgrade_is_idempotent(engine):
    assert schema_revision(engine) == head_revision()
    upgrade_schema(engine)
    assert schema_revision(engine) == head_revision()
