"""jobs: the job record table (kind, status, progress, outcome, lease)

Revision ID: 0009_jobs_records
Revises: 0009_notify_delivery
Create Date: 2026-12-01 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import commonground.db_types  # noqa: F401 - custom column types


# revision identifiers, used by Alembic.
revision = '0009_jobs_records'
down_revision = '0009_notify_delivery'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('result_ref', sa.String(length=80), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_by_label', sa.String(length=160), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_token', sa.String(length=40), nullable=True),
    sa.Column('lease_expires_at', commonground.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', commonground.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', commonground.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', commonground.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', commonground.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_job_started_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_status_lease', ['status', 'lease_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_started_by_id'), ['started_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_started_by_id'))
        batch_op.drop_index(batch_op.f('ix_job_kind'))
        batch_op.drop_index('ix_job_status_lease')

    op.drop_table('job')
