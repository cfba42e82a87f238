"""The dashboard's "sync now": queue the seminar's sync, or run it in a thread of the web process.

With `REDIS_URL` set and the queue reachable, the job goes on the same queue as cron's
`sync --enqueue` (one job per seminar at a time). Otherwise the web process runs the same
`sync_seminar` in a background thread with its own app context and session, after taking the
seminar's lock in the request itself, so a second click (or a cron run) is refused at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from ..dbsession import DbSession
from ..extensions import db
from ..models import Seminar, SyncRun
from ..models._types import utcnow
from ..reports.progress import sync_is_running
from ..sync import locking
from ..sync.pipeline import SyncOptions, client_for, sync_seminar
from ..sync.progress import progress_recorder

__all__ = ["SyncStart", "join_threads", "start_sync"]

log = logging.getLogger("wikiseminar.sync")

STARTED, QUEUED, RUNNING, DEFERRED = "started", "queued", "running", "deferred"

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class SyncStart:
    """What a click on "sync now" did: started (thread), queued, already running, or deferred."""

    outcome: str
    at: dt.datetime
    owner: str | None = None


def start_sync(app: Flask, session: DbSession, seminar: Seminar) -> SyncStart:
    """Start the seminar's sync unless one is already running or queued."""
    now = utcnow()
    if sync_is_running(seminar, now):
        return SyncStart(RUNNING, now)
    queued = _enqueue(app, session, seminar)
    if queued is not None:
        return SyncStart(queued, now)
    owner = locking.lock_owner("web")
    if not locking.acquire(session, seminar.id, owner, int(app.config.get("SYNC_LOCK_TTL", 600))):
        return SyncStart(RUNNING, now)
    thread = threading.Thread(target=_run, args=(app, seminar.id, owner),
                              name=f"sync-{seminar.slug}", daemon=True)
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()
    return SyncStart(STARTED, now, owner)


def _enqueue(app: Flask, session: DbSession, seminar: Seminar) -> str | None:
    """Put the sync on the job queue when one is configured and reachable; None otherwise."""
    if not app.config.get("REDIS_URL"):
        return None
    try:
        from ..sync import jobs
    except ImportError:  # the queue's dependencies are not installed
        return None
    enqueue = getattr(jobs, "enqueue_due", None)
    if enqueue is None:
        return None
    try:
        connection = jobs.connect(app.config, timeout=2.0)
    except jobs.QueueUnavailable as exc:
        log.warning("sync now of %s runs in the web process: %s", seminar.slug, exc)
        return None
    report = enqueue(session, app.config, connection, named=[seminar])
    if seminar.slug in report.enqueued:
        return QUEUED
    if seminar.slug in report.deferred:
        return DEFERRED
    return RUNNING


def _run(app: Flask, seminar_id: int, owner: str) -> None:
    """The thread: sync with an app context and a session of its own; never leave the lock held."""
    with app.app_context():
        session = db.session
        try:
            seminar = session.get(Seminar, seminar_id)
            if seminar is None:
                return
            client = client_for(seminar.wiki.api_url, app.config)
            options = SyncOptions.from_config(
                app.config, trigger="web", owner=owner,
                progress=progress_recorder(session, seminar_id, owner))
            sync_seminar(session, seminar, client, options)
        except Exception:  # a bug must not kill the web process nor keep the lock
            log.exception("sync now of seminar %s failed", seminar_id)
            session.rollback()
            session.execute(sa.update(SyncRun).where(
                SyncRun.worker == owner, SyncRun.status == "running",
            ).values(status="failed", finished_at=utcnow(), error="unexpected error (see the log)"))
            session.commit()
            locking.release(session, seminar_id, owner)
        finally:
            db.session.remove()


def join_threads(timeout: float = 60.0) -> bool:
    """Wait for the syncs this process started (tests, and a clean shutdown); True if all ended."""
    with _threads_lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout)
    return not any(t.is_alive() for t in threads)
