"""Quality transitions on the article page, the dashboard, the student's report and the class
report, from a seminar synced from the real French local wiki."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import (
    ArticleKind,
    AssignmentStatus,
    CriterionKind,
    Page,
    RubricCriterion,
    Seminar,
)
from wikiseminar.reports.grading import seminar_gradebook

from .dashkit import add_people, assign, login_as, text_of
from .localwiki import LocalWiki
from .qualitykit import halles

pytestmark = pytest.mark.wiki
EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


def test_transitions_on_every_page(app: Flask, wiki: LocalWiki) -> None:
    sc, seminar_id, title, created, assessor = halles(app, wiki)
    people = add_people(app, seminar_id)
    slug = people.slug
    assign(app, people.participants["elodie"], AssignmentStatus.APPROVED,
           (title, ArticleKind.IMPROVE, None))
    with app.app_context():
        page_pk = db.session.scalars(sa.select(Page.id).where(Page.title == title)).one()
    client = app.test_client()
    login_as(client, people.users["instructor"])

    article = client.get(f"/seminars/{slug}/articles/{page_pk}", headers=EN)
    assert article.status_code == 200
    text = text_of(article.get_data(as_text=True))
    assert "Quality, before and after" in text
    assert "Rating on the talk page ébauche B ébauche → B" in text
    assert "Estimate from the structure ébauche B ébauche → B" in text
    assert f"ébauche → B by {assessor} on" in text
    assert 'id="quality-' in article.get_data(as_text=True)  # the chart

    french = text_of(client.get(f"/seminars/{slug}/articles/{page_pk}", headers=FR)
                     .get_data(as_text=True))
    assert "Qualité, avant et après" in french and f"par {assessor}" in french

    dashboard = client.get(f"/seminars/{slug}/dashboard", headers=EN).get_data(as_text=True)
    assert "ébauche → B" in text_of(dashboard)  # Élodie's article on the dashboard

    elodie = people.participants["elodie"]
    report = client.get(f"/seminars/{slug}/students/{elodie}/report", headers=EN)
    html = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "≈ ébauche → B" in text_of(html)
    assert f'id="quality-{elodie}-{page_pk}' in html  # the estimate over the seminar

    classes = text_of(client.get(f"/seminars/{slug}/reports", headers=EN).get_data(as_text=True))
    assert "Articles: quality at the seminar's start and now" in classes
    assert f"{title} improved Elodie ébauche → B changed by {assessor}" in classes
    assert f"{created} created Bruno — — → ébauche" in classes  # no rating; from nothing


def test_quality_gains_feed_rubric_criteria(app: Flask, wiki: LocalWiki) -> None:
    sc, seminar_id, title, created, _ = halles(app, wiki)
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        db.session.add_all([
            RubricCriterion(seminar_id=seminar_id, position=0, label="Qualité", weight=1.0,
                            kind=CriterionKind.COMPUTED, metric="quality_gain",
                            threshold_low=0.0, threshold_high=2.0),
            RubricCriterion(seminar_id=seminar_id, position=1, label="Évaluation", weight=1.0,
                            kind=CriterionKind.COMPUTED, metric="rating_gain",
                            threshold_low=0.0, threshold_high=4.0),
        ])
        db.session.commit()
        book = seminar_gradebook(db.session, seminar)
        by_name = {g.name: g for g in book.grades}
        figures = {f.name: f for f in book.figures}
        # Élodie took her article from ébauche to B (2 classes, by the estimate and the wiki).
        assert (figures["Elodie"].quality_gain, figures["Elodie"].rating_gain) == (2, 2)
        elodie = by_name["Elodie"]
        assert list(elodie.scores.values()) == [1.0, 0.5]
        # Bruno created an unrated stub: no class gained, no rating to score.
        assert (figures["Bruno"].quality_gain, figures["Bruno"].rating_gain) == (0, None)
        assert list(by_name["Bruno"].scores.values()) == [0.0, None]
        assert not by_name["Bruno"].complete
        assert figures["Chloe"].quality_gain is None
