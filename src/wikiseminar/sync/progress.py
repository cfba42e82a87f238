"""Record where a running sync is on its SyncRun row, so a page can show it while it runs."""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import SyncRun
from .pipeline import Progress

__all__ = ["progress_recorder"]


def progress_recorder(session: DbSession, seminar_id: int, owner: str, *, every: float = 0.5,
                      clock: Callable[[], float] = time.monotonic,
                      also: Progress | None = None) -> Progress:
    """A `SyncOptions.progress` callback writing phase/done/total on the run of `owner`.

    The update goes through the sync's own session (a second connection would wait on the
    sync's write lock under SQLite), so readers see it at the sync's next commit — every
    phase commits as it goes. Within a phase, writes are spaced by `every` seconds.
    """
    last: dict[str, object] = {"phase": None, "at": 0.0}

    def record(phase: str, done: int, total: int | None) -> None:
        if also is not None:
            also(phase, done, total)
        now = clock()
        finished = total is not None and done >= total
        if phase == last["phase"] and now - float(last["at"]) < every and not finished:  # type: ignore[arg-type]
            return
        last["phase"], last["at"] = phase, now
        session.execute(
            sa.update(SyncRun)
            .where(SyncRun.seminar_id == seminar_id, SyncRun.worker == owner,
                   SyncRun.status == "running")
            .values(phase=phase[:30], progress_done=done, progress_total=total)
            .execution_options(synchronize_session=False)
        )

    return record
