"""Index a juror's assignments by juror and round together

The juror's progress ("7 von 12 bewertet"), the list of their entries and the dashboard
all ask for one juror's assignments in one round; with an index on the juror alone the
database read every assignment of the juror in every round and filtered. The composite
index also serves every lookup by juror alone, so it replaces that index.

Revision ID: 7d41c2a9e6b3
Revises: 2051ad8d38db
Create Date: 2026-11-28 17:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d41c2a9e6b3'
down_revision = '2051ad8d38db'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jury_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_jury_assignments_juror_round', ['juror_id', 'round_id'], unique=False)
        batch_op.drop_index('ix_jury_assignments_juror_id')


def downgrade():
    with op.batch_alter_table('jury_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_jury_assignments_juror_id', ['juror_id'], unique=False)
        batch_op.drop_index('ix_jury_assignments_juror_round')
