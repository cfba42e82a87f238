"""A seminar's full record as one JSON-ready dict, for the archives at the end of the seminar.

It holds the seminar and its calendar, participants (with contact details: the file is as
private as the database), topics and assignments, every revision with its metrics, the
figures, the rubric, marks and grades. Wikitexts are not included (they are public on the
wiki and would make the file huge).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import AuthorshipFigure, Mark, Participant, RevisionMetrics, Seminar, Topic
from ..models._types import utcnow
from ..scope import seminar_revisions
from .figures import student_figures
from .grading import seminar_gradebook
from .revisions import revision_flags

__all__ = ["RECORD_FORMAT", "seminar_record"]

RECORD_FORMAT = "wikiseminar-seminar-record/1"

_METRIC_FIELDS = tuple(c.name for c in RevisionMetrics.__table__.columns
                       if c.name not in ("revision_id", "computed_at"))


def _columns(row: Any, *names: str) -> dict[str, Any]:
    """Selected attributes of a row: enums as their values, clock times as HH:MM:SS."""
    out = {}
    for name in names:
        value = getattr(row, name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, dt.time):
            value = value.isoformat()
        out[name] = value
    return out


def seminar_record(session: DbSession, seminar: Seminar) -> dict[str, Any]:
    """Everything the app knows about one seminar, JSON-ready (dates become ISO strings)."""
    participants = list(session.scalars(sa.select(Participant).where(
        Participant.seminar_id == seminar.id).order_by(Participant.id)))
    ids = [p.id for p in participants]
    revisions = []
    for rev, participant in session.execute(seminar_revisions(seminar)).all():
        metrics = rev.metrics
        revisions.append({
            "revid": rev.rev_id, "parent_id": rev.parent_id, "page_id": rev.page.page_id,
            "title": rev.title, "namespace": rev.namespace, "current_title": rev.page.title,
            "current_namespace": rev.page.namespace, "user": rev.user_name,
            "participant_id": participant.id, "timestamp": rev.timestamp, "size": rev.size,
            "size_diff": rev.size_diff, "flags": revision_flags(rev), "tags": rev.tags or [],
            "comment": None if rev.comment_hidden else rev.comment,
            "metrics": {name: getattr(metrics, name) for name in _METRIC_FIELDS} if metrics else None,
        })
    book = seminar_gradebook(session, seminar)
    marks = list(session.scalars(sa.select(Mark).where(Mark.participant_id.in_(ids)))) if ids else []
    authorship = list(session.scalars(sa.select(AuthorshipFigure).where(
        AuthorshipFigure.seminar_id == seminar.id).order_by(AuthorshipFigure.id)))
    from .completeness import data_status

    return {
        "format": RECORD_FORMAT,
        "data_status": data_status(session, seminar).to_dict(),
        "exported_at": utcnow(),
        "seminar": _columns(seminar, "slug", "title", "description", "language", "start_date",
                            "end_date", "timezone", "restitution_at", "restitution_place",
                            "freeze_at", "grade_scale", "presentation_minutes", "break_every",
                            "break_minutes", "last_sync_at", "created_at")
        | {"wiki": seminar.wiki.api_url, "sitename": seminar.wiki.sitename},
        "calendar": [_columns(s, "date", "start_time", "end_time", "place", "kind", "title",
                              "speakers", "description") for s in seminar.sessions],
        "participants": [_columns(p, "id", "name", "email", "role", "wiki_username",
                                  "wiki_user_id", "wiki_verified", "wiki_verified_at",
                                  "wiki_verification_method", "removed_at",
                                  "presentation_order", "created_at") for p in participants],
        "topics": [_columns(t, "id", "title", "description", "suggested_articles", "in_catalogue",
                            "proposed_by_id", "created_at")
                   for t in session.scalars(sa.select(Topic).where(
                       Topic.seminar_id == seminar.id).order_by(Topic.id))],
        "assignments": [
            _columns(p.assignment, "participant_id", "topic_id", "status", "student_note",
                     "instructor_comment", "decided_at", "created_at", "updated_at")
            | {"articles": [_columns(a, "title", "kind", "sandbox_title", "exists_on_wiki",
                                     "wiki_page_id", "checked_at") for a in p.assignment.articles]}
            for p in participants if p.assignment is not None],
        "revisions": revisions,
        "figures": [f.to_dict() for f in student_figures(session, seminar, include_removed=True)],
        "figures_until_freeze": [f.to_dict() for f in book.figures] if seminar.freeze_at else None,
        "authorship": [_columns(a, "participant_id", "as_of_rev_id", "tokens", "total_tokens",
                                "share", "words", "total_words", "word_share", "added",
                                "surviving_now", "surviving_7d", "pending_7d", "reverted",
                                "computed_at") | {"page_id": a.page.page_id, "title": a.page.title}
                       for a in authorship],
        "rubric": [dataclasses.asdict(c) | {"kind": c.kind.value} for c in book.criteria],
        "marks": [_columns(m, "participant_id", "criterion_id", "value", "comment", "updated_at")
                  for m in marks],
        "grades": [{"participant_id": g.participant_id, "scores": g.scores, "mean": g.mean,
                    "suggested": g.suggested, "complete": g.complete, "override": g.override,
                    "final": g.final, "comment": g.comment} for g in book.grades],
    }
