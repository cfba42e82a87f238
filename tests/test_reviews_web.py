"""Peer review end to end on a seminar synced from the real French local wiki: the
instructor assigns, a student reviews with the structured form and gets the wikitext, the
reviewer's talk-page edit counts, a missing review is an alert, reviews feed rubric figures,
and the programme and both reports name the discussant."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import PeerReview, Seminar
from wikiseminar.reports.alerts import AlertSettings, seminar_alerts
from wikiseminar.reports.figures import student_figures

from .dashkit import login_as, synced_seminar, text_of
from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import run_sync, ts

pytestmark = pytest.mark.wiki
EN = {"Accept-Language": "en"}


def _reviews(app: Flask, seminar_id: int) -> list[tuple[int, int, int]]:
    with app.app_context():
        return [(r.id, r.reviewer_id, r.reviewee_id) for r in db.session.scalars(
            sa.select(PeerReview).where(PeerReview.seminar_id == seminar_id))]


def test_peer_review_from_assignment_to_discussant(app: Flask, wiki: LocalWiki) -> None:
    world = synced_seminar(app, wiki)
    people, sc = world.people, world.scenario
    slug, seminar_id = people.slug, people.seminar_id
    instructor = app.test_client()
    login_as(instructor, people.users["instructor"])

    bad = instructor.post(f"/seminars/{slug}/reviews", headers=EN, data={"per_student": "1"})
    assert bad.status_code == 200 and "Choose a session or a date" in text_of(bad.get_data(as_text=True))
    assert _reviews(app, seminar_id) == []  # nothing half-written

    assert instructor.get(f"/seminars/{slug}/reviews", headers=EN).status_code == 200
    sent = instructor.post(f"/seminars/{slug}/reviews", headers=EN, data={
        "per_student": "1", "due_session": "", "due_date": "2024-02-15"})
    assert sent.status_code == 302
    reviews = _reviews(app, seminar_id)
    students = {people.participants[k] for k in ("elodie", "bruno", "chloe")}
    assert {r for _, r, _ in reviews} == students  # everyone reviews one draft
    assert {e for _, _, e in reviews} == students  # and everyone's draft is reviewed once
    assert all(r != e for _, r, e in reviews)

    chloe = people.participants["chloe"]
    review_id, _, reviewee = next(r for r in reviews if r[1] == chloe)
    student = app.test_client()
    login_as(student, people.users["chloe"])
    mine = text_of(student.get(f"/seminars/{slug}/my-reviews", headers=EN).get_data(as_text=True))
    assert "Reviews to write" in mine and "to do" in mine
    # Another student cannot open it: not theirs to write, and not submitted yet.
    other = app.test_client()
    login_as(other, people.users["elodie"])
    assert other.get(f"/seminars/{slug}/reviews/{review_id}").status_code == 403
    assert other.post(f"/seminars/{slug}/reviews/{review_id}", data={}).status_code == 403
    form_page = student.get(f"/seminars/{slug}/reviews/{review_id}", headers=EN)
    assert form_page.status_code == 200
    posted = student.post(f"/seminars/{slug}/reviews/{review_id}", headers=EN, data={
        "sources_score": "2", "sources_comment": "Il manque des sources secondaires.",
        "neutrality_score": "4", "neutrality_comment": "", "structure_score": "3",
        "structure_comment": "Plan clair.", "clarity_score": "3", "clarity_comment": "",
        "comments": "Bon début."})
    assert posted.status_code == 302
    done = student.get(f"/seminars/{slug}/reviews/{review_id}", headers={"Accept-Language": "fr"})
    html = done.get_data(as_text=True)
    # The French wiki gets a French talk-page section to paste.
    assert "== Relecture par Chloe ==" in html
    assert "; Sources (2/4) : Il manque des sources secondaires." in html
    assert "; Commentaires libres : Bon début." in html and "~~~~" in html

    # The reviewed student reads it.
    reviewed_key = next(k for k, v in people.participants.items() if v == reviewee)
    owner = app.test_client()
    login_as(owner, people.users[reviewed_key])
    theirs = text_of(owner.get(f"/seminars/{slug}/my-reviews", headers=EN).get_data(as_text=True))
    assert "Review by Chloe" in theirs and "Plan clair." in theirs

    # Chloé posts on the draft's talk page on the wiki: it counts as review activity.
    with app.app_context():
        from wikiseminar.models import Participant
        from wikiseminar.services.reviews import draft_title

        draft = draft_title(db.session.get(Participant, reviewee))
    assert draft
    wiki.import_pages([PageSpec(f"Discussion:{draft}", [
        Rev(sc.user("chloe"), ts("2024-02-10"), "== Relecture ==\nQuelques remarques.", "relecture")],
        ns=1)])
    assert run_sync(app, seminar_id, full=True)["status"] == "success"
    manage = instructor.get(f"/seminars/{slug}/reviews", headers=EN).get_data(as_text=True)
    edits = re.search(rf'id="review-{review_id}".*?talk-edits">(\d+)<', manage, re.S)
    assert edits and edits.group(1) == "1"
    others = re.findall(r'talk-edits">(\d+)<', manage)
    assert sorted(others) == ["0", "0", "1"]

    # The two reviews not submitted are alerts once the deadline is past, not before.
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        figures = student_figures(db.session, seminar)
        late = AlertSettings(today=dt.date(2024, 2, 16), restitution=dt.date(2024, 3, 25),
                             end=dt.date(2024, 3, 31))
        alerts = seminar_alerts(db.session, seminar, figures, late)
        missing = {pid for pid, found in alerts.items()
                   if any(a.rule == "review-missing" for a in found)}
        assert missing == students - {chloe}
        early = AlertSettings(today=dt.date(2024, 2, 14), restitution=dt.date(2024, 3, 25),
                              end=dt.date(2024, 3, 31))
        assert not any(a.rule == "review-missing" for found in seminar_alerts(
            db.session, seminar, figures, early).values() for a in found)
        # Rubric figures: Chloé wrote one review; the reviewed draft's score is 3/4 on average.
        by_id = {f.participant_id: f for f in figures}
        assert by_id[chloe].reviews_submitted == 1
        assert by_id[reviewee].review_score == pytest.approx(3 / 4)
        assert by_id[chloe].review_score is None

    # The programme names the discussant (by default the reviewer), in the CSV and in both
    # students' reports.
    exported = instructor.get(f"/seminars/{slug}/programme.csv?locale=en", headers=EN)
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    by_name = {r["name"]: r["discussant"] for r in rows}
    reviewed_name = reviewed_key.title()
    assert by_name[reviewed_name] == "Chloe"
    programme = text_of(instructor.get(f"/seminars/{slug}/programme", headers=EN)
                        .get_data(as_text=True))
    assert f"{reviewed_name} Discussant: Chloe" in programme
    report = text_of(instructor.get(f"/seminars/{slug}/students/{reviewee}/report",
                                    headers=EN).get_data(as_text=True))
    assert "Discussant of the presentation Chloe" in report
    hers = text_of(instructor.get(f"/seminars/{slug}/students/{chloe}/report",
                                  headers=EN).get_data(as_text=True))
    assert f"Discusses the presentation of {reviewed_name}" in hers

    # The instructor picks another discussant.
    third = next(v for v in students if v not in (reviewee, chloe))
    saved = instructor.post(f"/seminars/{slug}/reviews/discussants", data={
        f"discussant-{reviewee}": str(third)})
    assert saved.status_code == 302
    report = text_of(instructor.get(f"/seminars/{slug}/students/{reviewee}/report",
                                    headers=EN).get_data(as_text=True))
    assert "Discussant of the presentation Chloe" not in report
    refused = instructor.post(f"/seminars/{slug}/reviews/discussants", data={
        f"discussant-{reviewee}": str(reviewee)})
    assert refused.status_code == 400  # nobody discusses their own talk
