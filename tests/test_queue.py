"""Syncs on the RQ queue with real Redis, real worker processes and the real local MediaWiki."""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from wikiseminar.extensions import db
from wikiseminar.models import Revision, Seminar, SyncRun
from wikiseminar.models._types import utcnow
from wikiseminar.sync.gate import RedisGate
from wikiseminar.sync.jobs import job_id_for, make_worker, run_worker

from .localwiki import LocalWiki
from .queuekit import (
    RedisSpace,
    canonical_dump,
    create_seminars,
    empty_database,
    import_seminars,
    queue_settings,
    start_worker,
    wait_for,
)
from .scenarios import run_sync

pytestmark = [pytest.mark.wiki, pytest.mark.redis]

MANY = 24  # seminars synced by two workers (two dozen)


@pytest.fixture(scope="module")
def busy_wiki() -> Iterator[LocalWiki]:
    """A wiki of this module's own with four PHP workers (several processes call it)."""
    instance = LocalWiki(lang="fr", workers=4)
    instance.start()
    try:
        yield instance
    finally:
        instance.cleanup()


@pytest.fixture(scope="module")
def many(busy_wiki: LocalWiki) -> list:
    """Two dozen small seminars: 2 students, 3 edits each inside the dates, 1 before."""
    return import_seminars(busy_wiki, MANY, students=2, edits=3, tag="m")


@pytest.fixture(scope="module")
def big(busy_wiki: LocalWiki) -> list:
    """One seminar long enough to be killed mid-way: 3 students, 12 edits each."""
    return import_seminars(busy_wiki, 1, students=3, edits=12, tag="k")


@pytest.fixture
def space(busy_wiki: LocalWiki) -> Iterator[RedisSpace]:
    """Redis keys of this test's own, deleted afterwards (the gate keys of its wiki too)."""
    own = RedisSpace(hosts=[f"127.0.0.1:{busy_wiki.port}"])
    own.cleanup()
    yield own
    own.cleanup()


