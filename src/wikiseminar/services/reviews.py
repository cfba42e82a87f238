"""Peer review: propose who reviews whom, save the assignment and the reviews, find the draft.

The proposal is pure (`propose_pairs`); the rest reads and writes the database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import (
    REVIEW_ASPECTS,
    Participant,
    PeerReview,
    Revision,
    Role,
    Seminar,
    SeminarSession,
)
from ..models._types import utcnow
from ..scope import counted

__all__ = [
    "ReviewError",
    "assign_reviews",
    "draft_title",
    "propose_pairs",
    "review_students",
    "save_review",
    "talk_activity",
]

MAX_PER_STUDENT = 5


class ReviewError(ValueError):
    """A request the review assignment cannot satisfy (shown to the instructor)."""


def propose_pairs(students: Sequence[tuple[int, int | None]], per_student: int,
                  existing: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(reviewer, reviewee) pairs: each student reviews up to `per_student` others, never
    themselves nor a co-author (same topic id; None is a topic of one), and the reviews each
    student receives stay balanced.

    Round by round, a maximum bipartite matching (augmenting paths) gives every reviewer a
    different reviewee, so when the constraints allow it everyone gives and receives exactly
    `per_student`; reviewers left unmatched then take the least-reviewed eligible student.
    Candidates are tried from the fewest reviews received, then by distance after the
    reviewer in the list, so the result is deterministic. `existing` pairs (reviews already
    submitted) are kept and count towards both loads.
    """
    ids = [sid for sid, _ in students]
    topic = dict(students)
    index = {sid: i for i, sid in enumerate(ids)}
    count = len(ids)
    pairs = [p for p in existing if p[0] in index and p[1] in index]
    taken = set(pairs)
    given = Counter(r for r, _ in pairs)
    received = Counter(e for _, e in pairs)

    def eligible(reviewer: int, reviewee: int) -> bool:
        same_topic = topic[reviewer] is not None and topic[reviewer] == topic[reviewee]
        return reviewer != reviewee and not same_topic and (reviewer, reviewee) not in taken

    def ranked(reviewer: int) -> list[int]:
        return sorted((e for e in ids if eligible(reviewer, e)),
                      key=lambda e: (received[e], (index[e] - index[reviewer]) % count))

    for _ in range(per_student):
        wanting = [r for r in ids if given[r] < per_student]
        options = {r: ranked(r) for r in wanting}
        owner: dict[int, int] = {}  # reviewee -> reviewer in this round
        for reviewer in wanting:
            _augment(reviewer, options, owner, set())
        matched = {reviewer: reviewee for reviewee, reviewer in owner.items()}
        for reviewer in wanting:
            choice = matched.get(reviewer)
            if choice is None:
                fallback = ranked(reviewer)
                if not fallback:
                    continue
                choice = fallback[0]
            pairs.append((reviewer, choice))
            taken.add((reviewer, choice))
            given[reviewer] += 1
            received[choice] += 1
    return pairs


def _augment(reviewer: int, options: dict[int, list[int]], owner: dict[int, int],
             seen: set[int]) -> bool:
    """Kuhn's augmenting path: give `reviewer` a reviewee, moving earlier choices if needed."""
    for reviewee in options[reviewer]:
        if reviewee in seen:
            continue
        seen.add(reviewee)
        if reviewee not in owner or _augment(owner[reviewee], options, owner, seen):
            owner[reviewee] = reviewer
            return True
    return False


def review_students(session: DbSession, seminar: Seminar) -> list[Participant]:
    """The enrolled students who review and are reviewed (auditors do not)."""
    return list(session.scalars(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, counted(Role.STUDENT),
        Participant.removed_at.is_(None)).order_by(Participant.name, Participant.id)))


