"""waste streams: a listing's stream and category, and the licence kinds of the construction and household streams

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from catalog.waste_streams import STREAM_KEYS, infer_stream

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

STREAMS_IN = "stream IN (" + ", ".join(f"'{s}'" for s in STREAM_KEYS) + ")"
OLD_KINDS = "kind IN ('hw_comprehensive', 'hw_collection')"
NEW_KINDS = ("kind IN ('hw_comprehensive', 'hw_collection', 'construction_waste_disposal', "
             "'household_waste_service')")


def upgrade() -> None:
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('stream', sa.String(length=16), server_default='industrial', nullable=False))
    # Existing listings: the stream their code names (an HW code is hazardous; none is industrial).
    listings = sa.table('listings', sa.column('id', sa.Integer()), sa.column('waste_code', sa.String()),
                        sa.column('stream', sa.String()))
    conn = op.get_bind()
    codes = [row[0] for row in conn.execute(sa.select(listings.c.waste_code).distinct())]
    for code in codes:
        stream = infer_stream(code)
        if stream != 'industrial':
            conn.execute(listings.update().where(listings.c.waste_code == code).values(stream=stream))
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_listings_stream_known'), STREAMS_IN)

    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_licences_kind_known'), type_='check')
        batch_op.alter_column('kind', existing_type=sa.String(length=20), type_=sa.String(length=32),
                              existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_licences_kind_known'), NEW_KINDS)


def downgrade() -> None:
    # Licences of the new kinds cannot be kept under the old constraint.
    op.execute("DELETE FROM licences WHERE kind NOT IN ('hw_comprehensive', 'hw_collection')")
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_licences_kind_known'), type_='check')
        batch_op.alter_column('kind', existing_type=sa.String(length=32), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_licences_kind_known'), OLD_KINDS)
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_listings_stream_known'), type_='check')
        batch_op.drop_column('stream')
        batch_op.drop_column('category')
