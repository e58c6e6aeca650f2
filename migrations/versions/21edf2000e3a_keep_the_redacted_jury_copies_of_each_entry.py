"""Keep the redacted jury copies of each round entry

Revision ID: 21edf2000e3a
Revises: 09b3c2635548
Create Date: 2026-11-28 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '21edf2000e3a'
down_revision = '09b3c2635548'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jury_round_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jury_files', sa.JSON(), nullable=True))
    op.execute("UPDATE jury_round_entries SET jury_files = '{}'")
    with op.batch_alter_table('jury_round_entries', schema=None) as batch_op:
        batch_op.alter_column('jury_files', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('jury_round_entries', schema=None) as batch_op:
        batch_op.drop_column('jury_files')
