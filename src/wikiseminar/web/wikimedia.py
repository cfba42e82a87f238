"""Sign in with Wikimedia (OAuth 2.0): to sign in, to link the wiki account, or to join.

The session holds, between the redirect and the callback, only the state, the PKCE verifier
and what the sign-in is for; the callback removes them. The access token never reaches it.
"""

from __future__ import annotations

import hmac
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..extensions import db
from ..models import Participant, Role, Seminar, User
from ..models._types import utcnow
from ..services.enrolment import join_seminar, register_and_join
from ..services.linking import LinkError, link_oauth
from ..services.messages import ServiceError
from ..sync.pipeline import client_for
from ..wiki.errors import WikiError
from ..wiki.oauth import (
    OAuthSettings,
    OAuthUnreachable,
    WikimediaIdentity,
    authorization_request,
    fetch_identity,
)
from .messages import translate
from .security import safe_next

bp = Blueprint("wikimedia", __name__)

SESSION_KEY = "wikimedia_oauth"

__all__ = ["bp", "oauth_available", "oauth_settings", "start_oauth"]


def oauth_settings() -> OAuthSettings:
    """The configured OAuth client."""
    return OAuthSettings.from_config(current_app.config)


def oauth_available(seminar: Seminar | None = None) -> bool:
    """OAuth is configured and, for a seminar, its wiki is a Wikimedia wiki."""
    if not oauth_settings().enabled:
        return False
    return seminar is None or seminar.wiki.is_wikimedia


@bp.app_context_processor
def _template_flags() -> dict[str, Any]:
    return {"wikimedia_signin": oauth_available()}


def _callback_url() -> str:
    return url_for("wikimedia.callback", _external=True)


def start_oauth(purpose: dict[str, Any]) -> ResponseReturnValue:
    """Remember state, verifier and purpose, then send the browser to the authorize page."""
    auth = authorization_request(oauth_settings(), _callback_url())
    session[SESSION_KEY] = {"state": auth.state, "verifier": auth.code_verifier, **purpose}
    return redirect(auth.url)


@bp.get("/login")
def login() -> ResponseReturnValue:
    """Sign in with Wikimedia (an account that joined a seminar with Wikimedia, or linked it)."""
    if not oauth_available():
        flash(_("Signing in with Wikimedia is not configured on this server."), "error")
        return redirect(url_for("auth.login"))
    return start_oauth({"purpose": "login", "next": safe_next(url_for("main.index"))})


def _fail(message: str, target: str | None = None) -> ResponseReturnValue:
    flash(message, "error")
    return redirect(target or url_for("main.index"))


@bp.get("/callback")
def callback() -> ResponseReturnValue:
    """Check the state, trade the code for the identity, then do what the sign-in was for."""
    pending = session.pop(SESSION_KEY, None)
    state = request.args.get("state", "")
    if not isinstance(pending, dict) or not state or not hmac.compare_digest(
            state.encode(), str(pending.get("state", "")).encode()):
        return _fail(_("The Wikimedia sign-in could not be completed (expired or forged "
                       "request). Start again."))
    if request.args.get("error") or not request.args.get("code"):
        return _fail(_("The Wikimedia sign-in was cancelled."))
    try:
        identity = fetch_identity(oauth_settings(), _callback_url(), request.args["code"],
                                  str(pending.get("verifier", "")))
    except OAuthUnreachable:
        current_app.logger.warning("Wikimedia OAuth failed", exc_info=True)
        return _fail(_("Wikimedia did not confirm the sign-in. Try again later."))
    except WikiError:
        current_app.logger.warning("Wikimedia OAuth refused the code", exc_info=True)
        # An expired, used or made-up code: the error page, with what to do next.
        return render_template("error.html", code=400, message=_(
            "Wikimedia did not confirm the sign-in (the code is invalid or expired). "
            "Start again.")), 400
    purpose = pending.get("purpose")
    if purpose == "login":
        return _sign_in(identity, str(pending.get("next") or url_for("main.index")))
    if purpose == "link":
        return _link(identity, int(pending.get("participant_id", 0)))
    if purpose == "join":
        return _join(identity, pending)
    return _fail(_("The Wikimedia sign-in could not be completed (expired or forged "
                   "request). Start again."))


