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
    "REPORTS_PDF_WORKERS": 0,
    "REPORTS_KEEP_DAYS": 30,
    "OAUTH_CLIENT_ID": "",
    "OAUTH_CLIENT_SECRET": "",
    "OAUTH_AUTHORIZE_URL": "https://meta.wikimedia.org/w/rest.php/oauth2/authorize",
    "OAUTH_TOKEN_URL": "https://meta.wikimedia.org/w/rest.php/oauth2/access_token",
    "OAUTH_PROFILE_URL": "https://meta.wikimedia.org/w/rest.php/oauth2/resource/profile",
    "ALERTS_NO_EDIT_DAYS": 21,
    "ALERTS_DRAFT_NOT_MOVED_DAYS": 14,
    "SECURITY_LOGIN_ATTEMPTS": 5,
    "SECURITY_LOGIN_WINDOW_SECONDS": 900,
    "SECURITY_LOGIN_ATTEMPTS_PER_ADDRESS": 50,
    "SECURITY_TRUSTED_PROXIES": 0,
    "SECURITY_MAX_CONTENT_LENGTH": 4_000_000,
    "PUBLIC_REGISTRATION_ATTEMPTS": 10,
    "PUBLIC_REGISTRATION_WINDOW_SECONDS": 3600,
    "SESSION_COOKIE_SECURE": True,
    "INTEGRITY_ENABLED": True,
    "INTEGRITY_FETCH_SOURCES": True,
    "INTEGRITY_ALLOW_PRIVATE_HOSTS": False,
    "INTEGRITY_POSSIBLE": 0.5,
    "INTEGRITY_SUSPECTED": 0.75,
    "INTEGRITY_FETCH_TIMEOUT": 15.0,
    "INTEGRITY_MAX_SOURCE_BYTES": 10_000_000,
    "INTEGRITY_MAX_SOURCES_PER_REVISION": 20,
    "INTEGRITY_DOI_RESOLVER": "https://doi.org/",
    "INTEGRITY_DETECTOR_URL": "",
    "INTEGRITY_DETECTOR_TOKEN": "",
    "INTEGRITY_DETECTOR_THRESHOLD": 0.9,
    "DATABASE_POOL_SIZE": 5,
    "DATABASE_MAX_OVERFLOW": 10,
    "BASE_URL": "",
    "MAIL_HOST": "",
    "MAIL_PORT": 25,
    "MAIL_FROM_ADDRESS": "",
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SECURITY": "none",
    "MAIL_TIMEOUT": 10.0,
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_INTERVALS": [60, 300, 900, 3600, 3600 * 6],
    "MAIL_DIGEST_DAY": "monday",
    "MAIL_DRAFT_REMINDER_DAYS": 7,
}

MAIL_SECURITY_MODES = ("none", "starttls", "tls")
DIGEST_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
               "any")

# Top-level TOML keys that map to a Flask key of another name.
TOP_LEVEL = {
    "secret_key": "SECRET_KEY",
    "database_url": "SQLALCHEMY_DATABASE_URI",
    "redis_url": "REDIS_URL",
    "default_wiki_api": "DEFAULT_WIKI_API",
    "default_locale": "DEFAULT_LOCALE",
    "timezone": "TIMEZONE",
    "base_url": "BASE_URL",
}


