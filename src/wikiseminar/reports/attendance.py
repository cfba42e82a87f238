"""Attendance figures per participant: sessions attended among those where it was taken."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import Attendance, Participant, Seminar, SeminarSession, SessionKind
from ..models.seminar import Role
from ..scope import counted

__all__ = ["AttendanceFigures", "attendance_figures"]


@dataclass(frozen=True, slots=True)
class AttendanceFigures:
    """`attended` of `taken` sessions (attendance taken and open to the participant's role)."""

    attended: int
    taken: int

    @property
    def rate(self) -> float | None:
        """Share of the sessions attended (None before any attendance was taken)."""
        return self.attended / self.taken if self.taken else None

    def value(self, metric_id: str) -> float | None:
        """A figure by metric id: sessions_attended or attendance_rate."""
        return float(self.attended) if metric_id == "sessions_attended" else self.rate


def attendance_figures(db: DbSession, seminar: Seminar) -> dict[int, AttendanceFigures]:
    """Participant id -> attendance, for every student and auditor of the seminar."""
    taken = db.execute(sa.select(SeminarSession.id, SeminarSession.kind).where(
        SeminarSession.seminar_id == seminar.id,
        SeminarSession.id.in_(sa.select(Attendance.session_id).distinct()))).all()
    all_taken = len(taken)
    open_to_auditors = sum(1 for _, kind in taken if kind != SessionKind.THEMATIC)
    present = dict(db.execute(
        sa.select(Attendance.participant_id, sa.func.count()).join(
            SeminarSession, SeminarSession.id == Attendance.session_id).where(
            SeminarSession.seminar_id == seminar.id, Attendance.present.is_(True),
            Attendance.participant_id.is_not(None)).group_by(Attendance.participant_id)).all())
    people = db.execute(sa.select(Participant.id, Participant.role).where(
        Participant.seminar_id == seminar.id,
        counted())).all()
    return {pid: AttendanceFigures(present.get(pid, 0),
                                   open_to_auditors if role == Role.AUDITOR else all_taken)
            for pid, role in people}
