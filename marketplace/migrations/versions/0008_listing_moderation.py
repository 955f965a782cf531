"""listing moderation: a coordinator's hold on a paused listing, and coordinators' flags and notes on listings

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing listings: none is held by a coordinator.
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('held_reason', sa.Text(), nullable=True))

    op.create_table('listing_remarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cleared_by', sa.String(length=200), nullable=True),
    sa.CheckConstraint("kind IN ('flag', 'note')", name=op.f('ck_listing_remarks_kind_known')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_listing_remarks_listing_id_listings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_remarks'))
    )
    with op.batch_alter_table('listing_remarks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_remarks_listing_id'), ['listing_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('listing_remarks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_remarks_listing_id'))
    op.drop_table('listing_remarks')

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('held_reason')
        batch_op.drop_column('held_by')
