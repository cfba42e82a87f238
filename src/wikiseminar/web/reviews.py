"""Peer review pages: the instructor's assignment, a reviewer's form, the reviews a student got,
and the choice of each restitution talk's discussant."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..extensions import db
from ..models import REVIEW_ASPECTS, Discussant, Participant, PeerReview, Role, Seminar
from ..reports.reviews import discussants, review_wikitext
from ..services.reviews import (
    MAX_PER_STUDENT,
    ReviewAnswers,
    ReviewError,
    assign_reviews,
    draft_title,
    review_students,
    save_review,
    talk_activity,
)
from .permissions import seminar_member, seminar_role
from .seminars.forms import choices

bp = Blueprint("reviews", __name__)

__all__ = ["bp"]

ASPECT_LABELS = {
    "sources": _l("Sources"), "neutrality": _l("Neutrality"), "structure": _l("Structure"),
    "clarity": _l("Clarity"),
}
SCORE_PAIRS = [("", _l("—")), ("1", _l("1 · insufficient")), ("2", _l("2 · to improve")),
               ("3", _l("3 · good")), ("4", _l("4 · very good"))]


class AssignForm(FlaskForm):
    """How many reviews each student writes, and by when (a session or a date)."""

    per_student = IntegerField(_l("Reviews per student"), default=2,
                               validators=[InputRequired(), NumberRange(1, MAX_PER_STUDENT)])
    due_session = SelectField(_l("Deadline: a session of the calendar"), choices=[],
                              validate_choice=False)
    due_date = DateField(_l("or a date"), validators=[Optional()])


class ReviewForm(FlaskForm):
    """The structured review: per aspect a score and a comment, then free comments."""

    sources_score = SelectField(_l("Sources"), choices=choices(SCORE_PAIRS))
    sources_comment = TextAreaField(_l("Sources"), validators=[Length(max=5000)])
    neutrality_score = SelectField(_l("Neutrality"), choices=choices(SCORE_PAIRS))
    neutrality_comment = TextAreaField(_l("Neutrality"), validators=[Length(max=5000)])
    structure_score = SelectField(_l("Structure"), choices=choices(SCORE_PAIRS))
    structure_comment = TextAreaField(_l("Structure"), validators=[Length(max=5000)])
    clarity_score = SelectField(_l("Clarity"), choices=choices(SCORE_PAIRS))
    clarity_comment = TextAreaField(_l("Clarity"), validators=[Length(max=5000)])
    comments = TextAreaField(_l("Free comments"), validators=[Length(max=10000)])


def _reviews(seminar: Seminar) -> list[PeerReview]:
    return list(db.session.scalars(sa.select(PeerReview).where(
        PeerReview.seminar_id == seminar.id).order_by(PeerReview.id)))


@bp.route("/<slug>/reviews", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def manage(seminar: Seminar) -> ResponseReturnValue:
    """Ask for N reviews per student: the app proposes a balanced assignment and saves it."""
    form = AssignForm()
    form.due_session.choices = choices([("", _("no session"))] + [
        (str(s.id), f"{s.date.isoformat()} · {s.title}")
        for s in sorted(seminar.sessions, key=lambda s: s.date)])
    if form.validate_on_submit():
        session_id = int(form.due_session.data) if form.due_session.data else None
        try:
            assign_reviews(db.session, seminar, form.per_student.data or 0,
                           due_session_id=session_id, due_date=form.due_date.data)
        except ReviewError as exc:
            db.session.rollback()
            form.due_date.errors = [*form.due_date.errors, _error(exc)]
        else:
            flash(_("Peer reviews assigned."), "success")
            return redirect(url_for("reviews.manage", slug=seminar.slug))
    reviews = _reviews(seminar)
    return render_template(
        "reviews/manage.html", seminar=seminar, form=form, reviews=reviews,
        activity=talk_activity(db.session, seminar, reviews), draft_title=draft_title,
        discussants=discussants(db.session, seminar),
        students=review_students(db.session, seminar))


def _error(exc: ReviewError) -> str:
    """The service's message in the user's language."""
    messages = {
        "choose a session or a date as the deadline": _("Choose a session or a date as the deadline."),
        "peer review needs at least two students": _("Peer review needs at least two students."),
        "unknown session": _("Choose a session of this seminar."),
    }
    return messages.get(str(exc), str(exc))


@bp.post("/<slug>/reviews/discussants")
@seminar_role(Role.INSTRUCTOR)
def set_discussants(seminar: Seminar) -> ResponseReturnValue:
    """Save the instructor's choice of discussant per presenter (empty: the default)."""
    students = {p.id: p for p in review_students(db.session, seminar)}
    for presenter_id in students:
        value = request.form.get(f"discussant-{presenter_id}", "")
        row = db.session.get(Discussant, presenter_id)
        if not value:
            if row is not None:
                db.session.delete(row)
            continue
        if not value.isdigit() or int(value) not in students or int(value) == presenter_id:
            abort(400)
        if row is None:
            db.session.add(Discussant(presenter_id=presenter_id, discussant_id=int(value)))
        else:
            row.discussant_id = int(value)
    db.session.commit()
    flash(_("Discussants saved."), "success")
    return redirect(url_for("reviews.manage", slug=seminar.slug))


