"""session tokens bind sessions to more than the user id; ids never reused on SQLite

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:30:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Tables whose ids appear in session cookies or URLs: SQLite must never hand a deleted row's
# id to a new row (without AUTOINCREMENT it reuses the highest id after a delete).
AUTOINCREMENT_TABLES = ('user_account', 'participant', 'seminar_session', 'topic', 'assignment',
                        'rubric_criterion')


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _set_foreign_keys(on: bool) -> None:
    """SQLite: toggle foreign keys (only possible outside a transaction).

    Recreating a table drops the old one; with foreign keys on, that drop would cascade to
    (or null) every row that points at it.
    """
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _recreate(autoincrement: bool, *, drop_token: bool = False) -> None:
    """Copy the tables with (or without) AUTOINCREMENT, foreign keys off meanwhile."""
    _set_foreign_keys(False)
    for table in AUTOINCREMENT_TABLES:
        with op.batch_alter_table(table, recreate='always',
                                  table_kwargs={'sqlite_autoincrement': autoincrement}) as batch:
            if drop_token and table == 'user_account':
                batch.drop_column('session_token')
    problems = op.get_bind().execute(sa.text('PRAGMA foreign_key_check')).fetchall()
    if problems:
        raise RuntimeError(f'foreign keys broken by the table copy: {problems[:5]}')
    _set_foreign_keys(True)


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    users = sa.table('user_account', sa.column('id', sa.Integer),
                     sa.column('session_token', sa.String))
    for (user_id,) in bind.execute(sa.select(users.c.id)).fetchall():
        bind.execute(users.update().where(users.c.id == user_id)
                     .values(session_token=secrets.token_urlsafe(32)))
    if _sqlite():
        _recreate(True)


def downgrade() -> None:
    """Revert this migration."""
    if _sqlite():
        _recreate(False, drop_token=True)
        return
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_token')