def _flatten(data: dict[str, Any], source: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Map the TOML tree onto flat Flask keys, refusing unknown keys (typos must not pass).

    Also returns where each key came from ("FILE: [section] key"), for one-line errors.
    """
    flat: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                name = f"{key}_{sub}".upper()
                if name not in DEFAULTS:
                    raise ConfigError(f"{source}: unknown setting [{key}] {sub}")
                flat[name] = subvalue
                origins[name] = f"{source}: setting [{key}] {sub}"
        elif key in TOP_LEVEL:
            flat[TOP_LEVEL[key]] = value
            origins[TOP_LEVEL[key]] = f"{source}: setting {key}"
        else:
            raise ConfigError(f"{source}: unknown setting {key}")
    return flat, origins


def _check_types(settings: dict[str, Any], origins: dict[str, str] | None = None) -> None:
    """Reject values whose type differs from the default's (a string where a number belongs)."""
    origins = origins or {}
    for key, default in DEFAULTS.items():
        value = settings.get(key)
        if value is None:
            continue
        if default is None:
            expected: type = str
        else:
            expected = float if isinstance(default, float) else type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            settings[key] = float(value)
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            where = origins.get(key, f"setting {key.lower()}")
            raise ConfigError(f"{where} must be {expected.__name__}, got {_short(value)}")


def _check_timezone(settings: dict[str, Any], origins: dict[str, str]) -> None:
    """Refuse a time zone name the system does not know (every date shown depends on it)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = settings["TIMEZONE"]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        where = origins.get("TIMEZONE", "setting timezone")
        raise ConfigError(f"{where}: unknown time zone {_short(name)}") from None


def _short(value: Any) -> str:
    """A value as one short line for an error message."""
    text = repr(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"


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
    origins: dict[str, str] = {}
    path = config_file(instance_path)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
        flat, origins = _flatten(data, str(path))
        settings.update(flat)
        settings["CONFIG_FILE"] = str(path)
    for env, key in (
        (ENV_DATABASE_URL, "SQLALCHEMY_DATABASE_URI"),
        (ENV_SECRET_KEY, "SECRET_KEY"),
        (ENV_REDIS_URL, "REDIS_URL"),
    ):
        if os.environ.get(env):
            settings[key] = os.environ[env]
            origins[key] = f"environment variable {env}"
    if overrides:
        settings.update(overrides)
    _check_types(settings, origins)
    _check_timezone(settings, origins)
    _check_mail(settings)
    if not settings.get("SQLALCHEMY_DATABASE_URI"):
        db_file = Path(instance_path) / "wikiseminar.sqlite"
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    try:
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
            settings["SQLALCHEMY_DATABASE_URI"])
    except ConfigError as exc:
        where = origins.get("SQLALCHEMY_DATABASE_URI")
        raise ConfigError(f"{where.partition(': setting')[0]}: {exc}" if where else str(exc)) from None
    return settings


def _check_mail(settings: dict[str, Any]) -> None:
    """Refuse an unknown [mail] security mode and a base_url that is not an http(s) address."""
    if settings.get("MAIL_SECURITY") not in MAIL_SECURITY_MODES:
        raise ConfigError(f"setting mail_security must be one of {', '.join(MAIL_SECURITY_MODES)}, "
                          f"got {settings.get('MAIL_SECURITY')!r}")
    base = settings.get("BASE_URL") or ""
    if base:
        parsed = urlparse(base)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"base_url {base!r}: must be an http:// or https:// address")
        settings["BASE_URL"] = base.rstrip("/")
    if settings.get("MAIL_HOST") and not settings.get("MAIL_FROM_ADDRESS"):
        raise ConfigError("[mail] host is set but from_address is empty")
    if settings.get("MAIL_HOST") and not base:
        raise ConfigError("[mail] host is set but base_url is empty (mails need it for links)")
    if settings.get("MAIL_DIGEST_DAY") not in DIGEST_DAYS:
        raise ConfigError(f"setting mail_digest_day must be one of {', '.join(DIGEST_DAYS)}, "
                          f"got {settings.get('MAIL_DIGEST_DAY')!r}")


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for postgres:// and postgresql:// URLs; refuse unknown schemes."""
    scheme = urlparse(url).scheme
    if scheme in ("postgres", "postgresql"):
        return "postgresql+psycopg" + url[len(scheme) :]
    if scheme.startswith("postgresql+") or scheme.startswith("sqlite"):
        return url
    raise ConfigError(f"database_url {url!r}: only sqlite:/// and postgresql:// are supported")


# Sessions and CSRF tokens are signed with the key: shorter ones are guessable or typed by hand.
MIN_SECRET_KEY_LENGTH = 32


def require_secret_key(settings: dict[str, Any]) -> None:
    """Refuse to serve pages without a real secret key (sessions and CSRF depend on it)."""
    secret = settings.get("SECRET_KEY")
    if settings.get("TESTING"):
        return
    if not secret:
        raise ConfigError(f"no secret key configured: {SECRET_HINT}")
    if len(str(secret)) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"the secret key is too short ({len(str(secret))} characters, at least "
                          f"{MIN_SECRET_KEY_LENGTH} needed): {SECRET_HINT}")
