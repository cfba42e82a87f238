"""Syncs on a job queue: RQ on Redis, one job per seminar, run by `wikiseminar worker`.

The queue only decides *when* and *where* a seminar syncs; `pipeline.sync_seminar` does the
work exactly as the inline `wikiseminar sync` does. What the queue adds:

- one job per seminar at a time: the job id is derived from the seminar id and enqueued with
  RQ's atomic `unique=True`; a finished or failed earlier job of the seminar is cleared first;
- retries with backoff when the sync fails (a wiki error): the job raises, and RQ re-runs it
  after `QUEUE_RETRY_INTERVALS`;
- a seminar locked by another run (skipped) or a wiki whose hourly budget is spent is not a
  failure: the job returns an RQ `Retry` scheduled for when the lock expires or the next
  budget window opens;
- a job whose worker died (SIGKILL, lost machine) stops being heartbeated; once its entry in
  RQ's StartedJobRegistry is older than `QUEUE_ABANDONED_SECONDS`, any worker's periodic
  maintenance (every `QUEUE_MAINTENANCE_SECONDS`) retries it. The retry takes the seminar's
  DB lock over after `SYNC_LOCK_TTL` and resumes from what was committed.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse, urlunparse

import redis
import sqlalchemy as sa
from flask import Flask, current_app
from rq import Queue, Retry, Worker
from rq.exceptions import DuplicateJobError, InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from ..dbsession import DbSession
from ..extensions import db
from ..models import Participant, Seminar, SyncRun
from ..models._types import utcnow
from ..scope import SYNCED_ROLES
from ..wiki.client import split_api_url
from . import locking
from .gate import RedisGate
from .pipeline import SyncOptions, client_for, sync_seminar
from .progress import progress_recorder

__all__ = [
    "EnqueueReport",
    "FailedJob",
    "QueueUnavailable",
    "SyncFailed",
    "SyncWorker",
    "connect",
    "due_seminars",
    "enqueue_due",
    "estimate_requests",
    "failed_jobs",
    "job_id_for",
    "make_worker",
    "queue_for",
    "queue_status",
    "requeue_failed",
    "run_worker",
    "safe_url",
    "sync_job",
]

log = logging.getLogger("wikiseminar.queue")

# How often a job may put itself back for a lock or a budget window before RQ fails it
# (a day of hourly windows).
RESCHEDULE_MAX = 24
RESULT_TTL = 3600
FAILURE_TTL = 7 * 24 * 3600
# Requests of a first sync per participant, before any run has been measured (contributions,
# one history and a few text batches per student's article): an estimate, not a promise.
FIRST_SYNC_REQUESTS_PER_PARTICIPANT = 2


class QueueUnavailable(Exception):
    """Redis is not configured or not reachable; the message is one line for the operator."""


class SyncFailed(Exception):
    """A queued sync ended with a failed SyncRun; raised so RQ retries the job with backoff."""


def safe_url(url: str) -> str:
    """A Redis URL with its password hidden, for messages."""
    parsed = urlparse(url)
    if parsed.password:
        host = parsed.hostname or ""
        if parsed.port:
            host = f"{host}:{parsed.port}"
        user = f"{parsed.username}:***@" if parsed.username else ":***@"
        parsed = parsed._replace(netloc=user + host)
    return urlunparse(parsed)


def connect(config: dict[str, Any], *, timeout: float = 5.0) -> redis.Redis:
    """A checked connection to the queue's Redis, or QueueUnavailable with a one-line reason."""
    url = config.get("REDIS_URL")
    if not url:
        raise QueueUnavailable(
            "no Redis configured: set redis_url in config.toml or WIKISEMINAR_REDIS_URL "
            "(or run `wikiseminar sync` without --enqueue)")
    try:
        connection = redis.Redis.from_url(url, socket_connect_timeout=timeout)
        connection.ping()
    except (redis.RedisError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueueUnavailable(f"Redis at {safe_url(url)} is not reachable: {reason}") from None
    return connection


def queue_for(config: dict[str, Any], connection: redis.Redis) -> Queue:
    """The sync queue named by QUEUE_NAME."""
    return Queue(config["QUEUE_NAME"], connection=connection,
                 default_timeout=int(config["QUEUE_JOB_TIMEOUT"]))


def job_id_for(queue_name: str, seminar_id: int) -> str:
    """The one job id a seminar's sync has on a queue (RQ ids allow [A-Za-z0-9_-])."""
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', queue_name)}-seminar-{seminar_id}"


def _host(api_url: str) -> str:
    """The host[:port] requests to this wiki are gated by."""
    return split_api_url(api_url)[1]


# -- the job ---------------------------------------------------------------------------------


def sync_job(seminar_id: int, full: bool = False) -> dict[str, Any] | Retry:
    """Sync one seminar inside a worker (app context pushed by SyncWorker); raise on failure."""
    app = current_app
    seminar = db.session.get(Seminar, seminar_id)
    if seminar is None:
        return {"seminar_id": seminar_id, "status": "gone"}
    slug, api_url = seminar.slug, seminar.wiki.api_url
    connection = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5)
    gate = RedisGate.from_config(app.config, connection)
    client = client_for(api_url, app.config, gate=gate)
    owner = locking.lock_owner(f"rq/{os.environ.get('RQ_WORKER_ID', 'worker')}"[:120])
    # Where the run is shows on the dashboard's sync page, as for the web's "sync now".
    options = SyncOptions.from_config(app.config, full=full, trigger="queue", owner=owner,
                                      progress=progress_recorder(db.session, seminar_id, owner))
    run = sync_seminar(db.session, seminar, client, options)
    summary = {"seminar": slug, **run.summary()}
    if run.status == "success":
        _notify_after_sync(seminar_id)
        return summary
    if run.status == "skipped":
        expires = db.session.scalar(
            sa.select(Seminar.sync_lock_expires).where(Seminar.id == seminar_id))
        wait = (expires - utcnow()).total_seconds() if expires else 0.0
        log.info("seminar %s is locked by another run; retrying in %.0f s", slug, max(wait, 1))
        return Retry(max=RESCHEDULE_MAX, interval=max(1, math.ceil(wait) + 1))
    refusal = gate.exhausted.get(_host(api_url))
    if refusal is not None:
        log.warning("%s; seminar %s resumes in the next window", refusal, slug)
        return Retry(max=RESCHEDULE_MAX, interval=max(1, math.ceil(refusal.resume_in) + 1))
    raise SyncFailed(f"sync of {slug} failed: {run.error}")


