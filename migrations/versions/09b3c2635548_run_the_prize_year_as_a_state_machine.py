"""Run the prize year as a state machine: pre-selection setting, award exceptions, revocation

Revision ID: 09b3c2635548
Revises: c8a35efb426d
Create Date: 2026-11-28 06:50:00.000000

The stored stage "published" is no longer written: whether a year is released or published
follows from its DecisionRelease row and its publication times (awards.services.lifecycle).
Rows stored as "published" become "decided", which the machine then shows as released or
published from those facts, exactly as before. A release is possible only in the jury phase
and leaves the stage "decided"; rows that an older version left contradictory (a call still
"open", "closed" or in the "jury" stage with released decisions) get that stage too, so the
machine shows them released or published — never open for applications.
"""
from alembic import op
import sqlalchemy as sa

import awards.models.base


# revision identifiers, used by Alembic.
revision = '09b3c2635548'
down_revision = 'c8a35efb426d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preselection_during_call', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exception_reason', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('revoked_at', awards.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoke_reason', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_decisions_revoked_by_id'), ['revoked_by_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_decisions_revoked_by_id_users'), 'users',
                                    ['revoked_by_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE competitions SET status = 'decided' WHERE status = 'published'")
    op.execute("UPDATE competitions SET status = 'decided' WHERE status IN ('open', 'closed', "
               "'jury') AND id IN (SELECT competition_id FROM decision_releases)")


def downgrade():
    # Years the machine shows as published get their old stored stage back.
    op.execute(
        "UPDATE competitions SET status = 'published' WHERE status = 'decided' AND "
        "(published_at IS NOT NULL OR publish_at IS NOT NULL) AND id IN "
        "(SELECT competition_id FROM decision_releases)")
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_decisions_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_decisions_revoked_by_id'))
        batch_op.drop_column('revoke_reason')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('exception_reason')
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.drop_column('preselection_during_call')
