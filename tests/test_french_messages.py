"""The messages the issue found in English or without plural forms, now in French (item 5).

"(invalid title)", "gave up after 6 attempts (ConnectionError)", "1 modifications ont été
annulées", "Durée 0.2 s": each is rendered in French on the demo seminar (or by the service
that builds it) and checked.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.demo import DEMO_SLUG
from wikiseminar.extensions import db
from wikiseminar.models import Participant, Seminar, SyncRun, User
from wikiseminar.services.topics import _invalid
from wikiseminar.web.messages import translate

from .dashkit import text_of
from .webkit import login_as

FR = {"Accept-Language": "fr"}


def _demo(app: Flask, runner: FlaskCliRunner) -> tuple[int, int]:
    """The demo seminar: (its id, the instructor's user id)."""
    result = runner.invoke(args=["demo", "--password", "demo-password-for-tests",
                                 "--today", "2026-03-02"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar.id).where(Seminar.slug == DEMO_SLUG))
        teacher = db.session.scalar(sa.select(User.id).where(
            User.email == "enseignante@demo.example.org"))
        assert seminar and teacher
        return seminar, teacher


def _aware(moment: dt.datetime | None) -> dt.datetime:
    """A stored instant as an aware UTC datetime (SQLite hands them back naive)."""
    if moment is None:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_failed_sync_and_its_duration_in_french(app: Flask, runner: FlaskCliRunner) -> None:
    seminar_id, teacher = _demo(app, runner)
    with app.app_context():
        # Later than the demo's own sync run (stamped with the real time when the demo was
        # built), however fast that was: the pages show the latest run.
        latest = db.session.scalar(sa.select(sa.func.max(SyncRun.started_at)).where(
            SyncRun.seminar_id == seminar_id))
        end = max(dt.datetime.now(dt.UTC), _aware(latest)) + dt.timedelta(seconds=1)
        db.session.add(SyncRun(seminar_id=seminar_id, status="failed", trigger="web",
                               started_at=end - dt.timedelta(seconds=0.2), finished_at=end,
                               error="wiki.example.org: gave up after 6 attempts (ConnectionError)"))
        db.session.commit()
    client = app.test_client()
    login_as(client, teacher)
    for url in (f"/seminars/{DEMO_SLUG}/sync", f"/seminars/{DEMO_SLUG}/dashboard"):
        text = text_of(client.get(url, headers=FR).get_data(as_text=True))
        assert "gave up" not in text and "ConnectionError" not in text, url
        assert "abandon après 6 tentatives (la connexion a échoué)" in text, url
    sync = text_of(client.get(f"/seminars/{DEMO_SLUG}/sync", headers=FR).get_data(as_text=True))
    assert "0,2 s" in sync and "0.2 s" not in sync


def test_one_reverted_edit_is_singular(app: Flask, runner: FlaskCliRunner) -> None:
    seminar_id, teacher = _demo(app, runner)
    with app.app_context():
        lea = db.session.scalar(sa.select(Participant.id).where(
            Participant.seminar_id == seminar_id, Participant.name == "Léa Dubois"))
    client = app.test_client()
    login_as(client, teacher)
    report = text_of(client.get(f"/seminars/{DEMO_SLUG}/students/{lea}/report",
                                headers=FR).get_data(as_text=True))
    assert "1 modification a été annulée" in report and "1 modifications" not in report
    dashboard = text_of(client.get(f"/seminars/{DEMO_SLUG}/dashboard", headers=FR).get_data(as_text=True))
    assert "1 modification annulée (26 mots)" in dashboard
    assert "(s)" not in dashboard


def test_an_invalid_title_is_said_in_french(app: Flask) -> None:
    with app.test_request_context(headers=FR):
        text = translate(_invalid("Foo[", "invalid title"))
    assert "n’est pas un titre valide" in text and "invalid title" not in text
