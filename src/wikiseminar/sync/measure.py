"""Run the pure analysis over stored texts and store each revision's metrics."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..models import Page, PageAuthorship, Participant, Revision, RevisionMetrics, Seminar
from ..scope import seminar_revisions

__all__ = ["measure_seminar", "texts_needed"]


def texts_needed(session: so.Session, seminar: Seminar, participants: Sequence[Participant],
                 tracked: Sequence[Page]) -> list[int]:
    """Revision ids whose text the analysis needs: unmeasured revisions, their parents, and
    the revisions of tracked pages not yet folded into their authorship state."""
    needed: set[int] = set()
    rows = session.execute(
        seminar_revisions(seminar, include_removed=False)
        .outerjoin(RevisionMetrics, RevisionMetrics.revision_id == Revision.id)
        .where(RevisionMetrics.revision_id.is_(None), Revision.text_hidden.is_(False))
        .with_only_columns(Revision.rev_id, Revision.parent_id)
    ).all()
    for rev_id, parent_id in rows:
        needed.add(rev_id)
        if parent_id:
            needed.add(parent_id)
    for page in tracked:
        last = session.scalar(
            sa.select(PageAuthorship.last_rev_id).where(PageAuthorship.page_pk == page.id))
        query = sa.select(Revision.rev_id).where(
            Revision.page_pk == page.id, Revision.text_hidden.is_(False))
        if last:
            query = query.where(Revision.rev_id > last)
        needed.update(session.scalars(query))
    return sorted(needed)


def measure_seminar(*args: object, **kwargs: object) -> int:
    """Placeholder until the analysis package lands (wired in the next commit)."""
    return 0
