"""Operations: /healthz, the admin view of syncs and failed jobs, JSON sync logs, gunicorn,
and the query indexes of migration 0002."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue
from rq.registry import FailedJobRegistry

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Role, Seminar, SyncRun, User, Wiki
from wikiseminar.models._types import utcnow
from wikiseminar.sync.jobs import job_id_for, run_worker
from wikiseminar.wiki.types import Namespace, SiteInfo

from .conftest import TEST_SECRET
from .localwiki import free_port
from .queuekit import RedisSpace, queue_settings, wait_for

GUNICORN_CONF = Path(__file__).resolve().parent.parent / "docs" / "deploy" / "gunicorn.conf.py"
# Nothing listens here: a seminar on this wiki fails its sync at once, without a wiki.
DEAD_API = "http://127.0.0.1:9/api.php"
PASSWORD = "admin-password-0123456789"


@pytest.fixture
def space() -> Iterator[RedisSpace]:
    """Redis keys of this test's own, deleted afterwards."""
    own = RedisSpace(hosts=["127.0.0.1:9"])
    yield own
    own.cleanup()


def _dead_seminar(app: Flask, slug: str = "dead-wiki-seminar") -> int:
    """A seminar whose wiki does not answer (its siteinfo stored, so no request is needed)."""
    with app.app_context():
        wiki = Wiki(api_url=DEAD_API)
        wiki.siteinfo = SiteInfo(api_url=DEAD_API, sitename="Gone", lang="fr",
                                 namespaces={0: Namespace(0, "", "", (), True)})
        today = dt.date.today()
        seminar = Seminar(slug=slug, title="Séminaire", wiki=wiki, start_date=today - dt.timedelta(days=9),
                          end_date=today + dt.timedelta(days=9), timezone="UTC")
        seminar.participants.append(Participant(name="Élodie", role=Role.STUDENT,
                                                wiki_username="Élodie", wiki_user_id=3))
        db.session.add(seminar)
        db.session.commit()
        return seminar.id


def _user(app: Flask, email: str, *, admin: bool) -> None:
    with app.app_context():
        user = User(email=email, name=email.split("@")[0], is_admin=admin)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def _sign_in(client: FlaskClient, email: str) -> None:
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


# -- /healthz -------------------------------------------------------------------------------


def test_healthz_reports_database_last_sync_and_queue_depth(app: Flask, client: FlaskClient,
                                                            space: RedisSpace) -> None:
    seminar_id = _dead_seminar(app)
    with app.app_context():
        db.session.add(SyncRun(seminar_id=seminar_id, status="success",
                               started_at=utcnow() - dt.timedelta(minutes=10),
                               finished_at=utcnow() - dt.timedelta(minutes=9)))
        db.session.commit()

    without_queue = client.get("/healthz").get_json()
    app.config.update(queue_settings(space))
    app.test_cli_runner().invoke(args=["sync", "--enqueue"])
    with_queue = client.get("/healthz")
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    degraded = client.get("/healthz")

    assert without_queue["status"] == "ok" and "queue" not in without_queue
    assert 530 <= without_queue["last_sync_age_seconds"] <= 600
    body = with_queue.get_json()
    assert with_queue.status_code == 200 and body["status"] == "ok"
    assert body["queue"] == {"name": space.queue_name, "queued": 1, "started": 0,
                             "scheduled": 0, "failed": 0, "workers": 0}
    assert degraded.status_code == 200  # pages still work without Redis
    assert degraded.get_json()["status"] == "degraded"
    assert "not reachable" in degraded.get_json()["queue"]["error"]


def test_healthz_is_503_when_the_database_is_down(tmp_path: Path) -> None:
    from .conftest import make_app

    down = make_app("postgresql://postgres@127.0.0.1:1/nowhere", tmp_path / "instance")
    down.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] = {"connect_timeout": 2}

    response = down.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable",
                                   "error": "OperationalError"}


# -- the admin view -------------------------------------------------------------------------


def test_admin_view_is_for_admins_only(app: Flask, client: FlaskClient) -> None:
    _user(app, "prof@example.org", admin=False)

    anonymous = client.get("/admin/sync")
    _sign_in(client, "prof@example.org")
    instructor = client.get("/admin/sync")
    requeue = client.post("/admin/sync/jobs/x/requeue")

    assert anonymous.status_code == 403 and instructor.status_code == 403
    assert requeue.status_code == 403


