"""Both journeys in a real headless Chromium (Debian's), against the app served over HTTP.

The instructor (French interface, JavaScript on) creates a seminar on the local MediaWiki,
adds sessions, imports a roster and approves a topic; the student (English interface, a
phone-sized window, JavaScript OFF: the pages must work without it) joins with the
passcode, links the account with the on-wiki code, proposes a topic and sees the decision.
CSRF protection stays on. Full-page screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Seminar

from .browserkit import live_server, screenshot
from .localwiki import LocalWiki, PageSpec, Rev
from .webkit import PASSWORD, add_user

pytestmark = [pytest.mark.browser, pytest.mark.wiki]


def shot(page: object, name: str) -> None:
    """A full-page screenshot in test-artifacts/browser/."""
    screenshot(page, f"browser/{name}")


def test_instructor_and_student_journeys(browser: object, sqlite_app: Flask, wiki: LocalWiki,
                                         tmp_path: Path) -> None:
    app = sqlite_app  # CSRF protection on
    tag = uuid.uuid4().hex[:6]
    student_wiki_name = f"Élodie Web {tag}"
    existing = f"Travail numérique {tag}"
    missing = f"Microtravail des plateformes {tag}"
    wiki.create_users([student_wiki_name])
    wiki.import_pages([PageSpec(existing, [Rev(f"Auteur {tag}", dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                                               "Le '''travail numérique'''.")])])
    with app.app_context():
        prof = add_user("prof@example.org", "Inès Prof", instructor=True)
        prof.is_admin = True  # the local wiki is not a Wikimedia one: only an operator adds it
        db.session.commit()
    today = dt.date.today()
    soon = today + dt.timedelta(days=7)

    with live_server(app) as base:
        teacher_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        teacher = teacher_context.new_page()
        teacher.set_default_timeout(20_000)

        # (a) The instructor signs in and creates a seminar on the local MediaWiki.
        teacher.goto(f"{base}/auth/login")
        teacher.fill("#email", "prof@example.org")
        teacher.fill("#password", PASSWORD)
        teacher.get_by_role("button", name="Se connecter").click()
        teacher.get_by_role("link", name="Nouveau séminaire").click()
        teacher.fill("#title", f"Cultures numériques {tag}")
        teacher.fill("#slug", f"cultures-{tag}")
        teacher.fill("#api_url", wiki.api_url)
        teacher.fill("#start_date", (today - dt.timedelta(days=14)).isoformat())
        teacher.fill("#end_date", (today + dt.timedelta(days=120)).isoformat())
        teacher.fill("#restitution_date", (today + dt.timedelta(days=110)).isoformat())
        teacher.fill("#restitution_time", "14:00")
        teacher.fill("#restitution_place", "Amphi B")
        shot(teacher, "01-instructor-new-seminar")
        teacher.get_by_role("button", name="Créer le séminaire").click()
        teacher.get_by_text("Séminaire créé").wait_for()
        shot(teacher, "02-instructor-overview")

        # Sessions: a thematic one and an in-depth one, open to auditors.
        for title, kind, day in (("Travail du clic, plateformes; IA", "thematic", soon),
                                 ("Atelier d’écriture Wikipédia", "in_depth", soon + dt.timedelta(days=7))):
            teacher.get_by_role("link", name="Ajouter une séance").first.click()
            teacher.fill("#title", title)
            teacher.fill("#date", day.isoformat())
            teacher.fill("#start_time", "14:00")
            teacher.fill("#end_time", "17:00")
            teacher.fill("#place", "Salle 101")
            teacher.select_option("#kind", kind)
            teacher.fill("#speakers", "A. Casilli")
            teacher.get_by_role("button", name="Enregistrer").click()
            teacher.get_by_text("Séance ajoutée.").wait_for()
        shot(teacher, "03-instructor-calendar")
        feed = teacher.locator("code.copy").first.inner_text()
        ics = teacher_context.request.get(feed)
        assert ics.ok and "BEGIN:VCALENDAR" in ics.text()

        # Roster: the student's account as the instructor typed it, and an unknown one.
        roster = tmp_path / "roster.csv"
        roster.write_text("name,email,wiki_username,role\n"
                          f"Élodie Martin,elodie-{tag}@example.org,{student_wiki_name},student\n"
                          f"Nadia Inconnue,nadia-{tag}@example.org,Personne {tag},student\n",
                          encoding="utf-8")
        teacher.get_by_role("link", name="Participants").first.click()
        teacher.get_by_role("link", name="Importer une liste").click()
        teacher.set_input_files("#file", str(roster))
        teacher.get_by_role("button", name="Voir l’aperçu de l’import").click()
        teacher.get_by_role("button", name="Confirmer l’import").click()
        teacher.get_by_text("1 ajoutés, 0 mis à jour, 0 inchangés, 0 en conflit, 1 ignorés.").wait_for()
        assert f"Personne {tag}" in teacher.content()
        shot(teacher, "04-instructor-roster-report")

        with app.app_context():
            seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == f"cultures-{tag}"))
            assert seminar is not None
            join_url, passcode, slug = f"{base}/join/{seminar.invite_token}", seminar.passcode, seminar.slug

        # (b) The student joins on a phone, without JavaScript, in English.
        student_context = browser.new_context(  # type: ignore[attr-defined]
            locale="en-GB", java_script_enabled=False, viewport={"width": 390, "height": 844},
            is_mobile=True)
        student = student_context.new_page()
        student.set_default_timeout(20_000)
        student.goto(join_url)
        student.fill("#passcode", "wrong")
        student.fill("#name", "Élodie Martin")
        student.fill("#email", f"elodie-{tag}@example.org")
        student.fill("#password", "elodie-password-1")
        student.fill("#confirm", "elodie-password-1")
        student.get_by_role("button", name="Join the seminar").click()
        student.get_by_text("Wrong passcode.").wait_for()
        shot(student, "05-student-wrong-passcode")
        student.fill("#passcode", passcode or "")
        student.fill("#password", "elodie-password-1")
        student.fill("#confirm", "elodie-password-1")
        student.get_by_role("button", name="Join the seminar").click()
        student.get_by_text("Welcome to").wait_for()
        # Typing the roster's email proves nothing: a pending claim, none of the line's details.
        assert "waiting for confirmation" in student.content()
        assert student_wiki_name not in student.content()
        shot(student, "06-student-space-pending")

        # Linking the account named on the roster line proves it: the line becomes hers.
        student.get_by_role("link", name="Link my account").first.click()
        student.fill("#username", student_wiki_name)
        student.get_by_role("button", name="Get a code").click()
        code = student.locator("code.code-big").inner_text().strip()
        page_title = f"Utilisateur:{student_wiki_name}/wikiseminar"
        assert page_title in student.content()
        shot(student, "07-student-link-code")
        wiki.edit_as(student_wiki_name, page_title, f"Code : {code}")
        student.get_by_role("button", name="Check").click()
        student.get_by_text(f"Your account {student_wiki_name} is verified.").wait_for()
        assert "waiting for confirmation" not in student.content()
        shot(student, "08-student-verified")

        # Propose a topic: one article to improve, one to create (its draft gets the default).
        student.get_by_role("link", name="Propose a topic").first.click()
        student.fill("#new_title", "Le travail des plateformes")
        student.fill("#new_description", "Micro-travail, modération, données.")
        student.fill("#articles-0-title", missing)
        student.select_option("#articles-0-kind", "improve")
        student.get_by_role("button", name="Send to the instructor").click()
        student.get_by_text(f"{missing} does not exist on").wait_for()  # checked on the wiki
        shot(student, "09-student-title-error")
        student.select_option("#articles-0-kind", "create")
        student.fill("#articles-1-title", existing)
        student.select_option("#articles-1-kind", "improve")
        student.get_by_role("button", name="Send to the instructor").click()
        student.get_by_text("Your proposal was sent to the instructor.").wait_for()
        assert f"Utilisateur:{student_wiki_name}/Brouillon" in student.content()
        shot(student, "10-student-proposal-sent")

        # The instructor approves it with a comment.
        teacher.goto(f"{base}/seminars/{slug}/")
        teacher.get_by_role("link", name=re.compile("Élodie Martin")).first.click()
        teacher.get_by_label("Valider").check()
        teacher.fill("#comment", "Très bon sujet : commencez par les sources secondaires.")
        shot(teacher, "11-instructor-review")
        teacher.get_by_role("button", name="Envoyer la décision").click()
        teacher.get_by_text("Décision enregistrée").wait_for()
        shot(teacher, "12-instructor-topics")

        # The student sees the decision.
        student.goto(f"{base}/seminars/{slug}/me")
        student.get_by_text("approved").first.wait_for()
        assert "commencez par les sources secondaires" in student.content()
        shot(student, "13-student-decision")

        # The language switch works without JavaScript too.
        student.get_by_role("link", name="FR").click()
        student.get_by_text("Votre sujet").wait_for()
        shot(student, "14-student-space-french")
        teacher_context.close()
        student_context.close()

    with app.app_context():
        participant = db.session.scalar(sa.select(Participant).where(
            Participant.email == f"elodie-{tag}@example.org"))
        assert participant is not None and participant.wiki_verified
        assert participant.assignment is not None
        assert participant.assignment.status.value == "approved"
