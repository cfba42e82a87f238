"""Reports, grades and exports of a seminar synced from the real local MediaWiki.

The history has edits before and after the freeze date (1 March 2024), so grades, reports
and exports can be checked against hand-counted words and against `student_figures`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.extensions import db
from wikiseminar.models import (
    ArticleKind,
    AssignedArticle,
    Assignment,
    AssignmentStatus,
    CriterionKind,
    FinalGrade,
    Mark,
    Participant,
    Revision,
    Role,
    RubricCriterion,
    Seminar,
    Topic,
)
from wikiseminar.reports import classpdf
from wikiseminar.reports.figures import STUDENT_METRICS, student_figures
from wikiseminar.reports.grading import seminar_gradebook
from wikiseminar.reports.student import build_reports
from wikiseminar.services import documents
from wikiseminar.services.seminars import create_seminar
from wikiseminar.sync.pipeline import client_for

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import END, START, Scenario, new_scenario, run_sync, ts
from .webkit import add_user, login_as, text_of

pytestmark = pytest.mark.wiki

FREEZE = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
# Words as the project's tokenizer counts them (elisions are words of their own).
V1 = "Le '''travail du clic''' désigne des micro-tâches rémunérées."  # 8 words
NEW = "Les plateformes recrutent des travailleurs dans le monde entier."  # 9 words
V2 = (V1 + "\n\n" + NEW + "<ref>Casilli, 2019.</ref>\n\n== Références ==\n<references />")  # +10, 1 ref
LATE = "Ce phénomène concerne aussi l'annotation d'images."  # 8 words, after the freeze
V3 = V1 + "\n\n" + LATE + "\n\n" + NEW + "<ref>Casilli, 2019.</ref>\n\n== Références ==\n<references />"
B1 = "Les livreurs à vélo travaillent pour des applications."  # 8 words
EVIL = '=HYPERLINK("http://evil.example","clic")'


@pytest.fixture(scope="module")
def history(wiki: LocalWiki) -> Scenario:
    """Élodie writes before and after the freeze, Bruno once, Chloé never (imported once)."""
    sc = new_scenario()
    e, b = sc.user("elodie"), sc.user("bruno")
    wiki.create_users([sc.user("chloe")])
    wiki.import_pages([
        PageSpec(sc.titles["article"], [
            Rev(e, ts("2024-01-10"), V1, "Création"),
            Rev(e, ts("2024-02-10"), V2, "Sources"),
            Rev(e, ts("2024-03-10"), V3, "Après le gel"),
        ]),
        PageSpec(sc.titles["published"], [Rev(b, ts("2024-01-20"), B1, "création")]),
    ])
    return sc


@dataclass
class Ids:
    """What the tests look up."""

    slug: str
    seminar: int
    users: dict[str, int]
    people: dict[str, int]
    criteria: dict[str, int]


def build(app: Flask, wiki: LocalWiki, sc: Scenario) -> Ids:
    """The seminar, another instructor's seminar, a rubric, a mark, an override; then a sync."""
    with app.app_context():
        client = client_for(wiki.api_url, app.config)
        seminar = create_seminar(
            db.session, slug=f"rest-{sc.tag}", title="Cultures numériques & travail",
            api_url=wiki.api_url, start=START, end=END, client=client, timezone="UTC",
            restitution_at=dt.datetime(2024, 3, 28, 13, tzinfo=dt.UTC))
        other = create_seminar(db.session, slug=f"other-{sc.tag}", title="Autre", api_url=wiki.api_url,
                               start=START, end=END, client=client)
        users = {"ines": add_user(f"ines-{sc.tag}@example.org", "Inès Prof", instructor=True),
                 "otto": add_user(f"otto-{sc.tag}@example.org", "Otto Autre", instructor=True),
                 "elodie": add_user(f"elodie-{sc.tag}@example.org", "Élodie Lefèvre")}
        people = {
            "ines": Participant(seminar=seminar, user=users["ines"], name="Inès Prof", role=Role.INSTRUCTOR),
            "otto": Participant(seminar=other, user=users["otto"], name="Otto Autre", role=Role.INSTRUCTOR),
            "elodie": Participant(seminar=seminar, user=users["elodie"], name="Élodie Lefèvre",
                                  email=f"elodie-{sc.tag}@example.org", role=Role.STUDENT,
                                  wiki_username=sc.user("elodie")),
            "bruno": Participant(seminar=seminar, name="Bruno Petit", email="bruno@example.org",
                                 role=Role.STUDENT, wiki_username=sc.user("bruno")),
            "chloe": Participant(seminar=seminar, name="@Chloé Dubois", email="chloe@example.org",
                                 role=Role.STUDENT, wiki_username=sc.user("chloe")),
            "denis": Participant(seminar=seminar, name="Denis Sans-Compte", role=Role.STUDENT),
            "aude": Participant(seminar=seminar, name="Aude Auditrice", role=Role.AUDITOR),
        }
        db.session.add_all(people.values())
        db.session.flush()
        clic = Topic(seminar=seminar, title="Travail du clic")
        livreurs = Topic(seminar=seminar, title="Livreurs")
        db.session.add_all([
            Assignment(participant=people["elodie"], topic=clic, status=AssignmentStatus.APPROVED,
                       articles=[AssignedArticle(title=sc.titles["article"], kind=ArticleKind.CREATE)]),
            Assignment(participant=people["bruno"], topic=livreurs, status=AssignmentStatus.PROPOSED,
                       articles=[AssignedArticle(title=sc.titles["published"], kind=ArticleKind.CREATE)]),
        ])
        criteria = {
            "words": RubricCriterion(seminar_id=seminar.id, position=0, label="Mots ajoutés", weight=2.0,
                                     kind=CriterionKind.COMPUTED, metric="words_added",
                                     threshold_low=0.0, threshold_high=36.0),
            "refs": RubricCriterion(seminar_id=seminar.id, position=1, label="Sources", weight=1.0,
                                    kind=CriterionKind.COMPUTED, metric="references_added",
                                    threshold_low=0.0, threshold_high=2.0),
            "oral": RubricCriterion(seminar_id=seminar.id, position=2, label="Oral", weight=1.0,
                                    kind=CriterionKind.MANUAL),
        }
        db.session.add_all(criteria.values())
        db.session.commit()
        db.session.add_all([
            Mark(participant_id=people["elodie"].id, criterion_id=criteria["oral"].id, value=0.85,
                 comment="Très clair"),
            FinalGrade(participant_id=people["bruno"].id, grade=10.0, comment=EVIL),
        ])
        seminar.freeze_at = FREEZE
        db.session.commit()
        ids = Ids(seminar.slug, seminar.id, {k: u.id for k, u in users.items()},
                  {k: p.id for k, p in people.items()}, {k: c.id for k, c in criteria.items()})
    assert run_sync(app, ids.seminar)["status"] == "success"
    return ids


