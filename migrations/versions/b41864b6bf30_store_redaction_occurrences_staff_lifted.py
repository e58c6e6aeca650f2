"""Store the single redaction occurrences staff lifted

Revision ID: b41864b6bf30
Revises: 21edf2000e3a
Create Date: 2026-11-28 06:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b41864b6bf30'
down_revision = '21edf2000e3a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jury_round_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lifted_occurrences', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('jury_round_entries', schema=None) as batch_op:
        batch_op.drop_column('lifted_occurrences')
