"""The type of the database session the services, reports and commands take.

In the app they get Flask-SQLAlchemy's request-scoped `db.session` (a `scoped_session`, which
proxies every `Session` method); in the sync jobs, tests and benchmarks a plain `Session`.
Both work the same at runtime; this alias says so to the type checker.
"""

from __future__ import annotations

from typing import Any, TypeAlias, cast

import sqlalchemy as sa
import sqlalchemy.orm as so

__all__ = ["DbSession", "rowcount"]

DbSession: TypeAlias = "so.Session | so.scoped_session[Any]"


def rowcount(result: sa.Result[Any]) -> int:
    """The rows an UPDATE or DELETE run with `session.execute` matched.

    SQLAlchemy types `Session.execute` as returning a `Result`; for those statements it is a
    `CursorResult`, the class that carries `rowcount`.
    """
    return cast("sa.CursorResult[Any]", result).rowcount
