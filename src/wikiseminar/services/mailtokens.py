"""Single-use, expiring links sent by mail: only a hash of each secret is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

import sqlalchemy as sa

from ..dbsession import DbSession, rowcount
from ..models import EmailToken
from ..models._types import utcnow
from .messages import N_, ServiceError

__all__ = ["N_", "LinkError", "consume", "issue", "payload_of", "peek", "recent_count"]


class LinkError(ServiceError):
    """A mailed link that is unknown, used or expired (one message for all: reveals nothing)."""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(session: DbSession, purpose: str, email: str, *, user_id: int | None,
          lifetime: dt.timedelta, payload: dict[str, Any] | None = None) -> str:
    """Store a new link secret and return it (to be put in the mail, never stored in clear)."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(EmailToken(token_hash=_hash(raw), purpose=purpose, email=email, user_id=user_id,
                           payload=json.dumps(payload or {}), created_at=now,
                           expires_at=now + lifetime))
    return raw


def recent_count(session: DbSession, purpose: str, user_id: int,
                 window: dt.timedelta) -> int:
    """How many links of this purpose the account was sent within the window."""
    return session.scalar(sa.select(sa.func.count()).select_from(EmailToken).where(
        EmailToken.purpose == purpose, EmailToken.user_id == user_id,
        EmailToken.created_at >= utcnow() - window)) or 0


def peek(session: DbSession, purpose: str, raw: str) -> EmailToken:
    """The live token for this secret (not consumed: showing a form must not use the link)."""
    token = session.scalar(sa.select(EmailToken).where(
        EmailToken.token_hash == _hash(raw or ""), EmailToken.purpose == purpose))
    if token is None or token.used_at is not None:
        raise LinkError(N_("this link is not valid or was already used"))
    if token.expires_at <= utcnow():
        raise LinkError(N_("this link has expired; ask for a new one"))
    return token


def consume(session: DbSession, purpose: str, raw: str) -> EmailToken:
    """Use the link once: a conditional update, so two concurrent clicks cannot both win."""
    token = peek(session, purpose, raw)
    done = session.execute(sa.update(EmailToken).where(
        EmailToken.id == token.id, EmailToken.used_at.is_(None)).values(used_at=utcnow()))
    if rowcount(done) != 1:
        raise LinkError(N_("this link is not valid or was already used"))
    session.refresh(token)
    return token


def payload_of(token: EmailToken) -> dict[str, Any]:
    """The token's payload as a dict."""
    data = json.loads(token.payload or "{}")
    return data if isinstance(data, dict) else {}
