"""field devices: weighbridges and GPS trackers with their tokens, weigh readings and track points

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=200), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('weighbridge', 'gps')", name=op.f('ck_devices_purpose_known')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_devices_enterprise_id_enterprises'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_devices_token_hash'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('weigh_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('end_point', sa.String(length=8), nullable=False),
    sa.Column('reading_id', sa.String(length=64), nullable=False),
    sa.Column('gross_t', sa.Float(), nullable=False),
    sa.Column('tare_t', sa.Float(), nullable=False),
    sa.Column('net_t', sa.Float(), nullable=False),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("end_point IN ('dispatch', 'receipt')", name=op.f('ck_weigh_readings_end_known')),
    sa.CheckConstraint('gross_t >= 0 AND tare_t >= 0 AND net_t >= 0',
                       name=op.f('ck_weigh_readings_tonnes_not_negative')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_weigh_readings_device_id_devices'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_weigh_readings_shipment_id_shipments'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weigh_readings')),
    sa.UniqueConstraint('device_id', 'reading_id', name='uq_weigh_readings_device_reading')
    )
    with op.batch_alter_table('weigh_readings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_weigh_readings_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_weigh_readings_shipment_measured', ['shipment_id', 'measured_at'], unique=False)

    op.create_table('track_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('reading_id', sa.String(length=64), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('speed_kmh', sa.Float(), nullable=True),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('lat >= -90 AND lat <= 90 AND lon >= -180 AND lon <= 180',
                       name=op.f('ck_track_points_position_valid')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_track_points_device_id_devices'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_track_points_shipment_id_shipments'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_track_points')),
    sa.UniqueConstraint('device_id', 'reading_id', name='uq_track_points_device_reading')
    )
    with op.batch_alter_table('track_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_track_points_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_track_points_shipment_measured', ['shipment_id', 'measured_at'], unique=False)


def downgrade() -> None:
    for table in ('track_points', 'weigh_readings'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_shipment_measured')
            batch_op.drop_index(batch_op.f(f'ix_{table}_device_id'))
        op.drop_table(table)
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_enterprise_id'))
    op.drop_table('devices')
