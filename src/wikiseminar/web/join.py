"""Joining a seminar: the invitation link (/join/<token>) plus the passcode given in class."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..extensions import db
from ..models import LoginAttempt, Participant, Role, Seminar, User
from ..models._types import utcnow
from ..services.accounts import AccountError, find_user, normalise_email
from ..services.enrolment import EnrolmentError, invitation, join_seminar, passcode_matches
from ..services.enrolment import register_and_join as register
from ..services.messages import ServiceError
from .messages import form_error, translate
from .wikimedia import oauth_available, start_oauth

bp = Blueprint("join", __name__)

__all__ = ["bp"]


class PasscodeForm(FlaskForm):
    """A signed-in person joins with the passcode alone."""

    passcode = StringField(_l("Passcode"), validators=[DataRequired(), Length(max=64)])


class JoinForm(PasscodeForm):
    """A newcomer: passcode, name, email and a password (or Wikimedia instead of a password)."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password (at least 10 characters)"),
                             validators=[Optional(), Length(max=200)])
    confirm = PasswordField(_l("Password again"), validators=[
        Optional(), EqualTo("password", message=_l("The two passwords differ."))])


def _throttle_key(seminar: Seminar) -> str:
    return f"join:{seminar.id}:ip:{request.remote_addr or '?'}"


def _join_allowed(seminar: Seminar) -> bool:
    """Passcode guesses are limited per address; generous, as a classroom shares one address."""
    window = dt.timedelta(seconds=current_app.config["SECURITY_LOGIN_WINDOW_SECONDS"])
    limit = 4 * int(current_app.config["SECURITY_LOGIN_ATTEMPTS"])
    failures = db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.key == _throttle_key(seminar), LoginAttempt.success.is_(False),
        LoginAttempt.at >= utcnow() - window)) or 0
    return failures < limit


def _passcode_ok(seminar: Seminar, form: PasscodeForm) -> tuple[bool, int]:
    """Check the passcode under the throttle; (ok, HTTP status to answer when not ok)."""
    if not _join_allowed(seminar):
        form.passcode.errors.append(
            _("Too many wrong passcodes. Wait a few minutes before trying again."))
        return False, 429
    if not passcode_matches(seminar, form.passcode.data or ""):
        db.session.add(LoginAttempt(key=_throttle_key(seminar), success=False))
        db.session.commit()
        form.passcode.errors.append(_("Wrong passcode. Ask your instructor for it."))
        return False, 200
    return True, 200


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str) -> ResponseReturnValue:
    """Enrol as student (or auditor, with the auditors' link) after giving the passcode."""
    found = invitation(db.session, token)
    if found is None:
        abort(404)
    seminar, role = found
    home = url_for("seminars.me", slug=seminar.slug)
    if current_user.is_authenticated:
        mine = db.session.scalar(sa.select(Participant).where(
            Participant.seminar_id == seminar.id, Participant.user_id == current_user.id,
            Participant.removed_at.is_(None)))
        if mine is not None:
            if mine.role == Role.INSTRUCTOR:
                return redirect(url_for("seminars.overview", slug=seminar.slug))
            return redirect(home)
        form: PasscodeForm = PasscodeForm()
    else:
        form = JoinForm()
    status = 200
    if form.validate_on_submit():
        ok, status = _passcode_ok(seminar, form)
        if ok:
            done = _enrol(seminar, role, form, token)
            if done is not None:
                return done
    return render_template("join/join.html", seminar=seminar, role=role, form=form,
                           token=token, oauth=oauth_available(seminar)), status


def _enrol(seminar: Seminar, role: Role, form: PasscodeForm, token: str) -> ResponseReturnValue | None:
    """Create the participant (and the account); None when the form must come back."""
    try:
        if current_user.is_authenticated:
            join_seminar(db.session, seminar, role, current_user)
            db.session.commit()
            flash(_("Welcome to %(title)s.", title=seminar.title), "success")
            return redirect(url_for("seminars.me", slug=seminar.slug))
        assert isinstance(form, JoinForm)
        if "with_wikimedia" in request.form and oauth_available(seminar):
            return _enrol_with_wikimedia(seminar, role, form, token)
        if not form.password.data:
            form.password.errors.append(_("Choose a password."))
            return None
        if form.confirm.data != form.password.data:
            form.confirm.errors.append(_("The two passwords differ."))
            return None
        participant = register(db.session, seminar, role, name=form.name.data or "",
                               email=form.email.data or "", password=form.password.data)
    except EnrolmentError as exc:
        db.session.rollback()
        if exc.field:
            form_error(form, exc)
        else:
            flash(translate(exc.message), "error")
        return None
    except ServiceError as exc:
        db.session.rollback()
        form_error(form, exc)
        return None
    user = participant.user
    mailed = user is not None and _ask_address_proof(user, seminar)
    db.session.commit()
    if user is not None:
        session.clear()
        login_user(user)
    flash(_("Welcome to %(title)s.", title=seminar.title), "success")
    if user is not None and mailed:
        flash(_("We sent a link to %(email)s: open it to confirm your address.",
                email=user.email), "info")
    elif user is not None:
        flash(_("This server sends no mail, so your address could not be confirmed: your "
                "instructor can confirm your enrolment."), "warning")
    return redirect(url_for("seminars.me", slug=seminar.slug))


def _ask_address_proof(user: User, seminar: Seminar) -> bool:
    """Mail the newcomer a link proving the address; False when the server sends no mail."""
    from ..services.verification import send_verification

    return send_verification(db.session, user, seminar, locale=str(get_locale())) is not None


def _enrol_with_wikimedia(seminar: Seminar, role: Role, form: JoinForm,
                          token: str) -> ResponseReturnValue | None:
    """Remember who is joining (no password), then let Wikimedia vouch for them."""
    try:
        email = normalise_email(form.email.data or "")
    except AccountError as exc:
        form_error(form, exc)
        return None
    if find_user(db.session, email) is not None:
        form.email.errors.append(_("An account with this email already exists: sign in first."))
        return None
    return start_oauth({"purpose": "join", "seminar_id": seminar.id, "role": role.value,
                        "token": token, "name": form.name.data or "", "email": email})
