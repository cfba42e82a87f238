"""Sessions and guest lists from the command line: session add/list/import, export registrations."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.extensions import db
from wikiseminar.models import Seminar, SeminarSession, SessionKind
from wikiseminar.reports.pdf import pdf_available

from .browserkit import ARTIFACTS
from .localwiki import LocalWiki
from .publickit import add_open_session, make_public, register
from .webkit import seed


def session_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SeminarSession)) or 0


@pytest.mark.wiki
def test_seminar_create_public(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki) -> None:
    for slug, flag, public in (("sem-pub", "--public", True), ("sem-priv", None, False)):
        args = ["seminar", "create", slug, "--title", "Cultures", "--wiki", wiki.api_url,
                "--start", "2026-01-08", "--end", "2026-03-31", "--instructor", "prof@example.org"]
        result = runner.invoke(args=args + ([flag] if flag else []))
        assert result.exit_code == 0, result.output
        with app.app_context():
            seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
            assert seminar is not None and seminar.public is public
    assert app.test_client().get("/programme/sem-pub").status_code == 200
    assert app.test_client().get("/programme/sem-priv").status_code == 404


def test_session_add_and_list(app: Flask, runner: FlaskCliRunner) -> None:
    seed(app)
    before = session_count(app)
    result = runner.invoke(args=[
        "session", "add", "sem-a", "--date", "2027-01-12", "--start", "18:30", "--end", "20:00",
        "--kind", "in_depth", "--title", "Les travailleurs du clic", "--place", "Librairie",
        "--speakers", "A. Casilli", "--places", "30"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added session ")
    with app.app_context():
        item = db.session.scalar(sa.select(SeminarSession).where(
            SeminarSession.title == "Les travailleurs du clic"))
        assert item is not None and item.places == 30 and item.kind == SessionKind.IN_DEPTH
        new_id = item.id
    listing = runner.invoke(args=["session", "list", "sem-a"])
    assert listing.exit_code == 0
    assert f"{new_id}\t2027-01-12\t18:30-20:00\tin_depth\t30 places\tLibrairie\tLes travailleurs du clic" \
        in listing.output
    bad = runner.invoke(args=["session", "add", "sem-a", "--date", "2027-01-12", "--start", "20:00",
                              "--end", "18:00", "--kind", "thematic", "--title", "X"])
    assert bad.exit_code != 0 and "end 18:00 is not after start 20:00" in bad.output
    unknown = runner.invoke(args=["session", "list", "nope"])
    assert unknown.exit_code != 0 and "no seminar 'nope'" in unknown.output
    assert session_count(app) == before + 1


def test_session_import_is_all_or_nothing(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    seed(app)
    before = session_count(app)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date;start;end;kind;title;place;places\n"
        "2027-01-12;18:30;20:00;in_depth;Séance 1;Librairie;30\n"
        "2027-01-19;18:30;20:00;approfondie;Séance 2;Librairie;30\n"
        "2027-13-26;18:30;20:00;thematic;Séance 3;Salle 101;\n"
        "2027-02-02;14:00;17:00;restitution;Restitution;Amphi B;many\n", encoding="utf-8")
    result = runner.invoke(args=["session", "import", "sem-a", str(bad)])
    assert result.exit_code != 0
    assert "line 3: kind 'approfondie' is not one of thematic|in_depth|restitution" in result.output
    assert "line 4: date '2027-13-26'" in result.output
    assert "line 5: places 'many' is not a whole number" in result.output
    assert "nothing imported" in result.output
    assert session_count(app) == before

    good = tmp_path / "term.csv"
    good.write_bytes(
        "date,start,end,kind,title,place,address,speakers,places,description\n"
        "2027-01-12,18:30,20:00,in_depth,Séance 1,Librairie,12 rue des Tilleuls,A. Casilli,30,\n"
        "2027-01-19,14:00,17:00,thematic,\"Séance 2, plateformes\",Salle 101,,,,Lire avant\n"
        "\n".encode("cp1252"))
    result = runner.invoke(args=["session", "import", "sem-a", str(good)])
    assert result.exit_code == 0, result.output
    assert "imported 2 sessions into sem-a" in result.output
    with app.app_context():
        item = db.session.scalar(sa.select(SeminarSession).where(
            SeminarSession.title == "Séance 2, plateformes"))
        assert item is not None and item.places is None and item.description == "Lire avant"
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(args=["session", "import", "sem-a", str(empty)])
    assert result.exit_code != 0 and "missing column(s) date, kind, title" in result.output


def test_export_registrations_for_the_venue(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    world = seed(app)
    make_public(app, "sem-a")
    session_id = add_open_session(app, "sem-a", places=2)
    client = app.test_client()
    for name in ("Zoé Durand", "Émile Zola", "Ana Lopes", "Marc Petit"):
        register(client, "sem-a", session_id, name, f"{name.split()[0].lower()}@example.org", "Paris 8")
    result = runner.invoke(args=["export", "registrations", "sem-a", "--session", str(session_id),
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    # Confirmed by name (accents ignored), then the waiting list in its order.
    assert [(r["list"], r["position"], r["name"]) for r in rows] == [
        ("confirmed", "", "Émile Zola"), ("confirmed", "", "Zoé Durand"),
        ("waiting", "1", "Ana Lopes"), ("waiting", "2", "Marc Petit")]
    assert rows[0]["email"] == "émile@example.org" and rows[0]["affiliation"] == "Paris 8"
    missing = runner.invoke(args=["export", "registrations", "sem-a", "--session", "99999"])
    assert missing.exit_code != 0 and "no session 99999" in missing.output

    # The same from the calendar page, for the instructor only.
    from .webkit import login_as
    instructor, student = app.test_client(), app.test_client()
    login_as(instructor, world.users["instructor"])
    login_as(student, world.users["student"])
    page = instructor.get("/seminars/sem-a/calendar").get_data(as_text=True)
    assert f"/seminars/sem-a/calendar/registrations.csv?session={session_id}" in page
    assert "2 of 2 places taken, 2 waiting" in page
    web = instructor.get(f"/seminars/sem-a/calendar/registrations.csv?session={session_id}")
    assert web.status_code == 200 and web.mimetype == "text/csv"
    assert [r["name"] for r in csv.DictReader(io.StringIO(web.get_data(as_text=True)))] == \
        [r["name"] for r in rows]
    assert student.get("/seminars/sem-a/calendar/registrations.csv").status_code == 403
    assert pdf_available()
    out = tmp_path / "liste.pdf"
    result = runner.invoke(args=["export", "registrations", "sem-a", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    artefact = ARTIFACTS / "public" / "guest-list.pdf"
    artefact.parent.mkdir(parents=True, exist_ok=True)
    artefact.write_bytes(out.read_bytes())
    assert instructor.get("/seminars/sem-a/calendar/registrations.pdf").data.startswith(b"%PDF")
