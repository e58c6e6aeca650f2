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
    # The one row, with the schedule of the editions already released, so that the first
    # writers never race to create it.
    from awards.services.publication_state import STATE_ID, bump

    bump(op.get_bind())
    assert op.get_bind().execute(sa.text(
        "SELECT count(*) FROM publication_state WHERE id = :id"), {"id": STATE_ID}).scalar() == 1


def downgrade():
    op.drop_table('publication_state')
