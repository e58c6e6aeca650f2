"""Add requests for missing documents and their answers

Revision ID: bd5ae949a4b0
Revises: 1bb623aebaad
Create Date: 2026-11-28 06:40:00

"""
from alembic import op
import sqlalchemy as sa

import awards.models.base


# revision identifiers, used by Alembic.
revision = 'bd5ae949a4b0'
down_revision = '1bb623aebaad'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('due_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=False),
    sa.Column('answer_saved_at', awards.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', awards.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', awards.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_document_requests_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_document_requests_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_document_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_requests'))
    )
    with op.batch_alter_table('document_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_requests_answered_at'), ['answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_requests_answered_by_id'), ['answered_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_requests_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_requests_requested_by_id'), ['requested_by_id'], unique=False)

    op.create_table('document_request_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_document_request_files_attachment_id_attachments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['document_requests.id'], name=op.f('fk_document_request_files_request_id_document_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_request_files')),
    sa.UniqueConstraint('attachment_id', name=op.f('uq_document_request_files_attachment_id'))
    )
    with op.batch_alter_table('document_request_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_request_files_request_id'), ['request_id'], unique=False)


def downgrade():
    with op.batch_alter_table('document_request_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_request_files_request_id'))

    op.drop_table('document_request_files')
    with op.batch_alter_table('document_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_requests_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_document_requests_application_id'))
        batch_op.drop_index(batch_op.f('ix_document_requests_answered_by_id'))
        batch_op.drop_index(batch_op.f('ix_document_requests_answered_at'))

    op.drop_table('document_requests')