@pytest.fixture
def graded(app: Flask, wiki: LocalWiki, history: Scenario) -> Ids:
    """The synced seminar of this test's database."""
    return build(app, wiki, history)


def test_grades_use_the_revisions_up_to_the_freeze_date(app: Flask, graded: Ids) -> None:
    with app.app_context():
        seminar = db.session.get(Seminar, graded.seminar)
        book = seminar_gradebook(db.session, seminar)
        lines = {g.name: g for g in book.grades}
        figures = {f.name: f for f in book.figures}
        assert set(lines) == {"Élodie Lefèvre", "Bruno Petit", "@Chloé Dubois", "Denis Sans-Compte"}
        assert (figures["Élodie Lefèvre"].words_added, figures["Élodie Lefèvre"].references_added) == (18, 1)
        c = graded.criteria
        elodie = lines["Élodie Lefèvre"]
        # (2 × 18/36 + 1 × 1/2 + 1 × 0.85) / 4 = 0.5875 → 11.75 → 12.0
        assert elodie.scores == {c["words"]: 0.5, c["refs"]: 0.5, c["oral"]: 0.85}
        assert elodie.suggested == 12.0 and elodie.final is None and elodie.complete  # not decided
        bruno = lines["Bruno Petit"]
        # (2 × 8/36 + 0) / 3 (no oral mark yet) = 0.148 → 2.96 → 3.0; overridden to 10
        assert bruno.suggested == 3.0 and not bruno.complete and bruno.final == 10.0
        assert lines["@Chloé Dubois"].suggested == 0.0 and lines["Denis Sans-Compte"].suggested == 0.0

        late = {f.name: f for f in student_figures(db.session, seminar, since=FREEZE)}
        assert (late["Élodie Lefèvre"].edits, late["Élodie Lefèvre"].words_added) == (1, 8)
        everything = {f.name: f for f in student_figures(db.session, seminar)}
        assert everything["Élodie Lefèvre"].words_added == 26

        seminar.freeze_at = None  # without the freeze the late words count: 26/36
        unfrozen = {g.name: g for g in seminar_gradebook(db.session, seminar).grades}
        assert unfrozen["Élodie Lefèvre"].suggested == 14.0  # 0.6986 × 20 = 13.97


