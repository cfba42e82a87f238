"""Inputs the database cannot hold are refused at the door (404/400), never a 500 later."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

__all__ = ["MAX_ID", "BoundedIntConverter", "bounded_int_arg", "register_input_guards"]

# The largest value of a database INTEGER column (PostgreSQL's int4, the type of every id).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in URLs: ids past MAX_ID match no route (404) instead of overflowing a query."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def bounded_int_arg(name: str, default: int | None = None, limit: int = MAX_ID) -> int | None:
    """An integer query argument, or `default` when absent, malformed or out of range."""
    value = request.args.get(name, type=int)
    if value is None or not 0 <= value <= limit:
        return default
    return value


def _has_nul(values: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def register_input_guards(app: Flask) -> None:
    """Bounded ids in routes; NUL characters in the path, query or form give a 400."""
    app.url_map.converters["int"] = BoundedIntConverter

    @app.before_request
    def _refuse_nul_characters() -> None:
        # PostgreSQL refuses NUL in text (a 500 deep inside a view); no form needs one.
        if "\x00" in request.path or _has_nul(request.args):
            abort(400)
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") \
                and _has_nul(request.form):
            abort(400)
