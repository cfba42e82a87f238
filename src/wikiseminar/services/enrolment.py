"""Joining a seminar with its invitation link, and leaving it (softly, or with the data)."""

from __future__ import annotations

import hmac
import secrets

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..dbsession import DbSession
from ..models import (
    Assignment,
    FigureSnapshot,
    LoginAttempt,
    Participant,
    Role,
    Seminar,
    Topic,
    User,
)
from ..models._types import utcnow
from .accounts import check_password_strength, end_all_sessions, find_user, normalise_email
from .messages import N_, ServiceError

__all__ = [
    "CLAIM_METHODS",
    "EnrolmentError",
    "confirm_claim",
    "delete_participant_data",
    "invitation",
    "join_seminar",
    "passcode_matches",
    "pending_claims",
    "register_and_join",
    "remove_participant",
    "renew_calendar_token",
    "renew_invitation",
    "restore_participant",
    "set_auditor_link",
]


CLAIM_METHODS = ("wiki", "email", "instructor")


class EnrolmentError(ServiceError):
    """The person cannot join, or the participant cannot be removed."""


def invitation(session: DbSession, token: str) -> tuple[Seminar, Role] | None:
    """The active seminar and role an invitation token enrols into (student or auditor link)."""
    if not token:
        return None
    seminar = session.scalar(sa.select(Seminar).where(sa.or_(
        Seminar.invite_token == token, Seminar.auditor_invite_token == token)))
    if seminar is None or not seminar.active:
        return None
    role = Role.STUDENT if seminar.invite_token == token else Role.AUDITOR
    return seminar, role


def passcode_matches(seminar: Seminar, typed: str) -> bool:
    """Compare the typed passcode in constant time, ignoring case and spaces."""
    expected = (seminar.passcode or "").strip().lower()
    given = "".join(typed.split()).lower()
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def join_seminar(session: DbSession, seminar: Seminar, role: Role, user: User) -> Participant:
    """Make this user a participant; with a roster line's email, a *pending* one.

    Typing an address proves nothing, so a roster line is never bound here: the person gets
    a participant of their own that claims the line (`claim_of`), bound later by
    `confirm_claim` (the line's wiki account linked, a verified email, or the instructor).
    A removed participant cannot come back through the link, only the instructor can
    restore them.
    """
    mine = session.scalar(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, Participant.user_id == user.id))
    if mine is not None:
        if mine.removed_at is not None:
            raise EnrolmentError(N_("you were removed from this seminar: ask the instructor"))
        return mine
    roster = session.scalar(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, Participant.user_id.is_(None),
        sa.func.lower(Participant.email) == user.email.lower()))
    if roster is not None:
        if roster.removed_at is not None:
            raise EnrolmentError(N_("you were removed from this seminar: ask the instructor"))
    participant = Participant(seminar=seminar, user=user, name=user.name or user.email,
                              email=user.email, role=role,
                              claim_of_id=roster.id if roster is not None else None)
    session.add(participant)
    session.flush()
    return participant


def confirm_claim(pending: Participant, method: str) -> Participant:
    """Bind the roster line a pending participant claims to that person (not committed).

    `method` says how it was proven: "wiki" (the line's wiki account linked), "email" (the
    address verified) or "instructor" (merged by hand). The line keeps the instructor's
    name and role; what the person did while pending (a proven wiki account, a topic
    proposal) moves onto it, and the pending participant goes.
    """
    if method not in CLAIM_METHODS:
        raise ValueError(f"unknown claim method {method!r}; expected one of {CLAIM_METHODS}")
    session = so.object_session(pending)
    assert session is not None, "confirm_claim needs a participant attached to a session"
    line = session.get(Participant, pending.claim_of_id) if pending.claim_of_id else None
    if line is None or line.seminar_id != pending.seminar_id:
        raise EnrolmentError(N_("this roster line no longer exists"))
    if line.user_id is not None:
        raise EnrolmentError(N_("this roster line already belongs to an account"))
    if line.removed_at is not None or line.role == Role.INSTRUCTOR:
        raise EnrolmentError(N_("this roster line cannot be claimed"))
    user = pending.user
    if user is None:
        raise EnrolmentError(N_("this claim has no account"))
    if pending.wiki_verified:
        line.wiki_username, line.wiki_user_id = pending.wiki_username, pending.wiki_user_id
        line.wiki_verified, line.wiki_verified_at = True, pending.wiki_verified_at
        line.wiki_verification_method = pending.wiki_verification_method
        line.contribs_synced_until = None
    line.email = line.email or user.email
    line.identity_method = method
    _move_work(session, pending, line)
    session.delete(pending)
    session.flush()
    line.user = user
    session.flush()
    return line


