"""Recognise a database that cannot take writes (read-only, full) or cannot be reached.

Such errors are the operator's to fix, not bugs: the CLI prints them as one line and exits
non-zero, and the web can show its error page for them. Pure: looks only at the exception.
"""

from __future__ import annotations

__all__ = ["database_problem"]

# PostgreSQL SQLSTATEs: read-only transaction, disk full, out of memory, connection failures.
_READ_ONLY_STATES = frozenset({"25006"})
_FULL_STATES = frozenset({"53100", "53200", "54000"})


def database_problem(exc: BaseException) -> str | None:
    """One line saying what is wrong with the database, or None if `exc` is something else."""
    if not _is_database_error(exc):
        return None
    orig = getattr(exc, "orig", None) or exc
    state = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    text = detail.lower()
    if state in _READ_ONLY_STATES or "readonly database" in text or "read-only" in text:
        return f"the database is read-only, nothing was written ({detail})"
    if (state in _FULL_STATES or "database or disk is full" in text
            or "no space left" in text or "disk full" in text):
        return f"the database is full, nothing was written ({detail})"
    if (state.startswith("08") or "unable to open database" in text
            or "connection refused" in text or "could not connect" in text):
        return f"the database cannot be reached ({detail})"
    if state == "42P01" or "no such table" in text:
        return f"the database has no tables yet: run `wikiseminar db upgrade` ({detail})"
    return None


def _is_database_error(exc: BaseException) -> bool:
    """Whether the exception comes from SQLAlchemy or a database driver."""
    for kind in type(exc).__mro__:
        module = kind.__module__ or ""
        if module.startswith(("sqlalchemy", "sqlite3", "psycopg")):
            return True
    return False
