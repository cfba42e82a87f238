"""A database that refuses writes gives an error page and a 503 /healthz (issue 11 item 13, web).

The faults are real database states, injected on every new connection of the test app:
SQLite's `query_only` (the same refusal as a read-only file, which root would not see) and
`max_page_count` (the same refusal as a full disk); PostgreSQL's read-only transactions (what
a hot standby or a full-disk emergency setting gives).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import SeminarSession

from .conftest import make_app
from .webkit import login_as, seed, text_of

NEW_SESSION = {"title": "Séance en plus", "date": "2026-05-04", "kind": "thematic"}


@contextmanager
def on_every_connection(app: Flask, statement: Callable[[Any], str]) -> Iterator[None]:
    """Run a statement on each new connection of the app's engine while the block runs."""
    with app.app_context():
        engine = db.engine

        def apply(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(statement(dbapi_connection))
            cursor.close()
            if hasattr(dbapi_connection, "commit"):
                dbapi_connection.commit()

        db.session.remove()
        engine.dispose()
        sa.event.listen(engine, "connect", apply)
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
            sa.event.remove(engine, "connect", apply)
            engine.dispose()


def read_only(backend: str) -> Callable[[Any], str]:
    """The statement that makes a connection refuse writes."""
    if backend == "sqlite":
        return lambda _conn: "PRAGMA query_only = ON"
    return lambda _conn: "SET default_transaction_read_only = on"


def sessions_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SeminarSession)) or 0


def test_a_read_only_database_gives_an_error_page_and_an_unhealthy_healthz(
        app: Flask, backend: str) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    before = sessions_count(app)
    assert client.get("/healthz").status_code == 200
    with on_every_connection(app, read_only(backend)):
        # Pages that only read still work.
        assert client.get("/").status_code == 200
        assert client.get("/seminars/sem-a/participants").status_code == 200
        answer = client.post("/seminars/sem-a/calendar/new", data=NEW_SESSION)
        assert answer.status_code == 503
        text = text_of(answer.get_data(as_text=True))
        assert "read-only" in text and "Back to the home page" in text
        assert "Traceback" not in text
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["database"] == "read-only"
        assert health.get_json()["status"] == "error"
    assert sessions_count(app) == before  # nothing half-written
    assert client.get("/healthz").status_code == 200  # back to normal


def test_a_full_sqlite_database_gives_an_error_page_and_an_unhealthy_healthz(
        tmp_path: Path, sqlite_template: Path) -> None:
    """SQLite only: a full PostgreSQL disk cannot be made per connection (its error code is
    checked by the classification test below)."""
    shutil.copy(sqlite_template, tmp_path / "full.sqlite")
    app = make_app(f"sqlite:///{tmp_path / 'full.sqlite'}", tmp_path / "instance")
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])

    def no_room(conn: Any) -> str:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        return f"PRAGMA max_page_count = {pages}"

    with on_every_connection(app, no_room):
        answer = None
        for n in range(40):  # until the free space of the last pages is used up
            answer = client.post("/seminars/sem-a/calendar/new", data={
                **NEW_SESSION, "title": f"Séance {n}", "description": "texte " * 800})
            if answer.status_code != 302:
                break
        assert answer is not None and answer.status_code == 503
        assert "full" in text_of(answer.get_data(as_text=True))
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["database"] == "full"


def test_write_errors_are_classified_by_backend_codes() -> None:
    """PostgreSQL's codes (read-only transaction, disk full) and SQLite's, without a server."""
    import sqlite3

    import psycopg

    from wikiseminar.services.dbhealth import classify_write_error

    def wrapped(orig: BaseException) -> sa.exc.DBAPIError:
        return sa.exc.OperationalError("INSERT …", {}, orig)

    assert classify_write_error(wrapped(sqlite3.OperationalError(
        "attempt to write a readonly database"))) == "read-only"
    assert classify_write_error(wrapped(sqlite3.OperationalError(
        "database or disk is full"))) == "full"
    assert classify_write_error(wrapped(psycopg.errors.ReadOnlySqlTransaction(
        "cannot execute INSERT in a read-only transaction"))) == "read-only"
    assert classify_write_error(wrapped(psycopg.errors.DiskFull(
        "could not extend file"))) == "full"
    assert classify_write_error(wrapped(sqlite3.OperationalError("no such table: x"))) is None