def _notify_after_sync(seminar_id: int) -> None:
    """Queue the mails the new data makes due (deletion notices...); never fail the sync."""
    if not current_app.config.get("MAIL_HOST"):
        return
    from ..mail.notify import notify

    try:
        seminar = db.session.get(Seminar, seminar_id)
        if seminar is not None:
            notify(db.session, [seminar])
    except Exception:  # a mail problem must not make RQ retry a successful sync
        db.session.rollback()
        log.exception("notifications after the sync of seminar %s failed", seminar_id)


# -- scheduling: which seminars go on the queue ---------------------------------------------


@dataclass
class EnqueueReport:
    """What one `sync --enqueue` pass did, seminar slugs by outcome."""

    enqueued: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    not_due: int = 0
    estimated: dict[str, int] = field(default_factory=dict)

    def summary(self, queue_name: str) -> str:
        """One line for the operator (and cron's mail)."""
        parts = [f"enqueued {len(self.enqueued)} seminar(s) on {queue_name}"]
        if self.already:
            parts.append(f"{len(self.already)} already queued")
        if self.deferred:
            parts.append(f"{len(self.deferred)} deferred to a later run (hourly request budget)")
        if self.not_due:
            parts.append(f"{self.not_due} not due")
        return ", ".join(parts)


def estimate_requests(session: DbSession, seminar: Seminar) -> int:
    """API requests the seminar's next sync is expected to make.

    The median of its last three successful runs once it has synced twice (the first run is
    the expensive one); before that, a first-sync guess from the number of participants.
    """
    participants = session.scalar(
        sa.select(sa.func.count()).select_from(Participant).where(
            Participant.seminar_id == seminar.id, Participant.role.in_(SYNCED_ROLES),
            Participant.removed_at.is_(None))) or 0
    batches = max(1, math.ceil(participants / 50))
    recent = list(session.scalars(
        sa.select(SyncRun.api_requests).where(
            SyncRun.seminar_id == seminar.id, SyncRun.status == "success")
        .order_by(SyncRun.started_at.desc()).limit(3)))
    if len(recent) >= 2:
        return max(batches + 1, sorted(recent)[len(recent) // 2])
    return 2 + batches + FIRST_SYNC_REQUESTS_PER_PARTICIPANT * participants


def _reserved_by_queue(queue: Queue) -> dict[str, int]:
    """Estimated requests of the jobs already queued or running, per wiki host."""
    started = StartedJobRegistry(queue=queue)
    ids = list(queue.get_job_ids()) + list(started.get_job_ids(cleanup=False))
    reserved: dict[str, int] = defaultdict(int)
    for job in Job.fetch_many(ids, connection=queue.connection):
        if job is not None and job.meta.get("host"):
            reserved[job.meta["host"]] += int(job.meta.get("estimate", 0))
    return reserved


def _job_state(queue: Queue, job_id: str) -> JobStatus | None:
    """The status of the seminar's existing job, None when there is none."""
    try:
        return Job.fetch(job_id, connection=queue.connection).get_status(refresh=False)
    except NoSuchJobError:
        return None


def due_seminars(active: Iterable[Seminar], config: dict[str, Any],
                 now: dt.datetime | None = None) -> tuple[list[Seminar], int]:
    """Of the active seminars, those whose last successful sync is older than
    SYNC_INTERVAL_MINUTES, stalest first (never synced first); and how many are not due."""
    now = now or utcnow()
    interval = dt.timedelta(minutes=int(config["SYNC_INTERVAL_MINUTES"]))
    due, not_due = [], 0
    for seminar in active:
        if seminar.last_sync_at is None or now - seminar.last_sync_at >= interval:
            due.append(seminar)
        else:
            not_due += 1
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    due.sort(key=lambda s: (s.last_sync_at or epoch, s.id))
    return due, not_due


def enqueue_due(session: DbSession, config: dict[str, Any], connection: redis.Redis,
                *, active: Iterable[Seminar] = (), named: Sequence[Seminar] | None = None,
                full: bool = False) -> EnqueueReport:
    """Put one job per due seminar on the queue, within each wiki's remaining hourly budget.

    Seminars `named` explicitly replace the `active` ones and skip the due test, not the
    budget. A seminar that has a
    queued, scheduled or running job is left alone. Per wiki host, the budget left in the
    current window minus the estimates of jobs already waiting is shared out, stalest seminar
    first; what does not fit waits for the next run (cron). A seminar whose estimate alone
    exceeds the budget goes alone into an untouched window (the gate then pauses it there).
    """
    report = EnqueueReport()
    if named is None:
        candidates, report.not_due = due_seminars(active, config)
    else:
        candidates = list(named)
    queue = queue_for(config, connection)
    gate = RedisGate.from_config(config, connection)
    reserved = _reserved_by_queue(queue)
    left: dict[str, int | None] = {}
    untouched: dict[str, bool] = {}
    retry = Retry(max=int(config["QUEUE_RETRIES"]), interval=list(config["QUEUE_RETRY_INTERVALS"])
                  ) if int(config["QUEUE_RETRIES"]) > 0 else None
    for seminar in candidates:
        job_id = job_id_for(queue.name, seminar.id)
        state = _job_state(queue, job_id)
        if state in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
            report.already.append(seminar.slug)
            continue
        host = _host(seminar.wiki.api_url)
        if host not in left:
            remaining = gate.remaining(host)
            untouched[host] = remaining == gate.hourly_budget and not reserved.get(host)
            left[host] = None if remaining is None else remaining - reserved.get(host, 0)
        estimate = estimate_requests(session, seminar)
        report.estimated[seminar.slug] = estimate
        budget_left = left[host]
        if budget_left is not None and estimate > budget_left and not (
                untouched[host] and estimate > gate.hourly_budget):
            report.deferred.append(seminar.slug)
            continue
        if state is not None:
            # A finished, failed or stopped earlier job: clear it (and its registry entries).
            Job.fetch(job_id, connection=connection).delete()
        try:
            queue.enqueue_call(
                sync_job, args=(seminar.id,), kwargs={"full": full}, job_id=job_id, unique=True,
                timeout=int(config["QUEUE_JOB_TIMEOUT"]), result_ttl=RESULT_TTL,
                failure_ttl=FAILURE_TTL, retry=retry,
                description=f"sync {seminar.slug}",
                meta={"seminar": seminar.slug, "seminar_id": seminar.id, "host": host,
                      "estimate": estimate},
            )
        except DuplicateJobError:  # another enqueue pass was faster
            report.already.append(seminar.slug)
            continue
        untouched[host] = False
        if budget_left is not None:
            left[host] = budget_left - estimate
        report.enqueued.append(seminar.slug)
    return report


# -- the worker -----------------------------------------------------------------------------


class SyncWorker(Worker):
    """RQ's forking worker: a work horse per job runs it inside the Flask app's context.

    The app is built once per worker process; each forked horse drops the pooled database
    connections it inherited (without closing the parent's sockets) and pushes a fresh app
    context, so its session and connections are its own.
    """

    app: Flask
    abandoned_after: int = 90

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """Seconds a started job may go without a heartbeat before it counts as abandoned."""
        interval = float(self.job_monitoring_interval)
        if job.timeout and job.timeout > 0:
            interval = min(interval, max(1.0, job.timeout - working_time))
        grace = max(1, self.abandoned_after - int(self.job_monitoring_interval))
        return int(interval) + grace

    def unsubscribe(self) -> None:
        """Stop listening for commands, waiting a second at most for the listener thread.

        RQ's listener reads with a 60 s timeout, and redis-py 8's `stop()` joins it without
        one: when the unsubscribe reply woke the thread before the stop flag was cleared, it
        went back to a 60 s read, and a burst worker took a minute to exit after its last
        job (bench/scale.py sync: 71 s instead of 11 s). The thread is a daemon: a process
        that exits does not wait for it.
        """
        thread = self.pubsub_thread
        if thread is None or self.pubsub is None:
            return
        self.pubsub.unsubscribe()
        try:
            thread.stop(timeout=1.0)  # redis-py >= 8: a bounded wait
        except TypeError:  # older redis-py: stop() only clears the flag
            thread.stop()
            thread.join(timeout=1.0)

    def perform_job(self, job: Job, queue: Queue, execution: Any) -> bool:
        """Run the job with the app context pushed and connections of its own."""
        with self.app.app_context():
            db.engine.dispose(close=False)
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()


def make_worker(app: Flask, connection: redis.Redis, name: str | None = None) -> SyncWorker:
    """A SyncWorker on the app's queue with the app's heartbeat and maintenance settings."""
    config = app.config
    worker = SyncWorker(
        [queue_for(config, connection)], connection=connection, name=name,
        job_monitoring_interval=int(config["QUEUE_HEARTBEAT_SECONDS"]),
        maintenance_interval=int(config["QUEUE_MAINTENANCE_SECONDS"]),
        default_result_ttl=RESULT_TTL,
    )
    worker.app = app
    worker.abandoned_after = int(config["QUEUE_ABANDONED_SECONDS"])
    return worker


def _next_scheduled(queue: Queue) -> float | None:
    """Seconds until the queue's earliest scheduled job (retries) is due, None if none."""
    registry = ScheduledJobRegistry(queue=queue)
    first = queue.connection.zrange(registry.key, 0, 0, withscores=True)
    if not first:
        return None
    return max(0.0, float(first[0][1]) - time.time())


def run_worker(app: Flask, connection: redis.Redis, *, name: str | None = None, burst: bool = False,
               logging_level: str = "INFO", burst_wait: float = 120.0,
               sleep: Callable[[float], None] = time.sleep) -> int:
    """Work the queue; return the number of rounds. Burst: until nothing is queued and no retry
    is due within `burst_wait` seconds (abandoned jobs found by maintenance are included)."""
    queue = queue_for(app.config, connection)
    if not burst:
        make_worker(app, connection, name).work(with_scheduler=True, logging_level=logging_level)
        return 1
    rounds = 0
    while True:
        rounds += 1
        make_worker(app, connection, name).work(burst=True, with_scheduler=True,
                                                logging_level=logging_level)
        if queue.count:
            continue
        due_in = _next_scheduled(queue)
        if due_in is None or due_in > burst_wait:
            return rounds
        sleep(min(due_in + 0.1, burst_wait))


# -- what operators see ---------------------------------------------------------------------


def queue_status(config: dict[str, Any], *, timeout: float = 1.0) -> dict[str, Any] | None:
    """Depth of the sync queue for /healthz and the admin view; None when no Redis is set."""
    if not config.get("REDIS_URL"):
        return None
    try:
        connection = connect(config, timeout=timeout)
        queue = queue_for(config, connection)
        return {
            "name": queue.name,
            "queued": queue.count,
            "started": StartedJobRegistry(queue=queue).get_job_count(cleanup=False),
            "scheduled": ScheduledJobRegistry(queue=queue).get_job_count(cleanup=False),
            "failed": FailedJobRegistry(queue=queue).get_job_count(cleanup=False),
            "workers": Worker.count(queue=queue),
        }
    except (QueueUnavailable, redis.RedisError) as exc:
        return {"name": config.get("QUEUE_NAME"), "error": str(exc).splitlines()[0]}


@dataclass(frozen=True)
class FailedJob:
    """A job in RQ's failed registry, as the admin view lists it."""

    job_id: str
    seminar: str
    ended_at: dt.datetime | None
    error: str


def failed_jobs(config: dict[str, Any], connection: redis.Redis, limit: int = 100) -> list[FailedJob]:
    """The most recent failed sync jobs with the last line of their error."""
    queue = queue_for(config, connection)
    registry = FailedJobRegistry(queue=queue)
    ids = registry.get_job_ids(0, limit - 1, desc=True, cleanup=False)
    found = []
    for job_id, job in zip(ids, Job.fetch_many(ids, connection=connection), strict=True):
        if job is None:
            found.append(FailedJob(job_id, "?", None, "job data expired"))
            continue
        result = job.latest_result()
        text = (getattr(result, "exc_string", None) or "").strip()
        found.append(FailedJob(job_id, str(job.meta.get("seminar", "?")), job.ended_at,
                               _last_line(text) or "unknown error"))
    return found


def _last_line(text: str) -> str:
    """The exception line of a traceback (its last non-empty line)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def requeue_failed(config: dict[str, Any], connection: redis.Redis, job_ids: Iterable[str]) -> int:
    """Put failed jobs back on the queue; return how many were requeued."""
    registry = FailedJobRegistry(queue=queue_for(config, connection))
    done = 0
    for job_id in job_ids:
        try:
            registry.requeue(job_id)
            done += 1
        except (NoSuchJobError, InvalidJobOperation) as exc:
            log.warning("could not requeue %s: %s", job_id, exc)
    return done
