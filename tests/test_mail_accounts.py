"""Password reset and address proof by mail, against a real SMTP server."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import EmailToken, Participant, Role, Seminar, User
from wikiseminar.services import verification

from .mailkit import SMTPServer
from .webkit import PASSWORD, login_as, seed, sign_in

NEW_PASSWORD = "a-brand-new-password-42"


def user_participants(session, user: User) -> list[Participant]:
    return list(session.scalars(sa.select(Participant).where(Participant.user_id == user.id)))


def _path(url: str) -> str:
    assert url.startswith("http://localhost/"), url
    return url[len("http://localhost"):]


def _forgot(client, email: str, lang: str = "fr") -> str:
    response = client.post("/auth/forgot", data={"email": email},
                           headers={"Accept-Language": lang}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_sign_in_page_offers_the_reset_in_french(mail_app: Flask) -> None:
    seed(mail_app)
    page = mail_app.test_client().get("/auth/login", headers={"Accept-Language": "fr"})
    assert "Mot de passe oublié ?" in page.get_data(as_text=True)


def test_student_recovers_a_password_alone(mail_app: Flask, smtp: SMTPServer) -> None:
    world = seed(mail_app)
    email = "elodie@example.org"
    elsewhere = mail_app.test_client()  # another session of the same account
    sign_in(elsewhere, email)
    assert elsewhere.get("/account/notifications").status_code == 200

    client = mail_app.test_client()
    known = _forgot(client, email)
    unknown = _forgot(client, "nobody@example.org")
    strip = lambda page: re.sub(r'value="[^"]+"', "", page)  # noqa: E731 (CSRF tokens differ)
    assert strip(known) == strip(unknown)  # the answer never says whether the address exists
    assert "Si un compte utilise cette adresse" in known
    [mail] = smtp.messages  # nothing went to the unknown address
    assert mail.rcpt_tos == [email]
    assert mail.subject == "Réinitialiser votre mot de passe"
    assert mail.message["Content-Language"] == "fr"
    [link] = mail.links()
    assert link in mail.html and "/auth/reset/" in link
    assert "une heure" in mail.text and "une heure" in mail.html

    page = client.get(_path(link))
    assert page.status_code == 200 and email in page.get_data(as_text=True)
    response = client.post(_path(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/notifications").status_code == 200  # signed in here
    # Every other session of the account ended; the link works once; the new password works.
    assert elsewhere.get("/account/notifications").status_code == 401  # signed out
    assert client.get(_path(link)).status_code == 404
    fresh = mail_app.test_client()
    bad = fresh.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert bad.status_code == 200
    sign_in(fresh, email, NEW_PASSWORD)
    with mail_app.app_context():
        user = db.session.get(User, world.users["student"])
        assert user.email_verified_at is not None  # the mail reached the address


def test_reset_link_expires_after_an_hour(mail_app: Flask, smtp: SMTPServer) -> None:
    seed(mail_app)
    client = mail_app.test_client()
    _forgot(client, "elodie@example.org")
    [link] = smtp.messages[0].links()
    with mail_app.app_context():
        token = db.session.scalars(sa.select(EmailToken)).one()
        assert dt.timedelta(minutes=59) < token.expires_at - token.created_at <= dt.timedelta(hours=1)
        token.expires_at = token.created_at - dt.timedelta(seconds=1)
        db.session.commit()
    page = client.get(_path(link), headers={"Accept-Language": "en"})
    assert page.status_code == 404 and "expired" in page.get_data(as_text=True)
    post = client.post(_path(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert post.status_code == 404


def test_reset_mail_in_english_for_an_english_account(mail_app: Flask, smtp: SMTPServer) -> None:
    world = seed(mail_app)
    with mail_app.app_context():
        db.session.get(User, world.users["student"]).locale = "en"
        db.session.commit()
    _forgot(mail_app.test_client(), "elodie@example.org")
    [mail] = smtp.messages
    assert mail.subject == "Reset your password" and mail.message["Content-Language"] == "en"
    assert "within one hour" in mail.text and "within one hour" in mail.html


def test_without_mail_the_page_says_who_can_help(app: Flask) -> None:
    seed(app)
    page = app.test_client().get("/auth/forgot", headers={"Accept-Language": "fr"})
    text = page.get_data(as_text=True)
    assert "n’envoie pas de courrier" in text and "wikiseminar user reset-password" in text


def test_joining_mails_a_link_that_proves_the_address(mail_app: Flask, smtp: SMTPServer) -> None:
    """A roster line's holder joins, is told the mailed link binds the line, and it does."""
    seed(mail_app)
    with mail_app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        line = Participant(seminar=seminar, name="Chloé Durand", email="Chloe@Example.org",
                           role=Role.STUDENT)
        db.session.add(line)
        db.session.commit()
        line_id = line.id
    client = mail_app.test_client()
    response = client.post("/join/invite-a", headers={"Accept-Language": "fr"}, data={
        "passcode": "abcd2345", "name": "Chloé Durand", "email": "chloe@example.org",
        "password": PASSWORD, "confirm": PASSWORD}, follow_redirects=True)
    assert "confirmer votre adresse" in response.get_data(as_text=True)
    # The student's page says how the place becomes theirs, mail included, with a button.
    me = client.get("/seminars/sem-a/me", headers={"Accept-Language": "fr"})
    page = me.get_data(as_text=True)
    assert "pending-claim" in page
    assert "quand vous confirmez votre adresse chloe@example.org" in page
    assert "M’envoyer un lien de confirmation" in page
    [mail] = smtp.to("chloe@example.org")
    assert mail.subject == "Confirmez votre adresse électronique"
    assert "Cultures numériques" in mail.text and "Cultures numériques" in mail.html
    [link] = mail.links()
    with mail_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "chloe@example.org"))
        assert user.email_verified_at is None
        assert db.session.get(Participant, line_id).user_id is None
    # Opening the link (as a mail scanner would) uses nothing; the button does.
    anonymous = mail_app.test_client()
    assert anonymous.get(_path(link)).status_code == 200
    assert anonymous.get(_path(link)).status_code == 200
    assert anonymous.post(_path(link)).status_code == 302
    assert anonymous.post(_path(link)).status_code == 404  # single use
    with mail_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "chloe@example.org"))
        assert user.email_verified_at is not None
        # The roster line is now this person's, and the pending row is gone.
        assert [p.id for p in user_participants(db.session, user)] == [line_id]
        assert not verification.pending_for(db.session, user)
    page = client.get("/seminars/sem-a/me", headers={"Accept-Language": "fr"}).get_data(
        as_text=True)
    assert "pending-claim" not in page


