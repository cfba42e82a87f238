"""Column helpers shared by the models: UTC datetimes that survive SQLite, JSON lists."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

__all__ = ["JSONList", "UTCDateTime", "utcnow"]


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime (the only clock models use)."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Store aware datetimes as UTC and give them back aware, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        """Normalise to UTC; naive values are taken to be UTC already."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class JSONList(TypeDecorator[list[Any]]):
    """A short list kept as JSON text (tags, categories): portable and easy to read back."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: list[Any] | tuple[Any, ...] | None, dialect: sa.Dialect) -> Any:
        """Serialise the list; None stays NULL."""
        return None if value is None else json.dumps(list(value), ensure_ascii=False)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> list[Any] | None:
        """Parse the JSON text back into a list."""
        return None if value is None else json.loads(value)
