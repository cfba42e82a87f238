"""Kinds of notification a participant can turn off one by one, and their one-click links."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from ..dbsession import DbSession
from ..models import NotificationOptOut, User

__all__ = [
    "INSTRUCTOR_KINDS",
    "KIND_LABELS",
    "STUDENT_KINDS",
    "is_opted_out",
    "read_unsubscribe_token",
    "set_opt_out",
    "unsubscribe_headers",
    "unsubscribe_token",
]

STUDENT_KINDS = ("topic_decision", "edit_reverted", "deletion_proposed", "draft_reminder",
                 "restitution_slot")
INSTRUCTOR_KINDS = ("instructor_alert", "weekly_digest")
KIND_LABELS = {
    "topic_decision": _l("My topic is approved or refused"),
    "edit_reverted": _l("An edit of mine is reverted"),
    "deletion_proposed": _l("A page I work on is proposed for deletion"),
    "draft_reminder": _l("My draft is still in my user space before the restitution"),
    "restitution_slot": _l("My slot in the restitution programme"),
    "instructor_alert": _l("The dashboard's alerts (each sent once)"),
    "weekly_digest": _l("The weekly digest of my seminars"),
}
_SALT = "wikiseminar-unsubscribe"


def unsubscribe_token(user: User, kind: str) -> str:
    """A signed, non-expiring token naming one person and one kind (for one-click links)."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)
    return str(serializer.dumps({"u": user.id, "k": kind}))


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a genuine token, else None."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)
    try:
        data = serializer.loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in KIND_LABELS:
        return None
    return int(data.get("u", 0)), str(data["k"])


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe and RFC 8058 one-click headers for a notification."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def is_opted_out(session: DbSession, user_id: int, kind: str) -> bool:
    """True when the person turned this kind off."""
    return session.scalar(sa.select(NotificationOptOut.id).where(
        NotificationOptOut.user_id == user_id, NotificationOptOut.kind == kind)) is not None


def set_opt_out(session: DbSession, user_id: int, kind: str, off: bool) -> None:
    """Turn one kind off (or back on) for one person (not committed)."""
    existing = session.scalar(sa.select(NotificationOptOut).where(
        NotificationOptOut.user_id == user_id, NotificationOptOut.kind == kind))
    if off and existing is None:
        session.add(NotificationOptOut(user_id=user_id, kind=kind))
    elif not off and existing is not None:
        session.delete(existing)
