"""Add optional English versions of call texts, prize labels and criteria

Revision ID: 3c135b0f5817
Revises: 03f50d75015d
Create Date: 2026-11-28 09:38:41.178690

"""
from alembic import op
import sqlalchemy as sa

import awards.models.base


# revision identifiers, used by Alembic.
revision = '3c135b0f5817'
down_revision = '03f50d75015d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_en', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('motto_en', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('eligibility_en', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('preparation_en', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('contact_en', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('anchors_en', sa.JSON(), nullable=True))

    with op.batch_alter_table('jury_round_criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('anchors_en', sa.JSON(), nullable=True))

    with op.batch_alter_table('prize_categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label_en', sa.String(length=120), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('prize_categories', schema=None) as batch_op:
        batch_op.drop_column('label_en')

    with op.batch_alter_table('jury_round_criteria', schema=None) as batch_op:
        batch_op.drop_column('anchors_en')
        batch_op.drop_column('description_en')
        batch_op.drop_column('name_en')

    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.drop_column('anchors_en')
        batch_op.drop_column('description_en')
        batch_op.drop_column('name_en')

    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.drop_column('contact_en')
        batch_op.drop_column('preparation_en')
        batch_op.drop_column('eligibility_en')
        batch_op.drop_column('description_en')
        batch_op.drop_column('motto_en')
        batch_op.drop_column('title_en')

