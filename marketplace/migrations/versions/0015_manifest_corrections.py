"""manifest correction requests (联单更正申请), return manifests of rejected loads (退运联单), drafts

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('manifest_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_manifest_corrections_shipment_id_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manifest_corrections'))
    )
    with op.batch_alter_table('manifest_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manifest_corrections_shipment_id'), ['shipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manifest_corrections_status'), ['status'], unique=False)

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        # a draft has no manifest number until it is planned
        batch_op.alter_column('manifest_number', existing_type=sa.String(length=40), nullable=True)
        batch_op.add_column(sa.Column('direction', sa.String(length=8), server_default='forward', nullable=False))
        batch_op.add_column(sa.Column('returned_from_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_shipments_returned_from_id'), ['returned_from_id'])
        batch_op.create_foreign_key(batch_op.f('fk_shipments_returned_from_id_shipments'), 'shipments', ['returned_from_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_shipments_returned_from_id_shipments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_shipments_returned_from_id'), type_='unique')
        batch_op.drop_column('returned_from_id')
        batch_op.drop_column('direction')
        batch_op.alter_column('manifest_number', existing_type=sa.String(length=40), nullable=False)

    with op.batch_alter_table('manifest_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manifest_corrections_status'))
        batch_op.drop_index(batch_op.f('ix_manifest_corrections_shipment_id'))

    op.drop_table('manifest_corrections')
