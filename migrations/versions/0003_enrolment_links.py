"""enrolment links: auditor invitation, calendar feed secret, pending wiki-account claim

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('seminar', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auditor_invite_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_seminar_auditor_invite_token'), ['auditor_invite_token'])
        batch_op.create_unique_constraint(batch_op.f('uq_seminar_calendar_token'), ['calendar_token'])

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_username', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('link_user_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('link_user_id')
        batch_op.drop_column('link_username')

    with op.batch_alter_table('seminar', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_seminar_calendar_token'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_seminar_auditor_invite_token'), type_='unique')
        batch_op.drop_column('calendar_token')
        batch_op.drop_column('auditor_invite_token')
