"""Proving an email address by a mailed link, and resetting a password the same way."""

from __future__ import annotations

import datetime as dt

import sqlalchemy.orm as so
from flask_babel import gettext as _

from ..mail import mail_enabled
from ..mail.compose import external_url, recipient_locale, send_templated
from ..models import Seminar, User
from ..models._types import utcnow
from . import enrolment, mailtokens
from .accounts import end_all_sessions, find_user

__all__ = [
    "RESET_LIFETIME",
    "VERIFY_LIFETIME",
    "finish_reset",
    "mark_verified",
    "on_address_verified",
    "request_reset",
    "send_verification",
]

VERIFY_LIFETIME = dt.timedelta(days=7)
RESET_LIFETIME = dt.timedelta(hours=1)
VERIFY, RESET = "verify", "reset"
MAX_RESETS_PER_HOUR = 3


def send_verification(session: so.Session, user: User, seminar: Seminar | None = None,
                      locale: str | None = None) -> int | None:
    """Mail a link proving the account's address (None when the server sends no mail)."""
    if not mail_enabled():
        return None
    raw = mailtokens.issue(session, VERIFY, user.email, user_id=user.id, lifetime=VERIFY_LIFETIME,
                           payload={"seminar_id": seminar.id} if seminar else None)
    return send_templated(
        user.email, "verify", subject=lambda: _("Confirm your email address"), kind="verify",
        locale=recipient_locale(locale or user.locale), name=user.name or user.email,
        url=external_url("mailflows.verify", token=raw), days=VERIFY_LIFETIME.days,
        seminar_title=seminar.title if seminar else None)


def on_address_verified(session: so.Session, user: User) -> int:
    """Hook: bind the person's pending roster claims now that the address is proven.

    Uses issue-trust-identity's `enrolment.confirm_claim(pending, "email")` and
    `enrolment.pending_claims(session, user)` when that branch is merged; returns how many
    claims were confirmed (0 before the merge: joining still binds as it did).
    """
    confirm = getattr(enrolment, "confirm_claim", None)
    pending_claims = getattr(enrolment, "pending_claims", None)
    if confirm is None or pending_claims is None:
        return 0
    claims = list(pending_claims(session, user))
    for pending in claims:
        confirm(pending, "email")
    return len(claims)


def mark_verified(session: so.Session, user: User) -> int:
    """Record the proof of the address and run the hook (not committed)."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return on_address_verified(session, user)


def confirm_address(session: so.Session, raw: str) -> User:
    """Use a verification link once; the account it proves (LinkError otherwise)."""
    token = mailtokens.consume(session, VERIFY, raw)
    user = session.get(User, token.user_id) if token.user_id else None
    if user is None or user.email.lower() != token.email.lower():
        # The address changed since the mail: the link proves nothing about the new one.
        raise mailtokens.LinkError(mailtokens.N_("this link is not valid or was already used"))
    mark_verified(session, user)
    return user


def request_reset(session: so.Session, email: str, locale: str) -> int | None:
    """Mail a reset link if an account has this address; the caller answers the same anyway."""
    if not mail_enabled():
        return None
    user = find_user(session, email)
    if user is None or mailtokens.recent_count(session, RESET, user.id, RESET_LIFETIME) >= \
            MAX_RESETS_PER_HOUR:
        return None  # unknown, or already mailed enough: nobody can flood a mailbox
    raw = mailtokens.issue(session, RESET, user.email, user_id=user.id, lifetime=RESET_LIFETIME)
    return send_templated(
        user.email, "reset", subject=lambda: _("Reset your password"), kind="password_reset",
        locale=recipient_locale(user.locale or locale), name=user.name or user.email,
        url=external_url("mailflows.reset", token=raw))


def finish_reset(session: so.Session, raw: str, password: str) -> User:
    """Set the new password with a reset link (once), end every session, prove the address."""
    token = mailtokens.consume(session, RESET, raw)
    user = session.get(User, token.user_id) if token.user_id else None
    if user is None or user.email.lower() != token.email.lower():
        raise mailtokens.LinkError(mailtokens.N_("this link is not valid or was already used"))
    user.set_password(password)
    end_all_sessions(user)
    mark_verified(session, user)
    return user
