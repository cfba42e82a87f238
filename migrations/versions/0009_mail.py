"""mail: outbox, single-use mailed links, notification opt-outs and sent notifications

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:30:00
"""

import sqlalchemy as sa
from alembic import op

from wikiseminar.models._types import UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
        sa.Column('html_body', sa.Text(), nullable=True),
        sa.Column('headers', sa.Text(), nullable=False),
        sa.Column('inline_images', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=50), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('message_id', sa.String(length=200), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_mail_outbox_status_next', 'mail_outbox', ['status', 'next_attempt_at'])
    op.create_table(
        'mail_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=30), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_mail_token_user_id', 'mail_token', ['user_id'])
    op.create_table(
        'notification_opt_out',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=50), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'kind', name='uq_notification_opt_out'),
    )
    op.create_index('ix_notification_opt_out_user_id', 'notification_opt_out', ['user_id'])
    op.create_table(
        'sent_notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('event_key', sa.String(length=300), nullable=False),
        sa.Column('kind', sa.String(length=50), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.Column('sent_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['outbox_id'], ['mail_outbox.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'event_key', name='uq_sent_notification'),
    )
    op.create_index('ix_sent_notification_user_id', 'sent_notification', ['user_id'])
    op.create_table(
        'mail_digest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('seminar_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=False),
        sa.Column('open_alerts', sa.Text(), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['outbox_id'], ['mail_outbox.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_mail_digest_user_id', 'mail_digest', ['user_id'])
    op.create_index('ix_mail_digest_seminar_id', 'mail_digest', ['seminar_id'])
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_digest_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('last_digest_at')
        batch_op.drop_column('email_verified_at')
    op.drop_index('ix_mail_digest_seminar_id', table_name='mail_digest')
    op.drop_index('ix_mail_digest_user_id', table_name='mail_digest')
    op.drop_table('mail_digest')
    op.drop_index('ix_sent_notification_user_id', table_name='sent_notification')
    op.drop_table('sent_notification')
    op.drop_index('ix_notification_opt_out_user_id', table_name='notification_opt_out')
    op.drop_table('notification_opt_out')
    op.drop_index('ix_mail_token_user_id', table_name='mail_token')
    op.drop_table('mail_token')
    op.drop_index('ix_mail_outbox_status_next', table_name='mail_outbox')
    op.drop_table('mail_outbox')
