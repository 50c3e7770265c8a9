"""briefing.pdf: a briefing's PDF, made once by a job and stored

Revision ID: 0011_briefing_pdf
Revises: 0010_need_changed
Create Date: 2026-12-01 10:00:00

Issue 14: a briefing's PDF was made by WeasyPrint inside the request that asked for it, on every
request (3-12 s at 100k needs); it is now made once, off the request, when the briefing is made.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_briefing_pdf'
down_revision = '0010_need_changed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('briefing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('briefing', schema=None) as batch_op:
        batch_op.drop_column('pdf')
