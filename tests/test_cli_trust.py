"""The CLI under real operations: safe output files, the demo password, cron's sync, bad input."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskCliRunner

from wikiseminar.demo import DEMO_SLUG
from wikiseminar.extensions import db
from wikiseminar.models import Participant, Seminar

from .localwiki import LocalWiki

TODAY = "2026-03-02"


def demo(runner: FlaskCliRunner, *args: str) -> str:
    """Install (or re-run) the demo seminar; return the printed password."""
    result = runner.invoke(args=["demo", "--today", TODAY, *args])
    assert result.exit_code == 0, result.output
    found = re.search(r"instructor: \S+\s+password: (\S+)", result.output)
    assert found, result.output
    return found.group(1)


# --- item 14: the demo keeps the password it printed ------------------------------------------


def test_demo_run_again_keeps_the_password_it_printed(app: Flask, runner: FlaskCliRunner) -> None:
    first = demo(runner)
    again = runner.invoke(args=["demo", "--today", TODAY])
    assert again.exit_code == 0
    assert f"password: {first}" in again.output and "password unchanged" in again.output
    remembered = Path(app.instance_path) / "demo-password.txt"
    assert stat.S_IMODE(remembered.stat().st_mode) == 0o600
    with app.app_context():
        from wikiseminar.models import User

        instructor = db.session.query(User).filter(User.is_instructor.is_(True)).first()
        assert instructor is not None and instructor.check_password(first)
    chosen = demo(runner, "--password", "a-chosen-demo-password")
    assert chosen == "a-chosen-demo-password"
    assert demo(runner) == chosen  # the given one is kept too
    rebuilt = demo(runner, "--reset")
    assert rebuilt != chosen


# --- item 10: -o - is standard output; -o never replaces a link or a device --------------------


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder for the files a test writes (tmp_path also holds the database)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def demo_seminar(runner: FlaskCliRunner) -> str:
    """The demo seminar installed; its slug."""
    demo(runner, "--password", "demo-password-for-tests")
    return DEMO_SLUG


def test_dash_output_is_standard_output(runner: FlaskCliRunner, demo_seminar: str,
                                        out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(out_dir)
    for args in (["export", "seminar", demo_seminar], ["export", "revisions", demo_seminar],
                 ["export", "grades", demo_seminar], ["report", demo_seminar, "--format", "html"],
                 ["export", "programme", demo_seminar]):
        result = runner.invoke(args=[*args, "-o", "-"])
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout_bytes, args
        assert not (out_dir / "-").exists(), args
    dumped = runner.invoke(args=["export", "seminar", demo_seminar, "-o", "-"])
    assert json.loads(dumped.stdout_bytes)["participants"]


def test_output_never_replaces_a_symlink(runner: FlaskCliRunner, demo_seminar: str,
                                         out_dir: Path) -> None:
    target = out_dir / "target.txt"
    target.write_text("keep me\n")
    link = out_dir / "link.json"
    link.symlink_to(target)
    dangling = out_dir / "dangling.json"
    dangling.symlink_to(out_dir / "nowhere.json")
    for path in (link, dangling):
        result = runner.invoke(args=["export", "seminar", demo_seminar, "-o", str(path)])
        assert result.exit_code != 0
        assert "symbolic link" in result.output and "Traceback" not in result.output
        assert path.is_symlink()
    assert target.read_text() == "keep me\n"
    assert not (out_dir / "nowhere.json").exists()
    assert sorted(p.name for p in out_dir.iterdir()) == ["dangling.json", "link.json",
                                                           "target.txt"]


def test_output_never_replaces_a_device(runner: FlaskCliRunner, demo_seminar: str,
                                        out_dir: Path) -> None:
    fifo = out_dir / "pipe"
    os.mkfifo(fifo)
    devices = [fifo, Path("/dev/null")]
    if os.geteuid() == 0:
        node = out_dir / "null-device"
        os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        devices.append(node)
    for path in devices:
        before = os.lstat(path)
        result = runner.invoke(args=["export", "revisions", demo_seminar, "-o", str(path)])
        assert result.exit_code != 0, path
        assert "not a regular file" in result.output, result.output
        after = os.lstat(path)
        assert (after.st_mode, after.st_ino, after.st_rdev) == (
            before.st_mode, before.st_ino, before.st_rdev)
    assert not [p for p in out_dir.iterdir() if p.name.endswith(".part")]


def test_output_to_a_regular_file_is_private_and_complete(runner: FlaskCliRunner,
                                                          demo_seminar: str,
                                                          out_dir: Path) -> None:
    out = out_dir / "seminar.json"
    out.write_text("old")
    result = runner.invoke(args=["export", "seminar", demo_seminar, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["participants"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in out_dir.iterdir()] == ["seminar.json"]


# --- item 8: cron's sync syncs real seminars and survives a failing one ------------------------


def _create_on(runner: FlaskCliRunner, api_url: str, slug: str) -> None:
    """A seminar running from ten days ago to next month (so the bare `sync` picks it)."""
    today = dt.date.today()
    result = runner.invoke(args=[
        "seminar", "create", slug, "--title", f"Séminaire {slug}", "--wiki", api_url,
        "--start", str(today - dt.timedelta(days=10)), "--end", str(today + dt.timedelta(days=30)),
        "--instructor", "prof@example.org"])
    assert result.exit_code == 0, result.output


def _last_sync(app: Flask, slug: str) -> dt.datetime | None:
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        assert seminar is not None
        return seminar.last_sync_at


@pytest.mark.wiki
def test_bare_sync_leaves_the_demo_out_and_exits_zero(app: Flask, runner: FlaskCliRunner,
                                                      wiki: LocalWiki) -> None:
    assert runner.invoke(args=["demo", "--password", "demo-password-for-tests"]).exit_code == 0
    _create_on(runner, wiki.api_url, "reel")
    demo_synced = _last_sync(app, DEMO_SLUG)  # the install itself records a sync
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "failed" not in result.output
    assert "synced 1 seminar(s)" in result.output
    assert _last_sync(app, "reel") is not None
    assert _last_sync(app, DEMO_SLUG) == demo_synced


@pytest.mark.wiki
def test_one_failing_seminar_never_stops_the_others(app: Flask, runner: FlaskCliRunner,
                                                    wiki: LocalWiki,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _create_on(runner, wiki.api_url, "a-down")
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "a-down"))
        assert seminar is not None
        seminar.wiki.api_url = "http://127.0.0.1:9/api.php"  # nothing listens there
        db.session.add(Participant(seminar=seminar, name="A", wiki_username="A", wiki_user_id=3))
        db.session.commit()
    _create_on(runner, wiki.api_url, "b-crash")
    _create_on(runner, wiki.api_url, "c-up")
    app.config["WIKI_MAX_RETRIES"] = 0

    import wikiseminar.commands.sync as sync_module

    real_sync = sync_module.sync_seminar

    def crash_on_b(session, seminar, client, options):  # type: ignore[no-untyped-def]
        if seminar.slug == "b-crash":
            raise RuntimeError("injected fault\nsecond line")
        return real_sync(session, seminar, client, options)

    monkeypatch.setattr(sync_module, "sync_seminar", crash_on_b)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1, result.output
    assert "a-down: sync failed: " in result.output
    assert "b-crash: sync failed: injected fault\n" in result.output
    assert "Traceback" not in result.output
    assert "synced 1 seminar(s)" in result.output and "2 failed" in result.output
    assert _last_sync(app, "c-up") is not None


# --- item 9 (CLI): dates are bounded where they enter ----------------------------------------


@pytest.mark.parametrize("args", [
    ["--start", "2025-01-06", "--end", "9999-12-31"],
    ["--start", "0001-01-01", "--end", "2025-03-31"],
    ["--start", "2025-01-06", "--end", "2025-03-31", "--restitution", "0001-01-01 10:00"],
    ["--start", "2025-01-06", "--end", "2025-03-31", "--restitution", "9999-12-31 23:30"],
])
def test_seminar_create_refuses_dates_out_of_range(app: Flask, runner: FlaskCliRunner,
                                                   args: list[str]) -> None:
    result = runner.invoke(args=["seminar", "create", "far", "--title", "Loin", "--wiki",
                                 "http://127.0.0.1:9/api.php", "--instructor", "prof@example.org",
                                 *args])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "out of range" in lines[0], result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Seminar)) == 0


def test_demo_refuses_a_today_out_of_range(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "--today", "9999-12-31"])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert "out of range" in result.output and "Traceback" not in result.output


def test_date_bounds_are_one_shared_function() -> None:
    from wikiseminar.validation import DATE_MAX, DATE_MIN, DateOutOfRange, check_date_bounds

    assert check_date_bounds(dt.date(2025, 1, 6), "start") == dt.date(2025, 1, 6)
    moment = dt.datetime(2025, 3, 28, 14, 0)
    assert check_date_bounds(moment, "restitution") is moment
    for bad in (dt.date(1, 1, 1), dt.date(9999, 12, 31), DATE_MIN - dt.timedelta(days=1),
                DATE_MAX + dt.timedelta(days=1)):
        with pytest.raises(DateOutOfRange) as caught:
            check_date_bounds(bad, "end")
        assert str(caught.value).startswith(f"end {bad.isoformat()} is out of range")
        assert "\n" not in str(caught.value)


# --- item 13 (CLI/config): configuration and database problems are one line --------------------


def _cli(args: list[str], instance: Path, input_text: str | None = None,
         **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `wikiseminar` command as cron or an operator would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WIKISEMINAR_")}
    environment.update({"WIKISEMINAR_INSTANCE_PATH": str(instance), **env})
    command = Path(sys.executable).with_name("wikiseminar")
    return subprocess.run([str(command), *args], env=environment, input=input_text,
                          capture_output=True, text=True, timeout=120)


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0 and len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


@pytest.mark.parametrize("content, expected", [
    ("[wiki]\nmax_retrie = 5\n", "unknown setting [wiki] max_retrie"),
    ('[wiki]\nmax_retries = "five"\n', "setting [wiki] max_retries must be int"),
    ("[sync]\ntrack_histories = 3\n", "setting [sync] track_histories must be bool"),
    ('timezone = "Mars/Olympus"\n', "setting timezone: unknown time zone 'Mars/Olympus'"),
    ("database_url = 5\n", "setting database_url must be str"),
])
def test_a_bad_setting_is_one_line_naming_the_file_and_key(tmp_path: Path, content: str,
                                                           expected: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content, encoding="utf-8")
    line = _one_line(_cli(["seminar", "list"], tmp_path))
    assert str(config) in line and expected in line


def test_a_short_secret_key_is_refused_as_too_short(tmp_path: Path) -> None:
    line = _one_line(_cli(["run", "--port", "9"], tmp_path,
                          WIKISEMINAR_SECRET_KEY="only-ten-c"))
    assert "too short" in line and "no secret key" not in line
    from wikiseminar.config import ConfigError, require_secret_key

    with pytest.raises(ConfigError, match="too short"):
        require_secret_key({"SECRET_KEY": "x" * 31})
    require_secret_key({"SECRET_KEY": "x" * 32})


def test_a_read_only_database_is_one_line(tmp_path: Path, database_url: str, backend: str) -> None:
    if backend == "sqlite":
        read_only = f"sqlite:///file:{database_url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    else:
        read_only = database_url + "?options=-c%20default_transaction_read_only%3Don"
    done = _cli(["user", "create-instructor", "ops@example.org", "--name", "Ops",
                 "--password-stdin"], tmp_path / "instance", "a-long-password-123\n",
                WIKISEMINAR_DATABASE_URL=read_only, WIKISEMINAR_SECRET_KEY="k" * 40)
    assert "the database is read-only" in _one_line(done)


def test_a_full_database_is_one_line(sqlite_template: Path, tmp_path: Path) -> None:
    import shutil

    from flask.cli import ScriptInfo

    from wikiseminar.cli import main

    from .conftest import make_app

    path = tmp_path / "full.sqlite"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", tmp_path / "instance")
    pages = int(path.stat().st_size // 4096)

    with app.app_context():
        db.engine.dispose()

        @sa.event.listens_for(db.engine, "connect")
        def _no_room(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    result = CliRunner().invoke(main, ["demo", "--password", "demo-password-for-tests"],
                                obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "the database is full" in lines[0], result.output
    with app.app_context():
        db.engine.dispose()


# --- item 15: analyze refuses what is not an export, never prints half a JSON document, and
# escapes control characters from the wiki ------------------------------------------------------

HISTORIES = Path(__file__).resolve().parent / "data" / "histories"


def _analyze(*args: str) -> tuple[int, bytes, str]:
    from wikiseminar.commands.analyze import analyze_command

    result = CliRunner().invoke(analyze_command, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.mark.parametrize("content", [
    '<?xml version="1.0"?>\n<html><body><p>bonjour</p></body></html>\n',
    # the right root name in a foreign namespace, with a page that looks like one
    '<mediawiki xmlns="http://example.org/not-mediawiki/"><page><title>P</title><id>1</id>'
    "<revision><id>5</id><timestamp>2024-01-01T00:00:00Z</timestamp><text>x</text>"
    "</revision></page></mediawiki>\n",
])
@pytest.mark.parametrize("as_json", [False, True])
def test_analyze_refuses_xml_that_is_not_a_mediawiki_export(tmp_path: Path, content: str,
                                                            as_json: bool) -> None:
    path = tmp_path / "other.xml"
    path.write_text(content, encoding="utf-8")
    code, out, err = _analyze(str(path), *(["--json"] if as_json else []))
    assert code == 1 and out == b""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "not a MediaWiki export" in lines[0]


@pytest.mark.parametrize("authorship", [False, True])
def test_a_truncated_file_never_leaves_half_a_json_document(tmp_path: Path,
                                                            authorship: bool) -> None:
    whole = (HISTORIES / "Hallo.xml").read_bytes()
    for cut in (0.5, 0.9):
        path = tmp_path / f"cut-{cut}.xml"
        path.write_bytes(whole[: int(len(whole) * cut)])
        code, out, err = _analyze(str(path), "--json", *(["--authorship"] if authorship else []))
        assert code == 1 and out == b"", out[:200]
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "malformed XML" in lines[0].rpartition(".xml:")[2], err
    code, out, err = _analyze(str(HISTORIES / "Hallo.xml"), "--json")
    assert code == 0, err
    assert json.loads(out)  # the whole file still prints the whole document


def _hostile_history(tmp_path: Path) -> Path:
    """A prop=revisions JSON history whose title and usernames carry terminal escapes."""
    revisions = json.loads((HISTORIES / "nintendo_switch_revisions.json").read_text("utf-8"))[:4]
    revisions[0]["user"] = "Mallory\x1b]0;owned\x07\x1b[2J"
    revisions[1]["user"] = "Eve\u202egnp.exe\r\x9b31m"
    page = {"title": "Titre\x1b[31m rouge\u2028", "revisions": revisions}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"query": {"pages": [page]}}), encoding="utf-8")
    return path


_RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028]")


@pytest.mark.parametrize("args", [[], ["--json"], ["--authorship"], ["--authorship", "--json"]])
def test_analyze_escapes_control_characters(tmp_path: Path, args: list[str]) -> None:
    code, out, err = _analyze(str(_hostile_history(tmp_path)), *args)
    assert code == 0, err
    text = out.decode("utf-8")
    assert not _RAW_CONTROLS.search(text), repr(text[:300])
    if "--json" in args:
        json.loads(text)  # still valid JSON, the true values escaped inside
        assert "Mallory\\u001b]0;owned\\u0007" in text
    else:
        assert "Mallory\\x1b]0;owned\\x07" in text or "Mallory\\x1b]0;ow" in text


def test_seminar_list_escapes_control_characters(app: Flask, runner: FlaskCliRunner,
                                                 demo_seminar: str) -> None:
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == demo_seminar))
        assert seminar is not None
        seminar.title = "Cultures\x1b[2J\x1b]52;c;ZXZpbA==\x07 numériques\u202e"
        db.session.commit()
    result = runner.invoke(args=["seminar", "list"])
    assert result.exit_code == 0
    assert not _RAW_CONTROLS.search(result.output), repr(result.output)
    assert "Cultures\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07 numériques\\u202e" in result.output


def test_error_lines_escape_names_from_the_database(app: Flask, runner: FlaskCliRunner,
                                                    demo_seminar: str) -> None:
    from wikiseminar.models import Role

    with app.app_context():
        camille = db.session.scalar(sa.select(Participant).where(
            Participant.wiki_username == "Camille.M75"))
        assert camille is not None
        camille.role = Role.INSTRUCTOR
        camille.name = "Camille\x1b[2J\u202eMartin"
        db.session.commit()
    result = runner.invoke(args=["report", demo_seminar, "--student", "Camille.M75"])
    assert result.exit_code == 1
    assert not _RAW_CONTROLS.search(result.output), repr(result.output)
    assert "Camille\\x1b[2J\\u202eMartin is an instructor" in result.output
