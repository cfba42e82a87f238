"""Restitution pages without a wiki: the programme, the rubric and marks, the CLI's bad input,
forgetting a participant, and PDFs when WeasyPrint is missing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.extensions import db
from wikiseminar.models import (
    CriterionKind,
    FinalGrade,
    Mark,
    Participant,
    Role,
    RubricCriterion,
    Seminar,
    SeminarSession,
    SessionKind,
    User,
)
from wikiseminar.reports import pdf as pdf_module
from wikiseminar.reports.grading import DEFAULT_RUBRIC

from .webkit import World, login_as, seed, text_of


@pytest.fixture
def world(app: Flask) -> World:
    """Seminar A with Élodie (student), Bruno (auditor) and three more students."""
    found = seed(app)
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        for name in ("Zoé Zola", "Yann Yvon", "Xavier Xu"):
            db.session.add(Participant(seminar=seminar, name=name, role=Role.STUDENT))
        db.session.commit()
    return found


def ids_by_name(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {p.name: p.id for p in db.session.scalars(sa.select(Participant))}


def programme_csv(client, slug: str = "sem-a") -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    response = client.get(f"/seminars/{slug}/programme.csv?locale=en")  # English keys
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_instructor_orders_and_times_the_restitution(app: Flask, world: World) -> None:
    client = app.test_client()
    login_as(client, world.users["instructor"])
    ids = ids_by_name(app)
    # No date yet: the order only (students in name order; the auditor does not present).
    rows = programme_csv(client)
    assert [r["name"] for r in rows] == ["Élodie Martin", "Xavier Xu", "Yann Yvon", "Zoé Zola"]
    assert rows[0]["start"] == "" and rows[0]["topic"] == "Plateformes" and rows[0]["articles"] == "Travail du clic"

    bad = client.post("/seminars/sem-a/programme/settings", data={
        "restitution_date": "2030-06-12", "presentation_minutes": "0", "break_every": "2", "break_minutes": "10"})
    assert bad.status_code == 400
    saved = client.post("/seminars/sem-a/programme/settings", data={
        "restitution_date": "2030-06-12", "restitution_time": "14:00", "restitution_place": "Amphi B",
        "presentation_minutes": "15", "break_every": "2", "break_minutes": "10"})
    assert saved.status_code == 302
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar.restitution_at == dt.datetime(2030, 6, 12, 12, 0, tzinfo=dt.UTC)  # Paris, summer

    order = {f"order-{ids[n]}": str(i) for n, i in
             (("Zoé Zola", 1), ("Élodie Martin", 2), ("Yann Yvon", 2), ("Xavier Xu", 9))}
    assert client.post("/seminars/sem-a/programme/order", data=order).status_code == 302
    rows = programme_csv(client)
    # Ties keep the current order (Élodie before Yann); positions are renumbered 1..n.
    assert [(r["kind"], r["position"], r["name"], r["start"][-5:], r["end"][-5:]) for r in rows] == [
        ("talk", "1", "Zoé Zola", "14:00", "14:15"), ("talk", "2", "Élodie Martin", "14:15", "14:30"),
        ("break", "", "", "14:30", "14:40"),
        ("talk", "3", "Yann Yvon", "14:40", "14:55"), ("talk", "4", "Xavier Xu", "14:55", "15:10"),
    ]
    assert client.post("/seminars/sem-a/programme/order",
                       data={"move": f"up:{ids['Xavier Xu']}"}).status_code == 302
    assert [r["name"] for r in programme_csv(client) if r["kind"] == "talk"] == [
        "Zoé Zola", "Élodie Martin", "Xavier Xu", "Yann Yvon"]
    wrong = client.post("/seminars/sem-a/programme/order", data={**order, f"order-{ids['Zoé Zola']}": "abc"})
    assert wrong.status_code == 400 and "Give Zoé Zola a position of 1 or more." in text_of(wrong.get_data(as_text=True))
    assert [r["name"] for r in programme_csv(client)][0] == "Zoé Zola"  # nothing saved

    with app.app_context():  # the calendar's restitution session ends before the programme does
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        db.session.add(SeminarSession(seminar=seminar, date=dt.date(2030, 6, 12), start_time=dt.time(14),
                                      end_time=dt.time(15), kind=SessionKind.RESTITUTION, title="Restitution"))
        db.session.commit()
    page = text_of(client.get("/seminars/sem-a/programme").get_data(as_text=True))
    assert "The programme ends at 15:10, 10 minutes after the end of the restitution session" in page
    printable = text_of(client.get("/seminars/sem-a/programme.html").get_data(as_text=True))
    assert "Amphi B" in printable and "14:00–14:15" in printable and "Break" in printable
    pdf = client.get("/seminars/sem-a/programme.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_rubric_marks_and_override(app: Flask, world: World) -> None:
    client = app.test_client()
    login_as(client, world.users["instructor"])
    elodie = world.participants["student"]
    assert "This seminar has no rubric yet." in text_of(client.get("/seminars/sem-a/grading").get_data(as_text=True))
    assert client.post("/seminars/sem-a/grading/rubric/default").status_code == 302
    assert client.post("/seminars/sem-a/grading/rubric/default").status_code == 302  # not twice
    with app.app_context():
        rows = list(db.session.scalars(sa.select(RubricCriterion).order_by(RubricCriterion.position)))
        assert [r.metric for r in rows] == [spec.get("metric") for spec in DEFAULT_RUBRIC]
        oral = next(r.id for r in rows if r.label == "Oral presentation")

    too_low = client.post("/seminars/sem-a/grading/rubric", data={
        "label": "Part", "kind": "computed", "metric": "authorship_share", "weight": "1",
        "threshold_low": "50", "threshold_high": "10"})
    assert too_low.status_code == 400
    added = client.post("/seminars/sem-a/grading/rubric", data={
        "label": "Part de l'article", "kind": "computed", "metric": "authorship_share", "weight": "1,5",
        "threshold_low": "10", "threshold_high": "50"})
    assert added.status_code == 302
    with app.app_context():
        share = db.session.scalar(sa.select(RubricCriterion).where(RubricCriterion.label == "Part de l'article"))
        assert (share.weight, share.threshold_low, share.threshold_high) == (1.5, 0.1, 0.5)  # % → fraction
        assert share.position == len(DEFAULT_RUBRIC)
        share_id = share.id
    form = client.get(f"/seminars/sem-a/grading/rubric/{share_id}").get_data(as_text=True)
    assert 'value="10"' in form and 'value="50"' in form  # shown back as percentages
    assert client.post(f"/seminars/sem-a/grading/rubric/{share_id}", data={
        "label": "Oral bis", "kind": "manual", "weight": "2"}).status_code == 302
    assert client.post(f"/seminars/sem-a/grading/rubric/{share_id}/move", data={"direction": "up"}).status_code == 302
    with app.app_context():
        moved = db.session.get(RubricCriterion, share_id)
        assert (moved.kind, moved.metric, moved.threshold_low, moved.position) == (
            CriterionKind.MANUAL, None, None, len(DEFAULT_RUBRIC) - 1)

    url = f"/seminars/sem-a/grading/students/{elodie}"
    refused = client.post(url, data={f"mark-{oral}": "abc", "override": "21", "comment": "x"})
    assert refused.status_code == 400
    page = text_of(refused.get_data(as_text=True))
    assert "“abc” is not a number." in page and "Give a number between 0 and 20." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mark)) == 0
        assert db.session.get(FinalGrade, elodie) is None
    assert client.post(url, data={f"mark-{oral}": "16,5", f"comment-{oral}": "Clair et vivant",
                                  "override": "15", "comment": "Bon travail"}).status_code == 302
    with app.app_context():
        mark = db.session.scalar(sa.select(Mark).where(Mark.criterion_id == oral))
        assert (mark.value, mark.comment) == (0.825, "Clair et vivant")
        final = db.session.get(FinalGrade, elodie)
        assert (final.grade, final.comment, final.updated_by_id) == (15.0, "Bon travail", world.users["instructor"])
    book = text_of(client.get("/seminars/sem-a/grading").get_data(as_text=True))
    assert "Élodie Martin" in book and "Bruno Petit" not in book  # auditor

    assert client.post("/seminars/sem-a/grading/settings", data={
        "settings-grade_scale": "10", "settings-freeze_date": "2030-05-31"}).status_code == 302
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar.grade_scale == 10
        assert seminar.freeze_at == dt.datetime(2030, 5, 31, 21, 59, 59, 999999, tzinfo=dt.UTC)
    assert client.post(f"/seminars/sem-a/grading/rubric/{oral}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(RubricCriterion, oral) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mark)) == 0


def test_students_and_other_instructors_stay_out_of_grading(app: Flask, world: World) -> None:
    client = app.test_client()
    routes = ["grading", "grading/rubric", f"grading/students/{world.participants['student']}",
              "programme", "programme.csv", "reports", "reports.html", "export/grades.csv",
              "export/seminar.json"]
    for who in ("student", "auditor", "other_instructor"):
        login_as(client, world.users[who])
        for route in routes:
            assert client.get(f"/seminars/sem-a/{route}").status_code == 403, (who, route)
        assert client.post("/seminars/sem-a/grading/rubric/default").status_code == 403
        assert client.post("/seminars/sem-a/programme/order", data={}).status_code == 403
    login_as(client, world.users["auditor"])  # an auditor reads their own report, not a student's
    assert client.get(f"/seminars/sem-a/students/{world.participants['auditor']}/report").status_code == 200
    assert client.get(f"/seminars/sem-a/students/{world.participants['student']}/report").status_code == 403
    login_as(client, world.users["instructor"])
    assert client.get(f"/seminars/sem-a/students/{world.participants['instructor']}/report").status_code == 404
    assert client.get(f"/seminars/sem-b/students/{world.participants['student']}/report").status_code == 403


def one_line_error(result, text: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert text in result.output and result.output.strip().count("\n") == 0, result.output


def test_cli_bad_input_fails_in_one_line_without_a_file(app: Flask, world: World, runner: FlaskCliRunner,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "out.pdf"
    cases = [
        (["report", "nope", "-o", str(out)], "no seminar 'nope'"),
        (["report", "sem-a", "--student", "Personne", "-o", str(out)],
         "no participant with wiki username 'Personne' in seminar 'sem-a'"),
        (["report", "sem-a", "--format", "docx", "-o", str(out)], "unknown format 'docx' (use pdf, html)"),
        (["export", "grades", "sem-a", "--format", "pdf", "-o", str(out)], "unknown format 'pdf' (use csv, xlsx)"),
        (["export", "grades", "nope", "-o", str(out)], "no seminar 'nope'"),
        (["export", "seminar", "nope", "-o", str(out)], "no seminar 'nope'"),
        (["export", "programme", "sem-a", "--format", "odt", "-o", str(out)], "unknown format 'odt'"),
        (["participant", "forget", "sem-a", "--email", "nobody@example.org", "--yes"],
         "no participant with email 'nobody@example.org'"),
        (["participant", "forget", "sem-a", "--yes"], "name the participant with --student"),
    ]
    for args, message in cases:
        one_line_error(runner.invoke(args=args), message)
    assert list(folder.iterdir()) == []
    missing_dir = folder / "absent" / "notes.csv"
    one_line_error(runner.invoke(args=["export", "grades", "sem-a", "-o", str(missing_dir)]),
                   "No such file or directory")
    one_line_error(runner.invoke(args=["report", "sem-a", "--format", "html", "-o", str(missing_dir)]),
                   "No such file or directory")
    assert list(folder.iterdir()) == []
    ok = runner.invoke(args=["export", "grades", "sem-a", "-o", str(folder / "notes.xlsx")])
    assert ok.exit_code == 0 and (folder / "notes.xlsx").read_bytes()[:2] == b"PK"
    assert [p.name for p in folder.iterdir()] == ["notes.xlsx"]  # no temporary file left


def test_forgetting_a_participant_deletes_their_personal_data(app: Flask, world: World,
                                                             runner: FlaskCliRunner) -> None:
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        oral = RubricCriterion(seminar_id=seminar.id, label="Oral", kind=CriterionKind.MANUAL)
        db.session.add(oral)
        db.session.flush()
        db.session.add(Mark(participant_id=world.participants["student"], criterion_id=oral.id,
                            value=0.5, comment="à l'aise"))
        db.session.add(FinalGrade(participant_id=world.participants["student"], grade=12.0, comment="ok"))
        db.session.commit()
    kept = runner.invoke(args=["participant", "forget", "sem-a", "--student", "élodie_M"], input="n\n")
    assert kept.exit_code == 1 and "nothing deleted" in kept.output
    done = runner.invoke(args=["participant", "forget", "sem-a", "--student", "élodie_M", "--yes"])
    assert done.exit_code == 0 and "the data of Élodie Martin was deleted" in done.output
    with app.app_context():
        assert db.session.get(Participant, world.participants["student"]) is None
        assert db.session.get(User, world.users["student"]) is None
        assert db.session.get(FinalGrade, world.participants["student"]) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mark)) == 0
    teacher = runner.invoke(args=["participant", "forget", "sem-a", "--email", "ines@example.org", "--yes"])
    one_line_error(teacher, "instructors are removed, not deleted")


def test_pdf_requests_explain_a_missing_weasyprint(app: Flask, world: World, runner: FlaskCliRunner,
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise pdf_module.PdfUnavailable("PDF output needs WeasyPrint and its system libraries "
                                        "(Pango): cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf_module, "_weasyprint", missing)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    response = client.get(f"/seminars/sem-a/students/{world.participants['student']}/report.pdf")
    assert response.status_code == 503 and "libpango" in response.get_data(as_text=True)
    assert client.get("/seminars/sem-a/programme.pdf").status_code == 503
    assert client.get(f"/seminars/sem-a/students/{world.participants['student']}/report").status_code == 200
    out = tmp_path / "class.pdf"
    # The class PDF is rendered by worker processes, which would meet the same missing library;
    # with one worker it is rendered in this process, where the fault is injected.
    app.config["REPORTS_PDF_WORKERS"] = 1
    one_line_error(runner.invoke(args=["report", "sem-a", "-o", str(out)]), "needs WeasyPrint")
    assert not out.exists()
