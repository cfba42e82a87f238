"""document builds: class PDFs rendered off the request path, and PDF parts kept by content

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:30:00
"""

import sqlalchemy as sa
from alembic import op

from wikiseminar.models._types import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        'rendered_document',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rendered_document')),
    )
    op.create_index(op.f('ix_rendered_document_used_at'), 'rendered_document', ['used_at'])
    op.create_table(
        'document_build',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seminar_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('lang', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('result_key', sa.String(length=64), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=True),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], ondelete='CASCADE',
                                name=op.f('fk_document_build_seminar_id_seminar')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], ondelete='SET NULL',
                                name=op.f('fk_document_build_requested_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_build')),
    )
    op.create_index('ix_document_build_seminar_kind', 'document_build',
                    ['seminar_id', 'kind', 'lang'])


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index('ix_document_build_seminar_kind', table_name='document_build')
    op.drop_table('document_build')
    op.drop_index(op.f('ix_rendered_document_used_at'), table_name='rendered_document')
    op.drop_table('rendered_document')
