"""Seminars made on the command line have owners; an admin can open every seminar."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Role, Seminar, User

from .localwiki import LocalWiki
from .webkit import sign_in

pytestmark = pytest.mark.wiki


def create(runner: FlaskCliRunner, wiki: LocalWiki, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["seminar", "create", "owned-sem", "--title", "T", "--wiki",
                               wiki.api_url, "--start", "2024-01-08", "--end", "2024-03-31", *extra])


def instructors(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(User.email).join(
            Participant, Participant.user_id == User.id).where(
            Participant.role == Role.INSTRUCTOR, Participant.removed_at.is_(None))))


def test_seminar_create_names_its_instructors(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki) -> None:
    made = runner.invoke(args=["user", "create-instructor", "prof@example.org", "--password-stdin"],
                         input="a-long-password-123\n")
    assert made.exit_code == 0, made.output
    missing = create(runner, wiki)
    assert missing.exit_code != 0 and "--instructor" in missing.output
    result = create(runner, wiki, "--instructor", "Prof@Example.org", "--instructor", "co@example.org")
    assert result.exit_code == 0, result.output
    assert "co@example.org" in result.output and "reset-password" in result.output
    assert instructors(app) == {"prof@example.org", "co@example.org"}
    client = app.test_client()
    sign_in(client, "prof@example.org", "a-long-password-123")
    assert client.get("/seminars/owned-sem/").status_code == 200


def test_add_instructor(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki) -> None:
    assert create(runner, wiki, "--instructor", "prof@example.org").exit_code == 0
    added = runner.invoke(args=["seminar", "add-instructor", "owned-sem", "second@example.org"])
    assert added.exit_code == 0, added.output
    assert instructors(app) == {"prof@example.org", "second@example.org"}
    again = runner.invoke(args=["seminar", "add-instructor", "owned-sem", "second@example.org"])
    assert again.exit_code == 0 and "already an instructor" in again.output
    unknown = runner.invoke(args=["seminar", "add-instructor", "nope", "x@example.org"])
    assert unknown.exit_code == 1 and "no seminar 'nope'" in unknown.output
    bad = runner.invoke(args=["seminar", "add-instructor", "owned-sem", "not-an-email"])
    assert bad.exit_code == 1 and bad.output.strip().count("\n") == 0


def test_an_admin_opens_every_seminar(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki) -> None:
    assert create(runner, wiki, "--instructor", "prof@example.org").exit_code == 0
    runner.invoke(args=["user", "create-instructor", "ops@example.org", "--password-stdin"],
                  input="a-long-password-123\n")
    client = app.test_client()
    sign_in(client, "ops@example.org", "a-long-password-123")
    assert client.get("/seminars/owned-sem/").status_code == 403
    assert runner.invoke(args=["user", "set-admin", "ops@example.org"]).exit_code == 0
    for path in ("/seminars/owned-sem/", "/seminars/owned-sem/participants",
                 "/seminars/owned-sem/dashboard", "/seminars/owned-sem/instructors"):
        assert client.get(path).status_code == 200, path
    assert "/seminars/owned-sem/" in client.get("/").get_data(as_text=True)
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar))
        assert seminar is not None
