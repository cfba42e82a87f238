"""The web roster import: a preview first, every bad line, conflicts, explicit updates."""

from __future__ import annotations

import io
import re
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Role
from wikiseminar.sync.pipeline import client_for

from .localwiki import LocalWiki
from .webkit import login_as, seed, text_of

pytestmark = pytest.mark.wiki


def upload(client, data: bytes, lang: str = "en"):  # type: ignore[no-untyped-def]
    return client.post("/seminars/sem-a/participants/import", headers={"Accept-Language": lang},
                       data={"file": (io.BytesIO(data), "roster.csv")},
                       content_type="multipart/form-data")


def hidden_content(page: str) -> str:
    import html

    found = re.search(r'name="content"[^>]*value="([^"]*)"', page) or \
        re.search(r'value="([^"]*)"[^>]*name="content"', page)
    assert found, "no confirm form in the preview"
    return html.unescape(found.group(1))


def count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) or 0


def test_french_excel_roster_preview_then_confirm(app: Flask, wiki: LocalWiki) -> None:
    world = seed(app, api_url=wiki.api_url, siteinfo=client_for(wiki.api_url, app.config).siteinfo())
    tag = uuid.uuid4().hex[:6]
    wiki.create_users([f"Rosa {tag}"])
    roster = ("Nom;Courriel;Compte wiki;Rôle\r\n"
              f"Rosa Lévêque;rosa-{tag}@example.org;Rosa {tag};étudiante\r\n"
              f"Rémi Noël;remi-{tag}@example.org;;auditeur libre\r\n").encode("cp1252")
    client = app.test_client()
    login_as(client, world.users["instructor"])
    before = count(app)
    response = upload(client, roster, "fr")
    page = response.get_data(as_text=True)
    assert "Aperçu" in text_of(page) and "2 à ajouter" in text_of(page)
    assert "Rosa Lévêque" in text_of(page) and "Rémi Noël" in text_of(page)
    assert count(app) == before  # nothing written by the preview
    done = client.post("/seminars/sem-a/participants/import", headers={"Accept-Language": "fr"},
                       data={"content": hidden_content(page), "action": "import"})
    assert "2 ajoutés" in text_of(done.get_data(as_text=True))
    assert count(app) == before + 2
    with app.app_context():
        remi = db.session.scalar(sa.select(Participant).where(Participant.name == "Rémi Noël"))
        assert remi is not None and remi.role == Role.AUDITOR


def test_every_bad_line_is_listed_and_nothing_written(app: Flask, wiki: LocalWiki) -> None:
    world = seed(app, api_url=wiki.api_url, siteinfo=client_for(wiki.api_url, app.config).siteinfo())
    client = app.test_client()
    login_as(client, world.users["instructor"])
    before = count(app)
    page = text_of(upload(client, b"name,email,wiki_username,role\n"
                                  b"A,a@b.org,,student,extra\n"
                                  b"B,not-an-email,,student\n"
                                  b"C,c@b.org,,teacher\n"
                                  b"D,d@b.org,,student\n").get_data(as_text=True))
    assert "Line 2: 5 fields, the header has 4" in page
    assert "Line 3: 'not-an-email' is not an email address" in page
    assert "Line 4: role 'teacher' must be student or auditor" in page
    assert "Confirm the import" not in page
    assert count(app) == before


def test_conflicts_change_nobody_and_an_update_shows_before_after(app: Flask, wiki: LocalWiki) -> None:
    world = seed(app, api_url=wiki.api_url, siteinfo=client_for(wiki.api_url, app.config).siteinfo())
    client = app.test_client()
    login_as(client, world.users["instructor"])
    # The seeded student is Élodie Martin, elodie@example.org; the instructor ines@example.org.
    page = upload(client, b"name,email,wiki_username,role\n"
                          b"Mallory,elodie@example.org,,student\n"
                          b"Ines Student,ines@example.org,,student\n").get_data(as_text=True)
    text = text_of(page)
    assert "Line 2: Élodie Martin is already in the seminar with other details" in text
    assert "Line 3: Inès Prof is an instructor of this seminar" in text
    assert re.search(r"Before After 2 Élodie Martin Mallory", text)
    content = hidden_content(page)
    client.post("/seminars/sem-a/participants/import", data={"content": content, "action": "import"})
    with app.app_context():
        names = {p.name for p in db.session.scalars(sa.select(Participant))}
        assert "Mallory" not in names and "Élodie Martin" in names
    client.post("/seminars/sem-a/participants/import", data={"content": content, "action": "update"})
    with app.app_context():
        student = db.session.get(Participant, world.participants["student"])
        instructor = db.session.get(Participant, world.participants["instructor"])
        assert student is not None and student.name == "Mallory"
        assert instructor is not None and instructor.role == Role.INSTRUCTOR
