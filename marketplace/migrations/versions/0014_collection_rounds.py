"""pooled collection rounds (小微企业危险废物集中收集) and their stops

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('collection_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('collector_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('licence_number', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('vehicles', sa.JSON(), nullable=False),
    sa.Column('total_km', sa.Float(), nullable=False),
    sa.Column('total_hours', sa.Float(), nullable=False),
    sa.Column('vehicles_used', sa.Integer(), nullable=False),
    sa.Column('baseline_km', sa.Float(), nullable=False),
    sa.Column('baseline_hours', sa.Float(), nullable=False),
    sa.Column('baseline_served', sa.Integer(), nullable=False),
    sa.Column('solve_s', sa.Float(), nullable=False),
    sa.Column('unserved', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collector_id'], ['enterprises.id'], name=op.f('fk_collection_rounds_collector_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['listings.id'], name=op.f('fk_collection_rounds_need_id_listings')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_collection_rounds_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_rounds'))
    )
    with op.batch_alter_table('collection_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_rounds_collector_id'), ['collector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_rounds_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_rounds_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_rounds_status'), ['status'], unique=False)

    op.create_table('collection_stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('route', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('vehicle_ref', sa.String(length=40), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('waste_code', sa.String(length=10), nullable=False),
    sa.Column('quantity_t', sa.Float(), nullable=False),
    sa.Column('arrive_min', sa.Float(), nullable=False),
    sa.Column('km_from_previous', sa.Float(), nullable=False),
    sa.Column('load_t', sa.Float(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_collection_stops_match_id_matches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['listings.id'], name=op.f('fk_collection_stops_need_id_listings')),
    sa.ForeignKeyConstraint(['offer_id'], ['listings.id'], name=op.f('fk_collection_stops_offer_id_listings')),
    sa.ForeignKeyConstraint(['producer_id'], ['enterprises.id'], name=op.f('fk_collection_stops_producer_id_enterprises')),
    sa.ForeignKeyConstraint(['round_id'], ['collection_rounds.id'], name=op.f('fk_collection_stops_round_id_collection_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_collection_stops_shipment_id_shipments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_stops'))
    )
    with op.batch_alter_table('collection_stops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_stops_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_stops_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_stops_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_stops_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_stops_shipment_id'), ['shipment_id'], unique=False)


def downgrade() -> None:
    op.drop_table('collection_stops')
    op.drop_table('collection_rounds')
