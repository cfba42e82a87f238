"""Fixtures: the app on SQLite and on PostgreSQL, a real local MediaWiki, CLI runners.

Every test that takes `app` runs once per database backend (WIKISEMINAR_TEST_BACKENDS,
default "sqlite,postgresql"). Each SQLite test gets its own migrated file; PostgreSQL tests
share one throw-away database created (and dropped) by this session, emptied between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from wikiseminar import create_app
from wikiseminar.extensions import db

from .localwiki import LocalWiki
from .mailkit import mail_app, smtp  # noqa: F401  (fixtures: a real SMTP server)

BACKENDS = [b.strip() for b in os.environ.get("WIKISEMINAR_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
PG_ADMIN_URL = os.environ.get("WIKISEMINAR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_SECRET = "test-secret-key-not-for-production-0123456789"
DATA = Path(__file__).resolve().parent / "data"


def base_config(url: str) -> dict[str, object]:
    """Settings every test app starts from."""
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "WIKI_USER_AGENT": "wikiseminar-tests/0.1",
        "WIKI_CONTACT": "tests@example.invalid",
        "WIKI_MAX_RETRIES": 2,
        "WIKI_MAX_BACKOFF": 0.05,
        "WIKI_TIMEOUT": 10.0,
        "SYNC_WATERMARK_OVERLAP_MINUTES": 0,
        # Nothing may reach the internet: tests that fetch sources turn this on, with
        # INTEGRITY_ALLOW_PRIVATE_HOSTS, against their own local HTTP server.
        "INTEGRITY_FETCH_SOURCES": False,
    }


def make_app(url: str, instance: Path, **overrides: object) -> Flask:
    """A test app on `url` with its instance folder in `instance`."""
    os.environ["WIKISEMINAR_INSTANCE_PATH"] = str(instance)
    os.environ.pop("WIKISEMINAR_CONFIG", None)
    for key in ("WIKISEMINAR_DATABASE_URL", "WIKISEMINAR_SECRET_KEY", "WIKISEMINAR_REDIS_URL"):
        os.environ.pop(key, None)
    return create_app({**base_config(url), **overrides})


def upgrade(app: Flask) -> None:
    """Run every Alembic migration (the only way the schema is made, in tests too)."""
    from flask_migrate import upgrade as alembic_upgrade

    with app.app_context():
        alembic_upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite"
    upgrade(make_app(f"sqlite:///{path}", folder))
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this session's own, migrated once, dropped at the end."""
    name = f"wikiseminar_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}".splitlines()[0])
    admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture(scope="session")
def pg_migrated(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's PostgreSQL database with every migration applied."""
    upgrade(make_app(pg_url, tmp_path_factory.mktemp("pg-instance")))
    return pg_url


def _empty_postgres(app: Flask) -> None:
    """Remove every row (not the schema) so the next test starts clean.

    DELETE in dependency order and a reset of the id sequences: on tables of a few rows this
    costs milliseconds, where TRUNCATE of every table costs about half a second per test.
    """
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        db.session.remove()
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
            sequences = conn.execute(sa.text(
                "SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = 'public'")).scalars().all()
            for sequence in sequences:
                conn.execute(sa.text(f"SELECT setval('\"{sequence}\"', 1, false)"))
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this test run: sqlite or postgresql."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, sqlite_template: Path,
                 request: pytest.FixtureRequest) -> str:
    """A clean, migrated database for one test."""
    if backend == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    return str(request.getfixturevalue("pg_migrated"))


@pytest.fixture
def app(database_url: str, backend: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on a clean database of the current backend."""
    application = make_app(database_url, tmp_path / "instance")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        _empty_postgres(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner bound to the app (commands see its database)."""
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def wiki() -> Iterator[LocalWiki]:
    """A real French-language MediaWiki shared by the session (tests use their own pages)."""
    if not Path("/usr/share/mediawiki/maintenance").is_dir() or not shutil.which("php"):
        pytest.fail("MediaWiki is not installed: run `make test` (it installs it) or "
                    "tests/mediawiki/install.sh")
    instance = LocalWiki(lang="fr")
    instance.start()
    try:
        yield instance
    finally:
        instance.cleanup()


@pytest.fixture
def sqlite_app(tmp_path: Path, sqlite_template: Path) -> Iterator[Flask]:
    """The app on SQLite only, CSRF on: for browser journeys against a live server."""
    from .browserkit import sqlite_browser_app

    with sqlite_browser_app(tmp_path, sqlite_template) as application:
        yield application


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium shared by a module's browser tests (each opens its own context)."""
    from .browserkit import chromium

    with chromium() as instance:
        yield instance
