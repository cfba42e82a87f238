"""Peer reviews as shown and printed: the wikitext for a talk page, and each talk's discussant."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..dbsession import DbSession
from ..models import REVIEW_ASPECTS, Discussant, Participant, PeerReview, Role, Seminar
from ..scope import counted

__all__ = ["DiscussantChoice", "add_review_figures", "discussants", "review_wikitext"]


def review_wikitext(review: PeerReview, labels: Mapping[str, object]) -> str:
    """The review as a talk-page section, ready to paste (signed with ~~~~)."""
    lines = [f"== {_('Review by %(name)s', name=review.reviewer.name)} =="]
    for aspect in REVIEW_ASPECTS:
        score = getattr(review, f"{aspect}_score")
        comment = " ".join(getattr(review, f"{aspect}_comment").split())
        mark = f" ({score}/4)" if score is not None else ""
        lines.append(f"; {labels[aspect]}{mark} : {comment or '—'}")
    if review.comments.strip():
        lines.append(f"; {_('Free comments')} : {' '.join(review.comments.split())}")
    lines.append("~~~~")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class DiscussantChoice:
    """Who discusses a presentation, and whether the instructor chose them or a review did."""

    participant_id: int
    name: str
    chosen: bool


def discussants(session: DbSession, seminar: Seminar) -> dict[int, DiscussantChoice]:
    """presenter id -> discussant: the instructor's choice, else one of the presenter's
    reviewers (submitted reviews first, the reviewer with the fewest discussions so far)."""
    people = {p.id: p for p in session.scalars(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, counted(Role.STUDENT),
        Participant.removed_at.is_(None)))}
    result: dict[int, DiscussantChoice] = {}
    load: Counter[int] = Counter()
    for row in session.scalars(sa.select(Discussant).where(
            Discussant.presenter_id.in_(list(people) or [-1]))):
        chosen = people.get(row.discussant_id)
        if chosen is not None:
            result[row.presenter_id] = DiscussantChoice(chosen.id, chosen.name, True)
            load[chosen.id] += 1
    reviews = list(session.scalars(sa.select(PeerReview).where(
        PeerReview.seminar_id == seminar.id).order_by(PeerReview.id)))
    reviewers: dict[int, list[PeerReview]] = {}
    for review in reviews:
        reviewers.setdefault(review.reviewee_id, []).append(review)
    for presenter_id in sorted(people, key=lambda pid: (people[pid].name, pid)):
        if presenter_id in result or presenter_id not in reviewers:
            continue
        candidates = [r for r in reviewers[presenter_id] if r.reviewer_id in people]
        if not candidates:
            continue
        best = min(candidates, key=lambda r: (not r.submitted, load[r.reviewer_id], r.id))
        load[best.reviewer_id] += 1
        result[presenter_id] = DiscussantChoice(best.reviewer_id, people[best.reviewer_id].name,
                                                False)
    return result


def add_review_figures(session: DbSession, seminar: Seminar, figures: Mapping[int, Any]) -> None:
    """Set each student's `reviews_submitted` and `review_score` (the mean of the aspects'
    scores over the submitted reviews of their draft, as a share of 4), for rubric criteria."""
    if not figures:
        return
    given: Counter[int] = Counter()
    scores: dict[int, list[float]] = {}
    for review in session.scalars(sa.select(PeerReview).where(
            PeerReview.seminar_id == seminar.id, PeerReview.submitted_at.is_not(None))):
        given[review.reviewer_id] += 1
        if review.mean_score is not None:
            scores.setdefault(review.reviewee_id, []).append(review.mean_score / 4)
    for participant_id, f in figures.items():
        f.reviews_submitted = given.get(participant_id, 0)
        received = scores.get(participant_id)
        f.review_score = sum(received) / len(received) if received else None