def burst_in_process(app: Flask, space: RedisSpace, n: int, burst_wait: float = 120.0) -> None:
    """Run a burst worker in this process (its work horses are forks of the test)."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        run_worker(app, space.redis, name=space.worker_name(n), burst=True,
                   logging_level="WARNING", burst_wait=burst_wait)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _sync_runs(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(slug, r.status, r.trigger) for r, slug in db.session.execute(
            sa.select(SyncRun, Seminar.slug).join(Seminar).order_by(SyncRun.id)).all()]


def test_enqueue_puts_one_job_per_due_seminar_never_two(app: Flask, busy_wiki: LocalWiki,
                                                        many: list, space: RedisSpace) -> None:
    app.config.update(queue_settings(space))
    ids = create_seminars(app, busy_wiki, many[:4])
    with app.app_context():
        fresh = db.session.get(Seminar, ids[many[1].slug])
        fresh.last_sync_at = utcnow() - dt.timedelta(minutes=5)  # synced recently: not due
        db.session.get(Seminar, ids[many[2].slug]).active = False
        db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["sync", "--enqueue"])
    again = runner.invoke(args=["sync", "--enqueue"])
    named = runner.invoke(args=["sync", "--enqueue", many[1].slug])

    assert first.exit_code == 0, first.output
    assert f"enqueued 2 seminar(s) on {space.queue_name}" in first.output
    assert "1 not due" in first.output
    assert "enqueued 0 seminar(s)" in again.output and "2 already queued" in again.output
    assert "enqueued 1 seminar(s)" in named.output  # named: due or not
    queue = Queue(space.queue_name, connection=space.redis)
    expected = {job_id_for(space.queue_name, ids[s.slug]) for s in (many[0], many[3], many[1])}
    assert set(queue.get_job_ids()) == expected
    job = Job.fetch(job_id_for(space.queue_name, ids[many[0].slug]), connection=space.redis)
    assert job.meta["seminar"] == many[0].slug and job.meta["estimate"] > 0
    assert job.retries_left == 2


def test_enqueue_and_worker_need_redis_and_say_so_in_one_line(app: Flask) -> None:
    runner = app.test_cli_runner()
    app.config["REDIS_URL"] = None
    missing = runner.invoke(args=["sync", "--enqueue"])
    worker = runner.invoke(args=["worker", "--burst"])
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    unreachable = runner.invoke(args=["sync", "--enqueue"])

    assert missing.exit_code == 1 and worker.exit_code == 1
    assert "no Redis configured: set redis_url" in missing.output
    assert "no Redis configured" in worker.output
    assert unreachable.exit_code == 1
    assert "Redis at redis://127.0.0.1:1/0 is not reachable" in unreachable.output
    assert len(unreachable.output.strip().splitlines()) == 1


def _clear_of_the_hour_edge(space: RedisSpace, margin: float = 60.0) -> None:
    """Wait for the next hour window when this one ends within `margin` s (Redis's clock).

    The budget counts per clock hour: a test that spends it just before the hour would read
    the next, empty window's counter (it failed that way once at 20:59:49).
    """
    seconds, micros = space.redis.time()
    left = 3600 - (seconds % 3600) - micros / 1e6
    if left < margin:
        time.sleep(left + 0.5)


def test_enqueue_spreads_syncs_within_the_hourly_budget(app: Flask, busy_wiki: LocalWiki,
                                                        many: list, space: RedisSpace) -> None:
    # 2 students: a first sync is estimated at 2 + 1 + 2*2 = 7 requests.
    _clear_of_the_hour_edge(space)
    app.config.update(queue_settings(space, WIKI_HOURLY_REQUEST_BUDGET=30))
    create_seminars(app, busy_wiki, many[:5])
    gate = RedisGate.from_config(app.config, space.redis)
    for _ in range(5):  # requests already made to that wiki in this hour window
        with gate.slot(f"127.0.0.1:{busy_wiki.port}"):
            pass

    result = app.test_cli_runner().invoke(args=["sync", "--enqueue"])

    assert result.exit_code == 0, result.output
    assert "enqueued 3 seminar(s)" in result.output  # 25 left: 3 × 7 fit, a 4th does not
    assert "2 deferred to a later run (hourly request budget)" in result.output
    assert f"{many[4].slug}: deferred" in result.output


def test_two_workers_leave_the_database_as_an_inline_sync_would(
    app: Flask, busy_wiki: LocalWiki, many: list, space: RedisSpace, database_url: str,
    tmp_path: Path,
) -> None:
    # No worker dies here: a long abandonment delay keeps a slow heartbeat on a busy CI
    # machine from retrying a job that is still running.
    app.config.update(queue_settings(space, QUEUE_ABANDONED_SECONDS=60))
    ids = create_seminars(app, busy_wiki, many)
    for seminar_id in ids.values():
        assert run_sync(app, seminar_id)["status"] == "success"
    inline = canonical_dump(app)
    empty_database(app)
    create_seminars(app, busy_wiki, many)

    result = app.test_cli_runner().invoke(args=["sync", "--enqueue"])
    assert f"enqueued {MANY} seminar(s)" in result.output, result.output
    workers = [start_worker(app, database_url, space, tmp_path, n) for n in (1, 2)]
    codes = [w.wait(timeout=120) for w in workers]

    assert codes == [0, 0], workers[0].stderr[-2000:] + workers[1].stderr[-2000:]
    runs = _sync_runs(app)
    assert len(runs) == MANY and {(s, t) for _, s, t in runs} == {("success", "queue")}
    assert canonical_dump(app) == inline
    # Both workers took jobs, and each sync left one JSON line on its worker's stderr.
    lines = [json.loads(line) for w in workers for line in w.stderr.splitlines()
             if line.startswith("{") and '"event": "sync"' in line]
    assert sorted(line["seminar"] for line in lines) == sorted(s.slug for s in many)
    assert all(w.name in w.stderr for w in workers)
    assert all(sum(line["seminar"] in w.stderr for line in lines) > 0 for w in workers)
    assert {"status", "requests", "revisions", "texts", "seconds", "error"} <= set(lines[0])
    queue = Queue(space.queue_name, connection=space.redis)
    assert queue.count == 0 and FailedJobRegistry(queue=queue).count == 0


def test_worker_killed_mid_job_leaves_nothing_half_written_and_the_retry_completes(
    app: Flask, busy_wiki: LocalWiki, big: list, space: RedisSpace, database_url: str,
    tmp_path: Path,
) -> None:
    # Small answers make the sync long enough (dozens of requests) to be cut in the middle.
    app.config.update(queue_settings(space), WIKI_CONTRIBS_LIMIT=2, WIKI_REVISIONS_PER_REQUEST=2,
                      WIKI_HISTORY_LIMIT=3, WIKI_CONTRIBS_USERS_PER_REQUEST=1)
    ids = create_seminars(app, busy_wiki, big)
    assert run_sync(app, ids[big[0].slug])["status"] == "success"
    inline = canonical_dump(app)
    empty_database(app)
    seminar_id = create_seminars(app, busy_wiki, big)[big[0].slug]
    app.test_cli_runner().invoke(args=["sync", "--enqueue"])
    job_id = job_id_for(space.queue_name, seminar_id)

    doomed = start_worker(app, database_url, space, tmp_path, 1)

    def stored() -> int:
        with app.app_context():
            count = db.session.scalar(sa.select(sa.func.count()).select_from(Revision))
            db.session.rollback()
            return int(count or 0)

    wait_for(lambda: stored() > 0, 60, "the first revisions of the doomed run")
    doomed.kill_hard()
    assert stored() < sum(1 for row in inline["revision"])  # cut off in the middle
    queue = Queue(space.queue_name, connection=space.redis)
    started = StartedJobRegistry(queue=queue)
    assert job_id in started.get_job_ids(cleanup=False)
    assert _sync_runs(app)[-1][1] == "running"
    # Its heartbeat stops; after QUEUE_ABANDONED_SECONDS the entry expires and the next
    # worker's maintenance retries the job (the DB lock expires after SYNC_LOCK_TTL).
    wait_for(lambda: job_id in started.get_expired_job_ids(), 20, "the abandoned job to expire",
             every=0.2)
    rescuer = start_worker(app, database_url, space, tmp_path, 2)
    assert rescuer.wait(timeout=90) == 0, rescuer.stderr[-3000:]

    assert Job.fetch(job_id, connection=space.redis).get_status() == JobStatus.FINISHED
    after = canonical_dump(app)
    assert {t: rows for t, rows in after.items() if t != "sync_run"} == {
        t: rows for t, rows in inline.items() if t != "sync_run"}
    runs = _sync_runs(app)
    assert runs[0][1] == "failed" and runs[-1][1] == "success"
    with app.app_context():
        first = db.session.scalars(sa.select(SyncRun).order_by(SyncRun.id)).first()
        assert first.error == "interrupted: its process died" and first.finished_at
        assert db.session.get(Seminar, seminar_id).sync_lock_owner is None


def test_failing_sync_is_retried_with_backoff_then_kept_as_failed(
    app: Flask, space: RedisSpace, busy_wiki: LocalWiki, many: list,
) -> None:
    app.config.update(queue_settings(space))
    space.hosts.append("127.0.0.1:9")
    seminar_id = create_seminars(app, busy_wiki, many[:1])[many[0].slug]
    with app.app_context():  # the wiki moves away: every request is refused
        seminar = db.session.get(Seminar, seminar_id)
        seminar.wiki.api_url = "http://127.0.0.1:9/api.php"
        db.session.commit()
    app.test_cli_runner().invoke(args=["sync", "--enqueue"])

    burst_in_process(app, space, 9)

    queue = Queue(space.queue_name, connection=space.redis)
    job_id = job_id_for(space.queue_name, seminar_id)
    assert FailedJobRegistry(queue=queue).get_job_ids() == [job_id]
    statuses = [s for _, s, _ in _sync_runs(app)]
    assert statuses == ["failed"] * 3  # the first run and QUEUE_RETRIES retries
    result = Job.fetch(job_id, connection=space.redis).latest_result()
    assert "SyncFailed: sync of" in result.exc_string and "127.0.0.1:9" in result.exc_string


def test_spent_budget_reschedules_the_job_for_the_next_window(
    app: Flask, space: RedisSpace, busy_wiki: LocalWiki, many: list,
) -> None:
    # The first sync is estimated at 7 requests, more than the whole budget: it is queued
    # alone in an untouched window, spends the budget, and waits for the next window.
    _clear_of_the_hour_edge(space)
    app.config.update(queue_settings(space, WIKI_HOURLY_REQUEST_BUDGET=4))
    seminar_id = create_seminars(app, busy_wiki, many[:1])[many[0].slug]
    host = f"127.0.0.1:{busy_wiki.port}"
    assert "enqueued 1" in app.test_cli_runner().invoke(args=["sync", "--enqueue"]).output

    # A burst worker waits for retries due within its burst_wait (120 s by default): started
    # less than that before the hour, it ran the rescheduled job in the next window (it
    # failed that way at 00:58:31). The edge guard keeps the next window over 10 s away.
    burst_in_process(app, space, 8, burst_wait=10.0)

    queue = Queue(space.queue_name, connection=space.redis)
    job_id = job_id_for(space.queue_name, seminar_id)
    scheduled = ScheduledJobRegistry(queue=queue)
    assert scheduled.get_job_ids() == [job_id]
    gate = RedisGate.from_config(app.config, space.redis)
    used, left = gate.used(host)
    assert used == 4  # never more than the budget
    when = scheduled.get_scheduled_time(job_id)
    assert abs((when - dt.datetime.now(dt.UTC)).total_seconds() - left) < 5
    with app.app_context():
        run = db.session.scalars(sa.select(SyncRun)).one()
        assert run.status == "failed" and "hourly request budget of 4 spent" in run.error
    # While that window lasts, the scheduler sees the job waiting and queues nothing more.
    assert "1 already queued" in app.test_cli_runner().invoke(args=["sync", "--enqueue"]).output


def test_a_worker_stops_listening_without_waiting_out_its_read(app: Flask,
                                                             space: RedisSpace) -> None:
    """A burst worker used to take a minute to exit after its last job (bench/scale.py sync,
    71 s instead of 11 s): RQ's command listener reads with a 60 s timeout and redis-py 8
    joins it on stop. The worst case is forced here: the listener is back in its wait when
    the worker stops listening. A hang check, not a timing: the bound is 15 s."""
    app.config.update(queue_settings(space))
    for _ in range(2):
        worker = make_worker(app, space.redis, name=f"{space.worker_name(9)}-{time.monotonic_ns()}")
        worker.subscribe()
        assert worker.pubsub is not None
        deadline = time.monotonic() + 5
        while not worker.pubsub.subscribed and time.monotonic() < deadline:
            time.sleep(0.05)
        # The race that stalled workers, made certain: the listener handles the unsubscribe
        # reply while still running, and then waits up to 60 s for a new subscription.
        worker.pubsub.unsubscribe()
        deadline = time.monotonic() + 5
        while worker.pubsub.subscribed and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        done = threading.Event()
        threading.Thread(target=lambda w=worker, d=done: (w.unsubscribe(), d.set()),
                         daemon=True).start()
        assert done.wait(15), "stopping the listener waited for its 60 s read"


def test_gate_never_admits_more_than_n_concurrent_requests(space: RedisSpace) -> None:
    host = f"concurrency-{space.tag}.example"
    gate = RedisGate(space.redis, max_concurrent=3, hourly_budget=0)
    lock = threading.Lock()
    inside = peak = 0

    def hammer() -> None:
        nonlocal inside, peak
        own = RedisGate(space.redis, max_concurrent=3, hourly_budget=0)
        for _ in range(8):
            with own.slot(host):
                with lock:
                    inside += 1
                    peak = max(peak, inside)
                threading.Event().wait(0.005)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=hammer) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert peak == 3
    assert gate.in_flight(host) == 0


def test_gate_spans_processes_and_frees_the_slot_of_a_killed_one(space: RedisSpace) -> None:
    import subprocess
    import sys

    host = f"procs-{space.tag}.example"
    counter = f"{space.tag}:inside"
    peak_key = f"{space.tag}:peak"
    code = (
        "import redis, sys, time\n"
        "from wikiseminar.sync.gate import RedisGate\n"
        f"r = redis.Redis.from_url({space.url!r})\n"
        "g = RedisGate(r, max_concurrent=2, hourly_budget=0)\n"
        "for _ in range(15):\n"
        f"    with g.slot({host!r}):\n"
        f"        n = r.incr({counter!r})\n"
        f"        r.eval(\"if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) "
        f"then redis.call('SET', KEYS[1], ARGV[1]) end\", 1, {peak_key!r}, n)\n"
        "        time.sleep(0.003)\n"
        f"        r.decr({counter!r})\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 4
    assert int(space.redis.get(peak_key)) == 2

    # A holder that dies without releasing: its slot lapses after slot_ttl, not never.
    short = RedisGate(space.redis, max_concurrent=1, hourly_budget=0, slot_ttl=0.5)
    held = short.slot(host)
    held.__enter__()  # and never __exit__: the process "died" here
    assert short.in_flight(host) == 1
    started = dt.datetime.now()
    with short.slot(host):
        waited = (dt.datetime.now() - started).total_seconds()
    assert 0.3 < waited < 5


def test_gate_honours_the_hourly_budget_and_opens_the_next_window(space: RedisSpace) -> None:
    from wikiseminar.sync.gate import RequestBudgetExhausted

    host = f"budget-{space.tag}.example"
    gate = RedisGate(space.redis, max_concurrent=3, hourly_budget=5, window=2)
    # Start at the beginning of a 2-second window so the 5 requests share one.
    wait_for(lambda: gate.used(host)[1] > 1.5, 3, "a fresh window")
    for _ in range(5):
        with gate.slot(host):
            pass
    with pytest.raises(RequestBudgetExhausted) as refused:
        with gate.slot(host):
            pytest.fail("a sixth request was let through")
    assert refused.value.host == host and 0 < refused.value.resume_in <= 2
    assert "hourly request budget of 5 spent" in str(refused.value)
    other = f"other-{space.tag}.example"
    with gate.slot(other):  # each host has its own budget
        pass
    wait_for(lambda: gate.used(host)[0] == 0, 3, "the next window", every=0.1)
    with gate.slot(host):
        pass
    assert gate.used(host)[0] == 1
