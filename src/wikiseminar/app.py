"""The Flask app factory: settings, database, web extensions, blueprints and CLI commands.

Kept out of the package's `__init__` so that `import wikiseminar` (and the pure `analysis`
and `wiki` modules) never import Flask or SQLAlchemy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from .config import load_settings
from .extensions import babel, csrf, db, login_manager, migrate
from .resources import resource_dir

__all__ = ["create_app", "default_instance_path"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, extensions, blueprints, CLI commands."""
    app = Flask(
        "wikiseminar",
        instance_relative_config=True,
        instance_path=default_instance_path(),
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_settings(app.instance_path, test_config))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = None
    _configure_database(app)
    _configure_web(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    from . import models  # noqa: F401  (register the tables with the metadata)
    from .commands import register_commands
    from .web import register_blueprints

    register_blueprints(app)
    register_commands(app)
    return app


def default_instance_path() -> str | None:
    """$WIKISEMINAR_INSTANCE_PATH; in a checkout, its top-level instance/ folder; else Flask's.

    Flask's own default for an installed package is <prefix>/var/wikiseminar-instance; in an
    editable checkout it would be src/instance, which nobody looks for.
    """
    named = os.environ.get("WIKISEMINAR_INSTANCE_PATH")
    if named:
        return str(Path(named).resolve())
    checkout = Path(__file__).resolve().parent.parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "wikiseminar").is_dir():
        return str(checkout / "instance")
    return None


def _configure_database(app: Flask) -> None:
    """SQLite gets foreign keys and a busy timeout; PostgreSQL gets a connection pool."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": 30}
        # A file path, not ":memory:" nor an SQLite URI ("file:...?mode=ro&uri=true"), which
        # names a file SQLite opens itself: making folders for it would litter the cwd.
        is_uri = url.database and (url.database.startswith("file:") or "uri" in url.query)
        if url.database and url.database != ":memory:" and not is_uri:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            _private_sqlite_file(Path(url.database))
    else:
        options["pool_size"] = app.config["DATABASE_POOL_SIZE"]
        options["max_overflow"] = app.config["DATABASE_MAX_OVERFLOW"]
        options["pool_recycle"] = 1800
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", options)
    db.init_app(app)


def _private_sqlite_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (it holds names, emails, grades).

    SQLite gives the -wal and -shm files it creates the mode of the database file, so they
    are private too. An existing file is tightened the same way.
    """
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except FileNotFoundError:
            continue
        except PermissionError:  # owned by another account: leave it to its owner
            continue


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Enforce foreign keys and let readers work while the sync writes (WAL) on SQLite."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _configure_web(app: Flask) -> None:
    """Sessions, CSRF, login, translations, request size and the trusted proxies."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.config["MAX_CONTENT_LENGTH"] = app.config["SECURITY_MAX_CONTENT_LENGTH"]
    proxies = app.config["SECURITY_TRUSTED_PROXIES"]
    if proxies > 0:  # the client address and scheme as the proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    # Flask's defaults already hold these keys (SameSite: None), so setdefault would not do.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LOCALE"])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["TIMEZONE"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(resource_dir("translations")))
    csrf.init_app(app)
    login_manager.init_app(app)
    from .web.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
