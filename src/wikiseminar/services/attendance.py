"""Taking attendance: one sheet per session with students, auditors and registered guests."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import Attendance, Participant, Role, SeminarSession
from ..models._types import utcnow
from ..reports.sorting import name_key
from ..scope import counted
from .calendar import open_to
from .registrations import attendees

__all__ = ["SheetLine", "attendance_sheet", "record_attendance"]


@dataclass(frozen=True, slots=True)
class SheetLine:
    """One person on the sheet: key p-<participant id> or r-<registration id>."""

    key: str
    name: str
    kind: str  # student | auditor | guest
    detail: str
    present: bool


def attendance_sheet(db: DbSession, item: SeminarSession) -> list[SheetLine]:
    """Students, then auditors (if the session is open to them), then confirmed guests; by name."""
    marks = db.scalars(sa.select(Attendance).where(Attendance.session_id == item.id)).all()
    by_participant = {m.participant_id: m.present for m in marks if m.participant_id}
    by_registration = {m.registration_id: m.present for m in marks if m.registration_id}
    people = db.scalars(sa.select(Participant).where(
        Participant.seminar_id == item.seminar_id, Participant.removed_at.is_(None),
        counted())).all()
    lines = []
    for role in (Role.STUDENT, Role.AUDITOR):
        if not open_to(item, role):
            continue
        for p in sorted((p for p in people if p.role == role), key=lambda p: name_key(p.name)):
            lines.append(SheetLine(f"p-{p.id}", p.name, role.value, "",
                                   by_participant.get(p.id, False)))
    confirmed, _ = attendees(db, item)
    for reg in confirmed:
        lines.append(SheetLine(f"r-{reg.id}", reg.name, "guest", reg.affiliation,
                               by_registration.get(reg.id, False)))
    return lines


def record_attendance(db: DbSession, item: SeminarSession, present: set[str]) -> int:
    """Store present/absent for everyone on the sheet (keys outside it are ignored); flushes.

    Returns how many are present. Taking attendance twice updates the same rows.
    """
    marks = {(m.participant_id, m.registration_id): m for m in db.scalars(
        sa.select(Attendance).where(Attendance.session_id == item.id))}
    count = 0
    for line in attendance_sheet(db, item):
        kind, _, raw = line.key.partition("-")
        ident = int(raw)
        key = (ident, None) if kind == "p" else (None, ident)
        here = line.key in present
        count += here
        mark = marks.get(key)
        if mark is None:
            db.add(Attendance(session_id=item.id, participant_id=key[0], registration_id=key[1],
                              present=here, marked_at=utcnow()))
        elif mark.present != here:
            mark.present, mark.marked_at = here, utcnow()
    db.flush()
    return count
