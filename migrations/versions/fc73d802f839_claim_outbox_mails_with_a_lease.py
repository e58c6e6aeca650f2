"""Claim outbox mails with a lease, keep their Message-ID and purge delivered bodies

Revision ID: fc73d802f839
Revises: 0fd4a0a8becc
Create Date: 2026-11-28 06:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import awards.models.base


# revision identifiers, used by Alembic.
revision = 'fc73d802f839'
down_revision = '0fd4a0a8becc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('lease_until', awards.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('purged_at', awards.models.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('message_id')
