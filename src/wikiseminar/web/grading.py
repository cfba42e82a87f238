"""Grading pages: the rubric (criteria, weights, thresholds), the scale and freeze date, the
gradebook, and each student's marks and final grade. Instructors only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from ..extensions import db
from ..models import CriterionKind, FinalGrade, Mark, Participant, Role, RubricCriterion, Seminar
from ..models._types import utcnow
from ..reports.documents import template_helpers
from ..reports.grading import (
    GRADING_METRICS,
    add_default_rubric,
    metric_by_id,
    rubric,
    seminar_gradebook,
)
from ..scope import counted
from .permissions import seminar_role, seminar_row_or_404
from .report_forms import CriterionForm, GradingSettingsForm, local_instant, parse_number

bp = Blueprint("grading", __name__)

__all__ = ["bp"]


def _criterion_or_404(seminar: Seminar, criterion_id: int) -> RubricCriterion:
    """A criterion of this seminar's rubric."""
    return seminar_row_or_404(RubricCriterion, seminar, criterion_id)


def _student_or_404(seminar: Seminar, participant_id: int) -> Participant:
    """An enrolled student of this seminar (auditors are not graded)."""
    return seminar_row_or_404(Participant, seminar, participant_id,
                              counted(Role.STUDENT), Participant.removed_at.is_(None))


@bp.get("/<slug>/grading")
@seminar_role(Role.INSTRUCTOR)
def gradebook(seminar: Seminar) -> ResponseReturnValue:
    """Every student's criterion scores, suggested and final grade."""
    book = seminar_gradebook(db.session, seminar)
    return render_template("grading/gradebook.html", seminar=seminar, book=book,
                           metric_by_id=metric_by_id, **template_helpers(seminar.timezone))


# -- rubric -------------------------------------------------------------------------------

def _settings_form(seminar: Seminar) -> GradingSettingsForm:
    form = GradingSettingsForm(prefix="settings")
    if request.method == "GET":
        form.grade_scale.data = seminar.grade_scale
        if seminar.freeze_at:
            local = seminar.freeze_at.astimezone(ZoneInfo(seminar.timezone))
            form.freeze_date.data, form.freeze_time.data = local.date(), local.time()
    return form


def _rubric_page(seminar: Seminar, form: CriterionForm, settings: GradingSettingsForm,
                 status: int = 200) -> ResponseReturnValue:
    return render_template("grading/rubric.html", seminar=seminar, criteria=rubric(db.session, seminar),
                           form=form, settings=settings, metric_by_id=metric_by_id,
                           metrics=GRADING_METRICS), status


def _save_criterion(form: CriterionForm, row: RubricCriterion) -> None:
    """Copy the form into a criterion; ratio thresholds typed in % are stored as fractions."""
    row.label = (form.label.data or "").strip()
    row.kind = CriterionKind(form.kind.data)
    row.weight = float(form.weight.data or 0)
    if row.kind == CriterionKind.COMPUTED:
        factor = Decimal(100) if form.is_ratio() else Decimal(1)
        row.metric = form.metric.data
        row.threshold_low = float(Decimal(form.threshold_low.data) / factor)
        row.threshold_high = float(Decimal(form.threshold_high.data) / factor)
    else:
        row.metric = row.threshold_low = row.threshold_high = None


def _decimal(value: float) -> Decimal:
    """A float as a short decimal for a form (10, not 1E+1 nor 10.000000000000002)."""
    return Decimal(f"{value:.6f}".rstrip("0").rstrip("."))


def _fill_criterion(form: CriterionForm, row: RubricCriterion) -> None:
    """Show a criterion in the form (ratios as percentages)."""
    form.label.data, form.kind.data, form.metric.data = row.label, str(row.kind), row.metric or ""
    form.weight.data = _decimal(row.weight)
    metric = metric_by_id(row.metric)
    factor = 100 if metric and metric.kind == "ratio" else 1
    for field, value in ((form.threshold_low, row.threshold_low), (form.threshold_high, row.threshold_high)):
        field.data = None if value is None else _decimal(value * factor)


