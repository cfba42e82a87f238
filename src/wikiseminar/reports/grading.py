"""Suggested grades from a seminar's rubric: pure scoring rules, then the gradebook of a seminar.

Rules (docs/reports.md says the same for instructors):
- a *computed* criterion scores 0 at or below `threshold_low`, 1 at or above
  `threshold_high`, linearly between (thresholds are in the metric's unit; ratios are
  fractions, 0.5 = 50 %);
- a *manual* criterion scores the mark the instructor gave (0 to 1, entered on the grade scale);
- a criterion without a value (a mark not given yet, a survival not computed) is left out of
  the mean and the grade is marked incomplete, so it is never silently counted as 0;
- suggested grade = Σ weight × score / Σ weight (over criteria with a value) × scale, rounded
  to the nearest half point (halves up: 13.25 → 13.5, 13.75 → 14);
- the final grade is the one the instructor decided: typed by hand, or the suggestion
  explicitly accepted (then stored as typed); until then it is empty, never pre-filled;
- figures are those up to the seminar's freeze date (`student_figures(until=freeze_at)`):
  edits after it do not move grades. Authorship and survival are stored as of the latest
  sync, not the freeze date (the gradebook says so when a criterion uses them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import CriterionKind, FinalGrade, Mark, Participant, Role, RubricCriterion, Seminar
from ..services.messages import N_
from .attendance import AttendanceFigures, attendance_figures
from .figures import STUDENT_METRICS, StudentFigures, StudentMetric, student_figures

__all__ = [
    "ATTENDANCE_METRICS",
    "AUTHORSHIP_METRICS",
    "GRADING_METRICS",
    "DEFAULT_RUBRIC",
    "GRADE_STEP",
    "Criterion",
    "Gradebook",
    "StudentGrade",
    "add_default_rubric",
    "criterion_score",
    "grade_students",
    "metric_by_id",
    "round_grade",
    "rubric",
    "seminar_gradebook",
    "weighted_mean",
]

GRADE_STEP = Decimal("0.5")
# Metrics stored as of the latest sync whatever the freeze date.
AUTHORSHIP_METRICS = frozenset({"authorship_words", "authorship_share", "survival_now", "survival_7d"})

# Offered when a seminar has no rubric yet (labels are translated where shown).
DEFAULT_RUBRIC: tuple[dict[str, Any], ...] = (
    {"label": N_("Words added"), "kind": CriterionKind.COMPUTED, "metric": "words_added",
     "weight": 3.0, "low": 0.0, "high": 1500.0},
    {"label": N_("References added"), "kind": CriterionKind.COMPUTED, "metric": "references_added",
     "weight": 2.0, "low": 0.0, "high": 10.0},
    {"label": N_("Share of the article"), "kind": CriterionKind.COMPUTED, "metric": "authorship_share",
     "weight": 1.0, "low": 0.0, "high": 0.5},
    {"label": N_("Survival of the text"), "kind": CriterionKind.COMPUTED, "metric": "survival_now",
     "weight": 1.0, "low": 0.5, "high": 0.9},
    {"label": N_("Oral presentation"), "kind": CriterionKind.MANUAL, "weight": 2.0},
    {"label": N_("Quality of sources"), "kind": CriterionKind.MANUAL, "weight": 1.0},
)


# Attendance, counted from the sessions where the instructor took it (reports/attendance.py).
ATTENDANCE_METRICS: tuple[StudentMetric, ...] = (
    StudentMetric("sessions_attended", N_("Sessions attended"),
                  N_("Sessions the student was marked present at.")),
    StudentMetric("attendance_rate", N_("Attendance"),
                  N_("Share of the sessions with attendance taken that the student attended."),
                  kind="ratio"),
)
ATTENDANCE_IDS = frozenset(m.id for m in ATTENDANCE_METRICS)
GRADING_METRICS: tuple[StudentMetric, ...] = STUDENT_METRICS + ATTENDANCE_METRICS


def metric_by_id(metric_id: str | None) -> StudentMetric | None:
    """The registry entry of a metric id (contribution or attendance), None if unknown."""
    return next((m for m in GRADING_METRICS if m.id == metric_id), None)


@dataclass(frozen=True, slots=True)
class Criterion:
    """A rubric line, detached from the database."""

    id: int
    label: str
    weight: float
    kind: CriterionKind
    metric: str | None = None
    low: float | None = None
    high: float | None = None

    @classmethod
    def from_row(cls, row: RubricCriterion) -> Criterion:
        """Copy a RubricCriterion."""
        return cls(row.id, row.label, row.weight, CriterionKind(row.kind), row.metric,
                   row.threshold_low, row.threshold_high)

    @property
    def computed(self) -> bool:
        """Whether the score comes from a metric."""
        return self.kind == CriterionKind.COMPUTED


def criterion_score(value: float | None, low: float | None, high: float | None) -> float | None:
    """0 at or below low, 1 at or above high, linear between; None without a value or thresholds."""
    if value is None or low is None or high is None:
        return None
    if value >= high:
        return 1.0
    if value <= low or high <= low:
        return 0.0
    return (value - low) / (high - low)


def weighted_mean(scored: Sequence[tuple[float, float | None]]) -> tuple[float | None, bool]:
    """(Σ w·s / Σ w over the scored criteria, whether every criterion had a score)."""
    known = [(w, s) for w, s in scored if s is not None and w > 0]
    complete = all(s is not None for w, s in scored if w > 0)
    total = sum(w for w, _ in known)
    if not total:
        return None, complete
    return sum(w * s for w, s in known) / total, complete


def round_grade(value: float, step: Decimal = GRADE_STEP) -> float:
    """Round to the nearest `step` (half a point), halves up, without float surprises."""
    units = (Decimal(repr(value)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(units * step)


@dataclass(slots=True)
class StudentGrade:
    """One student's line of the gradebook."""

    participant_id: int
    name: str
    values: dict[int, float | None] = field(default_factory=dict)  # criterion id -> metric/mark
    scores: dict[int, float | None] = field(default_factory=dict)  # criterion id -> 0..1
    comments: dict[int, str] = field(default_factory=dict)  # manual criterion id -> comment
    mean: float | None = None
    suggested: float | None = None
    complete: bool = False
    override: float | None = None
    comment: str = ""

    @property
    def final(self) -> float | None:
        """The grade the instructor decided (typed or accepted); None until then."""
        return self.override

    @property
    def criteria_missing(self) -> int:
        """Criteria without a value: the suggestion rests on the others only."""
        return sum(1 for s in self.scores.values() if s is None)


