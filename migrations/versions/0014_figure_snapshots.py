"""figure snapshots: each seminar's dashboard figures and timeline kept per data version

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 00:30:00
"""

import sqlalchemy as sa
from alembic import op

from wikiseminar.models._types import UTCDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        'figure_snapshot',
        sa.Column('seminar_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.Column('computed_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], ondelete='CASCADE',
                                name=op.f('fk_figure_snapshot_seminar_id_seminar')),
        sa.PrimaryKeyConstraint('seminar_id', name=op.f('pk_figure_snapshot')),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table('figure_snapshot')
