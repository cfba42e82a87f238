"""Enrolment: the invitation link and passcode, the roster upload, removal and deletion."""

from __future__ import annotations

import io
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Assignment, LoginAttempt, Participant, Role, Topic, User
from wikiseminar.sync.pipeline import client_for

from .localwiki import LocalWiki
from .webkit import login_as, seed, sign_in, text_of


def newcomer(**changes: str) -> dict[str, str]:
    data = {"passcode": "abcd2345", "name": "Chloé Durand", "email": "chloe@example.org",
            "password": "chloe-password-1", "confirm": "chloe-password-1"}
    data.update(changes)
    return data


def rows(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_join_with_the_passcode_creates_account_and_participant(app: Flask) -> None:
    seed(app)
    client = app.test_client()
    page = client.get("/join/invite-a").get_data(as_text=True)
    assert "Cultures numériques" in page and "enrolled student" in page
    response = client.post("/join/invite-a", data=newcomer(passcode=" ABCD 2345 "))
    assert response.status_code == 302 and response.headers["Location"] == "/seminars/sem-a/me"
    assert client.get("/seminars/sem-a/me").status_code == 200  # signed in
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "chloe@example.org"))
        assert user is not None and user.check_password("chloe-password-1")
        assert not user.is_instructor
        participant = db.session.scalar(sa.select(Participant).where(
            Participant.user_id == user.id))
        assert participant is not None and participant.role == Role.STUDENT
        assert participant.account_status == "missing"
    sign_in(app.test_client(), "chloe@example.org", "chloe-password-1")


def test_auditors_link_enrols_as_auditor(app: Flask) -> None:
    seed(app)
    client = app.test_client()
    assert "auditor" in client.get("/join/audit-a").get_data(as_text=True)
    client.post("/join/audit-a", data=newcomer())
    with app.app_context():
        participant = db.session.scalar(sa.select(Participant).where(
            Participant.email == "chloe@example.org"))
        assert participant is not None and participant.role == Role.AUDITOR


@pytest.mark.parametrize(("lang", "message"), [
    ("fr", "Code d’accès erroné"), ("en", "Wrong passcode."),
])
def test_wrong_passcode_saves_nothing(app: Flask, lang: str, message: str) -> None:
    seed(app)
    users, participants = rows(app, User), rows(app, Participant)
    response = app.test_client().post("/join/invite-a", data=newcomer(passcode="nope"),
                                      headers={"Accept-Language": lang})
    assert response.status_code == 200
    assert message in text_of(response.get_data(as_text=True))
    assert (rows(app, User), rows(app, Participant)) == (users, participants)


def test_bad_join_input_gets_the_form_back(app: Flask) -> None:
    seed(app)
    client = app.test_client()
    cases = [
        (newcomer(email="elodie@example.org"), "An account with this email already exists"),
        (newcomer(password="short", confirm="short"), "at least 10 characters"),
        (newcomer(confirm="something-else"), "The two passwords differ."),
        (newcomer(password="", confirm=""), "Choose a password."),
        (newcomer(email="not-an-email"), "Invalid email address."),
    ]
    users = rows(app, User)
    for data, message in cases:
        response = client.post("/join/invite-a", data=data, headers={"Accept-Language": "en"})
        assert response.status_code == 200
        assert message in text_of(response.get_data(as_text=True)), message
    assert rows(app, User) == users


def test_passcode_guessing_is_throttled(app: Flask) -> None:
    seed(app)
    app.config["SECURITY_LOGIN_ATTEMPTS"] = 1  # the join limit is four times the login one
    client = app.test_client()
    for _ in range(4):
        assert client.post("/join/invite-a", data=newcomer(passcode="guess")).status_code == 200
    blocked = client.post("/join/invite-a", data=newcomer(), headers={"Accept-Language": "en"})
    assert blocked.status_code == 429
    assert "Too many wrong passcodes" in text_of(blocked.get_data(as_text=True))
    assert rows(app, Participant) == 4
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.key.like("join:%"))) == 4


def test_signed_in_people_join_with_the_passcode_only(app: Flask) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["site_instructor"])
    page = client.get("/join/invite-a").get_data(as_text=True)
    assert 'name="password"' not in page
    assert client.post("/join/invite-a", data={"passcode": "wrong"}).status_code == 200
    assert client.post("/join/invite-a", data={"passcode": "abcd2345"}).status_code == 302
    assert client.get("/seminars/sem-a/me").status_code == 200


