"""Record when the public data last changed (Last-Modified of the open-data API)

Revision ID: aa41c2d9e0f7
Revises: c91f4baaf4b5
Create Date: 2026-11-28 07:00:00

"""
from alembic import op
import sqlalchemy as sa

from awards.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'aa41c2d9e0f7'
down_revision = 'c91f4baaf4b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publication_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_at', UTCDateTime(), nullable=True))
    # The schedule of the editions already released, and the instant of this change.
    from datetime import datetime, timezone

    from awards.services.publication_state import compute_schedule

    bind = op.get_bind()
    table = sa.table('publication_state', sa.column('id', sa.Integer),
                     sa.column('version', sa.Integer), sa.column('schedule', sa.JSON),
                     sa.column('changed_at', UTCDateTime()))
    bind.execute(table.update().where(table.c.id == 1).values(
        version=table.c.version + 1, schedule=compute_schedule(bind),
        changed_at=datetime.now(timezone.utc)))


def downgrade():
    with op.batch_alter_table('publication_state', schema=None) as batch_op:
        batch_op.drop_column('changed_at')
