"""query indexes: what the sync, /healthz, the admin view and title lookups need at scale

Measured with `bench/scale.py explain` on PostgreSQL 15 holding 1,000 seminars (40 students,
10,000 revisions each: 11 M revisions, 500,000 sync runs); see docs/benchmarks.md § 6:

- revision (wiki_id, first_seen_at): the revisions a sync just stored (measure's
  `changed_since`), 1,166 ms sequential scan -> an index range scan;
- sync_run (status, finished_at): /healthz's last successful sync, 79 ms -> index;
- sync_run (started_at): the admin view's latest runs, 228 ms -> index;
- page (wiki_id, namespace, title): assigned articles found by title, 22 ms -> index.

On PostgreSQL the indexes are built CONCURRENTLY (outside the migration's transaction), so a
department's database keeps serving reads and writes while they are built.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:30:00
"""

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_revision_wiki_first_seen", "revision", ["wiki_id", "first_seen_at"]),
    ("ix_sync_run_status_finished", "sync_run", ["status", "finished_at"]),
    ("ix_sync_run_started", "sync_run", ["started_at"]),
    ("ix_page_wiki_ns_title", "page", ["wiki_id", "namespace", "title"]),
)


def upgrade() -> None:
    """Apply this migration."""
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, table, columns in INDEXES:
                op.create_index(name, table, columns, postgresql_concurrently=True,
                                if_not_exists=True)
        return
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    """Revert this migration."""
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, table, _ in reversed(INDEXES):
                op.drop_index(name, table_name=table, postgresql_concurrently=True,
                              if_exists=True)
        return
    for name, table, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
