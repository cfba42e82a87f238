"""Whether the database accepts writes: read-only or full, told apart from other failures."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from ..dbsession import DbSession

__all__ = ["MIN_FREE_BYTES", "classify_write_error", "write_problem"]

# Below this much free disk space next to a SQLite file, the database counts as full.
MIN_FREE_BYTES = 1_000_000

# PostgreSQL SQLSTATE codes: read_only_sql_transaction; disk_full, out_of_memory.
_PG_READ_ONLY = {"25006"}
_PG_FULL = {"53100", "53200"}


def classify_write_error(exc: BaseException) -> str | None:
    """'read-only' or 'full' when a database error means writes are refused, else None."""
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_READ_ONLY:
        return "read-only"
    if sqlstate in _PG_FULL:
        return "full"
    name = str(getattr(orig, "sqlite_errorname", ""))
    message = str(orig).lower()
    if name.startswith("SQLITE_READONLY") or "readonly database" in message:
        return "read-only"
    if name == "SQLITE_FULL" or "database or disk is full" in message:
        return "full"
    return None


def write_problem(session: DbSession) -> str | None:
    """Why the database would refuse a write now ('read-only', 'full'), or None.

    Asked without writing (a probe write would wait behind a running sync's lock): SQLite's
    query_only flag, file permissions, page limit and free disk; PostgreSQL's read-only mode.
    """
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        return _sqlite_problem(session, bind.engine.url.database)
    read_only = session.execute(sa.text("SHOW transaction_read_only")).scalar()
    in_recovery = session.execute(sa.text("SELECT pg_is_in_recovery()")).scalar()
    return "read-only" if read_only == "on" or in_recovery else None


def _sqlite_problem(session: DbSession, database: str | None) -> str | None:
    if session.execute(sa.text("PRAGMA query_only")).scalar():
        return "read-only"
    pages = session.execute(sa.text("PRAGMA page_count")).scalar() or 0
    limit = session.execute(sa.text("PRAGMA max_page_count")).scalar() or 0
    free_pages = session.execute(sa.text("PRAGMA freelist_count")).scalar() or 0
    if limit and pages >= limit and not free_pages:
        return "full"
    if database and database != ":memory:":
        path = Path(database)
        if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            return "read-only"
        if shutil.disk_usage(path.parent).free < MIN_FREE_BYTES:
            return "full"
    return None
