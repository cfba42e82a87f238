"""Safety of the web pages: CSRF, escaping, sign-in throttle, cookies, redirects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from wikiseminar.config import DEFAULTS
from wikiseminar.extensions import db
from wikiseminar.models import Participant, Seminar, SeminarSession, SessionKind

from .conftest import make_app
from .webkit import PASSWORD, csrf_token, login_as, seed, text_of

XSS = "<script>alert('x')</script>"


def test_csrf_is_enforced_on_every_form(app: Flask) -> None:
    world = seed(app)
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    login_as(client, world.users["instructor"])
    posts = {
        "/seminars/sem-a/calendar/new": {"title": "Séance", "date": "2026-05-04",
                                         "kind": "thematic"},
        "/seminars/sem-a/invitation": {"action": "renew"},
        f"/seminars/sem-a/calendar/{world.session_id}/delete": {},
        f"/seminars/sem-a/participants/{world.participants['auditor']}/remove": {},
        "/auth/logout": {},
    }
    for path, data in posts.items():
        response = client.post(path, data=data, headers={"Accept-Language": "en"})
        assert response.status_code == 400, path
        assert "The form expired" in text_of(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SeminarSession)) == 1
        auditor = db.session.get(Participant, world.participants["auditor"])
        assert auditor is not None and auditor.removed_at is None
    # With the page's token, the same post goes through.
    token = csrf_token(client.get("/seminars/sem-a/calendar/new").get_data(as_text=True))
    ok = client.post("/seminars/sem-a/calendar/new", data={
        **posts["/seminars/sem-a/calendar/new"], "csrf_token": token})
    assert ok.status_code == 302
    # Joining is a form too.
    anonymous = app.test_client()
    assert anonymous.post("/join/invite-a", data={"passcode": "abcd2345"}).status_code == 400


def test_user_typed_and_wiki_text_is_escaped(app: Flask) -> None:
    world = seed(app)
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar is not None
        seminar.title = f"Séminaire {XSS}"
        seminar.restitution_place = XSS
        seminar.restitution_at = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
        db.session.add(SeminarSession(seminar=seminar, date=dt.date.today(), title=XSS,
                                      place=XSS, speakers=XSS, kind=SessionKind.IN_DEPTH))
        student = db.session.get(Participant, world.participants["student"])
        assert student is not None and student.assignment is not None
        student.name = f"Élodie {XSS}"
        student.wiki_username = XSS
        student.assignment.instructor_comment = XSS
        student.assignment.student_note = XSS
        student.assignment.articles[0].title = XSS
        db.session.commit()
    pages = {
        "instructor": ["/seminars/sem-a/", "/seminars/sem-a/participants", "/seminars/sem-a/topics",
                       f"/seminars/sem-a/assignments/{world.assignment_id}",
                       "/seminars/sem-a/calendar", "/"],
        "student": ["/seminars/sem-a/me", "/seminars/sem-a/me/account", "/seminars/sem-a/calendar"],
    }
    for role, paths in pages.items():
        client = app.test_client()
        login_as(client, world.users[role])
        for path in paths:
            html = client.get(path).get_data(as_text=True)
            assert XSS not in html, path
            assert "&lt;script&gt;" in html, path
    assert XSS not in app.test_client().get("/join/invite-a").get_data(as_text=True)


def test_sign_in_is_throttled(app: Flask) -> None:
    seed(app)
    app.config["SECURITY_LOGIN_ATTEMPTS"] = 3
    client = app.test_client()
    for _ in range(3):
        wrong = client.post("/auth/login", data={"email": "ines@example.org", "password": "no"},
                            headers={"Accept-Language": "en"})
        assert wrong.status_code == 200
        assert "Unknown email or wrong password." in text_of(wrong.get_data(as_text=True))
    blocked = client.post("/auth/login", data={"email": "ines@example.org", "password": PASSWORD},
                          headers={"Accept-Language": "en"})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in text_of(blocked.get_data(as_text=True))


def test_session_cookie_is_secure_httponly_samesite(database_url: str, tmp_path: Path,
                                                     app: Flask) -> None:
    seed(app)
    production_like = make_app(database_url, tmp_path / "instance2",
                               SESSION_COOKIE_SECURE=True)
    assert production_like.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production_like.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    client = production_like.test_client()
    response = client.post("/auth/login", base_url="https://localhost",
                           data={"email": "ines@example.org", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert DEFAULTS["SESSION_COOKIE_SECURE"] is True  # the default outside tests


def test_redirects_stay_on_the_site(app: Flask) -> None:
    seed(app)
    client = app.test_client()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/auth/login?next={target}",
                               data={"email": "ines@example.org", "password": PASSWORD})
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target
        client.post("/auth/logout")
    inside = client.post("/auth/login?next=/seminars/sem-a/calendar",
                         data={"email": "ines@example.org", "password": PASSWORD})
    assert inside.headers["Location"] == "/seminars/sem-a/calendar"
    # Anonymous visitors are sent to sign in, then back to the page they asked for.
    anonymous = app.test_client().get("/seminars/sem-a/me")
    assert anonymous.headers["Location"] == "/auth/login?next=/seminars/sem-a/me"
