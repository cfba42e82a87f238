"""Incomplete data says so (issue 12, item 3).

After a sync that failed half-way, or with revisions not measured yet, the dashboard, the
student page and the article page show a banner, and the report and the exports a note.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Page, Revision, RevisionMetrics, SyncRun

from .dashkit import login_as, synced_seminar, text_of
from .localwiki import LocalWiki

pytestmark = pytest.mark.wiki
FR = {"Accept-Language": "fr"}
BANNER = "Ces chiffres sont incomplets"


@pytest.mark.wiki
def test_partial_figures_are_flagged_everywhere(app: Flask, wiki: LocalWiki) -> None:
    world = synced_seminar(app, wiki)
    slug, people = world.people.slug, world.people
    client = app.test_client()
    login_as(client, people.users["instructor"])
    elodie = people.participants["elodie"]
    with app.app_context():
        article = db.session.scalar(sa.select(Page.id).where(
            Page.title == world.scenario.titles["article"]))
    pages = [f"/seminars/{slug}/dashboard", f"/seminars/{slug}/students/{elodie}",
             f"/seminars/{slug}/articles/{article}", f"/seminars/{slug}/students/{elodie}/report"]

    def texts() -> list[str]:
        return [text_of(client.get(url, headers=FR).get_data(as_text=True)) for url in pages]

    assert all(BANNER not in t for t in texts())  # a finished sync, everything measured

    with app.app_context():  # a sync that failed half-way, and a revision left unmeasured
        now = dt.datetime.now(dt.UTC)
        db.session.add(SyncRun(seminar_id=people.seminar_id, status="failed", trigger="cron",
                               started_at=now, finished_at=now, error="interrompue"))
        rev = db.session.scalar(sa.select(Revision.id).where(
            Revision.user_name == world.scenario.user("elodie")).order_by(Revision.id).limit(1))
        db.session.execute(sa.delete(RevisionMetrics).where(RevisionMetrics.revision_id == rev))
        db.session.commit()
    for url, text in zip(pages, texts(), strict=True):
        assert BANNER in text, url
        assert "la dernière synchronisation ne s’est pas terminée" in text, url
        assert "1 modification n’est pas encore mesurée" in text, url

    grades = client.get(f"/seminars/{slug}/export/grades.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(grades), delimiter=";"))
    assert rows and all(r["Chiffres complets"] == "0" for r in rows)
    record = json.loads(client.get(f"/seminars/{slug}/export/seminar.json").data)
    assert record["data_status"]["complete"] is False
    assert record["data_status"]["unmeasured_revisions"] == 1
    progress = json.loads(client.get(f"/seminars/{slug}/progress.json").data)
    assert progress["data_status"]["complete"] is False
    # The dashboard sums its banner's count from the figures it shows: the same count.
    assert progress["data_status"]["unmeasured_revisions"] == 1
    assert sum(s["figures"]["unmeasured_edits"] for s in progress["students"]) == 1
