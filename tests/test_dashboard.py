"""The dashboard, a student's page, an article page, progress.json and "sync now", on a seminar
synced from the real local MediaWiki; and who may open them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import (
    Page,
    PageAuthorship,
    Participant,
    Revision,
    RevisionMetrics,
    Role,
    Seminar,
    SyncRun,
)
from wikiseminar.reports.figures import student_figures
from wikiseminar.services.sync_now import join_threads
from wikiseminar.sync import locking

from .dashkit import (
    add_user,
    login_as,
    offline_wiki,
    row_names,
    synced_seminar,
    text_of,
)
from .localwiki import LocalWiki

EN = {"Accept-Language": "en"}


@pytest.mark.wiki
def test_dashboard_student_article_and_json_show_the_synced_figures(app: Flask, wiki: LocalWiki) -> None:
    world = synced_seminar(app, wiki)
    slug, people = world.people.slug, world.people
    client = app.test_client()
    login_as(client, people.users["instructor"])
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        figures = {f.participant_id: f for f in student_figures(db.session, seminar)}
    elodie, bruno = figures[people.participants["elodie"]], figures[people.participants["bruno"]]

    page = client.get(f"/seminars/{slug}/dashboard", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = text_of(html)
    assert row_names(html) == ["Bruno", "Chloe", "Elodie", "Zoé Auditrice"]
    assert 'aria-sort="ascending"' in html and "Seminar totals" in text
    # The figures are the reports' figures, not recomputed: Élodie's words and Bruno's revert.
    assert f"{elodie.words_added:,}" in text and elodie.words_added > 0
    assert bruno.reverted_edits == 1 and "Contributions reverted" in text
    assert f"reverted:{people.participants['bruno']}".replace(":", "-") in html
    assert html.count('role="img"') == 3 and '<title id="chart-edits-t">' in html  # accessible charts
    assert "Edits and words added per week" in text  # the charts' text alternative
    assert 'name="csrf_token"' in html and "Sync now" in text
    assert "Topic awaiting approval" in text  # Bruno's proposal

    by_words = client.get(f"/seminars/{slug}/dashboard?sort=words&dir=desc", headers=EN)
    words = {f.name: f.words_added for f in figures.values()}
    assert row_names(by_words.get_data(as_text=True)) == sorted(
        words, key=lambda n: (-words[n], n.casefold()))
    assert 'aria-sort="descending"' in by_words.get_data(as_text=True)
    auditors = client.get(f"/seminars/{slug}/dashboard?who=auditors", headers=EN)
    assert row_names(auditors.get_data(as_text=True)) == ["Zoé Auditrice"]
    attention = client.get(f"/seminars/{slug}/dashboard?attention=1&who=students", headers=EN)
    assert "Zoé Auditrice" not in row_names(attention.get_data(as_text=True))
    assert "Bruno" in row_names(attention.get_data(as_text=True))

    student = client.get(f"/seminars/{slug}/students/{people.participants['bruno']}", headers=EN)
    assert student.status_code == 200
    shtml = student.get_data(as_text=True)
    with app.app_context():
        revs = db.session.execute(sa.select(Revision, RevisionMetrics).join(RevisionMetrics).where(
            Revision.user_name == world.scenario.user("bruno"))).all()
        assert revs
        for rev, _ in revs:
            assert f"index.php?diff=prev&amp;oldid={rev.rev_id}" in shtml
        reverted = [m for _, m in revs if m.reverted]
    assert len(reverted) == 1 and shtml.count('<tr class="reverted') == 1
    assert f"oldid={reverted[0].reverted_by}" in shtml  # the reverting revision's diff
    assert "1 edit reverted (8 words)." in text_of(shtml)

    with app.app_context():
        article_pk = db.session.scalar(sa.select(Page.id).where(
            Page.title == world.scenario.titles["article"]))
        sandbox_pk = db.session.scalar(sa.select(Page.id).where(
            Page.title == world.scenario.titles["sandbox"]))
        computed = db.session.get(PageAuthorship, article_pk) is not None
    article = client.get(f"/seminars/{slug}/articles/{article_pk}", headers=EN)
    assert article.status_code == 200
    atext = text_of(article.get_data(as_text=True))
    assert "Elodie" in atext and "Bruno" in atext
    if computed:  # the sync computes authorship for tracked articles
        assert 'class="authorship-legend"' in article.get_data(as_text=True)
    sandbox = client.get(f"/seminars/{slug}/articles/{sandbox_pk}", headers=EN)
    assert "Authorship is not computed for this page yet" in text_of(sandbox.get_data(as_text=True))
    assert client.get(f"/seminars/{slug}/articles/999999", headers=EN).status_code == 404

    doc = client.get(f"/seminars/{slug}/progress.json", headers=EN)
    assert doc.status_code == 200 and doc.mimetype == "application/json"
    data = json.loads(doc.get_data(as_text=True))
    rows = {s["id"]: s for s in data["students"]}
    assert rows[elodie.participant_id]["figures"]["words_added"] == elodie.words_added
    assert rows[bruno.participant_id]["topic_status"] == "proposed"
    assert {a["rule"] for a in rows[bruno.participant_id]["alerts"]} >= {"reverted", "topic-proposed"}
    assert data["totals"]["edits"] == sum(f.edits for f in figures.values() if f.role == "student")
    assert data["last_sync"]["last_run"]["status"] == "success"


@pytest.mark.wiki
def test_sync_now_runs_in_the_background_and_refuses_a_second_run(app: Flask, wiki: LocalWiki) -> None:
    world = synced_seminar(app, wiki)
    slug = world.people.slug
    client = app.test_client()
    login_as(client, world.people.users["instructor"])
    wiki.edit_as(world.scenario.user("chloe"), world.scenario.titles["article"] + " (Chloé)",
                 "Une première phrase de Chloé sur le travail du clic.", "création")
    with app.app_context():  # Chloé's edit is dated now: widen the seminar to include it
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        seminar.end_date = dt.date.today() + dt.timedelta(days=1)
        db.session.commit()

    started = client.post(f"/seminars/{slug}/sync", headers=EN)
    assert started.status_code == 302 and "/sync?since=" in started.headers["Location"]
    assert join_threads(120)
    status = client.get(started.headers["Location"], headers=EN)
    assert "succeeded" in text_of(status.get_data(as_text=True))
    assert 'http-equiv="refresh"' not in status.get_data(as_text=True)
    with app.app_context():
        run = db.session.scalars(sa.select(SyncRun).where(SyncRun.trigger == "web")).one()
        assert run.status == "success" and run.revisions_added >= 1
        assert run.phase is not None  # fed by the progress callback
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        assert seminar.sync_lock_owner is None
        runs_before = db.session.scalar(sa.select(sa.func.count(SyncRun.id)))
        assert locking.acquire(db.session, seminar.id, "cron:elsewhere", 600)

    refused = client.post(f"/seminars/{slug}/sync", headers=EN, follow_redirects=True)
    text = text_of(refused.get_data(as_text=True))
    assert "already queued or running" in text and "The sync is running" not in text
    assert 'http-equiv="refresh"' in refused.get_data(as_text=True)
    dashboard = text_of(client.get(f"/seminars/{slug}/dashboard", headers=EN).get_data(as_text=True))
    assert "A sync is running." in dashboard and "Sync now" not in dashboard
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SyncRun.id))) == runs_before


def _permissions_world(app: Flask) -> dict[str, object]:
    """A seminar with an instructor, two students and an auditor; another seminar's instructor."""
    with app.app_context():
        wiki = offline_wiki()
        today = dt.date.today()
        a = Seminar(slug="perm-a", title="A", wiki=wiki, start_date=today, end_date=today)
        b = Seminar(slug="perm-b", title="B", wiki=wiki, start_date=today, end_date=today)
        users = {k: add_user(f"{k}@example.org", k, instructor=k.startswith("prof"))
                 for k in ("prof", "prof_b", "student", "student2", "auditor")}
        people = {
            "prof": Participant(seminar=a, user=users["prof"], name="Prof", role=Role.INSTRUCTOR),
            "prof_b": Participant(seminar=b, user=users["prof_b"], name="B", role=Role.INSTRUCTOR),
            "student": Participant(seminar=a, user=users["student"], name="S", role=Role.STUDENT),
            "student2": Participant(seminar=a, user=users["student2"], name="T", role=Role.STUDENT),
            "auditor": Participant(seminar=a, user=users["auditor"], name="U", role=Role.AUDITOR),
        }
        db.session.add_all([a, b, *people.values()])
        db.session.commit()
        page = Page(wiki_id=wiki.id, page_id=1, title="Article", namespace=0)
        db.session.add(page)
        db.session.commit()
        return {"users": {k: u.id for k, u in users.items()},
                "people": {k: p.id for k, p in people.items()}, "page": page.id}


