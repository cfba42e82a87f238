"""Pages reached from mails: forgotten password, reset, address proof, notification settings."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
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
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, Email, Length

from ..extensions import csrf, db
from ..mail import mail_enabled
from ..mail.kinds import (
    INSTRUCTOR_KINDS,
    KIND_LABELS,
    STUDENT_KINDS,
    is_opted_out,
    read_unsubscribe_token,
    set_opt_out,
)
from ..models import User
from ..services import mailtokens, verification
from ..services.accounts import AccountError, check_password_strength
from .account import SetupForm
from .messages import form_error, translate

bp = Blueprint("mailflows", __name__)

__all__ = ["bp"]


class ForgotForm(FlaskForm):
    """The address of the account whose password was forgotten."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


@bp.route("/auth/forgot", methods=["GET", "POST"])
def forgot() -> ResponseReturnValue:
    """Ask for a reset link; the answer is the same whether an account has the address or not."""
    form = ForgotForm()
    if not mail_enabled():
        return render_template("mailflows/forgot.html", form=None)
    if form.validate_on_submit():
        verification.request_reset(db.session, (form.email.data or "").strip(),
                                   str(get_locale() or "fr"))
        db.session.commit()
        flash(_("If an account uses this address, a link to choose a new password is on its "
                "way. It is valid for one hour."), "info")
        return redirect(url_for("mailflows.forgot"))
    return render_template("mailflows/forgot.html", form=form)


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> ResponseReturnValue:
    """Choose a new password with a mailed link (once, within the hour)."""
    try:
        found = mailtokens.peek(db.session, verification.RESET, token)
    except mailtokens.LinkError as exc:
        return render_template("mailflows/reset.html", form=None,
                               problem=translate(exc.message)), 404
    form = SetupForm()
    if form.validate_on_submit():
        try:
            check_password_strength(form.password.data or "")
            user = verification.finish_reset(db.session, token, form.password.data or "")
        except AccountError as exc:
            form_error(form, exc, "password")
        except mailtokens.LinkError as exc:
            db.session.rollback()
            return render_template("mailflows/reset.html", form=None,
                                   problem=translate(exc.message)), 404
        else:
            db.session.commit()
            logout_user()
            session.clear()
            login_user(user)
            flash(_("Your new password is saved; your other sessions are signed out."), "success")
            return redirect(url_for("main.index"))
    return render_template("mailflows/reset.html", form=form, email=found.email, problem=None)


class ConfirmForm(FlaskForm):
    """A button, so that mail scanners that open links do not use them up."""


@bp.route("/auth/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> ResponseReturnValue:
    """Prove an address with the mailed link (a button press uses the link)."""
    try:
        mailtokens.peek(db.session, verification.VERIFY, token)
    except mailtokens.LinkError as exc:
        return render_template("mailflows/verify.html", form=None,
                               problem=translate(exc.message)), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = verification.confirm_address(db.session, token)
        except mailtokens.LinkError as exc:
            db.session.rollback()
            return render_template("mailflows/verify.html", form=None,
                                   problem=translate(exc.message)), 404
        db.session.commit()
        flash(_("Your address %(email)s is confirmed.", email=user.email), "success")
        return redirect(url_for("main.index"))
    return render_template("mailflows/verify.html", form=form, problem=None)


@bp.post("/account/verify/resend")
@login_required
def resend_verification() -> ResponseReturnValue:
    """Send a new verification link to the signed-in account's address."""
    if current_user.email_verified_at is not None:
        flash(_("Your address is already confirmed."), "info")
    elif verification.send_verification(db.session, current_user, locale=str(get_locale())):
        db.session.commit()
        flash(_("A confirmation link is on its way to %(email)s.", email=current_user.email),
              "info")
    else:
        flash(_("This server sends no mail, so your address cannot be confirmed by mail: "
                "ask your instructor to confirm your enrolment."), "warning")
    return redirect(url_for("mailflows.notifications"))


def _kinds_for(user: User) -> tuple[str, ...]:
    """The kinds that concern this person (instructors also get the students' list)."""
    return (*STUDENT_KINDS, *INSTRUCTOR_KINDS) if user.is_instructor else STUDENT_KINDS


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notifications() -> ResponseReturnValue:
    """Turn each kind of notification on or off."""
    kinds = _kinds_for(current_user)

    class PreferencesForm(FlaskForm):
        pass

    for kind in kinds:
        setattr(PreferencesForm, kind, BooleanField(KIND_LABELS[kind]))
    form = PreferencesForm()
    if form.validate_on_submit():
        for kind in kinds:
            set_opt_out(db.session, current_user.id, kind, off=not form[kind].data)
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("mailflows.notifications"))
    if request.method == "GET":
        for kind in kinds:
            form[kind].data = not is_opted_out(db.session, current_user.id, kind)
    return render_template("mailflows/notifications.html", form=form, kinds=kinds,
                           enabled=mail_enabled())


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs without a form of ours
def unsubscribe(token: str) -> ResponseReturnValue:
    """One-click unsubscribe from one kind (GET shows a button, POST turns the kind off)."""
    found = read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, kind = found
    if db.session.get(User, user_id) is None:
        abort(404)
    if request.method == "POST":
        set_opt_out(db.session, user_id, kind, off=True)
        db.session.commit()
        return render_template("mailflows/unsubscribe.html", kind_label=KIND_LABELS[kind],
                               done=True)
    return render_template("mailflows/unsubscribe.html", kind_label=KIND_LABELS[kind],
                           done=False)
