"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, login_manager
from ..models import User
from ..models._types import utcnow
from ..services.accounts import end_all_sessions
from .forms import LoginForm
from .i18n import LANGUAGES
from .inputs import MAX_ID
from .security import check_credentials, login_allowed, record_login_attempt, safe_next

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user for Flask-Login: the id and the account's current session token.

    A cookie made before the token changed (sign-out, password change, removal) or naming
    only an id opens nothing.
    """
    ident, _, token = user_id.partition(":")
    if not token or not (ident.isascii() and ident.isdigit()) or int(ident) > MAX_ID:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.session_token \
            or not hmac.compare_digest(token.encode(), user.session_token.encode()):
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Email and password sign-in, throttled after repeated failures."""
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("main.index")))
    form = LoginForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        if not login_allowed(email):
            form.email.errors.append(
                _("Too many failed attempts. Wait a few minutes before trying again."))
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if not check_credentials(user, form.password.data or "") or user is None:
            record_login_attempt(email, success=False)
            form.password.errors.append(_("Unknown email or wrong password."))
            return render_template("auth/login.html", form=form), 200
        record_login_attempt(email, success=True)
        session.clear()
        login_user(user)
        user.last_login_at = utcnow()
        db.session.commit()
        return redirect(safe_next(url_for("main.index")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out everywhere (POST with a CSRF token, so a link elsewhere cannot sign anyone out).

    The account's session token changes, so a copy of the cookie, or a session left open on
    another computer, stops working too.
    """
    if current_user.is_authenticated:
        end_all_sessions(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"))


@bp.get("/lang/<code>")
def set_language(code: str) -> ResponseReturnValue:
    """Switch the interface language, then go back where the user was."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(url_for("main.index")))
