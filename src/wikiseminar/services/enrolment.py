"""Joining a seminar with its invitation link, and leaving it (softly, or with the data)."""

from __future__ import annotations

import hmac
import secrets

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..models import LoginAttempt, Participant, Role, Seminar, Topic, User
from ..models._types import utcnow
from .accounts import check_password_strength, end_all_sessions, find_user, normalise_email
from .messages import N_, ServiceError

__all__ = [
    "EnrolmentError",
    "delete_participant_data",
    "invitation",
    "join_seminar",
    "passcode_matches",
    "register_and_join",
    "remove_participant",
    "renew_calendar_token",
    "renew_invitation",
    "restore_participant",
    "set_auditor_link",
]


class EnrolmentError(ServiceError):
    """The person cannot join, or the participant cannot be removed."""


def invitation(session: so.Session, token: str) -> tuple[Seminar, Role] | None:
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


def join_seminar(session: so.Session, seminar: Seminar, role: Role, user: User) -> Participant:
    """Make this user a participant; a roster line with their email becomes theirs.

    The roster (the instructor's word) keeps its role; a removed participant cannot come
    back through the link, only the instructor can restore them.
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
        roster.user = user
        return roster
    participant = Participant(seminar=seminar, user=user, name=user.name or user.email,
                              email=user.email, role=role)
    session.add(participant)
    return participant


def register_and_join(session: so.Session, seminar: Seminar, role: Role, *, name: str,
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


def _active_instructors(session: so.Session, seminar: Seminar) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Participant).where(
        Participant.seminar_id == seminar.id, Participant.role == Role.INSTRUCTOR,
        Participant.removed_at.is_(None))) or 0


def remove_participant(session: so.Session, participant: Participant) -> None:
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


def delete_participant_data(session: so.Session, participant: Participant) -> None:
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
