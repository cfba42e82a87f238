"""The seminar's revisions as rows, for the revisions export."""

from __future__ import annotations

from typing import Any

from ..dbsession import DbSession
from ..models import Revision, Seminar
from ..scope import seminar_revisions

__all__ = ["REVISION_COLUMNS", "revision_flags", "revision_rows"]

REVISION_COLUMNS = (
    "revid", "parent_id", "page_id", "title", "namespace", "current_title", "current_namespace",
    "user", "user_id", "participant", "timestamp", "size", "size_diff", "flags", "tags",
    "comment",
)


def revision_flags(rev: Revision) -> list[str]:
    """The revision's flags as short words (minor, new, text-hidden, page-deleted …)."""
    flags = []
    for attr, word in (
        ("minor", "minor"), ("page_creation", "new"), ("text_hidden", "text-hidden"),
        ("user_hidden", "user-hidden"), ("comment_hidden", "comment-hidden"),
        ("suppressed", "suppressed"), ("deleted", "page-deleted"),
    ):
        if getattr(rev, attr):
            flags.append(word)
    return flags


def revision_rows(session: DbSession, seminar: Seminar) -> list[dict[str, Any]]:
    """Every revision of the seminar, oldest first, with edit-time and current titles."""
    rows = []
    for rev, participant in session.execute(seminar_revisions(seminar, counted_only=True)).all():
        page = rev.page
        rows.append({
            "revid": rev.rev_id, "parent_id": rev.parent_id, "page_id": page.page_id,
            "title": rev.title, "namespace": rev.namespace, "current_title": page.title,
            "current_namespace": page.namespace, "user": rev.user_name, "user_id": rev.user_id,
            "participant": participant.name, "timestamp": rev.timestamp, "size": rev.size,
            "size_diff": rev.size_diff, "flags": revision_flags(rev), "tags": rev.tags or [],
            "comment": None if rev.comment_hidden else rev.comment,
        })
    return rows