ROUTES = ("dashboard", "progress.json", "sync", "student", "student2", "article")
EXPECTED = {  # who -> status per route (the article page is 404 for the instructor: not touched)
    None: dict.fromkeys(ROUTES, 302),
    "prof": {"dashboard": 200, "progress.json": 200, "sync": 200, "student": 200,
             "student2": 200, "article": 404},
    "prof_b": dict.fromkeys(ROUTES, 403),
    "student": {"dashboard": 403, "progress.json": 403, "sync": 403, "student": 200,
                "student2": 403, "article": 403},
    "auditor": {"dashboard": 403, "progress.json": 403, "sync": 403, "student": 403,
                "student2": 403, "article": 403},
}


def test_every_route_checks_the_role(app: Flask) -> None:
    world = _permissions_world(app)
    people, page = world["people"], world["page"]
    urls = {
        "dashboard": "/seminars/perm-a/dashboard", "progress.json": "/seminars/perm-a/progress.json",
        "sync": "/seminars/perm-a/sync", "student": f"/seminars/perm-a/students/{people['student']}",
        "student2": f"/seminars/perm-a/students/{people['student2']}",
        "article": f"/seminars/perm-a/articles/{page}",
    }
    for who, expected in EXPECTED.items():
        client = app.test_client()
        login_as(client, world["users"][who] if who else None)
        got = {route: client.get(url, headers=EN).status_code for route, url in urls.items()}
        assert got == expected, who
        posted = client.post("/seminars/perm-a/sync", headers=EN).status_code
        assert posted == {None: 302, "prof": 302}.get(who, 403), who
        assert join_threads(60)  # the instructor's click synced with a wiki that is not there
    anonymous = app.test_client().get(urls["dashboard"])
    assert "/auth/login" in anonymous.headers["Location"]
    client = app.test_client()
    login_as(client, world["users"]["prof"])
    assert client.get("/seminars/perm-a/students/999999").status_code == 404
    assert client.get(f"/seminars/perm-a/students/{people['prof']}").status_code == 404
    assert client.get("/seminars/nope/dashboard").status_code == 404
    with app.app_context():  # the click's sync ran to its end in its thread and let go of the lock
        run = db.session.scalars(sa.select(SyncRun).where(SyncRun.trigger == "web")).one()
        assert run.finished_at is not None and run.api_requests == 0  # nobody has an account
        assert db.session.scalar(sa.select(Seminar.sync_lock_owner).where(Seminar.slug == "perm-a")) is None
    status = client.get("/seminars/perm-a/sync", headers=EN)
    assert {"success": "succeeded", "failed": "failed"}[run.status] in text_of(status.get_data(as_text=True))
    app.config["WTF_CSRF_ENABLED"] = True  # the button is a form protected by CSRF
    assert client.post("/seminars/perm-a/sync").status_code == 400