def test_without_mail_the_claim_notice_does_not_promise_a_link(app: Flask) -> None:
    seed(app)
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        db.session.add(Participant(seminar=seminar, name="Chloé Durand",
                                   email="chloe@example.org", role=Role.STUDENT))
        db.session.commit()
    client = app.test_client()
    client.post("/join/invite-a", data={
        "passcode": "abcd2345", "name": "Chloé Durand", "email": "chloe@example.org",
        "password": PASSWORD, "confirm": PASSWORD})
    page = client.get("/seminars/sem-a/me", headers={"Accept-Language": "fr"}).get_data(
        as_text=True)
    assert "pending-claim" in page and "M’envoyer un lien de confirmation" not in page


def test_verification_link_expires(mail_app: Flask, smtp: SMTPServer) -> None:
    world = seed(mail_app)
    client = mail_app.test_client()
    login_as(client, world.users["student"])
    client.post("/account/verify/resend")
    [link] = smtp.to("elodie@example.org")[0].links()
    with mail_app.app_context():
        token = db.session.scalars(sa.select(EmailToken)).one()
        assert token.purpose == "verify"
        token.expires_at = token.created_at
        db.session.commit()
    assert client.post(_path(link)).status_code == 404
    with mail_app.app_context():
        assert db.session.get(User, world.users["student"]).email_verified_at is None


def test_co_instructor_invitation_is_mailed(mail_app: Flask, smtp: SMTPServer) -> None:
    world = seed(mail_app)
    client = mail_app.test_client()
    login_as(client, world.users["instructor"])
    response = client.post("/seminars/sem-a/instructors",
                           data={"email": "nora@example.org", "name": "Nora Co"},
                           headers={"Accept-Language": "fr"}, follow_redirects=True)
    assert "nora@example.org" in response.get_data(as_text=True)
    [mail] = smtp.to("nora@example.org")
    assert "Cultures numériques" in mail.subject and "Inès Prof" in mail.text
    [link] = mail.links()
    invited = mail_app.test_client()
    page = invited.get(_path(link), headers={"Accept-Language": "fr"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Choisissez votre mot de passe" in text and "Compte\xa0: nora@example.org" in text  # French no-break space
    assert invited.post(_path(link), data={"password": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD}).status_code == 302
    assert invited.get(_path(link)).status_code == 404  # once
    with mail_app.app_context():
        nora = db.session.scalar(sa.select(User).where(User.email == "nora@example.org"))
        assert nora.email_verified_at is not None and nora.check_password(NEW_PASSWORD)
        assert db.session.scalar(sa.select(Participant).where(Participant.user_id == nora.id))


def test_reset_requests_cannot_flood_a_mailbox(mail_app: Flask, smtp: SMTPServer) -> None:
    seed(mail_app)
    client = mail_app.test_client()
    answers = {_forgot(client, "elodie@example.org").count("Si un compte") for _ in range(5)}
    assert answers == {1}  # the same answer every time
    assert len(smtp.to("elodie@example.org")) == 3


def test_without_mail_joining_and_inviting_say_what_to_do(app: Flask) -> None:
    world = seed(app)
    client = app.test_client()
    page = client.post("/join/invite-a", headers={"Accept-Language": "fr"}, data={
        "passcode": "abcd2345", "name": "Chloé Durand", "email": "chloe@example.org",
        "password": PASSWORD, "confirm": PASSWORD}, follow_redirects=True)
    assert "Ce serveur n’envoie pas de courrier" in page.get_data(as_text=True)
    teacher = app.test_client()
    login_as(teacher, world.users["instructor"])
    page = teacher.post("/seminars/sem-a/instructors", data={"email": "nora@example.org"},
                        headers={"Accept-Language": "en"})
    assert "/account/setup/" in page.get_data(as_text=True)  # the link to pass on by hand
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailToken)) == 0
