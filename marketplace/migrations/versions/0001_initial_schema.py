"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 06:52:21.349551
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_key', sa.String(length=100), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_entity_key'), ['entity_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_entity_type'), ['entity_type'], unique=False)

    op.create_table('ewc_codes',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('chapter', sa.Text(), nullable=False),
    sa.Column('sub_chapter', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('hazardous', sa.Boolean(), nullable=False),
    sa.Column('entry_type', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_ewc_codes'))
    )
    op.create_table('hw_categories',
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_hw_categories'))
    )
    op.create_table('hw_exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition', sa.String(length=10), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('waste', sa.Text(), nullable=False),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=50), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('exempted', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hw_exemptions'))
    )
    with op.batch_alter_table('hw_exemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hw_exemptions_number'), ['number'], unique=False)

    op.create_table('parks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('province', sa.String(length=50), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('hw_max_distance_km', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parks')),
    sa.UniqueConstraint('code', name=op.f('uq_parks_code'))
    )
    op.create_table('enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('industry', sa.String(length=8), nullable=True),
    sa.Column('industry_name', sa.String(length=200), nullable=True),
    sa.Column('province', sa.String(length=50), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.CheckConstraint('lat BETWEEN -90 AND 90', name=op.f('ck_enterprises_lat_range')),
    sa.CheckConstraint('lon BETWEEN -180 AND 180', name=op.f('ck_enterprises_lon_range')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_enterprises_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprises')),
    sa.UniqueConstraint('ref', name=op.f('uq_enterprises_ref'))
    )
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprises_park_id'), ['park_id'], unique=False)

    op.create_table('hw_codes',
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=4), nullable=False),
    sa.Column('industry', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('hazards', sa.JSON(), nullable=False),
    sa.Column('edition', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['category'], ['hw_categories.code'], name=op.f('fk_hw_codes_category_hw_categories')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_hw_codes'))
    )
    with op.batch_alter_table('hw_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hw_codes_category'), ['category'], unique=False)

    op.create_table('licences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('activities', sa.JSON(), nullable=False),
    sa.Column('annual_capacity_t', sa.Float(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('hw_comprehensive', 'hw_collection')", name=op.f('ck_licences_kind_known')),
    sa.CheckConstraint('annual_capacity_t >= 0', name=op.f('ck_licences_capacity_nonnegative')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_licences_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licences')),
    sa.UniqueConstraint('number', name=op.f('uq_licences_number'))
    )
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licences_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('title_zh', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('waste_code', sa.String(length=10), nullable=True),
    sa.Column('ewc_code', sa.String(length=6), nullable=True),
    sa.Column('form', sa.String(length=10), nullable=True),
    sa.Column('quantity_t', sa.Float(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('available_to', sa.Date(), nullable=True),
    sa.Column('price_cny_per_t', sa.Float(), nullable=True),
    sa.Column('current_route', sa.String(length=16), nullable=True),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=True),
    sa.Column('max_distance_km', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('offer', 'need')", name=op.f('ck_listings_kind_known')),
    sa.CheckConstraint("status IN ('active', 'paused', 'closed')", name=op.f('ck_listings_status_known')),
    sa.CheckConstraint('quantity_t > 0', name=op.f('ck_listings_quantity_positive')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_listings_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listings')),
    sa.UniqueConstraint('ref', name=op.f('uq_listings_ref'))
    )
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listings_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_waste_code'), ['waste_code'], unique=False)

    op.create_table('components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('cas', sa.String(length=16), nullable=True),
    sa.Column('fraction', sa.Float(), nullable=False),
    sa.CheckConstraint("role IN ('composition', 'wanted', 'limit')", name=op.f('ck_components_role_known')),
    sa.CheckConstraint('cas IS NOT NULL OR name IS NOT NULL', name=op.f('ck_components_identified')),
    sa.CheckConstraint('fraction >= 0 AND fraction <= 1', name=op.f('ck_components_fraction_range')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_components_listing_id_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_components'))
    )
    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_components_cas'), ['cas'], unique=False)
        batch_op.create_index(batch_op.f('ix_components_listing_id'), ['listing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_components_listing_id'))
        batch_op.drop_index(batch_op.f('ix_components_cas'))

    op.drop_table('components')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listings_waste_code'))
        batch_op.drop_index(batch_op.f('ix_listings_kind'))
        batch_op.drop_index(batch_op.f('ix_listings_enterprise_id'))

    op.drop_table('listings')
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licences_enterprise_id'))

    op.drop_table('licences')
    with op.batch_alter_table('hw_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hw_codes_category'))

    op.drop_table('hw_codes')
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_park_id'))

    op.drop_table('enterprises')
    op.drop_table('parks')
    with op.batch_alter_table('hw_exemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hw_exemptions_number'))

    op.drop_table('hw_exemptions')
    op.drop_table('hw_categories')
    op.drop_table('ewc_codes')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_entity_type'))
        batch_op.drop_index(batch_op.f('ix_audit_events_entity_key'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
