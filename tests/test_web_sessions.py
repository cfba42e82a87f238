"""Sessions end when they should (issue 11 item 6): a replayed old cookie lands on sign-in.

Each test signs in through the real form, keeps the session cookie as a browser (or a thief)
would, does what must end the sessions, then replays the kept cookie in a fresh client.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from wikiseminar.extensions import db
from wikiseminar.models import Participant, User

from .webkit import PASSWORD, add_user, csrf_token, login_as, seed, sign_in

STUDENT_PAGE = "/seminars/sem-a/me"


def kept_cookie(client: FlaskClient) -> str:
    """The session cookie a browser holds right now."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app: Flask, cookie: str, path: str = STUDENT_PAGE) -> str | None:
    """Where a fresh browser holding only this cookie is sent: None when the page is served."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    response = client.get(path)
    if response.status_code == 200:
        return None
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def assert_signed_out(app: Flask, cookie: str) -> None:
    """The cookie no longer opens the student's page: sign-in instead."""
    target = replay(app, cookie)
    assert target is not None and target.startswith("/auth/login"), target


def test_signing_out_ends_every_session_of_the_account(app: Flask) -> None:
    seed(app)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "elodie@example.org")
    sign_in(phone, "elodie@example.org")
    old = kept_cookie(laptop)
    assert replay(app, old) is None  # the cookie works while signed in
    assert laptop.post("/auth/logout").status_code == 302
    assert_signed_out(app, old)  # the cookie copied before signing out
    assert_signed_out(app, kept_cookie(phone))  # the other device
    # Signing in again works, with a new session.
    sign_in(laptop, "elodie@example.org")
    assert laptop.get(STUDENT_PAGE).status_code == 200


def test_setting_a_password_from_a_link_ends_the_other_sessions(app: Flask) -> None:
    from wikiseminar.services.accounts import setup_token

    seed(app)
    thief = app.test_client()
    sign_in(thief, "elodie@example.org")
    stolen = kept_cookie(thief)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "elodie@example.org"))
        assert user is not None
        token = setup_token(app.config["SECRET_KEY"], user)
    owner = app.test_client()
    page = owner.get(f"/account/setup/{token}")
    assert page.status_code == 200
    done = owner.post(f"/account/setup/{token}", data={
        "password": "a-new-long-password", "confirm": "a-new-long-password",
        "csrf_token": csrf_token(page.get_data(as_text=True)) if "csrf_token" in
        page.get_data(as_text=True) else ""})
    assert done.status_code == 302
    assert_signed_out(app, stolen)
    assert owner.get(STUDENT_PAGE).status_code == 200  # the owner is signed in


def test_resetting_a_password_on_the_command_line_ends_every_session(app: Flask) -> None:
    seed(app)
    client = app.test_client()
    sign_in(client, "elodie@example.org")
    old = kept_cookie(client)
    result = app.test_cli_runner().invoke(
        args=["user", "reset-password", "elodie@example.org", "--password-stdin"],
        input="another-long-password\n")
    assert result.exit_code == 0, result.output
    assert_signed_out(app, old)


def test_removing_a_participant_ends_their_sessions(app: Flask) -> None:
    world = seed(app)
    student = app.test_client()
    sign_in(student, "elodie@example.org")
    old = kept_cookie(student)
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    removed = instructor.post(f"/seminars/sem-a/participants/{world.participants['student']}/remove")
    assert removed.status_code == 302
    assert_signed_out(app, old)


def test_deleting_an_account_ends_its_sessions_and_its_id_is_never_reused(app: Flask) -> None:
    world = seed(app)
    with app.app_context():
        # The deleted account is the newest one: SQLite would hand its id to the next row.
        newest = add_user("zoe@example.org", "Zoé Dernière")
        db.session.flush()
        seminar_id = db.session.get(Participant, world.participants["student"]).seminar_id  # type: ignore[union-attr]
        participant = Participant(seminar_id=seminar_id, user=newest, name="Zoé Dernière",
                                  email="zoe@example.org")
        db.session.add(participant)
        db.session.commit()
        zoe_id, zoe_participant = newest.id, participant.id
    zoe = app.test_client()
    sign_in(zoe, "zoe@example.org")
    old = kept_cookie(zoe)
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    form = instructor.get(f"/seminars/sem-a/participants/{zoe_participant}/delete")
    deleted = instructor.post(f"/seminars/sem-a/participants/{zoe_participant}/delete",
                              data={"confirm_name": "Zoé Dernière",
                                    "csrf_token": _maybe_csrf(form.get_data(as_text=True))})
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.get(User, zoe_id) is None
        # A new account and a new participant never take the deleted ids.
        again = add_user("yann@example.org", "Yann Nouveau")
        db.session.flush()
        newcomer = Participant(seminar_id=seminar_id, user=again, name="Yann Nouveau",
                               email="yann@example.org")
        db.session.add(newcomer)
        db.session.commit()
        assert again.id > zoe_id
        assert newcomer.id > zoe_participant
    assert_signed_out(app, old)


