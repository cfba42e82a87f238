"""Topics and assignments: catalogue, proposals checked against the real wiki, decisions."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import ArticleKind, Assignment, AssignmentStatus, Participant, Topic
from wikiseminar.sync.pipeline import client_for

from .localwiki import LocalWiki, PageSpec, Rev
from .webkit import World, login_as, seed, text_of

pytestmark = pytest.mark.wiki

TOPIC = "/seminars/sem-a/me/topic"


def seed_on_wiki(app: Flask, wiki: LocalWiki) -> World:
    world = seed(app, api_url=wiki.api_url,
                 siteinfo=client_for(wiki.api_url, app.config).siteinfo())
    with app.app_context():  # the student starts without a proposal
        db.session.execute(sa.delete(Assignment))
        db.session.commit()
    return world


def articles(*rows: tuple[str, str, str]) -> dict[str, str]:
    data: dict[str, str] = {}
    for i, (title, kind, sandbox) in enumerate(rows):
        data.update({f"articles-{i}-title": title, f"articles-{i}-kind": kind,
                     f"articles-{i}-sandbox": sandbox})
    return data


def assignment_of(app: Flask, participant_id: int) -> Assignment | None:
    with app.app_context():
        found = db.session.scalar(sa.select(Assignment).where(
            Assignment.participant_id == participant_id))
        if found is not None:
            _ = (found.articles, found.topic)
            db.session.expunge_all()
        return found


def test_proposal_is_checked_against_the_wiki_then_decided(app: Flask, wiki: LocalWiki) -> None:
    world = seed_on_wiki(app, wiki)
    tag = uuid.uuid4().hex[:6]
    existing, missing = f"Travail du clic {tag}", f"Microtravail en Afrique {tag}"
    wiki.import_pages([PageSpec(existing, [Rev(f"Auteur {tag}", dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                                               "Le '''travail du clic'''.")])])
    student = app.test_client()
    login_as(student, world.users["student"])
    assert "Propose a topic" in student.get("/seminars/sem-a/me").get_data(as_text=True)

    base = {"topic": "0", "new_title": "Économie des plateformes",
            "new_description": "Le travail invisible.", "note": "Avec <b>enthousiasme</b>"}
    wrong = {**base, **articles((existing[0].lower() + existing[1:], "create", ""),
                                (missing, "improve", ""),
                                ("<script>alert(1)</script>", "improve", ""))}
    response = student.post(TOPIC, data=wrong, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(page)
    assert f"{existing} already exists on" in text and "choose “improve”" in text
    assert f"{missing} does not exist on" in text and "choose “create”" in text
    assert "is not a valid title" in text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert assignment_of(app, world.participants["student"]) is None

    french = student.post(TOPIC, data=wrong, headers={"Accept-Language": "fr"})
    assert f"{existing} existe déjà sur" in text_of(french.get_data(as_text=True))

    good = {**base, **articles((existing, "improve", ""), (missing, "create", ""))}
    assert student.post(TOPIC, data=good).status_code == 302
    saved = assignment_of(app, world.participants["student"])
    assert saved is not None and saved.status == AssignmentStatus.PROPOSED
    assert saved.topic is not None and saved.topic.title == "Économie des plateformes"
    assert not saved.topic.in_catalogue
    first, second = saved.articles
    assert (first.title, first.kind, first.exists_on_wiki) == (existing, ArticleKind.IMPROVE, True)
    assert first.wiki_page_id and first.sandbox_title is None
    assert (second.title, second.exists_on_wiki, second.wiki_page_id) == (missing, False, None)
    assert second.sandbox_title == "Utilisateur:Élodie M/Brouillon"

    # The instructor asks for changes (a comment is required), then approves the revision.
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    listing = text_of(instructor.get("/seminars/sem-a/topics").get_data(as_text=True))
    assert "Économie des plateformes" in listing and "awaiting decision" in listing
    review = f"/seminars/sem-a/assignments/{saved.id}"
    assert "Avec &lt;b&gt;enthousiasme&lt;/b&gt;" in instructor.get(review).get_data(as_text=True)
    no_comment = instructor.post(review, data={"decision": "changes_requested", "comment": ""})
    assert "in a comment for the student" in text_of(no_comment.get_data(as_text=True))
    instructor.post(review, data={"decision": "changes_requested",
                                  "comment": "Ajoutez <i>des sources</i> secondaires."})
    me = student.get("/seminars/sem-a/me", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "changes requested" in me and "Ajoutez &lt;i&gt;des sources&lt;/i&gt;" in me
    form = student.get(TOPIC).get_data(as_text=True)
    assert existing in form and "Économie des plateformes" in form  # the form comes prefilled
    revised = {**base, "note": "Sources ajoutées.",
               **articles((existing, "improve", ""), (missing, "create", f"Utilisateur:Élodie M/{tag}"))}
    assert student.post(TOPIC, data=revised).status_code == 302
    again = assignment_of(app, world.participants["student"])
    assert again is not None and again.status == AssignmentStatus.PROPOSED
    assert again.articles[1].sandbox_title == f"Utilisateur:Élodie M/{tag}"
    with app.app_context():  # revising reuses the student's own topic
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic).where(
            Topic.in_catalogue.is_(False))) == 1
    instructor.post(review, data={"decision": "approved", "comment": "Très bien."})
    me = text_of(student.get("/seminars/sem-a/me", headers={"Accept-Language": "en"}).get_data(
        as_text=True))
    assert "approved" in me and "Très bien." in me
    locked = student.get(TOPIC)
    assert locked.status_code == 302  # an approved topic is settled


def test_catalogue_topics_are_managed_and_taken(app: Flask, wiki: LocalWiki) -> None:
    world = seed_on_wiki(app, wiki)
    tag = uuid.uuid4().hex[:6]
    existing = f"Économie du partage {tag}"
    wiki.import_pages([PageSpec(existing, [Rev(f"Auteur {tag}", dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                                               "Texte.")])])
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    instructor.post("/seminars/sem-a/topics/new", data={
        "title": "Plateformes de partage", "description": "Airbnb, Uber…",
        "suggested_articles": f"{existing}\n\n  Autre article {tag}  \n"})
    with app.app_context():
        topic = db.session.scalar(sa.select(Topic).where(Topic.title == "Plateformes de partage"))
        assert topic is not None and topic.suggested_list == [existing, f"Autre article {tag}"]
        topic_id = topic.id
    instructor.post(f"/seminars/sem-a/topics/{topic_id}/edit", data={
        "title": "Plateformes de partage", "description": "Airbnb, Uber, BlaBlaCar.",
        "suggested_articles": existing})

    auditor = app.test_client()  # auditors may write too
    login_as(auditor, world.users["auditor"])
    page = auditor.get(TOPIC).get_data(as_text=True)
    assert "Plateformes de partage" in page and "BlaBlaCar" in page
    prefilled = auditor.get(f"{TOPIC}?topic={topic_id}").get_data(as_text=True)
    assert f'value="{existing}"' in prefilled
    done = auditor.post(TOPIC, data={"topic": str(topic_id),
                                     **articles((existing, "improve", ""))})
    assert done.status_code == 302
    taken = assignment_of(app, world.participants["auditor"])
    assert taken is not None and taken.topic is not None and taken.topic.id == topic_id

    # Removing a topic in use keeps it for the assignment, out of the catalogue.
    instructor.post(f"/seminars/sem-a/topics/{topic_id}/delete")
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        assert topic is not None and not topic.in_catalogue
    assert "Plateformes de partage" not in auditor.get(
        "/seminars/sem-a/me/topic").get_data(as_text=True).split("Your proposal")[0]


def test_students_see_nothing_of_other_students(app: Flask, wiki: LocalWiki) -> None:
    world = seed_on_wiki(app, wiki)
    with app.app_context():
        auditor = db.session.get(Participant, world.participants["auditor"])
        assert auditor is not None
        auditor.wiki_username = "Bruno Secret"
        db.session.add(Assignment(participant=auditor, topic=Topic(
            seminar_id=auditor.seminar_id, title="Sujet confidentiel de Bruno", in_catalogue=False)))
        db.session.commit()
    student = app.test_client()
    login_as(student, world.users["student"])
    for path in ("/seminars/sem-a/me", "/seminars/sem-a/me/account", TOPIC,
                 "/seminars/sem-a/calendar"):
        page = student.get(path).get_data(as_text=True)
        assert "Bruno" not in page and "confidentiel" not in page, path