@bp.get("/<slug>/my-reviews")
@seminar_member
def mine(seminar: Seminar) -> ResponseReturnValue:
    """The reviews the student has to write, and the submitted reviews of their own draft."""
    me: Participant = g.participant
    to_write = list(db.session.scalars(sa.select(PeerReview).where(
        PeerReview.seminar_id == seminar.id, PeerReview.reviewer_id == me.id)))
    received = list(db.session.scalars(sa.select(PeerReview).where(
        PeerReview.seminar_id == seminar.id, PeerReview.reviewee_id == me.id,
        PeerReview.submitted_at.is_not(None))))
    return render_template("reviews/mine.html", seminar=seminar, to_write=to_write,
                           received=received, draft_title=draft_title,
                           aspects=REVIEW_ASPECTS, labels=ASPECT_LABELS)


@bp.route("/<slug>/reviews/<int:review_id>", methods=["GET", "POST"])
@seminar_member
def review(seminar: Seminar, review_id: int) -> ResponseReturnValue:
    """The reviewer's structured form; the reviewed student and instructors read it."""
    row = db.session.scalar(sa.select(PeerReview).where(
        PeerReview.id == review_id, PeerReview.seminar_id == seminar.id))
    if row is None:
        abort(404)
    me: Participant = g.participant
    is_reviewer = row.reviewer_id == me.id
    may_read = is_reviewer or me.role == Role.INSTRUCTOR or (
        row.reviewee_id == me.id and row.submitted)
    if not may_read:
        abort(403)
    form = ReviewForm(obj=None if request.method == "POST" else _FormData(row))
    if request.method == "POST":
        if not is_reviewer:
            abort(403)
        if form.validate_on_submit():
            answers = ReviewAnswers(
                scores={a: int(v) if (v := getattr(form, f"{a}_score").data) else None
                        for a in REVIEW_ASPECTS},
                comments_by_aspect={a: getattr(form, f"{a}_comment").data or ""
                                    for a in REVIEW_ASPECTS},
                comments=form.comments.data or "")
            save_review(db.session, row, answers)
            flash(_("Review submitted."), "success")
            return redirect(url_for("reviews.review", slug=seminar.slug, review_id=row.id))
    title = draft_title(row.reviewee)
    site = seminar.wiki.siteinfo
    wikitext = None
    if row.submitted:
        with force_locale("fr" if (seminar.wiki.lang or "fr").startswith("fr") else "en"):
            wikitext = review_wikitext(row, ASPECT_LABELS)
    return render_template(
        "reviews/review.html", seminar=seminar, review=row, form=form, editable=is_reviewer,
        draft=title, draft_url=site.page_url(title) if title else None,
        talk_url=site.page_url(_talk_title(site, title)) if title else None,
        wikitext=wikitext, aspects=REVIEW_ASPECTS, labels=ASPECT_LABELS)


def _talk_title(site: object, title: str) -> str:
    """The talk page of a page title (where the review is posted on the wiki)."""
    ns, text = site.split_title(title)  # type: ignore[attr-defined]
    return site.full_title(ns + 1 if ns % 2 == 0 else ns, text)  # type: ignore[attr-defined]


class _FormData:
    """A stored review as form data (scores as the select's string values)."""

    def __init__(self, row: PeerReview) -> None:
        for aspect in REVIEW_ASPECTS:
            score = getattr(row, f"{aspect}_score")
            setattr(self, f"{aspect}_score", "" if score is None else str(score))
            setattr(self, f"{aspect}_comment", getattr(row, f"{aspect}_comment"))
        self.comments = row.comments
