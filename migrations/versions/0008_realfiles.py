"""real files: need ZIP code and media URL, saved import profiles

Revision ID: 0008_realfiles
Revises: 0007_intake
Create Date: 2026-12-01 04:00:00

"""
from alembic import op
import sqlalchemy as sa

import commonground.db_types  # noqa: F401 - custom column types


# revision identifiers, used by Alembic.
revision = '0008_realfiles'
down_revision = '0007_intake'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('created_at', commonground.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', commonground.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_profile')),
    sa.UniqueConstraint('name', name=op.f('uq_import_profile_name'))
    )
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('zip_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('media_url', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_column('media_url')
        batch_op.drop_column('zip_code')

    op.drop_table('import_profile')
