"""Add automatic mail settings, the record of automatic mails and the Infobrief

Revision ID: e17a0c3d5b21
Revises: e17a0c3f5b21
Create Date: 2026-11-28 09:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import awards.models.base


# revision identifiers, used by Alembic.
revision = 'e17a0c3d5b21'
down_revision = 'e17a0c3f5b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_round_opened', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('mail_round_closing', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('mail_round_closing_days', sa.Integer(), nullable=False,
                                      server_default='3'))
        batch_op.add_column(sa.Column('mail_draft_reminder', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('mail_draft_reminder_days', sa.Integer(), nullable=False,
                                      server_default='7'))
        batch_op.add_column(sa.Column('mail_ceremony_invitation', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_unsubscribe', sa.String(length=500), nullable=False,
                                      server_default=''))
    op.create_table(
        'auto_mails_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('competition_id', sa.Integer(), nullable=True),
        sa.Column('created_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'key', name='uq_auto_mails_sent_kind_key'),
    )
    with op.batch_alter_table('auto_mails_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auto_mails_sent_competition_id'), ['competition_id'],
                              unique=False)
    op.create_table(
        'infobrief_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('prize_codes', sa.JSON(), nullable=False),
        sa.Column('regions', sa.JSON(), nullable=False),
        sa.Column('created_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('confirm_hash', sa.String(length=64), nullable=True),
        sa.Column('expires_at', awards.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('confirmed_at', awards.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('unsubscribe_key', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('confirm_hash'),
        sa.UniqueConstraint('unsubscribe_key'),
    )
    with op.batch_alter_table('infobrief_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_infobrief_subscriptions_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_infobrief_subscriptions_expires_at'), ['expires_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_infobrief_subscriptions_confirmed_at'), ['confirmed_at'],
                              unique=False)
    op.create_table(
        'infobrief_issues',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('competition_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('created_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('competition_id', 'kind', name='uq_infobrief_issues_competition_kind'),
    )


def downgrade():
    op.drop_table('infobrief_issues')
    with op.batch_alter_table('infobrief_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_infobrief_subscriptions_confirmed_at'))
        batch_op.drop_index(batch_op.f('ix_infobrief_subscriptions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_infobrief_subscriptions_email'))
    op.drop_table('infobrief_subscriptions')
    with op.batch_alter_table('auto_mails_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auto_mails_sent_competition_id'))
    op.drop_table('auto_mails_sent')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('list_unsubscribe')
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        for name in ('mail_ceremony_invitation', 'mail_draft_reminder_days', 'mail_draft_reminder',
                     'mail_round_closing_days', 'mail_round_closing', 'mail_round_opened'):
            batch_op.drop_column(name)
