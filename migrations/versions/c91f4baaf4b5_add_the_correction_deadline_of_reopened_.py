"""Add the correction deadline of reopened applications

Revision ID: c91f4baaf4b5
Revises: d7e1befee241
Create Date: 2026-11-26 01:47:44.008448

"""
from alembic import op
import sqlalchemy as sa

import awards.models.base



# revision identifiers, used by Alembic.
revision = 'c91f4baaf4b5'
down_revision = 'd7e1befee241'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('correction_due_at', awards.models.base.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('correction_due_at')

