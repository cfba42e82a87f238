"""Jinja filters and globals: local dates, the current language, wiki links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_babel import lazy_gettext as _l

from ..models import Role
from .i18n import LANGUAGES

__all__ = ["ROLE_LABELS", "register_template_helpers"]

ROLE_LABELS = {
    Role.INSTRUCTOR: _l("instructor"),
    Role.STUDENT: _l("student"),
    Role.AUDITOR: _l("auditor"),
}


def register_template_helpers(app: Flask) -> None:
    """Filters for dates and numbers in the user's locale, and the language switch data."""

    @app.template_filter("date")
    def _date(value: dt.date | dt.datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return "—"
        if isinstance(value, dt.datetime):
            return format_date(value, fmt)
        return format_date(value, fmt)

    @app.template_filter("datetime")
    def _datetime(value: dt.datetime | None, fmt: str = "medium") -> str:
        return "—" if value is None else format_datetime(value, fmt)

    @app.template_filter("number")
    def _number(value: Any) -> str:
        return "—" if value is None else format_decimal(value)

    @app.template_filter("percent")
    def _percent(value: float | None) -> str:
        return "—" if value is None else format_percent(value, "#,##0.0 %")

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "current_language": str(get_locale() or "fr"),
            "languages": LANGUAGES,
            "current_path": request.full_path.rstrip("?") if request else "/",
            "role_label": lambda role: ROLE_LABELS.get(role, role),
        }
