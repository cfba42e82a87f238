"""What the public programme must never show: a seminar full of students, topics and figures."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import AssignedArticle, Participant, Seminar, Topic
from wikiseminar.reports.figures import student_figures

from .dashkit import synced_seminar, text_of
from .localwiki import LocalWiki
from .publickit import add_open_session, make_public, register

PUBLIC_PATHS = ("/programme/{slug}", "/programme/{slug}.ics", "/programme/{slug}/text",
                "/programme/{slug}/text?format=md", "/programme/{slug}/text?format=html")


def test_the_public_page_shows_nothing_about_students(app: Flask, wiki: LocalWiki) -> None:
    world = synced_seminar(app, wiki)
    slug = world.people.slug
    make_public(app, slug)
    session_id = add_open_session(app, slug, places=3)
    client = app.test_client()
    assert register(client, slug, session_id, "Invitée Secrète", "invitee@example.org")[0] == 303
    secrets: set[str] = {"Invitée Secrète", "invitee@example.org"}
    numbers: set[str] = set()
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        assert seminar is not None
        people = db.session.scalars(sa.select(Participant).where(
            Participant.seminar_id == seminar.id)).all()
        assert len(people) >= 4
        for person in people:
            secrets |= {person.name, *(v for v in (person.email, person.wiki_username) if v)}
        secrets |= set(db.session.scalars(sa.select(Topic.title).where(
            Topic.seminar_id == seminar.id)))
        secrets |= set(db.session.scalars(sa.select(AssignedArticle.title)))
        for figures in student_figures(db.session, seminar):
            for value in (figures.chars_added, figures.words_added, figures.edits):
                if value >= 40 and not 1900 <= value <= 2100:  # small ones match dates
                    numbers |= {str(value), f"{value:,}", f"{value:,}".replace(",", "\u202f")}
    assert numbers, "the scenario should have students with figures"
    for path in PUBLIC_PATHS:
        response = client.get(path.format(slug=slug))
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        shown = body + "\n" + text_of(body)
        for secret in secrets:
            assert secret not in shown, (path, secret)
        for number in numbers:
            assert not re.search(rf"(?<![\d\w]){re.escape(number)}(?![\d\w])", shown), (path, number)
    page = text_of(client.get(f"/programme/{slug}").get_data(as_text=True))
    assert "Les travailleurs du clic" in page  # the page did render the programme

    # Publishing topics shows catalogue titles, never a student's own proposal.
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        assert seminar is not None
        student = next(p for p in seminar.participants if p.role == "student")
        seminar.publish_topics = True
        for topic in seminar.topics:
            topic.in_catalogue = False  # those of this scenario carry the student's name
        db.session.add_all([Topic(seminar=seminar, title="Économie des plateformes"),
                            Topic(seminar=seminar, title="Proposé par un étudiant",
                                  proposed_by_id=student.id)])
        db.session.commit()
    page = text_of(client.get(f"/programme/{slug}").get_data(as_text=True))
    assert "Économie des plateformes" in page and "Proposé par un étudiant" not in page
