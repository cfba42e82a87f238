"""Grading: a rubric per seminar, marks per student, and the instructor's final word."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import Model
from ._types import UTCDateTime, utcnow
from .seminar import _enum

__all__ = ["CriterionKind", "FinalGrade", "Mark", "RubricCriterion"]


class CriterionKind(enum.StrEnum):
    """Computed from a metric with thresholds, or marked by hand."""

    COMPUTED = "computed"
    MANUAL = "manual"


class RubricCriterion(Model):
    """One line of a seminar's rubric, with its weight in the suggested grade."""

    __tablename__ = "rubric_criterion"
    __table_args__ = {"sqlite_autoincrement": True}  # ids in URLs are never reused

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int] = so.mapped_column(default=0)
    label: so.Mapped[str] = so.mapped_column(sa.String(200))
    weight: so.Mapped[float] = so.mapped_column(default=1.0)
    kind: so.Mapped[CriterionKind] = so.mapped_column(
        _enum(CriterionKind), default=CriterionKind.MANUAL
    )
    # For computed criteria: a metric id from reports' registry, scored 0 at or below
    # `threshold_low` and full marks at or above `threshold_high`, linearly between.
    metric: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    threshold_low: so.Mapped[float | None] = so.mapped_column()
    threshold_high: so.Mapped[float | None] = so.mapped_column()


class Mark(Model):
    """A hand-given score (0 to 1 of the criterion) for one student on one manual criterion."""

    __tablename__ = "mark"
    __table_args__ = (sa.UniqueConstraint("participant_id", "criterion_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    criterion_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rubric_criterion.id", ondelete="CASCADE"), index=True
    )
    value: so.Mapped[float | None] = so.mapped_column()
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class FinalGrade(Model):
    """The instructor's override of the suggested grade, with a comment."""

    __tablename__ = "final_grade"

    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    grade: so.Mapped[float | None] = so.mapped_column()
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
