"""Which rows belong to a seminar: the one definition that sync and reports share."""

from __future__ import annotations

import sqlalchemy as sa

from .dbsession import DbSession
from .models import Participant, Revision, Role, Seminar

__all__ = ["SYNCED_ROLES", "counted", "seminar_revisions", "synced_participants"]

# Instructors are not measured; auditors may write too and are shown apart.
SYNCED_ROLES = (Role.STUDENT, Role.AUDITOR)


def counted(*roles: Role) -> sa.ColumnElement[bool]:
    """Participants of `roles` (default: SYNCED_ROLES) who count in figures and documents.

    A pending claimant (joined with a roster line's email, not yet proven or merged) counts
    nowhere: not in figures, alerts, reports, grades, exports or the programme. The roster
    line it claims is the one that counts; the participants page still lists the claim.
    """
    return sa.and_(Participant.role.in_(roles or SYNCED_ROLES), Participant.claim_of_id.is_(None))


def synced_participants(session: DbSession, seminar: Seminar) -> list[Participant]:
    """Students and auditors still enrolled, whose edits the sync fetches."""
    return list(session.scalars(
        sa.select(Participant).where(
            Participant.seminar_id == seminar.id,
            Participant.role.in_(SYNCED_ROLES),
            Participant.removed_at.is_(None),
        ).order_by(Participant.id)
    ))


def seminar_revisions(seminar: Seminar, *, include_removed: bool = True,
                      counted_only: bool = False) -> sa.Select[Revision, Participant]:
    """(Revision, Participant) pairs: edits by the seminar's participants inside its dates.

    The sync measures every synced participant's edits; documents pass `counted_only` to
    leave out pending claimants (see `counted`).
    """
    conditions = [
        Participant.seminar_id == seminar.id,
        counted() if counted_only else Participant.role.in_(SYNCED_ROLES),
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
