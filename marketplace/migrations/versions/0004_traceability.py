"""traceability: chemical flow ledger and findings, shipments with manifests and containers, alerts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('manifest_sequences',
    sa.Column('park_code', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('park_code', 'day', name=op.f('pk_manifest_sequences'))
    )
    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manifest_number', sa.String(length=40), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('receiver_id', sa.Integer(), nullable=False),
    sa.Column('licence_number', sa.String(length=64), nullable=True),
    sa.Column('waste_code', sa.String(length=10), nullable=True),
    sa.Column('material', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('quantity_t', sa.Float(), nullable=False),
    sa.Column('quantity_received_t', sa.Float(), nullable=True),
    sa.Column('carrier', sa.String(length=200), nullable=True),
    sa.Column('carrier_licence', sa.String(length=64), nullable=True),
    sa.Column('vehicle', sa.String(length=20), nullable=True),
    sa.Column('driver', sa.String(length=100), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dispatched_by', sa.String(length=200), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_by', sa.String(length=200), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=200), nullable=True),
    sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity_received_t IS NULL OR quantity_received_t >= 0', name=op.f('ck_shipments_received_nonnegative')),
    sa.CheckConstraint('quantity_t > 0', name=op.f('ck_shipments_quantity_positive')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_shipments_match_id_matches')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_shipments_park_id_parks')),
    sa.ForeignKeyConstraint(['producer_id'], ['enterprises.id'], name=op.f('fk_shipments_producer_id_enterprises')),
    sa.ForeignKeyConstraint(['receiver_id'], ['enterprises.id'], name=op.f('fk_shipments_receiver_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('manifest_number', name=op.f('uq_shipments_manifest_number'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_dispatched_at'), ['dispatched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_licence_number'), ['licence_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_receiver_id'), ['receiver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_status'), ['status'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('licence_number', sa.String(length=64), nullable=True),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=14), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=True),
    sa.Column('acknowledgement', sa.Text(), nullable=True),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_alerts_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_alerts_park_id_parks')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_alerts_shipment_id_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_shipment_id'), ['shipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_status'), ['status'], unique=False)
        batch_op.create_index('uq_alerts_active_key', ['key'], unique=True, sqlite_where=sa.text("status IN ('open', 'acknowledged')"), postgresql_where=sa.text("status IN ('open', 'acknowledged')"))

    op.create_table('containers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=48), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('packaging', sa.String(length=10), nullable=False),
    sa.Column('quantity_t', sa.Float(), nullable=False),
    sa.Column('quantity_received_t', sa.Float(), nullable=True),
    sa.CheckConstraint('quantity_t > 0', name=op.f('ck_containers_quantity_positive')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_containers_shipment_id_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_containers')),
    sa.UniqueConstraint('code', name=op.f('uq_containers_code')),
    sa.UniqueConstraint('shipment_id', 'sequence', name='uq_containers_shipment_sequence')
    )
    with op.batch_alter_table('containers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_containers_shipment_id'), ['shipment_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('batch_code', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('chemical_name', sa.String(length=200), nullable=True),
    sa.Column('cas', sa.String(length=16), nullable=True),
    sa.Column('catalogue_id', sa.String(length=64), nullable=True),
    sa.Column('waste_code', sa.String(length=10), nullable=True),
    sa.Column('quantity_t', sa.Float(), nullable=False),
    sa.Column('content_ratio', sa.Float(), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=True),
    sa.Column('counterparty_id', sa.Integer(), nullable=True),
    sa.Column('counterparty_name', sa.String(length=200), nullable=True),
    sa.Column('source_entry_id', sa.Integer(), nullable=True),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('permit_number', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=True),
    sa.CheckConstraint('content_ratio > 0 AND content_ratio <= 1', name=op.f('ck_ledger_entries_content_ratio_range')),
    sa.CheckConstraint('quantity_t > 0', name=op.f('ck_ledger_entries_quantity_positive')),
    sa.ForeignKeyConstraint(['counterparty_id'], ['enterprises.id'], name=op.f('fk_ledger_entries_counterparty_id_enterprises'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_ledger_entries_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_ledger_entries_shipment_id_shipments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_entries_source_entry_id_ledger_entries'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('enterprise_id', 'batch_code', name='uq_ledger_entries_enterprise_batch')
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_cas'), ['cas'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_counterparty_id'), ['counterparty_id'], unique=False)
        batch_op.create_index('ix_ledger_entries_enterprise_cas', ['enterprise_id', 'cas'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_entry_date'), ['entry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_shipment_id'), ['shipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_source_entry_id'), ['source_entry_id'], unique=False)

    op.create_table('ledger_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('first_found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_ledger_findings_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_findings_entry_id_ledger_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_ledger_findings_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_findings'))
    )
    with op.batch_alter_table('ledger_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_findings_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_findings_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_findings_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_findings_status'), ['status'], unique=False)
        batch_op.create_index('uq_ledger_findings_open_key', ['enterprise_id', 'key'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))



def downgrade() -> None:
    with op.batch_alter_table('ledger_findings', schema=None) as batch_op:
        batch_op.drop_index('uq_ledger_findings_open_key', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_ledger_findings_status'))
        batch_op.drop_index(batch_op.f('ix_ledger_findings_park_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_findings_entry_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_findings_enterprise_id'))

    op.drop_table('ledger_findings')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_source_entry_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_entry_date'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_enterprise_id'))
        batch_op.drop_index('ix_ledger_entries_enterprise_cas')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_counterparty_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_cas'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('containers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_containers_shipment_id'))

    op.drop_table('containers')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('uq_alerts_active_key', sqlite_where=sa.text("status IN ('open', 'acknowledged')"), postgresql_where=sa.text("status IN ('open', 'acknowledged')"))
        batch_op.drop_index(batch_op.f('ix_alerts_status'))
        batch_op.drop_index(batch_op.f('ix_alerts_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_raised_at'))
        batch_op.drop_index(batch_op.f('ix_alerts_park_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_kind'))
        batch_op.drop_index(batch_op.f('ix_alerts_enterprise_id'))

    op.drop_table('alerts')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_status'))
        batch_op.drop_index(batch_op.f('ix_shipments_receiver_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_received_at'))
        batch_op.drop_index(batch_op.f('ix_shipments_producer_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_park_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_match_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_licence_number'))
        batch_op.drop_index(batch_op.f('ix_shipments_dispatched_at'))

    op.drop_table('shipments')
    op.drop_table('manifest_sequences')
