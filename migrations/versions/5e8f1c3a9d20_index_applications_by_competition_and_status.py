"""Index applications by competition and status together

The intake list counts a competition's applications in the statuses staff see, and the
draft count, the statistics and the year's readers ask the same; with an index on the
competition alone the database fetched every application row of the competition to check
its status. The composite index answers these counts from the index alone and serves
every lookup by competition, so it replaces the index on the competition.

Revision ID: 5e8f1c3a9d20
Revises: 7d41c2a9e6b3
Create Date: 2026-11-28 21:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e8f1c3a9d20'
down_revision = '7d41c2a9e6b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_competition_status', ['competition_id', 'status'],
                              unique=False)
        batch_op.drop_index('ix_applications_competition_id')


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_competition_id', ['competition_id'], unique=False)
        batch_op.drop_index('ix_applications_competition_status')
