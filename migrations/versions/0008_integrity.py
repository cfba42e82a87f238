"""integrity: fetched sources, checked revisions, findings with the instructor's verdict

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-04 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        'integrity_source',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url_hash', sa.String(length=64), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('http_status', sa.Integer(), nullable=True),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('url_hash'),
    )
    op.create_table(
        'integrity_check',
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('sources_compared', sa.Integer(), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('revision_id'),
    )
    op.create_table(
        'integrity_finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seminar_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('source_title', sa.Text(), nullable=False),
        sa.Column('passage', sa.Text(), nullable=False),
        sa.Column('source_passage', sa.Text(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('verdict', sa.String(length=20), nullable=True),
        sa.Column('verdict_note', sa.Text(), nullable=False),
        sa.Column('judged_by_id', sa.Integer(), nullable=True),
        sa.Column('judged_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['judged_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('seminar_id', 'key'),
    )
    with op.batch_alter_table('integrity_finding', schema=None) as batch_op:
        batch_op.create_index('ix_integrity_finding_seminar_id', ['seminar_id'], unique=False)
        batch_op.create_index('ix_integrity_finding_participant_id', ['participant_id'],
                              unique=False)
        batch_op.create_index('ix_integrity_finding_revision_id', ['revision_id'], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table('integrity_finding')
    op.drop_table('integrity_check')
    op.drop_table('integrity_source')
