"""Jinja filters and globals: local dates, the current language, wiki links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    gettext,
)
from flask_babel import lazy_gettext as _l

from ..models import Role
from .i18n import LANGUAGES
from .messages import translate_wiki_error

__all__ = ["ROLE_LABELS", "fmt_duration", "fmt_number", "fmt_percent", "register_template_helpers"]

ROLE_LABELS = {
    Role.INSTRUCTOR: _l("instructor"),
    Role.STUDENT: _l("student"),
    Role.AUDITOR: _l("auditor"),
}


def fmt_number(value: Any) -> str:
    """A number in the user's locale (decimal comma and narrow spaces in French); None is "—"."""
    return "—" if value is None else format_decimal(value)


def fmt_percent(value: float | None) -> str:
    """A ratio (0.687) as a percentage in the user's locale, one decimal ("68,7 %")."""
    return "—" if value is None else format_percent(value, "#,##0.0 %")


def fmt_duration(seconds: float | None) -> str:
    """A duration in seconds in the user's locale ("0,2 s"), one decimal under a minute."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return gettext("%(n)s s", n=format_decimal(round(seconds, 1), "#,##0.#"))
    return gettext("%(m)s min %(s)s s", m=format_decimal(int(seconds // 60)),
              s=format_decimal(int(seconds % 60)))


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

    app.add_template_filter(fmt_number, "number")
    app.add_template_filter(fmt_percent, "percent")
    app.add_template_filter(fmt_duration, "duration")
    app.add_template_filter(translate_wiki_error, "wiki_error")

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "current_language": str(get_locale() or "fr"),
            "languages": LANGUAGES,
            "current_path": request.full_path.rstrip("?") if request else "/",
            "role_label": lambda role: ROLE_LABELS.get(role, role),
        }