def test_grade_and_seminar_exports_match_the_figures(app: Flask, graded: Ids, runner: FlaskCliRunner,
                                                    tmp_path: Path) -> None:
    out_csv, out_xlsx, out_json = tmp_path / "notes.csv", tmp_path / "notes.xlsx", tmp_path / "sem.json"
    for args in (["export", "grades", graded.slug, "--format", "csv", "--locale", "en", "-o", str(out_csv)],
                 ["export", "grades", graded.slug, "--locale", "en", "-o", str(out_xlsx)],
                 ["export", "seminar", graded.slug, "-o", str(out_json)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        seminar = db.session.get(Seminar, graded.seminar)
        figures = {f.participant_id: f for f in student_figures(db.session, seminar, until=FREEZE)}
        book = seminar_gradebook(db.session, seminar)

    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = {r["participant_id"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert len(rows) == 4  # students only: the auditor is not graded
    for pid, row in rows.items():
        f = figures[int(pid)]
        for metric in STUDENT_METRICS:
            value = f.value(metric.id)
            assert row[metric.id] == ("" if value is None else str(value)), metric.id
    elodie = rows[str(graded.people["elodie"])]
    assert elodie["name"] == "Élodie Lefèvre" and elodie["account_verified"] == "0"
    assert elodie["topic"] == "Travail du clic" and elodie["topic_status"] == "approved"
    assert elodie["score: Mots ajoutés (/20)"] == "10.0" and elodie["score: Oral (/20)"] == "17.0"
    assert elodie["suggested_grade (/20)"] == "12.0" and elodie["final_grade (/20)"] == ""
    assert elodie["figures_until"] == "2024-03-01T00:00:00Z"
    bruno = rows[str(graded.people["bruno"])]
    assert bruno["final_grade (/20)"] == "10.0" and bruno["grade_override (/20)"] == "10.0"
    assert bruno["comment"] == "'" + EVIL  # formula injection neutralised
    assert rows[str(graded.people["chloe"])]["name"] == "'@Chloé Dubois"

    sheet = openpyxl.load_workbook(out_xlsx).active
    header = [c.value for c in sheet[1]]
    cells = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    assert set(cells) == {int(pid) for pid in rows}
    e = cells[graded.people["elodie"]]
    assert e["words_added"].value == 18 and e["words_added"].data_type == "n"
    assert e["suggested_grade (/20)"].value == 12.0 and e["suggested_grade (/20)"].number_format == "0.0"
    assert e["first_edit"].value == dt.datetime(2024, 1, 10, 10, 0) and e["first_edit"].is_date
    assert e["figures_until"].value == dt.datetime(2024, 3, 1) and e["account_verified"].value is False
    b = cells[graded.people["bruno"]]
    assert b["comment"].value == "'" + EVIL and b["comment"].data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    for pid, row in cells.items():
        for metric in STUDENT_METRICS:
            assert row[metric.id].value == figures[pid].value(metric.id), metric.id

    record = json.loads(out_json.read_text())
    assert record["seminar"]["slug"] == graded.slug and record["seminar"]["freeze_at"] == "2024-03-01T00:00:00Z"
    assert {p["name"] for p in record["participants"]} >= {"Élodie Lefèvre", "Aude Auditrice"}
    mine = [r for r in record["revisions"] if r["participant_id"] == graded.people["elodie"]]
    assert [r["metrics"]["words_added"] for r in mine] == [8, 10, 8]
    assert {g["participant_id"]: g["final"] for g in record["grades"]} == {
        g.participant_id: g.final for g in book.grades}
    assert [c["label"] for c in record["rubric"]] == ["Mots ajoutés", "Sources", "Oral"]


def test_report_pages_say_what_each_student_did_and_who_may_read_them(app: Flask, graded: Ids) -> None:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    people, slug = graded.people, graded.slug

    def report(pid: int) -> tuple[int, str]:
        response = client.get(f"/seminars/{slug}/students/{pid}/report")
        return response.status_code, text_of(response.get_data(as_text=True))

    assert client.get(f"/seminars/{slug}/students/{people['elodie']}/report").status_code == 302
    login_as(client, graded.users["ines"])
    status, page = report(people["elodie"])
    assert status == 200
    assert "Élodie Lefèvre" in page and "Travail du clic (approved)" in page
    assert "unverified" in page and "Figures up to" in page
    assert "Words added 18" in page and "References added 1" in page
    assert NEW in page and "Le travail du clic désigne des micro-tâches rémunérées." in page
    assert LATE not in page  # written after the freeze: counted apart, not quoted
    assert "These edits were made after" in page and "Words added 8" in page
    assert "No edit was reverted." in page
    with app.app_context():
        seminar = db.session.get(Seminar, graded.seminar)
        elodie = db.session.get(Participant, people["elodie"])
        first = db.session.scalar(sa.select(sa.func.min(Revision.rev_id)).where(
            Revision.user_id == elodie.wiki_user_id))
        diff = seminar.wiki.siteinfo.diff_url(first)
    html = client.get(f"/seminars/{slug}/students/{people['elodie']}/report").get_data(as_text=True)
    assert "<svg" in html and diff.replace("&", "&amp;") in html

    _, denis = report(people["denis"])
    assert "No Wikipedia account is linked" in denis and "No topic has been chosen." in denis
    assert "No edit was found in the seminar's period." in denis
    _, chloe = report(people["chloe"])
    assert "No topic has been chosen." in chloe and "No edit was found" in chloe
    _, bruno = report(people["bruno"])
    assert "The topic is not approved." in bruno and "Words added 8" in bruno

    login_as(client, graded.users["elodie"])  # a student reads their own report only
    assert report(people["elodie"])[0] == 200
    assert report(people["bruno"])[0] == 403
    own_pdf = client.get(f"/seminars/{slug}/students/{people['elodie']}/report.pdf")
    assert own_pdf.status_code == 200 and own_pdf.mimetype == "application/pdf"
    for path in ("grading", "reports", "programme", "export/grades.csv", "export/seminar.json"):
        assert client.get(f"/seminars/{slug}/{path}").status_code == 403, path

    login_as(client, graded.users["otto"])  # the instructor of another seminar
    assert report(people["elodie"])[0] == 403
    for path in ("grading", "reports", "reports.pdf", "programme", "programme.csv",
                 "export/grades.xlsx", "export/seminar.json", "grading/rubric"):
        assert client.get(f"/seminars/{slug}/{path}").status_code == 403, path


def pdf_text(data: bytes) -> str:
    """Text of every page of a PDF, spaces collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def test_pdf_reports_from_the_cli_and_the_web(app: Flask, graded: Ids, runner: FlaskCliRunner,
                                              tmp_path: Path) -> None:
    one = tmp_path / "elodie.pdf"
    with app.app_context():
        username = db.session.get(Participant, graded.people["elodie"]).wiki_username
    result = runner.invoke(args=["report", graded.slug, "--student", username.replace(" ", "_"),
                                 "-o", str(one)])
    assert result.exit_code == 0, result.output
    text = pdf_text(one.read_bytes())
    assert "Élodie Lefèvre" in text and "Cultures numériques & travail" in text
    assert "janv. 2024" in text and "mars 2024" in text  # dates in French: the seminar's language
    assert "1 mars 2024" in text  # the freeze date
    assert "recrutent des travailleurs" in text

    client = app.test_client()
    login_as(client, graded.users["ines"])
    # The class PDF is built off the request: the click lands on the build's page.
    response = client.get(f"/seminars/{graded.slug}/reports.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 302 and "/reports/builds/" in response.location
    assert documents.join_threads()
    page = client.get(response.location, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Open the PDF" in page.get_data(as_text=True)
    response = client.get(response.location + ".pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for name in ("Élodie Lefèvre", "Bruno Petit", "@Chloé Dubois", "Denis Sans-Compte", "Aude Auditrice"):
        assert text.count(name) >= 2, name  # in the contents and on its report
    assert "Jan 8, 2024" in text and "No Wikipedia account is linked" in text

    html = runner.invoke(args=["report", graded.slug, "--format", "html", "--lang", "en"])
    assert html.exit_code == 0 and "Wikipedia contribution reports" in html.output
    assert html.output.count('class="report"') == 5


def test_class_pdf_parts_of_real_histories_are_kept_while_nothing_changes(app: Flask, graded: Ids) -> None:
    """Reports with charts and excerpts render to the same HTML twice: no part is redone."""
    with app.app_context():
        seminar = db.session.get(Seminar, graded.seminar)
        first = classpdf.class_parts(seminar, build_reports(db.session, seminar), "fr")
        again = classpdf.class_parts(seminar, build_reports(db.session, seminar), "fr")
    assert any("<svg" in part.html for part in first)  # the charts are there
    assert [p.key for p in first] == [p.key for p in again]
