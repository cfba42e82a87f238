"""Integrity checks: fetched sources, which revisions were checked, findings and verdicts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import Model
from ._types import UTCDateTime, utcnow

if TYPE_CHECKING:  # resolved by name at runtime, by SQLAlchemy's registry
    from .people import User
    from .seminar import Participant
    from .wiki import Revision

__all__ = ["IntegrityCheck", "IntegrityFinding", "IntegritySource", "Verdict"]


class Verdict:
    """The instructor's judgement of a finding (None: not judged yet)."""

    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    DISCUSS = "discuss"
    ALL = (CONFIRMED, FALSE_POSITIVE, DISCUSS)


class IntegritySource(Model):
    """A cited URL, fetched once: its status when fetched and its extracted text."""

    __tablename__ = "integrity_source"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    url_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    url: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(sa.String(20))
    http_status: so.Mapped[int | None] = so.mapped_column()
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    title: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    text: so.Mapped[str | None] = so.mapped_column(sa.Text)
    error: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    fetched_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class IntegrityCheck(Model):
    """A revision already checked (checks run once per revision and version)."""

    __tablename__ = "integrity_check"

    revision_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("revision.id", ondelete="CASCADE"), primary_key=True)
    version: so.Mapped[int] = so.mapped_column(default=1)
    sources_compared: so.Mapped[int] = so.mapped_column(default=0)
    checked_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class IntegrityFinding(Model):
    """One finding on one student's revision, with the passages to show and the verdict.

    `key` hashes the kind, the normalised passage and the source: the same passage against
    the same source is one finding per seminar, so a verdict (a false positive above all)
    is given once and never asked again. The passages are copied here, so the finding stays
    readable when the source later disappears.
    """

    __tablename__ = "integrity_finding"
    __table_args__ = (sa.UniqueConstraint("seminar_id", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    revision_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("revision.id", ondelete="CASCADE"), index=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    confidence: so.Mapped[float | None] = so.mapped_column()
    source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    source_title: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    passage: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    source_passage: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    detail: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    verdict: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    verdict_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    judged_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    judged_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)

    participant: so.Mapped[Participant] = so.relationship()
    revision: so.Mapped[Revision] = so.relationship()
    judged_by: so.Mapped[User | None] = so.relationship()
