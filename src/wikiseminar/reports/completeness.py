"""Whether a seminar's figures rest on complete data: a finished sync, every revision measured.

The dashboard, the student and article pages show a banner, and reports and exports a note,
when they do not (issue 12): partial totals after a sync that failed half-way must say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import Participant, Revision, RevisionMetrics, Seminar, SyncRun
from ..scope import counted
from .figures import _window
from .progress import sync_is_running

__all__ = ["DataStatus", "data_status"]


@dataclass(frozen=True, slots=True)
class DataStatus:
    """What the figures are missing, if anything."""

    unfinished_at: dt.datetime | None = None  # start of the latest sync, which did not finish
    unfinished_error: str | None = None
    unmeasured: int = 0  # participants' revisions stored but not measured yet

    @property
    def complete(self) -> bool:
        """Whether the figures rest on a finished sync and measured revisions."""
        return self.unfinished_at is None and not self.unmeasured

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (stable English keys)."""
        return {"complete": self.complete, "sync_unfinished_at": self.unfinished_at,
                "sync_error": self.unfinished_error, "unmeasured_revisions": self.unmeasured}


def data_status(session: DbSession, seminar: Seminar, *,
                unmeasured: int | None = None) -> DataStatus:
    """The latest sync of the seminar (failed, or interrupted) and revisions not measured yet.

    A sync that is running right now is not "unfinished": the pages say it runs. The dashboard
    passes `unmeasured`, summed from the figures it shows (`SeminarProgress.unmeasured`), so
    that its banner speaks of those figures and the seminar's 10,000 revisions are not probed
    a second time on each view (docs/benchmarks.md, section 6.3).
    """
    run = session.scalar(sa.select(SyncRun).where(SyncRun.seminar_id == seminar.id)
                         .order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(1))
    unfinished_at = error = None
    if run is not None and run.status not in ("success", "skipped"):
        if not (run.status == "running" and sync_is_running(seminar)):
            unfinished_at, error = run.started_at, run.error
    if unmeasured is not None:
        return DataStatus(unfinished_at, error, unmeasured)
    users = [u for u in session.scalars(sa.select(Participant.wiki_user_id).where(
        Participant.seminar_id == seminar.id, counted(),
        Participant.wiki_user_id.is_not(None)))]
    unmeasured = 0
    if users:
        unmeasured = session.scalar(
            sa.select(sa.func.count(Revision.id))
            .outerjoin(RevisionMetrics, RevisionMetrics.revision_id == Revision.id)
            .where(*_window(seminar, None, None), Revision.user_id.in_(users),
                   RevisionMetrics.revision_id.is_(None))) or 0
    return DataStatus(unfinished_at, error, unmeasured)
