"""`wikiseminar demo`: a populated seminar from bundled data, measured by the real analysis,
idempotent, with charts and the expected alerts on its dashboard."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.demo import DEMO_API_URL, DEMO_SLUG
from wikiseminar.demo.install import load_data
from wikiseminar.extensions import db
from wikiseminar.models import (
    AuthorshipFigure,
    Participant,
    Revision,
    RevisionMetrics,
    RevisionText,
    Seminar,
    SyncRun,
)

from .dashkit import text_of
from .scenarios import table_counts

PASSWORD = "demo-password-for-tests"
EN = {"Accept-Language": "en"}


def run_demo(runner: FlaskCliRunner, *args: str) -> str:
    """Run the command; return its output."""
    result = runner.invoke(args=["demo", "--password", PASSWORD, "--today", "2026-03-02", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_twice_duplicates_nothing_and_prints_how_to_sign_in(app: Flask, runner: FlaskCliRunner) -> None:
    first = run_demo(runner)
    data = load_data()
    assert "created" in first and data["instructor"]["email"] in first
    assert "camille.martin@demo.example.org" in first and first.count(PASSWORD) == 2
    counts = table_counts(app)
    with app.app_context():
        runs = db.session.scalar(sa.select(sa.func.count(SyncRun.id)))
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == DEMO_SLUG))
        assert seminar is not None and seminar.wiki.api_url == DEMO_API_URL
        assert ".invalid/" in seminar.wiki.api_url  # can never reach a real wiki
        # Every revision was stored with its text and measured by the analysis, not typed in.
        revisions = db.session.scalar(sa.select(sa.func.count(Revision.id)))
        assert revisions == sum(len(p["revisions"]) for p in data["pages"])
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RevisionText)) == revisions
        measured = db.session.scalar(sa.select(sa.func.count()).select_from(RevisionMetrics))
        assert 0 < measured < revisions  # outsiders' edits are history, not measured
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthorshipFigure)) > 0
        assert len(seminar.sessions) == len(data["sessions"]) + 1  # and the restitution

    second = run_demo(runner)
    assert "already there" in second and PASSWORD in second
    assert table_counts(app) == counts
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SyncRun.id))) == runs

    rebuilt = run_demo(runner, "--reset")
    assert "created" in rebuilt
    assert table_counts(app) == counts


def test_demo_dashboard_has_charts_alerts_and_real_figures(app: Flask, runner: FlaskCliRunner) -> None:
    output = run_demo(runner)
    instructor = re.search(r"instructor: (\S+)\s+password: (\S+)", output)
    assert instructor is not None
    app.config["ALERTS_TODAY"] = "2026-03-02"
    client = app.test_client()
    signed_in = client.post("/auth/login", data={"email": instructor.group(1),
                                                 "password": instructor.group(2)})
    assert signed_in.status_code == 302  # the printed credentials work

    page = client.get(f"/seminars/{DEMO_SLUG}/dashboard", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = text_of(html)
    assert "Demonstration data." in text and "Sync now" not in text
    assert html.count("<svg") == 3 and html.count("<path d=") >= 2  # lines drawn from real data
    for label in ("Account not linked", "Contributions reverted", "Article proposed for deletion",
                  "Topic awaiting approval", "No edit yet", "Article deleted", "Draft not published",
                  "Account not verified", "Topic: changes requested"):
        assert label in text, label

    data = json.loads(client.get(f"/seminars/{DEMO_SLUG}/progress.json", headers=EN).get_data(as_text=True))
    assert data["demo"] is True
    by_name = {s["name"]: s for s in data["students"]}
    rules = {name: {a["rule"] for a in s["alerts"]} for name, s in by_name.items()}
    assert rules["Lucas Petit"] == {"account-missing", "no-edit"}
    assert rules["Léa Dubois"] == {"reverted"}
    assert rules["Hugo Bernard"] == {"article-nominated"}
    assert rules["Inès Moreau"] == {"topic-proposed"}
    assert rules["Théo Fournier"] == {"article-deleted"}
    assert rules["Chloé Laurent"] == {"draft-not-moved"}
    assert rules["Nathan Garcia"] == {"no-edit"}
    assert rules["Camille Martin"] == set() and rules["Julien Mercier"] == set()
    camille = by_name["Camille Martin"]["figures"]
    assert camille["articles_created"] == 1 and camille["words_added"] > 200
    assert camille["authorship_share"] is not None and camille["authorship_share"] > 0.5
    assert by_name["Léa Dubois"]["figures"]["reverted_edits"] == 1

    # A demo student signs in with the same password and sees their page, not the dashboard.
    student = app.test_client()
    assert student.post("/auth/login", data={"email": "lea.dubois@demo.example.org",
                                             "password": PASSWORD}).status_code == 302
    with app.app_context():
        lea = db.session.scalar(sa.select(Participant.id).where(Participant.name == "Léa Dubois"))
        camille_id = db.session.scalar(sa.select(Participant.id).where(Participant.name == "Camille Martin"))
    own = student.get(f"/seminars/{DEMO_SLUG}/students/{lea}", headers=EN)
    assert own.status_code == 200 and "1 edit reverted" in text_of(own.get_data(as_text=True))
    assert student.get(f"/seminars/{DEMO_SLUG}/students/{camille_id}").status_code == 403
    assert student.get(f"/seminars/{DEMO_SLUG}/dashboard").status_code == 403
    # "Sync now" on the demo explains instead of calling a wiki that does not exist.
    refused = client.post(f"/seminars/{DEMO_SLUG}/sync", headers=EN, follow_redirects=True)
    assert "demonstration seminar" in text_of(refused.get_data(as_text=True))
