"""Record when staff reveal the applicants' names to the jury

Revision ID: 0fd4a0a8becc
Revises: aa41c2d9e0f7
Create Date: 2026-11-28 06:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import awards.models.base


# revision identifiers, used by Alembic.
revision = '0fd4a0a8becc'
down_revision = 'aa41c2d9e0f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'jury_reveals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('competition_id', sa.Integer(), nullable=False),
        sa.Column('revealed_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('revealed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'],
                                name=op.f('fk_jury_reveals_competition_id_competitions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['revealed_by_id'], ['users.id'],
                                name=op.f('fk_jury_reveals_revealed_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_reveals')),
        sa.UniqueConstraint('competition_id', name=op.f('uq_jury_reveals_competition_id')),
    )
    with op.batch_alter_table('jury_reveals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_reveals_revealed_by_id'), ['revealed_by_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('jury_reveals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_reveals_revealed_by_id'))
    op.drop_table('jury_reveals')
