"""residents' reports: triage state, public capabilities, partner name consent, photos, app keys

Revision ID: 0009_residents_reports
Revises: 0009_jobs_records
Create Date: 2026-12-01 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import commonground.db_types  # noqa: F401 - custom column types


# revision identifiers, used by Alembic.
revision = '0009_residents_reports'
down_revision = '0009_jobs_records'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('capability', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_public', sa.Boolean(), server_default=sa.text('true'), nullable=False))
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_name_publicly', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=20), nullable=True))
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter_notices', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.create_table('photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('thumb_key', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('created_at', commonground.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_photo_claim_id_claim'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_photo_need_id_need'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo')),
    sa.UniqueConstraint('key', name=op.f('uq_photo_key')),
    sa.UniqueConstraint('thumb_key', name=op.f('uq_photo_thumb_key'))
    )
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_need_id'), ['need_id'], unique=False)


def downgrade():
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_need_id'))
    op.drop_table('photo')
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_column('reporter_notices')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('scope')
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('show_name_publicly')
    with op.batch_alter_table('capability', schema=None) as batch_op:
        batch_op.drop_column('is_public')
