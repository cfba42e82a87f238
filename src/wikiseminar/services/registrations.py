"""Registrations to sessions within the places available, with an ordered waiting list.

Every change that can give or take a place first locks the session's row (an UPDATE that
changes nothing): PostgreSQL then serialises the transactions on that row and SQLite takes
its write lock, so two people asking for the last place never both get it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..dbsession import DbSession, rowcount
from ..models import Registration, RegistrationState, Seminar, SeminarSession
from ..models._types import utcnow
from ..reports.sorting import name_key

__all__ = [
    "Outcome",
    "RegistrationError",
    "attendees",
    "cancel",
    "closes_at",
    "confirm",
    "fill_places",
    "mail_enabled",
    "places_left",
    "register",
    "registration_counts",
    "registration_open",
    "session_start",
]


class RegistrationError(Exception):
    """A registration that cannot be made (closed, no places, unknown session)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a registration request did: the row it concerns and whether it is new."""

    registration: Registration
    new: bool


def mail_enabled() -> bool:
    """Whether mail is configured (the mail module of issue-mail)."""
    from .. import mail

    return bool(mail.mail_enabled())


def session_start(item: SeminarSession) -> dt.datetime:
    """The session's start in UTC (midnight of its day when it has no start time)."""
    zone = ZoneInfo(item.seminar.timezone)
    return dt.datetime.combine(item.date, item.start_time or dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def closes_at(item: SeminarSession) -> dt.datetime:
    """When registration closes: the instructor's time, else the session's start."""
    return item.registration_closes_at or session_start(item)


def registration_open(item: SeminarSession, now: dt.datetime | None = None) -> bool:
    """Public seminar, places set, and before the closing time."""
    return bool(item.seminar.public and item.places and item.places > 0
                and (now or utcnow()) < closes_at(item))


def _count(db: DbSession, session_id: int, state: RegistrationState) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.session_id == session_id, Registration.state == state)) or 0


def places_left(db: DbSession, item: SeminarSession) -> int:
    """Places not yet held by a confirmed registration."""
    return max((item.places or 0) - _count(db, item.id, RegistrationState.CONFIRMED), 0)


def _lock(db: DbSession, session_id: int) -> SeminarSession:
    """Take the session's row lock for the rest of the transaction; the session, fresh."""
    done = db.execute(sa.update(SeminarSession).where(SeminarSession.id == session_id)
                      .values(places=SeminarSession.places)
                      .execution_options(synchronize_session=False))
    if not rowcount(done):
        raise RegistrationError("unknown session")
    item = db.get(SeminarSession, session_id, populate_existing=True)
    assert item is not None
    return item


def _place(db: DbSession, item: SeminarSession, reg: Registration) -> None:
    """Give `reg` a place if one is free, else queue it."""
    reg.queued_at = utcnow()
    free = _count(db, item.id, RegistrationState.CONFIRMED) < (item.places or 0)
    reg.state = RegistrationState.CONFIRMED if free else RegistrationState.WAITING
    db.flush()


def register(db: DbSession, session_id: int, *, name: str, email: str, affiliation: str = "",
             locale: str = "fr", with_mail: bool = False,
             now: dt.datetime | None = None) -> Outcome:
    """Ask for a place; commits.

    With mail the request waits for its address to be confirmed, and an address already
    registered gets its existing registration back (the caller mails it its links); without
    mail the place is given or queued at once (addresses are not verified, so each request
    stands on its own).
    """
    item = _lock(db, session_id)
    if not registration_open(item, now):
        db.rollback()
        raise RegistrationError("registration is closed")
    address = email.strip().lower()
    if with_mail:
        existing = db.scalar(sa.select(Registration).where(
            Registration.session_id == item.id, Registration.email == address,
            Registration.state != RegistrationState.CANCELLED).order_by(Registration.id))
        if existing is not None:
            db.commit()
            return Outcome(existing, False)
    reg = Registration(session=item, name=name.strip(), email=address,
                       affiliation=affiliation.strip(), locale=locale,
                       token=secrets.token_urlsafe(32), state=RegistrationState.UNCONFIRMED)
    db.add(reg)
    db.flush()
    if not with_mail:
        _place(db, item, reg)
    db.commit()
    return Outcome(reg, True)


def _by_token(db: DbSession, token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.scalar(sa.select(Registration).where(Registration.token == token))


def confirm(db: DbSession, token: str) -> Registration | None:
    """The address is confirmed: give a place or queue (once); commits. None: unknown link."""
    reg = _by_token(db, token)
    if reg is None:
        return None
    item = _lock(db, reg.session_id)
    db.refresh(reg)
    if reg.state == RegistrationState.UNCONFIRMED:
        _place(db, item, reg)
    db.commit()
    return reg


def fill_places(db: DbSession, item: SeminarSession) -> list[Registration]:
    """Move the waiting list up, in order, into the free places; the promoted (flushed)."""
    free = places_left(db, item)
    if free <= 0:
        return []
    waiting = db.scalars(sa.select(Registration).where(
        Registration.session_id == item.id, Registration.state == RegistrationState.WAITING)
        .order_by(Registration.queued_at, Registration.id).limit(free)).all()
    for reg in waiting:
        reg.state = RegistrationState.CONFIRMED
    db.flush()
    return list(waiting)


def cancel(db: DbSession, token: str) -> tuple[Registration | None, list[Registration]]:
    """Cancel by link; the first on the waiting list takes the freed place. Commits."""
    reg = _by_token(db, token)
    if reg is None:
        return None, []
    item = _lock(db, reg.session_id)
    db.refresh(reg)
    promoted: list[Registration] = []
    if reg.state != RegistrationState.CANCELLED:
        reg.state = RegistrationState.CANCELLED
        reg.cancelled_at = utcnow()
        db.flush()
        promoted = fill_places(db, item)
    db.commit()
    return reg, promoted


def attendees(db: DbSession, item: SeminarSession
              ) -> tuple[list[Registration], list[Registration]]:
    """(confirmed sorted by name, waiting list in its order) for the venue."""
    rows = db.scalars(sa.select(Registration).where(
        Registration.session_id == item.id,
        Registration.state.in_([RegistrationState.CONFIRMED, RegistrationState.WAITING]))).all()
    confirmed = sorted((r for r in rows if r.state == RegistrationState.CONFIRMED),
                       key=lambda r: name_key(r.name))
    waiting = sorted((r for r in rows if r.state == RegistrationState.WAITING),
                     key=lambda r: (r.queued_at or r.created_at, r.id))
    return confirmed, waiting


def registration_counts(db: DbSession, seminar: Seminar) -> dict[int, tuple[int, int]]:
    """Session id -> (confirmed, waiting) for the seminar's sessions that have registrations."""
    rows = db.execute(sa.select(Registration.session_id, Registration.state, sa.func.count())
                      .join(SeminarSession, SeminarSession.id == Registration.session_id)
                      .where(SeminarSession.seminar_id == seminar.id,
                             Registration.state.in_([RegistrationState.CONFIRMED,
                                                     RegistrationState.WAITING]))
                      .group_by(Registration.session_id, Registration.state)).all()
    counts: dict[int, tuple[int, int]] = {}
    for session_id, state, number in rows:
        confirmed, waiting = counts.get(session_id, (0, 0))
        counts[session_id] = ((number, waiting) if state == RegistrationState.CONFIRMED
                              else (confirmed, number))
    return counts
