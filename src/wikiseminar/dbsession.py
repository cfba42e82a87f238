"""The type of the database session the services, reports and commands take.

In the app they get Flask-SQLAlchemy's request-scoped `db.session` (a `scoped_session`, which
proxies every `Session` method); in the sync jobs, tests and benchmarks a plain `Session`.
Both work the same at runtime; this alias says so to the type checker.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import sqlalchemy.orm as so

__all__ = ["DbSession"]

DbSession: TypeAlias = "so.Session | so.scoped_session[Any]"
