"""need.updated_at, plan_assignment.offered_at and decided_at indexed: the newest changes

Revision ID: 0010_need_changed
Revises: 0009_scale_indexes
Create Date: 2026-12-01 09:50:00

Issue 14: the city's version (planning.queries.city_version) asks for the newest need stamp on
every suggestion, gap report and home page, and the kept open needs (planning.open_needs) read
the needs stamped since their last read; both scanned the need table (40 ms at 100k needs).
The newest offer and decision of any plan are in the same version: they scanned every plan's
assignments (two scans of 8 ms at one plan of 100k needs; a plan is stored every week).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_need_changed'
down_revision = '0009_scale_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_need_updated_at', 'need', ['updated_at'], unique=False)
    op.create_index(
        'ix_plan_assignment_offered_at', 'plan_assignment', ['offered_at'], unique=False
    )
    op.create_index(
        'ix_plan_assignment_decided_at', 'plan_assignment', ['decided_at'], unique=False
    )


def downgrade():
    op.drop_index('ix_plan_assignment_decided_at', table_name='plan_assignment')
    op.drop_index('ix_plan_assignment_offered_at', table_name='plan_assignment')
    op.drop_index('ix_need_updated_at', table_name='need')
