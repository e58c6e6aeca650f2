"""Add the nominee's answer, consents and access to nominations

Revision ID: 1bb623aebaad
Revises: fc73d802f839
Create Date: 2026-11-28 06:40:00

"""
from alembic import op
import sqlalchemy as sa

import awards.models.base


# revision identifiers, used by Alembic.
revision = '1bb623aebaad'
down_revision = 'fc73d802f839'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('nominations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('nominee_email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'CONFIRMED', 'DECLINED', name='nomineestatus', native_enum=False, length=20), nullable=False),
    sa.Column('notified_at', awards.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('responded_at', awards.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('consent_publish_name', sa.Boolean(), nullable=False),
    sa.Column('consent_publish_text', sa.Boolean(), nullable=False),
    sa.Column('consent_publish_photos', sa.Boolean(), nullable=False),
    sa.Column('nominee_user_id', sa.Integer(), nullable=True),
    sa.Column('access_granted_at', awards.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_nominations_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['nominee_user_id'], ['users.id'], name=op.f('fk_nominations_nominee_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominations')),
    sa.UniqueConstraint('application_id', name=op.f('uq_nominations_application_id'))
    )
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nominations_nominee_user_id'), ['nominee_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominations_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nominations_status'))
        batch_op.drop_index(batch_op.f('ix_nominations_nominee_user_id'))

    op.drop_table('nominations')
