"""Rosters as people have them, and re-imports that never rewrite a person silently."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Role, Seminar, User
from wikiseminar.services.roster import RosterError, parse_roster, read_roster

from .localwiki import LocalWiki

FRENCH_EXCEL = ("Nom;Courriel;Compte wiki;Rôle\r\n"
                "Élodie Martin;elodie@example.org;Élodie M;étudiante\r\n"
                "Bruno Pétit;bruno@example.org;;auditeur libre\r\n"
                "Zoé Œuvre;zoe@example.org;;Auditrice libre\r\n"
                "Léo Gaël;leo@example.org;Utilisateur:Léo_G;Étudiant\r\n")


def test_a_french_excel_roster_reads_as_is() -> None:
    rows = parse_roster(FRENCH_EXCEL.encode("cp1252"))
    assert [(r.name, r.email, r.wiki_username, r.role) for r in rows] == [
        ("Élodie Martin", "elodie@example.org", "Élodie M", Role.STUDENT),
        ("Bruno Pétit", "bruno@example.org", "", Role.AUDITOR),
        ("Zoé Œuvre", "zoe@example.org", "", Role.AUDITOR),
        ("Léo Gaël", "leo@example.org", "Léo G", Role.STUDENT)]


@pytest.mark.parametrize("encoding, separator, header", [
    ("utf-8-sig", "\t", "name\te-mail\twiki_username\trole"),
    ("utf-8", ",", "nom,email,nom d'utilisateur,role"),
    ("latin-1", ";", "NOM;E-mail;Nom d’utilisateur;rôle".replace("’", "'")),
    ("utf-8", ";", "Nom ; Courriel ; Nom d’utilisateur ; Rôle"),
])
def test_encodings_separators_and_column_names(encoding: str, separator: str, header: str) -> None:
    body = separator.join(["Chloé Durand", "chloe@example.org", "Chloé D", "auditrice"])
    rows = parse_roster(f"{header}\n{body}\n".encode(encoding))
    assert [(r.name, r.wiki_username, r.role) for r in rows] == [("Chloé Durand", "Chloé D", Role.AUDITOR)]


def test_commas_inside_semicolon_separated_names() -> None:
    rows = parse_roster("Nom;Courriel;Compte wiki;Rôle\nMartin, Élodie;e@example.org;;étudiante\n"
                        "Petit, Bruno;b@example.org;;auditeur\n")
    assert [(r.name, r.role) for r in rows] == [("Martin, Élodie", Role.STUDENT),
                                                ("Petit, Bruno", Role.AUDITOR)]


def test_binary_is_refused_with_a_hint() -> None:
    with pytest.raises(RosterError, match="not UTF-8 or Windows-1252 text"):
        parse_roster(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")


def test_every_bad_line_is_reported() -> None:
    parsed = read_roster(b"name,email,wiki_username,role\n"
                         b"A,a@b.org,X,student\n"
                         b",b@b.org,Y,student\n"
                         b"C,not-an-email,Z,student\n"
                         b"D,d@b.org,W,teacher\n"
                         b"E,e@b.org,V,auditor\n")
    assert [r.name for r in parsed.rows] == ["A", "E"]
    assert [line for line, _reason in parsed.errors] == [3, 4, 5]
    assert "role 'teacher' must be student or auditor" in parsed.errors[2][1]


# ---- re-import on a real wiki ----------------------------------------------------------------

def _setup(runner: FlaskCliRunner, wiki: LocalWiki, tmp_path: Path) -> dict[str, str]:
    tag = uuid.uuid4().hex[:6]
    names = {"ana": f"Ana {tag}", "ben": f"Ben {tag}", "cam": f"Cam {tag}"}
    wiki.create_users(list(names.values()))
    created = runner.invoke(args=["seminar", "create", "roster-sem", "--title", "T", "--wiki",
                                  wiki.api_url, "--start", "2024-01-08", "--end", "2024-03-31",
                                  "--instructor", "owner@example.org"])
    assert created.exit_code == 0, created.output
    return names


def _csv(tmp_path: Path, text: str, name: str = "r.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _people(app: Flask) -> dict[str, tuple[str, str | None, str | None, str]]:
    with app.app_context():
        return {p.name: (p.name, p.email, p.wiki_username, p.role.value)
                for p in db.session.scalars(sa.select(Participant).where(
                    Participant.role != Role.INSTRUCTOR))}


@pytest.mark.wiki
def test_reimport_reports_conflicts_and_changes_nobody(
        app: Flask, runner: FlaskCliRunner, wiki: LocalWiki, tmp_path: Path) -> None:
    n = _setup(runner, wiki, tmp_path)
    first = _csv(tmp_path, "name,email,wiki_username,role\n"
                 f"Ana Alves,ana@example.org,{n['ana']},student\n"
                 f"Ben Bois,ben@example.org,{n['ben']},student\n")
    assert runner.invoke(args=["roster", "import", "roster-sem", first]).exit_code == 0
    before = _people(app)
    # Line 2: Ana's wiki account under another name and email; line 3: Ben's email, other name;
    # lines 4 and 5 share one wiki account.
    second = _csv(tmp_path, "name,email,wiki_username,role\n"
                  f"Mallory,mallory@example.org,{n['ana']},student\n"
                  f"Benoît Bois,ben@example.org,{n['ben']},student\n"
                  f"Cam One,cam1@example.org,{n['cam']},student\n"
                  f"Cam Two,cam2@example.org,{n['cam']},student\n", "second.csv")
    result = runner.invoke(args=["roster", "import", "roster-sem", second])
    assert result.exit_code == 3, result.output
    for line in (2, 3, 4, 5):
        assert f"{second}:{line}: conflict:" in result.output
    assert "0 added, 0 updated, 0 unchanged, 4 conflicts, 0 skipped" in result.output
    assert _people(app) == before


@pytest.mark.wiki
def test_update_is_an_explicit_action_with_before_and_after(
        app: Flask, runner: FlaskCliRunner, wiki: LocalWiki, tmp_path: Path) -> None:
    n = _setup(runner, wiki, tmp_path)
    first = _csv(tmp_path, f"name,email,wiki_username,role\nBen Bois,ben@example.org,{n['ben']},student\n")
    assert runner.invoke(args=["roster", "import", "roster-sem", first]).exit_code == 0
    again = runner.invoke(args=["roster", "import", "roster-sem", first])
    assert again.exit_code == 0 and "0 added, 0 updated, 1 unchanged" in again.output
    fixed = _csv(tmp_path, f"name,email,wiki_username,role\nBenoît Bois,ben@example.org,{n['ben']},auditor\n",
                 "fixed.csv")
    assert runner.invoke(args=["roster", "import", "roster-sem", fixed]).exit_code == 3
    dry = runner.invoke(args=["roster", "import", "roster-sem", fixed, "--update", "--dry-run"])
    assert dry.exit_code == 0 and "dry run, nothing written" in dry.output
    assert "Ben Bois" in _people(app)
    updated = runner.invoke(args=["roster", "import", "roster-sem", fixed, "--update"])
    assert updated.exit_code == 0, updated.output
    assert "line 2: Ben Bois → Benoît Bois" in updated.output
    assert "student → auditor" in updated.output
    assert _people(app)["Benoît Bois"][3] == "auditor"


@pytest.mark.wiki
def test_a_roster_never_touches_an_instructor(
        app: Flask, runner: FlaskCliRunner, wiki: LocalWiki, tmp_path: Path) -> None:
    _setup(runner, wiki, tmp_path)
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar))
        user = User(email="prof@example.org", name="Prof", is_instructor=True)
        db.session.add(Participant(seminar=seminar, user=user, name="Prof",
                                   email="prof@example.org", role=Role.INSTRUCTOR))
        db.session.commit()
    roster = _csv(tmp_path, "name,email,wiki_username,role\nProf,PROF@example.org,,student\n")
    for extra in ([], ["--update"]):
        result = runner.invoke(args=["roster", "import", "roster-sem", roster, *extra])
        assert result.exit_code == 3, result.output
        assert "instructor" in result.output
    with app.app_context():
        prof = db.session.scalar(sa.select(Participant).where(Participant.name == "Prof"))
        assert prof is not None and prof.role == Role.INSTRUCTOR


@pytest.mark.wiki
def test_no_path_leaves_a_seminar_without_an_instructor(
        app: Flask, runner: FlaskCliRunner, wiki: LocalWiki, tmp_path: Path) -> None:
    from wikiseminar.services.enrolment import (
        EnrolmentError,
        delete_participant_data,
        remove_participant,
    )

    _setup(runner, wiki, tmp_path)  # owner@example.org is the only instructor
    forget = runner.invoke(args=["participant", "forget", "roster-sem", "--email",
                                 "owner@example.org", "--yes"])
    assert forget.exit_code == 1 and "instructors are removed, not deleted" in forget.output
    roster = _csv(tmp_path, "name,email,wiki_username,role\nOwner,owner@example.org,,auditor\n")
    assert runner.invoke(args=["roster", "import", "roster-sem", roster, "--update"]).exit_code == 3
    with app.app_context():
        owner = db.session.scalar(sa.select(Participant).where(Participant.role == Role.INSTRUCTOR))
        assert owner is not None
        with pytest.raises(EnrolmentError):
            remove_participant(db.session, owner)
        with pytest.raises(EnrolmentError):
            delete_participant_data(db.session, owner)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant).where(
            Participant.role == Role.INSTRUCTOR, Participant.removed_at.is_(None))) == 1
