"""annual hazardous waste declarations (危险废物年度申报) and their lines per waste code

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TONNES = ('stock_start_t', 'generated_t', 'utilised_own_t', 'disposed_own_t', 'transferred_t', 'stock_end_t')


def upgrade() -> None:
    op.create_table('hw_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_hw_declarations_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_declarations')),
    sa.UniqueConstraint('enterprise_id', 'year', name='uq_hw_declarations_enterprise_year')
    )
    with op.batch_alter_table('hw_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hw_declarations_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hw_declarations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_hw_declarations_year'), ['year'], unique=False)

    op.create_table('hw_declaration_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('waste_code', sa.String(length=10), nullable=False),
    *[sa.Column(name, sa.Float(), nullable=False) for name in TONNES],
    sa.Column('manifests_t', sa.Float(), nullable=False),
    sa.Column('manifest_count', sa.Integer(), nullable=False),
    *[sa.CheckConstraint(f'{name} >= 0', name=op.f(f'ck_hw_declaration_lines_{name}_not_negative')) for name in TONNES],
    sa.ForeignKeyConstraint(['declaration_id'], ['hw_declarations.id'], name=op.f('fk_hw_declaration_lines_declaration_id_hw_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_declaration_lines'))
    )
    with op.batch_alter_table('hw_declaration_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hw_declaration_lines_declaration_id'), ['declaration_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hw_declaration_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hw_declaration_lines_declaration_id'))
    op.drop_table('hw_declaration_lines')
    with op.batch_alter_table('hw_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hw_declarations_year'))
        batch_op.drop_index(batch_op.f('ix_hw_declarations_status'))
        batch_op.drop_index(batch_op.f('ix_hw_declarations_enterprise_id'))
    op.drop_table('hw_declarations')