def _log_in(user: User) -> None:
    """Start a fresh session for the user (nothing of the previous one survives)."""
    session.clear()
    login_user(user)
    user.last_login_at = utcnow()


def _sign_in(identity: WikimediaIdentity, target: str) -> ResponseReturnValue:
    user = db.session.scalar(sa.select(User).where(User.wikimedia_sub == identity.sub))
    if user is None:
        return _fail(_("No account here is linked to the Wikimedia account %(name)s. Join your "
                       "seminar with its invitation link first.", name=identity.username),
                     url_for("auth.login"))
    _log_in(user)
    user.wikimedia_username = identity.username
    db.session.commit()
    return redirect(target)


def _remember_identity(user: User, identity: WikimediaIdentity) -> None:
    """Let the user sign in with Wikimedia next time, unless another account already does."""
    other = db.session.scalar(sa.select(User).where(User.wikimedia_sub == identity.sub,
                                                    User.id != user.id))
    if other is None:
        user.wikimedia_sub = identity.sub
        user.wikimedia_username = identity.username


def _link(identity: WikimediaIdentity, participant_id: int) -> ResponseReturnValue:
    participant = db.session.get(Participant, participant_id)
    if participant is None or not current_user.is_authenticated \
            or participant.user_id != current_user.id or participant.removed_at is not None:
        return _fail(_("The Wikimedia sign-in could not be completed (expired or forged "
                       "request). Start again."))
    seminar = participant.seminar
    back = url_for("seminars.account", slug=seminar.slug)
    try:
        link_oauth(db.session, participant, identity,
                   client_for(seminar.wiki.api_url, current_app.config))
    except LinkError as exc:
        db.session.rollback()
        return _fail(translate(exc.message), back)
    except WikiError:
        db.session.rollback()
        return _fail(_("The wiki could not be reached. Try again later."), back)
    _remember_identity(current_user, identity)
    name = participant.wiki_username  # a pending claimant may have become its roster line
    db.session.commit()
    flash(_("Your account %(name)s is verified.", name=name), "success")
    return redirect(url_for("seminars.me", slug=seminar.slug))


def _join(identity: WikimediaIdentity, pending: dict[str, Any]) -> ResponseReturnValue:
    """Join after the passcode was accepted: the Wikimedia identity replaces the password."""
    seminar = db.session.get(Seminar, int(pending.get("seminar_id", 0)))
    if seminar is None or not seminar.active:
        return _fail(_("The Wikimedia sign-in could not be completed (expired or forged "
                       "request). Start again."))
    role = Role(pending.get("role", Role.STUDENT.value))
    back = url_for("join.join", token=pending.get("token", ""))
    try:
        user = db.session.scalar(sa.select(User).where(User.wikimedia_sub == identity.sub))
        if user is not None:
            participant = join_seminar(db.session, seminar, role, user)
        else:
            participant = register_and_join(
                db.session, seminar, role, name=str(pending.get("name", "")),
                email=str(pending.get("email", "")), password=None,
                wikimedia_sub=identity.sub, wikimedia_username=identity.username)
            user = participant.user
        link_oauth(db.session, participant, identity,
                   client_for(seminar.wiki.api_url, current_app.config))
    except ServiceError as exc:
        db.session.rollback()
        return _fail(translate(exc.message), back)
    except WikiError:
        db.session.rollback()
        return _fail(_("The wiki could not be reached. Try again later."), back)
    if user is None:  # pragma: no cover - register_and_join always sets it
        return _fail(_("The Wikimedia sign-in could not be completed (expired or forged "
                       "request). Start again."))
    _log_in(user)
    db.session.commit()
    flash(_("Welcome to %(title)s.", title=seminar.title), "success")
    return redirect(url_for("seminars.me", slug=seminar.slug))
