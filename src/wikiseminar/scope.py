"""Which rows belong to a seminar: the one definition that sync and reports share."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from .models import Participant, Revision, Role, Seminar

__all__ = ["SYNCED_ROLES", "seminar_revisions", "synced_participants"]

# Instructors are not measured; auditors may write too and are shown apart.
SYNCED_ROLES = (Role.STUDENT, Role.AUDITOR)


def synced_participants(session: so.Session, seminar: Seminar) -> list[Participant]:
    """Students and auditors still enrolled, whose edits the sync fetches."""
    return list(session.scalars(
        sa.select(Participant).where(
            Participant.seminar_id == seminar.id,
            Participant.role.in_(SYNCED_ROLES),
            Participant.removed_at.is_(None),
        ).order_by(Participant.id)
    ))


def seminar_revisions(seminar: Seminar, *, include_removed: bool = True) -> sa.Select[tuple[Revision, Participant]]:
    """(Revision, Participant) pairs: edits by the seminar's participants inside its dates."""
    conditions = [
        Participant.seminar_id == seminar.id,
        Participant.role.in_(SYNCED_ROLES),
        Participant.wiki_user_id.is_not(None),
    ]
    if not include_removed:
        conditions.append(Participant.removed_at.is_(None))
    return (
        sa.select(Revision, Participant)
        .join(Participant, sa.and_(
            Participant.wiki_user_id == Revision.user_id, *conditions))
        .where(
            Revision.wiki_id == seminar.wiki_id,
            Revision.timestamp >= seminar.start_at,
            Revision.timestamp < seminar.end_at,
        )
        .order_by(Revision.timestamp, Revision.rev_id)
    )
