"""The seminar's public face: registrations to sessions and attendance records."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import Model
from ._types import UTCDateTime, utcnow
from .seminar import SeminarSession, _enum

__all__ = ["Attendance", "Registration", "RegistrationState"]


class RegistrationState(enum.StrEnum):
    """Where a registration stands: waiting for its address, holding a place, queued, or gone."""

    UNCONFIRMED = "unconfirmed"
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class Registration(Model):
    """One person's request for a place in a session (auditor or member of the public)."""

    __tablename__ = "registration"
    __table_args__ = (sa.Index("ix_registration_session_state", "session_id", "state"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar_session.id", ondelete="CASCADE"))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    affiliation: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    state: so.Mapped[RegistrationState] = so.mapped_column(
        _enum(RegistrationState), default=RegistrationState.UNCONFIRMED)
    # Secret of the confirmation and cancellation links (the only way to act on a registration).
    token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    locale: so.Mapped[str] = so.mapped_column(sa.String(10), default="fr")
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Order of the waiting list: the instant the address was confirmed (or the request made).
    queued_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    cancelled_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)

    session: so.Mapped[SeminarSession] = so.relationship()


class Attendance(Model):
    """Who came to a session: a participant (student, auditor) or a registered guest."""

    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "participant_id", name="uq_attendance_participant"),
        sa.UniqueConstraint("session_id", "registration_id", name="uq_attendance_registration"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar_session.id", ondelete="CASCADE"), index=True)
    participant_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    registration_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"))
    present: so.Mapped[bool] = so.mapped_column(default=True)
    marked_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