def grade_students(criteria: Sequence[Criterion], figures: Sequence[StudentFigures],
                   marks: Mapping[tuple[int, int], tuple[float | None, str]],
                   finals: Mapping[int, tuple[float | None, str]], scale: int,
                   attendance: Mapping[int, AttendanceFigures] | None = None) -> list[StudentGrade]:
    """Score every student on every criterion and suggest a grade (pure: no database)."""
    grades = []
    for f in figures:
        line = StudentGrade(f.participant_id, f.name)
        scored = []
        presence = (attendance or {}).get(f.participant_id)
        for c in criteria:
            if c.computed and c.metric in ATTENDANCE_IDS:
                raw = presence.value(c.metric) if presence else None
                value = None if raw is None else float(raw)
                score = criterion_score(value, c.low, c.high)
            elif c.computed:
                raw = f.value(c.metric) if c.metric and metric_by_id(c.metric) else None
                value = None if raw is None else float(raw)
                score = criterion_score(value, c.low, c.high)
            else:
                value, line.comments[c.id] = marks.get((f.participant_id, c.id), (None, ""))
                score = None if value is None else min(max(value, 0.0), 1.0)
            line.values[c.id], line.scores[c.id] = value, score
            scored.append((c.weight, score))
        line.mean, line.complete = weighted_mean(scored)
        line.suggested = None if line.mean is None else round_grade(line.mean * scale)
        line.override, line.comment = finals.get(f.participant_id, (None, ""))
        grades.append(line)
    return grades


@dataclass(slots=True)
class Gradebook:
    """A seminar's rubric, the figures it was computed from, and every student's grade."""

    seminar: Seminar
    scale: int
    freeze_at: dt.datetime | None
    criteria: list[Criterion]
    figures: list[StudentFigures]
    grades: list[StudentGrade]
    participants: dict[int, Participant]
    data_complete: bool = True  # the figures rest on a finished sync, every revision measured

    @property
    def uses_authorship(self) -> bool:
        """Whether a computed criterion reads authorship figures (not cut at the freeze date)."""
        return any(c.computed and c.metric in AUTHORSHIP_METRICS for c in self.criteria)

    def grade_of(self, participant_id: int) -> StudentGrade | None:
        """The line of one student."""
        return next((g for g in self.grades if g.participant_id == participant_id), None)


def rubric(session: DbSession, seminar: Seminar) -> list[RubricCriterion]:
    """The seminar's criteria in their order."""
    return list(session.scalars(sa.select(RubricCriterion).where(
        RubricCriterion.seminar_id == seminar.id).order_by(RubricCriterion.position, RubricCriterion.id)))


def seminar_gradebook(session: DbSession, seminar: Seminar) -> Gradebook:
    """Grades of the seminar's enrolled students (auditors are not graded), frozen at freeze_at."""
    criteria = [Criterion.from_row(c) for c in rubric(session, seminar)]
    figures = [f for f in student_figures(session, seminar, until=seminar.freeze_at)
               if f.role == Role.STUDENT.value]
    ids = [f.participant_id for f in figures]
    marks = {(m.participant_id, m.criterion_id): (m.value, m.comment or "")
             for m in session.scalars(sa.select(Mark).where(Mark.participant_id.in_(ids)))} if ids else {}
    finals = {g.participant_id: (g.grade, g.comment or "")
              for g in session.scalars(sa.select(FinalGrade).where(FinalGrade.participant_id.in_(ids)))} \
        if ids else {}
    participants = {p.id: p for p in session.scalars(
        sa.select(Participant).where(Participant.id.in_(ids)))} if ids else {}
    presence = attendance_figures(session, seminar) \
        if any(c.metric in ATTENDANCE_IDS for c in criteria) else None
    grades = grade_students(criteria, figures, marks, finals, seminar.grade_scale, presence)
    from .completeness import data_status

    return Gradebook(seminar, seminar.grade_scale, seminar.freeze_at, criteria, figures, grades,
                     participants,
                     data_complete=data_status(session, seminar).complete)


def add_default_rubric(session: DbSession, seminar: Seminar,
                       translate: Any = lambda text: text) -> list[RubricCriterion]:
    """Add the default rubric to a seminar that has none (labels through `translate`)."""
    if rubric(session, seminar):
        return []
    rows = []
    for position, spec in enumerate(DEFAULT_RUBRIC):
        row = RubricCriterion(seminar_id=seminar.id, position=position,
                              label=str(translate(spec["label"])), weight=spec["weight"],
                              kind=spec["kind"], metric=spec.get("metric"),
                              threshold_low=spec.get("low"), threshold_high=spec.get("high"))
        session.add(row)
        rows.append(row)
    session.flush()
    return rows
