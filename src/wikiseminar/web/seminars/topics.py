"""The instructor's topic catalogue and the review of students' proposals."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...models import Assignment, AssignmentStatus, Participant, Role, Seminar, Topic
from ...services.topics import TopicError, decide
from ..messages import form_error
from ..permissions import seminar_role
from . import bp
from .common import topic_or_404
from .forms import ARTICLE_KIND_LABELS, STATUS_LABELS, CatalogueTopicForm, DecisionForm


@bp.get("/<slug>/topics")
@seminar_role(Role.INSTRUCTOR)
def topics(seminar: Seminar) -> ResponseReturnValue:
    """The catalogue, and every assignment by state (proposals awaiting a decision first)."""
    catalogue = [t for t in seminar.topics if t.in_catalogue]
    assignments = list(db.session.scalars(
        sa.select(Assignment).join(Participant).where(
            Participant.seminar_id == seminar.id, Participant.removed_at.is_(None))
        .order_by(Participant.name)))
    order = list(AssignmentStatus)
    assignments.sort(key=lambda a: order.index(a.status))
    return render_template("seminars/topics.html", seminar=seminar, catalogue=catalogue,
                           assignments=assignments, status_labels=STATUS_LABELS)


@bp.route("/<slug>/topics/new", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def topic_new(seminar: Seminar) -> ResponseReturnValue:
    """Add a topic to the catalogue."""
    form = CatalogueTopicForm()
    if form.validate_on_submit():
        topic = Topic(seminar=seminar, in_catalogue=True)
        _fill(topic, form)
        db.session.add(topic)
        db.session.commit()
        flash(_("Topic added to the catalogue."), "success")
        return redirect(url_for("seminars.topics", slug=seminar.slug))
    return render_template("seminars/topic_form.html", seminar=seminar, form=form, topic=None)


@bp.route("/<slug>/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def topic_edit(seminar: Seminar, topic_id: int) -> ResponseReturnValue:
    """Change a catalogue topic."""
    topic = topic_or_404(seminar, topic_id)
    if not topic.in_catalogue:
        abort(404)
    form = CatalogueTopicForm(obj=topic)
    if form.validate_on_submit():
        _fill(topic, form)
        db.session.commit()
        flash(_("Topic saved."), "success")
        return redirect(url_for("seminars.topics", slug=seminar.slug))
    return render_template("seminars/topic_form.html", seminar=seminar, form=form, topic=topic)


@bp.post("/<slug>/topics/<int:topic_id>/delete")
@seminar_role(Role.INSTRUCTOR)
def topic_delete(seminar: Seminar, topic_id: int) -> ResponseReturnValue:
    """Take a topic out of the catalogue (students who chose it keep their assignment)."""
    topic = topic_or_404(seminar, topic_id)
    if not topic.in_catalogue:
        abort(404)
    in_use = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.topic_id == topic.id)) or 0
    if in_use:
        topic.in_catalogue = False  # keep it for the assignments that point to it
    else:
        db.session.delete(topic)
    db.session.commit()
    flash(_("Topic removed from the catalogue."), "success")
    return redirect(url_for("seminars.topics", slug=seminar.slug))


def _fill(topic: Topic, form: CatalogueTopicForm) -> None:
    topic.title = (form.title.data or "").strip()
    topic.description = (form.description.data or "").strip()
    lines = (form.suggested_articles.data or "").splitlines()
    topic.suggested_articles = "\n".join(line.strip() for line in lines if line.strip())


@bp.route("/<slug>/assignments/<int:assignment_id>", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def assignment_review(seminar: Seminar, assignment_id: int) -> ResponseReturnValue:
    """A student's proposal, and the decision with a comment."""
    assignment = db.session.scalar(sa.select(Assignment).join(Participant).where(
        Assignment.id == assignment_id, Participant.seminar_id == seminar.id))
    if assignment is None:
        abort(404)
    form = DecisionForm()
    if request.method == "GET":
        form.comment.data = assignment.instructor_comment
    if form.validate_on_submit():
        try:
            decide(assignment, AssignmentStatus(form.decision.data), form.comment.data or "",
                   current_user)
        except TopicError as exc:
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Decision saved: %(status)s.",
                    status=STATUS_LABELS[assignment.status]), "success")
            return redirect(url_for("seminars.topics", slug=seminar.slug))
    return render_template(
        "seminars/assignment_review.html", seminar=seminar, assignment=assignment, form=form,
        status_labels=STATUS_LABELS, article_labels=ARTICLE_KIND_LABELS,
        siteinfo=seminar.wiki.siteinfo)