def test_a_roster_email_makes_a_pending_claim_not_the_line(app: Flask) -> None:
    world = seed(app)
    with app.app_context():
        db.session.add(Participant(seminar_id=db.session.scalar(sa.select(Participant.seminar_id)
                                   .where(Participant.id == world.participants["student"])),
                                   name="Chloé D.", email="Chloe@Example.org", role=Role.AUDITOR,
                                   wiki_username="Chloé W"))
        db.session.commit()
    before = rows(app, Participant)
    app.test_client().post("/join/invite-a", data=newcomer())
    assert rows(app, Participant) == before + 1  # a pending participant of its own
    with app.app_context():
        line = db.session.scalar(sa.select(Participant).where(
            Participant.wiki_username == "Chloé W"))
        assert line is not None and line.user_id is None  # typing the email proves nothing
        pending = db.session.scalar(sa.select(Participant).where(
            Participant.claim_of_id == line.id))
        assert pending is not None and pending.user_id is not None and pending.pending_claim


def test_removed_participants_cannot_rejoin_and_can_be_restored(app: Flask) -> None:
    world = seed(app)
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    auditor_id = world.participants["auditor"]
    instructor.post(f"/seminars/sem-a/participants/{auditor_id}/remove")
    auditor = app.test_client()
    login_as(auditor, world.users["auditor"])
    assert auditor.get("/seminars/sem-a/me").status_code == 403
    refused = auditor.post("/join/invite-a", data={"passcode": "abcd2345"},
                           headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "You were removed from this seminar" in text_of(refused.get_data(as_text=True))
    listing = text_of(instructor.get("/seminars/sem-a/participants").get_data(as_text=True))
    assert "Removed participants" in listing and "Bruno Petit" in listing
    instructor.post(f"/seminars/sem-a/participants/{auditor_id}/restore")
    assert auditor.get("/seminars/sem-a/me").status_code == 200


def test_deleting_data_needs_the_typed_name(app: Flask) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    student_id = world.participants["student"]
    page = text_of(client.get(f"/seminars/sem-a/participants/{student_id}/delete").get_data(
        as_text=True))
    assert "This cannot be undone." in page
    wrong = client.post(f"/seminars/sem-a/participants/{student_id}/delete",
                        data={"confirm_name": "Elodie"})
    assert "The name does not match" in text_of(wrong.get_data(as_text=True))
    assert rows(app, Assignment) == 1
    done = client.post(f"/seminars/sem-a/participants/{student_id}/delete",
                       data={"confirm_name": "  élodie   MARTIN "})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Participant, student_id) is None
        assert db.session.get(User, world.users["student"]) is None  # no other seminar
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
        assert db.session.get(Topic, world.topic_id) is not None  # the catalogue stays
    instructor_id = world.participants["instructor"]
    kept = client.post(f"/seminars/sem-a/participants/{instructor_id}/delete",
                       data={"confirm_name": "Inès Prof"})
    assert "Instructors are removed, not deleted" in text_of(kept.get_data(as_text=True))


@pytest.mark.wiki
def test_roster_upload_reports_each_line(app: Flask, wiki: LocalWiki) -> None:
    world = seed(app, api_url=wiki.api_url,
                 siteinfo=client_for(wiki.api_url, app.config).siteinfo())
    tag = uuid.uuid4().hex[:6]
    wiki.create_users([f"Rosa {tag}", f"Rémi {tag}"])
    csv = ("name,email,wiki_username,role\n"
           f"Rosa,rosa-{tag}@example.org,Rosa {tag},student\n"
           f"Rémi,remi-{tag}@example.org,Utilisateur:Rémi_{tag},auditor\n"
           f"Nadia,nadia-{tag}@example.org,Personne {tag} inconnue,student\n").encode()
    client = app.test_client()
    login_as(client, world.users["instructor"])
    before = rows(app, Participant)
    preview = client.post("/seminars/sem-a/participants/import", headers={"Accept-Language": "fr"},
                          data={"file": (io.BytesIO(csv), "roster.csv")},
                          content_type="multipart/form-data")
    assert rows(app, Participant) == before  # the preview writes nothing
    assert f"Le compte wiki 'Personne {tag} inconnue' n’existe pas" in text_of(
        preview.get_data(as_text=True))
    response = client.post("/seminars/sem-a/participants/import", headers={"Accept-Language": "fr"},
                           data={"content": csv.decode(), "action": "import"})
    page = text_of(response.get_data(as_text=True))
    assert "2 ajoutés, 0 mis à jour, 0 inchangés, 0 en conflit, 1 ignorés." in page
    assert f"Le compte wiki 'Personne {tag} inconnue' n’existe pas" in page
    assert rows(app, Participant) == before + 2
    listing = text_of(client.get("/seminars/sem-a/participants",
                                 headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert f"Rémi {tag} non vérifié" in listing

    bad = client.post("/seminars/sem-a/participants/import", headers={"Accept-Language": "en"},
                      data={"file": (io.BytesIO(b"name,email,wiki_username,role\n"
                                                b"A,a@b.org,X,student,extra\n"), "bad.csv")},
                      content_type="multipart/form-data")
    assert "Line 2: 5 fields, the header has 4" in text_of(bad.get_data(as_text=True))
    assert rows(app, Participant) == before + 2
