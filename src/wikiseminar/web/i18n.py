"""Language and time zone of each request: French first, English second."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

__all__ = ["LANGUAGES", "select_locale", "select_timezone"]

LANGUAGES = ("fr", "en")


def select_locale() -> str:
    """The switch in the page, then the account's choice, then the browser, then French."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return str(current_user.locale)
    best = request.accept_languages.best_match(LANGUAGES) if request else None
    return best or current_app.config["DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Dates are shown in the install's time zone (the seminar's city)."""
    return str(current_app.config["TIMEZONE"])
