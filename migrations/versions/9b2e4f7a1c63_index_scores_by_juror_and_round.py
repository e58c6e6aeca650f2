"""Index a juror's scores by juror and round together

The juror's progress ("7 von 12 bewertet") on the score sheet, the entry list and the
dashboard counts the juror's final scores of one round; with an index on the juror alone
the database read the juror's scores of every round. The composite index also serves every
lookup by juror alone, so it replaces that index.

Revision ID: 9b2e4f7a1c63
Revises: 5e8f1c3a9d20
Create Date: 2026-11-29 02:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9b2e4f7a1c63'
down_revision = '5e8f1c3a9d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jury_scores', schema=None) as batch_op:
        batch_op.create_index('ix_jury_scores_juror_round', ['juror_id', 'round_id'], unique=False)
        batch_op.drop_index('ix_jury_scores_juror_id')


def downgrade():
    with op.batch_alter_table('jury_scores', schema=None) as batch_op:
        batch_op.create_index('ix_jury_scores_juror_id', ['juror_id'], unique=False)
        batch_op.drop_index('ix_jury_scores_juror_round')
