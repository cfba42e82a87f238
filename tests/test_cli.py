"""The CLI as cron and instructors use it: creation, roster, sync, export, and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Seminar, Wiki

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import import_seminar_edits, new_scenario

pytestmark = pytest.mark.wiki


def create(runner: FlaskCliRunner, wiki: LocalWiki, slug: str = "cultures-num", **extra: str):  # type: ignore[no-untyped-def]
    args = ["seminar", "create", slug, "--title", "Cultures numériques", "--wiki", wiki.api_url,
            "--start", extra.get("start", "2024-01-08"), "--end", extra.get("end", "2024-03-31"),
            "--instructor", "prof@example.org"]
    if "restitution" in extra:
        args += ["--restitution", extra["restitution"]]
    return runner.invoke(args=args)


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count()).select_from(Seminar)) or 0,
                db.session.scalar(sa.select(sa.func.count()).select_from(Participant).where(
                    Participant.role != "instructor")) or 0,
                db.session.scalar(sa.select(sa.func.count()).select_from(Wiki)) or 0)


def test_seminar_create_and_list(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki) -> None:
    result = create(runner, wiki, restitution="2024-03-28 14:00")
    assert result.exit_code == 0, result.output
    assert "created seminar cultures-num on Test Wiki" in result.output
    with app.app_context():
        seminar = db.session.scalars(sa.select(Seminar)).one()
        assert seminar.language == "fr"
        assert seminar.restitution_at is not None and seminar.restitution_at.hour == 13  # Paris, UTC+1
        assert seminar.passcode and seminar.invite_token
    listing = runner.invoke(args=["seminar", "list"])
    assert listing.exit_code == 0
    assert "cultures-num\t2024-01-08..2024-03-31\t" in listing.output and "last sync never" in listing.output


@pytest.mark.parametrize("args, message", [
    (dict(start="2024-13-01"), "start '2024-13-01' is not a date of the form YYYY-MM-DD"),
    (dict(start="2024-04-01"), "the end date 2024-03-31 is before the start date 2024-04-01"),
    (dict(restitution="demain"), "restitution 'demain' is not of the form"),
])
def test_seminar_create_rejects_bad_dates(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki,
                                          args: dict[str, str], message: str) -> None:
    result = create(runner, wiki, **args)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.strip().count("\n") == 0
    assert counts(app) == (0, 0, 0)


def test_seminar_create_rejects_bad_slugs_and_wikis(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki) -> None:
    assert "slug 'Bad Slug'" in create(runner, wiki, slug="Bad Slug").output
    bad_url = runner.invoke(args=["seminar", "create", "x-y-z", "--title", "T", "--wiki",
                                  wiki.base + "/index.php", "--start", "2024-01-01", "--end", "2024-01-02",
                                  "--instructor", "prof@example.org"])
    assert bad_url.exit_code == 1 and "does not end with /api.php" in bad_url.output
    app.config["WIKI_MAX_RETRIES"] = 0
    down = runner.invoke(args=["seminar", "create", "x-y-z", "--title", "T", "--wiki",
                               "http://127.0.0.1:9/api.php", "--start", "2024-01-01", "--end", "2024-01-02",
                               "--instructor", "prof@example.org"])
    assert down.exit_code == 1 and "127.0.0.1:9" in down.output
    assert counts(app) == (0, 0, 0)
    assert create(runner, wiki).exit_code == 0
    again = create(runner, wiki)
    assert again.exit_code == 1 and "already exists" in again.output
    assert counts(app) == (1, 0, 1)


def write(tmp_path: Path, text: str, name: str = "roster.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def test_roster_import_checks_accounts_and_reports_unknown_ones_by_line(
        app: Flask, runner: FlaskCliRunner, wiki: LocalWiki, tmp_path: Path) -> None:
    sc = new_scenario()
    wiki.create_users([sc.user("elodie"), sc.user("bruno")])
    assert create(runner, wiki).exit_code == 0
    roster = write(tmp_path, "\ufeffname,email,wiki_username,role\n"
                   f"Élodie Martin,elodie@example.org,{sc.user('elodie')},student\n"
                   f"Bruno Petit,bruno@example.org,{sc.user('bruno').lower()},auditor\n"
                   "Zoé Inconnue,zoe@example.org,Nobody Here 123456,student\n"
                   "Sans Compte,sans@example.org,,student\n")
    result = runner.invoke(args=["roster", "import", "cultures-num", roster])
    assert result.exit_code == 3, result.output
    assert f"{roster}:4: skipped: wiki account 'Nobody Here 123456' does not exist" in result.output
    assert "cultures-num: 3 added, 0 updated, 0 unchanged, 0 conflicts, 1 skipped" in result.output
    with app.app_context():
        people = {p.name: p for p in db.session.scalars(sa.select(Participant).where(
            Participant.role != "instructor"))}
        assert set(people) == {"Élodie Martin", "Bruno Petit", "Sans Compte"}
        assert people["Bruno Petit"].wiki_username == sc.user("bruno")  # the wiki's spelling
        assert people["Bruno Petit"].role == "auditor"
        assert people["Élodie Martin"].wiki_user_id and not people["Élodie Martin"].wiki_verified
        assert people["Sans Compte"].account_status == "missing"
        assert people["Élodie Martin"].account_status == "unverified"
    # Importing the same file again changes nothing, never duplicates.
    again = runner.invoke(args=["roster", "import", "cultures-num", roster])
    assert "0 added, 0 updated, 3 unchanged, 0 conflicts, 1 skipped" in again.output
    assert counts(app)[1] == 3


@pytest.mark.parametrize("content, message", [
    ("", "the file is empty"),
    ("nom,courriel\nA,b@c.d\n", "missing column(s) wiki_username"),
    ("name,email,wiki_username,role\nA,a@b.org,X,teacher\n", "line 2: role 'teacher' must be student or auditor"),
    ("name,email,wiki_username,role\nA,not-an-email,X,student\n", "line 2: 'not-an-email' is not an email address"),
    ("name,email,wiki_username,role\nA,a@b.org,X\n", "line 2: 3 fields, the header has 4"),
    ("name,email,wiki_username,role\nA,a@b.org,X,student\nB,A@B.org,Y,student\n", "line 3: A@b.org already on line 2"),
    ("name,email,wiki_username,role\n,a@b.org,X,student\n", "line 2: the name is empty"),
])
def test_malformed_roster_writes_nothing(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki,
                                         tmp_path: Path, content: str, message: str) -> None:
    assert create(runner, wiki).exit_code == 0
    result = runner.invoke(args=["roster", "import", "cultures-num", write(tmp_path, content)])
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.strip().count("\n") == 0
    assert counts(app)[1] == 0


def test_roster_errors_for_unknown_seminar_missing_file_and_binary(
        app: Flask, runner: FlaskCliRunner, wiki: LocalWiki, tmp_path: Path) -> None:
    unknown = runner.invoke(args=["roster", "import", "nope", write(tmp_path, "name,email,wiki_username\n")])
    assert unknown.exit_code == 1 and "no seminar 'nope'" in unknown.output
    assert create(runner, wiki).exit_code == 0
    missing = runner.invoke(args=["roster", "import", "cultures-num", str(tmp_path / "absent.csv")])
    assert missing.exit_code == 1 and "No such file" in missing.output
    (tmp_path / "bin.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    binary = runner.invoke(args=["roster", "import", "cultures-num", str(tmp_path / "bin.csv")])
    assert binary.exit_code == 1 and "not UTF-8 or Windows-1252 text" in binary.output


def test_sync_and_export_revisions(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki, tmp_path: Path) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    # A title a spreadsheet would run as a formula.
    wiki.import_pages([PageSpec(f"=HYPERLINK(1) {sc.tag}", [Rev(sc.user("bruno"), "2024-02-01T09:00:00Z", "x")])])
    assert create(runner, wiki).exit_code == 0
    roster = write(tmp_path, "name,email,wiki_username,role\n"
                   f"Élodie,e@example.org,{sc.user('elodie')},student\nBruno,b@example.org,{sc.user('bruno')},student\n")
    assert runner.invoke(args=["roster", "import", "cultures-num", roster]).exit_code == 0
    synced = runner.invoke(args=["sync", "cultures-num"])
    assert synced.exit_code == 0, synced.output
    summary = synced.output.strip().splitlines()[-1]
    assert summary.startswith("synced 1 seminar(s): ") and " requests, " in summary

    out = tmp_path / "revisions.csv"
    exported = runner.invoke(args=["export", "revisions", "cultures-num", "--format", "csv", "-o", str(out)])
    assert exported.exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["user"] for r in rows} == {sc.user("elodie"), sc.user("bruno")}
    assert rows == sorted(rows, key=lambda r: (r["timestamp"], int(r["revid"])))
    formula = [r for r in rows if "HYPERLINK" in r["title"]]
    assert formula and formula[0]["title"].startswith("'=")
    sandbox = [r for r in rows if r["title"] == sc.titles["sandbox"]]
    assert sandbox and sandbox[0]["namespace"] == "2"
    assert any("new" in r["flags"].split("|") for r in rows)

    as_json = runner.invoke(args=["export", "revisions", "cultures-num", "--format", "json"])
    data = json.loads(as_json.output)
    assert [d["revid"] for d in data] == [int(r["revid"]) for r in rows]
    assert set(data[0]) >= {"revid", "parent_id", "page_id", "title", "namespace", "user",
                            "timestamp", "size_diff", "flags", "tags"}

    bad = runner.invoke(args=["export", "revisions", "nope"])
    assert bad.exit_code == 1 and "no seminar 'nope'" in bad.output
    unknown = runner.invoke(args=["sync", "nope"])
    assert unknown.exit_code == 1 and "no seminar 'nope'" in unknown.output


def test_sync_of_an_unreachable_wiki_exits_non_zero(app: Flask, runner: FlaskCliRunner, wiki: LocalWiki) -> None:
    assert create(runner, wiki).exit_code == 0
    with app.app_context():
        db.session.scalars(sa.select(Wiki)).one().api_url = "http://127.0.0.1:9/api.php"
        seminar = db.session.scalars(sa.select(Seminar)).one()
        db.session.add(Participant(seminar=seminar, name="A", wiki_username="A", wiki_user_id=3))
        db.session.commit()
    app.config["WIKI_MAX_RETRIES"] = 0
    result = runner.invoke(args=["sync", "cultures-num"])
    assert result.exit_code == 1
    assert "cultures-num: sync failed: 127.0.0.1:9: gave up after 1 attempts" in result.output


def test_user_commands_make_instructors_and_operators(app: Flask, runner: FlaskCliRunner) -> None:
    from wikiseminar.models import User

    made = runner.invoke(args=["user", "create-instructor", "Ops@Example.org", "--name", "Ops",
                               "--password-stdin"], input="a-long-password-123\n")
    assert made.exit_code == 0, made.output
    assert runner.invoke(args=["user", "set-admin", "ops@example.org"]).exit_code == 0
    with app.app_context():
        user = db.session.scalars(sa.select(User)).one()
        assert user.is_instructor and user.is_admin and user.check_password("a-long-password-123")
    revoked = runner.invoke(args=["user", "set-admin", "ops@example.org", "--revoke"])
    assert "is no longer an operator" in revoked.output
    unknown = runner.invoke(args=["user", "set-admin", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no account with the email" in unknown.output
    with app.app_context():
        assert not db.session.scalars(sa.select(User)).one().is_admin
