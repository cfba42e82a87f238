"""Instructor accounts (CLI), seminar creation and settings, invitation, co-instructors."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Role, Seminar, User

from .localwiki import LocalWiki
from .webkit import OFFLINE_API, PASSWORD, login_as, seed, sign_in, text_of


def seminar_form(api_url: str, **changes: str) -> dict[str, str]:
    """A complete, valid seminar form."""
    data = {
        "title": "Cultures numériques 2026", "slug": "cultures-num-2026", "api_url": api_url,
        "description": "Plateformes, travail, IA.", "start_date": "2026-01-12",
        "end_date": "2026-05-29", "restitution_date": "2026-05-28", "restitution_time": "14:00",
        "restitution_place": "Amphi B", "timezone": "Europe/Paris", "allow_auditors": "y",
    }
    data.update(changes)
    return data


def make_admin(app: Flask, user_id: int) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        user.is_admin = True
        db.session.commit()


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.mark.wiki
def test_instructor_creates_a_seminar_on_the_wiki(app: Flask, wiki: LocalWiki) -> None:
    world = seed(app)
    make_admin(app, world.users["site_instructor"])  # the local wiki is new: an operator's choice
    client = app.test_client()
    login_as(client, world.users["site_instructor"])
    form = client.get("/seminars/new").get_data(as_text=True)
    assert "https://fr.wikipedia.org/w/api.php" in form  # DEFAULT_WIKI_API prefilled

    response = client.post("/seminars/new", data=seminar_form(wiki.api_url))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/seminars/cultures-num-2026/")
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "cultures-num-2026"))
        assert seminar is not None and seminar.wiki.lang == "fr"
        assert seminar.restitution_at == dt.datetime(2026, 5, 28, 12, 0, tzinfo=dt.UTC)  # CEST
        assert seminar.auditor_invite_token and seminar.invite_token and seminar.passcode
        creator = db.session.scalar(sa.select(Participant).where(
            Participant.seminar_id == seminar.id))
        assert creator is not None and creator.role == Role.INSTRUCTOR
        assert creator.user_id == world.users["site_instructor"]
        passcode, token = seminar.passcode, seminar.invite_token
    overview = client.get("/seminars/cultures-num-2026/").get_data(as_text=True)
    assert passcode in overview and f"/join/{token}" in overview
    home = client.get("/").get_data(as_text=True)
    assert "/seminars/cultures-num-2026/" in home


@pytest.mark.parametrize(("lang", "expected"), [
    ("fr", ["Ce champ est requis.", "Le dernier jour est avant le premier jour.",
            "Fuseau horaire inconnu"]),
    ("en", ["This field is required.", "The last day is before the first day.",
            "Unknown time zone"]),
])
def test_bad_seminar_input_comes_back_in_the_users_language(
        app: Flask, lang: str, expected: list[str]) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    before = count(app, Seminar)
    response = client.post("/seminars/new", headers={"Accept-Language": lang}, data=seminar_form(
        OFFLINE_API, title="", end_date="2026-01-01", timezone="Mars/Olympus"))
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    for message in expected:
        assert message in page
    assert count(app, Seminar) == before


def test_unreachable_wiki_and_taken_slug_are_form_errors(app: Flask) -> None:
    world = seed(app)
    make_admin(app, world.users["instructor"])  # only an operator may try a new wiki
    client = app.test_client()
    login_as(client, world.users["instructor"])
    before = count(app, Seminar)
    taken = client.post("/seminars/new", data=seminar_form(OFFLINE_API, slug="sem-a"))
    assert "A seminar with this short name already exists." in text_of(taken.get_data(as_text=True))
    down = client.post("/seminars/new", data=seminar_form("http://127.0.0.1:9/other/api.php"))
    assert "The wiki did not answer at this address" in text_of(down.get_data(as_text=True))
    bad = client.post("/seminars/new", data=seminar_form("https://example.org/wiki/Main"))
    assert "api.php" in text_of(bad.get_data(as_text=True))
    assert count(app, Seminar) == before


def test_instructor_edits_the_seminar_and_renews_the_invitation(app: Flask) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    form = client.get("/seminars/sem-a/edit").get_data(as_text=True)
    assert "Cultures numériques" in form
    response = client.post("/seminars/sem-a/edit", data={
        "title": "Cultures numériques (printemps)", "start_date": "2026-01-05",
        "end_date": "2026-06-30", "restitution_date": "2026-06-25", "restitution_time": "10:30",
        "restitution_place": "Salle du conseil", "timezone": "America/Montreal"})
    assert response.status_code == 302
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar is not None and seminar.title == "Cultures numériques (printemps)"
        assert seminar.restitution_at == dt.datetime(2026, 6, 25, 14, 30, tzinfo=dt.UTC)
        assert seminar.auditor_invite_token is None  # unticked: the auditors' link is closed
    assert client.get("/join/audit-a").status_code == 404

    client.post("/seminars/sem-a/invitation", data={"action": "renew"})
    assert client.get("/join/invite-a").status_code == 404
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar is not None and seminar.passcode != "abcd2345"
        assert app.test_client().get(f"/join/{seminar.invite_token}").status_code == 200
    client.post("/seminars/sem-a/invitation", data={"action": "open-auditors"})
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar is not None and seminar.auditor_invite_token


def test_co_instructors_existing_account_or_invitation(app: Flask) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    # An existing instructor account.
    client.post("/seminars/sem-a/instructors", data={"email": "OTTO@example.org"})
    other = app.test_client()
    login_as(other, world.users["other_instructor"])
    assert other.get("/seminars/sem-a/").status_code == 200
    # A student's account is not an instructor account.
    refused = client.post("/seminars/sem-a/instructors", data={"email": "elodie@example.org"})
    assert "not an instructor account" in text_of(refused.get_data(as_text=True))
    # Nobody with this email: an account is made, with a one-time link to set the password.
    invited = client.post("/seminars/sem-a/instructors",
                          data={"email": "nina@example.org", "name": "Nina Neuve"})
    page = invited.get_data(as_text=True)
    link = re.search(r"http://localhost(/account/setup/[^<\s]+)", page)
    assert link, page
    newcomer = app.test_client()
    assert newcomer.get(link.group(1)).status_code == 200
    short = newcomer.post(link.group(1), data={"password": "short", "confirm": "short"})
    assert "at least 10 characters" in text_of(short.get_data(as_text=True))
    done = newcomer.post(link.group(1), data={"password": "a-good-new-password",
                                              "confirm": "a-good-new-password"})
    assert done.status_code == 302
    assert newcomer.get("/seminars/sem-a/").status_code == 200
    assert app.test_client().get(link.group(1)).status_code == 404  # used once
    sign_in(app.test_client(), "nina@example.org", "a-good-new-password")
    # Removing co-instructors, but never the last one.
    with app.app_context():
        people = db.session.scalars(sa.select(Participant).where(
            Participant.role == Role.INSTRUCTOR, Participant.seminar.has(slug="sem-a"))).all()
        ids = {p.email: p.id for p in people}
    for email in ("otto@example.org", "nina@example.org"):
        client.post(f"/seminars/sem-a/participants/{ids[email]}/remove")
    last = client.post(f"/seminars/sem-a/participants/{ids['ines@example.org']}/remove",
                       follow_redirects=True)
    assert "keeps at least one instructor" in text_of(last.get_data(as_text=True))
    assert client.get("/seminars/sem-a/").status_code == 200


def test_cli_creates_instructors_and_resets_passwords(app: Flask, runner: FlaskCliRunner) -> None:
    made = runner.invoke(args=["user", "create-instructor", "Prof@Example.org", "--name",
                               "Prof Nouveau", "--password-stdin"], input="a-long-password\n")
    assert made.exit_code == 0, made.output
    assert made.output.strip() == "created instructor prof@example.org"
    sign_in(app.test_client(), "prof@example.org", "a-long-password")
    again = runner.invoke(args=["user", "create-instructor", "prof@example.org",
                                "--password-stdin"], input="a-long-password\n")
    assert again.exit_code != 0 and "already an instructor" in again.output
    weak = runner.invoke(args=["user", "create-instructor", "b@example.org", "--password-stdin"],
                         input="short\n")
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    bad = runner.invoke(args=["user", "create-instructor", "not-an-email", "--password-stdin"],
                        input="a-long-password\n")
    assert bad.exit_code != 0 and len(bad.output.strip().splitlines()) == 1

    prompted = runner.invoke(args=["user", "reset-password", "prof@example.org"],
                             input="another-password\nanother-password\n")
    assert prompted.exit_code == 0, prompted.output
    assert "password changed for prof@example.org" in prompted.output
    assert "another-password" not in prompted.output
    sign_in(app.test_client(), "prof@example.org", "another-password")
    unknown = runner.invoke(args=["user", "reset-password", "nobody@example.org"])
    assert unknown.exit_code != 0
    assert unknown.output.strip() == "Error: no account with the email 'nobody@example.org'"

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "prof@example.org"))
        assert user is not None and user.is_instructor and user.name == "Prof Nouveau"
    # An existing (student) account is promoted, its password untouched.
    seed(app)
    promoted = runner.invoke(args=["user", "create-instructor", "elodie@example.org"])
    assert promoted.exit_code == 0 and "password unchanged" in promoted.output
    sign_in(app.test_client(), "elodie@example.org", PASSWORD)
