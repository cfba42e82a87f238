"""Attendance: one sheet per session for the instructor; the dashboard, reports and rubric use it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Attendance, RubricCriterion, Seminar
from wikiseminar.reports.grading import seminar_gradebook

from .publickit import add_open_session, make_public, register
from .webkit import login_as, seed, text_of


def test_the_instructor_marks_who_came_and_everyone_sees_it(app: Flask) -> None:
    world = seed(app)
    make_public(app, "sem-a")
    in_depth = add_open_session(app, "sem-a", places=3)
    client = app.test_client()
    register(client, "sem-a", in_depth, "Gaston Invité", "gaston@example.org", "Librairie")
    with app.app_context():
        gaston = db.session.scalar(sa.text("SELECT id FROM registration"))
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])

    sheet = instructor.get(f"/seminars/sem-a/calendar/{in_depth}/attendance")
    html = sheet.get_data(as_text=True)
    assert sheet.status_code == 200 and "<script" not in html  # works without JavaScript
    text = text_of(html)
    assert "Students (1) Élodie Martin" in text and "Auditors (1) Bruno Petit" in text
    assert "Registered guests (1) Gaston Invité Librairie" in text
    # Each person is one label wrapping its checkbox: the whole line is the tap target.
    assert len(re.findall(r'<label class="tap"><input type="checkbox"', html)) == 3
    # The thematic session is for enrolled students: auditors are not on its sheet.
    thematic = text_of(instructor.get(
        f"/seminars/sem-a/calendar/{world.session_id}/attendance").get_data(as_text=True))
    assert "Élodie Martin" in thematic and "Bruno Petit" not in thematic

    student, auditor = world.participants["student"], world.participants["auditor"]
    saved = instructor.post(f"/seminars/sem-a/calendar/{in_depth}/attendance",
                            data={f"p-{student}": "1", f"r-{gaston}": "1", "p-999999": "1"})
    assert saved.status_code == 302
    instructor.post(f"/seminars/sem-a/calendar/{world.session_id}/attendance", data={})
    with app.app_context():
        marks = {(m.session_id, m.participant_id, m.registration_id): m.present
                 for m in db.session.scalars(sa.select(Attendance))}
    assert marks == {(in_depth, student, None): True, (in_depth, auditor, None): False,
                     (in_depth, None, gaston): True, (world.session_id, student, None): False}
    again = instructor.get(f"/seminars/sem-a/calendar/{in_depth}/attendance").get_data(as_text=True)
    assert re.search(rf'name="p-{student}" value="1" checked', again)

    dashboard = text_of(instructor.get("/seminars/sem-a/dashboard").get_data(as_text=True))
    assert "Élodie Martin student 1 session attended / 2 (50.0 %)" in dashboard
    assert "Bruno Petit auditor 0 sessions attended / 1 (0.0 %)" in dashboard
    page = text_of(instructor.get(f"/seminars/sem-a/students/{student}").get_data(as_text=True))
    assert "Attendance 1 session attended / 2" in page
    report = text_of(instructor.get(f"/seminars/sem-a/students/{student}/report").get_data(as_text=True))
    assert "Attendance 1 session attended / 2" in report

    # A rubric criterion on attendance: 50% between thresholds 0% and 100% scores half.
    added = instructor.post("/seminars/sem-a/grading/rubric", data={
        "label": "Assiduité", "kind": "computed", "metric": "attendance_rate", "weight": "1",
        "threshold_low": "0", "threshold_high": "100"})
    assert added.status_code == 302, text_of(added.get_data(as_text=True))
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        criterion = db.session.scalar(sa.select(RubricCriterion).where(RubricCriterion.label == "Assiduité"))
        assert seminar is not None and criterion is not None
        line = seminar_gradebook(db.session, seminar).grade_of(student)
        assert line is not None and line.scores[criterion.id] == 0.5 and line.suggested == 10.0

    # Students and auditors cannot take attendance.
    other = app.test_client()
    login_as(other, world.users["student"])
    assert other.get(f"/seminars/sem-a/calendar/{in_depth}/attendance").status_code == 403
    assert other.post(f"/seminars/sem-a/calendar/{in_depth}/attendance",
                      data={f"p-{student}": "1"}).status_code == 403
