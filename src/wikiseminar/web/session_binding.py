"""Bind each signed-in session to the account's session token, so it can be ended remotely."""

from __future__ import annotations

from typing import Any

from flask import Flask, session
from flask_login import current_user, logout_user, user_logged_in

__all__ = ["register_session_binding"]

_KEY = "_account_token"


def _remember_token(app: Flask, user: Any) -> None:
    """At sign-in, keep the account's current token in the session."""
    session[_KEY] = getattr(user, "session_token", None) or ""


def _check_token() -> None:
    """Sign out a session whose token no longer matches the account's (ended elsewhere)."""
    if current_user.is_authenticated and \
            session.get(_KEY, "") != (current_user.session_token or ""):
        logout_user()
        session.clear()


def register_session_binding(app: Flask) -> None:
    """Connect the sign-in signal and the per-request check."""
    user_logged_in.connect(_remember_token, app)
    app.before_request(_check_token)
