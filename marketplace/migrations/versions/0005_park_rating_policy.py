"""parks keep their own rating thresholds for reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('parks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating_policy', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('parks', schema=None) as batch_op:
        batch_op.drop_column('rating_policy')
