"""Settings: a TOML file, then environment variables, validated into Flask config keys."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

__all__ = ["ConfigError", "DEFAULTS", "load_settings", "require_secret_key"]

ENV_CONFIG = "WIKISEMINAR_CONFIG"
ENV_DATABASE_URL = "WIKISEMINAR_DATABASE_URL"
ENV_SECRET_KEY = "WIKISEMINAR_SECRET_KEY"
ENV_REDIS_URL = "WIKISEMINAR_REDIS_URL"

SECRET_HINT = (
    "set WIKISEMINAR_SECRET_KEY or secret_key in config.toml "
    "(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')"
)


class ConfigError(Exception):
    """A configuration problem, reported to the operator in one line."""


# Every key of config.example.toml, flattened as SECTION_KEY (upper case) -> default.
DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": None,
    "REDIS_URL": None,
    "DEFAULT_WIKI_API": "https://fr.wikipedia.org/w/api.php",
    "DEFAULT_LOCALE": "fr",
    "TIMEZONE": "Europe/Paris",
    "WIKI_USER_AGENT": "wikiseminar/0.1",
    "WIKI_CONTACT": "",
    "WIKI_BOT_USERNAME": "",
    "WIKI_BOT_PASSWORD": "",
    "WIKI_OAUTH1_CONSUMER_TOKEN": "",
    "WIKI_OAUTH1_CONSUMER_SECRET": "",
    "WIKI_OAUTH1_ACCESS_TOKEN": "",
    "WIKI_OAUTH1_ACCESS_SECRET": "",
    "WIKI_MAXLAG": 5,
    "WIKI_TIMEOUT": 30.0,
    "WIKI_MAX_RETRIES": 5,
    "WIKI_MAX_BACKOFF": 60.0,
    "WIKI_CONTRIBS_USERS_PER_REQUEST": 50,
    "WIKI_CONTRIBS_LIMIT": 0,
    "WIKI_REVISIONS_PER_REQUEST": 50,
    "WIKI_HISTORY_LIMIT": 0,
    "WIKI_MAX_CONCURRENT_REQUESTS": 3,
    "WIKI_HOURLY_REQUEST_BUDGET": 3000,
    "WIKI_MAX_TEXT_BYTES": 5_000_000,
    "SYNC_LOCK_TTL": 600,
    "SYNC_INTERVAL_MINUTES": 60,
    "SYNC_WATERMARK_OVERLAP_MINUTES": 10,
    "SYNC_TRACK_HISTORIES": True,
    "SYNC_PAGE_CHECKS_PER_RUN": 50,
    "SYNC_QUALITY_TALK_HOURS": 24,
    "QUEUE_NAME": "wikiseminar-sync",
    "QUEUE_JOB_TIMEOUT": 3600,
    "QUEUE_RETRIES": 5,
    "QUEUE_RETRY_INTERVALS": [60, 300, 900, 1800, 3600],
    "QUEUE_HEARTBEAT_SECONDS": 30,
    "QUEUE_ABANDONED_SECONDS": 90,
    "QUEUE_MAINTENANCE_SECONDS": 120,
    "OAUTH_CLIENT_ID": "",
    "OAUTH_CLIENT_SECRET": "",
    "OAUTH_AUTHORIZE_URL": "https://meta.wikimedia.org/w/rest.php/oauth2/authorize",
    "OAUTH_TOKEN_URL": "https://meta.wikimedia.org/w/rest.php/oauth2/access_token",
    "OAUTH_PROFILE_URL": "https://meta.wikimedia.org/w/rest.php/oauth2/resource/profile",
    "ALERTS_NO_EDIT_DAYS": 21,
    "ALERTS_DRAFT_NOT_MOVED_DAYS": 14,
    "SECURITY_LOGIN_ATTEMPTS": 5,
    "SECURITY_LOGIN_WINDOW_SECONDS": 900,
    "SESSION_COOKIE_SECURE": True,
    "DATABASE_POOL_SIZE": 5,
    "DATABASE_MAX_OVERFLOW": 10,
}

# Top-level TOML keys that map to a Flask key of another name.
TOP_LEVEL = {
    "secret_key": "SECRET_KEY",
    "database_url": "SQLALCHEMY_DATABASE_URI",
    "redis_url": "REDIS_URL",
    "default_wiki_api": "DEFAULT_WIKI_API",
    "default_locale": "DEFAULT_LOCALE",
    "timezone": "TIMEZONE",
}


def _flatten(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Map the TOML tree onto flat Flask keys, refusing unknown keys (typos must not pass)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                name = f"{key}_{sub}".upper()
                if name not in DEFAULTS:
                    raise ConfigError(f"{source}: unknown setting [{key}] {sub}")
                flat[name] = subvalue
        elif key in TOP_LEVEL:
            flat[TOP_LEVEL[key]] = value
        else:
            raise ConfigError(f"{source}: unknown setting {key}")
    return flat


def _check_types(settings: dict[str, Any]) -> None:
    """Reject values whose type differs from the default's (a string where a number belongs)."""
    for key, default in DEFAULTS.items():
        value = settings.get(key)
        if default is None or value is None:
            continue
        expected = float if isinstance(default, float) else type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            settings[key] = float(value)
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"setting {key.lower()} must be {expected.__name__}, got {value!r}")


def config_file(instance_path: str | os.PathLike[str]) -> Path | None:
    """The TOML file to read: $WIKISEMINAR_CONFIG, else instance/config.toml if present."""
    named = os.environ.get(ENV_CONFIG)
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"{ENV_CONFIG}={named}: no such file")
        return path
    default = Path(instance_path) / "config.toml"
    return default if default.is_file() else None


def load_settings(
    instance_path: str | os.PathLike[str], overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Defaults < TOML file < environment < explicit overrides (tests)."""
    settings = dict(DEFAULTS)
    path = config_file(instance_path)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
        settings.update(_flatten(data, str(path)))
        settings["CONFIG_FILE"] = str(path)
    for env, key in (
        (ENV_DATABASE_URL, "SQLALCHEMY_DATABASE_URI"),
        (ENV_SECRET_KEY, "SECRET_KEY"),
        (ENV_REDIS_URL, "REDIS_URL"),
    ):
        if os.environ.get(env):
            settings[key] = os.environ[env]
    if overrides:
        settings.update(overrides)
    _check_types(settings)
    if not settings.get("SQLALCHEMY_DATABASE_URI"):
        db_file = Path(instance_path) / "wikiseminar.sqlite"
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(settings["SQLALCHEMY_DATABASE_URI"])
    return settings


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for postgres:// and postgresql:// URLs; refuse unknown schemes."""
    scheme = urlparse(url).scheme
    if scheme in ("postgres", "postgresql"):
        return "postgresql+psycopg" + url[len(scheme) :]
    if scheme.startswith("postgresql+") or scheme.startswith("sqlite"):
        return url
    raise ConfigError(f"database_url {url!r}: only sqlite:/// and postgresql:// are supported")


def require_secret_key(settings: dict[str, Any]) -> None:
    """Refuse to serve pages without a real secret key (sessions and CSRF depend on it)."""
    secret = settings.get("SECRET_KEY")
    if settings.get("TESTING"):
        return
    if not secret or len(str(secret)) < 16:
        raise ConfigError(f"no secret key configured: {SECRET_HINT}")
