"""Count kept form data per client

Revision ID: c8a35efb426d
Revises: cafd89860036
Create Date: 2026-11-28 07:01:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8a35efb426d'
down_revision = 'cafd89860036'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('form_stashes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_form_stashes_client_key'), ['client_key'], unique=False)


def downgrade():
    with op.batch_alter_table('form_stashes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_stashes_client_key'))
        batch_op.drop_column('client_key')
