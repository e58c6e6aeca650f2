"""Add public texts of winners and press kits

Revision ID: e17a0c3f5b21
Revises: b41864b6bf30
Create Date: 2026-11-28 09:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

from awards.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'e17a0c3f5b21'
down_revision = 'b41864b6bf30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'public_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('photo_credit', sa.String(length=300), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('applicant_comment', sa.Text(), nullable=False),
        sa.Column('proposed_at', UTCDateTime(), nullable=True),
        sa.Column('answered_at', UTCDateTime(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_title', sa.String(length=300), nullable=True),
        sa.Column('approved_text', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_public_texts_answered_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_public_texts_decision_id_decisions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_public_texts_updated_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_texts')),
        sa.UniqueConstraint('decision_id', name=op.f('uq_public_texts_decision_id')),
    )
    with op.batch_alter_table('public_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_texts_answered_by_id'), ['answered_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_texts_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table(
        'press_kits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('competition_id', sa.Integer(), nullable=False),
        sa.Column('headline', sa.String(length=300), nullable=False),
        sa.Column('release_text', sa.Text(), nullable=False),
        sa.Column('press_contact', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_press_kits_competition_id_competitions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_press_kits_updated_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_press_kits')),
        sa.UniqueConstraint('competition_id', name=op.f('uq_press_kits_competition_id')),
    )
    with op.batch_alter_table('press_kits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_kits_updated_by_id'), ['updated_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('press_kits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_kits_updated_by_id'))
    op.drop_table('press_kits')
    with op.batch_alter_table('public_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_texts_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_public_texts_answered_by_id'))
    op.drop_table('public_texts')
