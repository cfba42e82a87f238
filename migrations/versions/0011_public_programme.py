"""public programme: public flag, session places and venue address, registrations, attendance

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'  # merged issue-mail (0009 on 0004); the coordinator re-chains
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('seminar', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('publish_topics', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('seminar_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('places', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('registration_closes_at', sa.DateTime(timezone=True),
                                      nullable=True))
    op.create_table(
        'registration',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('affiliation', sa.String(length=300), nullable=False),
        sa.Column('state', sa.Enum('unconfirmed', 'confirmed', 'waiting', 'cancelled',
                                   name='registrationstate', native_enum=False,
                                   create_constraint=True, length=20), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['session_id'], ['seminar_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'),
    )
    op.create_index('ix_registration_session_state', 'registration', ['session_id', 'state'])
    op.create_table(
        'attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('present', sa.Boolean(), nullable=False),
        sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['seminar_session.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'participant_id', name='uq_attendance_participant'),
        sa.UniqueConstraint('session_id', 'registration_id', name='uq_attendance_registration'),
    )
    op.create_index('ix_attendance_session_id', 'attendance', ['session_id'])
    op.create_index('ix_attendance_participant_id', 'attendance', ['participant_id'])


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index('ix_attendance_participant_id', table_name='attendance')
    op.drop_index('ix_attendance_session_id', table_name='attendance')
    op.drop_table('attendance')
    op.drop_index('ix_registration_session_state', table_name='registration')
    op.drop_table('registration')
    with op.batch_alter_table('seminar_session', schema=None) as batch_op:
        batch_op.drop_column('registration_closes_at')
        batch_op.drop_column('places')
        batch_op.drop_column('address')
    with op.batch_alter_table('seminar', schema=None) as batch_op:
        batch_op.drop_column('publish_topics')
        batch_op.drop_column('public')
