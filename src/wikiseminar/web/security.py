"""Safe redirects and the sign-in throttle."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin, urlparse

import sqlalchemy as sa
from flask import current_app, request

from ..extensions import db
from ..models import LoginAttempt
from ..models._types import utcnow

__all__ = ["is_safe_redirect", "login_allowed", "record_login_attempt", "safe_next"]


def is_safe_redirect(target: str | None) -> bool:
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


def _keys(email: str) -> list[str]:
    """Throttle per account and per client address."""
    return [f"email:{email.strip().lower()}", f"ip:{request.remote_addr or '?'}"]


def login_allowed(email: str) -> bool:
    """False when the account or the address had too many failures in the window."""
    window = dt.timedelta(seconds=current_app.config["SECURITY_LOGIN_WINDOW_SECONDS"])
    limit = current_app.config["SECURITY_LOGIN_ATTEMPTS"]
    since = utcnow() - window
    for key in _keys(email):
        failures = db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.key == key, LoginAttempt.at >= since, LoginAttempt.success.is_(False)))
        if (failures or 0) >= limit:
            return False
    return True


def record_login_attempt(email: str, success: bool) -> None:
    """Remember an attempt; a success clears the account's failures; old rows are pruned."""
    now = utcnow()
    for key in _keys(email):
        db.session.add(LoginAttempt(key=key, at=now, success=success))
    if success:
        db.session.execute(sa.delete(LoginAttempt).where(
            LoginAttempt.key == _keys(email)[0], LoginAttempt.success.is_(False)))
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < now - dt.timedelta(days=1)))
    db.session.commit()
