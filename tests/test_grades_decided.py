"""Grades are decided, not pre-filled (issue 12, item 4).

After the suggested rubric, the Final column stayed filled with the suggested grade (even one
computed from incomplete criteria). Now it stays empty until the instructor sets a grade or
explicitly accepts the suggestion; an incomplete suggestion is marked as such.
"""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import FinalGrade, Seminar
from wikiseminar.reports.grading import seminar_gradebook

from .localwiki import LocalWiki
from .scenarios import Scenario
from .test_restitution import Ids, build
from .test_restitution import history as history  # noqa: F401  (module fixture)
from .webkit import login_as, text_of

pytestmark = pytest.mark.wiki
EN = {"Accept-Language": "en"}


@pytest.fixture
def graded(app: Flask, wiki: LocalWiki, history: Scenario) -> Ids:  # noqa: F811
    """The synced seminar: Élodie complete (12), Bruno incomplete with a hand grade of 10."""
    return build(app, wiki, history)


def _lines(app: Flask, seminar_id: int) -> dict[str, object]:
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        return {g.name: g for g in seminar_gradebook(db.session, seminar).grades}


def _csv_final(client: object, slug: str) -> dict[str, str]:
    data = client.get(f"/seminars/{slug}/export/grades.csv?locale=en").data  # type: ignore[attr-defined]
    return {r["name"]: r["final_grade (/20)"] for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}


def test_final_stays_empty_until_decided(app: Flask, graded: Ids) -> None:
    lines = _lines(app, graded.seminar)
    elodie, bruno = lines["Élodie Lefèvre"], lines["Bruno Petit"]
    assert elodie.suggested == 12.0 and elodie.complete  # type: ignore[attr-defined]
    assert elodie.final is None  # type: ignore[attr-defined]  # suggested, not decided
    assert bruno.final == 10.0  # type: ignore[attr-defined]  # set by hand

    client = app.test_client()
    login_as(client, graded.users["ines"])
    slug = graded.slug
    assert _csv_final(client, slug)["Élodie Lefèvre"] == ""
    page = text_of(client.get(f"/seminars/{slug}/grading", headers=EN).get_data(as_text=True))
    assert "not decided" in page
    assert "incomplete" in page  # Bruno's suggestion rests on a missing oral mark

    # Accept every complete suggestion: Élodie's; the others are left alone.
    response = client.post(f"/seminars/{slug}/grading/accept", headers=EN)
    assert response.status_code == 302
    lines = _lines(app, graded.seminar)
    assert lines["Élodie Lefèvre"].final == 12.0  # type: ignore[attr-defined]
    assert lines["Bruno Petit"].final == 10.0  # type: ignore[attr-defined]
    assert lines["Denis Sans-Compte"].final is None  # type: ignore[attr-defined]  # incomplete
    assert _csv_final(client, slug)["Élodie Lefèvre"] == "12.0"

    # One incomplete suggestion accepted explicitly, for one student.
    denis = graded.people["denis"]
    response = client.post(f"/seminars/{slug}/grading/students/{denis}/accept", headers=EN)
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(sa.select(FinalGrade).where(FinalGrade.participant_id == denis))
        assert row is not None and row.grade == 0.0
