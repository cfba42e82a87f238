"""Helpers for the web tests: a seeded seminar world, signing in, CSRF tokens, a live server."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from wikiseminar.extensions import db
from wikiseminar.models import (
    ArticleKind,
    AssignedArticle,
    Assignment,
    AssignmentStatus,
    Participant,
    Role,
    Seminar,
    SeminarSession,
    SessionKind,
    Topic,
    User,
    Wiki,
)
from wikiseminar.wiki.types import Namespace, SiteInfo

PASSWORD = "correct-horse-battery"
# An address nothing listens on: pages that do not call the wiki work, calls fail fast.
OFFLINE_API = "http://127.0.0.1:9/w/api.php"


@cache
def password_hash() -> str:
    """One scrypt hash for every seeded account (hashing is deliberately slow)."""
    return generate_password_hash(PASSWORD, method="scrypt")


def french_siteinfo(api_url: str = OFFLINE_API, server: str = "http://127.0.0.1:9") -> SiteInfo:
    """What a French wiki's siteinfo says, without asking one."""
    return SiteInfo(
        api_url=api_url, sitename="Wikipédia test", lang="fr", server=server,
        articlepath="/wiki/$1", script="/w/index.php", generator="MediaWiki 1.39",
        namespaces={
            0: Namespace(0, "", "", (), True),
            1: Namespace(1, "Discussion", "Talk"),
            2: Namespace(2, "Utilisateur", "User", ("Utilisatrice",)),
            3: Namespace(3, "Discussion utilisateur", "User talk"),
            4: Namespace(4, "Wikipédia", "Project", ("WP",)),
        })


@dataclass
class World:
    """Ids of the seeded people and seminars."""

    users: dict[str, int] = field(default_factory=dict)
    participants: dict[str, int] = field(default_factory=dict)
    seminars: dict[str, str] = field(default_factory=dict)
    session_id: int = 0
    topic_id: int = 0
    assignment_id: int = 0
    wiki_id: int = 0


def add_user(email: str, name: str = "", *, instructor: bool = False) -> User:
    """An account with the shared test password (added to the session, not committed)."""
    user = User(email=email, name=name or email, is_instructor=instructor,
                password_hash=password_hash())
    db.session.add(user)
    return user


class EnglishClient(FlaskClient):
    """A test client whose browser asks for English unless a request says otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def seed(app: Flask, api_url: str | None = None, siteinfo: SiteInfo | None = None,
         suffix: str = "") -> World:
    """Seminar A (instructor, student, auditor, a session, a topic, a proposal) and seminar B
    (another instructor), plus a site instructor with no seminar.

    `suffix` makes every unique name (slugs, tokens, emails, wiki URL) distinct, so several
    worlds can share one database. Test clients of the app then ask for English (the app's
    default is French); tests of the French pages send `Accept-Language: fr`.
    """
    app.test_client_class = EnglishClient
    world = World()
    api_url = api_url or OFFLINE_API.replace("/w/", f"/{suffix}/w/" if suffix else "/w/")

    def mail(name: str) -> str:
        return f"{name}{suffix}@example.org"

    with app.app_context():
        wiki = Wiki(api_url=api_url)
        wiki.siteinfo = siteinfo or french_siteinfo(api_url)
        db.session.add(wiki)
        users = {
            "instructor": add_user(mail("ines"), "Inès Prof", instructor=True),
            "other_instructor": add_user(mail("otto"), "Otto Autre", instructor=True),
            "site_instructor": add_user(mail("sita"), "Sita Libre", instructor=True),
            "student": add_user(mail("elodie"), "Élodie Martin"),
            "auditor": add_user(mail("bruno"), "Bruno Petit"),
        }
        today = dt.date.today()
        a = Seminar(slug=f"sem-a{suffix}", title="Cultures numériques", wiki=wiki,
                    start_date=today - dt.timedelta(days=30),
                    end_date=today + dt.timedelta(days=120), timezone="Europe/Paris",
                    invite_token=f"invite-a{suffix}", passcode="abcd2345",
                    auditor_invite_token=f"audit-a{suffix}")
        b = Seminar(slug=f"sem-b{suffix}", title="Autre séminaire", wiki=wiki,
                    start_date=today - dt.timedelta(days=30),
                    end_date=today + dt.timedelta(days=120),
                    invite_token=f"invite-b{suffix}", passcode="zzzz9999")
        db.session.add_all([a, b])
        people = {
            "instructor": Participant(seminar=a, user=users["instructor"], name="Inès Prof",
                                      email=mail("ines"), role=Role.INSTRUCTOR),
            "student": Participant(seminar=a, user=users["student"], name="Élodie Martin",
                                   email=mail("elodie"), role=Role.STUDENT,
                                   wiki_username="Élodie M"),
            "auditor": Participant(seminar=a, user=users["auditor"], name="Bruno Petit",
                                   email=mail("bruno"), role=Role.AUDITOR),
            "other_instructor": Participant(seminar=b, user=users["other_instructor"],
                                            name="Otto Autre", role=Role.INSTRUCTOR),
        }
        db.session.add_all(people.values())
        session = SeminarSession(seminar=a, date=today + dt.timedelta(days=14),
                                 start_time=dt.time(14), end_time=dt.time(17), place="Salle 101",
                                 kind=SessionKind.THEMATIC, title="Travail du clic")
        topic = Topic(seminar=a, title="Plateformes", suggested_articles="Travail du clic")
        assignment = Assignment(participant=people["student"], topic=topic,
                                status=AssignmentStatus.PROPOSED, articles=[
                                    AssignedArticle(title="Travail du clic",
                                                    kind=ArticleKind.IMPROVE)])
        db.session.add_all([session, topic, assignment])
        db.session.commit()
        world.users = {k: u.id for k, u in users.items()}
        world.participants = {k: p.id for k, p in people.items()}
        world.seminars = {"a": a.slug, "b": b.slug}
        world.session_id, world.topic_id = session.id, topic.id
        world.assignment_id, world.wiki_id = assignment.id, wiki.id
    return world


def login_as(client: FlaskClient, user_id: int | None) -> None:
    """Sign a test client in as a user (None: stay anonymous), skipping the password form."""
    if user_id is None:
        return
    with client.application.app_context():
        user = db.session.get(User, user_id)
        assert user is not None, user_id
        ident = user.get_id()  # the id and the account's session token
    with client.session_transaction() as sess:
        sess["_user_id"] = ident
        sess["_fresh"] = True


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form."""
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    match = CSRF_RE.search(html) or re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def text_of(html: str) -> str:
    """Page text without tags and with collapsed spaces, for assertions on wording."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())
