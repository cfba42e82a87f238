"""article quality: the talk-page rating and the structural estimate of each seminar article

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-04 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0004'
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
        sa.Column('talk_checked_at', sa.DateTime(timezone=True), nullable=True),
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


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('article_quality', schema=None) as batch_op:
        batch_op.drop_index('ix_article_quality_seminar_id')
    op.drop_table('article_quality')
