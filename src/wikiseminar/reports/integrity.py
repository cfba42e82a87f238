"""Integrity findings as the review page, the CLI, student pages and alerts show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..dbsession import DbSession
from ..integrity.compare import shared_spans
from ..models import IntegrityFinding, Page, Participant, Revision, Seminar, User, Verdict
from ..models._types import utcnow

__all__ = ["FindingView", "confirmed_findings", "findings", "judge", "level", "unjudged_count"]

KINDS = ("copy", "copy-seminar", "copy-wiki", "dead-link", "isbn", "doi", "future-date", "ai-trace",
         "markdown", "ai-detector")


def level(confidence: float | None, config: dict[str, Any]) -> str | None:
    """"suspected", "possible" or None for a copy confidence, with the configured thresholds."""
    if confidence is None:
        return None
    if confidence >= float(config.get("INTEGRITY_SUSPECTED", 0.75)):
        return "suspected"
    if confidence >= float(config.get("INTEGRITY_POSSIBLE", 0.5)):
        return "possible"
    return None


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding with everything a page or an export shows."""

    id: int
    revid: int
    page: str
    student: str
    student_name: str
    participant_id: int
    kind: str
    confidence: float | None
    source: str
    source_title: str
    excerpt: str
    source_passage: str
    detail: str
    verdict: str | None
    note: str
    judged_by: str
    judged_at: dt.datetime | None
    diff_url: str
    created_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        """The CLI's --json object."""
        return {
            "id": self.id, "revid": self.revid, "page": self.page, "student": self.student,
            "kind": self.kind, "confidence": self.confidence, "source": self.source,
            "excerpt": self.excerpt, "source_excerpt": self.source_passage,
            "detail": self.detail, "verdict": self.verdict, "note": self.note,
            "judged_by": self.judged_by or None,
            "judged_at": self.judged_at.isoformat() if self.judged_at else None,
            "diff": self.diff_url,
        }

    def passage_segments(self) -> list[tuple[str, bool]]:
        """The student's passage cut into segments, shared words marked."""
        if not self.source_passage:
            return [(self.excerpt, False)]
        return shared_spans(self.excerpt, self.source_passage)

    def source_segments(self) -> list[tuple[str, bool]]:
        """The source's passage cut into segments, shared words marked."""
        return shared_spans(self.source_passage, self.excerpt) if self.source_passage else []


def findings(session: DbSession, seminar: Seminar, *, participant: Participant | None = None,
             judged_only: bool = False, verdicts: tuple[str, ...] | None = None,
             ) -> list[FindingView]:
    """The seminar's findings, newest revision first (students: judged ones only)."""
    query = (
        sa.select(IntegrityFinding, Revision.rev_id, Page.title, Participant, User.name)
        .join(Revision, Revision.id == IntegrityFinding.revision_id)
        .join(Page, Page.id == Revision.page_pk)
        .join(Participant, Participant.id == IntegrityFinding.participant_id)
        .outerjoin(User, User.id == IntegrityFinding.judged_by_id)
        .where(IntegrityFinding.seminar_id == seminar.id)
        .order_by(Revision.timestamp.desc(), IntegrityFinding.id)
    )
    if participant is not None:
        query = query.where(IntegrityFinding.participant_id == participant.id)
    if judged_only:
        query = query.where(IntegrityFinding.verdict.is_not(None))
    if verdicts is not None:
        query = query.where(IntegrityFinding.verdict.in_(verdicts))
    site = seminar.wiki.siteinfo
    out = []
    for finding, rev_id, title, person, judge_name in session.execute(query):
        out.append(FindingView(
            id=finding.id, revid=rev_id, page=title, student=person.wiki_username or "",
            student_name=person.name, participant_id=person.id, kind=finding.kind,
            confidence=finding.confidence, source=finding.source,
            source_title=finding.source_title, excerpt=finding.passage,
            source_passage=finding.source_passage, detail=finding.detail,
            verdict=finding.verdict, note=finding.verdict_note, judged_by=judge_name or "",
            judged_at=finding.judged_at, diff_url=site.diff_url(rev_id),
            created_at=finding.created_at))
    return out


def confirmed_findings(session: DbSession, seminar: Seminar,
                       participant: Participant | None = None) -> list[FindingView]:
    """What a student may see: only findings the instructor confirmed, with the note."""
    return findings(session, seminar, participant=participant,
                    verdicts=(Verdict.CONFIRMED,))


def judge(session: DbSession, seminar: Seminar, finding_id: int, verdict: str | None,
          note: str, user: User | None) -> IntegrityFinding:
    """Record (or clear, with None) the instructor's verdict on one finding of the seminar."""
    if verdict is not None and verdict not in Verdict.ALL:
        raise ValueError(f"unknown verdict {verdict!r}")
    finding = session.scalar(sa.select(IntegrityFinding).where(
        IntegrityFinding.id == finding_id, IntegrityFinding.seminar_id == seminar.id))
    if finding is None:
        raise LookupError(f"no finding {finding_id} in this seminar")
    finding.verdict = verdict
    finding.verdict_note = note.strip()
    finding.judged_by_id = user.id if user is not None else None
    finding.judged_at = utcnow() if verdict else None
    session.commit()
    return finding


def unjudged_count(session: DbSession, seminar: Seminar) -> int:
    """Findings the instructor has not judged yet."""
    return session.scalar(sa.select(sa.func.count(IntegrityFinding.id)).where(
        IntegrityFinding.seminar_id == seminar.id, IntegrityFinding.verdict.is_(None))) or 0