def assign_reviews(session: DbSession, seminar: Seminar, per_student: int, *,
                   due_session_id: int | None = None,
                   due_date: dt.date | None = None) -> list[PeerReview]:
    """Replace the reviews not yet submitted by a new balanced assignment; returns them all."""
    if not 1 <= per_student <= MAX_PER_STUDENT:
        raise ReviewError(f"reviews per student must be between 1 and {MAX_PER_STUDENT}")
    if due_session_id is not None:
        session_row = session.get(SeminarSession, due_session_id)
        if session_row is None or session_row.seminar_id != seminar.id:
            raise ReviewError("unknown session")
    if due_session_id is None and due_date is None:
        raise ReviewError("choose a session or a date as the deadline")
    students = review_students(session, seminar)
    if len(students) < 2:
        raise ReviewError("peer review needs at least two students")
    submitted = list(session.scalars(sa.select(PeerReview).where(
        PeerReview.seminar_id == seminar.id, PeerReview.submitted_at.is_not(None))))
    session.execute(sa.delete(PeerReview).where(
        PeerReview.seminar_id == seminar.id, PeerReview.submitted_at.is_(None)))
    topics = [(p.id, p.assignment.topic_id if p.assignment else None) for p in students]
    pairs = propose_pairs(topics, per_student,
                          [(r.reviewer_id, r.reviewee_id) for r in submitted])
    kept = {(r.reviewer_id, r.reviewee_id) for r in submitted}
    for reviewer, reviewee in pairs:
        if (reviewer, reviewee) in kept:
            continue
        session.add(PeerReview(seminar_id=seminar.id, reviewer_id=reviewer, reviewee_id=reviewee,
                               due_session_id=due_session_id,
                               due_date=None if due_session_id else due_date))
    session.commit()
    return list(session.scalars(sa.select(PeerReview).where(
        PeerReview.seminar_id == seminar.id).order_by(PeerReview.reviewer_id, PeerReview.id)))


def draft_title(participant: Participant) -> str | None:
    """The page to review: the first assigned article's sandbox draft, else the article."""
    assignment = participant.assignment
    if assignment is None or not assignment.articles:
        return None
    first = assignment.articles[0]
    return first.sandbox_title or first.title


@dataclass(frozen=True, slots=True)
class ReviewAnswers:
    """What the structured form sends: per aspect a score (1–4) and a comment, then comments."""

    scores: dict[str, int | None]
    comments_by_aspect: dict[str, str]
    comments: str


def save_review(session: DbSession, review: PeerReview, answers: ReviewAnswers) -> None:
    """Record a submitted review (a resubmission updates it)."""
    for aspect in REVIEW_ASPECTS:
        score = answers.scores.get(aspect)
        if score is not None and not 1 <= score <= 4:
            raise ReviewError("scores go from 1 to 4")
        setattr(review, f"{aspect}_score", score)
        setattr(review, f"{aspect}_comment", answers.comments_by_aspect.get(aspect, "").strip())
    review.comments = answers.comments.strip()
    review.submitted_at = utcnow()
    session.commit()


def talk_activity(session: DbSession, seminar: Seminar,
                  reviews: Sequence[PeerReview]) -> dict[int, int]:
    """review id -> the reviewer's edits, in the seminar's dates, to the talk page of the
    reviewed draft (review activity on the wiki)."""
    site = seminar.wiki.siteinfo
    wanted: dict[tuple[int, str], list[int]] = {}
    for review in reviews:
        title = draft_title(review.reviewee)
        user = review.reviewer.wiki_user_id
        if not title or not user:
            continue
        ns, text = site.split_title(title)
        talk = site.full_title(ns + 1 if ns % 2 == 0 else ns, text)
        wanted.setdefault((user, talk), []).append(review.id)
    if not wanted:
        return {}
    users = sorted({u for u, _ in wanted})
    rows = session.execute(
        sa.select(Revision.user_id, Revision.title, sa.func.count(Revision.id))
        .where(Revision.wiki_id == seminar.wiki_id, Revision.user_id.in_(users),
               Revision.namespace % 2 == 1, Revision.timestamp >= seminar.start_at,
               Revision.timestamp < seminar.end_at)
        .group_by(Revision.user_id, Revision.title)).all()
    activity: dict[int, int] = {}
    for user, title, edits in rows:
        for review_id in wanted.get((int(user or 0), title), []):
            activity[review_id] = edits
    return activity
