"""Record the attendance and notes of the jury meeting

Revision ID: 03f50d75015d
Revises: e17a0c3d5b21
Create Date: 2026-11-28 09:30:36.251150

"""
from alembic import op
import sqlalchemy as sa

import awards.models.base


# revision identifiers, used by Alembic.
revision = '03f50d75015d'
down_revision = 'e17a0c3d5b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jury_meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('juror_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_jury_meeting_attendance_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['juror_id'], ['users.id'], name=op.f('fk_jury_meeting_attendance_juror_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_jury_meeting_attendance_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_meeting_attendance')),
    sa.UniqueConstraint('competition_id', 'juror_id', name='uq_jury_meeting_attendance_competition_juror')
    )
    with op.batch_alter_table('jury_meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_meeting_attendance_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_meeting_attendance_juror_id'), ['juror_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_meeting_attendance_recorded_by_id'), ['recorded_by_id'], unique=False)

    op.create_table('jury_meeting_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_jury_meeting_notes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_jury_meeting_notes_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_jury_meeting_notes_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_meeting_notes')),
    sa.UniqueConstraint('application_id', name=op.f('uq_jury_meeting_notes_application_id'))
    )
    with op.batch_alter_table('jury_meeting_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_meeting_notes_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_meeting_notes_updated_by_id'), ['updated_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('jury_meeting_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_meeting_notes_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_jury_meeting_notes_competition_id'))

    op.drop_table('jury_meeting_notes')
    with op.batch_alter_table('jury_meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_meeting_attendance_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_jury_meeting_attendance_juror_id'))
        batch_op.drop_index(batch_op.f('ix_jury_meeting_attendance_competition_id'))

    op.drop_table('jury_meeting_attendance')
