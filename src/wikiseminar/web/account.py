"""Setting a password from a one-time link (invited co-instructors)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..extensions import db
from ..models._types import utcnow
from ..services.accounts import (
    AccountError,
    check_password_strength,
    end_all_sessions,
    read_setup_token,
)
from .messages import form_error, translate

bp = Blueprint("account", __name__)

__all__ = ["bp"]


class SetupForm(FlaskForm):
    """The new password, typed twice."""

    password = PasswordField(_l("New password (at least 10 characters)"),
                             validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str) -> ResponseReturnValue:
    """Choose a password with the link an instructor passed on; the link then stops working."""
    try:
        user = read_setup_token(db.session, current_app.config["SECRET_KEY"], token)
    except AccountError as exc:
        return render_template("account/setup.html", form=None, problem=translate(exc.message)), 404
    form = SetupForm()
    if form.validate_on_submit():
        try:
            check_password_strength(form.password.data or "")
        except AccountError as exc:
            form_error(form, exc, "password")
        else:
            user.set_password(form.password.data or "")
            end_all_sessions(user)  # whoever held a session of this account is signed out
            user.last_login_at = utcnow()
            # The link reached this address by mail (or by the instructor): it is proven.
            from ..services.verification import mark_verified

            mark_verified(db.session, user)
            db.session.commit()
            logout_user()
            session.clear()
            login_user(user)
            flash(_("Your password is set. Welcome!"), "success")
            return redirect(url_for("main.index"))
    return render_template("account/setup.html", form=form, email=user.email, problem=None)
