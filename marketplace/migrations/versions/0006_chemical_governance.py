"""chemical governance: surveys, the key-enterprise roster and its obligations, annual disclosures, EECM
assessments, targets; a park's own EECM indicator tree

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('set_by', sa.String(length=200), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_targets_park_id_parks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets')),
    sa.UniqueConstraint('park_id', 'year', 'key', name='uq_targets_park_year_key')
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_park_id'), ['park_id'], unique=False)

    op.create_table('annual_disclosures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_annual_disclosures_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_disclosures')),
    sa.UniqueConstraint('enterprise_id', 'year', name='uq_annual_disclosures_enterprise_year')
    )
    with op.batch_alter_table('annual_disclosures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_disclosures_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_disclosures_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_disclosures_year'), ['year'], unique=False)

    op.create_table('eecm_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('self_scores', sa.JSON(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('bonus', sa.Float(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scored_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_eecm_assessments_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eecm_assessments')),
    sa.UniqueConstraint('enterprise_id', 'year', name='uq_eecm_assessments_enterprise_year')
    )
    with op.batch_alter_table('eecm_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eecm_assessments_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eecm_assessments_year'), ['year'], unique=False)

    op.create_table('obligations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('done_at', sa.Date(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_obligations_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligations')),
    sa.UniqueConstraint('enterprise_id', 'year', 'code', name='uq_obligations_enterprise_year_code')
    )
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obligations_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_obligations_year'), ['year'], unique=False)

    op.create_table('roster_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('substances', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_roster_entries_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_roster_entries_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entries')),
    sa.UniqueConstraint('enterprise_id', 'year', name='uq_roster_entries_enterprise_year')
    )
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entries_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entries_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entries_year'), ['year'], unique=False)

    op.create_table('survey_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('returned_reasons', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_survey_declarations_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_declarations')),
    sa.UniqueConstraint('enterprise_id', 'year', name='uq_survey_declarations_enterprise_year')
    )
    with op.batch_alter_table('survey_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_declarations_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_declarations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_declarations_year'), ['year'], unique=False)

    op.create_table('survey_substances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('cas', sa.String(length=16), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('substance_key', sa.String(length=64), nullable=True),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('quantity_t', sa.Float(), nullable=False),
    sa.Column('use', sa.String(length=300), nullable=False),
    sa.Column('stock_t', sa.Float(), nullable=True),
    sa.Column('released_t', sa.Float(), nullable=True),
    sa.CheckConstraint('quantity_t >= 0', name=op.f('ck_survey_substances_quantity_not_negative')),
    sa.ForeignKeyConstraint(['declaration_id'], ['survey_declarations.id'], name=op.f('fk_survey_substances_declaration_id_survey_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_substances'))
    )
    with op.batch_alter_table('survey_substances', schema=None) as batch_op:
        batch_op.create_index('ix_survey_substances_cas', ['cas'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_substances_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_substances_substance_key'), ['substance_key'], unique=False)

    with op.batch_alter_table('parks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eecm_tree', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('parks', schema=None) as batch_op:
        batch_op.drop_column('eecm_tree')

    with op.batch_alter_table('survey_substances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_substances_substance_key'))
        batch_op.drop_index(batch_op.f('ix_survey_substances_declaration_id'))
        batch_op.drop_index('ix_survey_substances_cas')

    op.drop_table('survey_substances')
    with op.batch_alter_table('survey_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_declarations_year'))
        batch_op.drop_index(batch_op.f('ix_survey_declarations_status'))
        batch_op.drop_index(batch_op.f('ix_survey_declarations_enterprise_id'))

    op.drop_table('survey_declarations')
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_entries_year'))
        batch_op.drop_index(batch_op.f('ix_roster_entries_park_id'))
        batch_op.drop_index(batch_op.f('ix_roster_entries_enterprise_id'))

    op.drop_table('roster_entries')
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obligations_year'))
        batch_op.drop_index(batch_op.f('ix_obligations_enterprise_id'))

    op.drop_table('obligations')
    with op.batch_alter_table('eecm_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eecm_assessments_year'))
        batch_op.drop_index(batch_op.f('ix_eecm_assessments_enterprise_id'))

    op.drop_table('eecm_assessments')
    with op.batch_alter_table('annual_disclosures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_disclosures_year'))
        batch_op.drop_index(batch_op.f('ix_annual_disclosures_status'))
        batch_op.drop_index(batch_op.f('ix_annual_disclosures_enterprise_id'))

    op.drop_table('annual_disclosures')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_park_id'))

    op.drop_table('targets')
