"""Every route × every role → the expected status (the table the issue asks for).

Roles: anonymous, a student and an auditor of seminar A, the instructor of ANOTHER seminar
(B), a site instructor with no role anywhere, and the instructor of A. Instructor-only pages
are 403 for everyone but A's instructor; anonymous visitors are sent to the sign-in page.
POSTs carry minimal (mostly invalid) data: an authorised role gets the form back (200) or a
redirect after the action (302), never a 403; nothing here needs the wiki.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from wikiseminar.extensions import db

from .conftest import BACKENDS, _empty_postgres, make_app
from .webkit import World, login_as, seed

ROLES = ("anonymous", "student", "auditor", "other_instructor", "site_instructor", "instructor")


@dataclass(frozen=True)
class Row:
    """One route of the table and the status each role gets."""

    method: str
    path: str
    expected: tuple[int, int, int, int, int, int]  # in the order of ROLES
    data: dict[str, str] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def only_instructor(ok: int) -> tuple[int, int, int, int, int, int]:
    """Anonymous → sign-in; any other role → 403; A's instructor → ok."""
    return (302, 403, 403, 403, 403, ok)


def members(ok: int, instructor: int | None = None) -> tuple[int, int, int, int, int, int]:
    """Students, auditors and A's instructor get in; other instructors do not."""
    return (302, ok, ok, 403, 403, ok if instructor is None else instructor)


def learners(ok: int) -> tuple[int, int, int, int, int, int]:
    """Only students and auditors (their own space)."""
    return (302, ok, ok, 403, 403, 403)


A = "/seminars/sem-a"
TABLE = [
    # Seminar creation: any instructor account.
    Row("GET", "/seminars/new", (302, 403, 403, 200, 200, 200)),
    Row("POST", "/seminars/new", (302, 403, 403, 200, 200, 200), {}),
    # Instructor pages of seminar A.
    Row("GET", f"{A}/", only_instructor(200)),
    Row("GET", f"{A}/edit", only_instructor(200)),
    Row("POST", f"{A}/edit", only_instructor(200), {}),
    Row("POST", f"{A}/invitation", only_instructor(302), {"action": "nothing"}),
    Row("GET", f"{A}/instructors", only_instructor(200)),
    Row("POST", f"{A}/instructors", only_instructor(200), {}),
    Row("GET", f"{A}/calendar/new", only_instructor(200)),
    Row("POST", f"{A}/calendar/new", only_instructor(200), {}),
    Row("GET", f"{A}/calendar/{{session}}/edit", only_instructor(200)),
    Row("POST", f"{A}/calendar/{{session}}/edit", only_instructor(200), {"title": ""}),
    Row("POST", f"{A}/calendar/{{session}}/delete", only_instructor(302), {}),
    Row("POST", f"{A}/calendar/feed", only_instructor(302), {}),
    Row("GET", f"{A}/calendar/registrations.csv", only_instructor(200)),
    Row("GET", f"{A}/calendar/{{session}}/attendance", only_instructor(200)),
    Row("POST", f"{A}/calendar/{{session}}/attendance", only_instructor(302), {}),
    Row("GET", f"{A}/participants", only_instructor(200)),
    Row("GET", f"{A}/participants/import", only_instructor(200)),
    Row("POST", f"{A}/participants/import", only_instructor(200), {}),
    Row("POST", f"{A}/participants/{{auditor}}/remove", only_instructor(302), {}),
    Row("POST", f"{A}/participants/{{auditor}}/restore", only_instructor(302), {}),
    Row("GET", f"{A}/participants/{{auditor}}/delete", only_instructor(200)),
    Row("GET", f"{A}/participants/{{auditor}}/merge", only_instructor(404)),  # not a claim
    Row("POST", f"{A}/participants/{{auditor}}/merge", only_instructor(404), {}),
    Row("POST", f"{A}/participants/{{auditor}}/delete", only_instructor(200), {}),
    Row("GET", f"{A}/topics", only_instructor(200)),
    Row("GET", f"{A}/topics/new", only_instructor(200)),
    Row("POST", f"{A}/topics/new", only_instructor(200), {}),
    Row("GET", f"{A}/topics/{{topic}}/edit", only_instructor(200)),
    Row("POST", f"{A}/topics/{{topic}}/edit", only_instructor(200), {"title": ""}),
    Row("POST", f"{A}/topics/{{topic}}/delete", only_instructor(302), {}),
    Row("GET", f"{A}/assignments/{{assignment}}", only_instructor(200)),
    Row("POST", f"{A}/assignments/{{assignment}}", only_instructor(200), {}),
    Row("GET", f"{A}/integrity", only_instructor(200)),
    Row("POST", f"{A}/integrity/999999", only_instructor(404), {}),
    # Pages of every member.
    Row("GET", f"{A}/calendar", members(200)),
    Row("GET", f"{A}/calendar.ics", members(200)),
    # The student's own space (an instructor is sent to the overview).
    Row("GET", f"{A}/me", members(200, instructor=302)),
    Row("GET", f"{A}/me/account", learners(200)),
    Row("POST", f"{A}/me/account", learners(200), {}),
    Row("POST", f"{A}/me/account/check", learners(302), {}),
    Row("POST", f"{A}/me/account/wikimedia", learners(302), {}),
    Row("GET", f"{A}/me/topic", learners(200)),
    Row("POST", f"{A}/me/topic", learners(200), {}),
    # Ids of another seminar are not found, even for that seminar's instructor.
    Row("GET", "/seminars/sem-b/participants/{student}/delete", (302, 403, 403, 404, 403, 403)),
    Row("GET", "/seminars/sem-b/assignments/{assignment}", (302, 403, 403, 404, 403, 403)),
    Row("GET", "/seminars/sem-b/calendar/{session}/edit", (302, 403, 403, 404, 403, 403)),
    Row("GET", "/seminars/sem-b/", (302, 403, 403, 200, 403, 403)),
    Row("GET", "/seminars/unknown/", (302, 404, 404, 404, 404, 404)),
    # The calendar feed with a wrong secret, for anyone.
    Row("GET", f"{A}/calendar.ics?token=wrong", (404, 404, 404, 404, 404, 404)),
    # Enrolment: members are sent to their page, others get the passcode form.
    Row("GET", "/join/invite-a", (200, 302, 302, 200, 200, 302)),
    Row("POST", "/join/invite-a", (200, 302, 302, 200, 200, 302), {}),
    Row("GET", "/join/audit-a", (200, 302, 302, 200, 200, 302)),
    Row("GET", "/join/not-a-token", (404, 404, 404, 404, 404, 404)),
    Row("GET", "/account/setup/not-a-token", (404, 404, 404, 404, 404, 404)),
    Row("POST", "/account/setup/not-a-token", (404, 404, 404, 404, 404, 404), {}),
    # Sign-in with Wikimedia is not configured in tests: back to the sign-in page.
    Row("GET", "/auth/wikimedia/login", (302, 302, 302, 302, 302, 302)),
    Row("GET", "/auth/wikimedia/callback?state=x&code=y", (302, 302, 302, 302, 302, 302)),
    Row("GET", "/", (200, 200, 200, 200, 200, 200)),
]