def _move_work(session: DbSession, pending: Participant, line: Participant) -> None:
    """A topic proposal made while pending follows the person onto the roster line."""
    if pending.assignment is not None and line.assignment is None:
        session.execute(sa.update(Assignment).where(Assignment.participant_id == pending.id)
                        .values(participant_id=line.id))
        session.expire(pending, ["assignment"])
        session.expire(line, ["assignment"])
    session.execute(sa.update(Topic).where(Topic.proposed_by_id == pending.id)
                    .values(proposed_by_id=line.id))


def pending_claims(session: DbSession, seminar: Seminar) -> list[Participant]:
    """The seminar's participants still claiming a roster line, oldest first."""
    return list(session.scalars(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, Participant.claim_of_id.is_not(None),
        Participant.removed_at.is_(None)).order_by(Participant.created_at, Participant.id)))


def register_and_join(session: DbSession, seminar: Seminar, role: Role, *, name: str,
                      email: str, password: str | None, wikimedia_sub: str | None = None,
                      wikimedia_username: str | None = None) -> Participant:
    """Create the person's account (password, or Wikimedia identity) and join (not committed)."""
    name = " ".join(name.split())
    if not name:
        raise EnrolmentError(N_("the name is empty"), field="name")
    email = normalise_email(email)
    if find_user(session, email) is not None:
        raise EnrolmentError(N_("an account with this email already exists: sign in first"),
                             field="email")
    if password is None and not wikimedia_sub:
        raise EnrolmentError(N_("choose a password"), field="password")
    user = User(email=email, name=name, wikimedia_sub=wikimedia_sub,
                wikimedia_username=wikimedia_username)
    if password is not None:
        check_password_strength(password)
        user.set_password(password)
    session.add(user)
    session.flush()
    return join_seminar(session, seminar, role, user)


def renew_invitation(seminar: Seminar, passcode: str) -> None:
    """New invitation links and passcode: the old ones stop working at once."""
    seminar.invite_token = secrets.token_urlsafe(12)
    if seminar.auditor_invite_token:
        seminar.auditor_invite_token = secrets.token_urlsafe(12)
    seminar.passcode = passcode


def set_auditor_link(seminar: Seminar, enabled: bool) -> None:
    """Open or close the auditors' invitation link."""
    if enabled and not seminar.auditor_invite_token:
        seminar.auditor_invite_token = secrets.token_urlsafe(12)
    elif not enabled:
        seminar.auditor_invite_token = None


def renew_calendar_token(seminar: Seminar) -> str:
    """A new secret for the calendar subscription URL (the old URL stops working)."""
    seminar.calendar_token = secrets.token_urlsafe(18)
    return seminar.calendar_token


def _active_instructors(session: DbSession, seminar: Seminar) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Participant).where(
        Participant.seminar_id == seminar.id, Participant.role == Role.INSTRUCTOR,
        Participant.removed_at.is_(None))) or 0


def remove_participant(session: DbSession, participant: Participant) -> None:
    """Take someone out of the seminar; their synced data stays for the records."""
    if participant.role == Role.INSTRUCTOR and participant.removed_at is None \
            and _active_instructors(session, participant.seminar) <= 1:
        raise EnrolmentError(N_("a seminar keeps at least one instructor"))
    if participant.removed_at is None:
        participant.removed_at = utcnow()
    if participant.user is not None:
        end_all_sessions(participant.user)


def restore_participant(participant: Participant) -> None:
    """Undo a removal."""
    participant.removed_at = None


def delete_participant_data(session: DbSession, participant: Participant) -> None:
    """Erase a participant and what the app holds about them in this seminar (not committed).

    Goes: the participant row, their assignment and articles, their own topic proposals,
    marks, grade, authorship figures (database cascades), and their sign-in account when it
    has no other seminar. Stays: the wiki's public revisions cached per wiki, which other
    participants' page histories share; they are no longer attributed to this seminar.
    """
    if participant.role == Role.INSTRUCTOR:
        raise EnrolmentError(N_("instructors are removed, not deleted"))
    user = participant.user
    if user is not None:
        end_all_sessions(user)
    # The seminar's figure snapshot holds their name and figures (computed again when needed).
    session.execute(sa.delete(FigureSnapshot).where(
        FigureSnapshot.seminar_id == participant.seminar_id))
    own_topics = list(session.scalars(sa.select(Topic).where(
        Topic.proposed_by_id == participant.id, Topic.in_catalogue.is_(False))))
    session.delete(participant)
    session.flush()
    for topic in own_topics:
        session.delete(topic)
    if user is not None and not user.is_instructor and not user.is_admin:
        others = session.scalar(sa.select(sa.func.count()).select_from(Participant).where(
            Participant.user_id == user.id)) or 0
        if not others:
            session.execute(sa.delete(LoginAttempt).where(
                LoginAttempt.key.startswith(f"email:{user.email.lower()}|", autoescape=True)))
            session.delete(user)
    session.flush()
