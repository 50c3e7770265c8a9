"""scale: claims by need, open needs by place, the need list newest first

Revision ID: 0009_scale_indexes
Revises: 0009_residents_reports
Create Date: 2026-12-01 06:20:00

Issue 14: a need's claims were found by scanning the claim table (only active claims had an
index on need_id); "open needs near here" over every capability had no index on place; the
need list sorted every matching need by opening time for each page.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_scale_indexes'
down_revision = '0009_residents_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_claim_need_id', 'claim', ['need_id'], unique=False)
    op.create_index('ix_need_place', 'need', ['status', 'latitude', 'longitude'], unique=False)
    op.create_index('ix_need_newest', 'need', ['opened_at', 'id'], unique=False)
    op.create_index(
        'ix_need_status_newest', 'need', ['status', 'capability_code', 'opened_at', 'id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_need_status_newest', table_name='need')
    op.drop_index('ix_need_newest', table_name='need')
    op.drop_index('ix_need_place', table_name='need')
    op.drop_index('ix_claim_need_id', table_name='claim')
