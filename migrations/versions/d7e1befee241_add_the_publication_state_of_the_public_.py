"""Add the publication state of the public winners pages

Revision ID: d7e1befee241
Revises: b64536fe6dbd
Create Date: 2026-11-26 00:55:26.117585

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'd7e1befee241'
down_revision = 'b64536fe6dbd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publication_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('schedule', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_state'))
    )
    # The one row, so that the first writers never race to create it. Its schedule is
    # computed by a later migration (aa41c2d9e0f7), once the table has all its columns: a
    # migration must not call today's service code against yesterday's schema.
    op.execute(sa.text("INSERT INTO publication_state (id, version, schedule) "
                       "VALUES (1, 1, '[]')"))


def downgrade():
    op.drop_table('publication_state')
