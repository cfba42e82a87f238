"""article quality, peer review, discussants: the talk-page rating and structural estimate of
each seminar article; students' reviews of each other's drafts; each talk's discussant

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        'article_quality',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seminar_id', sa.Integer(), nullable=False),
        sa.Column('page_pk', sa.Integer(), nullable=False),
        sa.Column('talk_title', sa.String(length=300), nullable=False),
        sa.Column('talk_last_rev_id', sa.BigInteger(), nullable=True),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rating_start', sa.String(length=20), nullable=True),
        sa.Column('rating_now', sa.String(length=20), nullable=True),
        sa.Column('rating_changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rating_changed_by', sa.String(length=255), nullable=True),
        sa.Column('rating_changes', sa.Text(), nullable=True),
        sa.Column('start_rev_id', sa.BigInteger(), nullable=True),
        sa.Column('now_rev_id', sa.BigInteger(), nullable=True),
        sa.Column('estimate_start', sa.String(length=20), nullable=True),
        sa.Column('estimate_now', sa.String(length=20), nullable=True),
        sa.Column('features_start_json', sa.Text(), nullable=True),
        sa.Column('features_now_json', sa.Text(), nullable=True),
        sa.Column('series', sa.Text(), nullable=True),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['page_pk'], ['page.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('seminar_id', 'page_pk'),
    )
    with op.batch_alter_table('article_quality', schema=None) as batch_op:
        batch_op.create_index('ix_article_quality_seminar_id', ['seminar_id'], unique=False)
    op.create_table(
        'peer_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seminar_id', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('reviewee_id', sa.Integer(), nullable=False),
        sa.Column('due_session_id', sa.Integer(), nullable=True),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('sources_score', sa.Integer(), nullable=True),
        sa.Column('sources_comment', sa.Text(), nullable=False),
        sa.Column('neutrality_score', sa.Integer(), nullable=True),
        sa.Column('neutrality_comment', sa.Text(), nullable=False),
        sa.Column('structure_score', sa.Integer(), nullable=True),
        sa.Column('structure_comment', sa.Text(), nullable=False),
        sa.Column('clarity_score', sa.Integer(), nullable=True),
        sa.Column('clarity_comment', sa.Text(), nullable=False),
        sa.Column('comments', sa.Text(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewer_id'], ['participant.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewee_id'], ['participant.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['due_session_id'], ['seminar_session.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reviewer_id', 'reviewee_id'),
    )
    with op.batch_alter_table('peer_review', schema=None) as batch_op:
        batch_op.create_index('ix_peer_review_seminar_id', ['seminar_id'], unique=False)
        batch_op.create_index('ix_peer_review_reviewer_id', ['reviewer_id'], unique=False)
        batch_op.create_index('ix_peer_review_reviewee_id', ['reviewee_id'], unique=False)
    op.create_table(
        'discussant',
        sa.Column('presenter_id', sa.Integer(), nullable=False),
        sa.Column('discussant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['presenter_id'], ['participant.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['discussant_id'], ['participant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('presenter_id'),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table('discussant')
    with op.batch_alter_table('peer_review', schema=None) as batch_op:
        batch_op.drop_index('ix_peer_review_reviewee_id')
        batch_op.drop_index('ix_peer_review_reviewer_id')
        batch_op.drop_index('ix_peer_review_seminar_id')
    op.drop_table('peer_review')
    with op.batch_alter_table('article_quality', schema=None) as batch_op:
        batch_op.drop_index('ix_article_quality_seminar_id')
    op.drop_table('article_quality')
