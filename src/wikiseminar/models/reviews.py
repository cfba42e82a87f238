"""Peer review of drafts between students, and the discussant of each restitution talk."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import Model
from ._types import UTCDateTime, utcnow
from .seminar import Participant, SeminarSession

__all__ = ["REVIEW_ASPECTS", "Discussant", "PeerReview"]

# The structured form's aspects, in the order shown (each: a score 1–4 and a comment).
REVIEW_ASPECTS = ("sources", "neutrality", "structure", "clarity")


class PeerReview(Model):
    """One student's review of another's draft: assigned by the instructor, then submitted."""

    __tablename__ = "peer_review"
    __table_args__ = (sa.UniqueConstraint("reviewer_id", "reviewee_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    reviewee_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    # The deadline: a calendar session (its date) or a date.
    due_session_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("seminar_session.id", ondelete="SET NULL")
    )
    due_date: so.Mapped[dt.date | None] = so.mapped_column(sa.Date)
    sources_score: so.Mapped[int | None] = so.mapped_column()
    sources_comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    neutrality_score: so.Mapped[int | None] = so.mapped_column()
    neutrality_comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    structure_score: so.Mapped[int | None] = so.mapped_column()
    structure_comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    clarity_score: so.Mapped[int | None] = so.mapped_column()
    clarity_comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    comments: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    submitted_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    reviewer: so.Mapped[Participant] = so.relationship(foreign_keys=[reviewer_id])
    reviewee: so.Mapped[Participant] = so.relationship(foreign_keys=[reviewee_id])
    due_session: so.Mapped[SeminarSession | None] = so.relationship()

    @property
    def due(self) -> dt.date | None:
        """The deadline's day: the session's date when one is chosen, else the date."""
        return self.due_session.date if self.due_session is not None else self.due_date

    @property
    def submitted(self) -> bool:
        """Whether the reviewer has sent the review."""
        return self.submitted_at is not None

    @property
    def mean_score(self) -> float | None:
        """The mean of the aspects' scores (1–4), None before any score."""
        scores = [getattr(self, f"{a}_score") for a in REVIEW_ASPECTS]
        given = [s for s in scores if s is not None]
        return sum(given) / len(given) if given else None


class Discussant(Model):
    """The instructor's choice of discussant for one presenter (else a reviewer by default)."""

    __tablename__ = "discussant"

    presenter_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    discussant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE")
    )