_worlds = itertools.count(1)


@pytest.fixture(scope="module", params=BACKENDS)
def table_app(request: pytest.FixtureRequest, sqlite_template: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app (and database) for the whole table; each row seeds a world of its own.

    Rows do not share rows of the database (every name carries the row's suffix), so no
    row sees another's changes, and the database is emptied once, not once per row.
    """
    folder = tmp_path_factory.mktemp("permissions")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, folder / "table.sqlite")
        url = f"sqlite:///{folder / 'table.sqlite'}"
    else:
        url = str(request.getfixturevalue("pg_migrated"))
    application = make_app(url, folder / "instance")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgresql":
        _empty_postgres(application)


def resolve(path: str, world: World, suffix: str = "") -> str:
    """Fill the ids and names of a seeded world into a path."""
    path = path.format(session=world.session_id, topic=world.topic_id,
                       assignment=world.assignment_id, auditor=world.participants["auditor"],
                       student=world.participants["student"])
    for name in ("sem-a", "sem-b", "invite-a", "audit-a"):
        path = path.replace(name, f"{name}{suffix}")
    return path


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_route_answers_each_role_as_expected(table_app: Flask, row: Row) -> None:
    app = table_app
    suffix = f"-r{next(_worlds)}"
    world = seed(app, suffix=suffix)
    path = resolve(row.path, world, suffix)
    got = {}
    for role in ROLES:
        client = app.test_client()
        login_as(client, world.users.get(role))
        if row.method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=row.data or {})
        got[role] = response.status_code
        if role == "anonymous" and response.status_code == 302 and "/auth/" not in path \
                and not path.startswith("/join"):
            assert "/auth/login" in response.headers["Location"]
    assert got == dict(zip(ROLES, row.expected, strict=True))


def test_an_admin_opens_every_instructor_page(table_app: Flask) -> None:
    """An operator (admin) with no place in seminar A gets what A's instructor gets on its
    instructor pages; on members' and students' pages, what any outsider gets."""
    from wikiseminar.models import User

    app = table_app
    suffix = f"-admin{next(_worlds)}"
    world = seed(app, suffix=suffix)
    with app.app_context():
        user = db.session.get(User, world.users["site_instructor"])
        assert user is not None
        user.is_admin = True
        db.session.commit()
    for row in TABLE:
        if row.path.startswith("/seminars/sem-b") or row.path.endswith("/delete") \
                or row.method == "POST":
            continue  # other worlds' ids; destructive actions are tested elsewhere
        path = resolve(row.path, world, suffix)
        client = app.test_client()
        login_as(client, world.users["site_instructor"])
        got = client.get(path).status_code
        instructor_only = row.expected[:5] == (302, 403, 403, 403, 403)
        expected = row.expected[5] if instructor_only else row.expected[4]
        assert got == expected, f"{row}: {got}"


def test_table_covers_every_route(app: Flask) -> None:
    """A new route of these blueprints must be added to the table."""
    tested = {(row.method, _rule_of(app, resolve(row.path, World(
        participants={"auditor": 1, "student": 1}, session_id=1, topic_id=1,
        assignment_id=1)).split("?")[0], row.method)) for row in TABLE}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("seminars.", "join.", "account.", "wikimedia.")):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) not in tested:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"routes missing from the permission table: {missing}"


def _rule_of(app: Flask, path: str, method: str) -> str:
    """The URL rule a path matches."""
    adapter = app.url_map.bind("localhost")
    rule, _args = adapter.match(path, method=method, return_rule=True)
    return rule.rule