def test_a_session_is_bound_to_more_than_the_user_id(app: Flask) -> None:
    """A cookie that names only the id (as every cookie did before) opens nothing."""
    world = seed(app)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(world.users["student"])
        sess["_fresh"] = True
    target = client.get(STUDENT_PAGE).headers.get("Location", "")
    assert target.startswith("/auth/login")


def test_end_all_sessions_rotates_the_token_the_cookies_carry(app: Flask) -> None:
    from flask_login.utils import encode_cookie

    from wikiseminar.services.accounts import end_all_sessions

    world = seed(app)
    with app.app_context():
        user = db.session.get(User, world.users["student"])
        assert user is not None
        before = user.get_id()
        assert before != str(user.id)
        with app.test_request_context():
            remember = encode_cookie(before)
        end_all_sessions(user)
        db.session.commit()
        after = user.get_id()
        assert after != before and len(after) > len(str(user.id)) + 20
    # A remember-me cookie made for the old token is refused too.
    client = app.test_client()
    client.set_cookie("remember_token", remember)
    assert client.get(STUDENT_PAGE).headers.get("Location", "").startswith("/auth/login")
    # The same kind of cookie for the current token is accepted (the check is the token).
    with app.app_context(), app.test_request_context():
        fresh = encode_cookie(after)
    ok = app.test_client()
    ok.set_cookie("remember_token", fresh)
    assert ok.get(STUDENT_PAGE).status_code == 200


def _maybe_csrf(html: str) -> str:
    """The page's CSRF token when the form has one (CSRF is off in most tests)."""
    return csrf_token(html) if re.search(r'name="csrf_token"', html) else ""


def test_password_is_still_the_way_in(app: Flask) -> None:
    """Binding sessions to a token does not get in the way of signing in."""
    seed(app)
    client = app.test_client()
    sign_in(client, "elodie@example.org", PASSWORD)
    assert client.get(STUDENT_PAGE).status_code == 200


def test_ids_that_appear_in_urls_are_never_reused(app: Flask) -> None:
    """A stale link to a deleted topic, session, assignment or criterion never opens a new one."""
    from wikiseminar.models import Assignment, RubricCriterion, SeminarSession, Topic

    world = seed(app)
    with app.app_context():
        seminar_id = db.session.get(Topic, world.topic_id).seminar_id  # type: ignore[union-attr]
        made = {
            Topic: lambda: Topic(seminar_id=seminar_id, title="Éphémère"),
            SeminarSession: lambda: SeminarSession(seminar_id=seminar_id, title="Éphémère",
                                                   date=dt.date(2026, 5, 4)),
            RubricCriterion: lambda: RubricCriterion(seminar_id=seminar_id, label="Éphémère"),
            Assignment: lambda: Assignment(participant_id=world.participants["auditor"]),
        }
        for model, make in made.items():
            row = make()
            db.session.add(row)
            db.session.commit()
            deleted = row.id
            db.session.delete(row)
            db.session.commit()
            again = make()
            db.session.add(again)
            db.session.commit()
            assert again.id > deleted, model.__name__
            db.session.delete(again)
            db.session.commit()


def test_an_account_without_a_token_still_signs_in(app: Flask) -> None:
    """Accounts written without the ORM (no token yet) get one at sign-in."""
    seed(app)
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == "elodie@example.org")
                           .values(session_token=None))
        db.session.commit()
    client = app.test_client()
    sign_in(client, "elodie@example.org")
    assert client.get(STUDENT_PAGE).status_code == 200
