"""Proving an email address by a mailed link, and resetting a password the same way."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from ..dbsession import DbSession
from ..mail import mail_enabled
from ..mail.compose import external_url, recipient_locale, send_templated
from ..models import Participant, Seminar, User
from ..models._types import utcnow
from . import enrolment, mailtokens
from .accounts import end_all_sessions, find_user

__all__ = [
    "RESET_LIFETIME",
    "VERIFY_LIFETIME",
    "finish_reset",
    "mark_verified",
    "on_address_verified",
    "pending_for",
    "request_reset",
    "send_verification",
]

VERIFY_LIFETIME = dt.timedelta(days=7)
RESET_LIFETIME = dt.timedelta(hours=1)
VERIFY, RESET = "verify", "reset"
MAX_RESETS_PER_HOUR = 3


def send_verification(session: DbSession, user: User, seminar: Seminar | None = None,
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


def pending_for(session: DbSession, user: User) -> list[Participant]:
    """The person's pending roster claims whose roster line names this very address."""
    claim_of = getattr(Participant, "claim_of_id", None)  # issue-trust-identity's column
    if claim_of is None:
        return []
    pending = session.scalars(sa.select(Participant).where(
        Participant.user_id == user.id, claim_of.is_not(None),
        Participant.removed_at.is_(None)).order_by(Participant.id))
    result = []
    for claim in pending:
        line = session.get(Participant, claim.claim_of_id)
        if line is not None and (line.email or "").strip().lower() == user.email.lower():
            result.append(claim)
    return result


def on_address_verified(session: DbSession, user: User) -> int:
    """Hook: bind the person's pending roster claims now that the address is proven.

    Confirms each claim whose roster line has this address (`enrolment.confirm_claim`, method
    "email") and returns how many were bound. A line taken meanwhile is skipped: the
    instructor sees the claim still pending.
    """
    bound = 0
    for pending in pending_for(session, user):
        try:
            enrolment.confirm_claim(pending, "email")
        except enrolment.EnrolmentError:
            continue
        bound += 1
    return bound


def mark_verified(session: DbSession, user: User) -> int:
    """Record the proof of the address and run the hook (not committed)."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return on_address_verified(session, user)


def confirm_address(session: DbSession, raw: str) -> User:
    """Use a verification link once; the account it proves (LinkError otherwise)."""
    token = mailtokens.consume(session, VERIFY, raw)
    user = session.get(User, token.user_id) if token.user_id else None
    if user is None or user.email.lower() != token.email.lower():
        # The address changed since the mail: the link proves nothing about the new one.
        raise mailtokens.LinkError(mailtokens.N_("this link is not valid or was already used"))
    mark_verified(session, user)
    return user


def request_reset(session: DbSession, email: str, locale: str) -> int | None:
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


def finish_reset(session: DbSession, raw: str, password: str) -> User:
    """Set the new password with a reset link (once), end every session, prove the address."""
    token = mailtokens.consume(session, RESET, raw)
    user = session.get(User, token.user_id) if token.user_id else None
    if user is None or user.email.lower() != token.email.lower():
        raise mailtokens.LinkError(mailtokens.N_("this link is not valid or was already used"))
    user.set_password(password)
    end_all_sessions(user)
    mark_verified(session, user)
    return user