@pytest.mark.redis
def test_sync_now_goes_on_the_queue_when_redis_is_configured(app: Flask) -> None:
    from rq import Queue

    from wikiseminar.sync.jobs import job_id_for

    from .queuekit import RedisSpace, queue_settings

    world = _permissions_world(app)
    space = RedisSpace(hosts=["offline.wikiseminar.invalid"])
    app.config.update(queue_settings(space))
    try:
        client = app.test_client()
        login_as(client, world["users"]["prof"])
        first = client.post("/seminars/perm-a/sync", headers=EN, follow_redirects=True)
        assert "The sync is queued" in text_of(first.get_data(as_text=True))
        assert "waiting for a worker" in text_of(first.get_data(as_text=True))
        with app.app_context():
            seminar_id = db.session.scalar(sa.select(Seminar.id).where(Seminar.slug == "perm-a"))
            assert db.session.scalar(sa.select(sa.func.count(SyncRun.id))) == 0  # no thread ran
        queue = Queue(space.queue_name, connection=space.redis)
        assert queue.get_job_ids() == [job_id_for(space.queue_name, seminar_id)]
        again = client.post("/seminars/perm-a/sync", headers=EN, follow_redirects=True)
        assert "already queued or running" in text_of(again.get_data(as_text=True))
        assert queue.count == 1
    finally:
        space.cleanup()
