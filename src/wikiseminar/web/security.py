"""Safe redirects, the sign-in throttle, and password checks that do not reveal accounts."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import cache
from typing import TypeGuard
from urllib.parse import urljoin, urlparse

import sqlalchemy as sa
from flask import current_app, request
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import LoginAttempt, User
from ..models._types import utcnow

__all__ = ["check_credentials", "is_safe_redirect", "login_allowed", "record_login_attempt",
           "safe_next", "throttle_keys"]


def is_safe_redirect(target: str | None) -> TypeGuard[str]:
    """Only paths on this site: no scheme, no other host, no '//' or backslash tricks."""
    if not target or "\\" in target or target.startswith("//"):
        return False
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False  # a newline would end up in the Location header
    parsed = urlparse(urljoin(request.host_url, target))
    return parsed.scheme in ("http", "https") and parsed.netloc == urlparse(request.host_url).netloc \
        and target.startswith("/")


def safe_next(default: str) -> str:
    """The ?next= (or form next) target if it is safe, else the default."""
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_redirect(target) else default


def throttle_keys(email: str) -> tuple[str, str]:
    """The throttle's keys: this account from this address, and this address alone.

    Never the account alone: then anyone could lock a person out by failing on purpose.
    The address is the client's as the trusted proxies report it (SECURITY_TRUSTED_PROXIES).
    """
    address = request.remote_addr or "?"
    return f"email:{email.strip().lower()}|ip:{address}", f"ip:{address}"


def login_allowed(email: str) -> bool:
    """False when this account from this address, or this address, failed too often lately."""
    window = dt.timedelta(seconds=current_app.config["SECURITY_LOGIN_WINDOW_SECONDS"])
    limits = (current_app.config["SECURITY_LOGIN_ATTEMPTS"],
              current_app.config["SECURITY_LOGIN_ATTEMPTS_PER_ADDRESS"])
    since = utcnow() - window
    for key, limit in zip(throttle_keys(email), limits, strict=True):
        failures = db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.key == key, LoginAttempt.at >= since, LoginAttempt.success.is_(False)))
        if (failures or 0) >= limit:
            return False
    return True


def record_login_attempt(email: str, success: bool) -> None:
    """Remember an attempt; a success clears its own key's failures; old rows are pruned."""
    now = utcnow()
    keys = throttle_keys(email)
    for key in keys:
        db.session.add(LoginAttempt(key=key, at=now, success=success))
    if success:
        db.session.execute(sa.delete(LoginAttempt).where(
            LoginAttempt.key == keys[0], LoginAttempt.success.is_(False)))
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < now - dt.timedelta(days=1)))
    db.session.commit()


@cache
def _decoy_hash() -> str:
    """A hash of a random password, with the parameters real accounts use."""
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def check_credentials(user: User | None, password: str) -> bool:
    """Whether the password opens the account; hashes exactly once either way.

    An unknown email, or an account without a password (Wikimedia sign-in only), costs the
    same slow hash as a real check, so the answer's timing does not tell them apart.
    """
    stored = user.password_hash if user is not None and user.password_hash else None
    matches = check_password_hash(stored or _decoy_hash(), password)
    return matches and stored is not None
