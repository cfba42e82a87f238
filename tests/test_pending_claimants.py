"""A pending claimant (joined with a roster line's email, not yet proven) counts nowhere.

Until the claim is merged the roster line is the one that counts: the pending participant is
left out of the figures, dashboard, alerts, reports, grades, exports and the programme, and
the participants page keeps listing it as pending. Once merged, the line counts as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Seminar, SeminarSession
from wikiseminar.reports.alerts import seminar_alerts
from wikiseminar.reports.figures import student_figures
from wikiseminar.reports.gradesheet import grades_csv
from wikiseminar.reports.grading import seminar_gradebook
from wikiseminar.reports.programme import presenters
from wikiseminar.reports.progress import seminar_progress
from wikiseminar.reports.student import report_participants
from wikiseminar.services.attendance import attendance_sheet
from wikiseminar.services.enrolment import confirm_claim
from wikiseminar.services.reviews import review_students
from wikiseminar.web.dashboard import alert_settings

from .test_roster_claims import add_roster_line, newcomer, pending_of
from .webkit import login_as, seed, text_of

CLAIMANT = "Someone Typing"


def counted_names(app: Flask) -> dict[str, set[str]]:
    """Who each figure, report, grade and programme function counts, by name."""
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar is not None
        figures = student_figures(db.session, seminar)
        names = {f.participant_id: f.name for f in figures}
        book = seminar_gradebook(db.session, seminar)
        progress = seminar_progress(db.session, seminar, alert_settings(seminar))
        alerts = seminar_alerts(db.session, seminar, figures, alert_settings(seminar))
        sessions = db.session.scalars(sa.select(SeminarSession).where(
            SeminarSession.seminar_id == seminar.id)).all()
        assert sessions
        return {
            "attendance": {line.name for s in sessions for line in attendance_sheet(db.session, s)},
            "peer reviews": {p.name for p in review_students(db.session, seminar)},
            "figures": set(names.values()),
            "dashboard": {r.figures.name for r in progress.rows},
            "alerts": {names.get(pid, str(pid)) for pid in alerts},
            "reports": {p.name for p in report_participants(db.session, seminar)},
            "grades": {book.participants[g.participant_id].name for g in book.grades},
            "grade export": {n for n in (CLAIMANT, "Élodie Martin", "Chloé Durand")
                             if n in grades_csv(book, "en").decode("utf-8-sig")},
            "programme": {p.name for p in presenters(db.session, seminar)},
        }


def test_pending_claimant_counts_nowhere_until_merged(app: Flask) -> None:
    world = seed(app)
    line_id = add_roster_line(app, name="Chloé Durand", role="student")
    joiner = app.test_client()
    assert joiner.post("/join/invite-a", data=newcomer()).status_code == 302
    pending = pending_of(app, line_id)
    assert pending.role == "student"

    before = counted_names(app)
    for where, names in before.items():
        assert CLAIMANT not in names, where
    assert "Chloé Durand" in before["figures"] and "Chloé Durand" in before["programme"]
    assert "Chloé Durand" in before["attendance"] and "Chloé Durand" in before["peer reviews"]
    assert "Élodie Martin" in before["grades"] and "Élodie Martin" in before["grade export"]

    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    dashboard = text_of(instructor.get("/seminars/sem-a/dashboard").get_data(as_text=True))
    assert "Élodie Martin" in dashboard and CLAIMANT not in dashboard
    overview = text_of(instructor.get("/seminars/sem-a/").get_data(as_text=True))
    assert "3 participants" in overview and CLAIMANT not in overview  # Élodie, Bruno, Chloé
    listing = text_of(instructor.get("/seminars/sem-a/participants").get_data(as_text=True))
    assert CLAIMANT in listing and "pending claim" in listing
    for page in ("", "/report"):
        assert instructor.get(f"/seminars/sem-a/students/{pending.id}{page}").status_code == 404

    with app.app_context():
        claim = db.session.get(Participant, pending.id)
        assert claim is not None
        line = confirm_claim(claim, "instructor")
        db.session.commit()
        assert line.id == line_id and line.user_id is not None
    after = counted_names(app)
    assert "Chloé Durand" in after["figures"] and "Chloé Durand" in after["grades"]
    assert CLAIMANT not in after["figures"]  # the line keeps the instructor's name