def test_admin_view_lists_runs_and_failed_jobs_and_requeues_one(
    app: Flask, client: FlaskClient, space: RedisSpace,
) -> None:
    app.config.update(queue_settings(space, QUEUE_RETRIES=0))
    seminar_id = _dead_seminar(app)
    _user(app, "ops@example.org", admin=True)
    assert "enqueued 1" in app.test_cli_runner().invoke(args=["sync", "--enqueue"]).output
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:  # a real worker run (forked from this process) fails the job: the wiki is gone
        run_worker(app, space.redis, name=space.worker_name(1), burst=True, logging_level="ERROR")
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    job_id = job_id_for(space.queue_name, seminar_id)
    queue = Queue(space.queue_name, connection=space.redis)
    assert FailedJobRegistry(queue=queue).get_job_ids() == [job_id]

    _sign_in(client, "ops@example.org")
    client.get("/auth/lang/en")  # the interface is French by default
    page = client.get("/admin/sync")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "dead-wiki-seminar" in html and job_id in html
    assert "SyncFailed: sync of dead-wiki-seminar failed: 127.0.0.1:9" in html
    assert f'action="/admin/sync/jobs/{job_id}/requeue"' in html
    assert 'name="csrf_token"' in html
    assert ">queue<" in html and "rq/" in html  # trigger and worker of the failed run

    back = client.post(f"/admin/sync/jobs/{job_id}/requeue", follow_redirects=True)

    assert back.status_code == 200
    assert f"Job {job_id} is back on the queue." in back.get_data(as_text=True)
    assert queue.get_job_ids() == [job_id]
    assert FailedJobRegistry(queue=queue).get_job_ids() == []


def test_admin_requeue_needs_a_csrf_token(app: Flask, space: RedisSpace) -> None:
    app.config.update(queue_settings(space), WTF_CSRF_ENABLED=True)
    _user(app, "ops@example.org", admin=True)
    client = app.test_client()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    client.post("/auth/login", data={"email": "ops@example.org", "password": PASSWORD,
                                     "csrf_token": token})

    forged = client.post("/admin/sync/jobs/anything/requeue")

    assert forged.status_code == 400


# -- structured logs ------------------------------------------------------------------------


def test_sync_command_logs_one_json_line_per_run(app: Flask) -> None:
    _dead_seminar(app)

    result = app.test_cli_runner().invoke(args=["sync", "dead-wiki-seminar"])

    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    runs = [line for line in lines if line.get("event") == "sync"]
    assert len(runs) == 1
    run = runs[0]
    assert run["seminar"] == "dead-wiki-seminar" and run["status"] == "failed"
    assert run["requests"] == 0 and run["revisions"] == 0 and run["texts"] == 0
    assert run["seconds"] >= 0 and "127.0.0.1:9" in run["error"]
    assert {"ts", "level", "logger"} <= set(run)
    assert "dead-wiki-seminar: sync failed:" in result.output  # the human line is still there


# -- gunicorn -------------------------------------------------------------------------------


def test_gunicorn_serves_the_app_with_several_workers(database_url: str, app: Flask,
                                                      tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "WIKISEMINAR_DATABASE_URL": database_url,
           "WIKISEMINAR_SECRET_KEY": TEST_SECRET,
           "WIKISEMINAR_INSTANCE_PATH": str(tmp_path / "gunicorn-instance")}
    env.pop("WIKISEMINAR_CONFIG", None)
    env.pop("WIKISEMINAR_REDIS_URL", None)
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(GUNICORN_CONF)]
    server = subprocess.Popen(
        [*gunicorn, "-w", "3", "-b", f"127.0.0.1:{port}", "wikiseminar.wsgi:app"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        def healthy() -> dict | None:
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
            except requests.RequestException:
                return None

        body = wait_for(healthy, 30, "gunicorn to answer", every=0.2)
        assert body["status"] == "ok" and body["database"] == "ok"
        answers = [requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
                   for _ in range(12)]
        assert answers == [200] * 12
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    booted = [line for line in output.splitlines() if "Booting worker with pid" in line]
    assert len(booted) == 3, output[-2000:]

    env.pop("WIKISEMINAR_SECRET_KEY")
    # The documented config preloads the app: no secret key stops the master, no crash loop.
    refused = subprocess.run([*gunicorn, "-b", f"127.0.0.1:{port}", "wikiseminar.wsgi:app"],
                             env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "wikiseminar: no secret key configured: set WIKISEMINAR_SECRET_KEY" in refused.stderr


# -- database ------------------------------------------------------------------------------


QUERY_INDEXES = {
    "revision": {"ix_revision_wiki_user_time", "ix_revision_page_rev"},
    "sync_run": {"ix_sync_run_seminar_started", "ix_sync_run_status_finished",
                 "ix_sync_run_started"},
    "page": {"ix_page_wiki_ns_title"},
    "participant": {"ix_participant_seminar_wiki_user"},
}


def test_migrations_create_the_query_indexes(app: Flask) -> None:
    with app.app_context():
        inspector = sa.inspect(db.engine)
        for table, wanted in QUERY_INDEXES.items():
            present = {ix["name"] for ix in inspector.get_indexes(table)}
            assert wanted <= present, (table, wanted - present)


def test_engine_pings_pooled_connections_and_pools_per_process_on_postgresql(
    app: Flask, backend: str,
) -> None:
    with app.app_context():
        pool = db.engine.pool
        assert pool._pre_ping is True  # a connection PostgreSQL dropped is replaced, not used
        if backend == "postgresql":
            assert pool.size() == app.config["DATABASE_POOL_SIZE"]
            assert pool._recycle == 1800
