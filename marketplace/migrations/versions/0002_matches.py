"""match runs, proposals, point-to-point approvals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 07:02:36.073509
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('match_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('exact', sa.Boolean(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('objective', sa.Float(), nullable=False),
    sa.Column('greedy_objective', sa.Float(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('timings', sa.JSON(), nullable=False),
    sa.Column('solver', sa.JSON(), nullable=False),
    sa.Column('unmatched', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_match_runs_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_runs'))
    )
    with op.batch_alter_table('match_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_runs_park_id'), ['park_id'], unique=False)

    op.create_table('point_to_point_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('receiver_id', sa.Integer(), nullable=False),
    sa.Column('waste_code', sa.String(length=10), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['producer_id'], ['enterprises.id'], name=op.f('fk_point_to_point_approvals_producer_id_enterprises')),
    sa.ForeignKeyConstraint(['receiver_id'], ['enterprises.id'], name=op.f('fk_point_to_point_approvals_receiver_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_to_point_approvals')),
    sa.UniqueConstraint('number', name=op.f('uq_point_to_point_approvals_number'))
    )
    with op.batch_alter_table('point_to_point_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_point_to_point_approvals_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_point_to_point_approvals_receiver_id'), ['receiver_id'], unique=False)

    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('quantity_t', sa.Float(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('distance_km', sa.Float(), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.Column('licence_number', sa.String(length=64), nullable=True),
    sa.Column('exemption', sa.Text(), nullable=True),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity_t >= 0', name=op.f('ck_matches_quantity_nonnegative')),
    sa.ForeignKeyConstraint(['need_id'], ['listings.id'], name=op.f('fk_matches_need_id_listings')),
    sa.ForeignKeyConstraint(['offer_id'], ['listings.id'], name=op.f('fk_matches_offer_id_listings')),
    sa.ForeignKeyConstraint(['run_id'], ['match_runs.id'], name=op.f('fk_matches_run_id_match_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches'))
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matches_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_status'), ['status'], unique=False)
        batch_op.create_index('uq_matches_open_pair', ['offer_id', 'need_id'], unique=True, sqlite_where=sa.text("status = 'proposed'"), postgresql_where=sa.text("status = 'proposed'"))



def downgrade() -> None:
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('uq_matches_open_pair', sqlite_where=sa.text("status = 'proposed'"), postgresql_where=sa.text("status = 'proposed'"))
        batch_op.drop_index(batch_op.f('ix_matches_status'))
        batch_op.drop_index(batch_op.f('ix_matches_run_id'))
        batch_op.drop_index(batch_op.f('ix_matches_offer_id'))
        batch_op.drop_index(batch_op.f('ix_matches_need_id'))

    op.drop_table('matches')
    with op.batch_alter_table('point_to_point_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_point_to_point_approvals_receiver_id'))
        batch_op.drop_index(batch_op.f('ix_point_to_point_approvals_producer_id'))

    op.drop_table('point_to_point_approvals')
    with op.batch_alter_table('match_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_runs_park_id'))

    op.drop_table('match_runs')
