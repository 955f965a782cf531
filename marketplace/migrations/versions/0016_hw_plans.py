"""hazardous waste management plans (危险废物管理计划): plans, their wastes, transfers and facilities

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hw_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('tier', sa.String(length=12), nullable=False),
    sa.Column('tier_reasons', sa.JSON(), nullable=False),
    sa.Column('last_year_t', sa.Float(), nullable=False),
    sa.Column('last_year_source', sa.String(length=12), nullable=True),
    sa.Column('reduction_measures', sa.Text(), nullable=False),
    sa.Column('reduction_target_pct', sa.Float(), nullable=True),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('filing_number', sa.String(length=64), nullable=True),
    sa.Column('returned_reason', sa.Text(), nullable=True),
    sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('reduction_target_pct IS NULL OR (reduction_target_pct >= 0 AND reduction_target_pct <= 100)', name=op.f('ck_hw_plans_reduction_target_pct_range')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_hw_plans_revision_positive')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_hw_plans_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_plans')),
    sa.UniqueConstraint('enterprise_id', 'year', name='uq_hw_plans_enterprise_year'),
    sa.UniqueConstraint('filing_number', name=op.f('uq_hw_plans_filing_number'))
    )
    with op.batch_alter_table('hw_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hw_plans_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hw_plans_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_hw_plans_year'), ['year'], unique=False)

    op.create_table('hw_plan_facilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('capacity_t', sa.Float(), nullable=False),
    sa.CheckConstraint("kind IN ('storage', 'utilisation', 'disposal')", name=op.f('ck_hw_plan_facilities_kind_known')),
    sa.CheckConstraint('capacity_t >= 0', name=op.f('ck_hw_plan_facilities_capacity_t_not_negative')),
    sa.ForeignKeyConstraint(['plan_id'], ['hw_plans.id'], name=op.f('fk_hw_plan_facilities_plan_id_hw_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_plan_facilities'))
    )
    with op.batch_alter_table('hw_plan_facilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hw_plan_facilities_plan_id'), ['plan_id'], unique=False)

    op.create_table('hw_plan_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('waste_code', sa.String(length=10), nullable=False),
    sa.Column('receiver', sa.String(length=200), nullable=False),
    sa.Column('licence_number', sa.String(length=64), nullable=False),
    sa.Column('planned_t', sa.Float(), nullable=False),
    sa.CheckConstraint('planned_t >= 0', name=op.f('ck_hw_plan_transfers_planned_t_not_negative')),
    sa.ForeignKeyConstraint(['plan_id'], ['hw_plans.id'], name=op.f('fk_hw_plan_transfers_plan_id_hw_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_plan_transfers'))
    )
    with op.batch_alter_table('hw_plan_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hw_plan_transfers_plan_id'), ['plan_id'], unique=False)

    op.create_table('hw_plan_wastes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('waste_code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('planned_t', sa.Float(), nullable=False),
    sa.Column('storage_max_t', sa.Float(), nullable=False),
    sa.Column('utilised_own_t', sa.Float(), nullable=False),
    sa.Column('disposed_own_t', sa.Float(), nullable=False),
    sa.Column('transferred_t', sa.Float(), nullable=False),
    sa.Column('last_year_t', sa.Float(), nullable=False),
    sa.Column('manifests_t', sa.Float(), nullable=False),
    sa.Column('manifest_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('disposed_own_t >= 0', name=op.f('ck_hw_plan_wastes_disposed_own_t_not_negative')),
    sa.CheckConstraint('planned_t >= 0', name=op.f('ck_hw_plan_wastes_planned_t_not_negative')),
    sa.CheckConstraint('storage_max_t >= 0', name=op.f('ck_hw_plan_wastes_storage_max_t_not_negative')),
    sa.CheckConstraint('transferred_t >= 0', name=op.f('ck_hw_plan_wastes_transferred_t_not_negative')),
    sa.CheckConstraint('utilised_own_t >= 0', name=op.f('ck_hw_plan_wastes_utilised_own_t_not_negative')),
    sa.ForeignKeyConstraint(['plan_id'], ['hw_plans.id'], name=op.f('fk_hw_plan_wastes_plan_id_hw_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_plan_wastes'))
    )
    with op.batch_alter_table('hw_plan_wastes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hw_plan_wastes_plan_id'), ['plan_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hw_plan_wastes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hw_plan_wastes_plan_id'))

    op.drop_table('hw_plan_wastes')
    with op.batch_alter_table('hw_plan_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hw_plan_transfers_plan_id'))

    op.drop_table('hw_plan_transfers')
    with op.batch_alter_table('hw_plan_facilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hw_plan_facilities_plan_id'))

    op.drop_table('hw_plan_facilities')
    with op.batch_alter_table('hw_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hw_plans_year'))
        batch_op.drop_index(batch_op.f('ix_hw_plans_status'))
        batch_op.drop_index(batch_op.f('ix_hw_plans_enterprise_id'))

    op.drop_table('hw_plans')
