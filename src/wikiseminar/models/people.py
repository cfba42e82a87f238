"""Web accounts: who can sign in, and the login throttle."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import Model
from ._types import UTCDateTime, utcnow

__all__ = ["LoginAttempt", "User", "new_session_token"]


def new_session_token() -> str:
    """A fresh random session token (43 characters)."""
    return secrets.token_urlsafe(32)


class User(UserMixin, Model):
    """A person who signs in to the web app (instructor, student or auditor)."""

    __tablename__ = "user_account"
    # Ids name the account in sessions: a deleted account's id is never given to another.
    __table_args__ = {"sqlite_autoincrement": True}

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    # May create seminars; set by `wikiseminar user create-instructor`.
    is_instructor: so.Mapped[bool] = so.mapped_column(default=False)
    # Sees every seminar's sync runs and failed jobs (the operator).
    is_admin: so.Mapped[bool] = so.mapped_column(default=False)
    # Wikimedia OAuth 2 central user id (`sub`) when the person signed in with Wikimedia.
    wikimedia_sub: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    wikimedia_username: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_login_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    # When the person proved the address by following a mailed link (None: not proven).
    email_verified_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    # Last weekly digest sent to this instructor (the next one covers what changed since).
    last_digest_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    # Every session cookie carries it; changing it (services.accounts.end_all_sessions)
    # ends every session of the account at once.
    session_token: so.Mapped[str | None] = so.mapped_column(
        sa.String(64), default=lambda: new_session_token())

    def get_id(self) -> str:
        """What Flask-Login stores in the session and remember cookies: id and session token.

        An account made without one (raw SQL) gets its token here; sign-in commits it.
        """
        if not self.session_token:
            self.session_token = new_session_token()
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        """Hash and store a password (werkzeug's scrypt, salted)."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Compare a typed password with the stored hash in constant time."""
        return bool(self.password_hash) and check_password_hash(self.password_hash or "", password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class LoginAttempt(Model):
    """One sign-in attempt, kept briefly so repeated failures can be throttled across workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_key_at", "key", "at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(300))
    at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    success: so.Mapped[bool] = so.mapped_column(default=False)
