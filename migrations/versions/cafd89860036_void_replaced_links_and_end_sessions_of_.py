"""Void replaced one-time links and end the sessions of unconfirmed accounts

Revision ID: cafd89860036
Revises: bd5ae949a4b0
Create Date: 2026-11-28 07:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa

import awards.models.base


# revision identifiers, used by Alembic.
revision = 'cafd89860036'
down_revision = 'bd5ae949a4b0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('one_time_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', awards.models.base.UTCDateTime(timezone=True), nullable=True))
    # A password set at registration no longer logs in before the address is confirmed;
    # sessions that registering used to start end now (their cookies stop matching).
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_id', sa.String),
                     sa.column('email_verified_at', sa.DateTime))
    conn = op.get_bind()
    ids = conn.execute(sa.select(users.c.id).where(users.c.email_verified_at.is_(None))).scalars().all()
    for user_id in ids:
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(session_id=secrets.token_urlsafe(24)))


def downgrade():
    with op.batch_alter_table('one_time_tokens', schema=None) as batch_op:
        batch_op.drop_column('voided_at')
