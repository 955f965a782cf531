"""component resolution: what a name typed without a CAS number resolved to; a listing's composition declared
complete

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-20
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows: nothing resolved yet, composition not declared complete (unknown is not zero).
    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_cas', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('resolved_by', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('resolved_ambiguous', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('composition_complete', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('composition_complete')

    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.drop_column('resolved_ambiguous')
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('resolved_cas')
