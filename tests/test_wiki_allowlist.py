"""An instructor's form never makes the server call an address it chose; admins and the CLI may.

A real local HTTP server counts the requests it gets: a refused address must get none.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Role, Seminar, User
from wikiseminar.services.wikis import is_wikimedia_api

from .test_web_seminars import seminar_form
from .webkit import OFFLINE_API, login_as, seed, text_of


class Recorder(ThreadingHTTPServer):
    """A local server that answers 200 with nothing useful and remembers every request."""

    hits: list[str]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            self.server.hits.append(self.path)  # type: ignore[attr-defined]
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"internal secret")

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = Recorder(("127.0.0.1", 0), Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("url, ok", [
    ("https://fr.wikipedia.org/w/api.php", True),
    ("https://commons.wikimedia.org/w/api.php", True),
    ("https://fr.wiktionary.org/w/api.php", True),
    ("https://www.wikidata.org/w/api.php", True),
    ("http://fr.wikipedia.org/w/api.php", False),
    ("https://fr.wikipedia.org.evil.example/w/api.php", False),
    ("https://evilwikipedia.org/w/api.php", False),
    ("https://user@fr.wikipedia.org/w/api.php", False),
    ("https://fr.wikipedia.org:8443/w/api.php", False),
    ("https://127.0.0.1/w/api.php", False),
    ("https://fr.wikipedia.org/w/api.php?x=1", False),
])
def test_wikimedia_addresses(url: str, ok: bool) -> None:
    assert is_wikimedia_api(url) is ok


def test_an_instructor_cannot_point_a_seminar_at_an_unknown_address(
        app: Flask, recorder: Recorder) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["site_instructor"])
    internal = f"http://127.0.0.1:{recorder.server_port}/w/api.php"
    for url in (internal, f"https://127.0.0.1:{recorder.server_port}/api.php",
                "https://fr.wikipedia.org.evil.example/w/api.php"):
        page = text_of(client.post("/seminars/new", data=seminar_form(url)).get_data(as_text=True))
        assert "Only Wikimedia wikis and wikis already in use" in page, url
    assert recorder.hits == []
    with app.app_context():
        assert db.session.scalar(sa.select(Seminar).where(Seminar.slug == "cultures-num-2026")) is None
    # A wiki already in use is allowed (it is not asked again: its siteinfo is stored).
    known = client.post("/seminars/new", data=seminar_form(OFFLINE_API))
    assert known.status_code == 302


def test_an_admin_may_use_any_wiki(app: Flask, recorder: Recorder) -> None:
    world = seed(app)
    with app.app_context():
        user = db.session.get(User, world.users["site_instructor"])
        assert user is not None
        user.is_admin = True
        db.session.commit()
    client = app.test_client()
    login_as(client, world.users["site_instructor"])
    page = text_of(client.post("/seminars/new", data=seminar_form(
        f"http://127.0.0.1:{recorder.server_port}/w/api.php")).get_data(as_text=True))
    assert recorder.hits  # asked: the admin's choice
    assert "The wiki did not answer at this address" in page


def test_only_a_seminars_instructors_or_an_admin_create_instructor_accounts(app: Flask) -> None:
    world = seed(app)
    for role in ("student", "auditor", "other_instructor", "site_instructor"):
        client = app.test_client()
        login_as(client, world.users[role])
        response = client.post("/seminars/sem-a/instructors",
                               data={"email": f"new-{role}@example.org", "name": "New"})
        assert response.status_code == 403, role
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.email.like("new-%"))) == 0
        admin = db.session.get(User, world.users["site_instructor"])
        assert admin is not None
        admin.is_admin = True
        db.session.commit()
    for role, email in (("instructor", "co1@example.org"), ("site_instructor", "co2@example.org")):
        client = app.test_client()
        login_as(client, world.users[role])
        assert client.post("/seminars/sem-a/instructors",
                           data={"email": email, "name": "Co"}).status_code == 200
    with app.app_context():
        for email in ("co1@example.org", "co2@example.org"):
            user = db.session.scalar(sa.select(User).where(User.email == email))
            assert user is not None and user.is_instructor and not user.is_admin
            places = list(db.session.scalars(sa.select(Participant).where(
                Participant.user_id == user.id)))
            assert [(p.seminar.slug, p.role) for p in places] == [("sem-a", Role.INSTRUCTOR)]
