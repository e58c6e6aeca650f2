"""Ask how many people a project reaches (optional, step 3 of the form)

Revision ID: 2051ad8d38db
Revises: 3c135b0f5817
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2051ad8d38db'
down_revision = '3c135b0f5817'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: existing applications and drafts simply have no answer.
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('people_reached', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('people_reached')