@bp.route("/<slug>/grading/rubric", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def rubric_page(seminar: Seminar) -> ResponseReturnValue:
    """The rubric and a form to add a criterion."""
    form = CriterionForm()
    if request.method == "GET":
        form.weight.data = Decimal(1)
    if form.validate_on_submit():
        position = len(rubric(db.session, seminar))
        row = RubricCriterion(seminar_id=seminar.id, position=position)
        _save_criterion(form, row)
        db.session.add(row)
        db.session.commit()
        flash(_("The criterion “%(label)s” was added.", label=row.label), "success")
        return redirect(url_for("grading.rubric_page", slug=seminar.slug))
    return _rubric_page(seminar, form, _settings_form(seminar), 400 if request.method == "POST" else 200)


@bp.post("/<slug>/grading/rubric/default")
@seminar_role(Role.INSTRUCTOR)
def rubric_default(seminar: Seminar) -> ResponseReturnValue:
    """Start from the suggested rubric (only when the seminar has none)."""
    if FlaskForm().validate_on_submit() and add_default_rubric(db.session, seminar, translate=_):
        db.session.commit()
        flash(_("The suggested rubric was added; adjust its weights and thresholds."), "success")
    return redirect(url_for("grading.rubric_page", slug=seminar.slug))


@bp.route("/<slug>/grading/rubric/<int:criterion_id>", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def criterion_edit(seminar: Seminar, criterion_id: int) -> ResponseReturnValue:
    """Change one criterion."""
    row = _criterion_or_404(seminar, criterion_id)
    form = CriterionForm()
    if request.method == "GET":
        _fill_criterion(form, row)
    elif form.validate_on_submit():
        _save_criterion(form, row)
        db.session.commit()
        flash(_("The criterion “%(label)s” was saved.", label=row.label), "success")
        return redirect(url_for("grading.rubric_page", slug=seminar.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("grading/criterion.html", seminar=seminar, form=form, criterion=row), status


@bp.post("/<slug>/grading/rubric/<int:criterion_id>/delete")
@seminar_role(Role.INSTRUCTOR)
def criterion_delete(seminar: Seminar, criterion_id: int) -> ResponseReturnValue:
    """Remove a criterion and the marks given on it."""
    row = _criterion_or_404(seminar, criterion_id)
    if FlaskForm().validate_on_submit():
        label = row.label
        db.session.execute(sa.delete(Mark).where(Mark.criterion_id == row.id))
        db.session.delete(row)
        db.session.commit()
        flash(_("The criterion “%(label)s” was removed.", label=label), "success")
    return redirect(url_for("grading.rubric_page", slug=seminar.slug))


@bp.post("/<slug>/grading/rubric/<int:criterion_id>/move")
@seminar_role(Role.INSTRUCTOR)
def criterion_move(seminar: Seminar, criterion_id: int) -> ResponseReturnValue:
    """Move a criterion up or down in the rubric."""
    rows = rubric(db.session, seminar)
    index = next((i for i, r in enumerate(rows) if r.id == criterion_id), None)
    if index is None:
        abort(404)
    other = index - 1 if request.form.get("direction") == "up" else index + 1
    if 0 <= other < len(rows) and FlaskForm().validate_on_submit():
        rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            row.position = position
        db.session.commit()
    return redirect(url_for("grading.rubric_page", slug=seminar.slug))


@bp.post("/<slug>/grading/settings")
@seminar_role(Role.INSTRUCTOR)
def settings(seminar: Seminar) -> ResponseReturnValue:
    """Save the grade scale and the freeze date."""
    form = _settings_form(seminar)
    if not form.validate_on_submit():
        return _rubric_page(seminar, CriterionForm(formdata=None), form, 400)
    seminar.grade_scale = form.grade_scale.data
    seminar.freeze_at = local_instant(form.freeze_date.data, form.freeze_time.data or dt.time(23, 59, 59, 999999),
                                      seminar.timezone) if form.freeze_date.data else None
    db.session.commit()
    flash(_("The grading settings were saved."), "success")
    return redirect(url_for("grading.rubric_page", slug=seminar.slug))


# -- accepting suggestions ------------------------------------------------------------------

def _decide(seminar: Seminar, participant_id: int, grade: float) -> None:
    """Store a decided final grade (keeping any comment already written)."""
    final = db.session.get(FinalGrade, participant_id)
    if final is None:
        final = FinalGrade(participant_id=participant_id, comment="")
        db.session.add(final)
    final.grade = grade
    final.updated_by_id, final.updated_at = current_user.id, utcnow()


@bp.post("/<slug>/grading/accept")
@seminar_role(Role.INSTRUCTOR)
def accept_complete(seminar: Seminar) -> ResponseReturnValue:
    """Accept the suggestion of every undecided student whose criteria all have a value."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    book = seminar_gradebook(db.session, seminar)
    chosen = [line for line in book.grades
              if line.override is None and line.suggested is not None and line.complete]
    for line in chosen:
        _decide(seminar, line.participant_id, line.suggested)  # type: ignore[arg-type]
    db.session.commit()
    flash(ngettext("%(num)s suggested grade was accepted.", "%(num)s suggested grades were accepted.",
                   len(chosen)), "success")
    return redirect(url_for("grading.gradebook", slug=seminar.slug))


@bp.post("/<slug>/grading/students/<int:participant_id>/accept")
@seminar_role(Role.INSTRUCTOR)
def accept_one(seminar: Seminar, participant_id: int) -> ResponseReturnValue:
    """Accept one student's suggested grade as their final grade, complete or not."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    student = _student_or_404(seminar, participant_id)
    line = seminar_gradebook(db.session, seminar).grade_of(student.id)
    if line is None or line.suggested is None:
        flash(_("There is no suggested grade to accept for %(name)s.", name=student.name), "error")
    else:
        _decide(seminar, student.id, line.suggested)
        db.session.commit()
        flash(_("The suggested grade of %(name)s was accepted.", name=student.name), "success")
    return redirect(url_for("grading.gradebook", slug=seminar.slug))


# -- one student --------------------------------------------------------------------------

@bp.route("/<slug>/grading/students/<int:participant_id>", methods=["GET", "POST"])
@seminar_role(Role.INSTRUCTOR)
def student_grade(seminar: Seminar, participant_id: int) -> ResponseReturnValue:
    """Hand marks (on the grade scale), the final grade and its comment for one student."""
    student = _student_or_404(seminar, participant_id)
    criteria = rubric(db.session, seminar)
    manual = [c for c in criteria if c.kind == CriterionKind.MANUAL]
    marks = {m.criterion_id: m for m in db.session.scalars(
        sa.select(Mark).where(Mark.participant_id == student.id))}
    final = db.session.get(FinalGrade, student.id)
    errors: dict[str, str] = {}
    scale = seminar.grade_scale
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        values: dict[int, float | None] = {}
        for c in manual:
            values[c.id], error = parse_number(request.form.get(f"mark-{c.id}"), 0, scale)
            if error:
                errors[f"mark-{c.id}"] = error
        override, error = parse_number(request.form.get("override"), 0, scale)
        if error:
            errors["override"] = error
        if not errors:
            now = utcnow()
            for c in manual:
                comment = (request.form.get(f"comment-{c.id}") or "").strip()[:5000]
                mark = marks.get(c.id)
                if values[c.id] is None and not comment:
                    if mark is not None:
                        db.session.delete(mark)
                    continue
                if mark is None:
                    mark = Mark(participant_id=student.id, criterion_id=c.id)
                    db.session.add(mark)
                value = values[c.id]
                mark.value = None if value is None else value / scale
                mark.comment, mark.updated_at = comment, now
            comment = (request.form.get("comment") or "").strip()[:5000]
            if final is None:
                final = FinalGrade(participant_id=student.id)
                db.session.add(final)
            final.grade, final.comment = override, comment
            final.updated_by_id, final.updated_at = current_user.id, now
            db.session.commit()
            flash(_("The grade of %(name)s was saved.", name=student.name), "success")
            return redirect(url_for("grading.gradebook", slug=seminar.slug))
    book = seminar_gradebook(db.session, seminar)
    return render_template(
        "grading/student.html", seminar=seminar, student=student, book=book,
        line=book.grade_of(student.id), manual=manual, marks=marks, final=final, errors=errors,
        form=request.form if request.method == "POST" else None,
        metric_by_id=metric_by_id), 400 if errors else 200
