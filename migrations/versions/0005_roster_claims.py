"""roster claims: a joining person's pending claim on a roster line, and how a line was bound

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('identity_method', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_participant_claim_of_id'), ['claim_of_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_participant_claim_of_id_participant'),
                                    'participant', ['claim_of_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_participant_claim_of_id_participant'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_participant_claim_of_id'))
        batch_op.drop_column('identity_method')
        batch_op.drop_column('claim_of_id')
