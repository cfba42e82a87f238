"""app pages index: find the pages the app asks students to write without reading every page

Every figure leaves out `User:Name/wikiseminar` pages (reports.figures.app_pages) with
`page_pk NOT IN (SELECT id FROM page WHERE namespace = 2 AND title LIKE '%/wikiseminar')`.
Without an index PostgreSQL answers that subquery with a sequential scan of the whole `page`
table, in each of the dashboard's statements: 11 ms each at 120,000 pages (1,000 seminars,
docs/benchmarks.md § 6.3), growing with the wiki. This partial index on exactly that predicate
holds a handful of rows; the subquery becomes an index-only scan of it.

Built CONCURRENTLY on PostgreSQL (outside the migration's transaction), as in 0002.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# The same text as wikiseminar.models.wiki.APP_PAGES_WHERE on the day this was written (a
# migration keeps its own copy: it must not change when the code does).
WHERE = "namespace = 2 AND title LIKE '%/wikiseminar'"


def upgrade() -> None:
    """Apply this migration."""
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.create_index("ix_page_app_pages", "page", ["id"], postgresql_where=sa.text(WHERE),
                            postgresql_concurrently=True, if_not_exists=True)
        return
    op.create_index("ix_page_app_pages", "page", ["id"], sqlite_where=sa.text(WHERE))


def downgrade() -> None:
    """Revert this migration."""
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index("ix_page_app_pages", table_name="page", postgresql_concurrently=True,
                          if_exists=True)
        return
    op.drop_index("ix_page_app_pages", table_name="page")
